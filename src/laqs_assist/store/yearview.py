"""Read-only queries of the year view (an LA with its schools, a year), and the rating cache (migration 0010)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from .actions import _SELECT as _ACTION_SELECT
from .values import now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


def _marks(ids: Iterable[Any]) -> tuple[str, list[Any]]:
    ids = list(ids)
    return ", ".join("?" for _ in ids) or "NULL", ids


class YearQueries(_Base):
    def schools_of(self, la_id: str) -> list[dict[str, Any]]:
        """The schools whose LA is `la_id`, by name."""
        return self._rows("SELECT * FROM organisations WHERE parent_id = ? ORDER BY name COLLATE NOCASE", [la_id])

    def organisations_of_kind(self, kind: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM organisations WHERE kind = ? ORDER BY name COLLATE NOCASE", [kind])

    def year_visits_of(self, organisation_ids: Iterable[str], year: str) -> list[dict[str, Any]]:
        """The visits of these organisations in an academic year, oldest first, each with its organisation's name
        and kind, its phases and the people met ("Name (role), …")."""
        marks, ids = _marks(organisation_ids)
        rows = self._rows(
            "SELECT v.id, v.organisation_id, v.agenda_id, v.phases, v.focus, v.date, v.status, v.created_at, "
            "v.author, o.name AS organisation, o.kind AS organisation_kind, "
            "(SELECT group_concat(p.name || CASE WHEN coalesce(vp.role, '') != '' THEN ' (' || vp.role || ')' "
            "ELSE '' END, ', ') FROM visit_people vp JOIN people p ON p.id = vp.person_id "
            "WHERE vp.visit_id = v.id) AS who "
            f"FROM visits v JOIN organisations o ON o.id = v.organisation_id WHERE v.organisation_id IN ({marks}) "
            "AND v.academic_year = ? ORDER BY v.date, v.created_at, v.id", [*ids, year])
        for r in rows:
            r["phases"] = json.loads(r["phases"])
            r["focus"] = json.loads(r["focus"])
            r["who"] = r["who"] or ""
        return rows

    def year_judgements_of(self, organisation_ids: Iterable[str], year: str,
                           aspect_id: str | None = None) -> list[dict[str, Any]]:
        """Every judgement of these organisations in an academic year (optionally one aspect's), oldest first by
        (created_at, id)."""
        marks, ids = _marks(organisation_ids)
        sql = (f"SELECT * FROM judgements WHERE organisation_id IN ({marks}) AND academic_year = ?"
               + (" AND aspect_id = ?" if aspect_id else "") + " ORDER BY created_at, id")
        return self._rows(sql, [*ids, year, *([aspect_id] if aspect_id else [])])

    def year_answers_of(self, organisation_ids: Iterable[str], year: str, aspect_id: str | None = None, *,
                        text: bool = True) -> list[dict[str, Any]]:
        """The answers and notes of these organisations in an academic year (optionally one aspect's), oldest
        first: id, visit_id, organisation_id, question_id, aspect_id, concerns_individual, created_at and, with
        `text`, the text (an answer concerning an individual comes with its text empty)."""
        marks, ids = _marks(organisation_ids)
        cols = "id, visit_id, organisation_id, question_id, aspect_id, concerns_individual, created_at"
        if text:
            cols += ", CASE WHEN concerns_individual THEN '' ELSE text END AS text"
        sql = (f"SELECT {cols} FROM responses WHERE organisation_id IN ({marks}) AND academic_year = ?"
               + (" AND aspect_id = ?" if aspect_id else "") + " ORDER BY created_at, rowid")
        return self._rows(sql, [*ids, year, *([aspect_id] if aspect_id else [])])

    def answer_counts_of(self, organisation_ids: Iterable[str], year: str) -> dict[str, int]:
        """aspect -> answers and notes of these organisations in an academic year."""
        marks, ids = _marks(organisation_ids)
        return {r[0]: r[1] for r in self.conn.execute(
            f"SELECT aspect_id, count(*) FROM responses WHERE organisation_id IN ({marks}) AND academic_year = ? "
            "GROUP BY aspect_id", [*ids, year])}

    def self_evaluations(self, organisation_id: str, year: str) -> dict[tuple[str, str], str]:
        """(phase, aspect) -> the organisation's own view of its rating, as last recorded at its visits that year
        (the latest visit's, by date, then when it was begun)."""
        out: dict[tuple[str, str], str] = {}
        for phase, aspect, column in self.conn.execute(
                "SELECT r.phase, r.aspect_id, r.self_evaluation FROM ratings r JOIN visits v ON v.id = r.visit_id "
                "WHERE r.organisation_id = ? AND r.academic_year = ? AND r.self_evaluation IS NOT NULL "
                "ORDER BY v.date, v.created_at, r.updated_at", [organisation_id, year]):
            out[(phase, aspect)] = column
        return out

    def visit_counts_of(self, organisation_ids: Iterable[str], year: str) -> dict[str, int]:
        """organisation id -> its visits in an academic year."""
        marks, ids = _marks(organisation_ids)
        return {r[0]: r[1] for r in self.conn.execute(
            f"SELECT organisation_id, count(*) FROM visits WHERE organisation_id IN ({marks}) AND "
            "academic_year = ? GROUP BY organisation_id", [*ids, year])}

    def actions_of(self, organisation_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The actions agreed with these organisations (every organisation with None), each with its status now
        (store/actions.py) and its organisation's name and kind, by the date of its visit."""
        sql = ("SELECT x.*, o.name AS organisation, o.kind AS organisation_kind FROM (" + _ACTION_SELECT + ") x "
               "JOIN organisations o ON o.id = x.organisation_id")
        params: list[Any] = []
        if organisation_ids is not None:
            marks, params = _marks(organisation_ids)
            sql += f" WHERE x.organisation_id IN ({marks})"
        return self._rows(sql + " ORDER BY x.visit_date, x.created_at", params)

    def latest_year(self) -> str | None:
        """The latest academic year any visit falls in."""
        return self.conn.execute("SELECT max(academic_year) FROM visits").fetchone()[0]

    # --- the rating cache ---------------------------------------------------------------------------------------

    def cached_cells(self, organisation_ids: Iterable[str], year: str,
                     parts: tuple[str, ...] = ("cells", "summary")) -> dict[tuple[str, str], dict[str, Any]]:
        """(organisation id, phase) -> {basis, sources, and each part asked for decoded (cells, summary)} for the
        rows kept for a year."""
        if not parts or set(parts) - {"cells", "summary"}:
            raise ValueError(parts)
        marks, ids = _marks(organisation_ids)
        try:
            rows = self.conn.execute(
                f"SELECT organisation_id, phase, basis, sources, {', '.join(parts)} FROM rating_cache WHERE "
                f"organisation_id IN ({marks}) AND academic_year = ?", [*ids, year]).fetchall()
        except Exception:  # noqa: BLE001 - a read-only store not yet migrated has no cache: rate afresh
            return {}
        return {(r[0], r[1]): {"basis": r[2], "sources": r[3], **{k: json.loads(v) for k, v in zip(parts, r[4:])}}
                for r in rows}

    def keep_cells(self, year: str, rows: Iterable[tuple[str, str, str, str, Any, Any]]) -> None:
        """Keep (organisation id, phase, basis, sources, cells, summary) rows for a year (cells and summary as
        JSON-able data), replacing those there."""
        stamp = now()

        def dump(x: Any) -> str:
            return json.dumps(x, separators=(",", ":"))

        self.conn.executemany(
            "INSERT OR REPLACE INTO rating_cache (organisation_id, academic_year, phase, basis, sources, cells, "
            "summary, built_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(o, year, p, b, s, dump(c), dump(m), stamp) for o, p, b, s, c, m in rows])

    def data_version(self) -> int:
        """What changes whenever another connection (another process, another thread's store) commits anything to
        the file (SQLite's PRAGMA data_version); this connection's own commits leave it as it is."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def forget_cells(self, organisation_id: str | None = None) -> None:
        """Drop kept ratings (one organisation's, or all): the next reading rates afresh."""
        with self.write():
            if organisation_id is None:
                self.conn.execute("DELETE FROM rating_cache")
            else:
                self.conn.execute("DELETE FROM rating_cache WHERE organisation_id = ?", [organisation_id])
