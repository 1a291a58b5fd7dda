"""Installing the dashboard's schema on a database: check first, upgrade in place, lose nothing,
uninstall cleanly. `python -m queries.schema` is the command (queries/schema.py); this is the engine.

A Precog database made by the trading system from the schema document differs from what
schema.sql makes: columns of v1.7 are missing, markets and positions have their business key as
primary key, and none of the rules, summaries or roles exist. schema.sql alone only adds what is
missing by name (CREATE ... IF NOT EXISTS), so the table shapes are brought to schema.sql's first,
by comparing the database's catalog with the one schema.sql makes (queries/schema_target.json,
read from a scratch database and kept current by a test).

Four phases, so that the trading system, which writes every few seconds, is never held up long:
  0. check   (read-only)  every existing row against every rule the install adds; a row that
                          breaks one stops the install before anything changes.
  1. prepare (online)     columns that need no rewrite, CHECK and NOT NULL rules added NOT VALID
                          and then validated (validation reads the table without blocking writes),
                          missing indexes built CONCURRENTLY.
  2. upgrade (one transaction)  surrogate keys, key swaps, the foreign keys the rule triggers
                          replace, NOT NULL (proved by the validated checks: no scan), one-current-
                          row constraints, then schema.sql with the summaries' fill deferred. Its
                          locks are taken with a lock_timeout below deadlock_timeout and the whole
                          transaction is retried, so a writer never loses a deadlock to the install.
  3. fill    (online)     each summary in batches of keys, each batch its own transaction (the
                          writers' triggers keep new rows current meanwhile); then the version row.

What the install changed on the trading system's own objects (keys, foreign keys, views,
privileges) is recorded with the catalog as it was (table dashboard_install), so --uninstall can
put it back.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import psycopg2
from psycopg2 import sql as pgsql

from queries import catalog
from queries.connection import PROJECT_ROOT, DatabaseUnavailable, connect, explain_error

SCHEMA_FILE = PROJECT_ROOT / "schema.sql"

# The schema document's tables (27 at v1.7): the trading system's. An uninstall never drops them.
SEED_TABLES = (
    "platforms", "series", "events", "markets", "game_states", "probability_matrices", "probability_models",
    "strategies", "edges", "positions", "trades", "position_exits", "exit_attempts", "settlements",
    "account_balance", "config_overrides", "circuit_breaker_events", "system_health", "alerts", "methods",
    "method_templates", "feature_definitions", "features_historical", "training_datasets",
    "model_training_runs", "teams", "elo_rating_history")
# A database with all of these is a Precog database (the tables every version of the document has
# had since versions and attribution came in, v1.4); the others are created when missing.
CORE_TABLES = ("platforms", "series", "events", "markets", "game_states", "probability_matrices",
               "probability_models", "strategies", "edges", "positions", "trades", "settlements", "account_balance")
DASHBOARD_ROLES = ("precog_reader", "precog_writer", "precog_dashboard")
# What schema.sql takes from PUBLIC (its access-control section); the install gives it back to the
# roles that write the trading tables, and --uninstall gives it back to PUBLIC.
PUBLIC_FUNCTIONS = (
    "lo_create(oid)", "lo_creat(integer)", "lo_from_bytea(oid,bytea)", "lo_put(oid,bigint,bytea)",
    "pg_advisory_lock(bigint)", "pg_advisory_lock_shared(bigint)", "pg_try_advisory_lock(bigint)",
    "pg_try_advisory_lock_shared(bigint)", "pg_advisory_lock(integer,integer)",
    "pg_advisory_lock_shared(integer,integer)", "pg_try_advisory_lock(integer,integer)",
    "pg_try_advisory_lock_shared(integer,integer)", "pg_advisory_xact_lock(bigint)",
    "pg_advisory_xact_lock_shared(bigint)", "pg_try_advisory_xact_lock(bigint)",
    "pg_try_advisory_xact_lock_shared(bigint)", "pg_advisory_xact_lock(integer,integer)",
    "pg_advisory_xact_lock_shared(integer,integer)", "pg_try_advisory_xact_lock(integer,integer)",
    "pg_try_advisory_xact_lock_shared(integer,integer)")

# Below PostgreSQL's deadlock_timeout (1 s): when the install and a writer wait for each other, the
# install's wait ends first and it retries; the writer's transaction is never the one cancelled.
LOCK_TIMEOUT = "500ms"
UPGRADE_ATTEMPTS = 40
FILL_BATCH = 2000
SHOWN_KEYS = 5

# Seconds per key to fill each summary, measured at ten years of demo data on this 2-core machine
# (bench/install.py, 2026-12-06: 40,440 positions 1.3 s, 19,964 closed markets 3.6 s and their
# edge decay 18.6 s, 38,995 exit orders 1.0 s, exit facts 3.8 s, calibration points 10.9 s): used
# only for --check's estimate.
FILL_SECONDS_PER_KEY = {
    "position_facts": 0.000032, "market_closes": 0.00018, "edge_decay_facts": 0.00093,
    "exit_orders": 0.000026, "exit_facts": 0.000094, "calibration_points": 0.00055,
}

# Rules schema.sql enforces with triggers rather than constraints, so the catalog does not show
# them: (sentence, table, the query of the keys that break it, the seed foreign key that already
# guarantees it or None). The demo loader checks the same list after a bulk load.
TRIGGER_RULES = (
    ("edges.market_id names a market", "edges",
     "SELECT e.edge_id::text FROM edges e WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.market_id = e.market_id)",
     ("edges", "market_id")),
    ("positions.market_id names a market", "positions",
     "SELECT p.position_id::text FROM positions p WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.market_id = p.market_id)",
     ("positions", "market_id")),
    ("trades.market_id names a market", "trades",
     "SELECT t.trade_id::text FROM trades t WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.market_id = t.market_id)",
     ("trades", "market_id")),
    ("trades.position_id names a position", "trades",
     "SELECT t.trade_id::text FROM trades t WHERE t.position_id IS NOT NULL"
     " AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.position_id = t.position_id)",
     ("trades", "position_id")),
    ("position_exits.position_id names a position", "position_exits",
     "SELECT x.exit_id::text FROM position_exits x WHERE NOT EXISTS (SELECT 1 FROM positions p WHERE p.position_id = x.position_id)",
     ("position_exits", "position_id")),
    ("exit_attempts.position_id names a position", "exit_attempts",
     "SELECT a.attempt_id::text FROM exit_attempts a WHERE NOT EXISTS (SELECT 1 FROM positions p WHERE p.position_id = a.position_id)",
     ("exit_attempts", "position_id")),
    ("settlements.market_id names a market", "settlements",
     "SELECT s.settlement_id::text FROM settlements s WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.market_id = s.market_id)",
     ("settlements", "market_id")),
    ("every market_id with rows has exactly one current row", "markets",
     "SELECT market_id::text FROM markets GROUP BY market_id HAVING count(*) FILTER (WHERE row_current_ind) <> 1", None),
    ("every position_id with rows has exactly one current row", "positions",
     "SELECT position_id::text FROM positions GROUP BY position_id HAVING count(*) FILTER (WHERE row_current_ind) <> 1", None),
    ("every event's game state has exactly one current row", "game_states",
     "SELECT event_id::text FROM game_states GROUP BY event_id HAVING count(*) FILTER (WHERE row_current_ind) <> 1", None),
    ("every market, strategy and model's edge has exactly one current row", "edges",
     "SELECT concat_ws('/', market_id, strategy_id, model_id) FROM edges GROUP BY market_id, strategy_id, model_id"
     " HAVING count(*) FILTER (WHERE row_current_ind) <> 1", None),
    ("every platform and currency's balance has exactly one current row", "account_balance",
     "SELECT concat_ws('/', platform_id, currency) FROM account_balance GROUP BY platform_id, currency"
     " HAVING count(*) FILTER (WHERE row_current_ind) <> 1", None),
)

# What the columns the install adds hold for the rows already there (the defaults are schema.sql's,
# chosen so that the trading system's INSERTs, which do not name these columns, keep working).
ADDED_COLUMN_NOTES = {
    ("trades", "execution_mode"): "'live' for existing trades: the seed's trades are orders sent to a platform "
                                  "(order_id is the platform's) and nothing in its tables marks a paper trade",
    ("positions", "execution_mode"): "'live' for existing positions, as their trades",
    ("markets", "id"): "numbered for existing rows in the order the table holds them; new rows take the next number",
    ("positions", "id"): "numbered for existing rows in the order the table holds them; new rows take the next number",
}


class InstallRefused(DatabaseUnavailable):
    """The install (or uninstall) did not go ahead; str(error) is the one sentence to show."""


@dataclass
class Violation:
    rule: str
    table: str
    rows: int
    keys: list[str]


@dataclass
class Plan:
    """What installing would do to one database, and whether it can."""
    state: str                       # empty | precog | installed | outdated | newer | foreign
    version_found: str | None = None
    version_needed: str = ""
    server: str = ""
    live: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    tables_to_create: list[str] = field(default_factory=list)
    columns_to_add: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    columns_to_require: list[tuple[str, str]] = field(default_factory=list)          # NOT NULL
    type_differences: list[tuple[str, str, str, str]] = field(default_factory=list)
    key_changes: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    foreign_keys_replaced: list[tuple[str, str, str]] = field(default_factory=list)
    constraints_to_add: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    indexes_to_build: list[tuple[str, str, str]] = field(default_factory=list)        # (table, name, definition)
    views_to_replace: list[str] = field(default_factory=list)
    relations_to_create: list[tuple[str, str]] = field(default_factory=list)          # (kind, name)
    functions_to_create: list[str] = field(default_factory=list)
    triggers_to_create: list[tuple[str, str]] = field(default_factory=list)
    roles_to_create: list[str] = field(default_factory=list)
    trading_roles: list[str] = field(default_factory=list)
    public_before: dict[str, Any] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    fill_keys: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    refusal: str | None = None       # why the install cannot go ahead, one sentence

    @property
    def can_install(self) -> bool:
        return self.refusal is None and not self.violations

    @property
    def fill_seconds(self) -> float:
        return sum(FILL_SECONDS_PER_KEY.get(name, 0.001) * n for name, n in self.fill_keys.items())


# ------------------------------------------------------------------------------------------------
# Versions
# ------------------------------------------------------------------------------------------------
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)\+dashboard\.(\d+)$")


def version_key(version: str) -> tuple[int, ...] | None:
    match = _VERSION.match(version or "")
    return tuple(int(g) for g in match.groups()) if match else None


def required_version() -> str:
    """The version schema.sql records: what this code needs the database to have."""
    match = re.search(r"FUNCTION dashboard_schema_version\b.*?SELECT '([^']+)'", SCHEMA_FILE.read_text(), re.S)
    return match.group(1)


# ------------------------------------------------------------------------------------------------
# Check (phase 0): read-only
# ------------------------------------------------------------------------------------------------
def plan(url: str) -> Plan:
    """What installing on `url` would do, and every existing row that breaks a rule it would add."""
    conn = connect(url)
    try:
        conn.set_session(readonly=True, autocommit=False)
        with conn.cursor() as cur:
            return _plan(cur)
    except psycopg2.Error as error:
        raise DatabaseUnavailable(explain_error(error, url)) from None
    finally:
        conn.close()


def _plan(cur) -> Plan:
    cur.execute("SELECT current_setting('server_version'), current_database()")
    server_version, database = cur.fetchone()
    live = catalog.read(cur)
    target = catalog.target()["schema"]
    result = Plan(state="", version_needed=required_version(), server=f"{database} (PostgreSQL {server_version})",
                  live=live, target=target)
    _classify(cur, result)
    if result.state in ("newer", "foreign"):
        return result
    _compare(result)
    _count_rows(cur, result)
    _find_violations(cur, result)
    _find_roles(cur, result)
    return result


def _classify(cur, result: Plan) -> None:
    live_tables = catalog.tables(result.live)
    needed = result.version_needed
    if "schema_version" in live_tables:
        columns = set(live_tables["schema_version"]["columns"])
        if not {"version", "description", "applied_at"} <= columns:
            result.state = "foreign"
            result.refusal = ("This database has a schema_version table that is not the dashboard's "
                              f"(columns {', '.join(sorted(columns))}); nothing was changed.")
            return
        cur.execute("SELECT version FROM schema_version")
        versions = [v for (v,) in cur.fetchall()]
        known = [v for v in versions if version_key(v)]
        unknown = [v for v in versions if not version_key(v)]
        newest = max(known, key=version_key) if known else None
        result.version_found = newest or (unknown[0] if unknown else None)
        if unknown or (newest and version_key(newest) > version_key(needed)):
            result.state = "newer"
            result.refusal = (f"This database records schema version {result.version_found}, newer than this "
                              f"dashboard's {needed}; install the dashboard release that made it, nothing was changed.")
            return
        result.state = "installed" if needed in versions else "outdated"
        return
    if not live_tables:
        result.state = "empty"
        return
    missing_core = [t for t in CORE_TABLES if t not in live_tables]
    if missing_core:
        result.state = "foreign"
        present = sorted(live_tables)
        result.refusal = (f"This is not a Precog database: it has {len(present)} tables "
                          f"({', '.join(present[:4])}{', ...' if len(present) > 4 else ''}) but not "
                          f"{', '.join(missing_core[:4])}{', ...' if len(missing_core) > 4 else ''}; nothing was changed.")
        return
    result.state = "precog"


def _compare(result: Plan) -> None:
    live, target = result.live, result.target
    live_tables, target_tables = catalog.tables(live), catalog.tables(target)
    for name, want in target_tables.items():
        have = live_tables.get(name)
        if have is None:
            result.tables_to_create.append(name)
            continue
        for column, spec in want["columns"].items():
            if column not in have["columns"]:
                result.columns_to_add.append((name, column, spec))
                continue
            got = have["columns"][column]
            if got["type"] != spec["type"]:
                result.type_differences.append((name, column, got["type"], spec["type"]))
            if spec["not_null"] and not got["not_null"]:
                result.columns_to_require.append((name, column))
        live_pk = _primary_key(have)
        want_pk = _primary_key(want)
        if want_pk and live_pk != want_pk:
            result.key_changes.append((name, live_pk or [], want_pk))
            if live_pk:
                for other, table in live_tables.items():
                    for cname, con in table["constraints"].items():
                        if con["kind"] == "f" and con["ref_table"] == name and con["ref_columns"] == live_pk:
                            result.foreign_keys_replaced.append((other, cname, con["definition"]))
        for cname, con in want["constraints"].items():
            if con["kind"] in ("p", "t") or _has_constraint(have, cname, con):
                continue
            result.constraints_to_add.append((name, cname, con))
        have_indexes = {n: i for n, i in have["indexes"].items() if i["valid"]}
        for iname, index in want["indexes"].items():
            if index["constraint"] or iname in have_indexes:
                continue
            result.indexes_to_build.append((name, iname, index["definition"]))
    for name, relation in target["relations"].items():
        if relation["kind"] not in ("v", "m"):
            continue
        have = live["relations"].get(name)
        if have is None:
            result.relations_to_create.append(("view" if relation["kind"] == "v" else "stored answer", name))
        elif _normal(have.get("view", "")) != _normal(relation["view"]):
            result.views_to_replace.append(name)
    result.relations_to_create += [(_kind_of_table(t), t) for t in result.tables_to_create]
    result.functions_to_create = [f for f in target["functions"] if f not in live["functions"]]
    live_triggers = {(t, n) for t, r in live["relations"].items() for n in r["triggers"]}
    result.triggers_to_create = [(t, n) for t, r in target["relations"].items() for n in r["triggers"]
                                 if (t, n) not in live_triggers]


BOOKKEEPING_TABLES = ("schema_version", "dashboard_install", "summary_fills", "stored_answers")


def _kind_of_table(name: str) -> str:
    if name in SEED_TABLES:
        return "table"
    if name in AUDIT_TABLES:
        return "audit"
    if name in BOOKKEEPING_TABLES:
        return "bookkeeping"
    return "summary"


def _primary_key(table: dict[str, Any]) -> list[str] | None:
    for con in table["constraints"].values():
        if con["kind"] == "p":
            return con["columns"]
    return None


def _has_constraint(table: dict[str, Any], name: str, wanted: dict[str, Any]) -> bool:
    """The table already holds this rule: a constraint of that name, or one of the same definition."""
    if name in table["constraints"]:
        return True
    definition = _normal(wanted["definition"])
    return any(_normal(c["definition"]) == definition for c in table["constraints"].values())


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().rstrip(";").lower()


def _count_rows(cur, result: Plan) -> None:
    for name in catalog.tables(result.live):
        cur.execute(pgsql.SQL("SELECT count(*) FROM {}").format(pgsql.Identifier(name)))
        result.row_counts[name] = cur.fetchone()[0]
    # the summaries' keys (summary_fills in schema.sql), for the fill estimate
    live = catalog.tables(result.live)
    keys = {
        "position_facts": "SELECT count(DISTINCT position_id) FROM positions",
        "market_closes": "SELECT count(DISTINCT market_id) FROM markets WHERE status <> 'open'",
        "edge_decay_facts": "SELECT count(DISTINCT market_id) FROM markets WHERE status <> 'open'",
        "exit_orders": "SELECT count(DISTINCT position_id) FROM exit_attempts",
        "exit_facts": "SELECT count(DISTINCT position_id) FROM positions",
        "calibration_points": "SELECT count(DISTINCT market_id) FROM markets WHERE status = 'settled'",
        "order_slippage": "SELECT count(DISTINCT position_id) FROM trades",
        "exit_excursions": "SELECT count(DISTINCT position_id) FROM position_exits",
    }
    needs = {"position_facts": "positions", "market_closes": "markets", "edge_decay_facts": "markets",
             "exit_orders": "exit_attempts", "exit_facts": "positions", "calibration_points": "markets",
             "order_slippage": "trades", "exit_excursions": "position_exits"}
    for summary, query in keys.items():
        if needs[summary] in live and "status" in live["markets"]["columns"]:
            cur.execute(query)
            result.fill_keys[summary] = cur.fetchone()[0]


def _find_violations(cur, result: Plan) -> None:
    """Every existing row that breaks a rule the install would add, counted per rule with its first keys."""
    live_tables = catalog.tables(result.live)
    added = {(t, c) for t, c, _ in result.columns_to_add}
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column in result.columns_to_require:
        by_table.setdefault(table, []).append((f"{table}.{column} is never empty", f"{_ident(column)} IS NULL"))
    for table, name, con in result.constraints_to_add:
        if con["kind"] == "c":
            if any((table, c) in added for c in con["columns"]):
                continue  # a column the install adds: its default satisfies the rule
            if _calls_new_function(result, con):
                continue  # a rule of the dashboard's own tables, checked by the function schema.sql brings
            by_table.setdefault(table, []).append((_rule_sentence(table, name, con), f"({con['check']}) IS FALSE"))
    # These statements are DDL-shaped, so they are assembled rather than bound: table and column
    # names come from the database's own catalog (quoted by _ident) and the conditions from
    # schema_target.json (schema.sql's own CHECKs), never from a user or a link.
    for table, rules in by_table.items():
        key = _display_key(live_tables[table])
        counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition in rules)
        cur.execute(f"SELECT {counts} FROM {_ident(table)}")
        for (sentence, condition), n in zip(rules, cur.fetchone()):
            if n:
                cur.execute(f"SELECT {key} FROM {_ident(table)} WHERE {condition} ORDER BY 1 LIMIT {SHOWN_KEYS}")
                result.violations.append(Violation(sentence, table, n, [str(k) for (k,) in cur.fetchall()]))
    for table, name, con in result.constraints_to_add:
        if con["kind"] == "x" and all(c in live_tables[table]["columns"] for c in con["columns"]):
            keys = ", ".join(con["keys"])
            query = (f"SELECT concat_ws('/', {keys}) FROM {_ident(table)} WHERE {con['predicate'] or 'true'}"
                     f" GROUP BY {keys} HAVING count(*) > 1")
            _collect(cur, result, _rule_sentence(table, name, con), table, query)
        elif con["kind"] == "u" and all(c in live_tables[table]["columns"] for c in con["columns"]):
            keys = ", ".join(_ident(c) for c in con["columns"])
            query = (f"SELECT concat_ws('/', {keys}) FROM {_ident(table)}"
                     f" WHERE ({keys}) IS NOT NULL GROUP BY {keys} HAVING count(*) > 1")
            _collect(cur, result, _rule_sentence(table, name, con), table, query)
        elif con["kind"] == "f" and all(c in live_tables[table]["columns"] for c in con["columns"]) \
                and con["ref_table"] in live_tables:
            match = " AND ".join(f"r.{_ident(rc)} = t.{_ident(c)}" for c, rc in zip(con["columns"], con["ref_columns"]))
            present = " AND ".join(f"t.{_ident(c)} IS NOT NULL" for c in con["columns"])
            query = (f"SELECT concat_ws('/', {', '.join('t.' + _ident(c) for c in con['columns'])}) FROM {_ident(table)} t"
                     f" WHERE {present} AND NOT EXISTS (SELECT 1 FROM {_ident(con['ref_table'])} r WHERE {match})")
            _collect(cur, result, _rule_sentence(table, name, con), table, query)
    for sentence, table, query, guaranteed_by in TRIGGER_RULES:
        if table not in live_tables or (guaranteed_by and _foreign_key_holds(live_tables, *guaranteed_by)):
            continue
        _collect(cur, result, sentence, table, query)


def _calls_new_function(p: Plan, con: dict[str, Any]) -> bool:
    """A check that calls a function of schema.sql's that the database does not have yet: it can only
    be added after schema.sql has run (the upgrade's transaction does that)."""
    new = {f.split("(")[0] for f in p.target["functions"] if f not in p.live["functions"]}
    return any(re.search(rf"\b{re.escape(f)}\(", con["definition"]) for f in new)


def _collect(cur, result: Plan, sentence: str, table: str, query: str) -> None:
    cur.execute(f"SELECT count(*) OVER (), k FROM ({query}) v(k) ORDER BY k LIMIT {SHOWN_KEYS}")
    rows = cur.fetchall()
    if rows:
        result.violations.append(Violation(sentence, table, rows[0][0], [str(k) for _, k in rows]))


def _foreign_key_holds(live_tables: dict[str, Any], table: str, column: str) -> bool:
    """A validated foreign key on table.column already guarantees the reference."""
    return any(c["kind"] == "f" and c["columns"] == [column] and c["validated"]
               for c in live_tables.get(table, {}).get("constraints", {}).values())


def _display_key(table: dict[str, Any]) -> str:
    pk = _primary_key(table)
    if pk:
        return "concat_ws('/', " + ", ".join(_ident(c) for c in pk) + ")"
    return "ctid::text"


def _rule_sentence(table: str, name: str, con: dict[str, Any]) -> str:
    if con["kind"] == "c":
        return f"{table}: {con['check']} ({name})"
    if con["kind"] == "x":
        return f"{table}: one current row per {', '.join(con['keys'])} ({name})"
    if con["kind"] == "u":
        return f"{table}: {', '.join(con['columns'])} unique ({name})"
    if con["kind"] == "f":
        return f"{table}: {', '.join(con['columns'])} names a row of {con['ref_table']} ({name})"
    return f"{table}: {name}"


def _find_roles(cur, result: Plan) -> None:
    cur.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(DASHBOARD_ROLES),))
    existing = {r for (r,) in cur.fetchall()}
    result.roles_to_create = [r for r in DASHBOARD_ROLES if r not in existing]
    result.trading_roles = _trading_roles(cur)
    result.public_before = _public_privileges(cur)


