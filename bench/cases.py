"""The questions the benchmark asks: for every page, the queries/ functions the page calls on its
first draw with its default filters and with two other typical filter sets, and beside each the
same question asked (a) with the seed's "Query Patterns" SQL where the seed has one, (b) by a
naive dashboard (whole views into pandas, filtered there) and (c) at the floor.

The page functions are called undecorated (`.__wrapped__`), so the database answers every call,
never Streamlit's cache. `record_statements()` captures the (query file, parameters) pairs a page
call sends, which gives the floor's default (the page's own statement, timed inside the server)
and the statements tests/test_query_plans.py explains.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Iterator

import pandas as pd

from analytics import ab_positions
from analytics.exits import MONITOR_SECONDS
from queries import ab, alerts, audit, edges, exits, models, overview, stored_answers, trades, versions


@dataclass
class Question:
    """One page drawn with one filter set."""

    page: str
    filters: str
    calls: list[Callable[[], Any]]
    # (label, SQL with %(name)s parameters, parameters): the seed's pattern for the same question.
    seed: list[tuple[str, str, dict]] = field(default_factory=list)
    # A naive dashboard: reads whole views through `read(sql)` (a DataFrame) and filters in pandas.
    naive: Callable[[Callable[[str], pd.DataFrame]], Any] | None = None
    # query file name -> (SQL with %(name)s parameters, parameters): a leaner statement for the same
    # rows than the page's own; every other statement's floor is the page's own SQL.
    floor: dict[str, tuple[str, dict]] = field(default_factory=dict)
    # Page queries the floor leaves out (they answer nothing the page shows with these filters).
    floor_skip: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.page} / {self.filters}"


# ------------------------------------------------------------------------------------------------
# Recording the statements a page call sends
# ------------------------------------------------------------------------------------------------
PAGE_MODULES = (ab, alerts, audit, edges, exits, models, overview, stored_answers, trades, versions)


class Statements(list):
    """(query file name, parameters) pairs in the order sent; `bulk` names the files read through
    fetch_bulk (COPY as CSV) rather than as rows."""

    def __init__(self):
        super().__init__()
        self.bulk: set[str] = set()


@contextlib.contextmanager
def record_statements() -> Iterator[Statements]:
    """Within the block, every fetch/fetch_bulk/fetch_primary of the page query modules is recorded
    as (query file name, parameters) and still runs."""
    recorded = Statements()
    patched = []
    for module in PAGE_MODULES:
        for attr in ("fetch", "fetch_bulk", "fetch_primary"):
            original = getattr(module, attr, None)
            if original is None:
                continue

            def recording(name, _original=original, _bulk=attr == "fetch_bulk", **params):
                recorded.append((name, dict(params)))
                if _bulk:
                    recorded.bulk.add(name)
                return _original(name, **params)

            setattr(module, attr, recording)
            patched.append((module, attr, original))
    try:
        yield recorded
    finally:
        for module, attr, original in patched:
            setattr(module, attr, original)


def run_page(question: Question) -> None:
    for call in question.calls:
        call()


# ------------------------------------------------------------------------------------------------
# The questions
# ------------------------------------------------------------------------------------------------
def _u(cached):
    """The function under st.cache_data."""
    return cached.__wrapped__


def questions(today: date | None = None) -> list[Question]:
    """Every page with its default filters and two typical others, resolved against the data
    (default model, default strategy, its versions) the way the pages resolve them."""
    today = today or datetime.now(timezone.utc).date()
    midnight = datetime.combine(today, time.min)
    return [*_overview(), *_models(), *_ab(today), *_exits(midnight), *_alerts(), *_edges(today),
            *_trades(today), *_audit()]


def _overview() -> list[Question]:
    seed_pnl = """
        SELECT p.*, c.total_cost, p.quantity * m.yes_price - c.total_cost AS unrealized_pnl,
               p.trailing_stop_state->>'enabled' AS trailing_stop_enabled,
               p.trailing_stop_state->>'current_stop' AS current_stop_price
        FROM positions p
        JOIN LATERAL (SELECT SUM(t.quantity * t.price) AS total_cost FROM trades t
                      WHERE t.position_id = p.position_id) c ON true
        JOIN markets m ON p.market_id = m.market_id AND m.row_current_ind = TRUE
        WHERE p.row_current_ind = TRUE AND p.status = 'open'"""

    def naive(read):
        positions = read("SELECT * FROM positions")
        current = positions[positions.row_current_ind]
        open_ = current[current.status == "open"]
        closed = current[current.status.isin(["closed", "settled"])]
        daily = closed.groupby([closed.created_at.dt.date, "execution_mode"]).realized_pnl.sum()
        alerts_ = read("SELECT * FROM alerts")
        unresolved = alerts_[alerts_.resolved_at.isna() & ~alerts_.suppressed].groupby("severity").size()
        balances = read("SELECT * FROM current_balances")
        return len(open_), open_.unrealized_pnl.sum(), daily.sum(), unresolved.sum(), len(balances)

    calls = [_u(audit.counts), _u(overview.kpis), _u(overview.realized_pnl_by_day), _u(overview.unresolved_alerts),
             _u(overview.balances)]
    return [Question("Overview", "default (the page has no filters)", calls,
                     seed=[("Get Position P&L (corrected)", seed_pnl, {})], naive=naive)]


def _models() -> list[Question]:
    names = _u(models.model_names)().model_name.tolist()
    first, second = names[0], names[1 % len(names)]

    def page(model: str, n_bins: int, binning: str, tab: str = "Compare") -> list[Callable]:
        """What the page reads with `tab` open (only the open tab is drawn)."""
        now = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
        calls = [_u(models.model_names), lambda: _u(models.versions)(model)]
        if tab == "Compare":  # its metrics table holds validation, calibration and trading metrics; then the
            # versions compared pair by pair on shared markets
            calls += [lambda: _u(versions.version_results)(model_name=model), lambda: _u(models.training_runs)(model),
                      lambda: _u(models.paired_scores)(model), lambda: _u(models.calibration_bins)(model, n_bins, binning)]
        elif tab == "Calibration":
            calls += [lambda: _u(models.calibration_bins)(model, n_bins, binning)]
        elif tab == "History":
            calls += [lambda: _u(versions.timeline)("model", model), lambda: _u(versions.as_of)("model", model, now)]
        elif tab == "Admin actions":
            calls += [lambda: _u(models.rollback_plan)(model)]
        return calls

    seed_sql = """
        SELECT pm.model_name, pm.model_version, pm.validation_accuracy, pm.validation_calibration,
               COUNT(t.trade_id) AS live_trades
        FROM probability_models pm LEFT JOIN trades t ON pm.model_id = t.model_id
        WHERE pm.model_name = %(model)s GROUP BY pm.model_id ORDER BY pm.model_version DESC"""

    def naive(model: str):
        def run(read):
            # Calibration the naive way: every edge of every model into pandas (in chunks, so
            # memory stays bounded), keep this model's last edge before each market settled.
            versions_ = read("SELECT * FROM probability_models")
            ids = set(versions_[versions_.model_name == model].model_id)
            settled = read("SELECT * FROM markets")
            settled = settled[settled.status == "settled"].groupby("market_id").created_at.min()
            kept = []
            for chunk in read("SELECT model_id, market_id, created_at, edge_id, true_win_probability, "
                              "market_implied_probability FROM edges", chunks=True):
                chunk = chunk[chunk.model_id.isin(ids)]
                chunk = chunk[chunk.market_id.isin(settled.index)]
                kept.append(chunk[chunk.created_at < chunk.market_id.map(settled)])
            last = pd.concat(kept).sort_values(["created_at", "edge_id"]).groupby(["model_id", "market_id"]).tail(1)
            trades_ = read("SELECT * FROM trades")
            return len(last), len(trades_[trades_.model_id.isin(ids)])
        return run

    return [
        Question("Model versions", f"default ({first}, 10 uniform bins)", page(first, 10, "uniform"),
                 seed=[("Compare Model Performance", seed_sql, {"model": first})], naive=naive(first)),
        # The naive calibration reads every edge (minutes at ten years): timed for the default only.
        Question("Model versions", f"{second}, 10 uniform bins", page(second, 10, "uniform"),
                 seed=[("Compare Model Performance", seed_sql, {"model": second})]),
        Question("Model versions", f"{first}, Calibration tab, 20 quantile bins",
                 page(first, 20, "quantile", "Calibration"),
                 seed=[("Compare Model Performance", seed_sql, {"model": first})]),
        Question("Model versions", f"{first}, History tab", page(first, 10, "uniform", "History")),
        Question("Model versions", f"{first}, Admin actions tab", page(first, 10, "uniform", "Admin actions")),
    ]


def _ab(today: date) -> list[Question]:
    catalog = _u(ab.strategy_versions)()
    names = list(dict.fromkeys(catalog.strategy_name))
    by_name = {n: catalog[catalog.strategy_name == n] for n in names}
    default = next((n for n in names if len(by_name[n]) > 1), names[0])
    other = next((n for n in names if n != default and len(by_name[n]) > 1), default)
    until = datetime.combine(today + timedelta(days=1), time.min)

    def page(name: str, since: datetime | None, mode: str, lifecycle_at: datetime | None = None) -> list[Callable]:
        ids = [int(i) for i in by_name[name].strategy_id]
        since = since or datetime.combine(by_name[name].created_at.min().date(), time.min)
        # one read of the closed positions and the page's numbers from it (analytics/ab_positions.py),
        # with each position's segments for the verdict by segment (analytics/ab_segments.py);
        # the versions' trading periods set the default dates
        calls = [_u(ab.strategy_versions), lambda: _u(ab.trading_periods)(ids),
                 lambda: ab_positions.results(ab.closed_positions(ids, since, until),
                                              segments=ab.position_segments(ids, since, until)),
                 lambda: _u(ab.roi_check)(ids), _u(ab.model_versions)]
        if lifecycle_at is not None:  # the lifecycle expander open (ui/lifecycle.py)
            calls += [lambda: _u(versions.timeline)("strategy", name),
                      lambda: _u(versions.as_of)("strategy", name, lifecycle_at)]
        return calls

    seed_sql = """
        SELECT s.strategy_name, s.strategy_version, s.config, COUNT(t.trade_id) AS trades,
               AVG(t.price) AS avg_price, s.paper_roi
        FROM strategies s LEFT JOIN trades t ON s.strategy_id = t.strategy_id
        WHERE s.strategy_name = %(name)s GROUP BY s.strategy_id ORDER BY s.strategy_version DESC"""

    def naive(name: str, since: datetime | None, mode: str):
        def run(read):
            strategies = read("SELECT * FROM strategies")
            ids = set(strategies[strategies.strategy_name == name].strategy_id)
            trades_ = read("SELECT * FROM trades")
            positions = read("SELECT * FROM positions")
            current = positions[positions.row_current_ind & positions.status.isin(["closed", "settled"])]
            if since is not None:
                current = current[current.created_at >= since]
            buys = trades_[(trades_.side == "buy")].sort_values(["created_at", "trade_id"])
            opening = buys.groupby("position_id").head(1)
            opening = opening[opening.strategy_id.isin(ids)]
            cost = buys.assign(cost=buys.price * buys.quantity).groupby("position_id").cost.sum()
            closed = current.merge(opening[["position_id", "strategy_id"]], on="position_id")
            closed = closed[closed.execution_mode == mode]
            closed["ret"] = closed.realized_pnl.astype(float) / closed.position_id.map(cost).astype(float)
            return closed.groupby("strategy_id").ret.agg(["count", "sum", "mean"])
        return run

    month_ago = datetime.combine(today - timedelta(days=30), time.min)
    return [
        Question("Strategy A/B", f"default ({default}, all versions, since first version, live)",
                 page(default, None, "live"), seed=[("A/B Test Strategy Versions", seed_sql, {"name": default})],
                 naive=naive(default, None, "live")),
        Question("Strategy A/B", f"{other}, all dates, paper", page(other, None, "paper"),
                 seed=[("A/B Test Strategy Versions", seed_sql, {"name": other})], naive=naive(other, None, "paper")),
        Question("Strategy A/B", f"{default}, last 30 days, live", page(default, month_ago, "live"),
                 seed=[("A/B Test Strategy Versions", seed_sql, {"name": default})],
                 naive=naive(default, month_ago, "live")),
        Question("Strategy A/B", f"{default}, lifecycle at a moment a month ago",
                 page(default, None, "live", lifecycle_at=month_ago + timedelta(hours=12))),
    ]


def _exits(midnight: datetime) -> list[Question]:
    options = _u(exits.filter_options)()
    strategy_id = int(options[options.kind == "strategy"].value.iloc[0])

    def page(tab: str, **filters) -> list[Callable]:
        """The page with `filters` and `tab` open: only the open tab is drawn."""
        calls = [_u(exits.filter_options)]
        if tab == "Breakdown":
            return calls + [lambda: _u(exits.breakdown)(**filters), lambda: _u(exits.steps)(**filters)]
        if tab == "Open positions":
            return calls + [lambda: _u(exits.open_positions)(MONITOR_SECONDS, **filters)]
        if tab == "Open at a moment":
            at = filters.pop("at")
            return calls + [lambda: _u(exits.open_at)(at, **filters)]
        if tab == "Reconciliation":
            return calls + [lambda: _u(exits.reconciliation)(**filters)]
        if tab == "Execution":
            return calls + [lambda: _u(exits.slippage)(**filters), lambda: _u(exits.slippage_ledger)(**filters)]
        if tab == "MAE / MFE":
            return calls + [lambda: _u(exits.excursions)(**filters), lambda: _u(exits.excursion_points)(**filters)]
        return calls + [lambda: _u(exits.walking)(**filters), lambda: _u(exits.fill_rate)(**filters),
                        lambda: _u(exits.never_filled)(**filters)]

    def naive(tab: str, since: datetime | None, strategy: int | None, condition: str | None):
        def run(read):
            attempts = read("SELECT * FROM exit_attempts")
            if tab == "Price walking":
                if since is not None:
                    attempts = attempts[attempts.created_at >= since]
                if condition is not None:
                    attempts = attempts[attempts.exit_condition == condition]
                if strategy is not None:
                    attempts = attempts.merge(opening_versions(read), on="position_id")
                    attempts = attempts[attempts.strategy_id == strategy]
                return attempts.groupby("priority_level").success.mean()
            exits_ = read("SELECT * FROM position_exits")
            positions = read("SELECT * FROM positions")
            current = positions[positions.row_current_ind].merge(opening_versions(read), on="position_id", how="left")
            rows = exits_.merge(current, on="position_id", suffixes=("", "_position"))
            if since is not None:
                rows = rows[rows.created_at >= since]
            if strategy is not None:
                rows = rows[rows.strategy_id == strategy]
            if condition is not None:
                rows = rows[rows.exit_condition == condition]
            rows["pnl"] = (rows.exit_price - rows.entry_price) * rows.quantity_exited
            return (rows.groupby(["exit_condition", "exit_priority"]).pnl.agg(["count", "sum"]),
                    rows.groupby("position_id").size().value_counts())
        return run

    def opening_versions(read) -> pd.DataFrame:
        """Each position's opening buy: the strategy and model versions the page filters by."""
        trades_ = read("SELECT * FROM trades")
        opening = trades_[trades_.side == "buy"].sort_values(["created_at", "trade_id"]).groupby("position_id").head(1)
        return opening[["position_id", "strategy_id", "model_id"]]

    month_ago = midnight - timedelta(days=30)
    return [
        Question("Position exits", "default (Breakdown tab: all time, no filters)", page("Breakdown"),
                 naive=naive("Breakdown", None, None, None)),
        Question("Position exits", "Breakdown tab, last 30 days", page("Breakdown", since=month_ago),
                 naive=naive("Breakdown", month_ago, None, None)),
        Question("Position exits", f"Price walking tab, strategy version {strategy_id}, stop_loss, all time",
                 page("Price walking", strategy_id=strategy_id, exit_condition="stop_loss"),
                 naive=naive("Price walking", None, strategy_id, "stop_loss")),
        # The two tabs that ignore dates, condition and priority; no naive or seed counterpart.
        Question("Position exits", f"Open positions tab, strategy version {strategy_id}",
                 page("Open positions", platform=None, strategy_id=strategy_id, model_id=None)),
        Question("Position exits", "Reconciliation tab (every position)",
                 page("Reconciliation", platform=None, strategy_id=None, model_id=None)),
        # Execution quality and how far positions ran (#24): summaries order_slippage and exit_excursions;
        # without filters the grouped answers are stored, with any filter they are computed.
        Question("Position exits", "Execution tab (all time, no filters)", page("Execution")),
        Question("Position exits", f"Execution tab, strategy version {strategy_id}, last 30 days",
                 page("Execution", since=month_ago, strategy_id=strategy_id)),
        Question("Position exits", "MAE / MFE tab (all time, no filters)", page("MAE / MFE")),
        Question("Position exits", "MAE / MFE tab, stop_loss, all time",
                 page("MAE / MFE", exit_condition="stop_loss")),
        Question("Position exits", "Open at a moment tab, a month ago (every position)",
                 page("Open at a moment", at=month_ago + timedelta(hours=12), platform=None, strategy_id=None,
                      model_id=None)),
    ]


