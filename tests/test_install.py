"""Installing on a Precog database the trading system made: check first, upgrade in place, lose
nothing, uninstall cleanly (queries/install.py, `python -m queries.schema`).

The database is made from the schema document's own CREATE statements (tests/seed_schema.sql)
and holds a small history written the trading system's way (tests/seed_trading_history.sql).
Every test fingerprints every original column of every table before and after.
"""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import psycopg2
import pytest

from queries import catalog, install, schema
from queries.connection import connect
from tests.apptest import open_page
from sqlalchemy.engine import make_url

from tests.conftest import RUN_PREFIX, _server_url, rows
from tests.schema_target import build as build_target
from tests.test_seed_statements import NAMED as SEED_STATEMENTS

HERE = Path(__file__).resolve().parent
SEED_SCHEMA = (HERE / "seed_schema.sql").read_text()
TRADING_HISTORY = (HERE / "seed_trading_history.sql").read_text()
PAGES = ("overview", "alerts", "exits", "models", "ab_tests", "edges", "trades")


# ------------------------------------------------------------------------------------------------
# Databases made the trading system's way, and their fingerprints
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def seed_database(databases):
    """make(extra_sql=None): a new database from the seed's CREATE statements with the trading
    history (and `extra_sql` after it, e.g. a row that breaks a rule)."""

    def make(extra_sql: str | None = None, *, history: bool = True) -> str:
        url = databases.create("seeddb", with_schema=False)
        conn = connect(url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(SEED_SCHEMA)
                if history:
                    cur.execute(TRADING_HISTORY)
                if extra_sql:
                    cur.execute(extra_sql)
        finally:
            conn.close()
        return url

    return make


def fingerprint(url: str, columns: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """(rows, hash) per table over the given columns of every row, in no particular order."""
    out = {}
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            for table, cols in sorted(columns.items()):
                row = "row(" + ", ".join(f'"{c}"' for c in cols) + ")::text"
                cur.execute(f'SELECT count(*), coalesce(md5(string_agg(md5({row}), \'\' ORDER BY md5({row}))), \'\') '
                            f'FROM "{table}"')
                out[table] = cur.fetchone()
    finally:
        conn.close()
    return out


def original_columns(url: str) -> dict[str, list[str]]:
    """Every column of every table the database has now."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            return {t: list(r["columns"]) for t, r in catalog.tables(catalog.read(cur)).items()}
    finally:
        conn.close()


def shape(url: str) -> dict:
    """Keys, foreign keys, checks, indexes, views and functions of the database now."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            c = catalog.read(cur)
    finally:
        conn.close()
    return {
        "constraints": {(t, n, k["definition"]) for t, r in c["relations"].items() for n, k in r["constraints"].items()},
        "indexes": {(t, n) for t, r in c["relations"].items() for n in r["indexes"]},
        "views": {n: r["view"] for n, r in c["relations"].items() if r["kind"] == "v"},
        "functions": set(c["functions"]),
        "triggers": {(t, n) for t, r in c["relations"].items() for n in r["triggers"]},
        "not_null": {(t, col) for t, r in catalog.tables(c).items() for col, s in r["columns"].items() if s["not_null"]},
    }


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = schema.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------------------------------------
# The shipped catalog of schema.sql is current
# ------------------------------------------------------------------------------------------------
def _names(c: dict) -> dict:
    return {
        "relations": {n: (r["kind"], sorted((col, s["type"], s["not_null"]) for col, s in r["columns"].items()),
                          sorted((k, v["kind"]) for k, v in r["constraints"].items()), sorted(r["indexes"]),
                          sorted(r["triggers"])) for n, r in c["relations"].items()},
        "functions": sorted(c["functions"]), "sequences": sorted(c["sequences"]), "statistics": sorted(c["statistics"]),
    }


def test_the_shipped_catalog_is_what_schema_sql_and_the_seed_make():
    """If this fails, schema.sql changed: write queries/schema_target.json again with
    `python tests/schema_target.py`."""
    fresh = build_target(_server_url())
    shipped = catalog.target()
    assert _names(fresh["schema"]) == _names(shipped["schema"])
    assert _names(fresh["seed"]) == _names(shipped["seed"])


# ------------------------------------------------------------------------------------------------
# --check
# ------------------------------------------------------------------------------------------------
def test_check_says_what_installing_would_do_and_changes_nothing(seed_database, capsys):
    url = seed_database()
    columns = original_columns(url)
    before, before_shape = fingerprint(url, columns), shape(url)

    code, out, err = cli(capsys, "--check", url)

    assert code == 0, err
    assert "a Precog database without the dashboard" in out
    assert "markets: primary key (market_id) becomes (id)" in out
    assert "positions: primary key (position_id) becomes (id)" in out
    assert "edges.edges_market_id_fkey: FOREIGN KEY (market_id) REFERENCES markets(market_id)" in out
    assert re.search(r"trades\.execution_mode .*'live' for existing trades", out)
    assert "Tables of the schema document to create, empty (2):" in out and "elo_rating_history" in out
    assert "Summary fill: about" in out
    assert "Rows that break a rule the dashboard would install: none." in out
    assert fingerprint(url, columns) == before
    assert shape(url) == before_shape


BROKEN = {
    "two current rows for one edge key": (
        "INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,"
        " market_implied_probability, market_price, created_at)"
        " SELECT market_id, strategy_id, model_id, 0.01, 0.5, 0.5, 0.5, created_at + interval '1 hour'"
        " FROM edges WHERE row_current_ind ORDER BY edge_id LIMIT 1",
        "edges: one current row per market_id"),
    "a price outside [0, 1]": (
        "UPDATE markets SET yes_price = 1.5000 WHERE market_id = 'MKT-12'",
        "markets: ((yes_price >= (0)::numeric) AND (yes_price <= (1)::numeric)) (markets_yes_price_check): 1 row, first: MKT-12"),
    "a resolved alert never acknowledged": (
        "UPDATE alerts SET resolved_at = triggered_at + interval '2 hours', resolved_by = 'x', resolution_action = 'fixed'"
        " WHERE alert_id = (SELECT min(alert_id) FROM alerts WHERE acknowledged_at IS NULL)",
        "alerts_acknowledged_before_resolved"),
    "a version without a status": (
        "UPDATE strategies SET status = NULL WHERE strategy_name = 'underdog_fade'",
        "strategies.status is never empty: 1 row"),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_row_that_breaks_a_rule_is_named_and_the_install_refuses_changing_nothing(seed_database, capsys, broken):
    sql, named = BROKEN[broken]
    url = seed_database(sql)
    columns = original_columns(url)
    before, before_shape = fingerprint(url, columns), shape(url)

    code, out, _ = cli(capsys, "--check", url)
    assert code == 1
    assert named in out
    assert "The install cannot go ahead" in out

    code, out, err = cli(capsys, url)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err  # one sentence, no traceback
    assert err.startswith("The install was refused:") and "--check" in err and "Nothing was changed." in err
    assert fingerprint(url, columns) == before
    assert shape(url) == before_shape


def test_a_newer_schema_version_is_refused_in_one_sentence(seed_database, capsys):
    url = seed_database()
    install.install(url)
    rows(url, "INSERT INTO schema_version (version, description) VALUES ('1.7.0+dashboard.999', 'from the future')")
    columns = original_columns(url)
    before = fingerprint(url, columns)
    for args in (("--check", url), (url,)):
        code, out, err = cli(capsys, *args)
        assert code == 1
        assert "newer than this dashboard's" in (out + err)
        assert "Traceback" not in out + err
    assert fingerprint(url, columns) == before


def test_a_database_that_is_not_precog_is_refused_in_one_sentence(databases, capsys):
    url = databases.create("foreign", with_schema=False)
    rows(url, "CREATE TABLE invoices (id serial PRIMARY KEY, total numeric); INSERT INTO invoices (total) VALUES (12.5)")
    for args in (("--check", url), (url,)):
        code, out, err = cli(capsys, *args)
        assert code == 1
        text = (out + err).strip()
        assert "This is not a Precog database" in text and "nothing was changed" in text
        assert "Traceback" not in text
    assert rows(url, "SELECT count(*) FROM invoices") == [(1,)]
    assert rows(url, "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace") == [(0,)]


def test_uninstall_where_the_dashboard_is_not_installed_says_so(seed_database, capsys):
    url = seed_database()
    code, _, err = cli(capsys, "--uninstall", url)
    assert code == 1
    assert err.strip() == "The dashboard is not installed on this database; nothing was changed."


# ------------------------------------------------------------------------------------------------
# Install, use, uninstall
# ------------------------------------------------------------------------------------------------
SEED_EXAMPLES = [(name, sql) for name, sql in SEED_STATEMENTS if name.startswith(("example", "query pattern", "method_id"))]


def test_install_keeps_every_row_the_trading_system_keeps_working_and_uninstall_puts_it_back(
        seed_database, capsys, point_app_at):
    url = seed_database()
    columns = original_columns(url)
    before, before_shape = fingerprint(url, columns), shape(url)

    code, out, err = cli(capsys, url)
    assert code == 0, err
    assert "Schema version" in out and "installed" in out
    assert fingerprint(url, columns) == before  # every original column of every row, unchanged
    assert rows(url, "SELECT version FROM schema_version") == [(install.required_version(),)]
    # what was added: the surrogate keys and execution modes of the rows already there
    assert rows(url, "SELECT count(*), count(DISTINCT id) FROM markets") == [(30, 30)]
    assert rows(url, "SELECT DISTINCT execution_mode FROM trades") == [("live",)]
    # the summaries were filled from the history
    assert rows(url, "SELECT count(*) FROM position_facts") == rows(url, "SELECT count(*) FROM positions")
    assert rows(url, "SELECT count(*) FROM exit_facts") == rows(url, "SELECT count(*) FROM position_exits")

    # the trading system keeps working: the seed's own example statements and query patterns ...
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            for name, sql in SEED_EXAMPLES:
                cur.execute(sql)
        # ... and its SCD Type 2 writes, now possible for markets and positions too
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, market_type,"
                        " yes_price, no_price, status, created_at)"
                        " SELECT market_id, platform_id, event_id, external_id, ticker, title, market_type, 0.6100, 0.3900,"
                        " 'open', now() FROM markets WHERE market_id = 'MKT-30' AND row_current_ind")
            cur.execute("UPDATE markets SET row_current_ind = FALSE WHERE market_id = 'MKT-30' AND row_current_ind"
                        " AND yes_price <> 0.6100")
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,"
                        " market_implied_probability, market_price, created_at)"
                        " SELECT market_id, strategy_id, model_id, 0.0400, 0.6500, 0.6100, 0.6100, now()"
                        " FROM edges WHERE market_id = 'MKT-30' AND row_current_ind")
            cur.execute("UPDATE edges SET row_current_ind = FALSE WHERE market_id = 'MKT-30' AND row_current_ind"
                        " AND created_at < (SELECT max(created_at) FROM edges WHERE market_id = 'MKT-30')")
        with conn, conn.cursor() as cur:
            cur.execute("UPDATE positions SET current_price = 0.6100, last_update = now()"
                        " WHERE position_id = (SELECT min(position_id) FROM positions WHERE status = 'open')")
    finally:
        conn.close()
    assert rows(url, "SELECT count(*) FROM markets WHERE market_id = 'MKT-30'") == [(2,)]
    assert rows(url, "SELECT row_end_ts IS NOT NULL FROM markets WHERE market_id = 'MKT-30' AND NOT row_current_ind") == [(True,)]

    # every page opens on it, as the dashboard's own login
    point_app_at(url)
    for page in PAGES:
        at = open_page(page)
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])

    # uninstall after the trading system wrote market history: every row stays; markets keeps its
    # surrogate key, since market_id is no longer unique
    after_use = fingerprint(url, columns)
    code, out, err = cli(capsys, "--uninstall", url)
    assert code == 0, err
    assert fingerprint(url, columns) == after_use
    assert all(after_use[t][0] >= rows for t, (rows, _) in before.items())
    assert "markets keeps the primary key (id)" in out
    now = shape(url)
    assert ("positions", "positions_pkey", "PRIMARY KEY (position_id)") in now["constraints"]
    assert ("trades", "trades_position_id_fkey", "FOREIGN KEY (position_id) REFERENCES positions(position_id)") \
        in now["constraints"]
    assert now["functions"] == set() and now["triggers"] == set()
    assert now["views"] == before_shape["views"]


