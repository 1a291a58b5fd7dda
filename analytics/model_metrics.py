"""Comparing versions of a probability model: metrics side by side, live results, training runs,
and which lifecycle actions an admin can take. Pure functions: frames in, frames out."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

import pandas as pd

HIGHER, LOWER = "higher", "lower"

# (key, label, direction: HIGHER / LOWER is better, or None when neither is "better")
METRICS: list[tuple[str, str, str | None]] = [
    ("validation_accuracy", "Validation accuracy", HIGHER),
    ("validation_calibration", "Validation calibration (1 − ECE)", HIGHER),
    ("val_auc", "Final run: validation AUC", HIGHER),
    ("val_brier", "Final run: validation Brier", LOWER),
    ("val_log_loss", "Final run: validation log loss", LOWER),
    ("val_ece", "Final run: validation ECE", LOWER),
    # each version on the markets it priced (unpaired): the paired comparison below the table is the
    # one that names a winner
    ("live_brier", "Settled markets (own): Brier", LOWER),
    ("live_log_loss", "Settled markets (own): log loss", LOWER),
    ("live_ece", "Settled markets (own): ECE", LOWER),
    ("live_bss", "Settled markets (own): Brier skill vs market", HIGHER),
    ("win_rate", "Trading: win rate", HIGHER),
    ("roi", "Trading: ROI", HIGHER),
    ("avg_clv", "Trading: CLV per contract", HIGHER),
    ("validation_sample_size", "Validation sample size", None),
    ("settled_markets", "Settled markets scored (own)", None),
    ("positions_closed", "Closed positions", None),
]
METRIC_LABELS = {key: label for key, label, _ in METRICS}
METRIC_DIRECTIONS = {key: direction for key, _, direction in METRICS}
COUNT_METRICS = {key for key, _, direction in METRICS if direction is None}
ARROWS = {HIGHER: "↑ higher is better", LOWER: "↓ lower is better", None: "—"}
# Rates shown as percentages wherever they appear (the Compare and Live results tabs, the A/B page):
# key -> (decimal places, signed); their differences are in percentage points.
PERCENT_METRICS = {"win_rate": (1, False), "roi": (2, True)}
# Prices per contract shown in cents (closing line value); their differences in cents too.
CENT_METRICS = {"avg_clv"}


def format_value(key: str, value) -> str:
    """A metric's value as the Models page shows it on every tab (percentages for rates)."""
    from analytics.trade_metrics import percent

    if key in PERCENT_METRICS:
        places, signed = PERCENT_METRICS[key]
        return percent(_num(value), places, signed)
    if key in CENT_METRICS:
        return _cents(_num(value))
    number = _num(value)
    if math.isnan(number):
        return "—"
    return f"{number:,.0f}" if key in COUNT_METRICS else f"{number:.4f}"


def format_delta(key: str, value) -> str:
    """A difference to the baseline, in the metric's own terms (percentage points for rates)."""
    from analytics.trade_metrics import points

    if key in PERCENT_METRICS:
        return points(_num(value), PERCENT_METRICS[key][0])
    if key in CENT_METRICS:
        return _cents(_num(value))
    number = _num(value)
    if math.isnan(number):
        return "—"
    return f"{number:+,.0f}" if key in COUNT_METRICS else f"{number:+.4f}"


def _cents(number: float) -> str:
    return "—" if math.isnan(number) else f"{number * 100:+.2f}¢"