def _alerts() -> list[Question]:
    def page(filters: alerts.QueueFilters | None, weeks: int | None = None) -> list[Callable]:
        """The Queue tab with `filters`, or (filters None) the Response metrics tab over `weeks`:
        only the open tab is drawn."""
        calls = [_u(alerts.filter_options), _u(alerts.open_critical)]
        if filters is not None:
            def queue_and_money():  # the money at risk behind the groups the queue returned (#24)
                frame = _u(alerts.queue)(filters)
                return frame, _u(alerts.money_at_risk)(tuple(int(a) for ids in frame.alert_ids for a in ids))
            return calls + [queue_and_money]
        return calls + [lambda: _u(alerts.response_times)(weeks), lambda: _u(alerts.response_percentiles)(weeks, "severity"),
                        lambda: _u(alerts.false_positives)(weeks), lambda: _u(alerts.open_over_time)(weeks)]

    def naive(severities: tuple[str, ...], hours: int | None):
        def run(read):
            all_ = read("SELECT * FROM alerts")
            rows = all_[all_.resolved_at.isna()]
            if severities:
                rows = rows[rows.severity.isin(severities)]
            if hours:
                rows = rows[rows.triggered_at >= datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=hours)]
            return rows.groupby(rows.fingerprint.fillna("alert")).size(), len(all_)
        return run

    return [
        Question("Alerts", "default (Queue tab: every open alert)", page(alerts.QueueFilters()),
                 naive=naive((), None)),
        Question("Alerts", "Queue tab: critical, last 24 hours",
                 page(alerts.QueueFilters(severities=("critical",), window="24h")), naive=naive(("critical",), 24)),
        Question("Alerts", "Response metrics tab: last 13 weeks (its default)", page(None, 13)),
        Question("Alerts", "Response metrics tab: all history", page(None, None)),
        Question("Alerts", "Queue tab: snoozed alerts", page(alerts.QueueFilters(state="snoozed"))),
    ]


