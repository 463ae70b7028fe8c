"""The rating engine: from the judgements recorded for one aspect and phase, the highest column the criteria allow.

Pure functions over pack objects: no I/O, no UI. The rules (interviews/README.md, "Rating rules"):
critical criteria in upper columns are necessary, not sufficient; a met critical criterion in a lower column caps
the rating; counted and threshold criteria reduce to met / not met / unknown; upper columns need the evidence of
impact their column names. The ceiling is the same computation with every unknown resolved favourably.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from .errors import JudgementError
from .packs.model import STATES, Aspect, Column, Criterion, Gap, Indicator, Pack, Range
from .record import Record, factory

NA = "N/A"

_STATE_ALIASES = {
    "met": "met", "yes": "met", "partly": "partly", "partial": "partly", "partially": "partly",
    "not_met": "not_met", "not met": "not_met", "not-met": "not_met", "notmet": "not_met", "no": "not_met",
    "unknown": "unknown", "?": "unknown",
}


def parse_state(value: str) -> str:
    state = _STATE_ALIASES.get(str(value).strip().lower())
    if state is None:
        raise JudgementError(f"'{value}' is not a judgement (use met, partly, not_met or unknown)")
    return state


class Judgements(Record):
    """What has been recorded for one aspect in one phase."""

    states: Mapping[str, str] = factory(dict)  # criterion or set-item id -> state
    counts: Mapping[str, int] = factory(dict)  # counted-set id -> items present
    values: Mapping[str, float] = factory(dict)  # indicator id -> value
    impact: str | None = None  # evidence-of-impact level id
    level: str | None = None  # a column judged directly on the evidence (the "judged" rating method)

    def recorded(self) -> bool:
        return (any(s != "unknown" for s in self.states.values()) or bool(self.counts) or bool(self.values)
                or self.level is not None)


def judgements_from_rows(rows: Iterable[Mapping[str, Any]]) -> Judgements:
    """Judgement rows for one aspect and phase (as the store keeps them: target, kind, state, value), oldest first,
    -> the Judgements they add up to: a later row for a target replaces an earlier one."""
    states: dict[str, str] = {}
    counts: dict[str, int] = {}
    values: dict[str, float] = {}
    impact = level = None
    for r in rows:
        kind = r["kind"]
        if kind == "state":
            states[r["target"]] = r["state"]
        elif kind == "count":
            counts[r["target"]] = int(r["value"])
        elif kind == "value":
            values[r["target"]] = r["value"]
        elif kind == "impact":
            impact = r["state"]
        elif kind == "level":
            level = r["state"]
    return Judgements(states, counts, values, impact, level)


class Blocker(Record):
    column: str
    kind: str  # critical, share, evidence, cap, below, lower
    message: str
    criterion: str | None = None


class RatingWarning(Record):
    """Something the adviser should look at before trusting the rating: a value the source's bands leave out (gap),
    a count its own items contradict (count), or columns that contradict each other (columns)."""

    kind: str  # gap, count, columns
    message: str
    criteria: tuple[str, ...] = ()  # the ids concerned: criteria, sets or indicators


class Rating(Record):
    aspect: str
    phase: str
    suggestion: str | None  # a column id, NA, or None when nothing is recorded
    ceiling: str | None
    cap: str | None  # the column a met critical lower criterion caps at
    capped_by: tuple[str, ...]
    blockers: tuple[Blocker, ...]  # for every column above the suggestion
    lift: tuple[str, ...]  # what evidence would lift the suggestion one column
    states: Mapping[str, str]  # every applicable criterion's state as judged
    reason: str
    warnings: tuple[RatingWarning, ...] = ()
    ceiling_assumes: str = ""  # what the ceiling relies on that is not yet recorded ("Good at best, if …")

    def to_dict(self) -> dict[str, Any]:
        return {
            "aspect": self.aspect, "phase": self.phase, "suggestion": self.suggestion, "ceiling": self.ceiling,
            "ceiling_assumes": self.ceiling_assumes, "cap": self.cap, "capped_by": list(self.capped_by),
            "reason": self.reason, "blockers": [b.__dict__ for b in self.blockers], "lift": list(self.lift),
            "warnings": [{"kind": w.kind, "message": w.message, "criteria": list(w.criteria)}
                         for w in self.warnings],
            "states": dict(self.states),
        }


# --- criterion states ---------------------------------------------------------------------------------------


def _count_interval(pack: Pack, set_id: str, j: Judgements) -> tuple[int, int]:
    """The least and most items of a counted set that can be present, given what is recorded."""
    cset = pack.sets[set_id]
    if set_id in j.counts:
        n = j.counts[set_id]
        return n, n
    present = unknown = 0
    for item in cset.items:
        if item.criterion is not None:
            # An item that is a criterion counts as that criterion is judged, derived ones included.
            state = _criterion_state(pack, pack.criteria[item.criterion], j)
        else:
            state = j.states.get(item.id, "unknown")
        if state == "met":
            present += 1
        elif state == "unknown":
            unknown += 1
    return present, present + unknown


def _criterion_state(pack: Pack, c: Criterion, j: Judgements) -> str:
    if c.count is not None:
        lo, hi = _count_interval(pack, c.count.set_id, j)
        size = len(pack.sets[c.count.set_id].items)
        outcomes = set()
        for present in range(lo, hi + 1):
            n = present if c.count.counts == "present" else size - present
            outcomes.add(c.count.range.holds(n))
        if outcomes == {True}:
            return "met"
        if outcomes == {False}:
            return "not_met"
        return "unknown"
    if c.threshold is not None:
        value = j.values.get(c.threshold.indicator_id)
        if value is None:
            return "unknown"
        return "met" if c.threshold.range.holds(value) else "not_met"
    return j.states.get(c.id, "unknown")


def criterion_states(pack: Pack, aspect: Aspect, phase: str, j: Judgements) -> dict[str, str]:
    return {c.id: _criterion_state(pack, c, j) for c in aspect.criteria if c.applies_to(phase)}


def _favourable(pack: Pack, aspect: Aspect, states: dict[str, str]) -> dict[str, str]:
    out = {}
    for c in aspect.criteria:
        if c.id not in states:
            continue
        s = states[c.id]
        if s == "unknown":
            s = "met" if pack.column(c.column).upper else "not_met"
        out[c.id] = s
    return out


# --- showing the working: what was recorded against what a column needs ---------------------------------------


def amount(ind: Indicator, value: float) -> str:
    """A value in its indicator's unit: "70 %", "national position 60", "3"."""
    if ind.unit == "percent":
        return f"{value:g} %"
    if ind.unit == "percentile":
        return f"national position {value:g}"
    return f"{value:g}"


