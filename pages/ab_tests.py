"""Strategy A/B: versions of one strategy against a control, with uncertainty a review meeting can
trust. Every choice lives in the URL, so the same link shows the same numbers."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from analytics import ab_analysis, ab_checks, ab_positions, ab_segments, ab_stats, report, trade_metrics
from analytics.config_diff import config_diff
from queries import ab
from ui import ab_report, as_of, lifecycle, summaries, url_state
from ui.text import cells, literal, plain
from ui.shell import run_inside_app

run_inside_app()

ANALYSES = {ab_stats.SEQUENTIAL: "Sequential (look every week)", ab_stats.FIXED: "Fixed horizon (one look)"}
ALL_MODELS, SHARED_MODELS = "all", "shared"  # the link's `models`: every position, or those on shared model versions
EFFECT_RANGE = (0.5, 50.0)  # minimum effect, percentage points
DATE_RANGE = (date(2000, 1, 1), date(2099, 12, 31))

st.title("Strategy A/B")
catalog = ab.strategy_versions()
if catalog.empty:
    st.info("There are no strategy versions in the database yet, so there is nothing to compare.")
    st.stop()

names = list(dict.fromkeys(catalog.strategy_name))
versions_by_name = {name: list(catalog[catalog.strategy_name == name].strategy_version) for name in names}
today = datetime.now(timezone.utc).date()


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def closed_position_results(ids: list[int], since: datetime, until: datetime,
                            model_ids: tuple[int, ...] | None, with_segments: bool = False) -> ab_positions.Results:
    """The page's numbers from one read of the closed positions (those opened on model_ids only,
    when given), with the sums of the verdict by segment when asked; the cache keeps these small
    results, not the positions."""
    return ab_positions.results(ab.closed_positions(ids, since, until), model_ids=model_ids,
                                segments=ab.position_segments(ids, since, until) if with_segments else None)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def where_versions_win(ids: list[int], since: datetime, until: datetime, model_ids: tuple[int, ...] | None,
                       mode: str, versions: tuple[str, ...], sequential: bool,
                       min_effect: float) -> ab_stats.SegmentComparison | None:
    """The verdict by segment, read only while its section is open or for the report: where each
    position traded costs a read of its market (87-117 ms at ten years, as much as the rest of the
    page's data), which made the page 21% slower to every new visitor when drawn by default."""
    sums = closed_position_results(ids, since, until, model_ids, with_segments=True).segments.get(mode)
    if sums is None:
        return None
    return ab_segments.verdicts(sums, dict(zip(ids, versions)), sequential=sequential, min_effect=min_effect)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def concluded(ids: list[int], since: datetime, until: datetime, model_ids: tuple[int, ...] | None, mode: str,
             versions: tuple[str, ...], sequential: bool, min_effect: float, configs: dict,
             day: date) -> ab_analysis.Analysis:
    """What the page concludes from those results and its choices (the tests, the sample-ratio check,
    the sensitivity checks): cached too, so a view that changes nothing recomputes nothing."""
    closed = closed_position_results(ids, since, until, model_ids)
    everything = closed_position_results(ids, since, until, None)
    return ab_analysis.analyse(closed, everything.allocation[mode], dict(zip(ids, versions)), mode,
                               sequential=sequential, min_effect=min_effect, configs=configs, today=day)


def first_day(name: str) -> date:
    """The day the strategy's first version was created: every one of its positions closed after."""
    created = catalog[catalog.strategy_name == name].created_at.min()
    return DATE_RANGE[0] if pd.isna(created) else max(created.date(), DATE_RANGE[0])


def shared_period(name: str, chosen: list[str]) -> ab_checks.SharedPeriod:
    """The period in which every chosen version of `name` was trading."""
    rows = catalog[catalog.strategy_name == name]
    periods = ab.trading_periods([int(i) for i in rows.strategy_id])
    periods = periods.merge(rows[["strategy_id", "strategy_version"]], on="strategy_id")
    return ab_checks.shared_trading_period(periods, chosen)


def default_dates(name: str, chosen: list[str]) -> tuple[date, date]:
    """The experiment: when every chosen version was trading; all dates when there is no such period."""
    period = shared_period(name, chosen)
    return (period.start, period.end) if period.start else (first_day(name), today)


def parse_effect(text: str) -> float:
    value = float(text)
    if not EFFECT_RANGE[0] <= value <= EFFECT_RANGE[1]:
        raise ValueError(text)
    return value


def read_link() -> None:
    """First run of a session: the link decides; what it gets wrong is said in one sentence each."""
    link = url_state.UrlState()
    default_name = next((n for n in names if len(versions_by_name[n]) > 1), names[0])
    name = link.text("strategy", allowed=names, default=default_name)
    chosen = link.texts("versions", allowed=versions_by_name[name]) or versions_by_name[name]
    control = link.text("control", allowed=chosen, default=chosen[0])
    default_start, default_end = default_dates(name, chosen)
    start = link.day("from", default=default_start)
    end = link.day("to", default=default_end)
    if not (DATE_RANGE[0] <= start <= DATE_RANGE[1] and DATE_RANGE[0] <= end <= DATE_RANGE[1]):
        link.problems.append(f"The link's dates must lie between {DATE_RANGE[0]} and {DATE_RANGE[1]}; "
                             "showing the period every chosen version was trading instead.")
        start, end = default_start, default_end
    elif start > end:
        link.problems.append("The link's date range ends before it starts; showing the period every chosen version "
                             "was trading instead.")
        start, end = default_start, default_end
    st.session_state.update(
        ab_strategy=name, ab_versions=chosen, ab_control=control, ab_dates=(start, end),
        ab_dates_default=(default_start, default_end),
        ab_trading=link.text("trading", allowed=trade_metrics.MODES, default=trade_metrics.LIVE),
        ab_analysis=link.text("analysis", allowed=list(ANALYSES), default=ab_stats.SEQUENTIAL),
        ab_effect=link.parsed("effect", parse_effect,
                              f"a minimum effect between {EFFECT_RANGE[0]} and {EFFECT_RANGE[1]} points",
                              default=ab_stats.DEFAULT_MIN_EFFECT * 100),
        ab_shared_models=link.text("models", allowed=[ALL_MODELS, SHARED_MODELS], default=ALL_MODELS) == SHARED_MODELS)
    link.show_problems()


def strategy_changed() -> None:
    name = st.session_state.ab_strategy
    st.session_state.ab_versions = versions_by_name[name]
    st.session_state.ab_control = versions_by_name[name][0]
    st.session_state.ab_dates = st.session_state.ab_dates_default = default_dates(name, versions_by_name[name])
    st.session_state.ab_shared_models = False


def versions_changed() -> None:
    """Dates that were the default for the previous versions follow to the default of the new ones;
    dates someone chose stay."""
    chosen = st.session_state.ab_versions
    if not chosen:
        return
    new_default = default_dates(st.session_state.ab_strategy, chosen)
    if tuple(st.session_state.ab_dates) == tuple(st.session_state.get("ab_dates_default", ())):
        st.session_state.ab_dates = new_default
    st.session_state.ab_dates_default = new_default


def set_dates(start: date, end: date) -> None:
    st.session_state.ab_dates = (start, end)


if "ab_strategy" not in st.session_state:
    read_link()

# --- choices ---------------------------------------------------------------------------------
header, download_slot = st.columns([4, 1.2], vertical_alignment="bottom")  # the button whole at 1366 pixels
pick_strategy, pick_versions, pick_control, pick_trading = st.columns([2, 3, 1.3, 1.5])
strategy = pick_strategy.selectbox("Strategy", names, key="ab_strategy", on_change=strategy_changed, format_func=plain)
chosen = pick_versions.multiselect("Versions", versions_by_name[strategy], key="ab_versions", format_func=plain,
                                   placeholder="Pick two or more versions", on_change=versions_changed)
if chosen and st.session_state.get("ab_control") not in chosen:
    st.session_state.ab_control = chosen[0]
control = pick_control.selectbox("Control", chosen, key="ab_control", disabled=not chosen, format_func=plain)
trading = pick_trading.radio("Trading", trade_metrics.MODES, key="ab_trading", horizontal=True,
                             format_func=str.capitalize)
pick_analysis, pick_dates, pick_effect = st.columns([3, 2, 1.8])
analysis = pick_analysis.radio("Analysis", list(ANALYSES), key="ab_analysis", horizontal=True,
                               format_func=ANALYSES.get)
dates = pick_dates.date_input("Positions closed between", key="ab_dates", min_value=DATE_RANGE[0],
                              max_value=DATE_RANGE[1], format="YYYY-MM-DD")
effect_points = pick_effect.number_input("Minimum effect (points)", min_value=EFFECT_RANGE[0],
                                         max_value=EFFECT_RANGE[1], step=0.5, key="ab_effect", format="%.1f",
                                         help="The smallest difference worth acting on, in percentage points of "
                                              "return per position (and of win rate). Power is computed for it, "
                                              "and it sets the sequential test's mixture scale τ.")
if len(dates) != 2:
    st.info("Pick the last day of the date range.")
    st.stop()
start, end = dates
shared_models = st.session_state.get("ab_shared_models", False)
url_state.write(strategy=strategy, versions=chosen, control=control, trading=trading, analysis=analysis,
                effect=f"{effect_points:g}", models=SHARED_MODELS if shared_models else None,
                **{"from": start, "to": end})
# The link to this view, taken while the script runs (the report is made later, on a click).
link = (st.context.url or "") + "?" + urlencode(st.query_params.to_dict())

# The strategy's recorded lifecycle and what was live at a moment (ui/lifecycle.py); open when the
# link names a moment, drawn only while open.
lifecycle_box = st.expander("Lifecycle: which versions were live at a moment", key="ab_lifecycle", on_change="rerun",
                            expanded=as_of.AT in st.query_params)
if lifecycle_box.open:
    with lifecycle_box:
        lifecycle.show("strategy", strategy, key="ab")

if not chosen:
    st.info("Pick the versions to compare; the first one you pick is the control unless you choose another.")
    st.stop()

sequential = analysis == ab_stats.SEQUENTIAL
min_effect = effect_points / 100
ordered = [control, *[v for v in chosen if v != control]]
ids_by_version = {r.strategy_version: int(r.strategy_id)
                  for r in catalog[catalog.strategy_name == strategy].itertuples()}
labels = {ids_by_version[v]: v for v in ordered}
ids = [ids_by_version[v] for v in ordered]
since, until = datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())
period = f"positions closed {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC)"

