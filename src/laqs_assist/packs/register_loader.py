"""Load a register pack (pack.yaml with `kind: register`), checking everything its author can get wrong.

Every fault is one PackError naming file:line, as for framework packs (loader.py, whose file reader this shares).
"""

from __future__ import annotations

import re
from typing import Any

from . import register_model as r
from .files import PackFile, month_day
from .yamlsrc import LDict

_TOP = {"id", "kind", "title", "source", "version", "term", "calendar", "levels", "levels_reading",
        "support_levels", "support_reading", "evidence_sources", "evidence_required", "rules", "rules_reading",
        "review", "escalation", "escalation_reading", "stages", "factors", "intervention", "charging",
        "readings", "description"}
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _items(f: PackFile, d: LDict, key: str, what: str, required: bool = False) -> list[LDict]:
    raw = f.seq(d.get(key), f"'{key}'", d, key)
    if required and not raw:
        raise f.fail(f"'{key}' must list at least one {what}", d, key if key in d else None)
    return [f.mapping(x, f"a {what}", raw, i) for i, x in enumerate(raw)]


def _unique(f: PackFile, seen: dict, ident: str, what: str, container: Any, key: Any = "id") -> None:
    if ident in seen:
        raise f.fail(f"duplicate {what} '{ident}'", container, key)
    seen[ident] = True


def _count(f: PackFile, d: LDict, key: str) -> int | None:
    value = f.get(d, key, int, None)
    if value is not None and value < 0:
        raise f.fail(f"'{key}' must not be negative", d, key)
    return value


def _allowance(f: PackFile, d: LDict, key: str) -> r.Allowance | None:
    if d.get(key) is None:
        return None
    a = f.mapping(d[key], f"'{key}'", d, key)
    f.check_keys(a, {"at_least", "at_most", "every", "said"}, f"'{key}'")
    low, high = _count(f, a, "at_least"), _count(f, a, "at_most")
    if low is None and high is None:
        raise f.fail(f"'{key}' needs at_least or at_most", a)
    if low is not None and high is not None and low > high:
        raise f.fail(f"'{key}' can never hold: at least {low} but at most {high}", a, "at_most")
    every = f.get(a, "every", str, None)
    if every is not None and every not in r.CADENCES:
        raise f.fail(f"'every' must be one of {', '.join(r.CADENCES)}, not '{every}'", a, "every")
    return r.Allowance(low, high, every, f.get(a, "said", str, ""))


def _calendar(f: PackFile, d: LDict) -> tuple[str, tuple[r.Term, ...], tuple[r.Activity, ...]]:
    c = f.mapping(f.get(d, "calendar", dict), "'calendar'", d, "calendar")
    f.check_keys(c, {"year_starts", "terms", "activities", "reading"}, "'calendar'")
    starts = f.get(c, "year_starts", str, "09-01")
    if not month_day(starts):
        raise f.fail(f"year_starts must be a day of the year as MM-DD, not '{starts}'", c, "year_starts")
    terms, seen = [], {}
    for t in _items(f, c, "terms", "term", required=True):
        f.check_keys(t, {"id", "label", "starts", "ends", "half_term_ends"}, "a term")
        tid = f.ident(t)
        _unique(f, seen, tid, "term", t)
        days = {}
        for k in ("starts", "ends", "half_term_ends"):
            v = f.get(t, k)
            if not month_day(v):
                raise f.fail(f"'{k}' must be a day of the year as MM-DD, not '{v}'", t, k)
            days[k] = v
        terms.append(r.Term(tid, f.get(t, "label"), days["starts"], days["ends"], days["half_term_ends"]))
    activities = []
    for a in _items(f, c, "activities", "term activity"):
        f.check_keys(a, {"term", "text", "by", "review", "annual"}, "a term activity")
        term = f.get(a, "term")
        if term not in seen:
            raise f.fail(f"unknown term '{term}' (terms: {', '.join(seen)})", a, "term")
        activities.append(r.Activity(term, f.get(a, "text"), f.get(a, "by", str, ""), f.get(a, "review", bool, False),
                                     f.get(a, "annual", bool, False)))
    return starts, tuple(terms), tuple(activities)


