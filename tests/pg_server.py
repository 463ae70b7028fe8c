"""A throw-away PostgreSQL server for the tests: Debian's postgresql package, a cluster made with initdb in a
temporary folder, listening only on a unix socket in that folder, run as the postgres user when the tests run as
root (PostgreSQL refuses root), stopped and removed afterwards.

When no server can be started, the tests that need one are skipped on a developer's machine, and fail in CI
(CI=true), where .ci/run installs the package.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is needed in CI: {why}")
    pytest.skip(f"no PostgreSQL server for this test: {why}")


class Server:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="laqs-pg-"))
        self.data = self.folder / "data"
        self.port = 5400 + os.getpid() % 500
        self.as_user: list[str] = []
        self.started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120, check=check)

    def start(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("initdb/pg_ctl not found (apt-get install postgresql)")
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if not runuser:
                raise RuntimeError("running as root without runuser to start PostgreSQL as postgres")
            shutil.chown(self.folder, "postgres")
            os.chmod(self.folder, 0o700)
            self.as_user = [runuser, "-u", "postgres", "--"]
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' -p {self.port} -c fsync=off"
        self._run(pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.folder / "log"), "-w", "-t", "60",
                  "start")
        self.started = True

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.folder}&port={self.port}"

    def create_db(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    server = Server()
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        server.stop()
        _unavailable(detail.strip().splitlines()[-1] if detail.strip() else type(exc).__name__)
    yield server
    server.stop()


_count = 0


@pytest.fixture()
def pg_url(pg_server) -> str:
    """A new empty database on the throw-away server."""
    global _count
    _count += 1
    return pg_server.create_db(f"team{_count}")
