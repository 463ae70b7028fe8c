"""The review and the end of a visit: every rating in play beside the adviser's override or acceptance and the
LA's self-evaluation, and ending the visit with a snapshot of them.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..rating import NA, AspectView, Rating
from .base import SessionParts
from .year import AGREED, OVERRIDDEN, Departure, check_reason, departure, year_rating_details


class Reviewing(SessionParts):
    def review(self) -> list[dict[str, Any]]:
        """Every rating in play: the suggestion beside the adviser's override and the LA's self-evaluation, and the
        rating the year holds (the one rule of session/year.py, as the dashboard and the notes read it) with what
        it rests on. `override` and `accepted` are this visit's; `final` is the year's rating."""
        saved = {(r["phase"], r["aspect_id"]): r for r in self.store.ratings(self.id)}
        in_play = self.aspects_in_play()
        held = year_rating_details(self.store, self.pack, self.visit["organisation_id"], self.visit["academic_year"],
                                   phases=self.phases, aspects=in_play)
        out = []
        for aspect_id in in_play:
            for phase in self.phases:
                r = self.rating(aspect_id, phase)
                s = saved.get((phase, aspect_id), {})
                y = held[(phase, aspect_id)]
                decided = y.column if y.standing in (OVERRIDDEN, AGREED) else None
                v = AspectView(r, decided, y.reason, s.get("self_evaluation"))  # the one final-rating rule
                mine = s.get("override") if r.suggestion != NA else None
                out.append({"aspect": aspect_id, "phase": phase, "rating": r, "override": mine,
                            "override_reason": (s.get("override_reason") or "") if mine else "",
                            "self_evaluation": v.self_evaluation,
                            "accepted": bool(s.get("accepted")), "final": v.final, "disagrees": v.disagrees,
                            "standing": y.standing, "rests_on": y.rests_on(), "decided_visit": y.visit_id,
                            "decided_date": y.visit_date, "decided_at": y.decided_at,
                            "departure": y.departure, "criteria_say": y.departure.line if y.departure else "",
                            "lapsed": y.lapsed, "year": y})
        return out

    def _check_rating_target(self, aspect_id: str, phase: str) -> str:
        if aspect_id not in self.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        phase = self._phase(self.pack, phase)
        if phase not in self.phases:
            raise UsageError(f"phase {phase} is not part of this visit ({', '.join(self.phases)})")
        if not self.pack.aspects[aspect_id].applies_to(phase):
            raise UsageError(f"{aspect_id} does not apply to {self.pack.phase_name(phase)}")
        return phase

    def _column(self, column: str) -> str:
        for c in self.pack.columns:
            if column.upper() == c.id.upper() or column.lower() == c.label.lower():
                return c.id
        raise UsageError(f"'{column}' is not a rating (use {', '.join(self.pack.column_ids())})")

    def override(self, aspect_id: str, phase: str, column: str, reason: str) -> Departure:
        """The adviser's rating in place of the suggestion, with a reason; returns what the criteria say about it
        (Departure.line, one line for a front end to show). One the criteria rule out (above the ceiling or over a
        cap) is refused, naming what they say, unless the reason has substance (year.check_reason)."""
        phase = self._check_rating_target(aspect_id, phase)
        column = self._column(column)
        r = self.rating(aspect_id, phase)
        d = departure(self.pack, r, column)
        why = check_reason(self.pack, d, reason)
        self.store.decide_rating(self.visit, phase, aspect_id, kind="override", column=column, reason=why,
                                 suggestion=r.suggestion, ceiling=r.ceiling, rating_reason=r.reason)
        self.refresh()
        return d

    def accept(self, aspect_id: str, phase: str) -> None:
        """The adviser agrees with the suggestion: it is the year's rating until evidence is recorded after it."""
        phase = self._check_rating_target(aspect_id, phase)
        r = self.rating(aspect_id, phase)
        if r.suggestion is None:
            raise UsageError(f"{aspect_id} has no suggestion to accept for {self.pack.phase_name(phase)}: judge some "
                             "criteria first, or /override with a reason")
        self.store.decide_rating(self.visit, phase, aspect_id, kind="agreed", column=r.suggestion, reason=None,
                                 suggestion=r.suggestion, ceiling=r.ceiling, rating_reason=r.reason)
        self.refresh()

    def self_evaluation(self, aspect_id: str, phase: str, column: str) -> None:
        """The LA's own rating for the aspect, kept beside the adviser's."""
        phase = self._check_rating_target(aspect_id, phase)
        column = self._column(column)
        r = self.rating(aspect_id, phase)
        self.store.save_rating(self.visit, phase, aspect_id, suggestion=r.suggestion, ceiling=r.ceiling,
                               reason=r.reason, self_evaluation=column)
        self.refresh()

    def end(self) -> list[dict[str, Any]]:
        """End the visit, keeping a snapshot of every rating in play; returns the review."""
        review = self.review()
        with self.store.write():
            for row in review:
                r: Rating = row["rating"]
                self.store.save_rating(self.visit, row["phase"], row["aspect"], suggestion=r.suggestion,
                                       ceiling=r.ceiling, reason=r.reason)
            from ..store import now

            self.store.touch_visit(self.id, status="ended", ended_at=now())
        self.store.index_pending()
        self.refresh()
        return self.review()
