"""Inference for strategy A/B tests: each version against a control, from sufficient statistics.

The unit is the closed position; the primary metric is the return per closed position
(realized_pnl / cost), the second the win rate (realized_pnl > 0). Everything here works from
(n, sum, sum of squares, sum of cubes, wins) per version (analytics/ab_positions.py sums them from
one read of the closed positions), and the interval functions are vectorized over numpy arrays so
the tests can run thousands of simulated comparisons in one call. docs/statistics.md says what
each test computes, what it assumes, when the page withholds a verdict, and the simulations that
back it.

Two analyses:
- fixed horizon: Welch's t interval and p-value (as scipy.stats.ttest_ind(equal_var=False)) for
  the mean return; Newcombe's interval for the difference of win rates with the p-value that is
  its inversion (the smallest level at which the interval leaves out zero). Valid for ONE look at
  a sample size fixed in advance.
- sequential (default for meetings): a mixture sequential probability ratio test (mSPRT,
  Johari, Pekelis & Walsh, "Always valid inference", 2017). With the difference D of the two
  means, its variance V (Welch's, plug-in) and a normal mixture N(0, tau^2) over the true
  difference, the likelihood ratio against "no difference" is
      L = sqrt(V / (V + tau^2)) * exp(tau^2 D^2 / (2 V (V + tau^2)))
  and P(L ever reaches 1/alpha | no difference) <= alpha, however often one looks. The
  always-valid p-value is min(1, 1/L), carried as its running minimum over the weekly looks; the
  confidence sequence is every difference d for which the same ratio centred at d stays below
  1/alpha, intersected over the looks:
      D +- sqrt(V (V + tau^2) / tau^2 * (2 log(1/alpha) + log((V + tau^2) / V))).
  tau is the minimum effect the meeting cares about (the page's "minimum effect").

Verdict and interval are one procedure: with m comparisons (challengers x metrics that have a
test), every interval is at level 1 - alpha/m and a version is called better or worse exactly when
its interval leaves out zero, i.e. when its p-value is at most alpha/m (Bonferroni). Holm's step-down
would reject a little more often, but its rejections cannot be read off intervals: a Holm verdict
could sit beside an interval that contains zero (issue #21), and the intervals compatible with
Holm (Strassburger & Bretz 2008) end at zero for every rejected hypothesis, telling the meeting
nothing about the size of the difference.

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

ALPHA = 0.05
# Below this many closed positions in a version or its control the page says "not enough data"
# instead of an interval: the intervals lean on the central limit theorem.
MIN_POSITIONS = 30
# ... and returns of prediction-market positions are skewed: a long shot bought at 0.05 that wins
# returns +1,900%. Kohavi, Deng, Longbotham & Xu ("Seven rules of thumb for web site
# experimenters", KDD 2014, rule 7) give n > 355 s^2 for a metric of skewness s: then the mean's
# own skewness s / sqrt(n) is below 1/sqrt(355) and the normal interval's tails are within 10% of
# nominal. The statistic here is a difference of two means, whose skewness is
#     (m3_v / n_v^2 - m3_c / n_c^2) / V^(3/2)      (m3: third central moment of each arm)
# -- for one mean exactly s / sqrt(n) -- and the page withholds a verdict while it exceeds
# 1/sqrt(355). It is taken as the larger of that plug-in value and its value if both arms shared
# one distribution (the null hypothesis, when false positives happen): a small arm that has not
# yet drawn its rare big win looks unskewed on its own. In an A/A simulation on long-shot returns
# Welch's test rejected 12% at 300/36 positions (tests/test_ab_stats.py); with this rule the page
# says why it waits instead.
SKEW_LIMIT = 1 / math.sqrt(355)
TARGET_POWER = 0.8
DEFAULT_MIN_EFFECT = 0.05  # 5 percentage points of return per position (or of win rate)
SEQUENTIAL, FIXED = "sequential", "fixed"
RETURN, WIN_RATE = "Mean return per position", "Win rate"
MULTIPLE_TESTING_METHOD = "bonferroni"


def holm(p_values, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down adjustment: (reject, adjusted p-values), in the order given.

    The same numbers as statsmodels' multipletests(method="holm") (tests/test_ab_stats.py). Not
    what the page's verdicts use (see the module docstring); kept for the method notes' comparison."""
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


