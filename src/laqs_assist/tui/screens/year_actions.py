"""Actions across the year: every action agreed with an organisation (an LA's with its schools'), or with every
organisation, filtered to all, open, overdue or done; Enter marks the highlighted one done, dropped, carried
forward or open again in the same dialog the interview uses (its F2–F5), recorded with no visit."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...inert import inert
from ..engine import Backend
from ..widgets.titlebar import TitleBar
from .dialogs import ActionsDialog, action_cells, marking

FILTERS = ("all", "open", "overdue", "done")
FILTER_WORDS = {"all": "all", "open": "open or carried forward", "overdue": "overdue", "done": "done"}


class YearActionsDialog(ActionsDialog):
    """The actions dialog over the year's list, opened on the action highlighted in the screen."""

    def __init__(self, view: Any, mark: Any, row: int) -> None:
        super().__init__(view, mark)
        self.start_row = row

    def on_mount(self) -> None:
        # Textual runs the dialog's own on_mount too (after this one): the cursor is placed once it has filled.
        from textual.widgets import Label

        # Outside a visit an empty date is today's (the app's), not a visit's.
        self.query(Label).first().update("Date (empty: today); for Carry forward, the new due date if any")
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        from textual.widgets import DataTable as Table

        if self.view.actions:
            self.query_one("#actions-table", Table).move_cursor(row=min(self.start_row, len(self.view.actions) - 1))


class YearActionsScreen(Screen):
    DEFAULT_CSS = """
    #ya-body { padding: 0 1; }
    #ya-title { height: auto; margin: 1 0 0 0; }
    #ya-table { height: 1fr; margin-top: 1; }
    #ya-detail { height: auto; max-height: 5; margin-top: 1; }
    """

    BINDINGS = [
        Binding("enter,m", "mark", "Mark"),
        Binding("1", "show('all')", "All"),
        Binding("2", "show('open')", "Open"),
        Binding("3", "show('overdue')", "Overdue"),
        Binding("4", "show('done')", "Done"),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, organisation: str | None = None, shown: str = "all") -> None:
        super().__init__()
        self.organisation = organisation
        self.shown = shown
        self.view: Any = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="ya-body"):
            yield Static(Content.styled("loading the actions…", "$text-muted"), id="ya-title")
            yield DataTable(id="ya-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="ya-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Actions"
        table = self.query_one(DataTable)
        for label, key, width in (("#", "n", 4), ("Organisation", "org", 18), ("Action", "text", 34),
                                  ("Owner", "owner", 12), ("Due", "due", 19), ("Status", "status", 22)):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    @work(exclusive=True, group="year-actions")
    async def load(self) -> None:
        try:
            view = await self.app.engine.call(Backend.year_actions, self.organisation, self.shown)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            return
        self.fill(view)

    def fill(self, view: Any) -> None:
        self.view = view
        self.sub_title = view.organisation
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for a in view.actions:
            table.add_row(*action_cells(a, organisation=True), key=a["id"])
        if view.actions:
            table.move_cursor(row=min(max(keep, 0), len(view.actions) - 1))
        tabs = []
        for i, f in enumerate(FILTERS, 1):
            tabs.append(Content.styled(f" {i} {f} ", "bold reverse" if f == self.shown else "$text-muted"))
        n = len(view.overdue)
        self.query_one("#ya-title", Static).update(Content.assemble(
            ("Actions ", "bold"), (inert(view.organisation, one_line=True), "bold"),
            f" · {len(view.actions)} {FILTER_WORDS[self.shown]}",
            (f" · {n} overdue" if n else "", "bold $text-error"), "   ", *tabs))
        self._detail()
        if not view.actions:
            self.query_one("#ya-detail", Static).update(Content.styled(
                f"No actions {FILTER_WORDS[self.shown]} here." if self.shown != "all" else
                "No actions agreed yet: they are added during a visit (Ctrl+N in the interview).", "$text-muted"))

    def _current(self) -> dict[str, Any] | None:
        if self.view is None or not self.view.actions:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.view.actions[row] if 0 <= row < len(self.view.actions) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_mark()

    def _detail(self) -> None:
        a = self._current()
        box = self.query_one("#ya-detail", Static)
        if a is None:
            box.update("")
            return
        lines = [Content.assemble((f"{a['position']}. ", "bold"), inert(a["text"])),
                 Content.styled(f"{inert(a['organisation'], one_line=True)} · agreed at the visit of "
                                f"{a['visit_date']}" + (f" on {a['aspect_id']}" if a.get("aspect_id") else "")
                                + (f" · agreed due {a['agreed_due']}" if a["agreed_due"] and a["agreed_due"] !=
                                   a["due_date"] else ""), "$text-muted")]
        if a["status_note"]:
            lines.append(Content.assemble(("Note: ", "bold"), inert(a["status_note"])))
        box.update(Content("\n").join(lines))

    def action_show(self, which: str) -> None:
        self.shown = which
        self.load()

    def action_mark(self) -> None:
        if self.view is None or not self.view.actions:
            self.notify("No action to mark here.", timeout=4)
            return
        organisation, shown = self.organisation, self.shown

        async def call(action_id: str, status: str, day: str | None, note: str):
            return await self.app.engine.call(Backend.mark_year_action, organisation, shown, action_id, status,
                                              day, note)

        mark = marking(call)

        def closed(marked: int | None) -> None:
            if marked:
                self.load()

        row = self.query_one(DataTable).cursor_row
        self.app.push_screen(YearActionsDialog(self.view, mark, max(row, 0)), closed)

    def action_back(self) -> None:
        self.app.year_back()
