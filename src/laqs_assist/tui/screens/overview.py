"""The regional overview: every LA in the store with its group ratings per phase and overall, in the
theme's RAG colours, for the senior phase managers who agree the ratings. Enter on a row opens that organisation's
dashboard; / filters the list by name. (A school's ratings are its LA's: a school is reached from its LA's
visits or the list of visits.)"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ...inert import inert
from ..engine import Backend
from ..widgets.rowlist import RowList
from ..widgets.titlebar import TitleBar
from . import yearmodel as ym


class OverviewScreen(Screen):
    DEFAULT_CSS = """
    #ov-body { padding: 0 1; }
    #ov-title { height: auto; margin: 1 0 0 0; }
    #ov-filter { margin: 1 0 0 0; width: 40; }
    #ov-head { height: 1; margin-top: 1; background: $panel; }
    #ov-scroll { height: 1fr; }
    #ov-empty { height: auto; margin-top: 1; }
    #ov-progress { height: 1; margin-top: 1; }
    """

    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "find", "Find"),
        Binding("y", "year(-1)", "Earlier year"),
        Binding("right_square_bracket", "year(1)", "Later year", show=False),
        Binding("left_square_bracket", "year(-1)", "Earlier year", show=False),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, year: str | None = None, prefetched: Any = None) -> None:
        """`prefetched`: the engine's Backend.overview_head(year, rows) already submitted (a Future)."""
        super().__init__()
        self.prefetched = prefetched
        self.year = year
        self.data: Any = None
        self._rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="ov-body"):
            yield Static(Content.styled("loading the region…", "$text-muted"), id="ov-title")
            yield Static("", id="ov-progress")
            yield Input(placeholder="/ finds an organisation by name", id="ov-filter", compact=True)
            yield Static("", id="ov-head")
            with VerticalScroll(id="ov-scroll"):
                yield RowList([28], id="ov-table")
            yield Static("", id="ov-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Regional overview"
        table = self.query_one(RowList)
        self.query_one("#ov-empty").display = False
        self.query_one("#ov-filter").display = False
        self.query_one("#ov-progress").display = False
        table.focus()
        future = self.prefetched
        if future is not None and future.done() and future.exception() is None:
            # The first screenful, read while Textual loaded: drawn in the very first frame; the rest follows.
            self.prefetched = None
            head, total = future.result()
            self.partial = total > len(head.rows)
            self.show(head)
        self.load()

    @work(exclusive=True, group="overview")
    async def load(self) -> None:
        """The first screenful of LAs at once, then the whole region as soon as it is read."""
        loop = asyncio.get_running_loop()

        def rated(done: int, total: int, la: dict) -> None:  # on the engine thread: hand it to the UI's loop
            loop.call_soon_threadsafe(self._rating, done, total, la.get("name", ""))

        try:
            if self.data is not None and self.partial:  # the first screenful is up: let it reach the terminal
                await self._after_paint()
            if self.data is None:
                if self.prefetched is not None:
                    future, self.prefetched = self.prefetched, None
                    head, total = await asyncio.wrap_future(future)
                else:
                    head, total = await self.app.engine.call(Backend.overview_head, self.year,
                                                             max(self.app.size.height - 6, 10), rated)
                self.partial = total > len(head.rows)
                self.show(head)
                if self.partial:  # the rest is read once the first rows are painted, not while they are
                    await self._after_paint()
            data = await self.app.engine.call(Backend.overview, self.year, rated)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            self.app.first_screen_shown()
            return
        self.partial = False
        self.query_one("#ov-progress").display = False
        self.show(data)

    async def _after_paint(self) -> None:
        """Once the screen is drawn, and a moment more for the first rows to reach the terminal before the region's
        read (on the engine thread) competes with the drawing."""
        painted = asyncio.get_running_loop().create_future()
        self.call_after_refresh(lambda: painted.done() or painted.set_result(None))
        await painted
        await asyncio.sleep(0.1)

    partial = False  # only the first screenful is shown yet
    progress: tuple[int, int] | None = None  # LAs rated so far, of those not kept, while the region is read

    def _rating(self, done: int, total: int, name: str) -> None:
        """The region's ratings not kept yet (the first reading of a year) are rated LA by LA: say how far."""
        if not self.is_mounted:
            return
        # A bar of text, not a ProgressBar: no animation timer redrawing the screen while the region is read.
        box = self.query_one("#ov-progress", Static)
        box.display = True
        width = 20
        filled = width * done // max(total, 1)
        self.progress = (done, total)
        box.update(Content.assemble(("█" * filled, "$accent"), ("░" * (width - filled), "$text-muted"),
                                    (f" rating {inert(name, one_line=True)} ({done} of {total} LAs whose ratings are "
                                     "not kept yet)", "$text-muted")))

    def show(self, data: Any) -> None:
        self.data = data
        self.year = data.year
        self.sub_title = self.year
        self._fill()
        self.app.first_screen_shown()

    def _columns(self) -> list[tuple[str, int]]:
        """(heading, width) of each column for the width the screen has: the organisation's name takes what the
        ratings leave (the schools heard and the disagreements go first when there is too little)."""
        pack = self.app.pack
        ratings = [(f"{pid} {gid}" if pid else f"All {gid}", 6) for pid, gid in ym.overview_columns(pack)]
        tail = [("Visits", 7), ("Heard", 6), ("Disagree", 9)]
        room = max(self.size.width - 3, 40)  # the body's padding and the scroll bar
        while sum(w for _, w in ratings + tail) + 14 > room and len(tail) > 1:
            tail.pop()
        if sum(w for _, w in ratings + tail) + 12 > room:  # narrower still: the ratings close up
            ratings = [(label.replace("All ", "A"), 5) for label, _ in ratings]
        name = min(max(room - sum(w for _, w in ratings + tail), 10), 32)
        return [("Organisation", name), *ratings, *tail]

    def on_resize(self) -> None:
        if self.data is not None:
            self._fill()

    def _fill(self) -> None:
        pack = self.app.pack
        table = self.query_one(RowList)
        columns = self._columns()
        table.widths = [w for _, w in columns]
        self.query_one("#ov-head", Static).update(table.header([label for label, _ in columns]))
        words = self.query_one("#ov-filter", Input).value.strip().lower()
        rows = self.data.rows
        self._rows = [r for r in rows if words in r.organisation["name"].lower()] if words else list(rows)
        cols = ym.column_labels(pack)
        lines = []
        for r in self._rows:
            cells = [_cell(cols, x.rating if x is not None else None) for x in ym.overview_cells(r, pack)]
            tail = [Content(f" {r.visits}"), Content(f" {r.voices}" if r.voices else ""),
                    Content.styled(f" {r.disagreements} !", "bold $text-error") if r.disagreements else Content("")]
            lines.append([Content(inert(r.organisation["name"], one_line=True)), *cells,
                          *tail[:len(columns) - 1 - len(cells)]])
        table.set_rows(lines)
        self.query_one("#ov-title", Static).update(Content.assemble(
            ("Regional overview ", "bold"), self.year or "",
            (f" · {ym.plural(len(rows), 'LA')}" + (" so far, reading the rest…" if self.partial else "") +
             " · groups 1 and 2 per phase and overall · Enter opens a dashboard · / finds", "$text-muted")))
        empty = self.query_one("#ov-empty", Static)
        empty.display = not self._rows
        if not rows:
            empty.update(Content.styled("No LAs in this store yet: start a visit to one from the list of visits.",
                                        "$text-muted"))
        elif not self._rows:
            empty.update(Content.styled(f"No organisation's name holds '{inert(words, one_line=True)}'.",
                                        "$text-muted"))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.data is not None:
            self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(RowList).focus()

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(RowList)
        if not self._rows:
            return
        r = self._rows[min(max(table.cursor_row, 0), len(self._rows) - 1)]
        self.app.open_dashboard(r.organisation["id"], self.year)

    def action_find(self) -> None:
        box = self.query_one("#ov-filter", Input)
        box.display = True
        box.focus()

    def action_year(self, step: int) -> None:
        if self.year:
            self.year = ym.shift_year(self.year, step)
            self.data = None
            self.load()

    def action_back(self) -> None:
        box = self.query_one("#ov-filter", Input)
        if box.has_focus or box.value:
            box.value = ""
            box.display = False
            self.query_one(RowList).focus()
            return
        self.app.year_back()


def _cell(cols: dict[str, tuple[str, str, str]], column: str | None) -> Content:
    from ..widgets.raggrid import NA, RAG_STYLE

    if column is None:
        return Content.styled(" —", "$text-disabled")
    if column == NA:
        return Content.styled(" N/A", "$text-muted")
    short, _, rag = cols.get(column, (column, column, ""))
    return Content.assemble(Content.styled(f" {short} ".ljust(4), RAG_STYLE.get(rag, "")), " ")
