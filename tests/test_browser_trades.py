"""Trade attribution and Current edges in real Chromium: one click on a trade opens its strategy
and model configs (and puts the trade in the URL), the CSV download is the whole filtered set, and
both pages render without an exception."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, tick_first_row, wait_for_app
from tests.test_trades_page import rows

pytestmark = pytest.mark.browser

RANGE = "from=2026-10-25&to=2026-11-01"


@pytest.fixture(scope="module")
def app_url(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base:
        yield base


def open_app(page, app_url: str, path: str) -> None:
    # A fresh server whose first request is a deep link runs the pages/ folder in Streamlit's
    # legacy multipage mode (app.py's st.navigation never runs); open the app's root first.
    page.goto(app_url)
    wait_for_app(page)
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)


def test_one_click_on_a_trade_opens_its_strategy_and_model_configs(app_url, demo_url):
    trade_id, strategy_config, model_config = rows(demo_url, """
        SELECT t.trade_id, s.config, pm.config FROM trades t
        JOIN strategies s USING (strategy_id) JOIN probability_models pm USING (model_id)
        WHERE t.created_at >= '2026-10-25' AND t.created_at < '2026-11-02'
        ORDER BY t.created_at DESC, t.trade_id DESC LIMIT 1""")[0]
    with chromium_page(height=2200) as page:
        open_app(page, app_url, f"trades?{RANGE}")
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stJson']").count() == 0
        tick_first_row(page, grid, "[data-testid='stJson']", timeout_ms=30_000)
        wait_for_app(page)
        assert f"trade={trade_id}" in page.url
        assert page.get_by_text(f"Trade #{trade_id}:").count() == 1
        shown = page.locator("[data-testid='stJson']").all_inner_texts()
        assert len(shown) == 2
        for text, config in zip(shown, (strategy_config, model_config)):
            assert all(f'"{key}"' in text for key in config), (text, config)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "trades")

        # Close clears the selection with the detail; the same row opens it again
        page.get_by_role("button", name="Close").click()
        page.wait_for_function("!document.querySelector(\"[data-testid='stJson']\")", timeout=APPEARS_MS)
        wait_for_app(page)
        assert "trade=" not in page.url
        tick_first_row(page, grid, "[data-testid='stJson']", timeout_ms=30_000)
        assert f"trade={trade_id}" in page.url

        # the same view again from its link alone
        page.goto(page.url)
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stJson']", timeout=APPEARS_MS)
        assert page.get_by_text(f"Trade #{trade_id}:").count() == 1


def test_the_csv_download_is_every_matching_trade_not_the_page(app_url, demo_url):
    expected = [r[0] for r in rows(demo_url, """
        SELECT trade_id FROM trades WHERE created_at >= '2026-10-25' AND created_at < '2026-11-02' AND side = 'sell'
        ORDER BY created_at DESC, trade_id DESC""")]
    assert len(expected) > 50  # more than the page shows
    with chromium_page() as page:
        open_app(page, app_url, f"trades?{RANGE}&side=sell")
        button = page.locator("[data-testid='stDownloadButton'] button").first  # (a hidden twin sizes it)
        button.wait_for(timeout=APPEARS_MS)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        data = open(download.value.path(), encoding="utf-8").read()
        file_name = download.value.suggested_filename
    exported = list(csv.DictReader(io.StringIO(data)))
    assert [int(r["trade_id"]) for r in exported] == expected
    assert {r["side"] for r in exported} == {"sell"}
    assert file_name == "trades_2026-10-25_2026-11-01.csv"


def test_current_edges_renders_its_table_and_three_charts(app_url):
    with chromium_page(height=2200) as page:
        open_app(page, app_url, "edges")
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        page.wait_for_function(
            "document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= 3", timeout=APPEARS_MS)
        # the tables' grid draws after the charts on a busy machine
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stDataFrame']\").length >= 2",
                               timeout=APPEARS_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stPlotlyChart']").count() == 3
        assert page.locator("[data-testid='stDataFrame']").count() == 2
        screenshot(page, "edges")

