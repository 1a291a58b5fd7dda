"""The Alerts page's queries against hand-made alerts with known answers.

Times are relative to the database's now (the queue's time window is), so each row is written as
`now() - interval`."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from identity import Identity
from queries import SQL_DIR, alerts, schema

ALICE = Identity("alice", "responder", "header", signed_in=True)

# (name, severity, alert_type, category, component, environment, fingerprint, raised ago,
#  acknowledged ago, resolved ago, resolution_action, suppressed)
ROWS = [
    ("a0", "high", "loss_threshold", "risk", "position_manager", "prod", "fpA", "5 hours", None, None, None, False),
    ("a1", "critical", "loss_threshold", "risk", "position_manager", "prod", "fpA", "2 hours", None, None, None, False),
    ("a2", "critical", "loss_threshold", "risk", "position_manager", "prod", "fpA", "1 hour", None, None, None, True),
    ("b1", "high", "api_failure", "system", "kalshi_api", "prod", "fpB", "30 hours", "29 hours", None, None, False),
    ("c1", "low", "model_drift", "trading", "model_monitor", "demo", None, "10 days", None, None, None, False),
    ("d1", "medium", "data_stale", "data", "market_feed", "prod", "fpD", "3 hours", "2 hours", "1 hour", "fixed", False),
    ("e1", "high", "api_failure", "system", "polymarket_api", "demo", "fpE", "50 minutes", None, None, None, False),
    # resolved history for the metrics: component "metrics" only
    ("m1", "low", "feed_gap", "data", "metrics", "prod", "fpM", "20 days", "19 days 23 hours", "19 days 22 hours", "false_positive", False),
    ("m2", "low", "feed_gap", "data", "metrics", "prod", "fpM", "18 days", "17 days 22 hours", "17 days 20 hours", "fixed", False),
    ("m3", "low", "feed_gap", "data", "metrics", "prod", "fpM", "16 days", "15 days 21 hours", "15 days 18 hours", "fixed", False),
    ("m4", "low", "feed_gap", "data", "metrics", "prod", "fpM", "14 days", "13 days 20 hours", "13 days 16 hours", "ignored", False),
    ("m5", "low", "feed_gap", "data", "metrics", "prod", "fpM", "14 days", "13 days", "12 days", "false_positive", True),
]


@pytest.fixture(scope="module")
def url(databases):
    url = databases.create("alerts_queries")
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        for (name, severity, alert_type, category, component, environment, fingerprint, raised, acked, resolved,
             action, suppressed) in ROWS:
            cur.execute(
                """INSERT INTO alerts (alert_type, severity, category, component, environment, fingerprint, message,
                                       triggered_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
                                       resolution_action, suppressed)
                   SELECT %(type)s, %(severity)s, %(category)s, %(component)s, %(env)s, %(fp)s, %(message)s,
                          n - CAST(%(raised)s AS interval), n - CAST(%(acked)s AS interval),
                          CASE WHEN %(acked)s IS NOT NULL THEN 'bob' END, n - CAST(%(resolved)s AS interval),
                          CASE WHEN %(resolved)s IS NOT NULL THEN 'carol' END, %(action)s, %(suppressed)s
                   FROM (SELECT now() AT TIME ZONE 'UTC' AS n) t""",
                dict(type=alert_type, severity=severity, category=category, component=component, env=environment,
                     fp=fingerprint, message=f"alert {name}", raised=raised, acked=acked, resolved=resolved,
                     action=action, suppressed=suppressed))
    with conn, conn.cursor() as cur:  # as a loader does: the stored answers (the metrics' weeks) from the new rows
        cur.execute("SELECT refresh_stored_answers(interval '0')")
    conn.close()
    return url


@pytest.fixture
def env(url, point_app_at):
    return point_app_at(url)


def ids(url) -> dict[str, int]:
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT message, alert_id FROM alerts")
        found = {message.removeprefix("alert "): alert_id for message, alert_id in cur.fetchall()}
    conn.close()
    return found


def groups(frame: pd.DataFrame) -> list[str]:
    return [message.removeprefix("alert ") for message in frame.message]


# --- the queue --------------------------------------------------------------------------------
def test_queue_groups_by_fingerprint_most_severe_then_oldest(env):
    frame = alerts.queue(alerts.QueueFilters())
    # b1 is acknowledged and unresolved for 29 hours, past the high limit (4 h): overdue, on top.
    # Then fpA holds a critical alert; then the high groups oldest first; then low. d1 is resolved.
    assert groups(frame) == ["b1", "a1", "e1", "c1"]
    assert frame.overdue.tolist() == [True, False, False, False]
    a = frame.iloc[1]
    known = ids(env)
    assert a.severity == "critical" and a.group_key == "fpA"
    assert (a.alerts, a.duplicates, a.suppressed, a.unacknowledged) == (3, 2, 1, 3)
    assert list(a.alert_ids) == [known["a0"], known["a1"], known["a2"]]
    assert a.first_triggered_at < a.last_triggered_at
    assert frame.iloc[0].state == "acknowledged" and frame.iloc[0].acknowledged_by == "bob"
    assert frame.iloc[3].group_key == f"alert:{known['c1']}"  # no fingerprint: a group of its own
    assert set(frame.total_groups) == {4}


@pytest.mark.parametrize("filters, expected", [
    (alerts.QueueFilters(severities=("high",)), ["b1", "a0", "e1"]),
    (alerts.QueueFilters(severities=("critical", "low")), ["a1", "c1"]),
    (alerts.QueueFilters(state="overdue"), ["b1"]),
    (alerts.QueueFilters(state="snoozed"), []),
    (alerts.QueueFilters(categories=("system",)), ["b1", "e1"]),
    (alerts.QueueFilters(components=("model_monitor", "kalshi_api")), ["b1", "c1"]),
    (alerts.QueueFilters(alert_types=("loss_threshold",)), ["a1"]),
    (alerts.QueueFilters(environments=("demo",)), ["e1", "c1"]),
    (alerts.QueueFilters(window="24h"), ["a1", "e1"]),
    (alerts.QueueFilters(window="1h"), ["e1"]),
    (alerts.QueueFilters(window="30d"), ["b1", "a1", "e1", "c1"]),
    (alerts.QueueFilters(state="new"), ["a1", "e1", "c1"]),
    (alerts.QueueFilters(state="acknowledged"), ["b1"]),
    (alerts.QueueFilters(severities=("high",), environments=("prod",), window="7d"), ["b1", "a0"]),
    (alerts.QueueFilters(components=("nothing",)), []),
])
def test_queue_filters(env, filters, expected):
    assert groups(alerts.queue(filters)) == expected


def test_queue_stops_at_max_groups_but_says_how_many_there_are(env):
    frame = alerts.queue(alerts.QueueFilters(), max_groups=2)
    assert groups(frame) == ["b1", "a1"]
    assert set(frame.total_groups) == {4}


def test_queue_reads_unresolved_alerts_through_the_partial_index(databases):
    """With many resolved alerts and few open ones the planner reads the open ones through
    idx_alerts_unresolved (or, filtered, through an even more selective index), never a full scan."""
    url = databases.create("alerts_index")
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("""INSERT INTO alerts (alert_type, severity, component, message, triggered_at, acknowledged_at,
                                           acknowledged_by, resolved_at, resolved_by, resolution_action, fingerprint)
                       SELECT 'api_failure', 'high', 'kalshi_api', 'm', t, t, 'a', t, 'a', 'fixed', md5((i % 500)::text)
                       FROM generate_series(1, 30000) i, LATERAL (SELECT now() - make_interval(mins => i) AS t) x""")
        cur.execute("""INSERT INTO alerts (alert_type, severity, component, message, fingerprint)
                       SELECT 'api_failure', 'critical', 'kalshi_api', 'open', 'open' FROM generate_series(1, 5)""")
        cur.execute("ANALYZE alerts")
    conn.close()
    engine = sa.create_engine(schema.dsn(url).replace("postgresql://", "postgresql+psycopg2://"))
    explain = sa.text("EXPLAIN (FORMAT TEXT) " + (SQL_DIR / "alerts_queue.sql").read_text())
    params = dict(severities=None, categories=None, components=None, alert_types=None, environments=None,
                  window_hours=None, state=None, max_groups=500)
    with engine.connect() as c:
        plan = "\n".join(r[0] for r in c.execute(explain, params))
        filtered = [
            "\n".join(r[0] for r in c.execute(explain, {**params, **extra}))
            for extra in ({"state": "new"}, {"window_hours": 24}, {"severities": ["critical"], "environments": ["prod"]})
        ]
    engine.dispose()
    assert "idx_alerts_unresolved" in plan
    assert not [p for p in [plan, *filtered] if "Seq Scan on alerts" in p]


# --- badge, detail, timeline ------------------------------------------------------------------
def test_open_critical_badge_counts_unsuppressed_open_critical_alerts(env):
    badge = alerts.open_critical()
    assert int(badge.open_critical) == 1  # a1; a2 is a suppressed duplicate
    assert int(badge.newest_alert_id) == ids(env)["a1"]


def test_detail_of_an_unknown_alert_is_none(env):
    assert alerts.detail(987654) is None
    assert alerts.detail(ids(env)["d1"]).resolution_action == "fixed"


def test_filter_options_list_every_value_once(env):
    options = alerts.filter_options()
    assert options["environment"] == ["demo", "prod"]
    assert options["category"] == ["data", "risk", "system", "trading"]
    assert "metrics" in options["component"] and "feed_gap" in options["alert_type"]


def test_timeline_shows_row_history_then_audited_actions(env):
    known = ids(env)
    legacy = alerts.timeline(known["d1"])  # acknowledged and resolved before the audit table
    assert list(legacy.event) == ["raised", "acknowledged", "resolved"]
    assert list(legacy.recorded_in) == ["alert row"] * 3
    assert list(legacy.actor.fillna("")) == ["", "bob", "carol"]

    conn = schema.connect(env)
    with conn, conn.cursor() as cur:  # an alert of its own, so the other tests' answers stay put
        cur.execute("INSERT INTO alerts (alert_type, severity, component, message) "
                    "VALUES ('scratch', 'low', 'scratch', 'scratch') RETURNING alert_id")
        alert_id = cur.fetchone()[0]
    conn.close()
    assert alerts.timeline(alert_id).event.tolist() == ["raised"]
    first = alerts.acknowledge([alert_id], ALICE, "looking <b>now</b>")
    assert [o.outcome for o in first] == ["acknowledged"]
    timeline = alerts.timeline(alert_id)  # the write cleared the cache: the new row is there
    assert timeline.event.tolist() == ["raised", "acknowledged"]
    assert timeline.iloc[1][["actor", "notes", "recorded_in"]].tolist() == ["alice", "looking <b>now</b>", "audit trail"]
    done = alerts.resolve([alert_id], ALICE, "escalated", None)
    assert done[0].done and done[0].message.startswith(f"Alert {alert_id} resolved (escalated) by alice")
    assert alerts.timeline(alert_id).event.tolist() == ["raised", "acknowledged", "resolved"]
    assert alert_id not in [a for ids_ in alerts.queue(alerts.QueueFilters()).alert_ids for a in ids_]


def test_writes_report_refusals_as_outcomes_and_stop(env):
    alert_id = ids(env)["e1"]
    outcomes = alerts.acknowledge([alert_id, alert_id + 1000], ALICE, "x" * 2001)
    assert [o.outcome for o in outcomes] == ["refused"]
    assert outcomes[0].message == "The note is 2001 characters long; at most 2000 are allowed."
    refused = alerts.resolve([alert_id], ALICE, "deleted", None)
    assert refused[0].outcome == "refused" and "'deleted' is unknown" in refused[0].message
    not_yet = alerts.resolve([alert_id], ALICE, "fixed", None)
    assert not_yet[0].outcome == "not_acknowledged"
    assert alerts.timeline(alert_id).event.tolist() == ["raised"]


# --- metrics ----------------------------------------------------------------------------------
def test_response_times_sum_exactly(env):
    frame = alerts.response_times(None)
    metrics_rows = frame[frame.component == "metrics"]
    # m1..m4 (m5 is suppressed): acknowledged after 60, 120, 180, 240 min; resolved after 120, 240, 360, 480
    assert metrics_rows.alerts.sum() == 4 and metrics_rows.acknowledged.sum() == 4
    assert metrics_rows.ack_seconds.sum() == pytest.approx((60 + 120 + 180 + 240) * 60, abs=1e-3)
    assert metrics_rows.resolve_seconds.sum() == pytest.approx((120 + 240 + 360 + 480) * 60, abs=1e-3)
    d1 = frame[frame.component == "market_feed"].iloc[0]
    assert (d1.acknowledged, d1.ack_seconds, d1.resolved, d1.resolve_seconds) == (1, 3600.0, 1, 7200.0)
    recent = alerts.response_times(1)  # this week and last: the metrics rows are older
    assert "metrics" not in set(recent.component) or recent[recent.component == "metrics"].alerts.sum() < 4


def test_false_positive_counts_per_type(env):
    frame = alerts.false_positives(None).set_index("alert_type")
    assert frame.loc["feed_gap"].tolist() == [4, 1, 2, 1, 0]  # resolved, fp, fixed, ignored, escalated
    assert frame.loc["data_stale"].tolist() == [1, 0, 1, 0, 0]
    assert "api_failure" not in frame.index  # nothing of that type is resolved


def test_over_more_than_a_year_open_alerts_are_counted_at_the_end_of_each_week(databases, point_app_at):
    url = databases.create("alerts_years", rows="""
        INSERT INTO alerts (alert_type, severity, component, message, triggered_at, acknowledged_at, acknowledged_by,
                            resolved_at, resolved_by, resolution_action)
        SELECT 'feed_gap', (ARRAY['critical', 'high', 'medium', 'low'])[1 + i % 4], 'feed', 'alert ' || i,
               t.n - make_interval(days => 800 - i * 7), t.n - make_interval(days => 800 - i * 7 - 1),
               'bob', least(t.n - make_interval(days => 800 - i * 7 - 1 - i % 40), t.n), 'carol', 'fixed'
        FROM generate_series(0, 110) i, (SELECT now() AT TIME ZONE 'UTC' AS n) t
        WHERE i % 9 <> 0;
        INSERT INTO alerts (alert_type, severity, component, message, triggered_at)
        SELECT 'feed_gap', 'high', 'feed', 'still open', now() AT TIME ZONE 'UTC' - interval '500 days';""")
    point_app_at(url)
    frame = alerts.open_over_time(None)
    days = sorted(set(frame.day))
    assert len(days) < 130 and all((b - a).days == 7 for a, b in zip(days, days[1:-1]))  # weekly, the last one short
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("""SELECT d::date, s, count(a.alert_id)
                       FROM unnest(%s::date[]) d
                       CROSS JOIN unnest(ARRAY['critical', 'high', 'medium', 'low']) s
                       LEFT JOIN alerts a ON a.severity = s AND NOT a.suppressed
                            AND a.triggered_at < d + interval '1 day'
                            AND (a.resolved_at IS NULL OR a.resolved_at >= d + interval '1 day')
                       GROUP BY 1, 2""", (days,))
        expected = {(day, severity): n for day, severity, n in cur.fetchall()}
    conn.close()
    assert {(row.day, row.severity): row.open_alerts for row in frame.itertuples()} == expected
    year = sorted(set(alerts.open_over_time(52).day))  # a year or less: every day
    assert len(year) > 300 and all((b - a).days == 1 for a, b in zip(year, year[1:]))


def test_open_over_time_matches_a_count_day_by_day(env):
    frame = alerts.open_over_time(None)
    conn = schema.connect(env)
    with conn, conn.cursor() as cur:
        # All history starts on the Monday of the first alert's week (the query's weekly sums), so
        # on any weekday but Monday it starts before the first alert, with nothing open yet.
        cur.execute("""SELECT d::date, s, count(a.alert_id)
                       FROM generate_series(date_trunc('week', (SELECT min(triggered_at) FROM alerts WHERE NOT suppressed)),
                                            date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') d
                       CROSS JOIN unnest(ARRAY['critical', 'high', 'medium', 'low']) s
                       LEFT JOIN alerts a ON a.severity = s AND NOT a.suppressed
                            AND a.triggered_at < d + interval '1 day'
                            AND (a.resolved_at IS NULL OR a.resolved_at >= d + interval '1 day')
                       GROUP BY 1, 2""")
        expected = {(day, severity): n for day, severity, n in cur.fetchall()}
    conn.close()
    got = {(row.day, row.severity): row.open_alerts for row in frame.itertuples()}
    assert got == expected
    today = max(day for day, _ in got)
    assert got[(today, "critical")] == 1 and got[(today, "high")] == 3 and got[(today, "low")] == 1
    window = alerts.open_over_time(1)
    assert len(window) < len(frame) and window.day.max() == today
    # the window starts from what was open before it: the same counts as all history, cut
    in_window = {(row.day, row.severity): row.open_alerts for row in window.itertuples()}
    assert in_window == {key: n for key, n in got.items() if key[0] >= window.day.min()}


@pytest.mark.parametrize("weeks", [None, 13])
def test_the_metrics_of_a_database_without_alerts_are_empty(databases, point_app_at, weeks):
    """Over all history the window starts at the first week with an alert: with none, no rows (not
    an error over an infinite window)."""
    point_app_at(databases.create("no_alerts"))
    assert alerts.open_over_time.__wrapped__(weeks).empty
    assert alerts.response_times.__wrapped__(weeks).empty
    assert alerts.false_positives.__wrapped__(weeks).empty
