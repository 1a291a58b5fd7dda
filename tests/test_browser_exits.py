"""The Position exits page in real Chromium on the demo data: a position's timeline draws."""
from __future__ import annotations

import pytest

from queries import schema
from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base:
        yield base


def _position_with_partial_exits_and_a_trailing_stop(url: str) -> tuple[int, int]:
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("""
            SELECT position_id, count(*) FROM position_exits
            GROUP BY position_id
            HAVING count(*) >= 2 AND bool_or(exit_condition = 'trailing_stop')
            ORDER BY count(*) DESC, position_id LIMIT 1""")
        position_id, exits = cur.fetchone()
    conn.close()
    return position_id, exits


def test_a_positions_timeline_draws_with_its_exits(app_url, demo_url):
    position_id, exit_count = _position_with_partial_exits_and_a_trailing_stop(demo_url)
    with chromium_page(height=2200) as page:
        # A freshly started server serves deep links in legacy multipage mode until app.py has run
        # once (Streamlit decides by whether st.navigation was ever called), so open the app first.
        page.goto(app_url)
        wait_for_app(page)
        page.goto(f"{app_url}/exits?position={position_id}")
        wait_for_app(page)
        chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="Trailing stop")
        chart.wait_for(timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_role("tab", name="One position", selected=True).count() == 1
        assert page.get_by_text(f"Position {position_id}", exact=True).is_visible()
        legend = chart.inner_text()
        for trace in ("Market price", "Trailing stop", "Entry", "Exits"):
            assert trace in legend
        # what plotly.js drew: one point per exit, and a trailing stop level on some of the rows
        # (numbers arrive as typed arrays, which plotly.js decodes into its full data; a missing one
        # is NaN, which it leaves as a gap)
        drawn = chart.locator(".js-plotly-plot").evaluate(
            "el => Object.fromEntries(el._fullData.map(t => [t.name, Array.from(t.y).filter(Number.isFinite).length]))")
        assert drawn["Exits"] == exit_count
        assert drawn["Trailing stop"] >= 1
        assert drawn["Market price (yes)" if "Market price (yes)" in drawn else "Market price (no)"] > 10
        screenshot(page, "exits_timeline")
        # Only the open tab draws the position box: its value and the link's position outlive a
        # visit to another tab.
        page.get_by_role("tab", name="Breakdown").click()
        page.locator("[data-testid='stMetric']").filter(has_text="Contracts exited").wait_for(timeout=APPEARS_MS)
        assert f"position={position_id}" in page.url
        page.get_by_role("tab", name="One position").click()
        page.get_by_text(f"Position {position_id}", exact=True).wait_for(timeout=APPEARS_MS)
        assert f"position={position_id}" in page.url


def test_the_breakdown_renders(app_url):
    with chromium_page(height=1800) as page:
        page.goto(app_url)
        wait_for_app(page)
        page.goto(f"{app_url}/exits")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stMetric']").filter(has_text="Exits").count() >= 1
        screenshot(page, "exits")


@pytest.mark.parametrize("tab, metric", [("Execution", "Cost of slippage"), ("MAE / MFE", "Median MAE")])
def test_the_execution_and_excursion_tabs_render_on_a_laptop_screen(app_url, tab, metric):
    """The two tabs of issue #24 at 1366 x 768: their figures and chart draw, nothing fails."""
    from urllib.parse import quote
    with chromium_page(width=1366, height=768) as page:
        page.goto(f"{app_url}/exits?tab={quote(tab)}")
        wait_for_app(page)
        page.locator("[data-testid='stMetric']").filter(has_text=metric).wait_for(timeout=APPEARS_MS)
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        # the whole tab bar fits: the last tab is on screen, not behind a scroll arrow
        last = page.get_by_role("tab", name="One position").bounding_box()
        bar = page.get_by_role("tablist").first.bounding_box()
        assert last is not None and last["x"] + last["width"] <= bar["x"] + bar["width"]
        screenshot(page, f"exits_{tab.lower().replace(' / ', '_')}_1366")
