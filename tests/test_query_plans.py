"""No page query reads edges, markets or game_states sequentially: every statement the pages send
(with their default filters and the benchmark's two other filter sets, bench/cases.py) is
EXPLAINed on the demo database and its plan searched for a Seq Scan on those tables. Page reads
are prepared statements (queries/__init__.py), so the generic plan PostgreSQL may keep for each
is searched too.

Plans, not timings. The demo database (scale 0.05: about 58K edges, 25K market rows, 10K game
states) is big enough that the planner's choices are the real ones: the same statements plan
without a sequential scan of these tables at 0.5 and at 10 years (`make bench` data), so
enable_seqscan stays on and nothing here is forced.
"""
from __future__ import annotations

import psycopg2
import pytest
import sqlalchemy as sa

from queries import planned_each_call, prepared_form, schema, sql_text, strip_comments
from queries.connection import read_engine

BIG_TABLES = {"edges", "markets", "game_states"}


def sequential_scans(plan: dict) -> list[str]:
    """The big tables a plan (EXPLAIN FORMAT JSON node) reads with a Seq Scan, anywhere in it."""
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES else []
    for child in plan.get("Plans", []):
        found += sequential_scans(child)
    return found


def explain(name: str, params: dict) -> dict:
    with read_engine().connect() as conn:
        document = conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + strip_comments(sql_text(name).text)), params).scalar()
    return document[0]["Plan"]


def explain_generic(name: str, params: dict) -> dict:
    """The plan PostgreSQL keeps for the prepared statement when it stops planning for the values."""
    body, order = prepared_form(name)
    with read_engine().connect() as conn, conn.execution_options(isolation_level="READ COMMITTED").begin():
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE plan_check AS {body}")
        try:
            execute = "EXECUTE plan_check" + (f"({', '.join(['%s'] * len(order))})" if order else "")
            values = tuple(params[p] for p in order)
            document = (conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + execute, values) if values else
                        conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + execute)).scalar()
        finally:
            conn.exec_driver_sql("DEALLOCATE plan_check")
    return document[0]["Plan"]


@pytest.fixture(scope="module")
def page_statements(demo_url, point_app_at_module):
    """(page and filters, query file, parameters) of every statement the benchmarked pages send."""
    from bench import cases

    conn = psycopg2.connect(schema.dsn(demo_url))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.close()
    statements = []
    for question in cases.questions():
        with cases.record_statements() as recorded:
            cases.run_page(question)
        statements += [(question.key, name, params) for name, params in recorded]
    return statements


@pytest.fixture(scope="module")
def point_app_at_module(demo_url):
    import os

    import streamlit as st

    from queries import connection

    saved = {k: os.environ.get(k) for k in ("PRECOG_DATABASE_URL", "PRECOG_READ_URL")}
    os.environ["PRECOG_DATABASE_URL"] = connection.dashboard_login(demo_url)
    os.environ.pop("PRECOG_READ_URL", None)
    st.cache_data.clear()
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    st.cache_data.clear()


def test_every_page_is_covered(page_statements):
    pages = {key.split(" / ")[0] for key, _, _ in page_statements}
    assert pages == {"Overview", "Model versions", "Strategy A/B", "Position exits", "Alerts", "Current edges",
                     "Trade attribution", "Attribution audit"}
    files = {name for _, name, _ in page_statements}
    assert {"edges_current", "edges_summary", "edges_decay", "models_calibration", "trades_page",
            "exits_breakdown", "exits_walking", "exits_open_positions", "exits_reconciliation",
            "ab_closed_positions", "exits_open_at", "versions_timeline", "versions_as_of", "audit_counts",
            "audit_findings"} <= files


def test_no_page_query_scans_a_big_table_sequentially(page_statements):
    scanned = {}
    for key, name, params in page_statements:
        tables = sequential_scans(explain(name, params))
        if tables:
            scanned[f"{key}: {name}"] = sorted(set(tables))
    assert scanned == {}


def test_no_generic_plan_of_a_page_query_scans_a_big_table_sequentially(page_statements):
    scanned, prepared = {}, 0
    for key, name, params in page_statements:
        if planned_each_call(name):
            continue
        prepared += 1
        tables = sequential_scans(explain_generic(name, params))
        if tables:
            scanned[f"{key}: {name}"] = sorted(set(tables))
    assert prepared > 50 and scanned == {}


def test_a_sequential_scan_is_seen(point_app_at_module):
    """The search finds a Seq Scan where there is one (indexes switched off for this transaction)."""
    with read_engine().connect() as conn, conn.execution_options(isolation_level="READ COMMITTED").begin():
        conn.execute(sa.text("SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off; "
                             "SET LOCAL enable_indexscan = off"))
        plan = conn.execute(sa.text("EXPLAIN (FORMAT JSON) SELECT count(*) FROM edges WHERE expected_value > 0")).scalar()
    assert sequential_scans(plan[0]["Plan"]) == ["edges"]


def alerts_scans(plan: dict) -> list[tuple[str, str | None]]:
    """(node type, index name) of every node of a plan that reads the alerts table."""
    found = [(plan["Node Type"], plan.get("Index Name"))] if plan.get("Relation Name") == "alerts" else []
    return found + [scan for child in plan.get("Plans", []) for scan in alerts_scans(child)]


@pytest.mark.parametrize("name", ["alerts_response_times", "alerts_false_positives", "alerts_open_over_time"])
@pytest.mark.parametrize("weeks", [None, 13])
def test_the_alerts_metrics_read_the_weekly_summary_or_narrow_indexes(point_app_at_module, name, weeks):
    """The response metrics read alert_weeks_stored (schema.sql), and the alerts table itself only through
    its narrow indexes (index-only scans: a column they lack would make these Index Scans of the
    wide rows), only where the daily chart needs single alerts. The demo's few hundred alerts would
    be read sequentially, so that is switched off here."""
    with read_engine().connect() as conn, conn.execution_options(isolation_level="READ COMMITTED").begin():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        document = conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + strip_comments(sql_text(name).text)),
                                {"weeks": weeks}).scalar()
    plan = document[0]["Plan"]
    assert "alert_weeks_stored" in relations(plan)
    assert set(alerts_scans(plan)) <= {("Index Only Scan", "idx_alerts_metrics"), ("Index Only Scan", "idx_alerts_resolved")}
    if name == "alerts_open_over_time":
        assert set(alerts_scans(plan)) == {("Index Only Scan", "idx_alerts_metrics"), ("Index Only Scan", "idx_alerts_resolved")}


def relations(plan: dict) -> set[str]:
    """Every relation a plan reads."""
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    return found.union(*(relations(child) for child in plan.get("Plans", [])))


@pytest.mark.parametrize("by", ["severity", "component"])
@pytest.mark.parametrize("weeks", [None, 13])
def test_the_response_percentiles_read_only_the_narrow_metrics_index(point_app_at_module, by, weeks):
    """Median and 90th percentile cannot be summed from weekly rows, so they are read from the
    window's alerts: through idx_alerts_metrics alone (index-only), never the wide rows."""
    with read_engine().connect() as conn, conn.execution_options(isolation_level="READ COMMITTED").begin():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        document = conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + strip_comments(sql_text("alerts_response_percentiles").text)),
                                {"weeks": weeks, "by": by}).scalar()
    assert set(alerts_scans(document[0]["Plan"])) == {("Index Only Scan", "idx_alerts_metrics")}