def third_moment(n, total, total_sq, total_cube):
    """The third central moment (divided by n) from the sums of x, x^2 and x^3."""
    n, total, total_sq, total_cube = (np.asarray(x, dtype=float) for x in (n, total, total_sq, total_cube))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        return total_cube / n - 3 * mean * total_sq / n + 2 * mean ** 3


def difference_skewness(n1, s1, q1, c1, n2, s2, q2, c2):
    """Skewness of the difference of two means (arm 2 minus arm 1), the larger in size of its
    plug-in value and its value with both arms pooled (see SKEW_LIMIT). Arrays or scalars; NaN
    where a variance is zero or unknown."""
    n1, s1, q1, c1, n2, s2, q2, c2 = (np.asarray(x, dtype=float) for x in (n1, s1, q1, c1, n2, s2, q2, c2))
    _, v1 = moments(n1, s1, q1)
    _, v2 = moments(n2, s2, q2)
    _, vp = moments(n1 + n2, s1 + s2, q1 + q2)
    with np.errstate(invalid="ignore", divide="ignore"):
        plug_in = (third_moment(n2, s2, q2, c2) / n2 ** 2 - third_moment(n1, s1, q1, c1) / n1 ** 2) \
            / (v1 / n1 + v2 / n2) ** 1.5
        pooled = third_moment(n1 + n2, s1 + s2, q1 + q2, c1 + c2) * (1 / n2 ** 2 - 1 / n1 ** 2) \
            / (vp * (1 / n1 + 1 / n2)) ** 1.5
    return np.fmax(np.abs(plug_in), np.abs(pooled))


def too_skewed(skewness) -> np.ndarray:
    """Where the normal approximation is not to be trusted (NaN counts as trusted: no spread is
    said otherwise)."""
    return np.asarray(skewness, dtype=float) > SKEW_LIMIT


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


