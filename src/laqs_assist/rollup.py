"""Roll-up of aspect ratings into the RAG dashboard: per group and phase, and overall. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .packs.model import Pack
from .rating import NA


def rollup(pack: Pack, ratings: Iterable[str | None]) -> str | None:
    """The group rating from its aspects' ratings (column ids; N/A and None are left out).

    `tolerance` method: the best column L, no better than the best rating given, with at most `tolerance`
    ratings below L and none more than `max_drop` columns below it.
    """
    ranks = [pack.column(r).rank for r in ratings if r not in (None, NA)]
    if not ranks:
        return None
    rule = pack.rollup
    best = min(ranks)
    for col in pack.columns:
        if col.rank < best:
            continue  # a group is never rated above its best aspect
        below = [r - col.rank for r in ranks if r > col.rank]
        if len(below) <= rule.tolerance and all(d <= rule.max_drop for d in below):
            return col.id
    return pack.columns[-1].id


@dataclass(frozen=True)
class DashboardRow:
    phase: str
    aspects: dict[str, str | None]  # aspect id -> column id, N/A or None
    groups: dict[str, str | None]  # group id -> column id or None


@dataclass(frozen=True)
class Dashboard:
    rows: tuple[DashboardRow, ...]
    overall: dict[str, str | None]  # group id -> column id or None

    def to_dict(self) -> dict:
        return {
            "rows": [{"phase": r.phase, "aspects": r.aspects, "groups": r.groups} for r in self.rows],
            "overall": self.overall,
        }


def dashboard(pack: Pack, ratings: Mapping[tuple[str, str], str | None]) -> Dashboard:
    """Build the dashboard from (phase, aspect) -> rating. Aspects N/A for a phase show N/A whatever is given."""
    rows = []
    for phase in pack.phase_ids():
        cells: dict[str, str | None] = {}
        for group in pack.groups:
            for a in group.aspects:
                cells[a] = NA if not pack.aspects[a].applies_to(phase) else ratings.get((phase, a))
        groups = {g.id: rollup(pack, (cells[a] for a in g.aspects)) for g in pack.groups}
        rows.append(DashboardRow(phase, cells, groups))
    overall = {g.id: rollup(pack, (r.groups[g.id] for r in rows)) for g in pack.groups}
    return Dashboard(tuple(rows), overall)
