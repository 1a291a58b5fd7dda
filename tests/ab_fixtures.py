"""Hand-made databases for the Strategy A/B tests.

Two strategies with known answers:
- `alpha`: a handful of positions whose every metric is worked out by hand in test_ab_queries.py
  (drawdown, streak, CLV side-aware, a scale-in, paper and live, dates in and out of range).
- `meeting`: enough positions for real inference, drawn with a fixed seed: v1.0 (control),
  v1.1 (true effect +15 points of return per position), v1.2 (same as the control); plus paper
  positions of v1.1 and a stale stored ROI on v1.0.
- `flat`: two versions whose positions all return exactly +10% (zero variance, all wins).
- `window`: v1.0 trading from 2026-01-05 to 2026-03-05, v1.1 from 2026-01-25 to 2026-03-26: the
  page's default dates are the period both were trading.
- `confound`: v1.0 opened every position on model elo_nfl v1.0, v1.1 half on v1.0 and half on v1.1.
- `split`: an A/A pair whose configs declare a 50/50 traffic_split, but v1.0 traded 100 markets and
  v1.1 30 (a sample ratio mismatch).
- `outlier`: v1.1 like v1.0 but for one position bought at 0.0001 that won (+9,999%).
- `recent`: two versions closing a position a day up to an hour before the database was built, so
  the current week's look lies in the future.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from queries import schema

BASE = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES ('kalshi', 'trading', 'Kalshi');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, status)
VALUES ('E1', 'kalshi', 'e1', 'sports', 'nfl', 'BUF at KC', 'final');
-- MC: closed market. Its last OPEN quote is yes 0.60 / no 0.42; then it settled yes.
-- MO: still open (no closing line yet).
INSERT INTO markets (market_id, platform_id, event_id, external_id, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts) VALUES
    ('MC', 'kalshi', 'E1', 'mc', 'Closed market', 0.5000, 0.5200, 'open', NULL,
     '2026-01-01 00:00', FALSE, '2026-01-01 01:00'),
    ('MC', 'kalshi', 'E1', 'mc', 'Closed market', 0.6000, 0.4200, 'open', NULL,
     '2026-01-01 01:00', FALSE, '2026-06-01 00:00'),
    ('MC', 'kalshi', 'E1', 'mc', 'Closed market', 1.0000, 0.0000, 'settled', 1.0000,
     '2026-06-01 00:00', TRUE, NULL),
    ('MO', 'kalshi', 'E1', 'mo', 'Open market', 0.3000, 0.7100, 'open', NULL,
     '2026-01-01 00:00', FALSE, '2026-01-02 00:00'),
    ('MO', 'kalshi', 'E1', 'mo', 'Open market', 0.3500, 0.6600, 'open', NULL, '2026-01-02 00:00', TRUE, NULL);
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status) VALUES
    (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28}', 'active'),
    (2, 'elo_nfl', 'v1.1', 'elo', 'nfl', '{"k_factor": 30}', 'active');
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, sport, config, status,
                        paper_roi, live_roi, created_at) VALUES
    (1, 'alpha', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, -0.0400, '2025-12-01'),
    (2, 'alpha', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.07}', 'testing', NULL, NULL, '2025-12-15'),
    (3, 'beta', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.04}', 'active', NULL, NULL, '2025-12-01'),
    (11, 'meeting', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05, "note": "<script>alert(1)</script>"}', 'active',
     NULL, 0.9999, '2025-12-01'),
    (12, 'meeting', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.07, "note": "**bold**"}', 'testing',
     NULL, NULL, '2025-12-02'),
    (13, 'meeting', 'v1.2', 'entry', 'nfl', '{"min_edge": 0.05, "note": "aa"}', 'testing', NULL, NULL, '2025-12-03'),
    (21, 'flat', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, NULL, '2025-12-01'),
    (22, 'flat', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', NULL, NULL, '2025-12-01'),
    (31, 'window', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, NULL, '2025-12-01'),
    (32, 'window', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', NULL, NULL, '2026-01-20'),
    (41, 'confound', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, NULL, '2025-12-01'),
    (42, 'confound', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', NULL, NULL, '2025-12-01'),
    (51, 'split', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05, "ab_arm": "A", "traffic_split": 0.5}', 'active',
     NULL, NULL, '2025-12-01'),
    (52, 'split', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.05, "ab_arm": "B", "traffic_split": 0.5}', 'active',
     NULL, NULL, '2025-12-01'),
    (61, 'outlier', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, NULL, '2025-12-01'),
    (62, 'outlier', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', NULL, NULL, '2025-12-01'),
    (71, 'recent', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', NULL, NULL, '2025-12-01'),
    (72, 'recent', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', NULL, NULL, '2025-12-01');
-- 130 more markets (closed like MC) for the sample-ratio fixture: one position per market and version.
INSERT INTO markets (market_id, platform_id, event_id, external_id, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts)
SELECT 'S' || i, 'kalshi', 'E1', 's' || i, 'Split market ' || i, 0.5000, 0.5100, 'open', NULL,
       '2026-01-01 00:00', TRUE, NULL
FROM generate_series(1, 130) i;
"""


