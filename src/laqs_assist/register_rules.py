"""The rules that follow from a school's place on the register, pure: what a level allows and what is overdue,
the automatic rules, the escalation ladders, terms of intervention, and support-day charges and caps.

Everything here is worked out from the register pack (packs/register_model.py) and plain values; the store and
the application service feed it. Dates are ISO strings or `datetime.date`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

from .calendar import academic_year
from .packs.register_model import Allowance, Band, Cap, Charging, Ladder, Level, RegisterPack, Rule, Step, Term
from .record import Record


def _day(value: str | date) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def year_start(pack: RegisterPack, year: str) -> date:
    """The first day of the school year named `year` ('2026/27', or '2026' for a year from 1 January)."""
    month, day = int(pack.year_starts[:2]), int(pack.year_starts[3:])
    return date(int(year[:4]), month, day)


def year_of(pack: RegisterPack, day: str | date) -> str:
    return _year_of(day if isinstance(day, str) else day.isoformat(), pack.year_starts)


@lru_cache(maxsize=4096)
def _year_of(day: str, year_starts: str) -> str:
    return academic_year(date.fromisoformat(day[:10]), year_starts)


def _on_or_after(first: date, month_day: str) -> date:
    """The first date on or after `first` that falls on MM-DD (29 February becomes 28 in a common year)."""
    month, day = int(month_day[:2]), int(month_day[3:])
    for year in (first.year, first.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            d = date(year, month, 28)
        if d >= first:
            return d
    raise AssertionError("unreachable")


class TermSpan(Record):
    term: Term
    year: str
    starts: date
    ends: date
    half_ends: date


def terms_of_year(pack: RegisterPack, year: str) -> list[TermSpan]:
    # Keyed by the pack's terms object (kept in the entry, so its id cannot be reused while the entry lives):
    # hashing the records themselves would cost more than the work saved.
    key = (id(pack.terms), pack.year_starts, year)
    found = _TERMS.get(key)
    if found is None or found[0] is not pack.terms:
        if len(_TERMS) > 256:
            _TERMS.clear()
        found = _TERMS[key] = (pack.terms, _terms_of_year(pack, year))
    return list(found[1])


_TERMS: dict = {}
_PERIODS: dict = {}


def _terms_of_year(pack: RegisterPack, year: str) -> list[TermSpan]:
    first = year_start(pack, year)
    out = []
    for t in pack.terms:
        starts = _on_or_after(first, t.starts)
        ends = _on_or_after(starts, t.ends)
        out.append(TermSpan(t, year, starts, ends, _on_or_after(starts, t.half_term_ends)))
    return sorted(out, key=lambda s: s.starts)


def term_at(pack: RegisterPack, day: str | date) -> TermSpan | None:
    d = _day(day)
    for span in terms_of_year(pack, year_of(pack, d)):
        if span.starts <= d <= span.ends:
            return span
    return None


def periods(pack: RegisterPack, every: str, year: str) -> list[tuple[date, date]]:
    """The periods of a school year in each of which one visit is due (`every` a cadence)."""
    key = (id(pack.terms), pack.year_starts, every, year)
    found = _PERIODS.get(key)
    if found is None or found[0] is not pack.terms:
        if len(_PERIODS) > 256:
            _PERIODS.clear()
        found = _PERIODS[key] = (pack.terms, _periods(pack, every, year))
    return found[1]


def _periods(pack: RegisterPack, every: str, year: str) -> list[tuple[date, date]]:
    first = year_start(pack, year)
    last = year_start(pack, f"{int(year[:4]) + 1}") - timedelta(days=1)
    if every == "year":
        return [(first, last)]
    if every in ("term", "half-term"):
        out = []
        for span in terms_of_year(pack, year):
            if every == "term":
                out.append((span.starts, span.ends))
            else:
                out += [(span.starts, span.half_ends), (span.half_ends + timedelta(days=1), span.ends)]
        return out
    months = {"month": 1, "half-year": 6}[every]
    out, start = [], first
    while start <= last:
        m = start.month - 1 + months
        nxt = date(start.year + m // 12, m % 12 + 1, 1) if start.day == 1 else _add_months(start, months)
        out.append((start, min(nxt - timedelta(days=1), last)))
        start = nxt
    return out


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- allowances and visits ------------------------------------------------------------------------------------


class VisitStatus(Record):
    visits_allowed: Allowance | None
    visits_made: int
    reports_allowed: Allowance | None
    reports_made: int
    overdue: tuple[tuple[date, date], ...]  # periods ended without a visit since the level took effect
    due_by: date | None  # the end of the current period when it has had no visit yet
    over: str  # a line when more visits or reports were made than the level allows, else ""

    @property
    def short_of_reports(self) -> int:
        need = self.reports_allowed.at_least if self.reports_allowed else None
        return max(0, (need or 0) - self.reports_made)


def visit_status(pack: RegisterPack, level: Level, visit_days: Iterable[str | date], reports_made: int,
                 on: str | date, since: str | date | None = None,
                 allowances: tuple[Allowance | None, Allowance | None] | None = None) -> VisitStatus:
    """Visits and reports allowed against those made in the school year of `on`, overdue visits (periods of the
    level's cadence that ended with no visit in them, from the period holding the later of the year's start and
    `since`, the day the school came to this level) and the day the next visit is due by. `allowances`: the
    level's (visits, reports) when the caller has them already."""
    on = _day(on)
    year = year_of(pack, on)
    days = sorted(d for d in (_day(v) for v in visit_days) if year_of(pack, d) == year and d <= on)
    allowed, reports = allowances or (pack.visits_allowed(level), pack.reports_allowed(level))
    overdue, due_by = [], None
    start = max(year_start(pack, year), _day(since)) if since else year_start(pack, year)
    if allowed and allowed.every:
        for first, last in periods(pack, allowed.every, year):
            if last < start:
                continue
            had = any(first <= d <= last for d in days)
            if last < on and not had:
                overdue.append((first, last))
            elif first <= on <= last and not had:
                due_by = last
    over = []
    if allowed and allowed.at_most is not None and len(days) > allowed.at_most:
        over.append(f"{len(days)} visits made; {level.label} allows {allowed.describe()}")
    if reports and reports.at_most is not None and reports_made > reports.at_most:
        over.append(f"{reports_made} written reports; {level.label} allows {reports.describe()}")
    return VisitStatus(allowed, len(days), reports, reports_made, tuple(overdue), due_by, "; ".join(over))