def band(ind: Indicator, rng: Range) -> str:
    """A threshold's range in its indicator's unit: "at least 75 %", "above 80 % and below 100 %", "100 %"."""
    lo, hi = ind.bounds
    if rng.at_least is not None and rng.at_least == hi and rng.above is None:
        return amount(ind, hi)
    if rng.at_most is not None and rng.at_most == lo and rng.below is None:
        return amount(ind, lo)
    unit = " %" if ind.unit == "percent" else ""
    parts = [f"{word} {v:g}{unit}" for word, v in (("at least", rng.at_least), ("above", rng.above),
                                                    ("at most", rng.at_most), ("below", rng.below)) if v is not None]
    text = " and ".join(parts)
    return f"a national position {text}" if ind.unit == "percentile" else text


def _present_values(counts: str, rng: Range, size: int) -> list[int]:
    return [n for n in range(size + 1) if rng.holds(n if counts == "present" else size - n)]


def count_need(counts: str, rng: Range, size: int) -> str:
    """What a count rule asks for, in its own terms: "all 7", "at least 2 present", "1 to 2 missing"."""
    present = _present_values(counts, rng, size)
    if present == [size]:
        return f"all {size}"
    if present == [0]:
        return f"none of the {size}"
    own = sorted(n if counts == "present" else size - n for n in present)
    a, b = own[0], own[-1]
    if own != list(range(a, b + 1)):
        return f"{', '.join(map(str, own))} {counts}"
    if a == b:
        return f"exactly {a} {counts}"
    if b == size:
        return f"at least {a} {counts}"
    if a == 0:
        return f"at most {b} {counts}"
    return f"{a} to {b} {counts}"


