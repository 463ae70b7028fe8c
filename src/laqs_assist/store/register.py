"""The school register's tables: an LA's schools and the append-only entries that are their history.

`RegisterTables(store)` works over a Store's connection and transactions. Entries are never changed or deleted
(triggers refuse it): a school's level, stage of concern or escalation step is the latest entry of its kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ..errors import UsageError
from .values import dump, new_id, now

if TYPE_CHECKING:
    from . import Store

STATE_KINDS = ("level", "stage", "escalation")
ENTRY_KINDS = STATE_KINDS + ("strand", "visit", "report", "support", "review", "details", "letter")


class RegisterTables:
    def __init__(self, store: "Store") -> None:
        self.store = store

    # --- the LA and its schools ---------------------------------------------------------------------------

    def la_pack(self, la_id: str) -> str | None:
        row = self.store._row("SELECT pack_id FROM register_las WHERE la_id = ?", [la_id])
        return row["pack_id"] if row else None

    def set_la_pack(self, la_id: str, pack_id: str) -> None:
        with self.store.write():
            if self.la_pack(la_id) is None:
                self.store._insert("register_las", {"la_id": la_id, "pack_id": pack_id, "created_at": now()})
                self.store.log("register.la", entity=la_id, pack_id=pack_id)

    def register_las(self) -> list[dict[str, Any]]:
        return self.store._rows("SELECT o.id, o.name, r.pack_id, (SELECT count(*) FROM register_schools s "
                                "WHERE s.la_id = o.id) AS schools FROM register_las r JOIN organisations o "
                                "ON o.id = r.la_id ORDER BY o.name COLLATE NOCASE")

    def add_school(self, la_id: str, organisation_id: str, name: str, urn: str, phase: str, kind: str,
                   head_start: str | None) -> dict[str, Any]:
        with self.store.write():
            same = self.store._row("SELECT name FROM register_schools WHERE la_id = ? AND urn = ?", [la_id, urn])
            if same:
                raise UsageError(f"URN {urn} is already on the register ({same['name']})")
            if self.store._row("SELECT 1 FROM register_schools WHERE organisation_id = ?", [organisation_id]):
                raise UsageError(f"{name} is already on the register")
            at = now()
            row = {"id": new_id(), "la_id": la_id, "organisation_id": organisation_id, "name": name, "urn": urn,
                   "phase": phase, "kind": kind, "head_start": head_start, "created_at": at, "updated_at": at}
            self.store._insert("register_schools", row)
            self.store.log("register.school", entity=row["id"], name=name, urn=urn)
            return row

    def update_school(self, school: dict[str, Any], changes: dict[str, Any], entry: dict[str, Any]) -> None:
        """Change a school's details, keeping what they were as a `details` entry."""
        cols = ", ".join(f"{k} = ?" for k in changes)
        with self.store.write():
            self.store.conn.execute(f"UPDATE register_schools SET {cols}, updated_at = ? WHERE id = ?",
                                    [*changes.values(), now(), school["id"]])
            self.add_entry(entry)

    def schools(self, la_id: str) -> list[dict[str, Any]]:
        return self.store._rows("SELECT * FROM register_schools WHERE la_id = ? ORDER BY name COLLATE NOCASE",
                                [la_id])

    def find_school(self, la_id: str, ref: str) -> dict[str, Any] | None:
        """A school by URN, id or name (any case)."""
        return self.store._row("SELECT * FROM register_schools WHERE la_id = ? AND (urn = ? OR id = ? OR "
                               "name = ? COLLATE NOCASE) LIMIT 1", [la_id, ref, ref, " ".join(ref.split())])

    # --- entries --------------------------------------------------------------------------------------------

    def add_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        return self.add_entries([entry])[0]

    def add_entries(self, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append entries in one transaction (a whole review is one commit)."""
        out = []
        with self.store.write():
            for e in entries:
                if e["kind"] not in ENTRY_KINDS:
                    raise ValueError(f"unknown register entry kind {e['kind']!r}")
                row = {"id": new_id(), "la_id": e["la_id"], "school_id": e.get("school_id"), "kind": e["kind"],
                       "value": e.get("value", ""), "days": e.get("days"), "on_date": e["on_date"],
                       "academic_year": e["academic_year"], "reason": e.get("reason", ""),
                       "evidence": dump(list(e.get("evidence", ()))), "by_whom": e.get("by_whom", ""),
                       "rule": e.get("rule", ""), "concerns_individual": int(bool(e.get("concerns_individual"))),
                       "created_at": e.get("created_at") or now()}
                row["seq"] = self.store._insert("register_entries", row)
                out.append(row)
            if out:
                self.store.log("register.entries", entity=out[0]["la_id"], count=len(out),
                               kinds=sorted({r["kind"] for r in out}))
        return out

    def latest(self, la_id: str, as_of: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """(school id, kind) -> the latest level, stage and escalation entry of each school, on or before `as_of`
        (a day) when given; the order is the day it took effect, then the order recorded. One index seek per
        school and kind."""
        day = as_of or "9999-12-31"
        rows = self.store._rows(
            "SELECT e.* FROM register_schools s JOIN (SELECT 'level' AS k UNION ALL SELECT 'stage' UNION ALL "
            "SELECT 'escalation') kinds JOIN register_entries e ON e.seq = (SELECT x.seq FROM register_entries x "
            "WHERE x.school_id = s.id AND x.kind = kinds.k AND x.on_date <= ? ORDER BY x.on_date DESC, x.seq DESC "
            "LIMIT 1) WHERE s.la_id = ?", [day, la_id])
        return {(r["school_id"], r["kind"]): r for r in rows}

    def level_since(self, la_id: str, as_of: str) -> dict[str, str]:
        """School id -> the day it came to the level it is at on `as_of`: the first of the latest run of entries
        with that level (a review that keeps a level is no change)."""
        rows = self.store._rows(
            "WITH cur AS (SELECT s.id AS sid, (SELECT x.value FROM register_entries x WHERE x.school_id = s.id AND "
            "x.kind = 'level' AND x.on_date <= :day ORDER BY x.on_date DESC, x.seq DESC LIMIT 1) AS value "
            "FROM register_schools s WHERE s.la_id = :la), "
            "brk AS (SELECT cur.sid, cur.value, (SELECT max(x.on_date) FROM register_entries x WHERE "
            "x.school_id = cur.sid AND x.kind = 'level' AND x.on_date <= :day AND x.value != cur.value) AS changed "
            "FROM cur WHERE cur.value IS NOT NULL) "
            "SELECT sid, (SELECT min(x.on_date) FROM register_entries x WHERE x.school_id = brk.sid AND "
            "x.kind = 'level' AND x.on_date <= :day AND x.on_date > coalesce(brk.changed, '')) AS since FROM brk",
            {"day": as_of, "la": la_id})
        return {r["sid"]: r["since"] for r in rows}

    def entries(self, school_id: str, kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
        kinds = list(kinds)
        where = f" AND kind IN ({', '.join('?' for _ in kinds)})" if kinds else ""
        return self.store._rows(f"SELECT * FROM register_entries WHERE school_id = ?{where} "
                                "ORDER BY on_date, seq", [school_id, *kinds])

    def la_entries(self, la_id: str, kind: str, year: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM register_entries WHERE la_id = ? AND kind = ?"
        params: list[Any] = [la_id, kind]
        if year:
            sql += " AND academic_year = ?"
            params.append(year)
        return self.store._rows(sql + " ORDER BY on_date, seq", params)

    def histories(self, la_id: str, kind: str) -> dict[str, list[tuple[str, str]]]:
        """School id -> its (day, value) entries of one kind (level, stage), in the order they took effect."""
        out: dict[str, list[tuple[str, str]]] = {}
        for r in self.store._rows("SELECT school_id, on_date, value FROM register_entries WHERE la_id = ? AND "
                                  "kind = ? ORDER BY school_id, on_date, seq", [la_id, kind]):
            out.setdefault(r["school_id"], []).append((r["on_date"], r["value"]))
        return out

    def visit_days(self, la_id: str, year: str, on: str) -> dict[str, list[str]]:
        """School id -> the days of its visits in the year up to `on`: those recorded on the register and those
        made with the interview engine at the school."""
        out: dict[str, list[str]] = {}
        for r in self.store._rows(
                "SELECT school_id AS sid, on_date AS day FROM register_entries WHERE la_id = ? AND kind = 'visit' "
                "AND academic_year = ? AND on_date <= ? UNION ALL "
                "SELECT s.id AS sid, v.date AS day FROM visits v JOIN register_schools s "
                "ON s.organisation_id = v.organisation_id WHERE s.la_id = ? AND v.academic_year = ? AND v.date <= ?",
                [la_id, year, on, la_id, year, on]):
            out.setdefault(r["sid"], []).append(r["day"])
        return out

    def counts(self, la_id: str, kind: str, year: str, on: str) -> dict[str, int]:
        return {r["school_id"]: r["n"] for r in self.store._rows(
            "SELECT school_id, count(*) AS n FROM register_entries WHERE la_id = ? AND kind = ? AND "
            "academic_year = ? AND on_date <= ? GROUP BY school_id", [la_id, kind, year, on])}

    def support_days(self, la_id: str, year: str) -> dict[str, dict[str, float]]:
        """School id -> kind of support (support, audit, monitoring) -> days recorded in the year."""
        out: dict[str, dict[str, float]] = {}
        for r in self.store._rows("SELECT school_id, value, sum(days) AS days FROM register_entries WHERE la_id = ? "
                                  "AND kind = 'support' AND academic_year = ? GROUP BY school_id, value",
                                  [la_id, year]):
            out.setdefault(r["school_id"], {})[r["value"]] = r["days"] or 0.0
        return out

    def last_reviewed(self, la_id: str, as_of: str = "9999-12-31") -> dict[str, str]:
        """School id -> the last day it was reviewed on or before `as_of` (a review or a level entry counts)."""
        rows = self.store._rows(
            "SELECT s.id AS sid, max(coalesce((SELECT max(x.on_date) FROM register_entries x WHERE "
            "x.school_id = s.id AND x.kind = 'review' AND x.on_date <= :day), ''), coalesce((SELECT max(x.on_date) "
            "FROM register_entries x WHERE x.school_id = s.id AND x.kind = 'level' AND x.on_date <= :day), '')) "
            "AS day FROM register_schools s WHERE s.la_id = :la", {"day": as_of, "la": la_id})
        return {r["sid"]: r["day"] for r in rows if r["day"]}

    def last_seq(self, la_id: str) -> int:
        """The newest entry's number for an LA (0 if none): it changes whenever the LA's register does."""
        row = self.store._row("SELECT max(seq) AS seq FROM register_entries WHERE la_id = ?", [la_id])
        return int(row["seq"] or 0) if row else 0

    def review_days(self, la_id: str, year: str) -> list[tuple[str, str]]:
        """(school id, day) of every review of a school in the year (a review or a level entry counts)."""
        return [(r["school_id"], r["on_date"]) for r in self.store._rows(
            "SELECT school_id, on_date FROM register_entries WHERE la_id = ? AND academic_year = ? AND "
            "school_id IS NOT NULL AND kind IN ('review', 'level')", [la_id, year])]


__all__ = ["ENTRY_KINDS", "STATE_KINDS", "RegisterTables"]
