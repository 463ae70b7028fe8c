"""The interview as a state machine over the store: next question, record, judge, back, skip, jump, probe, end.

No UI here: the line mode and the Textual app both drive a Session. Every change is committed by the store
before the method returns, so whatever a caller acknowledges is on disk.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

# Typed answers are the answer-type registry's (answers.py); re-exported for the callers of session.
from .answers import AnswerInvalid, parse_answer  # noqa: F401
from .errors import JudgementError, UsageError
from .packs.model import Pack, Question
from .rating import NA, AspectView, Judgements, Rating, judgements_for, judgements_from_rows, rate
from .record import Record, replace
from .store import Store

# Re-exported: tui/engine.py builds the criteria index ahead, on its engine thread.
from .store.criteria_index import CriteriaIndex, criteria_index  # noqa: F401

PROBE_LIMIT = 3


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


# --- typed answers ----------------------------------------------------------------------------------------------


def parse_day(text: str | None) -> str:
    if not text:
        return date.today().isoformat()
    try:
        return parse_answer("date", text)  # type: ignore[return-value]
    except AnswerInvalid:
        raise UsageError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


# --- the year's evidence ----------------------------------------------------------------------------------------


def year_judgements(store: Store, organisation_id: str, year: str, aspect_id: str, phase: str) -> Judgements:
    """An organisation's evidence for a year: the latest judgement per target across every visit."""
    return judgements_from_rows(store.current_judgements(organisation_id, year, aspect_id, phase))


def year_ratings(store: Store, pack: Pack, organisation_id: str, year: str) -> dict[tuple[str, str], str | None]:
    """(phase, aspect) -> the rating an organisation holds for a year: the latest override or acceptance recorded
    in a visit's review where there is one, else the engine's suggestion from the year's evidence."""
    decided = store.rating_overrides(organisation_id, year)
    out: dict[tuple[str, str], str | None] = {}
    for phase in pack.phase_ids():
        for aspect_id in pack.aspects:
            if (phase, aspect_id) in decided:
                out[(phase, aspect_id)] = decided[(phase, aspect_id)]
            else:
                out[(phase, aspect_id)] = rate(pack, aspect_id, phase,
                                               year_judgements(store, organisation_id, year, aspect_id,
                                                               phase)).suggestion
    return out


# --- the session ------------------------------------------------------------------------------------------------


