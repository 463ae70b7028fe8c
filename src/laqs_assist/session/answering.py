"""Answers and their types: recording, editing and flagging an answer, free notes, which answer a command means,
the unsent draft, the criteria an answer may bear on, and an indicator set from a typed answer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..answers import AnswerInvalid, parse_answer, shown_number
from ..errors import JudgementError, UsageError
from ..record import Record, replace
from ..store.criteria_index import criteria_index
from .base import SessionParts
from .order import Item

# An answer is kept exactly as typed up to this size; beyond it the answer is refused and stays in the draft. A
# page of notes is a few kilobytes: a megabyte is a pasted document, kept whole, but not a whole file dropped in.
MAX_ANSWER_BYTES = 1024 * 1024


class AnswerTooLong(UsageError):
    """An answer (or note, or edit) over MAX_ANSWER_BYTES: refused, nothing else changes."""


def check_size(text: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_ANSWER_BYTES:
        raise AnswerTooLong(f"this answer is {size / 1024 / 1024:.1f} MB; an answer can be at most 1 MB "
                            f"({MAX_ANSWER_BYTES:,} bytes): shorten it or split it (the text is kept in the draft)")


def parse_day(text: str | None) -> str:
    if not text:
        return date.today().isoformat()
    try:
        return parse_answer("date", text)  # type: ignore[return-value]
    except AnswerInvalid:
        raise UsageError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


class Offer(Record):
    """A number found in an answer, offered as an indicator's value."""

    indicator: str
    value: float
    unit: str

    def shown(self) -> str:
        return shown_number(self.value, self.unit)


_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,/:-])(\d+(?:\.\d+)?)(?![\w.,/:-]*\d)(?!\s*(?:%|per\s?cent\b))", re.IGNORECASE)


def numbers_in(text: str, percent: bool) -> list[float]:
    """The distinct numbers an answer states: percentages ("91%", "91 per cent") when `percent`, else plain
    numbers that are not percentages, dates, times or parts of ids ("2026-11-20", "10:30", "A3.1.5.2")."""
    found: list[float] = []
    for m in (_PERCENT if percent else _NUMBER).finditer(text):
        value = float(m.group(1))
        if value not in found:
            found.append(value)
    return found


