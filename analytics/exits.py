"""Shaping exit data for the Position exits page: pure functions, frames in and out.

The database does the sums (queries/exits_*.sql); these only split, pivot and word them. Money
stays Decimal; floats appear only in what feeds a chart.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pandas as pd

from analytics.freshness import describe_duration
from analytics.money import format_money

# The schema's CHECK lists (position_exits.exit_condition, exit_priority).
EXIT_CONDITIONS = ("stop_loss", "trailing_stop", "profit_target", "partial_exit_target", "circuit_breaker",
                   "time_exit", "edge_disappeared", "liquidity_dried_up", "scheduled_exit", "manual_override")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")

# The seed's position monitor writes every 30 s (every 5 s when a position is urgent).
MONITOR_SECONDS = 30
URGENT_MONITOR_SECONDS = 5

# The holding-time columns of exits_breakdown.sql, in order, with what people call them.
HOLDING_BUCKETS = {
    "held_under_15m": "< 15 min",
    "held_15m_to_1h": "15 min – 1 h",
    "held_1h_to_6h": "1 – 6 h",
    "held_6h_to_24h": "6 – 24 h",
    "held_1d_to_7d": "1 – 7 days",
    "held_over_7d": "> 7 days",
}

MONEY_PLACES = 4  # the seed's DECIMAL(10,4): tables and exports show money exactly
SUMMARY_PLACES = 2  # summaries (metrics, sentences) in cents: they are read across a room


def money(amount) -> str:
    """Money in a summary, to the cent: '$12.34', '-$0.50', '—'."""
    if amount is None or (not isinstance(amount, Decimal) and pd.isna(amount)):
        return "—"
    return format_money(amount, SUMMARY_PLACES)


def exact_money(amount) -> str:
    """Money at the ledger's precision: '$12.3400', '-$0.5000', '—' (a summary's exact value)."""
    if amount is None or (not isinstance(amount, Decimal) and pd.isna(amount)):
        return "—"
    return format_money(amount, MONEY_PLACES)


@dataclass(frozen=True)
class Breakdown:
    detail: pd.DataFrame        # one row per exit condition x priority
    by_condition: pd.DataFrame  # one row per exit condition
    total: pd.Series | None     # all exits in the selection; None when there are none
    computed_at: object = None  # when a stored answer was computed (frame.attrs); None when computed now


def split_breakdown(frame: pd.DataFrame) -> Breakdown:
    """exits_breakdown.sql's grouping-set rows, apart."""
    detail = frame[frame.level == "condition_priority"].reset_index(drop=True)
    by_condition = frame[frame.level == "condition"].reset_index(drop=True)
    totals = frame[(frame.level == "total") & (frame.exits > 0)]
    return Breakdown(detail, by_condition, None if totals.empty else totals.iloc[0], frame.attrs.get("computed_at"))


def holding_distribution(detail: pd.DataFrame) -> pd.DataFrame:
    """Exits per holding-time bucket and exit condition (long form, buckets in order)."""
    long = detail.melt(id_vars=["exit_condition"], value_vars=list(HOLDING_BUCKETS),
                       var_name="bucket", value_name="count")
    long = (long.groupby(["exit_condition", "bucket"], as_index=False, sort=False)["count"].sum()
                .rename(columns={"count": "exits"}))
    long["held"] = pd.Categorical(long.bucket.map(HOLDING_BUCKETS), categories=list(HOLDING_BUCKETS.values()),
                                  ordered=True)
    return long.sort_values(["held", "exit_condition"]).reset_index(drop=True)[["exit_condition", "held", "exits"]]


def steps_table(frame: pd.DataFrame) -> pd.DataFrame:
    """exits_steps.sql as one row per number of exit steps: positions, then the mean share of the
    opening quantity exited at each step, and what was left after the exits (fractions)."""
    if frame.empty:
        return pd.DataFrame(columns=["steps", "positions", "left_after_exits"])
    rows = []
    for steps, group in frame.groupby("steps", sort=True):
        steps_rows = group[group.step.notna()]
        rest = group[group.step.isna()]
        row = {"steps": int(steps), "positions": int(steps_rows.positions.max())}
        for step, share in zip(steps_rows.step, steps_rows.mean_share):
            row[f"step_{int(step)}"] = share
        row["left_after_exits"] = rest.mean_share.iloc[0] if not rest.empty else None
        rows.append(row)
    table = pd.DataFrame(rows)
    step_columns = sorted((c for c in table.columns if c.startswith("step_")), key=lambda c: int(c[5:]))
    return table[["steps", "positions", *step_columns, "left_after_exits"]]