def recorded(pack: Pack, c: Criterion, j: Judgements) -> str:
    """What was recorded for a threshold or counted criterion ("76 % recorded", "5 of 7 features present");
    empty for a statement."""
    if c.threshold is not None:
        ind = pack.indicators[c.threshold.indicator_id]
        value = j.values.get(ind.id)
        return f"no value recorded for {ind.id}" if value is None else f"{amount(ind, value)} recorded"
    if c.count is not None:
        cset = pack.sets[c.count.set_id]
        lo, hi = _count_interval(pack, cset.id, j)
        size = len(cset.items)
        if lo == hi:
            return f"{lo} of {size} {cset.noun} present"
        return f"{lo} to {hi} of {size} {cset.noun} present ({hi - lo} not yet judged)"
    return ""


def working(pack: Pack, c: Criterion, j: Judgements) -> str:
    """For a threshold or counted criterion: what was recorded and what its column needs ("70 % recorded; Good
    needs at least 75 %"); empty for a statement."""
    got = recorded(pack, c, j)
    if not got:
        return ""
    label = pack.column(c.column).label
    if c.threshold is not None:
        need = band(pack.indicators[c.threshold.indicator_id], c.threshold.range)
    else:
        need = count_need(c.count.counts, c.count.range, len(pack.sets[c.count.set_id].items))
    return f"{got}; {label} needs {need}"


def _unmet(c: Criterion, state: str, j: Judgements | None, pack: Pack, lead: str) -> str:
    shown = working(pack, c, j) if j is not None else ""
    return f"{lead}{c.id} is {_words(state)}" + (f" ({shown})" if shown else "") + f": {c.text}"


def _capped(pack: Pack, cap_rank: int, c: Criterion, j: Judgements | None) -> str:
    got = recorded(pack, c, j) if j is not None else ""
    return f"capped at {pack.columns[cap_rank].label} by {c.id}: {c.text}" + (f" ({got})" if got else "")


# --- columns --------------------------------------------------------------------------------------------------


def _score(states: Mapping[str, str], criteria: list[Criterion]) -> float:
    return sum(1.0 if states[c.id] == "met" else 0.5 if states[c.id] == "partly" else 0.0 for c in criteria)


def _needed(pack: Pack, n: int) -> float:
    return pack.sufficiency * n


def _upper_problems(pack: Pack, aspect: Aspect, phase: str, col: Column, states: Mapping[str, str],
                    impact_rank: int, cap_rank: int | None, capped_by: list[Criterion],
                    j: Judgements | None = None, every: bool = False) -> list[Blocker]:
    """Everything that stops an upper column from holding; empty when it holds. With `every`, each of the
    column's criteria must be met, not just the critical ones and the sufficiency share. With the judgements `j`,
    messages show what was recorded against what the column needs."""
    out: list[Blocker] = []
    if cap_rank is not None and cap_rank > col.rank:
        for c in capped_by:
            out.append(Blocker(col.id, "cap", _capped(pack, cap_rank, c, j), c.id))
    crit = aspect.criteria_in(col.id, phase)
    for c in crit:
        if c.critical and states[c.id] != "met":
            out.append(Blocker(col.id, "critical", _unmet(c, states[c.id], j, pack, "critical criterion "), c.id))
    if every:
        for c in crit:
            if not c.critical and states[c.id] != "met":
                out.append(Blocker(col.id, "every", _unmet(c, states[c.id], j, pack, ""), c.id))
    elif crit:
        score, need = _score(states, crit), _needed(pack, len(crit))
        if score < need:
            out.append(Blocker(col.id, "share", f"{score:g} of its {len(crit)} criteria met (a partly met one "
                                                f"counts half); {col.label} needs at least "
                                                f"{math.ceil(need * 2) / 2:g}"))
    if col.evidence is not None:
        need_rank = pack.evidence_rank(col.evidence)
        if impact_rank < need_rank:
            have = next((e.label.lower() for e in pack.evidence_levels if e.rank == impact_rank), "none recorded")
            want = next(e.label for e in pack.evidence_levels if e.rank == need_rank)
            out.append(Blocker(col.id, "evidence", f"needs {want.lower()} (recorded: {have})"))
    if pack.cumulative:
        # "All criteria for a good service are met": every criterion of the upper column below, not best fit.
        below = [c for c in pack.columns if c.upper and c.rank == col.rank + 1]
        for b in below:
            for p in _upper_problems(pack, aspect, phase, b, states, impact_rank, cap_rank, capped_by, j, every=True):
                if p.kind in ("critical", "every"):
                    out.append(Blocker(col.id, "below", f"every {b.label} criterion must be met: {p.message}",
                                       p.criterion))
                elif p.kind != "cap":
                    out.append(Blocker(col.id, "below", f"{b.label} must hold first: {p.message}", p.criterion))
    return out


