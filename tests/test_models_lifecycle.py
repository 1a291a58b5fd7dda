"""The model lifecycle in the database: every legal transition works and is recorded, every illegal
one is refused by the database (even as a plain UPDATE), only the same model name is touched, a
repeated request applies once, roll back returns to the versions active before, and "which version
was active at T" is answered from the history.

The lifecycle tests commit, as the page does (the history tells calls apart by their
transactions); each works on model names of its own."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import psycopg2
import pytest
from psycopg2 import errors

from queries import schema

LIFECYCLE = ["draft", "training", "validating", "active", "deprecated"]
LEGAL = {("draft", "training"), ("training", "validating"), ("validating", "active"), ("active", "deprecated")}
ILLEGAL = [(a, b) for a in LIFECYCLE for b in LIFECYCLE if a != b and (a, b) not in LEGAL]
CREATED = datetime(2026, 1, 1)


@pytest.fixture(scope="module")
def lifecycle_url(databases):
    return databases.create("lifecycle")


@pytest.fixture
def lifecycle(lifecycle_url, request):
    """Two models of the test's own (names suffixed with a number, so tests share one database
    and each commits, as the page does): 'elo' v0 deprecated, v1 active, v2 validating, v3
    draft; and 'nba' v1 active, v2 validating (the same version names: transitions must not
    cross). Ids 1-6 in the tests are the test's own ids (see Db.id)."""
    db = Db(lifecycle_url, request.node.nodeid)
    db.run("""
        INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status, created_at, created_by)
        VALUES (%(b)s + 1, %(elo)s, 'v0', 'elo', 'nfl', '{"k": 0}', 'deprecated', %(t)s, 'maria'),
               (%(b)s + 2, %(elo)s, 'v1', 'elo', 'nfl', '{"k": 1}', 'active', %(t1)s, 'maria'),
               (%(b)s + 3, %(elo)s, 'v2', 'elo', 'nfl', '{"k": 2}', 'validating', %(t2)s, 'maria'),
               (%(b)s + 4, %(elo)s, 'v3', 'elo', 'nfl', '{"k": 3}', 'draft', %(t3)s, 'maria'),
               (%(b)s + 5, %(nba)s, 'v1', 'regression', 'nba', '{"a": 1}', 'active', %(t1)s, 'dev'),
               (%(b)s + 6, %(nba)s, 'v2', 'regression', 'nba', '{"a": 2}', 'validating', %(t2)s, 'dev')""",
           b=db.base, elo=db.name("elo"), nba=db.name("nba"),
           t=CREATED, t1=CREATED + timedelta(days=1), t2=CREATED + timedelta(days=2), t3=CREATED + timedelta(days=3))
    yield db
    db.close()


class Db:
    """One connection; each call is its own committed transaction (as the page's writes are).

    Model names and ids are the test's own: name('elo') -> 'elo_<n>', id(3) -> <base> + 3; what
    comes back is translated to the short names."""

    _count = 0

    def __init__(self, url: str, test_id: str):
        Db._count += 1
        self.base = Db._count * 100
        self.suffix = f"_{Db._count}"
        self.conn = psycopg2.connect(schema.dsn(url), options="-c timezone=UTC")

    def name(self, short: str) -> str:
        return short + self.suffix

    def id(self, short_id: int) -> int:
        return self.base + short_id

    def short(self, name: str) -> str:
        return name[: -len(self.suffix)] if name.endswith(self.suffix) else name

    def run(self, sql: str, **params):
        with self.conn, self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None

    def refused(self, sql: str, **params) -> psycopg2.Error:
        with pytest.raises(psycopg2.Error) as caught:
            self.run(sql, **params)
        return caught.value

    def transition(self, model_id, status, mode="replace", request=None, actor="ana", reason="because"):
        return self.run("SELECT model_version, from_status, to_status, applied FROM "
                        "transition_model_status(%(m)s, %(s)s, %(a)s, %(r)s, %(mode)s, %(req)s)",
                        m=self.id(model_id), s=status, a=actor, r=reason, mode=mode,
                        req=request and request + self.suffix)

    def rollback(self, model_name="elo", request=None):
        return self.run("SELECT model_version, from_status, to_status, applied FROM "
                        "rollback_model(%(n)s, 'ana', 'undo', %(req)s)", n=self.name(model_name),
                        req=request and request + self.suffix)

    def mine(self) -> list[str]:
        return [self.name(n) for n in ("elo", "nba", "seed")]

    def statuses(self) -> dict[tuple[str, str], str]:
        rows = self.run("SELECT model_name, model_version, status FROM probability_models WHERE model_name = ANY(%(n)s)",
                        n=self.mine())
        return {(self.short(n), v): s for n, v, s in rows}

    def history(self):
        rows = self.run("SELECT pm.model_name, pm.model_version, h.from_status, h.to_status, h.action, h.changed_by, "
                        "h.reason, h.request_id FROM model_status_history h JOIN probability_models pm USING (model_id) "
                        "WHERE pm.model_name = ANY(%(n)s) ORDER BY h.history_id", n=self.mine())
        return [(self.short(n), v, f, t, a, by, why, req and req[: -len(self.suffix)]) for n, v, f, t, a, by, why, req in rows]

    def active_at(self, at, model_name="elo"):
        return [r[0] for r in self.run("SELECT model_version FROM model_versions_active_at(%(at)s, %(n)s)",
                                       at=at, n=self.name(model_name))]

    def now(self):
        return self.run("SELECT now() AT TIME ZONE 'UTC'")[0][0]

    def close(self):
        self.conn.close()


