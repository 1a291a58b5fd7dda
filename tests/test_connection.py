"""The one place that owns connections: which server, and one clear sentence when it fails."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import queries
from queries import connection
from sqlalchemy.engine import make_url

from tests.conftest import database_url


@pytest.fixture
def configured(monkeypatch):
    def configure(url: str):
        monkeypatch.setenv("PRECOG_DATABASE_URL", url)
        monkeypatch.delenv("PRECOG_READ_URL", raising=False)
    return configure


@pytest.mark.parametrize("read", [queries.fetch, queries.fetch_bulk])
def test_an_unreachable_server_is_one_sentence(configured, read):
    configured("postgresql://postgres@127.0.0.1:1/precog")
    with pytest.raises(connection.DatabaseUnavailable) as caught:
        read("overview_kpis")
    message = str(caught.value)
    assert message.startswith("Cannot reach the database server at 127.0.0.1:1 / precog")
    assert "\n" not in message


def test_a_missing_database_is_named(configured, databases):
    configured(database_url(databases.server_url, "precog_no_such_database"))
    with pytest.raises(connection.DatabaseUnavailable, match="does not exist"):
        queries.fetch("overview_kpis")


def test_a_database_without_the_schema_says_how_to_load_it(configured, databases):
    configured(databases.create("bare", with_schema=False))
    with pytest.raises(connection.DatabaseUnavailable, match="does not have the dashboard.s schema.*python -m queries.schema --check"):
        queries.fetch("overview_kpis")


def test_a_url_that_is_not_postgresql_is_refused(configured):
    configured("sqlite:///tmp/x.db")
    with pytest.raises(connection.DatabaseUnavailable, match="needs PostgreSQL"):
        queries.fetch("overview_kpis")


def test_the_description_names_host_and_database_never_the_password_or_user(configured):
    configured("postgresql://analyst:s3cret-pw@db.internal:5433/precog")
    described = connection.describe_database()
    assert described == "db.internal:5433 / precog"
    assert "s3cret" not in described and "analyst" not in described


def test_secrets_toml_names_the_server_when_the_environment_does_not(monkeypatch, tmp_path):
    monkeypatch.delenv("PRECOG_DATABASE_URL", raising=False)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[connections.precog]\nhost = "db.example"\nport = 5432\ndatabase = "precog"\nusername = "u"\npassword = "p"\n')
    monkeypatch.setattr(connection, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "nowhere"))
    assert connection.configured_url() == "postgresql://u:p@db.example:5432/precog"


def test_reads_go_to_the_replica_url_when_one_is_set(configured, monkeypatch, demo_url):
    configured(demo_url)
    monkeypatch.setenv("PRECOG_READ_URL", "postgresql://postgres@127.0.0.1:1/replica")
    assert connection.read_url().endswith("/replica")
    assert connection.primary_url() == demo_url


def test_two_processes_share_one_embedded_data_folder(tmp_path):
    """Both start (or join) the same embedded server and answer queries; the folder stays usable."""
    script = textwrap.dedent("""
        import sqlalchemy as sa
        from queries import connection
        url = connection.embedded_server_url()
        with sa.create_engine(url).connect() as conn:
            print(conn.execute(sa.text("SELECT current_setting('data_directory')")).scalar())
    """)
    env = {**os.environ, "PRECOG_EMBEDDED_DIR": str(tmp_path / "data"), "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert {out.strip() for out, _ in outputs} == {str(tmp_path / "data")}
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr


def test_a_database_with_an_older_schema_says_which_version_to_apply(configured, databases):
    """A database made by an older dashboard lacks objects newer pages use: one sentence, not a traceback."""
    from queries import schema

    url = databases.create("older", rows="DROP FUNCTION ab_closed_positions CASCADE; "
                                         "UPDATE schema_version SET version = '1.7.0+dashboard.1'")
    configured(url)
    for read, name in ((queries.fetch, "ab_roi_check"), (queries.fetch_bulk, "ab_closed_positions")):
        with pytest.raises(connection.DatabaseUnavailable) as caught:
            read(name, strategy_ids=[1], since=None, until=None)
        assert str(caught.value).startswith(f"The database at {connection.describe_database()} has schema version "
                                            f"1.7.0+dashboard.1, but this dashboard needs {schema.required_version()}")


def test_a_user_the_server_does_not_know_is_named_not_called_unreachable(configured, databases):
    """The server answered, so 'start PostgreSQL' would send a person the wrong way (#25). The test
    server's own transport: TCP against 127.0.0.1:5432, a socket with the embedded server (CI runs both)."""
    url = make_url(databases.server_url).set(username="precog_no_such_user", password=None, database="postgres")
    configured(url.render_as_string(hide_password=False))
    with pytest.raises(connection.DatabaseUnavailable) as caught:
        queries.fetch("overview_kpis")
    message = str(caught.value)
    assert "Cannot reach" not in message, message
    assert "has no user precog_no_such_user" in message and "\n" not in message, message


def test_a_login_without_the_dashboard_roles_is_told_to_grant_them(configured, databases):
    from queries import schema

    url = databases.create("no_grants")
    login = f"{databases.created[-1]}_login"[:60]
    conn = schema.connect(databases.server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE ROLE "{login}" LOGIN')
    try:
        configured(make_url(url).set(username=login).render_as_string(hide_password=False))
        with pytest.raises(connection.DatabaseUnavailable) as caught:
            queries.fetch("overview_kpis")
        message = str(caught.value)
        assert "Cannot reach" not in message and f"GRANT precog_reader, precog_writer TO {login}" in message, message
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP ROLE "{login}"')
        conn.close()
