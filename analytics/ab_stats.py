"""Inference for strategy A/B tests: each version against a control, from sufficient statistics.

The unit is the closed position; the primary metric is the return per closed position
(realized_pnl / cost), the second the win rate (realized_pnl > 0). Everything here works from
(n, sum, sum of squares, wins) per version (analytics/ab_positions.py sums them from one read
of the closed positions), and the interval functions are vectorized over numpy arrays so
the tests can run thousands of simulated comparisons in one call.

Two analyses:
- fixed horizon: Welch's t interval and p-value (as scipy.stats.ttest_ind(equal_var=False)) for
  the mean return; the two-proportion z-test (statsmodels proportions_ztest) with Newcombe's
  interval (confint_proportions_2indep) for the win rate. Valid for ONE look at a sample size
  fixed in advance.
- sequential (default for meetings): a mixture sequential probability ratio test (mSPRT,
  Johari, Pekelis & Walsh, "Always valid inference", 2017). With the difference D of the two
  means, its variance V (Welch's, plug-in) and a normal mixture N(0, tau^2) over the true
  difference, the likelihood ratio against "no difference" is
      L = sqrt(V / (V + tau^2)) * exp(tau^2 D^2 / (2 V (V + tau^2)))
  and P(L ever reaches 1/alpha | no difference) <= alpha, however often one looks. The
  always-valid p-value is min(1, 1/L); the confidence sequence is every difference d for which
  the same ratio centred at d stays below 1/alpha:
      D +- sqrt(V (V + tau^2) / tau^2 * (2 log(1/alpha) + log((V + tau^2) / V))).
  tau is the minimum effect the meeting cares about (the page's "minimum effect").

The Bayesian summary (chance to beat the control, expected loss) uses the normal approximation
of the posterior of the difference under a flat prior, D ~ N(observed difference, V): closed
form, so the same link always gives the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

ALPHA = 0.05
# Below this many closed positions in a version or its control the page says "not enough data"
# instead of an interval: the intervals lean on the central limit theorem, and returns of
# prediction-market positions are skewed (a few settle at -100% or several times the stake).
MIN_POSITIONS = 30
TARGET_POWER = 0.8
DEFAULT_MIN_EFFECT = 0.05  # 5 percentage points of return per position (or of win rate)
SEQUENTIAL, FIXED = "sequential", "fixed"
RETURN, WIN_RATE = "Mean return per position", "Win rate"
MULTIPLE_TESTING_METHOD = "holm"


def holm(p_values, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down adjustment: (reject, adjusted p-values), in the order given.

    The same numbers as statsmodels' multipletests(method="holm") (tests/test_ab_stats.py), which
    also runs gc.collect() on every call: a third of the A/B page's script time."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    steps = np.arange(m, 0, -1)
    adjusted_sorted = np.minimum(np.maximum.accumulate(p[order] * steps), 1.0)
    passed = p[order] <= alpha / steps
    reject_sorted = np.cumprod(passed).astype(bool)  # stops at the first test that fails
    adjusted, reject = np.empty(m), np.empty(m, dtype=bool)
    adjusted[order], reject[order] = adjusted_sorted, reject_sorted
    return reject, adjusted


# --- moments -------------------------------------------------------------------------------
def moments(n, total, total_sq):
    """Mean and sample variance (ddof=1) from n, sum and sum of squares; variance NaN for n < 2.

    Works on scalars or arrays. sum of squares minus n mean^2 cancels: identical values leave a
    rounding residue of about 1e-16 of the sum of squares (or a tiny negative), which is zero.
    """
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        spread = total_sq - total * mean
        spread = np.where(spread <= 1e-12 * np.abs(total_sq), 0.0, spread)
        var = np.where(n > 1, spread / (n - 1), np.nan)
    return mean, var


# --- intervals -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """A difference (version minus control) with its interval and p-value (arrays or floats)."""
    estimate: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p_value: np.ndarray


def welch(n1, mean1, var1, n2, mean2, var2, alpha: float = ALPHA) -> Interval:
    """Welch's t for mean2 - mean1 (group 1 is the control): as scipy.stats.ttest_ind(x2, x1,
    equal_var=False) and its confidence_interval(1 - alpha)."""
    n1, mean1, var1, n2, mean2, var2 = (np.asarray(x, dtype=float) for x in (n1, mean1, var1, n2, mean2, var2))
    a, b = var1 / n1, var2 / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(a + b)
        dof = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
        diff = mean2 - mean1
        t = diff / se
        p = 2 * stats.t.sf(np.abs(t), dof)
        q = stats.t.ppf(1 - alpha / 2, dof)
    return Interval(diff, se, diff - q * se, diff + q * se, p)


def mixture_sprt(estimate, se, tau: float, alpha: float = ALPHA) -> Interval:
    """Always-valid p-value and confidence sequence for a difference with standard error se
    (see the module docstring). tau > 0 is the scale of the normal mixture."""
    estimate = np.asarray(estimate, dtype=float)
    v = np.asarray(se, dtype=float) ** 2
    t2 = float(tau) ** 2
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_ratio = 0.5 * np.log(v / (v + t2)) + t2 * estimate ** 2 / (2 * v * (v + t2))
        p = np.minimum(1.0, np.exp(-log_ratio))
        half = np.sqrt(v * (v + t2) / t2 * (2 * math.log(1 / alpha) + np.log((v + t2) / v)))
    return Interval(estimate, np.sqrt(v), estimate - half, estimate + half, p)


def mean_difference(n1, mean1, var1, n2, mean2, var2, *, sequential: bool, tau: float,
                    alpha: float = ALPHA) -> Interval:
    """The difference in means as the page reports it: Welch, or the mSPRT on Welch's variance."""
    fixed = welch(n1, mean1, var1, n2, mean2, var2, alpha)
    return mixture_sprt(fixed.estimate, fixed.se, tau, alpha) if sequential else fixed


