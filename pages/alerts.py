"""Alerts: the responders' queue (triage, acknowledge, resolve) and how fast alerts are answered.

Alert text comes from other systems: it is shown only through st.text, st.code and dataframes,
through ui.text's plain and cells, and sentences that quote the database pass through ui.text.literal.
The Acknowledge and Resolve forms, and what they act on, are ui/alert_actions.py's.
"""
import pandas as pd
import streamlit as st

from analytics import alerts as metrics
from identity import current_identity
from queries import alerts
from queries.connection import DatabaseUnavailable
from ui.text import cells, literal, plain
from ui import alert_actions, charts, summaries, url_state
from ui.url_state import UrlState
from ui.url_state import write as write_url
from ui.shell import run_inside_app

run_inside_app()

REFRESH_SECONDS = 5
SEVERITY_COLORS = {"critical": "#d62728", "high": "#ff7f0e", "medium": "#e6b800", "low": "#7f7f7f"}
ANY = "any"  # the "no filter" choice of a selectbox (None would show as an empty choice)
STATE_LABELS = {ANY: "Any state (not snoozed)", "new": "Not acknowledged", "acknowledged": "Acknowledged",
                "overdue": "Acknowledged, overdue", "snoozed": "Snoozed"}
SORTS = {"urgency": "Overdue, severity, oldest", "money": "Money at risk"}

st.title("Alerts")
st.caption(f"Acting as {literal(current_identity().label)}. Alert text is shown exactly as the "
           "systems wrote it, never as formatting.")

# --- state from the link ------------------------------------------------------------------------
options = alerts.filter_options()
url = UrlState()
from_url = {
    "alerts_severity": url.texts("severity", alerts.SEVERITIES),
    "alerts_category": url.texts("category", options["category"]),
    "alerts_component": url.texts("component", options["component"]),
    "alerts_type": url.texts("type", options["alert_type"]),
    "alerts_environment": url.texts("env", options["environment"]),
    "alerts_window": url.text("window", alerts.WINDOWS, default=ANY),
    "alerts_state": url.text("state", alerts.STATES, default=ANY),
    "alerts_sort": url.text("sort", SORTS, default="urgency"),
    "alerts_metrics_window": url.text("metrics", alerts.METRIC_WINDOWS, default="13w"),
    "alerts_metrics_by": url.text("by", ("severity", "component"), default="severity"),
}
# The alert whose details and timeline are shown: the link decides on a full run; selecting a row
# changes it (and the link).
alert_actions.page_run_starts()
st.session_state[alert_actions.FOCUS] = url.integer("alert", minimum=1)
url.show_problems()
for key, value in from_url.items():
    if key not in st.session_state:
        st.session_state[key] = value

# Only the open tab is drawn: responders live in the queue, and the
# metrics over all history are the page's slowest reads and heaviest charts.
queue_tab, metrics_tab = url_state.open_tab_only(["Queue", "Response metrics"])


# --- the live queue -----------------------------------------------------------------------------
@st.fragment(run_every=REFRESH_SECONDS)
def live_queue(filters: alerts.QueueFilters, sort: str, every_column: bool) -> None:
    try:
        _live_queue(filters, sort, every_column)
    except DatabaseUnavailable as error:  # a fragment rerun does not pass through app.py
        st.error(str(error), icon=":material/database_off:")


