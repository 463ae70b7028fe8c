"""The RAG dashboard of an organisation for a year: aspect × phase in the theme's colours, each group's roll-up per
phase and overall with how many aspects it rests on, the adviser's rating beside the suggestion where they
differ, and for the highlighted cell its evidence by source and whether the sources disagree. Enter opens the
cell: that aspect and phase across the year's visits."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from ...inert import inert
from ..engine import Backend
from ..widgets.raggrid import NA, GridCell, RagGrid
from ..widgets.titlebar import TitleBar
from . import yearmodel as ym


class DashboardScreen(Screen):
    DEFAULT_CSS = """
    #dash-body { padding: 0 1; }
    #dash-title { height: auto; margin: 1 0 0 0; }
    #dash-grid-box { height: auto; margin: 1 0; scrollbar-size-horizontal: 1; }
    #dash-grid { min-width: 60; }
    #dash-detail-box { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    """

    BINDINGS = [
        Binding("enter", "open_cell", "Open", show=False),
        Binding("c", "coverage", "Coverage"),
        Binding("a", "actions", "Actions"),
        Binding("n", "plan", "Next visit"),
        Binding("s", "schools", "Schools", show=False),
        Binding("left_square_bracket", "year(-1)", "Year -", show=False),
        Binding("right_square_bracket", "year(1)", "Year +", show=False),
        Binding("y", "year(-1)", "Earlier year"),
        Binding("o", "overview", "Region", show=False),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, organisation: str, year: str | None = None, prefetched: Any = None) -> None:
        """`prefetched`: the engine's Backend.dashboard(organisation, year) already submitted (a Future)."""
        super().__init__()
        self.prefetched = prefetched
        self.organisation = organisation  # an id or a name, as the service takes it
        self.year = year
        self.data: Any = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="dash-body"):
            yield Static(Content.styled("loading the dashboard…", "$text-muted"), id="dash-title")
            with HorizontalScroll(id="dash-grid-box"):
                yield RagGrid(ym.column_labels(self.app.pack), id="dash-grid")
            with VerticalScroll(id="dash-detail-box"):
                yield Static("", id="dash-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Dashboard"
        self.sub_title = self.organisation
        self.query_one(RagGrid).focus()
        future = self.prefetched
        if future is not None and future.done() and future.exception() is None:
            # Read while Textual loaded: drawn in the very first frame, with no worker round trip.
            self.prefetched = None
            self.show(future.result())
            self.app.first_screen_shown()
            return
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()  # a visit or a decision made since may have moved a rating

    @work(exclusive=True, group="dashboard")
    async def load(self) -> None:
        try:
            if self.prefetched is not None:
                future, self.prefetched = self.prefetched, None
                data = await asyncio.wrap_future(future)
            else:
                data = await self.app.engine.call(Backend.dashboard, self.organisation, self.year)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            if await self._is_school():
                from .school import SchoolScreen

                self.app.call_later(self.app.switch_screen, SchoolScreen(self.organisation))
                return
            self.app.first_screen_shown()
            self.app.report(exc)
            self.query_one("#dash-title", Static).update(Content.styled(
                f"No dashboard for {inert(self.organisation, one_line=True)}.", "$text-error"))
            return
        self.show(data)
        self.app.first_screen_shown()

    async def _is_school(self) -> bool:
        """A school's ratings are its LA's: its page is shown instead."""
        try:
            org = await self.app.engine.call(Backend.organisation, self.organisation)
        except Exception:  # noqa: BLE001 - no such organisation: the error already says so
            return False
        return org.get("kind") == "school"

    def show(self, data: Any) -> None:
        grid = self.query_one(RagGrid)
        keep = grid.current.key if grid.current else None
        self.data = data
        self.year = data.year
        name = data.organisation["name"]
        self.sub_title = f"{name} · {self.year}"
        n = len(data.disagreements)
        self.query_one("#dash-title", Static).update(Content.assemble(
            ("RAG dashboard ", "bold"), (inert(name, one_line=True), "bold"), f" · {self.year}",
            (f" · {ym.voices(data)}", "$text-muted"),
            (f" · {ym.plural(n, 'disagreement')} between sources" if n else "", "bold $text-error"),
            ("\nEvidence: ", "bold"), ym.evidence_line(data.sources)))
        grid.show(ym.grid_model(self.app.pack, data), keep)

    # --- the highlighted cell ---------------------------------------------------------------------------------

    def on_rag_grid_highlighted(self, event: RagGrid.Highlighted) -> None:
        self.query_one("#dash-detail", Static).update(self._detail(event.cell))

    def _detail(self, cell: GridCell | None) -> Content:
        if cell is None or self.data is None:
            return Content("")
        pack = self.app.pack
        if cell.kind != "aspect":
            title = dict((g, t) for g, t, _ in ym.groups(pack))[cell.ident]
            where = pack.phase_name(cell.phase) if cell.phase else "every phase"
            rated = f"rests on {cell.rated[0]} of the {cell.rated[1]} aspects that apply" if cell.rated else ""
            share = f" (a group is rated once {pack.rollup.min_rated:.0%} of them are)" if pack.rollup.min_rated else ""
            return Content("\n").join([
                Content.assemble((f"Group {cell.ident} ", "bold"), title, (f" — {where}", "bold")),
                Content.assemble(("Roll-up: ", "bold"), ym.label(pack, cell.column)),
                Content.styled(rated + share, "$text-muted")])
        return ym.cell_summary(pack, self.data, cell.phase or "", cell.ident)

    # --- actions ----------------------------------------------------------------------------------------------

    def on_rag_grid_selected(self, event: RagGrid.Selected) -> None:
        self._open(event.cell)

    def action_open_cell(self) -> None:
        cell = self.query_one(RagGrid).current
        if cell is not None:
            self._open(cell)

    def _open(self, cell: GridCell) -> None:
        if cell.kind != "aspect":
            self.notify("A roll-up rests on the aspects: open one of them.", timeout=4)
            return
        if cell.column == NA:
            self.notify(f"{cell.ident} does not apply to {self.app.pack.phase_name(cell.phase or '')}.", timeout=4)
            return
        from .yearcell import YearCellScreen

        self.app.push_screen(YearCellScreen(self.data.organisation["id"], cell.ident, cell.phase or "", self.year))

    def action_year(self, step: int) -> None:
        if self.year:
            self.year = ym.shift_year(self.year, step)
            self.load()

    def action_coverage(self) -> None:
        from .coverage import CoverageScreen

        if self.data is not None:
            self.app.push_screen(CoverageScreen(self.data.organisation["id"], self.year))

    def action_actions(self) -> None:
        from .year_actions import YearActionsScreen

        if self.data is not None:
            self.app.push_screen(YearActionsScreen(self.data.organisation["id"]))

    def action_plan(self) -> None:
        if self.data is not None:
            self.app.new_visit_from_plan(self.data.organisation["id"])

    @work(exclusive=True, group="schools")
    async def action_schools(self) -> None:
        """The LA's schools in the store: choose one to open its page."""
        if self.data is None:
            return
        la = self.data.organisation
        try:
            home = await self.app.engine.call(Backend.home)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            return
        schools = [o for o in home.organisations if o.get("parent_id") == la["id"]]
        if not schools:
            self.notify(f"No schools of {la['name']} are in this store yet.", timeout=4)
            return

        def chosen(org_id: str | None) -> None:
            if org_id:
                self.app.open_school(org_id)

        self.app.push_screen(SchoolsDialog(la["name"], schools), chosen)

    def action_overview(self) -> None:
        self.app.open_overview(self.year)

    def action_back(self) -> None:
        self.app.year_back()


class SchoolsDialog(ModalScreen):
    """The schools of an LA on record: Enter opens the chosen one's page; Esc closes."""

    DEFAULT_CSS = """
    #schools-list { height: auto; max-height: 16; margin-bottom: 1; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, la: str, schools: list[dict[str, Any]]) -> None:
        super().__init__()
        self.la = la
        self.schools = schools

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="dialog", id="schools-dialog") as box:
            box.border_title = f"Schools of {inert(self.la, one_line=True)}"
            yield OptionList(*[Option(inert(o["name"], one_line=True), id=o["id"]) for o in self.schools],
                             id="schools-list")
            yield Static(Content.styled("Enter opens the school's page · Esc closes", "$text-muted"))

    def on_mount(self) -> None:
        self.query_one("#schools-list").focus()

    def on_option_list_option_selected(self, event: Any) -> None:
        self.dismiss(event.option.id)
