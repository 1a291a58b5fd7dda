"""The only code that talks to PostgreSQL.

One query per `.sql` file in this folder, named after the question it answers, with a header
comment naming its parameters and what it returns. SQL binds `:named` parameters; nothing is ever
assembled from strings. Functions here load a file, bind, run, and return a DataFrame.

Page-level modules (queries/overview.py, ...) wrap these in named, cached functions.
"""
from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import psycopg2
import sqlalchemy as sa
import sqlparse
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import psycopg2 as pg_psycopg2

from queries.connection import (
    DatabaseUnavailable,
    background_write_engine,
    explain_error,
    missing_schema_message,
    outdated_schema_message,
    primary_read_engine,
    read_engine,
    write_engine,
)

SQL_DIR = Path(__file__).resolve().parent


def strip_comments(sql: str) -> str:
    """SQL without its -- and /* */ comments (string literals, quoted names and dollar-quoted
    bodies kept as they are), by sqlparse's lexer.

    Why: SQLAlchemy's text() takes a `:name` inside a comment for a bind parameter, and psycopg2
    interpolates parameters on the client, so a value with a newline would end the comment and
    run as SQL. Header comments name their parameters, so comments go before binding.
    Cost: about 6 ms per query file (0.2 ms with the hand-written scanner it replaced), paid once
    per file and process: sql_text() keeps the result.
    """
    return sqlparse.format(sql, strip_comments=True)


def statement(sql: str) -> sa.TextClause:
    """A bindable statement from SQL text (comments removed first: see strip_comments)."""
    return sa.text(strip_comments(sql))


@functools.cache
def sql_text(name: str) -> sa.TextClause:
    """The statement in queries/<name>.sql (read once per process)."""
    return statement((SQL_DIR / f"{name}.sql").read_text())


# Page reads run as server-side prepared statements, one per query file and connection: planning
# the views and inlined filter functions behind a page query cost 1-2.7 ms each time, as much as
# running it (edges, trades, exits lists at ten years). PostgreSQL plans the first five executions
# for their values and then keeps one generic plan if it costs no more (plan_cache_mode = auto),
# so a filter whose values change the plan still gets its own. Writes and streams run as before.
# A file whose header has a line starting CUSTOM_PLAN is planned for its values on every call: the
# generic plan PostgreSQL would keep for it is slower than planning (tests/test_prepared.py).
PREPARED = "precog_prepared"  # key in each pooled connection's info: the query files prepared on it
CUSTOM_PLAN = "-- Plan: for its values on every call"
_PREPARED_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")


@functools.cache
def planned_each_call(name: str) -> bool:
    return any(line.startswith(CUSTOM_PLAN) for line in (SQL_DIR / f"{name}.sql").read_text().splitlines())


@functools.cache
def driver_form(name: str) -> str:
    """queries/<name>.sql with psycopg2's %(name)s placeholders (SQLAlchemy's own parsing of :names)."""
    return str(sql_text(name).compile(dialect=pg_psycopg2.dialect()))


@functools.cache
def prepared_form(name: str) -> tuple[str, tuple[str, ...]]:
    """queries/<name>.sql as the body of a PREPARE ($1, $2, ... numbered in order of first use) and
    the parameter names in that order."""
    return numbered_form(driver_form(name))


def numbered_form(compiled: str) -> tuple[str, tuple[str, ...]]:
    """SQL with psycopg2's %(name)s placeholders as the body of a PREPARE, and the parameter
    names in the order of their numbers."""
    order: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) is None:  # a literal % in the SQL, escaped by the compiler as %%
            return "%"
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    return _PREPARED_PLACEHOLDER.sub(number, compiled), tuple(order)


