"""What an A/B comparison stands on (analytics/ab_checks.py): the period every version traded, the
model versions behind each, the sample ratio against the declared split (GrowthBook's own test
values, scipy, a Bayes factor worked by hand, and A/A simulations with weekly looks), and the few
positions that can carry a difference."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import beta as beta_function
from scipy.special import gammaln

from analytics import ab_checks
from analytics.ab_stats import Group

SIMULATIONS = 4000


def group(label, returns):
    r = np.asarray(returns, dtype=float)
    return Group(label, len(r), float(r.sum()), float(r @ r), int((r > 0).sum()), float((r ** 3).sum()))


def extremes(returns, k=10):
    r = np.sort(np.asarray(returns, dtype=float))
    return r[:k], r[::-1][:k]


# --- the period every chosen version was trading -------------------------------------------------
def periods(**spans):
    return pd.DataFrame([{"strategy_version": v, "first_trade": pd.Timestamp(a), "last_trade": pd.Timestamp(b)}
                         for v, (a, b) in spans.items()])


def test_the_shared_period_runs_from_the_last_start_to_the_first_stop():
    shared = ab_checks.shared_trading_period(periods(**{"v1.0": ("2026-01-05 07:00", "2026-03-05 09:00"),
                                                        "v1.1": ("2026-01-25 07:00", "2026-03-26 09:00")}),
                                             ["v1.0", "v1.1"])
    assert (str(shared.start), str(shared.end), shared.began, shared.stopped) == \
        ("2026-01-25", "2026-03-05", "v1.1", "v1.0")
    assert shared.problem is None


def test_versions_that_never_overlapped_or_never_traded_have_no_shared_period():
    apart = ab_checks.shared_trading_period(periods(**{"v1.0": ("2026-01-01", "2026-02-01"),
                                                       "v1.1": ("2026-03-01", "2026-04-01")}), ["v1.0", "v1.1"])
    assert apart.start is None and "never traded at the same time: v1.0 last traded on 2026-02-01" in apart.problem
    idle = ab_checks.shared_trading_period(periods(**{"v1.0": ("2026-01-01", "2026-02-01")}), ["v1.0", "v1.2"])
    assert idle.start is None and idle.problem == "v1.2 has not traded yet"


# --- model versions behind each strategy version ---------------------------------------------------
def pairs(*rows):
    return pd.DataFrame([dict(strategy_version=s, model_id=m, model_name="ensemble_politics", model_version=mv,
                              execution_mode=mode, positions_closed=n) for s, m, mv, mode, n in rows])


def test_versions_on_different_model_versions_are_confounded():
    mix = ab_checks.model_mix(pairs(("v1.0", 1, "v0.9", "live", 48), ("v1.1", 2, "v1.0", "live", 40),
                                    ("v1.1", 3, "v1.1", "paper", 3)), "live", ["v1.0", "v1.1"])
    assert mix.confounded and mix.shared_ids == ()
    assert mix.models == {"v1.0": {"ensemble_politics v0.9": 48}, "v1.1": {"ensemble_politics v1.0": 40}}


def test_the_shared_model_versions_are_the_ones_every_version_used():
    mix = ab_checks.model_mix(pairs(("v1.0", 1, "v1.0", "live", 30), ("v1.0", 2, "v1.1", "live", 30),
                                    ("v1.1", 2, "v1.1", "live", 50)), "live", ["v1.0", "v1.1"])
    assert mix.confounded and mix.shared_ids == (2,) and mix.shared_labels == ("ensemble_politics v1.1",)
    same = ab_checks.model_mix(pairs(("v1.0", 2, "v1.1", "live", 30), ("v1.1", 2, "v1.1", "live", 50)), "live",
                               ["v1.0", "v1.1"])
    assert not same.confounded
    # a version without positions in this mode says nothing about confounding
    assert not ab_checks.model_mix(pairs(("v1.0", 2, "v1.1", "live", 30)), "live", ["v1.0", "v1.1"]).confounded


# --- sample ratio ---------------------------------------------------------------------------------
@pytest.mark.parametrize("counts, shares, growthbook", [
    # GrowthBook's own test values for checkSrm (back-end/test/stats.test.ts)
    ([1000, 1200], [0.5, 0.5], 0.000020079), ([135, 115], [0.5, 0.5], 0.205903211),
    ([310, 98], [0.75, 0.25], 0.647434186)])
def test_the_fixed_check_gives_growthbooks_p_values(counts, shares, growthbook):
    assert ab_checks.chi_square_p(counts, shares) == pytest.approx(growthbook, abs=5e-10)
    assert ab_checks.chi_square_p(counts, shares) == pytest.approx(
        stats.chisquare(counts, np.array(shares) * sum(counts)).pvalue)


def test_the_sequential_bayes_factor_by_hand():
    # x = (3, 1), shares (1/2, 1/2), Dirichlet(1, 1) (concentration 2):
    # BF = B(4, 2) / B(1, 1) / (1/2)^4 = (3! 1! / 5!) * 16 = 0.8, so p = min(1, 1/0.8) = 1
    assert ab_checks.sequential_p(np.array([[3, 1]]), [0.5, 0.5], concentration=2.0) == 1.0
    # x = (30, 5), shares (0.5, 0.5), concentration 100: by scipy's beta function
    bf = beta_function(50 + 30, 50 + 5) / beta_function(50, 50) / 0.5 ** 35
    assert ab_checks.sequential_p(np.array([[30, 5]]), [0.5, 0.5]) == pytest.approx(1 / bf)
    # the running minimum over looks
    looks = np.array([[30, 5], [35, 30], [60, 55]])
    assert ab_checks.sequential_p(looks, [0.5, 0.5]) == pytest.approx(1 / bf)


def test_aa_weekly_sequential_checks_flag_at_most_their_level():
    """A/A splits of 50/50 and 70/30, 40 markets a week for 12 weeks, checked every week: the
    running-minimum p reaches 0.05 in at most 5% of them (it is a valid test at any level) and
    0.001, the page's threshold, almost never."""
    rng = np.random.default_rng(13)
    for share in (0.5, 0.7):
        weekly = rng.binomial(40, share, size=(SIMULATIONS, 12))
        first = np.cumsum(weekly, axis=1)
        second = np.cumsum(40 - weekly, axis=1)
        running = np.ones(SIMULATIONS)
        for week in range(12):
            x = np.stack([first[:, week], second[:, week]], axis=1).astype(float)
            theta = np.array([share, 1 - share])
            alpha = ab_checks.SRM_CONCENTRATION * theta
            log_bf = (gammaln(alpha.sum()) - gammaln(alpha.sum() + x.sum(1)) + (gammaln(alpha + x) - gammaln(alpha)).sum(1)
                      - (x * np.log(theta)).sum(1))
            running = np.minimum(running, np.minimum(1, np.exp(-log_bf)))
            # the vectorized form above is the function's, row by row
            if week == 11:
                assert running[0] == pytest.approx(ab_checks.sequential_p(
                    np.stack([first[0, :12], second[0, :12]], axis=1), theta))
        assert (running <= 0.05).mean() <= 0.05
        assert (running <= ab_checks.SRM_THRESHOLD).mean() <= 0.002


