"""The A/B page's numbers from one list of closed positions (queries/ab_closed_positions.sql).

The page used to send four statements that each read the same closed positions again (per-version
sums with drawdown and losing streak, weekly running totals, daily P&L, the return histogram):
over ten years of one strategy that was 106-178 ms. Here they come from one read: its columns are
taken out once as numpy arrays (`Closed`), every number is computed over whole arrays (a loop per
version, never per position), and each answer becomes a DataFrame once, at the end. pandas'
groupby, masks and column access cost more than the arithmetic: 42 ms of fixed cost per page view
before, whatever the number of positions.

`closed` has one row per closed position, in_closing_order(), with position_id, strategy_id,
model_id, execution_mode, fills, closed_us (microseconds since 1970, UTC), ret (float, NaN without
a cost), money and prices in whole ten-thousandths (cost_units, pnl_units, edge_units, clv_units:
closing line minus entry price, entry_units; NaN where NULL) and market_key (a number per market).
Sums of whole units are exact in float64 (below 2^53, i.e. $900 billion); the per-version money the
table shows goes back to Decimal.

Besides the table's sums, the statistics need (analytics/ab_stats.py, ab_checks.py): the sum of
cubed returns (the skewness rule), sums and cross products of the return and what was known at the
opening buy (the regression adjustment), each version's most extreme returns (which few positions
carry a difference), the returns winsorized at the chosen versions' pooled percentiles, and the
markets each version closed positions on, week by week (the sample-ratio check).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

import numpy as np
import pandas as pd

from analytics import ab_segments, ab_stats
from analytics.trade_metrics import MODES, daily_ratios

METRIC_COLUMNS = ["strategy_id", "execution_mode", "trades", "positions_closed", "wins", "losses", "return_sum",
                  "return_sum_sq", "return_sum_cube", "realized_pnl", "cost", "gross_profit", "gross_loss",
                  "max_drawdown", "longest_losing_streak", "avg_edge", "clv_positions", "avg_clv", "first_closed_at",
                  "last_closed_at"]
WEEKLY_COLUMNS = ["strategy_id", "week", "look_at", "positions", "return_sum", "return_sum_sq", "return_sum_cube",
                  "wins"]
ALLOCATION_COLUMNS = ["strategy_id", "look_at", "markets"]
# What was known when a position was opened: the regression adjustment's covariates (edge at the
# opening buy, entry price), in this order in Covariates.x.
COVARIATES = ("edge at entry", "entry price")
EXTREMES = 10  # the most extreme returns kept per version and side (ab_checks.influential_positions)
WINSOR_PERCENTILES = (1.0, 99.0)
DAILY_COLUMNS = ["strategy_id", "day", "positions", "realized_pnl", "cumulative_pnl"]
HISTOGRAM_COLUMNS = ["strategy_id", "bin", "bin_low", "bin_high", "positions"]
BY_MODEL_COLUMNS = ["strategy_id", "model_id", "execution_mode", "positions_closed", "realized_pnl"]
UNIT = Decimal("0.0001")
WEEK = np.timedelta64(7, "D")


def money(units: float) -> Decimal:
    """Whole ten-thousandths as Decimal with scale 4 (as the database's DECIMAL(10,4))."""
    return Decimal(int(units)) * UNIT


def in_closing_order(closed: pd.DataFrame) -> pd.DataFrame:
    """By strategy version, mode, closing time and position: the order drawdown and streaks run in."""
    order = np.lexsort((closed.position_id.to_numpy(), closed.closed_us.to_numpy(),
                        closed.execution_mode.to_numpy(dtype=object) == "paper", closed.strategy_id.to_numpy()))
    return closed.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class Closed:
    """The closed positions' columns as numpy arrays, in closing order (money in units, NaN for
    NULL; model NaN without a model version)."""
    strategy: np.ndarray
    model: np.ndarray
    mode: np.ndarray
    fills: np.ndarray
    closed_us: np.ndarray
    ret: np.ndarray
    cost: np.ndarray
    pnl: np.ndarray
    edge: np.ndarray
    clv: np.ndarray
    entry: np.ndarray
    market: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Closed:
        """From rows in closing order (in_closing_order)."""
        def floats(column: str) -> np.ndarray:
            return frame[column].to_numpy(dtype=float, na_value=np.nan)
        return cls(strategy=frame.strategy_id.to_numpy(dtype=np.int64), model=floats("model_id"),
                   mode=frame.execution_mode.to_numpy(dtype=str), fills=frame.fills.to_numpy(dtype=np.int64),
                   closed_us=frame.closed_us.to_numpy(dtype=np.int64), ret=floats("ret"), cost=floats("cost_units"),
                   pnl=floats("pnl_units"), edge=floats("edge_units"), clv=floats("clv_units"),
                   entry=floats("entry_units"), market=frame.market_key.to_numpy(dtype=np.int64))

    def __len__(self) -> int:
        return len(self.strategy)

    def where(self, rows: np.ndarray | slice) -> Closed:
        """The positions selected by a mask or slice (order kept)."""
        return Closed(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def of_mode(self, mode: str) -> Closed:
        return self.where(self.mode == mode)

    def days(self) -> np.ndarray:
        """The day of closing (UTC) as datetime64[D]."""
        return self.closed_us.astype("datetime64[us]").astype("datetime64[D]")


def _runs(*keys: np.ndarray) -> np.ndarray:
    """Where each run of equal keys starts (rows sorted so that equal keys are adjacent)."""
    new = np.zeros(len(keys[0]), dtype=bool)
    new[:1] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(new)


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


def _version_metrics(closed: Closed) -> pd.DataFrame:
    rows = []
    starts = _runs(closed.strategy, closed.mode)
    for start, end in zip(starts, np.append(starts[1:], len(closed))):
        group = closed.where(slice(start, end))
        pnl, ret, clv = group.pnl, group.ret, group.clv
        known_ret = ret[~np.isnan(ret)]
        drawdown, streak = _drawdown_and_streak(pnl)
        rows.append((
            int(group.strategy[0]), str(group.mode[0]), int(group.fills.sum()), len(group),
            int((pnl > 0).sum()), int((pnl < 0).sum()),
            float(known_ret.sum()) if known_ret.size else None,
            float((known_ret * known_ret).sum()) if known_ret.size else None,
            float((known_ret ** 3).sum()) if known_ret.size else None,
            _sum_or_none(pnl), _sum_or_none(group.cost), money(pnl[pnl > 0].sum()), money(-pnl[pnl < 0].sum()),
            drawdown, streak, _mean_or_none(group.edge), int((~np.isnan(clv)).sum()), _mean_or_none(clv),
            # rows are in closing order within a version and mode
            pd.Timestamp(int(group.closed_us[0]), unit="us"), pd.Timestamp(int(group.closed_us[-1]), unit="us")))
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _per_period(strategy: np.ndarray, period: np.ndarray, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sums of `values` per version and period (rows in closing order, so a version's periods
    come in runs), with their running totals per version (`running_<name>`); by period, then version."""
    starts = _runs(strategy, period)
    version_start = np.maximum.accumulate(np.where(np.isin(starts, _runs(strategy)), np.arange(len(starts)), 0))
    out = {"strategy_id": strategy[starts], "period": period[starts]}
    for name, column in values.items():
        sums = np.add.reduceat(column, starts)
        running = np.cumsum(sums)
        before = np.concatenate(([0.0], running[:-1]))[version_start]  # the running total where the version began
        out[name], out[f"running_{name}"] = sums, running - before
    order = np.lexsort((out["strategy_id"], out["period"]))
    return {name: column[order] for name, column in out.items()}


def _weekly_stats(closed: Closed) -> pd.DataFrame:
    if not len(closed):
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    ret = np.nan_to_num(closed.ret)
    weekly = _per_period(closed.strategy, _monday(closed.days()), {
        "positions": np.ones(len(closed)), "return_sum": ret, "return_sum_sq": ret * ret,
        "return_sum_cube": ret ** 3, "wins": (closed.pnl > 0).astype(float)})
    week = weekly["period"].astype("datetime64[ns]")
    return pd.DataFrame({"strategy_id": weekly["strategy_id"], "week": week, "look_at": week + WEEK,
                         "positions": weekly["running_positions"].astype(np.int64),
                         "return_sum": weekly["running_return_sum"], "return_sum_sq": weekly["running_return_sum_sq"],
                         "return_sum_cube": weekly["running_return_sum_cube"],
                         "wins": weekly["running_wins"].astype(np.int64)}, columns=WEEKLY_COLUMNS)


def _monday(day: np.ndarray) -> np.ndarray:
    return day - (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday


def _allocation(closed: Closed) -> pd.DataFrame:
    """Running count of the markets each version closed a position on, at the end of each week
    with a new one (a market counts from its version's first close on it)."""
    if not len(closed):
        return pd.DataFrame(columns=ALLOCATION_COLUMNS)
    firsts = [start + np.flatnonzero(~pd.Series(closed.market[start:end]).duplicated().to_numpy())
              for start, end in _bounds(closed)]  # a version's rows are in closing order: the first is its first close
    first = np.concatenate(firsts)
    days = closed.closed_us[first].astype("datetime64[us]").astype("datetime64[D]")
    weekly = _per_period(closed.strategy[first], _monday(days), {"markets": np.ones(len(first))})
    return pd.DataFrame({"strategy_id": weekly["strategy_id"], "look_at": weekly["period"].astype("datetime64[ns]") + WEEK,
                         "markets": weekly["running_markets"].astype(np.int64)}, columns=ALLOCATION_COLUMNS)


def _daily_pnl(closed: Closed) -> pd.DataFrame:
    if not len(closed):
        return pd.DataFrame(columns=DAILY_COLUMNS)
    daily = _per_period(closed.strategy, closed.days(), {"positions": np.ones(len(closed)), "units": np.nan_to_num(closed.pnl)})
    return pd.DataFrame({"strategy_id": daily["strategy_id"], "day": daily["period"].astype(object),
                         "positions": daily["positions"].astype(np.int64), "realized_pnl": daily["units"] / 10_000,
                         "cumulative_pnl": daily["running_units"] / 10_000}, columns=DAILY_COLUMNS)


def _return_histogram(closed: Closed, bins: int) -> pd.DataFrame:
    ret = closed.ret[~np.isnan(closed.ret)]
    if not ret.size:
        return pd.DataFrame(columns=HISTOGRAM_COLUMNS)
    low = float(ret.min())
    high = max(float(ret.max()), low + 1e-6)
    at = np.floor(bins * ((ret - low) / (high - low)))
    bin_number = np.where(ret >= high, bins, np.minimum(at, bins - 1) + 1).astype(np.int64)
    strategy = closed.strategy[~np.isnan(closed.ret)]
    keys, counts = np.unique(strategy * (bins + 1) + bin_number, return_counts=True)
    strategy_ids, bin_ids = keys // (bins + 1), keys % (bins + 1)
    return pd.DataFrame({"strategy_id": strategy_ids, "bin": bin_ids,
                         "bin_low": low + (high - low) * (bin_ids - 1) / bins,
                         "bin_high": low + (high - low) * bin_ids / bins, "positions": counts},
                        columns=HISTOGRAM_COLUMNS)


def _by_model(closed: Closed) -> pd.DataFrame:
    with_model = closed.where(~np.isnan(closed.model))  # as a group-by: no group for a missing key
    if not len(with_model):
        return pd.DataFrame(columns=BY_MODEL_COLUMNS)
    order = np.lexsort((with_model.mode, with_model.model, with_model.strategy))
    rows = with_model.where(order)
    starts = _runs(rows.strategy, rows.model, rows.mode)
    units = np.add.reduceat(np.nan_to_num(rows.pnl), starts)
    return pd.DataFrame({"strategy_id": rows.strategy[starts], "model_id": rows.model[starts].astype(np.int64),
                         "execution_mode": rows.mode[starts].astype(object),
                         "positions_closed": np.diff(np.append(starts, len(rows))),
                         "realized_pnl": [money(u) for u in units]}, columns=BY_MODEL_COLUMNS)


def _bounds(closed: Closed):
    """(start, end) of each version's rows (rows sorted by version)."""
    starts = _runs(closed.strategy)
    return zip(starts, np.append(starts[1:], len(closed)))


def _covariates(closed: Closed) -> dict[int, "ab_stats.Covariates"]:
    """Per version: the regression adjustment's sums over positions with a return, an edge and an
    entry price (covariates in COVARIATES order, in price units)."""
    out = {}
    for start, end in _bounds(closed):
        ret, edge, entry = closed.ret[start:end], closed.edge[start:end], closed.entry[start:end]
        known = ~(np.isnan(ret) | np.isnan(edge) | np.isnan(entry))
        y = ret[known]
        x = [edge[known] / 10_000, entry[known] / 10_000]
        # products summed column by column, not x.T @ x: a matrix product goes to a threaded BLAS,
        # which on a busy 2-core server doubled this function's time at random
        xx = np.array([[float((a * b).sum()) for b in x] for a in x])
        out[int(closed.strategy[start])] = ab_stats.Covariates(
            int(known.sum()), float(y.sum()), float((y * y).sum()), np.array([float(a.sum()) for a in x]), xx,
            np.array([float((a * y).sum()) for a in x]))
    return out


def _extremes(closed: Closed) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per version: its EXTREMES lowest returns (ascending) and highest (descending)."""
    out = {}
    for start, end in _bounds(closed):
        ret = closed.ret[start:end]
        ret = ret[~np.isnan(ret)]
        k = min(EXTREMES, ret.size)
        low = np.sort(np.partition(ret, k - 1)[:k]) if k else ret
        high = np.sort(np.partition(ret, ret.size - k)[ret.size - k:])[::-1] if k else ret
        out[int(closed.strategy[start])] = (low, high)
    return out


@dataclass(frozen=True)
class Winsorized:
    """Returns clipped at the pooled 1st and 99th percentiles of every version read (low, high), summed per
    version as ab_stats.Group needs them: strategy_id -> (n, sum, sum of squares, wins, sum of cubes)."""
    low: float
    high: float
    sums: dict[int, tuple[int, float, float, int, float]]


def _winsorized(closed: Closed) -> Winsorized | None:
    known = ~np.isnan(closed.ret)
    if not known.any():
        return None
    ret = closed.ret[known]
    # the inner order statistics ("higher" below, "lower" above): at least the most extreme return
    # on each side is clipped, also below 100 positions, where 1% is less than one position
    low = np.percentile(ret, WINSOR_PERCENTILES[0], method="higher")
    high = np.percentile(ret, WINSOR_PERCENTILES[1], method="lower")
    clipped = np.clip(ret, low, high)
    strategy = closed.strategy[known]
    starts = _runs(strategy)
    counts = np.diff(np.append(starts, len(strategy)))
    square = clipped * clipped
    sums = np.add.reduceat(np.stack([clipped, square, square * clipped, clipped > 0], axis=1), starts, axis=0)
    return Winsorized(float(low), float(high), {
        int(strategy[start]): (int(n), float(total), float(total_sq), int(wins), float(total_cube))
        for start, n, (total, total_sq, total_cube, wins) in zip(starts, counts, sums)})


# One entry point per answer, for rows in closing order (the tests' and any single use); results()
# takes the columns out once for all of them.
def version_metrics(closed: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x mode: the sums the page's statistics and table need (METRIC_COLUMNS)."""
    return _version_metrics(Closed.of(closed))


def weekly_stats(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Running totals per version at the end of each week (Monday to Monday, UTC) with a close:
    strategy_id, week, look_at, positions, return_sum, return_sum_sq, wins; by week, then version."""
    return _weekly_stats(Closed.of(closed).of_mode(mode))


def daily_pnl(closed: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per version and day of closing: positions, realized_pnl and the running cumulative_pnl, in
    dollars as floats (a chart's series; exact to the cent); by day, then version."""
    return _daily_pnl(Closed.of(closed).of_mode(mode))


def return_histogram(closed: pd.DataFrame, mode: str, bins: int = 30) -> pd.DataFrame:
    """Positions per version in `bins` equal bins shared by every version, from the lowest to the
    highest return (the highest in the last bin): strategy_id, bin (1..bins), bin_low, bin_high,
    positions. One distinct return still makes a bin of width 1e-6. Binning as PostgreSQL's
    width_bucket(float8), which the page's SQL used."""
    return _return_histogram(Closed.of(closed).of_mode(mode), bins)


def by_model(closed: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x model version x mode: positions_closed and realized_pnl (Decimal),
    for the strategy x model matrix."""
    return _by_model(Closed.of(closed))


@dataclass(frozen=True)
class Results:
    """Everything the A/B page draws from one list of closed positions; by mode where the page
    shows one mode (so switching live/paper needs no new read). `by_model` and `allocation` count
    every position read, also when the rest is restricted to some model versions: they describe the
    experiment (which models each version traded with, how its markets were split)."""
    metrics: pd.DataFrame
    weekly: dict[str, pd.DataFrame]
    daily: dict[str, pd.DataFrame]
    histogram: dict[str, pd.DataFrame]
    by_model: pd.DataFrame
    allocation: dict[str, pd.DataFrame]
    covariates: dict[str, dict[int, ab_stats.Covariates]]
    extremes: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]]
    winsorized: dict[str, Winsorized | None]
    ratios: dict[str, pd.DataFrame]         # Sharpe and Sortino per version (trade_metrics.daily_ratios)
    # per breakdown x segment x version, the sums of the verdict by segment (analytics/ab_segments.py);
    # empty without the positions' segments
    segments: dict[str, pd.DataFrame] = field(default_factory=dict)


def results(closed: pd.DataFrame, modes: tuple[str, ...] = MODES, bins: int = 30,
            model_ids: tuple[int, ...] | None = None, segments: pd.DataFrame | None = None) -> Results:
    """Everything, from the closed positions as read (in any order); with model_ids, the numbers
    of positions opened on those model versions only (by_model and allocation still count all);
    with segments (queries/ab_position_segments.sql), the sums of the verdict by segment."""
    every = Closed.of(in_closing_order(closed))
    columns = every if model_ids is None else every.where(np.isin(every.model, np.asarray(model_ids, dtype=float)))
    by_mode = {mode: columns.of_mode(mode) for mode in modes}
    daily = {m: _daily_pnl(c) for m, c in by_mode.items()}
    return Results(_version_metrics(columns), {m: _weekly_stats(c) for m, c in by_mode.items()}, daily,
                   {m: _return_histogram(c, bins) for m, c in by_mode.items()}, _by_model(every),
                   {m: _allocation(every.of_mode(m) if model_ids else by_mode[m]) for m in modes},
                   {m: _covariates(c) for m, c in by_mode.items()}, {m: _extremes(c) for m, c in by_mode.items()},
                   {m: _winsorized(c) for m, c in by_mode.items()}, {m: daily_ratios(d) for m, d in daily.items()},
                   _segments(closed, segments, modes, model_ids))


def _segments(closed: pd.DataFrame, segments: pd.DataFrame | None, modes: tuple[str, ...],
              model_ids: tuple[int, ...] | None) -> dict[str, pd.DataFrame]:
    if segments is None:
        return {}
    if model_ids is not None:
        closed = closed[closed.model_id.isin(model_ids)]
    by_segment = ab_segments.positions_by_segment(closed, segments)
    return {mode: ab_segments.segment_sums(by_segment, mode) for mode in modes}
