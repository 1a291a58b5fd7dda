"""Current edges: where the models see value right now, and whether the edges we traded lasted."""
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from analytics import edges as edge_stats
from analytics.freshness import age, describe_age
from queries import edges
from ui import charts, summaries, url_state
from ui.text import cells, plain
from ui.url_state import UrlState
from ui.shell import run_inside_app

run_inside_app()

st.title("Current edges")
st.caption(
    "The latest edge of each market × strategy version × model version, on markets that are still "
    "open. A settled market's last edge is history, not an opportunity, so it is not listed here."
)

options = edges.filter_options()
strategy_names = sorted(options[options.kind == "strategy"].name.unique())
model_names = sorted(options[options.kind == "model"].name.unique())
platforms = list(options[options.kind == "platform"].name)
sports = list(options[options.kind == "sport"].name)

# The URL is the page's state: read it (never trusting it), seed the widgets, write it back below.
link = UrlState()
from_url = {
    "edges_min_ev": float(link.parsed("min_ev", edge_stats.parse_threshold, "a number between -1 and 1",
                                      edges.DEFAULT_MIN_EV)),
    "edges_confidence": link.texts("confidence", edges.CONFIDENCE_LEVELS),
    "edges_action": link.texts("action", edges.ACTIONS),
    "edges_sport": link.texts("sport", sports),
    "edges_platform": link.texts("platform", platforms),
    "edges_strategy": link.text("strategy", strategy_names),
    "edges_model": link.text("model", model_names),
    "edges_decay_window": link.text("decay_window", edge_stats.DECAY_WINDOWS, edge_stats.DEFAULT_DECAY_WINDOW),
}
for key, value in from_url.items():
    st.session_state.setdefault(key, value)
link.show_problems()

threshold_column, confidence_column, action_column, sport_column = st.columns(4)
threshold_column.number_input(
    "Minimum edge (EV per contract)", min_value=-1.0, max_value=1.0, step=0.01, format="%.4f",
    key="edges_min_ev", help="Expected value per contract, in dollars (prices are in [0, 1]).")
confidence_column.multiselect("Confidence", edges.CONFIDENCE_LEVELS, key="edges_confidence", placeholder="Any")
action_column.multiselect("Recommended action", edges.ACTIONS, key="edges_action", placeholder="Any",
                          format_func=lambda a: a.replace("_", " "))
sport_column.multiselect("Sport / category", sports, key="edges_sport", placeholder="Any", format_func=plain)
platform_column, strategy_column, model_column, _ = st.columns(4)
platform_column.multiselect("Platform", platforms, key="edges_platform", placeholder="Any", format_func=plain)
strategy_column.selectbox("Strategy", strategy_names, key="edges_strategy", placeholder="Any", format_func=plain)
model_column.selectbox("Model", model_names, key="edges_model", placeholder="Any", format_func=plain)

filters = edges.EdgeFilters(
    min_ev=edge_stats.parse_threshold(f"{st.session_state.edges_min_ev:.4f}"),
    confidence=tuple(st.session_state.edges_confidence),
    actions=tuple(st.session_state.edges_action),
    sports=tuple(st.session_state.edges_sport),
    platforms=tuple(st.session_state.edges_platform),
    strategy_name=st.session_state.edges_strategy,
    model_name=st.session_state.edges_model,
)
url_state.write(
    min_ev=None if filters.min_ev == edges.DEFAULT_MIN_EV else str(filters.min_ev),
    confidence=list(filters.confidence), action=list(filters.actions), sport=list(filters.sports),
    platform=list(filters.platforms), strategy=filters.strategy_name, model=filters.model_name,
    decay_window=None if st.session_state.edges_decay_window == edge_stats.DEFAULT_DECAY_WINDOW
    else st.session_state.edges_decay_window,
)

summary = edges.summary(filters)
total = summary[summary.part == "total"].iloc[0]
count_metric, markets_metric, best_metric, newest_metric = st.columns(4)
count_metric.metric(f"Edges at or above {filters.min_ev:.4f}", int(total.edges))
markets_metric.metric("Open markets with such an edge", int(total.markets))
best_metric.metric("Best edge", "—" if pd.isna(total.max_ev) else f"{total.max_ev:.4f}")
newest_quote = None if pd.isna(total.newest_quote_at) else total.newest_quote_at
newest_metric.metric("Newest quote", describe_age(age(newest_quote, total.database_now)))

rows = edges.current(filters)
if rows.empty:
    st.info(f"No current edge on an open market reaches {filters.min_ev:.4f} with these filters; "
            "lower the minimum edge or widen the filters.", icon=":material/filter_alt_off:")