def _trading_roles(cur) -> list[str]:
    """Roles other than the table owner and the dashboard's that may write the trading tables: the
    trading system's logins. They keep what schema.sql takes from PUBLIC."""
    cur.execute("""
        SELECT DISTINCT r.rolname
        FROM pg_roles r
        CROSS JOIN unnest(%s::text[]) t(name)
        WHERE to_regclass('public.' || quote_ident(t.name)) IS NOT NULL
          AND NOT r.rolsuper AND r.rolname <> ALL(%s) AND r.rolname NOT LIKE 'pg\\_%%'
          AND r.oid <> (SELECT relowner FROM pg_class WHERE oid = to_regclass('public.' || quote_ident(t.name)))
          AND has_table_privilege(r.oid, to_regclass('public.' || quote_ident(t.name)), 'INSERT, UPDATE')
        ORDER BY 1""", (list(SEED_TABLES), list(DASHBOARD_ROLES)))
    return [r for (r,) in cur.fetchall()]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------------------------------------
# The report --check prints
# ------------------------------------------------------------------------------------------------
def describe(p: Plan, command: str = "python -m queries.schema") -> str:
    lines = [f"Database: {p.server}"]
    if p.refusal:
        return "\n".join(lines + [p.refusal])
    total_rows = sum(p.row_counts.values())
    lines.append({
        "empty": "Found: an empty database. Installing creates the Precog schema with the dashboard's rules.",
        "precog": f"Found: a Precog database without the dashboard ({len(catalog.tables(p.live))} tables, "
                  f"{total_rows:,} rows).",
        "outdated": f"Found: the dashboard's schema {p.version_found}; installing upgrades it to {p.version_needed} "
                    f"({total_rows:,} rows).",
        "installed": f"Found: the dashboard's schema {p.version_needed}, already installed ({total_rows:,} rows); "
                     "installing again changes nothing.",
    }[p.state])
    if p.state in ("empty", "installed"):
        return "\n".join(lines + ["", f"The install can go ahead: {command} URL"] if p.state == "empty" else lines)
    lines += ["", "What installing would do:"]

    def section(title: str, items: list[str], limit: int = 12) -> None:
        if not items:
            return
        lines.append(f"  {title} ({len(items)}):")
        lines.extend(f"    {item}" for item in items[:limit])
        if len(items) > limit:
            lines.append(f"    ... and {len(items) - limit} more")

    section("Tables of the schema document to create, empty", [t for k, t in p.relations_to_create if k == "table"])
    section("Columns to add", [
        f"{t}.{c}  {s['type']}{' default ' + s['default'] if s['default'] else ''}"
        f"{'  -- ' + ADDED_COLUMN_NOTES[(t, c)] if (t, c) in ADDED_COLUMN_NOTES else ''}"
        for t, c, s in p.columns_to_add], limit=40)
    section("Columns that become NOT NULL (checked above: no empty values)",
            [f"{t}.{c}" for t, c in p.columns_to_require], limit=40)
    section("Key changes (the surrogate key of the v1.7 changelog, migration 009)", [
        f"{t}: primary key ({', '.join(old) or 'none'}) becomes ({', '.join(new)}); "
        f"{', '.join(old) or 'the old key'} stays the business key, with one current row per key"
        for t, old, new in p.key_changes])
    section("Foreign keys replaced by rule triggers (a key with history is not unique)", [
        f"{t}.{name}: {definition}" for t, name, definition in p.foreign_keys_replaced])
    kinds = {"c": "check", "x": "one current row", "u": "unique", "f": "foreign key"}
    section("Rules to add to existing tables", [
        f"{t}: {kinds.get(c['kind'], c['kind'])} {name}" for t, name, c in p.constraints_to_add], limit=20)
    section("Indexes to build on existing tables (concurrently, before the upgrade's transaction)",
            [f"{t}: {name}" for t, name, _ in p.indexes_to_build], limit=20)
    section("Views of the schema document to replace (no ORDER BY; one row per trade), kept for --uninstall",
            p.views_to_replace)
    section("Summaries to create and fill", [name for k, name in p.relations_to_create if k == "summary"], limit=30)
    section("Audit tables to create (who acknowledged, resolved or changed what)",
            [name for k, name in p.relations_to_create if k == "audit"])
    section("Bookkeeping tables to create", [name for k, name in p.relations_to_create if k == "bookkeeping"])
    section("Stored answers to create", [name for k, name in p.relations_to_create if k == "stored answer"])
    section("Views to create", [name for k, name in p.relations_to_create if k == "view"], limit=30)
    if p.functions_to_create or p.triggers_to_create:
        lines.append(f"  Functions to create: {len(p.functions_to_create)}; triggers to create: "
                     f"{len(p.triggers_to_create)} (append-only tables, immutable versions, SCD rules, the "
                     "summaries' upkeep, the model lifecycle and alert actions)")
    lines.append(f"  Roles: {', '.join(DASHBOARD_ROLES)}"
                 f"{' (to create: ' + ', '.join(p.roles_to_create) + ')' if p.roles_to_create else ' (exist)'}")
    lines.append("  Privileges: PUBLIC loses TEMPORARY on this database and EXECUTE on the advisory-lock and "
                 "large-object write functions; "
                 + (f"given back to the roles that write the trading tables: {', '.join(p.trading_roles)}"
                    if p.trading_roles else "no role but the owner writes the trading tables"))
    keys = sum(p.fill_keys.values())
    lines.append(f"  Summary fill: about {_duration(p.fill_seconds)} for {keys:,} keys, after the upgrade's "
                 f"transaction, in batches of {FILL_BATCH:,} keys (writers are not held up)")
    if p.type_differences:
        section("Columns whose type differs from schema.sql's (left as they are; the dashboard reads them as they are)",
                [f"{t}.{c}: {have} (schema.sql: {want})" for t, c, have, want in p.type_differences])
    lines.append("")
    if p.violations:
        lines.append(f"Rows that break a rule the dashboard would install ({len(p.violations)} rules):")
        for v in p.violations:
            lines.append(f"  {v.rule}: {v.rows:,} {'row' if v.rows == 1 else 'rows'}, first: {', '.join(v.keys)}")
        lines.append("")
        lines.append("The install cannot go ahead until those rows are corrected; it never changes trading data itself.")
    else:
        lines.append("Rows that break a rule the dashboard would install: none.")
        lines.append("")
        lines.append(f"The install can go ahead: {command} URL")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def refusal_sentence(p: Plan, url_hint: str = "URL") -> str:
    """The one sentence an install that cannot go ahead prints."""
    if p.refusal:
        return p.refusal
    first = p.violations[0]
    more = len(p.violations) - 1
    return (f"The install was refused: {first.rows:,} {'row breaks' if first.rows == 1 else 'rows break'} "
            f"the rule \"{first.rule}\"{f' (and {more} more rules)' if more else ''}; see them with "
            f"`python -m queries.schema --check {url_hint}`. Nothing was changed.")


