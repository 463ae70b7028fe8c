"""The year view, for every front end: the RAG dashboard with each cell's evidence by source, the regional
overview, coverage of the agenda, the next visit's plan, actions across the year and a school's page.

The service's methods (app/service.py, at the end of `Service`) return these records; the records are frozen and
plain (record.py), defined in the domain (year/records.py) and named here for the front ends:

    Service.dashboard(org, year=None) -> Board
        An LA's dashboard: `cells[(phase, aspect)]` is a Cell (the rating held, the suggestion and ceiling, the
        adviser's rating where it differs, the LA's own view, its standing and what it rests on, N/A, evidence
        counted by source, what each source alone suggests, a disagreement line and the criteria disputed, the
        schools heard, what would lift it); `groups[(phase, group)]` and `overall[group]` are Rollups with how
        many aspect ratings they rest on (`rated` of `of`); `voices` schools heard this year of `schools` on
        record. A school is refused with a UsageError naming its LA: use school_page() (is_school() says which).
    Service.cell(org, aspect, phase, year=None) -> CellDetail
        One aspect and phase across the year: `steps`, one per visit (or dated piece of outside evidence), each
        with its date, source, organisation, who was met, its Evidence rows (judgements, answers, grades) and the
        suggestion before and after it.
    Service.overview(year=None, progress=None) -> Overview
        Every LA in the store with its group ratings per phase and overall (`rows`, by name). Ratings not kept
        yet are rated first (the first time after an upgrade: seconds for a region): `progress(done, total, la)`
        hears of each.
    Service.coverage(org, year=None) -> Coverage
        Which agenda questions and aspects the organisation's visits discussed, when and how often (`terms`: the
        autumn, spring and summer counts for a heat map), and which never (`never`, `aspects_never`).
    Service.plan(org) -> Plan
        The next visit: `focus` aspects (the new-visit form's default), `items` (disagreement, uncovered,
        below_ceiling, each with the questions and probes that would decide it), `overdue` actions, `questions`,
        and for a school `la`, its LA.
    Service.actions_across_year(org=None, status="all") -> tuple[dict, ...]
        Actions of an organisation (an LA's with its schools'; None: every organisation), each with its status
        now, `overdue`, `organisation`; status all, open, overdue or done.
    Service.mark_any_action(ref, status, on=None, note="", due=None) -> dict
        Mark an action (its id or the start of it) done, dropped (a note says why), carried forward (to a new due
        date) or open again, on a day (default: today), outside a visit; the action as it stands after.
    Service.school_page(org, year=None) -> SchoolPage
        A school's visits, agreed actions and joint visits, and how much it said of each of its LA's aspects.
    Service.year_of(year) -> str
        A year as typed ("2026/27", "2026-27", "2026") made the pack's form, or a one-line UsageError; None is
        the year today falls in.

Evidence sources plug in through one small interface (year/evidence.py): `register(Source(id, label, rows,
marker))`, where `rows(store, pack, la, year)` returns Evidence rows. LA contacts and headteachers are built in;
joint visits ("joint") and register data ("data") join the same way. Ratings are kept per organisation, year and
phase (migration 0010) and dropped by triggers when evidence arrives, so a view reads them instead of re-rating.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..year.records import (
    DATA,
    HEADTEACHERS,
    JOINT,
    LA,
    SOURCE_LABELS,
    AspectCoverage,
    Board,
    Cell,
    CellDetail,
    Coverage,
    Evidence,
    Overview,
    OverviewRow,
    Plan,
    PlanItem,
    QuestionCoverage,
    Rollup,
    SchoolPage,
    Step,
)

if TYPE_CHECKING:
    from .base import ServiceCore

ACTION_FILTERS = ("all", "open", "overdue", "done")
STATUS_WORDS = {"open": "open", "done": "done", "dropped": "dropped", "carried": "carried forward"}

_YEAR = re.compile(r"^\s*(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?\s*$")


def parse_year(text: str, year_starts: str = "09-01") -> str:
    """A year as typed -> the pack's form: "2026/27" for a year from September ("2026-27", "2026/2027" and
    "2026" say the same), "2026" for a calendar year. Anything else is a UsageError in one line."""
    m = _YEAR.match(text or "")
    calendar = year_starts == "01-01"
    if m is not None:
        start = int(m.group(1))
        end = m.group(2)
        if calendar and end is None:
            return str(start)
        if not calendar and (end is None or int(end) % 100 == (start + 1) % 100) and 1900 < start < 2200:
            return f"{start}/{(start + 1) % 100:02d}"
    example = "2026" if calendar else "2026/27"
    raise UsageError(f"'{(text or '').strip()}' is not an academic year: give one such as {example}")


# --- sources of evidence that live in the application layer ----------------------------------------------------


def grades_as_evidence(source: str, by_aspect: dict[str, list[dict[str, Any]]], pack, schools: dict[str, str],
                       phases: tuple[str, ...]) -> list[Evidence]:
    """Graded rows ({aspect: [{aspect_id, phase, date, school, grade, column, section_id, evidence, …}]}, as the
    joint visits give them) as Evidence rows: a grade bears on the phases it names, or every phase its aspect
    applies to; `schools` maps a school's name (lower case) to its id, so its voice is counted once."""
    out = []
    for aspect, rows in by_aspect.items():
        a = pack.aspects.get(aspect)
        if a is None:
            continue
        for r in rows:
            bears = (r["phase"],) if r.get("phase") else tuple(p for p in phases if a.applies_to(p))
            school = r.get("school") or ""
            out.append(Evidence(source, aspect, bears, r["date"], "grade", r.get("section_id") or "", None,
                                float(r["grade"]) if r.get("grade") is not None else None, r.get("column"),
                                r.get("evidence") or "", "", school, schools.get(school.lower()),
                                r.get("joint_visit_id"), r["date"]))
    return out


