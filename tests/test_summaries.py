"""Summary tables kept by the writers' own statements (schema.sql, "Performance at ten years"):
each equals its from-scratch definition on the demo data, and stays equal through the writes that
change it (a position's current row swapped, a late buy, a market closing, a late open quote, a
market reopening). Also the functions behind two stored answers (alert_weeks(), position_days():
test_stored_answers.py shows the stored views equal them after a refresh)."""
from __future__ import annotations

import psycopg2
import pytest

from queries import schema
from tests.fixtures import MINIMAL_ROWS, second_writer_waits_for_first

# The definitions, written the slow way: what each summary row must say.
POSITION_FACTS_FROM_SCRATCH = """
SELECT p.position_id, first_row.created_at AS opened_at, first_row.quantity AS opening_quantity,
       o.trade_id AS opening_trade_id, o.strategy_id, o.model_id, b.buy_quantity, b.buy_cost,
       coalesce(b.fills, 0) AS fills, p.market_id, p.side, p.entry_price, p.status,
       p.created_at AS status_since, p.realized_pnl, p.execution_mode, o.edge_at_execution,
       o.price * o.quantity AS opening_cost
FROM positions p
JOIN LATERAL (SELECT h.created_at, h.quantity FROM positions h WHERE h.position_id = p.position_id
              ORDER BY h.created_at, h.id LIMIT 1) first_row ON true
LEFT JOIN LATERAL (SELECT t.trade_id, t.strategy_id, t.model_id, t.edge_at_execution, t.price, t.quantity FROM trades t
                   WHERE t.position_id = p.position_id AND t.side = 'buy'
                   ORDER BY t.created_at, t.trade_id LIMIT 1) o ON true
LEFT JOIN LATERAL (SELECT sum(t.quantity) FILTER (WHERE t.side = 'buy') AS buy_quantity,
                          sum(t.price * t.quantity) FILTER (WHERE t.side = 'buy') AS buy_cost,
                          count(*) AS fills
                   FROM trades t WHERE t.position_id = p.position_id) b ON true
WHERE p.row_current_ind
"""
POSITION_FACTS_KEPT = """
SELECT position_id, opened_at, opening_quantity, opening_trade_id, strategy_id, model_id, buy_quantity,
       buy_cost, fills, market_id, side, entry_price, status, status_since, realized_pnl, execution_mode,
       edge_at_execution, opening_cost
FROM position_facts
"""
MARKET_CLOSES_FROM_SCRATCH = """
SELECT l.market_id, l.status, l.settlement_value, l.created_at AS closed_at, o.yes_price, o.no_price
FROM (SELECT DISTINCT ON (market_id) market_id, status, settlement_value, created_at
      FROM markets ORDER BY market_id, created_at DESC, id DESC) l
LEFT JOIN LATERAL (SELECT m.yes_price, m.no_price FROM markets m WHERE m.market_id = l.market_id AND m.status = 'open'
                   ORDER BY m.created_at DESC, m.id DESC LIMIT 1) o ON true
WHERE l.status <> 'open'
"""
EDGE_DECAY_FROM_SCRATCH = """
SELECT t.trade_id, t.created_at, t.market_id, e0.strategy_id, e0.model_id, coalesce(ev.subcategory, ev.category),
       m.platform_id, e0.expected_value, coalesce(ev.end_time, m.created_at) AS closed_at,
       (SELECT e1.expected_value FROM edges e1
         WHERE e1.market_id = t.market_id AND e1.strategy_id IS NOT DISTINCT FROM e0.strategy_id
           AND e1.model_id IS NOT DISTINCT FROM e0.model_id AND e1.created_at <= coalesce(ev.end_time, m.created_at)
         ORDER BY e1.created_at DESC, e1.edge_id DESC LIMIT 1)
FROM trades t
JOIN markets m ON m.market_id = t.market_id AND m.row_current_ind AND m.status <> 'open'
JOIN edges e0 ON e0.edge_id = t.edge_id
LEFT JOIN events ev ON ev.event_id = m.event_id
WHERE t.side = 'buy'
"""
EDGE_DECAY_KEPT = """
SELECT trade_id, entered_at, market_id, strategy_id, model_id, sport, platform_id, entry_edge, closed_at, close_edge
FROM edge_decay_facts
"""
MARKET_CLOSES_KEPT = """
SELECT market_id, status, settlement_value, closed_at, closing_yes_price, closing_no_price FROM market_closes
"""

