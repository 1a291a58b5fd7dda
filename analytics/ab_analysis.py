"""Everything the A/B page concludes from one read of the closed positions and its choices: the
comparison (analytics/ab_stats.py), the sample-ratio check, the sensitivity checks and the few
positions that carry each difference (analytics/ab_checks.py). One pure function of small inputs,
so the page can cache its answer: a view that changes nothing recomputes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

import pandas as pd

from analytics import ab_checks, ab_positions, ab_segments, ab_stats, trade_metrics


@dataclass(frozen=True)
class Analysis:
    summary: pd.DataFrame                           # trade_metrics.summarize of the read
    groups: dict[str, ab_stats.Group]               # per version, in the mode shown
    comparison: ab_stats.Comparison
    sample_ratio: ab_checks.SampleRatio
    sensitivities: list[ab_stats.Sensitivity]       # per challenger
    influences: dict[str, ab_checks.Influence]      # per challenger whose difference a few positions carry
    winsor_cutoffs: tuple[float, float] | None
    segments: ab_stats.SegmentComparison | None = None  # the verdict by segment (analytics/ab_segments.py)


def _group(summary: pd.DataFrame, strategy_id: int, version: str, mode: str) -> ab_stats.Group:
    rows = summary[(summary.strategy_id == strategy_id) & (summary.execution_mode == mode)]
    if rows.empty:
        return ab_stats.Group(version, 0, 0.0, 0.0, 0, 0.0)
    r = rows.iloc[0]
    return ab_stats.Group(version, int(r.positions_closed), float(r.return_sum), float(r.return_sum_sq), int(r.wins),
                          float(r.return_sum_cube))


def analyse(closed: ab_positions.Results, allocation: pd.DataFrame, versions: Mapping[int, str], mode: str, *,
            sequential: bool, min_effect: float, configs: Mapping[str, object], today: date) -> Analysis:
    """closed: the read's results (restricted to some model versions or not); allocation: every
    position's running market counts in `mode` (ab_positions.Results.allocation, never restricted);
    versions: strategy_id -> version, the control first. Weekly looks count when completed by today."""
    ids = list(versions)
    ordered = [versions[i] for i in ids]
    control = ordered[0]
    now = pd.Timestamp(today)  # a weekly look is dated the Monday after its week, at 00:00

    def by_version(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(version=frame.strategy_id.map(versions))

    summary = trade_metrics.summarize(closed.metrics)
    groups = {versions[i]: _group(summary, i, versions[i], mode) for i in ids}
    looks = ab_stats.completed(ab_stats.carry_forward(by_version(closed.weekly[mode])), now)
    comparison = ab_stats.compare(groups[control], [groups[v] for v in ordered[1:]], sequential=sequential,
                                  min_effect=min_effect, looks=looks)
    markets = by_version(allocation)
    current = markets.groupby("version", as_index=False).markets.max().assign(look_at=now + pd.Timedelta(days=1))
    sample_ratio = ab_checks.sample_ratio({v: configs.get(v) for v in ordered},
                                          pd.concat([ab_stats.completed(markets, now), current]), sequential=sequential)
    winsorized = closed.winsorized[mode]

    def clipped(strategy_id: int) -> ab_stats.Group | None:
        sums = winsorized.sums.get(strategy_id) if winsorized else None
        return ab_stats.Group(versions[strategy_id], *sums[:4], sums[4]) if sums else None

    covariates, extremes = closed.covariates[mode], closed.extremes[mode]
    sensitivities, influences = [], {}
    for strategy_id in ids[1:]:
        version = versions[strategy_id]
        pair = (clipped(ids[0]), clipped(strategy_id))
        covs = (covariates.get(ids[0]), covariates.get(strategy_id))
        sensitivities.append(ab_stats.sensitivity(groups[control], groups[version], None if None in pair else pair,
                                                  None if None in covs else covs, sequential=sequential,
                                                  tau=min_effect, alpha=comparison.test_alpha))
        influence = ab_checks.influential_positions(groups[control], groups[version], extremes.get(ids[0], ((), ())),
                                                    extremes.get(strategy_id, ((), ())))
        if ab_checks.carried_by_few(influence, groups[control], groups[version]):
            influences[version] = influence
    segment_sums = closed.segments.get(mode)
    segments = (ab_segments.verdicts(segment_sums, versions, sequential=sequential, min_effect=min_effect)
                if segment_sums is not None else None)
    return Analysis(summary, groups, comparison, sample_ratio, sensitivities, influences,
                    (winsorized.low, winsorized.high) if winsorized else None, segments)

