"""Opening the SQLite store safely: a real SQLite file, WAL, full sync, a busy timeout, our schema or older."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ..errors import LaqsError, UsageError
from .versions import MIGRATION_SET, MIGRATIONS

BUSY_TIMEOUT_MS = 30_000
_HEADER = b"SQLite format 3\x00"


class StoreError(LaqsError):
    exit_code = 1


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"store {path} is a folder, not a file")
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except PermissionError:
        raise UsageError(f"cannot read the store {path}: permission denied") from None
    if head and head != _HEADER:
        raise UsageError(f"{path} is not a SQLite store (choose another file with --store)")


def _create_private(path: Path) -> None:
    """Create the store file with mode 0600 before SQLite touches it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder for the store {path}: {exc.strerror}") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise UsageError(f"cannot create the store {path}: {exc.strerror}") from None
    os.close(fd)


def connect(path: str | Path, *, create: bool = True, migrate: bool = True) -> sqlite3.Connection:
    """Open (and if need be create and migrate) the store. Every connection gets WAL, FULL sync, a busy timeout."""
    path = Path(path)
    _check_file(path)
    if not path.exists():
        if not create:
            raise UsageError(f"no store at {path}")
        _create_private(path)
    if _read_only(path):
        raise UsageError(f"the store {path} is read-only: nothing can be recorded (check its permissions)")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_foreign(conn, path)
        mode = _wal(conn)
        if str(mode).lower() != "wal":
            raise StoreError(f"the store {path} cannot use write-ahead logging (journal mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, path) from None
    if migrate:
        _migrate(conn, path)
    return conn


def _read_only(path: Path) -> bool:
    """os.access alone says yes to root; the mode bits say what the owner meant."""
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return True
    return (path.stat().st_mode & 0o222) == 0 or (path.parent.stat().st_mode & 0o222) == 0


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A SQLite file with tables but none of ours belongs to another application: leave it alone."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if names and "_sqlite_migrations" not in names:
        raise UsageError(f"{path} is a SQLite database of another application, not a laqs store "
                         "(choose another file with --store)")
    if "_sqlite_migrations" in names:
        ours = conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?",
                            [MIGRATION_SET]).fetchone()[0]
        if not ours:
            raise UsageError(f"{path} is a SQLite database of another application, not a laqs store "
                             "(choose another file with --store)")


def _wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL. On a new file another process may hold the lock; the switch does not wait by itself."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply pending migrations. An up-to-date store is checked with plain sqlite3: sqlite-utils, which the
    migrations themselves use, is only imported when there is something to apply."""
    try:
        applied = []
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
            applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? "
                                                  "ORDER BY rowid", [MIGRATION_SET])]
        unknown = [name for name in applied if name not in MIGRATIONS]
        if unknown:
            raise UsageError(f"the store {path} was written by a newer laqs-assist (schema {unknown[-1]}); "
                             "upgrade laqs-assist to open it")
        if len(applied) == len(MIGRATIONS):
            return
        from sqlite_utils import Database

        from .schema import migrations

        db = Database(conn)
        # Take the write lock first so that two processes opening a new store do not both migrate it.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for m in migrations.pending(db):
                m.fn(db)
                migrations.ensure_migrations_table(db)
                migrations._record_applied(db, m.name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, path) from None


def _translate(exc: sqlite3.DatabaseError, path: Path) -> LaqsError:
    text = str(exc)
    if "file is not a database" in text or "file is encrypted" in text:
        return UsageError(f"{path} is not a SQLite store (choose another file with --store)")
    if "readonly" in text or "read-only" in text:
        return UsageError(f"the store {path} is read-only: nothing can be recorded (check its permissions)")
    if "locked" in text or "busy" in text:
        return StoreError(f"the store {path} is busy in another process; try again")
    if "malformed" in text or "corrupt" in text:
        return StoreError(f"the store {path} is damaged ({text}); restore it from a copy")
    return StoreError(f"store {path}: {text}")
