"""The application: what an adviser can do, for every front end alike.

The Textual app (through its engine thread), line mode and the CLI all call one `Service`: start or resume a
visit, answer, judge, act, review, write the note; and, outside a visit, list visits, search and read the year's
ratings. It holds the store, the pack of the open visit and its Session, and it decides what a command means
when the adviser leaves something out (which aspect, which answer). Front ends only show what comes back.

One thread owns a Service (sqlite connections belong to the thread that opened them). Importing this module is
cheap: the session, the store and the rating engine load when first used, so the app can define its engine's
class on its start-up path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import UsageError
from .views import (
    ActionsView,
    Answered,
    HomeView,
    InterviewView,
    NoteView,
    PanelView,
    ReviewView,
    Turn,
    VisitRecord,
    YearRatings,
)

if TYPE_CHECKING:
    from ..packs.model import Pack
    from ..rating import Judgements, Rating
    from ..session import Session
    from ..store import Store
    from .context import Context


class Service:
    """The store, the pack a new visit uses, and the visit open now (at most one)."""

    def __init__(self, store: "Store", pack: "Pack", *, pack_fixed: bool = False) -> None:
        self.store = store
        self.default_pack = pack  # new visits use it; an opened visit uses the pack it was recorded with
        self.pack = pack
        self.pack_fixed = pack_fixed  # --pack given: it wins over the pack a visit was recorded with
        self.session: "Session | None" = None
        self.offers: tuple = ()  # numbers the last answer offered as indicator values (session.Offer)
        self.today: str | None = None  # the day actions are overdue as of (ISO); None: the calendar's today

    @classmethod
    def open(cls, context: "Context", create: bool = False, read_only: bool | None = None) -> "Service":
        """For one command: the context's pack and store (see Context.open_store for create and read_only)."""
        pack = context.pack()
        return cls(context.open_store(create=create, read_only=read_only), pack, pack_fixed=context.pack_chosen)

    @classmethod
    def at(cls, pack_path: Path, store_path: Path, pack: "Pack | None" = None) -> "Service":
        """On a pack folder (or a pack loaded already) and a store file, which is created when missing: the app's
        way in."""
        from ..packs import open_pack
        from ..store import Store

        return cls(Store(store_path), pack or open_pack(pack_path))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def warm(self) -> None:
        """Build the criteria index now rather than on the first answer."""
        from ..store.criteria_index import criteria_index

        criteria_index(self.pack)

    def pack_of(self, visit: dict[str, Any]) -> "Pack":
        """The pack a visit was recorded with: the one open already, or an installed pack found by its id."""
        from ..packs.registry import pack_of_visit

        return pack_of_visit(visit, self.default_pack, self.pack_fixed)

    # --- outside a visit --------------------------------------------------------------------------------------

    def home(self, limit: int = 200) -> HomeView:
        return HomeView(tuple(self._with_overdue(self.store.visits(limit=limit))),
                        tuple(self.store.organisations()), str(self.store.path))

    def overdue_counts(self, today: str | None = None) -> dict[tuple[str, str], int]:
        """(organisation name, kind) -> how many of its actions are open or carried forward past their due date
        (default: as of today)."""
        counts = self.store.overdue_counts(today or self.day())
        return {(o["name"], o["kind"]): counts[o["id"]] for o in self.store.organisations() if o["id"] in counts}

    def day(self) -> str:
        """Today as the service sees it (ISO): what actions are overdue as of."""
        from datetime import date

        return self.today or date.today().isoformat()

    def _with_overdue(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        counts = self.overdue_counts()
        return [{**r, "overdue": counts.get((r["organisation"], r["organisation_kind"]), 0)} for r in rows]

    def organisation(self, name: str) -> dict[str, Any]:
        org = self.store.organisation(name)
        if org is None:
            raise UsageError(f"no organisation '{name}' in this store")
        return org

    def visits(self, status: str | None = None, organisation: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
        org_id = self.organisation(organisation)["id"] if organisation else None
        return self._with_overdue(self.store.visits(status, org_id, limit))

    def visit_record(self, ref: str) -> VisitRecord:
        """A visit with its actions (each with `overdue` and its `history`) and its organisation's overdue
        actions of every visit."""
        from ..session.actions import is_overdue

        visit = self.store.find_visit(ref)
        vid = visit["id"]
        actions = [{**a, "overdue": is_overdue(a, self.day()), "history": self.store.action_history(a["id"])}
                   for a in self.store.actions(vid)]
        overdue = [a for a in self.store.organisation_actions(visit["organisation_id"]) if is_overdue(a, self.day())]
        return VisitRecord(visit, self.store.responses(vid), self.store.visit_judgements(vid),
                           actions, self.store.ratings(vid), overdue)

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        return self.store.search(query, limit)

    def year_ratings(self, organisation: str, year: str | None = None) -> YearRatings:
        """The ratings an organisation holds for a year (default: the year today falls in)."""
        from datetime import date

        from ..calendar import academic_year
        from ..session.year import year_rating_details

        year = year or academic_year(date.today(), self.pack.year_starts)
        org = self.organisation(organisation)
        details = year_rating_details(self.store, self.pack, org["id"], year)
        return YearRatings(org, year, {key: held.column for key, held in details.items()}, details)

    # --- opening a visit --------------------------------------------------------------------------------------

    @staticmethod
    def visit_form(pack: "Pack", *, organisation: str | None, school: bool = False, agenda: str | None = None,
                   phases: Iterable[str] = (), focus: Iterable[str] = (), people: Iterable[str] = (),
                   **rest: Any) -> dict[str, Any]:
        """A new visit's choices checked against the pack before anything is opened or created, as start() takes
        them: the agenda defaults to the one the pack gives the kind of organisation; people are
        'Name' or 'Name:role'; no phases means every phase (or the adviser's, which the caller adds)."""
        if not organisation or not organisation.strip():
            raise UsageError("say who the visit is with: --org NAME (or --resume ID)")
        kind = "school" if school else "LA"
        if agenda is not None and agenda not in pack.agendas:
            raise UsageError(f"unknown agenda '{agenda}' (known: {', '.join(pack.agendas)})")
        phases = tuple(phases)
        for p in phases:
            pack.phase_of(p)
        focus = tuple(focus)
        for a in focus:
            if a not in pack.aspects:
                raise UsageError(f"unknown aspect '{a}' (known: {', '.join(pack.aspects)})")
        return {"agenda_id": agenda or pack.default_agenda(kind), "organisation": organisation, "kind": kind,
                "phases": phases, "focus": focus,
                "people": [tuple(p.split(":", 1)) if ":" in p else (p, "") for p in people], **rest}

    def start(self, form: dict[str, Any]) -> "Session":
        """Start a visit (Session.start's arguments) with the default pack; it becomes the open visit."""
        from ..session import Session

        self.pack = self.default_pack
        self.session = Session.start(self.store, self.pack, **form)
        return self.session

    def resume(self, ref: str) -> "Session":
        """Open a visit by id, id prefix or 'last', with the pack it was recorded with."""
        from ..session import Session

        visit = self.store.find_visit(ref)
        self.pack = self.pack_of(visit)
        self.session = Session.resume(self.store, self.pack, visit["id"])
        return self.session

    def close_visit(self, pause: bool = True) -> None:
        """Leave the visit: an open one is paused (pause=False leaves its status as it is)."""
        s = self.session
        if s is not None and pause and not s.ended:
            s.pause()
        self.session = None
        self.pack = self.default_pack

    def pause(self) -> bool:
        """Pause the open visit; False when it has ended (an ended visit stays ended)."""
        s = self._s()
        if s.ended:
            return False
        s.pause()
        return True

    def _s(self) -> "Session":
        if self.session is None:
            raise UsageError("no visit is open")
        return self.session

    @property
    def visit(self) -> dict[str, Any]:
        return self._s().visit

    @property
    def id(self) -> str:
        return self._s().id

    @property
    def agenda(self):
        return self._s().agenda

    @property
    def phases(self) -> list[str]:
        return self._s().phases

    @property
    def ended(self) -> bool:
        return self._s().ended

    # --- where the visit is -----------------------------------------------------------------------------------

    def current(self):
        """The item to answer next (a session.Item), or None when every item is dealt with."""
        return self._s().current()

    def items(self) -> list:
        """The running order: every question and probe of the visit (session.Item)."""
        return self._s().items()

    def progress(self) -> tuple[int, int]:
        return self._s().progress()

    def recorded(self, item) -> dict[str, Any] | None:
        """The answer recorded for an item, when it has one (going back to it shows it)."""
        return self._s().answer_for(item) if item is not None and item.response_id else None

    def view(self, transcript: bool = False, panel_aspect: str | None = None,
             scope: str | None = None) -> InterviewView:
        """The snapshot the app draws: the running order, where it is, the year's coverage, the criteria panel."""
        s = self._s()
        items = tuple(s.items())
        cur = s.current()
        prev = self.recorded(cur)
        done, total = s.progress()
        coverage = self.store.coverage(s.visit["organisation_id"], s.visit["academic_year"])
        aspect = panel_aspect or (cur.aspect_id if cur else None)
        if aspect is None and items:
            aspect = (s.visit["focus"] or [items[-1].aspect_id])[0]
        panel = self.panel(aspect, scope) if aspect else None
        return InterviewView(dict(s.visit), items, cur, prev["text"] if prev else None, done, total, coverage,
                             panel, len(s.actions()), self.transcript() if transcript else (),
                             s.draft() if transcript else None, bool(prev and prev["concerns_individual"]),
                             len(s.overdue_actions(self.day())))

    def panel(self, aspect_id: str, scope: str | None = None) -> PanelView:
        """One aspect's ratings for the visit's phases (or the one phase `scope` names) and the state of each
        criterion, item and indicator; a state that differs between phases is "mixed"."""
        s = self._s()
        aspect = self.pack.aspects[aspect_id]
        phases = tuple(p for p in s.phases if aspect.applies_to(p))
        shown = (scope,) if scope in phases else phases
        per_phase: list[tuple["Judgements", "Rating"]] = [(s.judgements(aspect_id, p), s.rating(aspect_id, p))
                                                          for p in shown]

        def across(seen: list[str]) -> str:
            return seen[0] if len(set(seen)) == 1 else "mixed"

        states: dict[str, str] = {}
        for c in aspect.criteria:
            seen = [r.states[c.id] for _, r in per_phase if c.id in r.states]
            if seen:
                states[c.id] = across(seen)
        for cset in aspect.sets:
            for it in cset.items:
                if not it.criterion and per_phase:
                    states[it.id] = across([j.states.get(it.id, "unknown") for j, _ in per_phase])
        impacts = [j.impact for j, _ in per_phase]
        values: dict[str, float] = {}
        for j, _ in per_phase:
            for k, v in j.values.items():
                values.setdefault(k, v)
        return PanelView(aspect_id, phases, tuple(r for _, r in per_phase), states,
                         across(impacts) if impacts else None, values, shown)

    def _label(self, item) -> str:
        if item is None:
            return "Note"
        if item.kind == "probe":
            return "Probe"
        return f"Q {item.question.id}" if item.question else "Q"

    def transcript(self) -> tuple[Turn, ...]:
        """The visit so far: each answer under its question, each note on its aspect."""
        out = []
        for r, item in self._responses_with_items():
            if item is not None:
                out.append(Turn("answer", r["aspect_id"], item.prompt(), self._label(item), r["id"], r["text"],
                                bool(r["concerns_individual"])))
            else:
                out.append(Turn("note", r["aspect_id"], "", f"Note on {r['aspect_id']}", r["id"], r["text"],
                                bool(r["concerns_individual"])))
        return tuple(out)

    def responses(self) -> list[dict[str, Any]]:
        """The visit's answers and notes, each with its question (or "Note on …") and label, for choosing one."""
        out = []
        for r, item in self._responses_with_items():
            r = dict(r)
            r["question"] = item.prompt() if item else f"Note on {r['aspect_id']}"
            r["label"] = self._label(item) if item and (item.kind == "probe" or item.question) else "Note"
            out.append(r)
        return out

    def _responses_with_items(self):
        s = self._s()
        by_item = {i.id: i for i in s.items()}
        return [(r, by_item.get(r["item_id"]) if r["item_id"] else None) for r in self.store.responses(s.id)]

    # --- recording --------------------------------------------------------------------------------------------

    def answer(self, text: str) -> Answered:
        """Answer the current item (AnswerInvalid re-asks a typed question; nothing is recorded then). A typed
        number that is an indicator's value is recorded as it (`sets`); numbers in any other answer are offered
        as the values of the indicators the item bears on (`offers`), for the adviser to take or leave."""
        s = self._s()
        item = s.current()
        response = s.answer(text)
        sets = s.answer_sets(item)
        self.offers = tuple(s.offers(item, text))
        return Answered(response, item, tuple(s.suggest_criteria(text, item)) if item else (),
                        ((sets, response["value"]),) if sets and response["value"] is not None else (),
                        self.offers)

    def suggest(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The criteria a half-typed answer may bear on, for the current item's aspect."""
        s = self.session
        if s is None or not text.strip():
            return "", ()
        item = s.current()
        if item is None:
            return "", ()
        return item.aspect_id, tuple(s.suggest_criteria(text, item))

    def skip(self):
        return self._s().skip()

    def back(self):
        return self._s().back()

    def jump(self, aspect_id: str):
        return self._s().jump(aspect_id)

    def aspect(self, aspect_id: str | None = None) -> str:
        """The aspect a command means: the one named, else the current question's."""
        s = self._s()
        if aspect_id is not None:
            if aspect_id not in self.pack.aspects:
                raise UsageError(f"unknown aspect '{aspect_id}'")
            return aspect_id
        item = s.current()
        if item is None:
            raise UsageError("say which aspect, e.g. /rating 2.4")
        return item.aspect_id

    def judge(self, target: str, value: Any, phases: Iterable[str] = ()) -> list["Rating"]:
        """A criterion's state, a set's count or an indicator's value, for the phases named (default: every phase
        of the visit the target applies to); the ratings of its aspect in those phases after it."""
        return self._s().judge(target, value, phases=tuple(phases) or None)

    def take_offer(self, indicator: str | None = None, phases: Iterable[str] = ()) -> tuple[Any, list["Rating"]]:
        """Record a number the last answer offered as its indicator's value (the only offer, or the one for
        `indicator`); the offer and the ratings after it."""
        offers = [o for o in self.offers if indicator in (None, o.indicator)]
        if not offers:
            raise UsageError("the last answer offered no number to record: /value ID NUMBER" if not self.offers
                             else f"the last answer offered nothing for {indicator}")
        if len(offers) > 1:
            raise UsageError("the last answer offered several: " + "; ".join(
                f"/value {o.indicator} {o.value:g}" for o in offers))
        offer = offers[0]
        ratings = self.judge(offer.indicator, offer.value, phases)
        self.offers = tuple(o for o in self.offers if o is not offer)
        return offer, ratings

    def set_impact(self, level: str, aspect_id: str | None = None,
                   phases: Iterable[str] = ()) -> tuple[str, list["Rating"]]:
        """Evidence of impact for an aspect (default: the current question's), for the phases named (default:
        every phase of the visit); the aspect and its ratings."""
        aspect_id = self.aspect(aspect_id)
        return aspect_id, self._s().set_impact(aspect_id, level, phases=tuple(phases) or None)

    def ratings(self, aspect_id: str | None = None) -> list["Rating"]:
        """An aspect's rating in each of the visit's phases (default: the current question's aspect)."""
        s = self._s()
        aspect_id = self.aspect(aspect_id)
        return [s.rating(aspect_id, p) for p in s.phases]

    def criteria(self, aspect_id: str | None = None) -> list["Rating"]:
        """An aspect's rating (with each criterion's state) in each visit phase where the aspect applies."""
        s = self._s()
        aspect_id = self.aspect(aspect_id)
        a = self.pack.aspects[aspect_id]
        return [s.rating(aspect_id, p) for p in s.phases if a.applies_to(p)]

    def note(self, text: str) -> dict[str, Any]:
        """A note outside the agenda: `ASPECT TEXT` puts it on that aspect, else on the current question's."""
        s = self._s()
        first, _, tail = text.partition(" ")
        return s.note(tail, first) if first in self.pack.aspects else s.note(text)

    def edit(self, ref: str | None, text: str) -> dict[str, Any]:
        """Replace an answer's text: the one `ref` names (see Session.answer_ref), else the one just given."""
        from ..session import AnswerInvalid

        try:
            return self._s().edit(ref, text)
        except AnswerInvalid as exc:
            raise UsageError(exc.message) from None

    def edit_typed(self, rest: str) -> dict[str, Any]:
        """`[QID|ID] TEXT` as typed after /edit: the answer named first, else the answer just given."""
        s = self._s()
        if not rest.strip():
            raise UsageError("give the new text: /edit [QID|ID] TEXT")
        ref, text = s.split_ref(rest)
        if ref is None and " " not in text and s.names_answer(text):
            # `/edit A3.2.4.2` alone: replacing the last answer with the question's id is surely not what was meant.
            raise UsageError(f"give the new text after {text}: /edit {text} TEXT")
        return self.edit(ref, text)

    def flag(self, ref: str | None, on: bool | None = True) -> dict[str, Any]:
        """Mark an answer as concerning an individual (or clear the mark): the one `ref` names (an answer's id,
        or a question id such as A3.2.4.1), else the one just given; on=None turns the flag over."""
        s = self._s()
        if on is None:
            on = not s.answer_ref(ref)["concerns_individual"]
        return s.flag(ref, on)

    def add_action(self, text: str, owner: str = "", due: str | None = None,
                   aspect_id: str | None = None) -> dict[str, Any]:
        """An agreed action (text, owner, due date), on an aspect (default: the current question's)."""
        from ..session import AnswerInvalid

        try:
            return self._s().add_action(text, owner, due, aspect_id)
        except AnswerInvalid as exc:
            raise UsageError(f"due date: {exc.message}") from None

    def actions(self) -> list[dict[str, Any]]:
        """The actions agreed at the open visit, each with its status now."""
        return self._s().actions()

    def action_list(self) -> ActionsView:
        """The actions the open visit can mark, numbered as /actions lists them (the organisation's earlier
        visits' still open or carried forward, or marked at this visit, then this visit's own), and the
        organisation's overdue actions."""
        s = self._s()
        return ActionsView(s.visit["organisation"], tuple(s.action_list(self.day())),
                           tuple(s.overdue_actions(self.day())))

    def mark_action(self, ref: str, status: str, on: str | None = None, note: str = "",
                    due: str | None = None) -> dict[str, Any]:
        """Mark an action (its number in action_list() or its id) done, dropped, carried forward (to a new due
        date if given) or open again, on a day (default: the visit's date) with a note; kept as its history."""
        return self._s().mark_action(ref, status, on, note, due, today=self.day())

    def action_history(self, ref: str) -> list[dict[str, Any]]:
        return self._s().action_history(ref)

    def save_draft(self, text: str) -> None:
        self._s().save_draft(text)

    def draft(self) -> dict[str, Any] | None:
        return self._s().draft()

    def clear_draft(self) -> None:
        self._s().clear_draft()

    # --- the summary ------------------------------------------------------------------------------------------

    def set_summary(self, text: str) -> str:
        """The adviser's summary of the visit, which its note gives instead of the draft; empty text clears it."""
        s = self._s()
        s.set_summary(text)
        return s.visit.get("summary") or ""

    def summary(self) -> tuple[str, tuple[str, ...]]:
        """The adviser's summary of the visit ("" while none), and the draft the note would otherwise give, built
        from the record (key findings per aspect discussed and overall), to start from."""
        from ..notes.context import note_context

        s = self._s()
        ctx = note_context(self.store, self.pack, s.id, annex=False)
        return s.visit.get("summary") or "", tuple(ctx["draft_summary"]["lines"])

    # --- review -----------------------------------------------------------------------------------------------

    def review(self) -> ReviewView:
        """Every rating in play (suggestion, override, the LA's view) and the visit's actions."""
        from ..session.actions import is_overdue

        s = self._s()
        s.refresh()
        return ReviewView(dict(s.visit), tuple(s.review()),
                          tuple({**a, "overdue": is_overdue(a, self.day())} for a in s.actions()))

    def accept(self, aspect_id: str, phase: str) -> None:
        self._s().accept(aspect_id, phase)

    def override(self, aspect_id: str, phase: str, column: str, reason: str):
        """The adviser's rating with the reason; what the criteria say about it (session.year.Departure). One the
        criteria rule out needs a reason of substance (a UsageError naming what they allow)."""
        return self._s().override(aspect_id, phase, column, reason)

    def self_evaluation(self, aspect_id: str, phase: str, column: str) -> None:
        self._s().self_evaluation(aspect_id, phase, column)

    def end(self) -> ReviewView:
        """End the visit, keeping a snapshot of every rating in play; its review."""
        s = self._s()
        if s.ended:
            raise UsageError("this visit has already ended")
        s.end()
        return self.review()

    def _notes(self):
        import importlib.util

        if importlib.util.find_spec("laqs_assist.notes") is None:
            raise UsageError("the notes module is not available in this installation")
        from .. import notes  # type: ignore[attr-defined]

        return notes

    def note_drafts(self, out_path: str | None = None) -> tuple[str, ...]:
        """The open visit's notes of visit drafted already where write_note() puts them: the file the first
        draft takes, then each later draft (NAME-2.docx, NAME-3.docx, …), oldest first."""
        self._notes()
        first = self._note_path(out_path)
        found = [first] if first.exists() else []
        n = 2
        while (later := _numbered(first, n)).exists():
            found.append(later)
            n += 1
        return tuple(str(p.resolve()) for p in found)

    def _note_path(self, out_path: str | None) -> Path:
        default = self._notes().default_note_path(self._s().visit)
        if out_path is None:
            return default
        p = Path(out_path)
        return p / default.name if p.is_dir() or str(out_path).endswith(("/", "\\")) else p

    def write_note(self, out_path: str | None = None, overwrite: bool = False, again: bool = False) -> NoteView:
        """Draft the open visit's note of visit (.docx) and run the pack's note checks on it. An existing note is
        kept unless `overwrite`; with `again` the note is drafted again beside it: the first draft keeps its
        name and each later one is numbered (NAME-2.docx, NAME-3.docx, …), so a draft already edited in Word is
        never touched; the view names the earlier draft."""
        notes = self._notes()
        earlier = None
        if again and not overwrite:
            drafts = self.note_drafts(out_path)
            if drafts:
                earlier = drafts[-1]
                out_path = str(_numbered(self._note_path(out_path), len(drafts) + 1))
        result = notes.write_note(self.store, self.pack, self._s().id, out_path=out_path, overwrite=overwrite)
        return NoteView(str(Path(result.path).resolve()), tuple(check_line(c) for c in result.checks or ()),
                        earlier)

    # --- joint visits (app/joint.py) ----------------------------------------------------------------------------

    def joint(self) -> "Any":
        """The joint-visit part of the service (app/joint.JointVisits), made when first asked for."""
        part = getattr(self, "_joint_part", None)
        if part is None:
            from .joint import JointVisits

            part = self._joint_part = JointVisits(self)
        return part

    def joint_visit_evidence(self, la: str, year: str) -> dict[str, list[dict[str, Any]]]:
        """The year view's "joint visits" source: see app/joint.joint_visit_evidence."""
        from .joint import joint_visit_evidence

        return joint_visit_evidence(self.store, self.default_pack, la, year)

    def joint_visit_rows(self, status: str | None = None, organisation: str | None = None,
                         limit: int = 50) -> list[dict[str, Any]]:
        """Joint visits as the visits list shows them (app/joint.visit_rows)."""
        from .joint import visit_rows

        org_id = self.organisation(organisation)["id"] if organisation else None
        return visit_rows(self.store, limit, org_id, status)


def _numbered(first: Path, n: int) -> Path:
    """The n-th draft of a note beside the first: oak-primary-2026-11-20-1a2b3c4d-2.docx."""
    return first.with_name(f"{first.stem}-{n}{first.suffix}")


def check_line(check: Any) -> tuple[bool | None, str]:
    """A note check's result as (passed, text): True ok, False found wanting, None for the author to say."""
    passed = {"ok": True, "warn": False, "fail": False}.get(check.status)
    text = f"{check.message} (for you to confirm)" if check.status == "ask" else check.message
    return passed, f"{check.feature}: {text}" if check.feature else text


__all__ = ["Service", "check_line"]
