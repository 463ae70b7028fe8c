"""A review pack (`kind: review`) as plain typed objects, and the rules it carries for a review: the timetable for
a team of any size from the suggested one, the cost in days of the stages chosen, and the extent to which a
standard is evident from the evidence pooled so far.

A review pack describes a school review such as the Leadership and Learning Quality Review: stages, a suggested
timetable per day, the areas whose quality standards the school is asked for, the kinds of evidence, the scale
evidence is judged on and the costs. Unlike a framework pack it carries no criteria: the criteria are the school's
own quality standards, written during the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What a reviewer can be doing in a session besides gathering a kind of evidence.
TEAM_ACTIVITIES = {"collation": "Collation and synthesis", "feedback": "Verbal feedback"}


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    text: str
    who: str = ""
    optional: bool = False
    days: int = 0  # days on site (the two-day review)
    within_days: int = 0  # "ideally within a week of the review"


@dataclass(frozen=True)
class Cost:
    stages: tuple[str, ...]
    days: float
    said: str
    team: int = 0  # the team size the figure assumes (0: any)
    per_extra_reviewer: float = 0.0


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    question: str
    planning: str


@dataclass(frozen=True)
class EvidenceKind:
    id: str
    label: str
    purpose: str  # standards | extent


@dataclass(frozen=True)
class Extent:
    id: str
    label: str


@dataclass(frozen=True)
class Activity:
    kind: str  # an evidence kind, or collation / feedback
    text: str
    area: str = ""
    joins: int = 0  # for a reviewer beyond those the suggested timetable names: whose activity they join


@dataclass(frozen=True)
class Slot:
    """One row of a day's timetable: a session with each reviewer's activity, or a break."""
    minutes: int
    session: str = ""  # the session's number as the source gives it ("1" …); "" for a break
    label: str = ""  # a break's name ("Break", "Working lunch")
    activities: tuple[Activity, ...] = ()

    @property
    def is_break(self) -> bool:
        return not self.session


@dataclass(frozen=True)
class Day:
    day: int
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class ReviewPack:
    id: str
    title: str
    source: str
    version: str
    description: str
    path: Path
    team_min: int
    team_max: int
    day_starts: str
    describes: tuple[str, ...]
    stages: tuple[Stage, ...]
    costs: tuple[Cost, ...]
    areas: tuple[Area, ...]
    evidence_kinds: tuple[EvidenceKind, ...]
    extent: tuple[Extent, ...]
    timetable_reviewers: int
    timetable_note: str
    days: tuple[Day, ...]

    kind = "review"

    # --- look-ups -----------------------------------------------------------------------------------------------

    def area(self, area_id: str) -> Area:
        for a in self.areas:
            if a.id.lower() == area_id.lower():
                return a
        raise KeyError(area_id)

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)

    def evidence_kind(self, kind_id: str) -> EvidenceKind:
        for k in self.evidence_kinds:
            if k.id == kind_id:
                return k
        raise KeyError(kind_id)

    def extent_label(self, extent_id: str) -> str:
        for e in self.extent:
            if e.id == extent_id:
                return e.label
        raise KeyError(extent_id)

    def activity_label(self, kind: str) -> str:
        if kind in TEAM_ACTIVITIES:
            return TEAM_ACTIVITIES[kind]
        return self.evidence_kind(kind).label

    # --- the rules ------------------------------------------------------------------------------------------------

    def timetable(self, team: int) -> tuple[Day, ...]:
        """The suggested timetable for a team of `team`: the reviewers it names do as it says; each further
        reviewer joins the activity of a named one in turn (3 joins 1, 4 joins 2, …)."""
        named = self.timetable_reviewers
        out = []
        for d in self.days:
            slots = []
            for s in d.slots:
                if s.is_break:
                    slots.append(s)
                    continue
                acts = list(s.activities)
                for k in range(named + 1, team + 1):
                    lead = (k - 1) % named + 1
                    a = s.activities[lead - 1]
                    acts.append(Activity(a.kind, a.text, a.area, joins=lead))
                slots.append(Slot(s.minutes, s.session, s.label, tuple(acts[:team])))
            out.append(Day(d.day, tuple(slots)))
        return tuple(out)

    def cost(self, stages: list[str] | tuple[str, ...], team: int) -> tuple[float, list[str]]:
        """The cost in days of the stages chosen for a team of `team`, and a line per priced part saying how.
        A part the source prices for several stages together is counted once when any of them is chosen."""
        chosen = set(stages)
        total = 0.0
        lines = []
        for c in self.costs:
            if not chosen & set(c.stages):
                continue
            days = c.days
            how = c.said
            if c.team and c.per_extra_reviewer and team != c.team:
                days = max(0.0, c.days + (team - c.team) * c.per_extra_reviewer)
                how += (f" For a team of {team}: {c.days:g} {'+' if team > c.team else '-'} "
                        f"{abs(team - c.team)} × {c.per_extra_reviewer:g} days on site = {days:g}.")
            names = " and ".join(c.stages)
            word = "Stage" if len(c.stages) == 1 else "Stages"
            lines.append(f"{word} {names}: {days:g} days. {how}")
            total += days
        return total, lines

    def pooled_extent(self, judged: list[str]) -> str | None:
        """The extent a standard is evident from every piece of evidence recorded against it (each one of the
        scale's ids): the best of the scale when all say so, the worst when all say so, the middle otherwise.
        None when nothing is recorded."""
        if not judged:
            return None
        best, worst = self.extent[0].id, self.extent[-1].id
        if all(j == best for j in judged):
            return best
        if all(j == worst for j in judged):
            return worst
        return self.extent[len(self.extent) // 2].id


__all__ = ["Activity", "Area", "Cost", "Day", "EvidenceKind", "Extent", "ReviewPack", "Slot", "Stage",
           "TEAM_ACTIVITIES"]