def _num(value) -> float:
    """A float for statistics and charts (NaN for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def filter_versions(versions: pd.DataFrame, sports: Iterable[str] = (), model_types: Iterable[str] = (),
                    statuses: Iterable[str] = ()) -> pd.DataFrame:
    """Versions matching every non-empty filter (sport 'none' matches a NULL sport)."""
    mask = pd.Series(True, index=versions.index)
    sports, model_types, statuses = set(sports), set(model_types), set(statuses)
    if sports:
        mask &= versions["sport"].fillna("none").isin(sports)
    if model_types:
        mask &= versions["model_type"].isin(model_types)
    if statuses:
        mask &= versions["status"].isin(statuses)
    return versions[mask]


# --- live results -------------------------------------------------------------------------------
RESULT_COLUMNS = ["model_version", "trades", "positions_closed", "wins", "win_rate", "realized_pnl", "cost",
                  "roi", "avg_edge", "clv_positions", "avg_clv"]


def results_per_version(results: pd.DataFrame, version_order: Sequence[str], mode: str | None = None) -> pd.DataFrame:
    """Sum queries/version_results rows (strategy x model version x mode) per model version.

    mode: 'live', 'paper' or None for both. Every version in version_order gets a row (zeros and
    no rates when it has no closed position). Money stays Decimal; rates are floats. avg_clv: the
    mean closing line value per contract over the clv_positions whose market has closed (rows
    without clv_sum, from before it existed, count none).
    """
    if mode is not None and len(results):
        results = results[results["execution_mode"] == mode]
    rows = []
    for version in version_order:
        part = results[results["model_version"] == version] if len(results) else results
        positions = int(part["positions_closed"].sum()) if len(part) else 0
        wins = int(part["wins"].sum()) if len(part) else 0
        pnl, cost, edge, clv = (sum((Decimal(v) for v in part[column] if v is not None and not pd.isna(v)), Decimal(0))
                                if len(part) and column in part else Decimal(0)
                                for column in ("realized_pnl", "cost", "edge_sum", "clv_sum"))
        clv_positions = int(part["clv_positions"].sum()) if len(part) and "clv_positions" in part else 0
        rows.append({
            "model_version": version,
            "trades": int(part["trades"].sum()) if len(part) else 0,
            "positions_closed": positions,
            "wins": wins,
            "win_rate": wins / positions if positions else math.nan,
            "realized_pnl": pnl if positions else None,
            "cost": cost if positions else None,
            "roi": float(pnl / cost) if positions and cost else math.nan,
            "avg_edge": float(edge / positions) if positions else math.nan,
            "clv_positions": clv_positions,
            "avg_clv": float(clv / clv_positions) if clv_positions else math.nan,
        })
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


# --- training runs ------------------------------------------------------------------------------
RUN_METRICS = ("accuracy", "auc", "brier_score", "log_loss")


def _json(value) -> dict:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


def final_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Each version's final run: its latest completed run (by completion time, then run id)."""
    if runs.empty:
        return runs
    done = runs[runs["status"] == "completed"].copy()
    done["_completed"] = pd.to_datetime(done["training_completed_at"])
    done = done.sort_values(["model_version", "_completed", "run_id"], na_position="first")
    return done.groupby("model_version", sort=False).tail(1).drop(columns="_completed").reset_index(drop=True)


def runs_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run for display: JSON fields as compact text, metrics as columns."""
    rows = []
    for run in runs.itertuples():
        row = {
            "version": run.model_version, "run": int(run.run_id), "status": run.status,
            "started": run.training_started_at,
            "duration_min": (run.training_duration_seconds / 60) if pd.notna(run.training_duration_seconds) else math.nan,
            "dataset": run.dataset_name,
            "samples": run.dataset_sample_count,
            "hyperparameters": json.dumps(_json(run.hyperparameters), sort_keys=True),
        }
        for split, column in (("train", "train_metrics"), ("val", "val_metrics"), ("test", "test_metrics")):
            values = _json(getattr(run, column))
            for metric in RUN_METRICS:
                row[f"{split}_{metric}"] = _num(values.get(metric))
        row["framework"] = run.framework_version
        row["notes"] = run.error_message or run.notes
        rows.append(row)
    return pd.DataFrame(rows)


RUN_SUMMARY = ["version", "run", "status", "started", "duration_min", "samples", "val_accuracy", "val_auc",
               "val_brier_score", "val_log_loss"]  # the columns a reader needs; the rest on demand


def run_metric_label(column: str) -> str:
    """'val_brier_score' -> 'Val. Brier': short headers, so the runs table fits a laptop's width."""
    split, metric = column.split("_", 1)
    names = {"accuracy": "accuracy", "auc": "AUC", "brier_score": "Brier", "log_loss": "log loss"}
    return f"{ {'train': 'Train', 'val': 'Val.', 'test': 'Test'}[split]} {names.get(metric, metric.replace('_', ' '))}"


def hyperparameters_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run (version, run) and one column per hyperparameter any run records, each
    value as compact JSON text (None where the run does not set it)."""
    rows, keys = [], {}
    for run in runs.itertuples():
        values = _json(run.hyperparameters)
        keys.update(dict.fromkeys(map(str, values)))
        rows.append({"version": run.model_version, "run": int(run.run_id),
                     **{str(k): json.dumps(v, sort_keys=True) for k, v in values.items()}})
    return pd.DataFrame(rows, columns=["version", "run", *sorted(keys)])


def feature_importance(runs: pd.DataFrame) -> pd.DataFrame:
    """Feature importances of each version's final run, long: model_version, feature, importance."""
    rows = []
    for run in final_runs(runs).itertuples():
        for feature, importance in _json(run.feature_importance).items():
            rows.append({"model_version": run.model_version, "feature": str(feature), "importance": _num(importance)})
    return pd.DataFrame(rows, columns=["model_version", "feature", "importance"])


