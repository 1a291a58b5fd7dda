"""The exits page's summaries (schema.sql, "Exit orders and exits filter"): exit_orders,
exit_facts and exit_position_facts each equal their from-scratch definition (the views and joins
the page queries used to compute at page time) on the demo data and on the hand-made exits world,
and stay equal through the writes that change them: a late attempt that extends, starts or splits
a run of attempts, a late exit, a late earlier buy, a position closing, a market settling and
opening again, a settlement arriving. Also: the backfill of an existing database, that no
dashboard role may write them, and that the page's filter functions are inlined."""
from __future__ import annotations

import psycopg2
import pytest
import sqlalchemy as sa

from queries import schema, sql_text, strip_comments
from tests.conftest import rolled_back_cursor
from tests.test_exits_queries import EXIT_ROWS
from tests.test_summaries import assert_summaries_current

EXIT_ORDERS_FROM_SCRATCH = "SELECT * FROM exit_attempt_sequences"
EXIT_ORDERS_KEPT = """
SELECT sequence_id, position_id, exit_condition, priority_level, quantity, attempts, first_order_type,
       first_limit_price, lowest_limit_price, first_attempt_at, last_attempt_at, filled, filled_at, fill_price,
       filled_order_type
FROM exit_orders
"""
# What the exits queries joined for every exit at page time.
EXIT_FACTS_FROM_SCRATCH = """
SELECT pe.exit_id, pe.position_id, pe.created_at, pe.exit_condition, pe.exit_priority, pe.quantity_exited,
       pe.exit_price, ps.platform_id, ps.strategy_id, ps.model_id, ps.entry_price, ps.opened_at, ps.opening_quantity,
       CASE WHEN m.status = 'settled' AND m.settlement_value IS NOT NULL THEN
            CASE ps.side WHEN 'yes' THEN m.settlement_value ELSE 1 - m.settlement_value END
       END AS held_value,
       (pe.exit_price - ps.entry_price) * pe.quantity_exited AS pnl,
       (pe.exit_price - ps.entry_price) / NULLIF(ps.entry_price, 0) AS exit_return,
       (extract(epoch FROM pe.created_at - ps.opened_at) / 3600)::float8 AS held_hours,
       row_number() OVER (PARTITION BY pe.position_id ORDER BY pe.created_at, pe.exit_id) AS step,
       count(*) OVER (PARTITION BY pe.position_id) AS steps,
       ps.opening_quantity - sum(pe.quantity_exited) OVER (PARTITION BY pe.position_id
                                                          ORDER BY pe.created_at, pe.exit_id) AS left_after
FROM position_exits pe
JOIN position_summary ps USING (position_id)
LEFT JOIN markets m ON m.market_id = ps.market_id AND m.row_current_ind
"""
EXIT_FACTS_KEPT = """
SELECT exit_id, position_id, created_at, exit_condition, exit_priority, quantity_exited, exit_price, platform_id,
       strategy_id, model_id, entry_price, opened_at, opening_quantity, held_value, pnl, exit_return, held_hours,
       step, steps, left_after
FROM exit_facts
"""
POSITIONS_FROM_SCRATCH = """
SELECT ps.position_id, ps.market_id, ps.platform_id, ps.side, ps.status, ps.strategy_id, ps.model_id,
       ps.opening_quantity, ps.current_quantity, coalesce(x.exits, 0), coalesce(x.exited_quantity, 0)
FROM position_summary ps
LEFT JOIN (SELECT position_id, count(*) AS exits, sum(quantity_exited) AS exited_quantity
           FROM position_exits GROUP BY position_id) x USING (position_id)
"""
POSITIONS_KEPT = """
SELECT position_id, market_id, platform_id, side, status, strategy_id, model_id, opening_quantity, current_quantity,
       exits, exited_quantity
FROM exit_position_facts
"""
# The reconciliation as exits_reconciliation.sql computed it at page time.
PROBLEMS_FROM_SCRATCH = """
WITH checked AS (
    SELECT ps.position_id, ps.status, ps.opening_quantity, ps.current_quantity,
           coalesce(x.exits, 0) AS exits, coalesce(x.exited_quantity, 0) AS exited_quantity,
           EXISTS (SELECT 1 FROM settlements st WHERE st.market_id = ps.market_id)
               OR EXISTS (SELECT 1 FROM markets m WHERE m.market_id = ps.market_id AND m.row_current_ind
                                                    AND m.status = 'settled') AS market_settled
    FROM position_summary ps
    LEFT JOIN (SELECT position_id, count(*) AS exits, sum(quantity_exited) AS exited_quantity
               FROM position_exits GROUP BY position_id) x USING (position_id)
)
SELECT c.position_id, p.problem
FROM checked c
CROSS JOIN LATERAL (VALUES
    (c.exited_quantity + c.current_quantity <> c.opening_quantity,
     format('Opened with %s, but exits took %s and the current row holds %s (off by %s).',
            c.opening_quantity, c.exited_quantity, c.current_quantity,
            c.exited_quantity + c.current_quantity - c.opening_quantity)),
    (c.status = 'closed' AND c.exits = 0, 'Closed without any exit.'),
    (c.status = 'settled' AND NOT c.market_settled, 'Settled, but its market has no settlement.'),
    (c.status = 'open' AND c.current_quantity = 0, 'Open, but holds nothing.')
) AS p(found, problem)
WHERE p.found
"""
PROBLEMS_KEPT = "SELECT position_id, unnest(problems) FROM exit_position_facts"
# The execution ledger and the excursions (issue #24): their definitions are views.
SLIPPAGE_FROM_SCRATCH = "SELECT * FROM order_slippage_definition"
SLIPPAGE_KEPT = """
SELECT order_kind, order_key, position_id, market_id, side, platform_id, strategy_id, model_id, order_type,
       exit_priority, exit_condition, decided_at, decision_price, fill_price, quantity
FROM order_slippage
"""
EXCURSIONS_FROM_SCRATCH = "SELECT * FROM exit_excursions_definition"
EXCURSIONS_KEPT = """
SELECT exit_id, position_id, created_at, exit_condition, exit_priority, platform_id, strategy_id, model_id, side,
       entry_price, exit_price, quantity_exited, step, steps, worst_price, best_price, market_closed_at, best_after
FROM exit_excursions
"""