def _levels(f: PackFile, d: LDict, support_ids: set[str]) -> tuple[r.Level, ...]:
    out, seen = [], {}
    for lv in _items(f, d, "levels", "level", required=True):
        f.check_keys(lv, {"id", "label", "short", "order", "colour", "visits", "reports", "support", "support_level",
                          "reading"}, "a level")
        lid = f.ident(lv)
        _unique(f, seen, lid, "level", lv)
        colour = f.get(lv, "colour")
        if not _COLOUR.fullmatch(colour):
            raise f.fail(f"colour must be #RRGGBB, not '{colour}'", lv, "colour")
        support_level = f.get(lv, "support_level", str, None)
        if support_level is not None and support_level not in support_ids:
            raise f.fail(f"unknown support level '{support_level}' (known: {', '.join(sorted(support_ids)) or 'none'})",
                         lv, "support_level")
        visits, reports = _allowance(f, lv, "visits"), _allowance(f, lv, "reports")
        if support_level is None and visits is None:
            raise f.fail(f"level '{lid}' needs 'visits' (or a support_level that gives them)", lv, "id")
        label = f.get(lv, "label")
        out.append(r.Level(lid, label, f.get(lv, "short", str, label), f.get(lv, "order", int), colour, visits,
                           reports, f.strings(lv, "support"), support_level, f.get(lv, "reading", str, "")))
    orders = sorted(lv.order for lv in out)
    if orders != list(range(1, len(out) + 1)):
        raise f.fail(f"the levels' 'order' must run 1 to {len(out)} (least concern first), each once; found "
                     f"{', '.join(map(str, orders))}", d, "levels")
    return tuple(sorted(out, key=lambda lv: lv.order))


def _support_levels(f: PackFile, d: LDict) -> tuple[r.SupportLevel, ...]:
    out, seen = [], {}
    for s in _items(f, d, "support_levels", "support level"):
        f.check_keys(s, {"id", "label", "sip_days", "visits", "reports", "entitlement"}, "a support level")
        sid = f.ident(s)
        _unique(f, seen, sid, "support level", s)
        out.append(r.SupportLevel(sid, f.get(s, "label"), f.get(s, "sip_days", float, None),
                                  _allowance(f, s, "visits"), _allowance(f, s, "reports"),
                                  f.strings(s, "entitlement")))
    return tuple(out)


def _sources(f: PackFile, d: LDict) -> tuple[r.EvidenceSource, ...]:
    out, seen = [], {}
    for e in _items(f, d, "evidence_sources", "evidence source", required=True):
        f.check_keys(e, {"id", "label"}, "an evidence source")
        eid = f.ident(e)
        _unique(f, seen, eid, "evidence source", e)
        out.append(r.EvidenceSource(eid, f.get(e, "label")))
    return tuple(out)


def _rules(f: PackFile, d: LDict, level_ids: set[str], source_ids: set[str]) -> tuple[r.Rule, ...]:
    out, seen = [], {}
    for x in _items(f, d, "rules", "rule"):
        f.check_keys(x, {"id", "when", "within_months", "at_least", "evidence", "said", "reading"}, "a rule")
        rid = f.ident(x)
        _unique(f, seen, rid, "rule", x)
        when = f.get(x, "when")
        if when != "new_headteacher":
            raise f.fail(f"unknown rule 'when: {when}' (known: new_headteacher)", x, "when")
        months = f.get(x, "within_months", int)
        if months < 1:
            raise f.fail("'within_months' must be at least 1", x, "within_months")
        at_least = f.get(x, "at_least")
        if at_least not in level_ids:
            raise f.fail(f"unknown level '{at_least}' (levels: {', '.join(level_ids)})", x, "at_least")
        evidence = f.get(x, "evidence", str, None)
        if evidence is not None and evidence not in source_ids:
            raise f.fail(f"unknown evidence source '{evidence}'", x, "evidence")
        out.append(r.Rule(rid, when, months, at_least, evidence, f.get(x, "said"), f.get(x, "reading", str, "")))
    return tuple(out)


def _review(f: PackFile, d: LDict) -> r.Review:
    v = f.mapping(f.get(d, "review", dict), "'review'", d, "review")
    f.check_keys(v, {"annual", "every", "stale_after_days", "updates", "board", "letter", "said", "reading"},
                 "'review'")
    a = f.mapping(f.get(v, "annual", dict), "'annual'", v, "annual")
    f.check_keys(a, {"months", "by", "said"}, "'annual'")
    months = f.seq(f.get(a, "months", list), "'months'", a, "months")
    for i, mth in enumerate(months):
        if not isinstance(mth, int) or isinstance(mth, bool) or not 1 <= mth <= 12:
            raise f.fail(f"month {mth!r} must be a whole number from 1 to 12", months, i)
    every = f.get(v, "every")
    if every not in ("week", "month", "half-term", "term"):
        raise f.fail(f"review 'every' must be week, month, half-term or term, not '{every}'", v, "every")
    stale = f.get(v, "stale_after_days", int)
    if stale < 1:
        raise f.fail("'stale_after_days' must be at least 1", v, "stale_after_days")
    board, board_every = "", ""
    if v.get("board") is not None:
        b = f.mapping(v["board"], "'board'", v, "board")
        f.check_keys(b, {"name", "every"}, "'board'")
        board, board_every = f.get(b, "name"), f.get(b, "every", str, "term")
    letter = f.mapping(f.get(v, "letter", dict), "'letter'", v, "letter")
    f.check_keys(letter, {"month", "to", "said"}, "'letter'")
    lm = f.get(letter, "month", int)
    if not 1 <= lm <= 12:
        raise f.fail(f"letter month {lm} must be from 1 to 12", letter, "month")
    return r.Review(tuple(months), f.get(a, "by", str, ""), f.get(a, "said", str, ""), every, stale,
                    f.get(v, "updates", str, ""), board, board_every, lm, f.get(letter, "to"),
                    f.get(letter, "said", str, ""), f.get(v, "said", str, ""), f.get(v, "reading", str, ""))


