"""A framework pack as plain, immutable objects. Loading and validation live in loader.py."""

from __future__ import annotations

from pathlib import Path

from ..answers import TYPES as _ANSWER_REGISTRY
from ..record import Record, factory

STATES = ("met", "partly", "not_met", "unknown")
ANSWER_TYPES = tuple(_ANSWER_REGISTRY)  # the answer-type registry's (answers.py): one list for the whole house
INDICATOR_UNITS = ("percent", "number", "percentile")

# Ids are typed by advisers (`/met 2.4.G.1`) and matched exactly, so they keep to characters every keyboard has and
# no two of which look alike: a space, a zero-width space or a fullwidth digit would make an id nobody can type.
ID_CHARS_TEXT = "A–Z a–z 0–9 . - _"
ID_MAX_LENGTH = 100
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_")


def id_problem(ident: str) -> str | None:
    """What is wrong with `ident` as an id, in one sentence; None when it is a good id."""
    if (ident.isascii() and ident[:1].isalnum() and len(ident) <= ID_MAX_LENGTH
            and _ID_CHARS.issuperset(ident)):
        return None
    quoted = f"'{shown(ident[:60], ascii_only=True)}{'…' if len(ident) > 60 else ''}'"
    if not ident:
        return "an id must not be empty"
    for position, ch in enumerate(ident, 1):
        if ch not in _ID_CHARS:
            return f"id {quoted} has {char_name(ch)} at position {position}; ids may use {ID_CHARS_TEXT}"
    if not ident[0].isalnum():
        return f"id {quoted} starts with '{ident[0]}'; an id starts with a letter or digit"
    return f"id {quoted} is {len(ident)} characters long; ids may be at most {ID_MAX_LENGTH}"