# --- each legal step works and is recorded -------------------------------------------------------
def test_a_draft_walks_the_whole_lifecycle_and_every_step_is_recorded(lifecycle):
    db = lifecycle
    assert db.transition(4, "training") == [("v3", "draft", "training", True)]
    assert db.transition(4, "validating") == [("v3", "training", "validating", True)]
    assert db.transition(4, "active", mode="alongside") == [("v3", "validating", "active", True)]
    assert db.transition(4, "deprecated") == [("v3", "active", "deprecated", True)]
    assert db.history() == [
        ("elo", "v3", "draft", "training", "transition", "ana", "because", None),
        ("elo", "v3", "training", "validating", "transition", "ana", "because", None),
        ("elo", "v3", "validating", "active", "promote_alongside", "ana", "because", None),
        ("elo", "v3", "active", "deprecated", "transition", "ana", "because", None),
    ]


def test_promote_replacing_deprecates_the_other_active_versions_of_that_model_only(lifecycle):
    db = lifecycle
    changed = db.transition(3, "active", mode="replace")
    assert changed == [("v2", "validating", "active", True), ("v1", "active", "deprecated", True)]
    statuses = db.statuses()
    assert statuses[("elo", "v2")] == "active" and statuses[("elo", "v1")] == "deprecated"
    # the other model, which has a 'v1' too, is untouched
    assert statuses[("nba", "v1")] == "active" and statuses[("nba", "v2")] == "validating"
    assert [h[4] for h in db.history()] == ["promote_replace", "replaced"]
    assert {h[0] for h in db.history()} == {"elo"}


def test_promote_alongside_keeps_the_active_version_for_an_ab_run(lifecycle):
    db = lifecycle
    db.transition(3, "active", mode="alongside")
    statuses = db.statuses()
    assert statuses[("elo", "v1")] == "active" and statuses[("elo", "v2")] == "active"
    # ending the A/B run: keep only v2
    assert db.transition(3, "active", mode="replace") == [("v1", "active", "deprecated", True)]


def test_the_seeds_own_statements_stay_legal(lifecycle):
    db = lifecycle
    db.run("INSERT INTO probability_models (model_name, model_version, model_type, config, status) "
           "VALUES (%(n)s, 'v1.0', 'elo', '{}', 'active'), (%(n)s, 'v1.1', 'elo', '{\"k\": 1}', 'active')",
           n=db.name("seed"))
    db.run("UPDATE probability_models SET status = 'deprecated' WHERE model_name = %(n)s AND model_version = 'v1.0'",
           n=db.name("seed"))
    name, version, from_status, to_status, action, actor, reason, request = db.history()[-1]
    assert (name, version, from_status, to_status, action) == ("seed", "v1.0", "active", "deprecated", "update")
    assert actor.startswith("db:") and reason is None  # a plain UPDATE is recorded as the database role's


# --- illegal steps are refused by the database ------------------------------------------------------
# These need no commit: they run in the shared rolled-back transaction (conftest's `db`).
def refused(cur, statement: str, params=None) -> psycopg2.Error:
    cur.execute("SAVEPOINT attempt")
    with pytest.raises(psycopg2.Error) as caught:
        cur.execute(statement, params)
    cur.execute("ROLLBACK TO SAVEPOINT attempt")
    return caught.value