def _lower_share_holds(pack: Pack, aspect: Aspect, phase: str, col: Column, states: Mapping[str, str]) -> bool:
    crit = aspect.criteria_in(col.id, phase)
    score = _score(states, crit)
    return bool(crit) and score > 0 and score >= _needed(pack, len(crit))


def _cap(pack: Pack, aspect: Aspect, phase: str, states: Mapping[str, str]) -> tuple[int | None, list[Criterion]]:
    worst: int | None = None
    by: list[Criterion] = []
    for col in pack.columns:
        if col.upper:
            continue
        met = [c for c in aspect.criteria_in(col.id, phase) if c.critical and states[c.id] == "met"]
        if met:
            worst, by = col.rank, met  # columns run best first, so the last one found is the worst
    return worst, by


def _decide(pack: Pack, aspect: Aspect, phase: str, states: Mapping[str, str], impact_rank: int,
            j: Judgements | None = None):
    cap_rank, capped_by = _cap(pack, aspect, phase, states)
    problems = {}
    for col in pack.columns:
        if not col.upper:
            break
        problems[col.id] = _upper_problems(pack, aspect, phase, col, states, impact_rank, cap_rank, capped_by, j)
        if not problems[col.id]:
            return col, cap_rank, capped_by, problems
    lowers = [c for c in pack.columns if not c.upper]
    chosen = lowers[0]
    for col in lowers[1:]:
        if (cap_rank is not None and cap_rank >= col.rank) or _lower_share_holds(pack, aspect, phase, col, states):
            chosen = col
    if cap_rank is not None and cap_rank > chosen.rank:
        chosen = pack.columns[cap_rank]
    return chosen, cap_rank, capped_by, problems


def _words(state: str) -> str:
    return {"met": "met", "partly": "only partly met", "not_met": "not met", "unknown": "not yet judged"}[state]


# --- the public entry point -----------------------------------------------------------------------------------


def rate(pack: Pack, aspect_id: str, phase: str, j: Judgements) -> Rating:
    """Suggestion, ceiling and explanation for one aspect in one phase, by the pack's rating method."""
    return METHODS[pack.rating_method](pack, aspect_id, phase, j)


