"""Execution quality and how far positions ran (Position exits, Trade attribution): pure functions.

Slippage of an order is its fill against the price it was decided at, per contract, positive when it
cost us: an entry (a buy) pays fill - decision, an exit (a sell) gives up decision - fill. The
decision price of an entry is the held contract's price on the edge that triggered it; of an exit
order, the held contract's quote when its first attempt was placed (schema.sql, order_slippage).

MAE and MFE of an exit: the worst and best price of the held contract from the position's opening to
that exit (the entry and exit prices included), against the entry price: MAE = worst - entry <= 0,
MFE = best - entry >= 0. Exit efficiency = (exit - entry) / (best - entry): the share of the best
run while held that the exit took (1 = sold at the best price, 0 = at the entry price, below 0 = at
a loss); none when the best price was the entry price. A partial exit keeps the entry price as its
reference, and its window ends at that exit (schema.sql, exit_excursions).

The database sums and takes percentiles (queries/exits_slippage.sql, exits_excursions.sql); these
work out single rows, label and order the grouped ones, and word the findings. Money stays Decimal.
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

# The exit conditions each finding looks at (as the database's exits_excursions() counts them).
STOPS = ("stop_loss", "trailing_stop", "circuit_breaker")
TARGETS = ("profit_target", "partial_exit_target")

KINDS = {"entry": "Entries", "exit": "Exits", None: "All orders"}
ORDER_NAMES = {"entry": "Entry", "exit": "Exit"}
DIMENSIONS = {"total": "All", "strategy": "Strategy version", "order_type": "Order type",
              "priority": "Exit priority", "platform": "Platform"}

DEFINITION_SLIPPAGE = (
    "Slippage is an order's fill against the price it was decided at, per contract: for an entry, its fill "
    "minus the held contract's price on the edge that triggered it; for an exit order, the held contract's "
    "price when its first attempt was placed (the exit condition had just fired) minus its fill. "
    "Positive = it cost us, negative = it filled better; cost = slippage × contracts.")
DEFINITION_EXCURSIONS = (
    "For every exit: MAE and MFE are the worst and best price of the contract held between the position's "
    "opening and that exit (its market's quotes, the entry and the exit price), minus the entry price. "
    "Exit efficiency = (exit − entry) / (best − entry): the share of the best run while held that the exit "
    "took (1 = sold at the best price, 0 = at the entry price, below 0 = at a loss).")
DEFINITION_PARTIAL = (
    "Partial exits: each exit is measured on its own, from the position's opening to that exit, against the "
    "entry price; the next exit of the same position has a longer window with the same reference.")


def _missing(value) -> bool:
    return value is None or (not isinstance(value, Decimal) and pd.isna(value))


def slippage_per_contract(order_kind: str, decision_price, fill_price) -> Decimal | None:
    """Slippage of one order per contract in price units (0.01 = a cent), positive = a cost to us;
    None when the order never filled or has no decision price."""
    if _missing(decision_price) or _missing(fill_price):
        return None
    decision, fill = Decimal(decision_price), Decimal(fill_price)
    return fill - decision if order_kind == "entry" else decision - fill


def with_slippage(orders: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows (exits_slippage_ledger.sql, trades_slippage.sql) with slippage_cents (per contract)
    and slippage_cost (x quantity, money), both None where the order never filled or had no decision
    price, and filled (whether it filled)."""
    out = orders.copy()
    per_contract = [slippage_per_contract(k, d, f)
                    for k, d, f in zip(out.order_kind, out.decision_price, out.fill_price)]
    out["slippage_cents"] = [None if s is None else s * 100 for s in per_contract]
    out["slippage_cost"] = [None if s is None else s * int(q) for s, q in zip(per_contract, out.quantity)]
    out["filled"] = [not _missing(f) for f in out.fill_price]
    out["kind"] = [ORDER_NAMES.get(k, k) for k in out.order_kind]
    return out


def slippage_table(frame: pd.DataFrame, strategy_labels: dict[int, str]) -> pd.DataFrame:
    """exits_slippage.sql's rows for display: what kind of orders ("Entries", "Exits", "All orders"),
    grouped by what, the group's name; totals first, then each grouping in the page's order."""
    if frame.empty:
        return frame.assign(kind=[], by=[], group=[])
    out = frame.copy()
    out["kind"] = [KINDS[None if _missing(k) else k] for k in out.order_kind]
    out["by"] = [DIMENSIONS[d] for d in out.dimension]

    def group_name(dimension, key) -> str:
        if dimension == "total":
            return "all"
        if _missing(key):
            return "none recorded"
        if dimension == "strategy":
            return strategy_labels.get(int(key), f"strategy #{key}")
        return str(key)

    out["group"] = [group_name(d, k) for d, k in zip(out.dimension, out.group_key)]
    kind_order = {"All orders": 0, "Entries": 1, "Exits": 2}
    dimension_order = {d: i for i, d in enumerate(DIMENSIONS)}
    out = out.assign(_k=out.kind.map(kind_order), _d=out.dimension.map(dimension_order))
    return out.sort_values(["_k", "_d", "group"], kind="stable").drop(columns=["_k", "_d"]).reset_index(drop=True)


