"""Load a framework pack folder into model objects, checking everything a pack author can get wrong.

Every fault raises PackError with `where` = file:line; nothing else escapes for a malformed pack.
"""

from __future__ import annotations

import os
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import PackError
from . import model as m
from .files import MAX_PACK_FILES, REQUIRED, Budget, PackFile, month_day
from .yamlsrc import LDict, line_of, pack_error

# Counting runs through criteria that are items of counted sets; rating follows each such link afresh, so a chain
# must be short and its unfolding small (the shipped pack nests one level, unfolding to a handful).
MAX_COUNT_NESTING = 10
MAX_COUNT_UNFOLDING = 10_000


def _pack_files(root: Path, folder: str, count: list[int]) -> list[Path]:
    """The YAML files of one folder of the pack, in name order; refused beyond MAX_PACK_FILES in all."""
    where = root / folder
    if not where.is_dir():
        return []
    paths = list(islice(where.glob("*.yaml"), MAX_PACK_FILES + 1 - count[0]))
    count[0] += len(paths)
    if count[0] > MAX_PACK_FILES:
        raise pack_error(f"the pack has more than {MAX_PACK_FILES} files, the most a pack may hold",
                         f"{root.name}/{folder}")
    return sorted(paths)


def _why(ident: str) -> str:
    """Why a reference matches nothing, when the reason is the id itself (a zero-width space, a fullwidth digit):
    every id defined keeps to the id character set, so such a reference never can."""
    problem = m.id_problem(ident)
    return f" ({problem})" if problem else ""


