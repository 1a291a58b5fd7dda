"""Queries and writes behind the Alerts page.

Reads of the live queue, the badge and an alert's timeline go to the primary (`fetch_primary`):
a responder must see their own acknowledgement at once, and these queries are small and indexed.
Metrics may come from a replica.

Writes are one database function call per alert (`acknowledge_alert`, `resolve_alert`); the
database decides (first writer wins) and says what happened, and that sentence is what the page
shows. Nothing here checks state before writing: a check-then-write would race. What is checked
is the caller's role (identity.require): the page hides the buttons, and this refuses anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import pandas as pd
import streamlit as st
from sqlalchemy import exc as sa_exc

from identity import Identity, require
from queries import INT4, fetch, fetch_primary, refusal, whole_number, write

SEVERITIES = ("critical", "high", "medium", "low")
RESOLUTION_ACTIONS = ("fixed", "false_positive", "ignored", "escalated")
STATES = ("new", "acknowledged", "overdue", "snoozed")
# How long a snooze may be chosen for on the page (an input to an action, so not in the link):
# key -> (label, hours). The database refuses an end in the past or more than 7 days away.
SNOOZE_FOR = {"15m": ("15 minutes", 0.25), "1h": ("1 hour", 1), "4h": ("4 hours", 4), "24h": ("24 hours", 24),
              "72h": ("3 days", 72)}
# Queue time windows: URL value -> (label, hours; None = any time).
WINDOWS = {"1h": ("Last hour", 1), "24h": ("Last 24 hours", 24), "7d": ("Last 7 days", 168),
           "30d": ("Last 30 days", 720)}
# Metrics windows: URL value -> (label, weeks; None = all history).
METRIC_WINDOWS = {"4w": ("Last 4 weeks", 4), "13w": ("Last 13 weeks", 13), "26w": ("Last 26 weeks", 26),
                  "52w": ("Last 52 weeks", 52), "all": ("All history", None)}
MAX_GROUPS = 500


@dataclass(frozen=True)
class QueueFilters:
    severities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    alert_types: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    window: str | None = None   # a WINDOWS key
    state: str | None = None    # a STATES value


@dataclass(frozen=True)
class Outcome:
    """What the database said about one action on one alert."""
    alert_id: int | None  # None when what was given is not an id at all
    outcome: str      # acknowledged | resolved | already_acknowledged | already_resolved |
                      # not_acknowledged | unknown_alert | refused
    message: str
    actor: str | None = None
    acted_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.outcome in ("acknowledged", "resolved", "snoozed")


# --- reads ------------------------------------------------------------------------------------
@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def filter_options() -> dict[str, list[str]]:
    """Values each filter offers: {'category': [...], 'component': [...], 'alert_type': [...], 'environment': [...]}."""
    frame = fetch("alerts_filter_options")
    return {field: sorted(frame.loc[frame.field == field, "value"].tolist())
            for field in ("category", "component", "alert_type", "environment")}


def _list(values: tuple[str, ...]) -> list[str] | None:
    return list(values) if values else None


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def queue(filters: QueueFilters, max_groups: int = MAX_GROUPS) -> pd.DataFrame:
    return fetch_primary(
        "alerts_queue",
        severities=_list(filters.severities), categories=_list(filters.categories),
        components=_list(filters.components), alert_types=_list(filters.alert_types),
        environments=_list(filters.environments),
        window_hours=WINDOWS[filters.window][1] if filters.window else None,
        state=filters.state, max_groups=max_groups,
    )


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def money_at_risk(alert_ids: tuple[int, ...]) -> pd.DataFrame:
    """The positions the alerts name (alerts_money_at_risk.sql), one row per (alert, position)."""
    return fetch_primary("alerts_money_at_risk", alert_ids=list(alert_ids))


@st.cache_data(ttl=5, max_entries=2, show_spinner=False)
def open_critical() -> pd.Series:
    """open_critical (count) and newest_alert_id (None when there is none)."""
    return fetch_primary("alerts_open_critical").iloc[0]


@st.cache_data(ttl=5, max_entries=64, show_spinner=False)
def detail(alert_id: int) -> pd.Series | None:
    frame = fetch_primary("alerts_detail", alert_id=alert_id)
    return None if frame.empty else frame.iloc[0]


@st.cache_data(ttl=5, max_entries=64, show_spinner=False)
def timeline(alert_id: int) -> pd.DataFrame:
    return fetch_primary("alerts_timeline", alert_id=alert_id)


@st.cache_data(ttl=120, max_entries=8, show_spinner=False)
def response_times(weeks: int | None) -> pd.DataFrame:
    return fetch("alerts_response_times", weeks=weeks)


@st.cache_data(ttl=120, max_entries=16, show_spinner=False)
def response_percentiles(weeks: int | None, by: str) -> pd.DataFrame:
    """Mean, median and 90th percentile time to acknowledge and to resolve per severity or component."""
    return fetch("alerts_response_percentiles", weeks=weeks, by=by)


@st.cache_data(ttl=120, max_entries=8, show_spinner=False)
def false_positives(weeks: int | None) -> pd.DataFrame:
    return fetch("alerts_false_positives", weeks=weeks)


@st.cache_data(ttl=120, max_entries=8, show_spinner=False)
def open_over_time(weeks: int | None) -> pd.DataFrame:
    return fetch("alerts_open_over_time", weeks=weeks)


def forget_live_reads() -> None:
    """After a write: the next queue, badge, detail and timeline reads go to the database."""
    for cached in (queue, money_at_risk, open_critical, detail, timeline):
        cached.clear()


# --- writes -----------------------------------------------------------------------------------
def _call(name: str, given, **params) -> Outcome:
    alert_id = whole_number(given)
    if alert_id is None:
        return Outcome(None, "unknown_alert", f"'{str(given)[:40]}' is not an alert id.")
    if alert_id not in INT4:  # no alert has it: alert_id is an integer column
        return Outcome(alert_id, "unknown_alert", f"There is no alert {alert_id}.")
    try:
        row = write(name, alert_id=alert_id, **params).iloc[0]
    except sa_exc.DBAPIError as error:
        # The function refused the input (note too long, control characters, unknown action):
        # its sentence is the answer, and nothing was written.
        sentence = refusal(error)
        if sentence is None:
            raise
        return Outcome(alert_id, "refused", sentence)
    except ValueError:  # psycopg2 cannot send a NUL character; nothing reached the database
        return Outcome(alert_id, "refused",
                       "The note holds control characters; only text, tabs and line breaks are allowed.")
    return Outcome(int(row.alert_id), row.outcome, row.message,
                   None if pd.isna(row.actor) else row.actor,
                   None if pd.isna(row.acted_at) else row.acted_at.to_pydatetime())


def _each(name: str, alert_ids: Iterable[int], **params) -> list[Outcome]:
    outcomes = []
    try:
        for alert_id in dict.fromkeys(alert_ids):  # each alert once, in order
            outcome = _call(name, alert_id, **params)
            outcomes.append(outcome)
            if outcome.outcome == "refused":
                break  # the same input would be refused for every alert
    finally:
        forget_live_reads()
    return outcomes


def acknowledge(alert_ids: Iterable[int], by: Identity, notes: str | None) -> list[Outcome]:
    """acknowledge_alert() for each alert, each in its own transaction (responders and admins only)."""
    require(by, "respond")
    return _each("alerts_acknowledge", alert_ids, actor=by.name, notes=notes or None)


def resolve(alert_ids: Iterable[int], by: Identity, resolution_action: str | None,
            notes: str | None) -> list[Outcome]:
    """resolve_alert() for each alert, each in its own transaction (responders and admins only)."""
    require(by, "respond")
    return _each("alerts_resolve", alert_ids, actor=by.name, resolution_action=resolution_action,
                 notes=notes or None)


def snooze(alert_ids: Iterable[int], by: Identity, until: datetime, reason: str | None) -> list[Outcome]:
    """snooze_alert() for each alert until `until` (UTC, naive), each in its own transaction
    (responders and admins only)."""
    require(by, "respond")
    return _each("alerts_snooze", alert_ids, actor=by.name, until=until, reason=reason or None)
