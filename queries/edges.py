"""Queries behind the Current edges page: the current edges of open markets above a threshold,
their EV distribution and per-version counts, and the decay of the edges we traded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
import streamlit as st

from queries import fetch, stored_answers

DEFAULT_MIN_EV = Decimal("0.04")
ROW_LIMIT = 500
CONFIDENCE_LEVELS = ("high", "medium", "low")
ACTIONS = ("auto_execute", "alert", "ignore")


@dataclass(frozen=True)
class EdgeFilters:
    """What the page filters on; empty tuples and None mean any."""

    min_ev: Decimal = DEFAULT_MIN_EV
    confidence: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    sports: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    strategy_name: str | None = None
    model_name: str | None = None

    def params(self) -> dict:
        def listed(values: tuple[str, ...]) -> list[str] | None:
            return list(values) or None

        return {
            "min_ev": self.min_ev, "confidence": listed(self.confidence), "actions": listed(self.actions),
            "sports": listed(self.sports), "platforms": listed(self.platforms),
            "strategy_name": self.strategy_name, "model_name": self.model_name,
        }


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def filter_options() -> pd.DataFrame:
    """Strategy and model versions, trading platforms and sports (edges_filter_options.sql);
    the Trade attribution page uses the same choices."""
    return fetch("edges_filter_options")


@st.cache_data(ttl=15, max_entries=32, show_spinner=False)
def current(filters: EdgeFilters, row_limit: int = ROW_LIMIT) -> pd.DataFrame:
    """The best row_limit current edges on open markets at or above the threshold."""
    return fetch("edges_current", **filters.params(), row_limit=row_limit)


@st.cache_data(ttl=15, max_entries=32, show_spinner=False)
def summary(filters: EdgeFilters) -> pd.DataFrame:
    """EV buckets (every current edge on open markets) and per-version counts (above the threshold)."""
    return fetch("edges_summary", **filters.params())


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def decay(since: datetime | None, strategy_name: str | None = None, model_name: str | None = None,
          sports: tuple[str, ...] = (), platforms: tuple[str, ...] = ()) -> pd.DataFrame:
    """Edge at entry against edge at close of the edges traded since `since` (None: all time), by
    time to expiry (edges_decay.sql); for all time without filters, its stored answer."""
    return stored_answers.read("edges_decay", since=since, strategy_name=strategy_name, model_name=model_name,
                               sports=list(sports) or None, platforms=list(platforms) or None)
