"""School reviews: start a review with its team and days, record the stage 1 discussion, edit the day plan,
record the interviews whose answers become the school's own quality standards, record evidence against them, pool
it at collation sessions, add the report's words and the rich priorities, cost the stages chosen. The report as a
Word document is the application's (app/reviews.py).

The review pack (`kind: review`, the Leadership and Learning Quality Review by default) says what a review holds;
the store keeps it; this module decides what a command means and refuses what does not fit, in one line.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import UsageError

if TYPE_CHECKING:
    from ..packs.review_model import ReviewPack
    from ..store import Store

DEFAULT_REVIEW_PACK = "llqr"
MAX_TEXT = 20_000  # characters in one answer, piece of evidence or note
_EXTENT_WORDS = {"evident": "evident", "yes": "evident", "partly": "partly", "partly-evident": "partly",
                 "partly evident": "partly", "partial": "partly", "not-evident": "not-evident",
                 "not evident": "not-evident", "not": "not-evident", "no": "not-evident"}


class Activity(NamedTuple):
    reviewer: int
    name: str
    kind: str
    text: str
    area: str
    joins: int  # 0, or the reviewer whose activity this one joins


class PlanRow(NamedTuple):
    day: int
    session: str  # "" for a break
    label: str  # a break's name
    minutes: int
    starts: str  # HH:MM
    ends: str
    activities: tuple[Activity, ...]


class DayPlan(NamedTuple):
    review_id: str
    school: str
    team: tuple[str, ...]
    days: tuple[str, ...]  # the dates
    rows: tuple[PlanRow, ...]
    note: str

    def day_rows(self, day: int) -> list[PlanRow]:
        return [r for r in self.rows if r.day == day]

    def reviewer_sessions(self, reviewer: int, day: int) -> list[tuple[PlanRow, Activity]]:
        return [(r, a) for r in self.day_rows(day) for a in r.activities if a.reviewer == reviewer]


class Standing(NamedTuple):
    """One of the school's standards and how far it is evident so far."""

    code: str
    area: str
    text: str
    version: int
    counts: dict[str, int]  # extent id -> pieces of evidence
    by_reviewer: dict[int, int]
    suggested: str | None  # from all the evidence recorded against it
    agreed: str | None  # the team's latest finding
    pooled: int  # pieces of evidence pooled at a collation


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "school"


def _clock(start: str, minutes: int) -> str:
    t = datetime.strptime(start, "%H:%M") + timedelta(minutes=minutes)
    return t.strftime("%H:%M")


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise UsageError(f"{what} is empty: say what was found")
    if len(value) > MAX_TEXT:
        raise UsageError(f"{what} is {len(value):,} characters long; the most one entry takes is {MAX_TEXT:,}")
    return value