class _Ids:
    """Pack-wide unique ids, remembering where each was defined."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def add(self, f: PackFile, ident: str, container: Any, key: Any = "id") -> None:
        where = f"{f.name}:{line_of(container, key)}"
        if ident in self.seen:
            raise pack_error(f"duplicate id '{ident}' (first defined at {self.seen[ident]})", where)
        self.seen[ident] = where


def _range(f: PackFile, d: LDict, what: str) -> m.Range:
    keys = {"at_least", "above", "at_most", "below"}
    f.check_keys(d, keys, what)
    bounds = {k: f.get(d, k, float, None) for k in keys}
    r = m.Range(**bounds)
    if all(v is None for v in bounds.values()):
        raise f.fail(f"{what} needs at least one of at_least, above, at_most, below", d)
    # The tightest lower and upper bounds, each with whether it is strict.
    lows = [(v, strict) for v, strict in ((r.at_least, False), (r.above, True)) if v is not None]
    highs = [(v, strict) for v, strict in ((r.at_most, False), (r.below, True)) if v is not None]
    if lows and highs:
        lo, lo_strict = max(lows, key=lambda x: (x[0], x[1]))
        hi, hi_strict = min(highs, key=lambda x: (x[0], not x[1]))
        if lo > hi or (lo == hi and (lo_strict or hi_strict)):
            raise f.fail(f"{what} can never hold: {r.describe()}", d)
    return r


_PACK_KEYS = {"id", "title", "source", "description", "phases", "columns", "evidence_levels", "sufficiency",
              "cumulative", "groups", "rollup", "version", "organisations", "rating", "calendar", "note_checks",
              "terms", "documents", "kind"}
_ASPECT_KEYS = {"id", "title", "group", "not_applicable", "standards", "leads", "indicators", "sets", "criteria"}
_CRITERION_KEYS = {"id", "text", "critical", "critical_reason", "phases", "count", "threshold", "note", "reading"}


def _gap(f: PackFile, g: Any, container: Any, key: Any, counted: bool) -> m.Gap:
    """A gap the source's bands leave: `at: 80` (one value) or a range, and `said`, the bands in the source's
    words; on a counted set the range is on `present` or `missing` items."""
    g = f.mapping(g, "a gap", container, key)
    said = f.get(g, "said")
    if counted:
        f.check_keys(g, {"present", "missing", "said"}, "a gap")
        which = [k for k in ("present", "missing") if k in g]
        if len(which) != 1:
            raise f.fail("a gap on a counted set needs exactly one of 'present' or 'missing'", g)
        body, counts = f.mapping(g[which[0]], f"'{which[0]}'", g, which[0]), which[0]
    else:
        body = LDict({k: v for k, v in g.items() if k != "said"})
        body.line, body.key_lines = g.line, g.key_lines
        counts = ""
    if "at" in body:
        if len(body) != 1:
            raise f.fail("a gap gives either 'at' or a range (at_least, above, at_most, below), not both", body)
        at = f.get(body, "at", float)
        rng = m.Range(at_least=at, at_most=at)
    else:
        rng = _range(f, body, "a gap")
    return m.Gap(rng, said, counts)


def _gaps(f: PackFile, d: LDict, counted: bool, sites: dict) -> tuple[m.Gap, ...]:
    out = []
    listed = f.seq(d.get("gaps"), "'gaps'", d, "gaps")
    for i, g in enumerate(listed):
        gap = _gap(f, g, listed, i, counted)
        sites[id(gap)] = (listed, i)
        out.append(gap)
    return tuple(out)


def _gap_where(gap: m.Gap) -> str:
    point = gap.range.point()
    return f"gap at {point:g}" if point is not None else f"gap {gap.range.describe()}"


def _present_values(counts: str, rng: m.Range, size: int) -> set[int]:
    """The numbers of items present for which a range on present (or missing) items holds."""
    return {n for n in range(size + 1) if rng.holds(n if counts == "present" else size - n)}


def _check_gaps(f: PackFile, criteria: list, indicators: list, sets: list, sites: dict) -> None:
    """A gap is where no band of the source reaches: it must not overlap a threshold or count on its measure."""
    for ind in indicators:
        lo, hi = ind.bounds
        for gap in ind.gaps:
            container, key = sites[id(gap)]
            r = gap.range
            for bound in (r.at_least, r.above, r.at_most, r.below):
                if bound is not None and ((lo is not None and bound < lo) or (hi is not None and bound > hi)):
                    raise f.fail(f"{_gap_where(gap)} is out of range for a {ind.unit} indicator", container, key)
            for c in criteria:
                if c.threshold is not None and c.threshold.indicator_id == ind.id and r.overlaps(c.threshold.range):
                    raise f.fail(f"{_gap_where(gap)} on {ind.id} overlaps {c.id} ({c.threshold.range.describe()}): "
                                 "a gap is a value no band reaches", container, key)
    for s in sets:
        size = len(s.items)
        for gap in s.gaps:
            container, key = sites[id(gap)]
            values = _present_values(gap.counts, gap.range, size)
            if not values:
                raise f.fail(f"{_gap_where(gap)} is out of range for set '{s.id}' of {size} items", container, key)
            for c in criteria:
                if c.count is not None and c.count.set_id == s.id and \
                        values & _present_values(c.count.counts, c.count.range, size):
                    raise f.fail(f"{_gap_where(gap)} {gap.counts} on {s.id} overlaps {c.id} ({c.count.counts} "
                                 f"{c.count.range.describe()}): a gap is a count no band reaches", container, key)


def _load_header(f: PackFile) -> dict[str, Any]:
    d = f.mapping(f.data, "pack.yaml")
    f.check_keys(d, _PACK_KEYS, "pack.yaml")
    rating_method, rating_note = _rating(f, d)
    judged = rating_method == "judged"
    phases = []
    seen: set[str] = set()
    for i, p in enumerate(f.seq(f.get(d, "phases", list), "'phases'", d, "phases")):
        p = f.mapping(p, "a phase", d["phases"], i)
        f.check_keys(p, {"id", "name"}, "a phase")
        pid = f.ident(p)
        if pid in seen:
            raise f.fail(f"duplicate phase '{pid}'", p, "id")
        seen.add(pid)
        phases.append(m.Phase(pid, f.get(p, "name")))
    if not phases:
        raise f.fail("'phases' must list at least one phase", d, "phases")

    levels = []
    for i, e in enumerate(f.seq(f.get(d, "evidence_levels", list), "'evidence_levels'", d, "evidence_levels")):
        e = f.mapping(e, "an evidence level", d["evidence_levels"], i)
        f.check_keys(e, {"id", "label"}, "an evidence level")
        eid = f.ident(e)
        if any(x.id == eid for x in levels):
            raise f.fail(f"duplicate evidence level '{eid}'", e, "id")
        levels.append(m.EvidenceLevel(eid, i, f.get(e, "label")))
    level_ids = {e.id for e in levels}

    columns = []
    col_keys = {"id", "label", "dashboard", "note", "rag", "side", "evidence"}
    seen_cols: set[str] = set()
    sides_seen_lower = False
    for i, c in enumerate(f.seq(f.get(d, "columns", list), "'columns'", d, "columns")):
        c = f.mapping(c, "a column", d["columns"], i)
        f.check_keys(c, col_keys, "a column")
        cid = f.ident(c)
        if cid in seen_cols:
            raise f.fail(f"duplicate column '{cid}'", c, "id")
        seen_cols.add(cid)
        # A judged level is not worked out from criteria, so its columns have no side to play: upper by default.
        side = f.get(c, "side", str, "upper" if judged else REQUIRED)
        if side not in ("upper", "lower"):
            raise f.fail(f"column side must be 'upper' or 'lower', not '{side}'", c, "side")
        if side == "upper" and sides_seen_lower and not judged:
            raise f.fail("upper columns must come before lower columns (best first)", c, "side")
        sides_seen_lower = sides_seen_lower or side == "lower"
        rag = f.get(c, "rag")
        if rag not in ("G", "A", "R"):
            raise f.fail(f"rag must be G, A or R, not '{rag}'", c, "rag")
        evidence = f.get(c, "evidence", str, None)
        if evidence is not None and evidence not in level_ids:
            raise f.fail(f"unknown evidence level '{evidence}'{_why(evidence)}", c, "evidence")
        label = f.get(c, "label")
        columns.append(m.Column(cid, i, label, f.get(c, "dashboard", str, label), f.get(c, "note", str, label),
                                rag, side, evidence))
    if len(columns) < 2:
        raise f.fail("'columns' must list at least two columns", d, "columns")
    if not judged and (not any(c.upper for c in columns) or all(c.upper for c in columns)):
        raise f.fail("'columns' needs at least one upper and one lower column", d, "columns")

    sufficiency = f.get(d, "sufficiency", float, 0.5)
    if not 0 <= sufficiency <= 1:
        raise f.fail(f"sufficiency must be between 0 and 1, not {sufficiency:g}", d, "sufficiency")

    groups = []
    for i, g in enumerate(f.seq(f.get(d, "groups", list), "'groups'", d, "groups")):
        g = f.mapping(g, "a group", d["groups"], i)
        f.check_keys(g, {"id", "title", "aspects"}, "a group")
        gid = f.ident(g)
        if any(x.id == gid for x, _ in groups):
            raise f.fail(f"duplicate group '{gid}'", g, "id")
        groups.append((m.Group(gid, f.get(g, "title"), f.strings(g, "aspects", True)), g))

    r = f.mapping(f.get(d, "rollup", dict), "'rollup'", d, "rollup")
    f.check_keys(r, {"method", "tolerance", "max_drop", "min_rated"}, "'rollup'")
    method = f.get(r, "method")
    if method != "tolerance":
        raise f.fail(f"unknown roll-up method '{method}' (known: tolerance)", r, "method")
    tolerance = f.get(r, "tolerance", int, 0)
    max_drop = f.get(r, "max_drop", int, len(columns))
    if tolerance < 0 or max_drop < 0:
        raise f.fail("roll-up tolerance and max_drop must not be negative", r)
    min_rated = f.get(r, "min_rated", float, 0.0)
    if not 0 <= min_rated <= 1:
        raise f.fail(f"min_rated is a share of a group's aspects, from 0 to 1, not {min_rated:g}", r, "min_rated")
    kinds = []
    for i, k in enumerate(f.seq(d.get("organisations"), "'organisations'", d, "organisations")):
        k = f.mapping(k, "an organisation kind", d["organisations"], i)
        f.check_keys(k, {"id", "name", "agenda"}, "an organisation kind")
        kid = f.ident(k)
        if any(x.id.lower() == kid.lower() for x, _ in kinds):
            raise f.fail(f"duplicate organisation kind '{kid}'", k, "id")
        kinds.append((m.OrganisationKind(kid, f.get(k, "name", str, kid), f.get(k, "agenda", str, "")), k))

    year_starts = "09-01"
    if d.get("calendar") is not None:
        cd = f.mapping(d["calendar"], "'calendar'", d, "calendar")
        f.check_keys(cd, {"year_starts"}, "'calendar'")
        year_starts = f.get(cd, "year_starts")
        if not month_day(year_starts):
            raise f.fail(f"year_starts must be a month and day as MM-DD (09-01 for 1 September), not "
                         f"'{year_starts}'", cd, "year_starts")

    checks = []
    checks_title = ""
    nd, listed = d, None
    if d.get("note_checks") is not None:
        nd = f.mapping(d["note_checks"], "'note_checks'", d, "note_checks")
        f.check_keys(nd, {"title", "checks"}, "'note_checks'")
        checks_title = f.get(nd, "title", str, "")
        listed = nd.get("checks")
    for i, c in enumerate(f.seq(listed, "'checks'", nd, "checks")):
        c = f.mapping(c, "a note check", nd["checks"], i)
        check = f.get(c, "check")
        problem = m.id_problem(check)
        if problem:
            raise f.fail(problem, c, "check")
        settings = {k: v for k, v in c.items() if k not in ("check", "feature")}
        for k, v in settings.items():
            if not isinstance(v, (str, int, float, bool)) or isinstance(v, float) and v != v:
                raise f.fail(f"note check setting '{k}' must be a plain value", c, k)
        checks.append(m.NoteCheck(check, f.get(c, "feature"), settings))

    return {
        "version": str(d["version"]) if d.get("version") is not None else "",
        "organisation_kinds": kinds, "rating_method": rating_method, "year_starts": year_starts,
        "rating_note": rating_note, "terms": _terms(f, d), **_documents(f, d),
        "note_checks": tuple(checks), "note_checks_title": checks_title,
        "id": f.ident(d), "title": f.get(d, "title"), "source": f.get(d, "source", str, ""),
        "description": f.get(d, "description", str, ""), "phases": tuple(phases), "columns": tuple(columns),
        "evidence_levels": tuple(levels), "sufficiency": sufficiency,
        "cumulative": f.get(d, "cumulative", bool, True), "groups": groups,
        "rollup": m.RollupRule(method, tolerance, max_drop, min_rated),
    }


def _rating(f: PackFile, d: LDict) -> tuple[str, str]:
    """The pack's rating method and what it says about how the method applies to it."""
    if d.get("rating") is None:
        return "columns", ""
    rd = f.mapping(d["rating"], "'rating'", d, "rating")
    f.check_keys(rd, {"method", "note"}, "'rating'")
    method = f.get(rd, "method")
    if method not in m.RATING_METHODS:
        raise f.fail(f"unknown rating method '{method}' (known: {', '.join(m.RATING_METHODS)})", rd, "method")
    return method, f.get(rd, "note", str, "")


