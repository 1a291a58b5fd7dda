"""The Alerts page under AppTest: filter, select, acknowledge, resolve, refresh, bad input.

Reads are checked on the shared demo database; anything that writes uses a database of its own
with hand-made alerts, so other tests' numbers do not move."""
from __future__ import annotations

import json

import pytest
import streamlit as st

from identity import current_identity
from tests.apptest import open_page
from tests.test_alerts_database import sql

ME = current_identity().name


def texts(at) -> str:
    parts = [e.value for kind in ("success", "warning", "error", "info", "caption", "markdown", "text")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def plain(markdown: str) -> str:
    """What a markdown body escaped by ui.text.literal reads as."""
    return markdown.replace("\\", "")


def no_errors(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def queue(at):
    return next(d for d in at.dataframe if d.key == at.session_state["alerts_table_key"]).value


def select(at, *rows):
    at.session_state[at.session_state["alerts_table_key"]] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return at.run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


# --- reading the demo data --------------------------------------------------------------------
def test_the_page_shows_the_queue_badge_and_metrics(app_env):
    at = open_page("alerts")
    no_errors(at)
    (open_critical,), = sql(app_env, "SELECT count(*) FROM alerts WHERE resolved_at IS NULL AND severity = 'critical' "
                                     "AND NOT suppressed")
    (groups,), = sql(app_env, "SELECT count(DISTINCT coalesce(fingerprint, alert_id::text)) FROM alerts "
                              "WHERE resolved_at IS NULL")
    assert f"{open_critical} open critical" in texts(at)
    frame = queue(at)
    assert len(frame) == groups > 0
    # overdue (acknowledged, past its severity's limit) first, then most severe first
    assert (~frame.overdue).is_monotonic_increasing
    for _, block in frame.groupby("overdue"):
        assert block.severity.map({"critical": 0, "high": 1, "medium": 2, "low": 3}).is_monotonic_increasing
    assert f"Acting as {ME} (admin, local mode — not signed in)" in plain(texts(at))
    assert len(at.get("plotly_chart")) == 0  # only the open tab is drawn
    assert not at.warning
    at = open_page("alerts", tab="Response metrics")
    no_errors(at)
    assert len(at.get("plotly_chart")) == 4
    assert any({"ack_mean", "ack_p50", "ack_p90", "resolve_p50", "resolve_p90"} <= set(d.value.columns)
               for d in at.dataframe)


def test_filters_narrow_the_queue_and_go_into_the_link(app_env):
    at = open_page("alerts")
    at.multiselect(key="alerts_severity").set_value(["low"]).run()
    no_errors(at)
    frame = queue(at)
    (low_groups,), = sql(app_env, "SELECT count(DISTINCT coalesce(fingerprint, alert_id::text)) FROM alerts "
                                  "WHERE resolved_at IS NULL AND severity = 'low'")
    assert set(frame.severity) == {"low"} and len(frame) == low_groups
    assert at.query_params["severity"] == "low"
    at.selectbox(key="alerts_state").set_value("new").run()
    (new_groups,), = sql(app_env, "SELECT count(DISTINCT coalesce(fingerprint, alert_id::text)) FROM alerts "
                                  "WHERE resolved_at IS NULL AND severity = 'low' AND acknowledged_at IS NULL")
    assert set(queue(at).state) == {"new"} and len(queue(at)) == new_groups
    assert at.query_params["state"] == "new"


def test_a_link_restores_filters_and_bad_values_get_one_sentence_each(app_env):
    at = open_page("alerts", severity="low,urgent", window="2y", env="prod", metrics="52w")
    no_errors(at)
    assert at.multiselect(key="alerts_severity").value == ["low"]
    assert at.multiselect(key="alerts_environment").value == ["prod"]
    frame = queue(at)
    assert set(frame.severity) <= {"low"} and set(frame.environment) <= {"prod"}
    warnings = [w.value for w in at.warning]
    assert warnings == ["The link's severity 'urgent' is unknown and was ignored.",
                        "The link's window '2y' is unknown and was ignored."]
    at = open_page("alerts", metrics="52w", tab="Response metrics")
    no_errors(at)
    assert at.selectbox(key="alerts_metrics_window").value == "52w"
    assert date_tick_formats(at) == {"%b %d"}
    at = open_page("alerts", metrics="all", tab="Response metrics")  # years apart: the year is on the axis
    no_errors(at)
    assert date_tick_formats(at) == {"%b %Y"}


def date_tick_formats(at) -> set[str]:
    """The x-axis tick formats of the page's charts that set one (the dated ones)."""
    layouts = [json.loads(chart.proto.spec)["layout"] for chart in at.get("plotly_chart")]
    return {layout["xaxis"]["tickformat"] for layout in layouts if "tickformat" in layout.get("xaxis", {})}


@pytest.mark.parametrize("alert, sentence", [
    ("987654", "There is no alert 987654; the link names an alert that does not exist."),
    ("abc", "The link's alert 'abc' is not a valid number and was ignored."),
    ("-3", "The link's alert '-3' is not a valid number and was ignored."),
])
def test_a_bad_alert_in_the_link_gets_one_sentence(app_env, alert, sentence):
    at = open_page("alerts", alert=alert)
    no_errors(at)
    assert [w.value for w in at.warning] == [sentence]


def test_a_linked_alert_shows_its_text_plainly_and_its_timeline(app_env):
    (alert_id, message), = sql(app_env, "SELECT alert_id, message FROM alerts WHERE message LIKE '%%**%%' "
                                        "AND resolved_at IS NOT NULL ORDER BY alert_id LIMIT 1")
    at = open_page("alerts", alert=str(alert_id))
    no_errors(at)
    assert [t.value for t in at.text] == [message]  # st.text: no markdown
    timeline = next(d for d in at.dataframe if "recorded_in" in d.value.columns).value
    assert timeline.event.tolist() == ["raised", "acknowledged", "resolved"]


def test_metrics_break_down_by_component(app_env):
    at = open_page("alerts", by="component", tab="Response metrics")
    no_errors(at)
    summary = next(d for d in at.dataframe if "resolve_p90" in d.value.columns).value
    (components,), = sql(app_env, "SELECT count(DISTINCT component) FROM alerts WHERE NOT suppressed AND "
                                  "triggered_at >= date_trunc('week', now() AT TIME ZONE 'UTC') - interval '13 weeks'")
    assert "component" in summary.columns and len(summary) == components
    assert at.query_params["by"] == "component"


# --- acting, on a database of our own ---------------------------------------------------------
@pytest.fixture
def own_db(databases, point_app_at):
    url = databases.create("alerts_page")
    sql(url, """INSERT INTO alerts (alert_type, severity, category, component, environment, fingerprint, message,
                                    triggered_at, suppressed)
                VALUES ('loss_threshold', 'critical', 'risk', 'position_manager', 'prod', 'fpA', 'A first',
                        now() AT TIME ZONE 'UTC' - interval '2 hours', FALSE),
                       ('loss_threshold', 'critical', 'risk', 'position_manager', 'prod', 'fpA', 'A again',
                        now() AT TIME ZONE 'UTC' - interval '1 hour', TRUE),
                       ('api_failure', 'high', 'system', 'kalshi_api', 'prod', 'fpB', 'B',
                        now() AT TIME ZONE 'UTC' - interval '3 hours', FALSE),
                       ('model_drift', 'low', 'trading', 'model_monitor', 'demo', 'fpC', 'C',
                        now() AT TIME ZONE 'UTC' - interval '3 days', FALSE)""")
    return point_app_at(url)


def ids_of(url, message_like):
    return [r[0] for r in sql(url, "SELECT alert_id FROM alerts WHERE message LIKE %s ORDER BY alert_id", (message_like,))]


def audit(url):
    return sql(url, "SELECT alert_id, action, actor, notes, resolution_action FROM alert_actions ORDER BY action_id")


def test_select_a_group_acknowledge_it_with_a_note_then_resolve_it(own_db):
    at = open_page("alerts")
    no_errors(at)
    assert queue(at).message.tolist() == ["A first", "B", "C"]
    select(at, 0)
    assert "Selected: 1 group(s), 2 unresolved alert(s)" in texts(at)
    a_ids = ids_of(own_db, "A %")
    assert at.query_params["alert"] == str(a_ids[0])  # the details follow the selection

    at.text_area(key="alerts_ack_note").set_value("Looking into the loss")
    button(at, "Acknowledge").click().run()
    no_errors(at)
    assert plain(at.success[0].value) == "Acknowledged 2 alerts."
    assert audit(own_db) == [(a, "acknowledge", ME, "Looking into the loss", None) for a in a_ids]
    assert at.text_area(key="alerts_ack_note").value == ""  # cleared after it went through
    assert queue(at).iloc[0].state == "acknowledged"

    # acknowledged: only Resolve is offered (a double click is answered by the database: test_alerts_database)
    assert button(at, "Acknowledge").disabled and not button(at, "Resolve").disabled

    at.selectbox(key="alerts_resolution").set_value("false_positive")
    at.text_area(key="alerts_resolve_note").set_value("Threshold too tight")
    button(at, "Resolve").click().run()
    no_errors(at)
    assert plain(at.success[0].value) == "Resolved 2 alerts."
    assert audit(own_db)[2:] == [(a, "resolve", ME, "Threshold too tight", "false_positive") for a in a_ids]
    assert queue(at).message.tolist() == ["B", "C"]
    # the resolved group left the queue: its first alert stays in the details, offered no form
    assert f"Alert {a_ids[0]} is resolved (false_positive, by {ME})" in plain(texts(at))
    assert not any(b.label in ("Acknowledge", "Resolve") for b in at.button)
    timeline = next(d for d in at.dataframe if "recorded_in" in d.value.columns).value
    assert timeline.event.tolist() == ["raised", "acknowledged", "resolved"]
    assert set(timeline.recorded_in[1:]) == {"audit trail"}


def test_resolving_an_unacknowledged_alert_is_refused_by_the_database(own_db):
    at = open_page("alerts")
    select(at, 1)  # B
    at.selectbox(key="alerts_resolution").set_value("fixed")
    button(at, "Resolve").click().run()
    no_errors(at)
    (b,) = ids_of(own_db, "B")
    assert [plain(w.value) for w in at.warning] == [
        f"Alert {b} is not acknowledged yet; acknowledge it before resolving it."]
    assert audit(own_db) == []


@pytest.mark.parametrize("widget, value, sentence", [
    ("alerts_ack_note", "x" * 2001, "The note is 2001 characters long; at most 2000 are allowed."),
    ("alerts_ack_note", "ring \x07 bell", "The note holds control characters"),
])
def test_a_bad_note_gets_one_sentence_and_nothing_is_written(own_db, widget, value, sentence):
    at = open_page("alerts")
    select(at, 2)
    at.text_area(key=widget).set_value(value)
    button(at, "Acknowledge").click().run()
    no_errors(at)
    assert len(at.warning) == 1 and plain(at.warning[0].value).startswith(sentence)
    assert audit(own_db) == []
    assert sql(own_db, "SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL") == [(0,)]


def test_resolving_without_a_resolution_action_gets_one_sentence(own_db):
    at = open_page("alerts")
    select(at, 2)
    button(at, "Acknowledge").click().run()
    assert len(audit(own_db)) == 1
    button(at, "Resolve").click().run()
    no_errors(at)
    assert [plain(w.value) for w in at.warning] == [
        "Choose a resolution action (fixed, false_positive, ignored or escalated) before resolving."]
    assert len(audit(own_db)) == 1


def test_a_refresh_keeps_filters_and_selection_and_announces_a_new_critical_alert(own_db):
    at = open_page("alerts")
    at.multiselect(key="alerts_environment").set_value(["prod"]).run()
    select(at, 1)  # B
    assert queue(at).message.tolist() == ["A first", "B"]
    assert not at.toast
    # a new critical alert sorts above B; B must stay the selected row
    (new_id,), = sql(own_db, "INSERT INTO alerts (alert_type, severity, category, component, environment, message, "
                             "triggered_at) VALUES ('circuit_breaker', 'critical', 'risk', 'position_manager', 'prod', "
                             "'Circuit breaker tripped', now() AT TIME ZONE 'UTC' - interval '4 hours') RETURNING alert_id")
    st.cache_data.clear()
    at.run()
    no_errors(at)
    frame = queue(at)
    assert frame.message.tolist() == ["Circuit breaker tripped", "A first", "B"]
    assert list(at.session_state[at.session_state["alerts_table_key"]]["selection"]["rows"]) == [2]
    assert "Selected: 1 group(s), 1 unresolved alert(s)" in texts(at)
    assert at.multiselect(key="alerts_environment").value == ["prod"]
    assert [t.value for t in at.toast] == [f"New critical alert #{new_id}: 2 critical alert(s) open."]
    assert "2 open critical" in texts(at)
    # acknowledging now acts on B, not on the row that moved into B's old place
    button(at, "Acknowledge").click().run()
    (b,) = ids_of(own_db, "B")
    assert [r[0] for r in audit(own_db)] == [b]


# --- the forms act on what is selected now, and a link alone acts on nothing (#23, #25) --------
def form_button(at, label):
    return next((b for b in at.button if b.label == label), None)


def link_box(at, alert_id):
    return next((c for c in at.checkbox if c.label == f"Act on alert {alert_id} from the link"), None)


def test_after_acknowledging_in_a_filtered_view_the_forms_act_on_nothing(own_db):
    at = open_page("alerts", state="new")
    select(at, 1)  # B
    (b,) = ids_of(own_db, "B")
    button(at, "Acknowledge").click().run()
    no_errors(at)
    assert b not in [a for ids in queue(at).alert_ids for a in ids]  # acknowledged: out of the 'new' view
    texts_now = plain(texts(at))
    assert f"acting on alert {b} from the link" not in texts_now
    assert form_button(at, "Acknowledge").disabled and form_button(at, "Resolve").disabled
    assert link_box(at, b) is not None and link_box(at, b).value is False
    assert [r[1] for r in audit(own_db)] == ["acknowledge"]


def test_a_resolved_alert_offers_neither_acknowledge_nor_resolve(own_db):
    (c,) = ids_of(own_db, "C")
    sql(own_db, "SELECT acknowledge_alert(%s, 'alice', NULL), resolve_alert(%s, 'alice', 'fixed', NULL)", (c, c))
    at = open_page("alerts", alert=str(c))
    no_errors(at)
    assert form_button(at, "Acknowledge") is None and form_button(at, "Resolve") is None and link_box(at, c) is None
    assert f"Alert {c} is resolved (fixed, by alice): there is nothing to acknowledge or resolve." in plain(texts(at))
    assert len(audit(own_db)) == 2  # the two the database function wrote above, nothing more


def test_an_alert_named_only_by_the_link_needs_the_responders_own_tick(own_db):
    """A link can be sent, and a page can be framed: its alert is shown, but acted on only after
    the responder says so (or selects rows)."""
    (b,) = ids_of(own_db, "B")
    at = open_page("alerts", alert=str(b))
    no_errors(at)
    assert form_button(at, "Acknowledge").disabled and form_button(at, "Resolve").disabled
    assert audit(own_db) == []
    link_box(at, b).check().run()
    assert not form_button(at, "Acknowledge").disabled
    button(at, "Acknowledge").click().run()
    no_errors(at)
    assert [(r[0], r[1]) for r in audit(own_db)] == [(b, "acknowledge")]
    assert form_button(at, "Acknowledge").disabled  # acknowledged already: only Resolve is left
    assert not form_button(at, "Resolve").disabled


def test_a_click_on_forms_drawn_for_a_selection_that_has_since_changed_does_nothing(own_db):
    """Between a refresh that changed the selection (a selected alert left the queue) and the page
    run that redraws the forms, a click still carries the old alerts: it is refused, not sent."""
    from ui import alert_actions

    at = open_page("alerts")
    select(at, 1)  # B
    (b,) = ids_of(own_db, "B")
    assert button(at, "Acknowledge").proto.disabled is False
    at.session_state[alert_actions.SELECTION] = ((), (), ())  # what the refresh left selected: nothing
    button(at, "Acknowledge").click()
    at = at.run()
    assert audit(own_db) == []
    assert [plain(w.value) for w in at.warning][:1] == [
        "Nothing was done: what is selected changed before the click (or nothing is selected); check the selection "
        "and click again."]


# --- snooze, overdue, money at risk (#24) ----------------------------------------------------------
def test_snooze_a_group_with_a_reason_it_leaves_the_queue_and_the_snoozed_view_says_why(own_db):
    at = open_page("alerts")
    select(at, 1)  # B
    (b,) = ids_of(own_db, "B")
    button(at, "Snooze").click().run()  # no reason: refused on the page, nothing written
    no_errors(at)
    assert [plain(w.value) for w in at.warning] == ["Say why the alert can wait: a snooze needs a reason."]
    assert audit(own_db) == []
    at.selectbox(key="alerts_snooze_for").set_value("4h")
    at.text_input(key="alerts_snooze_reason").set_value("Kalshi says fixed by 18:00")
    button(at, "Snooze").click().run()
    no_errors(at)
    assert plain(at.success[0].value).startswith(f"Alert {b} snoozed by {ME} until ")
    assert audit(own_db) == [(b, "snooze", ME, "Kalshi says fixed by 18:00", None)]
    (hours,), = sql(own_db, "SELECT round(extract(epoch FROM snoozed_until - (now() AT TIME ZONE 'UTC')) / 3600) "
                            "FROM alerts WHERE alert_id = %s", (b,))
    assert hours == 4
    assert queue(at).message.tolist() == ["A first", "C"]
    facts = next(d for d in at.dataframe if "field" in d.value.columns).value.set_index("field")
    assert f"snoozed until" in facts.loc["Status", "value"] and "Kalshi says fixed by 18:00" in facts.loc["Status", "value"]
    at = open_page("alerts", state="snoozed")
    no_errors(at)
    snoozed = queue(at)
    assert snoozed.message.tolist() == ["B"] and snoozed.snooze_reason.tolist() == ["Kalshi says fixed by 18:00"]
    assert "Kalshi says fixed by 18:00" in at.dataframe[0].value.snooze_reason.tolist()


def test_the_link_keeps_the_order_by_money_at_risk(own_db):
    at = open_page("alerts", sort="money")
    no_errors(at)
    assert at.selectbox(key="alerts_sort").value == "money"
    at.selectbox(key="alerts_sort").set_value("urgency").run()
    assert "sort" not in at.query_params
    at = open_page("alerts", sort="richest")
    no_errors(at)
    assert at.selectbox(key="alerts_sort").value == "urgency"
    assert len(at.warning) == 1
