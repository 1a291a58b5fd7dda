"""Test databases: real PostgreSQL, one set of databases per run, dropped afterwards.

The server is PRECOG_TEST_DATABASE_URL (a server-level URL, e.g.
postgresql://postgres@127.0.0.1:5432/postgres) when set, else the embedded server. Every database
this run creates carries the run's prefix, and all of them are dropped when the run ends.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from demo import loader
from queries import connection, schema

RUN_PREFIX = f"precog_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
# No background refresh of the stored answers in this process or the servers it starts: the test
# databases come and go under it, and the tests that need a refresh make it (ui/refresher.py).
os.environ["PRECOG_REFRESH_SECONDS"] = "0"
# A fixed "now" for the demo data, so numbers in tests do not depend on the clock.
DEMO_AS_OF = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
DEMO_SCALE = 0.05


def _server_url() -> str:
    return os.environ.get("PRECOG_TEST_DATABASE_URL", "").strip() or connection.embedded_server_url()


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


class Databases:
    """Makes databases on the test server; remembers them so the run can drop them all."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.created: list[str] = []

    def create(self, label: str, *, with_schema: bool = True, rows: str | None = None) -> str:
        """A new database (with the schema unless told otherwise, then `rows`, an SQL script)."""
        name = f"{RUN_PREFIX}_{label}_{len(self.created)}"
        schema.ensure_database(self.server_url, name)
        self.created.append(name)
        url = database_url(self.server_url, name)
        if with_schema:
            schema.apply_schema(url)
        if rows:
            conn = schema.connect(url)
            with conn, conn.cursor() as cur:
                cur.execute(rows)
            with conn, conn.cursor() as cur:  # as a loader does: the stored answers from the new rows
                cur.execute("SELECT refresh_stored_answers(interval '0')")
            conn.close()
        return url

    def drop_all(self) -> None:
        for name in self.created:
            schema.drop_database(self.server_url, name)


@pytest.fixture(scope="session")
def databases():
    dbs = Databases(_server_url())
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def demo_url(databases) -> str:
    """A database with the demo data at a small scale, every row checked by the triggers."""
    url = databases.create("demo")
    loader.load(url, scale=DEMO_SCALE, as_of=DEMO_AS_OF, checked=True, progress=lambda _: None)
    return url


@pytest.fixture(scope="session")
def default_demo_url(databases) -> str:
    """The demo data as `python -m demo` loads it (its default scale and seed: about 15 s, in bulk),
    at the fixed as-of: the dataset the generator's rules and deliberate faults are stated for."""
    url = databases.create("demo_default")
    loader.load(url, as_of=DEMO_AS_OF, progress=lambda _: None)
    return url


@pytest.fixture(scope="session")
def rules_url(databases) -> str:
    """An empty database with the schema, for tests of the rules (each runs in a rolled-back transaction)."""
    return databases.create("rules")


def rows(url: str, sql: str, params=None) -> list[tuple]:
    """Run one statement on `url` in a transaction of its own; its rows (or [] when it returns none)."""
    conn = schema.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@contextmanager
def rolled_back_cursor(url: str):
    """A psycopg2 cursor on `url` in one transaction, rolled back at the end whatever happened."""
    conn = psycopg2.connect(schema.dsn(url))
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def db(rules_url):
    """A psycopg2 cursor in a transaction that is rolled back after the test."""
    with rolled_back_cursor(rules_url) as cur:
        yield cur


@pytest.fixture
def point_app_at(monkeypatch):
    """point_app_at(url): the app's queries go to that database, starting from empty caches."""
    import streamlit as st

    def point(url: str) -> str:
        # The app logs in as precog_dashboard, as deployed: never as the owner of the tables.
        monkeypatch.setenv("PRECOG_DATABASE_URL", connection.dashboard_login(url))
        monkeypatch.delenv("PRECOG_READ_URL", raising=False)
        st.cache_data.clear()
        return url

    yield point
    st.cache_data.clear()


@pytest.fixture
def app_env(demo_url, point_app_at):
    """The app pointed at the demo database."""
    return point_app_at(demo_url)