def win_rate_difference(wins1: int, n1: int, wins2: int, n2: int, *, sequential: bool, tau: float,
                        alpha: float = ALPHA) -> Interval:
    """p2 - p1: fixed horizon by statsmodels (pooled two-proportion z-test, Newcombe's interval);
    sequential by the mSPRT on the unpooled variance p(1 - p)/n."""
    p1, p2 = wins1 / n1, wins2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if sequential:
        return mixture_sprt(p2 - p1, se, tau, alpha)
    _, p_value = proportions_ztest([wins2, wins1], [n2, n1])
    low, high = confint_proportions_2indep(wins2, n2, wins1, n1, compare="diff", method="newcomb", alpha=alpha)
    return Interval(np.float64(p2 - p1), np.float64(se), np.float64(low), np.float64(high), np.float64(p_value))


# --- Bayesian summary -----------------------------------------------------------------------
def chance_to_beat(estimate, se):
    """P(version's true mean > control's) with D ~ N(estimate, se^2). se = 0: 1, 0 or 0.5."""
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = estimate / se
    return np.where(se > 0, stats.norm.cdf(z), np.where(estimate > 0, 1.0, np.where(estimate < 0, 0.0, 0.5)))


def expected_loss(estimate, se):
    """E[max(-D, 0)]: what choosing the version is expected to lose against the control, per
    position, when it is in fact worse. The control's risk is expected_loss(-estimate, se)."""
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = estimate / se
        smooth = se * stats.norm.pdf(z) - estimate * stats.norm.cdf(-z)
    return np.where(se > 0, smooth, np.maximum(-estimate, 0.0))


# --- power ----------------------------------------------------------------------------------
def sequential_power(effect: float, sd: float, n_control: float, n_version: float, tau: float,
                     alpha: float = ALPHA) -> float:
    """Chance that the mSPRT rejects at a look with these sample sizes when the true difference
    is `effect` (a lower bound on having rejected by then: earlier looks can only add)."""
    v = sd ** 2 * (1 / n_control + 1 / n_version)
    half = float(mixture_sprt(0.0, math.sqrt(v), tau, alpha).high)
    s = math.sqrt(v)
    return float(stats.norm.cdf((effect - half) / s) + stats.norm.cdf((-effect - half) / s))


def positions_needed_sequential(effect: float, sd: float, tau: float, alpha: float = ALPHA,
                                power: float = TARGET_POWER) -> float:
    """Positions per version (equal sizes) for sequential_power to reach `power`."""
    def gap(n: float) -> float:
        return sequential_power(effect, sd, n, n, tau, alpha) - power
    high = 4.0
    while gap(high) < 0:
        high *= 2
        if high > 1e12:
            return math.inf
    return float(optimize.brentq(gap, 2.0, high, xtol=1e-6)) if gap(2.0) < 0 else 2.0