def _edges(today: date) -> list[Question]:
    def page(filters: edges.EdgeFilters, decay_days: int | None) -> list[Callable]:
        since = None if decay_days is None else datetime.combine(today - timedelta(days=decay_days), time.min)
        return [_u(edges.filter_options), lambda: _u(edges.summary)(filters), lambda: _u(edges.current)(filters),
                lambda: _u(edges.decay)(since, filters.strategy_name, filters.model_name, filters.sports,
                                        filters.platforms)]

    seed_sql = """
        SELECT e.*, m.ticker, m.title
        FROM edges e JOIN markets m ON e.market_id = m.market_id AND m.row_current_ind = TRUE
        WHERE e.row_current_ind = TRUE AND e.expected_value >= %(min_ev)s
          AND (%(confidence)s::text[] IS NULL OR e.confidence_level = ANY (%(confidence)s::text[]))
        ORDER BY e.expected_value DESC"""
    # The floor of the list: open markets first (few), then their current edges by the
    # one-current-row index, best 500.
    floor_current = """
        SELECT e.edge_id, e.market_id, m.ticker, m.title, e.expected_value, e.true_win_probability,
               e.market_price, e.confidence_level, e.recommended_action, e.created_at
        FROM markets m
        JOIN edges e ON e.market_id = m.market_id AND e.row_current_ind
        WHERE m.row_current_ind AND m.status = 'open' AND e.expected_value >= %(min_ev)s
          AND (%(confidence)s::text[] IS NULL OR e.confidence_level = ANY (%(confidence)s::text[]))
        ORDER BY e.expected_value DESC, e.edge_id LIMIT 500"""

    def naive(filters: edges.EdgeFilters):
        def run(read):
            current = read("SELECT * FROM current_edges")
            markets = read("SELECT * FROM current_markets")
            rows = current.merge(markets[markets.status == "open"][["market_id", "ticker", "title", "platform_id"]],
                                 on="market_id")
            if filters.confidence:
                rows = rows[rows.confidence_level.isin(filters.confidence)]
            above = rows[rows.expected_value >= filters.min_ev]
            buckets = rows.groupby((rows.expected_value.astype(float) * 100) // 1).size()
            return above.sort_values("expected_value", ascending=False).head(500), buckets
        return run

    default = edges.EdgeFilters()
    seedlike = edges.EdgeFilters(min_ev=Decimal("0.08"), confidence=("high", "medium"))
    nfl = edges.EdgeFilters(sports=("nfl",), strategy_name="halftime_entry")

    def floor(filters: edges.EdgeFilters) -> dict:
        return {"edges_current": (floor_current, {"min_ev": filters.min_ev,
                                                  "confidence": list(filters.confidence) or None})}

    def seed(filters: edges.EdgeFilters) -> list:
        return [("Get All Active Edges Above Threshold", seed_sql,
                 {"min_ev": filters.min_ev, "confidence": list(filters.confidence) or None})]

    return [
        Question("Current edges", "default (EV >= 0.04, decay 90 days)", page(default, 90),
                 seed=seed(default), naive=naive(default), floor=floor(default)),
        Question("Current edges", "EV >= 0.08, high/medium (the seed's), decay all time", page(seedlike, None),
                 seed=seed(seedlike), naive=naive(seedlike), floor=floor(seedlike)),
        Question("Current edges", "NFL, halftime_entry, decay 1 year", page(nfl, 365),
                 seed=seed(nfl), naive=naive(nfl)),
    ]


def _trades(today: date) -> list[Question]:
    def page(filters: trades.TradeFilters, second_page: bool) -> list[Callable]:
        def first_and_second():
            rows = _u(trades.page)(filters, None)
            if second_page and len(rows) > trades.PAGE_SIZE:
                _u(trades.page)(filters, int(rows.trade_id.iloc[-1]))
                _u(trades.previous_start)(filters, int(rows.trade_id.iloc[-1]))
        return [_u(trades.filter_options), lambda: _u(trades.count)(filters), first_and_second]

    seed_7d = """SELECT * FROM trade_attribution WHERE created_at >= NOW() - INTERVAL '7 days'
                 ORDER BY created_at DESC"""
    seed_history = """
        SELECT t.*, e.expected_value, e.confidence_level, s.outcome
        FROM trades t LEFT JOIN edges e ON t.edge_id = e.edge_id
        LEFT JOIN settlements s ON t.market_id = s.market_id
        WHERE t.created_at >= %(since)s AND t.created_at < %(until)s ORDER BY t.created_at DESC"""

    def naive(filters: trades.TradeFilters):
        def run(read):
            rows = read("SELECT * FROM trade_attribution")
            p = filters.params()
            rows = rows[(rows.created_at >= p["since"]) & (rows.created_at < p["until"])]
            if filters.strategy_name:
                rows = rows[rows.strategy_name == filters.strategy_name]
            if filters.execution_mode:
                rows = rows[rows.execution_mode == filters.execution_mode]
            return len(rows), rows.sort_values(["created_at", "trade_id"], ascending=False).head(51)
        return run

    week = trades.TradeFilters(*trades.default_days(today))
    month_live = trades.TradeFilters(today - timedelta(days=29), today, execution_mode="live")
    year_strategy = trades.TradeFilters(today - timedelta(days=364), today, strategy_name="halftime_entry")

    def window(filters: trades.TradeFilters) -> dict:
        p = filters.params()
        return {"since": p["since"], "until": p["until"]}

    return [
        Question("Trade attribution", "default (last 7 days, first page)", page(week, False),
                 seed=[("Trade Attribution", seed_7d, {})], naive=naive(week)),
        Question("Trade attribution", "last 30 days, live, pages 1-2", page(month_live, True),
                 seed=[("Trade History for Analysis", seed_history, window(month_live))], naive=naive(month_live)),
        Question("Trade attribution", "last year, halftime_entry, pages 1-2", page(year_strategy, True),
                 seed=[("Trade History for Analysis", seed_history, window(year_strategy))],
                 naive=naive(year_strategy)),
    ]


def _audit() -> list[Question]:
    counts = _u(audit.counts)()
    kinds = counts.kind.tolist() or ["trade_before_edge"]

    def naive(read):
        """One of the audit's checks the naive way: every trade, and every edge (in chunks, so memory
        stays bounded), into pandas, joined there."""
        trades_ = read("SELECT trade_id, created_at, edge_id, strategy_id, model_id, market_id FROM trades")
        named = trades_[trades_.edge_id.notna()]
        kept = [chunk[chunk.edge_id.isin(named.edge_id)]
                for chunk in read("SELECT edge_id, created_at, strategy_id, model_id, market_id FROM edges", chunks=True)]
        joined = named.merge(pd.concat(kept), on="edge_id", suffixes=("", "_edge"))
        return len(joined[joined.created_at_edge > joined.created_at]), len(joined)

    return [
        Question("Attribution audit", f"default (the counts, the findings of {kinds[0]})",
                 [_u(audit.counts), lambda: _u(audit.findings)(kinds[0])], naive=naive),
        Question("Attribution audit", f"findings of {kinds[-1]}", [_u(audit.counts), lambda: _u(audit.findings)(kinds[-1])]),
    ]