def test_a_real_mismatch_is_found():
    rng = np.random.default_rng(14)
    weekly = rng.binomial(100, 0.4, size=(500, 12))  # 40/60 where 50/50 was declared, 1,200 markets
    found = [ab_checks.sequential_p(np.stack([np.cumsum(w), np.cumsum(100 - w)], axis=1), [0.5, 0.5])
             < ab_checks.SRM_THRESHOLD for w in weekly]
    assert np.mean(found) > 0.9


def test_declared_splits_apply_only_when_every_version_declares_one():
    assert ab_checks.declared_splits({"v1.0": {"ab_arm": "A", "traffic_split": 0.5},
                                      "v1.1": {"ab_arm": "B", "traffic_split": 0.5}}) == ({"v1.0": 0.5, "v1.1": 0.5}, None)
    # two of three arms chosen: their shares renormalised between them
    assert ab_checks.declared_splits({"v1.0": {"traffic_split": 0.5}, "v1.1": {"traffic_split": 0.25}})[0] == \
        pytest.approx({"v1.0": 2 / 3, "v1.1": 1 / 3})
    none, why = ab_checks.declared_splits({"v1.0": {"ab_arm": "A"}, "v1.1": {"ab_arm": "B"}})
    assert none is None and why.startswith("no chosen version's config declares a traffic_split")
    _, why = ab_checks.declared_splits({"v1.0": {"traffic_split": 0.5}, "v1.1": {}})
    assert why.startswith("v1.1 declares no traffic_split while v1.0 does")
    for bad in (True, "0.5", 0, 1.5, None and 1):
        _, why = ab_checks.declared_splits({"v1.0": {"traffic_split": bad}, "v1.1": {"traffic_split": 0.5}})
        assert bad is None or "not a share between 0 and 1" in why
    _, why = ab_checks.declared_splits({"v1.0": {"traffic_split": 0.7}, "v1.1": {"traffic_split": 0.6}})
    assert "add up to 1.3" in why
    assert ab_checks.declared_splits({"v1.0": "not a mapping", "v1.1": {"traffic_split": 0.5}})[0] is None


