"""Who the dashboard thinks is acting, in real Chromium through real HTTP: a trusted proxy header is
honoured only when PRECOG_AUTH_HEADER names it, roles come from [roles] in the secrets, and an
acknowledgement is recorded under the header's name."""
from __future__ import annotations

import re

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app
from tests.test_alerts_database import new_alert, sql

pytestmark = pytest.mark.browser

HEADER = "X-Forwarded-Email"


@pytest.fixture(scope="module")
def db(databases):
    return databases.create("identity_browser")


@pytest.fixture(scope="module")
def header_app(db, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text('[roles]\nresponder = ["rob@example.com"]\nadmin = ["*@ops.example.com"]\n')
    with streamlit_server({"PRECOG_DATABASE_URL": db, "PRECOG_AUTH_HEADER": HEADER},
                          options=("--secrets.files", str(secrets))) as base:
        yield base


def open_alert(page, base, alert_id):
    page.goto(base)
    wait_for_app(page)
    page.goto(f"{base}/alerts?alert={alert_id}")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=APPEARS_MS)


def sidebar(page) -> str:
    # less the word joiners that keep an e-mail address in markdown from becoming a link (ui/text.py)
    return page.locator("[data-testid='stSidebar']").inner_text().replace("\u2060", "")


def test_the_header_names_a_responder_who_acknowledges_under_that_name(header_app, db):
    alert_id = new_alert(db)
    with chromium_page(1400, 1600, headers={HEADER: "rob@example.com"}) as page:
        open_alert(page, header_app, alert_id)
        assert "rob@example.com (responder)" in sidebar(page)
        page.get_by_text(f"Act on alert {alert_id} from the link").click()  # the link alone acts on nothing
        wait_for_app(page)
        page.get_by_role("textbox", name="Acknowledge, with a note (optional)").fill("proxy says rob")
        page.get_by_role("button", name="Acknowledge", exact=True).click()
        page.get_by_text(re.compile(f"Alert {alert_id} acknowledged by rob\u2060?@example.com")).wait_for(timeout=15_000)
        screenshot(page, "identity_header_responder")
    assert sql(db, "SELECT actor FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [("rob@example.com",)]


def test_an_unlisted_identity_is_a_viewer_without_the_action_forms(header_app, db):
    alert_id = new_alert(db)
    with chromium_page(1400, 1600, headers={HEADER: "eve@example.com"}) as page:
        open_alert(page, header_app, alert_id)
        assert "eve@example.com (viewer)" in sidebar(page)
        page.get_by_text("viewers read the queue").wait_for(timeout=15_000)
        assert page.get_by_role("button", name="Acknowledge", exact=True).count() == 0
        screenshot(page, "identity_header_viewer")


def test_a_request_without_the_header_is_a_viewer(header_app, db):
    alert_id = new_alert(db)
    with chromium_page(1400, 1600) as page:
        open_alert(page, header_app, alert_id)
        assert f"not signed in (no {HEADER} header)" in sidebar(page)
        assert page.get_by_role("button", name="Acknowledge", exact=True).count() == 0


def test_a_spoofed_header_is_ignored_when_header_sign_in_is_not_configured(db):
    alert_id = new_alert(db)
    with streamlit_server({"PRECOG_DATABASE_URL": db}) as base, \
            chromium_page(1400, 1600, headers={HEADER: "rob@example.com"}) as page:
        open_alert(page, base, alert_id)
        shown = sidebar(page)
        assert "local mode — not signed in" in shown and "rob@example.com" not in shown