# --- metrics side by side -----------------------------------------------------------------------
def version_metrics(versions: pd.DataFrame, runs: pd.DataFrame, calibration: pd.DataFrame,
                    results: pd.DataFrame) -> pd.DataFrame:
    """Long frame (model_version, metric, value) of every metric in METRICS that a version has.

    versions: models_versions rows; runs: models_training_runs rows; calibration: the output of
    analytics.calibration.versus_market; results: the output of results_per_version.
    """
    finals = final_runs(runs).set_index("model_version") if len(runs) else pd.DataFrame()
    calib = calibration.set_index("model_version") if len(calibration) else pd.DataFrame()
    trading = results.set_index("model_version") if len(results) else pd.DataFrame()
    rows = []
    for version in versions.itertuples():
        v = version.model_version
        values = {
            "validation_accuracy": _num(version.validation_accuracy),
            "validation_calibration": _num(version.validation_calibration),
            "validation_sample_size": _num(version.validation_sample_size),
        }
        if v in finals.index:
            val = _json(finals.loc[v, "val_metrics"])
            values.update(val_auc=_num(val.get("auc")), val_brier=_num(val.get("brier_score")),
                          val_log_loss=_num(val.get("log_loss")), val_ece=_num(val.get("ece")))
        if v in calib.index and calib.loc[v, "markets"] > 0:
            values.update(live_brier=_num(calib.loc[v, "model_brier"]), live_log_loss=_num(calib.loc[v, "model_log_loss"]),
                          live_ece=_num(calib.loc[v, "model_ece"]), live_bss=_num(calib.loc[v, "bss"]),
                          settled_markets=_num(calib.loc[v, "markets"]))
        if v in trading.index and trading.loc[v, "positions_closed"] > 0:
            values.update(win_rate=_num(trading.loc[v, "win_rate"]), roi=_num(trading.loc[v, "roi"]),
                          positions_closed=_num(trading.loc[v, "positions_closed"]),
                          avg_clv=_num(trading.loc[v, "avg_clv"]) if "avg_clv" in trading else math.nan)
        rows.extend({"model_version": v, "metric": key, "value": value}
                    for key, value in values.items() if not math.isnan(value))
    return pd.DataFrame(rows, columns=["model_version", "metric", "value"])


def winners(values: Mapping[str, float], direction: str | None) -> list[str]:
    """The version(s) with the best value (several on a tie); none without a direction or with
    fewer than two values to compare."""
    present = {v: x for v, x in values.items() if x is not None and not math.isnan(x)}
    if direction is None or len(present) < 2:
        return []
    best = max(present.values()) if direction == HIGHER else min(present.values())
    return [v for v, x in present.items() if math.isclose(x, best, rel_tol=0, abs_tol=1e-12)]


def compare_metrics(long: pd.DataFrame, order: Sequence[str], baseline: str) -> pd.DataFrame:
    """Wide comparison: one row per metric with a value for at least one version.

    Columns: metric (label), direction, one column per version (in `order`), then 'Δ <version>'
    for every other version (its value minus the baseline's: signed, NaN when either is missing),
    then best (the version(s) with the best value, 'tie: a, b', or '—': a number, not a verdict, as
    these values carry no uncertainty), metric_key and direction_key (HIGHER,
    LOWER or None).
    """
    columns = ["metric", "direction", *order, *[f"Δ {v}" for v in order if v != baseline], "best", "metric_key",
               "direction_key"]
    rows = []
    for key, label, direction in METRICS:
        part = long[(long["metric"] == key) & long["model_version"].isin(order)]
        if part.empty:
            continue
        values = {v: math.nan for v in order}
        values.update(dict(zip(part["model_version"], part["value"].astype(float))))
        row = {"metric": label, "direction": ARROWS[direction], **values}
        base = values.get(baseline, math.nan)
        for v in order:
            if v != baseline:
                row[f"Δ {v}"] = values[v] - base
        best = winners(values, direction)
        row["best"] = ("tie: " + ", ".join(best)) if len(best) > 1 else (best[0] if best else "—")
        row["metric_key"], row["direction_key"] = key, direction
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def shown_metrics(comparison: pd.DataFrame) -> pd.DataFrame:
    """compare_metrics' table with every value and delta as the page shows it (format_value,
    format_delta; "—" where a version has none): text, because a table cell without a value is
    drawn as "None" by the browser whatever a formatter says."""
    shown = comparison.copy()
    numbers = [c for c in comparison.columns if c not in ("metric", "direction", "best", "metric_key", "direction_key")]
    for column in numbers:
        format_one = format_delta if column.startswith("Δ ") else format_value
        shown[column] = [format_one(key, value) for key, value in zip(comparison.metric_key, comparison[column])]
    return shown


