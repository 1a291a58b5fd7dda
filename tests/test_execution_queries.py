"""Execution quality and how far positions ran (issue #24) on a small hand-made database whose
answers are worked out by hand below. Prices are those of the contract held.

Market MA (kalshi), quotes (yes / no):  09:00 0.38/0.64, 10:00 0.40/0.62, 10:30 0.50/0.52,
  11:00 0.30/0.72, 12:00 0.55/0.47, 13:00 settled YES (1/0). Edges E1 (S1) and E2 (S2), both at 10:00
  with market_price 0.40 (the YES price).
  PA  YES 10 @ 0.42, opened 10:00, buy on E1 (limit). Stop loss (CRITICAL): first attempt 11:00:05 limit
      0.29 fails, then a market order fills at 0.28 (11:00:10). Closed.
  PB  NO 20 @ 0.61, opened 10:00, buy on E2 (market). Partial exit target (MEDIUM) 10 @ 0.70: one
      attempt at 11:00:15 that fills (exit at 11:00:20). An edge_disappeared order (HIGH) for the other
      10 at 12:00:05 never fills; held to settlement (NO pays 0).
  PC  YES 10 @ 0.50, opened 10:30, a buy without an edge (no entry row). Profit target (MEDIUM) 10 @
      0.55: one attempt at 12:00:30 that fills at once. Closed.

Slippage (cents per contract, + = cost):
  entries: PA 0.42 - 0.40 = +2 ($0.20); PB 0.61 - 0.62 (the NO quote the edge was priced on) = -1 (-$0.20)
  exits:   PA 0.30 (quote at 11:00:05) - 0.28 = +2 ($0.20); PB 0.72 - 0.70 = +2 ($0.20);
           PB never filled (counted, not measured); PC 0.55 - 0.55 = 0
Excursions (window opening -> exit; worst/best include the entry and exit prices):
  PA stop: quotes 0.40, 0.50, 0.30; worst 0.28, best 0.50: MAE -14, MFE +8, efficiency -0.14/0.08 = -1.75;
     after the exit 0.55 and YES paid 1: recovered.
  PB target: NO quotes 0.62, 0.52, 0.72; worst 0.52, best 0.72: MAE -9, MFE +11, efficiency 0.09/0.11;
     after: 0.47, NO paid 0: best after 0.47, did not leave most of the run.
  PC target: quotes 0.50, 0.30, 0.55; worst 0.30, best 0.55: MAE -20, MFE +5, efficiency 1; after: YES
     paid 1, so 0.05 < (1 - 0.50) / 2: left most of the run.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from analytics import execution as ex
from queries import exits, trades

D = Decimal

EXECUTION_ROWS = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES ('kalshi', 'trading', 'Kalshi');
INSERT INTO events (event_id, platform_id, external_id, category, title, status)
VALUES ('EV1', 'kalshi', 'ev1', 'sports', 'BUF at KC', 'final');
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts) VALUES
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 0.3800, 0.6400, 'open', NULL, '2026-01-01 09:00', FALSE, '2026-01-01 10:00'),
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 0.4000, 0.6200, 'open', NULL, '2026-01-01 10:00', FALSE, '2026-01-01 10:30'),
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 0.5000, 0.5200, 'open', NULL, '2026-01-01 10:30', FALSE, '2026-01-01 11:00'),
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 0.3000, 0.7200, 'open', NULL, '2026-01-01 11:00', FALSE, '2026-01-01 12:00'),
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 0.5500, 0.4700, 'open', NULL, '2026-01-01 12:00', FALSE, '2026-01-01 13:00'),
    ('MA', 'kalshi', 'EV1', 'ma', 'MA-T', 'Will KC win?', 1.0000, 0.0000, 'settled', 1.0000, '2026-01-01 13:00', TRUE, NULL);
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status) VALUES
    (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{}', 'active');
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, config, status) VALUES
    (1, 'halftime_entry', 'v1.0', 'entry', '{}', 'active'), (2, 'halftime_entry', 'v1.1', 'entry', '{}', 'active');
INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price, created_at) VALUES
    (1, 'MA', 1, 1, 0.0800, 0.4800, 0.3922, 0.4000, '2026-01-01 10:00'),
    (2, 'MA', 2, 1, 0.0600, 0.4000, 0.3922, 0.4000, '2026-01-01 10:00');

INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, realized_pnl,
                       created_at, row_current_ind, row_end_ts) VALUES
    (1, 'MA', 'kalshi', 'yes', 0.4200, 10, 'open', NULL, '2026-01-01 10:00', FALSE, '2026-01-01 11:00:10'),
    (1, 'MA', 'kalshi', 'yes', 0.4200, 0, 'closed', -1.4, '2026-01-01 11:00:10', TRUE, NULL),
    (2, 'MA', 'kalshi', 'no', 0.6100, 20, 'open', NULL, '2026-01-01 10:00', FALSE, '2026-01-01 11:00:20'),
    (2, 'MA', 'kalshi', 'no', 0.6100, 10, 'open', 0.9, '2026-01-01 11:00:20', FALSE, '2026-01-01 13:00'),
    (2, 'MA', 'kalshi', 'no', 0.6100, 10, 'settled', -5.2, '2026-01-01 13:00', TRUE, NULL),
    (3, 'MA', 'kalshi', 'yes', 0.5000, 10, 'open', NULL, '2026-01-01 10:30', FALSE, '2026-01-01 12:00:30'),
    (3, 'MA', 'kalshi', 'yes', 0.5000, 0, 'closed', 0.5, '2026-01-01 12:00:30', TRUE, NULL);

INSERT INTO trades (trade_id, market_id, platform_id, position_id, edge_id, strategy_id, model_id, side, price, quantity,
                    order_type, created_at) VALUES
    (1, 'MA', 'kalshi', 1, 1, 1, 1, 'buy', 0.4200, 10, 'limit', '2026-01-01 10:00'),
    (2, 'MA', 'kalshi', 2, 2, 2, 1, 'buy', 0.6100, 20, 'market', '2026-01-01 10:00'),
    (3, 'MA', 'kalshi', 3, NULL, 1, 1, 'buy', 0.5000, 10, 'limit', '2026-01-01 10:30'),
    (4, 'MA', 'kalshi', 1, NULL, 1, 1, 'sell', 0.2800, 10, 'market', '2026-01-01 11:00:10'),
    (5, 'MA', 'kalshi', 2, NULL, 2, 1, 'sell', 0.7000, 10, 'limit', '2026-01-01 11:00:20'),
    (6, 'MA', 'kalshi', 3, NULL, 1, 1, 'sell', 0.5500, 10, 'limit', '2026-01-01 12:00:30');

INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price, created_at) VALUES
    (1, 'stop_loss', 'CRITICAL', 10, 0.2800, '2026-01-01 11:00:10'),
    (2, 'partial_exit_target', 'MEDIUM', 10, 0.7000, '2026-01-01 11:00:20'),
    (3, 'profit_target', 'MEDIUM', 10, 0.5500, '2026-01-01 12:00:30');

INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, fill_price, quantity,
                           attempt_number, timeout_seconds, success, created_at) VALUES
    (1, 'stop_loss', 'CRITICAL', 'limit', 0.2900, NULL, 10, 1, 5, FALSE, '2026-01-01 11:00:05'),
    (1, 'stop_loss', 'CRITICAL', 'market', NULL, 0.2800, 10, 2, 5, TRUE, '2026-01-01 11:00:10'),
    (2, 'partial_exit_target', 'MEDIUM', 'limit', 0.7000, 0.7000, 10, 1, 30, TRUE, '2026-01-01 11:00:15'),
    (2, 'edge_disappeared', 'HIGH', 'limit', 0.4800, NULL, 10, 1, 10, FALSE, '2026-01-01 12:00:05'),
    (3, 'profit_target', 'MEDIUM', 'limit', 0.5500, 0.5500, 10, 1, 30, TRUE, '2026-01-01 12:00:30');

INSERT INTO settlements (market_id, platform_id, outcome, payout, created_at) VALUES ('MA', 'kalshi', 'yes', 0, '2026-01-01 13:00');
"""
STRATEGIES = {1: "halftime_entry v1.0", 2: "halftime_entry v1.1"}