def test_uninstall_right_after_install_gives_back_the_schema_documents_shape(seed_database, capsys):
    url = seed_database()
    columns = original_columns(url)
    before, before_shape = fingerprint(url, columns), shape(url)
    assert cli(capsys, url)[0] == 0

    code, out, err = cli(capsys, "--uninstall", url)

    assert code == 0, err
    assert fingerprint(url, columns) == before
    now = shape(url)
    kept_tables = set(install.AUDIT_TABLES) | {"teams", "elo_rating_history"}  # records, and seed tables it created
    added = {("markets", "id"), ("positions", "id"), ("positions", "execution_mode"), ("trades", "execution_mode")}
    assert {c for c in now["constraints"] if c[0] not in kept_tables} == before_shape["constraints"]
    assert {i for i in now["indexes"] if i[0] not in kept_tables} == before_shape["indexes"]
    assert now["views"] == before_shape["views"]
    assert now["functions"] == before_shape["functions"] == set()
    assert now["triggers"] == before_shape["triggers"] == set()
    assert {n for n in now["not_null"] if n[0] not in kept_tables} == before_shape["not_null"] | added
    assert "Table alert_actions stays" in out
    assert "The 24 columns the install added stay" in out
    assert "The schema document's tables the install created stay: elo_rating_history, teams" in out
    assert rows(url, "SELECT has_database_privilege('public', current_database(), 'TEMPORARY')") == [(True,)]
    # and it can be installed again
    assert cli(capsys, url)[0] == 0
    assert fingerprint(url, columns) == before


