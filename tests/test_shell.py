"""A deep link as a freshly started server's first request still runs inside app.py's shell."""
from __future__ import annotations

import pytest

from tests.apptest import open_page
from tests.browser import APPEARS_MS, chromium_page, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def test_a_deep_link_first_after_start_gets_the_shell(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base, chromium_page() as page:
        page.goto(f"{base}/alerts?severity=critical")  # the very first request this server sees
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Alerts')", timeout=APPEARS_MS)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "Database:" in sidebar          # app.py ran
        assert "Monitor" in sidebar and "Trade attribution" in sidebar  # st.navigation's sections
        assert "severity=critical" in page.url  # the link's state survived the rerun
        assert page.locator("[data-testid='stException']").count() == 0


def test_apptest_pages_run_inside_the_shell(app_env):
    at = open_page("overview")
    assert not at.exception
    assert any("Database:" in c.value for c in at.sidebar.caption)
