"""A list of rows of fixed-width cells with a row cursor, drawn as lines of text: the regional overview's table.

Textual's DataTable renders and caches every cell through Rich on each change, which made the overview's first
paint cost more than the rest of the screen; these rows are one Content, so 150 LAs draw in a few milliseconds.
Put it in a scrolling container: it keeps the cursor's row in view. Up, Down, Page Up, Page Down, Home and End
move the cursor; Enter or a double click selects.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class RowList(Widget, can_focus=True):
    DEFAULT_CSS = """
    RowList {
        height: auto;
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-100000)", "First", show=False),
        Binding("end", "move(100000)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    cursor_row: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, rows: "RowList", index: int) -> None:
            super().__init__()
            self.rows = rows
            self.index = index

    def __init__(self, widths: list[int], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.widths = widths
        self._rows: list[list[Content]] = []

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: list[list[Content]]) -> None:
        self._rows = rows
        self.cursor_row = min(max(self.cursor_row, 0), max(len(rows) - 1, 0))
        self.refresh(layout=True)

    def row_text(self, index: int) -> list[str]:
        """A row's cells as plain text (trimmed)."""
        return [c.plain.strip() for c in self._rows[index]]

    def header(self, labels: list[str]) -> Content:
        """The column headings laid out to the same widths, for a line above the list."""
        return Content.assemble(*[Content.styled(_fit(label, w), "bold") for label, w in zip(labels, self.widths)])

    # --- keys and the mouse -----------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._rows:
            self.cursor_row = min(max(self.cursor_row + step, 0), len(self._rows) - 1)

    def action_page(self, direction: int) -> None:
        page = max((self.parent.size.height if self.parent else 10) - 1, 1)
        self.action_move(direction * page)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event: Any) -> None:
        if 0 <= event.y < len(self._rows):
            if self.cursor_row == event.y and event.chain >= 2:
                self.action_select()
            self.cursor_row = event.y
            self.focus()

    def watch_cursor_row(self) -> None:
        self.refresh()
        if self.parent is not None and self._rows:
            self.parent.scroll_to_region(Region(0, self.cursor_row, 1, 1), animate=False)  # type: ignore[attr-defined]

    # --- drawing ----------------------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self._rows), 1)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return sum(self.widths)

    def render(self) -> Content:
        if not self._rows:
            return Content("")
        lines = []
        for i, row in enumerate(self._rows):
            line = Content.assemble(*[_cell(c, w) for c, w in zip(row, self.widths)])
            if i == self.cursor_row:  # beneath the cells' own colours, so a RAG cell keeps its colour
                line = line.stylize_before("bold on $primary 45%" if self.has_focus else "on $primary 20%")
            lines.append(line)
        return Content("\n").join(lines)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _cell(content: Content, width: int) -> Content:
    if content.cell_length >= width:
        return content.truncate(max(width - 1, 0), ellipsis=True).pad_right(1)
    return content.pad_right(width - content.cell_length)


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) < width else text[: max(width - 2, 0)] + "… "


__all__ = ["RowList"]