def _terms(f: PackFile, d: LDict) -> m.Terms:
    if d.get("terms") is None:
        return m.Terms()
    td = f.mapping(d["terms"], "'terms'", d, "terms")
    known = set(m.Terms._fields)
    f.check_keys(td, known, "'terms'")
    return m.Terms(**{k: f.get(td, k) for k in m.Terms._fields if k in td})


def _documents(f: PackFile, d: LDict) -> dict[str, Any]:
    """The kinds of document the pack accepts as evidence, and what it calls them."""
    if d.get("documents") is None:
        return {"document_kinds": (), "documents_title": ""}
    dd = f.mapping(d["documents"], "'documents'", d, "documents")
    f.check_keys(dd, {"title", "kinds"}, "'documents'")
    kinds: list[m.DocumentKind] = []
    raw = f.seq(f.get(dd, "kinds", list), "'kinds'", dd, "kinds")
    for i, k in enumerate(raw):
        k = f.mapping(k, "a document kind", raw, i)
        f.check_keys(k, {"id", "label"}, "a document kind")
        kid = f.ident(k)
        if any(x.id == kid for x in kinds):
            raise f.fail(f"duplicate document kind '{kid}'", k, "id")
        kinds.append(m.DocumentKind(kid, f.get(k, "label")))
    if not kinds:
        raise f.fail("'documents' must list at least one kind", dd, "kinds")
    return {"document_kinds": tuple(kinds), "documents_title": f.get(dd, "title", str, "")}