def rows(cur, sql: str) -> list[tuple]:
    cur.execute(sql)
    return sorted(cur.fetchall(), key=repr)


def assert_exit_summaries_current(cur) -> None:
    assert rows(cur, EXIT_ORDERS_KEPT) == rows(cur, EXIT_ORDERS_FROM_SCRATCH)
    assert rows(cur, EXIT_FACTS_KEPT) == rows(cur, EXIT_FACTS_FROM_SCRATCH)
    assert rows(cur, POSITIONS_KEPT) == rows(cur, POSITIONS_FROM_SCRATCH)
    assert rows(cur, PROBLEMS_KEPT) == rows(cur, PROBLEMS_FROM_SCRATCH)
    assert rows(cur, SLIPPAGE_KEPT) == rows(cur, SLIPPAGE_FROM_SCRATCH)
    assert rows(cur, EXCURSIONS_KEPT) == rows(cur, EXCURSIONS_FROM_SCRATCH)


def test_exit_summaries_equal_their_definition_on_the_demo_data(demo_url):
    conn = psycopg2.connect(schema.dsn(demo_url))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*), count(*) FILTER (WHERE attempts > 1) FROM exit_orders")
            orders, walked = cur.fetchone()
            assert orders > 100 and walked > 10
            cur.execute("SELECT count(*), count(held_value), count(*) FILTER (WHERE steps > 1) FROM exit_facts")
            exits, settled, partial = cur.fetchone()
            assert exits > 100 and settled > 10 and partial > 10
            cur.execute("SELECT count(*) FILTER (WHERE order_kind = 'entry'), count(*) FILTER (WHERE order_kind = 'exit'),"
                        " count(*) FILTER (WHERE fill_price IS NULL) FROM order_slippage")  # never filled: few or none in a small demo
            entries, exit_orders, never = cur.fetchone()
            assert entries > 100 and exit_orders == orders and never >= 0
            cur.execute("SELECT count(*), count(best_after) FROM exit_excursions")
            assert cur.fetchone()[0] == exits
            assert_exit_summaries_current(cur)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def exits_world(databases) -> str:
    return databases.create("exit_summaries", rows=EXIT_ROWS)


