"""Pooling with SQLite: a team store is a normal store that bundles are merged into (store/merge.py has the rules,
store/bundle.py writes bundles). Each bundle is merged in one transaction of its own, so a merge interrupted half-way
leaves whole bundles merged and the rest to merge again."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .bundle import read_bundle_info
from .bundled import POLICIES
from .db import _translate
from .merge import SQLiteEngine, conflicts, merge_rows, resolve
from .values import now
from .versions import MIGRATION_SET, MIGRATIONS

_HEADER = b"SQLite format 3\x00"


def check_bundle(path: Path) -> None:
    """A bundle must be a SQLite file this version can read; one line otherwise."""
    if not path.is_file():
        raise UsageError(f"no bundle at {path}")
    with path.open("rb") as fh:
        if fh.read(16) != _HEADER:
            raise UsageError(f"{path} is not a bundle (not a SQLite file): write one with laqs pool export")


def _attach(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    check_bundle(path)
    # The bundle is only read: a read-only URI leaves it untouched even where it could be written.
    from urllib.parse import quote

    conn.execute("ATTACH DATABASE ? AS incoming", [f"file:{quote(str(path.absolute()))}?mode=ro"])
    info = read_bundle_info(conn)
    if info is None:
        conn.execute("DETACH DATABASE incoming")
        raise UsageError(f"{path} is not a bundle (no pool_bundles record): write one with laqs pool export")
    applied = [r[0] for r in conn.execute("SELECT name FROM incoming._sqlite_migrations WHERE migration_set = ?",
                                          [MIGRATION_SET])]
    newer = [n for n in applied if n not in MIGRATIONS]
    if newer:
        conn.execute("DETACH DATABASE incoming")
        raise UsageError(f"{path} was written by a newer laqs-assist (schema {newer[-1]}); upgrade to merge it")
    return info


def policy(store) -> dict[str, str]:
    return {name: value for name, value in store.conn.execute("SELECT name, value FROM pool_policy")}


def set_policy(store, name: str, allowed: bool) -> None:
    if name not in POLICIES:
        raise UsageError(f"no policy '{name}' (policies: {', '.join(POLICIES)})")
    with store.write():
        store.conn.execute("INSERT INTO pool_policy (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                           "SET value = excluded.value", [name, "yes" if allowed else "no"])
        store.log("pool.policy", entity=name, allowed=allowed)


def merge_bundles(store, paths: list[Path], progress=None) -> list[dict[str, Any]]:
    """Merge each bundle into the team store; per bundle what it added (nothing for one merged before)."""
    results = []
    new_store = store.conn.execute("SELECT 1 FROM responses LIMIT 1").fetchone() is None
    for path in paths:
        path = Path(path)
        conn = store.conn
        try:
            info = _attach(conn, path)
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a bundle ({exc})") from None
        try:
            if conn.execute("SELECT 1 FROM pool_bundles WHERE id = ?", [info["id"]]).fetchone():
                results.append({"bundle": str(path), "id": info["id"], "already": True, "visits": 0, "answers": 0,
                                "versions": 0, "organisations": 0})
            else:
                with store.write():
                    added = merge_rows(SQLiteEngine(conn), policy(store))
                    store.log("pool.merge", entity=info["id"], bundle=path.name, author=info["author"], **added)
                results.append({"bundle": str(path), "id": info["id"], "already": False, **added})
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, store.path) from None
        finally:
            conn.execute("DETACH DATABASE incoming")
        if progress:
            progress(results[-1])
    store.index_pending()  # the new answers go into the search index in one batch
    if new_store and sum(r["answers"] for r in results) >= PACK_AFTER:
        pack(store)
    return results


# A merge that fills a new team store with at least this many answers packs it at the end (a smaller one is left).
PACK_AFTER = 1_000


def pack(store) -> None:
    """Rewrite the store with every page full (VACUUM), then copy the log back into it and empty the log.

    A merge adds each bundle's rows in the order of its own keys, so every index of the team store takes rows at
    places spread over its whole length, and pages split half-full stay so: about 4% of a new team store's size
    (150 bytes per answer). Packing copies the store once more, after the merge, in a transaction of its own
    (about 25 s for a million answers here, where merging them takes about 135 s), so a new team store pays it
    once; later merges add a small part to a store that is already packed. The store stays in WAL mode and
    nothing in it changes but where its rows lie."""
    if store.read_only or store.conn.in_transaction:
        return
    conn = store.conn
    # The search index finds answers by their rowid. SQLite keeps the rowids of a table with an index when it
    # packs it (answers have several), but promises that only for an INTEGER PRIMARY KEY: should they move, the
    # index is built again from the answers, and the ratings kept per scope (which read judgements' rowids) go.
    before = _rowids(conn)
    try:
        conn.execute("VACUUM")
        if _rowids(conn) != before:
            with store.write():
                conn.execute("INSERT INTO responses_fts (responses_fts) VALUES ('rebuild')")
                conn.execute("UPDATE search_state SET indexed_to = (SELECT coalesce(max(rowid), 0) FROM responses) "
                             "WHERE id = 1")
                conn.execute("DELETE FROM rating_cache")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, store.path) from None


def _rowids(conn: sqlite3.Connection) -> list[tuple]:
    """What would show answers or judgements renumbered: their count, the sum and the largest of their rowids."""
    return [conn.execute(f"SELECT count(*), coalesce(sum(rowid), 0), coalesce(max(rowid), 0) FROM {t}").fetchone()
            for t in ("responses", "judgements")]


def list_conflicts(store) -> list[dict[str, Any]]:
    return conflicts(SQLiteEngine(store.conn))


def resolve_conflict(store, version: str, note: str = "") -> dict[str, Any]:
    with store.write():
        out = resolve(SQLiteEngine(store.conn), version, now(), note)
        if "error" in out:
            raise UsageError(f"{out['error']}: '{version}' (see laqs pool conflicts)")
        store.log("pool.resolve", entity=out["response_id"], version=out["version"], note=note)
    return out


def set_code(store, name: str, code: str, school: bool = False) -> dict[str, Any]:
    """Give an organisation its stable key (the LA code, or a school's URN), by which pooled stores match it."""
    kind = "school" if school else "LA"
    code = code.strip()
    if not code or not code.replace("-", "").isalnum():
        raise UsageError(f"'{code}' is not an LA code or URN (letters and digits)")
    org = store._row("SELECT * FROM organisations WHERE kind = ? AND (id = ? OR name = ? COLLATE NOCASE)",
                     [kind, name, " ".join(name.split())])
    if org is None:
        raise UsageError(f"no {kind} '{name}' in this store")
    taken = store._row("SELECT name FROM organisations WHERE kind = ? AND code = ? AND id != ?",
                       [kind, code, org["id"]])
    if taken:
        raise UsageError(f"{taken['name']} already has the key {code}")
    with store.write():
        store._update("organisations", org["id"], {"code": code})
        store.log("organisation.code", entity=org["id"], code=code)
    return {**org, "code": code}


def aliases(store) -> list[dict[str, Any]]:
    return store._rows("SELECT o.name, o.kind, o.code, a.name AS alias FROM organisation_aliases a "
                       "JOIN organisations o ON o.id = a.organisation_id ORDER BY o.name, a.name")


def bundles(store) -> list[dict[str, Any]]:
    return store._rows("SELECT * FROM pool_bundles ORDER BY exported_at, id")