def rate_columns(pack: Pack, aspect_id: str, phase: str, j: Judgements) -> Rating:
    """The four-column ladder (2009 standards): critical criteria, best fit, counted and threshold rules, caps."""
    aspect = pack.aspects[aspect_id]
    if not aspect.applies_to(phase):
        return Rating(aspect_id, phase, NA, NA, None, (), (), (), {},
                      f"{aspect_id} does not apply to {pack.phase_name(phase)}")
    states = criterion_states(pack, aspect, phase, j)
    fav = _favourable(pack, aspect, states)
    # Evidence of impact is what has been seen so far: more may yet be found, so the ceiling assumes the most.
    best_rank = pack.evidence_levels[-1].rank if pack.evidence_levels else 0
    ceiling_col, *_ = _decide(pack, aspect, phase, fav, best_rank)
    assumes = _ceiling_assumes(pack, ceiling_col, states, pack.evidence_rank(j.impact))

    if not _recorded_here(pack, aspect, phase, j, states):
        lift = _lift_from_nothing(pack, aspect, phase)
        return Rating(aspect_id, phase, None, ceiling_col.id, None, (), (), tuple(lift), states,
                      "nothing recorded yet: no suggestion", (), assumes)

    impact_rank = pack.evidence_rank(j.impact)
    col, cap_rank, capped_by, problems = _decide(pack, aspect, phase, states, impact_rank, j)

    blockers: list[Blocker] = []
    for upper_id, probs in problems.items():
        if pack.column(upper_id).rank < col.rank:
            blockers.extend(probs)
    for lower in pack.columns:
        if lower.upper or lower.rank >= col.rank:
            continue
        if cap_rank is not None and cap_rank > lower.rank:
            blockers.extend(Blocker(lower.id, "cap", _capped(pack, cap_rank, c, j), c.id) for c in capped_by)
        else:
            blockers.append(Blocker(lower.id, "lower", f"the criteria for {col.label} are mostly met"))

    lift = _lift(pack, aspect, phase, col, states, blockers)
    capping = capped_by if cap_rank is not None and cap_rank == col.rank else []
    reason = _reason(pack, col, blockers, capping, j)
    warnings = _warnings(pack, aspect, phase, j, states, cap_rank, capped_by)
    return Rating(aspect_id, phase, col.id, ceiling_col.id, pack.columns[cap_rank].id if cap_rank is not None else None,
                  tuple(c.id for c in capped_by), tuple(blockers), tuple(lift), states, reason, warnings, assumes)


def _recorded_here(pack: Pack, aspect: Aspect, phase: str, j: Judgements, states: Mapping[str, str]) -> bool:
    """Whether anything recorded bears on this phase: a judgement of a criterion that applies here, or of an item
    of a set such a criterion counts. A criterion of another phase only (Early Years targets) is not evidence here."""
    if any(s != "unknown" for s in states.values()):
        return True
    counted = {c.count.set_id for c in aspect.criteria if c.count is not None and c.id in states}
    return any(sid in j.counts or any(j.states.get(i.id, "unknown") != "unknown" for i in pack.sets[sid].items)
               for sid in counted)


def _reason(pack: Pack, col: Column, blockers: list[Blocker], capped_by: list[Criterion], j: Judgements) -> str:
    if col.upper:
        base = f"{col.label}: its critical criteria are met and enough of the rest"
    elif capped_by:
        caps = []
        for c in capped_by:
            got = recorded(pack, c, j)
            caps.append(f"{c.id}: {c.text}" + (f" ({got})" if got else ""))
        base = f"{col.label}: capped by {'; '.join(caps)}"
    else:
        base = f"{col.label}: the criteria for a higher column are not met"
    nxt = [b for b in blockers if b.column == _next_up(pack, col)]
    if len(nxt) == 1:
        base += f"; {pack.column(nxt[0].column).label} is blocked: {nxt[0].message}"
    elif nxt:
        # Every reason is named, so that resolving one does not read as if it alone would lift the rating.
        listed = "; ".join(f"({i}) {b.message}" for i, b in enumerate(nxt, 1))
        base += f"; {pack.column(nxt[0].column).label} is blocked for {len(nxt)} reasons, all to be resolved: {listed}"
    return base


def _ceiling_assumes(pack: Pack, ceiling: Column, states: Mapping[str, str], impact_rank: int) -> str:
    """What the ceiling relies on that is not yet recorded: evidence of impact beyond what was seen, and
    criteria not yet judged turning out favourably. Empty when it relies on nothing unrecorded."""
    if not ceiling.upper:
        return ""
    needs = []
    if ceiling.evidence is not None and pack.evidence_rank(ceiling.evidence) > impact_rank:
        level = next(e.label for e in pack.evidence_levels if e.id == ceiling.evidence)
        needs.append(f"{level.lower()} is found")
    open_ = sum(1 for s in states.values() if s == "unknown")
    if open_:
        needs.append(f"the {open_} criteria not yet judged go its way" if open_ > 1
                     else "the criterion not yet judged goes its way")
    return f"{ceiling.label} at best, if {' and '.join(needs)}" if needs else ""