@pytest.fixture
def cur(exits_world):
    """A cursor on the hand-made exits world (tests/test_exits_queries.py), rolled back after the test."""
    with rolled_back_cursor(exits_world) as cursor:
        assert_exit_summaries_current(cursor)
        yield cursor


ATTEMPT = """INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, fill_price,
                                        quantity, attempt_number, timeout_seconds, success, created_at)
             VALUES (%s, %s, %s, 'limit', %s, %s, %s, %s, 10, %s, %s)"""


def orders_of(cur, position_id: int) -> list[tuple]:
    cur.execute("SELECT attempts, filled, first_limit_price::text, first_attempt_at::text FROM exit_orders "
                "WHERE position_id = %s ORDER BY first_attempt_at, sequence_id", (position_id,))
    return cur.fetchall()


def test_a_late_attempt_extends_a_run(cur):
    # P4's order never filled (0.55, 0.54); a third attempt fills it
    cur.execute(ATTEMPT, (4, 'edge_disappeared', 'HIGH', '0.5300', '0.5300', 10, 3, True, '2026-01-03 09:00:20'))
    assert orders_of(cur, 4) == [(3, True, "0.5500", "2026-01-03 09:00:00")]
    assert_exit_summaries_current(cur)


def test_a_late_start_splits_a_run_and_a_lone_attempt_is_its_own(cur):
    # P1's trailing stop (11:59:50 start, 12:00:00 fill): a start written late at 11:59:55 takes the fill
    cur.execute(ATTEMPT, (1, 'trailing_stop', 'HIGH', '0.5700', None, 50, 1, False, '2026-01-01 11:59:55'))
    assert orders_of(cur, 1) == [(3, True, "0.6200", "2026-01-01 10:29:00"),
                                 (1, False, "0.5600", "2026-01-01 11:59:50"),
                                 (2, True, "0.5700", "2026-01-01 11:59:55")]
    assert_exit_summaries_current(cur)
    # one statement for two positions; P3's second attempt has no start of its key before it
    cur.execute("""INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price,
                                              quantity, attempt_number, success, created_at)
                   VALUES (3, 'stop_loss', 'CRITICAL', 'limit', 0.1900, 7, 2, FALSE, '2026-01-02 09:41'),
                          (2, 'stop_loss', 'CRITICAL', 'limit', 0.5100, 40, 3, FALSE, '2026-01-02 09:20:05')""")
    assert orders_of(cur, 3) == [(1, True, "0.2000", "2026-01-02 09:40:00"), (1, False, "0.1900", "2026-01-02 09:41:00")]
    assert orders_of(cur, 2) == [(3, True, "0.5200", "2026-01-02 09:19:55")]
    assert_exit_summaries_current(cur)


def exit_fact(cur, exit_condition: str, position_id: int) -> dict:
    cur.execute("SELECT * FROM exit_facts WHERE position_id = %s AND exit_condition = %s ORDER BY step",
                (position_id, exit_condition))
    return [dict(zip([c.name for c in cur.description], row)) for row in cur.fetchall()]


def problems(cur, position_id: int) -> list[str]:
    cur.execute("SELECT problems FROM exit_position_facts WHERE position_id = %s", (position_id,))
    return sorted(cur.fetchone()[0])


