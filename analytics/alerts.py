"""Alert response metrics and input checks: pure functions, frames and strings in and out.

Mean time to acknowledge (MTTA) = acknowledged_at - triggered_at; mean time to resolve (MTTR) =
resolved_at - triggered_at; both averaged over the alerts that got there (an open alert is not
counted until it is answered). The false-positive rate of a type is the share of its resolved
alerts resolved as `false_positive`, with a Wilson 95% interval.
"""
from __future__ import annotations

import re
from decimal import Decimal
from collections import Counter
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

MAX_NOTE_LENGTH = 2000
RESOLUTION_ACTIONS = ("fixed", "false_positive", "ignored", "escalated")
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
# Below this many resolved alerts a false-positive rate is "not enough data".
MIN_RESOLVED_FOR_RATE = 10
# The database's rule (alert_action_problem in schema.sql): tabs and line breaks are text, the
# rest of C0, DEL and C1 are not.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# --- input checks (the database checks the same; these let the page say so before calling) --
def note_problem(note: str | None) -> str | None:
    """One sentence when the note cannot be stored, else None.

    Measured as the database stores it: without the spaces around it (btrim), so a note the
    database would take is never refused here.
    """
    note = (note or "").strip(" ")
    if not note:
        return None
    if len(note) > MAX_NOTE_LENGTH:
        return f"The note is {len(note)} characters long; at most {MAX_NOTE_LENGTH} are allowed."
    if _CONTROL.search(note):
        return "The note holds control characters; only text, tabs and line breaks are allowed."
    return None


def resolution_problem(action: str | None) -> str | None:
    if action is None or not action.strip():
        return "Choose a resolution action (fixed, false_positive, ignored or escalated) before resolving."
    if action not in RESOLUTION_ACTIONS:
        shown = "".join(c if c.isprintable() else "\ufffd" for c in action[:40])  # one line, whatever it holds
        return f"The resolution action '{shown}' is unknown; use fixed, false_positive, ignored or escalated."
    return None


# --- outcomes -----------------------------------------------------------------------------------
def summarise_outcomes(outcomes: Sequence[tuple[str, str]], verb: str, limit: int = 5) -> tuple[str | None, list[str]]:
    """(outcome, message) pairs -> (one success sentence or None, the other messages, at most `limit`).

    A group of duplicates is acted on together: say "Acknowledged 7 alerts." once, and list what
    did not go through (already acknowledged by someone else, not acknowledged yet, refused).
    """
    done = [m for o, m in outcomes if o in ("acknowledged", "resolved", "snoozed")]
    others = [m for o, m in outcomes if o not in ("acknowledged", "resolved", "snoozed")]
    success = None
    if len(done) == 1:
        success = done[0]
    elif done:
        success = f"{verb.capitalize()} {len(done)} alerts."
    if len(others) > limit:
        hidden = len(others) - limit
        counts = Counter(o for o, _ in outcomes if o not in ("acknowledged", "resolved", "snoozed"))
        tally = ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in counts.most_common())
        others = others[:limit] + [f"… and {hidden} more ({tally} in all)."]
    return success, others


