"""Calibration of probability forecasts against binary outcomes, from per-bin sums.

The database bins the predictions (queries/models_calibration.sql) and returns, per bin, the count
and the sums below; everything here works from those sums, so no prediction row needs to leave the
database. `bin_sums` computes the same sums from arrays with the same binning rules: it is the
reference the SQL is tested against, and handy for small samples.

Bin sums (one row per non-empty bin): bin, bin_lower, bin_upper, n, sum_p, sum_y, sum_p2, sum_py,
brier_sum, log_loss_sum.

Brier score decomposition (Murphy 1973) over K bins with n_k forecasts, mean forecast f_k and
observed frequency o_k, N forecasts and base rate o:
    reliability  REL = sum n_k (f_k - o_k)^2 / N          (lower is better)
    resolution   RES = sum n_k (o_k - o)^2 / N            (higher is better)
    uncertainty  UNC = o (1 - o)                         (the data's, not the forecaster's)
    Brier = REL - RES + UNC + WBV - WBC
where WBV (within-bin variance of the forecasts) and WBC (twice their within-bin covariance with
the outcomes) vanish when every forecast in a bin is the same (Stephenson et al. 2008); they are
returned so the identity can be checked.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

EPS = 1e-15  # log loss clips p to [EPS, 1 - EPS]
SUM_COLUMNS = ["n", "sum_p", "sum_y", "sum_p2", "sum_py", "brier_sum", "log_loss_sum"]
BIN_COLUMNS = ["bin", "bin_lower", "bin_upper", *SUM_COLUMNS]
STRATEGIES = ("uniform", "quantile")


def assign_bins(p: Sequence[float], n_bins: int = 10, strategy: str = "uniform") -> tuple[np.ndarray, np.ndarray]:
    """Bin index of each prediction and the bin edges (n_bins + 1 values from 0 to 1).

    Bins include their upper edge, as scikit-learn's calibration_curve: uniform bin k holds
    (k/n, (k+1)/n] and 0 falls in the first bin; quantile bins have as interior edges the k/n
    quantiles of p (numpy.percentile, linear interpolation).
    """
    if n_bins < 1:
        raise ValueError("n_bins must be at least 1")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    p = np.asarray(p, dtype=float)
    if strategy == "uniform":
        # The database bins exact DECIMAL(10,4) values; the nudge keeps 0.29 * 100 in bin 28.
        bins = np.maximum(np.ceil(p * n_bins - 1e-9) - 1, 0).astype(int)
        edges = np.arange(n_bins + 1) / n_bins
    else:
        interior = np.percentile(p, np.linspace(0, 1, n_bins + 1)[1:-1] * 100) if len(p) else np.array([])
        bins = np.searchsorted(interior, p, side="left")
        edges = np.concatenate([[0.0], interior, [1.0]])
    return bins, edges


def bin_sums(p: Sequence[float], y: Sequence[float], n_bins: int = 10, strategy: str = "uniform") -> pd.DataFrame:
    """Per-bin sums of predictions p against outcomes y (0/1), as the database returns them."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if p.shape != y.shape:
        raise ValueError("p and y must have the same length")
    bins, edges = assign_bins(p, n_bins, strategy)
    clipped = np.clip(p, EPS, 1 - EPS)
    loss = -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
    rows = []
    for k in np.unique(bins):
        mask = bins == k
        pk, yk = p[mask], y[mask]
        rows.append({"bin": int(k), "bin_lower": float(edges[k]), "bin_upper": float(edges[k + 1]),
                     "n": int(mask.sum()), "sum_p": pk.sum(), "sum_y": yk.sum(), "sum_p2": (pk * pk).sum(),
                     "sum_py": (pk * yk).sum(), "brier_sum": ((pk - yk) ** 2).sum(), "log_loss_sum": loss[mask].sum()})
    return pd.DataFrame(rows, columns=BIN_COLUMNS)


def _as_float(bins: pd.DataFrame) -> pd.DataFrame:
    """Decimal sums from the database become floats here (statistics, not money)."""
    frame = bins.copy()
    for column in BIN_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype(float)
    return frame


