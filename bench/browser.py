"""Page-ready times in headless Chromium, beside four Streamlit pages without the dashboard measured
in the same run (an empty page; an empty page opened by its link, as the dashboard's pages but
the Overview are, bench/linked_app.py; one chart and one table; the kinds of elements the
dashboard's pages are made of, bench/parts_app.py), and the Streamlit server's resident size after concurrent
sessions have each opened every page.

Ready = from navigation until the page's title is drawn and the script has finished running
(`data-test-script-state='notRunning'`, what Streamlit's own end-to-end suite waits for). Each
timed load is a new browser context, so a new Streamlit session; the first load of a page also
fills the process's st.cache_data. A round of every target takes longer than the shortest cache
lifetimes (5-15 s: the alerts queue, open positions, current edges), so later loads read what
is cached for a minute or more and query the database for the rest, as a user arriving at that
moment would.
"""
from __future__ import annotations

import asyncio
import contextlib
import statistics
import time

import psutil

from bench.measure import percentile
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, streamlit_server

# (URL path, the page's st.title) in the sidebar's order.
PAGES = {"Overview": ("", "Overview"), "Alerts": ("alerts", "Alerts"), "Position exits": ("exits", "Position exits"),
         "Model versions": ("models", "Model versions"), "Strategy A/B": ("ab_tests", "Strategy A/B"),
         "Current edges": ("edges", "Current edges"), "Trade attribution": ("trades", "Trade attribution")}
EMPTY = "(empty Streamlit page)"
LINKED = "(empty Streamlit page opened by its link)"
CHART_AND_TABLE = "(Streamlit page: one chart, one table)"
PARTS = "(Streamlit page: navigation, filters, tabs, metrics, a chart, a table)"
# name: (script, the page's st.title, URL path)
YARDSTICKS = {EMPTY: ("bench/empty_app.py", "Empty page", ""), LINKED: ("bench/linked_app.py", "Linked page", "linked"),
              CHART_AND_TABLE: ("bench/chart_table_app.py", "Chart and table", ""),
              PARTS: ("bench/parts_app.py", "Dashboard parts", "")}
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
TIMEOUT_MS = 120_000


def _server_process(base: str) -> psutil.Process:
    port = base.rsplit(":", 1)[1]
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "streamlit" in " ".join(cmdline) and str(port) in cmdline:
            return proc
    raise RuntimeError(f"no streamlit process serves port {port}")


async def _ready(page, title: str) -> None:
    await page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    await page.wait_for_selector(READY, timeout=TIMEOUT_MS)


async def _load(browser, url: str, title: str) -> float:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(url)
        await _ready(page, title)
        return time.perf_counter() - started
    finally:
        await context.close()


async def _ready_times(browser, base: str, yardstick_bases: dict[str, str], runs: int, progress) -> dict:
    """Each target's first load, then `runs` rounds that load every target once, in turn: the
    machine's load drifts over minutes, and round-robin lets every page and yardstick meet the
    same conditions (back to back, a ratio moved by up to 0.3 from one run to the next)."""
    targets = [(name, f"{yardstick_bases[name]}/{path}", title) for name, (_, title, path) in YARDSTICKS.items()]
    targets += [(name, f"{base}/{path}", title) for name, (path, title) in PAGES.items()]
    first = {name: await _load(browser, url, title) * 1000 for name, url, title in targets}
    later = {name: [] for name, _, _ in targets}
    for _ in range(runs):
        for name, url, title in targets:
            later[name].append(await _load(browser, url, title) * 1000)
    results = {}
    for name, _, _ in targets:
        ms = later[name]
        results[name] = {"first_ms": first[name], "p50_ms": statistics.median(ms), "p95_ms": percentile(ms, 95),
                         "runs": runs}
        progress(f"[bench]      {name}: first {first[name]:.0f} ms, then p50 {statistics.median(ms):.0f} ms")
    return results


# Sessions clicking through pages at the same moment; all of them stay open until the measurement.
# On 2 cores, 20 tabs loading at once starve each other past any sensible timeout.
ACTIVE_AT_ONCE = 4


async def _session(browser, base: str, active: asyncio.Semaphore) -> object:
    """One session that opens every page through the sidebar (one websocket session throughout)
    and stays open."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = await context.new_page()
    async with active:
        await page.goto(base + "/")
        await _ready(page, "Overview")
        for path, title in list(PAGES.values())[1:]:
            await page.locator(f"[data-testid='stSidebarNavLink'][href$='/{path}']").first.click()
            await _ready(page, title)
    return context


async def _memory(browser, base: str, sessions: int, server: psutil.Process, progress) -> dict:
    idle = server.memory_info().rss
    started = time.perf_counter()
    active = asyncio.Semaphore(ACTIVE_AT_ONCE)
    contexts = await asyncio.gather(*(_session(browser, base, active) for _ in range(sessions)))
    elapsed = time.perf_counter() - started
    after = server.memory_info().rss
    progress(f"[bench]      {sessions} sessions opened every page in {elapsed:.0f} s; server RSS {after / 2**20:.0f} MB")
    for context in contexts:
        await context.close()
    return {"sessions": sessions, "idle_mb": idle / 2**20, "after_sessions_mb": after / 2**20,
            "session_seconds": elapsed}


async def _measure(base: str, yardstick_bases: dict[str, str], runs: int, sessions: int, progress) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            progress("[bench] page ready in Chromium")
            pages = await _ready_times(browser, base, yardstick_bases, runs, progress)
        finally:
            await browser.close()
        return {"pages": pages}


async def _memory_run(base: str, sessions: int, progress) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            return await _memory(browser, base, sessions, _server_process(base), progress)
        finally:
            await browser.close()


def measure(url: str, runs: int, sessions: int, progress=print) -> dict:
    env = {"PRECOG_DATABASE_URL": url}
    with contextlib.ExitStack() as servers:
        base = servers.enter_context(streamlit_server(env))
        yardstick_bases = {name: servers.enter_context(streamlit_server({}, script=script))
                           for name, (script, _, _) in YARDSTICKS.items()}
        result = asyncio.run(_measure(base, yardstick_bases, runs, sessions, progress))
    progress(f"[bench] server memory: {sessions} concurrent sessions, each opening every page")
    with streamlit_server(env) as base:
        time.sleep(2)
        result["memory"] = asyncio.run(_memory_run(base, sessions, progress))
    return result
