"""Trade attribution: every trade with the exact strategy and model versions behind it, and one
click from a trade to its configs, the edge that triggered it, its position and the exits."""
from datetime import date, datetime, timezone

import pandas as pd
import streamlit as st

from analytics import execution as ex
from analytics.money import format_money
from queries import trades
from ui import url_state
from ui.tables import ON_DEMAND_NOTE, on_demand
from ui.text import cells, plain, plain_json
from ui.url_state import UrlState
from ui.shell import run_inside_app

run_inside_app()

# The oldest and newest day the date filters take (a link outside is clamped, with a sentence).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
ANY = "Any"

st.title("Trade attribution")
st.caption("Every trade with the exact strategy and model versions that produced it. Select a row to "
           "see its strategy and model configs, the edge that triggered it, its position and exits.")

options = trades.filter_options()
strategy_rows = options[options.kind == "strategy"]
model_rows = options[options.kind == "model"]
strategy_names = sorted(strategy_rows.name.unique())
model_names = sorted(model_rows.name.unique())
platforms = list(options[options.kind == "platform"].name)
today = datetime.now(timezone.utc).date()
default_first, default_last = trades.default_days(today)


def clamp(day: date, link: UrlState, name: str) -> date:
    if FIRST_DAY <= day <= LAST_DAY:
        return day
    link.problems.append(f"The link's {name} {day.isoformat()} is outside {FIRST_DAY.year}–{LAST_DAY.year} "
                         "and was moved inside it.")
    return min(max(day, FIRST_DAY), LAST_DAY)


# The URL is the page's state: read it (never trusting it), seed the widgets, write it back below.
link = UrlState()
# A link with only one end of the range gets a week ending at 'to', or running from 'from' to today.
url_last = clamp(link.day("to", default_last), link, "to")
url_first = clamp(link.day("from", url_last - (default_last - default_first)), link, "from")
url_strategy = link.text("strategy", strategy_names)
url_model = link.text("model", model_names)
from_url = {
    "trades_first_day": url_first,
    "trades_last_day": url_last,
    "trades_strategy": url_strategy,
    "trades_strategy_version": link.text(
        "strategy_version", strategy_rows[strategy_rows.name == url_strategy].version if url_strategy else ()),
    "trades_model": url_model,
    "trades_model_version": link.text(
        "model_version", model_rows[model_rows.name == url_model].version if url_model else ()),
    "trades_market": link.text("market") or "",
    "trades_platform": link.text("platform", platforms),
    "trades_side": link.text("side", ("buy", "sell")),
    "trades_mode": link.text("mode", ("paper", "live")),
}
for key, value in from_url.items():
    st.session_state.setdefault(key, value)
start_id = link.integer("start", minimum=1)
trade_id = link.integer("trade", minimum=1)
link.show_problems()


def versions_of(rows: pd.DataFrame, name: str | None) -> list:
    return list(rows[rows.name == name].version) if name else []


def newest_week(newest: date) -> None:
    st.session_state.trades_first_day, st.session_state.trades_last_day = trades.default_days(newest)


# A version belongs to one strategy (model): drop it when the strategy (model) changes.
for name_key, version_key, rows in (("trades_strategy", "trades_strategy_version", strategy_rows),
                                    ("trades_model", "trades_model_version", model_rows)):
    if st.session_state[version_key] not in (None, *versions_of(rows, st.session_state[name_key])):
        st.session_state[version_key] = None

first_column, last_column, strategy_column, strategy_version_column, model_column, model_version_column = st.columns(6)
first_column.date_input("From (UTC)", key="trades_first_day", min_value=FIRST_DAY, max_value=LAST_DAY,
                        format="YYYY-MM-DD")
last_column.date_input("To (UTC, inclusive)", key="trades_last_day", min_value=FIRST_DAY, max_value=LAST_DAY,
                       format="YYYY-MM-DD")