def _wilson(successes, n, z):
    """Wilson score interval (lower, upper) of a proportion at normal quantile z (arrays)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def newcombe(wins1, n1, wins2, n2, z):
    """Newcombe's hybrid score interval (method 10) for p2 - p1 at normal quantile z: as statsmodels'
    confint_proportions_2indep(..., compare="diff", method="newcomb") (tests/test_ab_stats.py)."""
    p1, p2 = wins1 / n1, wins2 / n2
    l1, u1 = _wilson(wins1, n1, z)
    l2, u2 = _wilson(wins2, n2, z)
    d = p2 - p1
    return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def newcombe_p_value(wins1, n1, wins2, n2) -> float:
    """The p-value compatible with Newcombe's interval: the smallest alpha at which it leaves out
    zero (the interval widens with z, so its bound nearest zero crosses zero once). 1 when the
    observed difference is zero."""
    d = wins2 / n2 - wins1 / n1
    if d == 0:
        return 1.0

    def bound(z: float) -> float:
        low, high = newcombe(wins1, n1, wins2, n2, z)
        return float(low) if d > 0 else -float(high)

    if bound(40.0) > 0:  # leaves out zero at any level a float can hold
        return 0.0
    z = optimize.brentq(bound, 0.0, 40.0, xtol=1e-12)
    return float(2 * stats.norm.sf(z))


def win_rate_difference(wins1: int, n1: int, wins2: int, n2: int, *, sequential: bool, tau: float,
                        alpha: float = ALPHA) -> Interval:
    """p2 - p1. Fixed horizon: Newcombe's interval with its own p-value (newcombe_p_value), so the
    two never disagree. Sequential: the mSPRT on the larger of the pooled variance p(1 - p)(1/n1 +
    1/n2) and the unpooled p1(1 - p1)/n1 + p2(1 - p2)/n2. The unpooled one alone is zero when one
    version won every position and the other none (0 of 35 against 35 of 35: a NaN p-value and
    interval, issue #21); the pooled one holds under no difference, where false positives are
    made, and the larger of the two never understates either."""
    p1, p2 = wins1 / n1, wins2 / n2
    unpooled = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    pooled_p = (wins1 + wins2) / (n1 + n2)
    se = math.sqrt(max(unpooled, pooled_p * (1 - pooled_p) * (1 / n1 + 1 / n2)))
    if sequential:
        return mixture_sprt(p2 - p1, se, tau, alpha)
    low, high = newcombe(wins1, n1, wins2, n2, stats.norm.ppf(1 - alpha / 2))
    return Interval(np.float64(p2 - p1), np.float64(se), np.float64(low), np.float64(high),
                    np.float64(newcombe_p_value(wins1, n1, wins2, n2)))


def positions_to_decide(estimate: float, se: float, tau: float, alpha: float) -> float:
    """The factor k by which both samples would have to grow (the same difference, its variance
    divided by k) for the mSPRT to reject at level alpha; inf when the difference is zero."""
    if not (se > 0) or estimate == 0 or not math.isfinite(estimate):
        return math.inf

    def gap(log_k: float) -> float:
        return float(mixture_sprt(estimate, se / math.exp(log_k / 2), tau, alpha).p_value) - alpha

    if gap(0.0) <= 0:
        return 1.0
    if gap(60.0) > 0:
        return math.inf
    return math.exp(optimize.brentq(gap, 0.0, 60.0, xtol=1e-9))


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


# --- regression adjustment (CUPED) ------------------------------------------------------------
@dataclass(frozen=True)
class Covariates:
    """One version's sums over its closed positions with a return and every covariate known
    (ab_positions.COVARIATES): n, sum and sum of squares of the return, the covariates' sums
    `x` (k), their cross products `xx` (k x k) and their products with the return `xy` (k)."""
    n: int
    return_sum: float
    return_sum_sq: float
    x: np.ndarray
    xx: np.ndarray
    xy: np.ndarray


@dataclass(frozen=True)
class Adjusted:
    """Both arms' return adjusted for the covariates: n, mean and variance per arm (control,
    version), the coefficients, the share of the variance the adjustment removed, and each
    covariate's difference between the arms in standard errors (imbalance)."""
    control: tuple[int, float, float]
    version: tuple[int, float, float]
    theta: np.ndarray
    variance_reduction: float
    imbalance: np.ndarray


def cuped(control: Covariates, version: Covariates) -> Adjusted | None:
    """Regression adjustment of the return on what was known when each position was opened (CUPED,
    Deng, Xu, Kohavi & Walker 2013, with several covariates): theta is fitted on both arms together
    from their within-arm covariances (the regression of the return on the covariates and an arm
    indicator), each arm's return becomes y - theta'(x - mean of x over both arms), and the
    difference of the adjusted means is tested as the plain one is. None below two positions in an
    arm or when the covariates do not vary.

    The adjusted difference answers "at the same covariates, which version's positions return
    more?". Where the versions' entry rules differ, their positions differ in edge and price by
    design, and the adjustment takes out the part of the difference those choices explain: the page
    shows it beside the plain difference, not instead of it."""
    if control.n < 2 or version.n < 2:
        return None
    arms = (control, version)

    def centred(arm: Covariates) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        mean_x = arm.x / arm.n
        mean_y = arm.return_sum / arm.n
        sxx = arm.xx - arm.n * np.outer(mean_x, mean_x)
        sxy = arm.xy - arm.n * mean_x * mean_y
        syy = arm.return_sum_sq - arm.n * mean_y * mean_y
        return sxx, sxy, syy, mean_x

    parts = [centred(arm) for arm in arms]
    sxx = parts[0][0] + parts[1][0]
    sxy = parts[0][1] + parts[1][1]
    if not np.all(np.isfinite(sxx)) or not np.any(np.diag(sxx) > 1e-12 * max(1.0, float(np.abs(sxx).max()))):
        return None
    # least squares: a covariate that does not vary (every entry at one price) gets theta 0
    theta = np.linalg.lstsq(sxx, sxy, rcond=1e-10)[0]
    overall_x = (control.x + version.x) / (control.n + version.n)
    adjusted = []
    for arm, (a_xx, a_xy, a_yy, mean_x) in zip(arms, parts):
        mean = arm.return_sum / arm.n - float(theta @ (mean_x - overall_x))
        var = max(float(a_yy - 2 * theta @ a_xy + theta @ a_xx @ theta), 0.0) / (arm.n - 1)
        adjusted.append((arm.n, mean, var))
    plain = (parts[0][2] + parts[1][2])
    remaining = sum((n - 1) * var for n, _, var in adjusted)
    reduction = 1 - remaining / plain if plain > 0 else math.nan
    # a covariate that does not vary leaves a rounding residue, perhaps below zero: no spread
    spread = [np.maximum(np.diag(part[0]), 0.0) / (arm.n - 1) / arm.n for part, arm in zip(parts, arms)]
    with np.errstate(invalid="ignore", divide="ignore"):
        imbalance = (parts[1][3] - parts[0][3]) / np.sqrt(spread[0] + spread[1])
    return Adjusted(adjusted[0], adjusted[1], theta, float(reduction), imbalance)


