"""Opening the SQLite store safely: a real SQLite file, WAL, full sync, a busy timeout, our schema or older."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

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


def check_folder(path: Path, make_folder: bool = False) -> None:
    """A store's folder must exist: a mistyped --store would otherwise grow a tree of folders somewhere and the
    visit would be recorded where nobody looks. Only the caller's default folder may be made."""
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise UsageError(f"{folder} is a file, not a folder for the store (choose another --store)")
    if not make_folder:
        raise UsageError(f"no folder {folder} for the store (create it first, or choose another --store)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {folder} for the store: {exc.strerror}") from None


def _create_private(path: Path) -> None:
    """Create the store file with mode 0600 before SQLite touches it."""
    if _read_only_folder(path.parent):
        # Root could create the file here, but the folder's mode says nothing is to be added to it.
        raise UsageError(f"the folder {path.parent} is read-only: a store cannot be created there "
                         "(choose another --store)")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise UsageError(f"cannot create the store {path}: {exc.strerror}") from None
    os.close(fd)


def connect(path: str | Path, *, create: bool = True, migrate: bool = True, make_folder: bool = False,
            read_only: bool = False) -> sqlite3.Connection:
    """Open (and if need be create and migrate) the store. Every connection gets WAL, FULL sync, a busy timeout.

    A store whose file or folder is read-only is refused unless `read_only`; then it is opened for reading only
    (see connect_read_only). `make_folder` allows creating a missing folder (only the default store's)."""
    path = Path(path)
    _check_file(path)
    check_folder(path, make_folder and create)
    if read_only:
        return connect_read_only(path)
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
        try:
            _migrate(conn, path)
        except BaseException:
            conn.close()  # nothing was changed (the migration rolled back); hold no handle on the file
            raise
    return conn


# --- reading a read-only store ----------------------------------------------------------------------------------


class _PrivateCopy(sqlite3.Connection):
    """A connection to a private copy of a store; closing it removes the copy."""

    copy_dir: str | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.copy_dir:
                shutil.rmtree(self.copy_dir, ignore_errors=True)
                self.copy_dir = None


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """Open a store for reading only, writing nothing anywhere near it: not the file, not its folder, not SQLite's
    own -wal and -shm files beside it. The store is not migrated (a store of an older schema is read as it is).

    How depends on what is beside the file, because a reader of a WAL store normally creates and writes the -wal
    and -shm files (even in a read-only folder when it runs as root):
    - nothing waits in the write-ahead log and the mode bits say nobody may write the file or the folder: the file
      is all there is and cannot change, so it is opened immutable (no locks, no -shm);
    - the -wal and -shm files are both there: SQLite reads through the log with the -shm opened read-only
      (readonly_shm, which never creates or writes it), so answers not yet copied back into the file are seen;
    - otherwise (answers wait in a -wal but there is no -shm, or the store is someone else's that they may still
      write): the file and its -wal are copied into a private temporary folder and the copy is read. Without a -shm
      nobody has the store open, so the copy is consistent; it is removed on close.
    Immutable mode is never used while the log holds anything: it would silently show the store as it was before."""
    path = Path(path)
    _check_file(path)
    if not path.exists():
        raise UsageError(f"no store at {path}")
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    pending = wal.exists() and wal.stat().st_size > 0
    try:
        if not pending and _frozen(path):
            conn = _open_uri(path, "mode=ro&immutable=1")
        elif wal.exists() and shm.exists() and os.access(shm, os.R_OK):
            conn = _open_uri(path, "mode=ro&readonly_shm=1")
        else:
            conn = _open_copy(path, wal if wal.exists() else None)
        try:
            _refuse_foreign(conn, path)
            _check_schema(conn, path)
        except BaseException:
            conn.close()  # and a private copy with it
            raise
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, path, read_only=True) from None
    except OSError as exc:
        raise UsageError(f"cannot read the store {path}: {exc.strerror}") from None
    return conn


