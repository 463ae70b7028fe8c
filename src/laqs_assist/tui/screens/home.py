"""The home screen: recent visits with their status; resume one or start a new one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Static

from ...app.views import HomeView
from ...inert import inert
from ..engine import Backend
from ..widgets.titlebar import TitleBar

STATUS = {"in_progress": ("in progress", "$text-warning"), "paused": ("paused", "$text-primary"),
          "ended": ("ended", "$text-success")}


class HomeScreen(Screen):
    BINDINGS = [
        Binding("n", "new_visit", "New visit"),
        Binding("enter", "resume", "Resume", show=True),
        Binding("r", "refresh", "Refresh"),
        Binding("j", "new_joint_visit", "New joint visit", show=False),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="home")
        self.data: HomeView | None = None
        self.rows: list[dict] = []  # the visits and joint visits listed, in the table's order

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="home-body"):
            yield Static(Content.assemble(("Recent visits", "bold"), ("  Enter resumes · n starts a new visit",
                                                                      "$text-muted")), id="home-title")
            table = DataTable(id="visits", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="home-empty")
            with Horizontal(id="home-buttons"):
                yield Button("New visit (n)", variant="primary", id="new")
                yield Button("Resume (Enter)", id="resume")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "laqs-assist"
        self.sub_title = "visits"
        table = self.query_one(DataTable)
        table.add_column("Date", key="date")
        table.add_column("Organisation", key="org")
        table.add_column("", key="kind")
        table.add_column("Agenda", key="agenda")
        table.add_column("Phases", key="phases")
        table.add_column("Status", key="status", width=11)
        table.add_column("Answers", key="answers")
        table.add_column("Actions", key="overdue", width=10)
        self.query_one("#home-empty").display = False
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()

    @work(exclusive=True, group="home")
    async def load(self) -> None:
        try:
            data = await self.app.engine.call(Backend.home)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            self.app.report(exc)
            return
        try:  # joint visits with a SIP (Appendix 5) list among the interviews
            joint = await self.app.engine.call(Backend.joint_visit_rows, None, None, 200)
        except Exception:  # noqa: BLE001 - the interviews still list
            joint = []
        self.data = data
        self.rows = sorted(list(data.visits) + joint, key=lambda r: r["updated_at"], reverse=True)
        self._fill(data)

    def _fill(self, data: HomeView) -> None:
        pack = self.app.pack
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for v in self.rows:
            if v.get("kind") == "joint visit":
                label, style = STATUS.get(v["status"], (v["status"], ""))
                table.add_row(v["date"], Content(inert(v["organisation"], one_line=True)), "school",
                              "joint visit with a SIP", "", Content.styled(label, style), f"{v['filled']} fields", "",
                              key=f"joint:{v['id']}")
                continue
            label, style = STATUS.get(v["status"], (v["status"], ""))
            agenda = pack.agendas[v["agenda_id"]].title if v["agenda_id"] in pack.agendas else v["agenda_id"]
            agenda = agenda.replace("Agendas for discussion with ", "")
            kind = "LA" if v["organisation_kind"] == "LA" else "school"
            table.add_row(v["date"], Content(inert(v["organisation"], one_line=True)), kind,
                          agenda, ", ".join(v["phases"]), Content.styled(label, style), str(v["responses"]),
                          Content.styled(f"{v['overdue']} overdue", "bold $text-error") if v.get("overdue") else "",
                          key=v["id"])
        empty = self.query_one("#home-empty", Static)
        if not self.rows:
            empty.update(Content.styled(f"No visits yet in {inert(data.store_path, one_line=True)}. Press n to start "
                                        "one.", "$text-muted"))
        empty.display = not self.rows
        table.display = bool(self.rows)
        self.query_one("#resume", Button).disabled = not self.rows
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
            table.focus()
        else:
            self.query_one("#new", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "new":
            self.action_new_visit()
        elif event.button.id == "resume":
            self.action_resume()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(str(event.row_key.value))

    def _open(self, key: str) -> None:
        if key.startswith("joint:"):
            from .joint_visit import open_joint_visit

            open_joint_visit(self.app, key.split(":", 1)[1])
        else:
            self.app.open_visit(key)

    def action_resume(self) -> None:
        table = self.query_one(DataTable)
        if not self.data or not self.rows:
            self.app.notify("No visits to resume yet: press n to start one.")
            return
        row = table.cursor_row
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            self._open(f"joint:{r['id']}" if r.get("kind") == "joint visit" else r["id"])

    def action_new_visit(self) -> None:
        from .new_visit import NewVisitScreen

        orgs = list(self.data.organisations) if self.data else []
        self.app.push_screen(NewVisitScreen(orgs))

    def action_new_joint_visit(self) -> None:
        from .joint_visit import new_joint_visit

        new_joint_visit(self.app)

    def action_refresh(self) -> None:
        self.load()
