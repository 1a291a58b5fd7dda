"""How old is the data, said the way a person reads it."""
from __future__ import annotations

from datetime import datetime, timedelta

# The seed's monitor writes every 30 s (5 s when urgent); markets update at least as often while
# anything is live. Older than this and the page says the data is stale.
STALE_AFTER = timedelta(minutes=15)


def age(newest: datetime | None, now: datetime) -> timedelta | None:
    if newest is None:
        return None
    return max(now - newest, timedelta(0))


def describe_duration(delta: timedelta | None) -> str:
    """'3 s', '42 s', '7 min', '3 h', '2 days', or 'never' (for no value)."""
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def describe_age(delta: timedelta | None) -> str:
    """'just now', '42 s ago', '7 min ago', '3 h ago', '2 days ago', or 'never'."""
    if delta is None:
        return "never"
    if delta.total_seconds() < 5:
        return "just now"
    return f"{describe_duration(delta)} ago"


def is_stale(delta: timedelta | None) -> bool:
    return delta is None or delta > STALE_AFTER
