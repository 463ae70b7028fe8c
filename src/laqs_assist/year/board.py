"""An LA's dashboard for a year from every source's evidence, kept current in the rating cache.

A cell's rating is held by session/year.py's one rule (the latest decision until newer evidence, else the
suggestion), over the evidence of every source: the LA's own visits and its schools' (triangulation). Beside it,
the evidence counted by source, what each source's judgements alone suggest, the schools heard, and a
disagreement line where the sources part: one says a criterion is met and another that it is not, or one source's
judgements alone reach the upper columns (Good, Outstanding) and another's stay in the lower.

Kept ratings: one row per organisation, year and phase in `rating_cache` (migration 0010), dropped by triggers as
evidence arrives, checked against the pack's edition and the markers of sources outside the store's visit tables.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from typing import Any, Callable, Iterable

from ..packs.model import Pack
from ..rating import NA, Judgements, Rating, judgements_from_rows, rate
from ..rollup import dashboard as rollup_dashboard
from ..session.year import _hold
from ..store import Store, StoreError
from . import evidence as ev
from .records import HEADTEACHERS, JOINT, JUDGEMENT_KINDS, Board, Cell, Evidence, Rollup

# Bumped whenever what a kept cell holds or how it is worked out changes: older rows are rated afresh.
CACHE_FORMAT = "5"
_BASIS: dict[int, tuple[Pack, str]] = {}


def basis(pack: Pack) -> str:
    """The pack's edition as the kept ratings were rated against it: its id, version and a digest of what rates."""
    found = _BASIS.get(id(pack))
    if found is not None and found[0] is pack:
        return found[1]
    digest = hashlib.sha256(repr((pack.columns, pack.evidence_levels, pack.sufficiency, pack.cumulative,
                                  pack.rollup, pack.rating_method, pack.aspects)).encode()).hexdigest()[:16]
    value = f"{pack.id}@{pack.version}#{digest}/{CACHE_FORMAT}"
    _BASIS[id(pack)] = (pack, value)
    return value


def _engine_row(e: Evidence) -> dict[str, Any]:
    return {"kind": e.kind, "target": e.target, "state": e.state, "value": e.value, "created_at": e.created_at}


def suggestion_of(pack: Pack, aspect: str, phase: str, rows: Iterable[Evidence]) -> Rating:
    """The engine's rating from evidence rows (oldest first; judgement kinds only are read)."""
    js = [_engine_row(e) for e in rows if e.kind in JUDGEMENT_KINDS]
    return rate(pack, aspect, phase, judgements_from_rows(js) if js else Judgements())


def _upper(pack: Pack, column: str | None) -> bool | None:
    if column in (None, NA):
        return None
    return pack.column(column).side == "upper"


def _disagreement(pack: Pack, rows: list[Evidence], by_source: dict[str, str | None]) -> tuple[str, tuple[str, ...]]:
    """Where the sources part, in one line ("" when they do not), and the criteria they disagree on."""
    latest: dict[str, dict[str, str]] = defaultdict(dict)  # target -> source -> its latest state
    for e in rows:
        if e.kind == "state" and e.state in ("met", "not_met"):
            latest[e.target][e.source] = e.state
    parts = []
    for target, said in latest.items():
        if len(set(said.values())) > 1:
            words = ", ".join(f"{ev.label(s)} {'met' if st == 'met' else 'not met'}" for s, st in said.items())
            parts.append(f"{target}: {words}")
    sides: dict[bool, list[str]] = defaultdict(list)
    for e in rows:  # a grade speaks for its source's side too
        if e.kind == "grade" and e.column:
            side = _upper(pack, e.column)
            if side is not None and ev.label(e.source) not in sides[side]:
                sides[side].append(ev.label(e.source))
    for s, col in by_source.items():
        side = _upper(pack, col)
        if side is not None and ev.label(s) not in sides[side]:
            sides[side].append(ev.label(s))
    if sides[True] and sides[False] and not parts:
        up = ", ".join(sides[True])
        down = ", ".join(sides[False])
        parts.append(f"{up} point to the upper columns, {down} to the lower")
    disputed = tuple(t for t, said in latest.items() if len(set(said.values())) > 1)
    return "; ".join(parts), disputed


def _deciding(pack: Pack, r: Rating) -> tuple[str, ...]:
    """The criteria blocking the column above the suggestion (or, with nothing rated, none)."""
    if r.suggestion in (None, NA):
        return ()
    rank = pack.column(r.suggestion).rank
    if rank == 0:
        return ()
    up = pack.columns[rank - 1].id
    return tuple(dict.fromkeys(b.criterion for b in r.blockers if b.column == up and b.criterion))


