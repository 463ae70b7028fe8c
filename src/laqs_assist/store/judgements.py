"""Judgements: criterion states, set counts, indicator values and evidence of impact, appended, never changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class JudgementTables(_Base):
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
        return self._rows(
            "SELECT j.* FROM judgements j JOIN (SELECT target, kind, max(seq) AS seq FROM judgements "
            "WHERE organisation_id = ? AND academic_year = ? AND aspect_id = ? AND phase = ? GROUP BY target, kind) "
            "last ON last.seq = j.seq", [organisation_id, year, aspect_id, phase])

    def latest_judgement_seq(self, organisation_id: str, year: str, aspect_id: str, phase: str) -> int:
        return self.conn.execute(
            "SELECT coalesce(max(seq), 0) FROM judgements WHERE organisation_id = ? AND academic_year = ? AND "
            "aspect_id = ? AND phase = ?", [organisation_id, year, aspect_id, phase]).fetchone()[0]

    def judgements_as_of(self, visit: dict[str, Any]) -> list[dict[str, Any]]:
        """The organisation's judgements this academic year from this visit and the visits dated before it (a
        later visit does not rewrite an earlier visit's note), oldest first."""
        return self._rows(
            "SELECT j.* FROM judgements j JOIN visits v ON v.id = j.visit_id "
            "WHERE j.organisation_id = ? AND j.academic_year = ? AND "
            "(j.visit_id = ? OR v.date < ? OR (v.date = ? AND v.created_at <= ?)) ORDER BY j.seq",
            [visit["organisation_id"], visit["academic_year"], visit["id"], visit["date"], visit["date"],
             visit["created_at"]])

    def judgements_until(self, organisation_id: str, year: str, day: str) -> list[dict[str, Any]]:
        """The organisation's judgements in an academic year from visits dated on or before `day`, oldest first."""
        return self._rows(
            "SELECT j.* FROM judgements j JOIN visits v ON v.id = j.visit_id WHERE j.organisation_id = ? "
            "AND j.academic_year = ? AND v.date <= ? ORDER BY j.seq", [organisation_id, year, day])

    def visit_judgements(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM judgements WHERE visit_id = ? ORDER BY seq", [visit_id])
