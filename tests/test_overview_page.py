"""The Overview page, driven through AppTest against the demo database."""
from __future__ import annotations

from analytics.money import format_money
from queries import schema
from queries.connection import dashboard_login
from tests.apptest import open_page, unescaped


def _row(url: str, sql: str):
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    conn.close()
    return row


def test_overview_shows_the_databases_numbers(app_env):
    at = open_page()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    open_positions, unrealized, active_models = _row(
        app_env, "SELECT count(*), coalesce(sum(unrealized_pnl), 0), (SELECT count(*) FROM active_models) FROM open_positions")
    assert metrics["Open positions"] == str(open_positions)
    assert metrics["Unrealized P&L"] == format_money(unrealized)
    assert metrics["Active model versions"] == str(active_models)
    assert int(metrics["Active model versions"]) > 0
    assert len(at.get("plotly_chart")) == 1
    # each severity's count links to the Alerts queue filtered to it
    queue_links = [link.proto for link in at.get("page_link") if link.proto.page == "alerts"]
    assert [link.query_string for link in queue_links] == [f"severity={s}" for s in ("critical", "high", "medium", "low")]
    (critical,), = [_row(app_env, "SELECT count(*) FROM alerts WHERE resolved_at IS NULL AND NOT suppressed "
                                  "AND severity = 'critical'")]
    labels = [link.label for link in queue_links]
    assert [label.split("**")[1].split()[1] for label in labels] == ["critical", "high", "medium", "low"]
    assert labels[0].startswith(f"**{critical} critical**")


def test_the_sidebar_names_the_database(app_env):
    at = open_page()
    assert any("Database:" in c.value and "/ precog_test_" in unescaped(c.value) for c in at.sidebar.caption)


def test_a_server_that_is_down_gets_one_sentence_and_no_traceback(monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login("postgresql://postgres@127.0.0.1:1/precog"))
    at = open_page()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("Cannot reach the database server")


def test_a_database_without_schema_gets_one_sentence(monkeypatch, databases):
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(databases.create("noschema", with_schema=False)))
    at = open_page()
    assert not at.exception
    assert "does not have the dashboard's schema" in at.error[0].value