@pytest.fixture(scope="module")
def execution_url(databases) -> str:
    return databases.create("execution", rows=EXECUTION_ROWS)


@pytest.fixture
def execution_db(execution_url, point_app_at):
    return point_app_at(execution_url)


def _group(table, kind, by, group):
    found = table[(table.kind == kind) & (table.by == by) & (table.group == group)]
    assert len(found) == 1, (kind, by, group)
    return found.iloc[0]


def test_slippage_of_every_entry_and_exit_order(execution_db):
    ledger = ex.with_slippage(exits.slippage_ledger())
    by_order = {(r.order_kind, r.position_id, r.exit_condition): r for r in ledger.itertuples()}
    assert set(by_order) == {("entry", 1, None), ("entry", 2, None), ("exit", 1, "stop_loss"),
                             ("exit", 2, "partial_exit_target"), ("exit", 2, "edge_disappeared"),
                             ("exit", 3, "profit_target")}           # PC's buy had no edge: no entry row
    assert by_order[("entry", 1, None)].slippage_cents == D("2.0000")
    assert by_order[("entry", 1, None)].slippage_cost == D("0.2000")
    # a NO entry against the NO quote its edge was priced on (0.62), not 1 - the YES price (0.60)
    assert by_order[("entry", 2, None)].decision_price == D("0.6200")
    assert by_order[("entry", 2, None)].slippage_cents == D("-1.0000")
    assert by_order[("entry", 2, None)].slippage_cost == D("-0.2000")
    # an exit against the quote in force at its first attempt (11:00's 0.30), not its first limit (0.29)
    assert by_order[("exit", 1, "stop_loss")].decision_price == D("0.3000")
    assert by_order[("exit", 1, "stop_loss")].slippage_cents == D("2.0000")
    assert by_order[("exit", 2, "partial_exit_target")].slippage_cost == D("0.2000")
    never = by_order[("exit", 2, "edge_disappeared")]
    assert (never.filled, never.slippage_cents, never.decision_price) == (False, None, D("0.4700"))
    assert by_order[("exit", 3, "profit_target")].slippage_cents == D("0.0000")
    assert list(ledger.decided_at) == sorted(ledger.decided_at, reverse=True)


