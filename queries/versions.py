"""Queries shared by the pages that compare versions (models, strategies): their results, and
their recorded lifecycle (schema.sql, "Version lifecycle"), for either kind ('model' or 'strategy').

The lifecycle reads go to the primary: after an admin's transition the page must show it at once."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from queries import fetch, fetch_primary


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def version_results(strategy_name: str | None = None, model_name: str | None = None,
                    since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """Closed-position results per strategy version x model version x mode (see version_results.sql)."""
    return fetch("version_results", strategy_name=strategy_name, model_name=model_name, since=since, until=until)


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def timeline(kind: str, name: str) -> pd.DataFrame:
    """Every status of every version of the model or strategy `name`, newest first (versions_timeline.sql)."""
    return fetch_primary("versions_timeline", kind=kind, version_name=name)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def as_of(kind: str, name: str, at: datetime) -> pd.DataFrame:
    """Each version's recorded status at `at` beside what it traded that day (versions_as_of.sql)."""
    return fetch_primary("versions_as_of", kind=kind, version_name=name, at=at)
