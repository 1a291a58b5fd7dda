"""Model versions: which version of a probability model is better, by how much and why; its live
calibration against the market; its training runs and status history; and the admin's audited
promote, deprecate and roll back."""
import pandas as pd
import streamlit as st

from analytics import calibration as cal
from analytics import model_metrics as mm
from analytics import paired_scores
from analytics.config_diff import config_diff
from analytics.money import format_money
from identity import current_identity
from queries import models as q
from queries.versions import version_results
from ui import admin_form, charts, lifecycle, summaries, url_state
from ui.text import cells, literal, plain
from ui.text import chart as chart_text
from ui.url_state import UrlState
from ui.shell import run_inside_app

run_inside_app()

STATUSES = ["draft", "training", "validating", "active", "deprecated"]
MARKET_COLOR = "#555555"  # the market's curve: grey, so that every colour is a version's



@st.cache_data(ttl=120, max_entries=64, show_spinner=False)
def calibration(model_name: str, n_bins: int, strategy: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every version's calibration bins and its scores against the market. The scores are cached
    with the bins they come from: scoring them was a third of the Compare tab's script on every view."""
    bins = q.calibration_bins(model_name, n_bins, strategy)
    return bins, cal.versus_market(bins)


MODES = {"all": "All", "live": "Live", "paper": "Paper"}  # the link's `trades` -> the radio's label
BINS = [5, 10, 15, 20]
BINNINGS = ["uniform", "quantile"]
MODE_KEY = "models_mode"


def read_link(link: UrlState, sports: list[str], types: list[str]) -> None:
    """The choices that change a number (filters, trades, calibration bins and binning, the config
    diff's "only differences"), from the link; what it gets wrong is said once, with the rest."""
    st.session_state.update(
        models_sport=link.texts("sport", allowed=sports), models_type=link.texts("type", allowed=types),
        models_status=link.texts("status", allowed=STATUSES),
        models_mode=MODES[link.text("trades", allowed=list(MODES), default="all")],
        models_bins=int(link.text("bins", allowed=[str(b) for b in BINS], default="10")),
        models_binning=link.text("binning", allowed=BINNINGS, default="uniform"),
        models_diff=link.text("diff", allowed=["only", "all"], default="only"))


def write_diff() -> None:
    """The toggle lives on the Compare tab only, and Streamlit forgets a widget's state on a run
    that does not draw it: the choice is kept under a key of its own."""
    st.session_state.models_diff = "only" if st.session_state.models_only_differences else "all"
    url_state.write(diff=st.session_state.models_diff)


st.title("Model versions")
url = UrlState()

names = q.model_names()
if names.empty:
    st.info("No probability model versions are recorded yet.")
    st.stop()

# --- which model ----------------------------------------------------------------------------------
all_sports = sorted({s for row in names.sports for s in row})
all_types = sorted({t for row in names.model_types for t in row})
if MODE_KEY not in st.session_state:  # a session's first run: the link decides every choice below
    read_link(url, all_sports, all_types)
# one row for the filters and the model, one for what to compare, one for the numbers' choices:
# the tabs start above the fold at 1366x768
sport_col, type_col, status_col, model_col = st.columns([1, 1, 1, 2])
sports = sport_col.multiselect("Sport", all_sports, key="models_sport", placeholder="All sports", format_func=plain)
model_types = type_col.multiselect("Model type", all_types, key="models_type", placeholder="All types",
                                  format_func=plain)
statuses = status_col.multiselect("Status", STATUSES, key="models_status", placeholder="All statuses",
                                  help="Filters the versions table.")
url_state.write(sport=sports, type=model_types, status=statuses)

shown = names[[bool((not sports or set(sports) & set(r.sports)) and (not model_types or set(model_types) & set(r.model_types)))
               for r in names.itertuples()]]  # a list of bools: apply() gave a column of sets once a filter was chosen
url_model = url.text("model", allowed=names.model_name.tolist())
if shown.empty:
    url.show_problems()
    st.info("No model matches these filters.")
    st.stop()
options = shown.model_name.tolist()
if st.session_state.get("models_model") not in options:
    st.session_state["models_model"] = url_model if url_model in options else options[0]
counts = names.set_index("model_name")
model = model_col.selectbox(
    "Model", options, key="models_model",
    format_func=lambda n: f"{plain(n)}  ·  {counts.loc[n, 'versions']} versions, {counts.loc[n, 'active_versions']} active")

versions = q.versions(model)
version_names = versions.model_version.tolist()
colors = {v: charts.COLORS[i % len(charts.COLORS)] for i, v in enumerate(version_names)}
by_version = versions.set_index("model_version")

# --- versions table -------------------------------------------------------------------------------
table = mm.filter_versions(versions, sports, model_types, statuses)
if table.empty:
    st.info("No version of this model matches the filters.")
else:
    # type and sport in a column only where the versions differ in them (else said once, below):
    # the notes stay whole at 1366 pixels
    shared = {c: table[c].fillna("none").iloc[0] for c in ("model_type", "sport") if table[c].fillna("none").nunique() == 1}
    st.dataframe(
        cells(table.assign(notes=table.notes.fillna(""))), hide_index=True, width="stretch", key="models_versions_table",
        placeholder="—",
        column_order=["model_version", "status", *(c for c in ("model_type", "sport") if c not in shared), "created_at",
                      "created_by", "config_hash", "validation_accuracy", "validation_calibration",
                      "validation_sample_size"],
        column_config={
            "model_version": "Version", "status": "Status", "model_type": "Type", "sport": "Sport",
            "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
            "created_by": "Created by",
            "config_hash": st.column_config.TextColumn("Config", help="First 8 hex digits of the md5 of the config"),
            "validation_accuracy": st.column_config.NumberColumn("Val. accuracy", format="%.4f"),
            "validation_calibration": st.column_config.NumberColumn("Val. calib.", format="%.4f",
                                                                    help="1 − expected calibration error"),
            "validation_sample_size": st.column_config.NumberColumn("Val. sample", format="%d"),
            "notes": "Notes",
        },
    )
    unvalidated = table[table.validation_accuracy.isna() & table.validation_calibration.isna()]
    said = []
    if shared:
        said.append("Every version shown: " + ", ".join(f"{'type' if c == 'model_type' else 'sport'} {v}"
                                                      for c, v in shared.items()) + ".")
    if len(unvalidated):
        said.append(f"—: not validated yet ({', '.join(f'{r.model_version} is a {r.status} version' for r in unvalidated.itertuples())}).")
    # notes are free text of any length: whole, below the table, rather than cut in a cell
    noted = table[table.notes.fillna("").str.strip() != ""]
    if len(noted):
        said.append("Notes: " + "; ".join(f"{r.model_version}: {str(r.notes).strip().rstrip('.')}"
                                          for r in noted.itertuples()) + ".")
    if said:
        st.caption(literal(" ".join(said)))

# --- what to compare ------------------------------------------------------------------------------
versions_key, baseline_key = f"models_versions_{model}", f"models_baseline_{model}"
first_look = versions_key not in st.session_state  # the link speaks for a model once, when it is first shown
if first_look:
    from_url = url.texts("versions", allowed=version_names) if url_model == model else []
    st.session_state[versions_key] = from_url or version_names
compare_col, baseline_col = st.columns([3, 1])
picked = compare_col.multiselect("Compare versions", version_names, key=versions_key, format_func=plain,
                        help="Any number of versions; deltas are taken against the baseline.")
selected = [v for v in version_names if v in picked]  # in the order the versions were created
baseline = None
if selected:
    if st.session_state.get(baseline_key) not in selected:
        # later, a baseline taken out of the comparison falls back without blaming the link
        from_url = url.text("baseline", allowed=selected) if url_model == model and first_look else None
        active = [v for v in selected if by_version.loc[v, "status"] == "active"]
        st.session_state[baseline_key] = from_url or (active[0] if active else selected[0])
    baseline = baseline_col.selectbox("Baseline", selected, key=baseline_key, format_func=plain)
url.show_problems()

# Controls that shape the numbers of several tabs (Compare shows the trading and calibration metrics).
mode_col, bins_col, strategy_col = st.columns([1.2, 1.6, 1])
mode_label = mode_col.radio("Trades", list(MODES.values()), horizontal=True, key=MODE_KEY,
                            help="Which trades the live results count.")
mode = {"All": None, "Live": "live", "Paper": "paper"}[mode_label]
n_bins = bins_col.select_slider("Calibration bins", BINS, key="models_bins")
strategy = strategy_col.radio("Binning", BINNINGS, horizontal=True, key="models_binning",
                              help="Uniform: equal-width bins. Quantile: equal-count bins.")
# Every choice that changes a number is in the link (a default too: the link says what it shows).
url_state.write(model=model, versions=selected, baseline=baseline, trades=mode_label.lower(), bins=n_bins, binning=strategy,
                diff=st.session_state.models_diff)

compare_tab, results_tab, calibration_tab, runs_tab, history_tab, admin_tab = url_state.open_tab_only(
    ["Compare", "Live results", "Calibration", "Training runs", "History", "Admin actions"])

if compare_tab.open or results_tab.open:
    results = mm.results_per_version(version_results(model_name=model), selected, mode=mode)
if compare_tab.open or runs_tab.open:
    runs = q.training_runs(model)
    runs = runs[runs.model_version.isin(selected)]
if compare_tab.open:
    pairs = q.paired_scores(model)
if compare_tab.open or calibration_tab.open:
    bins, vs_market = calibration(model, n_bins, strategy)
    bins = bins[bins.model_version.isin(selected)]
    vs_market = vs_market[vs_market.model_version.isin(selected)].reset_index(drop=True)

# --- compare ----------------------------------------------------------------------------------------
if compare_tab.open:
    with compare_tab:
        if len(version_names) == 1:
            st.info(f"{literal(model)} has only one version, so there is nothing to compare it with; its numbers are below.")
        elif len(selected) < 2:
            st.info("Pick at least two versions to compare them.")
        if selected:
            st.markdown("**Configuration**")
            if "models_only_differences" not in st.session_state:
                st.session_state.models_only_differences = st.session_state.models_diff == "only"
            only_differences = st.toggle("Only differences", key="models_only_differences", on_change=write_diff)
            diff = config_diff({v: by_version.loc[v, "config"] for v in selected}, only_differences=only_differences)
            if diff.empty:
                st.caption("The configurations are identical." if only_differences else "The configurations are empty.")
            else:
                # a static table wraps a wide value instead of cutting it; its cells are markdown, so
                # every one (database text) goes through literal()
                st.table(diff.drop(columns="differs").rename(columns={"key": "Config key"})
                         .rename(columns=literal).map(literal), hide_index=True)

            st.markdown("**Metrics**")
            long = mm.version_metrics(versions[versions.model_version.isin(selected)], runs, vs_market, results)
            comparison = cells(mm.compare_metrics(long, selected, baseline))  # versions name its columns
            if comparison.empty:
                st.info("None of these versions has validation, training or live metrics yet.")
            else:
                numbers = [c for c in comparison.columns if c in map(plain, selected) or c.startswith("Δ ")]
                deltas = [c for c in numbers if c.startswith("Δ ")]

                def shade(row):  # by the numbers behind the text
                    numbers_row = comparison.loc[row.name]
                    return [{True: "color: #1a7f37", False: "color: #cf222e", None: ""}[
                                mm.delta_is_better(numbers_row[c], numbers_row.direction_key)] if c in deltas else ""
                            for c in row.index]

                # each metric in its own terms, as on every tab (rates as percentages)
                styled = mm.shown_metrics(comparison).style.apply(shade, axis=1)
                st.dataframe(
                    styled, hide_index=True, width="stretch", key="models_metric_table",
                    height=36 * (len(comparison) + 1) + 3,
                    column_order=["metric", "direction", *numbers, "best"],
                    column_config={"metric": "Metric", "direction": "Better",
                                   "best": "Best value",
                                   **{c: st.column_config.TextColumn(f"{c} (baseline)" if c == plain(baseline) else c,
                                                                     alignment="right") for c in numbers}},
                )
                st.caption("Δ: the version's value minus the baseline's, green where it is better and red where it is "
                           "worse; rates in percentage points. Best value: the highest or lowest number, which carries "
                           "no uncertainty and is not a verdict. Validation metrics come from the version and its final "
                           "training run; settled-market metrics (own) from the Calibration tab, each version on the "
                           "markets it priced; trading metrics from the Live results tab.")
                chart_data = long[long.metric.map(mm.METRIC_DIRECTIONS).notna()].copy()
                chart_data["metric"] = chart_data.metric.map(mm.METRIC_LABELS)
                chart = charts.facet_points(chart_data, x="model_version", y="value", facet="metric", x_order=selected,
                                     facet_order=[mm.METRIC_LABELS[k] for k, _, d in mm.METRICS if d],
                                     highlight=baseline, colors=colors,
                                     percent={mm.METRIC_LABELS[k] for k in mm.PERCENT_METRICS})
                st.caption("Each panel is one metric (own scale); the baseline is drawn as a diamond.")
                st.plotly_chart(chart, width="stretch", key="models_metric_chart")

            st.markdown("**Paired comparison on shared markets**")
            paired = paired_scores.compare_versions(pairs, selected)
            (st.success if paired.winner else st.info)(literal(paired_scores.winner_sentence(paired)))
            if len(selected) > 1:
                st.dataframe(cells(paired_scores.table(paired)), hide_index=True, width="stretch", key="models_paired_table")
                st.caption(f"Each pair of versions on the settled markets both priced: the per-market difference of "
                           f"their scores (first minus second; below zero, the first forecast better), a paired t-test "
                           f"(Diebold–Mariano) treating markets as independent, {paired.tests} tests with Bonferroni "
                           f"intervals at {paired.level:.1%}. A pair needs {paired_scores.MIN_MARKETS} shared markets.")

# --- live results -------------------------------------------------------------------------------------
if results_tab.open:
    with results_tab:
        if not selected:
            st.info("Pick one or more versions to see their results.")
        elif results.positions_closed.sum() == 0:
            st.info(literal(f"No position opened on a prediction of {', '.join(selected)} has closed yet"
                            f"{'' if mode is None else f' in {mode} trading'}, so there are no results to show."))
        else:
            shown_results = results.assign(realized_pnl=results.realized_pnl.map(format_money),
                                           win_rate=results.win_rate.map(lambda v: mm.format_value("win_rate", v)),
                                           roi=results.roi.map(lambda v: mm.format_value("roi", v)),
                                           clv=[f"{mm.format_value('avg_clv', c)} ({n} of {p})" if n else "—"
                                                for c, n, p in zip(results.avg_clv, results.clv_positions,
                                                                   results.positions_closed)])
            st.dataframe(
                cells(shown_results), hide_index=True, width="stretch", key="models_results_table", placeholder="—",
                column_order=["model_version", "trades", "positions_closed", "win_rate", "realized_pnl", "roi",
                              "avg_edge", "clv"],
                column_config={
                    "model_version": "Version", "trades": "Trades", "positions_closed": "Closed positions",
                    "win_rate": "Win rate", "realized_pnl": "Realized P&L", "roi": "ROI",
                    "avg_edge": st.column_config.NumberColumn("Avg edge at execution", format="%.4f"),
                    "clv": st.column_config.TextColumn("CLV per contract", alignment="right"),
                },
            )
            idle = results[results.positions_closed == 0].model_version.tolist()
            if idle:
                st.caption(literal(f"No closed positions yet for {', '.join(idle)}."))
            st.caption("Positions attributed to the version by their opening trade; trades count the entries and "
                       "exits of closed positions; ROI is realized P&L over the cost of the entries. CLV (closing "
                       "line value): the held side's last price before its market closed minus the entry price, in "
                       "cents per contract, averaged over the closed positions whose market has closed (of all "
                       "closed positions); positive means the version's entries beat the closing line, as on the "
                       "Strategy A/B page per strategy version.")

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
            st.info(literal(f"No market that {', '.join(selected)} priced has settled yet, so there is nothing "
                            "to calibrate against."))
        else:
            shown_scores = []
            for row in scored.itertuples():
                terms = cal.shown_decomposition({key: getattr(row, f"model_{key}") for key in
                                                 ("brier", *(k for k, _ in cal.DECOMPOSITION))})
                shown_scores.append({"model_version": row.model_version, "markets": row.markets,
                                     **{key: f"{value:.4f}" for key, value in terms.items()},
                                     "market_brier": row.market_brier, "bss": row.bss, "model_ece": row.model_ece,
                                     "market_ece": row.market_ece, "model_log_loss": row.model_log_loss,
                                     "market_log_loss": row.market_log_loss})
            score_columns = {
                "model_version": "Version", "markets": "Settled markets",
                "brier": "Brier", "reliability": "= Reliability ↓", "resolution": "− Resolution ↑",
                "uncertainty": "+ Uncertainty",
                "within_bin_variance": st.column_config.TextColumn(
                    "+ Within-bin variance", help="How much the forecasts within a bin differ"),
                "within_bin_covariance": st.column_config.TextColumn(
                    "− Within-bin covariance", help="Twice the forecasts' covariance with the outcomes within a bin"),
                "market_brier": st.column_config.NumberColumn("Market Brier", format="%.4f"),
                "bss": st.column_config.NumberColumn("Skill vs market", format="%.3f",
                                                     help="Brier skill score: 1 − Brier / market Brier; > 0 beats the market"),
                "model_ece": st.column_config.NumberColumn("ECE", format="%.4f"),
                "market_ece": st.column_config.NumberColumn("Market ECE", format="%.4f"),
                "model_log_loss": st.column_config.NumberColumn("Log loss", format="%.4f"),
                "market_log_loss": st.column_config.NumberColumn("Market log loss", format="%.4f"),
            }
            scores_frame = cells(pd.DataFrame(shown_scores))
            # two tables of the same rows, each whole at 1366 pixels: the scores against the market, then
            # the Brier score's decomposition
            st.dataframe(scores_frame, hide_index=True, width="stretch", key="models_calibration_table",
                         column_order=["model_version", "markets", "brier", "market_brier", "bss", "model_ece",
                                       "market_ece", "model_log_loss", "market_log_loss"],
                         column_config=score_columns)
            st.dataframe(scores_frame, hide_index=True, width="stretch", key="models_decomposition_table",
                         column_order=["model_version", "brier", "reliability", "resolution", "uncertainty",
                                       "within_bin_variance", "within_bin_covariance"],
                         column_config=score_columns)
            st.caption("Brier = reliability − resolution + uncertainty + within-bin variance − within-bin covariance "
                       "(Stephenson et al. 2008: the last two vanish only when every forecast in a bin is the same), "
                       "exactly, and at the four digits shown: the terms are rounded so that they add up. Each version "
                       "is scored on the markets it priced; the Compare tab compares them on shared ones.")
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
                # the version in its colour (as on every tab), the market in grey, dashed
                for forecaster, name, color, dash in ((("model", chart_text(version), colors[version], "solid"),
                                                       ("market", "Market price", MARKET_COLOR, "dash"))):
                    curve = cal.reliability_curve(
                        bins[(bins.model_version == version) & (bins.forecaster == forecaster)])
                    traces.append(dict(
                        type="scatter", x=charts.values(curve.mean_predicted), y=charts.values(curve.observed),
                        mode="lines+markers", name=name, legendgroup=forecaster if forecaster == "market" else name,
                        showlegend=forecaster == "model" or i == 0, legendrank=1000 if forecaster == "market" else 10 + i,
                        marker=dict(color=color, size=8), line=dict(color=color, dash=dash),
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
                st.caption(literal(f"No settled market with a prediction yet for {', '.join(missing)}."))

# --- training runs --------------------------------------------------------------------------------
if runs_tab.open:
    with runs_tab:
        if runs.empty:
            st.info("No training run is recorded for the selected versions.")
        else:
            run_rows = mm.runs_table(runs)
            run_columns = {
                "version": "Version", "run": "Run", "status": "Status",
                "started": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
                "duration_min": st.column_config.NumberColumn("Minutes", format="%.1f"),
                "dataset": "Dataset", "samples": "Samples", "hyperparameters": "Hyperparameters",
                **{c: st.column_config.NumberColumn(mm.run_metric_label(c), format="%.4f")
                   for c in run_rows.columns if c.split("_", 1)[0] in ("train", "val", "test")},
                "framework": "Framework", "notes": "Notes / error",
            }
            # the columns a reader needs, so nothing is cut at 1366 pixels; the rest open on demand below
            st.dataframe(cells(run_rows), hide_index=True, width="stretch", key="models_runs_table", placeholder="—",
                         column_order=mm.RUN_SUMMARY, column_config=run_columns)
            if run_rows[[c for c in mm.RUN_SUMMARY if c.startswith("val_")]].isna().all(axis=1).any():
                st.caption("—: the run recorded no such metric (a failed run records none).")
            # why a run failed, whole (free text: cut in a cell); every run's notes are under "Every column"
            for r in runs[runs.status == "failed"].itertuples():
                st.caption(literal(f"Run {int(r.run_id)} of {r.model_version} failed: "
                                   f"{r.error_message or r.notes or 'no error recorded'}"))
            st.markdown("**Hyperparameters of each run**")
            st.dataframe(cells(mm.hyperparameters_table(runs)), hide_index=True, width="stretch",
                         key="models_hyperparameters_table", placeholder="—",
                         column_config={"version": "Version", "run": "Run"})
            every = st.expander("Every column of the runs: datasets, framework, training and test metrics, notes",
                                key="models_runs_every_column", on_change="rerun")
            if every.open:
                with every:
                    st.dataframe(cells(run_rows.drop(columns="hyperparameters")), hide_index=True, width="stretch",
                                 key="models_runs_all_columns", placeholder="—", column_config=run_columns)
            importance = mm.feature_importance(runs)
            st.markdown("**Feature importance of each version's final run**")
            if importance.empty:
                st.caption("The final runs record no feature importance.")
            else:
                chart = charts.bars(importance, x="importance", y="feature", color="model_version", horizontal=True,
                                    order=selected, colors=colors,
                                    labels={"importance": "Importance", "feature": "", "model_version": "Version"},
                                    barmode="group", margin=dict(l=0, r=0, t=10, b=0), yaxis=dict(autorange="reversed"),
                                    height=120 + 28 * importance.feature.nunique()
                                    * max(1, importance.model_version.nunique()) // 2)
                st.plotly_chart(chart, width="stretch", key="models_importance_chart")

# --- history ----------------------------------------------------------------------------------------
if history_tab.open:
    with history_tab:
        lifecycle.show("model", model, key="models")

# --- admin actions --------------------------------------------------------------------------------
if admin_tab.open:
    with admin_tab:
        me = current_identity()
        admin_form.show_outcome()
        if not me.may("manage_versions"):
            st.info(f"Only admins can change a version's status; you are {literal(me.label)}.")
        else:
            plan, plan_problem = q.rollback_plan(model)
            actions = mm.available_actions(versions, plan)
            token = mm.state_token(model, versions)
            active_now = versions[versions.status == "active"].model_version.tolist()
            st.caption(literal(f"Active now: {', '.join(active_now) if active_now else 'no version of ' + model}."))
            if not actions:
                st.info(literal(f"No lifecycle action applies to the versions of {model} now."))
            else:
                action_key, reason_key, confirm_key = admin_form.widget_keys(token)
                with st.form(key=f"models_admin_{token}"):
                    st.selectbox("Action", actions, index=None, format_func=lambda a: plain(a.label),
                                 placeholder="Choose what to do", key=action_key)
                    st.text_input("Reason (recorded in the history)", max_chars=q.MAX_REASON, key=reason_key)
                    st.checkbox("I have checked the action and its effect on the other versions", key=confirm_key)
                    # applied to the versions this form shows, or not at all (ui/lifecycle.py)
                    st.form_submit_button("Apply", type="primary", key=f"models_apply_{token}",
                                          on_click=admin_form.apply_form, args=(model, token, versions))
                st.caption(f"Acting as {literal(me.label)}. The database checks the lifecycle and records who, when and why; "
                           "only versions of this model are touched.")
                if plan_problem:
                    st.caption(f"Roll back is not available: {literal(plan_problem)}")
