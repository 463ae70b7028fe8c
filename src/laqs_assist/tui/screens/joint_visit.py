"""A joint visit with a SIP or NCA (the 2009 standards, Appendix 5) as a form: the header, each section's
standards as a checklist, a grade on the form's scale with the evidence for it, the closing fields and the overall
effectiveness.

Every change is committed as it is made: a tick or a grade at once, a text field when it loses focus (and when
the screen is left); what is being typed is the visit's draft in the store half a second after typing stops, so
a kill loses nothing and the draft comes back when the visit is opened again. All store access goes through the
application service on the engine thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, SelectionList, Static, TextArea

from ...app.joint import JointView
from ...errors import LaqsError
from ...packs.forms import standards_of, ticked
from ..widgets.titlebar import TitleBar

DRAFT_DELAY = 0.5


# --- on the engine thread -------------------------------------------------------------------------------------------


def _start(backend: Any, form: dict[str, Any]) -> JointView:
    return backend.joint().start(**form)


def _open(backend: Any, ref: str) -> JointView:
    return backend.joint().resume(ref)


def _set(backend: Any, key: str, text: str) -> str:
    return backend.joint().set(key, text)


def _draft(backend: Any, key: str, text: str) -> None:
    backend.joint().save_draft(text, key)


def _record(backend: Any) -> str:
    return backend.joint().record(None, overwrite=True)


def _end(backend: Any) -> JointView:
    backend.joint().end()
    return backend.joint().view()


def _close(backend: Any) -> None:
    backend.joint().close(pause=True)


def _local(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
    except (TypeError, ValueError):
        return str(stamp)


# --- the form -------------------------------------------------------------------------------------------------------


class JointVisitScreen(Screen):
    DEFAULT_CSS = """
    #jv-form { padding: 0 2; }
    #jv-title { margin: 1 0 0 0; }
    .jv-note { margin: 0 0 1 0; }
    .jv-heading { margin: 1 0 0 0; }
    .jv-header { height: auto; }
    .jv-col { width: 1fr; height: auto; padding: 0 1 0 0; }
    .jv-checklist { height: auto; max-height: 14; }
    .jv-full { height: auto; padding: 0 1; }
    .jv-grade { height: auto; width: 100%; }
    .jv-text { height: 5; }
    #jv-status { height: 1; padding: 0 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save field"),
        Binding("f2", "record", "Word record"),
        Binding("f3", "end", "End visit"),
        Binding("escape", "leave", "Visits"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, view: JointView) -> None:
        super().__init__(id="joint-visit")
        self.view = view
        self.ids = {f.key: f"jf-{i}" for i, f in enumerate(view.fields)}
        self.keys = {v: k for k, v in self.ids.items()}
        self.saved: dict[str, str] = dict(view.values)  # what the store holds, per field
        self._timer: Any = None
        self._pending: tuple[str, str] | None = None
        self._loading = True

    # --- building ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self.view.visit
        form = self.app.pack.forms[v["form_id"]]
        yield TitleBar()
        with VerticalScroll(id="jv-form"):
            yield Static(Content.assemble(("Joint visit · ", "bold"), f"{v['school']}",
                                          (f" ({v['la']})" if v["la"] else "", ""), f" · {v['date']}",
                                          ("  ·  every change is saved as you make it", "$text-muted")),
                         id="jv-title")
            yield Static(Content.styled("A joint visit grades a named SIP: it stays in your store and the visit's "
                                        "own record, never in a note, briefing or export.", "$text-muted"),
                         classes="jv-note")
            yield Static(Content.styled(form.title, "bold $text-primary"), classes="jv-heading")
            with Horizontal(classes="jv-header"):
                with Vertical(classes="jv-col"):
                    for f in self.view.fields[:4]:
                        yield from self._input(f)
                with Vertical(classes="jv-col"):
                    for f in self.view.fields[4:7]:
                        yield from self._input(f)
            section = None
            for f in self.view.fields[7:]:
                if f.group == "section" and f.section is not section:
                    section = f.section
                    where = f" ({section.aspect})" if section.aspect else ""
                    yield Static(Content.styled(f"{section.title}{where}", "bold $text-primary"),
                                 classes="jv-heading")
                if f.kind == "checklist":
                    items = standards_of(f.section)
                    seen = set(ticked(self.view.values.get(f.key)))
                    lead = f.section.lead or "Standards"
                    yield Label(f"{lead} (Space ticks those seen)", classes="field-label")
                    yield SelectionList(*[(self._standard(i, t, f.section), i, i in seen)
                                          for i, t in enumerate(items, 1)], id=self.ids[f.key],
                                        classes="jv-checklist")
                    yield Static("", id=f"{self.ids[f.key]}-full", classes="jv-full")
                elif f.kind == "grade":
                    yield Label("Grade", classes="field-label")
                    chosen = self.view.values.get(f.key, "")
                    with RadioSet(id=self.ids[f.key], classes="jv-grade"):
                        for g in form.scale:
                            yield RadioButton(f"{g.grade}  {g.meaning}", value=str(g.grade) == chosen,
                                              id=f"{self.ids[f.key]}-g{g.grade}")
                elif f.kind == "evidence":
                    yield Label("Evidence for the grade", classes="field-label")
                    yield TextArea(self.view.values.get(f.key, ""), id=self.ids[f.key], classes="jv-text",
                                   soft_wrap=True, show_line_numbers=False)
                else:
                    yield Static(Content.styled(f.label, "bold $text-primary"), classes="jv-heading")
                    yield TextArea(self.view.values.get(f.key, ""), id=self.ids[f.key], classes="jv-text",
                                   soft_wrap=True, show_line_numbers=False)
        yield Static("", id="jv-status")
        yield Footer(compact=True)

    def _input(self, f):
        yield Label(f.label, classes="field-label")
        yield Input(self.view.values.get(f.key, ""), id=self.ids[f.key], compact=True,
                    placeholder="YYYY-MM-DD" if f.kind == "date" else "")

    @staticmethod
    def _standard(i: int, text: str, section) -> str:
        extra = " (NCAs)" if i > len(section.standards) else ""
        return f"{i}. {text}{extra}"

    def on_mount(self) -> None:
        self.title = "laqs-assist"
        self.sub_title = "joint visit"
        if self.app.headless_stable:
            for inp in self.query(Input):
                inp.cursor_blink = False
            for ta in self.query(TextArea):
                ta.cursor_blink = False
        d = self.view.draft
        if d and d["field"] in self.ids:
            widget = self.query_one(f"#{self.ids[d['field']]}")
            if isinstance(widget, Input):
                widget.value = d["text"]
            elif isinstance(widget, TextArea):
                widget.load_text(d["text"])
            self._status(f"draft from {_local(d['updated_at'])} restored")
        if self.view.ended:
            self._status("this joint visit has ended: it is kept as it was (F2 writes its record)")
            for w in self.query("Input, TextArea, SelectionList, RadioSet"):
                w.disabled = True
        self.call_after_refresh(self._loaded)
        self._focus_current()

    def _loaded(self) -> None:
        self._loading = False

    def _focus_current(self) -> None:
        f = self.view.current or self.view.fields[0]
        try:
            self.query_one(f"#{self.ids[f.key]}").focus()
        except Exception:  # noqa: BLE001 - nothing focusable (an ended visit)
            pass

    def _status(self, text: str, error: bool = False) -> None:
        self.query_one("#jv-status", Static).update(Content.styled(text, "$text-error" if error else "$text-muted"))

    # --- saving -----------------------------------------------------------------------------------------------

    def _key_of(self, widget: Any) -> str | None:
        node = widget
        while node is not None and node is not self:
            if node.id in self.keys:
                return self.keys[node.id]
            node = node.parent
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._typed(event.input, event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._typed(event.text_area, event.text_area.text)

    def _typed(self, widget: Any, text: str) -> None:
        key = self._key_of(widget)
        if key is None or self._loading:
            return
        self._pending = (key, text)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DRAFT_DELAY, self._keep_draft)

    def _keep_draft(self) -> None:
        self._timer = None
        if self._pending is None:
            return
        key, text = self._pending
        self._pending = None
        if text != self.saved.get(key, ""):
            self.app.engine.submit(_draft, key, text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        widget = event.widget
        if isinstance(widget, (Input, TextArea)):
            self._commit(widget)

    def _commit(self, widget: Any) -> None:
        key = self._key_of(widget)
        if key is None or widget.disabled:
            return
        text = widget.value if isinstance(widget, Input) else widget.text
        if text == self.saved.get(key, ""):
            return
        self._pending = None
        self.save(key, text)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        key = self._key_of(event.selection_list)
        if key is None or self._loading:
            return
        chosen = sorted(event.selection_list.selected)
        self.save(key, " ".join(map(str, chosen)) if chosen else "none")

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        """The highlighted standard in full under its list (a long one is cut short in the list)."""
        key = self._key_of(event.selection_list)
        if key is None:
            return
        option = event.selection
        full = self.query_one(f"#{self.ids[key]}-full", Static)
        text = str(option.prompt) if option is not None else ""
        full.update(Content.styled(text, "$text-muted"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        key = self._key_of(event.radio_set)
        if key is None or self._loading or event.pressed is None:
            return
        self.save(key, str(event.pressed.id).rsplit("-g", 1)[1])

    @work(group="joint-save")
    async def save(self, key: str, text: str) -> None:
        try:
            value = await self.app.engine.call(_set, key, text)
        except LaqsError as exc:
            # The text stays in its field, and in the store as the draft, until it is put right.
            self.app.engine.submit(_draft, key, text)
            self._status(exc.line(), error=True)
            return
        self.saved[key] = value
        label = next(f.label for f in self.view.fields if f.key == key)
        self._status(f"✓ saved: {label}")

    async def _commit_focused(self) -> None:
        widget = self.focused
        if isinstance(widget, (Input, TextArea)):
            key = self._key_of(widget)
            text = widget.value if isinstance(widget, Input) else widget.text
            if key is not None and not widget.disabled and text != self.saved.get(key, ""):
                try:
                    self.saved[key] = await self.app.engine.call(_set, key, text)
                except LaqsError as exc:
                    self.app.engine.submit(_draft, key, text)
                    self._status(exc.line(), error=True)
                    raise

    # --- actions ----------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if isinstance(self.focused, (Input, TextArea)):
            self._commit(self.focused)

    @work(group="joint-nav", exclusive=True)
    async def action_record(self) -> None:
        try:
            await self._commit_focused()
            path = await self.app.engine.call(_record)
        except LaqsError as exc:
            self._status(exc.line(), error=True)
            return
        self._status(f"✓ record of the visit written: {path}")
        self.app.notify(f"Record written: {path}", timeout=6)

    @work(group="joint-nav", exclusive=True)
    async def action_end(self) -> None:
        try:
            await self._commit_focused()
            self.view = await self.app.engine.call(_end)
        except LaqsError as exc:
            self._status(exc.line(), error=True)
            return
        for w in self.query("Input, TextArea, SelectionList, RadioSet"):
            w.disabled = True
        self._status("✓ joint visit ended: F2 writes its record for the headteacher and the LA")

    def confirm_leave(self, then: Any, leaving: str = "quit") -> None:
        """Quitting from the form: the field being typed in is saved (or, refused, kept as the draft) and the
        joint visit paused before `then` runs; nothing needs asking, as nothing typed is thrown away."""

        async def go() -> None:
            try:
                await self._commit_focused()
            except LaqsError:
                pass  # kept as the draft, shown when the form opens again
            try:
                await self.app.engine.call(_close)
            except Exception:  # noqa: BLE001 - quitting must not fail
                pass
            result = then()
            if hasattr(result, "__await__"):
                await result

        self.app.run_worker(go(), group="leave")

    @work(group="joint-nav", exclusive=True)
    async def action_leave(self) -> None:
        try:
            await self._commit_focused()
        except LaqsError:
            return  # the error is on screen; the text is the draft
        try:
            await self.app.engine.call(_close)
        except Exception as exc:  # noqa: BLE001
            self.app.report(exc)
        self.app.call_later(self.app.show_visits)  # after this action: the screen cannot await its own removal


# --- starting one ---------------------------------------------------------------------------------------------------


class JointStartScreen(ModalScreen):
    """The few things a joint visit starts from: the school, its LA, the SIP or NCA, the day."""

    DEFAULT_CSS = """
    JointStartScreen { align: center middle; }
    #jv-start { width: 70; height: auto; padding: 1 2; border: round $primary; background: $surface; }
    #js-buttons { height: auto; margin: 1 0 0 0; }
    #js-buttons Button { margin: 0 1 0 0; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "start", "Start")]

    def __init__(self, school: str = "", la: str = "") -> None:
        super().__init__(id="joint-start")
        self.school, self.la = school, la

    def compose(self) -> ComposeResult:
        with Vertical(id="jv-start"):
            yield Static(Content.assemble(("New joint visit with a SIP/NCA", "bold"),
                                          ("  Ctrl+S starts · Esc cancels", "$text-muted")))
            yield Label("School", classes="field-label")
            yield Input(self.school, id="js-school", compact=True, placeholder="the school visited")
            yield Label("Its LA", classes="field-label")
            yield Input(self.la, id="js-la", compact=True, placeholder="optional when the school is known")
            yield Label("SIP or NCA", classes="field-label")
            yield Input(id="js-sip", compact=True, placeholder="the name of the SIP or NCA")
            yield Label("Date", classes="field-label")
            yield Input(self.app.today().isoformat(), id="js-date", compact=True, placeholder="YYYY-MM-DD")
            yield Static("", id="js-error")
            with Horizontal(id="js-buttons"):
                yield Button("Start (Ctrl+S)", variant="primary", id="js-start")
                yield Button("Cancel (Esc)", id="js-cancel")

    def on_mount(self) -> None:
        if self.app.headless_stable:
            for inp in self.query(Input):
                inp.cursor_blink = False
        self.query_one("#js-school" if not self.school else "#js-sip", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "js-date":
            self.action_start()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "js-start":
            self.action_start()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True)
    async def action_start(self) -> None:
        def value(wid: str) -> str:
            return self.query_one(f"#{wid}", Input).value.strip()

        form = {"school": value("js-school"), "la": value("js-la") or None, "sip": value("js-sip"),
                "day": value("js-date") or None, "author": (self.app.settings.name if self.app.settings else "")
                or ""}
        try:
            view = await self.app.engine.call(_start, form)
        except LaqsError as exc:
            self.query_one("#js-error", Static).update(Content.styled(exc.line(), "$text-error"))
            return
        self.dismiss(view)


def open_joint_visit(app: Any, ref: str) -> None:
    """Open a joint visit's form from the visits list."""

    async def go() -> None:
        try:
            view = await app.engine.call(_open, ref)
        except Exception as exc:  # noqa: BLE001
            app.report(exc)
            return
        await app.push_screen(JointVisitScreen(view))

    app.run_worker(go(), group="navigate", exclusive=True)


def new_joint_visit(app: Any, school: str = "", la: str = "") -> None:
    """Ask for the school, LA, SIP and day, then open the new joint visit's form."""

    def started(view: JointView | None) -> None:
        if view is not None:
            app.push_screen(JointVisitScreen(view))

    app.push_screen(JointStartScreen(school, la), started)


__all__ = ["JointStartScreen", "JointVisitScreen", "new_joint_visit", "open_joint_visit"]
