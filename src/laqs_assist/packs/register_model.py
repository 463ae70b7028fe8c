"""A register pack as plain, immutable objects: how an LA keeps track of its schools (levels of risk or categories,
what each level is allowed, stages of concern, escalation, the termly cycle, charges). Loading lives in
register_loader.py; the rules that follow from it in laqs_assist.register_rules."""

from __future__ import annotations

from pathlib import Path

from ..record import Record

SCHOOL_KINDS = ("maintained", "academy")
CADENCES = ("month", "half-term", "term", "half-year", "year")


class Allowance(Record):
    """Visits or written reports a level allows in a school year: at least / at most, and how often."""
    at_least: int | None
    at_most: int | None
    every: str | None  # a cadence (CADENCES): one is due in each such period of the year
    said: str

    def describe(self) -> str:
        if self.at_least is not None and self.at_least == self.at_most:
            return str(self.at_least)
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least}–{self.at_most}"
        if self.at_most is not None:
            return f"up to {self.at_most}"
        return f"at least {self.at_least}"


class SupportLevel(Record):
    id: str
    label: str
    sip_days: float | None
    visits: Allowance | None
    reports: Allowance | None
    entitlement: tuple[str, ...]


class Level(Record):
    id: str
    label: str
    short: str
    order: int  # 1 is the least concern
    colour: str  # #RRGGBB
    visits: Allowance | None
    reports: Allowance | None
    support: tuple[str, ...]
    support_level: str | None
    reading: str


class EvidenceSource(Record):
    id: str
    label: str


class Rule(Record):
    """An automatic rule; the one kind today: a new headteacher puts the school at `at_least` for a while."""
    id: str
    when: str
    within_months: int
    at_least: str
    evidence: str | None
    said: str
    reading: str


class Step(Record):
    id: str
    text: str
    formal: bool
    only_if: str
    concerns_individual: bool


class Shortcut(Record):
    when: str
    to: str
    said: str
    reading: str


class Ladder(Record):
    kind: str  # maintained or academy
    title: str
    steps: tuple[Step, ...]
    shortcut: Shortcut | None
    reading: str

    def index(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


class Strand(Record):
    id: str
    text: str


class Stage(Record):
    id: str
    label: str
    level: str
    said: str
    strands: tuple[Strand, ...]
    move_to: str | None
    move_strand: Strand | None
    reading: str

    def all_strands(self) -> tuple[Strand, ...]:
        return self.strands + ((self.move_strand,) if self.move_strand else ())


class Factor(Record):
    id: str
    text: str


class Term(Record):
    id: str
    label: str
    starts: str  # MM-DD
    ends: str
    half_term_ends: str


class Activity(Record):
    term: str
    text: str
    by: str
    review: bool
    annual: bool


class Band(Record):
    at_most: float | None  # None: every total above the band before
    pays: float
    said: str


class Cap(Record):
    id: str
    label: str
    days: float
    amount: float
    said: str


class Charging(Record):
    currency: str
    day_rate: float
    bands: tuple[Band, ...]
    caps: tuple[Cap, ...]
    said: str
    reading: str


class Intervention(Record):
    stages: tuple[str, ...]
    review_after_terms: int
    refer_after_terms: int
    said: str
    reading: str


class Review(Record):
    annual_months: tuple[int, ...]
    annual_by: str
    annual_said: str
    every: str  # month or term
    stale_after_days: int
    updates: str
    board: str
    board_every: str
    letter_month: int
    letter_to: str
    letter_said: str
    said: str
    reading: str


class Reading(Record):
    about: str
    reading: str


class RegisterPack(Record):
    id: str
    title: str
    source: str
    version: str
    path: Path
    term: str  # what a level is called: "level of risk", "category"
    year_starts: str
    terms: tuple[Term, ...]
    activities: tuple[Activity, ...]
    levels: tuple[Level, ...]  # in order, least concern first
    support_levels: tuple[SupportLevel, ...]
    evidence_sources: tuple[EvidenceSource, ...]
    evidence_required: int
    rules: tuple[Rule, ...]
    review: Review
    ladders: tuple[Ladder, ...]
    stages: tuple[Stage, ...]
    factors: tuple[Factor, ...]
    charging: Charging | None
    intervention: Intervention | None
    readings: tuple[Reading, ...]
    kind: str = "register"

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def support_level(self, level: Level) -> SupportLevel | None:
        return next((s for s in self.support_levels if s.id == level.support_level), None)

    def visits_allowed(self, level: Level) -> Allowance | None:
        support = self.support_level(level)
        return level.visits or (support.visits if support else None)

    def reports_allowed(self, level: Level) -> Allowance | None:
        support = self.support_level(level)
        return level.reports or (support.reports if support else None)

    def ladder(self, kind: str) -> Ladder | None:
        return next((lad for lad in self.ladders if lad.kind == kind), None)

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def source_label(self, source_id: str) -> str:
        return next((e.label for e in self.evidence_sources if e.id == source_id), source_id)

    def summary(self) -> str:
        parts = [f"{len(self.levels)} levels", f"{len(self.evidence_sources)} evidence sources",
                 f"{len(self.rules)} automatic rules", f"{len(self.ladders)} escalation ladders",
                 f"{len(self.stages)} stages of concern", f"{len(self.factors)} factors",
                 f"{len(self.terms)} terms ({len(self.activities)} activities)",
                 f"{len(self.charging.bands)} charging bands, {len(self.charging.caps)} caps" if self.charging
                 else "no charging"]
        return f"ok: {self.id} (register) — " + ", ".join(parts) + f"; version {self.version or 'not given'}"
