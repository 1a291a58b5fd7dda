"""Where a strategy version wins: the A/B verdict broken down by sport, platform, entry price and
time to expiry at entry (queries/ab_position_segments.sql names each closed position's segments).

Each segment's positions are summed per version as the verdict's are (analytics/ab_positions.py:
every closed position counts, returns summed where known, a win is realized P&L above zero), and
ab_stats.compare_segments runs the verdict's test within each segment, every segment test of every
breakdown in one Bonferroni family.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from analytics import ab_stats

SPORT, PLATFORM, PRICE, EXPIRY = "Sport", "Platform", "Entry price", "Time to expiry"
BREAKDOWNS = (SPORT, PLATFORM, PRICE, EXPIRY)
# entry price of the position (the average of its buys), in buckets of 0.20
PRICE_EDGES = (0.2, 0.4, 0.6, 0.8)
PRICE_LABELS = ("0.00–0.20", "0.20–0.40", "0.40–0.60", "0.60–0.80", "0.80–1.00")
# hours from opening to the scheduled end of the event (else to the market's close)
EXPIRY_EDGES = (1.0, 6.0, 24.0, 168.0)
EXPIRY_LABELS = ("under 1 hour", "1–6 hours", "6–24 hours", "1–7 days", "over 7 days")
UNKNOWN = "unknown"
SUM_COLUMNS = ["breakdown", "segment", "order", "strategy_id", "positions", "return_sum", "return_sum_sq",
               "return_sum_cube", "wins"]
SEGMENT_ORDER = ["breakdown", "order", "segment"]


def _bucket(values: np.ndarray, edges: tuple[float, ...], labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Label and order of each value's bucket ([low, high): a value on an edge goes up); NaN: unknown, last."""
    index = np.searchsorted(np.asarray(edges), values, side="right")
    known = ~np.isnan(values)
    label = np.where(known, np.asarray(labels, dtype=object)[np.minimum(index, len(labels) - 1)], UNKNOWN)
    return label, np.where(known, index, len(labels))


def positions_by_segment(closed: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per closed position and breakdown: strategy_id, execution_mode, ret, pnl_units,
    breakdown, segment, order (the segments' order within a breakdown). closed: ab_closed_positions
    rows; segments: ab_position_segments rows (a position missing there is in segment 'unknown')."""
    frame = closed[["position_id", "strategy_id", "execution_mode", "ret", "pnl_units", "entry_units"]].merge(
        segments, on="position_id", how="left")
    entry = frame.entry_units.to_numpy(dtype=float, na_value=np.nan) / 10_000
    expiry = frame.expiry_hours.to_numpy(dtype=float, na_value=np.nan)
    price_label, price_order = _bucket(entry, PRICE_EDGES, PRICE_LABELS)
    expiry_label, expiry_order = _bucket(expiry, EXPIRY_EDGES, EXPIRY_LABELS)
    base = frame[["strategy_id", "execution_mode", "ret", "pnl_units"]]

    def named(values) -> np.ndarray:
        text = pd.Series(values, dtype=object)
        return text.where(text.notna() & (text != ""), UNKNOWN).to_numpy(dtype=object)

    sport, platform = named(frame.sport), named(frame.platform_id)
    parts = [base.assign(breakdown=SPORT, segment=sport, order=np.where(sport == UNKNOWN, 1, 0)),
             base.assign(breakdown=PLATFORM, segment=platform, order=np.where(platform == UNKNOWN, 1, 0)),
             base.assign(breakdown=PRICE, segment=price_label, order=price_order),
             base.assign(breakdown=EXPIRY, segment=expiry_label, order=expiry_order)]
    return pd.concat(parts, ignore_index=True)


def segment_sums(by_segment: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per breakdown x segment x version, in `mode`: the sums ab_stats.Group holds (SUM_COLUMNS)."""
    rows = by_segment[by_segment.execution_mode == mode]
    if rows.empty:
        return pd.DataFrame(columns=SUM_COLUMNS)
    ret = rows.ret.to_numpy(dtype=float, na_value=np.nan)
    known = np.nan_to_num(ret)
    values = rows[["breakdown", "segment", "order", "strategy_id"]].assign(
        positions=1, return_sum=known, return_sum_sq=known * known, return_sum_cube=known ** 3,
        wins=(rows.pnl_units.to_numpy(dtype=float, na_value=np.nan) > 0).astype(int))
    sums = values.groupby(["breakdown", "segment", "order", "strategy_id"], as_index=False, sort=False).sum()
    return sums[SUM_COLUMNS]


def _group(sums: pd.DataFrame, label: str) -> ab_stats.Group:
    if sums.empty:
        return ab_stats.Group(label, 0, 0.0, 0.0, 0, 0.0)
    r = sums.iloc[0]
    return ab_stats.Group(label, int(r.positions), float(r.return_sum), float(r.return_sum_sq), int(r.wins),
                          float(r.return_sum_cube))


def verdicts(sums: pd.DataFrame, versions: Mapping[int, str], *, sequential: bool, min_effect: float,
             alpha: float = ab_stats.ALPHA) -> ab_stats.SegmentComparison:
    """Every challenger against the control (versions: strategy_id -> label, the control first) in
    every segment where either has a position; rows keyed (breakdown, segment), in BREAKDOWNS order."""
    ids = list(versions)
    control_id = ids[0]
    pairs = []
    if len(sums) and len(ids) > 1:
        keys = (sums[["breakdown", "segment", "order"]].drop_duplicates()
                .assign(rank=lambda f: f.breakdown.map(BREAKDOWNS.index))
                .sort_values(["rank", "order", "segment"]))
        for key in keys.itertuples(index=False):
            mine = sums[(sums.breakdown == key.breakdown) & (sums.segment == key.segment)]
            control = _group(mine[mine.strategy_id == control_id], versions[control_id])
            for strategy_id in ids[1:]:
                pairs.append(((key.breakdown, key.segment), control,
                              _group(mine[mine.strategy_id == strategy_id], versions[strategy_id])))
    return ab_stats.compare_segments(pairs, sequential=sequential, min_effect=min_effect, alpha=alpha)


def table(comparison: ab_stats.SegmentComparison) -> pd.DataFrame:
    """The page's table: Breakdown, Segment, Version, Positions, Control positions, Difference (pp),
    Interval, Verdict."""
    rows = comparison.rows
    if rows.empty:
        return pd.DataFrame(columns=["Breakdown", "Segment", "Version", "Positions", "Control positions",
                                     "Difference in mean return", "Interval", "Verdict (or why none)"])

    def pp(value) -> str | None:
        return "—" if value is None or pd.isna(value) else f"{value * 100:+.1f} pp"

    def verdict(r) -> str:
        if r.note:
            return r.note  # why there is none
        if r.significant:
            return "better than the control" if r.low > 0 else "worse than the control"
        return "not decided yet" if comparison.sequential else "no clear difference"

    return pd.DataFrame({
        "Breakdown": [k[0] for k in rows.key], "Segment": [k[1] for k in rows.key], "Version": rows.version,
        "Positions": rows.positions.astype(int), "Control positions": rows.control_positions.astype(int),
        "Difference in mean return": [pp(v) for v in rows.estimate],
        "Interval": ["—" if r.note else f"{pp(r.low)} to {pp(r.high)}" for r in rows.itertuples()],
        "Verdict (or why none)": [verdict(r) for r in rows.itertuples()]})
