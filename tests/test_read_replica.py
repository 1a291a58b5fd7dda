"""Scale-out: page reads go to PRECOG_READ_URL (a real streaming replica), writes to the primary."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg2
import pytest
import sqlalchemy as sa

from demo import loader
from identity import Identity
from queries import alerts, connection, schema
from tests.apptest import open_page
from tests.conftest import database_url
from tests.replica import primary_with_replica, wait_for


def _scalar(url: str, sql: str):
    conn = psycopg2.connect(schema.dsn(url))
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0]
    finally:
        conn.close()


def _dashboard_connections(url: str) -> int:
    return _scalar(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'precog-dashboard'")


@pytest.fixture(scope="module")
def pair():
    with primary_with_replica() as (primary_server, replica_server):
        schema.ensure_database(primary_server, "precog")
        primary, replica = database_url(primary_server, "precog"), database_url(replica_server, "precog")
        loader.load(primary, scale=0.02, as_of=datetime(2026, 6, 1, tzinfo=timezone.utc), progress=lambda _: None)
        assert wait_for(lambda: _has_data(replica), timeout=60)
        yield primary, replica


def _has_data(url: str) -> bool:
    try:
        return bool(_scalar(url, "SELECT to_regclass('public.alerts') IS NOT NULL AND EXISTS (SELECT 1 FROM alerts)"))
    except psycopg2.Error:
        return False


def test_reads_go_to_the_replica_and_writes_to_the_primary(pair, point_app_at, monkeypatch):
    primary, replica = pair
    point_app_at(primary)
    monkeypatch.setenv("PRECOG_READ_URL", connection.dashboard_login(replica))
    with connection.read_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar() is True
    with connection.write_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar() is False

    # a page's reads: the replica answers
    at = open_page("overview")
    assert not at.exception and not at.error
    assert _dashboard_connections(replica) >= 1

    # a write goes to the primary and reaches the replica by replication
    alert_id = _scalar(primary, "SELECT min(alert_id) FROM alerts WHERE acknowledged_at IS NULL")
    (outcome,) = alerts.acknowledge([alert_id], Identity("replica-test", "responder", "header", signed_in=True),
                                    notes="routed")
    assert outcome.outcome == "acknowledged"
    assert _scalar(primary, f"SELECT acknowledged_by FROM alerts WHERE alert_id = {alert_id}") == "replica-test"
    assert wait_for(lambda: _scalar(replica, f"SELECT acknowledged_by FROM alerts WHERE alert_id = {alert_id}")
                    == "replica-test")


def test_the_replica_refuses_writes_so_routing_matters(pair):
    _, replica = pair
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        _scalar(replica, "UPDATE alerts SET notification_attempts = 1 WHERE alert_id = 1 RETURNING 1")