def _load_aspect(f: PackFile, header: dict[str, Any], ids: _Ids) -> tuple[m.Aspect, list, list]:
    """Returns the aspect, the references still to resolve: (kind, id, file, container, key), and the links that
    counting follows: ("counts", criterion, set, file, container, key) and ("lists", set, criterion, …)."""
    d = f.mapping(f.data, "an aspect file")
    f.check_keys(d, _ASPECT_KEYS, "an aspect")
    aid = f.ident(d)
    phase_ids = {p.id for p in header["phases"]}
    col_ids = [c.id for c in header["columns"]]
    refs: list = []
    links: list = []

    na = f.strings(d, "not_applicable")
    for i, p in enumerate(na):
        if p not in phase_ids:
            raise f.fail(f"unknown phase '{p}' in not_applicable{_why(p)}", d["not_applicable"], i)

    standards = []
    for i, s in enumerate(f.seq(d.get("standards"), "'standards'", d, "standards")):
        if isinstance(s, str):
            standards.append(m.Standard(s))
        else:
            s = f.mapping(s, "a standard", d["standards"], i)
            f.check_keys(s, {"text", "sub"}, "a standard")
            standards.append(m.Standard(f.get(s, "text"), f.strings(s, "sub")))

    leads = {}
    if d.get("leads") is not None:
        ld = f.mapping(d["leads"], "'leads'", d, "leads")
        for k in ld:
            if k not in col_ids:
                raise f.fail(f"unknown column '{k}' in leads{_why(k)}", ld, k)
            leads[k] = f.get(ld, k)

    indicators = []
    gap_sites: dict[int, tuple[Any, Any]] = {}
    for i, ind in enumerate(f.seq(d.get("indicators"), "'indicators'", d, "indicators")):
        ind = f.mapping(ind, "an indicator", d["indicators"], i)
        f.check_keys(ind, {"id", "text", "unit", "gaps"}, "an indicator")
        iid = f.ident(ind)
        ids.add(f, iid, ind)
        unit = f.get(ind, "unit")
        if unit not in m.INDICATOR_UNITS:
            raise f.fail(f"unknown unit '{unit}' (known: {', '.join(m.INDICATOR_UNITS)})", ind, "unit")
        indicators.append(m.Indicator(iid, aid, f.get(ind, "text"), unit, _gaps(f, ind, False, gap_sites)))
    indicator_by_id = {i.id: i for i in indicators}

    sets = []
    for i, s in enumerate(f.seq(d.get("sets"), "'sets'", d, "sets")):
        s = f.mapping(s, "a counted set", d["sets"], i)
        f.check_keys(s, {"id", "text", "items", "noun", "gaps"}, "a counted set")
        sid = f.ident(s)
        ids.add(f, sid, s)
        items = []
        raw_items = f.seq(f.get(s, "items", list), "'items'", s, "items")
        if not raw_items:
            raise f.fail(f"counted set '{sid}' has no items", s, "items")
        for j, it in enumerate(raw_items):
            it = f.mapping(it, "a set item", raw_items, j)
            f.check_keys(it, {"id", "text", "criterion"}, "a set item")
            if "criterion" in it:
                cref = f.get(it, "criterion")
                refs.append(("criterion", cref, f, it, "criterion"))
                links.append(("lists", sid, cref, f, it, "criterion"))
                items.append(m.SetItem(cref, f.get(it, "text", str, ""), cref))
            else:
                item_id = f.ident(it)
                ids.add(f, item_id, it)
                items.append(m.SetItem(item_id, f.get(it, "text")))
        sets.append(m.CountedSet(sid, aid, f.get(s, "text"), tuple(items), f.get(s, "noun", str, "items"),
                                 _gaps(f, s, True, gap_sites)))
    set_by_id = {s.id: s for s in sets}

    # A judged level needs no criteria (the G&T standard gives none per level); criteria given are guidance.
    judged = header["rating_method"] == "judged"
    crit_map = f.mapping(f.get(d, "criteria", dict, LDict() if judged else REQUIRED), "'criteria'", d, "criteria")
    for k in crit_map:
        if k not in col_ids:
            raise f.fail(f"unknown column '{k}' in criteria (columns: {', '.join(col_ids)}){_why(k)}", crit_map, k)
    for cid in col_ids:
        if cid not in crit_map and not judged:
            raise f.fail(f"criteria for column '{cid}' are missing", d, "criteria")
    criteria = []
    for col in col_ids:
        if col not in crit_map:
            continue
        raw = f.seq(crit_map[col], f"criteria for {col}", crit_map, col)
        for i, c in enumerate(raw):
            c = f.mapping(c, "a criterion", raw, i)
            f.check_keys(c, _CRITERION_KEYS, "a criterion")
            crid = f.ident(c)
            ids.add(f, crid, c)
            phases = f.strings(c, "phases")
            for j, p in enumerate(phases):
                if p not in phase_ids:
                    raise f.fail(f"unknown phase '{p}' in criterion '{crid}'{_why(p)}", c["phases"], j)
            count = threshold = None
            if "count" in c and "threshold" in c:
                raise f.fail(f"criterion '{crid}' cannot have both count and threshold", c, "threshold")
            if c.get("count") is not None:
                cd = f.mapping(c["count"], "'count'", c, "count")
                f.check_keys(cd, {"set", "present", "missing"}, "'count'")
                sref = f.get(cd, "set")
                if sref not in set_by_id:
                    raise f.fail(f"criterion '{crid}' counts unknown set '{sref}'{_why(sref)}", cd, "set")
                which = [k for k in ("present", "missing") if k in cd]
                if len(which) != 1:
                    raise f.fail("'count' needs exactly one of 'present' or 'missing'", cd)
                rng = _range(f, f.mapping(cd[which[0]], f"'{which[0]}'", cd, which[0]), f"'{which[0]}'")
                size = len(set_by_id[sref].items)
                for bound in (rng.at_least, rng.above, rng.at_most, rng.below):
                    if bound is not None and not 0 <= bound <= size:
                        raise f.fail(f"count {bound:g} is out of range for set '{sref}' of {size} items",
                                     cd, which[0])
                count = m.CountRule(sref, which[0], rng)
                links.append(("counts", crid, sref, f, cd, "set"))
            if c.get("threshold") is not None:
                td = f.mapping(c["threshold"], "'threshold'", c, "threshold")
                iref = f.get(td, "indicator")
                if iref not in indicator_by_id:
                    raise f.fail(f"criterion '{crid}' reads unknown indicator '{iref}'{_why(iref)}", td, "indicator")
                body = LDict({k: v for k, v in td.items() if k != "indicator"})
                body.line, body.key_lines = td.line, td.key_lines
                rng = _range(f, body, "'threshold'")
                lo, hi = indicator_by_id[iref].bounds
                for key in ("at_least", "above", "at_most", "below"):
                    bound = getattr(rng, key)
                    if bound is None:
                        continue
                    if (lo is not None and bound < lo) or (hi is not None and bound > hi):
                        raise f.fail(f"threshold {bound:g} is out of range for a {indicator_by_id[iref].unit} "
                                     f"indicator ({lo:g}–{hi:g})" if hi is not None else
                                     f"threshold {bound:g} must not be negative", td, key)
                threshold = m.ThresholdRule(iref, rng)
            critical = f.get(c, "critical", bool, False)
            criteria.append(m.Criterion(
                id=crid, aspect_id=aid, column=col, text=f.get(c, "text"), critical=critical,
                critical_reason=f.get(c, "critical_reason", str, ""), phases=phases, count=count,
                threshold=threshold, note=f.get(c, "note", str, ""), reading=f.get(c, "reading", str, ""),
            ))
    if not criteria and not judged:
        raise f.fail(f"aspect '{aid}' has no criteria", d, "criteria")
    _check_gaps(f, criteria, indicators, sets, gap_sites)
    aspect = m.Aspect(
        id=aid, title=f.get(d, "title"), group=f.get(d, "group"), standards=tuple(standards),
        criteria=tuple(criteria), not_applicable=na, leads=leads, sets=tuple(sets), indicators=tuple(indicators),
    )
    return aspect, refs, links


