"""Comparing model versions: metrics side by side with direction, delta and best value; live results
per version; training runs; which lifecycle actions are offered (analytics/model_metrics.py)."""
from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest

from analytics import model_metrics as mm


def versions_frame(*rows):
    columns = ["model_id", "model_version", "status", "model_type", "sport", "validation_accuracy",
               "validation_calibration", "validation_sample_size", "last_change_id"]
    return pd.DataFrame([dict(zip(columns, row)) for row in rows], columns=columns)


VERSIONS = versions_frame(
    (1, "v1.0", "deprecated", "elo", "nfl", Decimal("0.6620"), Decimal("0.9290"), 1000, 0),
    (2, "v1.1", "active", "elo", "nfl", Decimal("0.6810"), Decimal("0.9710"), 1200, 0),
    (3, "v2.0", "validating", "elo", "nfl", Decimal("0.6990"), Decimal("0.9710"), 900, 0),
    (4, "v2.1", "draft", "elo", None, None, None, None, 0),
)


def test_direction_delta_and_best_value_per_metric():
    long = mm.version_metrics(VERSIONS, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    table = mm.compare_metrics(long, ["v1.0", "v1.1", "v2.0"], baseline="v1.1").set_index("metric_key")
    acc = table.loc["validation_accuracy"]
    assert acc["direction"] == "↑ higher is better"
    assert acc["Δ v1.0"] == pytest.approx(0.6620 - 0.6810)
    assert acc["Δ v2.0"] == pytest.approx(0.6990 - 0.6810)
    assert acc["best"] == "v2.0"
    # a tie for the best value names both
    assert table.loc["validation_calibration", "best"] == "tie: v1.1, v2.0"
    # a count has no direction and no best value
    assert table.loc["validation_sample_size", "direction"] == "—"
    assert table.loc["validation_sample_size", "best"] == "—"
    assert "Δ v1.1" not in table.columns  # no delta of the baseline to itself


def test_lower_is_better_metrics_pick_the_lowest():
    long = pd.DataFrame({"model_version": ["a", "b", "c"], "metric": ["live_brier"] * 3, "value": [0.20, 0.18, 0.25]})
    row = mm.compare_metrics(long, ["a", "b", "c"], "a").iloc[0]
    assert row["direction"] == "↓ lower is better"
    assert row["best"] == "b"
    assert row["Δ b"] == pytest.approx(-0.02)
    assert mm.delta_is_better(row["Δ b"], row["direction_key"]) is True
    assert mm.delta_is_better(row["Δ c"], row["direction_key"]) is False
    assert mm.delta_is_better(0.0, mm.LOWER) is None and mm.delta_is_better(1.0, None) is None


def test_a_metric_only_one_version_has_gets_no_best_value_and_nan_deltas():
    long = pd.DataFrame({"model_version": ["a"], "metric": ["val_auc"], "value": [0.7]})
    row = mm.compare_metrics(long, ["a", "b"], "b").iloc[0]
    assert row["best"] == "—"
    assert math.isnan(row["Δ a"])


def test_results_per_version_sum_strategies_and_modes():
    results = pd.DataFrame([
        # strategy A with v1.1: 4 positions, 3 wins, live
        {"model_version": "v1.1", "execution_mode": "live", "trades": 9, "positions_closed": 4, "wins": 3,
         "realized_pnl": Decimal("12.5000"), "cost": Decimal("100.0000"), "edge_sum": Decimal("0.4000")},
        # strategy B with v1.1: 1 position, lost, paper
        {"model_version": "v1.1", "execution_mode": "paper", "trades": 2, "positions_closed": 1, "wins": 0,
         "realized_pnl": Decimal("-2.5000"), "cost": Decimal("25.0000"), "edge_sum": Decimal("0.0500")},
    ])
    both = mm.results_per_version(results, ["v1.1", "v2.0"]).set_index("model_version")
    assert both.loc["v1.1", "trades"] == 11 and both.loc["v1.1", "positions_closed"] == 5
    assert both.loc["v1.1", "win_rate"] == pytest.approx(3 / 5)
    assert both.loc["v1.1", "realized_pnl"] == Decimal("10.0000")       # money stays exact
    assert both.loc["v1.1", "roi"] == pytest.approx(10 / 125)
    assert both.loc["v1.1", "avg_edge"] == pytest.approx(0.45 / 5)
    # a version without trades has a row with zeros and no rates
    assert both.loc["v2.0", "positions_closed"] == 0 and math.isnan(both.loc["v2.0", "win_rate"])
    assert both.loc["v2.0", "realized_pnl"] is None
    live = mm.results_per_version(results, ["v1.1"], mode="live").iloc[0]
    assert live["positions_closed"] == 4 and live["realized_pnl"] == Decimal("12.5000")


RUNS = pd.DataFrame([
    {"run_id": 1, "model_version": "v1.1", "status": "completed", "training_started_at": datetime(2026, 1, 1),
     "training_completed_at": datetime(2026, 1, 1, 1), "training_duration_seconds": 600,
     "hyperparameters": {"k": 28}, "train_metrics": {"accuracy": 0.7}, "val_metrics": {"accuracy": 0.66, "auc": 0.71},
     "test_metrics": None, "feature_importance": {"elo": 0.9}, "framework_version": "x", "error_message": None,
     "notes": "tuning", "dataset_name": "d", "dataset_sample_count": 10},
    {"run_id": 2, "model_version": "v1.1", "status": "completed", "training_started_at": datetime(2026, 1, 2),
     "training_completed_at": datetime(2026, 1, 2, 1), "training_duration_seconds": 900,
     "hyperparameters": {"k": 30}, "train_metrics": {"accuracy": 0.72}, "val_metrics": {"accuracy": 0.68, "auc": 0.74,
                                                                                          "brier_score": 0.21},
     "test_metrics": {"accuracy": 0.67}, "feature_importance": {"elo": 0.6, "home": 0.4}, "framework_version": "x",
     "error_message": None, "notes": "final", "dataset_name": "d", "dataset_sample_count": 10},
    {"run_id": 3, "model_version": "v1.1", "status": "failed", "training_started_at": datetime(2026, 1, 3),
     "training_completed_at": None, "training_duration_seconds": 95, "hyperparameters": {"lr": 0.5},
     "train_metrics": None, "val_metrics": None, "test_metrics": None, "feature_importance": None,
     "framework_version": "x", "error_message": "Diverged", "notes": None, "dataset_name": "d", "dataset_sample_count": 10},
])


def test_the_final_run_is_the_latest_completed_one():
    final = mm.final_runs(RUNS)
    assert final["run_id"].tolist() == [2]
    importance = mm.feature_importance(RUNS)
    assert importance.to_dict("records") == [{"model_version": "v1.1", "feature": "elo", "importance": 0.6},
                                             {"model_version": "v1.1", "feature": "home", "importance": 0.4}]
    long = mm.version_metrics(VERSIONS[VERSIONS.model_version == "v1.1"], RUNS, pd.DataFrame(), pd.DataFrame())
    values = dict(zip(long.metric, long.value))
    assert values["val_auc"] == pytest.approx(0.74) and values["val_brier"] == pytest.approx(0.21)


def test_runs_table_shows_json_as_text_and_metrics_as_columns():
    table = mm.runs_table(RUNS)
    assert table.loc[0, "hyperparameters"] == '{"k": 28}'
    assert table.loc[1, "val_auc"] == pytest.approx(0.74)
    assert math.isnan(table.loc[2, "val_accuracy"])
    assert table.loc[2, "notes"] == "Diverged"
    assert table.loc[1, "duration_min"] == pytest.approx(15)


def test_the_actions_offered_follow_the_lifecycle():
    labels = [a.label for a in mm.available_actions(VERSIONS, None)]
    assert labels == [
        "Deprecate v1.1 (active → deprecated)",
        "Promote v2.0 to active, replacing the active version(s), deprecating v1.1",
        "Promote v2.0 to active alongside v1.1 (A/B)",
        "Start training: v2.1 draft → training",
    ]
    plan = pd.DataFrame({"model_version": ["v1.1", "v1.0"], "to_status": ["deprecated", "active"]})
    rollback = mm.available_actions(VERSIONS, plan)[-1]
    assert rollback.kind == "rollback" and rollback.label == "Roll back: deprecate v1.1 and re-activate v1.0"
    two_active = VERSIONS.assign(status=["active", "active", "validating", "draft"])
    kinds = {(a.model_id, a.new_status, a.mode) for a in mm.available_actions(two_active, None)}
    assert (2, "active", "replace") in kinds  # end an A/B run: keep only v1.1
    assert not any(a.model_id == 1 and a.new_status == "training" for a in mm.available_actions(two_active, None))


def test_the_state_token_changes_with_any_status_change():
    token = mm.state_token("elo", VERSIONS)
    assert token == mm.state_token("elo", VERSIONS.copy())
    assert token != mm.state_token("elo", VERSIONS.assign(status=["deprecated", "active", "active", "draft"]))
    assert token != mm.state_token("elo", VERSIONS.assign(last_change_id=7))
    assert token != mm.state_token("nba", VERSIONS)


def test_filters_narrow_the_versions_table():
    assert mm.filter_versions(VERSIONS, statuses=["active", "draft"]).model_version.tolist() == ["v1.1", "v2.1"]
    assert mm.filter_versions(VERSIONS, sports=["none"]).model_version.tolist() == ["v2.1"]
    assert len(mm.filter_versions(VERSIONS)) == 4


def test_the_table_shown_keeps_each_metric_in_its_own_terms():
    long = pd.DataFrame({"model_version": ["a", "b", "a", "b", "a"], "metric": ["roi", "roi", "win_rate", "win_rate",
                                                                                "positions_closed"],
                         "value": [0.0034, 0.0121, 0.69, 0.7387, 58]})
    shown = mm.shown_metrics(mm.compare_metrics(long, ["a", "b"], "a")).set_index("metric_key")
    assert (shown.loc["roi", "a"], shown.loc["roi", "b"], shown.loc["roi", "Δ b"]) == ("+0.34%", "+1.21%", "+0.87 pp")
    assert (shown.loc["win_rate", "b"], shown.loc["win_rate", "Δ b"]) == ("73.9%", "+4.9 pp")
    assert (shown.loc["positions_closed", "a"], shown.loc["positions_closed", "b"]) == ("58", "—")
    assert mm.format_value("val_brier", 0.21104) == "0.2110" and mm.format_delta("val_brier", -0.01) == "-0.0100"
