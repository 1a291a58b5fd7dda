"""Queries behind the Strategy A/B page (one .sql file each; see their headers).

strategy_ids are lists of strategies.strategy_id; since/until are naive UTC datetimes (or None)
bounding the closing time of positions, [since, until).
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from queries import fetch


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def strategy_versions() -> pd.DataFrame:
    return fetch("ab_strategy_versions")


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def version_metrics(strategy_ids: list[int], since: datetime | None, until: datetime | None) -> pd.DataFrame:
    return fetch("ab_version_metrics", strategy_ids=list(strategy_ids), since=since, until=until)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def weekly_stats(strategy_ids: list[int], since: datetime | None, until: datetime | None,
                 execution_mode: str) -> pd.DataFrame:
    return fetch("ab_weekly_stats", strategy_ids=list(strategy_ids), since=since, until=until,
                 execution_mode=execution_mode)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def daily_pnl(strategy_ids: list[int], since: datetime | None, until: datetime | None,
              execution_mode: str) -> pd.DataFrame:
    return fetch("ab_daily_pnl", strategy_ids=list(strategy_ids), since=since, until=until,
                 execution_mode=execution_mode)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def return_histogram(strategy_ids: list[int], since: datetime | None, until: datetime | None,
                     execution_mode: str, bins: int = 30) -> pd.DataFrame:
    return fetch("ab_return_histogram", strategy_ids=list(strategy_ids), since=since, until=until,
                 execution_mode=execution_mode, bins=bins)


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def roi_check(strategy_ids: list[int]) -> pd.DataFrame:
    return fetch("ab_roi_check", strategy_ids=list(strategy_ids))
