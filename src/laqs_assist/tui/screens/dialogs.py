"""Small modal dialogs: jump to an aspect, add an action, mark the actions to follow up, edit an earlier answer,
override a rating, the LA's self-evaluation, confirm, the note-of-visit result. Each saves through a callback that
does the write in the engine thread and returns an error line (kept on screen, the dialog stays open) or None."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ...inert import inert
from ...inert import short as _short

Save = Callable[..., Awaitable[str | None]]



class Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def error(self, text: str | None) -> None:
        box = self.query_one("#dialog-error", Static)
        box.update(Content.styled(text or "", "$text-error"))
        box.display = bool(text)

    def save_and_cancel(self, save_label: str = "Save"):
        """The error line and the Save / Cancel row every form dialog ends with."""
        yield Static("", id="dialog-error")
        with Horizontal(classes="dialog-buttons"):
            yield Button(save_label, variant="primary", id="save")
            yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        self.dismiss(None)


class JumpDialog(Dialog):
    """Choose an aspect to go to."""

    def __init__(self, options: list[tuple[str, str, bool]], current: str | None) -> None:
        super().__init__()
        self.options = options  # (aspect id, title, in this visit's agenda)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="jump-dialog") as box:
            box.border_title = "Jump to an aspect"
            yield OptionList(*[Option(Content.assemble((aid + " ", "bold"), _short(title, 64)) if ok else
                                      Content.styled(f"{aid} {_short(title, 44)} (not in this agenda)",
                                                     "$text-disabled"),
                                      id=f"j-{aid.replace('.', '_')}", disabled=not ok)
                               for aid, title, ok in self.options], id="jump-list")
            yield Static(Content.styled("Type an aspect's number (2.4) or use ↑↓ · Enter jumps · Esc cancels",
                                        "$text-muted"))

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [a for a, _, _ in self.options]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[event.option_index][0])

    _typed = ""

    def on_key(self, event) -> None:
        """Typing an aspect's id (2.4) moves to it; Enter then jumps."""
        ch = event.character or ""
        if not ch or ch not in "0123456789.":
            return
        event.stop()
        ids = [a for a, _, ok in self.options]
        self._typed = (self._typed + ch) if any(a.startswith(self._typed + ch) for a in ids) else ch
        for i, (aid, _, ok) in enumerate(self.options):
            if ok and aid.startswith(self._typed):
                self.query_one(OptionList).highlighted = i
                break


class ActionDialog(Dialog):
    """An agreed action with an owner and a due date."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, aspects: list[tuple[str, str]], aspect_id: str | None, save: Save) -> None:
        super().__init__()
        self.aspects = aspects
        self.aspect_id = aspect_id
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="action-dialog") as box:
            box.border_title = "Add an agreed action"
            yield Label("What will be done")
            yield Input(placeholder="e.g. Revise the SIP report QA policy", id="action-text")
            yield Label("Owner")
            yield Input(placeholder="who will do it", id="action-owner")
            yield Label("Due date")
            yield Input(placeholder="YYYY-MM-DD or DD/MM/YYYY", id="action-due")
            yield Label("Aspect")
            yield Select([(f"{a} {_short(t, 50)}", a) for a, t in self.aspects], value=self.aspect_id or Select.NULL,
                         allow_blank=True, id="action-aspect")
            yield from self.save_and_cancel()

    def on_mount(self) -> None:
        self.error(None)
        self.query_one("#action-text", Input).focus()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        text = self.query_one("#action-text", Input).value
        owner = self.query_one("#action-owner", Input).value
        due = self.query_one("#action-due", Input).value.strip() or None
        aspect = self.query_one("#action-aspect", Select).value
        aspect = None if aspect is Select.NULL else aspect
        if not text.strip():
            self.error("describe the action first")
            self.query_one("#action-text", Input).focus()
            return
        self.query_one("#save", Button).disabled = True
        try:
            err = await self.save(text, owner, due, aspect)
        finally:
            self.query_one("#save", Button).disabled = False
        if err:
            self.error(err)
            return
        self.dismiss({"text": text, "owner": owner, "due": due, "aspect": aspect})


STATUS_SHOWN = {"open": ("open", ""), "done": ("done", "$text-success"), "dropped": ("dropped", "$text-muted"),
                "carried": ("carried forward", "$text-warning")}


def action_cells(a: dict[str, Any], organisation: bool = False) -> list[Any]:
    """An action as a row of the actions tables: its number, (its organisation,) text, owner, due date (overdue in
    the error colour) and status with the day it was marked."""
    label, style = STATUS_SHOWN.get(a["status"], (a["status"], ""))
    if a["status"] != "open" and a["status_date"]:
        label += f" {a['status_date']}"
    due = Content.styled(f"{a['due_date']} overdue", "bold $text-error") if a["overdue"] else \
        Content(a["due_date"] or "no date")
    where = [Content(_short(inert(a["organisation"], one_line=True), 18))] if organisation else []
    return [str(a["position"]), *where, Content(_short(inert(a["text"], one_line=True), 34)),
            Content(_short(inert(a["owner"], one_line=True), 12 if organisation else 14) or "—"), due,
            Content.styled(label, style)]


def marking(call: Callable[[str, str, str | None, str], Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The dialog's `mark`: the engine call, with a mistake given back as its one line for the dialog to show."""
    from ...errors import LaqsError

    async def mark(action_id: str, status: str, day: str | None, note: str):
        try:
            return await call(action_id, status, day, note)
        except LaqsError as exc:
            return exc.line()
        except Exception as exc:  # noqa: BLE001
            return f"not saved: {type(exc).__name__}: {exc}"

    return mark