@dataclass(frozen=True)
class Power:
    effect: float
    sd: float
    needed_fixed: float        # per version, equal sizes (statsmodels TTestIndPower)
    needed_sequential: float   # per version, equal sizes (mSPRT at one look)
    current_fixed: float
    current_sequential: float


def power_analysis(effect: float, sd: float, n_control: int, n_version: int, tau: float,
                   alpha: float = ALPHA, power: float = TARGET_POWER) -> Power | None:
    """Positions needed per version to detect `effect` with `power`, and the power now. None
    when the returns do not vary (sd 0 or unknown): every difference would be 'certain'."""
    if not (sd > 0 and effect > 0 and n_control >= 2 and n_version >= 2):
        return None
    analysis = TTestIndPower()
    effect_size = effect / sd
    needed_fixed = analysis.solve_power(effect_size=effect_size, alpha=alpha, power=power, ratio=1.0)
    current_fixed = analysis.power(effect_size=effect_size, nobs1=n_control, ratio=n_version / n_control, alpha=alpha)
    return Power(effect, sd, float(needed_fixed), positions_needed_sequential(effect, sd, tau, alpha, power),
                 float(current_fixed), sequential_power(effect, sd, n_control, n_version, tau, alpha))


# --- the comparison the page shows ------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """One version's closed positions, as sums (from the database)."""
    label: str
    n: int
    return_sum: float
    return_sum_sq: float
    wins: int

    @property
    def mean(self) -> float:
        return float(moments(self.n, self.return_sum, self.return_sum_sq)[0]) if self.n else math.nan

    @property
    def var(self) -> float:
        return float(moments(self.n, self.return_sum, self.return_sum_sq)[1]) if self.n else math.nan


COLUMNS = ["version", "metric", "control_value", "version_value", "estimate", "low", "high", "p_value",
           "p_adjusted", "significant", "chance_to_beat", "risk_version", "risk_control", "note"]


