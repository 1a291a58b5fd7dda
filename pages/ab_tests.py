"""Strategy A/B: versions of one strategy against a control, with uncertainty a review meeting can
trust. Every choice lives in the URL, so the same link shows the same numbers."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from analytics import ab_positions, ab_stats, report, trade_metrics
from analytics.config_diff import config_diff
from queries import ab
from ui import summaries, url_state
from ui.text import literal
from ui.shell import run_inside_app

run_inside_app()

ANALYSES = {ab_stats.SEQUENTIAL: "Sequential (look every week)", ab_stats.FIXED: "Fixed horizon (one look)"}
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
def closed_position_results(ids: list[int], since: datetime, until: datetime) -> ab_positions.Results:
    """The page's numbers from one read of the closed positions; the cache keeps these small
    results, not the positions."""
    return ab_positions.results(ab.closed_positions(ids, since, until))


def default_start(name: str) -> date:
    """The day the strategy's first version was created: every one of its positions closed after."""
    created = catalog[catalog.strategy_name == name].created_at.min()
    return DATE_RANGE[0] if pd.isna(created) else max(created.date(), DATE_RANGE[0])


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
    start = link.day("from", default=default_start(name))
    end = link.day("to", default=today)
    if not (DATE_RANGE[0] <= start <= DATE_RANGE[1] and DATE_RANGE[0] <= end <= DATE_RANGE[1]):
        link.problems.append(f"The link's dates must lie between {DATE_RANGE[0]} and {DATE_RANGE[1]}; "
                             "showing all dates instead.")
        start, end = default_start(name), today
    elif start > end:
        link.problems.append("The link's date range ends before it starts; showing all dates instead.")
        start, end = default_start(name), today
    st.session_state.update(
        ab_strategy=name, ab_versions=chosen, ab_control=control, ab_dates=(start, end),
        ab_trading=link.text("trading", allowed=trade_metrics.MODES, default=trade_metrics.LIVE),
        ab_analysis=link.text("analysis", allowed=list(ANALYSES), default=ab_stats.SEQUENTIAL),
        ab_effect=link.parsed("effect", parse_effect,
                              f"a minimum effect between {EFFECT_RANGE[0]} and {EFFECT_RANGE[1]} points",
                              default=ab_stats.DEFAULT_MIN_EFFECT * 100))
    link.show_problems()


def strategy_changed() -> None:
    name = st.session_state.ab_strategy
    st.session_state.ab_versions = versions_by_name[name]
    st.session_state.ab_control = versions_by_name[name][0]
    st.session_state.ab_dates = (default_start(name), today)


if "ab_strategy" not in st.session_state:
    read_link()

# --- choices ---------------------------------------------------------------------------------
header, download_slot = st.columns([5, 1], vertical_alignment="bottom")
pick_strategy, pick_versions, pick_control, pick_trading = st.columns([2, 3, 1.3, 1.5])
strategy = pick_strategy.selectbox("Strategy", names, key="ab_strategy", on_change=strategy_changed)
chosen = pick_versions.multiselect("Versions", versions_by_name[strategy], key="ab_versions",
                                   placeholder="Pick two or more versions")
if chosen and st.session_state.get("ab_control") not in chosen:
    st.session_state.ab_control = chosen[0]
control = pick_control.selectbox("Control", chosen, key="ab_control", disabled=not chosen)
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
url_state.write(strategy=strategy, versions=chosen, control=control, trading=trading, analysis=analysis,
                effect=f"{effect_points:g}", **{"from": start, "to": end})
# The link to this view, taken while the script runs (the report is made later, on a click).
link = (st.context.url or "") + "?" + urlencode(st.query_params.to_dict())

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

closed = closed_position_results(ids, since, until)
summary = trade_metrics.summarize(closed.metrics)
if summary.empty:
    st.info(literal(f"No position of {strategy} {', '.join(ordered)} closed in this date range ({period}), "
                    "so there is nothing to compare yet."))
    st.stop()


def group(version: str) -> ab_stats.Group:
    rows = summary[(summary.strategy_id == ids_by_version[version]) & (summary.execution_mode == trading)]
    if rows.empty:
        return ab_stats.Group(version, 0, 0.0, 0.0, 0)
    r = rows.iloc[0]
    return ab_stats.Group(version, int(r.positions_closed), float(r.return_sum), float(r.return_sum_sq), int(r.wins))


comparison = ab_stats.compare(group(control), [group(v) for v in ordered[1:]], sequential=sequential,
                              min_effect=min_effect)

# --- the answer --------------------------------------------------------------------------------
st.subheader(f"Verdict ({trading} trading)")
if not sequential:
    st.caption("Fixed-horizon analysis is valid for one look planned in advance. Looking at it every week "
               "inflates false positives: use the sequential analysis for that.")
if len(ordered) == 1:
    st.info(literal(f"Only {control} is chosen: pick at least one more version to compare against it. "
                    "Its results are below."))