def test_slippage_grouped_with_median_p90_cost_and_share_at_or_better(execution_db):
    table = ex.slippage_table(exits.slippage(), STRATEGIES)
    everything = _group(table, "All orders", "All", "all")
    assert (everything.orders, everything.never_filled, everything.measured) == (6, 1, 5)
    # -1, 0, 2, 2, 2 cents
    assert everything.median_cents == D("2.00") and everything.p90_cents == D("2.00")
    assert everything.total_cost == D("0.4000")
    assert (everything.at_or_better, everything.share_at_or_better) == (2, D("0.4000"))
    entries = _group(table, "Entries", "All", "all")
    assert (entries.orders, entries.never_filled, entries.measured) == (2, 0, 2)
    assert entries.median_cents == D("0.50")            # (-1 + 2) / 2
    assert entries.p90_cents == D("1.70")               # -1 + 0.9 x 3
    assert entries.total_cost == D("0.0000") and entries.share_at_or_better == D("0.5000")
    exits_total = _group(table, "Exits", "All", "all")
    assert (exits_total.orders, exits_total.never_filled, exits_total.measured) == (4, 1, 3)
    assert exits_total.median_cents == D("2.00") and exits_total.total_cost == D("0.4000")
    assert exits_total.share_at_or_better == D("0.3333")
    assert _group(table, "Entries", "Order type", "market").median_cents == D("-1.00")
    assert _group(table, "Entries", "Strategy version", "halftime_entry v1.0").total_cost == D("0.2000")
    # exits follow the position's opening versions: PA and PC are S1, PB's two orders S2
    assert _group(table, "Exits", "Strategy version", "halftime_entry v1.0").orders == 2
    high = _group(table, "Exits", "Exit priority", "HIGH")
    assert (high.orders, high.never_filled, high.measured, high.median_cents) == (1, 1, 0, None)
    medium = _group(table, "Exits", "Exit priority", "MEDIUM")
    assert (medium.orders, medium.median_cents, medium.at_or_better) == (2, D("1.00"), 1)
    assert _group(table, "Exits", "Platform", "kalshi").orders == 4
    assert not ((table.kind == "Entries") & (table.by == "Exit priority")).any()
    assert list(table.kind.drop_duplicates()) == ["All orders", "Entries", "Exits"]