strategy_column.selectbox("Strategy", strategy_names, key="trades_strategy", placeholder=ANY, format_func=plain)
strategy_version_column.selectbox(
    "Strategy version", versions_of(strategy_rows, st.session_state.trades_strategy),
    key="trades_strategy_version", placeholder=ANY, format_func=plain, disabled=st.session_state.trades_strategy is None)
model_column.selectbox("Model", model_names, key="trades_model", placeholder=ANY, format_func=plain)
model_version_column.selectbox(
    "Model version", versions_of(model_rows, st.session_state.trades_model),
    key="trades_model_version", placeholder=ANY, format_func=plain, disabled=st.session_state.trades_model is None)
market_column, platform_column, side_column, mode_column, _ = st.columns([2, 1, 1, 1, 1])
market_column.text_input("Market or ticker", key="trades_market", max_chars=url_state.MAX_PARAM_LENGTH,
                         placeholder="A market id, or the start of a ticker (e.g. KXNFLGAME)")
platform_column.selectbox("Platform", platforms, key="trades_platform", placeholder=ANY, format_func=plain)
side_column.selectbox("Side", ["buy", "sell"], key="trades_side", placeholder=ANY,
                      format_func=lambda s: {"buy": "buy (entry)", "sell": "sell (exit)"}[s])
mode_column.selectbox("Mode", ["paper", "live"], key="trades_mode", placeholder=ANY)

state = st.session_state
filters = trades.TradeFilters(
    # a date input the user has emptied counts as its default
    first_day=state.trades_first_day or default_first, last_day=state.trades_last_day or default_last,
    strategy_name=state.trades_strategy, strategy_version=state.trades_strategy_version,
    model_name=state.trades_model, model_version=state.trades_model_version,
    market=state.trades_market.strip() or None, platform_id=state.trades_platform,
    side=state.trades_side, execution_mode=state.trades_mode,
)
# New filters start again at the newest trade (the old cursor belongs to another list).
if state.get("trades_filters_seen", filters) != filters:
    start_id = None
state.trades_filters_seen = filters


def go_to(start: int | None) -> None:
    url_state.write(start=start)


# Both ends of the range or neither: a link with one end reads the other from it (a week), which is
# not the default end this view may have kept (tests/test_links.py).
default_range = (filters.first_day, filters.last_day) == (default_first, default_last)
url_state.write(**{
    "from": None if default_range else filters.first_day,
    "to": None if default_range else filters.last_day,
    "strategy": filters.strategy_name, "strategy_version": filters.strategy_version,
    "model": filters.model_name, "model_version": filters.model_version, "market": filters.market,
    "platform": filters.platform_id, "side": filters.side, "mode": filters.execution_mode,
    "start": start_id,
})

if filters.first_day > filters.last_day:
    st.warning(f"'From' ({filters.first_day}) is after 'To' ({filters.last_day}), so no trade can match; "
               "pick a 'From' day on or before the 'To' day.", icon=":material/event_busy:")
