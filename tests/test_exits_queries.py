"""The Position exits queries on a small hand-made database whose answers are worked out by hand.

The world (all times 2026-01-0x, UTC; prices are those of the contract held):
  M1 kalshi, settled YES (1); M2 polymarket, settled YES = 0 (so NO pays 1); M3 kalshi, still open.
  P1  M1 yes 100 @ 0.40 (S1, m1): partial_exit_target 50 @ 0.60 (10:30), trailing_stop 50 @ 0.55 (12:00); closed.
  P2  M2 no   40 @ 0.70 (S2, m2): stop_loss 40 @ 0.50 (09:20); closed.         The stop cost $20.
  P3  M2 yes  20 @ 0.30 (S1, m2): stop_loss 20 @ 0.20 (09:40); closed.         The stop saved $4.
  P4  M3 yes  10 @ 0.50 (S2, m1): open, no exits; an exit order that never filled.
  P5  M1 yes  30 @ 0.50 (S1, m1): partial exits 10 @ 0.70 (11:30) and 5 @ 0.72 (11:31), whose
      order runs overlap in time; 15 held to settlement.
  Broken, for the reconciliation:
  P6  M3 yes  50 @ 0.40: closed, but its one exit (profit_target 30 @ 0.50) leaves 20 unaccounted.
  P7  M3 no   25 @ 0.45: closed without any exit.
  P8  M3 yes   5 @ 0.50: settled, but M3 has no settlement.
  P9  M3 yes  10 @ 0.50: open, but its current row holds nothing (and no exit took the 10).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from analytics import exits as ax
from queries import connection, exits

EXIT_ROWS = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES
    ('kalshi', 'trading', 'Kalshi'), ('polymarket', 'trading', 'Polymarket');
INSERT INTO events (event_id, platform_id, external_id, category, title, status)
VALUES ('EV1', 'kalshi', 'ev1', 'sports', 'BUF at KC', 'final');
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts) VALUES
    ('M1', 'kalshi', 'EV1', 'm1', 'M1-T', 'Will KC win?', 0.3500, 0.6600, 'open', NULL, '2026-01-01 09:00', FALSE, '2026-01-01 10:00'),
    ('M1', 'kalshi', 'EV1', 'm1', 'M1-T', 'Will KC win?', 0.4000, 0.6100, 'open', NULL, '2026-01-01 10:00', FALSE, '2026-01-01 10:30'),
    ('M1', 'kalshi', 'EV1', 'm1', 'M1-T', 'Will KC win?', 0.6000, 0.4100, 'open', NULL, '2026-01-01 10:30', FALSE, '2026-01-01 12:00'),
    ('M1', 'kalshi', 'EV1', 'm1', 'M1-T', 'Will KC win?', 0.5500, 0.4600, 'open', NULL, '2026-01-01 12:00', FALSE, '2026-01-01 14:00'),
    ('M1', 'kalshi', 'EV1', 'm1', 'M1-T', 'Will KC win?', 1.0000, 0.0000, 'settled', 1.0000, '2026-01-01 14:00', TRUE, NULL),
    ('M2', 'polymarket', 'EV1', 'm2', 'M2-T', 'Over 45.5 points?', 0.3000, 0.7000, 'open', NULL, '2026-01-02 09:00', FALSE, '2026-01-02 09:30'),
    ('M2', 'polymarket', 'EV1', 'm2', 'M2-T', 'Over 45.5 points?', 0.2000, 0.8000, 'open', NULL, '2026-01-02 09:30', FALSE, '2026-01-02 12:00'),
    ('M2', 'polymarket', 'EV1', 'm2', 'M2-T', 'Over 45.5 points?', 0.0000, 1.0000, 'settled', 0.0000, '2026-01-02 12:00', TRUE, NULL),
    ('M3', 'kalshi', 'EV1', 'm3', 'M3-T', 'KC by 7+?', 0.4500, 0.5600, 'open', NULL, '2026-01-03 08:00', TRUE, NULL);
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status) VALUES
    (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{}', 'active'), (2, 'elo_nfl', 'v2.0', 'elo', 'nfl', '{}', 'active');
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, config, status) VALUES
    (1, 'halftime_entry', 'v1.0', 'entry', '{}', 'active'), (2, 'halftime_entry', 'v1.1', 'entry', '{}', 'active');

INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, current_price,
                       unrealized_pnl, unrealized_pnl_pct, realized_pnl, last_update, trailing_stop_state,
                       created_at, row_current_ind, row_end_ts) VALUES
    (1, 'M1', 'kalshi', 'yes', 0.4000, 100, 'open', 0.4000, 0, 0, NULL, '2026-01-01 10:00',
     '{"active": false, "current_stop_price": null, "peak_price": 0.40}', '2026-01-01 10:00', FALSE, '2026-01-01 10:30'),
    (1, 'M1', 'kalshi', 'yes', 0.4000, 50, 'open', 0.6000, 10, 0.5, 10, '2026-01-01 10:30',
     '{"active": true, "current_stop_price": 0.55, "peak_price": 0.60}', '2026-01-01 10:30', FALSE, '2026-01-01 12:00'),
    (1, 'M1', 'kalshi', 'yes', 0.4000, 0, 'closed', 0.5500, 0, 0.375, 17.5, '2026-01-01 12:00',
     '{"active": true, "current_stop_price": 0.56, "peak_price": 0.61}', '2026-01-01 12:00', TRUE, NULL),
    (2, 'M2', 'polymarket', 'no', 0.7000, 40, 'open', 0.7000, 0, 0, NULL, '2026-01-02 09:00', NULL, '2026-01-02 09:00', FALSE, '2026-01-02 09:20'),
    (2, 'M2', 'polymarket', 'no', 0.7000, 0, 'closed', 0.5000, 0, -0.2857, -8, '2026-01-02 09:20', NULL, '2026-01-02 09:20', TRUE, NULL),
    (3, 'M2', 'polymarket', 'yes', 0.3000, 20, 'open', 0.3000, 0, 0, NULL, '2026-01-02 09:05', NULL, '2026-01-02 09:05', FALSE, '2026-01-02 09:40'),
    (3, 'M2', 'polymarket', 'yes', 0.3000, 0, 'closed', 0.2000, 0, -0.3333, -2, '2026-01-02 09:40', NULL, '2026-01-02 09:40', TRUE, NULL),
    (4, 'M3', 'kalshi', 'yes', 0.5000, 10, 'open', 0.4500, -0.5, -0.1, 0, '2026-01-03 09:00:10',
     '{"active": false, "current_stop_price": null, "peak_price": 0.52}', '2026-01-03 08:00', TRUE, NULL),
    (5, 'M1', 'kalshi', 'yes', 0.5000, 30, 'open', 0.5000, 0, 0, NULL, '2026-01-01 11:00', NULL, '2026-01-01 11:00', FALSE, '2026-01-01 11:30'),
    (5, 'M1', 'kalshi', 'yes', 0.5000, 20, 'open', 0.7000, 4, 0.4, 2, '2026-01-01 11:30', NULL, '2026-01-01 11:30', FALSE, '2026-01-01 11:31'),
    (5, 'M1', 'kalshi', 'yes', 0.5000, 15, 'open', 0.7200, 3.3, 0.44, 3.1, '2026-01-01 11:31', NULL, '2026-01-01 11:31', FALSE, '2026-01-01 14:00'),
    (5, 'M1', 'kalshi', 'yes', 0.5000, 15, 'settled', 1.0000, 0, 1, 10.6, '2026-01-01 14:00', NULL, '2026-01-01 14:00', TRUE, NULL),
    (6, 'M3', 'kalshi', 'yes', 0.4000, 50, 'open', 0.4000, 0, 0, NULL, '2026-01-04 08:00', NULL, '2026-01-04 08:00', FALSE, '2026-01-04 10:00'),
    (6, 'M3', 'kalshi', 'yes', 0.4000, 0, 'closed', 0.5000, 0, 0.25, 3, '2026-01-04 10:00', NULL, '2026-01-04 10:00', TRUE, NULL),
    (7, 'M3', 'kalshi', 'no', 0.4500, 25, 'open', 0.4500, 0, 0, NULL, '2026-01-04 08:00', NULL, '2026-01-04 08:00', FALSE, '2026-01-04 09:00'),
    (7, 'M3', 'kalshi', 'no', 0.4500, 0, 'closed', 0.4500, 0, 0, 0, '2026-01-04 09:00', NULL, '2026-01-04 09:00', TRUE, NULL),
    (8, 'M3', 'kalshi', 'yes', 0.5000, 5, 'settled', 1.0000, 0, 1, 2.5, '2026-01-04 08:00', NULL, '2026-01-04 08:00', TRUE, NULL),
    (9, 'M3', 'kalshi', 'yes', 0.5000, 10, 'open', 0.5000, 0, 0, NULL, '2026-01-03 08:00', NULL, '2026-01-03 08:00', FALSE, '2026-01-03 08:58'),
    (9, 'M3', 'kalshi', 'yes', 0.5000, 0, 'open', 0.4500, 0, -0.1, 0, '2026-01-03 08:58',
     '{"active": "yes", "current_stop_price": "oops"}', '2026-01-03 08:58', TRUE, NULL);

INSERT INTO trades (market_id, platform_id, position_id, strategy_id, model_id, side, price, quantity, created_at) VALUES
    ('M1', 'kalshi', 1, 1, 1, 'buy', 0.4000, 100, '2026-01-01 10:00'),
    ('M2', 'polymarket', 2, 2, 2, 'buy', 0.7000, 40, '2026-01-02 09:00'),
    ('M2', 'polymarket', 3, 1, 2, 'buy', 0.3000, 20, '2026-01-02 09:05'),
    ('M3', 'kalshi', 4, 2, 1, 'buy', 0.5000, 10, '2026-01-03 08:00'),
    ('M1', 'kalshi', 5, 1, 1, 'buy', 0.5000, 30, '2026-01-01 11:00'),
    ('M3', 'kalshi', 6, 1, 1, 'buy', 0.4000, 50, '2026-01-04 08:00'),
    ('M3', 'kalshi', 7, 1, 1, 'buy', 0.4500, 25, '2026-01-04 08:00'),
    ('M3', 'kalshi', 8, 1, 1, 'buy', 0.5000, 5, '2026-01-04 08:00'),
    ('M3', 'kalshi', 9, 1, 1, 'buy', 0.5000, 10, '2026-01-03 08:00'),
    -- a later sell carries other versions: attribution must follow the opening buy
    ('M1', 'kalshi', 1, 2, 2, 'sell', 0.6000, 50, '2026-01-01 10:30');

INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price, created_at) VALUES
    (1, 'partial_exit_target', 'MEDIUM', 50, 0.6000, '2026-01-01 10:30'),
    (1, 'trailing_stop', 'HIGH', 50, 0.5500, '2026-01-01 12:00'),
    (2, 'stop_loss', 'CRITICAL', 40, 0.5000, '2026-01-02 09:20'),
    (3, 'stop_loss', 'CRITICAL', 20, 0.2000, '2026-01-02 09:40'),
    (5, 'partial_exit_target', 'MEDIUM', 10, 0.7000, '2026-01-01 11:30'),
    (5, 'partial_exit_target', 'MEDIUM', 5, 0.7200, '2026-01-01 11:31'),
    (6, 'profit_target', 'MEDIUM', 30, 0.5000, '2026-01-04 10:00');

INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, fill_price, quantity,
                           attempt_number, timeout_seconds, success, created_at) VALUES
    -- P1 run A: 0.62 -> 0.61 -> fills at 0.60 after 60 s
    (1, 'partial_exit_target', 'MEDIUM', 'limit', 0.6200, NULL, 50, 1, 30, FALSE, '2026-01-01 10:29:00'),
    (1, 'partial_exit_target', 'MEDIUM', 'limit', 0.6100, NULL, 50, 2, 30, FALSE, '2026-01-01 10:29:30'),
    (1, 'partial_exit_target', 'MEDIUM', 'limit', 0.6000, 0.6000, 50, 3, 30, TRUE, '2026-01-01 10:30:00'),
    -- P1 run B: 0.56 -> fills at 0.55 after 10 s
    (1, 'trailing_stop', 'HIGH', 'limit', 0.5600, NULL, 50, 1, 10, FALSE, '2026-01-01 11:59:50'),
    (1, 'trailing_stop', 'HIGH', 'limit', 0.5500, 0.5500, 50, 2, 10, TRUE, '2026-01-01 12:00:00'),
    -- P2 run C: limit 0.52, then a market order fills at 0.50 after 5 s
    (2, 'stop_loss', 'CRITICAL', 'limit', 0.5200, NULL, 40, 1, 5, FALSE, '2026-01-02 09:19:55'),
    (2, 'stop_loss', 'CRITICAL', 'market', NULL, 0.5000, 40, 2, 5, TRUE, '2026-01-02 09:20:00'),
    -- P3 run D: fills at once
    (3, 'stop_loss', 'CRITICAL', 'limit', 0.2000, 0.2000, 20, 1, 5, TRUE, '2026-01-02 09:40:00'),
    -- P4 run E: never fills
    (4, 'edge_disappeared', 'HIGH', 'limit', 0.5500, NULL, 10, 1, 10, FALSE, '2026-01-03 09:00:00'),
    (4, 'edge_disappeared', 'HIGH', 'limit', 0.5400, NULL, 10, 2, 10, FALSE, '2026-01-03 09:00:10'),
    -- P5 runs X (10 contracts, 60 s) and Y (5 contracts, 75 s), interleaved in time
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7200, NULL, 10, 1, 30, FALSE, '2026-01-01 11:29:00'),
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7100, NULL, 10, 2, 30, FALSE, '2026-01-01 11:29:30'),
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7400, NULL, 5, 1, 30, FALSE, '2026-01-01 11:29:45'),
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7000, 0.7000, 10, 3, 30, TRUE, '2026-01-01 11:30:00'),
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7300, NULL, 5, 2, 30, FALSE, '2026-01-01 11:30:15'),
    (5, 'partial_exit_target', 'MEDIUM', 'limit', 0.7200, 0.7200, 5, 3, 30, TRUE, '2026-01-01 11:31:00');

INSERT INTO settlements (market_id, platform_id, outcome, payout, created_at) VALUES
    ('M1', 'kalshi', 'yes', 15, '2026-01-01 14:00'),
    ('M2', 'polymarket', 'no', 0, '2026-01-02 12:00');
"""


