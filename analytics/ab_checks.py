"""Checks of what an A/B comparison stands on, beside its tests (analytics/ab_stats.py).

- the period in which every chosen version was trading: comparing a control's positions from before
  the challenger existed with the challenger's compares two periods as much as two versions;
- the model versions each strategy version traded with: a strategy change that came with a model
  change cannot be told from it;
- the sample ratio: where the versions' configs declare how the markets were split between them,
  whether the markets they traded follow that split (a mismatch means the assignment is broken or
  biased, and the comparison with it);
- which few positions carry a difference: one long shot that paid 100 times its stake can make a
  version look better on its own.

Pure functions over frames the page already has; docs/statistics.md says what each assumes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from numbers import Real
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from analytics.ab_stats import Group


# --- the period every chosen version was trading ------------------------------------------------
@dataclass(frozen=True)
class SharedPeriod:
    """Days from the last first trade to the first last trade of the chosen versions, with the
    versions that set each end; `problem` (and no days) when there is no such period."""
    start: date | None
    end: date | None
    began: str | None = None       # the version whose first trade starts the period
    stopped: str | None = None     # the version whose last trade ends it
    problem: str | None = None


def shared_trading_period(periods: pd.DataFrame, versions: Sequence[str]) -> SharedPeriod:
    """periods: strategy_version, first_trade, last_trade (timestamps; queries/ab_trading_periods.sql)."""
    known = periods.set_index("strategy_version") if len(periods) else pd.DataFrame(columns=["first_trade",
                                                                                              "last_trade"])
    idle = [v for v in versions if v not in known.index or pd.isna(known.loc[v, "first_trade"])]
    if idle:
        return SharedPeriod(None, None, problem=f"{', '.join(idle)} {'has' if len(idle) == 1 else 'have'} "
                                                f"not traded yet")
    firsts = {v: pd.Timestamp(known.loc[v, "first_trade"]) for v in versions}
    lasts = {v: pd.Timestamp(known.loc[v, "last_trade"]) for v in versions}
    began = max(versions, key=lambda v: (firsts[v], versions.index(v)))
    stopped = min(versions, key=lambda v: (lasts[v], versions.index(v)))
    if firsts[began] > lasts[stopped]:
        return SharedPeriod(None, None, began, stopped,
                            problem=(f"the chosen versions never traded at the same time: {stopped} last traded on "
                                     f"{lasts[stopped]:%Y-%m-%d}, before {began} first traded on "
                                     f"{firsts[began]:%Y-%m-%d}"))
    return SharedPeriod(firsts[began].date(), lasts[stopped].date(), began, stopped)


# --- model versions behind each strategy version -------------------------------------------------
@dataclass(frozen=True)
class ModelMix:
    """Per strategy version the model versions its positions were opened on ({label: positions}),
    the model ids every one of them used, and whether the versions differ in their models."""
    models: dict[str, dict[str, int]]
    shared_ids: tuple[int, ...]
    shared_labels: tuple[str, ...]
    confounded: bool


def model_mix(pairs: pd.DataFrame, mode: str, versions: Sequence[str]) -> ModelMix:
    """pairs: strategy_version, model_id, model_name, model_version, execution_mode, positions_closed
    (ab_positions.by_model joined with the model names). Versions without a position in `mode` say
    nothing about confounding and are left out."""
    rows = pairs[(pairs.execution_mode == mode) & pairs.strategy_version.isin(versions)]
    models: dict[str, dict[str, int]] = {}
    ids: dict[str, set[int]] = {}
    labels: dict[int, str] = {}
    for r in rows.sort_values(["model_name", "model_version"]).itertuples():
        label = f"{r.model_name} {r.model_version}"
        labels[int(r.model_id)] = label
        models.setdefault(r.strategy_version, {})
        models[r.strategy_version][label] = models[r.strategy_version].get(label, 0) + int(r.positions_closed)
        ids.setdefault(r.strategy_version, set()).add(int(r.model_id))
    present = [v for v in versions if v in ids]
    shared = set.intersection(*(ids[v] for v in present)) if present else set()
    confounded = len(present) > 1 and any(ids[v] != ids[present[0]] for v in present[1:])
    ordered = tuple(sorted(shared, key=lambda i: labels[i]))
    return ModelMix({v: models[v] for v in present}, ordered, tuple(labels[i] for i in ordered), confounded)


# --- sample ratio --------------------------------------------------------------------------------
SPLIT_KEY = "traffic_split"     # a version's share of the pair's eligible markets, in (0, 1)
SRM_THRESHOLD = 0.001           # flagged below this p-value, as GrowthBook and Statsig do
SRM_MIN_EXPECTED = 5            # chi-square's approximation wants every expected count at 5 or more
SRM_CONCENTRATION = 100.0       # the sequential test's Dirichlet prior: mean the declared split,
                                # worth 100 markets (mismatches of a few points are what it expects)


def declared_splits(configs: Mapping[str, object]) -> tuple[dict[str, float] | None, str | None]:
    """The chosen versions' declared shares ({version: traffic_split}, renormalised to add up to 1)
    or None with the reason the check does not apply."""
    declared, missing = {}, []
    for version, config in configs.items():
        value = config.get(SPLIT_KEY) if isinstance(config, Mapping) else None
        if value is None:
            missing.append(version)
            continue
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
            return None, (f"{version}'s config declares {SPLIT_KEY} = {value!r}, which is not a share between 0 and 1, "
                          "so the sample-ratio check does not apply")
        declared[version] = float(value)
    if not declared:
        return None, (f"no chosen version's config declares a {SPLIT_KEY}, so the sample-ratio check does not apply "
                      "(it needs the share of the markets each version is meant to get)")
    if missing:
        return None, (f"{', '.join(missing)} declare{'s' if len(missing) == 1 else ''} no {SPLIT_KEY} while "
                      f"{', '.join(declared)} do{'es' if len(declared) == 1 else ''}, so the sample-ratio check does "
                      "not apply to this choice of versions")
    total = sum(declared.values())
    if total > 1 + 1e-9:
        return None, (f"the declared {SPLIT_KEY}s add up to {total:g}, more than the whole, so the sample-ratio check "
                      "does not apply")
    return {v: s / total for v, s in declared.items()}, None


def chi_square_p(observed: Sequence[float], shares: Sequence[float]) -> float:
    """Pearson's chi-square goodness of fit of the counts to the shares (scipy.stats.chisquare;
    GrowthBook's checkSrm gives the same p-values)."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(shares, dtype=float) * observed.sum()
    return float(stats.chisquare(observed, expected).pvalue)


