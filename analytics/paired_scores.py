"""Which model version forecasts better, on the same markets, with an interval on the difference.

Each version's settled-market scores come from the markets it priced, and versions price different
markets (elo_nfl's three versions in the demo: 60, 88 and 38, and no market priced by all three),
so a version can win on easier markets. Here every pair of versions is compared on the markets both
scored: the per-market difference of their scores d = score(b) - score(a) takes out how hard each
market was, and its mean is tested against zero with a paired t-test -- the Diebold-Mariano test
for one-step forecasts, whose loss differences need no autocorrelation correction (scipy's
ttest_rel gives the same numbers; tests/test_paired_scores.py). It assumes the markets' differences
independent; markets of one event are not quite, which the page's method note says.

The family is every pair x score shown, Bonferroni: each interval is at 1 - alpha/m and a pair is
called different exactly when its interval leaves out zero (as on the A/B page, so a verdict never
contradicts its interval). A version is the winner only when its Brier score is lower than every
other chosen version's, each on their shared markets with the interval below zero; otherwise the
page says there is no clear winner.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import pandas as pd
from scipy import stats

ALPHA = 0.05
MIN_MARKETS = 30   # below this many shared markets the pair gets a sentence, not a test
BRIER, LOG_LOSS = "Brier", "Log loss"
SCORES = {BRIER: "brier", LOG_LOSS: "log_loss"}
COLUMNS = ["version", "other", "score", "markets", "version_mean", "other_mean", "estimate", "low", "high",
           "p_value", "significant", "note"]


@dataclass
class PairedComparison:
    rows: pd.DataFrame          # one per pair x score (COLUMNS): estimate = version's mean score - other's
    tests: int                  # the Bonferroni family
    level: float                # each interval's level, 1 - alpha / tests
    winner: str | None          # lower Brier than every other version, each interval below zero
    versions: list[str]


def paired_t(n: int, total: float, total_sq: float, alpha: float) -> tuple[float, float, float, float]:
    """Mean difference, its interval at 1 - alpha and the two-sided p-value, from n differences'
    sum and sum of squares (a paired t-test, as scipy.stats.ttest_rel)."""
    mean = total / n
    var = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    se = math.sqrt(var / n)
    if se == 0:
        return mean, mean, mean, (1.0 if mean == 0 else 0.0)
    t = mean / se
    q = stats.t.ppf(1 - alpha / 2, n - 1)
    return mean, mean - q * se, mean + q * se, float(2 * stats.t.sf(abs(t), n - 1))


def compare_versions(pairs: pd.DataFrame, versions: Sequence[str], alpha: float = ALPHA,
                     min_markets: int = MIN_MARKETS) -> PairedComparison:
    """pairs: models_paired_scores rows (version_a, version_b, markets, brier_a, brier_b, brier_diff,
    brier_diff_sq, log_loss_diff, log_loss_diff_sq). versions: the chosen ones, in the page's order;
    each row is oriented later-version minus earlier-version in that order."""
    versions = list(versions)
    found = {}
    for r in pairs.itertuples():
        if r.version_a in versions and r.version_b in versions:
            found[(r.version_a, r.version_b)] = r
    planned = []
    for i, earlier in enumerate(versions):
        for later in versions[i + 1:]:
            row = found.get((earlier, later)) or found.get((later, earlier))
            sign = 1.0 if row is None or row.version_b == later else -1.0
            markets = 0 if row is None else int(row.markets)
            note = None
            if markets < min_markets:
                note = (f"{later} and {earlier} scored {markets} market{'' if markets == 1 else 's'} in common; "
                        f"at least {min_markets} are needed to compare them")
            for score, column in SCORES.items():
                planned.append((later, earlier, score, markets, row, sign, column, note))
    tests = sum(1 for *_, note in planned if note is None)
    test_alpha = alpha / max(tests, 1)
    rows = []
    for later, earlier, score, markets, row, sign, column, note in planned:
        out = dict.fromkeys(COLUMNS)
        out.update(version=later, other=earlier, score=score, markets=markets, note=note, significant=False)
        if note is None:
            total = sign * float(getattr(row, f"{column}_diff"))
            # (the sum of squares is the same either way round)
            estimate, low, high, p = paired_t(markets, total, float(getattr(row, f"{column}_diff_sq")), test_alpha)
            if column == "brier":
                mean_b, mean_a = float(row.brier_b) / markets, float(row.brier_a) / markets
                out.update(version_mean=mean_b if sign > 0 else mean_a, other_mean=mean_a if sign > 0 else mean_b)
            out.update(estimate=estimate, low=low, high=high, p_value=p, significant=p <= test_alpha)
        rows.append(out)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return PairedComparison(frame, tests, 1 - test_alpha, _winner(frame, versions), versions)


def _winner(frame: pd.DataFrame, versions: list[str]) -> str | None:
    brier = frame[frame.score == BRIER]
    if len(versions) < 2 or brier.empty:
        return None
    for candidate in versions:
        beaten = 0
        for r in brier.itertuples():
            if candidate not in (r.version, r.other) or r.note:
                continue
            lower = r.high < 0 if r.version == candidate else r.low > 0  # candidate's Brier below the other's
            beaten += bool(r.significant and lower)
        if beaten == len(versions) - 1:
            return candidate
    return None


def table(comparison: PairedComparison) -> pd.DataFrame:
    """The pairs as text for the page: which two, markets, the difference with its interval, p, reading."""
    def number(x: float) -> str:
        return f"{x:+.4f}"

    rows = []
    for r in comparison.rows.itertuples():
        if r.note:
            reading = "not enough shared markets"
        elif r.significant:
            reading = f"{r.version} better" if r.high < 0 else f"{r.other} better"
        else:
            reading = "no clear difference"
        rows.append({"Versions": f"{r.version} − {r.other}", "Score": r.score, "Shared markets": r.markets,
                     "Difference (lower is better)": "—" if r.note else number(r.estimate),
                     f"Interval ({comparison.level:.1%})": "—" if r.note else f"{number(r.low)} to {number(r.high)}",
                     "p-value": "—" if r.note else ("< 0.001" if r.p_value < 0.001 else f"{r.p_value:.3f}"),
                     "Reading": reading})
    return pd.DataFrame(rows)


def winner_sentence(comparison: PairedComparison) -> str:
    if len(comparison.versions) < 2:
        return "Pick at least two versions to compare them on the markets they both scored."
    if comparison.winner:
        others = [v for v in comparison.versions if v != comparison.winner]
        return (f"Winner: {comparison.winner}, with a lower Brier score than {', '.join(others)} on the markets each "
                f"pair scored, every interval ({comparison.level:.1%}) below zero.")
    if not comparison.tests:
        return "No clear winner: no two of these versions scored enough markets in common to be compared."
    return ("No clear winner: no version has a lower Brier score than every other one with its interval "
            f"({comparison.level:.1%}) below zero on the markets they both scored.")