for version in ordered[1:]:
    rows = comparison.rows[comparison.rows.version == version]
    ret, win = rows.iloc[0], rows.iloc[1]
    st.markdown(f"**{literal(version)}** against control **{literal(control)}**")
    if ret.note:
        notes = dict.fromkeys(note for note in (ret.note, win.note) if note)  # once each, in order
        st.info("  \n".join(literal(note) for note in notes), icon=":material/hourglass_empty:")
        continue
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
    box(literal(report.verdict_sentence(ret, comparison)) + "  \n" + literal(report.verdict_sentence(win, comparison)))

# --- per version --------------------------------------------------------------------------------
st.subheader("Results per version")
table = trade_metrics.display_table(summary, labels, control, ids)
st.dataframe(table, hide_index=True, width="stretch", height="content")
st.caption("Trade-based metrics over closed positions (closed or settled), each attributed to the version "
           "of its opening buy; return = realized P&L / what the buys cost. Drawdown runs over realized P&L "
           "in order of closing; CLV is the held contract's last price before its market closed minus the "
           "entry price (positive = bought better than the close).")
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
        st.dataframe(roi.drop(columns="mismatch").rename(columns=report.ROI_COLUMNS), hide_index=True, width="content")

# --- charts -------------------------------------------------------------------------------------
def by_version(frame):
    return frame.assign(version=frame.strategy_id.map(labels))


looks = ab_stats.carry_forward(by_version(closed.weekly[trading]))
lift = ab_stats.lift_over_time(looks, control, ordered[1:], sequential=sequential, min_effect=min_effect,
                               alpha=1 - comparison.level)
daily = by_version(closed.daily[trading])
histogram = by_version(closed.histogram[trading])
figures = {
    "pnl": report.cumulative_pnl_figure(daily, ordered),
    "returns": report.returns_histogram_figure(histogram, ordered),
    "lift": report.lift_figure(lift, ordered, comparison.level),
    "chance": report.chance_figure(lift, ordered),
}
no_closes = f"No {trading} position closed in this date range."
no_looks = (f"No weekly look yet where a challenger and the control both have {ab_stats.MIN_POSITIONS} "
            f"{trading} closed positions.")
charts = [("Cumulative realized P&L", "pnl", daily.empty, no_closes),
          ("Return per closed position", "returns", histogram.empty, no_closes),
          ("Difference against control, week by week", "lift", lift.empty, no_looks),
          ("Chance to beat control, week by week", "chance", lift.empty, no_looks)]
for row in (charts[:2], charts[2:]):
    for column, (title, name, empty, why) in zip(st.columns(2), row):
        with column:
            st.subheader(title)
            if empty:
                st.info(why)
            else:
                st.plotly_chart(figures[name], width="stretch", key=f"ab_chart_{name}", theme=None)

# --- inference details ----------------------------------------------------------------------------
inference = report.inference_table(comparison)
power = report.power_table(comparison, {v: group(v) for v in ordered})
if comparison.tests:
    st.subheader("Tests against control")
    st.dataframe(inference, hide_index=True, width="stretch")
    st.caption(report.method_sentence(comparison))
if not power.empty:
    st.subheader(f"Power for a difference of {effect_points:g} points in mean return")
    st.dataframe(power, hide_index=True, width="stretch")
    st.caption("Positions each version needs to detect that difference with 80% power, and the chance of "
               "detecting it with the positions there are now, at the intervals' level, from the observed spread.")

# --- strategy x model, config -----------------------------------------------------------------------
pairs = (closed.by_model.assign(strategy_version=closed.by_model.strategy_id.map(labels))
         .merge(ab.model_versions(), on="model_id"))
matrix = trade_metrics.strategy_model_matrix(pairs, trading, ordered)
configs = {v: catalog[catalog.strategy_version.eq(v) & catalog.strategy_name.eq(strategy)].config.iloc[0]
           for v in ordered}
diff = config_diff(configs, only_differences=True).drop(columns="differs")
left, right = st.columns(2)
with left:
    st.subheader("Strategy × model")
    st.caption(f"Realized P&L · closed positions, {trading} trading, per strategy version and model version.")
    st.dataframe(matrix, hide_index=True, width="stretch")
with right:
    st.subheader("Config differences")
    if len(ordered) < 2:
        st.caption("Pick two or more versions to see how their configs differ.")
    elif diff.empty:
        st.caption("The chosen versions have identical configs.")
    else:
        st.dataframe(diff, hide_index=True, width="stretch", column_config={"key": "Config key"})

method = st.expander("How these numbers are computed", key="ab_method", on_change="rerun")
if method.open:
    with method:
        st.text("\n".join(report.method_notes(comparison)))
        st.caption("Link to exactly this view (the same numbers for everyone who opens it):")
        st.code(link, language=None)


# --- the report -------------------------------------------------------------------------------------
def report_html() -> str:
    return report.ab_report(strategy, ordered, trading, ANALYSES[analysis], period, link, comparison, table,
                            roi, inference, power, matrix, diff, figures)


download_slot.download_button("Download report", data=report_html, mime="text/html", on_click="ignore",
                              file_name=f"ab_{strategy}_{start:%Y%m%d}_{end:%Y%m%d}.html",
                              icon=":material/download:", key="ab_download")
