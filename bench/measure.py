"""Timing: page functions warm and cold, the seed's SQL, the naive dashboard, and the floor
(EXPLAIN ANALYZE execution time inside the server)."""
from __future__ import annotations

import io
import json
import statistics
import subprocess
import time
from typing import Callable

import pandas as pd
import psycopg2
import sqlalchemy as sa
import sqlalchemy.exc  # noqa: F401 - sa.exc
from sqlalchemy.engine import make_url

from bench.cases import Question, Statements, record_statements, run_page
from queries import connection, copy_csv, driver_form, numbered_form, planned_each_call, sql_text, strip_comments
from queries.schema import connect, dsn


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of at least one value."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"runs": len(ms), "p50_ms": statistics.median(ms), "p95_ms": percentile(ms, 95), "max_ms": max(ms)}


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def forget_connections() -> None:
    """Empty the dashboard's connection pools: the next page call opens new server sessions, with
    empty catalog and plan caches (what DISCARD ALL plus a reconnect gives)."""
    for name in ("read_engine", "primary_engine", "primary_read_engine", "write_engine"):
        getter = getattr(connection, name, None)
        if getter is not None:
            getter().dispose()


def restart_server(command: str, url: str, timeout: float = 120) -> None:
    """Run the operator's restart command, then wait until the server answers again."""
    subprocess.run(command, shell=True, check=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(url).close()
            return
        except Exception:  # noqa: BLE001 - still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def warm(question: Question, runs: int) -> dict:
    run_page(question)  # warm-up: connections open, plans and buffers hot
    return summary([_timed(lambda: run_page(question)) for _ in range(runs)])


def cold(question: Question, runs: int, url: str, restart_command: str | None) -> dict:
    seconds = []
    for _ in range(runs):
        forget_connections()
        if restart_command:
            restart_server(restart_command, url)
        seconds.append(_timed(lambda: run_page(question)))
    return summary(seconds)


def page_statements(question: Question) -> Statements:
    with record_statements() as recorded:
        run_page(question)
    return recorded


def _execution_ms(plan_json) -> float:
    document = plan_json if isinstance(plan_json, list) else json.loads(plan_json)
    return float(document[0]["Execution Time"])


def floor(question: Question, url: str, runs: int) -> dict:
    """Sum over the page's statements of the median EXPLAIN ANALYZE execution time of the floor
    statement for the same rows (the page's own statement unless the question names a leaner one)."""
    statements = page_statements(question)
    engine = sa.create_engine(make_url(url).set(drivername="postgresql+psycopg2"),
                              connect_args={"options": "-c timezone=UTC"})
    raw = psycopg2.connect(dsn(url), options="-c timezone=UTC")
    parts = {}
    try:
        with engine.connect() as conn:
            for name, params in statements:
                if name in question.floor_skip:
                    continue
                times = []
                try:
                    for _ in range(runs + 1):
                        times.append(_floor_once(question, name, params, conn, raw))
                except sa.exc.DBAPIError as error:
                    # A refusal the page shows as a sentence (e.g. nothing to roll back to): the
                    # database answers it at once, and it shows no rows, so it has no floor.
                    conn.rollback()
                    raw.rollback()
                    parts[name] = {"ms": 0.0, "statement": f"refused: {str(error.orig).splitlines()[0]}"}
                    continue
                key = name if name not in parts else f"{name}#{len(parts)}"
                parts[key] = {"ms": statistics.median(times[1:]),
                              "statement": "floor" if name in question.floor else "page's own"}
    finally:
        raw.close()
        engine.dispose()
    return {"ms": sum(p["ms"] for p in parts.values()), "statements": parts}


def _floor_once(question: Question, name: str, params: dict, conn, raw) -> float:
    """One EXPLAIN ANALYZE execution time (ms) of the floor statement for `name`."""
    if name in question.floor:
        sql, floor_params = question.floor[name]
        with raw.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, floor_params)
            ms = _execution_ms(cur.fetchone()[0])
        raw.rollback()
        return ms
    text = sa.text("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + strip_comments(sql_text(name).text))
    ms = _execution_ms(conn.execute(text, params).scalar())
    conn.rollback()
    return ms


def wire_floor(question: Question, url: str, runs: int) -> dict:
    """Sum over the page's statements of the median time a bare client takes for the floor
    statement: sent from psycopg2 on an open connection, as the page sends it (prepared once and
    executed, or planned on every call for a file that asks for it, or through COPY for a bulk
    read), its rows fetched as tuples or bytes, no DataFrame. About the least a client pays for
    these rows: the floor plus the round trip, the protocol and the driver (its plans are the
    prepared ones, and it runs at another moment than the floor, so it can come out below it)."""
    statements = page_statements(question)
    raw = psycopg2.connect(dsn(url), options="-c timezone=UTC -c jit=off")
    raw.autocommit = True
    parts = {}
    try:
        for number, (name, params) in enumerate(statements):
            if name in question.floor_skip:
                continue
            sql, values = question.floor.get(name) or (driver_form(name), params)
            send = _bare_send(raw, f"wire_{number}", sql, values, bulk=name in statements.bulk,
                              plan_each_call=name not in question.floor and planned_each_call(name))
            try:
                send()  # the first execution prepares and plans
                times = [_timed(send) * 1000 for _ in range(runs)]
            except psycopg2.Error as error:  # a refusal the page shows as a sentence (see floor)
                parts[f"{name}#{number}"] = {"ms": 0.0, "statement": f"refused: {str(error).splitlines()[0]}"}
                continue
            parts[f"{name}#{number}"] = {"ms": statistics.median(times)}
    finally:
        raw.close()
    return {"ms": sum(p["ms"] for p in parts.values()), "statements": parts}


def _bare_send(raw, statement: str, sql: str, values: dict, bulk: bool, plan_each_call: bool) -> Callable[[], object]:
    if bulk:
        def copy() -> None:
            with raw.cursor() as cur:
                copy_csv(cur, sql, values, io.BytesIO())
        return copy
    if plan_each_call:
        def planned() -> list:
            with raw.cursor() as cur:
                cur.execute(sql, values)
                return cur.fetchall()
        return planned
    body, order = numbered_form(sql)
    prepared = False

    def execute() -> list:
        nonlocal prepared
        with raw.cursor() as cur:
            if not prepared:
                cur.execute(f"PREPARE {statement} AS {body}")
                prepared = True
            cur.execute(f"EXECUTE {statement}" + (f"({', '.join(['%s'] * len(order))})" if order else ""),
                        tuple(values[p] for p in order))
            return cur.fetchall()
    return execute


class Reader:
    """`read(sql)`: a whole SELECT into a DataFrame, the way a naive dashboard does it;
    `read(sql, chunks=True)` yields it 200,000 rows at a time (server-side cursor)."""

    def __init__(self, url: str):
        self.conn = psycopg2.connect(dsn(url), options="-c timezone=UTC")
        self.conn.autocommit = False

    def __call__(self, sql: str, chunks: bool = False):
        if chunks:
            return self._chunks(sql)
        with self.conn.cursor() as cur:
            cur.execute(sql)
            frame = pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])
        self.conn.rollback()
        return frame

    def _chunks(self, sql: str):
        with self.conn.cursor(name="naive") as cur:
            cur.itersize = 200_000
            cur.execute(sql)
            while rows := cur.fetchmany(200_000):
                yield pd.DataFrame(rows, columns=[c.name for c in cur.description])
        self.conn.rollback()

    def close(self):
        self.conn.close()