def _live_queue(filters: alerts.QueueFilters, sort: str, every_column: bool) -> None:
    badge = alerts.open_critical()
    open_critical = int(badge.open_critical)
    newest = None if pd.isna(badge.newest_alert_id) else int(badge.newest_alert_id)
    seen = st.session_state.get("alerts_seen_critical")
    if seen is not None and newest is not None and newest > seen:
        st.toast(f"New critical alert #{newest}: {open_critical} critical alert(s) open.", icon="🚨",
                 duration="long")
    st.session_state["alerts_seen_critical"] = max(newest or 0, seen or 0)

    badge_column, refreshed_column = st.columns([1, 3], vertical_alignment="center")
    with badge_column:
        st.badge(f"{open_critical} open critical", icon=":material/crisis_alert:",
                 color="red" if open_critical else "green")
    frame = alerts.queue(filters)
    money = metrics.money_at_risk(frame, alerts.money_at_risk(tuple(int(a) for ids in frame.alert_ids for a in ids)))
    frame = metrics.sort_queue(frame.merge(money, on="group_key", how="left"), sort)
    with refreshed_column:
        shown = len(frame)
        total = int(frame.total_groups.iloc[0]) if shown else 0
        more = f" (the first {shown} of {total}; narrow the filters)" if total > shown else ""
        order = ("largest money at risk first" if sort == "money"
                 else "overdue first, then most severe, then oldest")
        overdue = int(frame.overdue.sum()) if shown else 0
        st.caption(f"{total} unresolved group(s){more}, {order}"
                   + (f"; {overdue} acknowledged but overdue" if overdue else "")
                   + f". Refreshes every {REFRESH_SECONDS} s; last read {pd.Timestamp.now('UTC'):%H:%M:%S} UTC.")

    # The selection stays on the same alert groups when a refresh changes the rows (ui/alert_actions.py).
    table_key = alert_actions.queue_table_key(frame.group_key.tolist())

    if frame.empty:
        st.success("No snoozed alert matches these filters." if filters.state == "snoozed"
                   else "No unresolved alerts match these filters.", icon=":material/done_all:")
        selected = frame
    else:
        shown_frame = frame.assign(status=metrics.queue_status(frame),
                                   exposure=pd.to_numeric(frame.exposure, errors="coerce"),
                                   unrealized_pnl=pd.to_numeric(frame.unrealized_pnl, errors="coerce"))
        compact = ["alert_id", "severity", "status", "message", "exposure", "unrealized_pnl", "first_triggered_at"]
        if filters.state == "snoozed":
            compact = ["alert_id", "severity", "message", "snoozed_until", "snoozed_by", "snooze_reason"]
        rest = ["duplicates", "suppressed", "positions", "alert_type", "component", "acknowledged_by",
                "last_triggered_at", "environment", "category"]
        event = st.dataframe(
            cells(shown_frame).style.map(lambda s: f"color: {SEVERITY_COLORS.get(s, 'inherit')}; font-weight: 600",
                                         subset=["severity"]),
            key=table_key, on_select="rerun", selection_mode="multi-row", placeholder="—",
            hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 420),
            column_order=compact + (rest if every_column else []),
            column_config={
                "alert_id": st.column_config.NumberColumn("Alert", format="%d", width=55),
                "severity": st.column_config.TextColumn("Severity", width=70),
                "status": st.column_config.TextColumn("State", width=130, help=(
                    "OVERDUE: acknowledged, and still unresolved longer than its severity's limit "
                    "(critical 1 h, high 4 h, medium 24 h by default)")),
                "message": st.column_config.TextColumn("Message", width=310),
                "exposure": st.column_config.NumberColumn("At risk ($)", format="%.4f", width=85, help=(
                    "Open exposure of the positions the alert names: quantity x current price of the side held")),
                "unrealized_pnl": st.column_config.NumberColumn("Unreal. P&L ($)", format="%+.4f", width=105, help=(
                    "Unrealized P&L of those positions: (current price - entry price) x quantity")),
                "first_triggered_at": st.column_config.DatetimeColumn("First raised", format="MM-DD HH:mm",
                                                                      width=95, help="UTC"),
                "snoozed_until": st.column_config.DatetimeColumn("Snoozed until (UTC)", format="YYYY-MM-DD HH:mm",
                                                                 width=140),
                "snoozed_by": st.column_config.TextColumn("Snoozed by", width=140),
                "snooze_reason": st.column_config.TextColumn("Reason", width="medium"),
                "duplicates": st.column_config.NumberColumn("Duplicates", width=85),
                "suppressed": st.column_config.NumberColumn("Suppressed", width=90),
                "positions": st.column_config.NumberColumn("Open positions", width=100),
                "alert_type": "Type", "component": "Component", "acknowledged_by": "Acknowledged by",
                "last_triggered_at": st.column_config.DatetimeColumn("Last raised (UTC)", format="YYYY-MM-DD HH:mm"),
                "environment": "Env", "category": "Category",
            },
        )
        selected = frame.iloc[[r for r in event.selection.rows if r < len(frame)]]

    # Selecting rows moves the details panel to the first selected group's alert.
    selected_keys = selected.group_key.tolist()
    if selected_keys and selected_keys != st.session_state.get("alerts_selected_keys"):
        st.session_state[alert_actions.FOCUS] = int(selected.alert_id.iloc[0])
        write_url(alert=st.session_state[alert_actions.FOCUS])
    st.session_state["alerts_selected_keys"] = selected_keys
    # The forms below stand outside this fragment (a refresh never redraws them): they follow the
    # selection through a rerun of the page whenever it changes (ui/alert_actions.py).
    alert_actions.follow_selection((tuple(selected_keys), tuple(int(a) for ids in selected.alert_ids for a in ids),
                                    tuple(selected.state)))


