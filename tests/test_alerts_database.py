"""The database decides who acknowledged or resolved an alert: first writer wins, every action is
audited once, nothing ever reopens a resolved alert, and bad input is refused with nothing written.

Races use real concurrent transactions: threads, each with its own psycopg2 connection, released
together by a barrier."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from queries import schema

RESPONDERS = 50
ALERT_COLUMNS = ("acknowledged_at, acknowledged_by, acknowledged_notes, resolved_at, resolved_by, "
                 "resolved_notes, resolution_action")


@pytest.fixture(scope="module")
def url(databases):
    return databases.create("alerts_db")


def _connect(url):
    conn = psycopg2.connect(schema.dsn(url), options="-c timezone=UTC")
    conn.autocommit = False
    return conn


def sql(url, statement, params=None):
    """Run one statement in its own transaction; its rows (or None). Shared by the alerts tests."""
    conn = _connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def new_alert(url, severity="critical", **columns) -> int:
    names = ["alert_type", "severity", "component", "message", *columns]
    values = ["loss_threshold", severity, "position_manager", "Position loss exceeded 30%", *columns.values()]
    placeholders = ", ".join(["%s"] * len(values))
    return sql(url, f"INSERT INTO alerts ({', '.join(names)}) VALUES ({placeholders}) RETURNING alert_id", values)[0][0]


def acknowledge(url, alert_id, actor, notes=None):
    return sql(url, "SELECT outcome, actor, acted_at, message FROM acknowledge_alert(%s, %s, %s)",
                (alert_id, actor, notes))[0]


def resolve(url, alert_id, actor, action, notes=None):
    return sql(url, "SELECT outcome, actor, acted_at, message FROM resolve_alert(%s, %s, %s, %s)",
                (alert_id, actor, action, notes))[0]


def audit_rows(url, alert_id):
    return sql(url, "SELECT action, actor, notes, resolution_action FROM alert_actions "
                     "WHERE alert_id = %s ORDER BY action_id", (alert_id,))


def alert_state(url, alert_id):
    return sql(url, f"SELECT {ALERT_COLUMNS} FROM alerts WHERE alert_id = %s", (alert_id,))[0]


def race(url, statement, params_for):
    """Run `statement` (or statement(i)) from RESPONDERS connections at once; return each one's first row."""
    barrier = threading.Barrier(RESPONDERS)

    def responder(i):
        conn = _connect(url)
        try:
            barrier.wait(timeout=60)  # everyone connected: go
            with conn, conn.cursor() as cur:
                cur.execute(statement(i) if callable(statement) else statement, params_for(i))
                return cur.fetchone()
        finally:
            conn.close()

    with ThreadPoolExecutor(RESPONDERS) as pool:
        return list(pool.map(responder, range(RESPONDERS)))


# --- first writer wins ------------------------------------------------------------------------
def test_fifty_responders_acknowledge_at_once_and_exactly_one_wins(url):
    alert_id = new_alert(url)
    results = race(url, "SELECT outcome, actor, acted_at FROM acknowledge_alert(%s, %s, %s)",
                   lambda i: (alert_id, f"responder-{i}", f"on it ({i})"))
    winners = [r for r in results if r[0] == "acknowledged"]
    losers = [r for r in results if r[0] != "acknowledged"]
    assert len(winners) == 1 and len(losers) == RESPONDERS - 1
    _, winner, won_at = winners[0]
    # every loser is told who was first and when
    assert {r[0] for r in losers} == {"already_acknowledged"}
    assert {(r[1], r[2]) for r in losers} == {(winner, won_at)}
    assert audit_rows(url, alert_id) == [("acknowledge", winner, f"on it ({winner.split('-')[1]})", None)]
    state = alert_state(url, alert_id)
    assert state[1] == winner and state[0] == won_at


def test_fifty_responders_resolve_at_once_and_exactly_one_wins(url):
    alert_id = new_alert(url)
    assert acknowledge(url, alert_id, "alice")[0] == "acknowledged"
    actions = ("fixed", "false_positive", "ignored", "escalated")
    results = race(url, "SELECT outcome, actor, acted_at, message FROM resolve_alert(%s, %s, %s, %s)",
                   lambda i: (alert_id, f"responder-{i}", actions[i % 4], None))
    winners = [r for r in results if r[0] == "resolved"]
    assert len(winners) == 1
    _, winner, won_at, _ = winners[0]
    losers = [r for r in results if r[0] != "resolved"]
    assert len(losers) == RESPONDERS - 1
    assert {r[0] for r in losers} == {"already_resolved"}
    assert {(r[1], r[2]) for r in losers} == {(winner, won_at)}
    assert all(f"already resolved by {winner} at" in r[3] for r in losers)
    rows = audit_rows(url, alert_id)
    assert [r[0] for r in rows] == ["acknowledge", "resolve"]
    assert rows[1][1] == winner and rows[1][3] == actions[int(winner.split("-")[1]) % 4]


