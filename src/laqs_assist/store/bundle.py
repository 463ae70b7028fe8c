"""A bundle to share: an adviser's finalised visits written as a self-contained SQLite file (a laqs store holding
only those visits, with every wording of each answer in pool_versions), closed cleanly so any SQLite tool opens it.
With the visits go their shared documents, the school reviews whose days are over, and the register of each LA the
visits are in (store/bundled.py says what travels).

Answers flagged as concerning an individual stay behind unless the team's policy says otherwise; their ids are
listed in pool_withdrawn, so a team store that pooled one before it was flagged drops it. Private documents, and
review interviews, review evidence and register entries flagged as concerning an individual, stay behind whatever
the policy, with every event about them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .bundled import ANSWER_KEYS, BUNDLED, DOCUMENT_KEYS
from .db import _translate
from .values import new_id, now

# Version ids are made from the answer's id and the moment the wording began, so every export of the same store
# names the same wording alike and a later export's edit names the version an earlier export carried.
VERSION_NS = uuid.UUID("5b0c1c52-4a43-4f7e-9d6e-3f3c2b1a9e10")


def version_id(response_id: str, started_at: str) -> str:
    return str(uuid.uuid5(VERSION_NS, f"{response_id}|{started_at}"))


REGISTER_NS = uuid.UUID("0f7b6a1e-93c4-4d2a-8e6b-52a9c1d3e7f4")


def register_id(urn: str | None, school_id: str) -> str:
    """A register's school as every store names it in a bundle: by its URN (a school's own, in England), so two
    advisers' registers of one LA hold one school; by the store's id where there is no URN."""
    urn = (urn or "").strip()
    return str(uuid.uuid5(REGISTER_NS, urn)) if urn else school_id


def clean_payload(kind: str, payload: str | None) -> str | None:
    """An event's payload without an answer's words (they travel with the answer, when it travels at all) or a
    document's hash (it travels with the document, while the document is shared)."""
    if not payload or not kind.startswith(("response.", "document.")):
        return payload
    drop = ANSWER_KEYS if kind.startswith("response.") else DOCUMENT_KEYS
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return payload
    return json.dumps({k: v for k, v in data.items() if k not in drop}, ensure_ascii=False,
                      separators=(",", ":"))


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def export_range(date_from: str | None, date_to: str | None, refs: tuple[str, ...]) -> tuple[str, str] | None:
    """The dates an export covers, for what travels by date rather than with a visit (joint visits)."""
    if refs:
        return None
    return date_from or "0000-01-01", date_to or "9999-12-31"


def joint_visits_in(store, dates: tuple[str, str] | None) -> int:
    """How many ended joint visits an export by these dates carries (none without the table, or without dates)."""
    if dates is None or not _columns(store.conn, "main", "joint_visits"):
        return 0
    return store.conn.execute("SELECT count(*) FROM joint_visits WHERE status = 'ended' AND date BETWEEN ? AND ?",
                              list(dates)).fetchone()[0]


# A school review (a visit with status 'review') has no end of its own: it is pooled once its last day has been
# held; a later export carries what was added since (the report's words, findings, priorities).
_REVIEW_HELD = ("v.status = 'review' AND EXISTS (SELECT 1 FROM reviews r WHERE r.visit_id = v.id AND "
                "(SELECT max(d.value) FROM json_each(r.days) d) <= ?)")


def choose_visits(store, *, date_from: str | None, date_to: str | None, refs: tuple[str, ...],
                  today: str | None = None) -> list[str]:
    """The finalised visits to export: those named, or those dated in the range (every one when no range). A school
    review counts once its days are over (by `today`, and by the range's end when there is one)."""
    today = today or date.today().isoformat()
    held = _REVIEW_HELD if _columns(store.conn, "main", "reviews") else "0"
    if refs:
        ids = []
        for ref in refs:
            v = store.find_visit(ref)
            over = held != "0" and store.conn.execute(f"SELECT 1 FROM visits v WHERE v.id = ? AND {held}",
                                                      [v["id"], today]).fetchone()
            if v["status"] == "review" and not over:
                raise UsageError(f"review {v['id'][:8]} ({v['organisation']}, {v['date']}) is not over: a review is "
                                 "pooled once its last day has been held")
            if v["status"] != "ended" and not over:
                raise UsageError(f"visit {v['id'][:8]} ({v['organisation']}, {v['date']}) has not ended: only "
                                 "finalised visits are pooled (end it first)")
            ids.append(v["id"])
        return list(dict.fromkeys(ids))
    last = min(today, date_to) if date_to else today
    sql, params = f"SELECT id FROM visits v WHERE (v.status = 'ended' OR ({held}))", [last] if held != "0" else []
    if date_from:
        sql += " AND date >= ?"
        params.append(date_from)
    if date_to:
        sql += " AND date <= ?"
        params.append(date_to)
    return [r[0] for r in store.conn.execute(sql + " ORDER BY date, created_at", params)]


