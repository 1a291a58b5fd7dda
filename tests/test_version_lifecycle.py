"""The lifecycle machinery serves strategy versions as it serves model versions (one set of
functions, two kinds), a loader may record a change at the moment it happened (and only in time
order), and "what status had each version at T" is answered from the recorded history at
instants before, on and after every change.

Each test commits (the history tells calls apart by transaction and moment) and works on names
of its own, like tests/test_models_lifecycle.py."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from psycopg2 import errors

from tests import test_models_lifecycle as models_lifecycle

STRATEGY_LIFECYCLE = ["draft", "testing", "active", "inactive", "deprecated"]
STRATEGY_LEGAL = {("draft", "testing"), ("testing", "active"), ("active", "inactive"), ("inactive", "active"),
                  ("inactive", "deprecated")}
T0 = datetime(2026, 3, 1, 12, 0)


@pytest.fixture(scope="module")
def url(databases):
    return databases.create("version_lifecycle")


class Db(models_lifecycle.Db):
    """One connection, each call its own committed transaction; names get the test's suffix."""

    def versions(self, kind: str, name: str, *rows: tuple[str, str, datetime]) -> dict[str, int]:
        """Insert versions (version, status, created_at) of the model or strategy `name`; their ids."""
        table, key, type_column, type_ = (("probability_models", "model", "model_type", "elo") if kind == "model"
                                          else ("strategies", "strategy", "strategy_type", "entry"))
        insert = (f"INSERT INTO {table} ({key}_name, {key}_version, {type_column}, config, status, created_at, "
                  f"created_by) VALUES (%(n)s, %(v)s, %(type)s, %(c)s, %(s)s, %(t)s, 'maria') RETURNING {key}_id")
        return {version: self.run(insert, n=name + self.suffix, v=version, type=type_, c=f'{{"v": "{version}"}}',
                                  s=status, t=created)[0][0]
                for version, status, created in rows}

    def strategies(self, name: str, *rows: tuple[str, str, datetime]) -> dict[str, int]:
        return self.versions("strategy", name, *rows)

    def models(self, name: str, *rows: tuple[str, str, datetime]) -> dict[str, int]:
        return self.versions("model", name, *rows)

    def step(self, kind: str, version_id: int, status: str, at: datetime | None = None, mode: str = "replace"):
        return self.run("SELECT version, from_status, to_status, applied FROM transition_version_status("
                        "%(k)s, %(i)s, %(s)s, 'ana', 'because', %(m)s, NULL, %(at)s)",
                        k=kind, i=version_id, s=status, m=mode, at=at)

    def rollback(self, kind: str, name: str, at: datetime | None = None):
        return self.run("SELECT version, from_status, to_status, applied FROM rollback_version(%(k)s, %(n)s, 'ana', "
                        "'undo', NULL, %(at)s)", k=kind, n=name + self.suffix, at=at)

    def status_at(self, kind: str, name: str, at: datetime) -> dict[str, str]:
        rows = self.run("SELECT version, status FROM versions_status_at(%(k)s, %(at)s, %(n)s)",
                        k=kind, at=at, n=name + self.suffix)
        return dict(rows)

    def history(self, kind: str, name: str):
        return self.run("SELECT t.version, t.from_status, t.to_status, t.action, t.changed_at FROM version_status_timeline t "
                        "WHERE t.kind = %(k)s AND t.name = %(n)s AND t.seq > 0 ORDER BY t.seq",
                        k=kind, n=name + self.suffix)


@pytest.fixture
def db(url, request):
    handle = Db(url, request.node.nodeid)
    yield handle
    handle.close()


# --- strategies walk their own lifecycle, through the same functions --------------------------------
def test_a_strategy_walks_its_lifecycle_and_every_step_is_recorded(db):
    ids = db.strategies("fade", ("v1", "draft", T0))
    for to_status in ("testing", "active", "inactive", "active", "inactive", "deprecated"):
        (version, from_status, to, applied), = db.step("strategy", ids["v1"], to_status, mode="alongside")
        assert (version, to, applied) == ("v1", to_status, True)
    assert [(f, t, a) for _, f, t, a, _ in db.history("strategy", "fade")] == [
        ("draft", "testing", "transition"), ("testing", "active", "promote_alongside"),
        ("active", "inactive", "transition"), ("inactive", "active", "promote_alongside"),
        ("active", "inactive", "transition"), ("inactive", "deprecated", "transition")]
    # the strategy's own history table holds them, the models' none
    assert db.run("SELECT count(*) FROM strategy_status_history WHERE strategy_id = %(i)s", i=ids["v1"]) == [(6,)]


