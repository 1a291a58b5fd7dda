"""Alerts a responder can act on faster (#24 section 3), on small hand-made databases with known
answers: snooze with a reason and an end (the database decides, audited, first writer wins, a
viewer cannot), acknowledged-but-forgotten alerts back on top marked overdue, and the money at
risk behind an alert."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd
import psycopg2
import pytest

from analytics import alerts as metrics
from identity import Identity, NotAllowed
from queries import alerts
from tests.fixtures import PLATFORM_EVENT_MARKETS
from tests.test_access_control import refused, session_as
from tests.test_alerts_database import acknowledge, new_alert, race, resolve, sql

ALICE = Identity("alice@example.com", "responder", "header", signed_in=True)
VERA = Identity("vera@example.com", "viewer", "header", signed_in=True)


@pytest.fixture(scope="module")
def url(databases):
    return databases.create("alerts_snooze")


@pytest.fixture
def env(url, point_app_at):
    alerts.forget_live_reads()
    return point_app_at(url)


def db_now(url) -> datetime:
    return sql(url, "SELECT (now() AT TIME ZONE 'UTC')::timestamp")[0][0]


def snooze(url, alert_id, actor, until, reason):
    return sql(url, "SELECT outcome, actor, acted_at, message FROM snooze_alert(%s, %s, %s, %s)",
               (alert_id, actor, until, reason))[0]


def snooze_rows(url, alert_id):
    return sql(url, "SELECT actor, notes, snoozed_until FROM alert_actions WHERE alert_id = %s AND action = 'snooze' "
                    "ORDER BY action_id", (alert_id,))


def queued(alert_id, filters=alerts.QueueFilters()) -> bool:
    alerts.forget_live_reads()
    return any(alert_id in list(ids) for ids in alerts.queue(filters).alert_ids)


# --- snooze: the database decides ----------------------------------------------------------------
def test_a_snoozed_alert_leaves_the_queue_and_comes_back_by_itself(url, env):
    alert_id = new_alert(url, "high", fingerprint="snooze-back")
    until = db_now(url) + timedelta(hours=1)
    outcome, actor, _, message = snooze(url, alert_id, "alice", until, "  waiting for the vendor  ")
    assert (outcome, actor) == ("snoozed", "alice") and message.startswith(f"Alert {alert_id} snoozed by alice until")
    assert snooze_rows(url, alert_id) == [("alice", "waiting for the vendor", until)]  # audited, reason trimmed
    assert not queued(alert_id)
    assert queued(alert_id, alerts.QueueFilters(state="snoozed"))
    row = alerts.queue(alerts.QueueFilters(state="snoozed")).set_index("alert_id").loc[alert_id]
    assert (row.snoozed_by, row.snooze_reason, row.snoozed_until) == ("alice", "waiting for the vendor", until)
    # the end passes (moved back by the owner here, as time would): back in the queue, no job ran
    sql(url, "UPDATE alerts SET snoozed_until = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE alert_id = %s",
        (alert_id,))
    assert queued(alert_id)
    assert not queued(alert_id, alerts.QueueFilters(state="snoozed"))
    # and it may be snoozed again: a second audit row
    assert snooze(url, alert_id, "bob", until, "again")[0] == "snoozed"
    assert [r[0] for r in snooze_rows(url, alert_id)] == ["alice", "bob"]


def test_while_snoozed_a_second_snooze_changes_nothing_and_names_the_first(url):
    alert_id = new_alert(url)
    until = db_now(url) + timedelta(hours=2)
    assert snooze(url, alert_id, "alice", until, "first")[0] == "snoozed"
    outcome, actor, at, message = snooze(url, alert_id, "bob", until + timedelta(hours=1), "second")
    assert (outcome, actor, at) == ("already_snoozed", "alice", until)
    assert "already snoozed by alice" in message
    assert snooze_rows(url, alert_id) == [("alice", "first", until)]


def test_fifty_responders_snooze_at_once_and_exactly_one_wins(url):
    alert_id = new_alert(url)
    until = db_now(url) + timedelta(hours=1)
    results = race(url, "SELECT outcome, actor FROM snooze_alert(%s, %s, %s, 'busy')",
                   lambda i: (alert_id, f"responder-{i}", until))
    winners = [r for r in results if r[0] == "snoozed"]
    assert len(winners) == 1
    assert {r for r in results if r[0] != "snoozed"} == {("already_snoozed", winners[0][1])}
    assert len(snooze_rows(url, alert_id)) == 1


@pytest.mark.parametrize("until, reason, sentence", [
    (timedelta(hours=1), "", "Snoozing an alert needs a reason."),
    (timedelta(hours=1), "   ", "Snoozing an alert needs a reason."),
    (timedelta(hours=1), None, "Snoozing an alert needs a reason."),
    (timedelta(hours=1), "r" * 2001, "The note is 2001 characters long; at most 2000 are allowed."),
    (timedelta(hours=1), "bell\x07", "control characters"),
    (-timedelta(minutes=1), "late", "A snooze must end in the future"),
    (timedelta(0), "now", "A snooze must end in the future"),
    (timedelta(days=7, minutes=5), "long", "A snooze may last at most 7 days."),
    (None, "no end", "needs the moment it comes back"),
])
def test_bad_snooze_input_is_refused_and_nothing_written(url, until, reason, sentence):
    alert_id = new_alert(url)
    end = None if until is None else db_now(url) + until
    with pytest.raises(psycopg2.errors.InvalidParameterValue) as refusal:
        snooze(url, alert_id, "alice", end, reason)
    assert sentence in refusal.value.diag.message_primary
    assert snooze_rows(url, alert_id) == []
    assert sql(url, "SELECT snoozed_until, snoozed_by, snooze_reason FROM alerts WHERE alert_id = %s",
               (alert_id,)) == [(None, None, None)]


def test_a_resolved_alert_cannot_be_snoozed(url):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice")
    resolve(url, alert_id, "alice", "fixed")
    outcome, actor, _, message = snooze(url, alert_id, "bob", db_now(url) + timedelta(hours=1), "why not")
    assert (outcome, actor) == ("already_resolved", "alice") and "nothing to snooze" in message
    assert snooze_rows(url, alert_id) == []


def test_an_unknown_alert_is_named(url):
    assert snooze(url, 987654, "alice", db_now(url) + timedelta(hours=1), "x")[0] == "unknown_alert"


def test_a_snooze_row_without_a_reason_is_refused_by_the_audit_table(url):
    alert_id = new_alert(url)
    with pytest.raises(psycopg2.errors.CheckViolation):
        sql(url, "INSERT INTO alert_actions (alert_id, action, actor) VALUES (%s, 'snooze', 'a')", (alert_id,))


def test_the_viewer_role_cannot_snooze_and_the_writer_can(url):
    """The database refuses the reader (what a viewer's session is), and the server refuses a viewer
    before it reaches the database."""
    alert_id = new_alert(url)
    until = db_now(url) + timedelta(hours=1)
    conn = session_as(url, "precog_reader")
    try:
        assert refused(conn, "SELECT * FROM snooze_alert(%s, 'vera', %s, 'sneaky')", (alert_id, until))
        assert refused(conn, "UPDATE alerts SET snoozed_until = now() + interval '1 hour'")
        assert refused(conn, "UPDATE alert_ack_limits SET resolve_within = interval '1 year'")
    finally:
        conn.close()
    conn = session_as(url, "precog_writer")
    try:
        assert refused(conn, "UPDATE alert_ack_limits SET resolve_within = interval '1 year'")
        with conn.cursor() as cur:
            cur.execute("SELECT outcome FROM snooze_alert(%s, 'writer', %s, 'ok')", (alert_id, until))
            assert cur.fetchone() == ("snoozed",)
    finally:
        conn.close()
    assert [r[0] for r in snooze_rows(url, alert_id)] == ["writer"]


def test_a_viewer_cannot_snooze_by_a_direct_call_and_a_responder_can(url, env):
    alert_id = new_alert(url)
    until = (db_now(url) + timedelta(hours=1)).replace(microsecond=0)
    with pytest.raises(NotAllowed, match="vera@example.com is a viewer: only responders and admins may acknowledge, snooze"):
        alerts.snooze([alert_id], VERA, until, "sneaky")
    assert snooze_rows(url, alert_id) == []
    (outcome,) = alerts.snooze([alert_id], ALICE, until, "on the vendor")
    assert outcome.done and outcome.outcome == "snoozed"
    (refusal,) = alerts.snooze([alert_id + 0], ALICE, until - timedelta(hours=2), "past")  # already snoozed wins first
    assert refusal.outcome in ("already_snoozed", "refused")
    other = new_alert(url)
    (refusal,) = alerts.snooze([other], ALICE, until - timedelta(hours=2), "past")
    assert refusal.outcome == "refused" and "must end in the future" in refusal.message


# --- acknowledged but forgotten -------------------------------------------------------------------
def test_an_acknowledged_alert_past_its_limit_returns_to_the_top_marked_overdue(databases, point_app_at):
    url = databases.create("alerts_overdue")
    point_app_at(url)
    raised = "(now() AT TIME ZONE 'UTC') - interval '%s'"

    def alert(name, severity, raised_ago, acked_ago=None):
        alert_id = new_alert(url, severity, fingerprint=name)
        sql(url, f"UPDATE alerts SET triggered_at = {raised % raised_ago} WHERE alert_id = %s", (alert_id,))
        if acked_ago:
            sql(url, f"UPDATE alerts SET acknowledged_at = {raised % acked_ago}, acknowledged_by = 'bob' "
                     "WHERE alert_id = %s", (alert_id,))
        return alert_id

    alert("crit_new", "critical", "10 minutes")
    alert("crit_acked_recent", "critical", "50 minutes", "40 minutes")    # 40 min < 1 h: not overdue
    alert("high_acked_old", "high", "6 hours", "5 hours")                 # 5 h > 4 h: overdue
    alert("medium_acked", "medium", "3 hours", "2 hours")                 # 2 h < 24 h
    alert("low_acked", "low", "30 days", "29 days")                       # low: no limit
    alerts.forget_live_reads()
    frame = alerts.queue(alerts.QueueFilters())
    assert list(frame.group_key) == ["high_acked_old", "crit_acked_recent", "crit_new", "medium_acked", "low_acked"]
    top = frame.iloc[0]
    assert top.overdue and top.acknowledged_by == "bob" and top.state == "acknowledged"
    assert abs((top.database_now - top.overdue_since) - timedelta(hours=1)) < timedelta(seconds=5)
    assert not frame.overdue.iloc[1:].any()
    assert list(alerts.queue(alerts.QueueFilters(state="overdue")).group_key) == ["high_acked_old"]
    # the limits are the owner's to change: medium down to 1 hour makes medium_acked overdue too
    sql(url, "UPDATE alert_ack_limits SET resolve_within = interval '1 hour' WHERE severity = 'medium'")
    alerts.forget_live_reads()
    frame = alerts.queue(alerts.QueueFilters())
    assert list(frame.group_key[:2]) == ["high_acked_old", "medium_acked"] and frame.overdue.iloc[1]


def test_the_limits_are_constant_rows_an_apply_does_not_overwrite(url):
    assert sql(url, "SELECT severity, resolve_within FROM alert_ack_limits ORDER BY resolve_within NULLS LAST") == [
        ("critical", timedelta(hours=1)), ("high", timedelta(hours=4)), ("medium", timedelta(hours=24)), ("low", None)]
    with pytest.raises(psycopg2.errors.CheckViolation):
        sql(url, "UPDATE alert_ack_limits SET resolve_within = interval '-1 hour' WHERE severity = 'high'")


# --- money at risk ----------------------------------------------------------------------------------
MONEY_ROWS = PLATFORM_EVENT_MARKETS + """VALUES
 ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.4500, 0.5500, 100, 'open', '2026-01-01 10:00', TRUE, NULL),
 ('M2', 'kalshi', 'EV1', 'm2', 'M2', 'Over 40.5?', 0.2000, 0.8000, 100, 'open', '2026-01-01 10:00', TRUE, NULL);
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, current_price) VALUES
 (1, 'M1', 'kalshi', 'yes', 0.6000, 100, 'open', 0.4500),
 (2, 'M1', 'kalshi', 'no', 0.3000, 50, 'open', 0.3500),
 (3, 'M1', 'kalshi', 'yes', 0.5000, 40, 'closed', 0.7000),
 (4, 'M2', 'kalshi', 'yes', 0.2000, 200, 'open', NULL);
