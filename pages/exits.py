"""Position exits: how and why every position closed, and what the exit rules and order execution cost."""
from datetime import datetime, time, timedelta
from urllib.parse import quote, urlencode

import streamlit as st

from analytics import execution as ex
from analytics import exits as ax
from queries import exits
from ui import as_of, charts, summaries, url_state
from ui.tables import ON_DEMAND_NOTE, on_demand
from ui.text import cells, plain
from ui.url_state import UrlState
from ui.shell import run_inside_app

run_inside_app()

# One colour per exit condition on every chart: stops in reds, targets in greens.
CONDITION_COLORS = {"stop_loss": "#b2182b", "circuit_breaker": "#ef8a62", "trailing_stop": "#f4a582",
                    "profit_target": "#1b7837", "partial_exit_target": "#7fbf7b", "time_exit": "#878787",
                    "edge_disappeared": "#762a83", "liquidity_dried_up": "#8c510a", "scheduled_exit": "#2166ac",
                    "manual_override": "#404040"}
MONEY = "%.4f"  # money columns say "($)" in their label: printf cannot put a minus sign before "$"; tables exact
CENTS = "%.2f"
PRICE = "%.4f"
WHEN = "YYYY-MM-DD HH:mm:ss"
# A position id in a table is a link to its timeline (a new tab); the plain id column is hidden.
LINKED = {"position": st.column_config.LinkColumn("Position", display_text=r"position=(\d+)$", width="small",
                                                  help="Opens the position's timeline in a new tab"),
          "position_id": None}
NO_MATCH = "No exit matches these filters."
TABS = ["Breakdown", "Price walking", "Execution", "MAE / MFE", "Exit regret", "Open positions", "Open at a moment",
        "Reconciliation", "One position"]
ONE_POSITION = TABS[-1]


def with_links(frame):
    return frame.assign(position=[position_link(p) for p in frame.position_id])[["position", *frame.columns]]


def position_link(position_id) -> str:
    return "exits?" + urlencode({url_state.TAB: ONE_POSITION, "position": int(position_id)}, quote_via=quote)


def _known(value, known):
    if value not in known:
        raise ValueError(value)
    return value


def _all(label):
    return lambda value: "All" if value is None else plain(label(value))


def read_filters_from_link(platforms, strategies, models) -> None:
    """On this page's first run in a session, the link decides the widgets' values."""
    url = UrlState()
    if "exits_since" not in st.session_state:
        st.session_state.exits_since = url.day("since")
        st.session_state.exits_until = url.day("until")
        st.session_state.exits_platform = url.text("platform", allowed=platforms)
        st.session_state.exits_strategy = url.parsed("strategy", lambda v: _known(int(v), strategies),
                                                     "a known strategy version")
        st.session_state.exits_model = url.parsed("model", lambda v: _known(int(v), models), "a known model version")
        st.session_state.exits_condition = url.text("condition", allowed=ax.EXIT_CONDITIONS)
        st.session_state.exits_priority = url.text("priority", allowed=ax.PRIORITIES)
        st.session_state.exits_position = url.integer("position", minimum=1)
        if st.session_state.exits_position is not None:
            url_state.open_tab_on_first_run(ONE_POSITION)  # a link to a position without a tab still opens it
    url.show_problems()


