"""A school's page: its visits, the actions agreed there and the joint visits to it. A school holds no ratings of
its own: what its headteacher says counts as evidence for its LA's aspects, so the page leads to the LA's
dashboard (d) rather than rating the school as if it were the LA."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...inert import inert
from ...inert import short as _short
from ..engine import Backend
from ..widgets.titlebar import TitleBar


class SchoolScreen(Screen):
    DEFAULT_CSS = """
    #school-body { padding: 0 1; }
    #school-title { height: auto; margin: 1 0; }
    #school-visits { height: auto; max-height: 45%; }
    #school-visits-empty { height: auto; }
    #school-lower { height: 1fr; min-height: 6; margin-top: 1; }
    #school-actions-box { width: 3fr; border: round $panel-lighten-2; padding: 0 1; }
    #school-joint-box { width: 2fr; border: round $panel-lighten-2; padding: 0 1; }
    SchoolScreen.-narrow #school-lower { layout: vertical; }
    SchoolScreen.-narrow #school-actions-box, SchoolScreen.-narrow #school-joint-box { width: 1fr; height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "open_visit", "Open visit", show=False),
        Binding("d", "la_dashboard", "LA's dashboard"),
        Binding("a", "actions", "Actions"),
        Binding("n", "plan", "Next visit"),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, organisation: str) -> None:
        super().__init__()
        self.organisation = organisation
        self.data: Any = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="school-body"):
            yield Static(Content.styled("loading…", "$text-muted"), id="school-title")
            yield DataTable(id="school-visits", cursor_type="row", zebra_stripes=True)
            yield Static(Content.styled("No visits to this school this year.", "$text-muted"), id="school-visits-empty")
            with Horizontal(id="school-lower"):
                with VerticalScroll(id="school-actions-box"):
                    yield Static("", id="school-actions")
                with VerticalScroll(id="school-joint-box"):
                    yield Static("", id="school-joint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "School"
        table = self.query_one(DataTable)
        for label, key, width in (("Date", "date", 10), ("Agenda", "agenda", 22), ("Phases", "phases", 8),
                                  ("Status", "status", 11), ("Met", "who", 24), ("Adviser", "author", 16)):
            table.add_column(label, key=key, width=width)
        self.query_one("#school-actions-box").border_title = "Agreed actions"
        self.query_one("#school-joint-box").border_title = "Joint visits"
        table.focus()
        self.load()

    def on_resize(self, event: Any) -> None:
        self.set_class(event.size.width < 90, "-narrow")

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()

    @work(exclusive=True, group="school")
    async def load(self) -> None:
        try:
            data = await self.app.engine.call(Backend.school_page, self.organisation)
        except Exception as exc:  # noqa: BLE001 - one line, the screen stays
            self.app.report(exc)
            return
        self.show(data)

    def show(self, data: Any) -> None:
        self.data = data
        pack = self.app.pack
        name = data.school["name"]
        self.sub_title = f"{name} · {data.year}"
        la = (Content.assemble(" · its LA: ", (inert(data.la["name"], one_line=True), "bold"),
                               (" (d: its dashboard, where this school's voice counts)", "$text-muted"))
              if data.la else Content.styled(" · no LA recorded for this school", "$text-muted"))
        said = ", ".join(f"{a} ({n})" for a, n in data.aspects.items())
        self.query_one("#school-title", Static).update(Content("\n").join([
            Content.assemble(("School ", "bold"), (inert(name, one_line=True), "bold"), f" · {data.year}", la),
            Content.assemble(("Its evidence for its LA's aspects this year: ", "bold"),
                             said or Content.styled("none yet", "$text-muted"))]))
        table = self.query_one(DataTable)
        table.clear()
        for v in reversed(data.visits):
            agenda = pack.agendas[v["agenda_id"]].title if v["agenda_id"] in pack.agendas else v["agenda_id"]
            table.add_row(v["date"], _short(agenda.replace("Agendas for discussion with ", ""), 22),
                          ", ".join(v["phases"]), v["status"].replace("_", " "),
                          Content(_short(inert(v.get("who") or "", one_line=True), 24)),
                          Content(_short(inert(v.get("author") or "", one_line=True), 16)), key=v["id"])
        table.display = bool(data.visits)
        self.query_one("#school-visits-empty", Static).display = not data.visits
        self.query_one("#school-actions", Static).update(_actions(data.actions))
        self.query_one("#school-joint", Static).update(_joint(pack, data.joint_visits))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.open_visit(str(event.row_key.value))

    def action_open_visit(self) -> None:
        table = self.query_one(DataTable)
        if self.data is not None and table.row_count:
            self.app.open_visit(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_la_dashboard(self) -> None:
        if self.data is None or not self.data.la:
            self.notify("No LA is recorded for this school: its voice counts once a visit names its LA.", timeout=5)
            return
        self.app.open_dashboard(self.data.la["id"], self.data.year)

    def action_actions(self) -> None:
        self.app.open_year_actions(self.organisation)

    def action_plan(self) -> None:
        self.app.new_visit_from_plan(self.organisation)

    def action_back(self) -> None:
        self.app.year_back()


def _actions(actions: list[dict[str, Any]]) -> Content:
    if not actions:
        return Content.styled("No actions agreed at this school yet.", "$text-muted")
    lines = []
    for a in actions:
        status = {"done": ("done", "$text-success"), "dropped": ("dropped", "$text-muted"),
                  "carried": ("carried forward", "$text-warning")}.get(a["status"], ("open", ""))
        lines.append(Content.assemble("• ", inert(a["text"]),
                                      (inert(f" — {a['owner'] or 'no owner'}, due {a['due_date'] or 'no date'}"),
                                       "$text-muted"), (f" [{status[0]}]", status[1]),
                                      (" overdue", "bold $text-error") if a.get("overdue") else ""))
    return Content("\n").join(lines)


def _joint(pack: Any, joint: tuple[Any, ...]) -> Content:
    """The joint visits' evidence, a line per visit: its date, who was there, and each section's grade."""
    if not joint:
        return Content.styled("No joint visits to this school this year.", "$text-muted")
    visits: dict[str, list[Any]] = {}
    for e in joint:
        visits.setdefault(e.visit_id or e.date, []).append(e)
    lines = []
    for rows in visits.values():
        first = rows[0]
        grades = [f"{e.aspect} grade {e.value:g}" for e in rows if e.kind == "grade" and e.value is not None]
        lines.append(Content.assemble((first.date, "bold"), (f" {inert(first.who, one_line=True)}" if first.who
                                                             else "", "$text-muted")))
        lines.append(Content("  " + (" · ".join(grades) if grades else plural_pieces(len(rows)))))
    return Content("\n").join(lines)


def plural_pieces(n: int) -> str:
    return f"{n} piece{'s' if n != 1 else ''} of evidence"