# --- the comparison the page shows ------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """One version's closed positions, as sums (from the database)."""
    label: str
    n: int
    return_sum: float
    return_sum_sq: float
    wins: int
    return_sum_cube: float

    @property
    def mean(self) -> float:
        return float(moments(self.n, self.return_sum, self.return_sum_sq)[0]) if self.n else math.nan

    @property
    def var(self) -> float:
        return float(moments(self.n, self.return_sum, self.return_sum_sq)[1]) if self.n else math.nan


COLUMNS = ["version", "metric", "control_value", "version_value", "estimate", "low", "high", "p_value",
           "p_adjusted", "significant", "decided_at", "more_control", "more_version", "chance_to_beat",
           "risk_version", "risk_control", "note"]
NOW = pd.NaT  # decided_at of a verdict first reached at the current look (not a completed weekly one)


@dataclass
class Comparison:
    control: str
    sequential: bool
    alpha: float
    min_effect: float
    tests: int                  # comparisons that got a p-value (the multiple-testing family)
    level: float                # confidence level of each interval: 1 - alpha / tests (Bonferroni)
    rows: pd.DataFrame          # one per version x metric, COLUMNS
    power: dict[str, Power | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # the difference in mean return at every completed weekly look with a test (LOOK_COLUMNS):
    # the charts' lines; in sequential mode low/high are the confidence sequence intersected so far
    looks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LOOK_COLUMNS))

    @property
    def test_alpha(self) -> float:
        """The level each test is held to: alpha / m."""
        return self.alpha / max(self.tests, 1)


LOOK_COLUMNS = ["look_at", "version", "estimate", "low", "high", "p_value", "chance_to_beat", "positions",
                "control_positions"]


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
    skew = float(difference_skewness(control.n, control.return_sum, control.return_sum_sq, control.return_sum_cube,
                                     version.n, version.return_sum, version.return_sum_sq, version.return_sum_cube))
    if too_skewed(skew):
        grow = (skew / SKEW_LIMIT) ** 2
        return (f"Too skewed to judge yet: a few large returns dominate, so the difference's distribution is "
                f"far from normal (skewness {skew:.3f}; the test needs at most {SKEW_LIMIT:.3f}, Kohavi et al.'s "
                f"n > 355·skew² written for a difference of means). At this spread about "
                f"{math.ceil(grow * version.n):,} closed positions of {version.label} and "
                f"{math.ceil(grow * control.n):,} of {control.label} would be needed.")
    return None


def _win_rate_note(control: Group, version: Group) -> str | None:
    wins, n = control.wins + version.wins, control.n + version.n
    if wins == n:
        return "Every position won in both versions: the win rates cannot be told apart from this data."
    if wins == 0:
        return "No position won in either version: the win rates cannot be told apart from this data."
    return None