def _execute_prepared(conn: sa.Connection, name: str, params: dict[str, Any]) -> sa.CursorResult:
    body, order = prepared_form(name)
    statement = f"precog_{name}"
    execute = f"EXECUTE {statement}" + (f"({', '.join(['%s'] * len(order))})" if order else "")
    values = tuple(params[p] for p in order)
    prepared = conn.connection.info.setdefault(PREPARED, set())
    for attempt in (1, 2):
        if name not in prepared:
            try:
                conn.exec_driver_sql(f"PREPARE {statement} AS {body}")
            except sa_exc.DBAPIError as error:
                # already there: a session this process did not track (a pooler between us and
                # the server hands out server sessions as it likes)
                if getattr(error.orig, "pgcode", None) != "42P05":
                    raise
            prepared.add(name)
        try:
            return conn.exec_driver_sql(execute, values) if values else conn.exec_driver_sql(execute)
        except sa_exc.DBAPIError as error:
            # Gone (someone ran DISCARD ALL), or its result columns changed since it was prepared
            # (schema.sql replaced a view): prepare it again, once.
            code = getattr(error.orig, "pgcode", None)
            if attempt == 2 or code not in ("26000", "0A000"):
                raise
            prepared.discard(name)
            if code == "0A000":
                conn.exec_driver_sql(f"DEALLOCATE {statement}")
    raise AssertionError("unreachable")


def copy_csv(cursor, sql: str, params: dict[str, Any], out) -> None:
    """Write the rows of `sql` (with psycopg2's %(name)s placeholders) to the binary file `out`
    through COPY ... TO STDOUT as CSV with a header row."""
    # psycopg2 binds on the client in any case; mogrify is that binding, done before COPY
    query = cursor.mogrify(sql, params).decode().strip().removesuffix(";")  # COPY (...) takes no ;
    cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", out, size=1 << 20)


