"""The interview: the agenda outline, the chat, the answer box and the criteria panel of the current aspect.

Every write goes to the engine thread in a worker; while it is in flight the answer box is locked, and on failure
it is unlocked with the text still in it and the error shown as one line.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from ... import answers
from ...app.views import InterviewView
from ...errors import LaqsError
from ...inert import inert
from ...inert import short as _short
from ..engine import Backend
from ..widgets.chat import AnswerMessage, ChatLog, NoticeMessage, QuestionMessage
from ..widgets.composer import Composer
from ..widgets.criteria import CriteriaPanel, CriterionRow, ImpactRow, IndicatorRow
from ..widgets.outline import AgendaOutline
from ..widgets.titlebar import TitleBar

# Typed /commands the screen does itself; every other one runs through line mode's own handler.
NATIVE = ("help", "skip", "back", "jump", "review", "end", "quit", "pause", "flag", "unflag", "edit")


class InterviewScreen(Screen):
    # Narrow terminals hide the agenda outline (F3 brings it back) and narrow the criteria panel.
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (72, "-narrow"), (100, "-medium"), (140, "-wide")]
    # The footer shows these in order and cuts what does not fit: Review, Visits, Help and Quit come first so that
    # they are there at 80 columns.
    BINDINGS = [
        Binding("ctrl+r", "review", "Review"),
        Binding("escape", "escape", "Visits"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
        Binding("ctrl+s", "skip", "Skip"),
        Binding("ctrl+o", "back", "Back"),
        Binding("ctrl+g", "jump", "Jump"),
        Binding("ctrl+n", "add_action", "Action"),
        Binding("f6", "actions", "Actions", show=False, priority=True),  # over the answer box's select-line
        Binding("ctrl+f", "flag", "Flag"),
        Binding("f2", "edit", "Edit"),
        Binding("f3", "toggle('outline')", "Agenda", show=False),
        Binding("f4", "toggle('criteria')", "Criteria", show=False),
        Binding("f5", "phase", "Phase", show=False),
        Binding("f8", "take_offer", "Record number", show=False),
    ]

    def __init__(self, view: InterviewView) -> None:
        super().__init__(id="interview")
        self.view = view
        self.busy = False
        self.hints: dict[str, set[str]] = {}
        self.live_hints: tuple[str, frozenset[str]] = ("", frozenset())
        self._asked: str | None = None
        self._hint_timer: Timer | None = None
        self._draft_timer: Timer | None = None
        self._draft_saved = (view.draft or {}).get("text", "")  # what the store holds as this visit's draft
        self.panels_ready = False  # the outline and the criteria panel are mounted just after the first paint

    # --- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="interview-body"):
            # The side panels' places are kept from the first paint (the chat does not reflow); the panels
            # themselves are mounted right after it, so the question is on screen sooner.
            yield Vertical(id="outline-slot")
            with Vertical(id="conversation"):
                yield ChatLog(id="chat")
                yield Static("", id="status-line")
                yield Composer(id="composer", placeholder="Type the answer · Enter sends · Ctrl+J new line · "
                                                          "/help for typed commands")
            yield Vertical(id="criteria-slot")
        yield Footer(compact=True)

    @property
    def chat(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    async def on_mount(self) -> None:
        self.title = "laqs-assist"
        if self.app.headless_stable:
            self.composer.cursor_blink = False
        self._show_transcript(self.view)
        # The question first; the agenda outline and the criteria panel (the biggest part of the screen) right
        # after the first paint.
        await self.apply(self.view, panel=False, outline=False)
        self._restore_draft(self.view.draft)
        self.composer.focus()
        self.call_after_refresh(self._first_panel)

    async def _first_panel(self) -> None:
        if not self.is_attached:  # left before its first paint
            return
        pack = self.app.pack
        await self.query_one("#outline-slot").mount(AgendaOutline(pack, id="outline"))
        await self.query_one("#criteria-slot").mount(CriteriaPanel(pack, id="criteria"))
        self.panels_ready = True
        await self.apply(self.view, ask=False)  # the latest view: anything done meanwhile is shown
        self.app.interview_ready(self)

    def _show_transcript(self, view: InterviewView) -> None:
        messages = []
        for t in view.transcript:
            if t.kind == "answer":
                messages.append(QuestionMessage(item_id="", label=t.label, aspect=t.aspect_id, prompt=t.question))
            messages.append(AnswerMessage(response_id=t.response_id, text=t.text, flagged=t.flagged,
                                          label="Adviser" if t.kind == "answer" else t.label))
        if view.transcript:
            done = sum(1 for t in view.transcript if t.kind == "answer")
            messages.append(NoticeMessage(f"Resumed: {done} answer{'s' if done != 1 else ''} recorded so far; "
                                          "carrying on where you stopped."))
        if messages:
            self.chat.add(*messages)

    # --- the unsent draft -------------------------------------------------------------------------------------

    DRAFT_DELAY = 0.5  # seconds of quiet typing before the box's text is committed as the visit's draft

    def _restore_draft(self, draft: dict[str, Any] | None) -> None:
        if not draft or self.view.ended or self.composer.text:
            return
        self.composer.set_text(draft["text"])
        self.chat.add(NoticeMessage(f"draft from {_when(draft['updated_at'])} restored: Enter sends it",
                                    kind="muted"))

    def save_draft(self) -> None:
        """Commit the box's text as the visit's draft, unless the store has it already. Queued on the engine
        thread at once, so it lands in order with every other write (an answer's commit clears the draft)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.busy or self.view.ended or not self.composer.is_mounted:
            return  # an answer in flight carries the text; if it is refused, the draft is saved then
        text = self.composer.text
        if text == self._draft_saved:
            return
        self._draft_saved = text
        self._await_draft(self.app.engine.submit(Backend.save_draft, text))

    @work(group="drafts")
    async def _await_draft(self, future: Any) -> None:
        import asyncio

        try:
            await asyncio.wrap_future(future)
        except Exception as exc:  # noqa: BLE001 - the text is still in the box; say so once
            self._draft_saved = None  # type: ignore[assignment]
            line = exc.line() if isinstance(exc, LaqsError) else f"{type(exc).__name__}: {exc}"
            self.notify(f"draft not saved ({line}); the text is still in the box", severity="warning")

    def _draft_soon(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.DRAFT_DELAY, self.save_draft)

    def on_descendant_blur(self, event: Any) -> None:
        if getattr(event, "widget", None) is self.composer or event.control is self.composer:
            self.save_draft()

    def on_screen_suspend(self) -> None:
        self.save_draft()

    def unsent_text(self) -> str:
        if self.view.ended or not self.is_attached:
            return ""
        try:
            return self.composer.text
        except Exception:  # noqa: BLE001 - not composed yet
            return ""

    def confirm_leave(self, then: Callable[[], Any], leaving: str = "leave the visit") -> None:
        """Leave (run `then`) at once when the box is empty; else ask: keep the draft and leave, discard, stay."""
        text = self.unsent_text()
        if not text.strip():
            self.save_draft()
            self._run(then)
            return
        from .dialogs import UnsentDialog

        def chosen(choice: str | None) -> None:
            if choice == "keep":
                self.save_draft()
                self._run(then)
            elif choice == "discard":
                if self._draft_timer is not None:
                    self._draft_timer.stop()
                self.app.engine.submit(Backend.clear_draft)
                self.composer.clear()
                self._draft_saved = ""
                self._run(then)
            else:
                self.composer.focus()

        self.app.push_screen(UnsentDialog(text, leaving), chosen)

    def _run(self, then: Callable[[], Any]) -> None:
        result = then()
        if hasattr(result, "__await__"):
            self.app.run_worker(result, group="leave")

    # --- drawing a new state of the visit ------------------------------------------------------------------

    async def apply(self, view: InterviewView, ask: bool = True, force_ask: bool = False,
                    panel: bool = True, outline: bool = True) -> None:
        self.view = view
        pack = self.app.pack
        v = view.visit
        phases = ", ".join(pack.phase_name(p) for p in v["phases"])
        agenda = pack.agendas[v["agenda_id"]].title.replace("Agendas for discussion with ", "with ")
        status = {"ended": " · ended", "paused": " · paused"}.get(v["status"], "")
        overdue = f" · {view.overdue} overdue action{'s' if view.overdue != 1 else ''}" if view.overdue else ""
        self.sub_title = (f"{inert(v['organisation'], one_line=True)} · {agenda} · {phases} · {v['date']}{status}"
                          f"{overdue}")
        if outline and self.panels_ready:
            self.query_one(AgendaOutline).show(view)
        aspect = view.panel.aspect_id if view.panel else None
        hints = set(self.hints.get(aspect, set())) if aspect else set()
        if aspect and self.live_hints[0] == aspect:
            hints |= self.live_hints[1]
        if panel and self.panels_ready:
            await self.query_one(CriteriaPanel).show(view.panel, hints)
        self._status()
        if ask:
            self._ask(view, force_ask)

    def _status(self, saving: bool = False) -> None:
        view = self.view
        parts: list = []
        if saving:
            parts.append(("saving… ", "bold $warning"))
        if view.ended:
            parts.append(("This visit has ended: answers can be read, not added. Ctrl+R reviews the ratings.",
                          "$text-warning"))
        else:
            cur = view.current
            where = f"{cur.position + 1}/{view.total} · {cur.aspect_id}" if cur else f"{view.done}/{view.total}"
            parts.append((f"{where} · {view.actions} action{'s' if view.actions != 1 else ''}", "$text-muted"))
        if view.overdue:
            parts.append((f" · {view.overdue} overdue (F6 to follow up)", "bold $text-error"))
        self.query_one("#status-line", Static).update(Content.assemble(*parts))

    def _ask(self, view: InterviewView, force: bool = False) -> None:
        cur = view.current
        if view.ended:
            if self._asked != "ended":
                self._asked = "ended"
                self.chat.add(NoticeMessage("This visit has ended. Ctrl+R opens the review: accept or override "
                                            "the ratings; Esc goes back to the visits.", kind="done"))
            return
        if cur is None:
            if self._asked != "done":
                self._asked = "done"
                self.chat.add(NoticeMessage("Every question has been dealt with. Ctrl+R to review the ratings and "
                                            "end the visit, Ctrl+O to go back, or Ctrl+G to jump to an aspect.",
                                            kind="done"))
            return
        key = f"{cur.id}:{cur.status}:{view.recorded or ''}"
        if key == self._asked and not force:
            return
        self._asked = key
        pack = self.app.pack
        label = "Probe" if cur.kind == "probe" else f"Q {cur.question.id}" if cur.question else "Q"
        hint = ""
        if cur.answer_type == "choice" and cur.question:
            hint = "choices: " + "; ".join(f"{i + 1}. {c}" for i, c in enumerate(cur.question.choices))
        elif cur.answer_type != "text":
            hint = answers.hint(cur.answer_type)
        if cur.kind == "probe":
            hint = (hint + " · " if hint else "") + "Ctrl+S dismisses this probe"
        title = pack.aspects[cur.aspect_id].title
        self.chat.add(QuestionMessage(item_id=cur.id, label=label, aspect=f"{cur.aspect_id} {_short(title, 40)}",
                                      prompt=cur.prompt(), hint=hint, recorded=view.recorded or "",
                                      flagged=view.recorded_flagged,
                                      counter=f"{cur.position + 1}/{view.total}", probe=cur.kind == "probe"))

    # --- the write path: one at a time, input locked, restored on failure -----------------------------------

    def _begin(self) -> bool:
        if self.busy:
            self.notify("Still saving the last change…", timeout=2)
            return False
        self.busy = True
        self.composer.lock_input()
        self._status(saving=True)
        return True

    def _end(self) -> None:
        self.busy = False
        if self.composer.is_mounted:
            self.composer.unlock_input()
            self._status()

    async def write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a write on the engine thread; None (and a one-line notification) when it fails."""
        if not self._begin():
            return None
        try:
            return await self.app.engine.call(fn, *args)
        except LaqsError as exc:
            self.notify(exc.line(), severity="error", timeout=6)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            self.notify(f"not saved: {type(exc).__name__}: {exc}", severity="error", timeout=8)
        finally:
            self._end()
        return None

    # --- answering --------------------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def submitted(self, event: Composer.Submitted) -> None:
        text = event.text
        if not text.strip():
            return
        if text.lstrip().startswith("/"):
            self.slash(text.strip())
        else:
            self.send_answer(text)

    @work(group="engine")
    async def send_answer(self, text: str) -> None:
        if self.view.ended:
            self.notify("This visit has ended: answers can no longer be added.", severity="warning")
            return
        from ...answers import AnswerInvalid  # loaded by the engine thread by now; not on the start-up path

        if not self._begin():
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()  # the answer's own commit clears the draft
            self._draft_timer = None
        try:
            result = await self.app.engine.call(Backend.answer, text)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            # Not recorded: the text stays in the box and becomes the draft (the box is unlocked first, so the
            # draft is saved rather than left to an answer that did not happen).
            self._end()
            self.save_draft()
            if isinstance(exc, AnswerInvalid):  # the re-ask: the question stands, to be answered again
                self.chat.add(NoticeMessage(exc.message, kind="reask", title="Please answer again"))
            else:
                line = exc.line() if isinstance(exc, LaqsError) else f"not saved: {type(exc).__name__}: {exc}"
                self.notify(line, severity="error", timeout=10)
            return
        self._end()
        self._draft_saved = ""
        self.composer.clear()
        item = result.item
        if item is not None:
            self.hints[item.aspect_id] = set(result.hints)
        self.live_hints = ("", frozenset())
        earlier = self.chat.answers_for(result.response["id"])
        for old in earlier:
            old.set_text(text)
        self.chat.add(AnswerMessage(response_id=result.response["id"], text=text, hints=result.hints,
                                    flagged=any(b.flagged for b in earlier)))
        self._numbers(result)
        await self.apply(result.view)

    def _numbers(self, result) -> None:
        """Say what a typed number recorded, and offer the numbers an answer holds as indicator values."""
        pack = self.app.pack
        for indicator, value in result.sets:
            shown = answers.shown_number(value, pack.indicators[indicator].unit)
            self.chat.add(NoticeMessage(f"✓ {indicator} = {shown}: this question records it", kind="result"))
        for offer in result.offers:
            what = _short(pack.indicators[offer.indicator].text, 90)
            key = "F8 records it" if len(result.offers) == 1 else f"/value {offer.indicator} records it"
            self.chat.add(NoticeMessage(f"{offer.shown()} for {offer.indicator} ({what})? {key}, or "
                                        f"/value {offer.indicator} N with another number", kind="result",
                                        title="A number in the answer"))

    @work(group="engine")
    async def action_take_offer(self) -> None:
        """F8: record the number the last answer offered as its indicator's value."""
        result = await self.write(Backend.take_offer)
        if result is not None:
            offer, view = result
            self.chat.add(NoticeMessage(f"✓ {offer.indicator} = {offer.shown()}", kind="result"))
            await self.apply(view, ask=False)

    @work(group="engine")
    async def action_phase(self) -> None:
        """F5: the criteria panel shows (and a click judges) one phase, the next, … then every phase again."""
        panel = self.view.panel
        if panel is None or len(panel.phases) < 2:
            self.notify("This aspect is judged for one phase only at this visit.")
            return
        order = [None, *panel.phases]
        now = panel.scope[0] if len(panel.scope) == 1 else None
        scope = order[(order.index(now) + 1) % len(order)]
        view = await self.write(Backend.scope, scope, panel.aspect_id)
        if view is not None:
            await self.apply(view, ask=False)

    # --- live hints while typing ------------------------------------------------------------------------------

    def on_text_area_changed(self, event: Composer.Changed) -> None:
        if event.text_area is not self.composer or self.composer.read_only:
            return
        self._draft_soon()
        if self._hint_timer is not None:
            self._hint_timer.stop()
        self._hint_timer = self.set_timer(0.4, self._live_hints)

    @work(exclusive=True, group="hints")
    async def _live_hints(self) -> None:
        text = self.composer.text
        if text.lstrip().startswith("/"):
            return
        try:
            aspect, ids = await self.app.engine.call(Backend.suggest, text)
        except Exception:  # noqa: BLE001 - a hint is never worth an error
            return
        self.live_hints = (aspect, frozenset(ids))
        if self.panels_ready and self.view.panel and self.view.panel.aspect_id == aspect:
            await self.query_one(CriteriaPanel).show(self.view.panel, self.hints.get(aspect, set()) | set(ids))

    # --- moving around ------------------------------------------------------------------------------------------

    @work(group="engine")
    async def action_skip(self) -> None:
        if self.view.current is None:
            self.notify("Nothing to skip: every question has been dealt with.")
            return
        view = await self.write(Backend.skip)
        if view is not None:
            self.chat.add(NoticeMessage("skipped" if self.view.current.status == "pending" else "kept as it was",
                                        kind="muted"))
            await self.apply(view)

    @work(group="engine")
    async def action_back(self) -> None:
        view = await self.write(Backend.back)
        if view is not None:
            await self.apply(view, force_ask=True)

    def action_jump(self) -> None:
        from .dialogs import JumpDialog

        pack = self.app.pack
        in_visit = {i.aspect_id for i in self.view.items}
        options = [(a.id, a.title, a.id in in_visit) for a in pack.aspects.values()]
        cur = self.view.current.aspect_id if self.view.current else None
        self.app.push_screen(JumpDialog(options, cur), self._jump_chosen)

    def _jump_chosen(self, aspect_id: str | None) -> None:
        if aspect_id:
            self.jump_to(aspect_id)

    @on(AgendaOutline.JumpRequested)
    def outline_jump(self, event: AgendaOutline.JumpRequested) -> None:
        self.jump_to(event.aspect_id)

    @work(group="engine")
    async def jump_to(self, aspect_id: str) -> None:
        view = await self.write(Backend.jump, aspect_id)
        if view is not None:
            await self.apply(view, force_ask=True)
            self.composer.focus()

    # --- the criteria panel -------------------------------------------------------------------------------------

    @on(CriterionRow.Judge)
    def judge(self, event: CriterionRow.Judge) -> None:
        event.stop()
        self._judge(event.target, event.state)

    @work(group="engine")
    async def _judge(self, target: str, state: str) -> None:
        aspect = self.view.panel.aspect_id if self.view.panel else None
        view = await self.write(Backend.judge, target, state, aspect)
        if view is not None:
            await self.apply(view, ask=False)

    @on(ImpactRow.Chosen)
    def impact(self, event: ImpactRow.Chosen) -> None:
        event.stop()
        self._impact(event.level)

    @work(group="engine")
    async def _impact(self, level: str) -> None:
        if not self.view.panel:
            return
        view = await self.write(Backend.set_impact, self.view.panel.aspect_id, level)
        if view is not None:
            await self.apply(view, ask=False)

    @on(IndicatorRow.Entered)
    def indicator(self, event: IndicatorRow.Entered) -> None:
        event.stop()
        self._judge(event.indicator, event.raw.rstrip("%"))

    # --- actions, flags, edits ----------------------------------------------------------------------------------

    def action_add_action(self) -> None:
        from .dialogs import ActionDialog

        pack = self.app.pack
        aspect = self.view.current.aspect_id if self.view.current else (
            self.view.panel.aspect_id if self.view.panel else None)
        self.app.push_screen(ActionDialog([(a.id, a.title) for a in pack.aspects.values()], aspect,
                                          self._save_action), self._action_saved)

    async def _save_action(self, text: str, owner: str, due: str | None, aspect: str | None) -> str | None:
        try:
            self._saved_action = await self.app.engine.call(Backend.add_action, text, owner, due, aspect)
        except LaqsError as exc:
            return exc.line()
        except Exception as exc:  # noqa: BLE001
            return f"not saved: {type(exc).__name__}: {exc}"
        return None

    def _action_saved(self, result: dict[str, Any] | None) -> None:
        if not result:
            self.composer.focus()
            return
        row = getattr(self, "_saved_action", None) or {"text": result["text"], "owner": result["owner"],
                                                         "due_date": result["due"]}
        missing = [w for w, v in (("an owner", row["owner"]), ("a due date", row["due_date"])) if not v]
        tail = f" — it still needs {' and '.join(missing)}" if missing else ""
        who = ", ".join(x for x in (row["owner"], row["due_date"]) if x)
        self.chat.add(NoticeMessage(f"✓ action saved: {row['text']}" + (f" ({who})" if who else "") + tail,
                                    kind="ok"))
        self._saved_action = None
        self.refresh_view()
        self.composer.focus()

    @work(group="engine")
    async def action_actions(self) -> None:
        """The actions to follow up, to mark done, dropped or carried forward."""
        await open_actions(self, self.refresh_view)

    @work(group="engine")
    async def refresh_view(self) -> None:
        try:
            view = await self.app.engine.call(Backend.view)
        except Exception:  # noqa: BLE001
            return
        await self.apply(view, ask=False)

    def _focused_answer(self) -> AnswerMessage | None:
        return self.focused if isinstance(self.focused, AnswerMessage) else None

    def action_flag(self) -> None:
        focused = self._focused_answer()
        self.toggle_flag(focused.response_id if focused else None)

    @on(AnswerMessage.FlagRequested)
    def flag_requested(self, event: AnswerMessage.FlagRequested) -> None:
        self.toggle_flag(event.response_id)

    @work(group="engine")
    async def toggle_flag(self, response_id: str | None, on: bool | None = None) -> None:
        """Flag (or with on=None, toggle) an answer; without an id, the latest answer, as line mode's /flag."""
        row = await self.write(Backend.toggle_flag, response_id, on)
        if row is None:
            return
        flagged = bool(row["concerns_individual"])
        for bubble in self.chat.answers_for(row["id"]):
            bubble.set_flagged(flagged)
        self.chat.add(NoticeMessage(("⚑ flagged: it concerns an individual and stays out of shared notes" if flagged
                                     else "flag cleared") + f" ({_short(row['text'], 50)})", kind="ok"))

    def action_edit(self) -> None:
        focused = self._focused_answer()
        self.open_edit(focused.response_id if focused else None)

    @on(AnswerMessage.EditRequested)
    def edit_requested(self, event: AnswerMessage.EditRequested) -> None:
        self.open_edit(event.response_id)

    @work(group="engine")
    async def open_edit(self, response_id: str | None) -> None:
        from .dialogs import EditAnswerDialog

        try:
            responses = await self.app.engine.call(Backend.responses)
        except LaqsError as exc:
            self.notify(exc.line(), severity="error")
            return
        if not responses:
            self.notify("No answers to edit yet.")
            return
        self.app.push_screen(EditAnswerDialog(responses, response_id, self._save_edit), self._edited)

    async def _save_edit(self, response_id: str, text: str) -> str | None:
        try:
            await self.app.engine.call(Backend.edit, response_id, text)
        except LaqsError as exc:
            return exc.line()
        except Exception as exc:  # noqa: BLE001
            return f"not saved: {type(exc).__name__}: {exc}"
        return None

    def _edited(self, result: dict[str, Any] | None) -> None:
        if result:
            for bubble in self.chat.answers_for(result["id"]):
                bubble.set_text(result["text"])
            self.chat.add(NoticeMessage(f"✓ answer replaced (the earlier wording is kept): "
                                        f"{_short(result['text'], 60)}", kind="ok"))
            self.refresh_view()
        self.composer.focus()

    # --- typed /commands: the same as line mode -------------------------------------------------------------

    # Typed without their arguments, these open the dialog that asks for them.
    DIALOG_WHEN_BARE = {"jump": "action_jump", "action": "action_add_action", "edit": "action_edit"}

    def slash(self, text: str) -> None:
        """A typed /command: parsed by the one slash-command parser (app/slash.py); moving about, flags, edits and
        leaving are done by this screen, the rest by line mode's handler on the engine thread."""
        from ...app import slash

        composer = self.composer
        bare = text.strip().lower()[1:]
        if bare in self.DIALOG_WHEN_BARE:
            composer.clear()
            getattr(self, self.DIALOG_WHEN_BARE[bare])()
            return
        try:
            cmd = slash.parse(text, self.app.pack.phases)
        except LaqsError as exc:
            self._command_output(("! " + exc.line(),), text)  # the text stays in the box to be corrected
            return
        name, args = cmd.name, cmd.args
        if name not in NATIVE:
            self.run_command(cmd)
            return
        composer.clear()
        if name == "help":
            self.app.action_help()
        elif name == "skip":
            self.action_skip()
        elif name == "back":
            self.action_back()
        elif name == "jump":
            self.jump_to(args["aspect"])
        elif name == "review":
            self.action_review()
        elif name == "end":
            self.action_end()
        elif name in ("quit", "pause"):
            self.action_leave()
        elif name in ("flag", "unflag"):
            self.toggle_flag(args["ref"], name == "flag")
        elif name == "edit":
            self.edit_typed(args["text"])

    @work(group="engine")
    async def edit_typed(self, rest: str) -> None:
        row = await self.write(Backend.edit_typed, rest)
        if row is None:
            return
        self.composer.clear()
        self._edited({"id": row["id"], "text": row["text"]})

    @work(group="engine")
    async def run_command(self, cmd: Any) -> None:
        text = cmd.text
        result = await self.write(Backend.command, cmd)
        if result is None:
            return
        failed = any(line.startswith("! ") for line in result.lines)
        self._command_output(result.lines, text)
        if not failed:
            self.composer.clear()
        await self.apply(result.view, ask=False)

    def _command_output(self, lines: tuple[str, ...], text: str) -> None:
        if not lines:
            return
        failed = any(line.startswith("! ") for line in lines)
        body = "\n".join(line[2:] if line.startswith("! ") else line for line in lines)
        self.chat.add(NoticeMessage(body, kind="error" if failed else "result", title=text.split(" ", 1)[0]))

    # --- review, end, leave -------------------------------------------------------------------------------------

    def action_review(self) -> None:
        self.app.open_review(from_interview=True)

    def action_end(self) -> None:
        from .dialogs import ConfirmDialog

        if self.view.ended:
            self.app.open_review(from_interview=True)
            return

        def chosen(yes: bool | None) -> None:
            if yes:
                self.app.end_visit()

        self.app.push_screen(ConfirmDialog("End the visit", "End the visit now? Answers can then no longer be "
                                           "added; the ratings can still be accepted or overridden in the review.",
                                           yes="End the visit"), chosen)

    def action_toggle(self, part: str) -> None:
        """Show or hide the agenda outline or the criteria panel (for narrow terminals)."""
        widget = self.query_one(f"#{part}-slot")
        shown = widget.region.width > 0 and widget.display
        widget.styles.display = "none" if shown else "block"

    def action_copy_question(self) -> None:
        cur = self.view.current
        if cur is None:
            self.notify("No question to copy.")
            return
        self.app.copy_to_clipboard(cur.prompt())
        self.notify("Question copied to the clipboard", timeout=2)

    def action_escape(self) -> None:
        """Esc in a panel (the criteria, the agenda, a message) brings focus back to the answer box; Esc in the
        answer box goes back to the visits."""
        if self.focused is not self.composer:
            self.composer.focus()
            return
        self.action_leave()

    def action_leave(self) -> None:
        self.confirm_leave(self.app.leave_visit, "go back to the visits")

    async def ended(self, view: InterviewView) -> None:
        await self.apply(view)



def _when(stamp: str) -> str:
    """A stored UTC time as the adviser's local clock: 14:32 today, else 28 Nov 14:32."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return t.strftime("%H:%M") if t.date() == datetime.now().astimezone().date() else t.strftime("%-d %b %H:%M")


__all__ = ["InterviewScreen"]


async def open_actions(screen: Screen, after: Callable[[], object]) -> None:
    """Open the actions dialog over `screen` (the interview or the review); `after` runs when it closes having
    marked something."""
    from .dialogs import ActionsDialog, marking

    try:
        view = await screen.app.engine.call(Backend.action_list)
    except LaqsError as exc:
        screen.notify(exc.line(), severity="error", timeout=6)
        return

    async def call(action_id: str, status: str, day: str | None, note: str):
        return await screen.app.engine.call(Backend.mark, action_id, status, day, note)

    mark = marking(call)

    def closed(marked: int | None) -> None:
        if marked:
            after()

    screen.app.push_screen(ActionsDialog(view, mark), closed)
