"""Queries behind the Position exits page.

The filters every aggregate takes (each None = no filter): since, until (datetime, UTC: the
half-open range [since, until)), platform (platform_id), strategy_id, model_id (the versions of
the position's opening buy trade), exit_condition, priority.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from queries import fetch, stored_answers

# Lists are cut here; the page says so when a list is full.
MAX_LIST_ROWS = 500
# Price rows drawn on one position's timeline (its market's history around the position).
MAX_PRICE_ROWS = 5000

FILTERS = ("since", "until", "platform", "strategy_id", "model_id", "exit_condition", "priority")


def _filters(given: dict) -> dict:
    """All seven filter parameters (missing ones None); an unknown name is a programming error."""
    unknown = set(given) - set(FILTERS)
    if unknown:
        raise TypeError(f"unknown exit filters: {sorted(unknown)}")
    return {name: given.get(name) for name in FILTERS}


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def filter_options() -> pd.DataFrame:
    return fetch("exits_filter_options")


def _aggregate(name: str, filters: dict) -> pd.DataFrame:
    """One of the four aggregates: without any filter its stored answer (the page's default view)."""
    return stored_answers.read(name, **_filters(filters))


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def breakdown(**filters) -> pd.DataFrame:
    """Exits by condition x priority, by condition, and in total, with regret (exits_breakdown.sql)."""
    return _aggregate("exits_breakdown", filters)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def steps(**filters) -> pd.DataFrame:
    return _aggregate("exits_steps", filters)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def walking(**filters) -> pd.DataFrame:
    return _aggregate("exits_walking", filters)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def fill_rate(**filters) -> pd.DataFrame:
    return _aggregate("exits_fill_rate", filters)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def never_filled(**filters) -> pd.DataFrame:
    return fetch("exits_never_filled", max_rows=MAX_LIST_ROWS, **_filters(filters))


@st.cache_data(ttl=10, max_entries=16, show_spinner=False)
def open_positions(stale_after_seconds: int, platform=None, strategy_id=None, model_id=None) -> pd.DataFrame:
    """Open positions, with how many have had no monitor update for `stale_after_seconds`."""
    return fetch("exits_open_positions", platform=platform, strategy_id=strategy_id, model_id=model_id,
                 stale_after_seconds=stale_after_seconds, max_rows=MAX_LIST_ROWS)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def open_at(at, platform=None, strategy_id=None, model_id=None) -> pd.DataFrame:
    """Positions open at `at` (naive UTC) with their P&L as of then (exits_open_at.sql)."""
    return fetch("exits_open_at", at=at, platform=platform, strategy_id=strategy_id, model_id=model_id,
                 max_rows=MAX_LIST_ROWS)


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def reconciliation(platform=None, strategy_id=None, model_id=None) -> pd.DataFrame:
    return fetch("exits_reconciliation", platform=platform, strategy_id=strategy_id, model_id=model_id,
                 max_rows=MAX_LIST_ROWS)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position(position_id: int) -> pd.DataFrame:
    """Zero rows for an unknown position, else one (see exits_position.sql)."""
    return fetch("exits_position", position_id=position_id)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position_timeline(position_id: int) -> dict[str, pd.DataFrame]:
    """The market's held-side prices around the position, and the position's own rows."""
    return {
        "prices": fetch("exits_position_prices", position_id=position_id, max_rows=MAX_PRICE_ROWS),
        "rows": fetch("exits_position_rows", position_id=position_id),
    }


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position_exits(position_id: int) -> pd.DataFrame:
    return fetch("exits_position_exits", position_id=position_id)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position_attempts(position_id: int) -> pd.DataFrame:
    return fetch("exits_position_attempts", position_id=position_id)


# --- execution quality and how far positions ran (issue #24) ---------------------------------------
@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def slippage(**filters) -> pd.DataFrame:
    """Orders against their decision prices, grouped (exits_slippage.sql; stored without filters)."""
    return _aggregate("exits_slippage", filters)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def slippage_ledger(**filters) -> pd.DataFrame:
    """The newest MAX_LIST_ROWS orders of the execution ledger (exits_slippage_ledger.sql)."""
    return fetch("exits_slippage_ledger", max_rows=MAX_LIST_ROWS, **_filters(filters))


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def excursions(**filters) -> pd.DataFrame:
    """MAE, MFE and exit efficiency by exit condition (exits_excursions.sql; stored without filters)."""
    return _aggregate("exits_excursions", filters)


# Points drawn on the MAE-against-return scatter: the newest exits.
MAX_SCATTER_POINTS = 2000


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def excursion_points(**filters) -> pd.DataFrame:
    return fetch("exits_excursion_points", max_rows=MAX_SCATTER_POINTS, **_filters(filters))


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position_excursions(position_id: int) -> pd.DataFrame:
    return fetch("exits_position_excursions", position_id=position_id)