header.caption(literal(f"{strategy}: {', '.join(ordered[1:]) or 'no challenger'} against control {control} · "
                       f"{trading} trading · {ANALYSES[analysis].lower()} · {period}"))

# --- what the comparison stands on: its period, its models ---------------------------------------
trading_period = shared_period(strategy, ordered)
window = report.window_sentence(start, end, trading_period)
window_note, window_switch = st.columns([5, 1.4], vertical_alignment="center")
(window_note.warning if trading_period.problem else window_note.caption)(literal(window))
if trading_period.start and (start, end) == (trading_period.start, trading_period.end):
    window_switch.button("All dates", key="ab_all_dates", on_click=set_dates, args=(first_day(strategy), today),
                         icon=":material/date_range:", help=f"From {first_day(strategy):%Y-%m-%d} to today")
elif trading_period.start:
    window_switch.button("Shared period", key="ab_shared_dates", on_click=set_dates,
                         args=(trading_period.start, trading_period.end), icon=":material/compare_arrows:",
                         help=f"Only {trading_period.start:%Y-%m-%d} to {trading_period.end:%Y-%m-%d}, when every "
                              "chosen version was trading")

everything = closed_position_results(ids, since, until, None)
pairs = (everything.by_model.assign(strategy_version=everything.by_model.strategy_id.map(labels))
         .merge(ab.model_versions(), on="model_id"))
