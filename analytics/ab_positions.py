"""The A/B page's numbers from one list of closed positions (queries/ab_closed_positions.sql).

The page used to send four statements that each read the same closed positions again (per-version
sums with drawdown and losing streak, weekly running totals, daily P&L, the return histogram):
over ten years of one strategy that was 106-178 ms; one fetch and these functions take a fraction
of it. Each function gives the columns its SQL gave, in the same order, and money stays Decimal.

`closed` has one row per closed position, ordered by strategy_id, execution_mode, closed_at,
position_id, with: position_id, strategy_id, execution_mode, fills, cost, realized_pnl, ret (float
or None), closed_at, edge_at_execution, entry_price, closing_price (None until its market closed).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from analytics.trade_metrics import MODES

METRIC_COLUMNS = ["strategy_id", "execution_mode", "trades", "positions_closed", "wins", "losses", "return_sum",
                  "return_sum_sq", "realized_pnl", "cost", "gross_profit", "gross_loss", "max_drawdown",
                  "longest_losing_streak", "avg_edge", "clv_positions", "avg_clv", "first_closed_at",
                  "last_closed_at"]


def _present(values) -> list:
    return [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]


def _sum(values):
    """SQL's sum: None when there is nothing to add."""
    present = _present(values)
    return sum(present[1:], present[0]) if present else None


def _mean(values):
    present = _present(values)
    return sum(present[1:], present[0]) / len(present) if present else None


def _drawdown_and_streak(pnls: list) -> tuple:
    """Largest fall of the running P&L from its running peak (the peak starts at 0), and the
    longest run of losses, in closing order. A position without P&L neither breaks nor extends a
    run, and adds nothing to the running P&L."""
    running = peak = None
    deepest = None
    streak = longest = 0
    for pnl in pnls:
        if pnl is not None:
            running = pnl if running is None else running + pnl
            peak = running if peak is None else max(peak, running)
            fall = max(Decimal(0), peak) - running
            deepest = fall if deepest is None else max(deepest, fall)
            streak = streak + 1 if pnl < 0 else 0
            longest = max(longest, streak)
    return deepest, longest


