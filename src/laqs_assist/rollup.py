"""Roll-up of aspect ratings into the RAG dashboard: per group and phase, and overall. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .packs.model import Pack
from .rating import NA


def rollup(pack: Pack, ratings: Iterable[str | None]) -> str | None:
    """The group rating from its aspects' ratings (column ids; N/A aspects are left out, None is not yet rated).

    `tolerance` method: the best column L, no better than the best rating given, with at most `tolerance`
    ratings below L and none more than `max_drop` columns below it. Blank (None) while fewer than the pack's
    `min_rated` share of the applicable aspects are rated.
    """
    return counted_rollup(pack, ratings)[0]


def counted_rollup(pack: Pack, ratings: Iterable[str | None]) -> tuple[str | None, int, int]:
    """The group rating, the number of its aspects rated and the number that apply (N/A left out)."""
    given = [r for r in ratings if r != NA]
    rated = [r for r in given if r is not None]
    if not rated or len(rated) < pack.rollup.min_rated * len(given):
        return None, len(rated), len(given)
    return _tolerance(pack, [pack.column(r).rank for r in rated]), len(rated), len(given)


def _tolerance(pack: Pack, ranks: list[int]) -> str | None:
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
    rated: dict[str, tuple[int, int]] = field(default_factory=dict)  # group id -> (aspects rated, aspects that apply)


@dataclass(frozen=True)
class Dashboard:
    rows: tuple[DashboardRow, ...]
    overall: dict[str, str | None]  # group id -> column id or None
    # group id -> (aspect ratings given, aspect ratings that apply) over every phase
    overall_rated: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def counts(rated: dict[str, tuple[int, int]]) -> dict:
            return {g: {"rated": n, "of": m} for g, (n, m) in rated.items()}

        return {
            "rows": [{"phase": r.phase, "aspects": r.aspects, "groups": r.groups, "rated": counts(r.rated)}
                     for r in self.rows],
            "overall": self.overall,
            "overall_rated": counts(self.overall_rated),
        }


def dashboard(pack: Pack, ratings: Mapping[tuple[str, str], str | None]) -> Dashboard:
    """Build the dashboard from (phase, aspect) -> rating. Aspects N/A for a phase show N/A whatever is given."""
    rows = []
    for phase in pack.phase_ids():
        cells: dict[str, str | None] = {}
        for group in pack.groups:
            for a in group.aspects:
                cells[a] = NA if not pack.aspects[a].applies_to(phase) else ratings.get((phase, a))
        groups, rated = {}, {}
        for g in pack.groups:
            groups[g.id], n, m = counted_rollup(pack, (cells[a] for a in g.aspects))
            rated[g.id] = (n, m)
        rows.append(DashboardRow(phase, cells, groups, rated))
    overall, overall_rated = {}, {}
    for g in pack.groups:
        n = sum(r.rated[g.id][0] for r in rows)
        m = sum(r.rated[g.id][1] for r in rows)
        overall_rated[g.id] = (n, m)
        # The overall row rolls up the phases' group ratings, and is blank while too few of the aspect ratings
        # it rests on are given, by the same share as a group.
        short = n == 0 or n < pack.rollup.min_rated * m
        ranks = [pack.column(r.groups[g.id]).rank for r in rows if r.groups[g.id] is not None]
        overall[g.id] = None if short else _tolerance(pack, ranks)
    return Dashboard(tuple(rows), overall, overall_rated)