def _ladders(f: PackFile, d: LDict) -> tuple[r.Ladder, ...]:
    out, kinds = [], {}
    for x in _items(f, d, "escalation", "ladder"):
        f.check_keys(x, {"kind", "title", "steps", "shortcut", "reading"}, "an escalation ladder")
        kind = f.get(x, "kind")
        if kind not in r.SCHOOL_KINDS:
            raise f.fail(f"kind of school must be {' or '.join(r.SCHOOL_KINDS)}, not '{kind}'", x, "kind")
        _unique(f, kinds, kind, "escalation ladder for", x, "kind")
        steps, seen = [], {}
        for s in _items(f, x, "steps", "step", required=True):
            f.check_keys(s, {"id", "text", "formal", "only_if", "concerns_individual"}, "a step")
            sid = f.ident(s)
            _unique(f, seen, sid, "step", s)
            steps.append(r.Step(sid, f.get(s, "text"), f.get(s, "formal", bool), f.get(s, "only_if", str, ""),
                                f.get(s, "concerns_individual", bool, False)))
        if steps[-1].only_if:
            raise f.fail("the last step of a ladder cannot be conditional (only_if)", x, "steps")
        shortcut = None
        if x.get("shortcut") is not None:
            sc = f.mapping(x["shortcut"], "'shortcut'", x, "shortcut")
            f.check_keys(sc, {"when", "to", "said", "reading"}, "'shortcut'")
            to = f.get(sc, "to")
            if to not in seen:
                raise f.fail(f"shortcut to unknown step '{to}' (steps: {', '.join(seen)})", sc, "to")
            shortcut = r.Shortcut(f.get(sc, "when"), to, f.get(sc, "said", str, ""), f.get(sc, "reading", str, ""))
        out.append(r.Ladder(kind, f.get(x, "title"), tuple(steps), shortcut, f.get(x, "reading", str, "")))
    return tuple(out)


def _strand(f: PackFile, s: Any, raw: Any, i: Any, seen: dict) -> r.Strand:
    s = f.mapping(s, "a strand", raw, i)
    f.check_keys(s, {"id", "text"}, "a strand")
    sid = f.ident(s)
    _unique(f, seen, sid, "strand", s)
    return r.Strand(sid, f.get(s, "text"))


def _stages(f: PackFile, d: LDict) -> tuple[r.Stage, ...]:
    out, seen, strands, moves = [], {}, {}, []
    for s in _items(f, d, "stages", "stage"):
        f.check_keys(s, {"id", "label", "level", "said", "strands", "move", "reading"}, "a stage")
        sid = f.ident(s)
        _unique(f, seen, sid, "stage", s)
        listed = f.seq(s.get("strands"), "'strands'", s, "strands")
        items = tuple(_strand(f, x, listed, j, strands) for j, x in enumerate(listed))
        move_to, move_strand = None, None
        if s.get("move") is not None:
            mv = f.mapping(s["move"], "'move'", s, "move")
            f.check_keys(mv, {"to", "strand"}, "'move'")
            move_to = f.get(mv, "to")
            move_strand = _strand(f, f.get(mv, "strand", dict), mv, "strand", strands)
            moves.append((move_to, mv))
        out.append(r.Stage(sid, f.get(s, "label"), f.get(s, "level", str, ""), f.get(s, "said", str, ""), items,
                           move_to, move_strand, f.get(s, "reading", str, "")))
    for to, mv in moves:
        if to not in seen:
            raise f.fail(f"move to unknown stage '{to}' (stages: {', '.join(seen)})", mv, "to")
    return tuple(out)


def _factors(f: PackFile, d: LDict) -> tuple[r.Factor, ...]:
    out, seen = [], {}
    for x in _items(f, d, "factors", "factor"):
        f.check_keys(x, {"id", "text"}, "a factor")
        fid = f.ident(x)
        _unique(f, seen, fid, "factor", x)
        out.append(r.Factor(fid, f.get(x, "text")))
    return tuple(out)


def _positive(f: PackFile, d: LDict, key: str, kind: type = float) -> Any:
    value = f.get(d, key, kind)
    if value < 0:
        raise f.fail(f"'{key}' must not be negative", d, key)
    return value


