"""The interview as a state machine over the store: next question, record, judge, back, skip, jump, probe, end.

No UI here: the line mode and the Textual app both drive a Session. Every change is committed by the store
before the method returns, so whatever a caller acknowledges is on disk.

A Session is composed from one part per reason to change: the running order (order.py), answers and their types
(answering.py), probes (probes.py), judgements and ratings (judging.py), the review and end (review.py) and
actions (actions.py). Here: starting, resuming and pausing a visit, and what it is.
"""

from __future__ import annotations

from typing import Any, Iterable

# Typed answers are the answer-type registry's (answers.py); re-exported for the callers of session.
from ..answers import AnswerInvalid, parse_answer  # noqa: F401
from ..errors import UsageError
from ..packs.model import Pack
from ..store import Store

# Re-exported: tui/engine.py builds the criteria index ahead, on its engine thread.
from ..store.criteria_index import CriteriaIndex, criteria_index  # noqa: F401
from .actions import Actions
from .answering import MAX_ANSWER_BYTES, Answering, AnswerTooLong, check_size, parse_day  # noqa: F401
from .judging import Judging, year_judgements, year_ratings  # noqa: F401
from .order import Item, RunningOrder  # noqa: F401
from .probes import PROBE_LIMIT, Probing  # noqa: F401
from .review import Reviewing


class Session(RunningOrder, Answering, Probing, Judging, Reviewing, Actions):
    def __init__(self, store: Store, pack: Pack, visit: dict[str, Any]) -> None:
        if visit["pack_id"] != pack.id:
            raise UsageError(f"visit {visit['id'][:8]} was recorded with pack '{visit['pack_id']}', not '{pack.id}'")
        if visit["agenda_id"] not in pack.agendas:
            raise UsageError(f"visit {visit['id'][:8]} uses agenda '{visit['agenda_id']}', which the pack lacks")
        self.store = store
        self.pack = pack
        self.visit = visit
        self.agenda = pack.agendas[visit["agenda_id"]]
        self._items = None
        self._ratings = {}

    # --- starting and resuming ------------------------------------------------------------------------------

    @classmethod
    def start(cls, store: Store, pack: Pack, *, agenda_id: str, organisation: str, kind: str = "LA",
              phases: Iterable[str] = (), focus: Iterable[str] = (), people: Iterable[tuple[str, str] | str] = (),
              day: str | None = None, author: str = "", purpose: str = "", parent: str | None = None) -> "Session":
        if agenda_id not in pack.agendas:
            raise UsageError(f"unknown agenda '{agenda_id}' (known: {', '.join(pack.agendas)})")
        phases = [cls._phase(pack, p) for p in phases] or pack.phase_ids()
        phases = list(dict.fromkeys(phases))
        focus = list(dict.fromkeys(focus))
        for a in focus:
            if a not in pack.aspects:
                raise UsageError(f"unknown aspect '{a}' (known: {', '.join(pack.aspects)})")
        day = parse_day(day)
        kind = cls._kind(pack, kind)
        parent_id = None
        if parent:
            la = store.organisation(parent)
            parent_id = la["id"] if la else store.ensure_organisation(parent, cls._kind(pack, "LA"))["id"]
        org = store.ensure_organisation(organisation, kind, parent_id)
        from ..calendar import academic_year

        year = academic_year(day, pack.year_starts)
        coverage = store.coverage(org["id"], year)
        items = cls._running_order(pack, pack.agendas[agenda_id], phases, focus, coverage)
        if not items:
            raise UsageError(f"agenda '{agenda_id}' has no questions for {', '.join(phases)}")
        people_rows = [(p, "") if isinstance(p, str) else p for p in people]
        visit = store.create_visit(organisation_id=org["id"], pack_id=pack.id, agenda_id=agenda_id, phases=phases,
                                   focus=focus, day=day, author=author, purpose=purpose,
                                   people=[(n, r) for n, r in people_rows if n.strip()], items=items,
                                   year=year, pack_version=pack.version)
        return cls(store, pack, visit)

    @staticmethod
    def _kind(pack: Pack, kind: str) -> str:
        """The pack's own spelling of a kind of organisation; a kind the pack does not list is refused."""
        if not pack.organisation_kinds:
            return kind
        found = pack.organisation_kind(kind)
        if found is None:
            known = ", ".join(k.id for k in pack.organisation_kinds)
            raise UsageError(f"pack '{pack.id}' is not used with '{kind}' organisations (its kinds: {known})")
        return found.id

    @classmethod
    def resume(cls, store: Store, pack: Pack, ref: str) -> "Session":
        visit = store.find_visit(ref)
        session = cls(store, pack, visit)
        if visit["status"] == "paused":
            store.touch_visit(visit["id"], status="in_progress")
            session.visit = store.visit(visit["id"])
        return session

    @staticmethod
    def _phase(pack: Pack, phase: str) -> str:
        return pack.phase_of(phase)

    # --- where we are ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.visit = self.store.visit(self.visit["id"])
        self._items = None

    @property
    def id(self) -> str:
        return self.visit["id"]

    @property
    def phases(self) -> list[str]:
        return self.visit["phases"]

    @property
    def ended(self) -> bool:
        return self.visit["status"] == "ended"

    def set_summary(self, text: str) -> None:
        """The adviser's own summary of the visit (key findings per aspect and overall) for its note; it may be
        written after the visit has ended. Empty text clears it."""
        check_size(text)
        self.store.set_visit_summary(self.id, text.strip())
        self.refresh()

    def pause(self) -> None:
        self.store.touch_visit(self.id, status="paused")
        self.store.index_pending()
        self.refresh()

    def _require_open(self, allow_ended: bool = False) -> None:
        if self.ended and not allow_ended:
            raise UsageError("this visit has ended: its answers can be read but not added to")