class Answering(SessionParts):
    def answer(self, text: str) -> dict[str, Any]:
        """Record the answer to the current item (or replace it when revisiting); committed before returning."""
        item = self.current()
        if item is None:
            raise UsageError("every question has been dealt with: add a note with /note, or /end the visit")
        self._require_open()
        check_size(text)
        choices = item.question.choices if item.question else ()
        value = parse_answer(item.answer_type, text, choices)
        after = self._after(item)
        # One commit, answering afresh or replacing the item's answer when revisiting (the store tells them apart).
        response = self.store.add_response(visit=self.visit, item={"id": item.id, "question_id":
                                           item.question.id if item.question else None},
                                           aspect_id=item.aspect_id, text=text, value=value, position=after)
        # The commit above is the record; keep the cached view in step rather than reading it all back.
        self._items[item.position] = replace(item, status="answered", response_id=response["id"])
        self.visit["position"] = after
        self.visit["updated_at"] = response["updated_at"]
        self._revisiting = False
        self._just_given = response["id"]
        self._record_indicator(item, value, response["id"])
        self._maybe_probe(item)
        return response

    def note(self, text: str, aspect_id: str | None = None) -> dict[str, Any]:
        """A free note outside the agenda, against an aspect (default: the current item's)."""
        self._require_open()
        if not text.strip():
            raise UsageError("a note needs some text")
        check_size(text)
        aspect = aspect_id or (self.current().aspect_id if self.current() else None)
        if aspect is None or aspect not in self.pack.aspects:
            raise UsageError("say which aspect the note is about: /note 2.4 TEXT")
        response = self.store.add_response(visit=self.visit, item=None, aspect_id=aspect, text=text)
        self._just_given = response["id"]
        self.refresh()
        return response

    def answer_sets(self, item: Item | None) -> str | None:
        """The indicator a typed answer to this item is the value of: a number or percentage question aimed at
        exactly one indicator (its answer is recorded as the indicator's value, and the chat says so)."""
        if item is None or item.answer_type not in ("percent", "number"):
            return None
        indicators = [t for t in item.criteria if t in self.pack.indicators]
        return indicators[0] if len(indicators) == 1 else None

    def _record_indicator(self, item: Item, value: str | None, response_id: str) -> None:
        indicator = self.answer_sets(item) if value is not None else None
        if indicator is not None:
            try:
                self.judge(indicator, value, response_id=response_id)
            except JudgementError:
                pass  # out of range for the indicator: the answer stands, the adviser judges by hand

    def offers(self, item: Item | None, text: str) -> list[Offer]:
        """Numbers in an answer offered as the values of the indicators its item bears on (directly, or through a
        threshold criterion): an indicator is offered a value when the answer holds exactly one number of its
        unit (a percentage for a percentage). Nothing is recorded here: the adviser takes an offer or not."""
        if item is None:
            return []
        pack = self.pack
        wanted: list[str] = []
        for target in item.criteria:
            crit = pack.criteria.get(target)
            ind = crit.threshold.indicator_id if crit is not None and crit.threshold else target
            if ind in pack.indicators and ind not in wanted and ind != self.answer_sets(item):
                wanted.append(ind)
        out = []
        for ind in wanted:
            unit = pack.indicators[ind].unit
            found = numbers_in(text, percent=unit in ("percent", "percentile"))
            if len(found) == 1:
                value = found[0]
                low, high = pack.indicators[ind].bounds
                if (low is None or value >= low) and (high is None or value <= high):
                    out.append(Offer(ind, value, unit))
        return out

    def edit(self, ref: str | None, text: str) -> dict[str, Any]:
        """Replace an answer's text (the old text stays in its history): the answer just given, or the one `ref`
        names (see `answer_ref`). A typed answer is checked again as its question's type (AnswerInvalid is the
        re-ask), and an indicator it set is set again."""
        self._require_open()
        if not text.strip():
            raise UsageError("an answer needs some text")
        check_size(text)
        response = self.answer_ref(ref)
        item = next((i for i in self.items() if i.id == response["item_id"]), None)
        value = response["value"]
        if item is not None and item.answer_type != "text":
            value = parse_answer(item.answer_type, text, item.question.choices if item.question else ())
        edited = self.store.edit_response(response["id"], text, value)
        self._just_given = response["id"]
        if item is not None and value != response["value"]:
            self._record_indicator(item, value, response["id"])
        self.refresh()
        return edited

    def flag(self, ref: str | None = None, concerns_individual: bool = True) -> dict[str, Any]:
        """Mark an answer as concerning an individual's performance (or clear the mark): the answer just given, or
        the one `ref` names (see `answer_ref`). It is kept, and left out of everything shared."""
        response = self.answer_ref(ref)
        self.store.flag_response(response["id"], concerns_individual)
        return self.store.response(response["id"])

    # The answer this Session recorded or replaced last; None until it records one (then the store says).
    _just_given: str | None = None

    def last_response(self) -> dict[str, Any] | None:
        """The answer just given: the one this session recorded or replaced last, else the one recorded or replaced
        last in the visit (in any window). Going back and answering again makes that answer the last one, though it
        was created earlier; flagging or judging does not."""
        if self._just_given:
            row = self.store.response(self._just_given)
            if row is not None:
                return row
        return self.store.last_answered(self.id)

    def answer_ref(self, ref: str | None) -> dict[str, Any]:
        """The answer a command means: with no ref, the answer just given; else a question id of this visit's agenda
        (A3.2.4.1) or the id the chat shows for an answer or note (its first characters will do)."""
        ref = (ref or "").strip()
        if not ref:
            last = self.last_response()
            if last is None:
                raise UsageError("no answer yet")
            return last
        by_question = [i for i in self.items() if i.question and i.question.id.lower() == ref.lower()]
        if by_question:
            item = by_question[0]
            if not item.response_id:
                raise UsageError(f"question {item.question.id} has not been answered in this visit")
            return self.store.response(item.response_id)  # type: ignore[return-value]
        return self.find_response(ref)

    _ANSWER_ID = re.compile(r"^[0-9a-f]{8}[0-9a-f-]*$", re.IGNORECASE)

    def split_ref(self, rest: str) -> tuple[str | None, str]:
        """`[QID|ID] TEXT` as typed after /edit: the first word names an answer only when it is a question id of
        this visit or the id of one of its answers; otherwise all of it is the text (for the answer just given)."""
        first, _, tail = rest.strip().partition(" ")
        if first and tail.strip() and self.names_answer(first):
            return first, tail.strip()
        return None, rest.strip()

    def names_answer(self, word: str) -> bool:
        """Whether a word is a question id of this visit or the id (or its first characters) of one of its
        answers."""
        if any(i.question and i.question.id.lower() == word.lower() for i in self.items()):
            return True
        return bool(self._ANSWER_ID.match(word) and self.store.visit_responses_by_prefix(self.id, word.lower()))

    def find_response(self, ref: str) -> dict[str, Any]:
        """A response of this visit by id or the short id the chat shows."""
        ref = ref.strip()
        rows = self.store.visit_responses_by_prefix(self.id, ref) if ref else []
        if not rows:
            raise UsageError(f"no answer '{ref}' in this visit (give a question id such as A3.2.4.1, or the id the "
                             "chat shows after 'saved')")
        if len(rows) > 1:
            raise UsageError(f"'{ref}' matches more than one answer: give more of the id")
        return rows[0]

    def answer_for(self, item: Item) -> dict[str, Any] | None:
        return self.store.response(item.response_id) if item.response_id else None

    # --- the unsent draft -----------------------------------------------------------------------------------

    def save_draft(self, text: str) -> dict[str, Any] | None:
        """Keep the answer box's unsent text (committed, so a kill loses nothing); empty text clears it."""
        cur = self.current()
        return self.store.save_draft(self.id, text, cur.id if cur else None)

    def draft(self) -> dict[str, Any] | None:
        """The visit's unsent draft ({text, item_id, updated_at}), or None."""
        return self.store.draft(self.id)

    def clear_draft(self) -> None:
        self.store.save_draft(self.id, "", None)

    def suggest_criteria(self, text: str, item: Item | None = None, limit: int = 5) -> list[str]:
        """Criteria of the item's aspect the answer may bear on: word matches first, then the question's own."""
        item = item or self.current()
        if item is None:
            return []
        ranked = criteria_index(self.pack).rank(text, item.aspect_id, limit)
        for c in item.criteria:
            if len(ranked) >= limit:
                break
            if c not in ranked and c in self.pack.criteria and self.pack.criteria[c].kind == "statement":
                ranked.append(c)
        return ranked
