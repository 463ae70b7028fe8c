"""Start a visit: agenda, organisation (new or existing), LA or school, phases, focus aspects, people, date."""

from __future__ import annotations

import re
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Select, SelectionList, Static

from ...errors import LaqsError
from ...inert import short as _short
from ..widgets.titlebar import TitleBar


def default_agenda(pack, school: bool) -> str:
    """The agenda the pack opens a visit to a school or an LA with (as `laqs chat` does)."""
    return pack.default_agenda("school" if school else "LA")


def parse_people(text: str) -> list[tuple[str, str]]:
    """'Jo Bloggs (Head of SI); Sam Lee: headteacher' -> [(name, role), …]."""
    out = []
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", part)
        if m:
            out.append((m.group(1).strip(), m.group(2).strip()))
        elif ":" in part:
            name, role = part.split(":", 1)
            out.append((name.strip(), role.strip()))
        else:
            out.append((part, ""))
    return [(n, r) for n, r in out if n]


class NewVisitScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start the visit"),
        Binding("escape", "cancel", "Cancel"),
        Binding("f1", "app.help", "Help"),
        Binding("f7", "joint_visit", "Joint visit instead", show=False),
    ]

    def __init__(self, organisations: list[dict[str, Any]]) -> None:
        super().__init__(id="new-visit")
        self.organisations = organisations
        self._agenda_touched = False

    def compose(self) -> ComposeResult:
        pack = self.app.pack
        today = self.app.today().isoformat()
        names = sorted({o["name"] for o in self.organisations}, key=str.lower)
        yield TitleBar()
        with VerticalScroll(id="form"):
            yield Static(Content.assemble(("Start a visit", "bold"),
                                          ("  Ctrl+S starts · Esc cancels", "$text-muted")), id="form-title")
            with Horizontal(classes="form-columns"):
                with Vertical(classes="form-left"):
                    yield Label("Organisation", classes="field-label")
                    yield Input(placeholder="an LA or a school, new or existing", id="f-org", compact=True,
                                suggester=SuggestFromList(names, case_sensitive=False))
                    yield Static("", id="f-org-hint", classes="field-hint")
                    yield Label("It is", classes="field-label")
                    with RadioSet(id="f-kind"):
                        yield RadioButton("an LA", value=True, id="kind-la")
                        yield RadioButton("a school", id="kind-school")
                    yield Label("Its LA (a school only)", classes="field-label")
                    yield Input(placeholder="the school's LA, optional", id="f-parent", compact=True,
                                suggester=SuggestFromList([o["name"] for o in self.organisations if o["kind"] == "LA"],
                                                          case_sensitive=False))
                    yield Label("Agenda", classes="field-label")
                    yield Select([(ag.title, ag.id) for ag in pack.agendas.values()],
                                 value=default_agenda(pack, False), allow_blank=False, id="f-agenda", compact=True)
                with Vertical(classes="form-right"):
                    yield Label("Phases", classes="field-label")
                    mine = self.app.settings.phases if self.app.settings else []
                    yield SelectionList(*[(f"{p.name} ({p.id})", p.id, not mine or p.id in mine) for p in pack.phases],
                                        id="f-phases")
                    yield Label("Focus aspects (asked first; Space picks)", classes="field-label")
                    yield SelectionList(*[(f"{a.id} {_short(a.title, 44)}", a.id) for a in pack.aspects.values()],
                                        id="f-focus")
            with Horizontal(classes="form-columns"):
                with Vertical(classes="form-left"):
                    yield Label("People present", classes="field-label")
                    yield Input(placeholder="Jo Bloggs (Head of SI); Sam Lee (LA data lead)", id="f-people",
                                compact=True)
                    yield Label("Date", classes="field-label")
                    yield Input(value=today, placeholder="YYYY-MM-DD", id="f-date", compact=True)
                with Vertical(classes="form-right"):
                    yield Label("Adviser (you)", classes="field-label")
                    name = (self.app.settings.name if self.app.settings else None) or ""
                    yield Input(value=name, placeholder="optional (laqs settings set name … fills it in)",
                                id="f-author", compact=True)
                    yield Label("Purpose of the visit", classes="field-label")
                    yield Input(placeholder="optional, for the note of visit", id="f-purpose", compact=True)
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Start the visit (Ctrl+S)", variant="primary", id="start")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "laqs-assist"
        self.sub_title = "new visit"
        self.query_one("#form-error").display = False
        if self.app.headless_stable:
            for inp in self.query(Input):
                inp.cursor_blink = False
        self.query_one("#f-org", Input).focus()

    # --- keeping the form consistent ------------------------------------------------------------------------

    def _kind(self) -> str:
        return "school" if self.query_one("#kind-school", RadioButton).value else "LA"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "f-org":
            return
        name = " ".join(event.value.split()).lower()
        found = [o for o in self.organisations if o["name"].lower() == name]
        hint = self.query_one("#f-org-hint", Static)
        if found:
            kinds = {o["kind"] for o in found}
            if len(kinds) == 1:
                kind = kinds.pop()
                self.query_one("#kind-school" if kind == "school" else "#kind-la", RadioButton).value = True
            hint.update(Content.styled("existing organisation: this year's evidence carries over", "$text-success"))
        else:
            hint.update(Content.styled("new organisation" if name else "", "$text-muted"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if self._agenda_touched:
            return
        select = self.query_one("#f-agenda", Select)
        select.value = default_agenda(self.app.pack, self._kind() == "school")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-agenda" and event.select.has_focus:
            self._agenda_touched = True

    # --- starting -------------------------------------------------------------------------------------------

    def form(self) -> dict[str, Any]:
        """The form as Session.start's arguments, or LaqsError naming the field to fix."""
        org = self.query_one("#f-org", Input).value.strip()
        if not org:
            raise _FieldError("f-org", "say who the visit is with: the organisation's name")
        from ...answers import AnswerInvalid, parse_answer

        day = self.query_one("#f-date", Input).value.strip()
        try:
            day = parse_answer("date", day) if day else self.app.today().isoformat()
        except AnswerInvalid as exc:
            raise _FieldError("f-date", f"date: {exc.message}") from None
        phases = list(self.query_one("#f-phases", SelectionList).selected)
        if not phases:
            raise _FieldError("f-phases", "choose at least one phase")
        kind = self._kind()
        parent = self.query_one("#f-parent", Input).value.strip() or None
        return {
            "agenda_id": self.query_one("#f-agenda", Select).value,
            "organisation": org,
            "kind": kind,
            "phases": phases,
            "focus": list(self.query_one("#f-focus", SelectionList).selected),
            "people": parse_people(self.query_one("#f-people", Input).value),
            "day": day,
            "author": self.query_one("#f-author", Input).value.strip(),
            "purpose": self.query_one("#f-purpose", Input).value.strip(),
            "parent": parent if kind == "school" else None,
        }

    def _error(self, text: str | None, field: str | None = None) -> None:
        box = self.query_one("#form-error", Static)
        box.update(Content.styled(text or "", "$text-error"))
        box.display = bool(text)
        if field:
            self.query_one(f"#{field}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves to the next field (taking the suggested name, if one shows); on the last one it starts.
        event.stop()
        suggestion = getattr(event.input, "_suggestion", "")
        if event.input.id in ("f-org", "f-parent") and suggestion and suggestion.lower().startswith(
                event.value.lower()) and event.value:
            event.input.value = suggestion
        if event.input.id == "f-purpose":
            self.action_start()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.app.pop_screen()

    @work(exclusive=True, group="start")
    async def action_start(self) -> None:
        try:
            form = self.form()
        except _FieldError as exc:
            self._error(exc.message, exc.field)
            return
        self._error(None)
        button = self.query_one("#start", Button)
        button.disabled = True
        try:
            await self.app.start_visit(form)
        except LaqsError as exc:
            self._error(exc.line())
        finally:
            if button.is_mounted:
                button.disabled = False


    def action_joint_visit(self) -> None:
        """A joint visit with a SIP instead (Appendix 5): its own short form, with the school and LA typed here."""
        from .joint_visit import new_joint_visit

        org = self.query_one("#f-org", Input).value.strip()
        parent = self.query_one("#f-parent", Input).value.strip()
        self.app.pop_screen()
        new_joint_visit(self.app, org, parent)


class _FieldError(LaqsError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