@pytest.fixture
def versions(db):
    db.execute("INSERT INTO probability_models (model_id, model_name, model_version, model_type, config, status) VALUES "
               + ", ".join(f"({100 + i}, 'x', 'v{i}', 'elo', '{{}}', '{status}')" for i, status in enumerate(LIFECYCLE)))
    return db


@pytest.mark.parametrize("from_status, to_status", ILLEGAL)
def test_every_illegal_transition_is_refused_by_the_function_and_by_a_plain_update(versions, from_status, to_status):
    model_id = 100 + LIFECYCLE.index(from_status)
    error = refused(versions, "SELECT * FROM transition_model_status(%s, %s, 'ana', 'why', 'alongside')",
                    (model_id, to_status))
    assert isinstance(error, errors.CheckViolation)
    assert f"x v{LIFECYCLE.index(from_status)} cannot go from {from_status} to {to_status}" == error.diag.message_primary
    error = refused(versions, "UPDATE probability_models SET status = %s WHERE model_id = %s", (to_status, model_id))
    assert isinstance(error, errors.CheckViolation)
    versions.execute("SELECT status FROM probability_models WHERE model_id = %s", (model_id,))
    assert versions.fetchone()[0] == from_status
    versions.execute("SELECT count(*) FROM model_status_history")
    assert versions.fetchone()[0] == 0


def test_a_deprecated_version_returns_only_by_rolling_back(versions):
    error = refused(versions, "SELECT * FROM transition_model_status(104, 'active', 'ana', 'why')")
    assert "rolling back" in error.diag.message_hint


@pytest.mark.parametrize("call, message", [
    ("SELECT * FROM transition_model_status(999, 'active', 'ana', 'why')", "no model version with id 999"),
    ("SELECT * FROM transition_model_status(102, 'retired', 'ana', 'why')", "retired is not a model status"),
    ("SELECT * FROM transition_model_status(102, 'active', '', 'why')", "needs the name of who"),
    ("SELECT * FROM transition_model_status(102, 'active', 'ana', '  ')", "needs a reason"),
    ("SELECT * FROM transition_model_status(102, 'active', 'ana', repeat('x', 501))", "at most 500"),
    ("SELECT * FROM transition_model_status(102, 'active', 'ana', 'why', 'sideways')", "replace or alongside"),
    ("SELECT * FROM rollback_model('no_such_model', 'ana', 'why')", "no model named no_such_model"),
])
def test_bad_requests_are_refused_with_a_sentence_and_change_nothing(versions, call, message):
    error = refused(versions, call)
    assert message in error.diag.message_primary
    versions.execute("SELECT string_agg(status, ',' ORDER BY model_id) FROM probability_models")
    assert versions.fetchone()[0] == ",".join(LIFECYCLE)
    versions.execute("SELECT count(*) FROM model_status_history")
    assert versions.fetchone()[0] == 0


def test_the_history_is_append_only(lifecycle):
    db = lifecycle
    db.transition(4, "training")
    for statement in ("UPDATE model_status_history SET changed_by = 'eve'", "DELETE FROM model_status_history",
                      "TRUNCATE model_status_history"):
        assert "append-only" in str(db.refused(statement))
    assert len(db.history()) == 1


def test_config_stays_immutable_through_a_transition(lifecycle):
    db = lifecycle
    db.transition(3, "active")
    error = db.refused("UPDATE probability_models SET config = '{\"k\": 9}' WHERE model_id = %(m)s", m=db.id(3))
    assert "immutable" in str(error)


# --- the same request twice applies once -----------------------------------------------------------
def test_a_second_identical_click_changes_nothing(lifecycle):
    db = lifecycle
    first = db.transition(3, "active", request="req-1")
    again = db.transition(3, "active", request="req-1")
    assert [r[3] for r in first] == [True, True]
    assert again == [(v, f, t, False) for v, f, t, _ in first]
    assert len(db.history()) == 2
    # without a request id, asking for the status a version already has is a no-op too
    assert db.transition(3, "active", mode="alongside") == [("v2", "active", "active", False)]
    assert len(db.history()) == 2


