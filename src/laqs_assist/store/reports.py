"""Read-only queries for briefings and the team report: questions answered, actions still open, LAs and their
visits over a date range. Nothing here writes.

An action is still open unless it is done or dropped (a carried-forward action is still to do); it is overdue on a
day when its due date is before that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .actions import DUE_NOW as _DUE_NOW

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object

CLOSED = ("done", "dropped")


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


class ReportQueries(_Base):
    def answered_questions(self, organisation_id: str, year: str, until: str) -> set[str]:
        """The agenda questions the organisation answered in an academic year at visits dated on or before
        `until` (an answer flagged as concerning an individual still counts as the question asked)."""
        return {r["question_id"] for r in self._rows(
            "SELECT DISTINCT r.question_id FROM responses r JOIN visits v ON v.id = r.visit_id "
            "WHERE r.organisation_id = ? AND r.academic_year = ? AND v.date <= ? AND r.question_id IS NOT NULL",
            [organisation_id, year, until])}

    def open_actions(self, organisation_ids: Iterable[str], until: str) -> list[dict[str, Any]]:
        """Actions agreed at the organisations' visits dated on or before `until` and neither done nor dropped,
        with the visit's date and the organisation's name; the earliest due first (undated last)."""
        ids = list(organisation_ids)
        if not ids:
            return []
        return self._rows(
            f"SELECT a.*, {_DUE_NOW} AS due_date, v.date AS visit_date, o.name AS organisation FROM actions a "
            "JOIN visits v ON v.id = a.visit_id JOIN organisations o ON o.id = a.organisation_id "
            f"WHERE a.organisation_id IN ({_marks(len(ids))}) AND v.date <= ? "
            f"AND a.status NOT IN ({_marks(len(CLOSED))}) "
            f"ORDER BY {_DUE_NOW} IS NULL, {_DUE_NOW}, v.date, a.created_at, a.rowid", [*ids, until, *CLOSED])

    def local_authorities(self, names: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The LAs in the store by name (every one without `names`), with their schools' ids as `schools`."""
        las = self._rows("SELECT * FROM organisations WHERE kind = 'LA' ORDER BY name COLLATE NOCASE")
        kids: dict[str, list[str]] = {}
        for r in self._rows("SELECT id, parent_id FROM organisations WHERE parent_id IS NOT NULL"):
            kids.setdefault(r["parent_id"], []).append(r["id"])
        for la in las:
            la["schools"] = kids.get(la["id"], [])
        return las

    def visits_by_la(self, date_from: str, date_to: str) -> dict[str, list[dict[str, Any]]]:
        """LA id -> the visits dated from `date_from` to `date_to` inclusive to the LA or one of its schools,
        oldest first (id, date, status, agenda, author, organisation and its kind)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._rows(
                "SELECT v.id, v.date, v.status, v.agenda_id, v.author, v.created_at, o.name AS organisation, "
                "o.kind AS organisation_kind, COALESCE(CASE WHEN o.kind = 'LA' THEN o.id END, o.parent_id) AS la_id "
                "FROM visits v JOIN organisations o ON o.id = v.organisation_id "
                "WHERE v.date BETWEEN ? AND ? ORDER BY v.date, v.created_at", [date_from, date_to]):
            if r["la_id"]:
                out.setdefault(r["la_id"], []).append(r)
        return out

    def overdue_actions_by_la(self, day: str) -> dict[str, list[dict[str, Any]]]:
        """LA id -> actions of the LA and its schools due before `day`, agreed at visits on or before it, and
        neither done nor dropped; the earliest due first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._rows(
                f"SELECT a.id, a.text, a.owner, {_DUE_NOW} AS due_date, a.status, a.aspect_id, v.date AS visit_date, "
                "o.name AS organisation, COALESCE(CASE WHEN o.kind = 'LA' THEN o.id END, o.parent_id) AS la_id "
                "FROM actions a JOIN visits v ON v.id = a.visit_id JOIN organisations o ON o.id = a.organisation_id "
                f"WHERE {_DUE_NOW} IS NOT NULL AND {_DUE_NOW} < ? AND v.date <= ? "
                f"AND a.status NOT IN ({_marks(len(CLOSED))}) ORDER BY {_DUE_NOW}, v.date, a.rowid",
                [day, day, *CLOSED]):
            if r["la_id"]:
                out.setdefault(r["la_id"], []).append(r)
        return out
