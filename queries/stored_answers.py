"""The stored answers (schema.sql, "Exits page: its four aggregates"): their refresh, a write."""
from __future__ import annotations

from queries import write


def refresh() -> int:
    """Refresh the stored answers older than a minute (as the dashboard's writer); how many were.
    0 when none was due, or when another process was refreshing at that moment."""
    return int(write("stored_answers_refresh").refreshed.iloc[0])
