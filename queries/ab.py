"""Queries behind the Strategy A/B page (one .sql file each; see their headers).

strategy_ids are lists of strategies.strategy_id; since/until are naive UTC datetimes (or None)
bounding the closing time of positions, [since, until).
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from queries import fetch, fetch_bulk


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def strategy_versions() -> pd.DataFrame:
    return fetch("ab_strategy_versions")


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def model_versions() -> pd.DataFrame:
    return fetch("ab_model_versions")


def closed_positions(strategy_ids: list[int], since: datetime | None, until: datetime | None) -> pd.DataFrame:
    """One row per closed position (ab_closed_positions.sql); not cached itself: the page caches
    the small results computed from it (analytics/ab_positions.py), not its thousands of rows."""
    return fetch_bulk("ab_closed_positions", strategy_ids=list(strategy_ids), since=since, until=until)


def position_segments(strategy_ids: list[int], since: datetime | None, until: datetime | None) -> pd.DataFrame:
    """The sport, platform and time to expiry at entry of each closed position
    (ab_position_segments.sql); not cached itself, as closed_positions."""
    return fetch_bulk("ab_position_segments", strategy_ids=list(strategy_ids), since=since, until=until)


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def trading_periods(strategy_ids: list[int]) -> pd.DataFrame:
    """First and last trade of each version (ab_trading_periods.sql)."""
    return fetch("ab_trading_periods", strategy_ids=list(strategy_ids))


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def roi_check(strategy_ids: list[int]) -> pd.DataFrame:
    return fetch("ab_roi_check", strategy_ids=list(strategy_ids))