def _copy_csv(conn: sa.Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """The query's rows through COPY ... TO STDOUT as CSV, parsed by pyarrow (see fetch_bulk)."""
    raw = conn.connection.dbapi_connection
    cursor = None
    data = io.BytesIO()
    try:
        cursor = raw.cursor()
        copy_csv(cursor, driver_form(name), params, data)
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
        if raw.closed:  # the server dropped it: as SQLAlchemy does for its own statements, start a new pool
            conn.invalidate()
            conn.engine.dispose()
            raise _DeadConnection(error) from error
        raise
    finally:
        if cursor is not None and not cursor.closed:
            cursor.close()
    data.seek(0)
    return pd.read_csv(data, engine="pyarrow")


# PostgreSQL type OIDs whose column the driver gives as one Python type, so its dtype is known
# without pandas looking at every value: what pd.DataFrame(rows, columns) infers for them.
_INTEGER_TYPES = {20, 21, 23}  # int8, int2, int4: int64, or float64 with NaN where NULL
_FLOAT_TYPES = {700, 701}  # float4, float8: float64, NaN where NULL
_BOOLEAN_TYPE = 16  # bool when no NULL; object otherwise
_OBJECT_TYPES = {18, 19, 25, 1042, 1043, 1082, 1700}  # char, name, text, bpchar, varchar, date, numeric


def frame_from_rows(rows: list[tuple], description) -> pd.DataFrame:
    """pd.DataFrame(rows, columns=names), the same frame, built from typed columns where the
    driver's type says what pandas would infer: inferring every column of a small answer was
    most of the time a page statement spent in this process (0.68 of 1.1 ms for a stored answer
    of 15 rows x 24 columns). Other types (timestamps, arrays, JSON) are inferred by pandas
    (tests/test_queries_loader.py compares the two frames for every type, with no, some and
    only NULLs)."""
    names = [column.name for column in description]
    if not rows or len(set(names)) != len(names):
        return pd.DataFrame(rows, columns=names)
    data: dict[str, Any] = {}
    for column, values in zip(description, zip(*rows)):
        count, kind = len(values), column.type_code
        if kind in _OBJECT_TYPES:  # a column of NULLs only is such a column too (None)
            data[column.name] = np.fromiter(values, dtype=object, count=count)
            continue
        # counting NULLs compares every value with None: cheap for numbers, not for Decimals
        nulls = values.count(None) if kind in _INTEGER_TYPES or kind in _FLOAT_TYPES or kind == _BOOLEAN_TYPE else 0
        if nulls == count:
            data[column.name] = np.fromiter(values, dtype=object, count=count)
        elif kind in _INTEGER_TYPES and not nulls:
            data[column.name] = np.fromiter(values, dtype=np.int64, count=count)
        elif kind in _INTEGER_TYPES or kind in _FLOAT_TYPES:
            data[column.name] = np.fromiter((np.nan if v is None else v for v in values) if nulls else values,
                                            dtype=np.float64, count=count)
        elif kind == _BOOLEAN_TYPE:
            data[column.name] = np.fromiter(values, dtype=bool if not nulls else object, count=count)
        else:
            data[column.name] = list(values)  # pandas infers: timestamps, intervals, arrays, JSON
    return pd.DataFrame(data, copy=False)


def _run(engine_getter, name: str, params: dict[str, Any], write: bool, bulk: bool = False) -> pd.DataFrame:
    try:
        engine = engine_getter()
    except sa_exc.SQLAlchemyError as error:
        raise DatabaseUnavailable(explain_error(error)) from None
    for attempt in (1, 2):
        try:
            return _run_on(engine, name, params, write, bulk)
        except _DeadConnection as dead:
            # The read engines do not ping before a checkout (connection.engine_for): a pooled
            # connection the server dropped (a restart) fails its first statement. SQLAlchemy has
            # discarded it and every connection pooled before it; a read changes nothing, so it is
            # sent again on a new connection (a read whose backend was terminated on purpose runs
            # once more too, bounded by the statement timeout). A write is never sent twice.
            if write or attempt == 2:
                raise DatabaseUnavailable(explain_error(dead.error, engine.url.render_as_string(hide_password=True))) from None
    raise AssertionError("unreachable")


class _DeadConnection(Exception):
    """A pooled connection was found closed by the server; a read can be sent again."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _run_on(engine: sa.Engine, name: str, params: dict[str, Any], write: bool, bulk: bool) -> pd.DataFrame:
    try:
        with (engine.begin() if write else engine.connect()) as conn:
            if bulk:
                return _copy_csv(conn, name, params)
            if write or planned_each_call(name):
                result = conn.execute(sql_text(name), params)
            else:
                result = _execute_prepared(conn, name, params)
            if not result.returns_rows:
                return pd.DataFrame()
            # the driver's own tuples: SQLAlchemy's Row objects add nothing for text() queries (no
            # result processors) and made the DataFrame slower to build (7 ms of 10K rows)
            return frame_from_rows(result.cursor.fetchall(), result.cursor.description)
    except (sa_exc.ProgrammingError, psycopg2.ProgrammingError) as error:
        # A missing table, column or function means a database without the schema, or with an
        # older one; otherwise it is a bug in the query, and the traceback is the right answer.
        code = getattr(getattr(error, "orig", error), "pgcode", None)
        if code in ("42P01", "42703", "42883", "42501"):
            _raise_if_schema_missing_or_outdated(engine)
        if code == "42501":  # the role lacks a grant: a set-up problem
            raise DatabaseUnavailable(explain_error(error, engine.url.render_as_string(hide_password=True))) from None
        raise
    except (sa_exc.OperationalError, sa_exc.InterfaceError, psycopg2.OperationalError, psycopg2.InterfaceError) as error:
        if getattr(error, "connection_invalidated", False):
            raise _DeadConnection(error) from error
        raise DatabaseUnavailable(explain_error(error, engine.url.render_as_string(hide_password=True))) from None


def _raise_if_schema_missing_or_outdated(engine: sa.Engine) -> None:
    from queries.schema import required_version

    url = engine.url.render_as_string(hide_password=False)
    needed = required_version()
    try:
        with engine.connect() as conn:
            if not conn.execute(sa.text("SELECT to_regclass('public.schema_version') IS NOT NULL")).scalar():
                raise DatabaseUnavailable(missing_schema_message(url))
            versions = conn.execute(sa.text("SELECT version FROM schema_version ORDER BY applied_at DESC")).scalars().all()
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:  # a read engine does not ping first
        raise DatabaseUnavailable(explain_error(error, engine.url.render_as_string(hide_password=True))) from None
    if needed not in versions:
        raise DatabaseUnavailable(outdated_schema_message(url, versions[0] if versions else None, needed))


# SQLSTATEs of a refusal a person can act on: the write functions' own (check_violation for an
# illegal transition, invalid_parameter_value for bad input, no_data_found for an unknown row) and
# the database's for a value its column cannot hold (numeric_value_out_of_range,
# invalid_text_representation), whichever check let such a value through.
REFUSALS = {"23514", "22023", "P0002"}
VALUE_REFUSALS = {"22003", "22P02"}
INT4 = range(-2**31, 2**31)  # what an id column (integer, SERIAL) can hold


def refusal(error: sa_exc.DBAPIError) -> str | None:
    """The database's sentence for a refused write (with its hint), or None when `error` is not a
    refusal but a fault."""
    code = getattr(error.orig, "pgcode", None)
    if code not in REFUSALS | VALUE_REFUSALS:
        return None
    diag = getattr(error.orig, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(error.orig)).strip().splitlines()[0]
    text = f"The database refused a value: {primary}" if code in VALUE_REFUSALS else primary
    text += "" if text.endswith(".") else "."  # not capitalised: it may begin with a model name
    hint = getattr(diag, "message_hint", None)
    return f"{text} {hint}" if hint else text


def whole_number(value: Any) -> int | None:
    """`value` as a whole number (an int, or a string of ASCII digits), None when it is not one:
    int() would turn 1.5 into 1, and '٣' into 3."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str) and re.fullmatch("-?[0-9]{1,40}", value):
        return int(value)
    return None


def fetch(name: str, **params: Any) -> pd.DataFrame:
    """Run a read-only query (replica if one is configured)."""
    return _run(read_engine, name, params, write=False)


def fetch_bulk(name: str, **params: Any) -> pd.DataFrame:
    """Run a read-only query of many rows of numbers (replica if one is configured), as fetch()
    but through COPY as CSV, parsed by pyarrow: a DataFrame of 10K rows built from the driver's
    tuples took longer than the database's own work. Columns come out as int64 (float64 where
    there are NULLs), float64 or object (text, NULL as None); an empty answer has float64 columns.
    So the query returns numbers and short codes only: no Decimal, date or timestamp."""
    return _run(read_engine, name, params, write=False, bulk=True)


def fetch_primary(name: str, **params: Any) -> pd.DataFrame:
    """Run a read that must see this user's own writes (always the primary)."""
    return _run(primary_read_engine, name, params, write=False)


def write(name: str, **params: Any) -> pd.DataFrame:
    """Run one write statement (or one database function call) in its own transaction."""
    return _run(write_engine, name, params, write=True)


def background_write(name: str, **params: Any) -> pd.DataFrame:
    """write(), on a connection of its own that is closed afterwards (for a background thread)."""
    return _run(background_write_engine, name, params, write=True)


def stream(name: str, chunk_rows: int = 5000, **params: Any) -> Iterator[tuple[list[str], list[tuple]]]:
    """Run a read-only query through a server-side cursor; yield (columns, rows) chunks (at
    least one, with no rows when the result is empty).

    For exports of whole result sets (the trade CSV): at most `chunk_rows` rows are in this
    process at a time, however many the query returns.
    """
    try:
        engine = read_engine()
    except sa_exc.SQLAlchemyError as error:
        raise DatabaseUnavailable(explain_error(error)) from None
    sent = False  # once a chunk has gone to the caller, the read cannot start again
    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                # yield_per: a server-side (named) cursor read in fixed batches of chunk_rows; it lives
                # in a transaction (the read engine's connections are otherwise autocommit).
                result = conn.execution_options(isolation_level="READ COMMITTED", yield_per=chunk_rows).execute(
                    sql_text(name), params)
                columns = list(result.keys())
                empty = True
                for rows in result.partitions(chunk_rows):
                    empty, sent = False, True
                    yield columns, [tuple(row) for row in rows]
                if empty:  # the caller still learns the columns (a CSV of no rows has a header)
                    sent = True
                    yield columns, []
            return
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
            if attempt == 1 and not sent and getattr(error, "connection_invalidated", False):
                continue  # a pooled connection the server dropped, as in _run: start on a new one
            raise DatabaseUnavailable(explain_error(error, engine.url.render_as_string(hide_password=True))) from None
