"""Answers and notes, the earlier wordings of edited ones, and the answer box's unsent draft."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .db import StoreError
from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class ResponseTables(_Base):
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
        return self._row("SELECT * FROM responses WHERE id = ?", [response_id])

    def last_answered(self, visit_id: str) -> dict[str, Any] | None:
        """The visit's answer recorded or replaced last (by any window): the event log says which."""
        found = self.conn.execute("SELECT entity FROM events WHERE visit_id = ? AND kind IN ('response.add', "
                                  "'response.edit') ORDER BY seq DESC LIMIT 1", [visit_id]).fetchone()
        return self.response(found[0]) if found else None

    def visit_responses_by_prefix(self, visit_id: str, prefix: str) -> list[dict[str, Any]]:
        """At most two of a visit's responses whose id starts with `prefix` (two means it is ambiguous)."""
        return self._rows("SELECT * FROM responses WHERE visit_id = ? AND substr(id, 1, ?) = ? LIMIT 2",
                          [visit_id, len(prefix), prefix.lower()])

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
        return self._rows(sql + " ORDER BY created_at, rowid", [visit_id])

    def response_versions(self, response_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM response_versions WHERE response_id = ? ORDER BY replaced_at", [response_id])

    def coverage(self, organisation_id: str, year: str) -> dict[str, int]:
        """Responses per aspect for an organisation in an academic year."""
        return {r["aspect_id"]: r["n"] for r in self._rows(
            "SELECT aspect_id, count(*) AS n FROM responses WHERE organisation_id = ? AND academic_year = ? "
            "GROUP BY aspect_id", [organisation_id, year])}

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
            return self._row("SELECT * FROM drafts WHERE visit_id = ?", [visit_id])
        except StoreError:
            return None  # a store read but not migrated (read-only) has no drafts table
