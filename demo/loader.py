"""Load the demo data: `python -m demo [--scale YEARS] [--seed N] [--as-of TS] [--replace]`.

Everything is generated inside the server by demo/generate.sql (generate_series and a seeded hash
for randomness), never row by row from Python; this module only sets the parameters, runs the
steps in order and reports progress. The same seed, scale and as-of give the same data.

SCALE is years of trading at the seed's storage estimates (2M edges, 500K market rows, 200K game
states, 10K trades a year); the default, a quarter, loads in seconds.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import psycopg2
from psycopg2 import sql as pgsql

from queries.connection import DatabaseUnavailable
from queries.install import TRIGGER_RULES
from queries.schema import apply_schema, connect

GENERATE_SQL = Path(__file__).resolve().parent / "generate.sql"
DEFAULT_SCALE = 0.25
DEFAULT_SEED = 42
STEP_MARKER = re.compile(r"^-- step: (.+)$", re.MULTILINE)


def steps() -> list[tuple[str, str]]:
    """(name, sql) for each `-- step: name` section of generate.sql, in order."""
    text = GENERATE_SQL.read_text()
    marks = list(STEP_MARKER.finditer(text))
    return [(m.group(1).strip(), text[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)])
            for i, m in enumerate(marks)]


def has_data(url: str) -> bool:
    """Whether the database holds anyone's rows in the tables a Precog database starts with."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            for table in ("platforms", "markets", "trades", "alerts"):
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",))
                if cur.fetchone()[0]:
                    cur.execute(pgsql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(pgsql.Identifier(table)))
                    if cur.fetchone()[0]:
                        return True
            return False
    finally:
        conn.close()


def load(url: str, *, scale: float = DEFAULT_SCALE, seed: int = DEFAULT_SEED, as_of: datetime | None = None,
         replace: bool = False, checked: bool = False, if_empty: bool = False,
         progress: Callable[[str], None] = print) -> bool:
    """Fill the database at `url` with demo data. Returns False when it had data and was left alone.

    checked=True keeps every trigger on (each row is checked by the rules, slower: for tests);
    otherwise a superuser loads in bulk with row triggers off and the same rules are checked
    set-wise at the end.
    """
    if not 0 < scale <= 20:
        raise ValueError("scale must be between 0 and 20 years")
    as_of = (as_of or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    if if_empty and not replace and has_data(url):
        return False  # someone's data: not even the schema is touched (installing is its own command)
    if replace:
        _drop_everything(url)
    apply_schema(url)
    conn = connect(url)
    started = time.perf_counter()
    try:
        with conn, conn.cursor() as cur:
            # One loader at a time per database; a second waits, then sees the data and returns.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('precog.demo'))")
            cur.execute("SELECT EXISTS (SELECT 1 FROM platforms)")
            if cur.fetchone()[0]:
                if if_empty:
                    return False
                raise DatabaseUnavailable("The database already has data; load with --replace to start afresh.")
            bulk = not checked and _can_bypass_triggers(cur)
            summary_triggers = _summary_triggers(cur) if bulk else []
            for table, trigger in summary_triggers:
                cur.execute(pgsql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(pgsql.Identifier(table),
                                                                               pgsql.Identifier(trigger)))
            cur.execute("SET LOCAL client_min_messages = warning")
            # The generator's scratch tables are temporary, so they live in this session's local
            # buffers (8 MB by default) rather than shared_buffers; at ten years its held-prices
            # table is gigabytes and every lookup went to the kernel. Sorts and window functions
            # over it spill to disk at the default work_mem. Both hold for this transaction only.
            cur.execute("SET LOCAL temp_buffers = '2GB'")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SELECT set_config('demo.scale', %s, true), set_config('demo.seed', %s, true),"
                        " set_config('demo.as_of', %s, true)", (repr(float(scale)), str(int(seed)), as_of.isoformat(sep=" ")))
            all_steps = steps()
            progress(f"Loading demo data: {scale:g} years, seed {seed}, as of {as_of:%Y-%m-%d %H:%M} UTC"
                     f"{' (bulk)' if bulk else ' (every row checked)'}")
            for number, (name, sql) in enumerate(all_steps, start=1):
                step_started = time.perf_counter()
                try:
                    cur.execute(sql)
                except psycopg2.Error as error:
                    raise DatabaseUnavailable(f"Loading demo data failed at step '{name}': "
                                              f"{str(error).strip().splitlines()[0]}") from None
                progress(f"  [{number:2}/{len(all_steps)}] {name:<34} {time.perf_counter() - step_started:6.1f} s")
            if bulk:
                cur.execute("SET LOCAL session_replication_role = origin")
                progress("  checking references and current rows ...")
                _check_integrity(cur)
            for table, trigger in summary_triggers:
                cur.execute(pgsql.SQL("ALTER TABLE {} ENABLE ALWAYS TRIGGER {}").format(pgsql.Identifier(table),
                                                                                     pgsql.Identifier(trigger)))
        if summary_triggers:
            started_fill = time.perf_counter()
            apply_schema(url)  # fills every summary that is empty while its sources are not
            progress(f"  summaries filled in {time.perf_counter() - started_fill:.1f} s")
        conn.autocommit = True
        with conn.cursor() as cur:
            # VACUUM too: a fresh load has no visibility map, so index-only scans (the trade
            # count: 83 ms fresh, 1.2 ms vacuumed at ten years) would visit every heap page.
            cur.execute("VACUUM (ANALYZE)")
            # the answers the pages read stored (schema.sql, refresh_stored_answers) from the new rows
            cur.execute("SELECT refresh_stored_answers(interval '0')")
        progress(f"Demo data loaded in {time.perf_counter() - started:.1f} s")
        return True
    except psycopg2.Error as error:
        raise DatabaseUnavailable(f"Loading demo data failed: {str(error).strip().splitlines()[0]}") from None
    finally:
        conn.close()


