"""Evidence for an LA's aspects through the year, by source: triangulation.

The National Strategies rate an LA from what its own officers say (Appendix 3 visits), from what its headteachers
and staff say of working with it (Appendix 4 visits to its schools), from joint or paired visits to its schools
(Appendix 5) and from performance data. Each of these is a *source*: one function that, given the store, the pack,
the LA and a year, returns the evidence it holds as `Evidence` rows. The year view asks every registered source and
keeps the source on every row, so a dashboard cell can count its evidence by source and say where they disagree.

    register(Source("joint", "joint visits", rows=joint_visit_evidence, marker=joint_visit_marker))

A source whose rows live in tables the rating cache's triggers do not watch gives a `marker`: a short string
that changes whenever its evidence for an LA and year does (the newest rowid, say). A kept rating is used only
while every marker is what it was when the rating was kept.

Rows of a judgement kind (state, count, value, impact) are read by the rating engine with the LA's own: a
headteacher's "not met" on a criterion is evidence for the LA's rating like an officer's "met", the latest
judgement per target winning, and the disagreement is flagged for the adviser to weigh. Answers and grades are
counted and shown but rate nothing by themselves.
"""

from __future__ import annotations

from typing import Any, Callable

from ..packs.model import Pack
from ..record import Record
from ..store import Store
from .records import DATA, HEADTEACHERS, JOINT, LA, SOURCE_LABELS, Evidence

RowsFn = Callable[[Store, Pack, dict[str, Any], str], list[Evidence]]
MarkerFn = Callable[[Store, dict[str, Any], str], str]


class Source(Record):
    id: str
    label: str
    rows: RowsFn  # (store, pack, la, year) -> the evidence it holds for the LA that year
    marker: MarkerFn | None = None  # (store, la, year) -> what changes when its evidence does; None: triggers watch it


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add (or replace) a source of evidence; its label joins the year view's."""
    _SOURCES[source.id] = source
    SOURCE_LABELS.setdefault(source.id, source.label)


def sources() -> tuple[Source, ...]:
    """The registered sources, in the order a cell lists them: LA contacts, headteachers, joint visits, data, then
    any other."""
    order = {s: i for i, s in enumerate((LA, HEADTEACHERS, JOINT, DATA))}
    return tuple(sorted(_SOURCES.values(), key=lambda s: order.get(s.id, len(order))))


def label(source_id: str) -> str:
    return SOURCE_LABELS.get(source_id, source_id)


def markers(store: Store, la: dict[str, Any], year: str) -> str:
    """Every marked source's marker for an LA and year, as one string kept beside a kept rating."""
    return ";".join(f"{s.id}={s.marker(store, la, year)}" for s in sources() if s.marker is not None)


def gather(store: Store, pack: Pack, la: dict[str, Any], year: str) -> list[Evidence]:
    """Every source's evidence for an LA and year, oldest first (by date, then when recorded)."""
    rows: list[Evidence] = []
    for s in sources():
        rows.extend(s.rows(store, pack, la, year))
    rows.sort(key=lambda e: (e.date, e.created_at))
    return rows


# --- the sources kept in this store's visit tables ---------------------------------------------------------------


_FIELDS = Evidence._fields


def _row(*values: Any) -> Evidence:
    """An Evidence row from every field in order, without Record's checking constructor: a region's first build
    makes hundreds of thousands of them."""
    e = object.__new__(Evidence)
    e.__dict__.update(zip(_FIELDS, values))
    return e


def _visit_evidence(store: Store, pack: Pack, org_ids: list[str], year: str, source_of: Callable[[dict], str],
                    school: Callable[[dict], str | None]) -> list[Evidence]:
    visits = {v["id"]: v for v in store.year_visits_of(org_ids, year)}
    out: list[Evidence] = []
    for j in store.year_judgements_of(org_ids, year):
        v = visits.get(j["visit_id"])
        if v is None:
            continue
        out.append(_row(source_of(v), j["aspect_id"], (j["phase"],), v["date"], j["kind"], j["target"], j["state"],
                        j["value"], None, "", v["who"], v["organisation"], school(v), v["id"], j["created_at"],
                        False))
    for r in store.year_answers_of(org_ids, year):
        v = visits.get(r["visit_id"])
        if v is None:
            continue
        aspect = pack.aspects.get(r["aspect_id"])
        phases = tuple(p for p in v["phases"] if aspect is None or aspect.applies_to(p))
        out.append(_row(source_of(v), r["aspect_id"], phases, v["date"], "answer", r["question_id"] or "", None,
                        None, None, r["text"], v["who"], v["organisation"], school(v), v["id"], r["created_at"],
                        bool(r["concerns_individual"])))
    return out


def la_contacts(store: Store, pack: Pack, la: dict[str, Any], year: str) -> list[Evidence]:
    """What the LA's own officers said and what was judged at the LA's visits."""
    return _visit_evidence(store, pack, [la["id"]], year, lambda v: LA, lambda v: None)


def headteachers(store: Store, pack: Pack, la: dict[str, Any], year: str) -> list[Evidence]:
    """What headteachers and staff said at visits to the LA's schools, and what was judged there, as evidence for
    the LA (Appendix 4: their experience of working with the LA and its SIPs)."""
    schools = [s["id"] for s in store.schools_of(la["id"])]
    if not schools:
        return []
    return _visit_evidence(store, pack, schools, year, lambda v: HEADTEACHERS, lambda v: v["organisation_id"])


register(Source(LA, SOURCE_LABELS[LA], la_contacts))
register(Source(HEADTEACHERS, SOURCE_LABELS[HEADTEACHERS], headteachers))