def test_installing_twice_changes_nothing_the_second_time(seed_database, capsys):
    url = seed_database()
    assert cli(capsys, url)[0] == 0
    columns = original_columns(url)
    before, before_shape = fingerprint(url, columns), shape(url)
    code, out, _ = cli(capsys, url)
    assert code == 0
    assert "Already installed; nothing changed." in out
    assert fingerprint(url, columns) == before
    assert shape(url) == before_shape


def test_install_while_the_trading_system_writes_loses_nothing_and_fails_no_writer(seed_database):
    url = seed_database()
    columns = original_columns(url)
    before = fingerprint(url, columns)
    written: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def trading_system() -> None:
        """Every few milliseconds a new edge (SCD: the new current row, then the old one closed)
        and a trade on it, each in one transaction, as the trading system writes them."""
        conn = connect(url)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                with conn, conn.cursor() as cur:
                    cur.execute("""
                        INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,
                                           market_implied_probability, market_price, created_at)
                        SELECT market_id, strategy_id, model_id, 0.0500, 0.6000, 0.5500, 0.5500, now()
                        FROM edges WHERE market_id = 'MKT-29' AND row_current_ind RETURNING edge_id""")
                    (edge_id,) = cur.fetchone()
                    cur.execute("UPDATE edges SET row_current_ind = FALSE WHERE market_id = 'MKT-29' AND row_current_ind"
                                " AND edge_id <> %s", (edge_id,))
                    cur.execute("""
                        INSERT INTO trades (market_id, platform_id, position_id, edge_id, strategy_id, model_id,
                                            order_id, side, price, quantity, created_at)
                        SELECT 'MKT-29', 'kalshi', NULL, e.edge_id, e.strategy_id, e.model_id, %s, 'buy', 0.5500, 1, now()
                        FROM edges e WHERE e.edge_id = %s""", (f"live-{n}", edge_id))
                written.append(edge_id)
            except psycopg2.Error as error:  # a writer that fails is what this test must not see
                failures.append(str(error).splitlines()[0])
            time.sleep(0.005)
        conn.close()

    writer = threading.Thread(target=trading_system)
    writer.start()
    try:
        time.sleep(0.3)
        install.install(url)
        time.sleep(0.3)
    finally:
        stop.set()
        writer.join()
    assert failures == []
    assert len(written) > 20
    after = fingerprint(url, {t: c for t, c in columns.items() if t not in ("edges", "trades")})
    assert after == {t: v for t, v in before.items() if t not in ("edges", "trades")}
    # the original rows of edges and trades unchanged but for the edges the writer closed, and every write there
    assert rows(url, "SELECT count(*) FROM trades WHERE order_id LIKE 'live-%'") == [(len(written),)]
    assert rows(url, "SELECT count(*) FROM edges WHERE edge_id = ANY(%s)", (written,)) == [(len(written),)]
    assert rows(url, "SELECT count(*) FROM edges WHERE market_id = 'MKT-29' AND row_current_ind") == [(1,)]


