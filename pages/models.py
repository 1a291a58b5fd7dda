"""Model versions: which version of a probability model is better, by how much and why; its live
calibration against the market; its training runs and status history; and the admin's audited
promote, deprecate and roll back."""
from datetime import datetime, time, timezone

import pandas as pd
import streamlit as st

from analytics import calibration as cal
from analytics import model_metrics as mm
from analytics.config_diff import config_diff
from analytics.money import format_money
from identity import NotAllowed, current_identity
from queries import models as q
from queries.versions import version_results
from ui import charts, summaries, url_state
from ui.text import literal
from ui.url_state import UrlState
from ui.shell import run_inside_app

run_inside_app()

STATUSES = ["draft", "training", "validating", "active", "deprecated"]
MODEL_COLOR, MARKET_COLOR, BASELINE_COLOR, OTHER_COLOR = "#1f77b4", "#ff7f0e", "#7f7f7f", "#1f77b4"



@st.cache_data(ttl=120, max_entries=64, show_spinner=False)
def calibration(model_name: str, n_bins: int, strategy: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every version's calibration bins and its scores against the market. The scores are cached
    with the bins they come from: scoring them was a third of the Compare tab's script on every view."""
    bins = q.calibration_bins(model_name, n_bins, strategy)
    return bins, cal.versus_market(bins)


st.title("Model versions")
url = UrlState()

names = q.model_names()
if names.empty:
    st.info("No probability model versions are recorded yet.")
    st.stop()

# --- which model ----------------------------------------------------------------------------------
all_sports = sorted({s for row in names.sports for s in row})
all_types = sorted({t for row in names.model_types for t in row})
sport_col, type_col, status_col = st.columns(3)
sports = sport_col.multiselect("Sport", all_sports, key="models_sport", placeholder="All sports")
model_types = type_col.multiselect("Model type", all_types, key="models_type", placeholder="All types")
statuses = status_col.multiselect("Status", STATUSES, key="models_status", placeholder="All statuses",
                                  help="Filters the versions table.")

shown = names[names.apply(lambda r: (not sports or set(sports) & set(r.sports))
                          and (not model_types or set(model_types) & set(r.model_types)), axis=1)]
url_model = url.text("model", allowed=names.model_name.tolist())
if shown.empty:
    url.show_problems()
    st.info("No model matches these filters.")
    st.stop()
options = shown.model_name.tolist()
if st.session_state.get("models_model") not in options:
    st.session_state["models_model"] = url_model if url_model in options else options[0]
counts = names.set_index("model_name")
model = st.selectbox(
    "Model", options, key="models_model",
    format_func=lambda n: f"{n}  ·  {counts.loc[n, 'versions']} versions, {counts.loc[n, 'active_versions']} active")

versions = q.versions(model)
version_names = versions.model_version.tolist()
by_version = versions.set_index("model_version")

# --- versions table -------------------------------------------------------------------------------
st.subheader(f"Versions of {model}")
table = mm.filter_versions(versions, sports, model_types, statuses)
if table.empty:
    st.info("No version of this model matches the filters.")
else:
    st.dataframe(
        table.assign(notes=table.notes.fillna("")), hide_index=True, width="stretch", key="models_versions_table",
        column_order=["model_version", "status", "model_type", "sport", "created_at", "created_by", "config_hash",
                      "validation_accuracy", "validation_calibration", "validation_sample_size", "notes"],
        column_config={
            "model_version": "Version", "status": "Status", "model_type": "Type", "sport": "Sport",
            "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
            "created_by": "Created by",
            "config_hash": st.column_config.TextColumn("Config", help="First 8 hex digits of the md5 of the config"),
            "validation_accuracy": st.column_config.NumberColumn("Val. accuracy", format="%.4f"),
            "validation_calibration": st.column_config.NumberColumn("Val. calibration", format="%.4f",
                                                                    help="1 − expected calibration error"),
            "validation_sample_size": st.column_config.NumberColumn("Val. sample", format="%d"),
            "notes": "Notes",
        },
    )

# --- what to compare ------------------------------------------------------------------------------
versions_key, baseline_key = f"models_versions_{model}", f"models_baseline_{model}"
if versions_key not in st.session_state:
    from_url = url.texts("versions", allowed=version_names) if url_model == model else []
    st.session_state[versions_key] = from_url or version_names
picked = st.multiselect("Compare versions", version_names, key=versions_key,
                        help="Any number of versions; deltas are taken against the baseline.")
selected = [v for v in version_names if v in picked]  # in the order the versions were created
baseline = None
if selected:
    if st.session_state.get(baseline_key) not in selected:
        from_url = url.text("baseline", allowed=selected) if url_model == model else None
        active = [v for v in selected if by_version.loc[v, "status"] == "active"]
        st.session_state[baseline_key] = from_url or (active[0] if active else selected[0])
    baseline = st.selectbox("Baseline", selected, key=baseline_key)
url_state.write(model=model, versions=selected, baseline=baseline)
url.show_problems()

# Controls that shape the numbers of several tabs (Compare shows the trading and calibration metrics).
mode_col, bins_col, strategy_col = st.columns([1.2, 1.6, 1])
mode_label = mode_col.radio("Trades", ["All", "Live", "Paper"], horizontal=True, key="models_mode",
                            help="Which trades the live results count.")
mode = {"All": None, "Live": "live", "Paper": "paper"}[mode_label]
n_bins = bins_col.select_slider("Calibration bins", [5, 10, 15, 20], value=10, key="models_bins")
strategy = strategy_col.radio("Binning", ["uniform", "quantile"], horizontal=True, key="models_binning",
                              help="Uniform: equal-width bins. Quantile: equal-count bins.")

compare_tab, results_tab, calibration_tab, runs_tab, history_tab, admin_tab = url_state.open_tab_only(
    ["Compare", "Live results", "Calibration", "Training runs", "History", "Admin actions"])

if compare_tab.open or results_tab.open:
    results = mm.results_per_version(version_results(model_name=model), selected, mode=mode)
if compare_tab.open or runs_tab.open:
    runs = q.training_runs(model)
    runs = runs[runs.model_version.isin(selected)]
if compare_tab.open or calibration_tab.open:
    bins, vs_market = calibration(model, n_bins, strategy)
    bins = bins[bins.model_version.isin(selected)]
    vs_market = vs_market[vs_market.model_version.isin(selected)].reset_index(drop=True)

# --- compare ----------------------------------------------------------------------------------------
if compare_tab.open:
    with compare_tab:
        if len(version_names) == 1:
            st.info(f"{model} has only one version, so there is nothing to compare it with; its numbers are below.")
        elif len(selected) < 2:
            st.info("Pick at least two versions to compare them.")
        if selected:
            st.markdown("**Configuration**")
            only_differences = st.toggle("Only differences", value=True, key="models_only_differences")
            diff = config_diff({v: by_version.loc[v, "config"] for v in selected}, only_differences=only_differences)
            if diff.empty:
                st.caption("The configurations are identical." if only_differences else "The configurations are empty.")
            else:
                st.dataframe(diff.drop(columns="differs"), hide_index=True, width="stretch", key="models_config_diff",
                             column_config={"key": "Config key"})

            st.markdown("**Metrics**")
            long = mm.version_metrics(versions[versions.model_version.isin(selected)], runs, vs_market, results)
            comparison = mm.compare_metrics(long, selected, baseline)
            if comparison.empty:
                st.info("None of these versions has validation, training or live metrics yet.")
            else:
                numbers = [c for c in comparison.columns if c in selected or c.startswith("Δ ")]
                counts_rows = comparison.index[comparison.metric_key.isin(mm.COUNT_METRICS)]
                deltas = [c for c in numbers if c.startswith("Δ ")]

                def shade(row):
                    return [{True: "color: #1a7f37", False: "color: #cf222e", None: ""}[
                                mm.delta_is_better(row[c], row.direction_key)] if c in deltas else "" for c in row.index]

                styled = (comparison.style.format("{:+.4f}", subset=deltas, na_rep="—")
                          .format("{:.4f}", subset=[c for c in numbers if c not in deltas], na_rep="—")
                          .format("{:,.0f}", subset=pd.IndexSlice[counts_rows, [c for c in numbers if c not in deltas]], na_rep="—")
                          .format("{:+,.0f}", subset=pd.IndexSlice[counts_rows, deltas], na_rep="—")
                          .apply(shade, axis=1))
                st.dataframe(
                    styled, hide_index=True, width="stretch", key="models_metric_table",
                    height=36 * (len(comparison) + 1) + 3,
                    column_order=["metric", "direction", *numbers, "winner"],
                    column_config={"metric": "Metric", "direction": "Better", "winner": "Winner",
                                   baseline: f"{baseline} (baseline)"},
                )
                st.caption("Δ: the version's value minus the baseline's, green where it is better and red where it is "
                           "worse. Validation metrics come from the version and its final training run; settled-market "
                           "metrics from the Calibration tab; trading metrics from the Live results tab.")
                chart_data = long[long.metric.map(mm.METRIC_DIRECTIONS).notna()].copy()
                chart_data["metric"] = chart_data.metric.map(mm.METRIC_LABELS)
                chart = charts.facet_points(chart_data, x="model_version", y="value", facet="metric", x_order=selected,
                                     facet_order=[mm.METRIC_LABELS[k] for k, _, d in mm.METRICS if d],
                                     highlight=baseline)
                st.caption("Each panel is one metric (own scale); the baseline is drawn as a diamond.")
                st.plotly_chart(chart, width="stretch", key="models_metric_chart")

# --- live results -------------------------------------------------------------------------------------
if results_tab.open:
    with results_tab:
        if not selected:
            st.info("Pick one or more versions to see their results.")
        elif results.positions_closed.sum() == 0:
            st.info(f"No position opened on a prediction of {', '.join(selected)} has closed yet"
                    f"{'' if mode is None else f' in {mode} trading'}, so there are no results to show.")
        else:
            shown_results = results.assign(realized_pnl=results.realized_pnl.map(format_money))
            st.dataframe(
                shown_results, hide_index=True, width="stretch", key="models_results_table",
                column_order=["model_version", "trades", "positions_closed", "win_rate", "realized_pnl", "roi",
                              "avg_edge"],
                column_config={
                    "model_version": "Version", "trades": "Trades", "positions_closed": "Closed positions",
                    "win_rate": st.column_config.NumberColumn("Win rate", format="percent"),
                    "realized_pnl": "Realized P&L", "roi": st.column_config.NumberColumn("ROI", format="percent"),
                    "avg_edge": st.column_config.NumberColumn("Avg edge at execution", format="%.4f"),
                },
            )
            idle = results[results.positions_closed == 0].model_version.tolist()
            if idle:
                st.caption(f"No closed positions yet for {', '.join(idle)}.")
            st.caption("Positions attributed to the version by their opening trade; trades count the entries and "
                       "exits of closed positions; ROI is realized P&L over the cost of the entries.")

# --- calibration ----------------------------------------------------------------------------------------
if calibration_tab.open:
    with calibration_tab:
        st.caption("Each prediction is the version's probability in its last edge before the market settled — "
                   "never after the outcome was known — and the market's is the market-implied probability in "
                   "that same edge, so both are scored on the same markets.")
        summaries.caption("calibration_points")
        scored = vs_market[vs_market.markets > 0]
        missing = [v for v in selected if v not in set(scored.model_version)]
        if not selected:
            st.info("Pick one or more versions to see their calibration.")
        elif scored.empty:
            st.info(f"No market that {', '.join(selected)} priced has settled yet, so there is nothing to "
                    "calibrate against.")
        else:
            st.dataframe(
                scored, hide_index=True, width="stretch", key="models_calibration_table",
                column_order=["model_version", "markets", "model_brier", "market_brier", "bss", "model_reliability",
                              "model_resolution", "model_uncertainty", "model_ece", "market_ece", "model_log_loss",
                              "market_log_loss"],
                column_config={
                    "model_version": "Version", "markets": "Settled markets",
                    "model_brier": st.column_config.NumberColumn("Brier", format="%.4f"),
                    "market_brier": st.column_config.NumberColumn("Market Brier", format="%.4f"),
                    "bss": st.column_config.NumberColumn("Skill vs market", format="%.3f",
                                                         help="Brier skill score: 1 − Brier / market Brier; > 0 beats the market"),
                    "model_reliability": st.column_config.NumberColumn("Reliability ↓", format="%.4f"),
                    "model_resolution": st.column_config.NumberColumn("Resolution ↑", format="%.4f"),
                    "model_uncertainty": st.column_config.NumberColumn("Uncertainty", format="%.4f"),
                    "model_ece": st.column_config.NumberColumn("ECE", format="%.4f"),
                    "market_ece": st.column_config.NumberColumn("Market ECE", format="%.4f"),
                    "model_log_loss": st.column_config.NumberColumn("Log loss", format="%.4f"),
                    "market_log_loss": st.column_config.NumberColumn("Market log loss", format="%.4f"),
                },
            )
            panels = scored.model_version.tolist()
            per_row = min(len(panels), 3)
            grid_rows = -(-len(panels) // per_row)
            layout = charts.subplot_grid(grid_rows, per_row, shared_y=True, horizontal_spacing=0.05,
                                         vertical_spacing=0.12 if grid_rows > 1 else 0.0,
                                         titles=[f"{v} · {int(n)} markets"
                                                 for v, n in zip(scored.model_version, scored.markets)])
            for cell in range(grid_rows * per_row):
                suffix = charts.axis_suffix(cell)
                layout[f"xaxis{suffix}"].update(range=[0, 1], title=dict(text="Predicted probability"))
                layout[f"yaxis{suffix}"].update(range=[-0.02, 1.02])
                if cell % per_row == 0:
                    layout[f"yaxis{suffix}"]["title"] = dict(text="Observed frequency")
            layout.update(height=380 * grid_rows + 40, margin=dict(l=0, r=0, t=80, b=0),
                          legend=dict(orientation="h", x=0, y=1.08 if grid_rows == 1 else 1.04, yanchor="bottom"))
            traces = []
            for i, version in enumerate(panels):
                cell = dict(xaxis=f"x{charts.axis_suffix(i)}", yaxis=f"y{charts.axis_suffix(i)}")
                traces.append(dict(type="scatter", x=[0, 1], y=[0, 1], mode="lines", showlegend=False,
                                   line=dict(color="#bbbbbb", dash="dot"), hoverinfo="skip", **cell))
                for forecaster, name, color in (("model", "Model version", MODEL_COLOR),
                                                ("market", "Market price", MARKET_COLOR)):
                    curve = cal.reliability_curve(
                        bins[(bins.model_version == version) & (bins.forecaster == forecaster)])
                    traces.append(dict(
                        type="scatter", x=charts.values(curve.mean_predicted), y=charts.values(curve.observed),
                        mode="lines+markers", name=name, legendgroup=forecaster, showlegend=i == 0,
                        marker=dict(color=color, size=8), line=dict(color=color),
                        error_y=dict(type="data", symmetric=False, array=charts.values(curve.ci_high - curve.observed),
                                     arrayminus=charts.values(curve.observed - curve.ci_low), thickness=1, width=3),
                        customdata=charts.table(curve, ["n", "ci_low", "ci_high", "bin_lower", "bin_upper"]),
                        hovertemplate=(f"{name}<br>bin (%{{customdata[3]:.3f}}, %{{customdata[4]:.3f}}]<br>"
                                       "predicted %{x:.3f}, observed %{y:.3f}<br>95% interval %{customdata[1]:.3f}–"
                                       "%{customdata[2]:.3f}<br>%{customdata[0]} markets<extra></extra>"),
                        **cell))
            figure = charts.Chart(traces, layout)
            st.plotly_chart(figure, width="stretch", key="models_reliability_chart")
            st.caption("Error bars: 95% Wilson interval of the observed frequency in each bin. Points on the dotted "
                       "diagonal are perfectly calibrated.")
            if missing:
                st.caption(f"No settled market with a prediction yet for {', '.join(missing)}.")

# --- training runs --------------------------------------------------------------------------------
if runs_tab.open:
    with runs_tab:
        if runs.empty:
            st.info("No training run is recorded for the selected versions.")
        else:
            run_rows = mm.runs_table(runs)
            st.dataframe(
                run_rows, hide_index=True, width="stretch", key="models_runs_table",
                column_config={
                    "version": "Version", "run": "Run", "status": "Status",
                    "started": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
                    "duration_min": st.column_config.NumberColumn("Minutes", format="%.1f"),
                    "dataset": "Dataset", "samples": "Samples", "hyperparameters": "Hyperparameters",
                    **{c: st.column_config.NumberColumn(c.replace("_", " "), format="%.4f")
                       for c in run_rows.columns if c.split("_", 1)[0] in ("train", "val", "test")},
                    "framework": "Framework", "notes": "Notes / error",
                },
            )
            importance = mm.feature_importance(runs)
            st.markdown("**Feature importance of each version's final run**")
            if importance.empty:
                st.caption("The final runs record no feature importance.")
            else:
                chart = charts.bars(importance, x="importance", y="feature", color="model_version", horizontal=True,
                                    order=selected,
                                    labels={"importance": "Importance", "feature": "", "model_version": "Version"},
                                    barmode="group", margin=dict(l=0, r=0, t=10, b=0), yaxis=dict(autorange="reversed"),
                                    height=120 + 28 * importance.feature.nunique()
                                    * max(1, importance.model_version.nunique()) // 2)
                st.plotly_chart(chart, width="stretch", key="models_importance_chart")

# --- history ----------------------------------------------------------------------------------------
if history_tab.open:
    with history_tab:
        history = q.status_history(model)
        st.dataframe(
            history.assign(from_status=history.from_status.fillna("—"), reason=history.reason.fillna("")),
            hide_index=True, width="stretch",
            key="models_history_table",
            column_order=["changed_at", "model_version", "from_status", "to_status", "changed_by", "action", "reason"],
            column_config={
                "changed_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                "model_version": "Version", "from_status": "From", "to_status": "To", "changed_by": "Who",
                "action": "Action", "reason": "Why",
            },
        )
        st.caption("Each version's first entry ('created') is the status it was recorded with, at its creation "
                   "time; every later change is recorded by the database as it happens.")
        st.markdown("**Which version was active at …**")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        day_col, time_col, answer_col = st.columns([1, 1, 3])
        as_of_day = day_col.date_input("Day (UTC)", value=now.date(), key="models_asof_day")
        as_of_time = time_col.time_input("Time (UTC)", value=time(now.hour, now.minute), key="models_asof_time")
        as_of = datetime.combine(as_of_day, as_of_time)
        active_then = q.active_at(model, as_of)
        if active_then.empty:
            answer_col.info(f"No version of {model} was active at {as_of:%Y-%m-%d %H:%M} UTC.")
        else:
            answer_col.success(f"At {as_of:%Y-%m-%d %H:%M} UTC: " + ", ".join(
                f"{r.model_version} (active since {r.active_since:%Y-%m-%d %H:%M})" for r in active_then.itertuples()))

# --- admin actions --------------------------------------------------------------------------------
if admin_tab.open:
    with admin_tab:
        me = current_identity()
        outcome = st.session_state.pop("models_outcome", None)
        if outcome:
            (st.success if outcome[0] == "ok" else st.error)(outcome[1])
        if not me.may("manage_versions"):
            st.info(f"Only admins can change a version's status; you are {literal(me.label)}.")
        else:
            plan, plan_problem = q.rollback_plan(model)
            actions = mm.available_actions(versions, plan)
            token = mm.state_token(model, versions)
            active_now = versions[versions.status == "active"].model_version.tolist()
            st.caption(f"Active now: {', '.join(active_now) if active_now else 'no version of ' + model}.")
            if not actions:
                st.info(f"No lifecycle action applies to the versions of {model} now.")
            else:
                with st.form(key=f"models_admin_{token}"):
                    action = st.selectbox("Action", actions, index=None, format_func=lambda a: a.label,
                                          placeholder="Choose what to do", key=f"models_action_{token}")
                    reason = st.text_input("Reason (recorded in the history)", max_chars=q.MAX_REASON,
                                           key=f"models_reason_{token}")
                    confirmed = st.checkbox("I have checked the action and its effect on the other versions",
                                            key=f"models_confirm_{token}")
                    submitted = st.form_submit_button("Apply", type="primary", key=f"models_apply_{token}")
                st.caption(f"Acting as {me.label}. The database checks the lifecycle and records who, when and why; "
                           "only versions of this model are touched.")
                if plan_problem:
                    st.caption(f"Roll back is not available: {plan_problem}")
                if submitted:
                    if action is None:
                        st.warning("Choose an action first.")
                    elif not reason.strip():
                        st.warning("Give a reason: it is recorded in the history.")
                    elif not confirmed:
                        st.warning("Tick the confirmation box to apply the action.")
                    else:
                        request_id = f"{token}:{action.key}"
                        try:
                            if action.kind == "rollback":
                                changes = q.rollback(model, reason.strip(), by=me, request_id=request_id)
                            else:
                                changes = q.transition(action.model_id, action.new_status, reason.strip(), by=me,
                                                       mode=action.mode, request_id=request_id)
                            st.session_state["models_outcome"] = ("ok", mm.describe_changes(changes))
                        except q.TransitionRefused as refusal:
                            st.session_state["models_outcome"] = ("refused", f"Refused by the database: {refusal}")
                        except NotAllowed as refusal:
                            st.session_state["models_outcome"] = ("refused", str(refusal))
                        st.rerun()