mix = ab_checks.model_mix(pairs, trading, ordered)
if mix.confounded:
    st.warning(literal(report.confounding_sentence(mix)), icon=":material/call_split:")
if mix.confounded and mix.shared_ids:
    st.toggle(literal(f"Only positions opened on {', '.join(mix.shared_labels)} (used by every chosen version)"),
              key="ab_shared_models")
restricted = shared_models and bool(mix.shared_ids) and mix.confounded
closed = closed_position_results(ids, since, until, mix.shared_ids if restricted else None)
if restricted:
    st.caption(literal(f"Every number below counts only positions opened on {', '.join(mix.shared_labels)}."))

configs = {v: catalog[catalog.strategy_version.eq(v) & catalog.strategy_name.eq(strategy)].config.iloc[0]
           for v in ordered}
view = concluded(ids, since, until, mix.shared_ids if restricted else None, trading, tuple(ordered), sequential,
                min_effect, configs, today)
summary, groups, comparison = view.summary, view.groups, view.comparison
if summary.empty:
    st.info(literal(f"No position of {strategy} {', '.join(ordered)} closed in this date range ({period}), "
                    "so there is nothing to compare yet."))
    st.stop()


def by_version(frame):
    return frame.assign(version=frame.strategy_id.map(labels))


# --- the answer --------------------------------------------------------------------------------
st.subheader(f"Verdict ({trading} trading)")
srm_text = report.sample_ratio_sentence(view.sample_ratio)
if view.sample_ratio.mismatch:
    st.error(literal(srm_text), icon=":material/balance:")