@st.fragment(run_every=REFRESH_SECONDS)
def live_detail() -> None:
    """The focused alert's details and timeline, refreshed with the queue."""
    focus = st.session_state.get(alert_actions.FOCUS)
    try:
        if focus is not None:
            _alert_detail(focus)
    except DatabaseUnavailable as error:
        st.error(str(error), icon=":material/database_off:")


def _alert_detail(alert_id: int) -> None:
    alert = alerts.detail(alert_id)
    if alert is None:
        st.warning(f"There is no alert {alert_id}; the link names an alert that does not exist.",
                   icon=":material/link_off:")
        return
    st.subheader(f"Alert {int(alert.alert_id)}")
    st.text(plain(alert.message))
    if pd.notna(alert.resolved_at):
        status = f"resolved ({alert.resolution_action}) by {alert.resolved_by}"
    elif pd.notna(alert.acknowledged_at):
        status = f"acknowledged by {alert.acknowledged_by}, not resolved"
    else:
        status = "not acknowledged"
    if pd.isna(alert.resolved_at) and pd.notna(alert.snoozed_until):
        status += f"; snoozed until {alert.snoozed_until:%Y-%m-%d %H:%M} UTC by {alert.snoozed_by}: {alert.snooze_reason}"
    facts = pd.DataFrame({
        "field": ["Severity", "Type", "Category", "Component", "Environment", "Raised (UTC)", "Status",
                  "Suppressed duplicate", "Notified", "Fingerprint"],
        "value": [alert.severity, alert.alert_type, alert.category, alert.component, alert.environment,
                  f"{alert.triggered_at:%Y-%m-%d %H:%M:%S}", status, "yes" if alert.suppressed else "no",
                  f"{'yes' if alert.notification_sent else 'no'} ({alert.notification_attempts} attempt(s))",
                  alert.fingerprint],
    }).astype({"value": "string"})
    st.dataframe(cells(facts), hide_index=True, width="stretch",
                 column_config={"field": st.column_config.TextColumn("", width="small"), "value": "Value"})
    st.markdown("**Timeline**")
    timeline = alerts.timeline(alert_id)
    st.dataframe(
        cells(timeline.assign(what=timeline.event.where(timeline.resolution_action.isna(),
                                                  timeline.event + " (" + timeline.resolution_action.fillna("") + ")"))),
        hide_index=True, width="stretch", placeholder="",
        column_order=["at", "what", "actor", "notes", "recorded_in"],
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss", width=140),
            "what": st.column_config.TextColumn("Event", width=190),
            "actor": st.column_config.TextColumn("Who", width=140),
            "notes": st.column_config.TextColumn("Note", width="large"),
            "recorded_in": st.column_config.TextColumn("Recorded in", width=90, help=(
                "'alert row': recorded on the alert before the audit trail existed; "
                "'audit trail': an entry in the append-only alert_actions table.")),
        },
    )
    with st.expander("Details, notification channels and tags (JSON)"):
        for label, value in (("details", alert.details), ("notification channels", alert.notification_channels),
                             ("notification errors", alert.notification_errors), ("tags", alert.tags)):
            if value is not None:
                st.caption(label)
                st.code(plain(value), language="json")