else:
    if int(total.edges) > len(rows):
        st.caption(f"The best {len(rows):,} of {int(total.edges):,} edges, by edge.")
    st.dataframe(
        cells(edge_stats.current_edges_shown(rows)), hide_index=True, width="stretch", key="edges_table",
        placeholder="—",
        column_order=["market_title", "side", "expected_value", "true_win_probability", "market_price",
                      "strategy", "model"]
        + (["market_ticker", "confidence_level", "recommended_action", "sport", "platform_id", "quoted_at"]
           if st.session_state.get("edges_every_column") else []),
        column_config={
            "market_title": st.column_config.TextColumn("Question", pinned=True, width=318),
            "side": st.column_config.TextColumn("Buy", width=45, help="The side the edge is on"),
            "expected_value": st.column_config.NumberColumn("Edge (EV)", format="%+.4f", width=72),
            "true_win_probability": st.column_config.NumberColumn("Model P(yes)", format="%.4f", width=88),
            "market_price": st.column_config.NumberColumn("YES price", format="%.4f", width=70),
            "market_ticker": st.column_config.TextColumn("Market", width=150),
            "strategy": st.column_config.TextColumn("Strategy", width=140),
            "model": st.column_config.TextColumn("Model", width=135),
            "sport": "Sport",
            "platform_id": "Platform",
            "confidence_level": "Confidence",
            "recommended_action": "Action",
            "quoted_at": st.column_config.DatetimeColumn("Quoted at (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        },
    )
    st.caption("**Buy** is the side the edge is on: YES when the model's P(yes) is above the YES price, NO when it "
               "is below (then NO, at about 1 − the YES price, is the cheap side). The edge is the expected value "
               "per contract of buying that side, as the strategy computed it.")
    st.toggle("Every column", key="edges_every_column",
              help="Market ticker, confidence, recommended action, sport, platform and when the edge was quoted.")

distribution_column, versions_column = st.columns(2)
with distribution_column:
    st.subheader("Distribution of edges")
    distribution = edge_stats.ev_distribution(summary)
    if distribution.empty:
        st.info("No open market has a current edge with these filters.")
    else:
        tallest = distribution.groupby("ev_bucket").edges.sum().max()
        chart = charts.bars(
            distribution, x="ev_mid", y="edges", color="threshold", hover={"ev_mid": False, "ev_bucket": ":.2f"},
            labels={"ev_mid": "Edge (EV per contract, 0.01 buckets)", "ev_bucket": "Bucket from",
                    "edges": "Current edges", "threshold": ""},
            colors={edge_stats.ABOVE: "#1f77b4", edge_stats.BELOW: "#c7c7c7"},
            traces={"width": edge_stats.BUCKET_WIDTH * 0.9},
            barmode="stack", margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", y=1.12),
            yaxis=dict(dtick=float(max(1, -(-tallest // 6)))),  # whole edges on the axis
            shapes=[charts.vertical_line(float(filters.min_ev), "#d62728", dash="dash")],
        )
        st.plotly_chart(chart, width="stretch", key="edges_distribution_chart")
with versions_column:
    st.subheader("Edges by strategy and model version")
    versions = edge_stats.by_version(summary)
    if versions.empty:
        st.info(f"No strategy version has an edge at or above {filters.min_ev:.4f} right now.")
    else:
        chart = charts.bars(
            versions, x="edges", y="strategy", color="model", horizontal=True,
            hover={"markets": True, "mean_ev": ":.4f", "max_ev": ":.4f"},
            labels={"edges": "Edges at or above the threshold", "strategy": "Strategy version",
                    "model": "Model version", "mean_ev": "Mean edge", "max_ev": "Best edge"},
            margin=dict(l=0, r=0, t=10, b=0), yaxis=dict(categoryorder="total ascending"),
            legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
        )
        st.plotly_chart(chart, width="stretch", key="edges_versions_chart")

st.subheader("Edge decay: did the edges we traded last?")
st.segmented_control("Entries made in", list(edge_stats.DECAY_WINDOWS), key="edges_decay_window",
                     format_func=lambda w: edge_stats.DECAY_WINDOWS[w][0], required=True)
window = st.session_state.edges_decay_window
decay = edges.decay(edge_stats.window_start(window, datetime.now(timezone.utc).date()),
                    filters.strategy_name, filters.model_name, filters.sports, filters.platforms)
if decay.empty:
    st.info(f"No edge traded {edge_stats.DECAY_WINDOWS[window][1]} on a market that has closed matches these "
            "filters, so there is no decay to show.")
else:
    retained = edge_stats.retained_share(decay)
    st.caption(
        f"{int(decay.traded_edges.sum()):,} entry trades made {edge_stats.DECAY_WINDOWS[window][1]} on markets that "
        "have closed: the edge that triggered "
        "each trade against the last edge the same strategy and model version computed before the "
        "market closed, by time from entry to close. Strategy, model, sport and platform filters apply."
        + ("" if retained is None else f" Overall {retained:.0%} of the entry edge was still there at the close.")
    )
    long = edge_stats.decay_long(decay)
    chart = charts.lines(
        long, x="time_to_expiry", y="mean_edge", color="moment", markers=True,
        hover={"traded_edges": True, "mean_edge": ":.4f"},
        labels={"time_to_expiry": "Time to expiry at entry", "mean_edge": "Mean edge (EV per contract)",
                "moment": "Edge", "traded_edges": "Trades"},
        colors={edge_stats.AT_ENTRY: "#1f77b4", edge_stats.AT_CLOSE: "#ff7f0e"},
        height=360, margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", y=1.12),
        shapes=[charts.horizontal_line(0, "#999999", width=1)],
    )
    st.plotly_chart(chart, width="stretch", key="edges_decay_chart")
    summaries.caption_for(decay.attrs.get("computed_at"), "edge_decay_facts")
    st.dataframe(
        cells(decay), hide_index=True, width="stretch", key="edges_decay_table", placeholder="—",
        column_order=["bucket_label", "traded_edges", "mean_entry_edge", "mean_close_edge",
                      "median_entry_edge", "median_close_edge", "share_still_positive"],
        column_config={
            "bucket_label": "Time to expiry at entry",
            "traded_edges": "Trades",
            "mean_entry_edge": st.column_config.NumberColumn("Mean edge at entry", format="%.4f"),
            "mean_close_edge": st.column_config.NumberColumn("Mean edge at close", format="%.4f"),
            "median_entry_edge": st.column_config.NumberColumn("Median at entry", format="%.4f"),
            "median_close_edge": st.column_config.NumberColumn("Median at close", format="%.4f"),
            "share_still_positive": st.column_config.NumberColumn("Still positive at close", format="percent"),
        },
    )