def char_name(ch: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: a character named so that it can be found even when it cannot be seen."""
    import unicodedata  # only ever needed to explain a fault

    name = unicodedata.name(ch, "")
    if not name:
        name = "(a control character)" if unicodedata.category(ch) == "Cc" else "(unnamed)"
    return f"U+{ord(ch):04X} {name}"


def shown(text: str, ascii_only: bool = False) -> str:
    """`text` with each character a terminal would not show (line breaks, controls, zero-width and bidi marks)
    written as a Python escape; with ascii_only, every character outside printable ASCII too."""
    if text.isprintable() and (not ascii_only or text.isascii()):
        return text
    return "".join(ch if (" " <= ch <= "~" or (not ascii_only and ch.isprintable())) else _escape(ch)
                   for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class Phase(Record):
    id: str
    name: str


class Column(Record):
    id: str
    rank: int  # 0 is the best column
    label: str
    dashboard: str
    note: str
    rag: str
    side: str  # "upper": criteria are requirements; "lower": critical criteria are caps
    evidence: str | None  # evidence-of-impact level the column needs

    @property
    def upper(self) -> bool:
        return self.side == "upper"


class EvidenceLevel(Record):
    id: str
    rank: int
    label: str


class Range(Record):
    """Bounds on a number; any may be None. `above` and `below` are strict."""

    at_least: float | None = None
    above: float | None = None
    at_most: float | None = None
    below: float | None = None

    def holds(self, value: float) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        if self.above is not None and value <= self.above:
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        if self.below is not None and value >= self.below:
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.at_least is not None:
            parts.append(f"at least {self.at_least:g}")
        if self.above is not None:
            parts.append(f"above {self.above:g}")
        if self.at_most is not None:
            parts.append(f"at most {self.at_most:g}")
        if self.below is not None:
            parts.append(f"below {self.below:g}")
        return " and ".join(parts) or "any value"

    def overlaps(self, other: Range) -> bool:
        """Whether some number lies in both ranges."""
        lows = [(v, s) for v, s in ((self.at_least, False), (self.above, True), (other.at_least, False),
                                    (other.above, True)) if v is not None]
        highs = [(v, s) for v, s in ((self.at_most, False), (self.below, True), (other.at_most, False),
                                     (other.below, True)) if v is not None]
        if not lows or not highs:
            return True
        lo, lo_strict = max(lows, key=lambda x: (x[0], x[1]))
        hi, hi_strict = min(highs, key=lambda x: (x[0], not x[1]))
        return lo < hi or (lo == hi and not lo_strict and not hi_strict)

    def point(self) -> float | None:
        """The one value the range holds, when it holds exactly one (at_least and at_most equal)."""
        if self.at_least is not None and self.at_least == self.at_most and self.above is None and self.below is None:
            return self.at_least
        return None


class Gap(Record):
    """Values the source's bands leave out (2.3: "More than 80%" and "Less than 80%" leave exactly 80 %): a value
    here caps nothing, and the rating says so in the source's words (`said`). For a counted set `counts` says
    whether the range is on items present or missing."""

    range: Range
    said: str
    counts: str = ""


class CountRule(Record):
    set_id: str
    counts: str  # "present" or "missing"
    range: Range


class ThresholdRule(Record):
    indicator_id: str
    range: Range


class Criterion(Record):
    id: str
    aspect_id: str
    column: str
    text: str
    critical: bool = False
    critical_reason: str = ""
    phases: tuple[str, ...] = ()  # empty: every phase the aspect applies to
    count: CountRule | None = None
    threshold: ThresholdRule | None = None
    note: str = ""
    reading: str = ""  # a reading of the source decided and why, where the words allow more than one

    @property
    def kind(self) -> str:
        if self.count is not None:
            return "count"
        if self.threshold is not None:
            return "threshold"
        return "statement"

    def applies_to(self, phase: str) -> bool:
        return not self.phases or phase in self.phases


class SetItem(Record):
    id: str
    text: str
    criterion: str | None = None  # the item is this criterion's judgement


class CountedSet(Record):
    id: str
    aspect_id: str
    text: str
    items: tuple[SetItem, ...]
    noun: str = "items"  # what the items are, in the plural, for "5 of 7 features present"
    gaps: tuple[Gap, ...] = ()


class Indicator(Record):
    id: str
    aspect_id: str
    text: str
    unit: str
    gaps: tuple[Gap, ...] = ()

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        if self.unit in ("percent", "percentile"):
            return 0.0, 100.0
        return 0.0, None


class Standard(Record):
    text: str
    sub: tuple[str, ...] = ()


class Aspect(Record):
    id: str
    title: str
    group: str
    standards: tuple[Standard, ...]
    criteria: tuple[Criterion, ...]
    not_applicable: tuple[str, ...] = ()
    leads: dict[str, str] = factory(dict)
    sets: tuple[CountedSet, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def applies_to(self, phase: str) -> bool:
        return phase not in self.not_applicable

    def criteria_in(self, column: str, phase: str | None = None) -> list[Criterion]:
        return [
            c for c in self.criteria if c.column == column and (phase is None or c.applies_to(phase))
        ]


class Group(Record):
    id: str
    title: str
    aspects: tuple[str, ...]


# "columns": the four-column ladder of the 2009 standards, rated from criteria; "judged": the adviser judges each
# aspect's level directly on the evidence (a framework that gives no criteria per level, such as the G&T standard).
RATING_METHODS = ("columns", "judged")


class DocumentKind(Record):
    """A kind of document a pack accepts as evidence (the G&T standard's resource base: mini case studies,
    exemplar policies, LA plans, …)."""

    id: str
    label: str


class Terms(Record):
    """The pack's own words for its parts, where notes and screens name them: "aspect" in the 2009 standards,
    "dimension" in the G&T standard; "rating" or "level"."""

    aspect: str = "aspect"
    aspects: str = "aspects"
    rating: str = "rating"
    self_evaluation: str = "LA's self-evaluation"


class OrganisationKind(Record):
    """A kind of organisation the pack is used with (an LA, a school), and the agenda a visit to one opens with."""

    id: str
    name: str
    agenda: str = ""


class NoteCheck(Record):
    """A check a note of visit must pass: which check (the notes module knows how to run each), the feature it
    stands for in the framework's own words, and its settings (e.g. working_days for timeliness)."""

    check: str
    feature: str
    settings: dict = factory(dict)


class RollupRule(Record):
    method: str
    tolerance: int
    max_drop: int
    min_rated: float = 0.0  # the share of a group's applicable aspects that must be rated before it is rolled up


class Question(Record):
    id: str
    text: str
    aspects: tuple[str, ...]
    criteria: tuple[str, ...] = ()
    sub: tuple[str, ...] = ()
    answer: str = "text"
    choices: tuple[str, ...] = ()
    agenda_id: str = ""

    @property
    def aspect(self) -> str:
        return self.aspects[0]

    def prompt(self) -> str:
        """The question as it is put to the interviewee: stem and its sub-questions."""
        if not self.sub:
            return self.text
        return self.text + "\n" + "\n".join(f"  - {s}" for s in self.sub)


class AgendaSection(Record):
    aspect: str
    heading: str
    questions: tuple[Question, ...]


class Agenda(Record):
    id: str
    title: str
    source: str
    audience: str
    note: str
    sections: tuple[AgendaSection, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


class FormField(Record):
    id: str
    label: str
    type: str = "text"


class GradePoint(Record):
    grade: int
    meaning: str
    column: str | None = None


class FormSection(Record):
    id: str
    title: str
    aspect: str | None
    lead: str
    standards: tuple[str, ...]
    additional_lead: str = ""
    additional: tuple[str, ...] = ()
    graded: bool = True
    note: str = ""


class Form(Record):
    id: str
    title: str
    source: str
    intro: str
    header_fields: tuple[FormField, ...]
    scale: tuple[GradePoint, ...]
    sections: tuple[FormSection, ...]
    closing_fields: tuple[FormField, ...]
    purposes: tuple[str, ...] = ()
    protocols: tuple[str, ...] = ()
    scale_note: str = ""


class Pack(Record):
    id: str
    title: str
    source: str
    path: Path
    phases: tuple[Phase, ...]
    columns: tuple[Column, ...]
    evidence_levels: tuple[EvidenceLevel, ...]
    sufficiency: float
    cumulative: bool
    groups: tuple[Group, ...]
    rollup: RollupRule
    aspects: dict[str, Aspect]
    agendas: dict[str, Agenda]
    forms: dict[str, Form]
    description: str = ""
    # What the code would otherwise assume, declared by the pack: its version (kept with every visit), the kinds of
    # organisation it is used with, its rating method, the day its year starts (MM-DD) and a note's checks.
    version: str = ""
    organisation_kinds: tuple[OrganisationKind, ...] = ()
    rating_method: str = "columns"
    year_starts: str = "09-01"
    note_checks: tuple[NoteCheck, ...] = ()
    note_checks_title: str = ""  # what the checks are, in the framework's words ("the seven features of …")
    rating_note: str = ""  # how the pack's rating method applies here, in its own words ("no criteria per level …")
    terms: Terms = factory(Terms)
    document_kinds: tuple[DocumentKind, ...] = ()
    documents_title: str = ""  # what the pack calls its evidence documents ("the resource base")

    # Look-ups built once by the loader: id -> object across the whole pack.
    criteria: dict[str, Criterion] = factory(dict)
    sets: dict[str, CountedSet] = factory(dict)
    set_items: dict[str, tuple[CountedSet, SetItem]] = factory(dict)
    indicators: dict[str, Indicator] = factory(dict)
    questions: dict[str, Question] = factory(dict)

    def organisation_kind(self, kind_id: str) -> OrganisationKind | None:
        for k in self.organisation_kinds:
            if k.id.lower() == kind_id.lower():
                return k
        return None

    def agenda_for(self, kind_id: str) -> str | None:
        """The agenda a visit to this kind of organisation opens with, if the pack names one."""
        k = self.organisation_kind(kind_id)
        return (k.agenda or None) if k else None

    def default_agenda(self, kind_id: str) -> str:
        """The agenda a new visit to this kind of organisation starts with: the pack's choice, else its first."""
        return self.agenda_for(kind_id) or next(iter(self.agendas))

    @property
    def judged(self) -> bool:
        """Levels are judged directly on the evidence rather than worked out from criteria."""
        return self.rating_method == "judged"

    def document_kind(self, text: str) -> DocumentKind | None:
        """A document kind by its id or its label as typed, in any case."""
        for k in self.document_kinds:
            if text.lower() in (k.id.lower(), k.label.lower()):
                return k
        return None

    def column_of(self, text: str) -> str | None:
        """A column's id from its id, label or dashboard word as typed, in any case; None when it names none."""
        for c in self.columns:
            if text.lower() in (c.id.lower(), c.label.lower(), c.dashboard.lower()):
                return c.id
        return None

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    def phase_ids(self) -> list[str]:
        return [p.id for p in self.phases]

    def phase_name(self, phase_id: str) -> str:
        for p in self.phases:
            if p.id == phase_id:
                return p.name
        return phase_id

    def phase_of(self, text: str) -> str:
        """A phase's id from its id or its name as typed, in any case; an unknown phase is a UsageError."""
        for p in self.phases:
            if text.lower() in (p.id.lower(), p.name.lower()):
                return p.id
        from ..errors import UsageError

        raise UsageError(f"unknown phase '{text}' (known: {', '.join(self.phase_ids())})")

    def evidence_rank(self, level: str | None) -> int:
        for e in self.evidence_levels:
            if e.id == level:
                return e.rank
        return -1

    def phases_of(self, target: str) -> frozenset[str] | None:
        """The phases an id concerns: a criterion's own; for an indicator or a counted set (or one of its items),
        those of the criteria read from it when every one is limited to some phases (the Early Years targets of
        1.5). None when it concerns every phase."""
        crit = self.criteria.get(target)
        if crit is not None:
            return frozenset(crit.phases) or None
        if target in self.set_items:
            target = self.set_items[target][0].id
        readers = [c for c in self.criteria.values()
                   if (c.threshold is not None and c.threshold.indicator_id == target)
                   or (c.count is not None and c.count.set_id == target)]
        if not readers or any(not c.phases for c in readers):
            return None
        return frozenset(p for c in readers for p in c.phases)

    def aspect_of(self, item_id: str) -> str | None:
        """The aspect an id (criterion, set, set item or indicator) belongs to."""
        if item_id in self.criteria:
            return self.criteria[item_id].aspect_id
        if item_id in self.sets:
            return self.sets[item_id].aspect_id
        if item_id in self.set_items:
            return self.set_items[item_id][0].aspect_id
        if item_id in self.indicators:
            return self.indicators[item_id].aspect_id
        return None
