"""The RAG dashboard as the seed draws it: a row per phase with a cell per aspect, each group's roll-up for the
phase beneath it, and the overall roll-up last; the colours are the theme's (success, warning, error), so every
theme draws it. One widget, drawn as lines of text (no child widget per cell), so the first paint stays cheap.

The grid is given plain cells; the arrows move a cursor over them, Enter (or a click) selects one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

NA = "N/A"

# The theme's colour for each RAG letter a pack gives its columns.
RAG_STYLE = {"G": "bold $text on $success 45%", "A": "bold $text on $warning 45%", "R": "bold $text on $error 50%"}
NA_STYLE = "$text-muted"
BLANK_STYLE = "$text-disabled"


class GridCell(NamedTuple):
    """One cell: an aspect in a phase, a group's roll-up in a phase, or a group's overall roll-up.

    kind is "aspect", "group" or "overall"; phase is None for "overall"; ident is the aspect or group id."""

    kind: str
    phase: str | None
    ident: str
    column: str | None  # the rating held (a column id), N/A, or None (nothing rated)
    suggestion: str | None = None  # the engine's suggestion where the adviser's rating differs from it
    marks: str = ""  # "*" the adviser's override, "=" agreed, "!" the sources disagree
    rated: tuple[int, int] | None = None  # a roll-up: (aspects rated, aspects that apply)

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.kind, self.phase, self.ident)


class GridModel(NamedTuple):
    """What the grid draws: the phases (id, name), the groups (id, title, aspect ids) and the cells by key."""

    phases: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, str, tuple[str, ...]], ...]
    cells: dict[tuple[str, str | None, str], GridCell]


class RagGrid(Widget, can_focus=True):
    """The dashboard grid. `columns` maps a column id to (short label, long label, RAG letter)."""

    DEFAULT_CSS = """
    RagGrid {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    RagGrid:focus {
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("enter", "select", "Open cell", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    class Highlighted(Message):
        def __init__(self, grid: "RagGrid", cell: GridCell | None) -> None:
            super().__init__()
            self.grid = grid
            self.cell = cell

    class Selected(Message):
        def __init__(self, grid: "RagGrid", cell: GridCell) -> None:
            super().__init__()
            self.grid = grid
            self.cell = cell

    def __init__(self, columns: dict[str, tuple[str, str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self.model: GridModel | None = None
        self._rows: list[list[GridCell]] = []  # the cursor's rows: each a list of selectable cells, left to right
        self._boxes: list[tuple[int, int, int, int, int]] = []  # (y, x0, x1, row, col) of the last render

    # --- data -------------------------------------------------------------------------------------------------

    def show(self, model: GridModel, keep: tuple[str, str | None, str] | None = None) -> None:
        self.model = model
        rows: list[list[GridCell]] = []
        for pid, _ in model.phases:
            rows.append([model.cells[("aspect", pid, a)] for _, _, aspects in model.groups for a in aspects
                         if ("aspect", pid, a) in model.cells])
            rows.append([model.cells[("group", pid, g)] for g, _, _ in model.groups
                         if ("group", pid, g) in model.cells])
        rows.append([model.cells[("overall", None, g)] for g, _, _ in model.groups
                     if ("overall", None, g) in model.cells])
        self._rows = [r for r in rows if r]
        where = self._find(keep) if keep else None
        self.cursor = where or self._clamp(self.cursor)
        self.refresh(layout=True)
        self.post_message(self.Highlighted(self, self.current))

    def _find(self, key: tuple[str, str | None, str]) -> tuple[int, int] | None:
        for y, row in enumerate(self._rows):
            for x, cell in enumerate(row):
                if cell.key == key:
                    return (x, y)
        return None

    def _clamp(self, pos: tuple[int, int]) -> tuple[int, int]:
        if not self._rows:
            return (0, 0)
        y = min(max(pos[1], 0), len(self._rows) - 1)
        return (min(max(pos[0], 0), len(self._rows[y]) - 1), y)

    @property
    def current(self) -> GridCell | None:
        if not self._rows:
            return None
        x, y = self._clamp(self.cursor)
        return self._rows[y][x]

    def move_to(self, key: tuple[str, str | None, str]) -> bool:
        where = self._find(key)
        if where:
            self.cursor = where
        return where is not None

    # --- keys and the mouse -----------------------------------------------------------------------------------

    def action_move(self, dx: int, dy: int) -> None:
        if not self._rows:
            return
        x, y = self._clamp(self.cursor)
        if dy:
            # Keep to the same place across rows of different lengths: by the cell's share of the row.
            ny = min(max(y + dy, 0), len(self._rows) - 1)
            if ny != y:
                old, new = len(self._rows[y]), len(self._rows[ny])
                x = min(new - 1, (x * new) // max(old, 1)) if old != new else x
            y = ny
        else:
            x = min(max(x + dx, 0), len(self._rows[y]) - 1)
        self.cursor = (x, y)

    def watch_cursor(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        self.refresh()
        if old != new:
            self.post_message(self.Highlighted(self, self.current))

    def action_select(self) -> None:
        cell = self.current
        if cell is not None:
            self.post_message(self.Selected(self, cell))

    def on_click(self, event: Any) -> None:
        # Offsets inside the widget's content (its padding is one column on each side).
        x, y = event.x - 1, event.y
        for by, x0, x1, row, col in self._boxes:
            if by == y and x0 <= x < x1:
                if self.cursor == (col, row) and event.chain >= 2:
                    self.action_select()
                self.cursor = (col, row)
                self.focus()
                return

    # --- drawing ----------------------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.model is None:
            return 1
        return 2 + 2 * len(self.model.phases) + 1 + 1

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def _layout(self, width: int) -> tuple[int, int, bool]:
        """(the label column's width, an aspect cell's width, long phase names?) for the width available."""
        assert self.model is not None
        n = sum(len(a) for _, _, a in self.model.groups)
        seps = 2 * max(len(self.model.groups) - 1, 0)
        long_names = max((len(name) for _, name in self.model.phases), default=5) + 1
        for label_w, names in ((max(long_names, 12), True), (8, False)):
            cell_w = (width - label_w - seps) // max(n, 1)
            if cell_w >= 6 or (not names and cell_w >= 4):
                return label_w, min(cell_w, 9), names
        return 8, 4, False  # narrower than the grid: the screen scrolls it sideways

    def _text(self, cell: GridCell, width: int) -> Content:
        """An aspect's cell: its rating on the RAG colour, then one blank column so neighbours stay apart."""
        col = cell.column
        inner = width - 1
        if col is None:
            return Content.styled(" —".ljust(width), BLANK_STYLE)
        if col == NA:
            return Content.styled(" N/A".ljust(width)[:width], NA_STYLE)
        short, _, rag = self.columns.get(col, (col, col, ""))
        text = short
        if cell.suggestion and cell.suggestion != col:
            sug = self.columns.get(cell.suggestion, (cell.suggestion,))[0] if cell.suggestion != NA else NA
            if len(f" {short}/{sug}{cell.marks}") <= inner:
                text = f"{short}/{sug}"
        text = f" {text}{cell.marks}"[:inner]
        return Content.assemble(Content.styled(text.ljust(inner), RAG_STYLE.get(rag, "")), " ")

    def _rollup_text(self, cell: GridCell | None, width: int) -> Content:
        """A roll-up across its group's columns: its rating (the long label where it fits) and how many aspect
        ratings it rests on, shorter as the room shrinks; one blank column at the end."""
        if cell is None:
            return Content(" " * width)
        room = width - 1
        n, m = cell.rated or (0, 0)
        counts = [f" ({n} of {m})", f" {n}/{m}", ""] if cell.rated else [""]
        col = cell.column
        if col is None or col == NA:
            words = ["not yet rated", "—"] if col is None else [NA]
            for w in words:
                for c in counts:
                    if len(" " + w + c) <= room:
                        return Content.styled((" " + w + c).ljust(width), BLANK_STYLE)
            return Content.styled((" " + words[-1]).ljust(width)[:width], BLANK_STYLE)
        short, long, rag = self.columns.get(col, (col, col, ""))
        # The long label with the counts, else the short one (every roll-up of a width reads alike), counts shorter.
        for label, c in [(long, counts[0])] + [(short, c) for c in counts]:
            if len(label) + 2 + len(c) <= room:
                body = Content.styled(f" {label} ", RAG_STYLE.get(rag, ""))
                tail = Content.styled(c, "$text-muted")
                return Content.assemble(body, tail, " " * (width - body.cell_length - tail.cell_length))
        return Content.assemble(Content.styled(f" {short}"[:room], RAG_STYLE.get(rag, "")), " ").pad_right(
            max(width - room - 1, 0))

    def render(self) -> Content:
        self._boxes = []
        if self.model is None:
            return Content.styled("loading…", "$text-muted")
        width = max(self.size.width, 20)
        label_w, cell_w, names = self._layout(width)
        groups = self.model.groups
        cur = self._clamp(self.cursor)
        lines: list[Content] = []
        sep = Content.styled("│ ", "$text-muted")

        def mark(content: Content, row: int, col: int, x0: int) -> Content:
            self._boxes.append((len(lines), x0, x0 + content.cell_length, row, col))
            if (col, row) == cur:
                return content.stylize("reverse" if self.has_focus else "underline")
            return content

        # Headings: each group's title over its aspects, then the aspect ids.
        head: list[Content] = [Content(" " * label_w)]
        ids: list[Content] = [Content.styled("Phase".ljust(label_w), "bold")]
        for i, (gid, title, aspects) in enumerate(groups):
            span = cell_w * len(aspects)
            if i:
                head.append(Content("  "))
                ids.append(sep)
            head.append(Content.styled(_fit(f"{gid}. {title}", span), "bold $text-muted"))
            ids.append(Content.styled("".join(f" {a}".ljust(cell_w) for a in aspects), "bold"))
        lines.append(Content.assemble(*head))
        lines.append(Content.assemble(*ids))

        row_no = 0
        for pid, pname in self.model.phases:
            parts: list[Content] = [Content(_fit(pname if names else pid, label_w))]
            x = label_w
            col_no = 0
            for i, (_gid, _, aspects) in enumerate(groups):
                if i:
                    parts.append(sep)
                    x += 2
                for a in aspects:
                    cell = self.model.cells.get(("aspect", pid, a))
                    if cell is None:
                        parts.append(Content(" " * cell_w))
                    else:
                        parts.append(mark(self._text(cell, cell_w), row_no, col_no, x))
                        col_no += 1
                    x += cell_w
            lines.append(Content.assemble(*parts))
            row_no += 1
            parts = [Content.styled(_fit("  overall" if names else " overall", label_w), "italic")]
            x = label_w
            for i, (gid, _, aspects) in enumerate(groups):
                if i:
                    parts.append(sep)
                    x += 2
                span = cell_w * len(aspects)
                parts.append(mark(self._rollup_text(self.model.cells.get(("group", pid, gid)), span), row_no, i, x))
                x += span
            lines.append(Content.assemble(*parts))
            row_no += 1
        parts = [Content.styled(_fit("Overall", label_w), "bold")]
        x = label_w
        for i, (gid, _, aspects) in enumerate(groups):
            if i:
                parts.append(sep)
                x += 2
            span = cell_w * len(aspects)
            parts.append(mark(self._rollup_text(self.model.cells.get(("overall", None, gid)), span), row_no, i, x))
            x += span
        lines.append(Content.assemble(*parts))
        legend = ("* the adviser's rating (/ the suggestion where they differ) · = agreed · ! the sources disagree · "
                  "— not yet rated")
        for shorter in ("* adviser's rating /suggestion · = agreed · ! sources disagree · — not rated",
                        "* adviser's rating · = agreed · ! sources disagree · — not rated",
                        "* adviser · = agreed · ! disagree · — none"):
            if len(legend) <= width - 2:
                break
            legend = shorter
        lines.append(Content.styled(_fit(legend, width - 2), "$text-muted"))
        return Content("\n").join(lines)


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text.ljust(width) if len(text) <= width else text[: max(width - 1, 0)] + "…"


__all__ = ["GridCell", "GridModel", "NA", "RAG_STYLE", "RagGrid"]