else:
    counted = trades.count(filters)
    rows = trades.page(filters, start_id)
    if start_id is not None and rows.empty:  # a trade that does not exist, or one these filters leave out
        where = "does not exist" if trades.detail(start_id) is None else "is not among the trades these filters match"
        st.warning(f"The link's page start, trade #{start_id}, {where}; showing the newest trades.",
                   icon=":material/link_off:")
        start_id = None
        url_state.write(start=None)
        rows = trades.page(filters, None)

    matched = int(counted.trades)
    if matched == 0:
        where = ("The database has no trades yet." if pd.isna(counted.newest_trade_at) else
                 f"Trades in the database run from {counted.oldest_trade_at:%Y-%m-%d} "
                 f"to {counted.newest_trade_at:%Y-%m-%d}.")
        st.info(f"No trade matches these filters between {filters.first_day} and {filters.last_day}. {where}",
                icon=":material/search_off:")
        newest = None if pd.isna(counted.newest_trade_at) else counted.newest_trade_at.date()
        if newest is not None and not filters.first_day <= newest <= filters.last_day:
            st.button("Show the 7 days up to the newest trade", key="trades_jump_newest", on_click=newest_week,
                      args=(newest,), icon=":material/history:")
    else:
        page_rows = rows.head(trades.PAGE_SIZE)
        has_older = len(rows) > trades.PAGE_SIZE
        how_many = (f"More than {trades.COUNT_CAP:,}" if matched > trades.COUNT_CAP else f"{matched:,}")
        st.caption(
            f"{how_many} trades match. This page: {len(page_rows)} trades, from "
            f"{page_rows.created_at.iloc[0]:%Y-%m-%d %H:%M:%S} back to {page_rows.created_at.iloc[-1]:%Y-%m-%d %H:%M:%S} UTC. "
            f"{ON_DEMAND_NOTE}")

        # The table's selection opens a trade. The key changes with the list (an old selection never
        # points into a new page) and when the detail is closed (the selection goes with it).
        table_key = hash((filters, start_id, state.get("trades_table_generation", 0))) & 0xFFFFFFFF
        table = st.dataframe(
            cells(page_rows.assign(
                strategy=[None if pd.isna(n) else f"{n} {v}" for n, v in zip(page_rows.strategy_name, page_rows.strategy_version)],
                model=[None if pd.isna(n) else f"{n} {v}" for n, v in zip(page_rows.model_name, page_rows.model_version)])),
            hide_index=True, width="stretch", placeholder="—", on_select="rerun", selection_mode="single-row",
            key=f"trades_table_{table_key:x}",
            # what a reader needs fits 1366 x 768; the rest opens from the toolbar (ui/tables.on_demand)
            column_order=["created_at", "trade_id", "side", "market_ticker", "strategy", "model", "price", "quantity",
                          "execution_mode", "fees", "edge_at_execution", "platform_id", "position_id"],
            column_config={
                "created_at": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                "trade_id": st.column_config.NumberColumn("Trade", format="%d"),
                "side": "Side",
                "market_ticker": st.column_config.TextColumn("Market", width=200),
                "strategy": "Strategy version",
                "model": "Model version",
                "price": st.column_config.NumberColumn("Price", format="%.4f"),
                "quantity": st.column_config.NumberColumn("Qty", format="%d"),
                "fees": on_demand(st.column_config.NumberColumn("Fees", format="%.4f")),
                "edge_at_execution": on_demand(st.column_config.NumberColumn("Edge at entry", format="%.4f")),
                "platform_id": on_demand("Platform"),
                "execution_mode": "Mode",
                "position_id": on_demand(st.column_config.NumberColumn("Position", format="%d")),
            },
        )
        # A selection opens its trade once; after that the URL says which trade is open (a link
        # or Close may change it while the row stays selected).
        picked = table.selection.rows
        picked_id = int(page_rows.trade_id.iloc[picked[0]]) if picked else None
        if picked_id is not None and picked_id != state.get("trades_last_pick"):
            trade_id = picked_id
        state.trades_last_pick = picked_id

        pager = st.container(horizontal=True)
        pager.button("Newest", key="trades_page_newest", icon=":material/first_page:",
                     disabled=start_id is None, on_click=go_to, args=(None,))
        pager.button("Newer", key="trades_page_newer", icon=":material/chevron_left:",
                     disabled=start_id is None, on_click=go_to,
                     args=(None if start_id is None else trades.previous_start(filters, start_id),))
        pager.button("Older", key="trades_page_older", icon=":material/chevron_right:",
                     disabled=not has_older, on_click=go_to,
                     args=(int(rows.trade_id.iloc[-1]) if has_older else None,))
        pager.space("stretch")
        pager.download_button(
            "Download CSV", data=lambda: trades.csv_export(filters),
            file_name=f"trades_{filters.first_day}_{filters.last_day}.csv", mime="text/csv",
            on_click="ignore", key="trades_csv", icon=":material/download:",
            help=f"Every matching trade ({how_many.lower()}), not only this page, read from the database when you click.")

url_state.write(trade=trade_id)


