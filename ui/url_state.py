"""Page state that lives in the URL, so a link reproduces the view.

Reading never trusts the URL: a value that does not parse or is not allowed is dropped, and
`problems` collects one sentence per dropped value for the page to show. A value quoted in a
sentence goes through `quote`, so the sentence shows exactly what the link holds and nothing else.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Callable, Iterable, TypeVar

import streamlit as st

from ui.text import unlinked

T = TypeVar("T")
MAX_PARAM_LENGTH = 200
# The days a link may name: far beyond any trading data, and far enough from the ends of Python's
# calendar (years 1 and 9999) that a page can add or subtract years without overflowing.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)
QUOTE_LENGTH = 60
# C0, DEL and C1: no value the pages write holds one, and PostgreSQL text cannot hold NUL.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# What markdown acts on inside a line: escapes, code, emphasis, links and images, maths, strike
# through, directives (:red[...], :material/x:), scheme autolinks and entities; an underscore
# only where it can open or close emphasis (not inside a word).
_MARKDOWN = re.compile(r"([\\`*\[\]$~:&]|(?<![^\W_])_|_(?![^\W_]))")


def quote(value: str, limit: int = QUOTE_LENGTH) -> str:
    """`value` for a sentence shown as markdown: at most `limit` characters (then "…"), each
    unprintable character (control, format, line or paragraph break) shown as "\ufffd", the
    characters markdown acts on backslash-escaped and addresses kept from being linked
    (ui.text.unlinked), so a link cannot add a link, image or formatting to the page."""
    shown = unlinked("".join(c if c.isprintable() else "\ufffd" for c in value[:limit]))
    return _MARKDOWN.sub(r"\\\1", shown) + ("…" if len(value) > limit else "")


class UrlState:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def _raw(self, name: str) -> str | None:
        value = st.query_params.get(name)
        if value is None or value == "":
            return None
        if len(value) > MAX_PARAM_LENGTH:
            self.problems.append(f"The link's '{name}' is too long and was ignored.")
            return None
        if _CONTROL.search(value):
            self.problems.append(f"The link's '{name}' holds control characters and was ignored.")
            return None
        return value

    def text(self, name: str, allowed: Iterable[str] | None = None, default: str | None = None) -> str | None:
        value = self._raw(name)
        if value is None:
            return default
        if allowed is not None and value not in set(allowed):
            self.problems.append(f"The link's {name} '{quote(value)}' is unknown and was ignored.")
            return default
        return value

    def texts(self, name: str, allowed: Iterable[str] | None = None) -> list[str]:
        """A comma-separated list; unknown entries dropped."""
        value = self._raw(name)
        if value is None:
            return []
        items = [v for v in value.split(",") if v]
        if allowed is not None:
            allowed_set = set(allowed)
            unknown = list(dict.fromkeys(v for v in items if v not in allowed_set))
            if len(unknown) == 1:
                self.problems.append(f"The link's {name} '{quote(unknown[0])}' is unknown and was ignored.")
            elif unknown:
                named = ", ".join(f"'{quote(u, 40)}'" for u in unknown[:3])
                more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
                self.problems.append(f"The link's {name} {named}{more} are unknown and were ignored.")
            items = [v for v in items if v in allowed_set]
        return list(dict.fromkeys(items))

    def parsed(self, name: str, parse: Callable[[str], T], what: str, default: T | None = None) -> T | None:
        """A value `parse` reads from ASCII text (numbers, days, ids): Python's int(), float(),
        Decimal() and date.fromisoformat() also read other scripts' digits ('٣' is 3), which no
        link the dashboard writes holds."""
        value = self._raw(name)
        if value is None:
            return default
        try:
            if not value.isascii():
                raise ValueError(value)
            return parse(value)
        except (ValueError, TypeError, OverflowError):
            self.problems.append(f"The link's {name} '{quote(value)}' is not {what} and was ignored.")
            return default

    def integer(self, name: str, default: int | None = None, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        def parse(v: str) -> int:
            if not re.fullmatch("[0-9]{1,10}", v):  # int() also reads ' 7 ', '+1' and '1_000'
                raise ValueError(v)
            number = int(v)
            if not minimum <= number <= maximum:
                raise ValueError(v)
            return number
        return self.parsed(name, parse, "a valid number", default)

    def day(self, name: str, default: date | None = None) -> date | None:
        day = self.parsed(name, date.fromisoformat, "a date (YYYY-MM-DD)", default)
        if day is None or day == default or EARLIEST_DAY <= day <= LATEST_DAY:
            return day
        self.problems.append(f"The link's {name} {day.isoformat()} is outside {EARLIEST_DAY.year}–"
                             f"{LATEST_DAY.year} and was ignored.")
        return default

    def instant(self, name: str, default: datetime | None = None) -> datetime | None:
        """A moment in UTC (YYYY-MM-DDTHH:MM[:SS]; an offset is converted to UTC), naive."""
        def parse(v: str) -> datetime:
            moment = datetime.fromisoformat(v)
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
                raise ValueError(v)
            return moment
        return self.parsed(name, parse, f"a moment (a date and time, UTC) between {EARLIEST_DAY.year} and "
                                        f"{LATEST_DAY.year}", default)

    def show_problems(self) -> None:
        for problem in self.problems:
            st.warning(problem, icon=":material/link_off:")


def write(**values: str | int | date | Iterable[str] | None) -> None:
    """Put the page's current state into the URL (None or empty removes a key)."""
    for name, value in values.items():
        if value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value):
            if name in st.query_params:
                del st.query_params[name]
            continue
        if isinstance(value, date):
            text = value.isoformat()
        elif isinstance(value, (list, tuple)):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        if st.query_params.get(name) != text:
            st.query_params[name] = text


TAB = "tab"  # the link's parameter (and session-state key) naming a page's open tab


def open_tab_only(labels: list[str]):
    """The page's tabs, of which only the open one is drawn: each container's `.open` says whether
    it is that one. The open tab is named in the link (`?tab=Calibration`; an unknown name falls
    back to the first), so a link reopens it. Hidden tabs cost the server their queries and the
    browser their elements as much as the open one does."""
    return st.tabs(labels, key=TAB, on_change="rerun", bind="query-params")


def open_tab_on_first_run(label: str) -> None:
    """Opens `label` on this run, unless the link names a tab (call before the tabs are drawn)."""
    if TAB not in st.query_params:
        st.session_state[TAB] = label
