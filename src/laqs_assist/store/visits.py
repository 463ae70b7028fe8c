"""Visits, the people at them, and each visit's running order (agenda questions and probes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..calendar import academic_year
from ..errors import UsageError
from .values import dump, new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class VisitTables(_Base):
    def create_visit(self, *, organisation_id: str, pack_id: str, agenda_id: str, phases: list[str],
                     focus: list[str], day: str, author: str = "", purpose: str = "",
                     people: list[tuple[str, str]] = (), items: list[dict[str, Any]] = (),
                     year: str | None = None, pack_version: str = "") -> dict[str, Any]:
        """A new visit; `year` is the academic year by the pack's calendar (default: England's, from September)."""
        stamp = now()
        visit = {
            "id": new_id(), "organisation_id": organisation_id, "pack_id": pack_id, "agenda_id": agenda_id,
            "phases": dump(phases), "focus": dump(focus), "date": day, "academic_year": year or academic_year(day),
            "pack_version": pack_version,
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
                     focus=focus, date=day, pack=pack_id, pack_version=pack_version)
        return self.visit(visit["id"])

    def visit(self, visit_id: str) -> dict[str, Any] | None:
        row = self._row("SELECT v.*, o.name AS organisation, o.kind AS organisation_kind FROM visits v "
                        "JOIN organisations o ON o.id = v.organisation_id WHERE v.id = ?", [visit_id])
        if row:
            row["phases"] = json.loads(row["phases"])
            row["focus"] = json.loads(row["focus"])
            row["people"] = self._rows("SELECT p.name, vp.role FROM visit_people vp JOIN people p ON p.id = "
                                       "vp.person_id WHERE vp.visit_id = ? ORDER BY p.name", [visit_id])
        return row

    def find_visit(self, ref: str) -> dict[str, Any]:
        """A visit by id, unique id prefix, or 'last' (the most recently changed)."""
        ref = ref.strip()
        if ref == "last":
            found = self._row("SELECT id FROM visits ORDER BY updated_at DESC LIMIT 1")
            if not found:
                raise UsageError("there are no visits in this store yet")
            return self.visit(found["id"])  # type: ignore[return-value]
        matches = self._rows("SELECT id FROM visits WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
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
        out = self._rows(sql, [*params, limit])
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

    def set_visit_summary(self, visit_id: str, text: str) -> None:
        """The adviser's summary of a visit (empty text clears it: the note goes back to its draft)."""
        with self.write():
            self._update("visits", visit_id, {"summary": text, "updated_at": now()})
            self.log("visit.summary", visit_id=visit_id, entity=visit_id, chars=len(text))

    def previous_visit(self, visit: dict[str, Any]) -> dict[str, Any] | None:
        row = self._row("SELECT id FROM visits WHERE organisation_id = ? AND id != ? AND "
                        "(date < ? OR (date = ? AND created_at < ?)) ORDER BY date DESC, created_at DESC LIMIT 1",
                        [visit["organisation_id"], visit["id"], visit["date"], visit["date"], visit["created_at"]])
        return self.visit(row["id"]) if row else None

    def last_visit(self, organisation_id: str, until: str) -> dict[str, Any] | None:
        """The organisation's latest visit dated on or before `until`."""
        row = self._row("SELECT id FROM visits WHERE organisation_id = ? AND date <= ? ORDER BY date DESC, "
                        "created_at DESC LIMIT 1", [organisation_id, until])
        return self.visit(row["id"]) if row else None

    def visits_between(self, date_from: str, date_to: str,
                       organisation_id: str | None = None) -> list[dict[str, Any]]:
        """Visits dated from `date_from` to `date_to` inclusive (id, date, status, organisation), oldest first; with
        `organisation_id`, that organisation's own and those of the organisations under it (an LA's schools)."""
        sql = ("SELECT v.id, v.date, v.status, o.name AS organisation FROM visits v "
               "JOIN organisations o ON o.id = v.organisation_id WHERE v.date BETWEEN ? AND ?")
        params: list[Any] = [date_from, date_to]
        if organisation_id is not None:
            sql += " AND (o.id = ? OR o.parent_id = ?)"
            params += [organisation_id, organisation_id]
        return self._rows(sql + " ORDER BY v.date, v.created_at", params)

    def visit_count(self, organisation_id: str, year: str) -> int:
        return self.conn.execute("SELECT count(*) FROM visits WHERE organisation_id = ? AND academic_year = ?",
                                 [organisation_id, year]).fetchone()[0]

    def visit_phases(self, organisation_id: str, year: str | None = None) -> list[list[str]]:
        """The phases of each of the organisation's visits (in an academic year, or ever), oldest first."""
        sql = "SELECT phases FROM visits WHERE organisation_id = ?"
        params = [organisation_id]
        if year is not None:
            sql += " AND academic_year = ?"
            params.append(year)
        return [json.loads(r[0]) for r in self.conn.execute(sql + " ORDER BY date", params)]

    def aspects_touched(self, visit_id: str) -> set[str]:
        """The aspects a visit recorded anything against: answers, notes or judgements."""
        return {r[0] for r in self.conn.execute(
            "SELECT DISTINCT aspect_id FROM responses WHERE visit_id = ? UNION "
            "SELECT DISTINCT aspect_id FROM judgements WHERE visit_id = ?", [visit_id, visit_id])}

    # --- the running order ----------------------------------------------------------------------------------

    def items(self, visit_id: str) -> list[dict[str, Any]]:
        out = self._rows("SELECT * FROM visit_items WHERE visit_id = ? ORDER BY position", [visit_id])
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
                row["targets"] = dump(item.get("targets", []))
                self._insert("visit_items", row)
                self.log("item.add", visit_id=visit_id, entity=row["id"], kind=row["kind"], text=row["text"])

    def set_item_status(self, item_id: str, status: str, visit_id: str) -> None:
        with self.write():
            self.conn.execute("UPDATE visit_items SET status = ? WHERE id = ?", [status, item_id])
            self.log(f"item.{status}", visit_id=visit_id, entity=item_id)

    def set_position(self, visit_id: str, position: int) -> None:
        with self.write():
            self._update("visits", visit_id, {"position": position, "updated_at": now()})
