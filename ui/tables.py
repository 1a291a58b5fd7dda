"""Wide tables: the columns a reader needs are shown, the rest open on demand (the table's toolbar,
"Show/hide columns"), so nothing is cut off at 1366 x 768 and nothing is lost."""
from __future__ import annotations

from typing import Any

import streamlit as st

ON_DEMAND_NOTE = "More columns: the table's toolbar, Show/hide columns (the eye)."


def on_demand(config: Any) -> dict:
    """A column's configuration (a label or an st.column_config column), hidden until the reader shows it."""
    base = st.column_config.Column(config) if isinstance(config, str) else dict(config)
    return {**base, "hidden": True}