INSERT INTO alerts (alert_id, alert_type, severity, component, message, source_table, source_id, details, fingerprint) VALUES
 (1, 'loss_threshold', 'high', 'position_manager', 'position 1', 'positions', 1, NULL, 'a1'),
 (2, 'loss_threshold', 'high', 'position_manager', 'market M1', NULL, NULL, '{"market_id": "M1"}', 'a2'),
 (3, 'loss_threshold', 'high', 'position_manager', 'market M2', 'markets', NULL, NULL, 'a3'),
 (4, 'loss_threshold', 'high', 'position_manager', 'bad id', NULL, NULL, '{"position_id": "1; DROP"}', 'a4'),
 (5, 'loss_threshold', 'high', 'position_manager', 'array', NULL, NULL, '[1, 2]', 'a5'),
 (6, 'loss_threshold', 'high', 'position_manager', 'group: position 1', NULL, NULL, '{"position_id": 1}', 'x'),
 (7, 'loss_threshold', 'high', 'position_manager', 'group: market M1', NULL, NULL, '{"market_id": "M1"}', 'x');
UPDATE alerts SET source_id = (SELECT id FROM markets WHERE market_id = 'M2') WHERE alert_id = 3;
UPDATE alerts SET triggered_at = TIMESTAMP '2026-01-01 12:00' + make_interval(mins => alert_id);
SELECT setval(c.oid, nextval(c.oid) + 1000) FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace;
"""


def test_money_at_risk_behind_each_group_with_known_answers(databases, point_app_at):
    url = databases.create("alerts_money", rows=MONEY_ROWS)
    point_app_at(url)
    alerts.forget_live_reads()
    queue = alerts.queue(alerts.QueueFilters())
    assert list(queue.group_key) == ["a1", "a2", "a3", "a4", "a5", "x"]
    positions = alerts.money_at_risk(tuple(int(a) for ids in queue.alert_ids for a in ids))
    money = metrics.money_at_risk(queue, positions).set_index("group_key")
    # position 1: 100 x 0.45 = 45.00 exposure, (0.45 - 0.60) x 100 = -15.00; position 2: 50 x 0.35 =
    # 17.50, (0.35 - 0.30) x 50 = +2.50; position 3 closed: 0; position 4 never marked: 200 x 0.20.
    assert money.loc["a1"].tolist() == [1, Decimal("45.00"), Decimal("-15.00")]
    assert money.loc["a2"].tolist() == [2, Decimal("62.50"), Decimal("-12.50")]
    assert money.loc["a3"].tolist() == [1, Decimal("40.00"), None]
    assert money.loc["a4"].tolist() == [0, None, None] and money.loc["a5"].tolist() == [0, None, None]
    assert money.loc["x"].tolist() == [2, Decimal("62.50"), Decimal("-12.50")]  # each position once
    ranked = metrics.sort_queue(queue.merge(money.reset_index(), on="group_key"), "money")
    assert list(ranked.group_key) == ["a2", "x", "a1", "a3", "a4", "a5"]
    assert list(metrics.sort_queue(queue, "urgency").group_key) == list(queue.group_key)


def test_position_money_by_hand():
    frame = pd.DataFrame({"alert_id": [1, 1], "position_id": [7, 8], "status": ["open", "settled"],
                          "quantity": [3, 9], "entry_price": [Decimal("0.1234"), Decimal("0.5")],
                          "current_price": [Decimal("0.2001"), Decimal("1")]})
    out = metrics.position_money(frame)
    assert out.exposure.tolist() == [Decimal("0.6003"), Decimal(0)]
    assert out.unrealized_pnl.tolist() == [Decimal("0.2301"), Decimal(0)]


# --- median and 90th percentile beside the mean ---------------------------------------------------
def test_response_percentiles_match_numpy_and_leave_open_and_suppressed_alerts_out(databases, point_app_at):
    import numpy as np

    url = databases.create("alerts_percentiles")
    ack_minutes = [1, 2, 3, 4, 10, None]           # the last is still unacknowledged
    resolve_minutes = [10, 20, 30, 400, None, None]  # two still open
    for ack, resolved in zip(ack_minutes, resolve_minutes):
        sql(url, """INSERT INTO alerts (alert_type, severity, component, message, triggered_at, acknowledged_at,
                                        acknowledged_by, resolved_at, resolved_by, resolution_action)
                    SELECT 'api_failure', 'high', 'kalshi_api', 'm', t, t + make_interval(mins => %(a)s),
                           CASE WHEN %(a)s IS NOT NULL THEN 'bob' END, t + make_interval(mins => %(r)s),
                           CASE WHEN %(r)s IS NOT NULL THEN 'bob' END, CASE WHEN %(r)s IS NOT NULL THEN 'fixed' END
                    FROM (SELECT (now() AT TIME ZONE 'UTC') - interval '2 days' AS t) x""", {"a": ack, "r": resolved})
    # a suppressed duplicate answered after a week: not in any figure
    sql(url, """INSERT INTO alerts (alert_type, severity, component, message, triggered_at, acknowledged_at,
                                    acknowledged_by, suppressed)
                VALUES ('api_failure', 'high', 'kalshi_api', 'dup', now() - interval '9 days', now(), 'bob', true)""")
    point_app_at(url)
    alerts.response_percentiles.clear()
    table, ack_unit, unit = metrics.response_percentiles(alerts.response_percentiles(None, "severity"), "severity")
    assert ack_unit == "minutes"
    row = table.set_index("severity").loc["high"]
    acks = np.array([1, 2, 3, 4, 10], dtype=float)
    resolves = np.array([10, 20, 30, 400], dtype=float)
    assert unit == "minutes"  # median resolve 25 min
    assert (row.alerts, row.acknowledged, row.resolved) == (6, 5, 4)
    assert row.ack_mean == pytest.approx(acks.mean()) and row.ack_p50 == pytest.approx(np.quantile(acks, 0.5))
    assert row.ack_p90 == pytest.approx(np.quantile(acks, 0.9))  # 7.6: between 4 and 10
    assert row.resolve_mean == pytest.approx(resolves.mean())      # 115: pulled up by one long resolution
    assert row.resolve_p50 == pytest.approx(np.quantile(resolves, 0.5))  # 25
    assert row.resolve_p90 == pytest.approx(np.quantile(resolves, 0.9))


def test_durations_read_in_the_unit_that_suits_them():
    assert metrics.duration_unit([5.8, 30, 130]) == "minutes"
    assert metrics.duration_unit([715.9, 817.4, 865.5]) == "hours"
    assert metrics.duration_unit([3000, 4000]) == "days"
    assert metrics.log_ticks([5.8, 805]) == [5, 10, 20, 50, 100, 200, 500, 1000]
    assert metrics.log_ticks([11.9, 14.4]) == [10, 20]
    assert metrics.short_duration(3900) == "1 h 05 min" and metrics.short_duration(59) == "0 min"
    assert metrics.short_duration(2 * 86400 + 3 * 3600) == "2 d 3 h"


def test_the_demo_names_open_positions_behind_its_open_loss_alerts_opened_before_them(default_demo_url):
    named = sql(default_demo_url, """
        SELECT a.alert_id, a.alert_type, a.triggered_at,
               (SELECT min(h.created_at) FROM positions h WHERE h.position_id = a.source_id) AS opened_at,
               (SELECT p.status FROM positions p WHERE p.position_id = a.source_id AND p.row_current_ind) AS status
        FROM alerts a WHERE a.source_table = 'positions'""")
    assert named, "the demo's open loss and unfilled-exit alerts name the positions behind them"
    for alert_id, alert_type, triggered_at, opened_at, status in named:
        assert alert_type in ("loss_threshold", "execution_failure") and status == "open", alert_id
        assert opened_at <= triggered_at, alert_id  # no alert names a position opened after it