def _check_counting(links: list) -> None:
    """Counting must come to an end, and soon: rating works a counted criterion out by judging each item of its set,
    and an item that is itself a counted criterion by judging its set in turn, afresh each time. So no set may list,
    directly or through other sets, a criterion that counts it, and each chain must be short and its unfolding small.

    An iterative depth-first walk: a pack made to be deep must not make the check itself run out of stack.
    """
    nexts: dict[tuple[str, str], list] = {}
    for kind, a, b, f, container, key in links:
        src, dst = (("criterion", a), ("set", b)) if kind == "counts" else (("set", a), ("criterion", b))
        nexts.setdefault(src, []).append((dst, (f, container, key)))
        nexts.setdefault(dst, [])
    done: dict[tuple[str, str], tuple[int, int]] = {}  # node -> (levels of counting below it, judgements it takes)
    for start in nexts:
        if start in done:
            continue
        path, sites, on_path, pending = [start], [], {start: 0}, [iter(nexts[start])]
        while pending:
            for nxt, site in pending[-1]:
                if nxt in on_path:
                    first = on_path[nxt]
                    raise _circle(path[first:], sites[first:] + [site])
                if nxt not in done:
                    on_path[nxt] = len(path)
                    path.append(nxt)
                    sites.append(site)
                    pending.append(iter(nexts[nxt]))
                    break
            else:
                node = path.pop()
                del on_path[node]
                pending.pop()
                if sites:
                    sites.pop()
                below = [done[n] for n, _ in nexts[node]]
                if node[0] == "set":
                    done[node] = (max((lv for lv, _ in below), default=0), sum(n for _, n in below))
                    continue
                levels = 1 + max(lv for lv, _ in below) if below else 0
                work = min(1 + sum(n for _, n in below), MAX_COUNT_UNFOLDING + 1)
                done[node] = (levels, work)
                if levels > MAX_COUNT_NESTING or work > MAX_COUNT_UNFOLDING:
                    f, container, key = nexts[node][0][1]
                    if levels > MAX_COUNT_NESTING:
                        raise f.fail(f"criterion '{node[1]}' counts a set that lists counted criteria {levels} levels "
                                     f"deep (at most {MAX_COUNT_NESTING})", container, key)
                    raise f.fail(f"criterion '{node[1]}' counts through nested sets whose criteria come to more than "
                                 f"{MAX_COUNT_UNFOLDING:,} judgements (at most {MAX_COUNT_UNFOLDING:,})",
                                 container, key)