def test_a_late_exit_renumbers_the_steps(cur):
    cur.execute("""INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price,
                                               created_at)
                   VALUES (5, 'partial_exit_target', 'MEDIUM', 5, 0.6000, '2026-01-01 11:15')""")
    steps = exit_fact(cur, "partial_exit_target", 5)
    assert [(s["step"], s["steps"], s["quantity_exited"], s["left_after"]) for s in steps] == [
        (1, 3, 5, 25), (2, 3, 10, 15), (3, 3, 5, 10)]
    assert problems(cur, 5) == ["Opened with 30, but exits took 20 and the current row holds 15 (off by 5)."]
    assert_exit_summaries_current(cur)


def test_a_late_earlier_buy_moves_the_attribution(cur):
    assert exit_fact(cur, "stop_loss", 2)[0]["strategy_id"] == 2
    cur.execute("""INSERT INTO trades (market_id, platform_id, position_id, strategy_id, model_id, side, price, quantity,
                                       created_at)
                   VALUES ('M2', 'polymarket', 2, 1, 1, 'buy', 0.7000, 1, '2026-01-02 08:59')""")
    fact = exit_fact(cur, "stop_loss", 2)[0]
    assert (fact["strategy_id"], fact["model_id"]) == (1, 1)
    assert_exit_summaries_current(cur)


def test_a_position_closing_by_a_new_current_row(cur):
    assert problems(cur, 4) == []
    # the seed's SCD order: insert the new current row, then retire the old one (deferred check)
    cur.execute("""INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status,
                                          realized_pnl, created_at)
                   VALUES (4, 'M3', 'kalshi', 'yes', 0.5000, 0, 'closed', 0, '2026-01-03 10:00')""")
    cur.execute("UPDATE positions SET row_current_ind = FALSE, row_end_ts = '2026-01-03 10:00' "
                "WHERE position_id = 4 AND status = 'open'")
    assert problems(cur, 4) == ["Closed without any exit.",
                                "Opened with 10, but exits took 0 and the current row holds 0 (off by -10)."]
    assert_exit_summaries_current(cur)


def set_market_row(cur, market_id: str, status: str, created_at: str, settlement=None) -> None:
    cur.execute("UPDATE markets SET row_current_ind = FALSE, row_end_ts = %s WHERE market_id = %s AND row_current_ind",
                (created_at, market_id))
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                        status, settlement_value, created_at)
                   VALUES (%s, 'kalshi', 'EV1', 'm3', 'M3-T', 'KC by 7+?', 0.9000, 0.1000, %s, %s, %s)""",
                (market_id, status, settlement, created_at))


def test_a_market_settling_opening_again_and_its_settlement(cur):
    settled = "Settled, but its market has no settlement."
    assert exit_fact(cur, "profit_target", 6)[0]["held_value"] is None
    assert problems(cur, 8) == [settled]
    set_market_row(cur, "M3", "settled", "2026-01-05 12:00", settlement="1.0000")
    assert str(exit_fact(cur, "profit_target", 6)[0]["held_value"]) == "1.0000"
    assert problems(cur, 8) == []
    assert_exit_summaries_current(cur)

    # a corrected settlement, and a late open quote (it moves the closing line, nothing here)
    set_market_row(cur, "M3", "settled", "2026-01-05 12:30", settlement="0.0000")
    assert str(exit_fact(cur, "profit_target", 6)[0]["held_value"]) == "0.0000"
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                        status, created_at, row_current_ind, row_end_ts)
                   VALUES ('M3', 'kalshi', 'EV1', 'm3', 'M3-T', 'KC by 7+?', 0.4700, 0.5400, 'open',
                           '2026-01-04 12:00', FALSE, '2026-01-04 12:00')""")
    assert_exit_summaries_current(cur)

    set_market_row(cur, "M3", "open", "2026-01-05 13:00")
    assert exit_fact(cur, "profit_target", 6)[0]["held_value"] is None
    assert problems(cur, 8) == [settled]
    assert_exit_summaries_current(cur)

    cur.execute("INSERT INTO settlements (market_id, platform_id, outcome, payout) VALUES ('M3', 'kalshi', 'yes', 5)")
    assert problems(cur, 8) == []
    assert_exit_summaries_current(cur)