def wilson_interval(successes: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default)."""
    if n <= 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def reliability_curve(bins: pd.DataFrame) -> pd.DataFrame:
    """One row per non-empty bin: mean prediction, observed frequency and its 95% Wilson interval.

    Columns: bin, bin_lower, bin_upper, n, mean_predicted, observed, ci_low, ci_high. For
    integer outcomes, (observed, mean_predicted) are sklearn's calibration_curve (prob_true,
    prob_pred).
    """
    frame = _as_float(bins)
    frame = frame[frame["n"] > 0].sort_values("bin")
    intervals = [wilson_interval(s, n) for s, n in zip(frame["sum_y"], frame["n"])]
    return pd.DataFrame({
        "bin": frame["bin"].astype(int).to_numpy(),
        "bin_lower": frame["bin_lower"].to_numpy(),
        "bin_upper": frame["bin_upper"].to_numpy(),
        "n": frame["n"].astype(int).to_numpy(),
        "mean_predicted": (frame["sum_p"] / frame["n"]).to_numpy(),
        "observed": (frame["sum_y"] / frame["n"]).to_numpy(),
        "ci_low": [low for low, _ in intervals],
        "ci_high": [high for _, high in intervals],
    })


def scores(bins: pd.DataFrame) -> dict[str, float]:
    """Brier score and its decomposition, ECE and log loss from the bins of one forecaster.

    Keys: n, base_rate, brier, reliability, resolution, uncertainty, within_bin_variance,
    within_bin_covariance, ece, log_loss. Values are NaN when there are no forecasts.
    """
    frame = _as_float(bins)
    frame = frame[frame["n"] > 0]
    n = float(frame["n"].sum()) if len(frame) else 0.0
    if n == 0:
        keys = ["base_rate", "brier", "reliability", "resolution", "uncertainty", "within_bin_variance",
                "within_bin_covariance", "ece", "log_loss"]
        return {"n": 0, **{key: math.nan for key in keys}}
    nk = frame["n"]
    fk = frame["sum_p"] / nk
    ok = frame["sum_y"] / nk
    base_rate = frame["sum_y"].sum() / n
    # sum over a bin of (p - f_k)^2 = sum_p2 - n_k f_k^2; of (p - f_k)(y - o_k) = sum_py - n_k f_k o_k
    within_variance = float((frame["sum_p2"] - nk * fk * fk).sum() / n)
    within_covariance = float(2 * (frame["sum_py"] - nk * fk * ok).sum() / n)
    return {
        "n": int(n),
        "base_rate": float(base_rate),
        "brier": float(frame["brier_sum"].sum() / n),
        "reliability": float((nk * (fk - ok) ** 2).sum() / n),
        "resolution": float((nk * (ok - base_rate) ** 2).sum() / n),
        "uncertainty": float(base_rate * (1 - base_rate)),
        "within_bin_variance": within_variance,
        "within_bin_covariance": within_covariance,
        "ece": float((nk * (fk - ok).abs()).sum() / n),
        "log_loss": float(frame["log_loss_sum"].sum() / n),
    }


# The exact decomposition, in the order it is shown and with the sign each term enters with.
DECOMPOSITION = (("reliability", 1), ("resolution", -1), ("uncertainty", 1), ("within_bin_variance", 1),
                 ("within_bin_covariance", -1))


def shown_decomposition(values: Mapping[str, float], places: int = 4) -> dict[str, Decimal]:
    """The Brier score and its five terms rounded to `places` so that the rounded terms add up to
    the rounded score exactly (REL - RES + UNC + WBV - WBC = Brier): each term is rounded, and the
    one or two units the rounding lost overall are given back to the terms whose rounding moved them
    furthest the other way (largest remainder), so no term is off by more than one unit of its last
    digit. Without the two within-bin terms the three classic ones do not add up to the Brier
    score of binned forecasts (issue #21)."""
    unit = Decimal(1).scaleb(-places)
    scale = 10 ** places
    target = round(values["brier"] * scale)
    exact = {key: values[key] * scale for key, _ in DECOMPOSITION}
    rounded = {key: round(exact[key]) for key in exact}
    missing = target - sum(sign * rounded[key] for key, sign in DECOMPOSITION)
    step = 1 if missing > 0 else -1
    # a term moves the sum by sign * step; prefer the terms whose rounding lost most in that direction
    order = sorted(DECOMPOSITION, key=lambda item: -(item[1] * step * (exact[item[0]] - rounded[item[0]])))
    for key, sign in order[:abs(missing)]:
        rounded[key] += sign * step
    return {"brier": Decimal(target) * unit, **{key: Decimal(rounded[key]) * unit for key in rounded}}


def brier_skill_score(brier: float, reference_brier: float) -> float:
    """1 - Brier / Brier of the reference: > 0 when the forecaster beats the reference."""
    if brier is None or reference_brier is None or not reference_brier > 0 or math.isnan(brier):
        return math.nan
    return 1.0 - brier / reference_brier


SCORE_KEYS = ("brier", "reliability", "resolution", "uncertainty", "within_bin_variance", "within_bin_covariance",
              "ece", "log_loss")


def versus_market(bins: pd.DataFrame) -> pd.DataFrame:
    """One row per version: its scores and the market's on the same markets, and the skill score.

    `bins` holds the database's rows for several versions (model_id, model_version, forecaster,
    and the bin columns). Columns: model_id, model_version, markets, base_rate, then for each of
    model_ and market_: SCORE_KEYS; and bss (the version's Brier skill score against the market).
    """
    rows = []
    if bins is not None and len(bins):
        for (model_id, version), group in bins.groupby(["model_id", "model_version"], sort=False):
            model = scores(group[group["forecaster"] == "model"])
            market = scores(group[group["forecaster"] == "market"])
            row = {"model_id": model_id, "model_version": version, "markets": model["n"], "base_rate": model["base_rate"]}
            for prefix, values in (("model", model), ("market", market)):
                for key in SCORE_KEYS:
                    row[f"{prefix}_{key}"] = values[key]
            row["bss"] = brier_skill_score(model["brier"], market["brier"])
            rows.append(row)
    columns = ["model_id", "model_version", "markets", "base_rate",
               *[f"{prefix}_{key}" for prefix in ("model", "market") for key in SCORE_KEYS], "bss"]
    return pd.DataFrame(rows, columns=columns)