def test_a_loser_is_told_who_acknowledged_and_when(url):
    alert_id = new_alert(url)
    outcome, actor, acted_at, message = acknowledge(url, alert_id, "alice@precog.example", "looking")
    assert outcome == "acknowledged" and actor == "alice@precog.example"
    outcome, actor, at, message = acknowledge(url, alert_id, "bob@precog.example", "me too")
    assert (outcome, actor, at) == ("already_acknowledged", "alice@precog.example", acted_at)
    assert message == (f"Alert {alert_id} was already acknowledged by alice@precog.example at "
                       f"{acted_at:%Y-%m-%d %H:%M:%S} UTC; nothing changed.")
    assert len(audit_rows(url, alert_id)) == 1


def test_a_repeated_acknowledge_by_the_same_responder_writes_nothing(url):
    alert_id = new_alert(url)
    first = acknowledge(url, alert_id, "alice", "first click")
    before = alert_state(url, alert_id)
    second = acknowledge(url, alert_id, "alice", "second click")
    assert first[0] == "acknowledged" and second[0] == "already_acknowledged"
    assert alert_state(url, alert_id) == before
    assert audit_rows(url, alert_id) == [("acknowledge", "alice", "first click", None)]


def test_an_acknowledge_after_resolve_changes_nothing(url):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice", "on it")
    assert resolve(url, alert_id, "bob", "fixed", "restarted")[0] == "resolved"
    before, audit_before = alert_state(url, alert_id), audit_rows(url, alert_id)
    outcome, actor, _, message = acknowledge(url, alert_id, "carol", "late")
    assert outcome == "already_resolved" and actor == "bob"
    assert "already resolved by bob" in message and "(fixed)" in message
    again = resolve(url, alert_id, "carol", "ignored", "late too")
    assert again[0] == "already_resolved" and again[1] == "bob"
    assert alert_state(url, alert_id) == before
    assert audit_rows(url, alert_id) == audit_before


def test_an_acknowledge_racing_a_resolve_never_reopens(url):
    """Half the responders acknowledge, half resolve, on an acknowledged alert: one resolve wins
    and the alert stays resolved by the winner."""
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice")
    results = race(url, lambda i: ("SELECT outcome FROM acknowledge_alert(%s, %s, NULL)" if i % 2 == 0
                                   else "SELECT outcome FROM resolve_alert(%s, %s, 'fixed', NULL)"),
                   lambda i: (alert_id, f"r{i}"))
    outcomes = [r[0] for r in results]
    assert outcomes.count("resolved") == 1
    assert set(outcomes) <= {"resolved", "already_resolved", "already_acknowledged"}
    state = alert_state(url, alert_id)
    assert state[1] == "alice" and state[3] is not None
    assert [r[0] for r in audit_rows(url, alert_id)] == ["acknowledge", "resolve"]


# --- order and unknowns -----------------------------------------------------------------------
def test_resolve_before_acknowledge_is_refused(url):
    alert_id = new_alert(url)
    outcome, actor, _, message = resolve(url, alert_id, "bob", "fixed", "done")
    assert outcome == "not_acknowledged" and actor is None
    assert message == f"Alert {alert_id} is not acknowledged yet; acknowledge it before resolving it."
    assert alert_state(url, alert_id) == (None,) * 7
    assert audit_rows(url, alert_id) == []


def test_a_direct_resolve_of_an_unacknowledged_alert_is_refused_by_the_table(url):
    alert_id = new_alert(url)
    with pytest.raises(psycopg2.errors.CheckViolation):
        sql(url, "UPDATE alerts SET resolved_at = NOW(), resolved_by = 'bob', resolution_action = 'fixed' "
                  "WHERE alert_id = %s", (alert_id,))


def test_an_unknown_alert_is_named_and_nothing_written(url):
    assert acknowledge(url, 987654, "alice")[0::3] == ("unknown_alert", "There is no alert 987654.")
    assert resolve(url, 987654, "alice", "fixed")[0] == "unknown_alert"
    assert audit_rows(url, 987654) == []