if queue_tab.open:
    with queue_tab:
        top = st.columns(4)
        bottom = st.columns(4)
        top[0].multiselect("Severity", alerts.SEVERITIES, key="alerts_severity", placeholder="All")
        top[1].multiselect("Category", options["category"], key="alerts_category", placeholder="All", format_func=plain)
        top[2].multiselect("Component", options["component"], key="alerts_component", placeholder="All",
                           format_func=plain)
        top[3].multiselect("Alert type", options["alert_type"], key="alerts_type", placeholder="All", format_func=plain)
        bottom[0].multiselect("Environment", options["environment"], key="alerts_environment", placeholder="All",
                              format_func=plain)
        bottom[1].selectbox("Raised", [ANY, *alerts.WINDOWS], key="alerts_window",
                            format_func=lambda w: "Any time" if w == ANY else alerts.WINDOWS[w][0])
        bottom[2].selectbox("State", [ANY, *alerts.STATES], key="alerts_state", format_func=STATE_LABELS.get)
        bottom[3].selectbox("Order", list(SORTS), key="alerts_sort", format_func=SORTS.get)
        filters = alerts.QueueFilters(
            severities=tuple(st.session_state.alerts_severity), categories=tuple(st.session_state.alerts_category),
            components=tuple(st.session_state.alerts_component), alert_types=tuple(st.session_state.alerts_type),
            environments=tuple(st.session_state.alerts_environment),
            window=None if st.session_state.alerts_window == ANY else st.session_state.alerts_window,
            state=None if st.session_state.alerts_state == ANY else st.session_state.alerts_state,
        )
        sort = st.session_state.alerts_sort
        write_url(severity=filters.severities, category=filters.categories, component=filters.components,
                  type=filters.alert_types, env=filters.environments, window=filters.window, state=filters.state,
                  sort=None if sort == "urgency" else sort)
        live_queue(filters, sort, st.session_state.get("alerts_every_column", False))
        st.toggle("Every column", key="alerts_every_column",
                  help="Type, component, duplicates, open positions, who acknowledged, environment, category; the "
                       "selected alert's details below show them all too.")
        st.caption("**At risk**: for an alert that names a position (source_table positions, or position_id in "
                   "its details) or a market (every position on it), the open exposure (quantity × current price of "
                   "the side held) and unrealized P&L ((current − entry) × quantity) of those open positions. "
                   "**OVERDUE**: acknowledged but unresolved past its severity's limit (critical 1 h, high 4 h, "
                   "medium 24 h; the alert_ack_limits table); it returns to the top. **Snoozed** alerts leave the "
                   "queue until their snooze ends, then come back by themselves.")
        actions_column, detail_column = st.columns([1, 2], gap="large")
        with actions_column:
            me = current_identity()
            if me.may("respond"):
                alert_actions.forms()
            else:
                st.info(f"You are {literal(me.label)}: viewers read the queue; responders and admins "
                        "acknowledge and resolve alerts.", icon=":material/visibility:")
        with detail_column:
            live_detail()


# --- metrics --------------------------------------------------------------------------------------
def _line(frame: pd.DataFrame, y: str, by: str, title: str, ticks: str):
    """A weekly mean drawn in the unit that reads best (minutes, hours or days), on a log axis with
    1-2-5 ticks labelled in that unit."""
    unit = metrics.duration_unit(frame[y])
    frame = frame.assign(**{y: frame[y] / metrics.DURATION_UNITS[unit]})
    values = metrics.log_ticks(frame[y])
    return charts.lines(frame, x="week", y=y, color=by, markers=frame.week.nunique() <= charts.MOST_MARKED_POINTS,
                        colors=SEVERITY_COLORS if by == "severity" else None,
                        hover={y: ":.1f"},
                        labels={"week": "Week raised", y: f"{unit.capitalize()} (log scale)", by: by.capitalize()},
                        title=f"{title} ({unit})",
                        margin=dict(l=0, r=0, t=40, b=0), legend=dict(orientation="h", y=-0.2),
                        yaxis=dict(type="log", tickvals=values, ticktext=[f"{v:g}" for v in values]),
                        xaxis=dict(tickformat=ticks))


