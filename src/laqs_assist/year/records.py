"""The year view's records: plain frozen values the year view's functions return and every front end shows.

Defined in the domain core so the functions that build them need no application layer; `app/yearview.py` names
them for the front ends and describes how they fit together.
"""

from __future__ import annotations

from typing import Any

from ..record import Record, factory

# Where evidence comes from, in the order a cell lists them: the LA's own contacts (Appendix 3 visits), its
# headteachers and staff (Appendix 4 visits to its schools), joint or paired visits to its schools (Appendix 5),
# and data (indicators from a register or a data return).
LA, HEADTEACHERS, JOINT, DATA = "la", "headteachers", "joint", "data"
SOURCE_LABELS = {LA: "LA contacts", HEADTEACHERS: "headteachers", JOINT: "joint visits", DATA: "data"}
# A row of these kinds is a judgement the rating engine reads; the others (answers, grades) are what was said.
JUDGEMENT_KINDS = ("state", "count", "value", "impact")


class Evidence(Record):
    """One piece of evidence for an LA's aspect: a judgement, an answer, a grade or a figure, with where it came
    from. Every source's function returns these (see year/evidence.py)."""

    source: str  # la, headteachers, joint, data (or a source registered later)
    aspect: str
    phases: tuple[str, ...]  # the phases it speaks to: a judgement's one, an answer's visit's, a grade's school's
    date: str  # the day it was said or recorded (ISO)
    kind: str  # state, count, value, impact (read by the rating engine); answer, grade, note
    target: str = ""  # criterion, set, indicator or aspect id; a question id for an answer; a form section
    state: str | None = None  # met, partly, not_met, unknown; an impact level
    value: float | None = None  # a count, an indicator's value, a grade 1-4
    column: str | None = None  # a grade's column on the criteria's scale, where the form maps it
    text: str = ""  # what was said ("" for an answer flagged as concerning an individual: never shown here)
    who: str = ""  # the people met, "Name (role), …"
    organisation: str = ""  # where it was said: the LA or the school's name
    school_id: str | None = None  # the school whose voice it is (headteachers, joint visits)
    visit_id: str | None = None
    created_at: str = ""  # when it was recorded: the latest judgement per target wins
    flagged: bool = False  # an answer concerning an individual: counted, its text withheld


class Cell(Record):
    """One aspect in one phase of an organisation's dashboard for a year."""

    aspect: str
    phase: str
    rating: str | None  # the rating held (a column id, N/A, None while nothing is rated): session/year.py's rule
    standing: str  # overridden, agreed, suggested, not rated, n/a
    suggestion: str | None = None  # what the criteria suggest from every source's evidence
    ceiling: str | None = None  # the best still reachable if what is unknown turns out well
    adviser: str | None = None  # the adviser's decided rating where it differs from the suggestion
    evidence: dict[str, int] = factory(dict)  # source -> pieces of evidence (answers, judgements, grades, figures)
    disagreement: str = ""  # "" or one line where the sources part ("1.1.G.2: LA contacts met, headteachers not met")
    voices: int = 0  # schools whose headteachers (or joint visits) gave evidence for this cell
    # source -> what its judgements alone suggest, where another source judged or graded the cell too
    by_source: dict[str, str | None] = factory(dict)
    lift: tuple[str, ...] = ()  # what evidence would lift the suggestion one column
    deciding: tuple[str, ...] = ()  # criteria that decide the next column up (blocking it now)
    rests_on: str = ""  # in words: override, agreement, or suggestion from the year's evidence
    visit_id: str | None = None  # the visit whose decision holds (overridden, agreed)
    visit_date: str | None = None
    reason: str = ""  # an override's reason
    departure: dict[str, Any] | None = None  # an override beside the criteria: kind, ruled_out, line
    lapsed: dict[str, Any] | None = None  # the latest decision, set aside by evidence recorded since
    disputed: tuple[str, ...] = ()  # the criteria the sources disagree on
    self_evaluation: str | None = None  # the LA's own view of the rating, where it gave one

    @property
    def applies(self) -> bool:
        return self.standing != "n/a"

    @property
    def disagrees(self) -> bool:
        return bool(self.disagreement)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._fields}


class Rollup(Record):
    """A group's roll-up in a phase (or overall, phase ""): its rating and how many aspect ratings it rests on."""

    group: str
    phase: str
    rating: str | None
    rated: int
    of: int


