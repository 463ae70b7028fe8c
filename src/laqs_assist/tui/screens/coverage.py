"""Coverage through the year as a heat map: the agenda's questions against the year's visits (how often each was
discussed at each), or the aspects against the terms (autumn, spring, summer); what was never discussed is
listed. t switches between the two; n plans the next visit from the gaps."""

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
from ...inert import short as _short
from ..engine import Backend
from ..widgets.titlebar import TitleBar
from . import yearmodel as ym

TERMS = ("Autumn", "Spring", "Summer")


def heat(n: int, width: int = 5) -> Content:
    """A count on the theme's primary colour, deeper as it grows; never discussed is a muted dot."""
    if n <= 0:
        return Content.styled(" ·".ljust(width), "$text-muted")
    shade = "30%" if n == 1 else "55%" if n == 2 else "85%"
    return Content.styled(f" {n}".ljust(width), f"bold $text on $primary {shade}")


class CoverageScreen(Screen):
    DEFAULT_CSS = """
    #cov-body { padding: 0 1; }
    #cov-title { height: auto; margin: 1 0 0 0; }
    #cov-table { height: 1fr; margin-top: 1; }
    #cov-never { height: auto; max-height: 6; margin-top: 1; }
    """

    BINDINGS = [
        Binding("t", "switch", "Questions/aspects"),
        Binding("n", "plan", "Next visit"),
        Binding("y", "year(-1)", "Earlier year"),
        Binding("right_square_bracket", "year(1)", "Later year", show=False),
        Binding("left_square_bracket", "year(-1)", "Earlier year", show=False),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, organisation: str, year: str | None = None) -> None:
        super().__init__()
        self.organisation = organisation
        self.year = year
        self.data: Any = None
        self.by = "questions"  # or "aspects"

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="cov-body"):
            yield Static(Content.styled("loading coverage…", "$text-muted"), id="cov-title")
            yield DataTable(id="cov-table", cursor_type="row", zebra_stripes=False)
            yield Static("", id="cov-never")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Coverage"
        self.query_one(DataTable).focus()
        self.load()

    @work(exclusive=True, group="coverage")
    async def load(self) -> None:
        try:
            data = await self.app.engine.call(Backend.coverage, self.organisation, self.year)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            return
        self.data = data
        self.year = data.year
        self.sub_title = f"{data.organisation['name']} · {data.year}"
        self.show()

    def show(self) -> None:
        data = self.data
        pack = self.app.pack
        never_q, never_a = data.never, data.aspects_never
        agenda = pack.agendas[data.agenda].title if data.agenda in pack.agendas else data.agenda
        self.query_one("#cov-title", Static).update(Content.assemble(
            ("Coverage ", "bold"), (inert(data.organisation["name"], one_line=True), "bold"), f" · {data.year} · ",
            ym.plural(len(data.visits), "visit"), " · ",
            (f"{len(data.questions) - len(never_q)} of {len(data.questions)} questions of {agenda} discussed",
             ""), ("  t: by " + ("aspect and term" if self.by == "questions" else "question and visit"),
                   "$text-muted")))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if self.by == "questions":
            self._questions(table)
        else:
            self._aspects(table)
        lines = []
        if never_a:
            lines.append(Content.assemble(("Aspects never discussed: ", "bold $text-warning"),
                                          ", ".join(a.aspect for a in never_a)))
        if never_q:
            ids = ", ".join(q.question for q in never_q[:12]) + (" …" if len(never_q) > 12 else "")
            lines.append(Content.assemble((f"Questions never discussed ({len(never_q)}): ", "bold"), ids))
        if not lines:
            lines.append(Content.styled("Every question of the agenda has been discussed this year.", "$text-success"))
        self.query_one("#cov-never", Static).update(Content("\n").join(lines))

    def _questions(self, table: DataTable) -> None:
        days = sorted({v["date"] for v in self.data.visits})
        table.add_column("Question", key="q", width=44)
        for d in days:
            table.add_column(d[5:].replace("-", "/"), key=d, width=5)
        table.add_column("Times", key="times", width=5)
        for q in self.data.questions:
            label = Content.assemble((f"{q.question} ", "bold"), _short(inert(" ".join(q.text.split()),
                                                                              one_line=True), 44 - len(q.question) - 1))
            table.add_row(label, *[heat(q.dates.count(d)) for d in days], str(q.times), key=q.question)

    def _aspects(self, table: DataTable) -> None:
        table.add_column("Aspect", key="a", width=40)
        for t in TERMS:
            table.add_column(t, key=t, width=7)
        for label, key, width in (("Answers", "answers", 7), ("Visits", "visits", 6), ("Judged", "judged", 6),
                                  ("Schools", "schools", 7), ("Last", "last", 10)):
            table.add_column(label, key=key, width=width)
        for a in self.data.aspects:
            title = Content.assemble((f"{a.aspect} ", "bold"), _short(" ".join(a.title.split()), 40 - len(a.aspect)
                                                                      - 1))
            table.add_row(title, *[heat(n, 7) for n in a.terms], str(a.answers), str(a.visits), str(a.judgements),
                          str(a.from_schools) if a.from_schools else "", a.dates[-1] if a.dates else
                          Content.styled("never", "$text-warning"), key=a.aspect)

    def action_switch(self) -> None:
        self.by = "aspects" if self.by == "questions" else "questions"
        if self.data is not None:
            self.show()

    def action_plan(self) -> None:
        self.app.new_visit_from_plan(self.organisation)

    def action_year(self, step: int) -> None:
        if self.year:
            self.year = ym.shift_year(self.year, step)
            self.load()

    def action_back(self) -> None:
        self.app.year_back()