class ReviewDesk:
    """Reviews in one store, with the review pack they use (one pack; each review records its id)."""

    def __init__(self, store: "Store", pack: "ReviewPack | None" = None) -> None:
        self.store = store
        self._pack = pack

    # --- the pack ----------------------------------------------------------------------------------------------------

    @property
    def pack(self) -> "ReviewPack":
        if self._pack is None:
            self._pack = open_review_pack(DEFAULT_REVIEW_PACK)
        return self._pack

    def pack_of(self, review: dict[str, Any]) -> "ReviewPack":
        if review["pack_id"] == self.pack.id:
            return self.pack
        return open_review_pack(review["pack_id"])

    # --- a review ----------------------------------------------------------------------------------------------------

    def _stages(self, pack: "ReviewPack", stages: list[str] | None) -> list[str]:
        if not stages:
            return [s.id for s in pack.stages if not s.optional]
        known = [s.id for s in pack.stages]
        for s in stages:
            if s not in known:
                raise UsageError(f"no stage '{s}' in the {pack.title} (stages: {', '.join(known)})")
        for s in pack.stages:
            if not s.optional and s.id not in stages:
                raise UsageError(f"stage {s.id} ({s.title}) is part of every review; optional stages: "
                                 f"{', '.join(x.id for x in pack.stages if x.optional)}")
        return [s for s in known if s in stages]

    def _areas(self, pack: "ReviewPack", areas: list[str] | None) -> list[str]:
        if not areas:
            return [a.id for a in pack.areas]
        out = []
        for a in areas:
            try:
                out.append(pack.area(a).id)
            except KeyError:
                raise UsageError(f"no area '{a}' (areas: {', '.join(x.id + ' ' + x.title for x in pack.areas)})"
                                 ) from None
        return out

    def area_id(self, pack: "ReviewPack", area: str) -> str:
        try:
            return pack.area(area).id
        except KeyError:
            raise UsageError(f"no area '{area}' (areas: {', '.join(a.id + ' ' + a.title for a in pack.areas)})"
                             ) from None

    def _team(self, pack: "ReviewPack", team: list[str]) -> list[str]:
        names = [" ".join(t.split()) for t in team if t.strip()]
        if len(names) < pack.team_min:
            raise UsageError(f"the {pack.title} is conducted by a team of {pack.team_min} or more; name each "
                             "reviewer with --reviewer NAME")
        if len(names) > pack.team_max:
            raise UsageError(f"a team of at most {pack.team_max} (the pack's team: max)")
        if len({n.lower() for n in names}) != len(names):
            raise UsageError("two reviewers have the same name: give each a name of their own")
        return names

    def _days(self, pack: "ReviewPack", days: list[str]) -> list[str]:
        need = len(pack.days)
        if len(days) == 1 and need > 1:
            # from the first day, on school days: a weekend between is skipped
            first = _date(days[0])
            out, d = [], first
            while len(out) < need:
                if d.weekday() < 5:
                    out.append(d.isoformat())
                d += timedelta(days=1)
            return out
        if len(days) != need:
            raise UsageError(f"the review takes {need} days: give the first day, or all {need} (--day DATE)")
        parsed = [_date(d) for d in days]
        if parsed != sorted(set(parsed)):
            raise UsageError("the review's days must be different days, in order")
        return [d.isoformat() for d in parsed]

    def _plan_rows(self, pack: "ReviewPack", team: int) -> list[dict[str, Any]]:
        rows = []
        for d in pack.timetable(team):
            for i, s in enumerate(d.slots):
                rows.append({"day": d.day, "position": i, "session": s.session, "label": s.label,
                             "minutes": s.minutes,
                             "activities": [{"reviewer": k + 1, "kind": a.kind, "text": a.text, "area": a.area,
                                             "joins": a.joins} for k, a in enumerate(s.activities)]})
        return rows

    def start(self, school: str, team: list[str], days: list[str], stages: list[str] | None = None,
              areas: list[str] | None = None, subjects: list[str] | None = None,
              day_starts: str | None = None) -> dict[str, Any]:
        pack = self.pack
        if not " ".join(school.split()):
            raise UsageError("a review needs the school's name")
        names = self._team(pack, team)
        starts = _time(day_starts or pack.day_starts)
        return self.store.create_review(
            school=school, pack_id=pack.id, pack_version=pack.version, title=pack.title, team=names,
            days=self._days(pack, days), day_starts=starts, stages=self._stages(pack, stages),
            areas=self._areas(pack, areas), subjects=[" ".join(s.split()) for s in subjects or () if s.strip()],
            slots=self._plan_rows(pack, len(names)))

    def get(self, ref: str) -> dict[str, Any]:
        return self.store.find_review(ref)

    def list(self) -> list[dict[str, Any]]:
        return self.store.reviews()

    def discuss(self, ref: str, text: str, on: str | None = None, with_whom: str = "",
                areas: list[str] | None = None, subjects: list[str] | None = None) -> dict[str, Any]:
        """Stage 1: the initial discussion, and the focus it agreed (areas, subjects) when given."""
        r = self.get(ref)
        pack = self.pack_of(r)
        fields: dict[str, Any] = {"discussion": _text(text, "the discussion"),
                                  "discussed_on": _date(on).isoformat() if on else date.today().isoformat(),
                                  "discussed_with": " ".join(with_whom.split()) or None}
        if areas:
            fields["areas"] = self._areas(pack, areas)
        if subjects is not None and subjects:
            fields["subjects"] = [" ".join(s.split()) for s in subjects if s.strip()]
        self.store.update_review(r["id"], **fields)
        return self.get(r["id"])

    def set_stages(self, ref: str, stages: list[str]) -> dict[str, Any]:
        r = self.get(ref)
        self.store.update_review(r["id"], stages=self._stages(self.pack_of(r), stages))
        return self.get(r["id"])

    def set_team(self, ref: str, team: list[str]) -> dict[str, Any]:
        """A new team; a team of another size gets the suggested plan for its size afresh (edits to the plan go)."""
        r = self.get(ref)
        pack = self.pack_of(r)
        names = self._team(pack, team)
        self.store.update_review(r["id"], team=names)
        if len(names) != len(r["team"]):
            self.store.replace_plan(r["id"], self._plan_rows(pack, len(names)))
        return self.get(r["id"])

    def cost(self, ref: str, stages: list[str] | None = None) -> tuple[float, list[str]]:
        r = self.get(ref)
        pack = self.pack_of(r)
        chosen = self._stages(pack, stages) if stages else r["stages"]
        return pack.cost(chosen, len(r["team"]))

    # --- the day plan ------------------------------------------------------------------------------------------------

    def day_plan(self, ref: str) -> DayPlan:
        r = self.get(ref)
        pack = self.pack_of(r)
        team = r["team"]
        rows = []
        clock: dict[int, str] = {}
        for s in self.store.plan(r["id"]):
            start = clock.get(s["day"], r["day_starts"])
            end = _clock(start, s["minutes"])
            clock[s["day"]] = end
            acts = tuple(Activity(a["reviewer"], team[a["reviewer"] - 1] if a["reviewer"] <= len(team) else
                                  f"Reviewer {a['reviewer']}", a["kind"], a["text"], a["area_id"] or "", a["joins"])
                         for a in s["activities"])
            rows.append(PlanRow(s["day"], s["session"], s["label"], s["minutes"], start, end, acts))
        return DayPlan(r["id"], r["school"], tuple(team), tuple(r["days"]), tuple(rows), pack.timetable_note)

    def _slot(self, r: dict[str, Any], day: int, session: str) -> dict[str, Any]:
        for s in self.store.plan(r["id"]):
            if s["day"] == day and (s["session"] == session or (not s["session"] and s["label"].lower() ==
                                                                session.lower())):
                return s
        raise UsageError(f"no session '{session}' on day {day} of this review (see `laqs review plan`)")

    def reviewer(self, r: dict[str, Any], who: str | int) -> int:
        """A reviewer by number (1 …) or by name (any case, a unique start of it)."""
        team = r["team"]
        text = str(who).strip()
        if text.isdigit():
            n = int(text)
            if 1 <= n <= len(team):
                return n
            raise UsageError(f"reviewer {n}: the team has {len(team)} ({', '.join(team)})")
        found = [i + 1 for i, name in enumerate(team) if name.lower().startswith(text.lower()) and text]
        if len(found) != 1:
            raise UsageError(f"'{text}' is not one of the team ({', '.join(team)}): give a name or a number")
        return found[0]

    def edit_plan(self, ref: str, day: int, session: str, *, reviewer: str | None = None,
                  text: str | None = None, kind: str | None = None, area: str | None = None,
                  minutes: int | None = None) -> DayPlan:
        r = self.get(ref)
        pack = self.pack_of(r)
        if not 1 <= day <= len(r["days"]):
            raise UsageError(f"day {day}: the review has days 1 to {len(r['days'])}")
        slot = self._slot(r, day, session)
        if minutes is not None:
            if not 0 < minutes <= 600:
                raise UsageError("a session lasts between 1 and 600 minutes")
            self.store.edit_slot(slot["id"], r["id"], minutes=minutes)
        if text is not None or kind is not None:
            if not slot["session"]:
                raise UsageError("a break has no activities: change its minutes, or give a session's number")
            if reviewer is None:
                raise UsageError("say whose activity it is (--reviewer NAME or number)")
            n = self.reviewer(r, reviewer)
            current = next((a for a in slot["activities"] if a["reviewer"] == n), None)
            kind = kind or (current["kind"] if current else None)
            known = [k.id for k in pack.evidence_kinds] + ["collation", "feedback"]
            if kind not in known:
                raise UsageError(f"'{kind}' is not an activity (activities: {', '.join(known)})")
            area_id = self.area_id(pack, area) if area else (current["area_id"] if current and current["kind"] == kind
                                                        else None)
            words = _text(text, "the activity") if text is not None else pack.activity_label(kind)
            self.store.set_activity(slot["id"], r["id"], n, kind, words, area_id)
        return self.day_plan(r["id"])

    # --- interviews and the school's standards -----------------------------------------------------------------------

    def interview(self, ref: str, area: str, reviewer: str, answer: str, standards: list[str] | None = None,
                  interviewees: str = "", day: int | None = None, session: str | None = None,
                  flagged: bool = False) -> dict[str, Any]:
        """A stage 2 interview's answer for an area; each standard named (else each line of the answer) becomes
        a criterion of the school's framework."""
        r = self.get(ref)
        pack = self.pack_of(r)
        area_id = self.area_id(pack, area)
        text = _text(answer, "the answer")
        items = standards if standards is not None else _lines(text)
        items = [_text(s, "a standard") for s in items if s.strip()]
        if flagged and items:
            raise UsageError("an answer about an individual cannot give the school's standards (they are shared "
                             "in the report): record the standards without the flag")
        row = self.store.add_interview(r["id"], area_id, self.reviewer(r, reviewer),
                                       " ".join(interviewees.split()) or "middle/senior leader(s)", text, day,
                                       session, flagged, items)
        row["standards"] = [s["code"] for s in self.store.standards(r["id"]) if s["interview_id"] == row["id"]]
        return row

    def add_standard(self, ref: str, area: str, text: str) -> dict[str, Any]:
        r = self.get(ref)
        return self.store.add_standard(r["id"], self.area_id(self.pack_of(r), area), _text(text, "the standard"))

    def revise_standard(self, ref: str, code: str, text: str | None = None, withdraw: bool = False
                        ) -> dict[str, Any]:
        r = self.get(ref)
        return self.store.revise_standard(r["id"], code, _text(text, "the standard") if text is not None else None,
                                          withdrawn=withdraw)

    def framework(self, ref: str, as_of: int | None = None) -> dict[str, Any]:
        """The framework made for the school: its id, version and the standards as criteria, by area."""
        r = self.get(ref)
        pack = self.pack_of(r)
        version = r["framework_version"] if as_of is None else min(as_of, r["framework_version"])
        rows = self.store.standards(r["id"], as_of=version)
        return {"id": f"{pack.id}-{_slug(r['school'])}-{r['id'][:8]}", "title": f"{r['school']}: quality standards",
                "school": r["school"], "version": version, "review_id": r["id"],
                "areas": [{"id": a.id, "title": a.title,
                           "criteria": [{"id": s["code"], "text": s["text"], "version": s["version"]}
                                        for s in rows if s["area_id"] == a.id]} for a in pack.areas]}

    # --- evidence ----------------------------------------------------------------------------------------------------

    def extent_id(self, pack: "ReviewPack", word: str) -> str:
        w = " ".join(word.lower().replace("_", " ").split())
        ids = {e.id for e in pack.extent}
        found = w if w in ids else w.replace(" ", "-") if w.replace(" ", "-") in ids else _EXTENT_WORDS.get(w)
        if found not in ids:
            raise UsageError(f"'{word}' is not on the scale ({', '.join(e.id for e in pack.extent)})")
        return found  # type: ignore[return-value]

    def evidence(self, ref: str, code: str, kind: str, reviewer: str, extent: str, text: str,
                 day: int | None = None, session: str | None = None, flagged: bool = False) -> dict[str, Any]:
        """Evidence against one of the school's standards (its code, e.g. A.2) by one reviewer."""
        r = self.get(ref)
        pack = self.pack_of(r)
        std = self.store.standard(r["id"], code)
        if std is None or std["withdrawn"]:
            codes = ", ".join(s["code"] for s in self.store.standards(r["id"])) or "none yet: record an interview"
            raise UsageError(f"no standard '{code}' in this review (standards: {codes})")
        kinds = [k.id for k in pack.evidence_kinds]
        if kind not in kinds:
            raise UsageError(f"'{kind}' is not a kind of evidence ({', '.join(kinds)})")
        if day is not None and not 1 <= day <= len(r["days"]):
            raise UsageError(f"day {day}: the review has days 1 to {len(r['days'])}")
        return self.store.add_evidence(r["id"], std["code"], kind, self.reviewer(r, reviewer),
                                       self.extent_id(pack, extent), _text(text, "the evidence"), day, session,
                                       flagged)

    def standings(self, ref: str) -> list[Standing]:
        r = self.get(ref)
        pack = self.pack_of(r)
        findings = self.store.findings(r["id"])
        evidence = self.store.evidence(r["id"])
        out = []
        for s in self.store.standards(r["id"]):
            mine = [e for e in evidence if e["code"].upper() == s["code"].upper()]
            counts = {e.id: sum(1 for x in mine if x["extent"] == e.id) for e in pack.extent}
            by_rev: dict[int, int] = {}
            for x in mine:
                by_rev[x["reviewer"]] = by_rev.get(x["reviewer"], 0) + 1
            f = findings.get(s["code"].upper())
            out.append(Standing(s["code"], s["area_id"], s["text"], s["version"], counts, by_rev,
                                pack.pooled_extent([x["extent"] for x in mine]), f["extent"] if f else None,
                                sum(1 for x in mine if x["collation_id"])))
        return out

    def collate(self, ref: str, day: int | None = None, session: str | None = None,
                agree: dict[str, str] | None = None, notes: dict[str, str] | None = None) -> dict[str, Any]:
        """A collation session: every reviewer's evidence not yet pooled is pooled, and for each standard with
        evidence the team's finding is recorded: the extent the evidence suggests, or the one agreed."""
        r = self.get(ref)
        pack = self.pack_of(r)
        agree = {k.upper(): self.extent_id(pack, v) for k, v in (agree or {}).items()}
        notes = {k.upper(): v for k, v in (notes or {}).items()}
        standings = {s.code.upper(): s for s in self.standings(r["id"])}
        for code in list(agree) + list(notes):
            if code not in standings:
                raise UsageError(f"no standard '{code}' in this review")
        findings = []
        for code, s in standings.items():
            n = sum(s.counts.values())
            if not n and code not in agree:
                continue
            findings.append({"code": s.code, "extent": agree.get(code, s.suggested), "suggested": s.suggested,
                             "evidence": n, "note": notes.get(code, "")})
        return self.store.collate(r["id"], day, session, findings)

    # --- the report's words, priorities, the report ------------------------------------------------------------------

    def note(self, ref: str, kind: str, text: str, area: str | None = None) -> dict[str, Any]:
        r = self.get(ref)
        area_id = self.area_id(self.pack_of(r), area) if area else None
        return self.store.add_review_note(r["id"], kind, _text(text, "the note"), area_id)

    def priority(self, ref: str, text: str, owner: str, due: str | None = None, area: str | None = None,
                 support: str = "") -> dict[str, Any]:
        """A rich priority for the school improvement plan (stage 4): an action with its owner."""
        r = self.get(ref)
        pack = self.pack_of(r)
        stage = next((s for s in pack.stages if "priorit" in s.title.lower()), None)
        if stage is not None and stage.id not in r["stages"]:
            raise UsageError(f"rich priorities are stage {stage.id}, which this review has not chosen: add it with "
                             f"`laqs review stages {r['id'][:8]} {' '.join(r['stages'] + [stage.id])}`")
        if not owner.strip():
            raise UsageError("a rich priority needs an owner (--owner NAME)")
        area_id = self.area_id(pack, area) if area else None
        return self.store.add_priority(r["id"], _text(text, "the priority"), " ".join(owner.split()),
                                       _date(due).isoformat() if due else None, area_id, support.strip())


def _lines(text: str) -> list[str]:
    """An answer's standards: one a line, bullets and numbering taken off."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s*", "", line).strip()
        if line:
            out.append(line)
    return out


def _date(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"'{text}' is not a date: give it as YYYY-MM-DD") from None


def _time(text: str) -> str:
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", text or ""):
        raise UsageError(f"'{text}' is not a time of day: give it as HH:MM")
    return text


def open_review_pack(pack_id: str) -> "ReviewPack":
    from ..packs.loader import load_any
    from ..packs.registry import folder_of

    pack = load_any(folder_of(pack_id))
    if getattr(pack, "kind", "") != "review":
        raise UsageError(f"the pack '{pack_id}' is a framework, not a review (kind: review)")
    return pack


__all__ = ["Activity", "DayPlan", "PlanRow", "ReviewDesk", "Standing", "open_review_pack"]
