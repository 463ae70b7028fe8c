"""Documents kept as evidence for an aspect: the file's bytes with their SHA-256, the kind the pack names, and
whether the adviser has marked it shared (migration 0013_documents).

A document is left out of every shared output and bundle unless `shared` is 1: `documents(..., shared_only=True)`
is the one reading for anything that leaves the adviser's store.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object

# The columns read for a list: everything but the bytes.
_LISTED = ("id, visit_id, organisation_id, academic_year, aspect_id, kind, title, filename, media_type, size, "
           "sha256, shared, shared_at, created_at")


class DocumentTables(_Base):
    def add_document(self, visit: dict[str, Any], *, aspect_id: str, kind: str, title: str, filename: str,
                     content: bytes, media_type: str = "") -> tuple[dict[str, Any], bool]:
        """Keep a document for an aspect of a visit; (its row without the bytes, whether it is new). The same bytes
        attached again to the same aspect of the visit are the document already kept."""
        digest = hashlib.sha256(content).hexdigest()
        with self.write():
            found = self._row(f"SELECT {_LISTED} FROM documents WHERE visit_id = ? AND aspect_id = ? AND sha256 = ?",
                              [visit["id"], aspect_id, digest])
            if found:
                return found, False
            row = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
                   "academic_year": visit["academic_year"], "aspect_id": aspect_id, "kind": kind, "title": title,
                   "filename": filename, "media_type": media_type, "size": len(content), "sha256": digest,
                   "content": content, "shared": 0, "shared_at": None, "created_at": now()}
            self._insert("documents", row)
            self.log("document.add", visit_id=visit["id"], entity=row["id"], aspect=aspect_id, kind=kind,
                     sha256=digest, size=len(content))
            self._update("visits", visit["id"], {"updated_at": row["created_at"]})
        row.pop("content")
        return row, True

    def documents(self, *, visit_id: str | None = None, organisation_id: str | None = None,
                  year: str | None = None, aspect_id: str | None = None,
                  shared_only: bool = False) -> list[dict[str, Any]]:
        """Documents without their bytes, oldest first: a visit's, or an organisation's (in a year, for an aspect).
        `shared_only`: those the adviser marked shared, the only ones a shared output may carry."""
        where, params = [], []
        for col, value in (("visit_id", visit_id), ("organisation_id", organisation_id), ("academic_year", year),
                           ("aspect_id", aspect_id)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        if shared_only:
            where.append("shared = 1")
        cond = " AND ".join(where) or "1"
        return self._rows(f"SELECT {_LISTED} FROM documents WHERE {cond} ORDER BY created_at, id", params)

    def document(self, ref: str, visit_id: str | None = None) -> dict[str, Any] | None:
        """One document (without its bytes) by id or id prefix, optionally within a visit."""
        cond, params = "id LIKE ? || '%'", [ref]
        if visit_id is not None:
            cond += " AND visit_id = ?"
            params.append(visit_id)
        rows = self._rows(f"SELECT {_LISTED} FROM documents WHERE {cond} ORDER BY created_at, id LIMIT 2", params)
        return rows[0] if len(rows) == 1 else None

    def document_content(self, document_id: str) -> bytes | None:
        found = self._row("SELECT content FROM documents WHERE id = ?", [document_id])
        return found["content"] if found else None

    def share_document(self, document_id: str, shared: bool) -> None:
        """Mark a document shared (it may then travel in bundles and shared outputs) or keep it private again."""
        with self.write():
            self._update("documents", document_id, {"shared": 1 if shared else 0,
                                                    "shared_at": now() if shared else None})
            self.log("document.share", entity=document_id, shared=bool(shared))