def slippage_totals(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The total rows of exits_slippage.sql by kind: 'entry', 'exit', 'all' (missing when none)."""
    totals = frame[frame.dimension == "total"]
    return {("all" if _missing(k) else k): row for k, row in zip(totals.order_kind, (r for _, r in totals.iterrows()))}


def excursion(entry_price, exit_price, worst_price, best_price) -> dict:
    """One exit's MAE and MFE in cents per contract and as shares of the entry price, its return and its
    exit efficiency (None when the best price while held was the entry price)."""
    entry, exit_, worst, best = (Decimal(v) for v in (entry_price, exit_price, worst_price, best_price))
    mae, mfe = worst - entry, best - entry
    return {"mae_cents": mae * 100, "mfe_cents": mfe * 100,
            "mae_share": mae / entry if entry else None, "mfe_share": mfe / entry if entry else None,
            "exit_return": (exit_ - entry) / entry if entry else None,
            "efficiency": (exit_ - entry) / mfe if mfe else None}


def with_excursions(points: pd.DataFrame) -> pd.DataFrame:
    """exits_excursion_points.sql's rows with mae_cents, mfe_cents, mae_share, mfe_share, exit_return
    and efficiency (Decimals; None where undefined)."""
    out = points.copy()
    worked = [excursion(*row) for row in zip(out.entry_price, out.exit_price, out.worst_price, out.best_price)]
    for column in ("mae_cents", "mfe_cents", "mae_share", "mfe_share", "exit_return", "efficiency"):
        out[column] = [w[column] for w in worked]
    return out


def excursion_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None]:
    """exits_excursions.sql as (one row per exit condition, the total row or None when no exit
    matched), with the share of measured losing stops that recovered and of measured targets that
    left most of the run, and both as 'n of m' (recovered_text, left_most_text)."""
    out = frame.copy()
    out["recovered_share"] = [None if not m else Decimal(int(r)) / int(m)
                              for r, m in zip(out.stops_recovered, out.stops_measured)]
    out["left_most_share"] = [None if not m else Decimal(int(r)) / int(m)
                              for r, m in zip(out.targets_left_most, out.targets_measured)]
    out["recovered_text"] = [None if not m else f"{int(r)} of {int(m)}"
                             for r, m in zip(out.stops_recovered, out.stops_measured)]
    out["left_most_text"] = [None if not m else f"{int(r)} of {int(m)}"
                             for r, m in zip(out.targets_left_most, out.targets_measured)]
    rows = out[out.exit_condition.notna()].reset_index(drop=True)
    total = out[out.exit_condition.isna()]
    if total.empty or not int(total.iloc[0].exits):
        return rows, None
    return rows, total.iloc[0]


def findings(total: pd.Series) -> list[str]:
    """The two questions of the section answered in a sentence each, from the total row."""
    said = []
    measured, recovered = int(total.stops_measured), int(total.stops_recovered)
    if measured:
        said.append(f"Stops that sold at a loss and would have recovered: {recovered} of {measured} "
                    f"({recovered / measured:.0%}) — the contract was later quoted, or settled, at or above the "
                    "entry price.")
    else:
        said.append("No stop sold at a loss on a market that has closed yet, so none can be judged.")
    measured, left = int(total.targets_measured), int(total.targets_left_most)
    if measured:
        said.append(f"Profit targets that left most of the run on the table: {left} of {measured} ({left / measured:.0%}) "
                    "— the best price after the exit (or the settlement) was more than twice as far above the entry "
                    "as the exit price.")
    else:
        said.append("No profit target on a market that has closed yet, so none can be judged.")
    return said


def mark_trade(orders: pd.DataFrame, trade_id: int, side: str, price, quantity: int, created_at) -> pd.DataFrame:
    """A position's orders (with_slippage) with this_trade: True on the order the trade filled. A buy is
    its own entry row; a sell is the filled exit order of its quantity and fill price decided last at
    or before it (an exit order does not name the trade that filled it)."""
    out = orders.copy()
    out["this_trade"] = False
    if side == "buy":
        out.loc[(out.order_kind == "entry") & (out.order_key == trade_id), "this_trade"] = True
        return out
    candidates = out[(out.order_kind == "exit") & out.filled & (out.quantity == quantity)
                     & (out.decided_at <= created_at)]
    candidates = candidates[[not _missing(f) and Decimal(f) == Decimal(price) for f in candidates.fill_price]]
    if not candidates.empty:
        out.loc[candidates.decided_at.idxmax(), "this_trade"] = True
    return out
