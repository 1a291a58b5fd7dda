"""Least privilege, enforced by the database: the dashboard's reader role only reads, its writer
role only calls the write functions, and nobody else may call anything of ours. Then the
same rules one layer up: the role a person has decides what the server lets them do."""
from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import errors

from identity import Identity, NotAllowed, SecretsUnreadable, SettingRefused, current_identity, role_for
from queries import alerts, connection, schema
from queries import models as model_queries
from tests.apptest import open_page, unescaped
from tests.test_alerts_database import new_alert, sql

VIEWER = Identity("vera@example.com", "viewer", "header", signed_in=True)
RESPONDER = Identity("rob@example.com", "responder", "header", signed_in=True)
# the stored answers' refresh (schema.sql, refresh_stored_answers) writes only what it stores
WRITE_FUNCTIONS = {"acknowledge_alert", "resolve_alert", "snooze_alert", "transition_model_status", "rollback_model",
                   "refresh_due_stored_answers"}


@pytest.fixture(scope="module")
def db(databases):
    url = databases.create("access")
    sql(url, """INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
                VALUES ('elo_nfl', 'v1.0', 'elo', 'nfl', '{"k": 20}', 'validating')""")
    return url


def session_as(url: str, role: str | None):
    """A connection the way the dashboard opens one: logged in as precog_dashboard, starting as `role`
    (None: no role set, so only what PUBLIC may do)."""
    options = "-c timezone=UTC" + (f" -c role={role}" if role else "")
    conn = psycopg2.connect(schema.dsn(connection.dashboard_login(url)), options=options)
    conn.autocommit = True
    return conn


def refused(conn, statement: str, params=None) -> bool:
    """True when the database refuses `statement` for lack of privilege."""
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
    except errors.InsufficientPrivilege:
        return True
    return False


def tables(url: str) -> list[str]:
    return [r[0] for r in sql(url, """SELECT format('%I', c.relname) FROM pg_class c
                                       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                                       ORDER BY 1""")]


def changes_to(table: str) -> list[str]:
    # No statement reads the table: the refusal must come from the missing write privilege alone.
    return [f"UPDATE {table} SET {{col}} = NULL", f"DELETE FROM {table}",
            f"INSERT INTO {table} ({{col}}) VALUES (NULL)", f"TRUNCATE {table}"]


def first_column(url: str, table: str) -> str:
    return sql(url, "SELECT format('%%I', attname) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
               (table,))[0][0]


@pytest.mark.parametrize("role", ["precog_reader", "precog_writer"])
def test_neither_dashboard_role_can_change_any_table_directly(db, role):
    all_tables = tables(db)
    assert len(all_tables) >= 27
    # the summaries the writers' triggers keep (schema.sql "Performance at ten years") are checked too
    assert {"position_facts", "market_closes", "edge_decay_facts", "calibration_points", "exit_orders",
            "exit_facts", "exit_position_facts", "order_slippage", "exit_excursions"} <= set(all_tables)
    conn = session_as(db, role)
    try:
        allowed = [statement for table in all_tables for statement in changes_to(table)
                   if not refused(conn, statement.format(col=first_column(db, table)))]
    finally:
        conn.close()
    assert allowed == []
    granted = sql(db, """SELECT c.relname FROM pg_class c
                         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                           AND (has_table_privilege(%(role)s, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                                OR has_any_column_privilege(%(role)s, c.oid, 'INSERT, UPDATE'))""", {"role": role})
    assert granted == []


def test_temporary_tables_large_objects_and_advisory_locks_are_closed_to_the_dashboard(db):
    """A temporary table named like an audit table could catch a definer function's rows if a
    search_path let pg_temp in first; a large object is a row SELECT alone could write; and a held
    advisory lock on a summary's bucket would stall every writer of it."""
    for role in ("precog_reader", "precog_writer"):
        conn = session_as(db, role)
        try:
            assert refused(conn, "CREATE TEMP TABLE model_status_history (x int)")
            assert refused(conn, "SELECT lo_from_bytea(0, 'x')")
            assert refused(conn, "SELECT pg_advisory_lock(hashtext('position_facts'), 0)")
            assert refused(conn, "SELECT pg_try_advisory_xact_lock(1)")
        finally:
            conn.close()