def test_a_repeated_roll_back_request_rolls_back_once(lifecycle):
    db = lifecycle
    db.transition(3, "active", request="promote")
    assert db.rollback(request="undo-1") == [("v2", "active", "deprecated", True), ("v1", "deprecated", "active", True)]
    assert db.rollback(request="undo-1") == [("v2", "active", "deprecated", False), ("v1", "deprecated", "active", False)]
    assert db.statuses()[("elo", "v1")] == "active" and db.statuses()[("elo", "v2")] == "deprecated"
    assert len(db.history()) == 4


def test_a_request_id_cannot_be_reused_for_another_model(lifecycle):
    lifecycle.transition(3, "active", request="shared")
    error = lifecycle.refused("SELECT * FROM transition_model_status(%(m)s, 'active', 'ana', 'why', 'replace', %(r)s)",
                              m=lifecycle.id(6), r="shared" + lifecycle.suffix)
    assert "already used for another model" in error.diag.message_primary


# --- roll back -----------------------------------------------------------------------------------------
def test_roll_back_returns_to_the_version_active_before(lifecycle):
    db = lifecycle
    db.transition(3, "active", mode="replace")       # v2 replaces v1
    plan = db.run("SELECT model_version, from_status, to_status FROM model_rollback_plan(%(n)s)", n=db.name("elo"))
    assert plan == [("v2", "active", "deprecated"), ("v1", "deprecated", "active")]
    db.rollback()
    assert db.statuses()[("elo", "v1")] == "active" and db.statuses()[("elo", "v2")] == "deprecated"
    assert db.history()[-2:] == [("elo", "v2", "active", "deprecated", "rollback", "ana", "undo", None),
                                 ("elo", "v1", "deprecated", "active", "rollback", "ana", "undo", None)]
    assert db.statuses()[("nba", "v1")] == "active"
    # rolling back again undoes the roll back
    db.rollback()
    assert db.statuses()[("elo", "v2")] == "active" and db.statuses()[("elo", "v1")] == "deprecated"


def test_roll_back_after_an_ab_promotion_deprecates_the_newcomer_only(lifecycle):
    db = lifecycle
    db.transition(3, "active", mode="alongside")
    assert db.rollback() == [("v2", "active", "deprecated", True)]
    assert db.statuses()[("elo", "v1")] == "active"


def test_roll_back_with_no_active_version_reactivates_the_last_ones_taken_off(lifecycle):
    db = lifecycle
    db.transition(2, "deprecated")
    assert db.rollback() == [("v1", "deprecated", "active", True)]


def test_roll_back_with_nothing_before_is_refused(lifecycle):
    # nba v1 was created active and no nba version was active before it
    error = lifecycle.refused("SELECT * FROM rollback_model(%(n)s, 'ana', 'undo')", n=lifecycle.name("nba"))
    assert isinstance(error, errors.NoDataFound)
    assert "nothing to roll back to" in error.diag.message_primary
    assert lifecycle.history() == []


def test_a_refused_step_leaves_no_half_done_change(lifecycle):
    db = lifecycle
    db.transition(3, "active", mode="alongside")
    before = db.statuses()
    # a direct deprecated -> active is refused; nothing of the transaction survives
    db.refused("UPDATE probability_models SET status = CASE model_id WHEN %(v1)s THEN 'deprecated' ELSE 'active' END "
               "WHERE model_id IN (%(v0)s, %(v1)s)", v0=db.id(1), v1=db.id(2))
    assert db.statuses() == before


# --- as of time T ------------------------------------------------------------------------------------
def test_which_versions_were_active_at_a_time(lifecycle):
    db = lifecycle
    # from the creation entries: v1 (created active on day 1); v0 was created deprecated
    assert db.active_at(CREATED + timedelta(hours=12)) == []
    assert db.active_at(CREATED + timedelta(days=1, hours=1)) == ["v1"]
    assert db.active_at(CREATED + timedelta(days=1, hours=1), "nba") == ["v1"]
    t0 = db.now()
    time.sleep(0.01)
    db.transition(3, "active", mode="alongside")
    t1 = db.now()
    time.sleep(0.01)
    db.transition(3, "active", mode="replace")
    t2 = db.now()
    assert db.active_at(t0) == ["v1"]
    assert db.active_at(t1) == ["v1", "v2"]
    assert db.active_at(t2) == ["v2"]
    # before its first recorded change, v2's status is the one it was created with
    assert db.run("SELECT to_status FROM model_status_timeline WHERE model_version = 'v2' AND model_name = %(n)s "
                  "AND action = 'created'", n=db.name("elo")) == [("validating",)]