def _warnings(pack: Pack, aspect: Aspect, phase: str, j: Judgements, states: Mapping[str, str],
              cap_rank: int | None, capped_by: list[Criterion]) -> tuple[RatingWarning, ...]:
    out = _gap_warnings(pack, aspect, phase, j) + _count_warnings(pack, aspect, j)
    if cap_rank is not None:
        cap_label = pack.columns[cap_rank].label
        caps = ", ".join(c.id for c in capped_by)
        for c in aspect.criteria:
            col = pack.column(c.column)
            if c.id in states and states[c.id] == "met" and col.rank <= cap_rank - 2:
                out.append(RatingWarning(
                    "columns", f"{c.id} ({col.label}) is met while {caps} caps the rating at {cap_label}: the "
                               "columns contradict each other; check both judgements",
                    (c.id, *capped_by_ids(capped_by))))
        other = [c for c in aspect.criteria if c.id in states and states[c.id] == "met" and c.critical
                 and not pack.column(c.column).upper and pack.column(c.column).rank < cap_rank]
        if other:
            names = ", ".join(f"{c.id} ({pack.column(c.column).label})" for c in other)
            out.append(RatingWarning(
                "columns", f"caps are met in more than one column: {names} and {caps} ({cap_label}); the lowest "
                           "applies, but the columns describe different practice; check which is right",
                tuple(c.id for c in other) + capped_by_ids(capped_by)))
    return tuple(out)


def capped_by_ids(criteria: list[Criterion]) -> tuple[str, ...]:
    return tuple(c.id for c in criteria)


def _in_gap(gap: Gap, value: float, size: int = 0) -> bool:
    if gap.counts:
        return value in _present_values(gap.counts, gap.range, size)
    return gap.range.holds(value)


def _gap_warnings(pack: Pack, aspect: Aspect, phase: str, j: Judgements) -> list[RatingWarning]:
    """A value the source's bands leave out is said, in the source's words, and caps nothing."""
    out = []
    read = {c.threshold.indicator_id for c in aspect.criteria if c.threshold is not None and c.applies_to(phase)}
    for ind in aspect.indicators:
        value = j.values.get(ind.id)
        if value is None or ind.id not in read:
            continue
        for gap in ind.gaps:
            if _in_gap(gap, value):
                exactly = "exactly " if gap.range.point() is not None else ""
                out.append(RatingWarning("gap", f"{amount(ind, value)} recorded ({ind.id}): {gap.said}, so "
                                                f"{exactly}{amount(ind, value)} falls between them and caps nothing",
                                         (ind.id,)))
    counted = {c.count.set_id for c in aspect.criteria if c.count is not None and c.applies_to(phase)}
    for cset in aspect.sets:
        if cset.id not in counted or not cset.gaps:
            continue
        lo, hi = _count_interval(pack, cset.id, j)
        size = len(cset.items)
        if lo != hi:
            continue
        for gap in cset.gaps:
            if _in_gap(gap, lo, size):
                n = lo if gap.counts == "present" else size - lo
                out.append(RatingWarning("gap", f"{n} of {size} {cset.noun} {gap.counts} ({cset.id}): {gap.said}, "
                                                f"so {n} {gap.counts} falls between them and caps nothing",
                                         (cset.id,)))
    return out


def _count_warnings(pack: Pack, aspect: Aspect, j: Judgements) -> list[RatingWarning]:
    """A count recorded for a set whose items, as judged, cannot add up to it: the count is what is rated."""
    out = []
    for cset in aspect.sets:
        if cset.id not in j.counts:
            continue
        n, size = j.counts[cset.id], len(cset.items)
        present = missing = 0
        for item in cset.items:
            if item.criterion is not None:
                state = _criterion_state(pack, pack.criteria[item.criterion], Judgements(j.states, {}, j.values))
            else:
                state = j.states.get(item.id, "unknown")
            if state == "met":
                present += 1
            elif state in ("not_met", "partly"):
                missing += 1
        if present > n or missing > size - n:
            said = []
            if present > n:
                said.append(f"{present} judged present")
            if missing > size - n:
                said.append(f"{missing} judged missing (not met or partly)")
            out.append(RatingWarning(
                "count", f"{cset.id}: the count says {n} of {size} {cset.noun} present, but of its items "
                         f"{' and '.join(said)}; the count is what is rated, so check it against the items",
                (cset.id,)))
    return out


