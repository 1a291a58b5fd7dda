"""Page reads as server-side prepared statements (queries/__init__.py): every query file can be
prepared, a prepared read answers exactly what the same SQL planned for its values answers (also
once PostgreSQL keeps a generic plan), and a statement that is gone or whose result changed is
prepared again."""
from __future__ import annotations

import pandas as pd
import psycopg2
import pytest
import sqlalchemy as sa

import queries
from queries import SQL_DIR, fetch, planned_each_call, prepared_form, schema
from queries.connection import read_engine
from tests.test_query_plans import page_statements, point_app_at_module  # noqa: F401 (fixtures)

# PostgreSQL plans a prepared statement for its values five times before it may keep a generic plan.
PAST_CUSTOM_PLANS = 7
CLOCK_COLUMNS = {"database_now"}


def prepared_names() -> set[str]:
    with read_engine().connect() as conn:
        return set(conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").scalars())


@pytest.fixture
def one_connection(point_app_at_module):  # noqa: F811
    """Reads in this test run one after another on one pooled connection, starting with none
    prepared."""
    read_engine().dispose()
    yield
    read_engine().dispose()


def test_every_query_file_can_be_prepared(demo_url):
    """Every parameter's type follows from the SQL (a CAST), so PREPARE takes every file."""
    files = sorted(path.stem for path in SQL_DIR.glob("*.sql"))
    conn = psycopg2.connect(schema.dsn(demo_url))
    try:
        with conn.cursor() as cur:
            for name in files:
                body, _ = prepared_form(name)
                cur.execute(f"PREPARE check_{name} AS {body}")
    finally:
        conn.rollback()
        conn.close()
    assert len(files) > 50


def test_parameters_are_numbered_in_order_of_first_use():
    body, order = prepared_form("trades_count")
    assert order[:3] == ("since", "until", "strategy_name") and "cap" in order
    assert ":since" not in body and "%(" not in body
    assert f"${order.index('cap') + 1}" in body


def same_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in one canonical order: a statement without ORDER BY (alerts_response_times) may
    return its groups in any order from one plan to the next, and the rows are what must match."""
    keys = ["\x1f".join(map(str, row)) for row in frame.itertuples(index=False)]
    return frame.iloc[sorted(range(len(keys)), key=keys.__getitem__)].reset_index(drop=True)


def test_a_prepared_read_answers_what_planning_for_the_values_answers(page_statements, monkeypatch):  # noqa: F811
    compared = 0
    for key, name, params in page_statements:
        if planned_each_call(name):
            continue
        for _ in range(PAST_CUSTOM_PLANS):
            prepared = fetch(name, **params)
        with monkeypatch.context() as patch:
            patch.setattr(queries, "planned_each_call", lambda _name: True)
            planned = fetch(name, **params)
        clock = [c for c in prepared.columns if c in CLOCK_COLUMNS]  # the time of each call
        pd.testing.assert_frame_equal(same_order(prepared.drop(columns=clock)), same_order(planned.drop(columns=clock)),
                                      obj=f"{key}: {name}")
        compared += 1
    assert compared > 50


def test_reads_are_prepared_once_per_connection_except_those_planned_each_call(one_connection):
    queries.fetch("edges_filter_options")
    queries.fetch("edges_filter_options")
    queries.fetch("trades_count", since=None, until=None, strategy_name=None, strategy_version=None,
                  model_name=None, model_version=None, market=None, platform_id=None, side=None,
                  execution_mode=None, cap=10)
    assert planned_each_call("trades_count") and not planned_each_call("edges_filter_options")
    assert prepared_names() == {"precog_edges_filter_options"}


def test_a_statement_that_is_gone_is_prepared_again(one_connection):
    first = fetch("edges_filter_options")
    with read_engine().connect() as conn:
        conn.exec_driver_sql("DEALLOCATE ALL")  # as a pooler's or an operator's DISCARD ALL would
    assert prepared_names() == set()
    pd.testing.assert_frame_equal(fetch("edges_filter_options"), first)
    assert prepared_names() == {"precog_edges_filter_options"}


def test_a_statement_whose_result_changed_is_prepared_again(demo_url, monkeypatch):
    """A view replaced with other columns (a newer schema.sql) makes PostgreSQL refuse the cached
    plan ("cached plan must not change result type"); the read prepares it again and answers."""
    engine = sa.create_engine(sa.engine.make_url(demo_url).set(drivername="postgresql+psycopg2"),
                              isolation_level="AUTOCOMMIT", poolclass=sa.pool.StaticPool)
    monkeypatch.setattr(queries, "prepared_form", lambda name: ("SELECT * FROM prepared_check", ()))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TEMP TABLE prepared_check (a int)")
            conn.exec_driver_sql("INSERT INTO prepared_check VALUES (1)")
            assert list(queries._execute_prepared(conn, "check", {}).keys()) == ["a"]
            conn.exec_driver_sql("ALTER TABLE prepared_check ADD COLUMN b int DEFAULT 2")
            result = queries._execute_prepared(conn, "check", {})
            assert list(result.keys()) == ["a", "b"] and result.fetchall() == [(1, 2)]
    finally:
        engine.dispose()


def test_a_statement_prepared_without_this_process_knowing_is_used(one_connection):
    """A session that already holds the statement (a pooler handing this process another
    client's server session) answers without a second PREPARE failing the read."""
    first = fetch("edges_filter_options")
    with read_engine().connect() as conn:
        conn.connection.info[queries.PREPARED].clear()
    pd.testing.assert_frame_equal(fetch("edges_filter_options"), first)
    assert prepared_names() == {"precog_edges_filter_options"}