@pytest.fixture(scope="session")
def exits_url(databases) -> str:
    return databases.create("exits", rows=EXIT_ROWS)


@pytest.fixture
def exits_db(exits_url, point_app_at):
    """The app's queries pointed at the hand-made database, with empty caches."""
    return point_app_at(exits_url)


D = Decimal


def _rows(frame, key):
    return {r[key]: r for r in frame.to_dict("records")}


# --- breakdown -----------------------------------------------------------------------------------
def test_breakdown_totals_by_condition_and_priority(exits_db):
    split = ax.split_breakdown(exits.breakdown())
    total = split.total
    assert (total.exits, total.positions, total.quantity_exited) == (7, 5, 205)
    assert total.realized_pnl == D("13.6000")          # 10 + 7.5 - 8 - 2 + 2 + 1.1 + 3
    detail = {(r["exit_condition"], r["exit_priority"]): r for r in split.detail.to_dict("records")}
    assert set(detail) == {("partial_exit_target", "MEDIUM"), ("trailing_stop", "HIGH"),
                           ("stop_loss", "CRITICAL"), ("profit_target", "MEDIUM")}
    partial = detail[("partial_exit_target", "MEDIUM")]
    assert (partial["exits"], partial["positions"], partial["quantity_exited"]) == (3, 2, 65)
    assert partial["realized_pnl"] == D("13.1000")
    assert partial["mean_return"] == D("0.4467")      # (0.5 + 0.4 + 0.44) / 3
    stop = detail[("stop_loss", "CRITICAL")]
    assert (stop["exits"], stop["quantity_exited"], stop["realized_pnl"]) == (2, 60, D("-10.0000"))
    assert stop["mean_return"] == D("-0.3095")         # (-0.2/0.7 - 0.1/0.3) / 2
    assert sum(r["exits"] for r in detail.values()) == total.exits


