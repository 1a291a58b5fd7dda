"""Model versions compared on the markets both scored (analytics/paired_scores.py): the paired
t-test equals scipy's ttest_rel, a winner is named only when every interval says so, and the
database's pair sums (models_paired_scores.sql) equal their definition on the demo data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import paired_scores
from queries import fetch, schema


def pair_row(a, b, brier_a, brier_b, log_a=None, log_b=None):
    """A models_paired_scores row from per-market scores of versions a and b (b minus a)."""
    log_a = brier_a if log_a is None else log_a
    log_b = brier_b if log_b is None else log_b
    d, e = np.asarray(brier_b) - np.asarray(brier_a), np.asarray(log_b) - np.asarray(log_a)
    return dict(version_a=a, version_b=b, markets=len(d), brier_a=float(np.sum(brier_a)), brier_b=float(np.sum(brier_b)),
                brier_diff=float(d.sum()), brier_diff_sq=float(d @ d), log_loss_diff=float(e.sum()),
                log_loss_diff_sq=float(e @ e))


def scores(rng, n, skill):
    """Per-market Brier scores of a forecaster of the given skill on n shared outcomes."""
    truth = rng.uniform(0.1, 0.9, n)
    y = (rng.random(n) < truth).astype(float)
    forecast = np.clip(truth + rng.normal(0, skill, n), 0.01, 0.99)
    return (forecast - y) ** 2


def test_the_paired_test_is_scipys_ttest_rel():
    rng = np.random.default_rng(1)
    a, b = scores(rng, 80, 0.05), scores(rng, 80, 0.2)
    comparison = paired_scores.compare_versions(pd.DataFrame([pair_row("v1", "v2", a, b)]), ["v1", "v2"])
    brier = comparison.rows[comparison.rows.score == paired_scores.BRIER].iloc[0]
    reference = stats.ttest_rel(b, a)
    interval = reference.confidence_interval(comparison.level)
    assert (brier.version, brier.other) == ("v2", "v1")
    assert brier.estimate == pytest.approx((b - a).mean())
    assert brier.p_value == pytest.approx(reference.pvalue)
    assert (brier.low, brier.high) == (pytest.approx(interval.low), pytest.approx(interval.high))
    assert comparison.tests == 2 and comparison.level == pytest.approx(1 - 0.05 / 2)
    assert brier.version_mean == pytest.approx(b.mean()) and brier.other_mean == pytest.approx(a.mean())


def test_rows_are_oriented_by_the_chosen_order_whichever_way_the_database_returned_them():
    rng = np.random.default_rng(2)
    a, b = scores(rng, 60, 0.05), scores(rng, 60, 0.3)
    stored = pd.DataFrame([pair_row("v1", "v2", a, b)])
    forward = paired_scores.compare_versions(stored, ["v1", "v2"]).rows.iloc[0]
    backward = paired_scores.compare_versions(stored, ["v2", "v1"]).rows.iloc[0]
    assert (backward.version, backward.other) == ("v1", "v2")
    assert backward.estimate == pytest.approx(-forward.estimate)
    assert (backward.low, backward.high) == (pytest.approx(-forward.high), pytest.approx(-forward.low))
    assert backward.version_mean == pytest.approx(a.mean())


def test_a_winner_needs_every_interval_below_zero():
    # the same 600 outcomes, three forecasters of different skill (the same seed for each)
    good, fair, poor = (scores(np.random.default_rng(4), 600, s) for s in (0.02, 0.2, 0.35))
    pairs = pd.DataFrame([pair_row("v1", "v2", poor, good), pair_row("v1", "v3", poor, fair),
                          pair_row("v2", "v3", good, fair)])
    comparison = paired_scores.compare_versions(pairs, ["v1", "v2", "v3"])
    assert comparison.tests == 6 and comparison.winner == "v2"
    assert paired_scores.winner_sentence(comparison).startswith("Winner: v2, with a lower Brier score than v1, v3")
    table = paired_scores.table(comparison)
    assert table.Reading.tolist()[0] == "v2 better"
    # the same pairs but v3 unseen beside v2: a version it was not compared with blocks the win
    no_pair = paired_scores.compare_versions(pairs.iloc[:2], ["v1", "v2", "v3"])
    assert no_pair.winner is None
    assert "not enough shared markets" in paired_scores.table(no_pair).Reading.tolist()


def test_close_versions_and_few_shared_markets_name_no_winner():
    rng = np.random.default_rng(5)
    same = scores(rng, 100, 0.1)
    close = paired_scores.compare_versions(pd.DataFrame([pair_row("v1", "v2", same, same + rng.normal(0, 0.01, 100))]),
                                           ["v1", "v2"])
    assert close.winner is None and paired_scores.winner_sentence(close).startswith("No clear winner")
    few = paired_scores.compare_versions(pd.DataFrame([pair_row("v1", "v2", same[:8], same[:8] + 0.2)]), ["v1", "v2"])
    assert few.tests == 0 and few.winner is None
    assert few.rows.note.iloc[0] == "v2 and v1 scored 8 markets in common; at least 30 are needed to compare them"
    assert "no two of these versions scored enough markets in common" in paired_scores.winner_sentence(few)
    # versions with no shared market at all get the same sentence
    nothing = paired_scores.compare_versions(pd.DataFrame(columns=list(pair_row("a", "b", [0.1], [0.1]))), ["v1", "v2"])
    assert nothing.rows.markets.tolist() == [0, 0] and nothing.winner is None


def test_identical_forecasts_on_shared_markets_are_no_difference():
    same = np.full(40, 0.2)
    comparison = paired_scores.compare_versions(pd.DataFrame([pair_row("v1", "v2", same, same)]), ["v1", "v2"])
    row = comparison.rows.iloc[0]
    assert row.estimate == 0 and row.p_value == 1.0 and not row.significant


def test_the_databases_pair_sums_equal_their_definition(app_env):
    """models_paired_scores.sql against the calibration points scored here in Python."""
    conn = schema.connect(app_env)
    with conn, conn.cursor() as cur:
        cur.execute("""SELECT v.model_version, v.model_id, c.market_id, c.p_model::float8, c.y::float8
                       FROM calibration_points c JOIN probability_models v USING (model_id)
                       WHERE v.model_name = 'elo_nfl'""")
        points = pd.DataFrame(cur.fetchall(), columns=["version", "model_id", "market", "p", "y"])
    conn.close()
    points["brier"] = (points.p - points.y) ** 2
    clipped = points.p.clip(1e-15, 1 - 1e-15)
    points["log_loss"] = -(points.y * np.log(clipped) + (1 - points.y) * np.log(1 - clipped))
    got = fetch("models_paired_scores", model_name="elo_nfl")
    assert len(got) >= 1
    ids = points.drop_duplicates("version").set_index("version").model_id
    for r in got.itertuples():
        assert ids[r.version_a] < ids[r.version_b]
        a = points[points.version == r.version_a].set_index("market")
        b = points[points.version == r.version_b].set_index("market")
        shared = a.index.intersection(b.index)
        d = b.loc[shared, "brier"] - a.loc[shared, "brier"]
        e = b.loc[shared, "log_loss"] - a.loc[shared, "log_loss"]
        assert r.markets == len(shared)
        assert float(r.brier_diff) == pytest.approx(d.sum(), abs=1e-9)
        assert float(r.brier_diff_sq) == pytest.approx((d * d).sum(), abs=1e-9)
        assert float(r.brier_a) == pytest.approx(a.loc[shared, "brier"].sum(), abs=1e-9)
        assert float(r.log_loss_diff) == pytest.approx(e.sum(), rel=1e-9)
        assert float(r.log_loss_diff_sq) == pytest.approx((e * e).sum(), rel=1e-9)
