"""The store: one SQLite file holding every organisation, visit, response, judgement, action and rating.

Every change is one `BEGIN IMMEDIATE … COMMIT` that also appends to the event log, so a change is either wholly
on disk (WAL, synchronous=FULL) or not there at all. A Store belongs to the thread that opened it.

This module opens the file and runs transactions; each group of tables has its own module (organisations,
visits, responses, search, judgements, actions, ratings, events), and `Store` is all of them over one connection.
SQL lives in this package and nowhere else.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

# academic_year is the calendar's rule (laqs_assist.calendar); still importable from here for older callers.
from ..calendar import academic_year
from .actions import ActionTables
from .db import StoreError, _translate, connect, is_read_only
from .events import EventTables
from .joint import JointVisitTables
from .judgements import JudgementTables
from .organisations import OrganisationTables
from .ratings import RatingTables
from .reports import ReportQueries
from .responses import ResponseTables
from .search import SearchTables, _fts_query  # noqa: F401  (bench/bench_search.py builds its floor queries with it)
from .values import new_id, now
from .visits import VisitTables

__all__ = ["Store", "StoreError", "academic_year", "new_id", "now"]


class Store(OrganisationTables, VisitTables, ResponseTables, SearchTables, JudgementTables, ActionTables,
            RatingTables, EventTables, ReportQueries, JointVisitTables):
    CHECKPOINT_PAGES = 250

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool | None = False,
                 make_folder: bool = False) -> None:
        """Open the store at `path`. A read-only store (its file or folder) is refused unless `read_only` is True,
        or None (read-only if the store is). Read-only, nothing is written: no migration, no indexing, and search
        finds answers not yet in the full-text index by reading them. `make_folder`: create a missing folder."""
        self.path = Path(path)
        if read_only is None:
            read_only = is_read_only(self.path)
        self.read_only = bool(read_only)
        self.conn: sqlite3.Connection = connect(self.path, create=create and not read_only, read_only=self.read_only,
                                                make_folder=make_folder)
        self._depth = 0
        self._indexed_to: int | None = None  # as last read from search_state; the table is the truth
        # Checkpoint (copy the write-ahead log back into the file) every 250 pages rather than SQLite's 1,000: the
        # commit that checkpoints takes a few milliseconds instead of ten or more on a large store, and no more
        # work is done in all.
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.CHECKPOINT_PAGES}")

    def close(self) -> None:
        # Answers were recorded here: leave none waiting for the search index (a read-only store records none).
        if self._indexed_to is not None and not self.read_only:
            try:
                self.index_pending()
            except (StoreError, sqlite3.Error):
                pass  # busy or closing under a signal: the next search or visit indexes them
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One durable write: BEGIN IMMEDIATE … COMMIT. Nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from None

    # --- the table modules' plumbing ------------------------------------------------------------------------

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row; its rowid."""
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        try:
            return self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values())).lastrowid
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None

    def _update(self, table: str, key: str, fields: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*fields.values(), key])

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def _row(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        found = self._rows(sql, params)
        return found[0] if found else None