def load_if_empty(url: str, progress: Callable[[str], None] = print) -> bool:
    if has_data(url):
        return False
    return load(url, if_empty=True, progress=progress)


def _summary_triggers(cur) -> list[tuple[str, str]]:
    """The summaries' triggers (schema.sql: ENABLE ALWAYS, so a bulk load's replica role does not
    stop them), as (table, trigger). They recompute the keys each statement touched, which is
    right for the writers' statements and wrong for a bulk load's statements of 100K keys: at ten
    years the positions step ran for over an hour (one year: 27 s, two: 51 s). A bulk load turns
    them off and applies schema.sql after it, which fills each empty summary in one pass."""
    cur.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE t.tgenabled = 'A' AND NOT t.tgisinternal AND n.nspname = 'public' ORDER BY 1, 2")
    return cur.fetchall()


def _can_bypass_triggers(cur) -> bool:
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cur.fetchone()[0]:
        return False
    cur.execute("SET LOCAL session_replication_role = replica")
    return True


def _check_integrity(cur) -> None:
    """The rules that row triggers enforce (the same list the installer checks an existing database
    against), set-wise after a bulk load; any row here fails it."""
    for sentence, _table, query, _foreign_key in TRIGGER_RULES:
        cur.execute(f"SELECT count(*) FROM ({query}) v")
        bad = cur.fetchone()[0]
        if bad:
            raise DatabaseUnavailable(f"Demo data failed its integrity check: {bad} rows break the rule '{sentence}'.")


def _drop_everything(url: str) -> None:
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET client_min_messages = warning")
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    from queries.connection import admin_url

    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE") or DEFAULT_SCALE),
                        help="years of data (default %(default)s; 10 = the seed's ten-year estimate)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or DEFAULT_SEED))
    parser.add_argument("--as-of", type=lambda s: datetime.fromisoformat(s).replace(tzinfo=timezone.utc),
                        default=None, help="the 'now' of the data, UTC (default: now)")
    parser.add_argument("--replace", action="store_true", help="drop everything in the database first")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
    parser.add_argument("--url", default=None, help="database URL (default: PRECOG_ADMIN_URL, PRECOG_DATABASE_URL or embedded)")
    args = parser.parse_args(argv)
    try:
        url = args.url or admin_url()
        loaded = load(url, scale=args.scale, seed=args.seed, as_of=args.as_of, replace=args.replace,
                      if_empty=args.if_empty)
        if not loaded and not args.if_empty:
            print("The database already has data; left as it is.")
    except (DatabaseUnavailable, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0
