"""The review and the end of a visit: every rating in play beside the adviser's override or acceptance and the
LA's self-evaluation, and ending the visit with a snapshot of them.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..rating import AspectView, Rating
from .base import SessionParts


class Reviewing(SessionParts):
    def review(self) -> list[dict[str, Any]]:
        """Every rating in play: the suggestion beside the adviser's override and the LA's self-evaluation."""
        saved = {(r["phase"], r["aspect_id"]): r for r in self.store.ratings(self.id)}
        out = []
        for aspect_id in self.aspects_in_play():
            for phase in self.phases:
                r = self.rating(aspect_id, phase)
                s = saved.get((phase, aspect_id), {})
                v = AspectView(r, s.get("override"), s.get("override_reason") or "", s.get("self_evaluation"))
                out.append({"aspect": aspect_id, "phase": phase, "rating": r, "override": v.override,
                            "override_reason": v.override_reason, "self_evaluation": v.self_evaluation,
                            "accepted": bool(s.get("accepted")), "final": v.final, "disagrees": v.disagrees})
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

    def override(self, aspect_id: str, phase: str, column: str, reason: str) -> None:
        phase = self._check_rating_target(aspect_id, phase)
        column = self._column(column)
        if not reason.strip():
            raise UsageError("an override needs a reason")
        r = self.rating(aspect_id, phase)
        self.store.save_rating(self.visit, phase, aspect_id, suggestion=r.suggestion, ceiling=r.ceiling,
                               reason=r.reason, override=column, override_reason=reason.strip(), accepted=1)
        self.refresh()

    def accept(self, aspect_id: str, phase: str) -> None:
        phase = self._check_rating_target(aspect_id, phase)
        r = self.rating(aspect_id, phase)
        if r.suggestion is None:
            raise UsageError(f"{aspect_id} has no suggestion to accept for {self.pack.phase_name(phase)}: judge some "
                             "criteria first, or /override with a reason")
        self.store.save_rating(self.visit, phase, aspect_id, suggestion=r.suggestion, ceiling=r.ceiling,
                               reason=r.reason, override=None, override_reason=None, accepted=1)
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