def test_holding_time_buckets(exits_db):
    split = ax.split_breakdown(exits.breakdown())
    assert split.total.held_15m_to_1h == 5              # 30, 20, 35, 30 and 31 minutes
    assert split.total.held_1h_to_6h == 2               # 2 h (P1's trailing stop), 2 h (P6)
    assert split.total.held_under_15m == split.total.held_6h_to_24h == 0
    long = ax.holding_distribution(split.detail)
    assert list(long.held.cat.categories) == list(ax.HOLDING_BUCKETS.values())
    assert long.exits.sum() == 7
    assert long[(long.exit_condition == "stop_loss") & (long.held == "15 min – 1 h")].exits.item() == 2


def test_filters_narrow_the_breakdown(exits_db):
    by_platform = ax.split_breakdown(exits.breakdown(platform="polymarket")).total
    assert (by_platform.exits, by_platform.realized_pnl) == (2, D("-10.0000"))
    # versions come from the opening buy, not from P1's later sell attributed to S2/m2
    by_strategy = ax.split_breakdown(exits.breakdown(strategy_id=2)).total
    assert (by_strategy.exits, by_strategy.realized_pnl) == (1, D("-8.0000"))
    by_model = ax.split_breakdown(exits.breakdown(model_id=2)).total
    assert by_model.exits == 2
    by_dates = ax.split_breakdown(exits.breakdown(since=datetime(2026, 1, 2), until=datetime(2026, 1, 3))).total
    assert by_dates.exits == 2
    by_condition = ax.split_breakdown(exits.breakdown(exit_condition="partial_exit_target", priority="MEDIUM")).total
    assert by_condition.quantity_exited == 65
    assert ax.split_breakdown(exits.breakdown(priority="LOW")).total is None


