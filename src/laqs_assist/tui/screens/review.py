"""The review: every rating in play per aspect and phase with its explanation; accept it or override it with a
reason; the LA's self-evaluation beside it, disagreements shown; end the visit; draft the note of visit."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, LoadingIndicator, Static

from ...app.views import ReviewView
from ...errors import LaqsError
from ...inert import inert
from ..engine import NA, Backend
from ..widgets.titlebar import TitleBar


def notes_available() -> bool:
    try:
        return importlib.util.find_spec("laqs_assist.notes") is not None
    except (ImportError, ValueError):
        return False


class ReviewScreen(Screen):
    BINDINGS = [
        Binding("a", "accept", "Accept"),
        Binding("o", "override", "Override"),
        Binding("s", "self_evaluation", "LA's view"),
        Binding("w", "summary", "Summary"),
        Binding("d", "draft_note", "Draft note"),
        Binding("f6,m", "actions", "Actions"),
        Binding("e", "end_visit", "End visit"),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, data: ReviewView, from_interview: bool = False) -> None:
        super().__init__(id="review")
        self.data = data
        self.from_interview = from_interview
        self._rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="review-body"):
            yield Static("", id="review-title")
            yield DataTable(id="ratings", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="review-lower"):
                with VerticalScroll(id="rating-detail"):
                    yield Static("", id="detail")
                with VerticalScroll(id="review-actions"):
                    yield Static("", id="actions-list")
            with Horizontal(id="note-bar"):
                yield LoadingIndicator(id="note-busy")
                yield Static("", id="note-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "laqs-assist"
        table = self.query_one(DataTable)
        for label, key, width in (("Aspect", "aspect", 6), ("Phase", "phase", 11), ("Suggested", "suggested", 36),
                                  ("Ceiling", "ceiling", 7), ("Adviser's rating", "adviser", 16),
                                  ("LA's view", "la", 18)):
            table.add_column(label, key=key, width=width)
        self.query_one("#note-busy").display = False
        status = self.query_one("#note-status", Static)
        if notes_available():
            status.update(Content.styled("d drafts the note of visit (a .docx, checked against 2.4's seven features)",
                                         "$text-muted"))
        else:
            status.update(Content.styled("Draft note of visit: the notes module (laqs_assist.notes) is unavailable "
                                         "in this installation.", "$text-warning"))
        self.show(self.data)
        table.focus()

    # --- drawing --------------------------------------------------------------------------------------------

    def show(self, data: ReviewView) -> None:
        self.data = data
        pack = self.app.pack
        v = data.visit
        phases = ", ".join(pack.phase_name(p) for p in v["phases"])
        status = {"ended": "ended", "paused": "paused", "in_progress": "in progress"}.get(v["status"], v["status"])
        self.sub_title = f"review · {v['organisation']} · {v['date']}"
        self.query_one("#review-title", Static).update(Content.assemble(
            ("Ratings ", "bold"), (f"{v['organisation']} · {phases} · {v['date']} · visit {status}", "$text-muted")))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self._rows = [r for r in data.rows if r["rating"].suggestion != NA]
        for r in self._rows:
            rating = r["rating"]
            sug = _label(pack, rating.suggestion) if rating.suggestion else Content.styled("none yet", "italic")
            ceil = _short_label(pack, rating.ceiling) if rating.ceiling and rating.ceiling != NA else Content("—")
            if r["override"]:
                adviser = Content.assemble(_short_label(pack, r["override"]), (" overridden", "$text-warning"))
            elif r["accepted"] and r["standing"] == "agreed":
                adviser = Content.assemble(_short_label(pack, r["final"]) if r["final"] else Content("—"),
                                           (" accepted", "$text-success"))
            else:
                adviser = Content.styled("to decide", "$text-muted")
            la = (_short_label(pack, r["self_evaluation"]) if r["self_evaluation"]
                  else Content.styled("—", "$text-muted"))
            if r["disagrees"]:
                la = Content.assemble(la, (" ≠ disagrees", "bold $text-error"))
            table.add_row(r["aspect"], pack.phase_name(r["phase"]), sug, ceil, adviser, la,
                          key=f"{r['aspect']}|{r['phase']}")
        if self._rows:
            table.move_cursor(row=min(max(keep, 0), len(self._rows) - 1))
        self._detail()
        self._actions()

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self._rows:
            return None
        row = table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        pack = self.app.pack
        box = self.query_one("#detail", Static)
        r = self._current()
        if r is None:
            box.update(Content.styled("Nothing rated yet: judge some criteria in the interview first (Esc goes back)."
                                      if not self.data.rows else "Every aspect in play is N/A for these phases.",
                                      "$text-muted"))
            return
        rating = r["rating"]
        aspect = pack.aspects[r["aspect"]]
        lines: list = [Content.assemble((f"{aspect.id} ", "bold"), aspect.title, (f" — {pack.phase_name(r['phase'])}",
                                                                                   "bold"))]
        lines.append(Content.assemble(("Suggested: ", "bold"), _label(pack, rating.suggestion) if rating.suggestion
                                      else Content("none yet"), ("  ceiling: ", "bold"),
                                      _label(pack, rating.ceiling) if rating.ceiling else Content("—")))
        lines.append(Content.assemble(("Why: ", "bold"), rating.reason))
        if rating.ceiling_assumes:
            lines.append(Content.assemble(("The ceiling assumes: ", "bold"), rating.ceiling_assumes))
        for i, x in enumerate(rating.lift):
            lines.append(Content.assemble(("To lift: " if i == 0 else "And: ", "bold"), x))
        for w in rating.warnings:
            lines.append(Content.assemble(("! ", "bold $text-warning"), (w.message, "$text-warning")))
        if r["override"]:
            lines.append(Content.assemble(("Overridden to ", "bold $text-warning"), _label(pack, r["override"]),
                                          (": ", ""), inert(r["override_reason"])))
            if r["criteria_say"]:
                lines.append(Content.assemble(("The criteria: ", "bold"), r["criteria_say"]))
        elif r["accepted"] and r["standing"] == "agreed":
            lines.append(Content.styled("The suggestion is accepted.", "$text-success"))
        lines.append(Content.assemble(("The year's rating rests on: ", "bold"), r["rests_on"]))
        if r["self_evaluation"]:
            lines.append(Content.assemble(("The LA's self-evaluation: ", "bold"), _label(pack, r["self_evaluation"])))
            if r["disagrees"]:
                final = _label(pack, r["final"]) if r["final"] else Content("—")
                lines.append(Content.assemble(("≠ It differs from the adviser's rating (", "bold $text-error"), final,
                                              (")", "bold $text-error")))
        box.update(Content("\n").join(lines))

    def _actions(self) -> None:
        box = self.query_one("#actions-list", Static)
        if not self.data.actions:
            box.update(Content.styled("Agreed actions: none yet. m follows up earlier visits' actions.",
                                      "$text-muted"))
            return
        lines: list = [Content.assemble((f"Agreed actions ({len(self.data.actions)})", "bold"),
                                        ("  m marks them done, dropped or carried forward", "$text-muted"))]
        for a in self.data.actions:
            who = a["owner"] or "no owner"
            when = a["due_date"] or "no date"
            status = {"done": ("done", "$text-success"), "dropped": ("dropped", "$text-muted"),
                      "carried": ("carried forward", "$text-warning")}.get(a["status"])
            overdue = a.get("overdue")
            lines.append(Content.assemble("• ", inert(a["text"]), (inert(f" — {who}, {when}"), "$text-muted"),
                                          (f" [{status[0]}]", status[1]) if status else "",
                                          (" overdue", "bold $text-error") if overdue else ""))
        box.update(Content("\n").join(lines))

    @work(group="engine")
    async def action_actions(self) -> None:
        """The actions to follow up (this visit's and earlier visits'), to mark."""
        from .interview import open_actions

        await open_actions(self, self.reload)

    @work(group="engine")
    async def reload(self) -> None:
        err = await self._write(Backend.review)
        if err:
            self.notify(err, severity="error", timeout=6)

    # --- the writes -----------------------------------------------------------------------------------------

    async def _write(self, fn, *args) -> str | None:
        try:
            data = await self.app.engine.call(fn, *args)
        except LaqsError as exc:
            return exc.line()
        except Exception as exc:  # noqa: BLE001
            return f"not saved: {type(exc).__name__}: {exc}"
        self.show(data)
        return None

    @work(group="engine")
    async def action_accept(self) -> None:
        r = self._current()
        if r is None:
            return
        err = await self._write(Backend.accept, r["aspect"], r["phase"])
        if err:
            self.notify(err, severity="error", timeout=6)

    def action_override(self) -> None:
        r = self._current()
        if r is None:
            return

        async def save(column: str, reason: str) -> str | None:
            return await self._write(Backend.override, r["aspect"], r["phase"], column, reason)

        self._column_dialog(f"Override {r['aspect']} {self.app.pack.phase_name(r['phase'])}",
                            r["override"] or r["rating"].suggestion, save, reason_needed=True)

    def action_self_evaluation(self) -> None:
        r = self._current()
        if r is None:
            return

        async def save(column: str, _reason: str) -> str | None:
            return await self._write(Backend.self_evaluation, r["aspect"], r["phase"], column)

        self._column_dialog(f"The LA's self-evaluation: {r['aspect']} {self.app.pack.phase_name(r['phase'])}",
                            r["self_evaluation"], save, reason_needed=False)

    def _column_dialog(self, title: str, current: str | None, save, reason_needed: bool) -> None:
        """Choose one of the pack's columns (with a reason where one is needed) and save it."""
        from .dialogs import OverrideDialog

        columns = [(c.id, c.label) for c in self.app.pack.columns]
        self.app.push_screen(OverrideDialog(title, columns, current, save, reason_needed=reason_needed))

    @work(group="engine")
    async def action_summary(self) -> None:
        """w: write the summary the note gives (key findings per aspect and overall), from the draft if none yet."""
        from .dialogs import SummaryDialog

        try:
            mine, draft = await self.app.engine.call(Backend.summary)
        except LaqsError as exc:
            self.notify(exc.line(), severity="error", timeout=6)
            return

        async def save(text: str) -> str | None:
            try:
                await self.app.engine.call(Backend.set_summary, text)
            except LaqsError as exc:
                return exc.line()
            return None

        def saved(text: str | None) -> None:
            if text is not None:
                self.notify("Summary saved: the note of visit gives it." if text.strip() else
                            "Summary cleared: the note gives its draft again.", timeout=4)

        self.app.push_screen(SummaryDialog(mine or "\n".join(draft), not mine, save), saved)

    def action_end_visit(self) -> None:
        from .dialogs import ConfirmDialog

        if self.data.visit["status"] == "ended":
            self.notify("This visit has already ended.")
            return

        def chosen(yes: bool | None) -> None:
            if yes:
                self.end_visit()

        self.app.push_screen(ConfirmDialog("End the visit", "End the visit now? Answers can then no longer be "
                                           "added; the ratings can still be accepted or overridden here.",
                                           yes="End the visit"), chosen)

    @work(group="engine")
    async def end_visit(self) -> None:
        err = await self._write(Backend.end)
        if err:
            self.notify(err, severity="error", timeout=6)
            return
        self.notify("Visit ended: every rating in play is kept with it.", timeout=4)
        self.app.visit_ended()

    @work(group="note", exclusive=True)
    async def action_draft_note(self) -> None:
        """Draft the note of visit; when one was drafted already, ask, then draft it again beside the earlier
        file (which is never touched: it may have been edited in Word)."""
        from .dialogs import ConfirmDialog

        status = self.query_one("#note-status", Static)
        if not notes_available():
            status.update(Content.styled("Draft note of visit: the notes module (laqs_assist.notes) is unavailable "
                                         "in this installation.", "$text-warning"))
            self.notify("The notes module is unavailable: no note can be drafted here.", severity="warning")
            return
        try:
            drafts = await self.app.engine.call(Backend.note_drafts)
        except LaqsError as exc:
            status.update(Content.styled(f"note not written: {exc.line()}", "$text-error"))
            return
        if not drafts:
            self.draft_note(False)
            return
        last = Path(drafts[-1])
        first = Path(drafts[0])
        nxt = f"{first.stem}-{len(drafts) + 1}{first.suffix}"
        count = f"{len(drafts)} drafts" if len(drafts) > 1 else "a draft"

        def chosen(yes: bool | None) -> None:
            if yes:
                self.draft_note(True)

        self.app.push_screen(ConfirmDialog(
            "Draft the note again", f"This visit's note of visit has {count} already; the latest is\n{last}\n\n"
            f"Draft it again from what the visit holds now? The earlier file is kept as it is (with any changes "
            f"made to it in Word); the new one is written beside it as {nxt}.", yes="Draft again"), chosen)

    @work(group="note", exclusive=True)
    async def draft_note(self, again: bool) -> None:
        from .dialogs import NoteDialog

        status = self.query_one("#note-status", Static)
        busy = self.query_one("#note-busy")
        busy.display = True
        status.update("Drafting the note of visit again…" if again else "Drafting the note of visit…")
        try:
            note = await self.app.engine.call(Backend.write_note, None, False, again)
        except LaqsError as exc:
            status.update(Content.styled(f"note not written: {exc.line()}", "$text-error"))
            self.notify(exc.line(), severity="error", timeout=8)
            return
        except Exception as exc:  # noqa: BLE001
            status.update(Content.styled(f"note not written: {type(exc).__name__}: {exc}", "$text-error"))
            return
        finally:
            busy.display = False
        failed = sum(1 for ok, _ in note.checks if ok is False)
        status.update(Content.assemble(("Note of visit: ", "bold"), note.path,
                                       (f"  ({failed} quality check{'s' if failed != 1 else ''} to look at)"
                                        if failed else "  (quality checks passed)" if note.checks else "",
                                        "$text-warning" if failed else "$text-success"),
                                       (f"  the earlier draft is kept: {Path(note.earlier).name}"
                                        if note.earlier else "", "$text-muted")))
        self.app.push_screen(NoteDialog(note.path, note.checks))

    def action_back(self) -> None:
        self.app.close_review(self)


def _label(pack, column_id: str | None) -> Content:
    if column_id is None:
        return Content("—")
    if column_id == NA:
        return Content("N/A")
    col = pack.column(column_id)
    style = {"G": "$text-success", "A": "$text-warning", "R": "$text-error"}.get(col.rag, "")
    return Content.styled(f"{col.id} {col.label}", style)


def _short_label(pack, column_id: str | None) -> Content:
    if column_id is None:
        return Content("—")
    if column_id == NA:
        return Content("N/A")
    col = pack.column(column_id)
    style = {"G": "$text-success", "A": "$text-warning", "R": "$text-error"}.get(col.rag, "")
    return Content.styled(col.id, f"bold {style}")
