"""PostgreSQL restarted while a session is open (#9): while it is down, the next rerun says so in
one sentence (never a traceback) and a write attempted then leaves nothing behind; once it is up
again, the same session works with no reconnect by hand (writes: the pool's ping before a checkout;
reads: sent again once on a new connection, queries._run).

The server is the test's own (tests/replica.py), so stopping it disturbs no one else."""
from __future__ import annotations

import subprocess
from datetime import date

import streamlit as st

from queries import schema
from tests.apptest import open_page
from tests.conftest import database_url
from tests.replica import own_server
from tests.test_fuzz import written
from ui.shell import SWITCHED

ROWS = """
INSERT INTO alerts (alert_type, severity, component, message)
SELECT 'loss_threshold', 'critical', 'position_manager', 'Position loss exceeded 30% on #' || i
FROM generate_series(1, 3) i;
"""


def through_app(at):
    """Let the next run go through app.py, as every rerun does on a server (its st.navigation and
    its one-sentence error handler). Under AppTest, runs after a session's first run the page
    script directly (see ui/shell.py); forgetting the shell's flag sends the run through app.py."""
    if SWITCHED in at.session_state:
        del at.session_state[SWITCHED]
    return at


def rerun(at):
    """The next rerun after the page's caches have expired (their TTLs are seconds to minutes)."""
    st.cache_data.clear()
    return through_app(at).run()


def one_sentence_about_the_server(at) -> str:
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "\n" not in error and error.endswith(".") and "Traceback" not in error, error
    assert "Cannot reach the database server at 127.0.0.1" in error, error
    return error


def queue_ids(at) -> list[int]:
    frame = next(d for d in at.dataframe if d.key == at.session_state["alerts_table_key"]).value
    return sorted(int(a) for a in frame.alert_id)


def three_alerts_on(server, point_app_at) -> str:
    """The server's Precog database with the schema and three open alerts; the app reads it."""
    schema.ensure_database(server.url, "precog")
    url = database_url(server.url, "precog")
    schema.apply_schema(url)
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(ROWS)
    conn.close()
    return point_app_at(url)


def test_a_restart_costs_one_sentence_then_the_session_recovers(point_app_at):
    with own_server() as server:
        url = three_alerts_on(server, point_app_at)

        at = open_page("alerts")
        assert not at.exception and not at.error
        shown = queue_ids(at)
        assert len(shown) == 3

        server.stop()
        one_sentence_about_the_server(rerun(at))

        # A write while it is down: select an alert (the session remembers the queue), acknowledge.
        server.start()
        at = rerun(at)
        at.session_state[at.session_state["alerts_table_key"]] = {"selection": {"rows": [0], "columns": [], "cells": []}}
        at = at.run()
        acknowledge = next(b for b in at.button if b.label == "Acknowledge")
        assert not acknowledge.disabled
        server.stop()
        st.cache_data.clear()
        acknowledge.click()
        at = through_app(at).run()
        error = one_sentence_about_the_server(at)
        # the click was handled: the write was tried and answered with the same sentence
        assert at.session_state["alerts_result"] == ("acknowledged", [("error", error)])

        server.start()
        assert written(url) == (0, 0, 0, 0, None)  # nothing half-written: no audit row, no acknowledgement
        at = rerun(at)
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert queue_ids(at) == shown  # the same session reads again, no reconnect by hand


def test_reads_after_a_restart_are_answered_on_new_connections(point_app_at):
    """The read engines skip the pool's ping (a round trip per statement): a pooled connection the
    restart closed fails its first statement, and the read is sent again on a new one, row reads,
    COPY reads and the CSV export's server-side cursor alike. Without the resend, the first read after the restart says the server
    cannot be reached although it is up."""
    from queries import fetch, fetch_bulk, trades

    with own_server() as server:
        three_alerts_on(server, point_app_at)

        def unresolved() -> list[tuple]:
            return [tuple(r) for r in fetch("overview_unresolved_alerts").itertuples(index=False)]

        def closed_positions() -> list[str]:
            return list(fetch_bulk("ab_closed_positions", strategy_ids=[1], since=None, until=None).columns)

        def trades_csv() -> bytes:
            return trades.csv_export(trades.TradeFilters(date(2000, 1, 1), date(2099, 12, 31)))

        # each leaves its connection in the pool
        before, columns, csv = unresolved(), closed_positions(), trades_csv()
        assert before[0][:2] == ("critical", 3) and csv.startswith(b"trade_id,")
        for read, answer in ((unresolved, before), (closed_positions, columns), (trades_csv, csv)):
            server.stop()
            server.start()
            assert read() == answer


def test_a_polite_shutdown_completes_while_the_dashboard_runs(point_app_at, monkeypatch):
    """A smart shutdown (pg_ctl stop -m smart, what a service manager's polite stop sends) waits
    for every session to end, and the pooled connections of an idle dashboard never ended: the
    server could only be stopped by force (#25). The dashboard closes connections it has not used
    for PRECOG_IDLE_CONNECTION_SECONDS (connection.close_idle_connections)."""
    from queries import alerts, fetch, fetch_bulk
    from identity import Identity
    from tests.replica import _cmd

    monkeypatch.setenv("PRECOG_IDLE_CONNECTION_SECONDS", "1")
    with own_server() as server:
        url = three_alerts_on(server, point_app_at)
        # a page's reads and a write, each leaving its connection in its pool
        at = open_page("alerts")
        assert queue_ids(at)
        fetch("overview_unresolved_alerts")
        fetch_bulk("ab_closed_positions", strategy_ids=[1], since=None, until=None)
        (outcome,) = alerts.acknowledge([queue_ids(at)[0]], Identity("ana", "responder", "header", True), None)
        assert outcome.done
        stop = subprocess.run(_cmd(server.user, str(server.bin_dir / "pg_ctl"), "-D", str(server.data), "-m", "smart",
                                   "-w", "-t", "60", "stop"), capture_output=True, text=True, timeout=90)
        assert stop.returncode == 0, stop.stdout + stop.stderr
        server.start()
        assert written(url)[0] == 1  # the write was kept; the server comes back as it was
        assert len(queue_ids(rerun(at))) == 3  # and the same session reads on new connections
