"""The Alerts page in real Chromium: a responder selects an alert and acknowledges it, and alert
text holding HTML or markdown shows as the literal characters, inert."""
from __future__ import annotations

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, tick_first_row, wait_for_app
from tests.test_alerts_database import sql

pytestmark = pytest.mark.browser

HTML_MESSAGE = "<img src=x onerror=alert(1)>"
MARKDOWN_MESSAGE = "**bold** [link](http://x)"


@pytest.fixture(scope="module")
def db(databases):
    """Hand-made alerts: a critical one on top of the queue, and two whose text is markup."""
    url = databases.create("alerts_browser")
    sql(url, """INSERT INTO alerts (alert_type, severity, category, component, environment, fingerprint, message,
                                    details, triggered_at)
                VALUES ('circuit_breaker', 'critical', 'risk', 'position_manager', 'prod', 'fp-cb',
                        'Circuit breaker tripped: daily loss limit exceeded', '{"limit": 500}',
                        now() AT TIME ZONE 'UTC' - interval '20 minutes'),
                       ('data_stale', 'high', 'data', 'market_feed', 'prod', 'fp-html', %s,
                        '{"html": "<script>alert(2)</script>"}', now() AT TIME ZONE 'UTC' - interval '2 hours'),
                       ('model_drift', 'low', 'trading', 'model_monitor', 'demo', 'fp-md', %s,
                        '{"md": "__under__"}', now() AT TIME ZONE 'UTC' - interval '5 hours')""",
        (HTML_MESSAGE, MARKDOWN_MESSAGE))
    return url


@pytest.fixture(scope="module")
def app_url(db):
    with streamlit_server({"PRECOG_DATABASE_URL": db}) as base:
        yield base


def open_alerts(page, app_url, query=""):
    # The first request of a fresh server must reach app.py (st.navigation) before a deep link.
    page.goto(app_url)
    wait_for_app(page)
    page.goto(f"{app_url}/alerts{query}")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=APPEARS_MS)


def test_a_responder_selects_an_alert_and_acknowledges_it(app_url, db):
    (alert_id,), = sql(db, "SELECT alert_id FROM alerts WHERE fingerprint = 'fp-cb'")
    with chromium_page(1400, 2200) as page:
        open_alerts(page, app_url)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "1 open critical" in page.inner_text("body")
        # tick the first row's checkbox in the table: the critical alert is on top
        tick_first_row(page, page.locator("[data-testid='stDataFrame']").first,
                       "text=Selected: 1 group(s), 1 unresolved alert(s)")
        page.get_by_role("textbox", name="Acknowledge, with a note (optional)").fill("Looking into the loss limit")
        page.get_by_role("button", name="Acknowledge", exact=True).click()
        page.get_by_text(f"Alert {alert_id} acknowledged by").wait_for(timeout=15_000)
        wait_for_app(page)
        screenshot(page, "alerts")
        state = sql(db, "SELECT acknowledged_by, acknowledged_notes FROM alerts WHERE alert_id = %s", (alert_id,))
        assert state[0][0].startswith("local:") and state[0][1] == "Looking into the loss limit"
        assert sql(db, "SELECT count(*) FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [(1,)]
        assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("fingerprint, message, markup", [
    ("fp-html", HTML_MESSAGE, "img[src='x']"),
    ("fp-md", MARKDOWN_MESSAGE, "a[href='http://x'], strong:has-text('bold')"),
])
def test_alert_text_with_html_or_markdown_shows_as_inert_literal_text(app_url, db, fingerprint, message, markup):
    (alert_id,), = sql(db, "SELECT alert_id FROM alerts WHERE fingerprint = %s", (fingerprint,))
    dialogs = []
    with chromium_page(1400, 2200) as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_alerts(page, app_url, f"?alert={alert_id}")
        shown = page.locator("[data-testid='stText']")
        shown.first.wait_for(timeout=15_000)
        assert [t.strip() for t in shown.all_inner_texts()] == [message]
        main = page.locator("[data-testid='stMain']")
        assert main.locator(markup).count() == 0
        # the JSON details (with their own markup) are shown as code, not rendered
        page.get_by_text("Details, notification channels and tags (JSON)").click()
        page.get_by_text("<script>alert(2)</script>" if fingerprint == "fp-html" else "__under__").first.wait_for()
        assert main.locator("script").count() == 0
        page.wait_for_timeout(500)
        assert dialogs == []
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, f"alerts_inert_{fingerprint.removeprefix('fp-')}")


def test_response_metrics_render_on_the_demo_data(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base, chromium_page(1400, 2200) as page:
        open_alerts(page, base)
        page.get_by_role("tab", name="Response metrics").click()
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid='stPlotlyChart']").count() == 4
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "alerts_metrics")


def test_the_refresh_leaves_an_open_dropdown_open(app_url, db):
    """The queue refreshes every 5 s; a responder choosing 'Resolve as' must not have the list
    closed under the pointer (#23: it took two clicks, both times)."""
    with chromium_page(1366, 768) as page:  # a laptop: the forms are below the fold
        open_alerts(page, app_url)
        tick_first_row(page, page.locator("[data-testid='stDataFrame']").first,
                       "text=Selected: 1 group(s), 1 unresolved alert(s)")
        wait_for_app(page)
        page.get_by_role("combobox", name="Resolve as").scroll_into_view_if_needed()
        page.get_by_role("combobox", name="Resolve as").click()
        listbox = page.get_by_role("listbox")
        listbox.wait_for(timeout=10_000)
        page.wait_for_timeout(12_000)  # two refreshes of the queue
        assert listbox.is_visible()
        page.get_by_role("option", name="false positive").click()
        chosen = page.get_by_role("combobox", name="Resolve as")
        print("CHOSEN", chosen.input_value())
        page.wait_for_timeout(12_000)  # the choice survives the next refreshes too
        print("CHOSEN LATER", chosen.input_value(), page.get_by_role("listbox").count())
        assert chosen.input_value() == "false positive"
        screenshot(page, "alerts_dropdown_after_refresh")


def test_when_a_refresh_takes_the_selected_alert_away_the_forms_follow(app_url, db):
    """Another responder acknowledges the selected alert; in the 'not acknowledged' view it leaves
    the queue at the next refresh, and the forms follow at once: they act on nothing (#23)."""
    with chromium_page(1400, 2200) as page:
        open_alerts(page, app_url, "?state=new")
        tick_first_row(page, page.locator("[data-testid='stDataFrame']").first, "text=Selected: 1 group(s)")
        wait_for_app(page)
        acknowledge = page.get_by_role("button", name="Acknowledge", exact=True)
        assert acknowledge.is_enabled()
        alert_id = int(page.url.rsplit("alert=", 1)[1])  # the details follow the selected row
        sql(db, "SELECT acknowledge_alert(%s, 'someone else', NULL)", (alert_id,))
        page.get_by_text("Select one or more rows to acknowledge, snooze or resolve them.").wait_for(timeout=20_000)
        wait_for_app(page)
        assert acknowledge.is_disabled() and page.get_by_role("button", name="Resolve", exact=True).is_disabled()
        assert page.get_by_text(f"Act on alert {alert_id} from the link").count() == 1  # shown, not ticked
        screenshot(page, "alerts_selection_gone")
    assert sql(db, "SELECT actor FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [("someone else",)]
