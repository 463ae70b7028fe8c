"""The store: one SQLite file holding every organisation, visit, response, judgement, action and rating.

Every change is one `BEGIN IMMEDIATE … COMMIT` that also appends to the event log, so a change is either wholly
on disk (WAL, synchronous=FULL) or not there at all. A Store belongs to the thread that opened it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import UsageError
from .db import StoreError, _translate, connect, is_read_only

__all__ = ["Store", "StoreError", "academic_year", "new_id", "now"]


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def academic_year(day: str | date) -> str:
    """England's school year runs September to August: 2026-11-22 is in 2026/27."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    start = d.year if d.month >= 9 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
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

    def log(self, event: str, *, visit_id: str | None = None, entity: str | None = None, **payload: Any) -> None:
        self._insert("events", {"id": new_id(), "at": now(), "visit_id": visit_id, "kind": event, "entity": entity,
                                "payload": _dump(payload)})

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def row(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    # --- organisations and people ---------------------------------------------------------------------------

    def organisation(self, name_or_id: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM organisations WHERE id = ? OR name = ? COLLATE NOCASE "
                        "ORDER BY kind = 'LA' DESC LIMIT 1", [name_or_id, name_or_id])

    def organisations(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM organisations ORDER BY name COLLATE NOCASE")

    def ensure_organisation(self, name: str, kind: str = "LA", parent_id: str | None = None) -> dict[str, Any]:
        name = " ".join(name.split())
        if not name:
            raise UsageError("an organisation needs a name")
        if kind not in ("LA", "school"):
            raise UsageError(f"an organisation is an LA or a school, not '{kind}'")
        with self.write():
            found = self.row("SELECT * FROM organisations WHERE kind = ? AND name = ? COLLATE NOCASE", [kind, name])
            if found:
                return found
            row = {"id": new_id(), "name": name, "kind": kind, "parent_id": parent_id, "created_at": now()}
            self._insert("organisations", row)
            self.log("organisation.add", entity=row["id"], name=name, kind=kind)
            return row

    def ensure_person(self, name: str, role: str = "", organisation_id: str | None = None) -> dict[str, Any]:
        name = " ".join(name.split())
        with self.write():
            found = self.row("SELECT * FROM people WHERE name = ? COLLATE NOCASE AND "
                             "coalesce(organisation_id, '') = coalesce(?, '')", [name, organisation_id])
            if found:
                return found
            row = {"id": new_id(), "name": name, "role": role, "organisation_id": organisation_id,
                   "created_at": now()}
            self._insert("people", row)
            self.log("person.add", entity=row["id"], name=name, role=role)
            return row

    # --- visits ---------------------------------------------------------------------------------------------

    def create_visit(self, *, organisation_id: str, pack_id: str, agenda_id: str, phases: list[str],
                     focus: list[str], day: str, author: str = "", purpose: str = "",
                     people: list[tuple[str, str]] = (), items: list[dict[str, Any]] = ()) -> dict[str, Any]:
        stamp = now()
        visit = {
            "id": new_id(), "organisation_id": organisation_id, "pack_id": pack_id, "agenda_id": agenda_id,
            "phases": _dump(phases), "focus": _dump(focus), "date": day, "academic_year": academic_year(day),
            "author": author, "purpose": purpose, "status": "in_progress", "position": 0, "created_at": stamp,
            "updated_at": stamp, "ended_at": None,
        }
        with self.write():
            self._insert("visits", visit)
            for name, role in people:
                person = self.ensure_person(name, role)
                self._insert("visit_people", {"visit_id": visit["id"], "person_id": person["id"], "role": role})
            for i, item in enumerate(items):
                self._insert("visit_items", {"id": new_id(), "visit_id": visit["id"], "position": i,
                                             "status": "pending", "created_at": stamp, "response_id": None,
                                             **item})
            self.log("visit.start", visit_id=visit["id"], entity=visit["id"], agenda=agenda_id, phases=phases,
                     focus=focus, date=day)
        return self.visit(visit["id"])

    def visit(self, visit_id: str) -> dict[str, Any] | None:
        row = self.row("SELECT v.*, o.name AS organisation, o.kind AS organisation_kind FROM visits v "
                       "JOIN organisations o ON o.id = v.organisation_id WHERE v.id = ?", [visit_id])
        if row:
            row["phases"] = json.loads(row["phases"])
            row["focus"] = json.loads(row["focus"])
            row["people"] = self.rows("SELECT p.name, vp.role FROM visit_people vp JOIN people p ON p.id = "
                                      "vp.person_id WHERE vp.visit_id = ? ORDER BY p.name", [visit_id])
        return row

    def find_visit(self, ref: str) -> dict[str, Any]:
        """A visit by id, unique id prefix, or 'last' (the most recently changed)."""
        ref = ref.strip()
        if ref == "last":
            found = self.row("SELECT id FROM visits ORDER BY updated_at DESC LIMIT 1")
            if not found:
                raise UsageError("there are no visits in this store yet")
            return self.visit(found["id"])  # type: ignore[return-value]
        matches = self.rows("SELECT id FROM visits WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                            [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"])
        if not ref or not matches:
            raise UsageError(f"no visit '{ref}' (see `laqs visits`)")
        if len(matches) > 1:
            raise UsageError(f"'{ref}' matches more than one visit: give more of the id")
        return self.visit(matches[0]["id"])  # type: ignore[return-value]

    def visits(self, status: str | None = None, organisation_id: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
        where, params = [], []
        if status:
            where.append("v.status = ?")
            params.append(status)
        if organisation_id:
            where.append("v.organisation_id = ?")
            params.append(organisation_id)
        sql = ("SELECT v.id, v.date, v.status, v.agenda_id, v.phases, v.focus, v.updated_at, v.academic_year, "
               "o.name AS organisation, o.kind AS organisation_kind, "
               "(SELECT count(*) FROM responses r WHERE r.visit_id = v.id) AS responses "
               "FROM visits v JOIN organisations o ON o.id = v.organisation_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY v.updated_at DESC LIMIT ?"
        out = self.rows(sql, [*params, limit])
        for r in out:
            r["phases"] = json.loads(r["phases"])
            r["focus"] = json.loads(r["focus"])
        return out

    def touch_visit(self, visit_id: str, **fields: Any) -> None:
        fields["updated_at"] = now()
        with self.write():
            self._update("visits", visit_id, fields)
            if "status" in fields:
                self.log(f"visit.{fields['status']}", visit_id=visit_id, entity=visit_id)

    # --- the running order ----------------------------------------------------------------------------------

    def items(self, visit_id: str) -> list[dict[str, Any]]:
        out = self.rows("SELECT * FROM visit_items WHERE visit_id = ? ORDER BY position", [visit_id])
        for r in out:
            r["targets"] = json.loads(r["targets"]) if r["targets"] else []
        return out

    def insert_items(self, visit_id: str, after_position: int, items: list[dict[str, Any]]) -> None:
        """Insert items (probes) right after a position, shifting the rest down."""
        if not items:
            return
        with self.write():
            n = len(items)
            # Two steps keep the unique (visit, position) index happy while shifting.
            self.conn.execute("UPDATE visit_items SET position = -position - 1 WHERE visit_id = ? AND position > ?",
                              [visit_id, after_position])
            self.conn.execute("UPDATE visit_items SET position = -position - 1 + ? WHERE visit_id = ? AND "
                              "position < 0", [n, visit_id])
            stamp = now()
            for i, item in enumerate(items):
                row = {"id": new_id(), "visit_id": visit_id, "position": after_position + 1 + i, "status": "pending",
                       "created_at": stamp, "response_id": None, **item}
                row["targets"] = _dump(item.get("targets", []))
                self._insert("visit_items", row)
                self.log("item.add", visit_id=visit_id, entity=row["id"], kind=row["kind"], text=row["text"])

    def set_item_status(self, item_id: str, status: str, visit_id: str) -> None:
        with self.write():
            self.conn.execute("UPDATE visit_items SET status = ? WHERE id = ?", [status, item_id])
            self.log(f"item.{status}", visit_id=visit_id, entity=item_id)

    def set_position(self, visit_id: str, position: int) -> None:
        with self.write():
            self._update("visits", visit_id, {"position": position, "updated_at": now()})

    # --- responses ------------------------------------------------------------------------------------------

    def add_response(self, *, visit: dict[str, Any], item: dict[str, Any] | None, aspect_id: str, text: str,
                     value: str | None = None, position: int | None = None) -> dict[str, Any]:
        """Record an answer; with `item`, also mark it answered and move the visit on, all in one commit.

        When the item already has an answer (the adviser went back to it, or another window on the same visit
        answered it meanwhile), this answer replaces that one as an edit does (the earlier text stays in the
        answer's history), so a question keeps one answer."""
        stamp = now()
        row = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
               "item_id": item["id"] if item else None, "question_id": item.get("question_id") if item else None,
               "aspect_id": aspect_id, "academic_year": visit["academic_year"], "text": text, "value": value,
               "concerns_individual": 0, "created_at": stamp, "updated_at": stamp}
        rowid = None
        with self.write():
            taken = self.conn.execute("SELECT response_id FROM visit_items WHERE id = ?",
                                      [item["id"]]).fetchone() if item else None
            if taken and taken[0]:
                row = self.edit_response(taken[0], text, value)
            else:
                rowid = self._insert("responses", row)
                if item:
                    self.conn.execute("UPDATE visit_items SET status = 'answered', response_id = ? WHERE id = ?",
                                      [row["id"], item["id"]])
                self.log("response.add", visit_id=visit["id"], entity=row["id"], aspect=aspect_id, text=text,
                         question=row["question_id"])
            fields: dict[str, Any] = {"updated_at": stamp}
            if position is not None:
                fields["position"] = position
            self._update("visits", visit["id"], fields)
            if item is not None:
                # The answer box's draft has just been sent: it goes in the same commit as the answer.
                self.conn.execute("DELETE FROM drafts WHERE visit_id = ?", [visit["id"]])
        # The answer is on disk; the search index takes answers a batch at a time, in a commit of its own.
        if rowid is not None and (self._indexed_to is None or rowid - self._indexed_to >= self.SEARCH_BATCH):
            self.index_pending()
        return row

    def response(self, response_id: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM responses WHERE id = ?", [response_id])

    def last_answered(self, visit_id: str) -> dict[str, Any] | None:
        """The visit's answer recorded or replaced last (by any window): the event log says which."""
        found = self.conn.execute("SELECT entity FROM events WHERE visit_id = ? AND kind IN ('response.add', "
                                  "'response.edit') ORDER BY seq DESC LIMIT 1", [visit_id]).fetchone()
        return self.response(found[0]) if found else None

    def visit_responses_by_prefix(self, visit_id: str, prefix: str) -> list[dict[str, Any]]:
        """At most two of a visit's responses whose id starts with `prefix` (two means it is ambiguous)."""
        return self.rows("SELECT * FROM responses WHERE visit_id = ? AND substr(id, 1, ?) = ? LIMIT 2",
                         [visit_id, len(prefix), prefix.lower()])

    # --- the unsent draft of the answer box -----------------------------------------------------------------

    def save_draft(self, visit_id: str, text: str, item_id: str | None = None) -> dict[str, Any] | None:
        """Keep (or with empty text, clear) a visit's unsent draft; one per visit, committed at once."""
        with self.write():
            if not text.strip():
                self.conn.execute("DELETE FROM drafts WHERE visit_id = ?", [visit_id])
                return None
            row = {"visit_id": visit_id, "item_id": item_id, "text": text, "updated_at": now()}
            self.conn.execute("INSERT INTO drafts (visit_id, item_id, text, updated_at) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (visit_id) DO UPDATE SET item_id = excluded.item_id, "
                              "text = excluded.text, updated_at = excluded.updated_at", list(row.values()))
            return row

    def draft(self, visit_id: str) -> dict[str, Any] | None:
        try:
            return self.row("SELECT * FROM drafts WHERE visit_id = ?", [visit_id])
        except StoreError:
            return None  # a store read but not migrated (read-only) has no drafts table

    def edit_response(self, response_id: str, text: str, value: str | None = None) -> dict[str, Any]:
        """Replace an answer's text and value, keeping the old text in its history; the answer as it now is."""
        old = self.response(response_id)
        if old is None:
            raise UsageError(f"no response '{response_id}'")
        stamp = now()
        with self.write():
            self._insert("response_versions", {"id": new_id(), "response_id": response_id, "text": old["text"],
                                               "replaced_at": stamp})
            self._update("responses", response_id, {"text": text, "value": value, "updated_at": stamp})
            self.log("response.edit", visit_id=old["visit_id"], entity=response_id, old=old["text"], new=text)
        return {**old, "text": text, "value": value, "updated_at": stamp}

    def flag_response(self, response_id: str, concerns_individual: bool = True) -> None:
        old = self.response(response_id)
        if old is None:
            raise UsageError(f"no response '{response_id}'")
        with self.write():
            self._update("responses", response_id, {"concerns_individual": int(concerns_individual),
                                                    "updated_at": now()})
            self.log("response.flag", visit_id=old["visit_id"], entity=response_id, flagged=concerns_individual)

    def responses(self, visit_id: str, shared_only: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM responses WHERE visit_id = ?"
        if shared_only:
            sql += " AND concerns_individual = 0"
        return self.rows(sql + " ORDER BY created_at, rowid", [visit_id])

    def response_versions(self, response_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM response_versions WHERE response_id = ? ORDER BY replaced_at", [response_id])

    def coverage(self, organisation_id: str, year: str) -> dict[str, int]:
        """Responses per aspect for an organisation in an academic year."""
        return {r["aspect_id"]: r["n"] for r in self.rows(
            "SELECT aspect_id, count(*) AS n FROM responses WHERE organisation_id = ? AND academic_year = ? "
            "GROUP BY aspect_id", [organisation_id, year])}

    # Ranking scores every match; past this many matches (or a quarter of it for whole words), the newest matches
    # are shown instead, which stays fast.
    RANK_LIMIT = 20_000

    # Answers wait for the search index until this many have built up (or a search, or a visit starting, pausing or
    # ending, brings it up to date): one FTS5 segment per batch instead of one per answer.
    SEARCH_BATCH = 64

    def index_pending(self) -> int:
        """Add every answer not yet in the full-text index to it, in one commit; how many were added."""
        if self.read_only:
            return 0  # nothing may be written; search reads the answers past the index instead
        top, done = self.conn.execute("SELECT (SELECT coalesce(max(rowid), 0) FROM responses), indexed_to "
                                      "FROM search_state WHERE id = 1").fetchone()
        if top > done:
            with self.write():
                done = self.conn.execute("SELECT indexed_to FROM search_state WHERE id = 1").fetchone()[0]
                top = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM responses").fetchone()[0]
                if top > done:
                    self.conn.execute("INSERT INTO responses_fts (rowid, text) SELECT rowid, text FROM responses "
                                      "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", [done, top])
                    self.conn.execute("UPDATE search_state SET indexed_to = ? WHERE id = 1", [top])
        self._indexed_to = max(top, done)
        return max(top - done, 0)

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Full-text search over every response: best match first, or newest first for very common words."""
        fts = _fts_query(query)
        if not fts:
            raise UsageError("give some words to search for")
        if self.read_only:
            # The index cannot be brought up to date here: the answers past it (at most a batch or so) are read and
            # matched as the index would match them, and come first, as the newest.
            waiting = _unindexed_hits(self, fts, limit)
            if waiting:
                seen = {h["id"] for h in waiting}
                return (waiting + [h for h in self._fts_search(fts, limit) if h["id"] not in seen])[:limit]
            return self._fts_search(fts, limit)
        self.index_pending()
        return self._fts_search(fts, limit)

    def _fts_search(self, fts: str, limit: int) -> list[dict[str, Any]]:
        whole = fts.replace('"*', '"')
        # Whole words are counted cheaply; prefixes of common words first merge every word they begin.
        many = self._count(whole, self.RANK_LIMIT // 4) > self.RANK_LIMIT // 4 or \
            self._count(fts, self.RANK_LIMIT) > self.RANK_LIMIT
        if not many:
            return self._hits(fts, "rank", limit)
        # Very common words: the newest answers holding the words themselves. Whole words are read lazily, newest
        # first, where prefixes would first merge every word they begin; prefixes only top up a short list.
        hits = self._hits(whole, "rowid DESC", limit)
        if len(hits) < limit:
            seen = {h["id"] for h in hits}
            hits += [h for h in self._hits(fts, "rowid DESC", limit) if h["id"] not in seen][: limit - len(hits)]
        return hits

    def _count(self, fts: str, cap: int) -> int:
        """How many answers match, counting no further than cap + 1."""
        return self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM responses_fts WHERE responses_fts MATCH ? "
                                 "LIMIT ?)", [fts, cap + 1]).fetchone()[0]

    def _hits(self, fts: str, order: str, limit: int) -> list[dict[str, Any]]:
        """Rank and cut inside FTS5, then join only the rows kept."""
        return self.rows(
            "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
            "v.date, o.name AS organisation, hits.snippet FROM "
            f"(SELECT rowid, snippet(responses_fts, 0, '[', ']', '…', 12) AS snippet, rank FROM responses_fts "
            f"WHERE responses_fts MATCH ? ORDER BY {order} LIMIT ?) hits "
            "JOIN responses r ON r.rowid = hits.rowid JOIN visits v ON v.id = r.visit_id "
            f"JOIN organisations o ON o.id = r.organisation_id ORDER BY hits.{'rank' if order == 'rank' else 'rowid DESC'}",
            [fts, limit])

    # --- judgements -----------------------------------------------------------------------------------------

    def add_judgements(self, visit: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """Append judgements (one per phase and target). Each row: phase, aspect_id, target, kind, state, value,
        response_id."""
        stamp = now()
        with self.write():
            seq = self.conn.execute("SELECT coalesce(max(seq), 0) FROM judgements").fetchone()[0]
            for r in rows:
                seq += 1
                full = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
                        "academic_year": visit["academic_year"], "created_at": stamp, "seq": seq,
                        "state": None, "value": None, "response_id": None, **r}
                self._insert("judgements", full)
                self.log("judgement", visit_id=visit["id"], entity=full["id"], phase=full["phase"],
                         target=full["target"], state=full["state"], value=full["value"])
            self._update("visits", visit["id"], {"updated_at": stamp})

    def current_judgements(self, organisation_id: str, year: str, aspect_id: str, phase: str) -> list[dict[str, Any]]:
        """The latest judgement per target for an organisation, year, aspect and phase, across all visits."""
        return self.rows(
            "SELECT j.* FROM judgements j JOIN (SELECT target, kind, max(seq) AS seq FROM judgements "
            "WHERE organisation_id = ? AND academic_year = ? AND aspect_id = ? AND phase = ? GROUP BY target, kind) "
            "last ON last.seq = j.seq", [organisation_id, year, aspect_id, phase])

    def latest_judgement_seq(self, organisation_id: str, year: str, aspect_id: str, phase: str) -> int:
        return self.conn.execute(
            "SELECT coalesce(max(seq), 0) FROM judgements WHERE organisation_id = ? AND academic_year = ? AND "
            "aspect_id = ? AND phase = ?", [organisation_id, year, aspect_id, phase]).fetchone()[0]

    def visit_judgements(self, visit_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM judgements WHERE visit_id = ? ORDER BY seq", [visit_id])

    # --- actions --------------------------------------------------------------------------------------------

    def add_action(self, visit: dict[str, Any], text: str, owner: str = "", due_date: str | None = None,
                   aspect_id: str | None = None) -> dict[str, Any]:
        stamp = now()
        row = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
               "aspect_id": aspect_id, "text": text, "owner": owner, "due_date": due_date, "status": "open",
               "created_at": stamp, "updated_at": stamp}
        with self.write():
            self._insert("actions", row)
            self.log("action.add", visit_id=visit["id"], entity=row["id"], text=text, owner=owner, due=due_date)
        return row

    def update_action(self, action_id: str, **fields: Any) -> None:
        old = self.row("SELECT * FROM actions WHERE id = ?", [action_id])
        if old is None:
            raise UsageError(f"no action '{action_id}'")
        if "status" in fields and fields["status"] not in ("open", "done", "dropped"):
            raise UsageError(f"an action is open, done or dropped, not '{fields['status']}'")
        fields["updated_at"] = now()
        with self.write():
            self._update("actions", action_id, fields)
            self.log("action.update", visit_id=old["visit_id"], entity=action_id,
                     **{k: v for k, v in fields.items() if k != "updated_at"})

    def actions(self, visit_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM actions WHERE visit_id = ? ORDER BY created_at, rowid", [visit_id])

    def previous_visit(self, visit: dict[str, Any]) -> dict[str, Any] | None:
        row = self.row("SELECT id FROM visits WHERE organisation_id = ? AND id != ? AND "
                       "(date < ? OR (date = ? AND created_at < ?)) ORDER BY date DESC, created_at DESC LIMIT 1",
                       [visit["organisation_id"], visit["id"], visit["date"], visit["date"], visit["created_at"]])
        return self.visit(row["id"]) if row else None

    # --- ratings --------------------------------------------------------------------------------------------

    def save_rating(self, visit: dict[str, Any], phase: str, aspect_id: str, **fields: Any) -> None:
        """Create or update the visit's rating row for a phase and aspect; logged."""
        stamp = now()
        with self.write():
            found = self.row("SELECT id FROM ratings WHERE visit_id = ? AND phase = ? AND aspect_id = ?",
                             [visit["id"], phase, aspect_id])
            if found:
                self._update("ratings", found["id"], {**fields, "updated_at": stamp})
                rid = found["id"]
            else:
                rid = new_id()
                self._insert("ratings", {"id": rid, "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
                                         "academic_year": visit["academic_year"], "phase": phase,
                                         "aspect_id": aspect_id, "accepted": 0, "updated_at": stamp, **fields})
            if set(fields) - {"suggestion", "ceiling", "reason"}:
                self.log("rating.update", visit_id=visit["id"], entity=rid, phase=phase, aspect=aspect_id, **fields)

    def ratings(self, visit_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM ratings WHERE visit_id = ? ORDER BY aspect_id, phase", [visit_id])

    def events(self, visit_id: str) -> list[dict[str, Any]]:
        out = self.rows("SELECT * FROM events WHERE visit_id = ? ORDER BY seq", [visit_id])
        for r in out:
            r["payload"] = json.loads(r["payload"]) if r["payload"] else {}
        return out


def _fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must appear, each as a prefix. Little words
    ("the", "of") are left out when there is anything else to look for: as prefixes they match nearly everything."""
    words = ["".join(ch for ch in w if ch.isalnum()) for w in text.split()]
    words = [w for w in words if w]
    content = [w for w in words if w.lower() not in _LITTLE_WORDS]
    return " ".join(f'"{w}"*' for w in (content or words))


_LITTLE_WORDS = frozenset("""a an and are as at be by do for from has have in is it its of on or our so that the
their them there these they this to was we were what when which who will with""".split())


def _unindexed_hits(store: Store, fts: str, limit: int) -> list[dict[str, Any]]:
    """Answers past `search_state.indexed_to` that match an FTS query of _fts_query's form, newest first, with a
    snippet like FTS5's. A LIKE cannot stand in for the index: it ignores accents ("ecole" finds "École" in the
    index) and case beyond ASCII, so the rows are read (they are few: a batch builds up at most) and matched in
    Python with the tokenizer's rules (unicode61: letters and digits, case and diacritics folded, words as
    prefixes)."""
    has_state = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_state'"
                                   ).fetchone()
    if not has_state:
        return []  # before batches (schema 0001) every answer went into the index as it was recorded
    words = [_fold(w) for w in re.findall(r'"([^"]*)"\*', fts)]
    if not words:
        return []
    rows = store.rows(
        "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
        "v.date, o.name AS organisation FROM responses r JOIN visits v ON v.id = r.visit_id "
        "JOIN organisations o ON o.id = r.organisation_id "
        "WHERE r.rowid > (SELECT indexed_to FROM search_state WHERE id = 1) ORDER BY r.rowid DESC")
    out = []
    for r in rows:
        tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(r["text"] or "")]
        if all(any(t.startswith(w) for _, _, t in tokens) for w in words):
            r["snippet"] = _snippet(r["text"], tokens, words)
            out.append(r)
            if len(out) >= limit:
                break
    return out


_TOKEN = re.compile(r"[^\W_]+")


def _fold(word: str) -> str:
    """A word as unicode61 (remove_diacritics 2) indexes it: case-folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _snippet(text: str, tokens: list[tuple[int, int, str]], words: list[str], size: int = 12) -> str:
    """What snippet(responses_fts, 0, '[', ']', '…', 12) gives: about 12 words round the first match, each match
    in brackets."""
    hit = [any(t.startswith(w) for w in words) for _, _, t in tokens]
    first = hit.index(True) if True in hit else 0
    start = max(0, min(first - size // 4, len(tokens) - size))
    end = min(len(tokens), start + size)
    parts = []
    pos = tokens[start][0] if tokens else 0
    for i in range(start, end):
        a, b, _ = tokens[i]
        parts.append(text[pos:a])
        parts.append(f"[{text[a:b]}]" if hit[i] else text[a:b])
        pos = b
    out = "".join(parts)
    if start > 0:
        out = "…" + out
    if end < len(tokens):
        out += "…"
    return out