def _charging(f: PackFile, d: LDict) -> r.Charging | None:
    if d.get("charging") is None:
        return None
    c = f.mapping(d["charging"], "'charging'", d, "charging")
    f.check_keys(c, {"currency", "day_rate", "bands", "caps", "said", "reading"}, "'charging'")
    bands = []
    listed = _items(f, c, "bands", "band", required=True)
    last = None
    for n, b in enumerate(listed):
        f.check_keys(b, {"at_most", "pays", "said"}, "a band")
        top = f.get(b, "at_most", float, None)
        if top is None and n != len(listed) - 1:
            raise f.fail("only the last band may leave out 'at_most' (it takes every total above the one before)",
                         b)
        if top is not None and last is not None and top <= last:
            raise f.fail(f"bands must rise: at_most {top:g} is not above the band before ({last:g})", b, "at_most")
        pays = _positive(f, b, "pays")
        if top is not None and pays > top:
            raise f.fail(f"a band cannot charge {pays:g} days for at most {top:g} days of support", b, "pays")
        bands.append(r.Band(top, pays, f.get(b, "said", str, "")))
        last = top
    caps, seen = [], {}
    for x in _items(f, c, "caps", "cap"):
        f.check_keys(x, {"id", "label", "days", "amount", "said"}, "a cap")
        cid = f.ident(x)
        _unique(f, seen, cid, "cap", x)
        caps.append(r.Cap(cid, f.get(x, "label"), _positive(f, x, "days"), _positive(f, x, "amount"),
                          f.get(x, "said", str, "")))
    return r.Charging(f.get(c, "currency", str, "£"), _positive(f, c, "day_rate"), tuple(bands), tuple(caps),
                      f.get(c, "said", str, ""), f.get(c, "reading", str, ""))


def _intervention(f: PackFile, d: LDict, stage_ids: set[str]) -> r.Intervention | None:
    if d.get("intervention") is None:
        return None
    x = f.mapping(d["intervention"], "'intervention'", d, "intervention")
    f.check_keys(x, {"stages", "review_after_terms", "refer_after_terms", "said", "reading"}, "'intervention'")
    stages = f.strings(x, "stages", required=True)
    for i, s in enumerate(stages):
        if s not in stage_ids:
            raise f.fail(f"unknown stage '{s}' (stages: {', '.join(stage_ids) or 'none'})", x["stages"], i)
    review, refer = f.get(x, "review_after_terms", int), f.get(x, "refer_after_terms", int)
    if not 1 <= review < refer:
        raise f.fail(f"review_after_terms ({review}) must be at least 1 and before refer_after_terms ({refer})",
                     x, "refer_after_terms")
    return r.Intervention(stages, review, refer, f.get(x, "said", str, ""), f.get(x, "reading", str, ""))


def _readings(f: PackFile, d: LDict) -> tuple[r.Reading, ...]:
    out = []
    for key, about in (("levels_reading", "levels"), ("support_reading", "support"), ("rules_reading", "rules"),
                       ("escalation_reading", "escalation")):
        if d.get(key) is not None:
            out.append(r.Reading(about, f.get(d, key)))
    for x in _items(f, d, "readings", "reading"):
        f.check_keys(x, {"about", "reading"}, "a reading")
        out.append(r.Reading(f.get(x, "about"), f.get(x, "reading")))
    return tuple(out)


def load_register(hf: PackFile) -> r.RegisterPack:
    """The register pack whose pack.yaml is `hf` (already parsed; `kind: register`)."""
    f = hf
    d = f.mapping(f.data, "pack.yaml")
    f.check_keys(d, _TOP, "a register pack's pack.yaml")
    pid = f.ident(d)
    year_starts, terms, activities = _calendar(f, d)
    support = _support_levels(f, d)
    levels = _levels(f, d, {s.id for s in support})
    sources = _sources(f, d)
    required = f.get(d, "evidence_required", int, 0)
    if not 0 <= required <= len(sources):
        raise f.fail(f"evidence_required must be from 0 to {len(sources)}", d, "evidence_required")
    rules = _rules(f, d, {lv.id for lv in levels}, {s.id for s in sources})
    stages = _stages(f, d)
    return r.RegisterPack(
        id=pid, title=f.get(d, "title"), source=f.get(d, "source", str, ""), version=f.get(d, "version", str, ""),
        path=f.path.parent, term=f.get(d, "term", str, "level"), year_starts=year_starts, terms=terms,
        activities=activities, levels=levels, support_levels=support, evidence_sources=sources,
        evidence_required=required, rules=rules, review=_review(f, d), ladders=_ladders(f, d), stages=stages,
        factors=_factors(f, d), charging=_charging(f, d),
        intervention=_intervention(f, d, {s.id for s in stages}), readings=_readings(f, d))
