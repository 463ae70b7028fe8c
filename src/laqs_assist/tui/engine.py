"""The one thread that owns the application service (and with it the store and the session) for the app.

A sqlite connection belongs to the thread that opened it, so the app never touches the store itself: every call
goes to a single-thread executor that opened the Store (and loaded the pack) and runs the service (app/service.py,
the same one line mode and the CLI call), and the UI awaits the result with
`asyncio.wrap_future`. The executor runs calls one at a time, in the order they were made, which is also the
order the adviser acted in. What comes back to the UI is plain data (dicts, named tuples, which are cheaper to
define at start-up than frozen dataclasses): never the Store or the Session.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ..app.service import Service
from ..app.views import ActionsView, AnswerResult, CommandResult, InterviewView, ReviewView

if TYPE_CHECKING:
    from ..packs.model import Pack

NA = "N/A"  # rating.NA, without importing the rating engine on the UI thread

T = TypeVar("T")


# --- the thread's side ------------------------------------------------------------------------------------------


class Backend(Service):
    """The application service as the app uses it, living in the engine thread: a change hands back the fresh
    snapshot the screen redraws from, and a slash command typed in the answer box runs through line mode's own
    handler so both views say the same."""

    panel_scope: str | None = None  # the one phase the criteria panel shows and judges, or None for all

    # --- opening a visit ----------------------------------------------------------------------------------

    def start(self, form: dict[str, Any]) -> InterviewView:  # type: ignore[override]
        super().start(form)
        self.panel_scope = None
        return self.view(transcript=True)

    def resume(self, ref: str) -> InterviewView:  # type: ignore[override]
        super().resume(ref)
        self.panel_scope = None
        return self.view(transcript=True)

    def view(self, transcript: bool = False, panel_aspect: str | None = None,  # type: ignore[override]
             scope: str | None = None) -> InterviewView:
        return super().view(transcript, panel_aspect, scope or self.panel_scope)

    def scope(self, phase: str | None, panel_aspect: str | None = None) -> InterviewView:
        """Show and judge one phase in the criteria panel (None: every phase of the visit)."""
        self.panel_scope = phase
        return self.view(panel_aspect=panel_aspect)

    def open(self, ref: str) -> "tuple[InterviewView, ReviewView | None, Pack]":  # type: ignore[override]
        """Resume a visit and, when it has ended, its review too: what `--resume` shows first; and the pack the
        visit was recorded with, which the screens draw it with."""
        view = self.resume(ref)
        return view, (self.review() if view.ended else None), self.pack

    # --- recording: each change hands back the snapshot ---------------------------------------------------

    def answer(self, text: str) -> AnswerResult:  # type: ignore[override]
        return AnswerResult(*super().answer(text), self.view())

    def skip(self) -> InterviewView:
        super().skip()
        return self.view()

    def back(self) -> InterviewView:
        super().back()
        return self.view()

    def jump(self, aspect_id: str) -> InterviewView:
        super().jump(aspect_id)
        return self.view()

    def _scoped(self) -> tuple[str, ...]:
        return (self.panel_scope,) if self.panel_scope else ()

    def judge(self, target: str, value: Any, panel_aspect: str | None = None) -> InterviewView:  # type: ignore
        """A click in the panel: for the phase the panel shows, or every phase."""
        super().judge(target, value, self._scoped())
        return self.view(panel_aspect=panel_aspect)

    def set_impact(self, aspect_id: str, level: str) -> InterviewView:  # type: ignore[override]
        super().set_impact(level, aspect_id, self._scoped())
        return self.view(panel_aspect=aspect_id)

    def take_offer(self, indicator: str | None = None) -> tuple[Any, InterviewView]:  # type: ignore[override]
        offer, _ = super().take_offer(indicator, self._scoped())
        return offer, self.view(panel_aspect=self.pack.indicators[offer.indicator].aspect_id)

    def mark(self, action_id: str, status: str, day: str | None, note: str) -> ActionsView:
        """Mark an action from the actions dialog: the date is the day it happened, or for a carry forward its
        new due date; the list after it."""
        if status == "carried":
            self.mark_action(action_id, status, None, note, day)
        else:
            self.mark_action(action_id, status, day, note)
        return self.action_list()

    def toggle_flag(self, ref: str | None, on: bool | None = None) -> dict[str, Any]:
        return self.flag(ref, on)

    def command(self, cmd: Any) -> CommandResult:
        """A parsed slash command (app/slash.py), carried out by line mode's own handler on the plain service
        (the same store, pack and open visit), so both views say the same."""
        from ..line import LineChat

        plain = Service(self.store, self.default_pack, pack_fixed=self.pack_fixed)
        plain.pack, plain.session, plain.offers, plain.today = self.pack, self._s(), self.offers, self.today
        out: list[str] = []
        LineChat(plain, out.append).run(cmd)
        self.offers = plain.offers
        self._s().refresh()
        return CommandResult(tuple(out), self.view())

    # --- review: each decision hands back the review ------------------------------------------------------

    def accept(self, aspect_id: str, phase: str) -> ReviewView:  # type: ignore[override]
        super().accept(aspect_id, phase)
        return self.review()

    def override(self, aspect_id: str, phase: str, column: str, reason: str) -> ReviewView:  # type: ignore
        super().override(aspect_id, phase, column, reason)
        return self.review()

    def self_evaluation(self, aspect_id: str, phase: str, column: str) -> ReviewView:  # type: ignore[override]
        super().self_evaluation(aspect_id, phase, column)
        return self.review()


    # --- the year view: the overview's first screenful (app/overview_head.py) ---------------------------------

    def overview_head(self, year: str | None, rows: int, progress: Any = None) -> tuple[Any, int]:
        from ..app.overview_head import overview_head

        return overview_head(self, year, rows, progress)

    # --- the year view: actions outside a visit ------------------------------------------------------------

    def year_actions(self, organisation: str | None, status: str = "all") -> ActionsView:
        """The actions across the year (an LA's with its schools'; None: every organisation), filtered, as the
        actions dialog lists them: numbered, none `earlier` (no visit is open to be earlier than)."""
        rows = self.actions_across_year(organisation, status)
        name = self.organisation(organisation)["name"] if organisation else "every organisation"
        actions = tuple({**a, "position": n, "earlier": False} for n, a in enumerate(rows, 1))
        return ActionsView(name, actions, tuple(a for a in actions if a["overdue"]))

    def mark_year_action(self, organisation: str | None, shown: str, action_id: str, status: str, day: str | None,
                         note: str) -> ActionsView:
        """Mark an action from the actions screen (the date is the day it happened, or for a carry forward its new
        due date); the list after it, filtered as shown."""
        if status == "carried":
            self.mark_any_action(action_id, status, None, note, day)
        else:
            self.mark_any_action(action_id, status, day, note)
        return self.year_actions(organisation, shown)


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
        self._backend = Backend.at(pack_path, store_path, pack)
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


__all__ = ["Backend", "Engine", "NA"]
