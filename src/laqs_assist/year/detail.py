"""One aspect and phase of an LA across the year: each visit's evidence, who said it, and what it did."""

from __future__ import annotations

from typing import Any

from ..packs.model import Pack
from ..store import Store
from . import evidence as ev
from .board import cells, suggestion_of
from .records import JUDGEMENT_KINDS, CellDetail, Evidence, Step


def cell_detail(store: Store, pack: Pack, la: dict[str, Any], aspect: str, phase: str, year: str) -> CellDetail:
    """The cell as the dashboard shows it and its year, oldest first: one step per visit (or per dated piece of
    evidence from outside visits), with the suggestion before and after its evidence was added to all before."""
    cell = cells(store, pack, [la], year)[la["id"]][(phase, aspect)]
    rows = [e for e in ev.gather(store, pack, la, year) if e.aspect == aspect and phase in e.phases]
    steps: list[Step] = []
    groups: dict[tuple[str, str, str], list[Evidence]] = {}
    for e in rows:
        groups.setdefault((e.date, e.visit_id or f"{e.source}:{e.created_at}", e.source), []).append(e)
    so_far: list[Evidence] = []
    before = None
    for (date, _, source), got in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0].created_at)):
        so_far.extend(e for e in got if e.kind in JUDGEMENT_KINDS)
        so_far.sort(key=lambda e: e.created_at)
        after = suggestion_of(pack, aspect, phase, so_far).suggestion
        first = got[0]
        steps.append(Step(date, source, first.organisation, first.who, first.visit_id, tuple(got), before, after))
        before = after
    final = suggestion_of(pack, aspect, phase, [e for e in rows if e.kind in JUDGEMENT_KINDS])
    return CellDetail(la, year, aspect, pack.aspects[aspect].title, phase, cell, tuple(steps), final.reason,
                      final.ceiling_assumes)
