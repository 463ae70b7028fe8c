"""Shown instead of any screen while the terminal is smaller than the app can lay out usefully."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

# The interview needs room for a question, the answer box and a footer: below this it is unreadable.
MIN_WIDTH = 50
MIN_HEIGHT = 15


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen):
    """A plain line saying what size is needed; the app comes back as it was once the window grows. Nothing is
    lost meanwhile: the screen underneath keeps its state (and its unsent draft)."""

    BINDINGS = []  # every key waits; Ctrl+Q still quits (the app's own binding)

    def compose(self) -> ComposeResult:
        yield Static(f"terminal too small (needs {MIN_WIDTH}×{MIN_HEIGHT})", id="too-small")

    def on_mount(self) -> None:
        self.update_size()

    def on_resize(self) -> None:
        self.update_size()

    def on_screen_resume(self) -> None:
        # Left at the bottom of a stack that has since been popped down to it, after the window grew.
        if not too_small(*self.app.size):
            self.app.call_later(self.app.pop_screen)

    def update_size(self) -> None:
        w, h = self.app.size
        self.query_one("#too-small", Static).update(
            f"terminal too small (needs {MIN_WIDTH}×{MIN_HEIGHT}, now {w}×{h}): make the window larger")