def show_breakdown(breakdown, filters) -> None:
    total = breakdown.total
    cols = st.columns(5)
    cols[0].metric("Exits", int(total.exits))
    cols[1].metric("Positions", int(total.positions))
    cols[2].metric("Contracts exited", f"{int(total.quantity_exited):,}")
    cols[3].metric("Exit P&L, before fees", ax.money(total.realized_pnl), help=f"Exact: {ax.exact_money(total.realized_pnl)}")
    cols[4].metric("Mean return per exit", f"{float(total.mean_return):+.2%}")
    summaries.caption_for(breakdown.computed_at, "exit_facts", "exit_orders", "exit_position_facts")
    st.subheader("By exit condition and priority")
    st.dataframe(cells(breakdown.detail), hide_index=True, width="stretch",
                 column_order=["exit_condition", "exit_priority", "exits", "positions", "quantity_exited",
                               "realized_pnl", "mean_return", "median_holding_hours", "p90_holding_hours"],
                 column_config={
                     "exit_condition": "Exit condition", "exit_priority": "Priority", "exits": "Exits",
                     "positions": "Positions", "quantity_exited": "Contracts exited",
                     "realized_pnl": st.column_config.NumberColumn("Realized P&L ($)", format=MONEY),
                     "mean_return": st.column_config.NumberColumn("Mean return", format="percent"),
                     "median_holding_hours": st.column_config.NumberColumn("Median hours held", format="%.2f"),
                     "p90_holding_hours": st.column_config.NumberColumn("90th pct. hours held", format="%.2f")})
    steps_column, holding_column = st.columns(2)
    with steps_column:
        st.subheader("Partial exits per position")
        st.caption("Positions by how many exits they took, and the mean share of the opening quantity sold at each "
                   "step; what was left was held to settlement or is still held.")
        table = ax.steps_table(exits.steps(**filters))
        shares = {c: st.column_config.NumberColumn(f"Step {c[5:]}", format="percent")
                  for c in table.columns if c.startswith("step_")}
        st.dataframe(cells(table), hide_index=True, width="stretch", placeholder="", column_config={
            "steps": "Exit steps", "positions": "Positions", **shares,
            "left_after_exits": st.column_config.NumberColumn("Left after exits", format="percent")})
    with holding_column:
        st.subheader("Holding time")
        st.caption("Time from the position's opening to each exit.")
        chart = charts.bars(ax.holding_distribution(breakdown.detail), x="held", y="exits", color="exit_condition",
                            colors=CONDITION_COLORS,
                            labels={"held": "Held for", "exits": "Exits", "exit_condition": "Exit condition"},
                            margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", y=-0.25), height=340)
        st.plotly_chart(chart, width="stretch", key="exits_holding_chart")


def show_walking(filters) -> None:
    walking = exits.walking(**filters)
    rows, total = ax.split_total(walking)
    if total is None:
        st.info("No exit order matches these filters.", icon=":material/filter_alt_off:")
        return
    st.caption("An exit order is a run of attempts whose limit price walks down until one fills. Walk cost = first "
               "limit price − fill price, per contract in cents and in money (× quantity); time to fill runs from the "
               "first attempt to the one that filled.")
    cols = st.columns(5)
    cols[0].metric("Exit orders", int(total.exit_orders))
    cols[1].metric("Never filled", int(total.never_filled))
    cols[2].metric("Mean attempts per exit", f"{total.mean_attempts}")
    cols[3].metric("Cost of walking", ax.money(total.walk_cost), help=f"Exact: {ax.exact_money(total.walk_cost)}")
    cols[4].metric("Median time to fill", ax.describe_seconds(total.median_seconds_to_fill))
    summaries.caption_for(walking.attrs.get("computed_at"), "exit_orders")
    st.subheader("Attempts per exit order")
    st.dataframe(cells(rows), hide_index=True, width="stretch",
                 column_order=["priority_level", "exit_orders", "filled", "never_filled", "mean_attempts",
                               "one_attempt", "two_attempts", "three_attempts", "four_or_more_attempts"],
                 column_config={
                     "priority_level": "Priority", "exit_orders": "Orders", "filled": "Filled",
                     "never_filled": "Never filled", "mean_attempts": "Mean attempts", "one_attempt": "1 attempt",
                     "two_attempts": "2", "three_attempts": "3", "four_or_more_attempts": "4+"})
    st.subheader("Cost of walking and time to fill")
    st.dataframe(cells(rows), hide_index=True, width="stretch",
                 column_order=["priority_level", "walked", "mean_walk_cents", "max_walk_cents", "walk_cost",
                               "mean_seconds_to_fill", "median_seconds_to_fill", "max_seconds_to_fill"],
                 column_config={
                     "priority_level": "Priority", "walked": "Orders that walked",
                     "mean_walk_cents": st.column_config.NumberColumn("Mean walk (¢)", format="%.2f"),
                     "max_walk_cents": st.column_config.NumberColumn("Max walk (¢)", format="%.2f"),
                     "walk_cost": st.column_config.NumberColumn("Cost of walking ($)", format=MONEY),
                     "mean_seconds_to_fill": st.column_config.NumberColumn("Mean s to fill", format="%.1f"),
                     "median_seconds_to_fill": st.column_config.NumberColumn("Median s to fill", format="%.1f"),
                     "max_seconds_to_fill": st.column_config.NumberColumn("Max s to fill", format="%.1f")})
    rate_column, _ = st.columns(2)
    with rate_column:
        st.subheader("Fill rate of attempts")
        st.dataframe(cells(exits.fill_rate(**filters)), hide_index=True, width="stretch", column_config={
            "priority_level": "Priority", "order_type": "Order type", "attempts": "Attempts", "filled": "Filled",
            "fill_rate": st.column_config.NumberColumn("Fill rate", format="percent")})
    st.subheader("Exits that never filled")
    never = exits.never_filled(**filters)
    if never.empty:
        st.success("Every exit order in this selection filled.", icon=":material/check_circle:")
        return
    if len(never) >= exits.MAX_LIST_ROWS:
        st.caption(f"The newest {exits.MAX_LIST_ROWS} of {int(total.never_filled)} are listed.")
    st.dataframe(cells(with_links(never)), hide_index=True, width="stretch", placeholder="—", column_config={
        **LINKED, "market_id": st.column_config.TextColumn("Market", width="medium"), "side": on_demand("Side"),
        "status": "Position now", "exit_condition": "Exit condition",
        "priority_level": "Priority", "quantity": "Contracts", "attempts": "Attempts",
        "first_limit_price": st.column_config.NumberColumn("First limit", format=PRICE),
        "lowest_limit_price": on_demand(st.column_config.NumberColumn("Lowest limit", format=PRICE)),
        "first_attempt_at": st.column_config.DatetimeColumn("First attempt (UTC)", format=WHEN),
        "last_attempt_at": on_demand(st.column_config.DatetimeColumn("Last attempt (UTC)", format=WHEN))})



def version_colors(labels: dict[int, str]) -> dict[str, str]:
    """One colour per strategy version, the same on every chart of this page (by version id, not by
    which versions a filter leaves)."""
    return {label: charts.COLORS[i % len(charts.COLORS)] for i, (_, label) in enumerate(sorted(labels.items()))}


def show_execution(filters, strategies) -> None:
    st.caption(ex.DEFINITION_SLIPPAGE + " Orders that never filled are counted (Never filled) and have no "
               "slippage. An exit condition or priority filter selects exit orders only.")
    grouped = exits.slippage(**filters)
    totals = ex.slippage_totals(grouped)
    if "all" not in totals or not int(totals["all"].orders):
        st.info("No order matches these filters.", icon=":material/filter_alt_off:")
        return
    everything = totals["all"]
    cols = st.columns(5)
    cols[0].metric("Orders (entries / exits)", f"{int(everything.orders):,}",
                   help=" / ".join(f"{ex.KINDS[k]}: {int(totals[k].orders):,}" for k in ("entry", "exit") if k in totals))
    cols[1].metric("Never filled", f"{int(everything.never_filled):,}")
    cols[2].metric("Median slippage", "—" if everything.median_cents is None else f"{everything.median_cents:+.2f}¢",
                   help="Per contract, over filled orders with a decision price; + = cost to us")
    cols[3].metric("Cost of slippage", ax.money(everything.total_cost),
                   help=f"Exact: {ax.exact_money(everything.total_cost)}; negative = orders filled better than decided")
    cols[4].metric("Filled at or better", "—" if everything.share_at_or_better is None
                   else f"{float(everything.share_at_or_better):.1%}")
    summaries.caption_for(grouped.attrs.get("computed_at"), "order_slippage")
    table = ex.slippage_table(grouped, strategies)
    st.subheader("By strategy version, order type, exit priority and platform")
    st.dataframe(cells(table), hide_index=True, width="stretch", placeholder="—",
                 column_order=["kind", "by", "group", "orders", "never_filled", "measured", "median_cents", "p90_cents",
                               "total_cost", "share_at_or_better", "mean_cents", "at_or_better"],
                 column_config={
                     "kind": "Orders", "by": "By", "group": st.column_config.TextColumn("Group", width="medium"),
                     "orders": "Orders", "never_filled": "Never filled",
                     "measured": st.column_config.NumberColumn("Measured", help="Filled, with a decision price"),
                     "median_cents": st.column_config.NumberColumn("Median (¢)", format=CENTS),
                     "p90_cents": st.column_config.NumberColumn("90th pct. (¢)", format=CENTS),
                     "total_cost": st.column_config.NumberColumn("Cost ($)", format=MONEY),
                     "share_at_or_better": st.column_config.NumberColumn("At or better", format="percent"),
                     "mean_cents": on_demand(st.column_config.NumberColumn("Mean (¢)", format=CENTS)),
                     "at_or_better": on_demand(st.column_config.NumberColumn("At or better (orders)"))})
    by_version = table[(table.by == "Strategy version") & table.median_cents.notna()]
    if not by_version.empty:
        chart_column, _ = st.columns(2)
        with chart_column:
            st.subheader("Cost of slippage by strategy version")
            bars = by_version.assign(cost=lambda f: f.total_cost.astype(float))
            chart = charts.bars(bars, x="kind", y="cost", color="group", colors=version_colors(strategies),
                                labels={"kind": "Orders", "cost": "Cost of slippage ($)", "group": "Strategy version"},
                                barmode="group", margin=dict(l=0, r=0, t=10, b=0), height=360,
                                legend=dict(orientation="h", y=-0.3))
            st.plotly_chart(chart, width="stretch", key="exits_slippage_chart")
    st.subheader("Execution ledger")
    ledger = exits.slippage_ledger(**filters)
    listed = "" if len(ledger) < exits.MAX_LIST_ROWS else f"The newest {exits.MAX_LIST_ROWS} are listed. "
    st.caption(f"{listed}Entries and exit orders in one list, newest decision first. {ON_DEMAND_NOTE}")
    ledger = ex.with_slippage(ledger).assign(strategy=lambda f: [
        None if v is None or v != v else strategies.get(int(v), f"#{int(v)}") for v in f.strategy_id])
    st.dataframe(cells(with_links(ledger)), hide_index=True, width="stretch", placeholder="—",
                 column_order=["kind", "decided_at", "position", "market_id", "exit_priority", "decision_price",
                               "fill_price", "quantity", "slippage_cents", "slippage_cost", "side", "order_type",
                               "exit_condition", "strategy", "platform_id", "order_key"],
                 column_config={
                     **LINKED, "kind": "Order", "decided_at": st.column_config.DatetimeColumn("Decided (UTC)", format=WHEN),
                     "market_id": st.column_config.TextColumn("Market", width="medium"), "side": on_demand("Side"),
                     "order_type": on_demand("Order type"), "exit_priority": "Priority",
                     "decision_price": st.column_config.NumberColumn("Decision", format=PRICE),
                     "fill_price": st.column_config.NumberColumn("Fill", format=PRICE), "quantity": "Qty",
                     "slippage_cents": st.column_config.NumberColumn("Slippage (¢)", format=CENTS),
                     "slippage_cost": st.column_config.NumberColumn("Cost ($)", format=MONEY),
                     "exit_condition": on_demand("Exit condition"), "strategy": on_demand("Strategy version"),
                     "platform_id": on_demand("Platform"),
                     "order_key": on_demand(st.column_config.NumberColumn("Trade / exit order", format="%d")),
                     "order_kind": None, "strategy_id": None, "model_id": None, "filled": None})


def show_excursions(filters) -> None:
    st.caption(ex.DEFINITION_EXCURSIONS + " " + ex.DEFINITION_PARTIAL)
    grouped = exits.excursions(**filters)
    rows, total = ex.excursion_table(grouped)
    if total is None:
        st.info(NO_MATCH, icon=":material/filter_alt_off:")
        return
    cols = st.columns(5)
    cols[0].metric("Exits", f"{int(total.exits):,}")
    cols[1].metric("Median MAE", f"{total.median_mae_cents:+.2f}¢",
                   help=f"{float(total.median_mae_share):+.1%} of the entry price")
    cols[2].metric("Median MFE", f"{total.median_mfe_cents:+.2f}¢",
                   help=f"{float(total.median_mfe_share):+.1%} of the entry price")
    cols[3].metric("Median exit efficiency", "—" if total.median_efficiency is None
                   else f"{float(total.median_efficiency):.0%}",
                   help=f"Over the {int(total.with_efficiency):,} exits whose position ever traded above its entry")
    cols[4].metric("Losing stops recovered", "—" if total.recovered_share is None
                   else f"{float(total.recovered_share):.0%}")
    summaries.caption_for(grouped.attrs.get("computed_at"), "exit_excursions")
    for sentence in ex.findings(total):
        st.markdown(f"- {sentence}")
    st.caption("Both are judged once the market has closed: until then what the price did after the exit is not known.")
    st.subheader("By exit condition")
    st.dataframe(cells(rows), hide_index=True, width="stretch", placeholder="—",
                 column_order=["exit_condition", "exits", "median_mae_cents", "median_mfe_cents", "median_efficiency",
                               "recovered_text", "left_most_text", "p90_mae_cents", "contracts", "median_mae_share",
                               "median_mfe_share", "stops_measured", "stops_recovered", "targets_measured",
                               "targets_left_most"],
                 column_config={
                     "exit_condition": "Exit condition", "exits": "Exits",
                     "median_mae_cents": st.column_config.NumberColumn("Median MAE (¢)", format=CENTS),
                     "median_mfe_cents": st.column_config.NumberColumn("Median MFE (¢)", format=CENTS),
                     "median_efficiency": st.column_config.NumberColumn("Median efficiency", format="percent"),
                     "recovered_text": st.column_config.TextColumn(
                         "Losing stops recovered",
                         help="Of the stop-type exits below the entry price on markets that have closed"),
                     "left_most_text": st.column_config.TextColumn(
                         "Targets left most", help="Profit targets that left most of the run on the table, of those "
                                                   "on markets that have closed"),
                     "p90_mae_cents": on_demand(st.column_config.NumberColumn(
                         "MAE, 90% within (¢)", format=CENTS, help="The 10th percentile of MAE: 90% of exits ran less far against us")),
                     "contracts": on_demand("Contracts"),
                     "median_mae_share": on_demand(st.column_config.NumberColumn("Median MAE (share of entry)", format="percent")),
                     "median_mfe_share": on_demand(st.column_config.NumberColumn("Median MFE (share of entry)", format="percent")),
                     "stops_measured": on_demand("Losing stops judged"), "stops_recovered": on_demand("Stops recovered"),
                     "targets_measured": on_demand("Targets judged"), "targets_left_most": on_demand("Targets that left most"),
                     "with_efficiency": None, "recovered_share": None, "left_most_share": None})
    points = ex.with_excursions(exits.excursion_points(**filters))
    st.subheader("MAE against the exit's return")
    shown = "" if len(points) < exits.MAX_SCATTER_POINTS else f"The newest {exits.MAX_SCATTER_POINTS} exits. "
    st.caption(f"{shown}One point per exit, coloured by its condition: how far the position ran against us before "
               "the exit (x) and what the exit returned on the entry price (y). Stops that cluster far left and low "
               "cut losers late; targets high on the right with small MAE held winners well.")
    drawn = points.assign(mae=lambda f: f.mae_cents.astype(float), ret=lambda f: f.exit_return.astype(float) * 100)
    traces = []
    for condition in [c for c in CONDITION_COLORS if c in set(drawn.exit_condition)]:
        part = drawn[drawn.exit_condition == condition]
        traces.append({"type": "scatter", "mode": "markers", "name": condition.replace("_", " "),
                       "x": charts.values(part.mae), "y": charts.values(part.ret),
                       "marker": {"color": CONDITION_COLORS[condition], "size": 7, "opacity": 0.7},
                       "text": charts.values([f"position {int(p)}, exit {int(s)} of {int(n)}"
                                              for p, s, n in zip(part.position_id, part.step, part.steps)]),
                       "hovertemplate": "MAE %{x:.0f}¢ · return %{y:.1f}%<br>%{text}<extra>" +
                                        condition.replace("_", " ") + "</extra>"})
    figure = charts.Chart(traces, dict(
        height=440, margin=dict(l=0, r=0, t=10, b=0), hovermode="closest", legend=dict(orientation="h", y=-0.18),
        xaxis=dict(title=dict(text="MAE before the exit (¢ per contract)")),
        yaxis=dict(title=dict(text="Exit return (% of entry price)"), zeroline=True)))
    st.plotly_chart(figure, width="stretch", key="exits_excursions_chart")


def show_regret(breakdown) -> None:
    total = breakdown.total
    st.caption(f"Each exit's P&L against holding the same contracts to settlement (the held side pays its settlement "
               f"value, 1 or 0). Only exits whose market has settled count: {int(total.settled_exits)} of "
               f"{int(total.exits)} here. Before fees.")
    if not total.settled_exits:
        st.info("None of these exits' markets has settled yet, so there is nothing to compare.",
                icon=":material/hourglass_empty:")
        return
    cols = st.columns(4)
    cols[0].metric("P&L of the exits", ax.money(total.settled_exit_pnl))
    cols[1].metric("P&L if held to settlement", ax.money(total.settled_hold_pnl))
    cols[2].metric("Saved by exiting", ax.money(total.saved_by_exiting),
                   help=f"Exact: {ax.exact_money(total.saved_by_exiting)}")
    cols[3].metric("Exits that saved / cost money", f"{int(total.exits_that_saved)} / {int(total.exits_that_cost)}")
    regret = ax.regret_table(breakdown.by_condition)
    st.dataframe(cells(regret), hide_index=True, width="stretch", column_config={
        "exit_condition": "Exit condition", "exits": "Exits", "settled_exits": "Settled",
        "settled_quantity": on_demand("Contracts"),
        "settled_exit_pnl": st.column_config.NumberColumn("Exit P&L ($)", format=MONEY),
        "settled_hold_pnl": st.column_config.NumberColumn("If held ($)", format=MONEY),
        "saved_by_exiting": st.column_config.NumberColumn("Saved by exiting ($)", format=MONEY),
        "exits_that_saved": "Exits that saved", "exits_that_cost": "Exits that cost", "verdict": "Verdict"})
    bars = regret[regret.settled_exits > 0].assign(saved=lambda f: f.saved_by_exiting.astype(float))
    chart = charts.bars(bars, x="exit_condition", y="saved", color=bars.saved >= 0,
                        colors={True: "#2ca02c", False: "#d62728"},
                        labels={"exit_condition": "Exit condition", "saved": "Saved by exiting ($)"},
                        showlegend=False, margin=dict(l=0, r=0, t=10, b=0), height=300)
    chart_column, _ = st.columns(2)
    chart_column.plotly_chart(chart, width="stretch", key="exits_regret_chart")


def show_monitor(version_filters) -> None:
    st.caption(f"Stale = no monitor update for more than {ax.MONITOR_SECONDS} s (the seed's monitor writes every "
               f"{ax.MONITOR_SECONDS} s, every {ax.URGENT_MONITOR_SECONDS} s when urgent). Age is against the "
               "database's clock.")
    monitor = ax.flag_stale(exits.open_positions(ax.MONITOR_SECONDS, **version_filters))
    if monitor.empty:
        st.info("No open position matches these filters.", icon=":material/inventory_2:")
        return
    first = monitor.iloc[0]
    newest = monitor.seconds_since_update.min()
    if newest > ax.MONITOR_SECONDS:
        st.warning(f"The monitor's newest update is {ax.describe_seconds(newest)} old: the monitor is not running, or "
                   "this database is a snapshot. 'Behind' shows which positions lag the others.",
                   icon=":material/schedule:")
    cols = st.columns(4)
    cols[0].metric("Open positions", int(first.open_count))
    cols[1].metric("Unrealized P&L", ax.money(first.total_unrealized_pnl),
                   help=f"Exact: {ax.exact_money(first.total_unrealized_pnl)}")
    cols[2].metric(f"Stale (> {ax.MONITOR_SECONDS} s)", int(first.stale_count))
    cols[3].metric(f"Behind the newest update by > {ax.MONITOR_SECONDS} s", int(first.lagging_count))
    if first.open_count > len(monitor):
        st.caption(f"The {len(monitor)} stalest are listed.")
    st.dataframe(cells(with_links(monitor)), hide_index=True, width="stretch", placeholder="—",
                 column_order=["position", "ticker", "side", "quantity", "entry_price", "current_price",
                               "unrealized_pnl", "stop_price", "age", "seconds_behind_newest", "stale",
                               "unrealized_pnl_pct", "lagging"],
                 column_config={
                     # the whole ticker at 1920 and at 1366; what a reader can do without opens on demand
                     **LINKED, "ticker": st.column_config.TextColumn("Market", width=250), "side": "Side",
                     "entry_price": st.column_config.NumberColumn("Entry", format=PRICE), "quantity": "Qty",
                     "current_price": st.column_config.NumberColumn("Current", format=PRICE),
                     "unrealized_pnl": st.column_config.NumberColumn("Unrealized ($)", format=MONEY),
                     "unrealized_pnl_pct": on_demand(st.column_config.NumberColumn("Unrealized %", format="percent")),
                     "stop_price": st.column_config.NumberColumn("Stop", format=PRICE,
                                                                 help="The trailing stop's level; empty while it is not active"),
                     "age": st.column_config.TextColumn("Age", help="Since the position's last_update"),
                     "seconds_behind_newest": st.column_config.NumberColumn(
                         "Behind (s)", format="%d", help="Seconds behind the newest update of any open position"),
                     "stale": "Stale", "lagging": on_demand("Lagging")})


def show_open_at(version_filters) -> None:
    st.caption("Every position that was open at the moment chosen, as its row of that moment held it: what it held, "
               "its P&L realized by then (fees included) and its unrealized P&L marked to the held contract's last "
               "quote at or before that moment. The platform and version filters apply; dates, condition and "
               "priority do not.")
    at = as_of.moment("exits_open")
    positions = exits.open_at(at, **version_filters)
    if positions.empty:
        st.info(f"No position matching these filters was open at {at:%Y-%m-%d %H:%M} UTC.",
                icon=":material/inventory_2:")
        return
    first = positions.iloc[0]
    cols = st.columns(3)
    cols[0].metric(f"Open at {at:%Y-%m-%d %H:%M} UTC", int(first.open_count))
    cols[1].metric("Unrealized P&L then", ax.money(first.total_unrealized_pnl),
                   help=f"Exact: {ax.exact_money(first.total_unrealized_pnl)}")
    cols[2].metric("Realized by then, fees included", ax.money(first.total_realized_pnl))
    st.caption(("" if first.open_count <= len(positions) else f"The {len(positions)} opened first are listed. ")
               + ON_DEMAND_NOTE)
    st.dataframe(with_links(positions), hide_index=True, width="stretch", placeholder="—",
                 column_order=["position", "ticker", "side", "opened_at", "quantity", "entry_price", "price_then",
                               "unrealized_pnl", "realized_pnl", "strategy", "execution_mode", "model", "stop_price",
                               "quoted_at"],
                 column_config={
                     **LINKED, "ticker": st.column_config.TextColumn("Market", width=230), "side": "Side",
                     "execution_mode": on_demand("Mode"), "strategy": on_demand("Strategy"), "model": on_demand("Model"),
                     "opened_at": st.column_config.DatetimeColumn("Opened (UTC)", format=WHEN), "quantity": "Held",
                     "entry_price": st.column_config.NumberColumn("Entry", format=PRICE),
                     "price_then": st.column_config.NumberColumn("Price then", format=PRICE),
                     "unrealized_pnl": st.column_config.NumberColumn("Unrealized ($)", format=MONEY,
                                                                     help="Unrealized P&L at the moment chosen"),
                     "realized_pnl": st.column_config.NumberColumn("Realized ($)", format=MONEY,
                                                                   help="P&L realized by the moment chosen, fees included"),
                     "stop_price": on_demand(st.column_config.NumberColumn(
                         "Stop then", format=PRICE, help="The trailing stop's level; empty while it was not active")),
                     "quoted_at": on_demand(st.column_config.DatetimeColumn("Quoted (UTC)", format=WHEN)),
                     "market_id": None, "platform_id": None, "open_count": None, "total_unrealized_pnl": None,
                     "total_realized_pnl": None})


def show_reconciliation(version_filters) -> None:
    st.caption("Every position of the selected platform and versions must be accounted for: opening quantity = "
               "quantity exited + quantity still held or held to settlement; a closed position needs exits, a settled "
               "one a settlement of its market.")
    problems = exits.reconciliation(**version_filters)
    if problems.empty:
        st.success("No data problems: every position's exits and settlement account for it.",
                   icon=":material/check_circle:")
        return
    listed = f" (the first {len(problems)} findings are listed)" if len(problems) >= exits.MAX_LIST_ROWS else ""
    st.error(f"{int(problems.positions_with_problems.iloc[0])} positions have data problems{listed}.",
             icon=":material/error:")
    st.dataframe(cells(with_links(problems)), hide_index=True, width="stretch", column_config={
        **LINKED, "market_id": "Market", "status": "Status", "opening_quantity": "Opened with",
        "exited_quantity": "Exited", "exits": "Exits", "current_quantity": "Held now / at settlement",
        "problem": "Problem", "positions_with_problems": None})


def timeline_figure(pos, series) -> charts.Chart:
    def points(drawn: dict, **trace) -> dict:
        return {"type": "scatter", "x": charts.values(drawn["x"]), "y": charts.values(drawn["y"]),
                **({"text": charts.values(drawn["text"])} if "text" in drawn else {}), **trace}

    traces = [
        points(series["price"], mode="lines", line=dict(color="#1f77b4", shape="hv"), name=f"Market price ({pos.side})"),
        points(series["stop"], mode="lines+markers", line=dict(color="#d62728", dash="dash", shape="hv"),
               name="Trailing stop", connectgaps=False),
        points(series["entry"], mode="markers", name="Entry", hoverinfo="text+x",
               marker=dict(symbol="triangle-up", size=14, color="#2ca02c")),
    ]
    if series["exits"]["x"]:
        traces.append(points(series["exits"], mode="markers", name="Exits", hoverinfo="text+x",
                             marker=dict(symbol="triangle-down", size=series["exits"]["size"], color="#ff7f0e")))
    if series["settlement"]:
        traces.append(points(series["settlement"], mode="markers", name="Settlement (held side)",
                             marker=dict(symbol="star", size=16, color="#9467bd")))
    held_from, held_until = charts.values(list(series["held"]))
    return charts.Chart(traces, dict(
        margin=dict(l=0, r=0, t=10, b=0), height=420, hovermode="closest",
        yaxis=dict(title=dict(text="Price of the contract held"), range=[-0.02, 1.02]),
        xaxis=dict(title=dict(text="UTC")), legend=dict(orientation="h", y=1.08),
        shapes=[dict(type="rect", xref="x", yref="y domain", x0=held_from, x1=held_until, y0=0, y1=1,
                     fillcolor="#2ca02c", opacity=0.07, line=dict(width=0))],
        annotations=[dict(text="held", xref="x", yref="y domain", x=held_from, y=1, xanchor="left",
                          yanchor="top", showarrow=False)]))


def show_position(position_id) -> None:
    # Kept while another tab is open (only the open tab draws it), so the position and its link survive.
    st.number_input("Position id", min_value=1, max_value=2**31 - 1, step=1, key="exits_position", format="%d",
                    persist_state="page",
                    placeholder="e.g. 42", help="Or click a position number in the other tabs' tables.")
    if position_id is None:
        st.info("Enter a position id to see its timeline: price, entry, exits, trailing stop and settlement.",
                icon=":material/timeline:")
        return
    found = exits.position(position_id)
    if found.empty:
        st.warning(f"There is no position {position_id} in the database.", icon=":material/search_off:")
        return
    pos = found.iloc[0]
    st.subheader(f"Position {position_id}")
    # Database text: st.text, never markdown.
    st.text(plain(f"{pos.market_title} — {pos.ticker} · holds {pos.side.upper()} · {pos.platform_id} · "
                  f"{pos.execution_mode} · strategy {pos.strategy or 'unknown'} · model {pos.model or 'unknown'}"))
    cols = st.columns(5)
    cols[0].metric("Entry price", f"{pos.entry_price}")
    cols[1].metric("Contracts opened", int(pos.opening_quantity))
    cols[2].metric("Status", f"open ({int(pos.current_quantity)} held)" if pos.status == "open" else str(pos.status))
    cols[3].metric("Realized P&L (fees included)", ax.money(pos.realized_pnl))
    cols[4].metric("Exits (contracts)", f"{int(pos.exits)} ({int(pos.exited_quantity)})")

    position_exits = exits.position_exits(position_id)
    timeline = exits.position_timeline(position_id)
    series = ax.timeline(pos, timeline["prices"], timeline["rows"], position_exits)
    st.plotly_chart(timeline_figure(pos, series), width="stretch", key="exits_timeline_chart")

    st.subheader("Exits")
    if position_exits.empty:
        st.info(ax.no_exit_sentence(pos), icon=":material/info:")
    else:
        st.dataframe(cells(position_exits), hide_index=True, width="stretch", placeholder="—", column_config={
            "exit_id": None, "created_at": st.column_config.DatetimeColumn("When (UTC)", format=WHEN),
            "exit_condition": "Condition", "exit_priority": "Priority", "quantity_exited": "Contracts",
            "exit_price": st.column_config.NumberColumn("Price", format=PRICE),
            "share_of_opening": st.column_config.NumberColumn("Share of opening", format="percent"),
            "pnl": st.column_config.NumberColumn("P&L before fees ($)", format=MONEY),
            "hold_pnl": st.column_config.NumberColumn("If held ($)", format=MONEY),
            "saved_by_exiting": st.column_config.NumberColumn("Saved ($)", format=MONEY)})
        ran = ex.with_excursions(exits.position_excursions(position_id))
        if not ran.empty:
            st.caption("How far it ran before each exit: " + ex.DEFINITION_EXCURSIONS[len("For every exit: "):] + " "
                       + ex.DEFINITION_PARTIAL)
            st.dataframe(cells(ran), hide_index=True, width="stretch", placeholder="—",
                         key="exits_position_excursions",
                         column_order=["step", "exit_condition", "worst_price", "best_price", "mae_cents", "mfe_cents",
                                       "efficiency", "exit_return", "best_after"],
                         column_config={
                             "step": "Exit", "exit_condition": "Condition",
                             "worst_price": st.column_config.NumberColumn("Worst", format=PRICE),
                             "best_price": st.column_config.NumberColumn("Best", format=PRICE),
                             "mae_cents": st.column_config.NumberColumn("MAE (¢)", format=CENTS),
                             "mfe_cents": st.column_config.NumberColumn("MFE (¢)", format=CENTS),
                             "efficiency": st.column_config.NumberColumn("Efficiency", format="percent"),
                             "exit_return": st.column_config.NumberColumn("Return", format="percent"),
                             "best_after": st.column_config.NumberColumn(
                                 "Best after", format=PRICE,
                                 help="The best the exited contracts fetched afterwards (a later quote or the "
                                      "settlement); empty while the market is open")})
    st.subheader("Exit attempts")
    attempts = exits.position_attempts(position_id)
    if attempts.empty:
        st.info(f"No exit attempts were recorded for position {position_id}.", icon=":material/info:")
        return
    st.dataframe(cells(attempts), hide_index=True, width="stretch", placeholder="—", column_config={
        "sequence_id": "Exit order", "attempt_id": "Attempt id", "attempt_number": "Attempt",
        "created_at": st.column_config.DatetimeColumn("Placed (UTC)", format=WHEN), "exit_condition": "Condition",
        "priority_level": "Priority", "order_type": "Order type",
        "limit_price": st.column_config.NumberColumn("Limit", format=PRICE),
        "fill_price": st.column_config.NumberColumn("Fill", format=PRICE),
        "quantity": "Contracts", "timeout_seconds": "Timeout (s)", "success": "Filled"})


# --- the page ---------------------------------------------------------------------------------------
st.title("Position exits")
st.caption("How positions closed and what the exit rules and the order execution cost. Prices are those of the "
           "contract held (yes or no); P&L of exits is before fees. Summary figures are in cents (hover for the exact "
           "value); tables show the ledger's exact 4 decimals.")

options = exits.filter_options()
platforms = dict(options[options.kind == "platform"][["value", "label"]].itertuples(index=False))
strategies = {int(v): label for v, label in options[options.kind == "strategy"][["value", "label"]].itertuples(index=False)}
models = {int(v): label for v, label in options[options.kind == "model"][["value", "label"]].itertuples(index=False)}
read_filters_from_link(platforms, strategies, models)

row = st.columns([1, 1, 1, 1.4, 1.4])
since = row[0].date_input("From", key="exits_since", format="YYYY-MM-DD")
until = row[1].date_input("To (inclusive)", key="exits_until", format="YYYY-MM-DD")
platform = row[2].selectbox("Platform", [None, *platforms], key="exits_platform", placeholder="All",
                            format_func=_all(platforms.get))
strategy_id = row[3].selectbox("Strategy version", [None, *strategies], key="exits_strategy", placeholder="All",
                               format_func=_all(strategies.get))
model_id = row[4].selectbox("Model version", [None, *models], key="exits_model", placeholder="All",
                            format_func=_all(models.get))
row = st.columns([1, 1, 3.8])
exit_condition = row[0].selectbox("Exit condition", [None, *ax.EXIT_CONDITIONS], key="exits_condition",
                                  placeholder="All", format_func=_all(lambda c: c.replace("_", " ")))
priority = row[1].selectbox("Priority", [None, *ax.PRIORITIES], key="exits_priority", placeholder="All",
                            format_func=_all(str))
row[2].caption("Strategy and model versions are those of the position's opening buy trade. Dates select exits (and "
               "exit orders) by when they happened; the open-positions monitor and the reconciliation ignore dates, "
               "exit condition and priority.")
position_id = st.session_state.get("exits_position")
url_state.write(since=since, until=until, platform=platform, strategy=strategy_id, model=model_id,
                condition=exit_condition, priority=priority, position=position_id)

bad_range = since is not None and until is not None and since > until
if bad_range:
    st.warning("The start date is after the end date, so no exit falls between them.", icon=":material/date_range:")
filters = dict(since=datetime.combine(since, time()) if since else None,
               until=datetime.combine(until + timedelta(days=1), time()) if until else None,
               platform=platform, strategy_id=strategy_id, model_id=model_id, exit_condition=exit_condition,
               priority=priority)
version_filters = dict(platform=platform, strategy_id=strategy_id, model_id=model_id)

(breakdown_tab, walking_tab, execution_tab, excursions_tab, regret_tab, monitor_tab, open_at_tab, reconciliation_tab,
 position_tab) = url_state.open_tab_only(TABS)
breakdown = None if bad_range or not (breakdown_tab.open or regret_tab.open) else \
    ax.split_breakdown(exits.breakdown(**filters))
has_exits = breakdown is not None and breakdown.total is not None
if breakdown_tab.open:
    with breakdown_tab:
        if has_exits:
            show_breakdown(breakdown, filters)
        else:
            st.info(NO_MATCH, icon=":material/filter_alt_off:")
if regret_tab.open:
    with regret_tab:
        if has_exits:
            show_regret(breakdown)
        else:
            st.info(NO_MATCH, icon=":material/filter_alt_off:")
if walking_tab.open:
    with walking_tab:
        if bad_range:
            st.info("No exit order matches these filters.", icon=":material/filter_alt_off:")
        else:
            show_walking(filters)
if execution_tab.open:
    with execution_tab:
        if bad_range:
            st.info("No order matches these filters.", icon=":material/filter_alt_off:")
        else:
            show_execution(filters, strategies)
if excursions_tab.open:
    with excursions_tab:
        if bad_range:
            st.info(NO_MATCH, icon=":material/filter_alt_off:")
        else:
            show_excursions(filters)
if monitor_tab.open:
    with monitor_tab:
        show_monitor(version_filters)
if open_at_tab.open:
    with open_at_tab:
        show_open_at(version_filters)
if reconciliation_tab.open:
    with reconciliation_tab:
        show_reconciliation(version_filters)
if position_tab.open:
    with position_tab:
        show_position(position_id)