def _circle(nodes: list, sites: list) -> PackError:
    """The fault at the set item that closes the circle; the message walks the circle from that set."""
    at = max(i for i, n in enumerate(nodes) if n[0] == "set")  # every circle passes through a set
    nodes, sites = nodes[at:] + nodes[:at], sites[at:] + sites[:at]
    walk = f"set '{nodes[0][1]}'"
    for i, (kind, _) in enumerate(nodes):
        step = ", which counts set" if kind == "criterion" else ", which lists criterion" if i else " lists criterion"
        walk += f"{step} '{nodes[(i + 1) % len(nodes)][1]}'"
    f, container, key = sites[0]
    return f.fail(f"counting goes round in a circle: {walk}; a counted set must not list a criterion that counts "
                  "it, directly or through other sets", container, key)


_ANSWER_KEYS = {"id", "text", "sub", "aspects", "criteria", "answer", "choices"}


def _load_agenda(f: PackFile, ids: _Ids, refs: list) -> m.Agenda:
    d = f.mapping(f.data, "an agenda file")
    f.check_keys(d, {"id", "title", "source", "audience", "note", "sections"}, "an agenda")
    agid = f.ident(d)
    ids.add(f, agid, d)
    sections = []
    raw_sections = f.seq(f.get(d, "sections", list), "'sections'", d, "sections")
    for i, s in enumerate(raw_sections):
        s = f.mapping(s, "a section", raw_sections, i)
        f.check_keys(s, {"aspect", "heading", "questions"}, "an agenda section")
        aspect = f.get(s, "aspect")
        refs.append(("aspect", aspect, f, s, "aspect"))
        questions = []
        raw_q = f.seq(f.get(s, "questions", list), "'questions'", s, "questions")
        if not raw_q:
            raise f.fail(f"section for aspect {aspect} has no questions", s, "questions")
        for j, q in enumerate(raw_q):
            q = f.mapping(q, "a question", raw_q, j)
            f.check_keys(q, _ANSWER_KEYS, "a question")
            qid = f.ident(q)
            ids.add(f, qid, q)
            aspects = f.strings(q, "aspects") or (aspect,)
            for k, a in enumerate(aspects):
                if "aspects" in q:
                    refs.append(("aspect", a, f, q["aspects"], k))
            criteria = f.strings(q, "criteria")
            for k, c in enumerate(criteria):
                refs.append(("judgeable", c, f, q["criteria"], k))
            answer = f.get(q, "answer", str, "text")
            if answer not in m.ANSWER_TYPES:
                raise f.fail(f"unknown answer type '{answer}' (known: {', '.join(m.ANSWER_TYPES)})", q, "answer")
            choices = f.strings(q, "choices")
            if answer == "choice" and len(choices) < 2:
                raise f.fail(f"question '{qid}' has answer: choice but fewer than two choices", q, "answer")
            if choices and answer != "choice":
                raise f.fail(f"question '{qid}' lists choices but its answer type is '{answer}'", q, "choices")
            questions.append(m.Question(qid, f.get(q, "text"), aspects, criteria, f.strings(q, "sub"), answer,
                                        choices, agid))
        sections.append(m.AgendaSection(aspect, f.get(s, "heading", str, aspect), tuple(questions)))
    if not sections:
        raise f.fail(f"agenda '{agid}' has no sections", d, "sections")
    return m.Agenda(agid, f.get(d, "title"), f.get(d, "source", str, ""), f.get(d, "audience", str, ""),
                    f.get(d, "note", str, ""), tuple(sections))