class ActionsDialog(Dialog):
    """The actions to follow up, numbered as /actions lists them: the organisation's earlier visits' still open or
    carried forward (or marked at this visit), then this visit's. The highlighted one is marked done, dropped
    (with a reason), carried forward (the date box is then its new due date) or opened again, with a date (empty:
    the visit's) and a note; each mark is kept in its history. `mark(action id, status, date, note)` saves and
    returns the list after it (an app.views.ActionsView) or an error line. Dismisses with how many were marked."""

    BINDINGS = [Binding("f2", "mark('done')", "Done"), Binding("f3", "mark('dropped')", "Drop"),
                Binding("f4", "mark('carried')", "Carry forward"), Binding("f5", "mark('open')", "Reopen")]

    def __init__(self, view: Any, mark: Save) -> None:
        super().__init__()
        self.view = view
        self.mark = mark
        self.marked = 0

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        with Vertical(classes="dialog", id="actions-dialog") as box:
            box.border_title = f"Actions to follow up: {inert(self.view.organisation, one_line=True)}"
            yield Static("", id="actions-summary")
            yield DataTable(id="actions-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="actions-detail")
            yield Label("Date (empty: the visit's); for Carry forward, the new due date if any")
            yield Input(placeholder="YYYY-MM-DD or DD/MM/YYYY", id="mark-date")
            yield Label("Note (a reason is needed to drop an action)")
            yield Input(placeholder="e.g. Calendar shared at the October governors' meeting", id="mark-note")
            yield Static("", id="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Done F2", variant="success", id="done")
                yield Button("Drop F3", variant="warning", id="dropped")
                yield Button("Carry forward F4", variant="primary", id="carried")
                yield Button("Reopen F5", id="open")
                yield Button("Close", id="cancel")

    def on_mount(self) -> None:
        from textual.widgets import DataTable

        self.error(None)
        table = self.query_one("#actions-table", DataTable)
        for label, key, width in (("#", "n", 3), ("Action", "text", 34), ("Owner", "owner", 14),
                                  ("Due", "due", 19), ("Status", "status", 24)):
            table.add_column(label, key=key, width=width)
        self.show(self.view)
        table.focus()

    def show(self, view: Any) -> None:
        from textual.widgets import DataTable

        self.view = view
        table = self.query_one("#actions-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for a in view.actions:
            table.add_row(*action_cells(a), key=a["id"])
        if view.actions:
            table.move_cursor(row=min(max(keep, 0), len(view.actions) - 1))
        n = len(view.overdue)
        self.query_one("#actions-summary", Static).update(
            Content.styled(f"{n} overdue action{'s' if n != 1 else ''} (due date passed, still open or carried "
                           "forward)", "bold $text-error") if n else
            Content.styled("No overdue actions." if view.actions else
                           "No actions yet: Ctrl+N in the interview adds one.", "$text-muted"))
        self._detail()

    def _current(self) -> dict[str, Any] | None:
        from textual.widgets import DataTable

        row = self.query_one("#actions-table", DataTable).cursor_row
        return self.view.actions[row] if self.view.actions and 0 <= row < len(self.view.actions) else None

    def on_data_table_row_highlighted(self, event) -> None:
        self._detail()

    def _detail(self) -> None:
        a = self._current()
        box = self.query_one("#actions-detail", Static)
        if a is None:
            box.update("")
            return
        where = f"agreed at the visit of {a['visit_date']}" + (" (an earlier visit)" if a["earlier"] else "")
        lines = [Content.assemble((f"{a['position']}. ", "bold"), inert(a["text"])),
                 Content.styled(f"{a['id'][:8]} · {where}" + (f" · agreed due {a['agreed_due']}"
                                if a["agreed_due"] and a["agreed_due"] != a["due_date"] else ""), "$text-muted")]
        if a["status_note"]:
            lines.append(Content.assemble(("Note: ", "bold"), inert(a["status_note"])))
        box.update(Content("\n").join(lines))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel()
        else:
            self.action_mark(event.button.id or "")

    def action_cancel(self) -> None:
        self.dismiss(self.marked)

    @work(exclusive=True, group="dialog")
    async def action_mark(self, status: str) -> None:
        a = self._current()
        if a is None:
            self.error("no action to mark")
            return
        day = self.query_one("#mark-date", Input)
        note = self.query_one("#mark-note", Input)
        result = await self.mark(a["id"], status, day.value.strip() or None, note.value)
        if isinstance(result, str):
            self.error(result)
            return
        self.error(None)
        self.marked += 1
        day.value = ""
        note.value = ""
        self.show(result)
        self.query_one("#actions-table").focus()
        word = STATUS_SHOWN[status][0] if status != "open" else "opened again"
        self.notify(f"✓ action {a['position']} {word}: {_short(inert(a['text'], one_line=True), 50)}", timeout=4)


class EditAnswerDialog(Dialog):
    """Pick an earlier answer of this visit and rewrite it (the earlier wording is kept in its history)."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, responses: list[dict[str, Any]], chosen: str | None, save: Save) -> None:
        super().__init__()
        self.responses = responses
        self.chosen = chosen
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit-dialog") as box:
            box.border_title = "Edit an earlier answer"
            yield OptionList(*[Option(Content.assemble((f"{r['label']} ", "bold"),
                                                       (f"{r['aspect_id']} ", "$text-muted"),
                                                       ("⚑ " if r.get("concerns_individual") else "", "$warning"),
                                                       _short(inert(r["text"]), 66)),
                                      id=f"r-{i}")
                               for i, r in enumerate(self.responses)], id="edit-list")
            yield Static("", id="edit-question")
            yield TextArea("", id="edit-text", soft_wrap=True)
            yield from self.save_and_cancel("Save (Ctrl+S)")

    def on_mount(self) -> None:
        self.error(None)
        ol = self.query_one(OptionList)
        idx = next((i for i, r in enumerate(self.responses) if r["id"] == self.chosen), len(self.responses) - 1)
        if self.responses:
            ol.highlighted = idx
            self._load(idx)
        if self.chosen:
            self.query_one("#edit-text", TextArea).focus()
        else:
            ol.focus()

    def _load(self, idx: int) -> None:
        r = self.responses[idx]
        self.query_one("#edit-question", Static).update(Content.styled(_short(r["question"], 300), "$text-muted"))
        ta = self.query_one("#edit-text", TextArea)
        ta.text = r["text"]
        ta.move_cursor(ta.document.end)
        self._idx = idx

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._load(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._load(event.option_index)
        self.query_one("#edit-text", TextArea).focus()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        if not self.responses:
            self.dismiss(None)
            return
        r = self.responses[self._idx]
        text = self.query_one("#edit-text", TextArea).text
        err = await self.save(r["id"], text)
        if err:
            self.error(err)
            return
        self.dismiss({"id": r["id"], "text": text})


class SummaryDialog(Dialog):
    """The adviser's summary of the visit for its note: key findings per aspect discussed and overall, starting
    from the draft built from the record when none is written yet."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, text: str, drafted: bool, save: Save) -> None:
        super().__init__()
        self.text = text
        self.drafted = drafted
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="summary-dialog") as box:
            box.border_title = "Summary for the note of visit"
            hint = ("A draft built from the record: put it in your own words. " if self.drafted else "") + \
                "The note gives this instead of its draft; empty it to go back to the draft."
            yield Static(Content.styled(hint, "$text-muted"), id="summary-hint")
            yield TextArea(self.text, id="summary-text", soft_wrap=True)
            yield from self.save_and_cancel("Save (Ctrl+S)")

    def on_mount(self) -> None:
        self.error(None)
        ta = self.query_one("#summary-text", TextArea)
        ta.move_cursor(ta.document.end)
        ta.focus()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        text = self.query_one("#summary-text", TextArea).text
        err = await self.save(text)
        if err:
            self.error(err)
            return
        self.dismiss(text)


class OverrideDialog(Dialog):
    """Override the suggested rating: a column and a reason (required)."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, title: str, columns: list[tuple[str, str]], current: str | None, save: Save,
                 reason_needed: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.columns = columns
        self.current = current
        self.save = save
        self.reason_needed = reason_needed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="override-dialog") as box:
            box.border_title = self.title_text
            yield Label("Rating")
            yield Select([(f"{label} ({cid})", cid) for cid, label in self.columns],
                         value=self.current if self.current in [c for c, _ in self.columns] else Select.NULL,
                         id="override-column")
            if self.reason_needed:
                yield Label("Reason (kept with the rating)")
                yield Input(placeholder="why the evidence supports this rating", id="override-reason")
            yield from self.save_and_cancel()

    def on_mount(self) -> None:
        self.error(None)
        self.query_one("#override-column", Select).focus()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        column = self.query_one("#override-column", Select).value
        if column is Select.NULL:
            self.error("choose a rating")
            return
        reason = self.query_one("#override-reason", Input).value if self.reason_needed else ""
        if self.reason_needed and not reason.strip():
            self.error("an override needs a reason")
            self.query_one("#override-reason", Input).focus()
            return
        err = await self.save(column, reason)
        if err:
            self.error(err)
            return
        self.dismiss({"column": column, "reason": reason})


class ConfirmDialog(Dialog):
    BINDINGS = [Binding("y", "yes", "Yes"), Binding("n", "cancel", "No")]

    def __init__(self, title: str, text: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog") as box:
            box.border_title = self.title_text
            yield Static(self.text)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_yes(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class UnsentDialog(Dialog):
    """Leaving or quitting with an unsent answer in the box: keep it as a draft, discard it, or stay.
    Dismisses with "keep", "discard" or None (stay)."""

    BINDINGS = [Binding("k", "keep", "Keep draft"), Binding("d", "discard", "Discard"),
                Binding("s", "cancel", "Stay")]

    def __init__(self, text: str, leaving: str = "leave the visit") -> None:
        super().__init__()
        self.text = text
        self.leaving = leaving

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="unsent-dialog") as box:
            box.border_title = "Unsent answer"
            yield Static(Content.assemble(
                "The answer box holds text that has not been sent:\n",
                Content.styled(_short(inert(self.text, one_line=True), 160), "italic"),
                f"\n\nKeep it as a draft (it comes back when you reopen the visit) and {self.leaving}, discard "
                "it, or stay?"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep draft (k)", variant="primary", id="keep")
                yield Button("Discard (d)", variant="error", id="discard")
                yield Button("Stay (Esc)", id="stay")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_keep(self) -> None:
        self.dismiss("keep")

    def action_discard(self) -> None:
        self.dismiss("discard")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"keep": "keep", "discard": "discard"}.get(event.button.id or ""))


class NoteDialog(Dialog):
    """Where the note of visit was written and how it fared against the quality checks."""

    def __init__(self, path: str, checks: tuple[tuple[bool | None, str], ...]) -> None:
        super().__init__()
        self.path = path
        self.checks = checks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog") as box:
            box.border_title = "Note of visit"
            yield Static(Content.assemble(("Written to ", "bold"), self.path), id="note-path")
            with VerticalScroll(id="note-checks"):
                if not self.checks:
                    yield Static(Content.styled("No quality checks reported.", "$text-muted"))
                for ok, text in self.checks:
                    mark, style = {True: ("✓", "$text-success"), False: ("✗", "$text-error")}.get(ok, ("·", ""))
                    yield Static(Content.assemble((mark + " ", style), text), classes="note-check")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
