"""The stored answers (schema.sql, "Exits page: its four aggregates ... and edge decay's"): an
aggregate's answer without filters, kept in a materialized view; reading one, and refreshing them."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from queries import background_write, fetch


def read(name: str, **params: Any) -> pd.DataFrame:
    """queries/<name>.sql with `params`; with every parameter None, its stored answer instead
    (<name>_stored.sql), with when it was computed in .attrs["computed_at"] (ISO text: st.dataframe
    serializes a frame's attrs as JSON). A frame computed now has no such attr."""
    if any(value is not None for value in params.values()):
        return fetch(name, **params)
    frame = fetch(f"{name}_stored")
    computed_at = frame.pop("computed_at")
    frame.attrs["computed_at"] = pd.Timestamp(computed_at.iloc[0]).isoformat() if len(computed_at) else None
    return frame


def refresh() -> int:
    """Refresh the stored answers older than a minute (as the dashboard's writer); how many were.
    0 when none was due, or when another process was refreshing at that moment. Its connection
    closes afterwards: the refresher thread's call every half minute would keep a pooled one open."""
    return int(background_write("stored_answers_refresh").refreshed.iloc[0])


@st.cache_data(ttl=30, max_entries=2, show_spinner=False)
def computed_at() -> dict[str, pd.Timestamp]:
    """When each stored answer was last computed, by its view's name (stored_answers_computed_at.sql)."""
    frame = fetch("stored_answers_computed_at")
    return dict(zip(frame.name, frame.computed_at))