class Session:
    def __init__(self, store: Store, pack: Pack, visit: dict[str, Any]) -> None:
        if visit["pack_id"] != pack.id:
            raise UsageError(f"visit {visit['id'][:8]} was recorded with pack '{visit['pack_id']}', not '{pack.id}'")
        if visit["agenda_id"] not in pack.agendas:
            raise UsageError(f"visit {visit['id'][:8]} uses agenda '{visit['agenda_id']}', which the pack lacks")
        self.store = store
        self.pack = pack
        self.visit = visit
        self.agenda = pack.agendas[visit["agenda_id"]]
        self._items: list[Item] | None = None
        self._ratings: dict[tuple[str, str], tuple[int, Rating]] = {}

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
        from .calendar import academic_year

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
        for p in pack.phases:
            if phase.lower() in (p.id.lower(), p.name.lower()):
                return p.id
        raise UsageError(f"unknown phase '{phase}' (known: {', '.join(pack.phase_ids())})")

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
                items.append({"kind": "question", "question_id": q.id, "aspect_id": q.aspect, "text": q.text,
                              "targets": "[]"})
        return items

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

    def answer_for(self, item: Item) -> dict[str, Any] | None:
        return self.store.response(item.response_id) if item.response_id else None

    # --- answering ------------------------------------------------------------------------------------------

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

    def _record_indicator(self, item: Item, value: str | None, response_id: str) -> None:
        """A number or percentage answer to a question aimed at one indicator is that indicator's value."""
        if value is None or item.answer_type not in ("percent", "number"):
            return
        indicators = [t for t in item.criteria if t in self.pack.indicators]
        if len(indicators) == 1:
            try:
                self.judge(indicators[0], value, response_id=response_id)
            except JudgementError:
                pass  # out of range for the indicator: the answer stands, the adviser judges by hand

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

    # --- judgements -----------------------------------------------------------------------------------------

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
        crit = self.pack.criteria.get(target) if target else None
        if crit is not None:
            out = [p for p in out if crit.applies_to(p)]
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

    # --- probes ---------------------------------------------------------------------------------------------

    def _maybe_probe(self, item: Item) -> None:
        """After an aspect's last scripted question, ask about what would decide the next column."""
        if item.kind != "question":
            return
        same = [i for i in self.items() if i.aspect_id == item.aspect_id]
        if any(i.status == "pending" for i in same if i.kind == "question"):
            return
        asked = {t for i in same if i.kind == "probe" for t in i.targets}
        probes: list[dict[str, Any]] = []
        for phase in self.phases:
            if not self.pack.aspects[item.aspect_id].applies_to(phase):
                continue
            r = self.rating(item.aspect_id, phase)
            for target, text in self._probe_targets(r):
                if target in asked or len(probes) >= PROBE_LIMIT:
                    continue
                asked.add(target)
                probes.append({"kind": "probe", "question_id": None, "aspect_id": item.aspect_id, "text": text,
                               "targets": [target]})
        if probes:
            last = max(i.position for i in same)
            self.store.insert_items(self.id, last, probes)
            cur = self.visit["position"]
            if cur > last:
                self.store.set_position(self.id, last + 1)
            self.refresh()

    def _probe_targets(self, r: Rating) -> list[tuple[str, str]]:
        if r.suggestion == NA or r.ceiling is None:
            return []
        pack = self.pack
        sug_rank = pack.column(r.suggestion).rank if r.suggestion else len(pack.columns)
        if pack.column(r.ceiling).rank >= sug_rank:
            return []
        target_col = pack.columns[sug_rank - 1] if r.suggestion else [c for c in pack.columns if c.upper][-1]
        aspect = pack.aspects[r.aspect]
        out: list[tuple[str, str]] = []
        blockers = [b for b in r.blockers if b.column == target_col.id]
        if any(b.kind == "evidence" for b in blockers) or (r.suggestion is None and target_col.evidence):
            need = next(e.label.lower() for e in pack.evidence_levels if e.id == target_col.evidence)
            out.append((f"impact:{aspect.id}", f"What evidence is there of the impact of this work on outcomes for "
                                               f"children and young people? ({target_col.label} needs {need})"))
        crit = aspect.criteria_in(target_col.id, r.phase)
        unknown = [c for c in crit if r.states.get(c.id) == "unknown"]
        for c in sorted(unknown, key=lambda c: not c.critical):
            out.append((c.id, f"What evidence is there that: {' '.join(c.text.split())} ({c.id}"
                              f"{', critical' if c.critical else ''}, decides {target_col.label})"))
        return out

    # --- actions --------------------------------------------------------------------------------------------

    def add_action(self, text: str, owner: str = "", due: str | None = None,
                   aspect_id: str | None = None) -> dict[str, Any]:
        self._require_open(allow_ended=True)
        text = text.strip()
        if not text:
            raise UsageError("an action needs a description: /action TEXT | OWNER | DUE DATE")
        due_iso = parse_answer("date", due) if due and due.strip() else None
        if aspect_id is not None and aspect_id not in self.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        aspect_id = aspect_id or (self.current().aspect_id if self.current() else None)
        row = self.store.add_action(self.visit, text, owner.strip(), due_iso, aspect_id)
        self.refresh()
        return row

    def actions(self) -> list[dict[str, Any]]:
        return self.store.actions(self.id)

    # --- review and end -------------------------------------------------------------------------------------

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

    def pause(self) -> None:
        self.store.touch_visit(self.id, status="paused")
        self.store.index_pending()
        self.refresh()

    def end(self) -> list[dict[str, Any]]:
        """End the visit, keeping a snapshot of every rating in play; returns the review."""
        review = self.review()
        with self.store.write():
            for row in review:
                r: Rating = row["rating"]
                self.store.save_rating(self.visit, row["phase"], row["aspect"], suggestion=r.suggestion,
                                       ceiling=r.ceiling, reason=r.reason)
            from .store import now

            self.store.touch_visit(self.id, status="ended", ended_at=now())
        self.store.index_pending()
        self.refresh()
        return self.review()

    def _require_open(self, allow_ended: bool = False) -> None:
        if self.ended and not allow_ended:
            raise UsageError("this visit has ended: its answers can be read but not added to")