else:
    st.caption(literal(srm_text))
if not sequential:
    st.caption("Fixed-horizon analysis is valid for one look planned in advance. Looking at it every week "
               "inflates false positives: use the sequential analysis for that.")
if len(ordered) == 1:
    st.info(literal(f"Only {control} is chosen: pick at least one more version to compare against it. "
                    "Its results are below."))
checks = [window, *([report.confounding_sentence(mix)] if mix.confounded else []),
          *([srm_text] if srm_text else [])]
for version in ordered[1:]:
    rows = comparison.rows[comparison.rows.version == version]
    ret, win = rows.iloc[0], rows.iloc[1]
    st.markdown(f"**{literal(version)}** against control **{literal(control)}**")
    few = (report.influence_sentence(view.influences[version], groups[version].mean - groups[control].mean)
           if version in view.influences else None)
    if few:
        checks.append(f"{version}: {few}")
    if ret.note:
        notes = dict.fromkeys(note for note in (ret.note, win.note) if note)  # once each, in order
        st.info("  \n".join(literal(note) for note in notes), icon=":material/hourglass_empty:")
        if not win.note:
            st.caption(literal(report.verdict_sentence(win, comparison)))
    else:
        lift, chance, risk, win_rate = st.columns(4)
        lift.metric("Difference in mean return", trade_metrics.points(ret.estimate, 2),
                    help=f"{comparison.level:.1%} interval: {report.interval_text(ret.low, ret.high)}")
        chance.metric("Chance to beat control", f"{ret.chance_to_beat:.0%}",
                      help="Bayesian summary of the data so far (normal approximation, flat prior). It is not a test "
                           "and is not corrected for repeated looks: the verdict below is.")
        risk.metric(f"Expected loss if {literal(version)} is chosen", f"{ret.risk_version * 100:.2f} pp",
                    help="Average shortfall in return per position against the control, counting only the cases "
                         f"where the version is worse. Keeping the control risks {ret.risk_control * 100:.2f} pp.")
        win_rate.metric("Difference in win rate", trade_metrics.points(win.estimate) if not win.note else "—")
        box = {"better than the control": st.success, "worse than the control": st.error}.get(
            report.decision(ret), st.info)
        box(literal(report.verdict_sentence(ret, comparison)) + "  \n"
            + literal(report.verdict_sentence(win, comparison)))
    if few:
        st.warning(literal(few), icon=":material/scale:")

# --- per version --------------------------------------------------------------------------------
st.subheader("Results per version")
table = trade_metrics.display_table(summary, labels, control, ids, ratios=closed.ratios)
st.dataframe(cells(table), hide_index=True, width="stretch", height="content")
st.caption("Trade-based metrics over closed positions (closed or settled), each attributed to the version "
           "of its opening buy; return = realized P&L / what the buys cost. Drawdown runs over realized P&L "
           "in order of closing; CLV is the held contract's last price before its market closed minus the "
           "entry price (positive = bought better than the close). Sharpe and Sortino: daily realized P&L over every "
           "calendar day from the version's first to its last close in this range (0 on days without one), "
           "annualised by √365 (prediction markets trade every day).")
summaries.caption("position_facts", "market_closes")

roi = trade_metrics.roi_check(ab.roi_check(ids), labels)
for r in roi[roi.mismatch].itertuples():
    st.warning(f"Stored {r.mode} ROI of {literal(r.version)} is {r.stored}, but its closed positions give "
               f"{r.recomputed} (all time, {r.positions} positions): the stored figure is stale or wrong.",
               icon=":material/warning:")
