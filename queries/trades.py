"""Queries behind the Trade attribution page: filtered trades paged by keyset, one trade's full
attribution (versions, configs, edge, position, exits), and the CSV export of the whole filtered
set, streamed from a server-side cursor.

Filters travel as `TradeFilters`; `.params()` turns them into the :named parameters that
trades_page.sql, trades_page_before.sql and trades_count.sql share.
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from queries import fetch, stream
from queries.edges import filter_options  # noqa: F401 - the same choices serve both pages

PAGE_SIZE = 50
# Counting stops here: a ten-year range answers as fast as a day's ("more than 10,000").
COUNT_CAP = 10_000
CSV_CHUNK_ROWS = 5_000


@dataclass(frozen=True)
class TradeFilters:
    """What the page filters on. Dates are UTC days, both inclusive; None means any."""

    first_day: date
    last_day: date
    strategy_name: str | None = None
    strategy_version: str | None = None
    model_name: str | None = None
    model_version: str | None = None
    market: str | None = None
    platform_id: str | None = None
    side: str | None = None
    execution_mode: str | None = None

    def params(self) -> dict:
        """The SQL parameters: [since, until) in UTC timestamps, the rest as they are."""
        values = asdict(self)
        first, last = values.pop("first_day"), values.pop("last_day")
        values["since"] = datetime.combine(first, time.min)
        values["until"] = datetime.combine(last + timedelta(days=1), time.min)
        return values


def default_days(today: date) -> tuple[date, date]:
    """The default window: the last 7 days, today included."""
    return today - timedelta(days=6), today


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def page(filters: TradeFilters, start_id: int | None, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """Up to page_size + 1 trades from start_id on: the extra row says there is a next page and
    where it starts."""
    return fetch("trades_page", **filters.params(), start_id=start_id, page_size=page_size + 1)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def previous_start(filters: TradeFilters, start_id: int, page_size: int = PAGE_SIZE) -> int | None:
    """Where the page before the one starting at start_id starts (None: the first page)."""
    row = fetch("trades_page_before", **filters.params(), start_id=start_id, page_size=page_size).iloc[0]
    if int(row.newer_rows) <= page_size:
        return None
    return int(row.previous_start_id)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def count(filters: TradeFilters, cap: int = COUNT_CAP) -> pd.Series:
    """trades (capped at cap + 1, so "more than cap" can be told), oldest_trade_at, newest_trade_at."""
    return fetch("trades_count", **filters.params(), cap=cap + 1).iloc[0]


@st.cache_data(ttl=60, max_entries=128, show_spinner=False)
def detail(trade_id: int) -> pd.Series | None:
    """The trade with its versions, configs and edge; None when there is no such trade."""
    frame = fetch("trades_detail", trade_id=trade_id)
    return None if frame.empty else frame.iloc[0]


@st.cache_data(ttl=30, max_entries=128, show_spinner=False)
def position(position_id: int) -> pd.Series | None:
    frame = fetch("trades_position", position_id=position_id)
    return None if frame.empty else frame.iloc[0]


@st.cache_data(ttl=30, max_entries=128, show_spinner=False)
def position_exits(position_id: int) -> pd.DataFrame:
    return fetch("trades_position_exits", position_id=position_id)


@st.cache_data(ttl=30, max_entries=128, show_spinner=False)
def position_trades(position_id: int) -> pd.DataFrame:
    return fetch("trades_position_trades", position_id=position_id)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def position_slippage(position_id: int) -> pd.DataFrame:
    """The position's entries and exit orders against their decision prices (trades_slippage.sql)."""
    return fetch("trades_slippage", position_id=position_id)


# ------------------------------------------------------------------------------------------------
# CSV export
# ------------------------------------------------------------------------------------------------
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP);
# text from the database gets a leading apostrophe instead. Numbers are never touched.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def csv_export(filters: TradeFilters, chunk_rows: int = CSV_CHUNK_ROWS) -> bytes:
    """Every trade that matches the filters as CSV (UTF-8, header row), in the page's order.

    Read through a server-side cursor `chunk_rows` at a time, so the rows never sit in this
    process all at once (Streamlit then holds the finished file for the download).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header_written = False
    for columns, rows in stream("trades_page", chunk_rows=chunk_rows, **filters.params(),
                                start_id=None, page_size=None):
        if not header_written:
            writer.writerow(columns)
            header_written = True
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")
