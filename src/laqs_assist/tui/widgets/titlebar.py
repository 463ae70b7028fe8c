"""The line at the top of every screen: the screen's title and what it is about (the organisation, the agenda,
the phases and the date of the visit). One widget, where Textual's Header builds four and a clock slot: the
interview's first paint is the one the adviser waits for."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class TitleBar(Static):
    """Shows the screen's `title` and `sub_title` (falling back to the app's), kept up to date as they change."""

    def on_mount(self) -> None:
        self.watch(self.screen, "title", self._show, init=False)
        self.watch(self.screen, "sub_title", self._show, init=False)
        self._show()

    def _show(self, _value: object = None) -> None:
        screen = self.screen
        title = screen.title if screen.title is not None else self.app.title
        sub = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        parts: list = [Content.styled(title, "bold")]
        if sub:
            parts += [Content.styled(" — ", "$text-muted"), Content(sub)]
        self.update(Content.assemble(*parts))