def delta_is_better(delta: float, direction: str | None) -> bool | None:
    """Whether a signed delta to the baseline is an improvement (None: no change, no direction)."""
    if direction is None or delta is None or math.isnan(delta) or delta == 0:
        return None
    return bool((delta > 0) == (direction == HIGHER))





# --- lifecycle actions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    """One thing an admin can do now; `label` says exactly what will happen."""
    kind: str                 # transition | rollback
    label: str
    model_id: int | None = None
    new_status: str | None = None
    mode: str = "replace"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.model_id}:{self.new_status}:{self.mode}"


NEXT_STEP = {"draft": ("training", "Start training"), "training": ("validating", "Start validating")}


def available_actions(versions: pd.DataFrame, plan: pd.DataFrame | None) -> list[Action]:
    """The legal lifecycle actions for one model's versions, each described in full."""
    actions: list[Action] = []
    active = versions[versions["status"] == "active"]
    for version in versions.itertuples():
        v, status, model_id = version.model_version, version.status, int(version.model_id)
        others = [x for x in active["model_version"] if x != v]
        if status in NEXT_STEP:
            to, verb = NEXT_STEP[status]
            actions.append(Action("transition", f"{verb}: {v} {status} → {to}", model_id, to))
        elif status == "validating":
            replaced = f", deprecating {', '.join(others)}" if others else ""
            actions.append(Action("transition", f"Promote {v} to active, replacing the active version(s){replaced}",
                                  model_id, "active", "replace"))
            if others:
                actions.append(Action("transition", f"Promote {v} to active alongside {', '.join(others)} (A/B)",
                                      model_id, "active", "alongside"))
        elif status == "active":
            if others:
                actions.append(Action("transition", f"Keep only {v} active, deprecating {', '.join(others)}",
                                      model_id, "active", "replace"))
            actions.append(Action("transition", f"Deprecate {v} (active → deprecated)", model_id, "deprecated"))
    if plan is not None and len(plan):
        off = [r.model_version for r in plan.itertuples() if r.to_status == "deprecated"]
        on = [r.model_version for r in plan.itertuples() if r.to_status == "active"]
        parts = ([f"deprecate {', '.join(off)}"] if off else []) + ([f"re-activate {', '.join(on)}"] if on else [])
        actions.append(Action("rollback", "Roll back: " + " and ".join(parts)))
    return actions


def state_token(model_name: str, versions: pd.DataFrame) -> str:
    """A short fingerprint of a model's lifecycle state as the page showed it.

    The admin form is keyed by it, so a click made on a page that showed an older state (a double
    click, a rerun after the change landed) belongs to a form that no longer exists and does
    nothing; it also seeds the request id, so the same request sent twice applies once.
    """
    last = int(versions["last_change_id"].max()) if len(versions) else 0
    state = ";".join(f"{int(r.model_id)}={r.status}" for r in versions.sort_values("model_id").itertuples())
    return hashlib.sha256(f"{model_name}|{last}|{state}".encode()).hexdigest()[:16]


def describe_changes(changes: Sequence) -> str:
    """One sentence for what a transition or roll back did (or that it had been done already)."""
    if not changes:
        return "Nothing changed."
    if not any(c.applied for c in changes):
        if all(c.from_status == c.to_status for c in changes):
            return f"Nothing changed: {changes[0].model_version} is already {changes[0].to_status}."
        done = "; ".join(f"{c.model_version} {c.from_status} → {c.to_status}" for c in changes)
        return f"Already done by the same request, nothing changed again ({done})."
    return "Done: " + "; ".join(f"{c.model_version} {c.from_status} → {c.to_status}" for c in changes if c.applied) + "."
