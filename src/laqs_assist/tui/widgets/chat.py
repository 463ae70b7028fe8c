"""The chat log: one widget per message. The assistant asks; the adviser's answers come back acknowledged."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ...inert import inert


class ChatMessage(Static, can_focus=True):
    """A message in the log. Focus it (Tab or a click) and press c to copy its text (OSC 52)."""

    BINDINGS = [Binding("c", "copy", "Copy")]

    def __init__(self, body: Content | str, *, copy_text: str, classes: str = "", title: str = "") -> None:
        super().__init__(body if isinstance(body, Content) else Content(body), classes=classes)
        self.copy_text = copy_text
        if title:
            self.border_title = title

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.copy_text)
        self.app.notify("Copied to the clipboard", timeout=2)


class QuestionMessage(ChatMessage):
    """The assistant's question (or probe), with its place in the agenda."""

    def __init__(self, *, item_id: str, label: str, aspect: str, prompt: str, hint: str = "", recorded: str = "",
                 counter: str = "", probe: bool = False, flagged: bool = False) -> None:
        parts: list = [Content(prompt)]
        if hint:
            parts += ["\n", Content.styled(hint, "italic $text-muted")]
        if recorded:
            parts += ["\n", Content.styled("recorded: ", "bold $text-muted"),
                      Content.styled(inert(recorded), "$text-muted"),
                      Content.styled("  ⚑ concerns an individual" if flagged else "", "bold $warning"),
                      "\n", Content.styled("answer again to replace it, or Ctrl+S to keep it and move on",
                                           "italic $text-muted")]
        # Most telling first: the border title is cut at the bubble's width.
        title = " · ".join(x for x in (label, counter, aspect) if x)
        super().__init__(Content.assemble(*parts), copy_text=prompt, title=title,
                         classes="question -probe" if probe else "question")
        self.item_id = item_id


class AnswerMessage(ChatMessage):
    """The adviser's answer, shown once it is on disk ("✓ saved"). Focus it: e edits it, f flags it."""

    BINDINGS = [Binding("e", "edit", "Edit"), Binding("f", "flag", "Flag")]

    class EditRequested(Message):
        def __init__(self, response_id: str, text: str) -> None:
            super().__init__()
            self.response_id = response_id
            self.text = text

    class FlagRequested(Message):
        def __init__(self, response_id: str) -> None:
            super().__init__()
            self.response_id = response_id

    def __init__(self, *, response_id: str, text: str, hints: tuple[str, ...] = (), flagged: bool = False,
                 label: str = "Adviser", edited: bool = False) -> None:
        self.response_id = response_id
        self.text = text
        self.hints = hints
        self.flagged = flagged
        self.edited = edited
        super().__init__(self._body(), copy_text=text, title=label, classes="answer")
        self._sync_classes()

    def _body(self) -> Content:
        parts: list = [Content(inert(self.text))]
        status = "✓ saved" + (" (edited)" if self.edited else "")
        parts += ["\n", Content.styled(status, "$success")]
        if self.flagged:
            parts += ["  ", Content.styled("⚑ concerns an individual: kept out of shared notes", "bold $warning")]
        if self.hints:
            parts += ["\n", Content.styled("may bear on: " + ", ".join(self.hints), "italic $text-muted")]
        return Content.assemble(*parts)

    def _sync_classes(self) -> None:
        self.set_class(self.flagged, "-flagged")

    def set_flagged(self, flagged: bool) -> None:
        self.flagged = flagged
        self._sync_classes()
        self.update(self._body())

    def set_text(self, text: str) -> None:
        self.text = text
        self.copy_text = text
        self.edited = True
        self.update(self._body())

    def action_edit(self) -> None:
        self.post_message(self.EditRequested(self.response_id, self.text))

    def action_flag(self) -> None:
        self.post_message(self.FlagRequested(self.response_id))


class NoticeMessage(ChatMessage):
    """What the assistant says that is not a question: acknowledgements, command output, re-asks."""

    def __init__(self, text: str, *, kind: str = "info", title: str = "") -> None:
        super().__init__(Content(inert(text)), copy_text=text, classes=f"notice -{kind}", title=title)


class ChatLog(VerticalScroll, can_focus=False):
    """Messages in order; the newest is kept in view (anchored to the bottom as messages grow; a new message
    brings the view back down if the adviser had scrolled up to read)."""

    def on_mount(self) -> None:
        self.anchor()

    def add(self, *messages: ChatMessage) -> None:
        self.mount_all(messages)
        self.anchor()
        self.call_after_refresh(self.anchor)

    def answers(self) -> list[AnswerMessage]:
        return list(self.query(AnswerMessage))

    def answers_for(self, response_id: str) -> list[AnswerMessage]:
        """Every bubble of one answer (a question answered again after going back shows it twice)."""
        return [m for m in self.query(AnswerMessage) if m.response_id == response_id]

    def answer_for(self, response_id: str) -> AnswerMessage | None:
        for m in self.query(AnswerMessage):
            if m.response_id == response_id:
                return m
        return None