def test_partial_exit_steps(exits_db):
    table = ax.steps_table(exits.steps()).set_index("steps")
    assert table.loc[1, "positions"] == 3               # P2, P3, P6
    assert table.loc[1, "step_1"] == D("0.8667")        # (1 + 1 + 0.6) / 3
    assert table.loc[1, "left_after_exits"] == D("0.1333")
    assert table.loc[2, "positions"] == 2               # P1, P5
    assert table.loc[2, "step_1"] == D("0.4167")        # (0.5 + 10/30) / 2
    assert table.loc[2, "step_2"] == D("0.3333")        # (0.5 + 5/30) / 2
    assert table.loc[2, "left_after_exits"] == D("0.2500")  # (0 + 15/30) / 2
    # a position counts with all its exits when one of them passes the filters
    only_trailing = ax.steps_table(exits.steps(exit_condition="trailing_stop")).set_index("steps")
    assert list(only_trailing.index) == [2] and only_trailing.loc[2, "positions"] == 1


# --- regret --------------------------------------------------------------------------------------
def test_regret_against_holding_to_settlement(exits_db):
    split = ax.split_breakdown(exits.breakdown())
    total = split.total
    assert (total.settled_exits, total.settled_quantity) == (6, 175)   # P6's exit: M3 has not settled
    assert total.settled_exit_pnl == D("10.6000")
    assert total.settled_hold_pnl == D("73.5000")
    assert total.saved_by_exiting == D("-62.9000")
    assert (total.exits_that_saved, total.exits_that_cost) == (1, 5)
    regret = _rows(ax.regret_table(split.by_condition), "exit_condition")
    # side-aware: P2 held NO of a market that settled NO (pays 1): its stop cost (0.50 - 1) x 40;
    # P3 held YES of the same market (pays 0): its stop saved (0.20 - 0) x 20.
    assert regret["stop_loss"]["saved_by_exiting"] == D("-16.0000")
    assert regret["stop_loss"]["verdict"] == "exiting cost $16.00"  # a summary: cents (#23)
    assert regret["trailing_stop"]["saved_by_exiting"] == D("-22.5000")
    assert regret["partial_exit_target"]["saved_by_exiting"] == D("-24.4000")
    assert regret["profit_target"]["settled_exits"] == 0
    assert regret["profit_target"]["verdict"] == "no settled market yet"
    saved = _rows(exits.position_exits(3), "exit_condition")["stop_loss"]
    assert (saved["pnl"], saved["hold_pnl"], saved["saved_by_exiting"]) == (D("-2.0000"), D("-6.0000"), D("4.0000"))


