"""The agenda outline: the visit's aspects in running order, with coverage this visit and this year.
Choosing an aspect jumps to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...app.views import InterviewView
from ...inert import short as _short

if TYPE_CHECKING:
    from ...packs.model import Pack



class AgendaOutline(OptionList):
    class JumpRequested(Message):
        def __init__(self, aspect_id: str) -> None:
            super().__init__()
            self.aspect_id = aspect_id

    def __init__(self, pack: "Pack", **kwargs) -> None:
        super().__init__(**kwargs)
        self.pack = pack
        self.border_title = "Agenda"
        self._signature: tuple = ()
        self._order: list[str] = []
        # The first build is sized as if the outline had not been laid out yet (as it used to be, before the
        # screen deferred it to after the first paint), so the settled screen is the same.
        self._built = False

    def show(self, view: InterviewView) -> None:
        order: list[str] = []
        counts: dict[str, list[int]] = {}
        for item in view.items:
            if item.aspect_id not in counts:
                order.append(item.aspect_id)
                counts[item.aspect_id] = [0, 0]
            if item.kind == "question":
                counts[item.aspect_id][1] += 1
                if item.status != "pending":
                    counts[item.aspect_id][0] += 1
        current = view.current.aspect_id if view.current else None
        signature = (tuple(order), tuple(tuple(counts[a]) for a in order),
                     tuple(view.year_coverage.get(a, 0) for a in order))
        self.border_title = f"Agenda {view.done}/{view.total}"
        if signature != self._signature:
            self._signature = signature
            self._order = order
            highlighted = self.highlighted
            self.clear_options()
            self.add_options([self._option(a, counts[a], view.year_coverage.get(a, 0)) for a in order])
            self._built = True
            if highlighted is not None and highlighted < len(order):
                self.highlighted = highlighted
        if current in self._order:
            self.highlighted = self._order.index(current)

    def _option(self, aspect_id: str, count: list[int], year: int) -> Option:
        done, total = count
        tick = "✓" if total and done == total else "◐" if done else "○"
        style = "$success" if tick == "✓" else "$warning" if tick == "◐" else "$text-muted"
        title = self.pack.aspects[aspect_id].title
        width = max(12, ((self.size.width if self._built else 0) or 25) - 5)
        prompt = Content.assemble((tick + " ", style), (aspect_id, "bold"), (f" {done}/{total}", ""),
                                  (f" · yr {year}", "$text-muted"), "\n", (_short(title, width), "$text-muted"))
        return Option(prompt, id=f"o-{aspect_id.replace('.', '_')}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        idx = event.option_index
        if 0 <= idx < len(self._order):
            self.post_message(self.JumpRequested(self._order[idx]))
