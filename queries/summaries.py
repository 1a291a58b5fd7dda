"""How fresh the summaries are that pages read instead of aggregating all of history."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from queries import fetch


@st.cache_data(ttl=30, max_entries=2, show_spinner=False)
def freshness() -> pd.DataFrame:
    """summary, last_written (UTC) for every summary table (summaries_freshness.sql)."""
    return fetch("summaries_freshness")