# --- price walking -------------------------------------------------------------------------------
def test_walk_cost_attempts_and_time_to_fill(exits_db):
    rows, total = ax.split_total(exits.walking())
    assert (total.exit_orders, total.filled, total.never_filled, total.attempts) == (7, 6, 1, 16)
    assert total.walk_cost == D("2.6000")               # 1.00 + 0.50 + 0.80 + 0 + 0.20 + 0.10
    by = _rows(rows, "priority_level")
    assert list(rows.priority_level) == ["CRITICAL", "HIGH", "MEDIUM"]
    critical, high, medium = by["CRITICAL"], by["HIGH"], by["MEDIUM"]
    assert (critical["exit_orders"], critical["walk_cost"], critical["mean_walk_cents"]) == (2, D("0.8000"), D("1.00"))
    assert critical["mean_seconds_to_fill"] == D("2.5")   # 5 s and 0 s
    assert (high["exit_orders"], high["filled"], high["never_filled"]) == (2, 1, 1)
    assert (high["walk_cost"], high["median_seconds_to_fill"]) == (D("0.5000"), D("10.0"))
    # P5's two runs overlap in time: told apart by quantity, each walked 2 cents
    assert (medium["exit_orders"], medium["attempts"], medium["three_attempts"]) == (3, 9, 3)
    assert (medium["walk_cost"], medium["mean_walk_cents"], medium["max_walk_cents"]) == (D("1.3000"), D("2.00"), D("2.00"))
    assert (medium["median_seconds_to_fill"], medium["max_seconds_to_fill"]) == (D("60.0"), D("75.0"))


