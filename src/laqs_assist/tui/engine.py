"""The one thread that owns the store and the session.

A sqlite connection belongs to the thread that opened it, so the app never touches the store itself: every call
goes to a single-thread executor that opened the Store (and loaded the pack), and the UI awaits the result with
`asyncio.wrap_future`. The executor runs calls one at a time, in the order they were made, which is also the
order the adviser acted in. What comes back to the UI is plain data (dicts, named tuples, which are cheaper to
define at start-up than frozen dataclasses): never the Store or the Session.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, TypeVar

from ..errors import LaqsError, UsageError

if TYPE_CHECKING:
    from ..packs.model import Pack
    from ..rating import Judgements, Rating

NA = "N/A"  # rating.NA, without importing the rating engine on the UI thread

T = TypeVar("T")


# --- what the UI receives -----------------------------------------------------------------------------------------


class PanelView(NamedTuple):
    """The criteria panel of one aspect: ratings per phase and the state of every judgeable target."""

    aspect_id: str
    phases: tuple[str, ...]  # the visit's phases where the aspect applies
    ratings: tuple["Rating", ...]
    states: dict[str, str]  # criterion or set-item id -> met/partly/not_met/unknown, or "mixed" across phases
    impact: str | None  # evidence-of-impact level (first phase), or "mixed"
    values: dict[str, float]  # indicator id -> value (first phase that has one)


class Turn(NamedTuple):
    """One entry of the transcript: a question and its answer, or a note outside the agenda."""

    kind: str  # "answer" or "note"
    aspect_id: str
    question: str
    label: str
    response_id: str
    text: str
    flagged: bool


class InterviewView(NamedTuple):
    visit: dict[str, Any]
    items: tuple[Any, ...]  # session.Item (frozen)
    current: Any | None  # session.Item or None when every item is dealt with
    recorded: str | None  # the recorded answer of the current item when revisiting it
    done: int
    total: int
    year_coverage: dict[str, int]  # responses per aspect this academic year, every visit
    panel: PanelView | None
    actions: int
    transcript: tuple[Turn, ...] = ()
    draft: dict[str, Any] | None = None  # the unsent draft ({text, updated_at}), given when a visit is opened
    recorded_flagged: bool = False  # the recorded answer concerns an individual (shown with its flag)

    @property
    def ended(self) -> bool:
        return self.visit["status"] == "ended"


class AnswerResult(NamedTuple):
    response: dict[str, Any]
    item: Any
    hints: tuple[str, ...]
    view: InterviewView


class CommandResult(NamedTuple):
    lines: tuple[str, ...]
    view: InterviewView


class ReviewView(NamedTuple):
    visit: dict[str, Any]
    rows: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]


class HomeView(NamedTuple):
    visits: tuple[dict[str, Any], ...]
    organisations: tuple[dict[str, Any], ...]
    store_path: str


class NoteView(NamedTuple):
    path: str
    checks: tuple[tuple[bool | None, str], ...] = ()


# --- the thread's side ------------------------------------------------------------------------------------------


class Backend:
    """Lives in the engine thread: the Store, the pack and the running Session. Every method runs there."""

    def __init__(self, pack_path: Path, store_path: Path, pack: "Pack | None" = None) -> None:
        from ..packs import open_pack
        from ..store import Store

        self.pack = pack or open_pack(pack_path)
        self.default_pack = self.pack  # new visits use it; an opened visit uses the pack it was recorded with
        self.store = Store(store_path)
        self.session = None
        self._out: list[str] = []
        self._chat = None

    def close(self) -> None:
        self.store.close()

    def warm(self) -> None:
        """Build the criteria index now rather than on the first answer."""
        from ..session import criteria_index

        criteria_index(self.pack)

    # --- home ---------------------------------------------------------------------------------------------

    def home(self, limit: int = 200) -> HomeView:
        return HomeView(tuple(self.store.visits(limit=limit)), tuple(self.store.organisations()),
                        str(self.store.path))

    # --- opening a visit ----------------------------------------------------------------------------------

    def start(self, form: dict[str, Any]) -> InterviewView:
        from ..session import Session

        self.pack = self.default_pack
        self.session = Session.start(self.store, self.pack, **form)
        self._chat = None
        return self.view(transcript=True)

    def resume(self, ref: str) -> InterviewView:
        from ..session import Session

        visit = self.store.find_visit(ref)
        self.pack = self._pack_of(visit)
        self.session = Session.resume(self.store, self.pack, visit["id"])
        self._chat = None
        return self.view(transcript=True)

    def open(self, ref: str) -> "tuple[InterviewView, ReviewView | None, Pack]":
        """Resume a visit and, when it has ended, its review too: what `--resume` shows first; and the pack the
        visit was recorded with, which the screens draw it with."""
        view = self.resume(ref)
        return view, (self.review() if view.ended else None), self.pack

    def close_visit(self, pause: bool = True) -> None:
        """Leave the visit: an open one is paused, as line mode does on /quit."""
        s = self.session
        if s is not None and pause and not s.ended:
            s.pause()
        self.session = None
        self._chat = None
        self.pack = self.default_pack

    def _pack_of(self, visit: dict[str, Any]) -> "Pack":
        """The pack a visit was recorded with: the one open already, or an installed pack found by its id."""
        if visit["pack_id"] == self.default_pack.id:
            return self.default_pack
        from ..packs.registry import open_by_id

        return open_by_id(visit["pack_id"])

    def _s(self):
        if self.session is None:
            raise UsageError("no visit is open")
        return self.session

    # --- the snapshot the UI draws ------------------------------------------------------------------------

    def view(self, transcript: bool = False, panel_aspect: str | None = None) -> InterviewView:
        from ..store import academic_year

        s = self._s()
        items = tuple(s.items())
        cur = s.current()
        recorded = None
        recorded_flagged = False
        if cur is not None and cur.response_id:
            prev = s.answer_for(cur)
            recorded = prev["text"] if prev else None
            recorded_flagged = bool(prev and prev["concerns_individual"])
        done, total = s.progress()
        year = s.visit.get("academic_year") or academic_year(s.visit["date"], s.pack.year_starts)
        coverage = self.store.coverage(s.visit["organisation_id"], year)
        aspect = panel_aspect or (cur.aspect_id if cur else None)
        if aspect is None and items:
            aspect = (s.visit["focus"] or [items[-1].aspect_id])[0]
        panel = self.panel(aspect) if aspect else None
        n_actions = len(s.actions())
        return InterviewView(dict(s.visit), items, cur, recorded, done, total, coverage, panel, n_actions,
                             self.transcript() if transcript else (), s.draft() if transcript else None,
                             recorded_flagged)

    def panel(self, aspect_id: str) -> PanelView:
        from ..rating import rate

        s = self._s()
        pack = self.pack
        aspect = pack.aspects[aspect_id]
        phases = tuple(p for p in s.phases if aspect.applies_to(p))
        ratings: list["Rating"] = []
        per_phase: list[tuple[str, "Judgements", "Rating"]] = []
        for p in phases:
            j = s.judgements(aspect_id, p)
            r = rate(pack, aspect_id, p, j)
            ratings.append(r)
            per_phase.append((p, j, r))
        states: dict[str, str] = {}
        for c in aspect.criteria:
            seen = [r.states[c.id] for _, _, r in per_phase if c.id in r.states]
            if seen:
                states[c.id] = seen[0] if len(set(seen)) == 1 else "mixed"
        for cset in aspect.sets:
            for it in cset.items:
                if it.criterion:
                    continue
                seen = [j.states.get(it.id, "unknown") for _, j, _ in per_phase]
                if seen:
                    states[it.id] = seen[0] if len(set(seen)) == 1 else "mixed"
        impacts = [j.impact for _, j, _ in per_phase]
        impact = (impacts[0] if len(set(impacts)) == 1 else "mixed") if impacts else None
        values: dict[str, float] = {}
        for _, j, _ in per_phase:
            for k, v in j.values.items():
                values.setdefault(k, v)
        return PanelView(aspect_id, phases, tuple(ratings), states, impact, values)

    def transcript(self) -> tuple[Turn, ...]:
        s = self._s()
        by_item = {i.id: i for i in s.items()}
        out = []
        for r in self.store.responses(s.id):
            item = by_item.get(r["item_id"]) if r["item_id"] else None
            if item is not None:
                label = "Probe" if item.kind == "probe" else f"Q {item.question.id}" if item.question else "Q"
                out.append(Turn("answer", r["aspect_id"], item.prompt(), label, r["id"], r["text"],
                                bool(r["concerns_individual"])))
            else:
                out.append(Turn("note", r["aspect_id"], "", f"Note on {r['aspect_id']}", r["id"], r["text"],
                                bool(r["concerns_individual"])))
        return tuple(out)

    # --- recording ----------------------------------------------------------------------------------------

    def answer(self, text: str) -> AnswerResult:
        s = self._s()
        item = s.current()
        response = s.answer(text)
        hints = tuple(s.suggest_criteria(text, item)) if item else ()
        return AnswerResult(response, item, hints, self.view())

    def suggest(self, text: str) -> tuple[str, tuple[str, ...]]:
        s = self.session
        if s is None or not text.strip():
            return "", ()
        item = s.current()
        if item is None:
            return "", ()
        return item.aspect_id, tuple(s.suggest_criteria(text, item))

    def skip(self) -> InterviewView:
        self._s().skip()
        return self.view()

    def back(self) -> InterviewView:
        self._s().back()
        return self.view()

    def jump(self, aspect_id: str) -> InterviewView:
        self._s().jump(aspect_id)
        return self.view()

    def judge(self, target: str, value: Any, panel_aspect: str | None = None) -> InterviewView:
        self._s().judge(target, value)
        return self.view(panel_aspect=panel_aspect)

    def set_impact(self, aspect_id: str, level: str) -> InterviewView:
        self._s().set_impact(aspect_id, level)
        return self.view(panel_aspect=aspect_id)

    def add_action(self, text: str, owner: str, due: str | None, aspect_id: str | None) -> dict[str, Any]:
        from ..session import AnswerInvalid

        try:
            return self._s().add_action(text, owner, due, aspect_id)
        except AnswerInvalid as exc:
            raise UsageError(f"due date: {exc.message}") from None

    def actions(self) -> list[dict[str, Any]]:
        return self._s().actions()

    def toggle_flag(self, ref: str | None, on: bool | None = None) -> dict[str, Any]:
        """Flag an answer: the one just given (as line mode's /flag), or the one `ref` names (an answer's id, or a
        question id such as A3.2.4.1); on=None turns the flag over."""
        s = self._s()
        row = s.answer_ref(ref)
        if on is None:
            on = not row["concerns_individual"]
        return s.flag(row["id"], on)

    def save_draft(self, text: str) -> None:
        self._s().save_draft(text)

    def clear_draft(self) -> None:
        self._s().clear_draft()

    def responses(self) -> list[dict[str, Any]]:
        s = self._s()
        by_item = {i.id: i for i in s.items()}
        out = []
        for r in self.store.responses(s.id):
            item = by_item.get(r["item_id"]) if r["item_id"] else None
            r = dict(r)
            r["question"] = item.prompt() if item else f"Note on {r['aspect_id']}"
            r["label"] = ("Probe" if item.kind == "probe" else f"Q {item.question.id}") if item and (
                item.kind == "probe" or item.question) else "Note"
            out.append(r)
        return out

    def edit(self, response_id: str | None, text: str) -> dict[str, Any]:
        return self._s().edit(response_id, text)

    def edit_typed(self, rest: str) -> dict[str, Any]:
        """`/edit [QID|ID] TEXT` as typed: the answer named first, else the answer just given."""
        s = self._s()
        ref, text = s.split_ref(rest)
        return s.edit(ref, text)

    def command(self, cmd: Any) -> CommandResult:
        """A parsed slash command (app/slash.py), carried out by line mode's own handler so both views behave
        alike."""
        from ..line import LineChat

        s = self._s()
        if self._chat is None or self._chat.s is not s:
            self._chat = LineChat(s, self._out.append)
        self._out.clear()
        self._chat.run(cmd)
        lines = tuple(self._out)
        self._out.clear()
        s.refresh()
        return CommandResult(lines, self.view())

    # --- review -------------------------------------------------------------------------------------------

    def review(self) -> ReviewView:
        s = self._s()
        s.refresh()
        return ReviewView(dict(s.visit), tuple(s.review()), tuple(s.actions()))

    def accept(self, aspect_id: str, phase: str) -> ReviewView:
        self._s().accept(aspect_id, phase)
        return self.review()

    def override(self, aspect_id: str, phase: str, column: str, reason: str) -> ReviewView:
        self._s().override(aspect_id, phase, column, reason)
        return self.review()

    def self_evaluation(self, aspect_id: str, phase: str, column: str) -> ReviewView:
        self._s().self_evaluation(aspect_id, phase, column)
        return self.review()

    def end(self) -> ReviewView:
        s = self._s()
        if s.ended:
            raise UsageError("this visit has already ended")
        s.end()
        return self.review()

    def write_note(self, out_path: str | None = None, overwrite: bool = False) -> NoteView:
        import importlib.util

        if importlib.util.find_spec("laqs_assist.notes") is None:
            raise UsageError("the notes module is not available in this installation")
        from .. import notes  # type: ignore[attr-defined]

        s = self._s()
        result = notes.write_note(self.store, self.pack, s.id, out_path=out_path, overwrite=overwrite)
        return NoteView(str(Path(result.path).resolve()),
                        tuple(_check_line(c) for c in (getattr(result, "checks", None) or ())))


def _check_line(check: Any) -> tuple[bool | None, str]:
    """A quality-check result as (passed, text): True ok, False found wanting, None for the author to say."""
    if isinstance(check, str):
        return None, check
    if isinstance(check, (tuple, list)) and len(check) == 2:
        return (bool(check[0]) if check[0] is not None else None), str(check[1])
    status = getattr(check, "status", None)
    passed: bool | None = {"ok": True, "warn": False, "fail": False}.get(status) if isinstance(status, str) else None
    if status is None:
        for name in ("ok", "passed"):
            if hasattr(check, name):
                passed = bool(getattr(check, name))
                break
    text = getattr(check, "message", None) or getattr(check, "text", None) or str(check)
    feature = getattr(check, "feature", None)
    if status == "ask":
        text = f"{text} (for you to confirm)"
    return passed, f"{feature}: {text}" if feature else str(text)


# --- the UI's side ----------------------------------------------------------------------------------------------


class Engine:
    """Runs Backend calls on one dedicated thread; the UI awaits them without blocking the event loop."""

    def __init__(self, pack_path: Path, store_path: Path, pack: "Pack | None" = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="laqs-store")
        self._thread: threading.Thread | None = None
        self._backend: Backend | None = None
        self.pack: "Pack | None" = pack
        self.store_path = store_path
        # Loading the pack and opening the store start now, while the UI is still being built.
        self._opened: Future = self._pool.submit(self._open, pack_path, store_path, pack)

    def _open(self, pack_path: Path, store_path: Path, pack: "Pack | None") -> "Pack":
        self._thread = threading.current_thread()
        self._backend = Backend(pack_path, store_path, pack)
        self.pack = self._backend.pack
        return self.pack

    async def ready(self) -> "Pack":
        return await asyncio.wrap_future(self._opened)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        def run() -> T:
            if self._backend is None:
                self._opened.result()  # re-raises the opening error
            return fn(self._backend, *args, **kwargs)

        return self._pool.submit(run)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(backend, *args)` on the engine thread and await its result (or its exception)."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        """Close the store on its own thread and stop the thread; waits for calls already queued."""
        def shut(backend: Backend | None) -> None:
            if backend is not None:
                backend.close()

        try:
            if self._opened.done() and self._opened.exception() is None:
                self._pool.submit(lambda: shut(self._backend)).result(timeout=10)
        except Exception:  # noqa: BLE001 - closing must not fail the exit
            pass
        self._pool.shutdown(wait=True)


__all__ = ["AnswerResult", "Backend", "CommandResult", "Engine", "HomeView", "InterviewView", "LaqsError", "NA",
           "NoteView", "PanelView", "ReviewView", "Turn"]
