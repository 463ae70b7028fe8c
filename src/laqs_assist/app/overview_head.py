"""The regional overview's first screenful: the first LAs by name, for a front end that shows them at once and
the whole region (Service.overview) as soon as it is read. On a regional store the whole overview takes a few
hundred milliseconds to read; the first rows alone are on screen well before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..year.records import Overview
    from .service import Service


def overview_head(service: "Service", year: str | None, rows: int, progress=None) -> "tuple[Overview, int]":
    """The overview of the first `rows` LAs (in the overview's own order, by name) and how many LAs there are;
    `progress` hears of each LA whose ratings were not kept and had to be rated (as Service.overview's)."""
    from ..year.page import overview
    from .yearview import plug_in_sources

    plug_in_sources()  # the same sources of evidence as the whole overview reads, or the rows would differ
    kind = service.pack.organisation_kind("LA")
    las = service.store.organisations_of_kind(kind.id if kind else "LA")
    return overview(service.store, service.pack, service.year_of(year), las[:max(rows, 0)], progress), len(las)


__all__ = ["overview_head"]