@pytest.mark.parametrize("from_status, to_status",
                         [(a, b) for a in STRATEGY_LIFECYCLE for b in STRATEGY_LIFECYCLE
                          if a != b and (a, b) not in STRATEGY_LEGAL])
def test_every_illegal_strategy_step_is_refused_by_the_function_and_by_a_plain_update(db, from_status, to_status):
    ids = db.strategies("illegal", ("v1", from_status, T0))
    error = db.refused("SELECT * FROM transition_version_status('strategy', %(i)s, %(s)s, 'ana', 'why', 'alongside')",
                       i=ids["v1"], s=to_status)
    assert isinstance(error, errors.CheckViolation)
    assert error.diag.message_primary == f"illegal{db.suffix} v1 cannot go from {from_status} to {to_status}"
    assert "draft → testing → active → inactive → deprecated" in error.diag.message_hint
    error = db.refused("UPDATE strategies SET status = %(s)s WHERE strategy_id = %(i)s", s=to_status, i=ids["v1"])
    assert isinstance(error, errors.CheckViolation)
    assert db.run("SELECT status FROM strategies WHERE strategy_id = %(i)s", i=ids["v1"]) == [(from_status,)]
    assert db.run("SELECT count(*) FROM strategy_status_history WHERE strategy_id = %(i)s", i=ids["v1"]) == [(0,)]


def test_promoting_a_strategy_replacing_retires_the_others_to_inactive_and_a_roll_back_returns(db):
    ids = db.strategies("entry", ("v1", "active", T0), ("v2", "testing", T0 + timedelta(days=1)))
    assert db.step("strategy", ids["v2"], "active") == [("v2", "testing", "active", True),
                                                       ("v1", "active", "inactive", True)]
    assert db.rollback("strategy", "entry") == [("v2", "active", "inactive", True), ("v1", "inactive", "active", True)]
    assert db.run("SELECT strategy_version, status FROM strategies WHERE strategy_name = %(n)s ORDER BY 1",
                  n="entry" + db.suffix) == [("v1", "active"), ("v2", "inactive")]


@pytest.mark.parametrize("call, message", [
    ("SELECT * FROM transition_version_status('strategy', 999999, 'active', 'ana', 'why')",
     "no strategy version with id 999999"),
    ("SELECT * FROM transition_version_status('strategy', {v1}, 'validating', 'ana', 'why')",
     "validating is not a strategy status (draft, testing, active, inactive, deprecated)"),
    ("SELECT * FROM transition_version_status('widget', {v1}, 'active', 'ana', 'why')",
     "must be model or strategy, not widget"),
    ("SELECT * FROM rollback_version('strategy', 'no_such_strategy', 'ana', 'why')", "no strategy named no_such_strategy"),
])
def test_bad_strategy_requests_are_refused_with_a_sentence(db, call, message):
    ids = db.strategies("bad", ("v1", "draft", T0))
    error = db.refused(call.format(v1=ids["v1"]))
    assert message in error.diag.message_primary


# --- a loader records each change at its moment, in time order ------------------------------------------
def test_a_loader_records_changes_at_their_moment(db):
    ids = db.models("elo", ("v1", "draft", T0))
    at = T0 + timedelta(days=2, hours=3, microseconds=250)
    db.step("model", ids["v1"], "training", at=at)
    assert [row[-1] for row in db.history("model", "elo")] == [at]


@pytest.mark.parametrize("moment, message", [
    (T0 - timedelta(seconds=1), "before the version was created"),
    (T0 + timedelta(days=1) - timedelta(microseconds=1), "before its latest recorded change"),
])
def test_a_loaders_moment_out_of_order_is_refused_and_changes_nothing(db, moment, message):
    ids = db.models("late", ("v1", "draft", T0))
    db.step("model", ids["v1"], "training", at=T0 + timedelta(days=1))
    error = db.refused("SELECT * FROM transition_version_status('model', %(i)s, 'validating', 'ana', 'why', 'replace', "
                       "NULL, %(at)s)", i=ids["v1"], at=moment)
    assert isinstance(error, errors.InvalidParameterValue)
    assert message in error.diag.message_primary
    assert db.run("SELECT status FROM probability_models WHERE model_id = %(i)s", i=ids["v1"]) == [("training",)]


