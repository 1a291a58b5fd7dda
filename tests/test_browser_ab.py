"""The Strategy A/B page in real Chromium: a shared meeting link shows the numbers the page shows
under AppTest for the same link and the database gives, keeps the link as it was, and renders
every chart without an exception; its report downloads as one self-contained file."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import streamlit as st

from analytics import ab_stats, trade_metrics
from queries.connection import dashboard_login
from tests.ab_fixtures import ab_url  # noqa: F401  (the database fixture)
from tests.apptest import open_page
from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app
from tests.test_ab_page import MEETING, independent_groups, independent_looks, plain

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(ab_url):  # noqa: F811
    with streamlit_server({"PRECOG_DATABASE_URL": ab_url}) as base:
        yield base


def test_a_shared_link_shows_the_same_numbers_as_the_page_and_the_database(app_url, ab_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(ab_url))
    st.cache_data.clear()
    at = open_page("ab_tests", **MEETING)
    page_metrics = [(plain(m.label), m.value) for m in at.metric]

    labels = {11: "v1.0", 12: "v1.1", 13: "v1.2"}
    groups = independent_groups(ab_url, labels)
    expected = ab_stats.compare(groups["v1.0"], [groups["v1.1"], groups["v1.2"]], sequential=True, min_effect=0.05,
                                looks=independent_looks(ab_url, labels)).rows

    link = f"{app_url}/ab_tests?{urlencode(MEETING)}"
    with chromium_page(width=1600, height=4300) as page:
        # A running server has served its root before; a cold one would start a deep link in
        # Streamlit's legacy pages/ mode (see the report), so the test warms it first.
        page.goto(app_url)
        wait_for_app(page)
        page.goto(link)
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stPlotlyChart']").count() == 4  # the verdict by segment opens on demand

        metrics = page.locator("[data-testid='stMetric']")
        browser_metrics = [(metrics.nth(i).locator("[data-testid='stMetricLabel']").inner_text().strip(),
                            metrics.nth(i).locator("[data-testid='stMetricValue']").inner_text().strip())
                           for i in range(metrics.count())]
        assert browser_metrics == page_metrics
        # the first challenger's difference and chance to beat, against the database
        assert browser_metrics[0][1] == trade_metrics.points(expected.estimate.iloc[0], 2)
        assert browser_metrics[1][1] == f"{expected.chance_to_beat.iloc[0]:.0%}"
        alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
        assert any("better than the control" in a for a in alerts)
        assert any("Stored live ROI of v1.0 is +99.99%" in a for a in alerts)
        # the report: one self-contained file with the verdict, every chart and the link back
        with page.expect_download() as download:
            page.get_by_text("Download report").click()
        document = Path(download.value.path()).read_text()
        assert download.value.suggested_filename == "ab_meeting_20260101_20261231.html"
        assert document.count("Plotly.newPlot") == 4 and "<script src=" not in document
        assert "v1.1 against v1.0: Mean return per position" in document
        assert html.escape(link.replace(app_url, "")) in document

        # the link is kept as it was shared
        assert parse_qs(urlparse(page.url).query) == {k: [v] for k, v in MEETING.items()}
        screenshot(page, "ab_tests")
        # the method is drawn when its expander opens (a rerun), with the link to this view
        assert page.locator("[data-testid='stCode']").count() == 0
        page.get_by_text("How these numbers are computed").click()
        page.locator("[data-testid='stCode']").wait_for(timeout=APPEARS_MS)
        assert "strategy=meeting" in page.locator("[data-testid='stCode']").inner_text()
        assert page.get_by_text("mSPRT of Johari", exact=False).count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