POSITION_DAYS_FROM_SCRATCH = """
SELECT p.created_at::date, p.execution_mode, count(*), sum(p.realized_pnl)
FROM positions p WHERE p.row_current_ind AND p.status IN ('closed', 'settled')
GROUP BY 1, 2
"""
POSITION_DAYS_STORED = "SELECT * FROM position_days()"  # the stored answer's function (test_stored_answers.py)
ALERT_WEEKS_FROM_SCRATCH = """
WITH alive AS (SELECT * FROM alerts WHERE NOT suppressed),
keys AS (SELECT date_trunc('week', triggered_at) AS week, severity, component, alert_type FROM alive
         UNION SELECT date_trunc('week', resolved_at), severity, component, alert_type FROM alive
                WHERE resolved_at IS NOT NULL)
SELECT k.week, k.severity, k.component, k.alert_type, r.*,
       (SELECT count(*) FROM alive a WHERE date_trunc('week', a.resolved_at) = k.week AND a.severity = k.severity
                                      AND a.component = k.component AND a.alert_type = k.alert_type)
FROM keys k
CROSS JOIN LATERAL (
    SELECT count(*), count(a.acknowledged_at),
           round(coalesce(sum(extract(epoch FROM a.acknowledged_at - a.triggered_at)), 0), 3),
           count(a.resolved_at), round(coalesce(sum(extract(epoch FROM a.resolved_at - a.triggered_at)), 0), 3),
           count(a.resolved_at) FILTER (WHERE a.resolution_action = 'false_positive'),
           count(a.resolved_at) FILTER (WHERE a.resolution_action = 'fixed'),
           count(a.resolved_at) FILTER (WHERE a.resolution_action = 'ignored'),
           count(a.resolved_at) FILTER (WHERE a.resolution_action = 'escalated')
    FROM alive a WHERE date_trunc('week', a.triggered_at) = k.week AND a.severity = k.severity
                   AND a.component = k.component AND a.alert_type = k.alert_type) r
"""
ALERT_WEEKS_STORED = """
SELECT week, severity, component, alert_type, alerts, acknowledged, round(ack_seconds::numeric, 3), resolved,
       round(resolve_seconds::numeric, 3), false_positives, fixed, ignored, escalated, resolved_in_week
FROM alert_weeks()
"""


def rows(cur, sql: str) -> set[tuple]:
    cur.execute(sql)
    return set(cur.fetchall())


def assert_summaries_current(cur) -> None:
    assert rows(cur, POSITION_FACTS_KEPT) == rows(cur, POSITION_FACTS_FROM_SCRATCH)
    assert rows(cur, MARKET_CLOSES_KEPT) == rows(cur, MARKET_CLOSES_FROM_SCRATCH)
    assert rows(cur, EDGE_DECAY_KEPT) == rows(cur, EDGE_DECAY_FROM_SCRATCH)