def regret_verdict(saved: Decimal | None, settled_exits: int) -> str:
    """What exiting did compared with holding the same contracts to settlement."""
    if not settled_exits:
        return "no settled market yet"
    if saved > 0:
        return f"exiting saved {money(saved)}"
    if saved < 0:
        return f"exiting cost {money(-saved)}"
    return "no difference"


def regret_table(by_condition: pd.DataFrame) -> pd.DataFrame:
    """Per exit condition: settled exits and what exiting saved (or cost) against holding."""
    table = by_condition[["exit_condition", "exits", "settled_exits", "settled_quantity", "settled_exit_pnl",
                          "settled_hold_pnl", "saved_by_exiting", "exits_that_saved", "exits_that_cost"]].copy()
    table["verdict"] = [regret_verdict(s, n) for s, n in zip(table.saved_by_exiting, table.settled_exits)]
    return table


def split_total(frame: pd.DataFrame, flag: str = "is_total") -> tuple[pd.DataFrame, pd.Series | None]:
    """Rows of a query with a grouping-set total, and the total row (None when nothing was counted)."""
    rows = frame[~frame[flag]].reset_index(drop=True)
    total = frame[frame[flag]]
    if total.empty or not total.iloc[0].get("exit_orders", 1):
        return rows, None
    return rows, total.iloc[0]


def flag_stale(open_positions: pd.DataFrame, after_seconds: int = MONITOR_SECONDS) -> pd.DataFrame:
    """Marks positions whose monitoring is stale (no update for more than `after_seconds`), and those
    lagging the monitor's newest update by as much (which tells them apart when the whole monitor,
    or a snapshot of the database, is old)."""
    flagged = open_positions.copy()
    flagged["stale"] = flagged.seconds_since_update.isna() | (flagged.seconds_since_update > after_seconds)
    flagged["lagging"] = flagged.seconds_behind_newest.isna() | (flagged.seconds_behind_newest > after_seconds)
    flagged["age"] = [describe_seconds(s) for s in flagged.seconds_since_update]
    return flagged


def describe_seconds(seconds) -> str:
    """A number of seconds as people say it: '12 s', '7 min', '3 h', '20 days', or 'never'."""
    if seconds is None or pd.isna(seconds):
        return "never"
    return describe_duration(timedelta(seconds=float(seconds)))


def no_exit_sentence(position: pd.Series) -> str:
    """Why a position has no exits, in one sentence."""
    pid, held = int(position.position_id), int(position.current_quantity)
    if position.status == "open":
        return f"Position {pid} has no exits yet: it is open and holds {held} contracts."
    if position.status == "settled":
        paid = position.held_settlement_value
        paid_text = "" if paid is None or pd.isna(paid) else f" (the held side paid {paid})"
        return f"Position {pid} has no exits: its {held} contracts were held to settlement{paid_text}."
    return (f"Position {pid} is closed but has no exits recorded: a data problem "
            "(see the Reconciliation tab).")


def _floats(values) -> list[float | None]:
    return [None if v is None or pd.isna(v) else float(v) for v in values]


def timeline(position: pd.Series, prices: pd.DataFrame, rows: pd.DataFrame, exits: pd.DataFrame) -> dict:
    """The series of one position's timeline chart (floats, for plotting only): the held side's
    market price, the trailing stop's level over the position's rows (None where no stop was
    set), the entry, each exit, the settlement (None until there is one), and the span the
    position was held (opening to closing row; to the latest price while open)."""
    settlement = None
    if position.held_settlement_value is not None and not pd.isna(position.held_settlement_value):
        settled_prices = prices[prices.market_status == "settled"]
        when = position.settled_at
        if when is None or pd.isna(when):
            when = settled_prices.valid_from.iloc[0] if not settled_prices.empty else None
        if when is not None:
            settlement = {"x": [when], "y": [float(position.held_settlement_value)]}
    live_prices = prices[prices.market_status != "settled"]
    held_until = position.status_since if position.status != "open" else (
        live_prices.valid_from.iloc[-1] if not live_prices.empty else position.opened_at)
    return {
        "held": (position.opened_at, held_until),
        "price": {"x": list(live_prices.valid_from), "y": _floats(live_prices.price)},
        "stop": {"x": list(rows.valid_from), "y": _floats(rows.stop_price)},
        "entry": {"x": [position.opened_at], "y": [float(position.entry_price)],
                  "text": [f"entry: {int(position.opening_quantity)} @ {position.entry_price}"]},
        "exits": {"x": list(exits.created_at), "y": _floats(exits.exit_price),
                  "size": [8 + 14 * float(s) for s in exits.share_of_opening.fillna(0)],
                  "text": [f"{c} ({p}): {int(q)} @ {price}" for c, p, q, price in
                           zip(exits.exit_condition, exits.exit_priority, exits.quantity_exited, exits.exit_price)]},
        "settlement": settlement,
    }
