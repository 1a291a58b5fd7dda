"""The caption a page shows under figures it reads from database-kept summaries."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from analytics.freshness import age, describe_age
from queries import stored_answers, summaries


def last_written(freshness: pd.DataFrame, names: tuple[str, ...]) -> datetime | None:
    """The newest write among the named summaries (None when none has rows)."""
    chosen = freshness[freshness.summary.isin(names)].last_written.dropna()
    if chosen.empty:
        return None
    return pd.Timestamp(chosen.max()).tz_convert("UTC").to_pydatetime()


def caption(*names: str) -> None:
    """'From summaries the database keeps as rows are written: last written 3 min ago (...)'."""
    written = last_written(summaries.freshness(), names)
    now = datetime.now(timezone.utc)
    when = "never written yet" if written is None else (
        f"last written {describe_age(age(written, now))} ({written:%Y-%m-%d %H:%M:%S} UTC)")
    st.caption(f"From summaries the database keeps current as rows are written ({', '.join(names)}): "
               f"{when}. Pages reuse a query's answer for up to a minute.")


def caption_for(computed_at: str | None, *names: str) -> None:
    """The caption for figures that are either a stored answer (computed_at: when it was stored,
    from queries/stored_answers.read) or computed now from the named summaries (computed_at None)."""
    if not computed_at:
        caption(*names)
        return
    st.caption(f"With none of their filters set, these figures are stored: {_computed(computed_at)}. A running "
               "dashboard has them refreshed once they are a minute old; any filter computes them afresh.")


def stored_caption(name: str) -> None:
    """The caption for figures read from the stored answer `name` whatever the filters (schema.sql)."""
    computed_at = stored_answers.computed_at().get(name)
    when = _computed(computed_at) if computed_at else "not computed yet"
    st.caption(f"These figures are stored: {when}. A running dashboard has them refreshed once they are a "
               "minute old.")


def _computed(computed_at) -> str:
    computed = pd.Timestamp(computed_at).tz_convert("UTC").to_pydatetime()
    return f"computed {describe_age(age(computed, datetime.now(timezone.utc)))} ({computed:%Y-%m-%d %H:%M:%S} UTC)"
