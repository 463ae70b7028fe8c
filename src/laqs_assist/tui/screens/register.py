"""The school register screen: an LA's schools by level or category in the register pack's colours, with their
stage of concern, escalation step, visits against the allowance, overdue visits and alerts; filters by level and
overdue visits. Reached from the command palette (Ctrl+P → School register). Read-only: changes are made with
`laqs register …`, which keeps the evidence and reason of each."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...inert import inert
from ..widgets.titlebar import TitleBar


def _las(backend) -> list[dict[str, Any]]:
    return backend.register().las()


def _view(backend, la: str, level: str | None, overdue: bool):
    return backend.register().view(la, level=level, overdue_only=overdue)


def _school(backend, la: str, school_id: str) -> dict[str, Any]:
    return backend.register().school_view(la, school_id)


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on the level's colour."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#FFFFFF"


class RegisterScreen(Screen):
    BINDINGS = [
        Binding("l", "next_level", "Level filter"),
        Binding("o", "toggle_overdue", "Overdue only"),
        Binding("right_square_bracket", "next_la", "Next LA"),
        Binding("left_square_bracket", "previous_la", "Previous LA"),
        Binding("r", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, la: str | None = None) -> None:
        super().__init__(id="register")
        self.las: list[dict[str, Any]] = []
        self.la = la
        self.level: str | None = None
        self.overdue = False
        self.data = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="register-body"):
            yield Static("", id="register-counts")
            yield Static("", id="register-filters")
            yield DataTable(id="register-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="register-empty")
            with VerticalScroll(id="register-detail"):
                yield Static("", id="register-school")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "School register"
        self.query_one("#register-empty").display = False
        self.load()

    @work(exclusive=True, group="register")
    async def load(self) -> None:
        try:
            if not self.las:
                self.las = await self.app.engine.call(_las)
            if not self.las:
                self._empty("No school registers in this store yet: add schools with `laqs register add LA "
                            "--pack barnsley-register …` (laqs register --help).")
                return
            if self.la is None or self.la not in [x["name"] for x in self.las]:
                self.la = self.las[0]["name"]
            self.data = await self.app.engine.call(_view, self.la, self.level, self.overdue)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            self.app.report(exc)
            return
        self._fill()

    def _empty(self, text: str) -> None:
        empty = self.query_one("#register-empty", Static)
        empty.update(Content.styled(text, "$text-muted"))
        empty.display = True
        self.query_one(DataTable).display = False

    def _fill(self) -> None:
        v = self.data
        self.sub_title = f"{v.la} · {v.pack_title} · {v.year}, as of {v.on}"
        counts = v.counts()
        parts: list = []
        for lv in reversed(v.levels):
            parts += [Content.styled(f" {lv.short}: {counts[lv.id]} ", f"bold {_ink(lv.colour)} on {lv.colour}"),
                      Content(" ")]
        self.query_one("#register-counts", Static).update(Content.assemble(*parts))
        level = next((lv.label for lv in v.levels if lv.id == self.level), "all")
        self.query_one("#register-filters", Static).update(Content.styled(
            f"{v.term}: {level} (l) · {'overdue visits only' if self.overdue else 'every school'} (o) · "
            f"LA {self.las.index(next(x for x in self.las if x['name'] == v.la)) + 1} of {len(self.las)} ([ ])",
            "$text-muted"))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        level_width = max(len(lv.short) for lv in v.levels) + 2
        for label, key, width in (("School", "school", None), ("URN", "urn", None), ("Phase", "phase", None),
                                  ("Kind", "kind", None), ("Level", "level", level_width), ("Since", "since", None),
                                  ("Stage", "stage", None), ("Esc.", "esc", None), ("Visits", "visits", None),
                                  ("Reports", "reports", None), ("Overdue", "overdue", None),
                                  ("Next due", "due", None), ("!", "alert", 1)):
            table.add_column(label, key=key, width=width)
        for r in v.rows:
            cell = Content.styled(f" {r.level.short:<{level_width - 2}} ",
                                  f"bold {_ink(r.level.colour)} on {r.level.colour}") \
                if r.level else Content.styled("not assessed", "$text-muted")
            alert = r.alert or r.rule_due or r.over
            table.add_row(Content(inert(r.name, one_line=True)), r.urn, r.phase, r.kind, cell, r.level_since or "",
                          r.stage, r.escalation, f"{r.visits_made}/{r.visits_allowed}",
                          f"{r.reports_made}/{r.reports_allowed}",
                          Content.styled(str(r.overdue), "bold $text-error") if r.overdue else "",
                          r.due_by or "", Content.styled("!", "bold $text-warning") if alert else "",
                          key=r.school_id)
        table.display = bool(v.rows)
        empty = self.query_one("#register-empty", Static)
        empty.display = not v.rows
        if not v.rows:
            empty.update(Content.styled("No school matches the filters.", "$text-muted"))
        else:
            table.move_cursor(row=min(max(keep, 0), len(v.rows) - 1))
            table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.data is not None and event.row_key is not None and event.row_key.value:
            self.show_school(str(event.row_key.value))

    @work(exclusive=True, group="register-school")
    async def show_school(self, school_id: str) -> None:
        try:
            info = await self.app.engine.call(_school, self.data.la, school_id)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            self.app.report(exc)
            return
        self.query_one("#register-school", Static).update(school_lines(info))

    def action_next_level(self) -> None:
        if not self.data:
            return
        ids = [None] + [lv.id for lv in reversed(self.data.levels)]
        self.level = ids[(ids.index(self.level) + 1) % len(ids)]
        self.load()

    def action_toggle_overdue(self) -> None:
        self.overdue = not self.overdue
        self.load()

    def _move(self, step: int) -> None:
        if not self.las:
            return
        names = [x["name"] for x in self.las]
        i = names.index(self.la) if self.la in names else 0
        self.la = names[(i + step) % len(names)]
        self.load()

    def action_next_la(self) -> None:
        self._move(1)

    def action_previous_la(self) -> None:
        self._move(-1)

    def action_refresh(self) -> None:
        self.las = []
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def school_lines(info: dict[str, Any]) -> Content:
    """A school's page in a few lines: its level and why, what it brings, escalation, strands, alerts, charge."""
    r = info["row"]
    out: list = [Content.styled(inert(r.name, one_line=True), "bold"),
                 Content(f" (URN {r.urn}, {r.phase}, {r.kind}; headteacher since {r.head_start or 'not given'})\n")]
    if r.level:
        out += [Content.styled(f" {r.level.label} ", f"bold {_ink(r.level.colour)} on {r.level.colour}"),
                Content(f" since {r.level_since} — {inert(r.level_reason, one_line=True) or 'no reason given'}"
                        f"{' (' + r.rule + ')' if r.rule else ''}\n")]
    else:
        out.append(Content.styled("not assessed yet\n", "$text-muted"))
    out.append(Content(f"visits {r.visits_made} of {r.visits_allowed or '—'} · reports {r.reports_made} of "
                       f"{r.reports_allowed or '—'} · overdue periods {r.overdue} · next visit due by "
                       f"{r.due_by or '—'}\n"))
    for line in (r.rule_due, r.alert, r.over):
        if line:
            out.append(Content.styled(f"! {line}\n", "$text-warning"))
    if info.get("ladder") and r.escalation:
        out.append(Content(f"escalation: step {r.escalation} since {r.escalation_since}; next "
                           f"{' or '.join(r.next_steps) or 'none (the last step)'}\n"))
    if info.get("strands"):
        done = sum(1 for x in info["strands"] if x["done"])
        out.append(Content(f"{r.stage_label}: {done} of {len(info['strands'])} strands done\n"))
        for x in info["strands"]:
            mark = f"[x] {x['done']}" if x["done"] else "[ ]"
            out.append(Content(f"  {mark} {x['text']}\n"))
    if "charge" in info:
        out.append(Content(f"support days {info['support_days']['support']:g}: {info['charge'].line()}\n"))
    return Content.assemble(*out)
