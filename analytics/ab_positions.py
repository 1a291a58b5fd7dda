"""The A/B page's numbers from one list of closed positions (queries/ab_closed_positions.sql).

The page used to send four statements that each read the same closed positions again (per-version
sums with drawdown and losing streak, weekly running totals, daily P&L, the return histogram):
over ten years of one strategy that was 106-178 ms. Here they come from one read, with numpy over
whole columns (a loop per version, never per position).

`closed` has one row per closed position, in_closing_order(), with position_id, strategy_id,
model_id, execution_mode, fills, closed_us (microseconds since 1970, UTC), ret (float, NaN without
a cost) and money in whole ten-thousandths (cost_units, pnl_units, edge_units, clv_units: closing
line minus entry price; NaN where NULL). Sums of whole units are exact in float64 (below
2^53, i.e. $900 billion); the per-version money the table shows goes back to Decimal.
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
UNIT = Decimal("0.0001")


def money(units: float) -> Decimal:
    """Whole ten-thousandths as Decimal with scale 4 (as the database's DECIMAL(10,4))."""
    return Decimal(int(units)) * UNIT


def in_closing_order(closed: pd.DataFrame) -> pd.DataFrame:
    """By strategy version, mode, closing time and position: the order drawdown and streaks run in."""
    order = np.lexsort((closed.position_id.to_numpy(), closed.closed_us.to_numpy(),
                        closed.execution_mode.to_numpy(dtype=object) == "paper", closed.strategy_id.to_numpy()))
    return closed.iloc[order].reset_index(drop=True)


def _units(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def _sum_or_none(units: np.ndarray) -> Decimal | None:
    """SQL's sum: NULL when there is nothing to add."""
    known = units[~np.isnan(units)]
    return money(known.sum()) if known.size else None


def _mean_or_none(units: np.ndarray) -> Decimal | None:
    known = units[~np.isnan(units)]
    return money(known.sum()) / known.size if known.size else None


def _drawdown_and_streak(pnl: np.ndarray) -> tuple[Decimal | None, int]:
    """Largest fall of the running P&L from its running peak (the peak starts at 0), and the
    longest run of losses, in closing order. A position without P&L neither breaks nor extends a
    run, and adds nothing to the running P&L."""
    known = ~np.isnan(pnl)
    if not known.any():
        return None, 0
    running = np.cumsum(np.where(known, pnl, 0.0))
    peak = np.maximum(np.maximum.accumulate(running), 0.0)
    deepest = float((peak - running)[known].max())
    loss = pnl < 0
    run_id = np.cumsum(pnl >= 0)  # a loss shares its number with the losses since the last non-loss
    longest = int(np.bincount(run_id[loss]).max()) if loss.any() else 0
    return money(deepest), longest


def version_metrics(closed: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x mode: the sums the page's statistics and table need (METRIC_COLUMNS)."""
    rows = []
    for (strategy_id, mode), group in closed.groupby(["strategy_id", "execution_mode"], sort=True):
        pnl, ret = _units(group, "pnl_units"), group.ret.to_numpy(dtype=float, na_value=np.nan)
        clv, closed_at = _units(group, "clv_units"), _closing_days(group, "us")
        known_ret = ret[~np.isnan(ret)]
        drawdown, streak = _drawdown_and_streak(pnl)
        rows.append({
            "strategy_id": strategy_id, "execution_mode": mode,
            "trades": int(group.fills.sum()),
            "positions_closed": len(group),
            "wins": int((pnl > 0).sum()),
            "losses": int((pnl < 0).sum()),
            "return_sum": float(known_ret.sum()) if known_ret.size else None,
            "return_sum_sq": float((known_ret * known_ret).sum()) if known_ret.size else None,
            "realized_pnl": _sum_or_none(pnl),
            "cost": _sum_or_none(_units(group, "cost_units")),
            "gross_profit": money(pnl[pnl > 0].sum()),
            "gross_loss": money(-pnl[pnl < 0].sum()),
            "max_drawdown": drawdown,
            "longest_losing_streak": streak,
            "avg_edge": _mean_or_none(_units(group, "edge_units")),
            "clv_positions": int((~np.isnan(clv)).sum()),
            "avg_clv": _mean_or_none(clv),
            "first_closed_at": pd.Timestamp(closed_at.min()),
            "last_closed_at": pd.Timestamp(closed_at.max()),
        })
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _closing_days(rows: pd.DataFrame, unit: str = "D") -> np.ndarray:
    """Closing times as datetime64 (in `unit`: "D" for the day of closing, UTC)."""
    return rows.closed_us.to_numpy(dtype=np.int64).astype("datetime64[us]").astype(f"datetime64[{unit}]")


def _of_mode(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    return closed[closed.execution_mode == mode]


def _per_period(rows: pd.DataFrame, period: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sums of `values` per version and period (rows in closing order within each version, so a
    version's periods come in runs), with their running totals per version (`running_<name>`);
    by period, then version. numpy over whole columns: pandas' groupby cost more than the read."""
    strategy = rows.strategy_id.to_numpy()
    new_run = np.ones(len(rows), dtype=bool)
    new_run[1:] = (strategy[1:] != strategy[:-1]) | (period[1:] != period[:-1])
    starts = np.flatnonzero(new_run)
    out = {"strategy_id": strategy[starts], "period": period[starts]}
    first_of_version = np.ones(len(starts), dtype=bool)
    first_of_version[1:] = out["strategy_id"][1:] != out["strategy_id"][:-1]
    version_start = np.maximum.accumulate(np.where(first_of_version, np.arange(len(starts)), 0))
    for name, column in values.items():
        sums = np.add.reduceat(column, starts)
        running = np.cumsum(sums)
        before = np.concatenate(([0.0], running[:-1]))[version_start]  # the running total where the version began
        out[name], out[f"running_{name}"] = sums, running - before
    frame = pd.DataFrame(out)
    order = np.lexsort((frame.strategy_id.to_numpy(), frame.period.to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def weekly_stats(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Running totals per version at the end of each week (Monday to Monday, UTC) with a close:
    strategy_id, week, look_at, positions, return_sum, return_sum_sq, wins; by week, then version."""
    columns = ["strategy_id", "week", "look_at", "positions", "return_sum", "return_sum_sq", "wins"]
    rows = _of_mode(closed, mode)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    day = _closing_days(rows)
    monday = day - (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    ret = np.nan_to_num(rows.ret.to_numpy(dtype=float, na_value=np.nan))
    weekly = _per_period(rows, monday, {"positions": np.ones(len(rows)), "return_sum": ret,
                                        "return_sum_sq": ret * ret,
                                        "wins": (_units(rows, "pnl_units") > 0).astype(float)})
    week = weekly.period.astype("datetime64[ns]")
    return pd.DataFrame({"strategy_id": weekly.strategy_id, "week": week, "look_at": week + timedelta(days=7),
                         "positions": weekly.running_positions.astype(int), "return_sum": weekly.running_return_sum,
                         "return_sum_sq": weekly.running_return_sum_sq, "wins": weekly.running_wins.astype(int)},
                        columns=columns)


def daily_pnl(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per version and day of closing: positions, realized_pnl and the running cumulative_pnl, in
    dollars as floats (a chart's series; exact to the cent); by day, then version."""
    columns = ["strategy_id", "day", "positions", "realized_pnl", "cumulative_pnl"]
    rows = _of_mode(closed, mode)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    day = _closing_days(rows)
    daily = _per_period(rows, day, {"positions": np.ones(len(rows)), "units": np.nan_to_num(_units(rows, "pnl_units"))})
    return pd.DataFrame({"strategy_id": daily.strategy_id, "day": daily.period.dt.date,
                         "positions": daily.positions.astype(int), "realized_pnl": daily.units / 10_000,
                         "cumulative_pnl": daily.running_units / 10_000}, columns=columns)


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
    ret = rows.ret.to_numpy(dtype=float)
    low = float(ret.min())
    high = max(float(ret.max()), low + 1e-6)
    at = np.floor(bins * ((ret - low) / (high - low)))
    bin_number = np.where(ret >= high, bins, np.minimum(at, bins - 1) + 1).astype(np.int64)
    strategy = rows.strategy_id.to_numpy(dtype=np.int64)
    keys, counts = np.unique(strategy * (bins + 1) + bin_number, return_counts=True)
    strategy_ids, bin_ids = keys // (bins + 1), keys % (bins + 1)
    return pd.DataFrame({"strategy_id": strategy_ids, "bin": bin_ids,
                         "bin_low": low + (high - low) * (bin_ids - 1) / bins,
                         "bin_high": low + (high - low) * bin_ids / bins, "positions": counts}, columns=columns)


def by_model(closed: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x model version x mode: positions_closed and realized_pnl (Decimal),
    for the strategy x model matrix."""
    columns = ["strategy_id", "model_id", "execution_mode", "positions_closed", "realized_pnl"]
    if closed.empty:
        return pd.DataFrame(columns=columns)
    grouped = (closed.assign(units=np.nan_to_num(_units(closed, "pnl_units")))
               .groupby(["strategy_id", "model_id", "execution_mode"], sort=True)
               .agg(positions_closed=("units", "size"), units=("units", "sum")).reset_index())
    grouped["realized_pnl"] = [money(u) for u in grouped.units]
    return grouped[columns]


@dataclass(frozen=True)
class Results:
    """Everything the A/B page draws from one list of closed positions; by mode where the page
    shows one mode (so switching live/paper needs no new read)."""
    metrics: pd.DataFrame
    weekly: dict[str, pd.DataFrame]
    daily: dict[str, pd.DataFrame]
    histogram: dict[str, pd.DataFrame]
    by_model: pd.DataFrame


def results(closed: pd.DataFrame, modes: tuple[str, ...] = MODES, bins: int = 30) -> Results:
    """Everything, from the closed positions as read (in any order)."""
    closed = in_closing_order(closed)
    return Results(version_metrics(closed), {m: weekly_stats(closed, m) for m in modes},
                   {m: daily_pnl(closed, m) for m in modes}, {m: return_histogram(closed, m, bins) for m in modes},
                   by_model(closed))