# ------------------------------------------------------------------------------------------------
# Install: phases 1-3
# ------------------------------------------------------------------------------------------------
def install(url: str, progress: Callable[[str], None] = lambda _: None, url_hint: str = "URL") -> Plan:
    """Install or upgrade the dashboard's schema on `url`; raise InstallRefused (one sentence) when
    it cannot, having changed nothing."""
    p = plan(url)
    if not p.can_install:
        raise InstallRefused(refusal_sentence(p, url_hint))
    if p.state in ("empty", "installed"):
        # nothing of the trading system's to upgrade: schema.sql alone, in one transaction
        _in_one_transaction(url, lambda cur: _apply_schema(cur, deferred=False,
                                                           record=p if p.state == "empty" else None), "install")
        return p
    started = time.perf_counter()
    _prepare(url, p, progress)
    _upgrade(url, p, progress)
    _fill(url, progress)
    progress(f"Installed schema {p.version_needed} in {time.perf_counter() - started:.1f} s.")
    return p


def _apply_schema(cur, *, deferred: bool, record: Plan | None = None) -> None:
    """Run schema.sql in the cursor's transaction (and record what was there before, given the plan
    of a first install)."""
    cur.execute("SELECT set_config('precog.install_fill', %s, true)", ("deferred" if deferred else "",))
    cur.execute(SCHEMA_FILE.read_text())
    if record is not None:
        _record(cur, record)