def sequential_p(counts: np.ndarray, shares: Sequence[float], concentration: float = SRM_CONCENTRATION) -> float:
    """Always-valid p-value for "the counts follow the shares" after each look (rows of cumulative
    counts, one column per arm), carried as its running minimum: the Dirichlet-multinomial Bayes
    factor of Lindon & Malek ("Anytime-valid inference for multinomial count data", NeurIPS 2022)
        BF = B(alpha + x) / B(alpha) / prod(share_i ^ x_i),  alpha = concentration x shares,
    a martingale under the null, so P(min over looks of 1/BF <= a) <= a however often one looks."""
    x = np.atleast_2d(np.asarray(counts, dtype=float))
    theta = np.asarray(shares, dtype=float)
    alpha = concentration * theta
    log_bf = (special.gammaln(alpha.sum()) - special.gammaln(alpha.sum() + x.sum(axis=1))
              + (special.gammaln(alpha + x) - special.gammaln(alpha)).sum(axis=1) - (x * np.log(theta)).sum(axis=1))
    return float(np.minimum(1.0, np.exp(-log_bf)).min())


@dataclass(frozen=True)
class SampleRatio:
    """The observed markets per version against their declared shares."""
    applies: bool
    reason: str | None = None
    versions: tuple[str, ...] = ()
    observed: tuple[int, ...] = ()
    expected_shares: tuple[float, ...] = ()
    p_value: float = math.nan
    sequential: bool = False
    mismatch: bool = False


