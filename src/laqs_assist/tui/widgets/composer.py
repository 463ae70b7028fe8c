"""The multi-line answer box. Enter sends; Ctrl+J (every terminal, tmux too) or Shift+Enter (where the terminal
reports it) starts a new line. Alt+Enter reaches Textual as a plain Enter in most terminals, so it is not used."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

NEWLINE_KEYS = ("ctrl+j", "shift+enter", "alt+enter", "ctrl+enter")


class Composer(TextArea):
    # The placeholder says how to send and break lines; the footer keeps its room for Quit, Review, Visits, Help.
    BINDINGS = [
        Binding("enter", "send", "Send", key_display="Enter", show=False),
        Binding("ctrl+j", "newline", "New line", key_display="^J", show=False),
    ]

    class Submitted(Message):
        def __init__(self, composer: "Composer", text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

        @property
        def control(self) -> "Composer":
            return self.composer

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        super().__init__(*args, **kwargs)
        self.input_locked = False

    def render_line(self, y: int) -> Strip:
        # While a resize is being laid out the box can briefly have no room at all, and TextArea's placeholder
        # cannot be wrapped to width 0 (it raises): an empty box with no room draws nothing.
        if self.content_size.width <= 0 and not self.text:
            return Strip.blank(max(self.size.width, 0))
        return super().render_line(y)

    async def _on_key(self, event: events.Key) -> None:
        # TextArea inserts a newline for Enter before any binding is consulted, so the keys are handled here.
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_send()
        elif event.key in NEWLINE_KEYS:
            event.prevent_default()
            event.stop()
            self.action_newline()

    def action_send(self) -> None:
        if self.input_locked:
            return
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        if not self.read_only:
            self.insert("\n")

    def lock_input(self) -> None:
        """While a write is in flight: nothing typed is lost to a half-finished save."""
        self.input_locked = True
        self.read_only = True
        self.add_class("-busy")

    def unlock_input(self) -> None:
        self.input_locked = False
        self.read_only = False
        self.remove_class("-busy")

    def set_text(self, text: str) -> None:
        self.text = text
        self.move_cursor(self.document.end)
