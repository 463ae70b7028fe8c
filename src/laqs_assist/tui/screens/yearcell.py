"""One aspect and phase across the year: each visit's evidence with its date, who said it and its source (an LA
contact, a headteacher, a joint visit, data), the judgements made on it and what they did to the rating."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...inert import inert
from ..engine import Backend
from ..widgets.titlebar import TitleBar
from . import yearmodel as ym


class YearCellScreen(Screen):
    DEFAULT_CSS = """
    #cell-body { padding: 0 1; }
    #cell-head { height: auto; margin: 1 0; padding: 0 1; background: $boost; }
    #cell-visits { height: 1fr; }
    #cell-why { height: auto; padding: 0 1; color: $text-muted; }
    .cell-visit { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: thick $panel-lighten-2; }
    .cell-visit.-la { border-left: thick $primary; }
    .cell-visit.-headteacher { border-left: thick $secondary; }
    .cell-visit.-joint { border-left: thick $accent; }
    .cell-visit:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, organisation: str, aspect_id: str, phase: str, year: str | None) -> None:
        super().__init__()
        self.organisation = organisation
        self.aspect_id = aspect_id
        self.phase = phase
        self.year = year
        self.data: Any = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="cell-body"):
            yield Static(Content.styled("loading…", "$text-muted"), id="cell-head")
            yield VerticalScroll(id="cell-visits")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        pack = self.app.pack
        self.title = f"{self.aspect_id} {pack.phase_name(self.phase)}"
        self.sub_title = "across the year"
        self.load()

    @work(exclusive=True, group="cell")
    async def load(self) -> None:
        try:
            data = await self.app.engine.call(Backend.cell, self.organisation, self.aspect_id, self.phase, self.year)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            return
        await self.show(data)

    async def show(self, data: Any) -> None:
        self.data = data
        pack = self.app.pack
        self.sub_title = f"{data.organisation['name']} · {data.year}"
        self.query_one("#cell-head", Static).update(ym.cell_head(pack, data))
        box = self.query_one("#cell-visits", VerticalScroll)
        await box.remove_children()
        entries = ym.cell_entries(pack, data)
        if not entries:
            await box.mount(Static(Content.styled(
                "No evidence recorded for this aspect and phase this year: nothing said, nothing judged.",
                "$text-muted")))
            await box.mount(Static(ym.cell_why(pack, data), id="cell-why"))
            return
        widgets = []
        for e in entries:
            w = Static(_entry(e), classes=f"cell-visit -{e.source}")
            w.can_focus = True
            widgets.append(w)
        widgets.append(Static(ym.cell_why(pack, data), id="cell-why"))
        await box.mount_all(widgets)
        widgets[0].focus()

    def action_back(self) -> None:
        self.app.year_back()


def _entry(e: "ym.CellEntry") -> Content:
    """One visit's part: when, whose voice, what was said, what was judged, and what it did to the rating."""
    where = f" at {inert(e.organisation, one_line=True)}" if e.organisation else ""
    lines = [Content.assemble((e.date, "bold"), "  ", (ym.SOURCE_ONE.get(e.source, e.source), "bold"), where,
                              (f" · {inert(e.who, one_line=True)}" if e.who else "", "$text-muted"))]
    for question, text, flagged in e.said:
        if flagged:
            lines.append(Content.styled(f"  {question}: an answer about an individual, counted but not shown",
                                        "$text-warning"))
        else:
            lines.append(Content.assemble((f"  {question}: ", "$text-muted"), "“", inert(text), "”"))
    for target, state, style in e.judged:
        lines.append(Content.assemble("  ", (target, "bold"), " ", (state, style)))
    lines.append(Content.assemble(("  Suggestion: ", "bold"), e.effect))
    return Content("\n").join(lines)