def _paired_looks(looks: pd.DataFrame | None, control: Group, version: Group) -> pd.DataFrame:
    """The completed weekly looks of a control and a version (running totals, suffixes _c and _v),
    then the current totals as a last look at NOW."""
    columns = ["positions", "return_sum", "return_sum_sq", "return_sum_cube", "wins"]
    sides = (("c", control), ("v", version))
    data: dict[str, list] = {f"{c}_{side}": [] for side, _ in sides for c in columns}
    index = []
    if looks is not None and len(looks):
        label = looks["version"].to_numpy()
        mine = {side: looks[label == group.label] for side, group in sides}
        # carry_forward gives every version with a close at every look, in order: the rows align
        if len(mine["c"]) and len(mine["c"]) == len(mine["v"]):
            index = list(mine["c"]["look_at"])
            for side, rows in mine.items():
                for c in columns:
                    data[f"{c}_{side}"] = list(rows[c].to_numpy(dtype=float))
    for side, group in sides:
        for c, value in zip(columns, (group.n, group.return_sum, group.return_sum_sq, group.return_sum_cube, group.wins)):
            data[f"{c}_{side}"].append(float(value))
    return pd.DataFrame(data, index=pd.DatetimeIndex([*index, NOW], name="look_at"))


@dataclass(frozen=True)
class _Track:
    """One test's statistic at every look (arrays; the last entry is the current look)."""
    look_at: pd.Index
    estimate: np.ndarray
    se: np.ndarray
    valid: np.ndarray        # the test applies at this look (enough positions, not too skewed)
    positions: np.ndarray
    control_positions: np.ndarray
    dof: np.ndarray          # Welch's degrees of freedom (the mean return's fixed-horizon interval)


def _return_track(paired: pd.DataFrame, min_positions: int) -> _Track:
    n1, n2 = paired["positions_c"].to_numpy(), paired["positions_v"].to_numpy()
    m1, v1 = moments(n1, paired["return_sum_c"].to_numpy(), paired["return_sum_sq_c"].to_numpy())
    m2, v2 = moments(n2, paired["return_sum_v"].to_numpy(), paired["return_sum_sq_v"].to_numpy())
    skew = difference_skewness(n1, paired["return_sum_c"], paired["return_sum_sq_c"], paired["return_sum_cube_c"],
                               n2, paired["return_sum_v"], paired["return_sum_sq_v"], paired["return_sum_cube_v"])
    a, b = v1 / n1, v2 / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(a + b)
        dof = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
    valid = (n1 >= min_positions) & (n2 >= min_positions) & (se > 0) & ~too_skewed(skew)
    return _Track(paired.index, m2 - m1, se, valid, n2, n1, dof)


