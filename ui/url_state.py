"""Page state that lives in the URL, so a link reproduces the view.

Reading never trusts the URL: a value that does not parse or is not allowed is dropped, and
`problems` collects one sentence per dropped value for the page to show.
"""
from __future__ import annotations

from datetime import date
from typing import Callable, Iterable, TypeVar

import streamlit as st

T = TypeVar("T")
MAX_PARAM_LENGTH = 200


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
        return value

    def text(self, name: str, allowed: Iterable[str] | None = None, default: str | None = None) -> str | None:
        value = self._raw(name)
        if value is None:
            return default
        if allowed is not None and value not in set(allowed):
            self.problems.append(f"The link's {name} '{value[:60]}' is unknown and was ignored.")
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
            unknown = [v for v in items if v not in allowed_set]
            if unknown:
                self.problems.append(f"The link's {name} {', '.join(repr(u[:40]) for u in unknown[:3])} "
                                     "unknown and ignored." if len(unknown) > 1 else
                                     f"The link's {name} '{unknown[0][:60]}' is unknown and was ignored.")
            items = [v for v in items if v in allowed_set]
        return list(dict.fromkeys(items))

    def parsed(self, name: str, parse: Callable[[str], T], what: str, default: T | None = None) -> T | None:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return parse(value)
        except (ValueError, TypeError, OverflowError):
            self.problems.append(f"The link's {name} '{value[:60]}' is not {what} and was ignored.")
            return default

    def integer(self, name: str, default: int | None = None, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        def parse(v: str) -> int:
            number = int(v)
            if not minimum <= number <= maximum:
                raise ValueError(v)
            return number
        return self.parsed(name, parse, "a valid number", default)

    def day(self, name: str, default: date | None = None) -> date | None:
        return self.parsed(name, date.fromisoformat, "a date (YYYY-MM-DD)", default)

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
