"""Moving into the year view from anywhere in the app: an organisation's dashboard (a school's page for a school),
the regional overview, coverage, the actions across the year, and a new visit whose agenda starts from the plan.
The app takes these as a mixin; the command palette lists them (palette())."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterator


class YearViewNav:
    """Methods of the app (LaqsApp mixes this in): each opens a year-view screen over the one in front."""

    async def open_year_view_first(self: Any, which: str, organisation: str | None, year: str | None,
                                   prefetched: Any = None) -> None:
        """Start on the year view (`python -m laqs_assist.tui --dashboard ORG` or `--overview`); Esc then goes
        to the list of visits. `prefetched`: the engine's reading of it, submitted at start-up (prefetch())."""
        from .screens.dashboard import DashboardScreen
        from .screens.overview import OverviewScreen

        if which == "overview":
            await self.push_screen(OverviewScreen(year, prefetched))
        else:
            await self.push_screen(DashboardScreen(organisation or "", year, prefetched))

    def open_dashboard(self: Any, organisation: str, year: str | None = None, kind: str = "LA") -> None:
        """An LA's dashboard, or for a school its page (a school's ratings belong to its LA)."""
        if kind == "school":
            self.open_school(organisation)
            return
        from .screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen(organisation, year))

    def year_back(self: Any) -> None:
        """Esc on a year-view screen: back to the screen under it, or to the list of visits when it was the first."""
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.call_later(self.show_visits)

    def open_school(self: Any, organisation: str) -> None:
        from .screens.school import SchoolScreen

        self.push_screen(SchoolScreen(organisation))

    def open_overview(self: Any, year: str | None = None) -> None:
        from .screens.overview import OverviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, OverviewScreen):  # one overview in the stack: go back down to it
                while self.screen is not screen:
                    self.pop_screen()
                return
        self.push_screen(OverviewScreen(year))

    def open_coverage(self: Any, organisation: str, year: str | None = None) -> None:
        from .screens.coverage import CoverageScreen

        self.push_screen(CoverageScreen(organisation, year))

    def open_year_actions(self: Any, organisation: str | None = None) -> None:
        from .screens.year_actions import YearActionsScreen

        self.push_screen(YearActionsScreen(organisation))

    def new_visit_from_plan(self: Any, organisation: str) -> None:
        """The new-visit form for an organisation, its agenda drafted from the plan (least covered aspects, ratings
        below their ceiling with the questions that would decide them, overdue actions)."""
        from .screens.new_visit import NewVisitScreen

        self.push_screen(NewVisitScreen([], plan_for=organisation))


def prefetch(engine: Any, year_view: tuple) -> Any:
    """Submit the first screen's reading to the engine at start-up, so the store is read while Textual loads (as
    --resume opens its visit): an LA's board, or the overview's first screenful for the terminal's height."""
    import shutil

    from .engine import Backend

    which, organisation, year = year_view
    if which == "overview":
        return engine.submit(Backend.overview_head, year, max(shutil.get_terminal_size((120, 40)).lines - 6, 10))
    return engine.submit(Backend.dashboard, organisation or "", year)


Command = tuple[str, str, Callable[[], object]]


def palette(app: Any, screen: Any) -> Iterator[Command]:
    """The year view's entries in the command palette, for the screen in front."""
    from .screens.dashboard import DashboardScreen
    from .screens.home import HomeScreen

    if isinstance(screen, HomeScreen):
        yield ("Dashboard of the highlighted visit's organisation", "the RAG dashboard for its year (a school: its "
               "page)", screen.action_dashboard)
    if isinstance(screen, DashboardScreen):
        yield "Open the highlighted cell", "the aspect and phase across the year's visits", screen.action_open_cell
        yield "Coverage through the year", "which questions and aspects were discussed, when", screen.action_coverage
        yield "Actions of this organisation", "review and update them across the year", screen.action_actions
        yield "Plan the next visit", "a new visit with its agenda drafted from the gaps", screen.action_plan
        yield "Schools of this LA", "open a school's page: its visits, actions and joint visits", \
            screen.action_schools
        yield "Earlier year", "the dashboard of the year before", partial(screen.action_year, -1)
        yield "Later year", "the dashboard of the year after", partial(screen.action_year, 1)
    yield "Regional overview", "every organisation's group ratings per phase", partial(app.open_overview, None)
    yield "Actions across the year", "every organisation's agreed actions: review and update", \
        partial(app.open_year_actions, None)


__all__ = ["YearViewNav", "palette", "prefetch"]
