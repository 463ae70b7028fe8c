"""The Textual app: screens for visits, the interview and the review, over one engine thread."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding

from ..errors import LaqsError
from . import resume_gc
from .engine import Backend, Engine
from .yearnav import YearViewNav

if TYPE_CHECKING:
    from ..packs.model import Pack


def _settings():
    """The adviser's settings, or None when they cannot be read (the CLI has already said why)."""
    try:
        from .. import settings

        return settings.load()
    except Exception:  # noqa: BLE001
        return None


def _laqs_commands():
    """The palette's own commands, imported when the palette first opens (textual.command is not cheap)."""
    from .commands import LaqsCommands

    return LaqsCommands


class LaqsApp(YearViewNav, App):
    CSS_PATH = "app.tcss"
    TITLE = "laqs-assist"
    COMMANDS = App.COMMANDS | {_laqs_commands}
    # Not a priority binding (Textual's is): each screen shows its own Ctrl+Q Quit in the footer where it fits
    # best, and this one still quits from dialogs.
    BINDINGS = [Binding("f1", "help", "Help", show=False),
                Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, pack_path: Path, store_path: Path, *, resume: str | None = None, today: date | None = None,
                 pack: "Pack | None" = None, stable: bool = False, engine: Engine | None = None,
                 opening: "Future | None" = None, year_view: tuple | None = None) -> None:
        """`today` fixes the form's default date and `stable` stops the cursor blinking (snapshot tests).
        `engine` may be started by the caller before Textual is imported (see run()), and with it `opening`:
        the engine's Backend.open(resume) already submitted. `year_view`: ("dashboard", ORG, YEAR) or
        ("overview", None, YEAR) opens that screen first (tui/yearnav.py)."""
        # The engine thread starts loading the pack and opening the store before the UI is built.
        self.engine = engine or Engine(pack_path, store_path, pack)
        super().__init__()
        self.pack: "Pack | None" = pack
        self.default_pack: "Pack | None" = pack  # the pack new visits use; set again when the engine has it
        self.fatal: BaseException | None = None
        self.resume_ref = resume
        self.year_view = year_view
        self._today = today
        self.headless_stable = stable
        self._warmed = False
        self.settings = _settings()
        if today is not None:  # actions are overdue as of the same day (queued before any other engine call)
            self.engine.submit(_set_today, today.isoformat())
        # The visit to resume is opened on the engine thread at once, while the UI starts.
        self._opening = opening or (self.engine.submit(Backend.open, resume) if resume else None)
        if self._opening is None and year_view:
            from .yearnav import prefetch

            self._opening = prefetch(self.engine, year_view)

    def today(self) -> date:
        return self._today or date.today()

    # --- start and stop -------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        theme = self.settings.theme if self.settings else None
        if theme and theme in self.available_themes:
            self.theme = theme
        self._theme_loaded = True
        self.boot()
        # run() paused the cyclic collector for start-up; it comes back once the first screen is painted, or
        # in any case after a few seconds.
        self.set_timer(3, resume_gc)

    _theme_loaded = False

    def watch_theme(self, theme: str) -> None:
        """A theme chosen from the palette is kept in the adviser's settings for next time."""
        if not self._theme_loaded or (self.settings and self.settings.theme == theme):
            return
        try:
            from .. import settings

            settings.save(theme=theme)
            if self.settings:
                self.settings.theme = theme
        except Exception:  # noqa: BLE001 - the theme still applies now; it just is not remembered
            pass

    def first_screen_shown(self) -> None:
        """The first screen is on the terminal: start-up is over."""
        self.call_after_refresh(resume_gc)

    @work(group="boot")
    async def boot(self) -> None:
        try:
            self.pack = self.default_pack = await self.engine.ready()
        except BaseException as exc:  # noqa: BLE001 - shown as one line by run() after the app closes
            self.fatal = exc
            self.exit(return_code=getattr(exc, "exit_code", 1))
            return
        if self.year_view:
            await self.open_year_view_first(*self.year_view, self._opening)
            self._opening = None
        elif self.resume_ref:
            # Straight into the visit: the list of visits is built only when the adviser goes back to it.
            self.open_visit(self.resume_ref, self._opening)
            self._opening = None
        else:
            from .screens.home import HomeScreen

            await self.push_screen(HomeScreen())
            self.first_screen_shown()

    async def action_quit(self) -> None:
        """Quit; an open visit is paused first (as line mode's /quit does), so it lists as paused. An unsent answer
        in the box is asked about first: keep it as a draft, discard it, or stay."""
        guard = getattr(self.screen, "confirm_leave", None)
        if guard is not None and not self._leaving:
            guard(self._quit_now, "quit")
            return
        await self._quit_now()

    _leaving = False

    async def _quit_now(self) -> None:
        self._leaving = True
        try:
            await self.engine.call(Backend.close_visit, True)
        except Exception:  # noqa: BLE001 - quitting must not fail
            pass
        self.exit()

    def on_unmount(self) -> None:
        self.engine.close()

    # --- any terminal size ----------------------------------------------------------------------------------

    def on_resize(self, event: Any) -> None:
        self.check_size(event.size)

    def check_size(self, size: Any = None) -> None:
        """Below the smallest workable size, a plain "terminal too small" screen covers the app; it goes when the
        window grows, and the screen underneath comes back as it was."""
        from .screens.too_small import TooSmallScreen, too_small

        small = too_small(*(size or self.size))
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        # A screen opened while the window is too small (start-up, a key the app itself handles) goes under the
        # "too small" screen rather than being drawn into no room.
        from .screens.too_small import TooSmallScreen

        if isinstance(self.screen, TooSmallScreen):
            self.pop_screen()  # it comes back on top of the new screen, so that only one is ever in the stack
        result = super().push_screen(*args, **kwargs)
        self.call_after_refresh(self.check_size)
        return result

    def report(self, exc: BaseException) -> None:
        line = exc.line() if isinstance(exc, LaqsError) else f"{type(exc).__name__}: {exc}"
        self.notify(line, severity="error", timeout=8)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def interview_ready(self, screen: Any) -> None:
        """The first question is on screen: now is the time to build the criteria index, off the critical path."""
        self.first_screen_shown()
        if not self._warmed:
            self._warmed = True
            self.engine.submit(Backend.warm)

    # --- moving between screens -----------------------------------------------------------------------------

    async def show_visits(self) -> None:
        """Back to the list of visits, whatever screens are open above it."""
        from .screens.home import HomeScreen

        self.pack = self.default_pack or self.pack
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            await self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            await self.push_screen(HomeScreen())

    @work(group="navigate", exclusive=True)
    async def open_visit(self, ref: str, opening: "Future | None" = None) -> None:
        try:
            if opening is None:
                opening = self.engine.submit(Backend.open, ref)
            view, data, self.pack = await asyncio.wrap_future(opening)
        except Exception as exc:  # noqa: BLE001
            self.report(exc)
            self.first_screen_shown()
            return
        # Only the screen shown is imported: the review's (and the list's) modules are not on the way to a question.
        if data is not None:
            from .screens.review import ReviewScreen

            await self.push_screen(ReviewScreen(data))
            self.first_screen_shown()
        else:
            from .screens.interview import InterviewScreen

            await self.push_screen(InterviewScreen(view))

    async def start_visit(self, form: dict[str, Any]) -> None:
        """Start a visit from the form and show it; raises LaqsError for the form to show."""
        view = await self.engine.call(Backend.start, form)
        # Swap the screens from the app's own queue, not from inside the form's worker (which the swap ends).
        self.call_later(self._show_started, view)

    async def _show_started(self, view: Any) -> None:
        from .screens.interview import InterviewScreen
        from .screens.new_visit import NewVisitScreen

        screen = InterviewScreen(view)
        if isinstance(self.screen, NewVisitScreen):
            await self.switch_screen(screen)
        else:
            await self.push_screen(screen)

    @work(group="navigate", exclusive=True)
    async def leave_visit(self) -> None:
        try:
            await self.engine.call(Backend.close_visit, True)
        except Exception as exc:  # noqa: BLE001
            self.report(exc)
        await self.show_visits()

    @work(group="navigate", exclusive=True)
    async def open_review(self, from_interview: bool = False) -> None:
        from .screens.review import ReviewScreen

        try:
            data = await self.engine.call(Backend.review)
        except Exception as exc:  # noqa: BLE001
            self.report(exc)
            return
        await self.push_screen(ReviewScreen(data, from_interview=from_interview))

    @work(group="navigate", exclusive=True)
    async def end_visit(self) -> None:
        from .screens.review import ReviewScreen

        try:
            data = await self.engine.call(Backend.end)
        except Exception as exc:  # noqa: BLE001
            self.report(exc)
            return
        self.visit_ended()
        await self.push_screen(ReviewScreen(data, from_interview=True))

    def visit_ended(self) -> None:
        from .screens.interview import InterviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen):
                screen.refresh_view()

    @work(group="navigate", exclusive=True)
    async def close_review(self, review: Any) -> None:
        from .screens.interview import InterviewScreen

        ended = review.data.visit["status"] == "ended"
        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if review.from_interview and not ended and isinstance(below, InterviewScreen):
            await self.pop_screen()
            below.refresh_view()
            return
        try:
            await self.engine.call(Backend.close_visit, False)
        except Exception:  # noqa: BLE001
            pass
        await self.show_visits()


def _set_today(backend: Backend, day: str) -> None:
    backend.today = day