# --- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("call, sentence", [
    (lambda u, a: acknowledge(u, a, "alice", "x" * 2001), "The note is 2001 characters long"),
    (lambda u, a: acknowledge(u, a, "alice", "bell\x07"), "control characters"),
    (lambda u, a: acknowledge(u, a, "alice", "escape \x1b[31m red"), "control characters"),
    (lambda u, a: acknowledge(u, a, "alice", "c1 \u0085 next line"), "control characters"),
    (lambda u, a: acknowledge(u, a, "", "note"), "needs an actor"),
    (lambda u, a: acknowledge(u, a, "ali\nce", "note"), "actor name"),
])
def test_bad_acknowledge_input_is_refused_and_nothing_written(url, call, sentence):
    alert_id = new_alert(url)
    with pytest.raises(psycopg2.errors.InvalidParameterValue) as refused:
        call(url, alert_id)
    assert sentence in refused.value.diag.message_primary
    assert alert_state(url, alert_id) == (None,) * 7
    assert audit_rows(url, alert_id) == []


@pytest.mark.parametrize("action, notes, sentence", [
    ("deleted", None, "The resolution action 'deleted' is unknown"),
    ("", None, "needs a resolution action"),
    (None, None, "needs a resolution action"),
    ("  ", None, "needs a resolution action"),
    ("fixed", "y" * 2001, "at most 2000"),
    ("fixed", "form feed \x0c", "control characters"),
])
def test_bad_resolve_input_is_refused_and_nothing_written(url, action, notes, sentence):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice")
    before = alert_state(url, alert_id)
    with pytest.raises(psycopg2.errors.InvalidParameterValue) as refused:
        resolve(url, alert_id, "bob", action, notes)
    assert sentence in refused.value.diag.message_primary
    assert alert_state(url, alert_id) == before
    assert [r[0] for r in audit_rows(url, alert_id)] == ["acknowledge"]


def test_the_longest_note_and_tabs_and_line_breaks_are_accepted(url):
    alert_id = new_alert(url)
    note = ("line one\n\tindented\r\n" + "z" * 2000)[:2000]
    assert acknowledge(url, alert_id, "alice", note)[0] == "acknowledged"
    assert audit_rows(url, alert_id)[0][2] == note
    assert resolve(url, alert_id, "alice", "false_positive", "   ")[0] == "resolved"
    assert audit_rows(url, alert_id)[1] == ("resolve", "alice", None, "false_positive")  # blank note = none


# --- the audit table and the alert row cannot be rewritten -----------------------------------
def test_the_audit_table_is_append_only(url):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice", "original")
    for statement in (f"UPDATE alert_actions SET notes = 'rewritten' WHERE alert_id = {alert_id}",
                      f"DELETE FROM alert_actions WHERE alert_id = {alert_id}",
                      "TRUNCATE alert_actions"):
        with pytest.raises(psycopg2.errors.IntegrityConstraintViolation) as refused:
            sql(url, statement)
        assert "append-only" in str(refused.value)
    assert audit_rows(url, alert_id) == [("acknowledge", "alice", "original", None)]


def test_a_second_audit_row_of_the_same_kind_is_refused(url):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        sql(url, "INSERT INTO alert_actions (alert_id, action, actor) VALUES (%s, 'acknowledge', 'bob')", (alert_id,))


def test_an_audit_row_with_bad_input_is_refused_by_the_table(url):
    alert_id = new_alert(url)
    for statement, params in (
        ("INSERT INTO alert_actions (alert_id, action, actor, notes) VALUES (%s, 'acknowledge', 'a', %s)",
         (alert_id, "n" * 2001)),
        ("INSERT INTO alert_actions (alert_id, action, actor) VALUES (%s, 'resolve', 'a')", (alert_id,)),
        ("INSERT INTO alert_actions (alert_id, action, actor) VALUES (%s, 'reopen', 'a')", (alert_id,)),
    ):
        with pytest.raises(psycopg2.errors.CheckViolation):
            sql(url, statement, params)
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        sql(url, "INSERT INTO alert_actions (alert_id, action, actor) VALUES (987654, 'acknowledge', 'a')")


def test_a_resolved_alert_cannot_be_reopened_or_changed_directly(url):
    alert_id = new_alert(url)
    acknowledge(url, alert_id, "alice")
    resolve(url, alert_id, "bob", "fixed")
    before = alert_state(url, alert_id)
    for statement in ("UPDATE alerts SET resolved_at = NULL, resolved_by = NULL, resolution_action = NULL WHERE alert_id = %s",
                      "UPDATE alerts SET resolution_action = 'false_positive' WHERE alert_id = %s",
                      "UPDATE alerts SET acknowledged_by = 'mallory' WHERE alert_id = %s"):
        with pytest.raises(psycopg2.errors.IntegrityConstraintViolation) as refused:
            sql(url, statement, (alert_id,))
        assert "cannot" in str(refused.value)
    assert alert_state(url, alert_id) == before
    # other columns (notification tracking) stay updatable
    sql(url, "UPDATE alerts SET notification_attempts = 3 WHERE alert_id = %s", (alert_id,))