def test_the_trading_systems_own_role_keeps_temporary_tables_and_advisory_locks(seed_database):
    url = seed_database()
    role = f"{RUN_PREFIX}_trader"[:63]
    rows(url, f'CREATE ROLE "{role}" LOGIN; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}";'
              f' GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    try:
        assert install.plan(url).trading_roles == [role]
        install.install(url)
        trader = make_url(url).set(username=role, password=None).render_as_string(hide_password=False)
        assert rows(trader, "CREATE TEMPORARY TABLE scratch (x int);"
                            " SELECT pg_advisory_xact_lock(42), pg_try_advisory_lock(7)") == [("", True)]  # void, then the lock
        install.uninstall(url)
        assert rows(url, "SELECT has_database_privilege(%s, current_database(), 'TEMPORARY')", (role,)) == [(True,)]
    finally:
        rows(url, f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


def test_a_row_written_between_the_check_and_the_rules_stops_the_install_in_one_sentence(seed_database, monkeypatch):
    """The trading system writes between --check's scan and the validation of phase 1: validation
    refuses, the install stops with one sentence, and no trading row changes."""
    url = seed_database()
    real_plan = install.plan

    def plan_then_a_bad_write(target_url):
        checked = real_plan(target_url)
        rows(target_url, "UPDATE markets SET no_price = 1.2000 WHERE market_id = 'MKT-3'")  # after the check
        return checked

    monkeypatch.setattr(install, "plan", plan_then_a_bad_write)
    columns = original_columns(url)
    before = fingerprint(url, columns)
    with pytest.raises(install.InstallRefused) as refused:
        install.install(url)
    sentence = str(refused.value)
    assert sentence.startswith("A row written since the check breaks the rule markets_no_price_check on markets")
    assert "\n" not in sentence and "no trading data was changed" in sentence
    after = fingerprint(url, columns)
    assert {t: v for t, v in after.items() if t != "markets"} == {t: v for t, v in before.items() if t != "markets"}
    assert rows(url, "SELECT to_regclass('public.schema_version')") == [(None,)]  # the upgrade never ran
