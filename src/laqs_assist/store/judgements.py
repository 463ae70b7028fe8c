"""Judgements: criterion states, set counts, indicator values and evidence of impact, appended, never changed.

The current judgement for a target is the one made last: the latest (created_at, id). Both travel with the row,
so the rule holds for rows pooled from another adviser's store. `seq` is still written, in the order rows were
added to this file, for readers of the table that sort by it; nothing here relies on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


def visits_as_of(visit: dict[str, Any] | None = None, day: str | None = None) -> tuple[str, list[Any]]:
    """The SQL condition on a visits row `v` for the visits a reading rests on, and its parameters: with `visit`,
    that visit and those dated before it (the same day: begun no later); with `day`, those dated on or before it;
    with neither, every visit."""
    if visit is not None:
        return ("(v.id = ? OR v.date < ? OR (v.date = ? AND v.created_at <= ?))",
                [visit["id"], visit["date"], visit["date"], visit["created_at"]])
    if day is not None:
        return "v.date <= ?", [day]
    return "1", []


class JudgementTables(_Base):
    def add_judgements(self, visit: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """Append judgements (one per phase and target). Each row: phase, aspect_id, target, kind, state, value,
        response_id. Each gets its own stamp, so rows given for the same target stand in the order given."""
        with self.write():
            # The rowid SQLite gives next is max(rowid) + 1, read in one step from the table's b-tree.
            seq = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM judgements").fetchone()[0]
            stamp = None
            for r in rows:
                seq += 1
                stamp = now()
                full = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
                        "academic_year": visit["academic_year"], "created_at": stamp, "seq": seq,
                        "state": None, "value": None, "response_id": None, **r}
                self._insert("judgements", full)
                self.log("judgement", visit_id=visit["id"], entity=full["id"], phase=full["phase"],
                         target=full["target"], state=full["state"], value=full["value"])
            self._update("visits", visit["id"], {"updated_at": stamp or now()})

    def current_judgements(self, organisation_id: str, year: str, aspect_id: str, phase: str) -> list[dict[str, Any]]:
        """The latest judgement per target for an organisation, year, aspect and phase, across all visits, oldest
        first. Each target's latest is one step down idx_judgements_latest (migration 0004)."""
        return self._rows(
            "SELECT j.* FROM judgements j WHERE j.rowid IN ("
            "SELECT (SELECT k.rowid FROM judgements k WHERE k.organisation_id = ?1 AND k.academic_year = ?2 AND "
            "k.aspect_id = ?3 AND k.phase = ?4 AND k.target = t.target AND k.kind = t.kind "
            "ORDER BY k.created_at DESC, k.id DESC LIMIT 1) "
            "FROM (SELECT DISTINCT target, kind FROM judgements WHERE organisation_id = ?1 AND academic_year = ?2 "
            "AND aspect_id = ?3 AND phase = ?4) t) ORDER BY j.created_at, j.id",
            [organisation_id, year, aspect_id, phase])

    def judgements_marker(self, organisation_id: str, year: str, aspect_id: str, phase: str) -> int:
        """What changes whenever a judgement is added for an organisation, year, aspect and phase, by this process
        or another: the rowid of the one added to this file last. Any row added, a row pooled from another store
        and stamped earlier than everything here included, gets a rowid above every row already in the file. Not
        a rule for which judgement is latest (that is when it was made), only for whether to rate again: read
        from idx_judgements_latest alone (it holds each row's rowid), over the scope's few entries, where the
        newest stamp would read every row of the scope from the table."""
        return self.conn.execute(
            "SELECT coalesce(max(rowid), 0) FROM judgements WHERE organisation_id = ? AND academic_year = ? AND "
            "aspect_id = ? AND phase = ?", [organisation_id, year, aspect_id, phase]).fetchone()[0]

    def judgements_as_of(self, visit: dict[str, Any]) -> list[dict[str, Any]]:
        """The organisation's judgements this academic year from this visit and the visits dated before it (a
        later visit does not rewrite an earlier visit's note), oldest first."""
        return self._rows(
            "SELECT j.* FROM judgements j JOIN visits v ON v.id = j.visit_id "
            "WHERE j.organisation_id = ? AND j.academic_year = ? AND "
            "(j.visit_id = ? OR v.date < ? OR (v.date = ? AND v.created_at <= ?)) ORDER BY j.created_at, j.id",
            [visit["organisation_id"], visit["academic_year"], visit["id"], visit["date"], visit["date"],
             visit["created_at"]])

    def year_judgement_rows(self, organisation_id: str, year: str, *, visit: dict[str, Any] | None = None,
                            day: str | None = None) -> list[dict[str, Any]]:
        """The organisation's judgements in an academic year from the visits a reading rests on (visits_as_of),
        oldest first by (created_at, id). An LA's include those made at its schools' visits: what headteachers
        say of the LA is evidence for its rating (triangulation), read by the same rule as the year view's."""
        cond, params = visits_as_of(visit, day)
        return self._rows(
            "SELECT j.* FROM judgements j JOIN visits v ON v.id = j.visit_id WHERE (j.organisation_id = ? OR "
            "j.organisation_id IN (SELECT id FROM organisations WHERE parent_id = ?)) "
            f"AND j.academic_year = ? AND {cond} ORDER BY j.created_at, j.id",
            [organisation_id, organisation_id, year, *params])

    def judgements_until(self, organisation_id: str, year: str, day: str) -> list[dict[str, Any]]:
        """The organisation's judgements in an academic year from visits dated on or before `day`, oldest first."""
        return self._rows(
            "SELECT j.* FROM judgements j JOIN visits v ON v.id = j.visit_id WHERE j.organisation_id = ? "
            "AND j.academic_year = ? AND v.date <= ? ORDER BY j.created_at, j.id", [organisation_id, year, day])

    def visit_judgements(self, visit_id: str) -> list[dict[str, Any]]:
        """A visit's judgements, oldest first."""
        return self._rows("SELECT * FROM judgements WHERE visit_id = ? ORDER BY created_at, id", [visit_id])