# The two expanders draw their contents only while open (a rerun when opened): closed, their
# table, text and code block cost a new visitor's browser their rendering all the same.
roi_details = st.expander("Stored ROI against ROI recomputed from trades (all time)", expanded=bool(roi.mismatch.any()),
                          key="ab_roi_details", on_change="rerun")
if roi_details.open:
    with roi_details:
        st.dataframe(cells(roi.drop(columns="mismatch").rename(columns=report.ROI_COLUMNS)), hide_index=True, width="content")

# --- where a version wins ---------------------------------------------------------------------------
def segment_findings() -> tuple[ab_stats.SegmentComparison, tuple[pd.DataFrame, str]] | None:
    """The verdict by segment, its table and the sentence that defines it (None: nothing to show)."""
    if len(ordered) < 2:
        return None
    found = where_versions_win(ids, since, until, mix.shared_ids if restricted else None, trading, tuple(ordered),
                               sequential, min_effect)
    if found is None or found.rows.empty:
        return None
    return found, (ab_segments.table(found), report.segments_sentence(found, ANALYSES[analysis].lower()))


if len(ordered) > 1:
    where = st.expander("Where each version wins: by sport, platform, entry price and time to expiry",
                        key="segments", bind="query-params")
    if where.open:
        with where:
            findings = segment_findings()
            if findings is None:
                st.caption("No closed position of these versions has a segment to compare yet.")
            else:
                segments, (segment_table, segment_sentence) = findings
                st.caption(literal(segment_sentence))
                st.dataframe(cells(segment_table), hide_index=True, width="stretch", key="ab_segments_table",
                             column_config={"Version": st.column_config.TextColumn("Version", width="small"),
                                            "Positions": st.column_config.NumberColumn("Positions", format="%d",
                                                                                       width="small"),
                                            "Control positions": st.column_config.NumberColumn(
                                                "Control pos.", format="%d", width="small"),
                                            "Difference in mean return": "Difference",
                                            "Interval": f"{segments.level:.2%} interval"})
                segment_chart = ab_report.segments_figure(segments.rows, ordered, segments.level)
                if segment_chart is not None:
                    st.plotly_chart(segment_chart, width="stretch", key="ab_chart_segments", theme=None)
                    st.caption("Each tested segment's difference against the control with its interval, in the "
                               "version's colour: a version wins in a segment where its bar lies wholly right of "
                               "the dotted zero line.")

# --- charts -------------------------------------------------------------------------------------
daily = by_version(closed.daily[trading])
histogram = by_version(closed.histogram[trading])
lift = comparison.looks
figures = {
    "pnl": ab_report.cumulative_pnl_figure(daily, ordered),
    "returns": ab_report.returns_histogram_figure(histogram, ordered),
    "lift": ab_report.lift_figure(lift, ordered, comparison.level),
    "chance": ab_report.chance_figure(lift, ordered),
}
no_closes = f"No {trading} position closed in this date range."
no_looks = (f"No completed weekly look yet where a challenger and the control both have {ab_stats.MIN_POSITIONS} "
            f"{trading} closed positions and returns the test can judge.")
lift_caption = ("The confidence sequence, intersected over the completed weekly looks: the band the verdict reads."
                if sequential else "Each completed week's own fixed-horizon interval: reading it week after week "
                                   "inflates false positives.")
charts = [("Cumulative realized P&L", "pnl", daily.empty, no_closes, None),
          ("Return per closed position", "returns", histogram.empty, no_closes, None),
          ("Difference against control, week by week", "lift", lift.empty, no_looks, lift_caption),
          ("Chance to beat control, week by week", "chance", lift.empty, no_looks, ab_report.CHANCE_CAPTION)]
for row in (charts[:2], charts[2:]):
    for column, (title, name, empty, why, caption) in zip(st.columns(2), row):
        with column:
            st.subheader(title)
            if empty:
                st.info(why)
            else:
                st.plotly_chart(figures[name], width="stretch", key=f"ab_chart_{name}", theme=None)
                if caption:
                    st.caption(caption)