def test_slippage_filters(execution_db):
    table = ex.slippage_table(exits.slippage(strategy_id=2), STRATEGIES)
    assert _group(table, "All orders", "All", "all").orders == 3      # PB's entry and its two exit orders
    # a condition or a priority selects exit orders only
    totals = ex.slippage_totals(exits.slippage(priority="CRITICAL"))
    assert set(totals) == {"all", "exit"} and totals["exit"].orders == 1
    assert exits.slippage_ledger(exit_condition="stop_loss").order_kind.tolist() == ["exit"]


def test_the_stored_answer_equals_the_function(execution_url):
    from tests.conftest import rows
    rows(execution_url, "SELECT refresh_stored_answers(interval '0')")
    for name, args in (("execution_slippage", "NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
                       ("exits_excursions", "NULL, NULL, NULL, NULL, NULL, NULL, NULL")):
        assert sorted(rows(execution_url, f"SELECT * FROM {name}_stored"), key=repr) == \
            sorted(rows(execution_url, f"SELECT * FROM {name}({args})"), key=repr)


def test_a_trade_detail_shows_its_positions_orders(execution_db):
    orders = ex.with_slippage(trades.position_slippage(2))
    assert orders.order_kind.tolist() == ["entry", "exit", "exit"]
    assert orders.slippage_cents.tolist() == [D("-1.0000"), D("2.0000"), None]
    assert trades.position_slippage(99).empty


def test_mae_mfe_and_efficiency_of_every_exit(execution_db):
    points = ex.with_excursions(exits.excursion_points())
    by_position = {r.position_id: r for r in points.itertuples()}
    pa, pb, pc = by_position[1], by_position[2], by_position[3]
    assert (pa.worst_price, pa.best_price) == (D("0.2800"), D("0.5000"))
    assert (pa.mae_cents, pa.mfe_cents, pa.efficiency) == (D("-14.0000"), D("8.0000"), D("-1.75"))
    assert round(pa.mae_share, 4) == D("-0.3333")
    assert pa.best_after == D("1.0000")                 # quoted 0.55 after the stop, and YES paid 1
    assert (pb.mae_cents, pb.mfe_cents) == (D("-9.0000"), D("11.0000"))   # the NO contract's quotes
    assert round(pb.efficiency, 4) == D("0.8182")
    assert pb.best_after == D("0.4700")
    assert (pc.mae_cents, pc.mfe_cents, pc.efficiency) == (D("-20.0000"), D("5.0000"), D("1"))
    assert round(pc.exit_return, 4) == D("0.1000")


def test_excursions_by_exit_condition(execution_db):
    rows, total = ex.excursion_table(exits.excursions())
    by_condition = {r.exit_condition: r for r in rows.itertuples()}
    assert set(by_condition) == {"stop_loss", "partial_exit_target", "profit_target"}
    stop = by_condition["stop_loss"]
    assert (stop.stops_measured, stop.stops_recovered, stop.recovered_share) == (1, 1, D(1))
    assert (by_condition["partial_exit_target"].targets_measured, by_condition["partial_exit_target"].targets_left_most) == (1, 0)
    assert (by_condition["profit_target"].targets_measured, by_condition["profit_target"].targets_left_most) == (1, 1)
    assert (total.exits, total.contracts) == (3, 30)
    assert total.median_mae_cents == D("-14.00") and total.median_mfe_cents == D("8.00")
    assert total.p90_mae_cents == D("-18.80")           # the 10th percentile of -20, -14, -9
    assert total.median_efficiency == D("0.8182")
    assert total.left_most_share == D("0.5")
    said = ex.findings(total)
    assert said[0].startswith("Stops that sold at a loss and would have recovered: 1 of 1 (100%)")
    assert "1 of 2 (50%)" in said[1]
    assert ex.excursion_table(exits.excursions(priority="LOW"))[1] is None


def test_after_the_exit_is_known_once_the_market_closes(execution_url):
    """While a market is open nothing after an exit is known: best_after stays empty and the stop is not
    judged. The writers keep exit_excursions: a later quote changes nothing until the market closes,
    and the close fills it in (the held side's settlement counts)."""
    from tests.conftest import rolled_back_cursor
    with rolled_back_cursor(execution_url) as cur:
        cur.execute("""
            INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                 status, created_at, row_current_ind, row_end_ts) VALUES
                ('MB', 'kalshi', 'EV1', 'mb', 'MB-T', 'KC by 7+?', 0.5000, 0.5200, 'open', '2026-01-02 09:00', FALSE,
                 '2026-01-02 09:20'),
                ('MB', 'kalshi', 'EV1', 'mb', 'MB-T', 'KC by 7+?', 0.4100, 0.6100, 'open', '2026-01-02 09:20', TRUE, NULL);
            INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, created_at,
                                   row_current_ind, row_end_ts) VALUES
                (4, 'MB', 'kalshi', 'yes', 0.5000, 10, 'open', '2026-01-02 09:00', FALSE, '2026-01-02 09:30'),
                (4, 'MB', 'kalshi', 'yes', 0.5000, 0, 'closed', '2026-01-02 09:30', TRUE, NULL);
            INSERT INTO trades (trade_id, market_id, platform_id, position_id, strategy_id, model_id, side, price, quantity,
                                created_at)
            VALUES (7, 'MB', 'kalshi', 4, 1, 1, 'buy', 0.5000, 10, '2026-01-02 09:00');
            INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price, created_at)
            VALUES (4, 'stop_loss', 'CRITICAL', 10, 0.4000, '2026-01-02 09:30');""")
        after = "SELECT worst_price, best_price, best_after, market_closed_at IS NOT NULL FROM exit_excursions WHERE position_id = 4"
        cur.execute(after)
        assert cur.fetchall() == [(D("0.4000"), D("0.5000"), None, False)]
        cur.execute("SELECT stops_measured FROM exits_excursions(NULL, NULL, NULL, NULL, NULL, 'stop_loss', NULL) "
                    "WHERE exit_condition IS NULL")
        assert cur.fetchone() == (1,)                   # PA only
        cur.execute("""
            INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                 status, created_at) VALUES
                ('MB', 'kalshi', 'EV1', 'mb', 'MB-T', 'KC by 7+?', 0.6000, 0.4200, 'open', '2026-01-02 10:00');
            UPDATE markets SET row_current_ind = FALSE, row_end_ts = '2026-01-02 10:00'
             WHERE market_id = 'MB' AND created_at = '2026-01-02 09:20';""")
        cur.execute(after)
        assert cur.fetchall() == [(D("0.4000"), D("0.5000"), None, False)]
        cur.execute("""
            INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                 status, settlement_value, created_at) VALUES
                ('MB', 'kalshi', 'EV1', 'mb', 'MB-T', 'KC by 7+?', 0.0000, 1.0000, 'settled', 0.0000, '2026-01-02 11:00');
            UPDATE markets SET row_current_ind = FALSE, row_end_ts = '2026-01-02 11:00'
             WHERE market_id = 'MB' AND created_at = '2026-01-02 10:00';""")
        cur.execute(after)
        # YES settled at 0, but it was quoted 0.60 after the stop: it would have recovered
        assert cur.fetchall() == [(D("0.4000"), D("0.5000"), D("0.6000"), True)]
        cur.execute("SELECT stops_measured, stops_recovered FROM exits_excursions(NULL, NULL, NULL, NULL, NULL, "
                    "'stop_loss', NULL) WHERE exit_condition IS NULL")
        assert cur.fetchone() == (2, 2)
