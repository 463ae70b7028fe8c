"""School reviews (migration 0014): the review beside its visit, the day plan, the interviews and the school's own
quality standards they give (versioned), the evidence against them, collations and their findings, the report's
words and the rich priorities (actions)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .values import dump, new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object

NOTE_KINDS = ("leadership", "judgement", "recommendation", "question", "point", "feedback", "discussion",
              "evaluation")
_JSON = ("team", "days", "stages", "areas", "subjects")


class ReviewTables(_Base):
    # --- the review --------------------------------------------------------------------------------------------------

    def create_review(self, *, school: str, pack_id: str, pack_version: str, title: str, team: list[str],
                      days: list[str], day_starts: str, stages: list[str], areas: list[str], subjects: list[str],
                      year: str | None = None, slots: list[dict[str, Any]] = ()) -> dict[str, Any]:
        """A review of `school`: its visit (dated the first day, the team's first member its author), the review
        row and its day plan (`slots`, each with its `activities`), in one commit."""
        with self.write():
            org = self.ensure_organisation(school, "school")
            visit = self.create_visit(organisation_id=org["id"], pack_id=pack_id, agenda_id="review", phases=[],
                                      focus=list(areas), day=days[0], author=team[0], purpose=title,
                                      people=[(name, "reviewer") for name in team], year=year,
                                      pack_version=pack_version)
            self.conn.execute("UPDATE visits SET status = 'review' WHERE id = ?", [visit["id"]])
            stamp = now()
            self._insert("reviews", {"visit_id": visit["id"], "pack_id": pack_id, "team": dump(team),
                                     "days": dump(days), "day_starts": day_starts, "stages": dump(stages),
                                     "areas": dump(areas), "subjects": dump(subjects), "discussion": "",
                                     "discussed_on": None, "discussed_with": None, "framework_version": 0,
                                     "created_at": stamp, "updated_at": stamp})
            self._write_slots(visit["id"], slots)
            self.log("review.start", visit_id=visit["id"], entity=visit["id"], team=team, days=days, stages=stages)
        return self.review(visit["id"])  # type: ignore[return-value]

    def review(self, visit_id: str) -> dict[str, Any] | None:
        row = self._row("SELECT r.*, v.organisation_id, o.name AS school, v.date, v.academic_year, v.status, "
                        "v.pack_version FROM reviews r JOIN visits v ON v.id = r.visit_id "
                        "JOIN organisations o ON o.id = v.organisation_id WHERE r.visit_id = ?", [visit_id])
        if row:
            for key in _JSON:
                row[key] = json.loads(row[key])
            row["id"] = row["visit_id"]
        return row

    def find_review(self, ref: str) -> dict[str, Any]:
        """A review by id, unique id prefix, or 'last' (the most recently changed)."""
        ref = ref.strip()
        if ref == "last":
            found = self._row("SELECT visit_id FROM reviews ORDER BY updated_at DESC LIMIT 1")
            if not found:
                raise UsageError("there are no reviews in this store yet (laqs review start SCHOOL …)")
            return self.review(found["visit_id"])  # type: ignore[return-value]
        matches = self._rows("SELECT visit_id FROM reviews WHERE visit_id LIKE ? ESCAPE '\\' LIMIT 2",
                             [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"])
        if not ref or not matches:
            raise UsageError(f"no review '{ref}' (see `laqs review list`)")
        if len(matches) > 1:
            raise UsageError(f"'{ref}' matches more than one review: give more of the id")
        return self.review(matches[0]["visit_id"])  # type: ignore[return-value]

    def reviews(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT r.visit_id FROM reviews r ORDER BY r.updated_at DESC")
        return [self.review(r["visit_id"]) for r in rows]  # type: ignore[misc]

    def update_review(self, visit_id: str, **fields: Any) -> None:
        """Change the review's own fields (team, days, day_starts, stages, areas, subjects, discussion, …)."""
        row = {k: dump(v) if k in _JSON else v for k, v in fields.items()}
        row["updated_at"] = now()
        with self.write():
            sets = ", ".join(f"{k} = ?" for k in row)
            self.conn.execute(f"UPDATE reviews SET {sets} WHERE visit_id = ?", [*row.values(), visit_id])
            self.conn.execute("UPDATE visits SET updated_at = ? WHERE id = ?", [row["updated_at"], visit_id])
            self.log("review.update", visit_id=visit_id, entity=visit_id, **fields)

    def _touch_review(self, visit_id: str) -> None:
        stamp = now()
        self.conn.execute("UPDATE reviews SET updated_at = ? WHERE visit_id = ?", [stamp, visit_id])
        self.conn.execute("UPDATE visits SET updated_at = ? WHERE id = ?", [stamp, visit_id])

    # --- the day plan ------------------------------------------------------------------------------------------------

    def _write_slots(self, visit_id: str, slots: list[dict[str, Any]]) -> None:
        stamp = now()
        for s in slots:
            sid = new_id()
            self._insert("review_slots", {"id": sid, "visit_id": visit_id, "day": s["day"], "position": s["position"],
                                          "session": s["session"], "label": s["label"], "minutes": s["minutes"],
                                          "updated_at": stamp})
            for a in s["activities"]:
                self._insert("review_activities", {"id": new_id(), "slot_id": sid, "visit_id": visit_id,
                                                   "reviewer": a["reviewer"], "kind": a["kind"],
                                                   "area_id": a.get("area") or None, "text": a["text"],
                                                   "joins": a.get("joins", 0), "updated_at": stamp})

    def replace_plan(self, visit_id: str, slots: list[dict[str, Any]]) -> None:
        """The day plan made afresh (the team's size changed): every earlier slot and activity goes."""
        with self.write():
            self.conn.execute("DELETE FROM review_activities WHERE visit_id = ?", [visit_id])
            self.conn.execute("DELETE FROM review_slots WHERE visit_id = ?", [visit_id])
            self._write_slots(visit_id, slots)
            self._touch_review(visit_id)
            self.log("review.plan", visit_id=visit_id, entity=visit_id, slots=len(slots))

    def plan(self, visit_id: str) -> list[dict[str, Any]]:
        """The day plan: its slots in order, each with its activities by reviewer."""
        slots = self._rows("SELECT * FROM review_slots WHERE visit_id = ? ORDER BY day, position", [visit_id])
        acts = self._rows("SELECT * FROM review_activities WHERE visit_id = ? ORDER BY reviewer", [visit_id])
        by_slot: dict[str, list] = {}
        for a in acts:
            by_slot.setdefault(a["slot_id"], []).append(a)
        for s in slots:
            s["activities"] = by_slot.get(s["id"], [])
        return slots

    def edit_slot(self, slot_id: str, visit_id: str, *, minutes: int | None = None,
                  label: str | None = None) -> None:
        fields: dict[str, Any] = {}
        if minutes is not None:
            fields["minutes"] = minutes
        if label is not None:
            fields["label"] = label
        if not fields:
            return
        fields["updated_at"] = now()
        with self.write():
            self._update("review_slots", slot_id, fields)
            self._touch_review(visit_id)
            self.log("review.slot", visit_id=visit_id, entity=slot_id, **fields)

    def set_activity(self, slot_id: str, visit_id: str, reviewer: int, kind: str, text: str,
                     area_id: str | None = None) -> None:
        """What a reviewer does in a session, replacing what the plan said."""
        stamp = now()
        with self.write():
            found = self._row("SELECT id FROM review_activities WHERE slot_id = ? AND reviewer = ?",
                              [slot_id, reviewer])
            if found:
                self._update("review_activities", found["id"], {"kind": kind, "text": text, "area_id": area_id,
                                                                "joins": 0, "updated_at": stamp})
            else:
                self._insert("review_activities", {"id": new_id(), "slot_id": slot_id, "visit_id": visit_id,
                                                   "reviewer": reviewer, "kind": kind, "area_id": area_id,
                                                   "text": text, "joins": 0, "updated_at": stamp})
            self._touch_review(visit_id)
            self.log("review.activity", visit_id=visit_id, entity=slot_id, reviewer=reviewer, kind=kind, text=text)

    # --- interviews and the school's standards -----------------------------------------------------------------------

    def add_interview(self, visit_id: str, area_id: str, reviewer: int, interviewees: str, text: str,
                      day: int | None = None, session: str | None = None, concerns_individual: bool = False,
                      standards: list[str] = ()) -> dict[str, Any]:
        """An interview's answer, and the standards it gives (each a criterion of the school's framework)."""
        row = {"id": new_id(), "visit_id": visit_id, "area_id": area_id, "reviewer": reviewer,
               "interviewees": interviewees, "text": text, "day": day, "session": session,
               "concerns_individual": int(concerns_individual), "created_at": now()}
        with self.write():
            self._insert("review_interviews", row)
            self.log("review.interview", visit_id=visit_id, entity=row["id"], area=area_id, reviewer=reviewer)
            for s in standards:
                self.add_standard(visit_id, area_id, s, interview_id=row["id"])
        return row

    def interviews(self, visit_id: str, include_flagged: bool = True) -> list[dict[str, Any]]:
        flagged = "" if include_flagged else " AND concerns_individual = 0"
        return self._rows(f"SELECT * FROM review_interviews WHERE visit_id = ?{flagged} ORDER BY created_at, id",
                          [visit_id])

    def _next_framework_version(self, visit_id: str) -> int:
        self.conn.execute("UPDATE reviews SET framework_version = framework_version + 1 WHERE visit_id = ?",
                          [visit_id])
        return self._row("SELECT framework_version FROM reviews WHERE visit_id = ?", [visit_id])["framework_version"]

    def add_standard(self, visit_id: str, area_id: str, text: str, interview_id: str | None = None) -> dict[str, Any]:
        """A new standard of the school: code AREA.n, the next number in its area."""
        with self.write():
            n = self._row("SELECT count(DISTINCT code) AS n FROM review_standards WHERE visit_id = ? AND "
                          "area_id = ?", [visit_id, area_id])["n"]
            row = {"id": new_id(), "visit_id": visit_id, "code": f"{area_id}.{n + 1}", "area_id": area_id,
                   "text": text, "version": 1, "replaces": None, "interview_id": interview_id, "withdrawn": 0,
                   "framework_version": self._next_framework_version(visit_id), "created_at": now()}
            self._insert("review_standards", row)
            self._touch_review(visit_id)
            self.log("review.standard", visit_id=visit_id, entity=row["id"], code=row["code"], text=text)
        return row

    def standard(self, visit_id: str, code: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM review_standards WHERE visit_id = ? AND code = ? COLLATE NOCASE "
                         "ORDER BY version DESC LIMIT 1", [visit_id, code])

    def revise_standard(self, visit_id: str, code: str, text: str | None = None,
                        withdrawn: bool = False) -> dict[str, Any]:
        """A new version of a standard (new words, or withdrawn), naming the version it replaces."""
        with self.write():
            last = self.standard(visit_id, code)
            if last is None:
                raise UsageError(f"no standard '{code}' in this review (see `laqs review standards`)")
            row = {**last, "id": new_id(), "text": text if text is not None else last["text"],
                   "version": last["version"] + 1, "replaces": last["id"], "withdrawn": int(withdrawn),
                   "framework_version": self._next_framework_version(visit_id), "created_at": now()}
            self._insert("review_standards", row)
            self._touch_review(visit_id)
            self.log("review.standard", visit_id=visit_id, entity=row["id"], code=last["code"], text=row["text"],
                     withdrawn=withdrawn, replaces=last["id"])
        return row

    def standards(self, visit_id: str, as_of: int | None = None, include_withdrawn: bool = False
                  ) -> list[dict[str, Any]]:
        """The school's standards now (or at framework version `as_of`): the latest version of each, in order."""
        limit = "" if as_of is None else " AND framework_version <= ?"
        params: list[Any] = [visit_id] + ([as_of] if as_of is not None else [])
        rows = self._rows("SELECT s.* FROM review_standards s WHERE s.visit_id = ?" + limit +
                          " AND s.version = (SELECT max(t.version) FROM review_standards t WHERE t.visit_id = "
                          "s.visit_id AND t.code = s.code" + limit.replace("framework_version", "t.framework_version")
                          + ") ORDER BY s.created_at", params + params[1:])
        rows = [r for r in rows if include_withdrawn or not r["withdrawn"]]
        first = {r["code"]: i for i, r in enumerate(self._rows(
            "SELECT code FROM review_standards WHERE visit_id = ? AND version = 1 ORDER BY created_at", [visit_id]))}
        return sorted(rows, key=lambda r: first.get(r["code"], 0))

    def standard_versions(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM review_standards WHERE visit_id = ? ORDER BY framework_version", [visit_id])

    # --- evidence, collation and findings ----------------------------------------------------------------------------

    def add_evidence(self, visit_id: str, code: str, kind: str, reviewer: int, extent: str, text: str,
                     day: int | None = None, session: str | None = None,
                     concerns_individual: bool = False) -> dict[str, Any]:
        row = {"id": new_id(), "visit_id": visit_id, "code": code, "kind": kind, "reviewer": reviewer,
               "extent": extent, "text": text, "day": day, "session": session,
               "concerns_individual": int(concerns_individual), "collation_id": None, "created_at": now()}
        with self.write():
            self._insert("review_evidence", row)
            self._touch_review(visit_id)
            self.log("review.evidence", visit_id=visit_id, entity=row["id"], code=code, kind=kind, extent=extent,
                     reviewer=reviewer)
        return row

    def evidence(self, visit_id: str, include_flagged: bool = True, code: str | None = None
                 ) -> list[dict[str, Any]]:
        where = ["visit_id = ?"]
        params: list[Any] = [visit_id]
        if not include_flagged:
            where.append("concerns_individual = 0")
        if code is not None:
            where.append("code = ? COLLATE NOCASE")
            params.append(code)
        return self._rows(f"SELECT * FROM review_evidence WHERE {' AND '.join(where)} ORDER BY created_at, id",
                          params)

    def collate(self, visit_id: str, day: int | None, session: str | None,
                findings: list[dict[str, Any]]) -> dict[str, Any]:
        """A collation session: the evidence not yet pooled joins it, and the team's finding per standard (each
        {code, extent, suggested, evidence, note}) is appended."""
        row = {"id": new_id(), "visit_id": visit_id, "day": day, "session": session, "held_at": now()}
        with self.write():
            self._insert("review_collations", row)
            pooled = self.conn.execute("UPDATE review_evidence SET collation_id = ? WHERE visit_id = ? AND "
                                       "collation_id IS NULL", [row["id"], visit_id]).rowcount
            for f in findings:
                self._insert("review_findings", {"id": new_id(), "visit_id": visit_id, "collation_id": row["id"],
                                                 "code": f["code"], "extent": f.get("extent"),
                                                 "suggested": f.get("suggested"), "evidence": f.get("evidence", 0),
                                                 "note": f.get("note", ""), "created_at": now()})
            self._touch_review(visit_id)
            self.log("review.collate", visit_id=visit_id, entity=row["id"], pooled=pooled, findings=len(findings))
        return {**row, "pooled": pooled}

    def collations(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT c.*, (SELECT count(*) FROM review_evidence e WHERE e.collation_id = c.id) AS "
                          "pooled FROM review_collations c WHERE c.visit_id = ? ORDER BY held_at", [visit_id])

    def agree_finding(self, visit_id: str, code: str, extent: str, suggested: str | None, evidence: int,
                      note: str = "") -> None:
        """The team's extent for a standard, decided outside a collation (it stands until the next)."""
        with self.write():
            self._insert("review_findings", {"id": new_id(), "visit_id": visit_id, "collation_id": None,
                                             "code": code, "extent": extent, "suggested": suggested,
                                             "evidence": evidence, "note": note, "created_at": now()})
            self._touch_review(visit_id)
            self.log("review.finding", visit_id=visit_id, entity=code, extent=extent, note=note)

    def findings(self, visit_id: str) -> dict[str, dict[str, Any]]:
        """The latest finding per standard's code."""
        rows = self._rows("SELECT * FROM review_findings WHERE visit_id = ? ORDER BY created_at, id", [visit_id])
        return {r["code"].upper(): r for r in rows}

    # --- the report's words and the rich priorities ------------------------------------------------------------------

    def add_review_note(self, visit_id: str, kind: str, text: str, area_id: str | None = None) -> dict[str, Any]:
        if kind not in NOTE_KINDS:
            raise UsageError(f"'{kind}' is not a kind of review note ({', '.join(NOTE_KINDS)})")
        row = {"id": new_id(), "visit_id": visit_id, "kind": kind, "area_id": area_id, "text": text,
               "created_at": now()}
        with self.write():
            self._insert("review_notes", row)
            self._touch_review(visit_id)
            self.log("review.note", visit_id=visit_id, entity=row["id"], kind=kind, area=area_id)
        return row

    def review_notes(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM review_notes WHERE visit_id = ? ORDER BY created_at, id", [visit_id])

    def add_priority(self, visit_id: str, text: str, owner: str, due_date: str | None, area_id: str | None,
                     support: str = "") -> dict[str, Any]:
        """A rich priority: an action with its owner (the actions table) and the support brokered for it."""
        visit = self.visit(visit_id)
        with self.write():
            action = self.add_action(visit, text, owner, due_date, aspect_id=area_id)  # type: ignore[arg-type]
            self._insert("review_priorities", {"action_id": action["id"], "visit_id": visit_id, "support": support,
                                               "created_at": now()})
            self._touch_review(visit_id)
        return action

    def priorities(self, visit_id: str) -> list[dict[str, Any]]:
        ids = self._rows("SELECT action_id, support FROM review_priorities WHERE visit_id = ? ORDER BY created_at",
                         [visit_id])
        out = []
        for r in ids:
            a = self.action(r["action_id"])
            if a:
                out.append({**a, "support": r["support"]})
        return out


__all__ = ["NOTE_KINDS", "ReviewTables"]