def _open_uri(path: Path, query: str, factory: type = sqlite3.Connection) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.absolute()))}?{query}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=True, factory=factory)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _open_copy(path: Path, wal: Path | None) -> sqlite3.Connection:
    folder = tempfile.mkdtemp(prefix="laqs-read-only-")
    try:
        copy = Path(folder) / "laqs.db"
        for _ in range(3):  # a writer that opened the store meanwhile changes the file: copy again
            before = _stamp(path), _stamp(wal) if wal else None
            shutil.copyfile(path, copy)
            if wal is not None:
                shutil.copyfile(wal, f"{copy}-wal")
            if (_stamp(path), _stamp(wal) if wal else None) == before:
                break
        conn = _open_uri(copy, "mode=ro", factory=_PrivateCopy)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    conn.copy_dir = folder  # type: ignore[attr-defined]
    return conn


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _frozen(path: Path) -> bool:
    """The mode bits give nobody write access to the store file, or to its folder (where a writer would have to
    create its -wal): nothing can change it, so reading it without locks is safe."""
    return (path.stat().st_mode & 0o222) == 0 or (path.parent.stat().st_mode & 0o222) == 0


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """A read-only store is read as it is (no migration), but one written by a newer laqs-assist is refused."""
    _applied(conn, path)


def _applied(conn: sqlite3.Connection, path: Path) -> list[str]:
    """The store's applied migrations; a store written by a newer laqs-assist (one we do not know) is refused."""
    applied = []
    # sqlite-utils keeps its record in the table Migrations.migrations_table names; it is read here with sqlite3
    # so that opening an up-to-date store never imports sqlite-utils.
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? "
                                              "ORDER BY rowid", [MIGRATION_SET])]
    unknown = [name for name in applied if name not in MIGRATIONS]
    if unknown:
        raise UsageError(f"the store {path} was written by a newer laqs-assist (schema {unknown[-1]}); "
                         "upgrade laqs-assist to open it")
    return applied


def _read_only(path: Path) -> bool:
    """os.access alone says yes to root; the mode bits say what the owner meant."""
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return True
    return (path.stat().st_mode & 0o222) == 0 or _read_only_folder(path.parent)


def is_read_only(path: str | Path) -> bool:
    """Whether an existing store can only be read (its file or its folder is read-only)."""
    path = Path(path)
    return path.is_file() and _read_only(path)


def _read_only_folder(folder: Path) -> bool:
    try:
        return not os.access(folder, os.W_OK) or (folder.stat().st_mode & 0o222) == 0
    except OSError:
        return False


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
        applied = _applied(conn, path)
        if len(applied) == len(MIGRATIONS):
            return
        from sqlite_utils import Database

        from .schema import migrations

        db = Database(conn)
        # Take the write lock first so that two processes opening a new store do not both migrate it: the second
        # waits here, and apply() then finds nothing pending. Inside this transaction apply() runs each migration
        # and its record in a savepoint of its own, and the whole lot commits (or rolls back) at once.
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(db)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # an error can end the transaction itself; the error is what to report
                conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, path) from None


def _translate(exc: sqlite3.DatabaseError, path: Path, read_only: bool = False) -> LaqsError:
    text = str(exc)
    if read_only and "unable to open" in text:
        return UsageError(f"cannot read the store {path}: {text}")
    if "file is not a database" in text or "file is encrypted" in text:
        return UsageError(f"{path} is not a SQLite store (choose another file with --store)")
    if "readonly" in text or "read-only" in text:
        return UsageError(f"the store {path} is read-only: nothing can be recorded (check its permissions)")
    if "locked" in text or "busy" in text:
        return StoreError(f"the store {path} is busy in another process; try again")
    if "malformed" in text or "corrupt" in text:
        return StoreError(f"the store {path} is damaged ({text}); restore it from a copy")
    return StoreError(f"store {path}: {text}")
