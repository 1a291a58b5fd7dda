"""queries/schema_target.json: the shape schema.sql makes and the shape of the schema document's own
CREATE statements (tests/seed_schema.sql), read from scratch databases. The installer compares a
database with the first and puts back the second on uninstall; tests/test_install.py checks the
file is current. After changing schema.sql, write it again:

    python tests/schema_target.py [SERVER_URL]     (default: PRECOG_TEST_DATABASE_URL, else embedded)
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queries import catalog  # noqa: E402
from queries.connection import connect, drop_database, embedded_server_url, ensure_database  # noqa: E402

SEED_SCHEMA = Path(__file__).resolve().parent / "seed_schema.sql"
SCHEMA = Path(__file__).resolve().parent.parent / "schema.sql"


def _read_after(server_url: str, sql: str) -> dict:
    name = f"precog_target_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        conn = connect(url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SET client_min_messages = warning")
                cur.execute(sql)
            with conn, conn.cursor() as cur:
                return catalog.read(cur)
        finally:
            conn.close()
    finally:
        drop_database(server_url, name)


def build(server_url: str) -> dict:
    return {"schema": _read_after(server_url, SCHEMA.read_text()),
            "seed": _read_after(server_url, SEED_SCHEMA.read_text())}


if __name__ == "__main__":
    server = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PRECOG_TEST_DATABASE_URL", "").strip()
              or embedded_server_url())
    catalog.write_target(build(server))
    print(f"wrote {catalog.TARGET_FILE}")