# --- what status had each version at T ----------------------------------------------------------------
def test_the_as_of_answer_before_on_and_after_a_promotion_a_deprecation_and_a_roll_back(db):
    """Model elo: v1 active from its creation (day 0); v2 created day 1, validating day 2, promoted
    replacing v1 day 3, deprecated day 4 (no model active), rolled back day 5 (v2 active again:
    the last deactivating call took it out). Each instant a microsecond before, exactly on, and a
    microsecond after each change."""
    day = timedelta(days=1)
    us = timedelta(microseconds=1)
    ids = db.models("asof", ("v1", "active", T0), ("v2", "draft", T0 + day))
    db.step("model", ids["v2"], "training", at=T0 + 1.5 * day)
    db.step("model", ids["v2"], "validating", at=T0 + 2 * day)
    db.step("model", ids["v2"], "active", at=T0 + 3 * day)
    db.step("model", ids["v2"], "deprecated", at=T0 + 4 * day)
    assert db.rollback("model", "asof", at=T0 + 5 * day) == [("v2", "deprecated", "active", True)]
    expected = [
        (T0 - us, {}),
        (T0, {"v1": "active"}),
        (T0 + day - us, {"v1": "active"}),
        (T0 + day, {"v1": "active", "v2": "draft"}),
        (T0 + 1.5 * day, {"v1": "active", "v2": "training"}),
        (T0 + 2 * day - us, {"v1": "active", "v2": "training"}),
        (T0 + 2 * day, {"v1": "active", "v2": "validating"}),
        (T0 + 3 * day - us, {"v1": "active", "v2": "validating"}),
        (T0 + 3 * day, {"v1": "deprecated", "v2": "active"}),
        (T0 + 3 * day + us, {"v1": "deprecated", "v2": "active"}),
        (T0 + 4 * day - us, {"v1": "deprecated", "v2": "active"}),
        (T0 + 4 * day, {"v1": "deprecated", "v2": "deprecated"}),
        (T0 + 5 * day - us, {"v1": "deprecated", "v2": "deprecated"}),
        (T0 + 5 * day, {"v1": "deprecated", "v2": "active"}),
        (T0 + 5 * day + us, {"v1": "deprecated", "v2": "active"}),
    ]
    assert [(at, db.status_at("model", "asof", at)) for at, _ in expected] == expected
    # the model-only function answers the same question from the same history
    actives = [(at, [r[0] for r in db.run("SELECT model_version FROM model_versions_active_at(%(at)s, %(n)s)",
                                          at=at, n="asof" + db.suffix)]) for at, _ in expected]
    assert actives == [(at, sorted(v for v, s in states.items() if s == "active")) for at, states in expected]


def test_the_as_of_answer_for_strategies_through_an_ab_run_and_a_roll_back(db):
    """Strategy fade: v1 active (day 0); v2 created day 1, testing day 2, active beside v1 day 3
    (A/B), then promoted to replace it day 4 (v1 inactive), rolled back day 5 (v2 inactive, v1
    active)."""
    day = timedelta(days=1)
    us = timedelta(microseconds=1)
    ids = db.strategies("asof", ("v1", "active", T0), ("v2", "draft", T0 + day))
    db.step("strategy", ids["v2"], "testing", at=T0 + 2 * day)
    db.step("strategy", ids["v2"], "active", at=T0 + 3 * day, mode="alongside")
    assert db.step("strategy", ids["v2"], "active", at=T0 + 4 * day) == [("v1", "active", "inactive", True)]
    assert db.rollback("strategy", "asof", at=T0 + 5 * day) == [("v2", "active", "inactive", True),
                                                                ("v1", "inactive", "active", True)]
    expected = [
        (T0 + day - us, {"v1": "active"}),
        (T0 + day, {"v1": "active", "v2": "draft"}),
        (T0 + 2 * day, {"v1": "active", "v2": "testing"}),
        (T0 + 3 * day - us, {"v1": "active", "v2": "testing"}),
        (T0 + 3 * day, {"v1": "active", "v2": "active"}),
        (T0 + 4 * day - us, {"v1": "active", "v2": "active"}),
        (T0 + 4 * day, {"v1": "inactive", "v2": "active"}),
        (T0 + 5 * day - us, {"v1": "inactive", "v2": "active"}),
        (T0 + 5 * day, {"v1": "active", "v2": "inactive"}),
    ]
    assert [(at, db.status_at("strategy", "asof", at)) for at, _ in expected] == expected
    # the spans the audit reads tile each version's life without gaps or overlaps, the last open-ended
    spans = db.run("SELECT version, status, since, CASE WHEN until = 'infinity' THEN NULL ELSE until END "
                   "FROM version_status_spans WHERE kind = 'strategy' AND name = %(n)s ORDER BY version, seq",
                   n="asof" + db.suffix)
    for version in ("v1", "v2"):
        mine = [s for s in spans if s[0] == version]
        assert [a[3] for a in mine[:-1]] == [b[2] for b in mine[1:]] and mine[-1][3] is None
    assert [s[1] for s in spans if s[0] == "v1"] == ["active", "inactive", "active"]