def version_metrics(closed: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x mode: the sums the page's statistics and table need (see METRIC_COLUMNS)."""
    rows = []
    for (strategy_id, mode), group in closed.groupby(["strategy_id", "execution_mode"], sort=True):
        pnls = [None if pd.isna(v) else v for v in group.realized_pnl]
        returns = [None if pd.isna(v) else float(v) for v in group.ret]
        drawdown, streak = _drawdown_and_streak(pnls)
        known = _present(pnls)
        clv = [c - e for c, e in zip(group.closing_price, group.entry_price) if c is not None and not pd.isna(c)]
        rows.append({
            "strategy_id": strategy_id, "execution_mode": mode,
            "trades": int(group.fills.sum()),
            "positions_closed": len(group),
            "wins": sum(1 for p in known if p > 0),
            "losses": sum(1 for p in known if p < 0),
            "return_sum": _sum(returns),
            "return_sum_sq": _sum([r * r for r in _present(returns)]),
            "realized_pnl": _sum(pnls),
            "cost": _sum(list(group.cost)),
            "gross_profit": _sum([p for p in known if p > 0]) or Decimal(0),
            "gross_loss": -(_sum([p for p in known if p < 0]) or Decimal(0)),
            "max_drawdown": drawdown,
            "longest_losing_streak": streak,
            "avg_edge": _mean(list(group.edge_at_execution)),
            "clv_positions": len(clv),
            "avg_clv": _mean(clv),
            "first_closed_at": group.closed_at.min(),
            "last_closed_at": group.closed_at.max(),
        })
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _of_mode(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    return closed[closed.execution_mode == mode]


def weekly_stats(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Running totals per version at the end of each week (Monday to Monday, UTC) with a close:
    strategy_id, week, look_at, positions, return_sum, return_sum_sq, wins; by week, then version."""
    rows = _of_mode(closed, mode)
    columns = ["strategy_id", "week", "look_at", "positions", "return_sum", "return_sum_sq", "wins"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    day = rows.closed_at.dt.normalize()
    ret = rows.ret.astype(float)
    weekly = (pd.DataFrame({"strategy_id": rows.strategy_id.to_numpy(),
                            "week": (day - pd.to_timedelta(day.dt.weekday, unit="D")).to_numpy(),
                            "positions": 1, "return_sum": ret.to_numpy(), "return_sum_sq": (ret * ret).to_numpy(),
                            "wins": [1 if (p is not None and not pd.isna(p) and p > 0) else 0
                                     for p in rows.realized_pnl]})
              .groupby(["strategy_id", "week"], sort=True).sum(min_count=0).reset_index())
    running = ["positions", "return_sum", "return_sum_sq", "wins"]
    weekly[running] = weekly.groupby("strategy_id")[running].cumsum()
    weekly["look_at"] = weekly.week + timedelta(days=7)
    return weekly.sort_values(["week", "strategy_id"], kind="stable")[columns].reset_index(drop=True)


def daily_pnl(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per version and day of closing: positions, realized_pnl and the running cumulative_pnl
    (Decimal); by day, then version."""
    columns = ["strategy_id", "day", "positions", "realized_pnl", "cumulative_pnl"]
    out = []
    for strategy_id, group in _of_mode(closed, mode).groupby("strategy_id", sort=True):
        running = None
        for day, on_day in group.groupby(group.closed_at.dt.date, sort=True):
            total = _sum([None if pd.isna(v) else v for v in on_day.realized_pnl])
            if total is not None:
                running = total if running is None else running + total
            out.append((strategy_id, day, len(on_day), total, running))
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values(["day", "strategy_id"], kind="stable").reset_index(drop=True)


def return_histogram(closed: pd.DataFrame, mode: str, bins: int = 30) -> pd.DataFrame:
    """Positions per version in `bins` equal bins shared by every version, from the lowest to the
    highest return (the highest in the last bin): strategy_id, bin (1..bins), bin_low, bin_high,
    positions. One distinct return still makes a bin of width 1e-6. Binning as PostgreSQL's
    width_bucket(float8), which the page's SQL used."""
    columns = ["strategy_id", "bin", "bin_low", "bin_high", "positions"]
    rows = _of_mode(closed, mode)
    rows = rows[rows.ret.notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    ret = rows.ret.astype(float).to_numpy()
    low = float(ret.min())
    high = max(float(ret.max()), low + 1e-6)
    at = np.floor(bins * ((ret - low) / (high - low)))
    bin_number = np.where(ret >= high, bins, np.minimum(at, bins - 1) + 1).astype(int)
    counts = (pd.DataFrame({"strategy_id": rows.strategy_id.to_numpy(), "bin": bin_number})
              .groupby(["strategy_id", "bin"], sort=True).size().rename("positions").reset_index())
    counts["bin_low"] = low + (high - low) * (counts.bin - 1) / bins
    counts["bin_high"] = low + (high - low) * counts.bin / bins
    return counts[columns]


@dataclass(frozen=True)
class Results:
    """Everything the A/B page draws from one list of closed positions; by mode where the page
    shows one mode (so switching live/paper needs no new read)."""
    metrics: pd.DataFrame
    weekly: dict[str, pd.DataFrame]
    daily: dict[str, pd.DataFrame]
    histogram: dict[str, pd.DataFrame]


def results(closed: pd.DataFrame, modes: tuple[str, ...] = MODES, bins: int = 30) -> Results:
    return Results(version_metrics(closed), {m: weekly_stats(closed, m) for m in modes},
                   {m: daily_pnl(closed, m) for m in modes}, {m: return_histogram(closed, m, bins) for m in modes})