@dataclass
class Comparison:
    control: str
    sequential: bool
    alpha: float
    min_effect: float
    tests: int                  # comparisons that got a p-value (the multiple-testing family)
    level: float                # confidence level of each interval (simultaneous 1 - alpha)
    rows: pd.DataFrame          # one per version x metric, COLUMNS
    power: dict[str, Power | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _pooled_sd(a: Group, b: Group) -> float:
    return math.sqrt(((a.n - 1) * a.var + (b.n - 1) * b.var) / (a.n + b.n - 2))


def _not_enough(control: Group, version: Group, min_positions: int) -> str | None:
    short = [g for g in (control, version) if g.n < min_positions]
    if not short:
        return None
    said = " and ".join(f"{g.label} has {g.n}" for g in short)
    return f"Not enough data: {said} closed positions; at least {min_positions} each are needed."


def _return_note(control: Group, version: Group) -> str | None:
    if control.var == 0 and version.var == 0:
        return ("Every position returned exactly the same within each version, so there is no spread "
                "to judge a difference against.")
    return None


def _win_rate_note(control: Group, version: Group) -> str | None:
    wins, n = control.wins + version.wins, control.n + version.n
    if wins == n:
        return "Every position won in both versions: the win rates cannot be told apart from this data."
    if wins == 0:
        return "No position won in either version: the win rates cannot be told apart from this data."
    return None


def compare(control: Group, versions: list[Group], *, sequential: bool = True,
            min_effect: float = DEFAULT_MIN_EFFECT, alpha: float = ALPHA,
            min_positions: int = MIN_POSITIONS) -> Comparison:
    """Every version against the control on both metrics.

    The multiple-testing family is every (version, metric) pair that got a p-value: p-values are
    Holm-adjusted over it and every interval is at level 1 - alpha/m (Bonferroni), so together
    they hold at 1 - alpha. A version is called different only when its adjusted p < alpha.
    """
    candidates: list[tuple[Group, str]] = []
    notes: list[str] = []
    for version in versions:
        blocked = _not_enough(control, version, min_positions)
        for metric, check in ((RETURN, _return_note), (WIN_RATE, _win_rate_note)):
            candidates.append((version, blocked or check(control, version) or ""))
    tests = sum(1 for _, note in candidates if not note)
    level_alpha = alpha / max(tests, 1)
    rows = []
    power: dict[str, Power | None] = {}
    for index, (version, note) in enumerate(candidates):
        metric = RETURN if index % 2 == 0 else WIN_RATE
        row = dict.fromkeys(COLUMNS)
        row.update(version=version.label, metric=metric, note=note or None, significant=False)
        if metric == RETURN:
            row.update(control_value=control.mean, version_value=version.mean)
        else:
            row.update(control_value=control.wins / control.n if control.n else math.nan,
                       version_value=version.wins / version.n if version.n else math.nan)
        if not note:
            if metric == RETURN:
                result = mean_difference(control.n, control.mean, control.var, version.n, version.mean, version.var,
                                         sequential=sequential, tau=min_effect, alpha=level_alpha)
                row.update(chance_to_beat=float(chance_to_beat(result.estimate, result.se)),
                           risk_version=float(expected_loss(result.estimate, result.se)),
                           risk_control=float(expected_loss(-result.estimate, result.se)))
            else:
                result = win_rate_difference(control.wins, control.n, version.wins, version.n,
                                             sequential=sequential, tau=min_effect, alpha=level_alpha)
            row.update(estimate=float(result.estimate), low=float(result.low), high=float(result.high),
                       p_value=float(result.p_value))
        if metric == RETURN:
            # also below the minimum sample: how many positions the meeting has to wait for
            power[version.label] = (power_analysis(min_effect, _pooled_sd(control, version), control.n, version.n,
                                                   min_effect, level_alpha)
                                    if control.n >= 2 and version.n >= 2 else None)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    tested = frame["note"].isna()
    if tests:
        reject, adjusted = holm(frame.loc[tested, "p_value"].to_numpy(dtype=float), alpha)
        frame.loc[tested, "p_adjusted"] = adjusted
        frame.loc[tested, "significant"] = reject
    if not versions:
        notes.append("Pick at least one version besides the control to compare.")
    return Comparison(control.label, sequential, alpha, min_effect, tests, 1 - level_alpha, frame, power, notes)


def lift_over_time(looks: pd.DataFrame, control: str, versions: list[str], *, sequential: bool,
                   min_effect: float, alpha: float = ALPHA, min_positions: int = MIN_POSITIONS) -> pd.DataFrame:
    """The difference in mean return against the control at every weekly look.

    looks: one row per (look_at, version) with running positions, return_sum, return_sum_sq
    (versions without closes in a week carry their previous totals). Returns look_at, version,
    estimate, low, high, chance_to_beat, positions, control_positions; looks where either side
    has fewer than min_positions are left out. Intervals are at level 1 - alpha (the caller
    passes the Bonferroni-adjusted alpha the table uses).
    """
    columns = ["look_at", "version", "estimate", "low", "high", "chance_to_beat", "positions", "control_positions"]
    base = looks[looks["version"] == control].set_index("look_at")
    out = []
    for version in versions:
        other = looks[looks["version"] == version].set_index("look_at")
        both = base.join(other, how="inner", lsuffix="_c", rsuffix="_v")
        both = both[(both["positions_c"] >= min_positions) & (both["positions_v"] >= min_positions)]
        if both.empty:
            continue
        m1, v1 = moments(both["positions_c"], both["return_sum_c"], both["return_sum_sq_c"])
        m2, v2 = moments(both["positions_v"], both["return_sum_v"], both["return_sum_sq_v"])
        result = mean_difference(both["positions_c"], m1, v1, both["positions_v"], m2, v2,
                                 sequential=sequential, tau=min_effect, alpha=alpha)
        out.append(pd.DataFrame({
            "look_at": both.index, "version": version, "estimate": result.estimate, "low": result.low,
            "high": result.high, "chance_to_beat": chance_to_beat(result.estimate, result.se),
            "positions": both["positions_v"].to_numpy(), "control_positions": both["positions_c"].to_numpy()}))
    if not out:
        return pd.DataFrame(columns=columns)
    return pd.concat(out, ignore_index=True)[columns]


def carry_forward(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weekly running totals per version (ab_positions.weekly_stats rows with a `version` column) made
    complete: every version at every look, carrying its last totals through weeks without
    closes (zeros before its first). Returns look_at, version, positions, return_sum,
    return_sum_sq, wins as floats."""
    values = ["positions", "return_sum", "return_sum_sq", "wins"]
    if weekly.empty:
        return pd.DataFrame(columns=["look_at", "version", *values])
    frame = weekly[["look_at", "version", *values]].copy()
    frame[values] = frame[values].astype(float)
    wide = frame.pivot(index="look_at", columns="version", values=values).sort_index().ffill().fillna(0.0)
    long = wide.stack("version", future_stack=True).reset_index()
    return long[["look_at", "version", *values]]
