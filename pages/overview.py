"""Overview: the state of the trading operation at a glance."""
import streamlit as st

from analytics import audit as aa
from analytics.freshness import age, describe_age, is_stale
from analytics.money import format_money
from queries import audit, overview
from ui import charts, summaries
from ui.text import cells
from ui.shell import run_inside_app

run_inside_app()

st.title("Overview")

kpis = overview.kpis()
data_age = age(kpis.newest_market_update, kpis.database_now)
freshness = f"Newest market update {describe_age(data_age)}"
if is_stale(data_age):
    st.warning(f"{freshness}: market data is stale; check the market feed.", icon=":material/schedule:")
else:
    st.caption(f"{freshness} (at {kpis.newest_market_update:%Y-%m-%d %H:%M:%S} UTC).")

# The attribution audit's findings (stored, schema.sql "Attribution audit"): a link when there are any.
faults = aa.total(audit.counts())
if faults:
    st.page_link("pages/audit.py", icon=":material/rule:",
                 label=f"Attribution audit: {faults} trades and positions contradict their recorded history")

models, strategies, positions, unrealized, realized = st.columns(5)
models.metric("Active model versions", int(kpis.active_models))
strategies.metric("Active strategy versions", int(kpis.active_strategies))
positions.metric("Open positions", int(kpis.open_positions))
unrealized.metric("Unrealized P&L", format_money(kpis.unrealized_pnl))
realized.metric("Realized P&L (live, all time)", format_money(kpis.realized_pnl_live))

pnl_column, alerts_column = st.columns([2, 1])

with pnl_column:
    st.subheader("Realized P&L over time")
    pnl = overview.realized_pnl_by_day()
    if pnl.empty:
        st.info("No position has closed yet, so there is no realized P&L to chart.")
    else:
        chart = charts.lines(
            pnl, x="day", y="cumulative_pnl", color="execution_mode",
            labels={"day": "Day closed", "cumulative_pnl": "Cumulative realized P&L ($)", "execution_mode": "Mode"},
            colors={"live": "#1f77b4", "paper": "#ff7f0e"},
            margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", y=1.1),
        )
        st.plotly_chart(chart, width="stretch", key="overview_pnl_chart")
    summaries.stored_caption("position_days_stored")  # the chart and the live total above

with alerts_column:
    st.subheader("Unresolved alerts")
    alerts = overview.unresolved_alerts()
    # Each count opens the Alerts queue filtered to its severity (snoozed alerts wait outside the queue).
    for row in alerts.itertuples():
        snoozed = f", {int(row.snoozed)} snoozed" if row.snoozed else ""
        st.page_link("pages/alerts.py", query_params={"severity": row.severity},
                     icon=":material/notifications_active:" if row.unresolved else ":material/notifications_none:",
                     label=f"**{int(row.unresolved)} {row.severity}**: {int(row.unacknowledged)} not acknowledged yet"
                           f"{snoozed}",
                     help=f"Open the Alerts queue showing only {row.severity} alerts")
    st.caption("Unresolved alerts by severity (suppressed duplicates not counted); each opens the queue filtered to it.")
    st.subheader("Balances")
    st.dataframe(
        cells(overview.balances()), hide_index=True, width="stretch",
        column_order=["platform", "balance", "as_of"],
        column_config={"platform": "Platform",
                       "balance": st.column_config.NumberColumn("Balance (USD)", format="dollar"),
                       "as_of": st.column_config.DateColumn("As of", format="YYYY-MM-DD")},
    )