def test_truncating_a_source_empties_or_recomputes_every_summary_it_feeds(cur):
    """TRUNCATE runs no row triggers; the statement triggers on it keep the summaries anyway."""
    from tests.test_summaries import assert_summaries_current

    cur.execute("SELECT count(*) FROM market_closes")
    assert cur.fetchone()[0] == 2
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run first: TRUNCATE waits for none
    cur.execute("TRUNCATE markets")
    cur.execute("SELECT (SELECT count(*) FROM market_closes), (SELECT count(held_value) FROM exit_facts)")
    assert cur.fetchone() == (0, 0)
    assert_summaries_current(cur)
    assert_exit_summaries_current(cur)
    cur.execute("TRUNCATE positions")
    cur.execute("SELECT (SELECT count(*) FROM position_facts), (SELECT count(*) FROM exit_position_facts), "
                "(SELECT count(*) FROM exit_facts)")
    assert cur.fetchone() == (0, 0, 0)
    assert_summaries_current(cur)
    assert_exit_summaries_current(cur)


def test_a_new_position_and_its_market_settling_at_once_both_reach_the_exit_facts(databases):
    """The settlement's recompute cannot see a position not committed yet, nor the position's the
    settlement; without the per-market lock the position's exit keeps no held value."""
    from tests.fixtures import second_writer_waits_for_first

    url = databases.create("exit_settle_race", rows=EXIT_ROWS)
    opening = psycopg2.connect(schema.dsn(url))
    try:
        with opening.cursor() as c:  # a position on M3 with one exit, not committed yet
            c.execute("""INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status,
                                                created_at)
                         VALUES (20, 'M3', 'kalshi', 'no', 0.5000, 0, 'closed', '2026-01-05 08:00')""")
            c.execute("""INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited,
                                                     exit_price, created_at)
                         VALUES (20, 'profit_target', 'HIGH', 10, 0.6000, '2026-01-05 09:00')""")
        second_writer_waits_for_first(url, opening, lambda c: set_market_row(
            c, "M3", "settled", "2026-01-05 12:00", settlement="1.0000"))
        with opening.cursor() as c:
            assert str(exit_fact(c, "profit_target", 20)[0]["held_value"]) == "0.0000"  # a 'no' on a yes market
            assert_exit_summaries_current(c)
    finally:
        opening.close()


def test_an_exit_then_its_position_closing_while_the_market_settles_do_not_deadlock(databases):
    """The exit locks its position's market first, as the settlement does; locking only the
    position, the position's new row then waited for the market the settlement held, and the
    settlement for the position: a deadlock."""
    from tests.fixtures import second_writer_waits_for_first

    url = databases.create("exit_settle_order", rows=EXIT_ROWS)
    closing = psycopg2.connect(schema.dsn(url))
    try:
        with closing.cursor() as c:  # position 4 on M3: an exit, not committed yet
            c.execute("""INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited,
                                                     exit_price, created_at)
                         VALUES (4, 'stop_loss', 'CRITICAL', 10, 0.4000, '2026-01-05 09:00')""")

        def close_position(c):
            c.execute("""INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity,
                                                status, realized_pnl, created_at)
                         VALUES (4, 'M3', 'kalshi', 'yes', 0.5000, 0, 'closed', -1, '2026-01-05 09:00')""")
            c.execute("UPDATE positions SET row_current_ind = FALSE, row_end_ts = '2026-01-05 09:00' "
                      "WHERE position_id = 4 AND status = 'open'")

        second_writer_waits_for_first(url, closing, lambda c: set_market_row(
            c, "M3", "settled", "2026-01-05 12:00", settlement="1.0000"), then=close_position)
        with closing.cursor() as c:
            assert str(exit_fact(c, "stop_loss", 4)[-1]["held_value"]) == "1.0000"
            assert_exit_summaries_current(c)
    finally:
        closing.close()


