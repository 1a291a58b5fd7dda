"""Calibration numbers against scikit-learn and numbers worked by hand, and the database's binning
(queries/models_calibration.sql) against the reference on a hand-made database with known rows."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from analytics import calibration
from queries import schema
from queries.connection import dashboard_login

Z95 = 1.959963984540054


def distinct_probabilities(rng: np.random.Generator, n: int, avoid_multiples_of: int | None = None) -> np.ndarray:
    """n distinct 4-decimal probabilities (distinct, so no quantile edge can tie with a value)."""
    grid = np.arange(1, 10000)
    if avoid_multiples_of:
        grid = grid[grid % avoid_multiples_of != 0]  # keep off uniform bin edges
    return rng.choice(grid, size=n, replace=False) / 10000


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(20261101)
    # 204 values: positions k/10 * 203 are never whole, so no quantile edge sits on a value.
    p = distinct_probabilities(rng, 204, avoid_multiples_of=1000)
    y = (rng.random(204) < p).astype(int)
    return p, y


# --- against scikit-learn ----------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [5, 10])
def test_reliability_curve_equals_sklearns_calibration_curve(sample, strategy, n_bins):
    p, y = sample
    curve = calibration.reliability_curve(calibration.bin_sums(p, y, n_bins, strategy))
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(curve["observed"], prob_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["mean_predicted"], prob_pred, rtol=0, atol=1e-12)
    assert curve["n"].sum() == len(p)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_brier_and_log_loss_equal_sklearns(sample, strategy):
    p, y = sample
    result = calibration.scores(calibration.bin_sums(p, y, 10, strategy))
    assert result["n"] == len(p)
    assert result["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert result["log_loss"] == pytest.approx(log_loss(y, p), abs=1e-12)
    assert result["base_rate"] == pytest.approx(y.mean())
    assert result["uncertainty"] == pytest.approx(y.mean() * (1 - y.mean()))


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_the_decomposition_adds_up_to_the_brier_score(sample, strategy):
    p, y = sample
    r = calibration.scores(calibration.bin_sums(p, y, 10, strategy))
    recomposed = (r["reliability"] - r["resolution"] + r["uncertainty"]
                  + r["within_bin_variance"] - r["within_bin_covariance"])
    assert recomposed == pytest.approx(r["brier"], abs=1e-12)
    assert r["within_bin_variance"] > 0  # the forecasts do differ within bins here


def test_reliability_and_ece_from_the_definitions(sample):
    p, y = sample
    bins, _ = calibration.assign_bins(p, 10, "uniform")
    n = len(p)
    rel = sum((bins == k).sum() * (p[bins == k].mean() - y[bins == k].mean()) ** 2 for k in np.unique(bins)) / n
    res = sum((bins == k).sum() * (y[bins == k].mean() - y.mean()) ** 2 for k in np.unique(bins)) / n
    ece = sum((bins == k).sum() * abs(p[bins == k].mean() - y[bins == k].mean()) for k in np.unique(bins)) / n
    r = calibration.scores(calibration.bin_sums(p, y, 10, "uniform"))
    assert (r["reliability"], r["resolution"], r["ece"]) == pytest.approx((rel, res, ece), abs=1e-12)


# --- worked by hand ----------------------------------------------------------------------------
def test_a_calibrated_forecaster_by_hand():
    # five forecasts of 0.2 (one comes true) and five of 0.8 (four come true)
    p = [0.2] * 5 + [0.8] * 5
    y = [1, 0, 0, 0, 0] + [1, 1, 1, 1, 0]
    r = calibration.scores(calibration.bin_sums(p, y, 10))
    # Brier: each group (0.8^2 + 4 * 0.2^2) = 0.8, total 1.6 / 10
    assert r["brier"] == pytest.approx(0.16)
    assert r["reliability"] == pytest.approx(0.0)          # 0.2 -> 20 %, 0.8 -> 80 %
    assert r["resolution"] == pytest.approx(0.09)          # (5 * 0.3^2 + 5 * 0.3^2) / 10
    assert r["uncertainty"] == pytest.approx(0.25)         # 0.5 * 0.5
    assert r["ece"] == pytest.approx(0.0)
    assert r["within_bin_variance"] == pytest.approx(0.0)
    assert r["log_loss"] == pytest.approx(-(2 * math.log(0.2) + 8 * math.log(0.8)) / 10)


def test_an_overconfident_forecaster_by_hand():
    # four forecasts of 0.9, two come true
    r = calibration.scores(calibration.bin_sums([0.9] * 4, [1, 1, 0, 0], 10))
    assert r["brier"] == pytest.approx((2 * 0.01 + 2 * 0.81) / 4)   # 0.41
    assert r["reliability"] == pytest.approx(0.16)                  # (0.9 - 0.5)^2
    assert r["resolution"] == pytest.approx(0.0)
    assert r["ece"] == pytest.approx(0.4)
    assert r["reliability"] - r["resolution"] + r["uncertainty"] == pytest.approx(r["brier"])


def test_bins_include_their_upper_edge():
    bins, edges = calibration.assign_bins([0.0, 0.1, 0.1001, 0.3, 0.29, 0.9999, 1.0], 10, "uniform")
    assert bins.tolist() == [0, 0, 1, 2, 2, 9, 9]
    assert edges[3] == pytest.approx(0.3)


def test_the_95_percent_interval_is_wilsons():
    low, high = calibration.wilson_interval(1, 5)
    phat, n, z2 = 0.2, 5, Z95 ** 2
    centre = (phat + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(phat * (1 - phat) / n + z2 / (4 * n * n))
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-9)
    curve = calibration.reliability_curve(calibration.bin_sums([0.15] * 5, [1, 0, 0, 0, 0], 10))
    assert (curve.loc[0, "ci_low"], curve.loc[0, "ci_high"]) == pytest.approx((low, high))
    assert curve.loc[0, "ci_low"] < curve.loc[0, "observed"] < curve.loc[0, "ci_high"]


def test_brier_skill_score():
    assert calibration.brier_skill_score(0.16, 0.20) == pytest.approx(0.2)
    assert calibration.brier_skill_score(0.25, 0.20) == pytest.approx(-0.25)
    assert math.isnan(calibration.brier_skill_score(0.1, 0.0))


def test_no_forecasts_give_nan_not_an_error():
    r = calibration.scores(calibration.bin_sums([], [], 10))
    assert r["n"] == 0 and math.isnan(r["brier"])
    assert calibration.versus_market(pd.DataFrame()).empty


# --- the database's binning on a hand-made database --------------------------------------------
T0 = datetime(2026, 3, 1, 12, 0)


@pytest.fixture(scope="module")
def calibration_db(databases):
    """Versions 'cal' v1 (40 settled markets), v2 (3), v3 (none) and 'other' v1 (same markets).

    Per market and version: an early edge, the last edge before settlement (the prediction), an
    edge at the settlement instant and one after it (both must be ignored: the outcome was known).
    Plus an open market, a market settled at 0.5 and a scalar market, none of which count.
    """
    rng = np.random.default_rng(7)
    n = 40
    model_p = distinct_probabilities(rng, n)
    market_p = distinct_probabilities(rng, n)
    outcome = (rng.random(n) < model_p).astype(int)
    url = databases.create("calibration")
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("""
            INSERT INTO probability_models (model_id, model_name, model_version, model_type, config, status) VALUES
              (1, 'cal', 'v1', 'elo', '{"k": 1}', 'active'), (2, 'cal', 'v2', 'elo', '{"k": 2}', 'validating'),
              (3, 'cal', 'v3', 'elo', '{"k": 3}', 'draft'), (4, 'other', 'v1', 'elo', '{"k": 4}', 'active')""")
        edge_id = 0

        def market(market_id, settle_at, value, market_type="binary", settled=True):
            cur.execute("INSERT INTO markets (market_id, external_id, title, market_type, yes_price, no_price, status,"
                        " created_at, row_current_ind, row_end_ts) VALUES (%s, %s, 'm', %s, 0.5, 0.5, 'open', %s, %s, %s)",
                        (market_id, market_id, market_type, T0, not settled, settle_at if settled else None))
            if settled:
                cur.execute("INSERT INTO markets (market_id, external_id, title, market_type, yes_price, no_price, status,"
                            " settlement_value, created_at) VALUES (%s, %s, 'm', %s, %s, %s, 'settled', %s, %s)",
                            (market_id, market_id, market_type, value, 1 - value, value, settle_at))

        def edges(market_id, model_id, settle_at, p_last, q_last, y):
            nonlocal edge_id
            rows = [(T0 + timedelta(minutes=5), 0.5, 0.5, False),            # early
                    (settle_at - timedelta(minutes=1), p_last, q_last, False),  # the prediction
                    (settle_at, y, y, False),                                    # at settlement: ignored
                    (settle_at + timedelta(minutes=1), y, y, True)]              # after: ignored
            for created_at, p, q, current in rows:
                edge_id += 1
                cur.execute("INSERT INTO edges (edge_id, market_id, model_id, expected_value, true_win_probability,"
                            " market_implied_probability, market_price, created_at, row_current_ind)"
                            " VALUES (%s, %s, %s, 0, %s, %s, %s, %s, %s)",
                            (edge_id, market_id, model_id, p, q, q, created_at, current))

        for i in range(n):
            settle_at = T0 + timedelta(hours=3 + i)
            market(f"M{i}", settle_at, int(outcome[i]))
            edges(f"M{i}", 1, settle_at, float(model_p[i]), float(market_p[i]), int(outcome[i]))
            edges(f"M{i}", 4, settle_at, 0.5, float(market_p[i]), int(outcome[i]))
            if i < 3:
                edges(f"M{i}", 2, settle_at, 0.9, float(market_p[i]), int(outcome[i]))
        for market_id, value, market_type, settled in (("OPEN", None, "binary", False), ("HALF", 0.5, "binary", True),
                                                        ("SCALAR", 1, "scalar", True)):
            settle_at = T0 + timedelta(days=3)
            market(market_id, settle_at, value, market_type, settled)
            edges(market_id, 1, settle_at, 0.77, 0.66, 1)
    conn.close()
    return {"url": url, "model_p": model_p, "market_p": market_p, "y": outcome}


def database_bins(url, monkeypatch, strategy, n_bins=5, model_name="cal"):
    import streamlit as st

    from queries import fetch

    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(url))
    monkeypatch.delenv("PRECOG_READ_URL", raising=False)
    st.cache_data.clear()
    return fetch("models_calibration", model_name=model_name, n_bins=n_bins, strategy=strategy)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_the_databases_bins_equal_the_reference(calibration_db, monkeypatch, strategy):
    frame = database_bins(calibration_db["url"], monkeypatch, strategy)
    y = calibration_db["y"]
    for forecaster, p in (("model", calibration_db["model_p"]), ("market", calibration_db["market_p"])):
        got = frame[(frame.model_version == "v1") & (frame.forecaster == forecaster)].reset_index(drop=True)
        expected = calibration.bin_sums(p, y, 5, strategy)
        assert got["bin"].tolist() == expected["bin"].tolist()
        for column in ["n", "sum_p", "sum_y", "sum_p2", "sum_py", "brier_sum", "log_loss_sum", "bin_lower", "bin_upper"]:
            np.testing.assert_allclose(got[column].astype(float), expected[column], atol=1e-9, err_msg=column)
        # and the scores the page shows equal scikit-learn's on the same 40 markets
        r = calibration.scores(got)
        assert r["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
        assert r["log_loss"] == pytest.approx(log_loss(y, p), abs=1e-12)
        prob_true, prob_pred = calibration_curve(y, p, n_bins=5, strategy=strategy)
        curve = calibration.reliability_curve(got)
        np.testing.assert_allclose(curve["observed"], prob_true, atol=1e-12)
        np.testing.assert_allclose(curve["mean_predicted"], prob_pred, atol=1e-12)


def test_only_the_last_edge_before_settlement_counts(calibration_db, monkeypatch):
    frame = database_bins(calibration_db["url"], monkeypatch, "uniform")
    v2 = frame[(frame.model_version == "v2") & (frame.forecaster == "model")]
    # v2 said 0.9 just before settlement on three markets; the 0/1 edges at and after settlement
    # and the early 0.5 edges are not predictions
    assert v2["n"].sum() == 3
    assert float(v2["sum_p"].sum()) == pytest.approx(2.7)
    assert set(frame.model_version) == {"v1", "v2"}  # v3 priced nothing; 'other' is another model
    counted = frame[(frame.model_version == "v1") & (frame.forecaster == "model")]["n"].sum()
    assert counted == 40  # the open market, the 0.5 settlement and the scalar market are left out


def test_the_market_baseline_is_scored_on_the_same_markets(calibration_db, monkeypatch):
    frame = database_bins(calibration_db["url"], monkeypatch, "uniform")
    table = calibration.versus_market(frame).set_index("model_version")
    y, model_p, market_p = calibration_db["y"], calibration_db["model_p"], calibration_db["market_p"]
    assert table.loc["v1", "markets"] == 40
    assert table.loc["v1", "model_brier"] == pytest.approx(brier_score_loss(y, model_p))
    assert table.loc["v1", "market_brier"] == pytest.approx(brier_score_loss(y, market_p))
    assert table.loc["v1", "bss"] == pytest.approx(1 - brier_score_loss(y, model_p) / brier_score_loss(y, market_p))
    assert table.loc["v2", "market_brier"] == pytest.approx(brier_score_loss(y[:3], market_p[:3]))
    other = calibration.versus_market(database_bins(calibration_db["url"], monkeypatch, "uniform", model_name="other"))
    assert other.loc[0, "model_brier"] == pytest.approx(0.25)  # 0.5 on every market


def test_the_decomposition_shown_adds_up_to_the_brier_shown():
    """Reliability, resolution and uncertainty alone missed the Brier score of binned forecasts by
    the within-bin terms, and rounded terms could miss the rounded score by a unit: the page's rows
    now add up to the score at the digits displayed, for any forecasts."""
    from decimal import Decimal

    rng = np.random.default_rng(4)
    for trial in range(300):
        n = int(rng.integers(5, 400))
        p = np.round(rng.beta(2, 2, n), 4)
        y = (rng.random(n) < p).astype(float)
        r = calibration.scores(calibration.bin_sums(p, y, int(rng.choice([5, 10, 20])),
                                                     str(rng.choice(["uniform", "quantile"]))))
        shown = calibration.shown_decomposition(r)
        assert shown["brier"] == Decimal(str(round(r["brier"], 4)))
        total = sum(sign * shown[key] for key, sign in calibration.DECOMPOSITION)
        assert total == shown["brier"], trial
        for key, _ in calibration.DECOMPOSITION:
            assert abs(float(shown[key]) - r[key]) <= 1e-4 + 1e-12  # within one unit of the last digit
        # the classic three alone do not add up whenever forecasts in a bin differ
        classic = round(r["reliability"], 4) - round(r["resolution"], 4) + round(r["uncertainty"], 4)
        if trial == 0:
            assert abs(classic - round(r["brier"], 4)) > 1e-4
