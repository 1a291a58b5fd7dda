"""Install the dashboard's schema on a database, check it first, or uninstall it.

    python -m queries.schema --check [URL]      change nothing; say what installing would do, and
                                                every existing row that breaks a rule it would add
                                                (exit 0: the install can go ahead, 1: it cannot)
    python -m queries.schema [URL]              install, or upgrade in place (an empty database,
                                                a Precog database the trading system made, or
                                                one with an older dashboard schema)
    python -m queries.schema --uninstall [URL]  remove what the dashboard added; the trading
                                                system's tables and rows stay as they were

URL defaults to PRECOG_ADMIN_URL, else the configured database. It must be the login that owns
the tables. The engine is queries/install.py.
"""
from __future__ import annotations

import argparse
import sys

from queries import install
from queries.connection import (  # noqa: F401 - the owner's connection helpers, used from here by tests and tools
    DatabaseUnavailable,
    connect,
    drop_database,
    dsn,
    ensure_database,
)

SCHEMA_FILE = install.SCHEMA_FILE
required_version = install.required_version


def apply_schema(url: str) -> None:
    """Install or upgrade the dashboard's schema on `url`, as `python -m queries.schema URL` does.
    Idempotent; concurrent callers serialise on schema.sql's advisory lock."""
    install.install(url)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.schema", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="change nothing; say what installing would do")
    action.add_argument("--uninstall", action="store_true", help="remove what the dashboard added")
    parser.add_argument("url", nargs="?", help="the database (default: PRECOG_ADMIN_URL or the configured one)")
    args = parser.parse_args(argv)
    try:
        url = args.url or _default_url()
        hint = "URL" if args.url else ""
        if args.check:
            plan = install.plan(url)
            print(install.describe(plan))
            return 0 if plan.can_install else 1
        if args.uninstall:
            for note in install.uninstall(url, progress=print):
                print(f"  {note}")
            return 0
        plan = install.install(url, progress=print, url_hint=hint or "URL")
        print({"empty": "Installed on an empty database.",
               "installed": "Already installed; nothing changed.",
               }.get(plan.state, "") or f"Schema version {plan.version_needed} installed.")
        return 0
    except DatabaseUnavailable as error:
        print(error, file=sys.stderr)
        return 1


def _default_url() -> str:
    from queries.connection import admin_url

    return admin_url()


if __name__ == "__main__":
    sys.exit(main())