def test_the_reader_reads_every_table_and_view_but_cannot_call_a_write_function(db):
    alert_id = new_alert(db)
    conn = session_as(db, "precog_reader")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM alerts")
            assert cur.fetchone()[0] >= 1
            cur.execute("SELECT count(*) FROM trade_attribution")
            cur.execute("SELECT current_user, session_user")
            assert cur.fetchone() == ("precog_reader", "precog_dashboard")
        assert refused(conn, "SELECT * FROM acknowledge_alert(%s, 'reader', NULL)", (alert_id,))
        assert refused(conn, "SELECT * FROM transition_model_status(1, 'active', 'reader', 'why')")
    finally:
        conn.close()
    assert sql(db, "SELECT acknowledged_at FROM alerts WHERE alert_id = %s", (alert_id,)) == [(None,)]


def test_reset_role_does_not_climb_back_to_the_login(db):
    conn = session_as(db, "precog_reader")
    try:
        with conn.cursor() as cur:
            cur.execute("RESET ROLE")
            cur.execute("SELECT current_user")
            assert cur.fetchone() == ("precog_reader",)
    finally:
        conn.close()


def test_the_writer_acts_only_through_the_write_functions(db):
    alert_id = new_alert(db)
    conn = session_as(db, "precog_writer")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT outcome FROM acknowledge_alert(%s, 'writer-test', 'on it')", (alert_id,))
            assert cur.fetchone() == ("acknowledged",)
        # the helper that sets a status with any action, and the status column itself, are closed to
        # it: no way round the lifecycle rules (e.g. a 'rollback' action set by hand)
        assert refused(conn, "SELECT version_set_status('model', 1, 'active', 'rollback', 'x', 'y', NULL, NULL)")
        # nor the general functions that take a moment in the past (for loaders): no backdated history
        assert refused(conn, "SELECT * FROM transition_version_status('model', 1, 'training', 'x', 'y', 'replace', "
                             "NULL, '2020-01-01')")
        assert refused(conn, "SELECT * FROM rollback_version('model', 'elo_nfl', 'x', 'y', NULL, '2020-01-01')")
        assert refused(conn, "SELECT set_config('precog.status_action', 'rollback', false); "
                             "UPDATE probability_models SET status = 'active'")
        assert refused(conn, "SELECT * FROM alerts")  # reads go through the reader
    finally:
        conn.close()
    assert sql(db, "SELECT acknowledged_by FROM alerts WHERE alert_id = %s", (alert_id,)) == [("writer-test",)]
    assert sql(db, "SELECT status FROM probability_models WHERE model_name = 'elo_nfl'") == [("validating",)]


def test_a_moment_set_by_the_writer_does_not_reach_the_history(db):
    """The lifecycle functions take a loader's moment through a transaction-local setting; the
    writer's wrappers always record now, whatever the session set beforehand."""
    sql(db, """INSERT INTO probability_models (model_name, model_version, model_type, config, status)
               VALUES ('backdate_probe', 'v1', 'elo', '{}', 'draft')""")
    (model_id,), = sql(db, "SELECT model_id FROM probability_models WHERE model_name = 'backdate_probe'")
    conn = session_as(db, "precog_writer")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('precog.status_at', '2020-01-01 00:00', false), "
                        "set_config('precog.status_action', 'transition', false)")
            cur.execute("SELECT applied FROM transition_model_status(%s, 'training', 'writer-test', 'why')", (model_id,))
            assert cur.fetchone() == (True,)
    finally:
        conn.close()
    (changed_at, recent), = sql(db, "SELECT changed_at, changed_at > now() AT TIME ZONE 'UTC' - interval '1 minute' "
                                    "FROM model_status_history WHERE model_id = %s", (model_id,))
    assert changed_at.year > 2020 and recent


def test_without_a_role_the_login_may_call_nothing_and_read_nothing(db):
    conn = session_as(db, None)
    try:
        assert refused(conn, "SELECT * FROM acknowledge_alert(1, 'nobody', NULL)")
        assert refused(conn, "SELECT count(*) FROM alerts")
        assert refused(conn, "SELECT alert_action_problem('acknowledge', 'x', NULL, NULL)")
    finally:
        conn.close()


def test_write_functions_are_security_definer_with_a_fixed_search_path_and_no_public_execute(db):
    rows = sql(db, """SELECT p.proname, p.prosecdef, p.proconfig, p.proacl::text
                      FROM pg_proc p
                      WHERE p.pronamespace = 'public'::regnamespace
                        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                        AND d.objid = p.oid AND d.deptype = 'e')""")
    assert len(rows) > 20
    for name, definer, config, acl in rows:
        # an ACL entry "=X/owner" (empty grantee) would be EXECUTE for PUBLIC
        assert acl is not None and "{=" not in acl and ",=" not in acl, (name, acl)
        # A fixed search_path names pg_temp last, or PostgreSQL searches it first and a caller's
        # temporary table could shadow one of ours. (Functions without one run in their caller's
        # path: the inlinable SQL filters and the trigger functions, which must stay cheap.)
        paths = [c for c in config or () if c.startswith("search_path=")]
        assert paths in ([], ["search_path=pg_catalog, public, pg_temp"]), (name, paths)
        assert not definer or paths, name
        if name in WRITE_FUNCTIONS:
            assert definer, name
            assert "precog_writer=X/" in acl and "precog_reader" not in acl, (name, acl)
        else:
            # definer helpers behind triggers (position_facts upkeep) are callable by no dashboard role
            assert not definer or "precog_" not in acl, (name, acl)
            assert "precog_writer" not in acl, (name, acl)


