"""The attribution audit in real Chromium, on the audit's hand-made rows (tests/fixtures.py): the
Overview's link leads to it, it draws its counts and a kind's findings, and the link keeps the kind."""
from __future__ import annotations

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app
from tests.fixtures import AUDIT_ROWS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(databases):
    with streamlit_server({"PRECOG_DATABASE_URL": databases.create("browser_audit", rows=AUDIT_ROWS)}) as base:
        yield base


def test_the_overviews_link_opens_the_audit_and_its_findings(app_url):
    with chromium_page(height=1600) as page:
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_text("Attribution audit: 10 trades and positions contradict their recorded history").click()
        page.get_by_role("heading", name="Attribution audit").wait_for(timeout=APPEARS_MS)
        wait_for_app(page)
        assert page.url.startswith(f"{app_url}/audit")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("10 findings of 10 kinds.").is_visible()
        grids = page.locator("[data-testid='stDataFrame']")
        assert grids.count() == 2  # the kinds, and the first kind's findings
        assert "kind=trade_before_edge" in page.url
        screenshot(page, "audit")
        # a link that names a kind opens it
        page.goto(f"{app_url}/audit?kind=position_mixed")
        wait_for_app(page)
        chosen = page.locator("[data-testid='stSelectbox'] input").evaluate_all("inputs => inputs.map(i => i.value)")
        assert chosen == ["Position whose trades name different versions or markets (1)"]
        assert "kind=position_mixed" in page.url
