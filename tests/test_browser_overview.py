"""The Overview page in real Chromium: numbers render and no exception shows."""
from __future__ import annotations

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base:
        yield base


def test_overview_renders_numbers_without_exception(app_url, demo_url):
    from queries import schema

    conn = schema.connect(demo_url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM open_positions")
        open_positions = cur.fetchone()[0]
    conn.close()

    with chromium_page() as page:
        page.goto(app_url)
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        metrics = page.locator("[data-testid='stMetric']")
        assert metrics.count() == 5
        open_metric = metrics.filter(has_text="Open positions").locator("[data-testid='stMetricValue']")
        assert open_metric.inner_text().strip() == str(open_positions)
        assert "Database:" in page.locator("[data-testid='stSidebar']").inner_text()
        screenshot(page, "overview")
