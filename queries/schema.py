"""Apply schema.sql, and make a database ready for the dashboard.

    python -m queries.schema [URL]      apply schema.sql to URL (default: the configured database)
"""
from __future__ import annotations

import re
import sys

import psycopg2
from psycopg2 import sql as pgsql
from sqlalchemy.engine import make_url

from queries.connection import PROJECT_ROOT, DatabaseUnavailable, explain_error

SCHEMA_FILE = PROJECT_ROOT / "schema.sql"


def required_version() -> str:
    """The version schema.sql records: what this code needs the database to have."""
    match = re.search(r"INSERT INTO schema_version \(version, description\)\s*VALUES \('([^']+)'", SCHEMA_FILE.read_text())
    return match.group(1)


def dsn(url: str) -> str:
    """A libpq connection string for psycopg2 (SQLAlchemy URLs carry a driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def connect(url: str):
    try:
        return psycopg2.connect(dsn(url), connect_timeout=5, options="-c timezone=UTC")
    except psycopg2.Error as error:
        raise DatabaseUnavailable(explain_error(error, url)) from None


def apply_schema(url: str) -> None:
    """Run schema.sql in one transaction. Idempotent; concurrent callers serialise on a lock."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET client_min_messages = warning")
            cur.execute(SCHEMA_FILE.read_text())
    except psycopg2.errors.InsufficientPrivilege as error:
        # e.g. the dashboard's own login, which may create nothing
        raise DatabaseUnavailable(
            f"{explain_error(error, url)} Applying schema.sql needs the owner's login: set PRECOG_ADMIN_URL.") from None
    finally:
        conn.close()


def schema_version(url: str) -> str | None:
    """The newest applied schema version, or None when the database has no Precog schema."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('public.schema_version') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT version FROM schema_version ORDER BY applied_at DESC, version DESC LIMIT 1")
            row = cur.fetchone()
            return row[0] if row else None
    finally:
        conn.close()


def ensure_database(server_url: str, name: str) -> None:
    """CREATE DATABASE name unless it exists (two processes may race: the loser just carries on).

    A database name cannot be a bind parameter; psycopg2's sql.Identifier quotes it safely.
    """
    conn = connect(server_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                try:
                    cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
                except psycopg2.errors.DuplicateDatabase:
                    pass
                except psycopg2.errors.UniqueViolation:
                    pass
    finally:
        conn.close()


def drop_database(server_url: str, name: str) -> None:
    conn = connect(server_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
    finally:
        conn.close()


def ensure_schema_and_demo_data(url: str) -> None:
    """The embedded default's first start: schema, then demo data if the database is empty."""
    from demo import loader  # local import: the loader is only needed for the embedded default

    apply_schema(url)
    loader.load_if_empty(url)


def main(argv: list[str]) -> int:
    from queries.connection import admin_url

    url = argv[1] if len(argv) > 1 else admin_url()
    try:
        apply_schema(url)
        print(f"schema.sql applied; schema version {schema_version(url)}")
    except DatabaseUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