# --- automatic rules ------------------------------------------------------------------------------------------


class Applied(Record):
    rule: Rule
    level: str  # the level the rule puts the school at
    until: date
    message: str


def new_headteacher(pack: RegisterPack, head_start: str | date | None, on: str | date) -> Applied | None:
    """The new-headteacher rule, when the headteacher took up post within the rule's months before `on`."""
    if not head_start:
        return None
    start, on = _day(head_start), _day(on)
    for rule in pack.rules:
        if rule.when != "new_headteacher":
            continue
        until = _add_months(start, rule.within_months)
        if start <= on < until:
            floor = pack.level(rule.at_least)
            return Applied(rule, rule.at_least, until,
                           f"new headteacher in post since {start.isoformat()}: at least {floor.label} until "
                           f"{until.isoformat()} ({rule.id})")
    return None


def apply_rules(pack: RegisterPack, level_id: str, head_start: str | date | None,
                on: str | date) -> tuple[str, Applied | None]:
    """The level the school must be at once the automatic rules are applied to `level_id`, and the rule that
    raised it (None when the level stands as it is)."""
    applied = new_headteacher(pack, head_start, on)
    if applied is None:
        return level_id, None
    chosen, floor = pack.level(level_id), pack.level(applied.level)
    if chosen is not None and chosen.order >= floor.order:
        return level_id, None
    return applied.level, applied


# --- escalation -----------------------------------------------------------------------------------------------


def next_steps(ladder: Ladder, current: str | None) -> list[Step]:
    """The step or steps that may come next: the one after `current` (or the first), and when that one applies
    only if something holds, the one after it as well."""
    i = -1 if not current else ladder.index(current)
    out = []
    for step in ladder.steps[i + 1:]:
        out.append(step)
        if not step.only_if:
            break
    return out


def check_step(ladder: Ladder, current: str | None, new: str, not_engaging: bool = False) -> str:
    """Why moving from `current` to step `new` is not allowed, or '' when it is. A ladder is climbed a step at a
    time (a conditional step may be passed over); the ladder's shortcut (an academy not engaging) goes straight
    to the formal steps."""
    step = ladder.step(new)
    if step is None:
        return f"no step '{new}' on the ladder for {_a(ladder.kind)} school (steps: " \
               f"{', '.join(s.id for s in ladder.steps)})"
    allowed = next_steps(ladder, current)
    if any(s.id == new for s in allowed):
        return ""
    sc = ladder.shortcut
    if sc and new == sc.to and (not current or ladder.index(current) < ladder.index(sc.to)):
        if not_engaging:
            return ""
        return (f"step {new} comes after {', '.join(s.id for s in allowed)}; for {_a(ladder.kind)} {sc.when} the "
                f"ladder goes straight to step {sc.to} (say so with --not-engaging)")
    if current and ladder.index(new) <= ladder.index(current):
        return f"the school is at step {current} already; step {new} is not a step up (end the escalation instead)"
    if not allowed:
        return f"step {current} is the last step of the ladder for {_a(ladder.kind)} school"
    return f"the next step from {current or 'the start'} is {' or '.join(s.id for s in allowed)}, not {new}"


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def shared_step(ladder: Ladder, current: str | None) -> str | None:
    """The step a shared output may name: a step concerning an individual is shown as the step before it."""
    if not current:
        return None
    i = ladder.index(current)
    while i >= 0 and ladder.steps[i].concerns_individual:
        i -= 1
    return ladder.steps[i].id if i >= 0 else None


