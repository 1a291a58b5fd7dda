"""The stored answers (schema.sql, "Exits page: its four aggregates"): their refresh, a write."""
from __future__ import annotations

from queries import write

MAX_AGE_SECONDS = 60  # the age the pages promise: refreshed when older


def refresh(older_than_seconds: float = MAX_AGE_SECONDS) -> int:
    """Refresh the stored answers older than that (as the dashboard's writer); how many were.
    0 when none was due, or when another process was refreshing at that moment."""
    return int(write("stored_answers_refresh", older_than_seconds=older_than_seconds).refreshed.iloc[0])