def test_fill_rate_by_priority_and_order_type(exits_db):
    rate = {(r["priority_level"], r["order_type"]): r for r in exits.fill_rate().to_dict("records")}
    assert {k: (v["attempts"], v["filled"]) for k, v in rate.items()} == {
        ("CRITICAL", "limit"): (2, 1), ("CRITICAL", "market"): (1, 1),
        ("HIGH", "limit"): (4, 1), ("MEDIUM", "limit"): (9, 3)}
    assert rate[("HIGH", "limit")]["fill_rate"] == D("0.2500")


def test_exits_that_never_filled(exits_db):
    never = exits.never_filled()
    assert never[["position_id", "exit_condition", "attempts"]].values.tolist() == [[4, "edge_disappeared", 2]]
    assert (never.first_limit_price.item(), never.lowest_limit_price.item()) == (D("0.5500"), D("0.5400"))
    assert exits.never_filled(priority="CRITICAL").empty


def test_a_positions_attempts_are_grouped_into_their_orders(exits_db):
    attempts = exits.position_attempts(5)
    runs = attempts.groupby("sequence_id").quantity.agg(["min", "max", "count"])
    assert runs.values.tolist() == [[10, 10, 3], [5, 5, 3]]
    assert list(attempts.attempt_number) == [1, 2, 3, 1, 2, 3]


# --- monitor and reconciliation ------------------------------------------------------------------
def test_open_positions_monitor(exits_db):
    monitor = ax.flag_stale(exits.open_positions(ax.MONITOR_SECONDS))
    by = _rows(monitor, "position_id")
    assert set(by) == {4, 9}
    assert (by[4]["unrealized_pnl"], by[4]["unrealized_pnl_pct"]) == (D("-0.5000"), D("-0.1000"))
    assert by[4]["stop_active"] is False and by[4]["peak_price"] == D("0.52")
    assert by[9]["stop_price"] is None and by[9]["stop_active"] is None   # malformed JSON is not a stop
    assert (by[4]["seconds_behind_newest"], by[9]["seconds_behind_newest"]) == (0, 130)
    assert not by[4]["lagging"] and by[9]["lagging"]
    assert by[4]["stale"] and by[9]["stale"]             # 2026-01-03 is long ago
    assert list(monitor.position_id) == [9, 4]          # stalest first
    totals = monitor.iloc[0]
    assert (totals.open_count, totals.total_unrealized_pnl) == (2, D("-0.5000"))
    assert (totals.stale_count, totals.lagging_count) == (2, 1)
    assert exits.open_positions(ax.MONITOR_SECONDS, platform="polymarket").empty