def _fields(f: PackFile, d: LDict, key: str) -> tuple[m.FormField, ...]:
    out = []
    raw = f.seq(d.get(key), f"'{key}'", d, key)
    for i, x in enumerate(raw):
        x = f.mapping(x, "a form field", raw, i)
        f.check_keys(x, {"id", "label", "type"}, "a form field")
        ftype = f.get(x, "type", str, "text")
        if ftype not in ("text", "date", "number"):
            raise f.fail(f"unknown field type '{ftype}' (known: text, date, number)", x, "type")
        out.append(m.FormField(f.ident(x), f.get(x, "label"), ftype))
    return tuple(out)


def _load_form(f: PackFile, ids: _Ids, refs: list, col_ids: list[str]) -> m.Form:
    d = f.mapping(f.data, "a form file")
    f.check_keys(d, {"id", "title", "source", "intro", "purposes", "protocols", "header_fields", "scale",
                     "scale_note", "sections", "closing_fields"}, "a form")
    fid = f.ident(d)
    ids.add(f, fid, d)
    scale = []
    raw_scale = f.seq(d.get("scale"), "'scale'", d, "scale")
    for i, g in enumerate(raw_scale):
        g = f.mapping(g, "a grade", raw_scale, i)
        f.check_keys(g, {"grade", "meaning", "column"}, "a grade")
        grade = f.get(g, "grade", int)
        if not 1 <= grade <= 9:
            raise f.fail(f"grade {grade} is out of range (1–9)", g, "grade")
        column = f.get(g, "column", str, None)
        if column is not None and column not in col_ids:
            raise f.fail(f"unknown column '{column}'{_why(column)}", g, "column")
        scale.append(m.GradePoint(grade, f.get(g, "meaning"), column))
    sections = []
    raw_sections = f.seq(f.get(d, "sections", list), "'sections'", d, "sections")
    for i, s in enumerate(raw_sections):
        s = f.mapping(s, "a form section", raw_sections, i)
        f.check_keys(s, {"id", "title", "aspect", "lead", "standards", "additional", "graded", "note"},
                     "a form section")
        sid = f.ident(s)
        ids.add(f, sid, s)
        aspect = f.get(s, "aspect", str, None)
        if aspect is not None:
            refs.append(("aspect", aspect, f, s, "aspect"))
        add_lead, add = "", ()
        if s.get("additional") is not None:
            a = f.mapping(s["additional"], "'additional'", s, "additional")
            f.check_keys(a, {"lead", "standards"}, "'additional'")
            add_lead, add = f.get(a, "lead", str, ""), f.strings(a, "standards")
        sections.append(m.FormSection(sid, f.get(s, "title"), aspect, f.get(s, "lead", str, ""),
                                      f.strings(s, "standards"), add_lead, add, f.get(s, "graded", bool, True),
                                      f.get(s, "note", str, "")))
    return m.Form(fid, f.get(d, "title"), f.get(d, "source", str, ""), f.get(d, "intro", str, ""),
                  _fields(f, d, "header_fields"), tuple(scale), tuple(sections), _fields(f, d, "closing_fields"),
                  f.strings(d, "purposes"), f.strings(d, "protocols"), f.get(d, "scale_note", str, ""))


