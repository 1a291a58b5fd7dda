"""Real Chromium against a real `streamlit run`, the way Streamlit's own e2e suite does it:
one server per test module on a free port, wait for /_stcore/health, then for the app to finish
running its script, and find things by data-testid."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCREENSHOTS = PROJECT / "screenshots"
CHROMIUM = os.environ.get("PRECOG_CHROMIUM", "/usr/bin/chromium")
# How long a page may take to draw what a test waits for. 30 s was once too little on this 2-core
# machine under a load average of 10 (the A/B deep link, embedded server); a wait ends as soon as
# the thing appears, so only a failure waits this long.
APPEARS_MS = 90_000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str], script: str = "app.py", options: tuple[str, ...] = ()):
    """Start `streamlit run` on a free port (with extra command-line `options`); yield its base
    URL; stop it."""
    from queries.connection import dashboard_login

    if env.get("PRECOG_DATABASE_URL"):  # the server logs in as precog_dashboard, as deployed
        env = {**env, "PRECOG_DATABASE_URL": dashboard_login(env["PRECOG_DATABASE_URL"])}
    port = free_port()
    log = open(PROJECT / f".streamlit-test-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *options],
        cwd=PROJECT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc, lambda: log.flush() or (PROJECT / log.name).read_text()[-2000:])
        yield base
    finally:
        stop(proc)
        log.close()
        os.unlink(log.name)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by a test: politely, then by force after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_until_healthy(base: str, proc: subprocess.Popen, output, seconds: float = 60) -> None:
    """Wait for the server at `base` (the process `proc`) to answer /_stcore/health; RuntimeError
    with `output()` (what it printed) if it exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not start: {output()}")
        time.sleep(0.3)


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000, headers: dict[str, str] | None = None):
    """A page in headless Chromium; `headers` are sent with every request (as a proxy would)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, extra_http_headers=headers)
            yield page
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script has finished running (and the page has drawn)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_timeout(300)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def tick_first_row(page, grid, appears: str, attempts: int = 3, timeout_ms: int = 10_000) -> None:
    """Tick the first row's selection checkbox in a (canvas) data grid until `appears` (a CSS
    selector) shows. The grid draws rows a moment after its element exists, and a self-refreshing
    fragment can redraw it mid-click, so a click is occasionally lost: hover first, then retry
    a lost click. A click that did land is never repeated (that would untick the row)."""
    grid.wait_for(timeout=APPEARS_MS)
    grid.locator("canvas").first.wait_for(timeout=APPEARS_MS)
    wait_for_app(page)
    for attempt in range(attempts):
        box = grid.bounding_box()
        x, y = box["x"] + 17, box["y"] + 35 + 17  # left edge, one header row down
        page.mouse.move(x, y)
        page.wait_for_timeout(150)
        page.mouse.click(x, y)
        try:
            page.wait_for_selector(appears, timeout=timeout_ms)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
