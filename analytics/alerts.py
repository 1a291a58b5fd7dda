"""Alert response metrics and input checks: pure functions, frames and strings in and out.

Mean time to acknowledge (MTTA) = acknowledged_at - triggered_at; mean time to resolve (MTTR) =
resolved_at - triggered_at; both averaged over the alerts that got there (an open alert is not
counted until it is answered). The false-positive rate of a type is the share of its resolved
alerts resolved as `false_positive`, with a Wilson 95% interval.
"""
from __future__ import annotations

import re
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
    done = [m for o, m in outcomes if o in ("acknowledged", "resolved")]
    others = [m for o, m in outcomes if o not in ("acknowledged", "resolved")]
    success = None
    if len(done) == 1:
        success = done[0]
    elif done:
        success = f"{verb.capitalize()} {len(done)} alerts."
    if len(others) > limit:
        hidden = len(others) - limit
        counts = Counter(o for o, _ in outcomes if o not in ("acknowledged", "resolved"))
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