def load_pack(path: str | Path) -> m.Pack:
    """Load and validate the pack folder at `path` (or its pack.yaml)."""
    root = Path(path)
    if root.is_file() and root.name == "pack.yaml":
        root = root.parent
    if not root.exists():
        raise pack_error(f"no pack at {root}")
    if not root.is_dir():
        raise pack_error(f"{root} is not a pack folder")
    header_path = root / "pack.yaml"
    if not os.path.lexists(header_path):
        raise pack_error(f"{root} has no pack.yaml")
    budget, count = Budget(), [1]
    hf = PackFile(header_path, root, budget)  # a pack.yaml that is a pipe or a device is refused here, by name
    if isinstance(hf.data, dict) and hf.data.get("kind") == "register":  # another kind of pack: a school register
        from .register_loader import load_register

        return load_register(hf)  # type: ignore[return-value]
    if isinstance(hf.data, dict) and hf.data.get("kind", "framework") != "framework":
        raise _other_kind(hf)
    header = _load_header(hf)
    col_ids = [c.id for c in header["columns"]]
    ids = _Ids()
    refs: list = []

    aspects: dict[str, m.Aspect] = {}
    aspect_files: dict[str, PackFile] = {}
    links: list = []
    aspect_paths = _pack_files(root, "aspects", count)
    if not aspect_paths:
        raise pack_error("the pack has no aspect files (aspects/*.yaml)", f"{hf.name}:1")
    for p in aspect_paths:
        f = PackFile(p, root, budget)
        aspect, more, more_links = _load_aspect(f, header, ids)
        if aspect.id in aspects:
            raise f.fail(f"duplicate aspect '{aspect.id}' (also in {aspect_files[aspect.id].name})", f.data, "id")
        aspects[aspect.id] = aspect
        aspect_files[aspect.id] = f
        refs.extend(more)
        links.extend(more_links)

    groups = []
    grouped: dict[str, str] = {}
    for g, gd in header["groups"]:
        for i, a in enumerate(g.aspects):
            if a not in aspects:
                raise hf.fail(f"group '{g.id}' names unknown aspect '{a}'{_why(a)}", gd["aspects"], i)
            if a in grouped:
                raise hf.fail(f"aspect '{a}' is in groups '{grouped[a]}' and '{g.id}'", gd["aspects"], i)
            grouped[a] = g.id
        groups.append(g)
    group_ids = {g.id for g in groups}
    for a in aspects.values():
        f = aspect_files[a.id]
        if a.group not in group_ids:
            raise f.fail(f"aspect '{a.id}' names unknown group '{a.group}'{_why(a.group)}", f.data, "group")
        if a.id not in grouped:
            raise f.fail(f"aspect '{a.id}' is not listed in its group '{a.group}' in pack.yaml", f.data, "id")
        if grouped[a.id] != a.group:
            raise f.fail(f"aspect '{a.id}' says group '{a.group}' but pack.yaml lists it in group "
                         f"'{grouped[a.id]}'", f.data, "group")

    criteria = {c.id: c for a in aspects.values() for c in a.criteria}
    sets = {s.id: s for a in aspects.values() for s in a.sets}
    set_items = {it.id: (s, it) for s in sets.values() for it in s.items if it.criterion is None}
    indicators = {i.id: i for a in aspects.values() for i in a.indicators}

    agendas: dict[str, m.Agenda] = {}
    for p in _pack_files(root, "agendas", count):
        f = PackFile(p, root, budget)
        ag = _load_agenda(f, ids, refs)
        agendas[ag.id] = ag
    forms: dict[str, m.Form] = {}
    for p in _pack_files(root, "forms", count):
        f = PackFile(p, root, budget)
        fm = _load_form(f, ids, refs, col_ids)
        forms[fm.id] = fm

    judgeable = set(criteria) | set(sets) | set(set_items) | set(indicators)
    for kind, ident, f, container, key in refs:
        if kind == "aspect" and ident not in aspects:
            raise f.fail(f"unknown aspect '{ident}'{_why(ident)}", container, key)
        if kind == "criterion" and ident not in criteria:
            raise f.fail(f"unknown criterion '{ident}'{_why(ident)}", container, key)
        if kind == "judgeable" and ident not in judgeable:
            raise f.fail(f"question points at missing criterion '{ident}'{_why(ident)}", container, key)
    _check_counting(links)

    for kind, kd in header["organisation_kinds"]:
        if kind.agenda and kind.agenda not in agendas:
            raise hf.fail(f"organisation kind '{kind.id}' names unknown agenda '{kind.agenda}'{_why(kind.agenda)}",
                          kd, "agenda")
    questions = {q.id: q for ag in agendas.values() for q in ag.questions}
    return m.Pack(
        version=header["version"], organisation_kinds=tuple(k for k, _ in header["organisation_kinds"]),
        rating_method=header["rating_method"], year_starts=header["year_starts"], note_checks=header["note_checks"],
        note_checks_title=header["note_checks_title"], rating_note=header["rating_note"], terms=header["terms"],
        document_kinds=header["document_kinds"], documents_title=header["documents_title"],
        id=header["id"], title=header["title"], source=header["source"], path=root, phases=header["phases"],
        columns=header["columns"], evidence_levels=header["evidence_levels"], sufficiency=header["sufficiency"],
        cumulative=header["cumulative"], groups=tuple(groups), rollup=header["rollup"], aspects=aspects,
        agendas=agendas, forms=forms, description=header["description"], criteria=criteria, sets=sets,
        set_items=set_items, indicators=indicators, questions=questions,
    )


# --- other kinds of pack ------------------------------------------------------------------------------------------

PACK_KINDS = ("framework", "register", "review")


def _other_kind(hf: PackFile) -> PackError:
    kind = hf.data.get("kind")
    if kind == "review":
        return hf.fail("this is a review pack (kind: review): open it with `laqs review`", hf.data, "kind")
    return hf.fail(f"unknown pack kind '{kind}' (kinds: {', '.join(PACK_KINDS)})", hf.data, "kind")


def load_any(path: str | Path):
    """A pack of any kind: a framework (model.Pack) or a review (review_model.ReviewPack), by pack.yaml's `kind:`."""
    root = Path(path)
    if root.is_file() and root.name == "pack.yaml":
        root = root.parent
    header_path = root / "pack.yaml"
    if root.is_dir() and header_path.is_file():
        hf = PackFile(header_path, root)
        if isinstance(hf.data, dict) and hf.data.get("kind") == "review":
            from .review_loader import load_review_pack

            return load_review_pack(root, hf)
    return load_pack(root)