def test_summaries_equal_their_definition_on_the_demo_data(demo_url):
    conn = psycopg2.connect(schema.dsn(demo_url))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM position_facts WHERE status IN ('closed', 'settled')")
            assert cur.fetchone()[0] > 100
            cur.execute("SELECT count(*), count(closing_yes_price) FROM market_closes")
            closes, quoted = cur.fetchone()
            assert closes > 10 and quoted > 0
            cur.execute("SELECT count(*), count(close_edge) FROM edge_decay_facts")
            entries, with_close_edge = cur.fetchone()
            assert entries > 10 and with_close_edge > 0
            cur.execute("SELECT count(*), sum(positions_closed) FROM position_days()")
            days, closed = cur.fetchone()
            assert days > 5 and closed > 100
            assert rows(cur, POSITION_DAYS_STORED) == rows(cur, POSITION_DAYS_FROM_SCRATCH)
            cur.execute("SELECT count(DISTINCT week), sum(resolved), sum(resolved_in_week) FROM alert_weeks()")
            weeks, resolved, resolved_in_week = cur.fetchone()
            assert weeks >= 2 and resolved > 0 and resolved == resolved_in_week
            assert rows(cur, ALERT_WEEKS_STORED) == rows(cur, ALERT_WEEKS_FROM_SCRATCH)
            assert_summaries_current(cur)
    finally:
        conn.close()


@pytest.fixture
def minimal(db):
    db.execute(MINIMAL_ROWS)
    return db


def position_facts(cur, position_id: int) -> dict:
    cur.execute("SELECT * FROM position_facts WHERE position_id = %s", (position_id,))
    return dict(zip([c.name for c in cur.description], cur.fetchone()))


def test_a_position_closing_by_a_new_current_row_is_in_the_facts(minimal):
    cur = minimal
    assert position_facts(cur, 1)["status"] == "open"
    # the seed's SCD order: insert the new current row, then retire the old one (deferred check)
    cur.execute("""INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status,
                                          realized_pnl, execution_mode, created_at)
                   VALUES (1, 'M1', 'kalshi', 'yes', 0.6000, 0, 'closed', 9.0000, 'paper',
                           localtimestamp + interval '1 hour')""")
    cur.execute("UPDATE positions SET row_current_ind = FALSE, row_end_ts = localtimestamp + interval '1 hour' "
                "WHERE position_id = 1 AND status = 'open'")
    facts = position_facts(cur, 1)
    assert (facts["status"], facts["execution_mode"], str(facts["realized_pnl"])) == ("closed", "paper", "9.0000")
    assert facts["status_since"] > facts["opened_at"]
    assert facts["opening_quantity"] == 100  # still what the position opened with
    assert_summaries_current(cur)


def test_a_late_earlier_buy_becomes_the_opening_trade(minimal):
    cur = minimal
    cur.execute("""INSERT INTO trades (trade_id, market_id, platform_id, position_id, strategy_id, model_id, side, price,
                                       quantity, edge_at_execution, created_at)
                   VALUES (2, 'M1', 'kalshi', 1, 1, 1, 'buy', 0.5000, 10, 0.0300, '2000-01-01')""")
    facts = position_facts(cur, 1)
    assert (facts["opening_trade_id"], facts["fills"], facts["buy_quantity"]) == (2, 2, 110)
    assert str(facts["edge_at_execution"]) == "0.0300"
    assert_summaries_current(cur)


def market_close(cur, market_id: str):
    cur.execute("SELECT status, closing_yes_price, closing_no_price FROM market_closes WHERE market_id = %s",
                (market_id,))
    found = cur.fetchone()
    return found and (found[0], str(found[1]), str(found[2]))


def add_market_row(cur, status: str, created_at: str, yes: str, no: str, settlement=None) -> None:
    cur.execute("UPDATE markets SET row_current_ind = FALSE, row_end_ts = %s WHERE market_id = 'M1' AND row_current_ind",
                (created_at,))
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                        status, settlement_value, created_at)
                   VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', %s, %s, %s, %s, %s)""",
                (yes, no, status, settlement, created_at))