# --- inference details ----------------------------------------------------------------------------
inference = report.inference_table(comparison)
power = report.power_table(comparison, groups)
sensitivity = report.sensitivity_table(comparison, view.sensitivities, view.winsor_cutoffs)
if comparison.tests:
    st.subheader("Tests against control")
    # the columns a decision reads; the rest (each arm's value, the unadjusted p, chance to beat) on demand
    main_columns = [c for c in inference.columns if c in ("Version", "Metric", "Difference", "Decided", "Verdict")
                    or c.startswith(("Interval", "Adjusted p"))]
    st.dataframe(cells(inference), hide_index=True, width="stretch", column_order=main_columns)
    st.caption(report.method_sentence(comparison))
    every_test = st.expander("Every column of the tests: each version's value, the unadjusted p-value, chance to beat",
                             key="ab_tests_every_column", on_change="rerun")
    if every_test.open:
        with every_test:
            st.dataframe(cells(inference), hide_index=True, width="stretch")
if not sensitivity.empty:
    st.subheader("Sensitivity of the difference in mean return")
    # short headers, so the table is whole at 1366 pixels; the full ones (cut-offs, covariates) on hover
    short = {c: st.column_config.TextColumn("Winsorized 1st–99th pct" if c.startswith("Winsorized") else
                                            "Adjusted (CUPED)", help=c)
             for c in sensitivity.columns if c.startswith(("Winsorized", "Adjusted"))}
    st.dataframe(cells(sensitivity), hide_index=True, width="stretch", column_config=short)
    st.caption("Checks beside the verdict, not verdicts: the same test on returns clipped at the chosen versions' "
               "pooled 1st and 99th percentiles, and on returns adjusted for the edge and entry price at the opening "
               "buy (a regression fitted on both versions together, CUPED). Where the adjustment narrows the interval "
               "a lot, the versions' returns depended on those entries more than on chance.")
    for check in view.sensitivities:
        imbalance = report.imbalance_sentence(check)
        if imbalance:
            st.caption(literal(imbalance))
if not power.empty:
    st.subheader(f"Power for a difference of {effect_points:g} points in mean return")
    # the chosen analysis's columns (the other one's in the report and the method notes)
    this, other = ("(sequential)", "(fixed)") if sequential else ("(fixed)", "(sequential)")
    st.dataframe(cells(power), hide_index=True, width="stretch",
                 column_order=[c for c in power.columns if not c.endswith(other)])
    st.caption(f"Positions each version needs to detect that difference with 80% power, and the chance of "
               f"detecting it with the positions there are now, at the intervals' level, from the observed spread, "
               f"for the {'sequential' if sequential else 'fixed-horizon'} analysis chosen above (the report has both).")

# --- strategy x model, config -----------------------------------------------------------------------
matrix = trade_metrics.strategy_model_matrix(pairs, trading, ordered)
diff = config_diff(configs, only_differences=True).drop(columns="differs")
left, right = st.columns(2)
with left:
    st.subheader("Strategy × model")
    st.caption(f"Realized P&L · closed positions, {trading} trading, per strategy version and model version "
               "(every position in the date range).")
    st.dataframe(cells(matrix), hide_index=True, width="stretch")
with right:
    st.subheader("Config differences")
    if len(ordered) < 2:
        st.caption("Pick two or more versions to see how their configs differ.")
    elif diff.empty:
        st.caption("The chosen versions have identical configs.")
    else:
        # a static table wraps a wide value instead of cutting it; its cells are markdown: literal() each
        st.table(diff.rename(columns={"key": "Config key"}).rename(columns=literal).map(literal), hide_index=True)

method = st.expander("How these numbers are computed", key="ab_method", on_change="rerun")
if method.open:
    with method:
        st.text("\n".join(report.method_notes(comparison)))
        st.caption("Link to exactly this view (the same numbers for everyone who opens it):")
        st.code(link, language=None)


# --- the report -------------------------------------------------------------------------------------
def report_html() -> str:
    return ab_report.ab_report(strategy, ordered, trading, ANALYSES[analysis], period, link, comparison, table,
                            roi, inference, power, matrix, diff, figures, checks=checks, sensitivity=sensitivity,
                            segments=(found[1] if (found := segment_findings()) else None))


download_slot.download_button("Download report", data=report_html, mime="text/html", on_click="ignore",
                              file_name=f"ab_{strategy}_{start:%Y%m%d}_{end:%Y%m%d}.html",
                              icon=":material/download:", key="ab_download")