def test_the_dashboard_logs_in_as_its_own_role_and_never_as_the_owner(db, point_app_at):
    point_app_at(db)
    for engine, role in ((connection.read_engine(), "precog_reader"),
                         (connection.primary_read_engine(), "precog_reader"),
                         (connection.write_engine(), "precog_writer")):
        with engine.connect() as conn:
            assert tuple(conn.exec_driver_sql("SELECT session_user, current_user").one()) == ("precog_dashboard", role)
    owner = sql(db, "SELECT tableowner FROM pg_tables WHERE tablename = 'alerts'")[0][0]
    assert owner != "precog_dashboard"


# --- the server side refuses what a role may not do, whatever the page shows -------------------
def test_a_viewer_cannot_acknowledge_by_a_direct_call(db, point_app_at):
    point_app_at(db)
    alert_id = new_alert(db)
    with pytest.raises(NotAllowed, match="vera@example.com is a viewer: only responders and admins may acknowledge"):
        alerts.acknowledge([alert_id], VIEWER, "sneaky")
    with pytest.raises(NotAllowed):
        alerts.resolve([alert_id], VIEWER, "fixed", None)
    assert sql(db, "SELECT count(*) FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [(0,)]


def test_a_responder_cannot_promote_a_model_by_a_direct_call(db, point_app_at):
    point_app_at(db)
    (model_id,), = sql(db, "SELECT model_id FROM probability_models WHERE model_name = 'elo_nfl'")
    with pytest.raises(NotAllowed, match="rob@example.com is a responder: only admins may change"):
        model_queries.transition(model_id, "active", "ship it", by=RESPONDER)
    with pytest.raises(NotAllowed):
        model_queries.rollback("elo_nfl", "undo", by=RESPONDER)
    assert sql(db, "SELECT status FROM probability_models WHERE model_id = %s", (model_id,)) == [("validating",)]
    assert sql(db, "SELECT count(*) FROM model_status_history WHERE model_id = %s", (model_id,)) == [(0,)]


def test_a_responder_acknowledges_and_the_audit_row_names_them(db, point_app_at):
    point_app_at(db)
    alert_id = new_alert(db)
    (outcome,) = alerts.acknowledge([alert_id], RESPONDER, None)
    assert outcome.outcome == "acknowledged"
    assert sql(db, "SELECT actor FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [("rob@example.com",)]


# --- the page hides what the role may not do ----------------------------------------------------
def test_a_viewer_sees_the_queue_without_the_acknowledge_and_resolve_forms(db, point_app_at, monkeypatch):
    point_app_at(db)
    new_alert(db)
    monkeypatch.setenv("PRECOG_LOCAL_ROLE", "viewer")
    at = open_page("alerts")
    assert not at.exception
    assert [b.label for b in at.button] == [] and not any(b.label == "Acknowledge" for b in at.get("form_submit_button"))
    assert any("viewers read the queue" in i.value for i in at.info)
    assert len(at.dataframe) >= 1


def test_a_responder_sees_no_lifecycle_actions_on_the_models_page(db, point_app_at, monkeypatch):
    point_app_at(db)
    monkeypatch.setenv("PRECOG_LOCAL_ROLE", "responder")
    at = open_page("models", model="elo_nfl", tab="Admin actions")
    assert not at.exception
    assert any("Only admins can change a version's status" in i.value for i in at.info)
    assert not any(b.label == "Apply" for b in at.get("form_submit_button"))


def test_every_page_says_local_mode_and_local_writes_carry_the_local_prefix(db, point_app_at):
    point_app_at(db)
    for page in ("overview", "alerts", "exits", "models", "ab_tests", "edges", "trades"):
        at = open_page(page)
        assert not at.exception, page
        assert any("local mode — not signed in" in c.value for c in at.sidebar.caption), page
    alert_id = new_alert(db)
    at = open_page("alerts", alert=str(alert_id))
    at.checkbox(key=f"alerts_act_on_link_{alert_id}").check().run()  # the link alone acts on nothing
    at.text_area(key="alerts_ack_note").set_value("from my laptop")
    next(b for b in at.get("form_submit_button") if b.label == "Acknowledge").click().run()
    assert not at.exception
    (actor,), = sql(db, "SELECT actor FROM alert_actions WHERE alert_id = %s", (alert_id,))
    assert actor.startswith("local:")


def test_with_oidc_configured_nothing_shows_until_sign_in(db, point_app_at):
    point_app_at(db)
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only-secret",
            "client_id": "precog", "client_secret": "x",
            "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at = open_page("alerts", secrets={"auth": auth})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert len(at.dataframe) == 0 and not at.get("form_submit_button")


# --- who is who --------------------------------------------------------------------------------
def test_roles_come_from_exact_names_or_a_domain_and_everyone_else_is_a_viewer():
    roles = {"responder": ["rob@example.com", "*@ops.example.com"], "admin": ["Lead@Example.com"]}
    assert role_for("rob@example.com", roles) == "responder"
    assert role_for("ann@ops.example.com", roles) == "responder"
    assert role_for("lead@example.com", roles) == "admin"  # names compare without case
    assert role_for("eve@example.com", roles) == "viewer"
    assert role_for("eve@x@ops.example.com", roles) == "viewer"  # one @ only, for domain patterns
    assert role_for("eve@notops.example.com", roles) == "viewer"
    assert role_for("rob@example.com", {}) == "viewer"


def test_a_secrets_file_that_does_not_parse_stops_the_app_instead_of_falling_back_to_local_admin(
        tmp_path, monkeypatch):
    import streamlit as st

    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\nclient_id = ")
    monkeypatch.setattr(st, "get_option", lambda name: [str(broken)] if name == "secrets.files" else None)

    def unreadable(self, section, default=None):  # what Streamlit does for a missing or broken file
        raise FileNotFoundError("no valid secrets")

    monkeypatch.setattr(type(st.secrets), "get", unreadable)
    with pytest.raises(SecretsUnreadable, match="cannot be read, so sign-in and roles are unknown"):
        current_identity()
    broken.unlink()  # no file at all: local mode
    assert current_identity().source == "local"


# --- local mode: a role name or nothing; never a typo that grants admin (#25) ------------------
@pytest.mark.parametrize("value", ["veiwer", "readonly", "", "  ", "root", "admin\x1b[0m"])
def test_an_unknown_local_role_is_refused_with_one_sentence(monkeypatch, value):
    monkeypatch.setenv("PRECOG_LOCAL_ROLE", value)
    with pytest.raises(SettingRefused) as refused:
        current_identity()
    sentence = str(refused.value)
    assert sentence.startswith("PRECOG_LOCAL_ROLE is ") and sentence.endswith(".") and "\n" not in sentence
    assert "viewer, responder or admin" in sentence and sentence.isprintable()


@pytest.mark.parametrize("value, role", [(None, "admin"), ("viewer", "viewer"), (" Responder ", "responder"),
                                         ("admin", "admin")])
def test_the_local_label_names_the_role(monkeypatch, value, role):
    if value is None:
        monkeypatch.delenv("PRECOG_LOCAL_ROLE", raising=False)
    else:
        monkeypatch.setenv("PRECOG_LOCAL_ROLE", value)
    me = current_identity()
    assert me.role == role and me.source == "local"
    assert me.label == f"{me.name} ({role}, local mode — not signed in)"


def test_every_page_refuses_an_unknown_local_role_in_one_sentence(db, point_app_at, monkeypatch):
    point_app_at(db)
    monkeypatch.setenv("PRECOG_LOCAL_ROLE", "veiwer")
    for page in ("overview", "alerts", "models"):
        at = open_page(page)
        assert not at.exception, page
        assert [unescaped(e.value) for e in at.error] == [
            "PRECOG_LOCAL_ROLE is 'veiwer', which is not a role: set it to viewer, responder or admin, "
            "or leave it unset for admin."], page
        assert not at.dataframe and not at.get("form_submit_button"), page


def test_an_identity_with_an_unknown_role_may_do_nothing_and_is_told_so(db, point_app_at):
    point_app_at(db)
    stranger = Identity("sam@example.com", "superuser", "header", signed_in=True)
    assert not stranger.may("respond") and not stranger.may("manage_versions")
    alert_id = new_alert(db)
    with pytest.raises(NotAllowed, match="^sam@example.com has no role the dashboard knows \\('superuser'\\)"):
        alerts.acknowledge([alert_id], stranger, None)
    with pytest.raises(NotAllowed, match="no role the dashboard knows"):
        model_queries.rollback("elo_nfl", "undo", by=stranger)
    assert sql(db, "SELECT count(*) FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [(0,)]
