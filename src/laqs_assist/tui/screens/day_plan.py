"""The day plan of a school review: one day at a time, each session's time and length, and each reviewer's
activity in a column of their own; one reviewer's sessions listed below, and what they do in the highlighted
session edited in place (e). Opened from the command palette ("Review day plan") or by choosing a review in the
list of visits."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ...errors import LaqsError
from ...inert import inert
from ..widgets.titlebar import TitleBar
from .dialogs import Dialog


def _plan(backend: Any, ref: str) -> Any:
    return backend.reviews().day_plan(ref)


def _edit(backend: Any, ref: str, day: int, session: str, reviewer: int, text: str) -> Any:
    return backend.reviews().edit_plan(ref, day, session, reviewer=str(reviewer), text=text)


def _latest(backend: Any) -> str | None:
    rows = backend.reviews().list()
    return rows[0]["id"] if rows else None


class DayPlanScreen(Screen):
    BINDINGS = [
        Binding("left,[", "day(-1)", "Previous day", priority=True),
        Binding("right,]", "day(1)", "Next day", priority=True),
        Binding("r", "reviewer", "Next reviewer"),
        Binding("e", "edit", "Edit activity"),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, ref: str = "last") -> None:
        super().__init__(id="day-plan")
        self.ref = ref
        self.plan: Any = None
        self.day = 1
        self.reviewer = 1

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="plan-body"):
            yield Static("", id="plan-title")
            yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="plan-reviewer")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "laqs-assist"
        self.sub_title = "day plan"
        self.query_one("#plan-reviewer", Static).styles.margin = (1, 0, 0, 0)
        self.load()

    @work(exclusive=True, group="day-plan")
    async def load(self) -> None:
        try:
            ref = self.ref
            if ref == "last":
                ref = await self.app.engine.call(_latest)
                if ref is None:
                    self.query_one("#plan-title", Static).update(Content.styled(
                        "No reviews yet: start one with laqs review start SCHOOL --reviewer A --reviewer B "
                        "--day DATE", "$text-muted"))
                    self.query_one(DataTable).display = False
                    return
            self.plan = await self.app.engine.call(_plan, ref)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            self.app.report(exc)
            return
        self.ref = self.plan.review_id
        self.show()

    def show(self) -> None:
        plan = self.plan
        if plan is None:
            return
        days = len(plan.days)
        self.day = max(1, min(self.day, days))
        self.reviewer = max(1, min(self.reviewer, len(plan.team)))
        self.sub_title = f"day plan · {plan.school}"
        self.query_one("#plan-title", Static).update(Content.assemble(
            (inert(plan.school, one_line=True), "bold"), f" · Day {self.day} of {days}, {plan.days[self.day - 1]}",
            (" · ←/→ day · r reviewer · e edit · Esc back", "$text-muted")))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Time", key="time")
        table.add_column("Session", key="session")
        for i, name in enumerate(plan.team, 1):
            table.add_column(inert(name, one_line=True), key=f"r{i}")
        # Each reviewer's column shares what the screen leaves after the time and session; the full words are in
        # the list below the table. Never narrower than a short word, whatever the size.
        rows = plan.day_rows(self.day)
        labels = [f"{r.session} ({r.minutes} min)" if r.session else f"{r.label} ({r.minutes} min)" for r in rows]
        used = 13 + max((len(x) for x in labels), default=8) + 2 + 2  # time, session, their padding, a scroll bar
        width = max(12, (self.size.width - used) // max(1, len(plan.team)) - 2)
        for row in rows:
            time = f"{row.starts}–{row.ends}"
            if not row.session:
                table.add_row(time, f"{row.label} ({row.minutes} min)", *["" for _ in plan.team],
                              key=f"{row.day}-{row.label}-{row.starts}")
                continue
            acts = {a.reviewer: a for a in row.activities}
            cells = []
            for i in range(1, len(plan.team) + 1):
                a = acts.get(i)
                text = inert(a.text, one_line=True) if a else ""
                if a and a.joins:
                    text += f" (with {inert(plan.team[a.joins - 1], one_line=True)})"
                cells.append(text if len(text) <= width else text[: width - 1] + "…")
            table.add_row(time, f"{row.session} ({row.minutes} min)", *cells, key=f"{row.day}-{row.session}")
        name = plan.team[self.reviewer - 1]
        mine = plan.reviewer_sessions(self.reviewer, self.day)
        lines = [Content.styled(f"{inert(name, one_line=True)}'s sessions on day {self.day}", "bold")]
        for row, a in mine:
            lines.append(Content(f"  {row.starts}–{row.ends}  {inert(a.text, one_line=True)}"))
        self.query_one("#plan-reviewer", Static).update(Content("\n").join(lines))

    def on_resize(self, event: Any) -> None:
        self.show()

    def action_day(self, step: int) -> None:
        if self.plan is None:
            return
        self.day = (self.day - 1 + step) % len(self.plan.days) + 1
        self.show()

    def action_reviewer(self) -> None:
        if self.plan is None:
            return
        self.reviewer = self.reviewer % len(self.plan.team) + 1
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        """What the chosen reviewer (r) does in the highlighted session, in the adviser's words."""
        if self.plan is None:
            return
        rows = self.plan.day_rows(self.day)
        row_index = self.query_one(DataTable).cursor_row
        if not 0 <= row_index < len(rows) or not rows[row_index].session:
            self.app.notify("Highlight a session (a break has no activities; change its length with laqs review "
                            "edit-plan --minutes).")
            return
        row = rows[row_index]
        current = next((a.text for a in row.activities if a.reviewer == self.reviewer), "")
        name = self.plan.team[self.reviewer - 1]
        day, session, reviewer, ref = self.day, row.session, self.reviewer, self.ref

        async def save(text: str) -> str | None:
            try:
                self.plan = await self.app.engine.call(_edit, ref, day, session, reviewer, text)
            except LaqsError as exc:
                return exc.line()
            self.show()
            return None

        self.app.push_screen(ActivityDialog(f"Day {day}, session {session}: {name}", current, save))


class ActivityDialog(Dialog):
    """What one reviewer does in one session: Enter saves, Esc leaves it as it was."""

    def __init__(self, title: str, text: str, save: Any) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="activity-dialog") as box:
            box.border_title = inert(self.title_text, one_line=True)
            yield Input(self.text, id="activity-text")
            yield from self.save_and_cancel("Save (Enter)")

    def on_mount(self) -> None:
        self.error(None)
        self.query_one("#activity-text", Input).focus()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        text = self.query_one("#activity-text", Input).value
        err = await self.save(text)
        if err:
            self.error(err)
            return
        self.dismiss(text)


def open_day_plan(app: Any, ref: str = "last") -> None:
    """Show a review's day plan (the latest review's by default)."""
    app.push_screen(DayPlanScreen(ref))


__all__ = ["ActivityDialog", "DayPlanScreen", "open_day_plan"]