def _compute(store: Store, pack: Pack, la: dict[str, Any], year: str, phases: Iterable[str] | None = None,
             rows: list[Evidence] | None = None) -> tuple[dict[tuple[str, str], Cell], dict[str, list[str]]]:
    """(phase, aspect) -> Cell for an LA and year from every source's evidence (`rows`, if gathered already), and
    per phase the schools whose voices reached any of its cells."""
    rows = ev.gather(store, pack, la, year) if rows is None else rows
    per_cell: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for e in rows:
        for p in e.phases:
            per_cell[(p, e.aspect)].append(e)
    own = store.self_evaluations(la["id"], year)
    decided: dict[tuple[str, str], dict[str, Any]] = {}
    for d in store.rating_decisions(la["id"], year):
        decided[(d["phase"], d["aspect_id"])] = d
    out: dict[tuple[str, str], Cell] = {}
    heard: dict[str, list[str]] = {}
    order = [s.id for s in ev.sources()]
    for phase in (list(phases) if phases is not None else pack.phase_ids()):
        schools: set[str] = set()
        for aspect in pack.aspects:
            here = per_cell.get((phase, aspect), [])
            judged = [e for e in here if e.kind in JUDGEMENT_KINDS]
            r = suggestion_of(pack, aspect, phase, judged)
            last = max((e.created_at for e in judged), default=None)
            held = _hold(pack, r, decided.get((phase, aspect)), last)
            if held.standing == "n/a":
                out[(phase, aspect)] = Cell(aspect, phase, NA, "n/a", NA, NA, rests_on=held.rests_on())
                continue
            counts: dict[str, int] = {}
            for e in here:
                counts[e.source] = counts.get(e.source, 0) + 1
            counts = {s: counts[s] for s in order if s in counts} | counts  # the sources' order first
            judged_by = {e.source for e in judged}
            by_source: dict[str, str | None] = {}
            if len(judged_by) == 1 and any(e.source not in judged_by for e in here if e.kind == "grade"):
                by_source = {next(iter(judged_by)): r.suggestion}  # set beside another source's grades
            elif len(judged_by) > 1:
                for s in judged_by:
                    by_source[s] = suggestion_of(pack, aspect, phase, [e for e in judged if e.source == s]).suggestion
            line, disputed = _disagreement(pack, here, by_source)
            voiced = {e.school_id for e in here if e.school_id and e.source in (HEADTEACHERS, JOINT)}
            schools |= voiced
            voices = len(voiced)
            adviser = held.column if held.standing in ("overridden", "agreed") and held.column != r.suggestion \
                else None
            out[(phase, aspect)] = Cell(
                aspect, phase, held.column, held.standing, r.suggestion, r.ceiling, adviser,
                counts,
                line, voices, by_source, tuple(r.lift), _deciding(pack, r),
                held.rests_on(), held.visit_id, held.visit_date, held.reason,
                {"kind": held.departure.kind, "ruled_out": held.departure.ruled_out, "line": held.departure.line}
                if held.departure is not None else None, dict(held.lapsed) if held.lapsed else None, disputed,
                own.get((phase, aspect)))
        heard[phase] = sorted(schools)
    return out, heard


_CELL_FIELDS = frozenset(Cell._fields)


def _cell_from(d: dict[str, Any]) -> Cell:
    """A kept cell back as a Cell. The row was written from a Cell of this CACHE_FORMAT (the basis says so), so its
    fields are filled in directly: Record's checking constructor, run for every cell of 150 LAs, was most of the
    time an overview took."""
    if d.keys() != _CELL_FIELDS:
        return Cell(**{k: v for k, v in d.items() if k in _CELL_FIELDS})
    cell = object.__new__(Cell)
    values = cell.__dict__
    values.update(d)
    values["lift"], values["deciding"], values["disputed"] = tuple(d["lift"]), tuple(d["deciding"]), \
        tuple(d["disputed"])
    return cell


def _current(store: Store, la: dict[str, Any], year: str, b: str,
             rows: list[dict[str, Any] | None]) -> list[dict[str, Any]] | None:
    """An LA's kept rows, one per phase, when every one is there and current (same pack edition and source
    markers); else None."""
    marks = ev.markers(store, la, year)
    if all(r is not None and r["basis"] == b and r["sources"] == marks for r in rows):
        return rows  # type: ignore[return-value]
    return None


def _summary(cells_: dict[tuple[str, str], Cell], phase: str, heard: list[str]) -> dict[str, Any]:
    here = [c for (p, _), c in cells_.items() if p == phase]
    return {"ratings": {c.aspect: c.rating for c in here}, "disagreements": sum(1 for c in here if c.disagreement),
            "heard": heard}


Progress = Callable[[int, int, dict[str, Any]], None]  # (LAs rated so far, LAs to rate, the LA just rated)


# LAs rated between two looks at whether the store changed: few enough that an interview writing meanwhile seldom
# costs a chunk its keeping, many enough that keeping them is one short commit, not one per LA.
CHUNK = 10


