"""Joint visits with a SIP or NCA to a school: the visit, every value given to each field of its form (appended,
never changed), and the one field's half-typed draft.

A joint visit grades a named SIP: that is information about an individual's performance. These tables are read
by the adviser's own views and by the visit's own record; nothing that builds a note of visit, a briefing, a team
report or an export reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..calendar import academic_year
from ..errors import UsageError
from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object

# The latest entry of each field: no later entry (by created_at, then id) for the same visit and field.
_LATEST = ("NOT EXISTS (SELECT 1 FROM joint_visit_entries l WHERE l.joint_visit_id = e.joint_visit_id AND "
           "l.field = e.field AND (l.created_at > e.created_at OR (l.created_at = e.created_at AND l.id > e.id)))")

_LIST = ("SELECT j.*, s.name AS school, s.kind AS school_kind, la.name AS la FROM joint_visits j "
         "JOIN organisations s ON s.id = j.school_id "
         "LEFT JOIN organisations la ON la.id = j.la_id")


def _like(ref: str) -> str:
    return ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class JointVisitTables(_Base):
    def create_joint_visit(self, *, school_id: str, la_id: str | None, pack_id: str, pack_version: str,
                           form_id: str, day: str, author: str = "", year_starts: str = "09-01",
                           entries: dict[str, str] | None = None) -> dict[str, Any]:
        """A new joint visit to a school, with the form's first values (the header fields known already)."""
        stamp = now()
        row = {"id": new_id(), "school_id": school_id, "la_id": la_id, "pack_id": pack_id,
               "pack_version": pack_version, "form_id": form_id, "date": day,
               "academic_year": academic_year(day, year_starts), "sip_name": "", "author": author,
               "status": "in_progress", "position": 0, "created_at": stamp, "updated_at": stamp, "ended_at": None}
        with self.write():
            self._insert("joint_visits", row)
            self.log("joint_visit.start", entity=row["id"], school=school_id, la=la_id, form=form_id, date=day)
            for field, value in (entries or {}).items():
                self.set_joint_entry(row["id"], field, value, year_starts=year_starts)
        return self.joint_visit(row["id"])  # type: ignore[return-value]

    def joint_visit(self, joint_id: str) -> dict[str, Any] | None:
        return self._row(f"{_LIST} WHERE j.id = ?", [joint_id])

    def find_joint_visit(self, ref: str) -> dict[str, Any]:
        """A joint visit by id, unique id prefix, or 'last' (the most recently changed)."""
        ref = ref.strip()
        if ref == "last":
            found = self._row("SELECT id FROM joint_visits ORDER BY updated_at DESC LIMIT 1")
            if not found:
                raise UsageError("there are no joint visits in this store yet")
            return self.joint_visit(found["id"])  # type: ignore[return-value]
        matches = self._rows("SELECT id FROM joint_visits WHERE id LIKE ? ESCAPE '\\' LIMIT 2", [_like(ref)])
        if not ref or not matches:
            raise UsageError(f"no joint visit '{ref}' (see `laqs joint-visits` or `laqs visits`)")
        if len(matches) > 1:
            raise UsageError(f"'{ref}' matches more than one joint visit: give more of the id")
        return self.joint_visit(matches[0]["id"])  # type: ignore[return-value]

    def joint_visits(self, *, la_id: str | None = None, school_id: str | None = None, year: str | None = None,
                     sip: str | None = None, status: str | None = None, limit: int | None = None
                     ) -> list[dict[str, Any]]:
        """Joint visits, newest first (by date, then last change), narrowed as asked; `sip` matches the SIP's
        name in any case."""
        where, params = [], []
        for sql, value in (("j.la_id = ?", la_id), ("j.school_id = ?", school_id), ("j.academic_year = ?", year),
                           ("j.sip_name = ? COLLATE NOCASE", " ".join(sip.split()) if sip else None),
                           ("j.status = ?", status)):
            if value is not None:
                where.append(sql)
                params.append(value)
        sql = _LIST + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY j.date DESC, j.updated_at DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._rows(sql, params)

    # --- the form's values ------------------------------------------------------------------------------------

    def joint_entries(self, joint_id: str) -> dict[str, dict[str, Any]]:
        """field -> its latest entry (id, value, created_at, replaces)."""
        rows = self._rows(f"SELECT e.* FROM joint_visit_entries e WHERE e.joint_visit_id = ? AND {_LATEST}",
                          [joint_id])
        return {r["field"]: r for r in rows}

    def joint_history(self, joint_id: str, field: str | None = None) -> list[dict[str, Any]]:
        """Every entry of a visit (or of one field), oldest first: what each edit replaced is kept."""
        if field is None:
            return self._rows("SELECT * FROM joint_visit_entries WHERE joint_visit_id = ? ORDER BY created_at, id",
                              [joint_id])
        return self._rows("SELECT * FROM joint_visit_entries WHERE joint_visit_id = ? AND field = ? "
                          "ORDER BY created_at, id", [joint_id, field])

    def set_joint_entry(self, joint_id: str, field: str, value: str, *, position: int | None = None,
                        year_starts: str = "09-01", clear_draft: bool = False) -> dict[str, Any] | None:
        """Give a field a value: a new entry naming the one it replaces (nothing when the value is unchanged).
        The header's date and SIP name are also kept on the visit, which lists and finds it by them."""
        stamp = now()
        with self.write():
            visit = self._row("SELECT status FROM joint_visits WHERE id = ?", [joint_id])
            if visit is None:
                raise UsageError(f"no joint visit '{joint_id}'")
            if visit["status"] == "ended":
                raise UsageError("this joint visit has ended: its record is kept as it was")
            prev = self._row(f"SELECT e.id, e.value FROM joint_visit_entries e WHERE e.joint_visit_id = ? AND "
                             f"e.field = ? AND {_LATEST}", [joint_id, field])
            entry = None
            if prev is None or prev["value"] != value:
                entry = {"id": new_id(), "joint_visit_id": joint_id, "field": field, "value": value,
                         "replaces": prev["id"] if prev else None, "created_at": stamp}
                self._insert("joint_visit_entries", entry)
                self.log("joint_visit.set", entity=joint_id, field=field, entry=entry["id"],
                         replaces=entry["replaces"])
            changes: dict[str, Any] = {"updated_at": stamp}
            if field == "header:date" and value:
                changes["date"] = value
                changes["academic_year"] = academic_year(value, year_starts)
            elif field == "header:sip-name":
                changes["sip_name"] = " ".join(value.split())
            if position is not None:
                changes["position"] = position
            if clear_draft:
                self.conn.execute("DELETE FROM joint_visit_drafts WHERE joint_visit_id = ?", [joint_id])
            self._update("joint_visits", joint_id, changes)
        return entry

    def set_joint_position(self, joint_id: str, position: int) -> None:
        with self.write():
            self._update("joint_visits", joint_id, {"position": position, "updated_at": now()})

    def set_joint_status(self, joint_id: str, status: str) -> None:
        """in_progress, paused or ended (an ended visit takes no more values)."""
        stamp = now()
        with self.write():
            fields: dict[str, Any] = {"status": status, "updated_at": stamp}
            if status == "ended":
                fields["ended_at"] = stamp
                self.conn.execute("DELETE FROM joint_visit_drafts WHERE joint_visit_id = ?", [joint_id])
            self._update("joint_visits", joint_id, fields)
            self.log(f"joint_visit.{status}", entity=joint_id)

    # --- the draft --------------------------------------------------------------------------------------------

    def save_joint_draft(self, joint_id: str, field: str, text: str) -> None:
        with self.write():
            if text.strip():
                self.conn.execute("INSERT INTO joint_visit_drafts (joint_visit_id, field, text, updated_at) "
                                  "VALUES (?, ?, ?, ?) ON CONFLICT(joint_visit_id) DO UPDATE SET field = "
                                  "excluded.field, text = excluded.text, updated_at = excluded.updated_at",
                                  [joint_id, field, text, now()])
            else:
                self.conn.execute("DELETE FROM joint_visit_drafts WHERE joint_visit_id = ?", [joint_id])

    def joint_draft(self, joint_id: str) -> dict[str, Any] | None:
        return self._row("SELECT field, text, updated_at FROM joint_visit_drafts WHERE joint_visit_id = ?",
                         [joint_id])

    # --- grades across visits ---------------------------------------------------------------------------------

    def joint_visits_marker(self, la_id: str, year: str) -> str:
        """What changes whenever the joint visits to an LA's schools in a year change (a value given, a visit
        started, moved to another year or ended): for a kept rating to know when to look again."""
        row = self._row("SELECT count(*) AS n, coalesce(max(updated_at), '') AS at FROM joint_visits "
                        "WHERE la_id = ? AND academic_year = ?", [la_id, year])
        return f"{row['n']}:{row['at']}"

    def joint_grades(self, *, la_id: str | None = None, year: str | None = None, sip: str | None = None,
                     school_id: str | None = None) -> list[dict[str, Any]]:
        """Every section grade of the joint visits asked for: the visit's id, date, year, status, school, LA,
        SIP, the field (`SECTION:grade`), the grade as given and the section's evidence, oldest first."""
        where, params = ["e.field LIKE '%:grade'", "e.value != ''", _LATEST], []
        for sql, value in (("j.la_id = ?", la_id), ("j.academic_year = ?", year),
                           ("j.sip_name = ? COLLATE NOCASE", " ".join(sip.split()) if sip else None),
                           ("j.school_id = ?", school_id)):
            if value is not None:
                where.append(sql)
                params.append(value)
        rows = self._rows(
            "SELECT j.id AS joint_visit_id, j.date, j.academic_year, j.status, j.sip_name, s.name AS school, "
            "la.name AS la, e.field, e.value AS grade, e.created_at, "
            "(SELECT v.value FROM joint_visit_entries v WHERE v.joint_visit_id = e.joint_visit_id AND "
            "v.field = substr(e.field, 1, length(e.field) - 5) || 'evidence' "
            "ORDER BY v.created_at DESC, v.id DESC LIMIT 1) AS evidence "
            "FROM joint_visit_entries e JOIN joint_visits j ON j.id = e.joint_visit_id "
            "JOIN organisations s ON s.id = j.school_id LEFT JOIN organisations la ON la.id = j.la_id "
            f"WHERE {' AND '.join(where)} ORDER BY j.date, j.created_at, e.field", params)
        for r in rows:
            r["section"] = r["field"][:-len(":grade")]
        return rows