def test_reconciliation_finds_the_broken_positions(exits_db):
    found = exits.reconciliation()
    assert sorted(zip(found.position_id, found.problem)) == [
        (6, "Opened with 50, but exits took 30 and the current row holds 0 (off by -20)."),
        (7, "Closed without any exit."),
        (7, "Opened with 25, but exits took 0 and the current row holds 0 (off by -25)."),
        (8, "Settled, but its market has no settlement."),
        (9, "Open, but holds nothing."),
        (9, "Opened with 10, but exits took 0 and the current row holds 0 (off by -10)."),
    ]
    assert set(found.positions_with_problems) == {4}
    assert exits.reconciliation(platform="polymarket").empty


# --- one position --------------------------------------------------------------------------------
def test_position_header_and_unknown_id(exits_db):
    assert exits.position(999).empty
    p2 = exits.position(2).iloc[0]
    assert (p2.side, p2.opening_quantity, p2.status, p2.exits, p2.exited_quantity) == ("no", 40, "closed", 1, 40)
    assert (p2.strategy, p2.model) == ("halftime_entry v1.1", "elo_nfl v2.0")
    assert p2.held_settlement_value == D("1.0000")       # M2 settled NO
    assert p2.settled_at == datetime(2026, 1, 2, 12, 0)
    assert exits.position(4).iloc[0].held_settlement_value is None


def test_timeline_is_side_aware_and_carries_the_stop(exits_db):
    timeline = exits.position_timeline(2)
    assert list(timeline["prices"].price) == [D("0.7000"), D("0.8000"), D("1.0000")]   # M2's no_price
    p1 = exits.position_timeline(1)
    assert list(p1["prices"].price[:3]) == [D("0.3500"), D("0.4000"), D("0.6000")]     # M1's yes_price
    assert list(p1["rows"].stop_price) == [None, D("0.55"), D("0.56")]
    series = ax.timeline(exits.position(1).iloc[0], p1["prices"], p1["rows"], exits.position_exits(1))
    assert series["stop"]["y"] == [None, 0.55, 0.56]
    assert series["exits"]["y"] == [0.6, 0.55]
    assert series["entry"]["y"] == [0.4]
    assert series["settlement"] == {"x": [datetime(2026, 1, 1, 14, 0)], "y": [1.0]}
    assert series["held"] == (datetime(2026, 1, 1, 10, 0), datetime(2026, 1, 1, 12, 0))
    assert all(status != "settled" for status in p1["prices"].market_status[:-1])


def test_positions_without_exits_get_a_sentence(exits_db):
    assert exits.position_exits(4).empty
    assert ax.no_exit_sentence(exits.position(4).iloc[0]) == "Position 4 has no exits yet: it is open and holds 10 contracts."
    assert ax.no_exit_sentence(exits.position(8).iloc[0]).startswith("Position 8 has no exits: its 5 contracts were held")
    assert "data problem" in ax.no_exit_sentence(exits.position(7).iloc[0])


def test_no_bind_parameter_hides_in_a_comment():
    # psycopg2 interpolates parameters client-side, comments included: a ':name' in a '--' comment
    # receives the quoted value, and a newline in that value would end the comment and run as SQL.
    import sqlalchemy as sa

    for path in sorted(connection.PROJECT_ROOT.joinpath("queries").glob("exits_*.sql")):
        text = path.read_text()
        code_only = "\n".join(line.split("--")[0] for line in text.splitlines())
        assert set(sa.text(text).compile().params) == set(sa.text(code_only).compile().params), path.name