def _in_one_transaction(url: str, work: Callable[[Any], Any], what: str) -> Any:
    """work(cursor) in one transaction whose locks wait at most LOCK_TIMEOUT; the whole transaction
    is tried again when one cannot be had (a writer in the way finishes in milliseconds, and one
    waiting for us is never the one cancelled). Every failure is one sentence."""
    conn = connect(url)
    try:
        for attempt in range(UPGRADE_ATTEMPTS):
            try:
                with conn, conn.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = %s", (LOCK_TIMEOUT,))
                    cur.execute("SET LOCAL client_min_messages = warning")
                    return work(cur)
            except psycopg2.errors.LockNotAvailable:
                time.sleep(min(0.1 * (attempt + 1), 2.0))
        raise InstallRefused(f"The {what} could not get its locks in {UPGRADE_ATTEMPTS} tries (a long transaction "
                             "holds one); run it again when that transaction has ended. Its transaction was rolled "
                             "back: no trading data was changed.")
    except psycopg2.errors.InsufficientPrivilege as error:
        raise InstallRefused(f"{explain_error(error, url)} The {what} needs the login that owns the tables: pass its "
                             "URL or set PRECOG_ADMIN_URL. Its transaction was rolled back.") from None
    except psycopg2.Error as error:
        raise InstallRefused(f"The {what} failed and its transaction was rolled back: {_first_line(error)}") from None
    finally:
        conn.close()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _online(url: str):
    conn = connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET lock_timeout = %s", (LOCK_TIMEOUT,))
        cur.execute("SET client_min_messages = warning")
    return conn


