"""Queries behind the Overview page."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from queries import fetch


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def kpis() -> pd.Series:
    return fetch("overview_kpis").iloc[0]


@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def realized_pnl_by_day() -> pd.DataFrame:
    return fetch("overview_realized_pnl_by_day")


@st.cache_data(ttl=10, max_entries=4, show_spinner=False)
def unresolved_alerts() -> pd.DataFrame:
    return fetch("overview_unresolved_alerts")


@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def balances() -> pd.DataFrame:
    return fetch("overview_balances")
