"""A visit's actions: what someone agreed to do, by whom and by when, against an aspect."""

from __future__ import annotations

from typing import Any

from ..answers import parse_answer
from ..errors import UsageError
from .base import SessionParts


class Actions(SessionParts):
    def add_action(self, text: str, owner: str = "", due: str | None = None,
                   aspect_id: str | None = None) -> dict[str, Any]:
        self._require_open(allow_ended=True)
        text = text.strip()
        if not text:
            raise UsageError("an action needs a description: /action TEXT | OWNER | DUE DATE")
        due_iso = parse_answer("date", due) if due and due.strip() else None
        if aspect_id is not None and aspect_id not in self.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        aspect_id = aspect_id or (self.current().aspect_id if self.current() else None)
        row = self.store.add_action(self.visit, text, owner.strip(), due_iso, aspect_id)
        self.refresh()
        return row

    def actions(self) -> list[dict[str, Any]]:
        return self.store.actions(self.id)
