"""The append-only event log: one entry for every change, in the change's own commit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .values import dump, new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class EventTables(_Base):
    def log(self, event: str, *, visit_id: str | None = None, entity: str | None = None, **payload: Any) -> None:
        self._insert("events", {"id": new_id(), "at": now(), "visit_id": visit_id, "kind": event, "entity": entity,
                                "payload": dump(payload)})

    def events(self, visit_id: str) -> list[dict[str, Any]]:
        out = self._rows("SELECT * FROM events WHERE visit_id = ? ORDER BY seq", [visit_id])
        for r in out:
            r["payload"] = json.loads(r["payload"]) if r["payload"] else {}
        return out