# --- terms of intervention ------------------------------------------------------------------------------------


def terms_elapsed(pack: RegisterPack, start: str | date, on: str | date) -> tuple[int, list[date]]:
    """How many terms of intervention have run from `start` to `on`, and the end date of each. The term it starts
    in counts when at least half of it was still to run."""
    start, on = _day(start), _day(on)
    ends: list[date] = []
    year = year_of(pack, start)
    while year_start(pack, year) <= on:
        for span in terms_of_year(pack, year):
            if span.ends < start or span.starts > on:
                continue
            if span.starts < start and (span.ends - start) < (start - span.starts):
                continue  # less than half the term left when the intervention started
            if span.ends <= on:
                ends.append(span.ends)
        year = f"{int(year[:4]) + 1}/{(int(year[:4]) + 2) % 100:02d}"
    return len(ends), ends


class Alert(Record):
    kind: str  # review or refer
    terms: int
    since: date
    message: str


def intervention_alert(pack: RegisterPack, start: str | date | None, on: str | date) -> Alert | None:
    """The two-term review and three-term referral of an intervention that started on `start`."""
    rule = pack.intervention
    if rule is None or not start:
        return None
    n, ends = terms_elapsed(pack, start, on)
    if n >= rule.refer_after_terms:
        return Alert("refer", n, ends[rule.refer_after_terms - 1],
                     f"{n} terms of intervention since {_day(start).isoformat()}: refer for alternative measures "
                     f"(after {rule.refer_after_terms} terms, since {ends[rule.refer_after_terms - 1].isoformat()})")
    if n >= rule.review_after_terms:
        return Alert("review", n, ends[rule.review_after_terms - 1],
                     f"{n} terms of intervention since {_day(start).isoformat()}: review whether to continue "
                     f"(not exceeding {rule.review_after_terms} terms, since "
                     f"{ends[rule.review_after_terms - 1].isoformat()})")
    return None


def intervention_start(pack: RegisterPack, stage_history: Iterable[tuple[str, str]]) -> str | None:
    """When the school's current intervention started, from its stage changes (day, stage id or '') in order:
    the day it entered a stage of intervention from outside them; None when it is not in one now."""
    if pack.intervention is None:
        return None
    inside = set(pack.intervention.stages)
    started = None
    for day, stage in stage_history:
        if stage in inside:
            started = started or day
        else:
            started = None
    return started


# --- charges and caps -----------------------------------------------------------------------------------------


class Charge(Record):
    days: float
    band: Band
    pays_days: float
    amount: float
    currency: str

    def line(self) -> str:
        return f"{self.days:g} days: {self.band.said or 'band'} — {self.currency}{self.amount:,.0f}"


def band_for(charging: Charging, days: float) -> Band:
    for band in charging.bands:
        if band.at_most is None or days <= band.at_most:
            return band
    return charging.bands[-1]


def charge(charging: Charging, days: float) -> Charge:
    """What the school pays for `days` of support in a year, from the bands and the day rate."""
    if days < 0:
        raise ValueError("days of support cannot be negative")
    band = band_for(charging, days)
    return Charge(days, band, band.pays, band.pays * charging.day_rate, charging.currency)


def cap_problem(charging: Charging, cap_id: str, used_days: float, adding: float) -> str:
    """Why adding `adding` days under cap `cap_id` to `used_days` already recorded goes past the cap ('' if it
    does not): the days and the amount at the day rate must both stay within it."""
    cap: Cap | None = next((c for c in charging.caps if c.id == cap_id), None)
    if cap is None:
        return f"no cap '{cap_id}' (caps: {', '.join(c.id for c in charging.caps) or 'none'})"
    total = used_days + adding
    amount = total * charging.day_rate
    if total > cap.days:
        left = max(0.0, cap.days - used_days)
        return (f"{cap.label}: {total:g} days would pass the cap of {cap.days:g} days ({used_days:g} recorded, "
                f"{left:g} left); record the rest as support days")
    if amount > cap.amount:
        return (f"{cap.label}: {charging.currency}{amount:,.0f} would pass the cap of {charging.currency}"
                f"{cap.amount:,.0f}; record the rest as support days")
    return ""
