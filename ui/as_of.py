"""A moment chosen on a page (what was live, what was open, at T): day and time inputs in UTC whose
value lives in the link as `at`, like every other choice that changes a number on a page."""
from __future__ import annotations

from datetime import datetime, time, timezone

import streamlit as st

from ui import url_state
from ui.url_state import UrlState

AT = "at"  # the link's parameter: a moment, YYYY-MM-DDTHH:MM (UTC)


def moment(key: str) -> datetime:
    """Day and time inputs (UTC) for a moment: from the link on the page's first run, else now;
    the moment chosen is written back to the link."""
    day_key, time_key = f"{key}_asof_day", f"{key}_asof_time"
    if day_key not in st.session_state:
        link = UrlState()
        now = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
        chosen = link.instant(AT) or now
        link.show_problems()
        st.session_state[day_key], st.session_state[time_key] = chosen.date(), chosen.time()
    day_column, time_column, _ = st.columns([1, 1, 3])
    day = day_column.date_input("Day (UTC)", key=day_key, min_value=url_state.EARLIEST_DAY,
                                max_value=url_state.LATEST_DAY, format="YYYY-MM-DD")
    clock = time_column.time_input("Time (UTC)", key=time_key, step=60)
    chosen = datetime.combine(day or datetime.now(timezone.utc).date(), clock or time())
    url_state.write(**{AT: chosen.strftime("%Y-%m-%dT%H:%M")})
    return chosen
