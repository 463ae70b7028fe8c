"""The running order of a visit: its items (agenda questions and probes), where the visit is in them, and
moving through them (skip, back, jump).
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..packs.model import Pack, Question
from ..record import Record
from .base import SessionParts


class Item(Record):
    """One step of the running order: an agenda question or a probe."""

    id: str
    position: int
    kind: str  # "question" or "probe"
    aspect_id: str
    text: str
    status: str  # pending, answered, skipped, dismissed
    question: Question | None
    targets: tuple[str, ...]
    response_id: str | None

    @property
    def answer_type(self) -> str:
        return self.question.answer if self.question else "text"

    def prompt(self) -> str:
        return self.question.prompt() if self.question else self.text

    @property
    def criteria(self) -> tuple[str, ...]:
        return self.question.criteria if self.question else self.targets


def question_phases(pack: Pack, question: Question) -> frozenset[str] | None:
    """The phases a question is about: when everything it bears on is limited to some phases (the Early Years
    targets question of 1.5), those phases; None when it concerns every phase."""
    limited: set[str] = set()
    for target in question.criteria:
        only = pack.phases_of(target)
        if only is None:
            return None
        limited |= only
    return frozenset(limited) or None


def asked_in(pack: Pack, question: Question, phases: list[str]) -> bool:
    """Whether a visit to these phases asks the question (one about Early Years only is not asked at a Primary and
    Secondary visit)."""
    only = question_phases(pack, question)
    return only is None or any(p in only for p in phases)


class RunningOrder(SessionParts):
    @staticmethod
    def _running_order(pack: Pack, agenda, phases: list[str], focus: list[str],
                       coverage: dict[str, int]) -> list[dict[str, Any]]:
        """Focus aspects first, then the aspects least covered this year; agenda order within an aspect."""
        sections = [s for s in agenda.sections if any(pack.aspects[s.aspect].applies_to(p) for p in phases)]
        order = {s.aspect: i for i, s in enumerate(sections)}

        def key(section):
            if section.aspect in focus:
                return (0, focus.index(section.aspect), 0)
            return (1, coverage.get(section.aspect, 0), order[section.aspect])

        items = []
        for s in sorted(sections, key=key):
            for q in s.questions:
                if not asked_in(pack, q, phases):
                    continue
                items.append({"kind": "question", "question_id": q.id, "aspect_id": q.aspect, "text": q.text,
                              "targets": "[]"})
        return items

    def items(self) -> list[Item]:
        if self._items is None:
            self._items = [Item(r["id"], r["position"], r["kind"], r["aspect_id"], r["text"], r["status"],
                                self.pack.questions.get(r["question_id"]) if r["question_id"] else None,
                                tuple(r["targets"]), r["response_id"]) for r in self.store.items(self.id)]
        return self._items

    @property
    def position(self) -> int:
        return self.visit["position"]

    def current(self) -> Item | None:
        items = self.items()
        if 0 <= self.position < len(items):
            item = items[self.position]
            if item.status == "pending" or self._revisiting:
                return item
        return self._next_pending(self.position)

    # Set on the instance by back() and jump() (current() then stays on an item already dealt with), cleared once
    # that item is answered or skipped; False for a Session that has done neither.
    _revisiting = False

    def _next_pending(self, after: int) -> Item | None:
        items = self.items()
        for item in items[after:] + items[:after]:
            if item.status == "pending":
                return item
        return None

    def progress(self) -> tuple[int, int]:
        items = self.items()
        done = sum(1 for i in items if i.status != "pending")
        return done, len(items)

    def _after(self, item: Item) -> int:
        """Where to go once `item` is dealt with: the next pending item after it, or wrap round."""
        items = self.items()
        for it in items[item.position + 1:]:
            if it.status == "pending" and it.id != item.id:
                return it.position
        for it in items[: item.position]:
            if it.status == "pending" and it.id != item.id:
                return it.position
        return len(items)

    def skip(self) -> Item | None:
        item = self.current()
        if item is None:
            raise UsageError("nothing to skip: every question has been dealt with")
        self._require_open()
        if item.status == "pending":
            self.store.set_item_status(item.id, "dismissed" if item.kind == "probe" else "skipped", self.id)
        self.store.set_position(self.id, self._after(item))
        self._revisiting = False
        self.refresh()
        self._maybe_probe(item)
        return self.current()

    def back(self) -> Item:
        """Go to the previous item (answered or not); answering it again replaces the recorded answer."""
        items = self.items()
        cur = self.current()
        pos = cur.position if cur else len(items)
        if pos <= 0:
            raise UsageError("already at the first question")
        self.store.set_position(self.id, pos - 1)
        self.refresh()
        self._revisiting = True
        return self.items()[pos - 1]

    def jump(self, aspect_id: str) -> Item:
        if aspect_id not in self.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}' (known: {', '.join(self.pack.aspects)})")
        items = [i for i in self.items() if i.aspect_id == aspect_id]
        if not items:
            raise UsageError(f"this visit's agenda has no questions on {aspect_id}: record against it with "
                             f"/note {aspect_id} TEXT")
        target = next((i for i in items if i.status == "pending"), items[0])
        self.store.set_position(self.id, target.position)
        self.refresh()
        self._revisiting = target.status != "pending"
        return target