def _next_up(pack: Pack, col: Column) -> str | None:
    return pack.columns[col.rank - 1].id if col.rank > 0 else None


def _lift(pack: Pack, aspect: Aspect, phase: str, col: Column, states: Mapping[str, str],
          blockers: list[Blocker]) -> list[str]:
    target = _next_up(pack, col)
    if target is None:
        return []
    out = []
    for b in blockers:
        if b.column != target:
            continue
        if b.kind == "cap":
            out.append(f"evidence that {b.criterion} no longer describes the practice")
        elif b.kind == "critical":
            out.append(f"evidence that {b.criterion} is met")
        elif b.kind == "share":
            open_ = [c.id for c in aspect.criteria_in(target, phase) if states[c.id] in ("unknown", "partly")]
            hint = f" (open: {', '.join(open_)})" if open_ else ""
            out.append(f"more of the {pack.column(target).label} criteria met{hint}")
        elif b.kind == "evidence":
            out.append(b.message.replace("needs", "", 1).strip().capitalize())
        elif b.kind == "below":
            out.append(f"evidence that {b.criterion} is met" if b.criterion else b.message)
        elif b.kind == "lower":
            out.append(f"evidence against the {col.label} criteria")
    return list(dict.fromkeys(out))


def _lift_from_nothing(pack: Pack, aspect: Aspect, phase: str) -> list[str]:
    first_upper = [c for c in pack.columns if c.upper][-1]
    crit = [c.id for c in aspect.criteria_in(first_upper.id, phase) if c.critical]
    out = [f"judgements on the {first_upper.label} criteria" + (f", critical first: {', '.join(crit)}" if crit else "")]
    if first_upper.evidence:
        out.append(f"the evidence of impact seen ({first_upper.label} needs "
                   f"{next(e.label.lower() for e in pack.evidence_levels if e.id == first_upper.evidence)})")
    return out


# --- overrides and the LA's own view --------------------------------------------------------------------------


class AspectView(Record):
    """The tool's suggestion beside the adviser's override and the LA's self-evaluation."""

    rating: Rating
    override: str | None = None
    override_reason: str = ""
    self_evaluation: str | None = None

    @property
    def final(self) -> str | None:
        return self.override or self.rating.suggestion

    @property
    def disagrees(self) -> bool:
        return self.self_evaluation is not None and self.final not in (None, NA) and self.self_evaluation != self.final


def view(pack: Pack, rating: Rating, override: str | None = None, reason: str = "",
         self_evaluation: str | None = None) -> AspectView:
    cols = pack.column_ids()
    if override is not None:
        if override not in cols:
            raise JudgementError(f"'{override}' is not a column (use {', '.join(cols)})")
        if not reason.strip():
            raise JudgementError("an override needs a reason")
        if rating.suggestion == NA:
            raise JudgementError(f"{rating.aspect} does not apply to {pack.phase_name(rating.phase)}")
    if self_evaluation is not None and self_evaluation not in cols:
        raise JudgementError(f"'{self_evaluation}' is not a column (use {', '.join(cols)})")
    return AspectView(rating, override, reason.strip(), self_evaluation)


# --- reading judgements ---------------------------------------------------------------------------------------


