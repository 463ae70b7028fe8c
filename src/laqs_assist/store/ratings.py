"""Ratings per visit, phase and aspect: the suggestion as last computed, and what the adviser did with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class RatingTables(_Base):
    def save_rating(self, visit: dict[str, Any], phase: str, aspect_id: str, **fields: Any) -> None:
        """Create or update the visit's rating row for a phase and aspect; logged."""
        stamp = now()
        with self.write():
            found = self._row("SELECT id FROM ratings WHERE visit_id = ? AND phase = ? AND aspect_id = ?",
                              [visit["id"], phase, aspect_id])
            if found:
                self._update("ratings", found["id"], {**fields, "updated_at": stamp})
                rid = found["id"]
            else:
                rid = new_id()
                self._insert("ratings", {"id": rid, "visit_id": visit["id"],
                                         "organisation_id": visit["organisation_id"],
                                         "academic_year": visit["academic_year"], "phase": phase,
                                         "aspect_id": aspect_id, "accepted": 0, "updated_at": stamp, **fields})
            if set(fields) - {"suggestion", "ceiling", "reason"}:
                self.log("rating.update", visit_id=visit["id"], entity=rid, phase=phase, aspect=aspect_id, **fields)

    def rating_overrides(self, organisation_id: str, year: str) -> dict[tuple[str, str], str]:
        """(phase, aspect) -> the adviser's override last made in any of the organisation's visits that year."""
        return {(r[0], r[1]): r[2] for r in self.conn.execute(
            "SELECT phase, aspect_id, override FROM ratings WHERE organisation_id = ? AND academic_year = ? AND "
            "override IS NOT NULL ORDER BY updated_at, id", [organisation_id, year])}

    def ratings_until(self, organisation_id: str, year: str, day: str) -> list[dict[str, Any]]:
        """The organisation's rating rows in an academic year from visits dated on or before `day`, the latest
        visit's last."""
        return self._rows(
            "SELECT r.* FROM ratings r JOIN visits v ON v.id = r.visit_id WHERE r.organisation_id = ? "
            "AND r.academic_year = ? AND v.date <= ? ORDER BY v.date, v.created_at", [organisation_id, year, day])

    def ratings(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM ratings WHERE visit_id = ? ORDER BY aspect_id, phase", [visit_id])