def test_market_closes_follow_closing_late_quotes_and_reopening(minimal):
    cur = minimal
    assert market_close(cur, "M1") is None  # still open: no close
    add_market_row(cur, "settled", "2026-01-01 12:00", "1.0000", "0.0000", settlement="1.0000")
    # the closing line is the last open quote, not the settlement price
    assert market_close(cur, "M1") == ("settled", "0.6000", "0.4100")
    assert_summaries_current(cur)

    # an open quote from before the close that arrives late moves the closing line
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                        status, created_at, row_current_ind, row_end_ts)
                   VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.6500, 0.3600, 'open',
                           '2026-01-01 11:00', FALSE, '2026-01-01 12:00')""")
    assert market_close(cur, "M1") == ("settled", "0.6500", "0.3600")
    assert_summaries_current(cur)

    # a history row deleted (history may be pruned): the closing line falls back to the one before
    cur.execute("DELETE FROM markets WHERE market_id = 'M1' AND created_at = '2026-01-01 11:00'")
    assert market_close(cur, "M1") == ("settled", "0.6000", "0.4100")
    assert_summaries_current(cur)

    # a market that opens again has no close until it closes again
    add_market_row(cur, "open", "2026-01-01 13:00", "0.7000", "0.3100")
    assert market_close(cur, "M1") is None
    assert_summaries_current(cur)


def decay(cur):
    cur.execute("SELECT closed_at, close_edge FROM edge_decay_facts WHERE trade_id = 1")
    found = cur.fetchone()
    return found and (str(found[0]), str(found[1]))


def test_edge_decay_follows_the_close_late_edges_and_rescheduled_events(minimal):
    cur = minimal
    cur.execute("SELECT created_at FROM edges WHERE edge_id = 1")
    edge_at = cur.fetchone()[0]
    assert decay(cur) is None  # the market is open: no decay yet
    add_market_row(cur, "closed", "2030-01-01 12:00", "0.6000", "0.4100")
    assert decay(cur) == ("2030-01-01 12:00:00", "0.0800")  # the only edge is the edge at close
    assert_summaries_current(cur)

    # an edge written late but computed before the close becomes the edge at close
    cur.execute("""INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,
                                      market_implied_probability, market_price, created_at, row_current_ind)
                   VALUES ('M1', 1, 1, -0.0200, 0.5800, 0.6000, 0.6000, %s, FALSE)""",
                (edge_at.replace(year=2020),))
    assert decay(cur) == ("2030-01-01 12:00:00", "0.0800")  # older than the first edge: not the newest
    cur.execute("""INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,
                                      market_implied_probability, market_price, created_at, row_current_ind)
                   VALUES ('M1', 1, 1, -0.0300, 0.5700, 0.6000, 0.6000, '2030-01-01 11:00', FALSE)""")
    assert decay(cur) == ("2030-01-01 12:00:00", "-0.0300")
    assert_summaries_current(cur)

    # the current edge changed in place moves the edge at entry; a deleted history edge, the close
    cur.execute("UPDATE edges SET expected_value = 0.0900 WHERE edge_id = 1")
    cur.execute("SELECT entry_edge FROM edge_decay_facts WHERE trade_id = 1")
    assert str(cur.fetchone()[0]) == "0.0900"
    cur.execute("DELETE FROM edges WHERE expected_value = -0.0300")
    assert decay(cur) == ("2030-01-01 12:00:00", "0.0900")
    assert_summaries_current(cur)

    # the event's scheduled end is the close when it is known
    cur.execute("UPDATE events SET end_time = '2030-01-01 10:30' WHERE event_id = 'EV1'")
    assert decay(cur) == ("2030-01-01 10:30:00", "0.0900")
    assert_summaries_current(cur)


def alert_week(cur, week: str, alert_type: str) -> tuple:
    cur.execute("SELECT alerts, acknowledged, ack_seconds, resolved, resolve_seconds, false_positives, resolved_in_week"
                " FROM alert_weeks() WHERE week = %s AND alert_type = %s", (week, alert_type))
    return cur.fetchone()


def test_alert_weeks_count_raising_acknowledging_resolving_suppressing_and_deleting(minimal):
    """alert_weeks() (stored as alert_weeks_stored): an alert raised one week and resolved the next
    counts as raised (and resolved) in its week and as a resolution in the other; suppressing it
    takes it out of both; a deleted alert leaves no week behind."""
    cur = minimal
    cur.execute("""INSERT INTO alerts (alert_id, alert_type, severity, component, message, triggered_at,
                                       acknowledged_at, acknowledged_by)
                   VALUES (10, 'edge_decay', 'low', 'edges', 'Edge fell', '2026-01-07 12:00', '2026-01-07 12:30', 'ana'),
                          (11, 'edge_decay', 'low', 'edges', 'Edge fell again', '2026-01-08 12:00', NULL, NULL),
                          (12, 'data_stale', 'low', 'feeds', 'Feed late', '2025-06-04 08:00', NULL, NULL)""")
    assert alert_week(cur, "2026-01-05", "edge_decay") == (2, 1, 1800.0, 0, 0.0, 0, 0)
    cur.execute("UPDATE alerts SET resolved_at = '2026-01-12 12:00', resolved_by = 'ana', "
                "resolution_action = 'false_positive' WHERE alert_id = 10")  # resolved the next Monday
    assert alert_week(cur, "2026-01-05", "edge_decay") == (2, 1, 1800.0, 1, 432000.0, 1, 0)
    assert alert_week(cur, "2026-01-12", "edge_decay") == (0, 0, 0.0, 0, 0.0, 0, 1)
    cur.execute("SELECT outcome FROM acknowledge_alert(11, 'bo', NULL)")  # as the page does: now
    cur.execute("SELECT outcome FROM resolve_alert(11, 'bo', 'fixed', NULL)")
    assert cur.fetchone()[0] == "resolved"
    cur.execute("SELECT resolved_in_week FROM alert_weeks() WHERE week = date_trunc('week', now() AT TIME ZONE 'UTC')"
                " AND alert_type = 'edge_decay'")
    assert cur.fetchone()[0] == 1
    assert rows(cur, ALERT_WEEKS_STORED) == rows(cur, ALERT_WEEKS_FROM_SCRATCH)
    cur.execute("UPDATE alerts SET suppressed = TRUE WHERE alert_id = 10")
    assert alert_week(cur, "2026-01-05", "edge_decay")[:2] == (1, 1)
    assert alert_week(cur, "2026-01-12", "edge_decay") is None
    assert rows(cur, ALERT_WEEKS_STORED) == rows(cur, ALERT_WEEKS_FROM_SCRATCH)
    cur.execute("DELETE FROM alerts WHERE alert_id = 12")
    assert alert_week(cur, "2025-06-02", "data_stale") is None
    assert rows(cur, ALERT_WEEKS_STORED) == rows(cur, ALERT_WEEKS_FROM_SCRATCH)


def test_last_written_is_the_newest_of_the_named_summaries():
    import pandas as pd

    from ui.summaries import last_written

    freshness = pd.DataFrame({"summary": ["position_facts", "market_closes", "edge_decay_facts"],
                              "last_written": pd.to_datetime(["2026-01-02 10:00", "2026-01-03 09:00", None],
                                                             utc=True)})
    assert str(last_written(freshness, ("position_facts",))) == "2026-01-02 10:00:00+00:00"
    assert str(last_written(freshness, ("position_facts", "market_closes"))) == "2026-01-03 09:00:00+00:00"
    assert last_written(freshness, ("edge_decay_facts",)) is None


@pytest.mark.parametrize("page, names", [("ab_tests", "position_facts, market_closes"),
                                         ("edges", "edge_decay_facts"),
                                         ("models", "calibration_points"),
                                         ("exits", "exit_facts, exit_orders, exit_position_facts")])
def test_pages_say_how_fresh_their_summaries_are(app_env, page, names):
    from tests.apptest import open_page

    # (without filters, exits and all-time decay read stored answers and say that instead: test_stored_answers.py)
    extra = {"models": {"tab": "Calibration"}, "exits": {"condition": "stop_loss"}, "edges": {"sport": "nfl"}}.get(page, {})
    at = open_page(page, decay_window="all", **extra)
    assert not at.exception
    said = [c.value for c in at.caption if c.value.startswith("From summaries the database keeps")]
    assert said  # (exits: under the Breakdown tab; the Price walking tab names exit_orders alone)
    assert f"({names}): last written " in said[0] and " UTC)." in said[0]


def test_two_writers_of_one_position_at_once_both_reach_its_facts(databases):
    """Without the per-key lock, the second writer recomputes from a snapshot without the first's
    trade, waits for the row, then overwrites the facts with its stale answer."""
    url = databases.create("summary_race", rows=MINIMAL_ROWS)
    first = psycopg2.connect(schema.dsn(url))
    insert = ("INSERT INTO trades (market_id, platform_id, position_id, strategy_id, model_id, side, price, quantity) "
              "VALUES ('M1', 'kalshi', 1, 1, 1, 'buy', 0.6000, %s)")
    try:
        with first.cursor() as cur:
            cur.execute(insert, (10,))  # not committed yet
        second_writer_waits_for_first(url, first, lambda cur: cur.execute(insert, (20,)))
        with first.cursor() as cur:
            assert rows(cur, POSITION_FACTS_KEPT) == rows(cur, POSITION_FACTS_FROM_SCRATCH)
            cur.execute("SELECT fills, buy_quantity FROM position_facts WHERE position_id = 1")
            assert cur.fetchone() == (3, 130)
    finally:
        first.close()


def test_a_late_quote_and_a_close_written_at_once_both_reach_the_closing_line(databases):
    """The late quote's writer decides from market_closes whether its row matters; without the lock
    taken before that check it misses the close that is not committed yet, and the close's
    recompute cannot see the quote."""
    url = databases.create("close_race", rows=MINIMAL_ROWS)
    quoting = psycopg2.connect(schema.dsn(url))
    try:
        with quoting.cursor() as cur:  # a late open quote from before the close, not committed yet
            cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price,
                                               no_price, status, created_at, row_current_ind, row_end_ts)
                           VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.8000, 0.2000, 'open',
                                   '2026-01-01 11:00', FALSE, '2026-01-01 12:00')""")
        second_writer_waits_for_first(url, quoting, lambda cur: add_market_row(
            cur, "settled", "2026-01-01 12:00", "1.0000", "0.0000", settlement="1.0000"))
        with quoting.cursor() as cur:
            assert market_close(cur, "M1") == ("settled", "0.8000", "0.2000")
            assert_summaries_current(cur)
    finally:
        quoting.close()


def test_a_writer_at_repeatable_read_is_refused_and_writes_nothing(databases):
    """Its recompute would read the transaction's first snapshot, not what the lock's previous
    holder committed, and could overwrite a newer answer."""
    url = databases.create("summary_isolation", rows=MINIMAL_ROWS)
    conn = psycopg2.connect(schema.dsn(url))
    try:
        conn.set_session(isolation_level="REPEATABLE READ")
        with conn.cursor() as cur:
            with pytest.raises(psycopg2.errors.FeatureNotSupported,
                               match="must run at READ COMMITTED, not REPEATABLE READ"):
                cur.execute("INSERT INTO trades (market_id, platform_id, position_id, strategy_id, model_id, side, "
                            "price, quantity) VALUES ('M1', 'kalshi', 1, 1, 1, 'buy', 0.6000, 10)")
        conn.rollback()
        conn.set_session(isolation_level="READ COMMITTED")
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM trades")
            assert cur.fetchone()[0] == 1
            assert_summaries_current(cur)
    finally:
        conn.close()