# --- response times ---------------------------------------------------------------------------
def _means(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    sums = frame.groupby(keys, as_index=False)[
        ["alerts", "acknowledged", "ack_seconds", "resolved", "resolve_seconds"]].sum()
    acknowledged = sums.acknowledged.astype(float)
    resolved = sums.resolved.astype(float)
    sums["mtta_minutes"] = np.where(acknowledged > 0, sums.ack_seconds / acknowledged.where(acknowledged > 0) / 60, np.nan)
    sums["mttr_minutes"] = np.where(resolved > 0, sums.resolve_seconds / resolved.where(resolved > 0) / 60, np.nan)
    return sums[keys + ["alerts", "acknowledged", "resolved", "mtta_minutes", "mttr_minutes"]]


def response_times_over_time(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per week and `by` (severity or component): alerts, acknowledged, resolved, mtta_minutes, mttr_minutes."""
    if frame.empty:
        return pd.DataFrame(columns=["week", by, "alerts", "acknowledged", "resolved", "mtta_minutes", "mttr_minutes"])
    return _sorted(_means(frame, ["week", by]), ["week", by])


def response_time_summary(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per `by` over the whole window, same columns without week."""
    if frame.empty:
        return pd.DataFrame(columns=[by, "alerts", "acknowledged", "resolved", "mtta_minutes", "mttr_minutes"])
    return _sorted(_means(frame, [by]), [by])


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sorted by keys; severities most severe first rather than alphabetically."""
    return frame.sort_values(keys, ignore_index=True,
                             key=lambda c: c.map(SEVERITY_ORDER) if c.name == "severity" else c)


# --- false positives --------------------------------------------------------------------------
def false_positive_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds rate, ci_low, ci_high (Wilson 95%) and enough_data (resolved >= MIN_RESOLVED_FOR_RATE)."""
    out = frame.copy()
    if out.empty:
        return out.assign(rate=[], ci_low=[], ci_high=[], enough_data=[])
    resolved = out.resolved.astype(int).to_numpy()
    false_positives = out.false_positives.astype(int).to_numpy()
    out["rate"] = np.where(resolved > 0, false_positives / np.maximum(resolved, 1), np.nan)
    low, high = proportion_confint(false_positives, np.maximum(resolved, 1), alpha=0.05, method="wilson")
    out["ci_low"] = np.where(resolved > 0, low, np.nan)
    out["ci_high"] = np.where(resolved > 0, high, np.nan)
    out["enough_data"] = resolved >= MIN_RESOLVED_FOR_RATE
    return out


def selected_keys(rows: Iterable[int], shown_keys: Sequence[str]) -> list[str]:
    """Row positions selected in a table -> the keys of those rows (positions out of range dropped)."""
    return [shown_keys[r] for r in rows if 0 <= r < len(shown_keys)]


def rows_of(keys: Iterable[str], shown_keys: Sequence[str]) -> list[int]:
    """Keys -> their row positions in the table now shown (keys no longer shown dropped)."""
    position = {k: i for i, k in enumerate(shown_keys)}
    return [position[k] for k in keys if k in position]


# --- money at risk ----------------------------------------------------------------------------
MONEY_COLUMNS = ["group_key", "positions", "exposure", "unrealized_pnl"]


def position_money(positions: pd.DataFrame) -> pd.DataFrame:
    """Per position row (alerts_money_at_risk.sql): exposure and unrealized_pnl, as Decimal.

    Open exposure = quantity x the current price of the side held: what the contracts are worth
    now, the most the position can still lose (the entry price while it has never been marked).
    Unrealized P&L = (current price - entry price) x quantity (None while never marked). A closed
    or settled position has nothing at risk: both 0."""
    out = positions.copy()
    if out.empty:
        return out.assign(exposure=[], unrealized_pnl=[])
    exposure, pnl = [], []
    for status, quantity, entry, current in zip(out.status, out.quantity, out.entry_price, out.current_price):
        if status != "open":
            exposure.append(Decimal(0))
            pnl.append(Decimal(0))
            continue
        marked = not pd.isna(current)
        exposure.append(Decimal(int(quantity)) * Decimal(str(current if marked else entry)))
        pnl.append((Decimal(str(current)) - Decimal(str(entry))) * Decimal(int(quantity)) if marked else None)
    out["exposure"], out["unrealized_pnl"] = exposure, pnl
    return out


def money_at_risk(queue: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """Per queue group (group_key, alert_ids): positions (open positions its alerts name, each
    counted once however many of its alerts name it), exposure and unrealized_pnl (Decimal sums
    over them; None for a group whose alerts name no position or market)."""
    if queue.empty:
        return pd.DataFrame(columns=MONEY_COLUMNS)
    members = queue[["group_key", "alert_ids"]].explode("alert_ids").rename(columns={"alert_ids": "alert_id"})
    members["alert_id"] = members.alert_id.astype("int64")
    priced = position_money(positions)
    rows = []
    for key, alert_ids in members.groupby("group_key", sort=False).alert_id:
        named = priced[priced.alert_id.isin(set(alert_ids))].drop_duplicates("position_id") if not priced.empty else priced
        if named.empty:
            rows.append((key, 0, None, None))
            continue
        pnl = [v for v in named.unrealized_pnl if v is not None]
        rows.append((key, int((named.status == "open").sum()), sum(named.exposure, Decimal(0)),
                     sum(pnl, Decimal(0)) if pnl else None))
    return pd.DataFrame(rows, columns=MONEY_COLUMNS)


def sort_queue(queue: pd.DataFrame, by: str) -> pd.DataFrame:
    """The queue as the database ordered it ('urgency': overdue, most severe, oldest) or by money
    at risk ('money': largest open exposure first, groups naming no position last, ties in the
    database's order). `queue` holds the exposure column of money_at_risk."""
    if by != "money" or queue.empty:
        return queue.reset_index(drop=True)
    def key(i: int):
        value = queue.exposure.iloc[i]
        missing = value is None or pd.isna(value)
        return (missing, 0 if missing else -value, i)

    return queue.iloc[sorted(range(len(queue)), key=key)].reset_index(drop=True)


# --- reading durations ----------------------------------------------------------------------------
def short_duration(seconds: float) -> str:
    """'45 min', '3 h 20 min', '2 d 4 h': a duration as a responder reads it (whole minutes)."""
    minutes = int(max(0, seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def queue_status(frame: pd.DataFrame) -> list[str]:
    """The queue's State column: the state, and for an overdue group how long past its limit
    ('OVERDUE 1 h 05 min': overdue groups are acknowledged, and who did it is kept)."""
    out = []
    for state, overdue, since, now in zip(frame.state, frame.overdue, frame.overdue_since, frame.database_now):
        out.append(f"OVERDUE {short_duration((now - since).total_seconds())}" if overdue and not pd.isna(since)
                   else state)
    return out


# Units a response-time chart can be drawn in: name -> minutes in one.
DURATION_UNITS = {"minutes": 1, "hours": 60, "days": 1440}


def duration_unit(minutes: Iterable[float]) -> str:
    """The unit that reads best for these durations: the largest one the median is at least 1.5 of
    (90 minutes and up read in hours, 36 hours and up in days)."""
    values = pd.Series(list(minutes), dtype=float).dropna()
    if values.empty:
        return "minutes"
    middle = float(values.median())
    best = "minutes"
    for unit, size in DURATION_UNITS.items():
        if middle >= 1.5 * size:
            best = unit
    return best


PERCENTILE_FIGURES = ["ack_mean", "ack_p50", "ack_p90", "resolve_mean", "resolve_p50", "resolve_p90"]


def response_percentiles(frame: pd.DataFrame, by: str) -> tuple[pd.DataFrame, str, str]:
    """alerts_response_percentiles.sql's rows -> (per `by`: alerts, acknowledged, resolved and the
    six figures, the acknowledge figures' unit, the resolve figures' unit). Each unit is the one
    that reads best for its medians (duration_unit)."""
    columns = [by, "alerts", "acknowledged", "resolved", *PERCENTILE_FIGURES]
    if frame.empty:
        return pd.DataFrame(columns=columns), "minutes", "minutes"
    out = frame.rename(columns={"key": by}).copy()
    units = []
    for kind in ("ack", "resolve"):
        unit = duration_unit(out[f"{kind}_p50_seconds"].astype(float) / 60)
        units.append(unit)
        for figure in ("mean", "p50", "p90"):
            out[f"{kind}_{figure}"] = out[f"{kind}_{figure}_seconds"].astype(float) / 60 / DURATION_UNITS[unit]
    return _sorted(out[columns], [by]), units[0], units[1]


def log_ticks(values: Iterable[float]) -> list[float]:
    """Tick values for a log axis over these positive values: 1, 2, 5 times powers of ten, from
    the one at or below the smallest to the one at or above the largest."""
    positive = [float(v) for v in values if v is not None and not pd.isna(v) and float(v) > 0]
    if not positive:
        return []
    low, high = min(positive), max(positive)
    ticks, exponent = [], int(np.floor(np.log10(low)))
    while not ticks or ticks[-1] < high:
        for step in (1, 2, 5):
            tick = float(f"{step}e{exponent}")
            if tick <= low:
                ticks = [tick]  # the largest at or below the smallest value starts the axis
            elif not ticks or ticks[-1] < high:
                ticks.append(tick)
        exponent += 1
    return ticks
