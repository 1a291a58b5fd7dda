"""Queries shared by the pages that compare versions (models, strategies)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from queries import fetch


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def version_results(strategy_name: str | None = None, model_name: str | None = None,
                    since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """Closed-position results per strategy version x model version x mode (see version_results.sql)."""
    return fetch("version_results", strategy_name=strategy_name, model_name=model_name, since=since, until=until)