def test_an_existing_database_gets_its_exit_summaries_once(databases):
    url = databases.create("exit_backfill", rows=EXIT_ROWS)
    conn = psycopg2.connect(schema.dsn(url))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("TRUNCATE exit_orders, exit_facts, exit_position_facts")
        schema.apply_schema(url)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM exit_orders), (SELECT count(*) FROM exit_facts), "
                        "(SELECT count(*) FROM exit_position_facts)")
            assert cur.fetchone() == (7, 7, 9)
            assert_exit_summaries_current(cur)
    finally:
        conn.close()


def test_an_upgraded_database_fills_its_summaries_with_the_new_functions(databases):
    """schema.sql fills empty summaries only after it has redefined every summary function: a fill
    fires other summaries' triggers (market_closes' write exit_facts), so an earlier fill would run
    the database's previous version of a function defined further down."""
    url = databases.create("summary_upgrade", rows=EXIT_ROWS)
    conn = psycopg2.connect(schema.dsn(url))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("""SELECT format('%I(%s)', p.proname, pg_get_function_arguments(p.oid)) FROM pg_proc p
                           WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE '%\\_recompute'""")
            previous = [signature for (signature,) in cur.fetchall()]
            assert len(previous) >= 6
            for signature in previous:  # the previous version of each: refuses to run
                cur.execute(f"CREATE OR REPLACE FUNCTION {signature} RETURNS void LANGUAGE plpgsql AS "
                            f"$$ BEGIN RAISE EXCEPTION 'the previous version of {signature} ran'; END $$")
            cur.execute("TRUNCATE position_facts, market_closes, edge_decay_facts, exit_orders, exit_facts, "
                        "exit_position_facts, calibration_points")
        schema.apply_schema(url)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM market_closes), (SELECT count(*) FROM exit_facts), "
                        "(SELECT count(*) FROM position_facts)")
            assert all(cur.fetchone())
            assert_exit_summaries_current(cur)
            assert_summaries_current(cur)  # position_facts, market_closes, edge_decay_facts
    finally:
        conn.close()


FILTERED = ("exits_breakdown", "exits_steps", "exits_walking", "exits_fill_rate", "exits_never_filled",
            "exits_reconciliation")
NO_FILTER = dict(since=None, until=None, platform=None, strategy_id=None, model_id=None, exit_condition=None,
                 priority=None, max_rows=500)


def scanned_functions(plan: dict) -> list[str]:
    """The functions a plan (EXPLAIN FORMAT JSON node) reads with a Function Scan, anywhere in it."""
    found = [plan["Function Name"]] if plan["Node Type"] == "Function Scan" else []
    return found + [name for child in plan.get("Plans", []) for name in scanned_functions(child)]


@pytest.mark.parametrize("filters", [{}, {"platform": "kalshi", "strategy_id": 1, "model_id": 1},
                                     {"since": "2026-01-02", "until": "2026-01-03", "exit_condition": "stop_loss",
                                      "priority": "CRITICAL"}])
def test_the_exits_filter_functions_are_inlined(exits_world, filters):
    """exits_matching, exit_orders_matching, exit_attempts_matching and exit_positions_matching are
    plain SQL functions: the planner must see through them (no Function Scan), or every filter
    would run over the whole table before the query's own conditions and indexes apply."""
    engine = sa.create_engine(sa.engine.make_url(exits_world).set(drivername="postgresql+psycopg2"))
    try:
        with engine.connect() as conn:
            for name in FILTERED:
                plan = conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + strip_comments(sql_text(name).text)),
                                    {**NO_FILTER, **filters}).scalar()[0]["Plan"]
                assert [f for f in scanned_functions(plan) if f != "unnest"] == [], name
    finally:
        engine.dispose()