def seed(question: Question, url: str, runs: int) -> dict | None:
    if not question.seed:
        return None
    conn = psycopg2.connect(dsn(url), options="-c timezone=UTC")
    try:
        def once():
            for _, sql, params in question.seed:
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    cur.fetchall()
            conn.rollback()
        once()
        result = summary([_timed(once) for _ in range(runs)])
    finally:
        conn.close()
    result["patterns"] = [label for label, _, _ in question.seed]
    return result


SLOW_NAIVE_SECONDS = 5


def naive(question: Question, url: str, runs: int) -> dict | None:
    if question.naive is None:
        return None
    reader = Reader(url)
    try:
        seconds = [_timed(lambda: question.naive(reader))]
        # A naive answer slower than SLOW_NAIVE_SECONDS is timed once: its ratio is clear, the
        # run stays within minutes.
        while len(seconds) < runs and seconds[0] < SLOW_NAIVE_SECONDS:
            seconds.append(_timed(lambda: question.naive(reader)))
        return summary(seconds)
    finally:
        reader.close()


def server_settings() -> dict:
    """What the dashboard's own sessions run with (version, JIT, memory settings)."""
    with connection.read_engine().connect() as conn:
        return {name: conn.execute(sa.text(f"SHOW {name}")).scalar()
                for name in ("server_version", "jit", "shared_buffers", "work_mem", "effective_cache_size",
                             "random_page_cost")}