def sample_ratio(configs: Mapping[str, object], allocation: pd.DataFrame, *, sequential: bool) -> SampleRatio:
    """allocation: version, look_at, markets (running count of markets with a closed position; the
    completed weekly looks and the current totals as the last). Fixed horizon: chi-square on the
    current counts. Sequential: the always-valid test over every look."""
    shares, reason = declared_splits(configs)
    if shares is None:
        return SampleRatio(False, reason)
    versions = tuple(shares)
    if allocation.empty:
        return SampleRatio(False, "no chosen version has closed a position in this date range yet, so there is "
                                  "nothing to check the split against", versions)
    looks, at = np.unique(allocation["look_at"].to_numpy(), return_inverse=True)
    counts = np.full((len(looks), len(versions)), np.nan)
    for column, version in enumerate(versions):
        mine = (allocation["version"] == version).to_numpy()
        counts[at[mine], column] = allocation["markets"].to_numpy(dtype=float)[mine]
    # a running count carries through looks without a new market (zero before the first)
    wide = pd.DataFrame(counts).ffill().fillna(0.0)
    current = wide.to_numpy()[-1]
    expected = np.asarray([shares[v] for v in versions])
    if (expected * current.sum()).min() < SRM_MIN_EXPECTED:
        return SampleRatio(False, f"too few markets yet to check the split (every version should expect at least "
                                  f"{SRM_MIN_EXPECTED})", versions, tuple(int(c) for c in current), tuple(expected))
    p = sequential_p(wide.to_numpy(), expected) if sequential else chi_square_p(current, expected)
    return SampleRatio(True, None, versions, tuple(int(c) for c in current), tuple(expected), p, sequential,
                       p < SRM_THRESHOLD)


# --- positions that carry a difference -----------------------------------------------------------
@dataclass(frozen=True)
class Influence:
    """The fewest positions that carry at least half of the difference in mean return (removing
    them takes away half of it or more; found among each version's most extreme returns), what the
    difference is without them, and the share of it the most influential one carries."""
    positions: int
    without: float
    top_share: float
    removed: list[tuple[str, float]] = field(default_factory=list)  # (version, return), most influential first


def influential_positions(control: Group, version: Group, control_extremes: tuple[np.ndarray, np.ndarray],
                          version_extremes: tuple[np.ndarray, np.ndarray], limit: int = 10) -> Influence | None:
    """Removes, one at a time, the position whose removal moves the difference (version minus
    control) furthest towards zero: the version's highest return or the control's lowest when the
    version leads, the other way round when it trails; until half of the difference is gone.
    Extremes: (lowest ascending, highest descending) returns of each version. None when `limit`
    removals do not take half of it away."""
    sums = {"c": [control.return_sum, control.n], "v": [version.return_sum, version.n]}
    if control.n < 2 or version.n < 2:
        return None
    difference = version.return_sum / version.n - control.return_sum / control.n
    if difference == 0:
        return None
    leads = difference > 0
    # the candidates that pull the difference towards zero, most extreme first
    queues = {"v": list(version_extremes[1] if leads else version_extremes[0]),
              "c": list(control_extremes[0] if leads else control_extremes[1])}
    labels = {"c": control.label, "v": version.label}
    current, removed, first_step = difference, [], None

    def after(side: str) -> float:
        total, n = sums[side]
        mean = (total - queues[side][0]) / (n - 1)
        other = sums["c" if side == "v" else "v"]
        other_mean = other[0] / other[1]
        return mean - other_mean if side == "v" else other_mean - mean

    while len(removed) < limit:
        options = [(after(side), side) for side in ("v", "c") if queues[side] and sums[side][1] > 2]
        if not options:
            return None
        best, side = min(options) if leads else max(options)
        if (best >= current) if leads else (best <= current):
            return None  # nothing left pulls towards zero
        value = queues[side].pop(0)
        sums[side][0] -= value
        sums[side][1] -= 1
        if first_step is None:
            first_step = (difference - best) / difference
        removed.append((labels[side], float(value)))
        current = best
        if abs(current) <= abs(difference) / 2 or (current < 0) == leads:
            return Influence(len(removed), float(current), float(first_step), removed)
    return None


NOTICEABLE = 0.5  # a difference of half its standard error: a chance to beat beyond 70% (or below 30%)


def carried_by_few(influence: Influence | None, control: Group, version: Group) -> bool:
    """Whether to warn: at most 1% of the positions (at least one) carry half the difference or
    more, and the difference is large enough to sway a reader (NOTICEABLE): half of a difference
    that is noise anyway is no news."""
    if influence is None or influence.positions > max(1, math.ceil(0.01 * (control.n + version.n))):
        return False
    se = math.sqrt(control.var / control.n + version.var / version.n)
    return abs(version.mean - control.mean) >= NOTICEABLE * se