class Step(Record):
    """A visit (or a dated piece of evidence from outside visits) in a cell's year, and what it did to the rating."""

    date: str
    source: str
    organisation: str
    who: str
    visit_id: str | None
    evidence: tuple[Evidence, ...]
    before: str | None  # what the criteria suggested before it (None: nothing yet)
    after: str | None  # and after it

    @property
    def moved(self) -> bool:
        return self.before != self.after


class Board(Record):
    """An LA's dashboard for a year: every cell, the group and overall roll-ups, and whose voices it rests on."""

    organisation: dict[str, Any]
    year: str
    cells: dict[tuple[str, str], Cell]  # (phase, aspect) -> Cell
    groups: dict[tuple[str, str], Rollup]  # (phase, group id) -> Rollup
    overall: dict[str, Rollup]  # group id -> Rollup over every phase
    voices: int  # schools whose headteachers (or joint visits) gave evidence this year
    schools: int  # schools of the LA in the store
    visits: int  # the LA's own visits this year
    sources: dict[str, int] = factory(dict)  # source -> pieces of evidence over every cell

    @property
    def disagreements(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells.values() if c.disagreement)


class CellDetail(Record):
    """One aspect and phase across the year: every visit's evidence, oldest first, and what each did."""

    organisation: dict[str, Any]
    year: str
    aspect: str
    title: str
    phase: str
    cell: Cell
    steps: tuple[Step, ...]
    reason: str = ""  # the engine's reason for its suggestion
    ceiling_assumes: str = ""


class OverviewRow(Record):
    """One organisation in the regional overview: its group ratings per phase and overall."""

    organisation: dict[str, Any]
    groups: dict[tuple[str, str], Rollup]
    overall: dict[str, Rollup]
    disagreements: int
    voices: int
    visits: int


class Overview(Record):
    year: str
    rows: tuple[OverviewRow, ...]


class AspectCoverage(Record):
    aspect: str
    title: str
    answers: int  # answers and notes on it at the organisation's own visits
    visits: int  # how many of its visits discussed it
    dates: tuple[str, ...]  # the days it was discussed, oldest first
    terms: tuple[int, int, int]  # answers in the autumn, spring and summer terms
    judgements: int
    from_schools: int = 0  # for an LA: answers on it at its schools' visits


class QuestionCoverage(Record):
    question: str  # the agenda question's id
    aspect: str
    text: str
    times: int
    dates: tuple[str, ...]


class Coverage(Record):
    organisation: dict[str, Any]
    year: str
    agenda: str  # the agenda its kind of organisation is interviewed with
    visits: tuple[dict[str, Any], ...]  # id, date, agenda_id, status
    aspects: tuple[AspectCoverage, ...]  # every aspect of the pack, in pack order
    questions: tuple[QuestionCoverage, ...]  # every question of the agenda, in agenda order

    @property
    def never(self) -> tuple[QuestionCoverage, ...]:
        return tuple(q for q in self.questions if not q.times)

    @property
    def aspects_never(self) -> tuple[AspectCoverage, ...]:
        return tuple(a for a in self.aspects if not a.answers)


class PlanItem(Record):
    """Something the next visit should take up, and why."""

    kind: str  # uncovered, below_ceiling, disagreement
    aspect: str
    phase: str  # "" for every phase
    why: str
    questions: tuple[str, ...] = ()  # agenda question ids that would decide it
    probes: tuple[str, ...] = ()  # what evidence would decide it, in the criteria's words


class Plan(Record):
    """The next visit's agenda, drawn from the year's gaps: the adviser edits it and starts the visit from it."""

    organisation: dict[str, Any]
    year: str
    agenda: str
    focus: tuple[str, ...]  # the aspects to put first, most needed first
    items: tuple[PlanItem, ...]
    overdue: tuple[dict[str, Any], ...]  # actions past their due date, still open or carried forward
    questions: tuple[str, ...]  # the agenda questions in the order proposed
    la: str | None = None  # for a school: its LA's name, which a visit started from the plan keeps


class SchoolPage(Record):
    """A school's year: its visits, agreed actions and joint visits. Ratings belong to its LA."""

    school: dict[str, Any]
    la: dict[str, Any] | None
    year: str
    visits: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]
    joint_visits: tuple[Evidence, ...]  # the joint-visit source's evidence for this school
    aspects: dict[str, int]  # aspect -> pieces of evidence this school gave its LA this year