def kept(store: Store, pack: Pack, las: list[dict[str, Any]], year: str, progress: Progress | None = None
         ) -> dict[str, tuple[dict[tuple[str, str], Cell], frozenset[str]]]:
    """LA id -> its cells for a year and the schools heard in them: kept ones where current, the rest rated now
    and kept (unless the store is read-only), `progress` called after each LA rated.

    Rating takes no lock (another process recording an answer meanwhile is never kept waiting): a chunk of LAs
    is rated, then kept in one short write transaction only if no other connection has committed anything since
    the chunk began (SQLite's data_version), so nothing kept can miss evidence that arrived while it was rated.
    A chunk that is not kept is still shown; the next view rates it again."""
    b = basis(pack)
    phases = pack.phase_ids()
    out: dict[str, tuple[dict[tuple[str, str], Cell], frozenset[str]]] = {}
    found = store.cached_cells([la["id"] for la in las], year)
    stale = []
    for la in las:
        rows = _current(store, la, year, b, [found.get((la["id"], p)) for p in phases])
        if rows is None:
            stale.append(la)
            continue
        out[la["id"]] = ({(c["phase"], c["aspect"]): _cell_from(c) for r in rows for c in r["cells"]},
                         frozenset(s for r in rows for s in r["summary"]["heard"]))
    done = 0
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start:start + CHUNK]
        version = store.data_version()
        rated = []
        for la in chunk:
            got, heard = _compute(store, pack, la, year)
            out[la["id"]] = (got, frozenset(s for p in heard.values() for s in p))
            rated.append((la, got, heard, ev.markers(store, la, year)))
            done += 1
            if progress is not None:
                progress(done, len(stale), la)
        if store.read_only:
            continue
        try:
            with store.write():
                if store.data_version() != version:
                    continue  # evidence may have arrived while these were rated: shown, not kept
                store.keep_cells(year, [(la["id"], p, b, marks,
                                         [c.to_dict() for (ph, _), c in got.items() if ph == p],
                                         _summary(got, p, heard.get(p, [])))
                                        for la, got, heard, marks in rated for p in phases])
        except (sqlite3.Error, StoreError):
            pass  # busy past the timeout, a full disk: the view still shows what was rated, just not kept
    return out


def cells(store: Store, pack: Pack, las: list[dict[str, Any]], year: str) -> dict[str, dict[tuple[str, str], Cell]]:
    """LA id -> its cells for a year (see kept)."""
    return {k: v[0] for k, v in kept(store, pack, las, year).items()}


def summaries(store: Store, pack: Pack, las: list[dict[str, Any]], year: str, progress: Progress | None = None
              ) -> dict[str, tuple[dict[tuple[str, str], str | None], int, frozenset[str]]]:
    """LA id -> (its ratings per (phase, aspect), how many cells the sources disagree on, the schools heard): what
    the regional overview needs, read from the kept summaries without decoding every cell."""
    b = basis(pack)
    phases = pack.phase_ids()
    found = store.cached_cells([la["id"] for la in las], year, parts=("summary",))
    out: dict[str, tuple[dict[tuple[str, str], str | None], int, frozenset[str]]] = {}
    stale = []
    for la in las:
        rows = _current(store, la, year, b, [found.get((la["id"], p)) for p in phases])
        if rows is None:
            stale.append(la)
            continue
        out[la["id"]] = ({(p, a): col for p, r in zip(phases, rows) for a, col in r["summary"]["ratings"].items()},
                         sum(r["summary"]["disagreements"] for r in rows),
                         frozenset(s for r in rows for s in r["summary"]["heard"]))
    if stale:
        for la_id, (got, heard) in kept(store, pack, stale, year, progress).items():
            out[la_id] = ({k: c.rating for k, c in got.items()}, sum(1 for c in got.values() if c.disagreement),
                          heard)
    return out


def rollups(pack: Pack, cells_: dict[tuple[str, str], Cell] | dict[tuple[str, str], str | None]
            ) -> tuple[dict[tuple[str, str], Rollup], dict[str, Rollup]]:
    """The group roll-ups per phase and overall (rollup.py's rule) from a board's cells (or their ratings)."""
    d = rollup_dashboard(pack, {k: c.rating if isinstance(c, Cell) else c for k, c in cells_.items()})
    groups = {(row.phase, g): Rollup(g, row.phase, row.groups[g], *row.rated[g]) for row in d.rows for g in row.groups}
    overall = {g: Rollup(g, "", d.overall[g], *d.overall_rated[g]) for g in d.overall}
    return groups, overall


def board(store: Store, pack: Pack, la: dict[str, Any], year: str) -> Board:
    """An LA's dashboard for a year."""
    got, heard = kept(store, pack, [la], year)[la["id"]]
    groups, overall = rollups(pack, got)
    schools = store.schools_of(la["id"])
    sources: dict[str, int] = {s.id: 0 for s in ev.sources()}  # in the sources' order
    for c in got.values():
        for s, n in c.evidence.items():
            sources[s] = sources.get(s, 0) + n
    sources = {s: n for s, n in sources.items() if n}
    return Board(la, year, got, groups, overall, len(heard), len(schools), store.visit_count(la["id"], year),
                 sources)