def _win_track(paired: pd.DataFrame, min_positions: int) -> _Track:
    n1, n2 = paired["positions_c"].to_numpy(), paired["positions_v"].to_numpy()
    w1, w2 = paired["wins_c"].to_numpy(), paired["wins_v"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = w1 / n1, w2 / n2
        pooled = (w1 + w2) / (n1 + n2)
        se = np.sqrt(np.fmax(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2, pooled * (1 - pooled) * (1 / n1 + 1 / n2)))
    valid = (n1 >= min_positions) & (n2 >= min_positions) & (se > 0)
    return _Track(paired.index, p2 - p1, se, valid, n2, n1, np.full(len(n1), np.nan))


def _sequential_result(track: _Track, tau: float, alpha: float) -> dict:
    """Running minimum of the always-valid p-value over the valid looks, the confidence sequences
    intersected over them, and the first look at which the test decided (NaT: the current one)."""
    keep = track.valid
    looks = mixture_sprt(track.estimate[keep], track.se[keep], tau, alpha)
    p = np.asarray(looks.p_value)
    crossed = np.flatnonzero(p <= alpha)
    return dict(p_value=float(p.min()), low=float(np.max(looks.low)), high=float(np.min(looks.high)),
                decided_at=track.look_at[keep][crossed[0]] if crossed.size else None,
                running_low=np.maximum.accumulate(looks.low), running_high=np.minimum.accumulate(looks.high),
                looks_p=np.minimum.accumulate(p))


def _chart_looks(version: str, track: _Track, sequential: dict | None, alpha: float) -> pd.DataFrame:
    """The mean return's difference at every look with a test: sequential, the confidence sequence
    intersected so far and the running minimum p (what the verdict reads); fixed horizon, each
    look's own Welch interval (which the page warns must not be read week after week)."""
    keep = track.valid
    estimate, se = track.estimate[keep], track.se[keep]
    if sequential is not None:
        low, high, p = sequential["running_low"], sequential["running_high"], sequential["looks_p"]
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            q = stats.t.ppf(1 - alpha / 2, track.dof[keep])
            p = 2 * stats.t.sf(np.abs(estimate / se), track.dof[keep])
        low, high = estimate - q * se, estimate + q * se
    return pd.DataFrame({"look_at": track.look_at[keep], "version": version, "estimate": estimate, "low": low,
                         "high": high, "p_value": p, "chance_to_beat": chance_to_beat(estimate, se),
                         "positions": track.positions[keep], "control_positions": track.control_positions[keep]})


def compare(control: Group, versions: list[Group], *, sequential: bool = True,
            min_effect: float = DEFAULT_MIN_EFFECT, alpha: float = ALPHA,
            min_positions: int = MIN_POSITIONS, looks: pd.DataFrame | None = None) -> Comparison:
    """Every version against the control on both metrics.

    looks: the completed weekly looks so far (carry_forward rows: look_at, version, positions,
    return_sum, return_sum_sq, return_sum_cube, wins), used by the sequential analysis to carry
    its p-value as a running minimum and to intersect its confidence sequences: a version that
    crossed the boundary in week 6 stays decided in week 12. The current totals (the groups) are
    always the last look.

    The multiple-testing family is every (version, metric) pair that got a test; each interval is
    at level 1 - alpha/m and a version is called different exactly when it leaves out zero (p <=
    alpha/m; the adjusted p-value is min(1, m p)).
    """
    planned: list[tuple[Group, str, str, _Track | None]] = []
    for version in versions:
        blocked = _not_enough(control, version, min_positions)
        paired = _paired_looks(looks, control, version)
        ret_note = blocked or _return_note(control, version)
        win_note = blocked or _win_rate_note(control, version)
        planned.append((version, RETURN, ret_note or "", None if ret_note else _return_track(paired, min_positions)))
        planned.append((version, WIN_RATE, win_note or "", None if win_note else _win_track(paired, min_positions)))
    tests = sum(1 for *_, note, _ in planned if not note)
    test_alpha = alpha / max(tests, 1)
    rows, chart = [], []
    power: dict[str, Power | None] = {}
    for version, metric, note, track in planned:
        row = dict.fromkeys(COLUMNS)
        row.update(version=version.label, metric=metric, note=note or None, significant=False)
        if metric == RETURN:
            row.update(control_value=control.mean, version_value=version.mean)
        else:
            row.update(control_value=control.wins / control.n if control.n else math.nan,
                       version_value=version.wins / version.n if version.n else math.nan)
        if track is not None:
            estimate, se = float(track.estimate[-1]), float(track.se[-1])
            if sequential:
                result = _sequential_result(track, min_effect, test_alpha)
                if result["decided_at"] is None:
                    grow = positions_to_decide(estimate, se, min_effect, test_alpha)
                    row.update(more_control=(grow - 1) * control.n, more_version=(grow - 1) * version.n)
            elif metric == RETURN:
                fixed = welch(control.n, control.mean, control.var, version.n, version.mean, version.var, test_alpha)
                result = dict(p_value=float(fixed.p_value), low=float(fixed.low), high=float(fixed.high), decided_at=None)
            else:
                fixed = win_rate_difference(control.wins, control.n, version.wins, version.n, sequential=False,
                                            tau=min_effect, alpha=test_alpha)
                result = dict(p_value=float(fixed.p_value), low=float(fixed.low), high=float(fixed.high), decided_at=None)
            if metric == RETURN:
                chart.append(_chart_looks(version.label, track, result if sequential else None, test_alpha))
            significant = result["p_value"] <= test_alpha
            row.update(estimate=estimate, low=result["low"], high=result["high"], p_value=result["p_value"],
                       p_adjusted=min(1.0, result["p_value"] * tests), significant=significant,
                       decided_at=(result["decided_at"] if significant else None))
            if metric == RETURN:
                row.update(chance_to_beat=float(chance_to_beat(estimate, se)),
                           risk_version=float(expected_loss(estimate, se)),
                           risk_control=float(expected_loss(-estimate, se)))
        if metric == RETURN:
            # also below the minimum sample: how many positions the meeting has to wait for; not
            # when the returns are too skewed for the normal model power is computed under
            skewed = bool(note) and note.startswith("Too skewed")
            power[version.label] = (power_analysis(min_effect, _pooled_sd(control, version), control.n, version.n,
                                                   min_effect, test_alpha)
                                    if control.n >= 2 and version.n >= 2 and not skewed else None)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    notes = [] if versions else ["Pick at least one version besides the control to compare."]
    looks_frame = (pd.concat(chart, ignore_index=True)[LOOK_COLUMNS] if chart
                   else pd.DataFrame(columns=LOOK_COLUMNS))
    looks_frame = looks_frame[looks_frame.look_at.notna()].reset_index(drop=True)  # the charts: completed looks only
    return Comparison(control.label, sequential, alpha, min_effect, tests, 1 - test_alpha, frame, power, notes,
                      looks_frame)


def carry_forward(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weekly running totals per version (ab_positions.weekly_stats rows with a `version` column) made
    complete: every version at every look, carrying its last totals through weeks without
    closes (zeros before its first). Returns look_at, version, positions, return_sum,
    return_sum_sq, return_sum_cube, wins as floats."""
    values = ["positions", "return_sum", "return_sum_sq", "return_sum_cube", "wins"]
    if weekly.empty:
        return pd.DataFrame(columns=["look_at", "version", *values])
    frame = weekly[["look_at", "version", *values]].copy()
    frame[values] = frame[values].astype(float)
    wide = frame.pivot(index="look_at", columns="version", values=values).sort_index().ffill().fillna(0.0)
    long = wide.stack("version", future_stack=True).reset_index()
    return long[["look_at", "version", *values]]


def completed(looks: pd.DataFrame, now) -> pd.DataFrame:
    """The looks whose week has ended by `now` (a weekly look is dated the Monday after its week):
    the current week's look lies in the future until then."""
    if looks.empty:
        return looks
    return looks[looks["look_at"] <= pd.Timestamp(now)].reset_index(drop=True)


# --- sensitivity of the mean-return difference ---------------------------------------------------
@dataclass(frozen=True)
class Sensitivity:
    """The mean-return difference of one challenger measured two more ways, at the verdict's level
    (sequential: the current look's confidence sequence): on returns winsorized at the pooled
    percentiles, and adjusted for what was known at the opening buy (CUPED). Checks beside the
    verdict, not verdicts: neither is counted in the multiple-testing family."""
    version: str
    winsorized: Interval | None
    adjusted: Interval | None
    cuped: Adjusted | None


def sensitivity(control: Group, version: Group, winsorized: tuple[Group, Group] | None,
                covariates: tuple[Covariates, Covariates] | None, *, sequential: bool, tau: float,
                alpha: float) -> Sensitivity:
    """winsorized: (control, version) groups of clipped returns; covariates: (control, version)."""
    clipped = None
    if winsorized is not None and min(winsorized[0].n, winsorized[1].n) >= MIN_POSITIONS:
        c, v = winsorized
        skew = difference_skewness(c.n, c.return_sum, c.return_sum_sq, c.return_sum_cube,
                                   v.n, v.return_sum, v.return_sum_sq, v.return_sum_cube)
        if (c.var > 0 or v.var > 0) and not too_skewed(skew):
            clipped = mean_difference(c.n, c.mean, c.var, v.n, v.mean, v.var, sequential=sequential, tau=tau,
                                      alpha=alpha)
    adjusted = cuped(*covariates) if covariates is not None else None
    interval = None
    if adjusted is not None and min(adjusted.control[0], adjusted.version[0]) >= MIN_POSITIONS:
        (n1, m1, v1), (n2, m2, v2) = adjusted.control, adjusted.version
        if v1 + v2 > 0:
            interval = mean_difference(n1, m1, v1, n2, m2, v2, sequential=sequential, tau=tau, alpha=alpha)
    return Sensitivity(version.label, clipped, interval, adjusted)


# --- the verdict within segments -------------------------------------------------------------------
SEGMENT_COLUMNS = ["key", "version", "positions", "control_positions", "control_value", "version_value", "estimate",
                   "low", "high", "p_value", "p_adjusted", "significant", "note"]


@dataclass(frozen=True)
class SegmentComparison:
    """The mean-return verdict within each segment (one row per segment x challenger, SEGMENT_COLUMNS)."""
    sequential: bool
    alpha: float
    tests: int          # segment x challenger pairs that got a test: their own multiple-testing family
    level: float        # each interval's level, 1 - alpha / tests (Bonferroni)
    rows: pd.DataFrame


def segment_note(control: Group, version: Group, min_positions: int = MIN_POSITIONS) -> str | None:
    """Why a segment gets no verdict, in the few words a table cell holds (the same rules as the
    verdict's: compare's minimum sample, zero spread and skewness), or None."""
    if control.n < min_positions or version.n < min_positions:
        return f"too few positions: {version.n} and {control.n} ({min_positions} each)"
    note = _return_note(control, version)
    if note is None:
        return None
    if note.startswith("Too skewed"):
        skew = float(difference_skewness(control.n, control.return_sum, control.return_sum_sq, control.return_sum_cube,
                                         version.n, version.return_sum, version.return_sum_sq, version.return_sum_cube))
        return f"too skewed: skewness {skew:.3f} > {SKEW_LIMIT:.3f}"
    return "no spread in returns to judge against"


def compare_segments(pairs: list[tuple[object, Group, Group]], *, sequential: bool = True,
                     min_effect: float = DEFAULT_MIN_EFFECT, alpha: float = ALPHA,
                     min_positions: int = MIN_POSITIONS) -> SegmentComparison:
    """The verdict's procedure on the mean return within segments: pairs are (key, control, version)
    groups of the positions in one segment. A pair gets a test under the verdict's rules (at least
    min_positions each, some spread, not too skewed); the m pairs that do are one family, each
    interval at level 1 - alpha/m, and a version is better or worse in a segment exactly when its
    interval leaves out zero (p <= alpha/m, Bonferroni), as in compare(). Fixed horizon: Welch;
    sequential: the mixture SPRT's confidence sequence at the current totals (valid at any look,
    as every look of a confidence sequence is; the verdict above also intersects the weekly looks)."""
    notes = [segment_note(c, v, min_positions) for _, c, v in pairs]
    tests = sum(1 for note in notes if note is None)
    test_alpha = alpha / max(tests, 1)
    rows = []
    for (key, control, version), note in zip(pairs, notes):
        row = dict.fromkeys(SEGMENT_COLUMNS)
        row.update(key=key, version=version.label, positions=version.n, control_positions=control.n,
                   control_value=control.mean, version_value=version.mean, note=note, significant=False)
        if note is None:
            interval = mean_difference(control.n, control.mean, control.var, version.n, version.mean, version.var,
                                       sequential=sequential, tau=min_effect, alpha=test_alpha)
            p = float(interval.p_value)
            row.update(estimate=float(interval.estimate), low=float(interval.low), high=float(interval.high),
                       p_value=p, p_adjusted=min(1.0, p * tests), significant=p <= test_alpha)
        rows.append(row)
    return SegmentComparison(sequential, alpha, tests, 1 - test_alpha, pd.DataFrame(rows, columns=SEGMENT_COLUMNS))