def _retrying(cur, statement: str, attempts: int = UPGRADE_ATTEMPTS) -> None:
    """Run a statement that takes a brief strong lock; when it cannot get the lock in LOCK_TIMEOUT,
    try again shortly (the writers in its way finish in milliseconds)."""
    for attempt in range(attempts):
        try:
            cur.execute(statement)
            return
        except psycopg2.errors.LockNotAvailable:
            time.sleep(min(0.05 * (attempt + 1), 1.0))
    raise InstallRefused(f"The install could not get a lock for {attempts} tries (a long transaction holds it); "
                         "run it again when that transaction has ended. No trading data was changed.")


def _not_null_check(table: str, column: str) -> str:
    return f"{table}_{column}_install_not_null"[:63]


def _prepare(url: str, p: Plan, progress: Callable[[str], None]) -> None:
    """Phase 1: what can be done without holding the trading system's writers up."""
    conn = _online(url)
    try:
        with conn.cursor() as cur:
            # Columns whose default is a constant (or none): no table rewrite, an instant catalog change.
            by_table: dict[str, list[str]] = {}
            for table, column, spec in p.columns_to_add:
                if _needs_rewrite(spec):
                    continue
                clause = f"ADD COLUMN IF NOT EXISTS {_ident(column)} {spec['type']}"
                if spec["default"]:
                    clause += f" DEFAULT {spec['default']}"
                if spec["not_null"] and spec["default"]:
                    clause += " NOT NULL"
                by_table.setdefault(table, []).append(clause)
            for table, clauses in by_table.items():
                _retrying(cur, f"ALTER TABLE {_ident(table)} {', '.join(clauses)}")
            if by_table:
                progress(f"  added {sum(map(len, by_table.values()))} columns")
            # Rules that PostgreSQL can prove without blocking writes: NOT VALID, then VALIDATE
            # (which reads the table under SHARE UPDATE EXCLUSIVE: writers carry on).
            # One ALTER TABLE per table: each takes a brief ACCESS EXCLUSIVE lock that writers queue
            # behind, so the fewer the better (117 statements were 25 on the seed's tables).
            pending: list[tuple[str, str]] = []
            clauses: dict[str, list[str]] = {}
            for table, column in p.columns_to_require:
                name = _not_null_check(table, column)
                clauses.setdefault(table, []).extend([
                    f"DROP CONSTRAINT IF EXISTS {_ident(name)}",
                    f"ADD CONSTRAINT {_ident(name)} CHECK ({_ident(column)} IS NOT NULL) NOT VALID"])
                pending.append((table, name))
            for table, name, con in p.constraints_to_add:
                if con["kind"] in ("c", "f") and not _calls_new_function(p, con):
                    clauses.setdefault(table, []).append(f"ADD CONSTRAINT {_ident(name)} {con['definition']} NOT VALID")
                    pending.append((table, name))
            for table, table_clauses in clauses.items():
                _retrying(cur, f"ALTER TABLE {_ident(table)} {', '.join(table_clauses)}")
            for table, name in pending:
                try:
                    cur.execute(f"ALTER TABLE {_ident(table)} VALIDATE CONSTRAINT {_ident(name)}")
                except psycopg2.errors.IntegrityError:
                    raise InstallRefused(
                        f"A row written since the check breaks the rule {name} on {table}; see it with "
                        "`python -m queries.schema --check URL`. The rules added so far stay (--uninstall "
                        "removes them); no trading data was changed.") from None
            if pending:
                progress(f"  proved {len(pending)} rules on the existing rows")
            # Indexes, built concurrently (an invalid one left by an interrupted build is rebuilt).
            for table, name, definition in p.indexes_to_build:
                if not _columns_exist_now(p, table, definition):
                    continue
                cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {_ident(name)}")
                cur.execute(definition.replace("CREATE INDEX ", "CREATE INDEX CONCURRENTLY IF NOT EXISTS ", 1)
                            .replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ", 1))
            if p.indexes_to_build:
                progress(f"  built {len(p.indexes_to_build)} indexes")
    except psycopg2.Error as error:
        raise InstallRefused(f"Preparing the install failed: {_first_line(error)}. No trading data was changed.") from None
    finally:
        conn.close()


def _needs_rewrite(spec: dict[str, Any]) -> bool:
    """A volatile default (a sequence) fills every existing row: PostgreSQL rewrites the table."""
    return bool(spec["default"]) and "nextval(" in spec["default"]


def _columns_exist_now(p: Plan, table: str, definition: str) -> bool:
    """An index on a column the upgrade adds (a surrogate key) is built by the upgrade itself."""
    rewritten = {c for t, c, s in p.columns_to_add if t == table and _needs_rewrite(s)}
    inside = definition[definition.index("(") :]
    return not any(re.search(rf"\b{re.escape(c)}\b", inside) for c in rewritten)


def _upgrade(url: str, p: Plan, progress: Callable[[str], None]) -> None:
    """Phase 2: one transaction."""
    def work(cur) -> None:
        _upgrade_tables(cur, p)
        # the record of what was there before: only a first install knows it
        _apply_schema(cur, deferred=True, record=p if p.state == "precog" else None)
        for table, name, con in p.constraints_to_add:
            if _calls_new_function(p, con):
                cur.execute(f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {con['definition']}")
        _grant_trading_roles(cur, p)

    started = time.perf_counter()
    _in_one_transaction(url, work, "upgrade")
    progress(f"  upgraded in one transaction of {time.perf_counter() - started:.1f} s")


def _upgrade_tables(cur, p: Plan) -> None:
    live_tables = catalog.tables(p.live)
    touched = sorted({t for t, _, _ in p.columns_to_add} | {t for t, _ in p.columns_to_require}
                     | {t for t, _, _ in p.key_changes} | {t for t, _, _ in p.foreign_keys_replaced}
                     | {t for t, _, c in p.constraints_to_add if c["kind"] == "x"})
    if touched:
        # every lock up front, in one order: the transaction then runs without waiting mid-way
        cur.execute(f"LOCK TABLE {', '.join(_ident(t) for t in touched)} IN ACCESS EXCLUSIVE MODE")
    for table, column, spec in p.columns_to_add:
        if not _needs_rewrite(spec):
            continue
        sequence = re.search(r"nextval\('([^']+)'", spec["default"]).group(1)
        cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence}")
        cur.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN IF NOT EXISTS {_ident(column)} {spec['type']} "
                    f"NOT NULL DEFAULT {spec['default']}")
        cur.execute(f"ALTER SEQUENCE {sequence} OWNED BY {_ident(table)}.{_ident(column)}")
    for table, name, _definition in p.foreign_keys_replaced:
        cur.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT IF EXISTS {_ident(name)}")
    for table, old, new in p.key_changes:
        have = live_tables[table]
        old_name = next((n for n, c in have["constraints"].items() if c["kind"] == "p"), None)
        if old_name:
            cur.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT {_ident(old_name)}")
        want_name = next(n for n, c in p.target["relations"][table]["constraints"].items() if c["kind"] == "p")
        cur.execute(f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(want_name)} "
                    f"PRIMARY KEY ({', '.join(_ident(c) for c in new)})")
    for table, column in p.columns_to_require:
        # proved by the validated check of phase 1, so SET NOT NULL does not read the table
        cur.execute(f"ALTER TABLE {_ident(table)} ALTER COLUMN {_ident(column)} SET NOT NULL")
        cur.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT IF EXISTS {_ident(_not_null_check(table, column))}")
    for table, name, con in p.constraints_to_add:
        if con["kind"] in ("x", "u"):
            cur.execute(f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {con['definition']}")


def _grant_trading_roles(cur, p: Plan) -> None:
    """The trading system's roles keep what schema.sql took from PUBLIC (temporary tables and
    advisory locks may be theirs to use)."""
    for role in p.trading_roles:
        cur.execute(pgsql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(
            pgsql.Identifier(_current_database(cur)), pgsql.Identifier(role)))
        for signature in PUBLIC_FUNCTIONS:
            cur.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {_ident(role)}")


def _current_database(cur) -> str:
    cur.execute("SELECT current_database()")
    return cur.fetchone()[0]


def _record(cur, p: Plan) -> None:
    """Keep what the database was before the first install (table dashboard_install, schema.sql),
    for --uninstall. A later install or upgrade keeps the first record."""
    cur.execute("SELECT EXISTS (SELECT 1 FROM dashboard_install)")
    if cur.fetchone()[0]:
        return
    cur.execute("INSERT INTO dashboard_install (version, catalog_before, public_before, roles_created, roles_granted)"
                " VALUES (%s, %s, %s, %s, %s)",
                (p.version_needed, json.dumps(p.live), json.dumps(p.public_before), p.roles_to_create,
                 p.trading_roles))


def _public_privileges(cur) -> dict[str, Any]:
    """What PUBLIC may do of what schema.sql takes from it."""
    cur.execute("SELECT has_database_privilege('public', current_database(), 'TEMPORARY'),"
                " has_schema_privilege('public', 'public', 'CREATE')")
    temporary, create = cur.fetchone()
    functions = {}
    for signature in PUBLIC_FUNCTIONS:
        cur.execute("SELECT has_function_privilege('public', %s, 'EXECUTE')", (signature,))
        functions[signature] = cur.fetchone()[0]
    return {"temporary": temporary, "create_on_public": create, "functions": functions}


def _fill(url: str, progress: Callable[[str], None]) -> None:
    """Phase 3: every summary in batches of keys, then the version row (the mark of a complete install)."""
    conn = connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SET client_min_messages = warning")
            cur.execute("SELECT summary, keys, recompute FROM summary_fills ORDER BY ordinal")
            for summary, keys_query, recompute in cur.fetchall():
                started = time.perf_counter()
                cur.execute(keys_query)
                keys = [k for (k,) in cur.fetchall()]
                for i in range(0, len(keys), FILL_BATCH):
                    cur.execute(pgsql.SQL("SELECT {}(%s)").format(pgsql.Identifier(recompute)), (keys[i:i + FILL_BATCH],))
                progress(f"  filled {summary}: {len(keys):,} keys in {time.perf_counter() - started:.1f} s")
            cur.execute("SELECT refresh_stored_answers(interval '0')")
            cur.execute("ANALYZE")
            cur.execute("INSERT INTO schema_version (version, description) SELECT version, description"
                        " FROM dashboard_schema_version() ON CONFLICT (version) DO NOTHING")
    except psycopg2.Error as error:
        raise InstallRefused(f"Filling the summaries stopped: {_first_line(error)}; run the install again to "
                             "finish (it carries on where it stopped).") from None
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------
# Uninstall
# ------------------------------------------------------------------------------------------------
# Tables of the dashboard's that hold a record of what people did (who acknowledged or resolved
# an alert, who changed a version's status, and why): an uninstall keeps them, as data.
AUDIT_TABLES = ("alert_actions", "model_status_history", "strategy_status_history")


def uninstall(url: str, progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Remove what the dashboard added to `url` and put back what it changed of the trading
    system's objects. Returns sentences on what stays and why. One transaction, retried like the
    upgrade when a lock cannot be had."""
    return _in_one_transaction(url, lambda cur: _uninstall(cur, progress), "uninstall")


def _uninstall(cur, progress: Callable[[str], None]) -> list[str]:
    live = catalog.read(cur)
    live_tables = catalog.tables(live)
    if "schema_version" not in live_tables or "summary_fills" not in live_tables:
        raise InstallRefused("The dashboard is not installed on this database; nothing was changed.")
    cur.execute("SELECT version FROM schema_version")
    versions = [v for (v,) in cur.fetchall()]
    needed = required_version()
    if any(version_key(v) is None or version_key(v) > version_key(needed) for v in versions):
        raise InstallRefused(f"This database records a schema version newer than this dashboard's {needed}; "
                             "uninstall it with the release that installed it. Nothing was changed.")
    shipped = catalog.target()
    target, seed = shipped["schema"], shipped["seed"]
    record = None
    if "dashboard_install" in live_tables:
        cur.execute("SELECT catalog_before, public_before, roles_created, roles_granted FROM dashboard_install"
                    " ORDER BY installed_at LIMIT 1")
        record = cur.fetchone()
    notes: list[str] = []
    if record:
        before, public_before, roles_created, roles_granted = record
    else:
        # installed by a release that kept no record: take the schema document's own shape as before
        before, public_before, roles_created, roles_granted = seed, {}, [], []
        notes.append("No record of the database before the install was kept (an older release installed it): "
                     "the trading tables were put back to the schema document's own keys and rules.")
    before_rel = dict(before["relations"])
    for name, relation in seed["relations"].items():
        before_rel.setdefault(name, relation)  # a seed table the install created: the seed's shape
    target_rel = target["relations"]

    def ours(kind_of: str, table: str, name: str) -> bool:
        """An object schema.sql makes that was not there before."""
        return (name in target_rel.get(table, {}).get(kind_of, {})
                and name not in before_rel.get(table, {}).get(kind_of, {}))

    # 1. triggers (the rules, the summaries' upkeep)
    for table, relation in live["relations"].items():
        for trigger in relation["triggers"]:
            if ours("triggers", table, trigger):
                cur.execute(f"DROP TRIGGER IF EXISTS {_ident(trigger)} ON {_ident(table)}")
    # 2. the dashboard's views, stored answers, functions and own tables (summaries, bookkeeping), in
    #    whatever order they depend on each other (an index of a summary may call a function); the
    #    audit records stay, and their checks that call the dashboard's functions go first
    functions = [f for f in live["functions"] if f in target["functions"] and f not in before["functions"]]
    function_names = {f.split("(")[0] for f in functions}
    for name in AUDIT_TABLES:
        for cname, con in live["relations"].get(name, {}).get("constraints", {}).items():
            if con["kind"] == "c" and any(re.search(rf"\b{re.escape(f)}\(", con["definition"]) for f in function_names):
                cur.execute(f"ALTER TABLE {_ident(name)} DROP CONSTRAINT {_ident(cname)}")
    own_tables = [name for name in live_tables
                  if name in target_rel and name not in before_rel and name not in SEED_TABLES]
    for name in own_tables:
        if name in AUDIT_TABLES:
            notes.append(f"Table {name} stays: it records who did what through the dashboard.")
    _drop_until_done(cur, [
        (f"DROP {'MATERIALIZED VIEW' if r['kind'] == 'm' else 'VIEW'} IF EXISTS {_ident(name)}", f"view {name}")
        for name, r in live["relations"].items()
        if r["kind"] in ("v", "m") and name in target_rel and name not in before_rel]
        + [(f"DROP TABLE IF EXISTS {_ident(name)}", f"table {name}") for name in own_tables if name not in AUDIT_TABLES]
        + [(f"DROP FUNCTION IF EXISTS {signature}", f"function {signature}") for signature in functions], notes)
    # 3. the schema document's views as they were
    for name, relation in before_rel.items():
        now = live["relations"].get(name)
        if relation["kind"] == "v" and now is not None and _normal(now.get("view", "")) != _normal(relation["view"]):
            problem = _attempt(cur, f"DROP VIEW {_ident(name)}", f"CREATE VIEW {_ident(name)} AS {relation['view']}")
            if problem:
                notes.append(f"View {name} keeps the dashboard's definition: {problem}.")
    # 5. indexes, rules and NOT NULLs it added to the trading tables
    for table, relation in live_tables.items():
        if table not in SEED_TABLES:
            continue
        was = before_rel.get(table, {"indexes": {}, "constraints": {}, "columns": {}})
        for index, spec in relation["indexes"].items():
            if not spec["constraint"] and ours("indexes", table, index):
                cur.execute(f"DROP INDEX IF EXISTS {_ident(index)}")
        for name, con in relation["constraints"].items():
            if con["kind"] not in ("p", "t") and ours("constraints", table, name):
                cur.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT IF EXISTS {_ident(name)}")
        for column, spec in relation["columns"].items():
            old = was["columns"].get(column)
            if old is not None and spec["not_null"] and not old["not_null"]:
                cur.execute(f"ALTER TABLE {_ident(table)} ALTER COLUMN {_ident(column)} DROP NOT NULL")
    # 6. keys: the trading system's primary keys and foreign keys, where the rows still allow them
    for table, relation in live_tables.items():
        was = before_rel.get(table)
        if table not in SEED_TABLES or was is None:
            continue
        old_pk, new_pk = _primary_key(was), _primary_key(relation)
        if old_pk and old_pk != new_pk:
            old_name = next(n for n, c in was["constraints"].items() if c["kind"] == "p")
            new_name = next((n for n, c in relation["constraints"].items() if c["kind"] == "p"), None)
            if _attempt(cur, *([f"ALTER TABLE {_ident(table)} DROP CONSTRAINT {_ident(new_name)}"] if new_name else []),
                        f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(old_name)} "
                        f"PRIMARY KEY ({', '.join(_ident(c) for c in old_pk)})"):
                notes.append(f"{table} keeps the primary key ({', '.join(new_pk or [])}): it now holds history, "
                             f"several rows per {', '.join(old_pk)}, which the old key ({', '.join(old_pk)}) cannot.")
    for table, was in before_rel.items():
        if table not in live_tables or table not in SEED_TABLES:
            continue
        for name, con in was["constraints"].items():
            if con["kind"] != "f" or name in live_tables[table]["constraints"]:
                continue
            if _attempt(cur, f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {con['definition']}"):
                notes.append(f"Foreign key {table}.{name} ({con['definition']}) was not put back: the key it "
                             "refers to is no longer unique; the rows still refer to existing keys.")
    # 7. extended statistics, sequences nobody owns any more
    for name in live["statistics"]:
        if name in target["statistics"] and name not in before["statistics"]:
            cur.execute(f"DROP STATISTICS IF EXISTS {_ident(name)}")
    cur.execute("SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'"
                " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))")
    for (sequence,) in cur.fetchall():
        if sequence in target["sequences"] and sequence not in before["sequences"]:
            cur.execute(f"DROP SEQUENCE IF EXISTS {_ident(sequence)}")
    # 8. privileges, then the roles this install created
    _restore_privileges(cur, public_before, roles_granted)
    for role in roles_created:
        if _attempt(cur, f"DROP ROLE IF EXISTS {_ident(role)}"):
            notes.append(f"Role {role} stays: another database on this server uses it.")
    created = sorted(t for t in live_tables if t in SEED_TABLES and t not in before["relations"])
    if created and record:
        notes.append(f"The schema document's tables the install created stay: {', '.join(created)}.")
    added = sorted(f"{t}.{c}" for t, r in live_tables.items() if t in SEED_TABLES and t in before["relations"]
                   for c in r["columns"] if c not in before["relations"][t]["columns"])
    if added:
        notes.append(f"The {len(added)} columns the install added stay, with what has been written to them "
                     f"({', '.join(added[:6])}{', ...' if len(added) > 6 else ''}): dropping them could lose data "
                     "the trading system wrote since.")
    progress("Uninstalled the dashboard's schema.")
    return notes


def _drop_until_done(cur, statements: list[tuple[str, str]], notes: list[str]) -> None:
    """Run DROP statements whose order of dependencies is unknown: again until none is left or none
    succeeds (what still fails is depended on by something that is not the dashboard's)."""
    left = statements
    while left:
        failed = []
        for statement, name in left:
            problem = _attempt(cur, statement)
            if problem:
                failed.append((statement, name, problem))
        if len(failed) == len(left):
            for _statement, name, reason in failed:
                notes.append(f"The dashboard's {name} stays: {reason}.")
            return
        left = [(s, n) for s, n, _ in failed]


def _attempt(cur, *statements: str) -> str | None:
    """Run statements that may be refused by what the database holds now; None when they ran, else
    why not (first line), with the transaction as it was before them."""
    cur.execute("SAVEPOINT attempt")
    try:
        for statement in statements:
            cur.execute(statement)
    except psycopg2.Error as error:
        cur.execute("ROLLBACK TO SAVEPOINT attempt")
        return _first_line(error)
    cur.execute("RELEASE SAVEPOINT attempt")
    return None


def _restore_privileges(cur, public_before: dict[str, Any], roles_granted: list[str]) -> None:
    database = _current_database(cur)
    if public_before.get("temporary", True):
        cur.execute(pgsql.SQL("GRANT TEMPORARY ON DATABASE {} TO PUBLIC").format(pgsql.Identifier(database)))
    for signature in PUBLIC_FUNCTIONS:
        if public_before.get("functions", {}).get(signature, True):
            cur.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO PUBLIC")
    if public_before.get("create_on_public"):
        cur.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    for role in roles_granted:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone():
            cur.execute(pgsql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(
                pgsql.Identifier(database), pgsql.Identifier(role)))
            for signature in PUBLIC_FUNCTIONS:
                cur.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM {_ident(role)}")
    for role in DASHBOARD_ROLES:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone():
            cur.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {_ident(role)}")
            cur.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {_ident(role)}")
            cur.execute(f"REVOKE ALL ON SCHEMA public FROM {_ident(role)}")
            cur.execute(pgsql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(
                pgsql.Identifier(database), pgsql.Identifier(role)))