# ------------------------------------------------------------------------------------------------
# One trade, followed to everything behind it
# ------------------------------------------------------------------------------------------------
def fields(pairs: list[tuple[str, object]]) -> None:
    """A two-column table of labels and values: database text is shown as text, never markup."""
    st.dataframe(cells(pd.DataFrame({"Field": [k for k, _ in pairs],
                               "Value": ["—" if v is None or (not isinstance(v, (dict, list)) and pd.isna(v))
                                         else str(v) for _, v in pairs]})),
                 hide_index=True, width="stretch")


def close_trade() -> None:
    url_state.write(trade=None)
    st.session_state.trades_table_generation = st.session_state.get("trades_table_generation", 0) + 1


if trade_id is not None:
    trade = trades.detail(trade_id)
    st.divider()
    if trade is None:
        st.warning(f"There is no trade #{trade_id}; it may have been mistyped in the link.",
                   icon=":material/link_off:")
    else:
        title_column, close_column = st.columns([5, 1])
        title_column.subheader(f"Trade #{trade.trade_id}: {trade.side} {trade.quantity} at {trade.price:.4f}")
        title_column.text(plain(f"{trade.market_ticker or trade.market_id} · {trade.market_title or ''}"))
        close_column.button("Close", key="trades_close_detail", icon=":material/close:", on_click=close_trade,
                            width="stretch")

        strategy_column, model_column, edge_column = st.columns(3)
        with strategy_column:
            st.markdown("**Strategy version**")
            if pd.isna(trade.strategy_id):
                st.info("This trade names no strategy.")
            else:
                st.text(plain(f"{trade.strategy_name} {trade.strategy_version} (#{trade.strategy_id}, {trade.strategy_status})"))
                st.json(plain_json(trade.strategy_config), expanded=True)
        with model_column:
            st.markdown("**Model version**")
            if pd.isna(trade.model_id):
                st.info("This trade names no model.")
            else:
                st.text(plain(f"{trade.model_name} {trade.model_version} (#{trade.model_id}, {trade.model_status})"))
                st.json(plain_json(trade.model_config), expanded=True)
        with edge_column:
            st.markdown("**Edge that triggered it**")
            if pd.isna(trade.edge_id):
                st.info("No edge is recorded for this trade or its position's entry.")
            else:
                if trade.edge_from_entry:
                    st.caption("An exit carries no edge of its own: this is the edge of its position's entry trade.")
                fields([
                    ("Edge id", int(trade.edge_id)),
                    ("Edge (EV per contract)", f"{trade.edge_expected_value:.4f}"),
                    ("Model P(yes)", f"{trade.edge_true_win_probability:.4f}"),
                    ("Market price (yes)", f"{trade.edge_market_price:.4f}"),
                    ("Market-implied P(yes)", f"{trade.edge_market_implied_probability:.4f}"),
                    ("Confidence", trade.edge_confidence_level),
                    ("Recommended action", trade.edge_recommended_action),
                    ("Computed at (UTC)", f"{trade.edge_created_at:%Y-%m-%d %H:%M:%S}"),
                    ("Still the current edge", "yes" if trade.edge_is_current else "no"),
                    ("Edge recorded on the trade", None if pd.isna(trade.edge_at_execution)
                     else f"{trade.edge_at_execution:.4f}"),
                ])

        trade_column, position_column = st.columns([1, 2])
        with trade_column:
            st.markdown("**The trade**")
            fields([
                ("Time (UTC)", f"{trade.created_at:%Y-%m-%d %H:%M:%S}"),
                ("Platform", trade.platform_id), ("Mode", trade.execution_mode),
                ("Order", f"{trade.order_type or '—'} · {trade.time_in_force or '—'}"),
                ("Fees", format_money(trade.fees, 4)),   # a table: the ledger's exact value
                ("Method", None if pd.isna(trade.method_name) else f"{trade.method_name} {trade.method_version}"),
                ("Order id", trade.order_id), ("Platform trade id", trade.external_trade_id),
            ])
        with position_column:
            if pd.isna(trade.position_id):
                st.markdown("**Position**")
                st.info("This trade belongs to no position.")
            else:
                position_id = int(trade.position_id)
                held = trades.position(position_id)
                st.markdown(f"**Position #{position_id}**")
                if held is not None:
                    st.text(plain(
                        f"{held.status} · holds {held.quantity} {held.side.upper()} contracts · entry "
                        f"{held.entry_price:.4f} · realized P&L {format_money(held.realized_pnl)} · "
                        f"unrealized {format_money(held.unrealized_pnl)} · opened {held.opened_at:%Y-%m-%d %H:%M} UTC"
                        + ("" if pd.isna(held.exit_reason) else f" · exit reason {held.exit_reason}")))
                exits = trades.position_exits(position_id)
                st.caption(f"Exits ({len(exits)})")
                if exits.empty:
                    st.text("No exit yet.")
                else:
                    st.dataframe(
                        cells(exits), hide_index=True, width="stretch", key="trades_detail_exits", placeholder="—",
                        column_config={
                            "exit_id": st.column_config.NumberColumn("Exit", format="%d"),
                            "created_at": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                            "exit_condition": "Condition", "exit_priority": "Priority",
                            "quantity_exited": st.column_config.NumberColumn("Qty", format="%d"),
                            "exit_price": st.column_config.NumberColumn("Price", format="%.4f"),
                            "unrealized_pnl_at_exit": st.column_config.NumberColumn("Unrealized P&L then ($)", format="%.4f"),
                        })
                position_trades = trades.position_trades(position_id)
                st.caption(f"Trades of this position ({len(position_trades)})")
                st.dataframe(
                    cells(position_trades), hide_index=True, width="stretch", key="trades_detail_position_trades", placeholder="—",
                    column_config={
                        "trade_id": st.column_config.NumberColumn("Trade", format="%d"),
                        "created_at": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                        "side": "Side",
                        "price": st.column_config.NumberColumn("Price", format="%.4f"),
                        "quantity": st.column_config.NumberColumn("Qty", format="%d"),
                        "fees": st.column_config.NumberColumn("Fees ($)", format="%.4f"),
                        "edge_at_execution": st.column_config.NumberColumn("Edge", format="%.4f"),
                        "order_type": "Order", "reason": "Reason",
                    })

        # Full width below the position: at 1366 its columns do not fit beside the trade.
        if not pd.isna(trade.position_id):
            st.caption("Execution against the decision: each order of this position against the price it "
                       "was decided at (an entry: the held contract's price on its edge; an exit order: the "
                       "price when its first attempt was placed), per contract, + = it cost us. This trade's "
                       "order is ticked.")
            execution = ex.mark_trade(ex.with_slippage(trades.position_slippage(int(trade.position_id))), int(trade.trade_id),
                                      trade.side, trade.price, int(trade.quantity), trade.created_at)
            if execution.empty:
                st.text("No order of this position has a decision price (its entry names no edge).")
            else:
                st.dataframe(
                    cells(execution), hide_index=True, width="stretch", key="trades_detail_execution",
                    placeholder="—",
                    column_order=["this_trade", "kind", "decided_at", "order_type", "exit_condition",
                                  "decision_price", "fill_price", "quantity", "slippage_cents", "slippage_cost"],
                    column_config={
                        "this_trade": st.column_config.CheckboxColumn("This trade", width="small"),
                        "kind": "Order",
                        "decided_at": st.column_config.DatetimeColumn("Decided (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                        "order_type": "Type", "exit_condition": "Exit condition",
                        "decision_price": st.column_config.NumberColumn("Decision", format="%.4f"),
                        "fill_price": st.column_config.NumberColumn("Fill", format="%.4f"),
                        "quantity": st.column_config.NumberColumn("Qty", format="%d"),
                        "slippage_cents": st.column_config.NumberColumn("Slippage (¢)", format="%.2f"),
                        "slippage_cost": st.column_config.NumberColumn("Cost ($)", format="%.4f"),
                    })
