"""The exits page's answer without filters, stored (schema.sql, "Exits page: its four aggregates"):
each stored view equals its function, stays as it was until a refresh, is refreshed by one caller
at a time and only when due, may be refreshed by the dashboard's writer but not its reader, and the
page says how old it is. Also the dashboard's background refresher (ui/refresher.py)."""
from __future__ import annotations

from datetime import timezone

import psycopg2
import pytest

from queries import connection, exits, schema
from queries import stored_answers
from tests.apptest import open_page
from tests.conftest import rows
from tests.test_exits_queries import EXIT_ROWS

# function -> its arguments without filters; each is stored as <function>_stored
AGGREGATES = {"exits_breakdown": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "exits_steps": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "exits_walking": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "exits_fill_rate": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "edge_decay": "NULL, NULL, NULL, NULL, NULL",
              "execution_slippage": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "exits_excursions": "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
              "alert_weeks": "", "position_days": "", "attribution_faults": ""}


@pytest.fixture
def url(databases):
    return databases.create("stored", rows=EXIT_ROWS)




def stored_equals_live(url: str) -> bool:
    return all(sorted(rows(url, f"SELECT * FROM {name}_stored"), key=repr)
               == sorted(rows(url, f"SELECT * FROM {name}({no_filter})"), key=repr)
               for name, no_filter in AGGREGATES.items())


STORED_SAYS = "With none of their filters set, these figures are stored"
NEW_EXIT = """INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price,
                                           created_at)
              VALUES (4, 'stop_loss', 'CRITICAL', 5, 0.4000, '2026-01-03 09:30')"""


def test_stored_answers_equal_their_functions_and_wait_for_a_refresh(url):
    assert stored_equals_live(url)
    assert rows(url, "SELECT exits FROM exits_breakdown_stored WHERE level = 'total'") == [(7,)]
    (before,), = rows(url, "SELECT min(computed_at) FROM stored_answers")
    rows(url, NEW_EXIT)
    # the stored answer is what it was; the function already counts the new exit
    assert rows(url, "SELECT exits FROM exits_breakdown_stored WHERE level = 'total'") == [(7,)]
    assert not stored_equals_live(url)
    # not due yet: refreshed less than a minute ago
    assert rows(url, "SELECT refresh_stored_answers(interval '1 minute')") == [(0,)]
    assert rows(url, "SELECT refresh_stored_answers(interval '0')") == [(len(AGGREGATES),)]
    assert rows(url, "SELECT exits FROM exits_breakdown_stored WHERE level = 'total'") == [(8,)]
    assert stored_equals_live(url)
    (after,), = rows(url, "SELECT min(computed_at) FROM stored_answers")
    assert after > before


def test_one_refresh_at_a_time_and_a_second_caller_does_not_wait(url):
    first = psycopg2.connect(schema.dsn(url))
    try:
        with first.cursor() as cur:
            cur.execute("SELECT refresh_stored_answers(interval '0')")  # its transaction still open
            assert cur.fetchone() == (len(AGGREGATES),)
        conn = psycopg2.connect(schema.dsn(url), options="-c lock_timeout=2000")
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT refresh_stored_answers(interval '0')")
                assert cur.fetchone() == (0,)
        finally:
            conn.close()
    finally:
        first.rollback()
        first.close()


def test_a_negative_age_is_refused(url):
    with pytest.raises(psycopg2.errors.InvalidParameterValue, match="needs an age of zero or more"):
        rows(url, "SELECT refresh_stored_answers(interval '-1 second')")


def as_role(url: str, role: str, statement: str):
    conn = psycopg2.connect(schema.dsn(connection.dashboard_login(url)), options=f"-c role={role}")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall()
    finally:
        conn.close()


def test_the_writer_refreshes_what_is_due_and_nothing_sooner_and_the_reader_nothing(url, point_app_at):
    point_app_at(url)
    rows(url, NEW_EXIT)
    assert stored_answers.refresh() == 0  # computed less than a minute ago: not due
    assert not stored_equals_live(url)
    rows(url, "UPDATE stored_answers SET computed_at = computed_at - interval '61 seconds'")
    assert stored_answers.refresh() == len(AGGREGATES)
    assert stored_equals_live(url)
    # the writer cannot ask for younger answers to be recomputed (four full aggregates each time)
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_role(url, "precog_writer", "SELECT refresh_stored_answers(interval '0')")
    for statement in ("SELECT refresh_due_stored_answers()", "SELECT refresh_stored_answers(interval '0')"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            as_role(url, "precog_reader", statement)


def test_without_filters_the_page_reads_the_stored_answer_and_says_how_old(url, point_app_at):
    point_app_at(url)
    rows(url, NEW_EXIT)  # not refreshed yet: the page shows the stored 7, and says when it was computed
    assert int(exits.breakdown().query("level == 'total'").exits.iloc[0]) == 7
    (critical,), = rows(url, "SELECT count(*) FROM position_exits WHERE exit_priority = 'CRITICAL'")
    # a filter computes afresh: the new exit is counted
    assert int(exits.breakdown(priority="CRITICAL").query("level == 'total'").exits.iloc[0]) == critical
    at = open_page("exits")
    assert not at.exception
    said = [c.value for c in at.caption if c.value.startswith(STORED_SAYS)]
    (computed,), = rows(url, "SELECT computed_at FROM stored_answers WHERE name = 'exits_breakdown_stored'")
    assert said and f"({computed.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC)" in said[0]  # the rows' own time
    # the summaries' own caption would contradict it: it is for filtered views
    assert not [c.value for c in at.caption if c.value.startswith("From summaries the database keeps")]
    at = open_page("exits", priority="CRITICAL")
    assert not at.exception
    assert not [c.value for c in at.caption if c.value.startswith(STORED_SAYS)]
    assert [c.value for c in at.caption if c.value.startswith("From summaries the database keeps")]


def test_the_background_refresher_refreshes_and_survives_a_database_that_is_down(url, point_app_at, monkeypatch):
    from ui import refresher

    point_app_at(url)
    rows(url, NEW_EXIT)
    rows(url, "UPDATE stored_answers SET computed_at = computed_at - interval '2 minutes'")
    assert refresher.refresh_once() == len(AGGREGATES)
    assert stored_equals_live(url)
    monkeypatch.setenv("PRECOG_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    connection.engine_for.cache_clear()
    assert refresher.refresh_once() is None  # logged, tried again on the next round
    monkeypatch.setenv("PRECOG_REFRESH_SECONDS", "0")
    refresher.start.clear()
    assert refresher.start() is None  # turned off, as in this test run


def test_edge_decay_for_all_time_without_filters_is_stored_and_said(app_env):
    from queries import edges

    stored = edges.decay(None)
    assert stored.attrs["computed_at"] and not stored.empty
    live = edges.decay(None, sports=("nfl",))
    assert "computed_at" not in live.attrs
    at = open_page("edges", decay_window="all")
    assert not at.exception
    assert [c.value for c in at.caption if c.value.startswith(STORED_SAYS)]
    at = open_page("edges", decay_window="all", sport="nfl")
    assert not at.exception
    assert not [c.value for c in at.caption if c.value.startswith(STORED_SAYS)]


@pytest.mark.parametrize("page, params", [(None, {}), ("alerts", {"tab": "Response metrics"})])
def test_the_overview_and_alerts_metrics_say_when_their_stored_answer_was_computed(app_env, page, params):
    at = open_page(page, **params)
    assert not at.exception
    said = [c.value for c in at.caption if c.value.startswith("These figures are stored: computed ")]
    assert len(said) == 1 and " UTC). A running dashboard has them refreshed" in said[0]