if metrics_tab.open:
    with metrics_tab:
        left, right = st.columns(2)
        left.selectbox("Window", list(alerts.METRIC_WINDOWS), key="alerts_metrics_window",
                       format_func=lambda w: alerts.METRIC_WINDOWS[w][0])
        right.radio("Break down by", ["severity", "component"], key="alerts_metrics_by", horizontal=True,
                    format_func=str.capitalize)
        window, by = st.session_state.alerts_metrics_window, st.session_state.alerts_metrics_by
        write_url(metrics=None if window == "13w" else window, by=None if by == "severity" else by)
        weeks = alerts.METRIC_WINDOWS[window][1]
        ticks = "%b %d" if weeks is not None and weeks <= 52 else "%b %Y"  # years apart: say which year
        st.caption("Time to acknowledge and to resolve are measured from when the alert was raised. An alert counts as "
                   "acknowledged once it has an acknowledgement time (acknowledge_alert, or the raising system's own), "
                   "as resolved once it has a resolution time. Alerts still open are counted but not timed: they are "
                   "left out of the acknowledge (resolve) figures until acknowledged (resolved). Suppressed duplicates "
                   "are left out. The charts show weekly means; the table gives the median and 90th percentile beside "
                   "the mean, since a few long resolutions pull a mean far from the typical alert.")
        summaries.stored_caption("alert_weeks_stored")

        times = alerts.response_times(weeks)
        if times.empty:
            st.info("No alert was raised in this window, so there is nothing to measure.")
        else:
            over_time = metrics.response_times_over_time(times, by)
            for column, y, title, verb in zip(st.columns(2), ("mtta_minutes", "mttr_minutes"),
                                              ("Mean time to acknowledge", "Mean time to resolve"),
                                              ("acknowledged", "resolved")):
                if over_time[y].notna().any():
                    column.plotly_chart(_line(over_time, y, by, title, ticks), width="stretch", key=f"alerts_{y}_chart")
                else:
                    column.info(f"{title}: no alert raised in this window has been {verb} yet.")
            table, ack_unit, resolve_unit = metrics.response_percentiles(alerts.response_percentiles(weeks, by), by)
            short = {"minutes": "min", "hours": "h", "days": "d"}
            figure = lambda label, unit: st.column_config.NumberColumn(f"{label} ({short[unit]})", format="%.1f",
                                                                       width=102)
            st.dataframe(
                cells(table), hide_index=True, width="stretch", placeholder="—",
                column_config={by: st.column_config.TextColumn(by.capitalize(), width=85 if by == "severity" else 120),
                               "alerts": st.column_config.NumberColumn("Alerts", width=50),
                               "acknowledged": st.column_config.NumberColumn("Acked", width=52),
                               "resolved": st.column_config.NumberColumn("Resolved", width=62),
                               "ack_mean": figure("Ack. mean", ack_unit), "ack_p50": figure("Ack. median", ack_unit),
                               "ack_p90": figure("Ack. 90th", ack_unit),
                               "resolve_mean": figure("Res. mean", resolve_unit),
                               "resolve_p50": figure("Res. median", resolve_unit),
                               "resolve_p90": figure("Res. 90th", resolve_unit)},
            )
            st.caption("Read live from the window's alerts (the charts' weekly sums are stored). 90th: the 90th "
                       "percentile, nine in ten alerts were acknowledged (resolved) at least this fast.")

        fp_column, open_column = st.columns(2)
        with fp_column:
            rates = metrics.false_positive_rates(alerts.false_positives(weeks))
            if rates.empty:
                st.info("No alert raised in this window has been resolved yet.")
            else:
                rates = rates.assign(percent=rates.rate * 100, above=(rates.ci_high - rates.rate) * 100,
                                     below=(rates.rate - rates.ci_low) * 100,
                                     evidence=rates.enough_data.map({True: "enough data",
                                                                     False: f"under {metrics.MIN_RESOLVED_FOR_RATE} resolved"}))
                chart = charts.bars(rates, x="alert_type", y="percent", error_y="above", error_y_minus="below",
                                    color="evidence", colors={"enough data": "#1f77b4"},
                                    hover={"resolved": True, "false_positives": True},
                                    labels={"alert_type": "Alert type", "percent": "Resolved as false positive (%)",
                                            "evidence": ""},
                                    title="False-positive rate per alert type (95% interval)",
                                    margin=dict(l=0, r=0, t=40, b=0), legend=dict(orientation="h", y=-0.3))
                st.plotly_chart(chart, width="stretch", key="alerts_fp_chart")
        with open_column:
            opened = alerts.open_over_time(weeks)
            if opened.empty:
                st.info("There are no alerts yet.")
            else:
                chart = charts.areas(opened, x="day", y="open_alerts", color="severity", colors=SEVERITY_COLORS,
                                     labels={"day": "Day (UTC)", "open_alerts": "Open at end of day",
                                             "severity": "Severity"},
                                     title="Open alerts over time", margin=dict(l=0, r=0, t=40, b=0),
                                     legend=dict(orientation="h", y=-0.3), xaxis=dict(tickformat=ticks))
                st.plotly_chart(chart, width="stretch", key="alerts_open_chart")
