"""Judgements and ratings: recording a criterion state, count, indicator value or impact for the visit's phases,
the year's evidence across visits, and the rating it suggests (cached until a judgement is added).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..errors import JudgementError, UsageError
from ..packs.model import Pack
from ..rating import Judgements, Rating, judgements_for, judgements_from_rows, rate
from ..store import Store
from .base import SessionParts
from .year import year_rating_details

# --- the year's evidence ----------------------------------------------------------------------------------------


def year_judgements(store: Store, organisation_id: str, year: str, aspect_id: str, phase: str) -> Judgements:
    """An organisation's evidence for a year: the latest judgement per target across every visit."""
    return judgements_from_rows(store.current_judgements(organisation_id, year, aspect_id, phase))


def year_ratings(store: Store, pack: Pack, organisation_id: str, year: str) -> dict[tuple[str, str], str | None]:
    """(phase, aspect) -> the rating an organisation holds for a year (a column id, N/A, or None when nothing is
    rated), by the one rule of session/year.py; year_rating_details gives what each rests on."""
    return {k: v.column for k, v in year_rating_details(store, pack, organisation_id, year).items()}


# --- a visit's judgements -------------------------------------------------------------------------------------


class Judging(SessionParts):
    # (aspect, phase) -> (the store's judgements marker, the rating): set empty by Session.__init__.
    _ratings: dict[tuple[str, str], tuple[int, Rating]]

    def judge(self, target: str, value: Any, *, phases: Iterable[str] | None = None,
              response_id: str | None = None) -> list[Rating]:
        """Record a criterion state, a set count or an indicator value for the visit's phases; returns the new
        ratings of the target's aspect."""
        self._require_open(allow_ended=True)
        aspect_id = self.pack.aspect_of(target)
        if aspect_id is None:
            raise JudgementError(f"unknown criterion '{target}' (see `laqs packs show`)")
        j = judgements_for(self.pack, aspect_id, {target: value})
        rows = []
        for phase in self._phases_for(target, aspect_id, phases):
            row = {"phase": phase, "aspect_id": aspect_id, "target": target, "response_id": response_id}
            if target in j.states:
                row.update(kind="state", state=j.states[target])
            elif target in j.counts:
                row.update(kind="count", value=j.counts[target])
            else:
                row.update(kind="value", value=j.values[target])
            rows.append(row)
        if not rows:
            raise JudgementError(f"{target} does not apply to this visit's phases ({', '.join(self.phases)})")
        if response_id is None:
            last = self.last_response()
            for r in rows:
                r["response_id"] = last["id"] if last else None
        self.store.add_judgements(self.visit, rows)
        return [self.rating(aspect_id, r["phase"]) for r in rows]

    def set_impact(self, aspect_id: str, level: str, phases: Iterable[str] | None = None) -> list[Rating]:
        """Record the evidence of impact seen for an aspect (none, some, substantial)."""
        self._require_open(allow_ended=True)
        if aspect_id not in self.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        j = judgements_for(self.pack, aspect_id, {}, level)
        rows = [{"phase": p, "aspect_id": aspect_id, "target": aspect_id, "kind": "impact", "state": j.impact,
                 "response_id": (self.last_response() or {}).get("id")}
                for p in self._phases_for(None, aspect_id, phases)]
        if not rows:
            raise JudgementError(f"{aspect_id} does not apply to this visit's phases")
        self.store.add_judgements(self.visit, rows)
        return [self.rating(aspect_id, r["phase"]) for r in rows]

    def _phases_for(self, target: str | None, aspect_id: str, phases: Iterable[str] | None) -> list[str]:
        chosen = [self._phase(self.pack, p) for p in phases] if phases else list(self.phases)
        for p in chosen:
            if p not in self.phases:
                raise UsageError(f"phase {p} is not part of this visit ({', '.join(self.phases)})")
        aspect = self.pack.aspects[aspect_id]
        out = [p for p in chosen if aspect.applies_to(p)]
        only = self.pack.phases_of(target) if target else None  # a criterion's phases, or its indicator's or set's
        if only is not None:
            out = [p for p in out if p in only]
        return out

    def judgements(self, aspect_id: str, phase: str) -> Judgements:
        return year_judgements(self.store, self.visit["organisation_id"], self.visit["academic_year"], aspect_id,
                               phase)

    def rating(self, aspect_id: str, phase: str) -> Rating:
        """The aspect's rating from the year's evidence. Reused while no judgement has been added for it since,
        by this process or another (Store.judgements_marker: one indexed look-up)."""
        latest = self.store.judgements_marker(self.visit["organisation_id"], self.visit["academic_year"],
                                              aspect_id, phase)
        cached = self._ratings.get((aspect_id, phase))
        if cached is not None and cached[0] == latest:
            return cached[1]
        r = rate(self.pack, aspect_id, phase, self.judgements(aspect_id, phase))
        self._ratings[(aspect_id, phase)] = (latest, r)
        return r

    def aspects_in_play(self) -> list[str]:
        """Aspects this visit touched (questions, notes, judgements) or was focused on, in pack order."""
        touched = set(self.visit["focus"])
        touched |= self.store.aspects_touched(self.id)
        return [a for g in self.pack.groups for a in g.aspects if a in touched]