def allocation(*looks):
    return pd.DataFrame([{"version": v, "look_at": pd.Timestamp(at), "markets": n}
                         for at, counts in looks for v, n in counts.items()])


def test_sample_ratio_end_to_end():
    configs = {"v1.0": {"traffic_split": 0.5}, "v1.1": {"traffic_split": 0.5}}
    looks = allocation(("2026-03-09", {"v1.0": 40, "v1.1": 12}), ("2026-03-16", {"v1.0": 100, "v1.1": 30}))
    fixed = ab_checks.sample_ratio(configs, looks, sequential=False)
    assert fixed.applies and fixed.mismatch and fixed.observed == (100, 30)
    assert fixed.p_value == pytest.approx(stats.chisquare([100, 30]).pvalue)
    sequential = ab_checks.sample_ratio(configs, looks, sequential=True)
    assert sequential.mismatch and sequential.p_value == pytest.approx(
        ab_checks.sequential_p(np.array([[40, 12], [100, 30]]), [0.5, 0.5]))
    balanced = ab_checks.sample_ratio(configs, allocation(("2026-03-16", {"v1.0": 66, "v1.1": 64})), sequential=False)
    assert balanced.applies and not balanced.mismatch
    few = ab_checks.sample_ratio(configs, allocation(("2026-03-16", {"v1.0": 6, "v1.1": 2})), sequential=False)
    assert not few.applies and "too few markets" in few.reason
    # a version that has traded no market at all while the other traded many is a mismatch, not a skip
    one_sided = ab_checks.sample_ratio(configs, allocation(("2026-03-16", {"v1.0": 40})), sequential=False)
    assert one_sided.applies and one_sided.mismatch and one_sided.observed == (40, 0)


# --- positions that carry a difference ---------------------------------------------------------------
def test_one_long_shot_carries_the_whole_difference():
    rng = np.random.default_rng(2)
    control_returns = rng.normal(0, 0.2, 40)
    version_returns = np.r_[rng.normal(0, 0.2, 39), 99.99]
    control, version = group("v1.0", control_returns), group("v1.1", version_returns)
    influence = ab_checks.influential_positions(control, version, extremes(control_returns), extremes(version_returns))
    assert influence.positions == 1 and influence.removed == [("v1.1", 99.99)] and influence.top_share > 0.99
    without = version_returns[:-1].mean() - control_returns.mean()
    assert influence.without == pytest.approx(without)
    assert influence.top_share == pytest.approx((version.mean - control.mean - without) / (version.mean - control.mean))
    assert ab_checks.carried_by_few(influence, control, version)


def test_half_of_a_difference_that_is_noise_is_no_news():
    # the demo's A/A pair: +0.5 pp, a fifth of its standard error; one position is half of it
    rng = np.random.default_rng(6)
    control_returns = rng.normal(0, 0.18, 130)
    version_returns = control_returns[:120] + 0.005 - control_returns[:120].mean() + control_returns.mean()
    version_returns[0] += 0.3
    control, version = group("c", control_returns), group("v", version_returns)
    influence = ab_checks.influential_positions(control, version, extremes(control_returns), extremes(version_returns))
    assert influence is not None and influence.positions == 1
    se = np.sqrt(control.var / control.n + version.var / version.n)
    assert abs(version.mean - control.mean) < ab_checks.NOTICEABLE * se
    assert not ab_checks.carried_by_few(influence, control, version)


def test_a_difference_spread_over_many_positions_is_not_carried_by_few():
    rng = np.random.default_rng(3)
    control_returns, version_returns = rng.normal(0, 0.1, 400), rng.normal(0.05, 0.1, 400)
    control, version = group("c", control_returns), group("v", version_returns)
    assert ab_checks.influential_positions(control, version, extremes(control_returns),
                                           extremes(version_returns)) is None
    assert not ab_checks.carried_by_few(None, control, version)


def test_removal_works_from_either_side_and_either_sign():
    # the version trails because of one control position at +500%: removing it closes the gap
    control_returns = np.r_[np.zeros(49), 5.0]
    version_returns = np.full(50, 0.01)
    influence = ab_checks.influential_positions(group("c", control_returns), group("v", version_returns),
                                                extremes(control_returns), extremes(version_returns))
    assert influence.positions == 1 and influence.removed == [("c", 5.0)]
    assert influence.without == pytest.approx(version_returns.mean() - control_returns[:-1].mean())
    assert influence.without > 0 > version_returns.mean() - control_returns.mean()