def export_bundle(store, visit_ids: list[str], out: Path, *, share_flagged: bool = False,
                  share_sip_names: bool = False, author: str = "",
                  dates: tuple[str, str] | None = ("0000-01-01", "9999-12-31")) -> dict[str, Any]:
    """Write the visits to a new bundle at `out` (replaced whole, never half-written); what it holds."""
    from . import Store

    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    Store(tmp).close()  # the schema and migrations, exactly as a store is made
    conn = store.conn
    policy = {"share_flagged": share_flagged, "share_sip_names": share_sip_names}
    conn.create_function("pool_payload", 2, clean_payload, deterministic=True)
    conn.create_function("pool_version_id", 2, version_id, deterministic=True)
    conn.create_function("pool_register_id", 2, register_id, deterministic=True)
    try:
        conn.execute("ATTACH DATABASE ? AS bundle", [str(tmp)])
        try:
            counts = _fill(conn, visit_ids, policy, author, dates)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            _drop_temp(conn)
            conn.execute("DETACH DATABASE bundle")
    except sqlite3.DatabaseError as exc:
        tmp.unlink(missing_ok=True)
        raise _translate(exc, out) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _close_cleanly(tmp)
    os.replace(tmp, out)
    return counts


def _fill(conn: sqlite3.Connection, visit_ids: list[str], policy: dict[str, bool], author: str,
          dates: tuple[str, str] | None) -> dict[str, Any]:
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE pool_visits (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO pool_visits VALUES (?)", [(v,) for v in visit_ids])
    conn.execute("CREATE TEMP TABLE pool_range (date_from TEXT, date_to TEXT)")
    conn.execute("INSERT INTO pool_range VALUES (?, ?)", list(dates) if dates else [None, None])
    conn.execute("CREATE TEMP TABLE pool_orgs (id TEXT PRIMARY KEY)")
    conn.execute("INSERT OR IGNORE INTO pool_orgs SELECT organisation_id FROM visits WHERE id IN "
                 "(SELECT id FROM pool_visits)")
    _with_their_las(conn)
    for b in BUNDLED:
        if not _columns(conn, "main", b.table):
            continue
        if b.remember:
            conn.execute(f"CREATE TEMP TABLE picked_{b.table} (id TEXT PRIMARY KEY)")
            conn.execute(f"INSERT INTO picked_{b.table} SELECT t.id FROM main.{b.table} t WHERE {b.pick}")
        if b.adds_orgs:
            for col in b.orgs:
                conn.execute(f"INSERT OR IGNORE INTO pool_orgs SELECT t.{col} FROM main.{b.table} t WHERE {b.pick} "
                             f"AND t.{col} IS NOT NULL")
    conn.execute("CREATE TEMP TABLE pool_private (id TEXT PRIMARY KEY)")
    for b in BUNDLED:
        if b.never and _columns(conn, "main", b.table):
            conn.execute(f"INSERT OR IGNORE INTO pool_private SELECT t.{b.key} FROM main.{b.table} t "
                         f"WHERE ({b.pick}) AND ({b.never})")
    _with_their_las(conn)
    flagged = "0" if policy["share_flagged"] else "concerns_individual"
    conn.execute("CREATE TEMP TABLE pool_keep (id TEXT PRIMARY KEY)")
    conn.execute(f"INSERT INTO pool_keep SELECT id FROM responses WHERE visit_id IN (SELECT id FROM pool_visits) "
                 f"AND NOT {flagged}")
    conn.execute("CREATE TEMP TABLE pool_left_out (id TEXT PRIMARY KEY)")
    conn.execute(f"INSERT INTO pool_left_out SELECT id FROM responses WHERE visit_id IN (SELECT id FROM pool_visits) "
                 f"AND {flagged}")
    for b in BUNDLED:
        have = _columns(conn, "main", b.table)
        if not have:
            continue  # a table this store's schema lacks (an older store) carries nothing
        cols = [c for c in _columns(conn, "bundle", b.table) if c in have]
        exprs = []
        for c in cols:
            expr = b.rewrite.get(c, f"t.{c}")
            if c in b.private and not policy.get(b.private[c], False):
                expr = "''"
            exprs.append(expr)
        where = b.pick + "".join(f" AND NOT ({cond})" for name, cond in b.private_rows.items()
                                 if not policy.get(name, False))
        if b.never:
            where += f" AND NOT ({b.never})"
        conn.execute(f"INSERT INTO bundle.{b.table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                     f"FROM main.{b.table} t WHERE {where}")
    _versions(conn)
    conn.execute("INSERT INTO bundle.pool_withdrawn SELECT id FROM pool_left_out")
    for b in BUNDLED:
        if b.withdraws and _columns(conn, "main", b.table):
            conn.execute(f"INSERT OR IGNORE INTO bundle.pool_withdrawn SELECT t.{b.key} FROM main.{b.table} t "
                         f"WHERE ({b.pick}) AND ({b.withdraws})")
    visits = conn.execute("SELECT count(*) FROM bundle.visits").fetchone()[0]
    joint = conn.execute("SELECT count(*) FROM bundle.joint_visits").fetchone()[0] if \
        _columns(conn, "bundle", "joint_visits") else 0
    answers = conn.execute("SELECT count(*) FROM bundle.responses").fetchone()[0]
    left_out = conn.execute("SELECT count(*) FROM pool_left_out").fetchone()[0]
    bundle_id = new_id()
    if not author:
        names = [r[0] for r in conn.execute("SELECT DISTINCT author FROM bundle.visits WHERE author != '' "
                                            "ORDER BY author")]
        author = ", ".join(names)
    conn.execute("INSERT INTO bundle.pool_bundles (id, author, exported_at, visits, answers, flagged_shared) "
                 "VALUES (?, ?, ?, ?, ?, ?)", [bundle_id, author, now(), visits, answers,
                                               int(policy["share_flagged"])])
    for name, allowed in policy.items():
        conn.execute("INSERT INTO bundle.pool_policy (name, value) VALUES (?, ?)", [name, "yes" if allowed else "no"])
    carried = {t: conn.execute(f"SELECT count(*) FROM bundle.{t}").fetchone()[0] if _columns(conn, "bundle", t)
               else 0 for t in ("documents", "reviews", "register_entries")}
    # rows that stay with the adviser whatever the policy: private documents, flagged review and register rows
    kept_private = conn.execute("SELECT count(*) FROM pool_private").fetchone()[0]
    return {"id": bundle_id, "visits": visits, "joint_visits": joint, "answers": answers, "left_out": left_out,
            "organisations": conn.execute("SELECT count(*) FROM bundle.organisations").fetchone()[0],
            **carried, "kept_private": kept_private}


def _with_their_las(conn: sqlite3.Connection) -> None:
    """The LA above each organisation chosen (before the tables that follow an LA, such as its register, choose)."""
    conn.execute("INSERT OR IGNORE INTO pool_orgs SELECT parent_id FROM organisations WHERE parent_id IS NOT NULL "
                 "AND id IN (SELECT id FROM pool_orgs)")


def _versions(conn: sqlite3.Connection) -> None:
    """Every wording of each answer that travels, oldest first, each naming the one it replaced. An answer never
    edited has one version, from when it was recorded; response_versions holds the earlier wordings of an edited
    one, each replaced at its replaced_at, and the answer's text is the wording since the last of them."""
    conn.execute("INSERT INTO bundle.pool_versions (id, response_id, replaces, text, value, started_at) "
                 "SELECT pool_version_id(r.id, r.created_at), r.id, NULL, r.text, r.value, r.created_at "
                 "FROM responses r WHERE r.id IN (SELECT id FROM pool_keep) "
                 "AND NOT EXISTS (SELECT 1 FROM response_versions v WHERE v.response_id = r.id)")
    edited = conn.execute("SELECT r.id, r.created_at, r.text, r.value, v.text, v.replaced_at FROM responses r "
                          "JOIN response_versions v ON v.response_id = r.id WHERE r.id IN (SELECT id FROM pool_keep) "
                          "ORDER BY r.id, v.replaced_at, v.id").fetchall()
    chains: dict[str, list] = {}
    for rid, created, text, value, old_text, replaced_at in edited:
        chains.setdefault(rid, [created, text, value, []])[3].append((old_text, replaced_at))
    rows = []
    for rid, (created, text, value, olds) in chains.items():
        started, previous = created, None
        for old_text, replaced_at in olds:
            vid = version_id(rid, started)
            rows.append((vid, rid, previous, old_text, None, started))
            previous, started = vid, replaced_at
        rows.append((version_id(rid, started), rid, previous, text, value, started))
    conn.executemany("INSERT INTO bundle.pool_versions (id, response_id, replaces, text, value, started_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows)


def _drop_temp(conn: sqlite3.Connection) -> None:
    picked = [f"picked_{b.table}" for b in BUNDLED if b.remember]
    for name in ("pool_visits", "pool_orgs", "pool_keep", "pool_left_out", "pool_private", "pool_range", *picked):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _close_cleanly(path: Path) -> None:
    """Copy the write-ahead log back into the file and leave it in rollback-journal mode: one file, nothing beside
    it, that any SQLite tool (or Datasette's immutable mode) reads whole."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def read_bundle_info(conn: sqlite3.Connection, schema: str = "incoming") -> dict[str, Any] | None:
    try:
        row = conn.execute(f"SELECT id, author, exported_at, visits, answers, flagged_shared "
                           f"FROM {schema}.pool_bundles").fetchall()
    except sqlite3.DatabaseError:
        return None
    if len(row) != 1:
        return None
    keys = ("id", "author", "exported_at", "visits", "answers", "flagged_shared")
    return dict(zip(keys, row[0]))
