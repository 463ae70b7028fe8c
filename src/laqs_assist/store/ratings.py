"""Ratings per visit, phase and aspect: the suggestion as last computed, and what the adviser did with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .judgements import visits_as_of
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

    def decide_rating(self, visit: dict[str, Any], phase: str, aspect_id: str, *, kind: str, column: str,
                      reason: str | None, suggestion: str | None, ceiling: str | None, rating_reason: str) -> None:
        """The adviser's decision on a rating, in one commit: the visit's rating row says what its review holds
        (an override and its reason, or an acceptance), and the decision is appended to rating_decisions with
        when it was made and what the criteria said then. `kind` is 'override' or 'agreed'."""
        if kind not in ("override", "agreed"):
            raise ValueError(f"unknown kind of decision {kind!r}")
        with self.write():
            override = column if kind == "override" else None
            self.save_rating(visit, phase, aspect_id, suggestion=suggestion, ceiling=ceiling, reason=rating_reason,
                             override=override, override_reason=reason if override else None, accepted=1)
            self._insert("rating_decisions", {
                "id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
                "academic_year": visit["academic_year"], "phase": phase, "aspect_id": aspect_id, "kind": kind,
                "column_id": column, "reason": reason if override else None, "suggestion": suggestion,
                "ceiling": ceiling, "decided_at": now()})

    def rating_decisions(self, organisation_id: str, year: str, *, visit: dict[str, Any] | None = None,
                         day: str | None = None) -> list[dict[str, Any]]:
        """The adviser's decisions in an academic year from the visits a reading rests on (visits_as_of), each
        with its visit's date and start: the latest visit (by date, then when it was begun) last, and within a
        visit the latest decision last."""
        cond, params = visits_as_of(visit, day)
        return self._rows(
            "SELECT d.*, v.date AS visit_date, v.created_at AS visit_created_at FROM rating_decisions d "
            "JOIN visits v ON v.id = d.visit_id WHERE d.organisation_id = ? AND d.academic_year = ? AND "
            f"{cond} ORDER BY v.date, v.created_at, v.id, d.decided_at, d.id", [organisation_id, year, *params])

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