def plug_in_sources() -> None:
    """Register the sources kept by application modules: the joint visits (Appendix 5; their grades are about the
    LA's support as seen in its schools, and the SIP graded is never named here) and the school register's facts
    (data, for 2.3 and 2.4). Once per process; the built-in sources live in year/evidence.py."""
    from ..year.evidence import Source, register, sources

    have = {s.id for s in sources()}
    if JOINT not in have:
        from .joint import joint_visit_evidence

        def joint_rows(store, pack, la, year):
            schools = {s["name"].lower(): s["id"] for s in store.schools_of(la["id"])}
            return grades_as_evidence(JOINT, joint_visit_evidence(store, pack, la["id"], year), pack, schools,
                                      tuple(pack.phase_ids()))

        def joint_marker(store, la, year):
            return store.joint_visits_marker(la["id"], year)

        register(Source(JOINT, SOURCE_LABELS[JOINT], joint_rows, joint_marker))
    if DATA not in have:
        from .register import register_evidence_rows, register_marker

        def data_rows(store, pack, la, year):
            return [Evidence(**r) for r in register_evidence_rows(store, la, year, tuple(pack.phase_ids()))]

        register(Source(DATA, SOURCE_LABELS[DATA], data_rows, register_marker))


def year_of(service: "ServiceCore", year: str | None) -> str:
    if year is None:
        from datetime import date

        from ..calendar import academic_year

        return academic_year(date.fromisoformat(service.day()), service.pack.year_starts)
    return parse_year(year, service.pack.year_starts)


def is_school(org: dict[str, Any]) -> bool:
    """Any organisation but an LA: a school (or a setting) whose ratings are its LA's."""
    return (org.get("kind") or "").lower() != "la"


def _la(service: "ServiceCore", name: str) -> dict[str, Any]:
    org = service.organisation(name)
    if is_school(org):
        parent = service.store.organisation_by_id(org["parent_id"]) if org.get("parent_id") else None
        whose = f"its LA's ({parent['name']})" if parent else "its LA's (none is on record)"
        raise UsageError(f"{org['name']} is a school: its ratings are {whose}; its page shows its visits and "
                         "actions")
    return org


def dashboard(service: "ServiceCore", org: str, year: str | None = None) -> Board:
    plug_in_sources()
    from ..year.board import board

    return board(service.store, service.pack, _la(service, org), year_of(service, year))


def cell(service: "ServiceCore", org: str, aspect: str, phase: str, year: str | None = None) -> CellDetail:
    plug_in_sources()
    from ..year.detail import cell_detail

    if aspect not in service.pack.aspects:
        raise UsageError(f"unknown aspect '{aspect}' (known: {', '.join(service.pack.aspects)})")
    return cell_detail(service.store, service.pack, _la(service, org), aspect, service.pack.phase_of(phase),
                       year_of(service, year))


def overview(service: "ServiceCore", year: str | None = None, progress=None) -> Overview:
    plug_in_sources()
    from ..year.page import overview as build

    return build(service.store, service.pack, year_of(service, year), progress=progress)


def coverage(service: "ServiceCore", org: str, year: str | None = None) -> Coverage:
    from ..year.coverage import coverage as build

    return build(service.store, service.pack, service.organisation(org), year_of(service, year))


def plan(service: "ServiceCore", org: str, year: str | None = None) -> Plan:
    plug_in_sources()
    from ..year.plan import plan as build

    return build(service.store, service.pack, service.organisation(org), year_of(service, year), service.day())


def actions_across_year(service: "ServiceCore", org: str | None = None, status: str = "all") -> tuple[dict, ...]:
    from ..year.page import actions_across

    if status not in ACTION_FILTERS:
        raise UsageError(f"show actions {', '.join(ACTION_FILTERS)}, not '{status}'")
    orgs = [service.organisation(org)] if org else None
    return actions_across(service.store, orgs, status, service.day())


def mark_any_action(service: "ServiceCore", ref: str, status: str, on: str | None = None, note: str = "",
                    due: str | None = None) -> dict[str, Any]:
    from ..answers import AnswerInvalid, parse_answer
    from ..year.page import mark_action

    def day(text: str | None, what: str) -> str | None:
        if text is None or not text.strip():
            return None
        try:
            return parse_answer("date", text)
        except AnswerInvalid as exc:
            raise UsageError(f"{what}: {exc.message}") from None

    return mark_action(service.store, ref, status, day(on, "the date") or service.day(), note,
                       day(due, "the new due date"), service.day())


def school_page(service: "ServiceCore", org: str, year: str | None = None) -> SchoolPage:
    plug_in_sources()
    from ..year.page import school_page as build

    found = service.organisation(org)
    if not is_school(found):
        raise UsageError(f"{found['name']} is an LA: its dashboard shows its ratings")
    return build(service.store, service.pack, found, year_of(service, year), service.day())


__all__ = ["ACTION_FILTERS", "AspectCoverage", "Board", "Cell", "CellDetail", "Coverage", "DATA", "Evidence",
           "HEADTEACHERS", "JOINT", "LA", "Overview", "OverviewRow", "Plan", "PlanItem", "QuestionCoverage",
           "Rollup", "SOURCE_LABELS", "STATUS_WORDS", "SchoolPage", "Step", "actions_across_year", "cell",
           "coverage", "dashboard", "is_school", "mark_any_action", "overview", "parse_year", "plan", "school_page",
           "year_of"]