def judgements_for(pack: Pack, aspect_id: str, entries: Mapping[str, Any], impact: Any = None) -> Judgements:
    """Check a mapping of id -> state, count or value against the pack and build Judgements."""
    if aspect_id not in pack.aspects:
        raise JudgementError(f"unknown aspect '{aspect_id}' (known: {', '.join(pack.aspects)})")
    states: dict[str, str] = {}
    counts: dict[str, int] = {}
    values: dict[str, float] = {}
    for key, raw in entries.items():
        key = str(key)
        owner = pack.aspect_of(key)
        if owner is None:
            raise JudgementError(f"unknown criterion '{key}'")
        if owner != aspect_id:
            raise JudgementError(f"'{key}' belongs to aspect {owner}, not {aspect_id}")
        if key in pack.indicators:
            values[key] = _number(pack, key, raw)
        elif key in pack.sets:
            counts[key] = _count(pack, key, raw)
        else:
            if key in pack.criteria and pack.criteria[key].kind != "statement":
                kind = pack.criteria[key].kind
                crit = pack.criteria[key]
                source = crit.count.set_id if kind == "count" else crit.threshold.indicator_id
                raise JudgementError(f"{key} is worked out from {source}: record that instead")
            if not isinstance(raw, str):
                raise JudgementError(f"{key}: '{raw}' is not a judgement (use met, partly, not_met or unknown)")
            states[key] = parse_state(raw)
    level = None
    if impact is not None:
        level = str(impact).strip().lower()
        known = [e.id for e in pack.evidence_levels]
        if level not in known:
            raise JudgementError(f"'{impact}' is not an evidence-of-impact level (use {', '.join(known)})")
    return Judgements(states, counts, values, level)


def _number(pack: Pack, key: str, raw: Any) -> float:
    ind = pack.indicators[key]
    if isinstance(raw, bool):
        raise JudgementError(f"{key}: expected a number, got '{raw}'")
    try:
        value = float(str(raw).strip().rstrip("%"))
    except ValueError:
        raise JudgementError(f"{key}: '{raw}' is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise JudgementError(f"{key}: '{raw}' is not a number")
    lo, hi = ind.bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        span = f"{lo:g}–{hi:g}" if hi is not None else f"at least {lo:g}"
        raise JudgementError(f"{key}: {value:g} is out of range for a {ind.unit} ({span})")
    return value


def _count(pack: Pack, key: str, raw: Any) -> int:
    size = len(pack.sets[key].items)
    if isinstance(raw, Mapping):
        if set(raw) == {"present"}:
            n = raw["present"]
        elif set(raw) == {"missing"}:
            n = raw["missing"]
            if isinstance(n, int) and not isinstance(n, bool):
                n = size - n
        else:
            raise JudgementError(f"{key}: give {{present: N}} or {{missing: N}}")
    else:
        n = raw
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= size:
        raise JudgementError(f"{key}: a count must be a whole number from 0 to {size}")
    return n


def state_names() -> tuple[str, ...]:
    return STATES


def rate_judged(pack: Pack, aspect_id: str, phase: str, j: Judgements) -> Rating:
    """A level judged directly on the evidence (a framework that gives no criteria per level): the suggestion is
    the level the adviser judged last, and nothing is worked out that could cap or lift it. Criteria a pack gives
    are guidance and their states are shown, not rated. With nothing judged, no suggestion; the ceiling is then the
    best level, since any may yet be judged."""
    aspect = pack.aspects[aspect_id]
    if not aspect.applies_to(phase):
        return Rating(aspect_id, phase, NA, NA, None, (), (), (), {},
                      f"{aspect_id} does not apply to {pack.phase_name(phase)}")
    states = criterion_states(pack, aspect, phase, j)
    word = pack.terms.rating
    if j.level is None or j.level not in pack.column_ids():
        lift = (f"evidence on {aspect_id} (answers, documents) and a {word} judged on it",)
        return Rating(aspect_id, phase, None, pack.columns[0].id, None, (), (), lift, states,
                      f"no {word} judged yet: no suggestion")
    col = pack.column(j.level)
    lift = ()
    if col.rank > 0:
        up = pack.columns[col.rank - 1]
        lift = (f"evidence of practice at {up.label}, judged again",)
    return Rating(aspect_id, phase, col.id, col.id, None, (), (), lift, states,
                  f"{col.label}: judged by the adviser on the evidence recorded")


# Rating methods by the name a pack gives in `rating: {method: …}` (packs.model.RATING_METHODS lists the names).
METHODS = {"columns": rate_columns, "judged": rate_judged}
