"""Levels judged directly on the evidence, and documents kept as evidence: what the service does for a framework
that gives no criteria per level (the G&T quality standard's eight dimensions).

A level is judged on evidence: an answer or note on the aspect at this visit, a document attached to it, or the
evidence given with the judgement (kept as a note on the aspect). A document is read from a file, kept in the
store with its SHA-256 under one of the kinds the pack names, and stays out of shared outputs and bundles until
the adviser marks it shared.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..rating import Rating
    from .base import ServiceCore

# A document is evidence, not an archive: large enough for a plan or a policy with pictures, small enough that a
# store of a year's visits stays a file that can be copied and pooled.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def judge_level(service: "ServiceCore", aspect_id: str | None, level: str, evidence: str = "") -> list["Rating"]:
    """The level an aspect is judged at, in every phase of the visit it applies to; the ratings after it."""
    s = service._s()
    pack = service.pack
    terms = pack.terms
    if not pack.judged:
        raise UsageError(f"{pack.title} rates each {terms.aspect} from its criteria: judge those (/met ID …) "
                         "instead of a level")
    aspect_id = service.aspect(aspect_id)
    column = pack.column_of(level)
    if column is None:
        known = ", ".join(c.id for c in pack.columns)
        raise UsageError(f"'{level}' is not a {terms.rating} of {pack.title} (use {known})")
    s._require_open(allow_ended=True)
    if evidence.strip():
        s.note(evidence.strip(), aspect_id)
    if not _has_evidence(service, aspect_id):
        raise UsageError(f"{aspect_id}: nothing recorded on it at this visit; a {terms.rating} is judged on "
                         f"evidence: answer its questions, attach a document (/doc {aspect_id} KIND FILE) or give "
                         f"the evidence after a bar (/level {aspect_id} {column} | what was seen)")
    a = pack.aspects[aspect_id]
    phases = [p for p in s.phases if a.applies_to(p)]
    if not phases:
        raise UsageError(f"{aspect_id} does not apply to this visit's phases ({', '.join(s.phases)})")
    on_it = [r for r in service.store.responses(s.id) if r["aspect_id"] == aspect_id]
    rows = [{"phase": p, "aspect_id": aspect_id, "target": aspect_id, "kind": "level", "state": column,
             "response_id": on_it[-1]["id"] if on_it else None} for p in phases]
    service.store.add_judgements(s.visit, rows)
    return [s.rating(aspect_id, p) for p in phases]


def _has_evidence(service: "ServiceCore", aspect_id: str) -> bool:
    s = service._s()
    said = any(r["aspect_id"] == aspect_id and r["text"].strip() for r in service.store.responses(s.id))
    return said or bool(service.store.documents(visit_id=s.id, aspect_id=aspect_id))


def attach_document(service: "ServiceCore", aspect_id: str | None, kind: str, path: str,
                    title: str = "") -> tuple[dict[str, Any], bool]:
    """Keep the file at `path` as evidence for an aspect of the open visit; (the document, whether it is new)."""
    s = service._s()
    pack = service.pack
    if not pack.document_kinds:
        raise UsageError(f"{pack.title} names no kinds of document to keep as evidence")
    aspect_id = service.aspect(aspect_id)
    found = pack.document_kind(kind)
    if found is None:
        raise UsageError(f"'{kind}' is not a kind of document in {pack.documents_title or pack.title} (use "
                         f"{', '.join(k.id for k in pack.document_kinds)})")
    s._require_open()
    file = Path(path).expanduser()
    try:
        if not file.is_file():
            raise UsageError(f"{path}: no such file" if not file.exists() else f"{path}: not a file")
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise UsageError(f"{path}: {size / 1024 / 1024:.1f} MB; a document may be at most "
                             f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        content = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not content:
        raise UsageError(f"{path}: the file is empty")
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return service.store.add_document(s.visit, aspect_id=aspect_id, kind=found.id,
                                      title=" ".join(title.split()) or file.stem, filename=file.name,
                                      content=content, media_type=media)


def visit_documents(service: "ServiceCore") -> list[dict[str, Any]]:
    """The open visit's documents, oldest first, numbered from 1 as /share and /unshare take them."""
    return [{**d, "n": i} for i, d in enumerate(service.store.documents(visit_id=service._s().id), 1)]


def share_document(service: "ServiceCore", ref: str, shared: bool = True) -> dict[str, Any]:
    """Mark one of the open visit's documents (its number in /docs, or its id) shared, or private again."""
    docs = visit_documents(service)
    ref = ref.strip()
    found = None
    if ref.isdigit() and 1 <= int(ref) <= len(docs):
        found = docs[int(ref) - 1]
    elif ref:
        matches = [d for d in docs if d["id"].startswith(ref)]
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise UsageError(f"no document '{ref}' at this visit (see /docs)" if ref else "which document? /share N")
    service.store.share_document(found["id"], shared)
    return {**found, "shared": int(shared)}