class Builder:
    """Inserts closed positions the way the trading system writes them: an open SCD row, then the
    closing row (current, quantity 0, realized_pnl), a buy trade per entry fill and a sell per exit."""

    def __init__(self, cur):
        self.cur = cur
        self.next_position = 1
        self.next_trade = 1

    def position(self, *, strategy: int, model: int = 1, market: str = "MC", side: str = "yes",
                 buys: list[tuple[str, int]] | None = None, pnl: str, closed: datetime, mode: str = "live",
                 edge: str | None = "0.0800", status: str = "closed", sells: int = 1,
                 opened: datetime | None = None) -> int:
        """buys: [(price, quantity)] (default one buy of 100 at 0.5000). Returns the position_id."""
        buys = buys or [("0.5000", 100)]
        quantity = sum(q for _, q in buys)
        entry = sum(Decimal(p) * q for p, q in buys) / quantity
        opened = opened or closed - timedelta(hours=2)
        pid = self.next_position
        self.next_position += 1
        current = status != "open"
        self.cur.execute(
            "INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status,"
            " realized_pnl, execution_mode, created_at, row_current_ind, row_end_ts)"
            " VALUES (%s, %s, 'kalshi', %s, %s, %s, 'open', NULL, %s, %s, %s, %s)",
            (pid, market, side, round(entry, 4), quantity, mode, opened, not current, closed if current else None))
        if current:
            self.cur.execute(
                "INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status,"
                " realized_pnl, execution_mode, created_at, row_current_ind)"
                " VALUES (%s, %s, 'kalshi', %s, %s, 0, %s, %s, %s, %s, TRUE)",
                (pid, market, side, round(entry, 4), status, pnl, mode, closed))
        for i, (price, qty) in enumerate(buys):
            self._trade(pid, market, strategy, model, "buy", price, qty, opened + timedelta(minutes=i),
                        edge if i == 0 else None, mode)
        if current:
            for i in range(sells):
                self._trade(pid, market, strategy, model, "sell", "0.5500", max(quantity // sells, 1),
                            closed - timedelta(minutes=sells - 1 - i), None, mode)
        return pid

    def _trade(self, pid, market, strategy, model, side, price, qty, at, edge, mode):
        self.cur.execute(
            "INSERT INTO trades (trade_id, market_id, platform_id, position_id, strategy_id, model_id, side, price,"
            " quantity, edge_at_execution, created_at, execution_mode)"
            " VALUES (%s, %s, 'kalshi', %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self.next_trade, market, pid, strategy, model, side, price, qty, edge, at, mode))
        self.next_trade += 1


# alpha v1.0, live, in order of closing: realized P&L on a cost of $50 each (100 at 0.50).
ALPHA_CONTROL_PNL = ["10", "-5", "-5", "-5", "20", "-30", "5"]
ALPHA_START = datetime(2026, 2, 2, 12, 0)  # a Monday


def add_alpha(b: Builder) -> None:
    for i, pnl in enumerate(ALPHA_CONTROL_PNL):
        b.position(strategy=1, pnl=pnl, closed=ALPHA_START + timedelta(days=i), sells=1 + i % 2,
                   edge=f"0.0{i + 1}00")
    # v1.0 paper: one 'no' position on the closed market (closing line: the no price 0.42).
    b.position(strategy=1, side="no", buys=[("0.4800", 100)], pnl="-6", closed=ALPHA_START + timedelta(days=1),
               mode="paper", edge="0.0500")
    # v1.0 live, outside the date range the tests use (closed in 2025) and one still open.
    b.position(strategy=1, pnl="100", closed=datetime(2025, 12, 20, 12, 0))
    b.position(strategy=1, pnl="0", closed=ALPHA_START + timedelta(days=3), status="open")
    # v1.1 live: a scale-in (50 at 0.40 + 50 at 0.50 = $45) on the still-open market (no CLV yet),
    # settled; and a plain one model v1.1, on the closed market; and a break-even one.
    b.position(strategy=2, market="MO", buys=[("0.4000", 50), ("0.5000", 50)], pnl="9", status="settled",
               closed=ALPHA_START + timedelta(days=8), edge="0.1000")
    b.position(strategy=2, model=2, pnl="-2.5", closed=ALPHA_START + timedelta(days=9), edge="0.0600")
    b.position(strategy=2, pnl="0", closed=ALPHA_START + timedelta(days=10), edge=None)
    # beta: never part of alpha's answers
    b.position(strategy=3, pnl="50", closed=ALPHA_START + timedelta(days=2))


MEETING_START = datetime(2026, 3, 2, 9, 0)  # a Monday
MEETING_SD = 0.2
MEETING_EFFECT = 0.15
MEETING_N = 150


def meeting_returns(seed: int = 7) -> dict[tuple[int, str], list[float]]:
    """Returns per (strategy_id, mode), rounded so that P&L on a $50 cost is exact to the cent."""
    rng = random.Random(seed)
    draw = lambda mean, n: [round(rng.gauss(mean, MEETING_SD) * 50, 2) / 50 for _ in range(n)]  # noqa: E731
    return {(11, "live"): draw(0.0, MEETING_N), (12, "live"): draw(MEETING_EFFECT, MEETING_N),
            (13, "live"): draw(0.0, MEETING_N), (12, "paper"): draw(MEETING_EFFECT, 40)}


def add_meeting(b: Builder) -> None:
    for (strategy, mode), returns in meeting_returns().items():
        for i, ret in enumerate(returns):
            # spread over 20 weeks, the versions interleaved
            closed = MEETING_START + timedelta(hours=22 * i + strategy)
            # the edge at entry tells part of the return (the regression adjustment's covariate)
            edge = min(0.5, max(0.0001, 0.07 + 0.1 * ret + ((i * 37) % 11 - 5) / 100))
            b.position(strategy=strategy, model=1 + i % 2, pnl=f"{ret * 50:.2f}", closed=closed, mode=mode,
                       edge=f"{edge:.4f}")


def add_flat(b: Builder) -> None:
    for strategy in (21, 22):
        for i in range(35):
            b.position(strategy=strategy, pnl="5", closed=MEETING_START + timedelta(days=i, hours=strategy))


WINDOW_START = datetime(2026, 1, 5, 9, 0)  # a Monday


def add_window(b: Builder) -> None:
    rng = random.Random(31)
    for strategy, first_day in ((31, 0), (32, 20)):
        for day in range(first_day, first_day + 60):
            b.position(strategy=strategy, pnl=f"{round(rng.gauss(0, 0.2) * 50, 2):.2f}",
                       closed=WINDOW_START + timedelta(days=day))


def add_confound(b: Builder) -> None:
    rng = random.Random(41)
    for strategy in (41, 42):
        for i in range(60):
            b.position(strategy=strategy, model=1 if strategy == 41 or i % 2 == 0 else 2,
                       pnl=f"{round(rng.gauss(0, 0.2) * 50, 2):.2f}", closed=MEETING_START + timedelta(hours=20 * i + strategy))


def add_split(b: Builder) -> None:
    rng = random.Random(51)
    markets = iter(range(1, 131))
    for strategy, count in ((51, 100), (52, 30)):
        for i in range(count):
            b.position(strategy=strategy, market=f"S{next(markets)}", pnl=f"{round(rng.gauss(0, 0.2) * 50, 2):.2f}",
                       closed=MEETING_START + timedelta(hours=30 * i + strategy))


def add_outlier(b: Builder) -> None:
    rng = random.Random(61)
    for strategy in (61, 62):
        for i in range(40 if strategy == 61 else 39):
            b.position(strategy=strategy, pnl=f"{round(rng.gauss(0, 0.2) * 50, 2):.2f}",
                       closed=MEETING_START + timedelta(hours=20 * i + strategy))
    # bought 100 at 0.0001 ($0.01), settled at 1: +$0.9999, a return of +9,999%
    b.position(strategy=62, buys=[("0.0001", 100)], pnl="0.9999", status="settled",
               closed=MEETING_START + timedelta(days=20))


def add_recent(b: Builder) -> None:
    rng = random.Random(71)
    last = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
    for strategy in (71, 72):
        for day in range(70):
            b.position(strategy=strategy, pnl=f"{round(rng.gauss(0, 0.2) * 50, 2):.2f}",
                       closed=last - timedelta(days=day, minutes=strategy))


def build(url: str) -> None:
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(BASE)
        b = Builder(cur)
        add_alpha(b)
        add_meeting(b)
        add_flat(b)
        add_window(b)
        add_confound(b)
        add_split(b)
        add_outlier(b)
        add_recent(b)
    conn.close()


@pytest.fixture(scope="session")
def ab_url(databases) -> str:
    """The database above (built once per run). Import this fixture into a test module to use it."""
    url = databases.create("ab")
    build(url)
    return url
