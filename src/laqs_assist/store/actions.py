"""Actions agreed at a visit, and what became of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class ActionTables(_Base):
    def add_action(self, visit: dict[str, Any], text: str, owner: str = "", due_date: str | None = None,
                   aspect_id: str | None = None) -> dict[str, Any]:
        stamp = now()
        row = {"id": new_id(), "visit_id": visit["id"], "organisation_id": visit["organisation_id"],
               "aspect_id": aspect_id, "text": text, "owner": owner, "due_date": due_date, "status": "open",
               "created_at": stamp, "updated_at": stamp}
        with self.write():
            self._insert("actions", row)
            self.log("action.add", visit_id=visit["id"], entity=row["id"], text=text, owner=owner, due=due_date)
        return row

    def update_action(self, action_id: str, **fields: Any) -> None:
        old = self._row("SELECT * FROM actions WHERE id = ?", [action_id])
        if old is None:
            raise UsageError(f"no action '{action_id}'")
        if "status" in fields and fields["status"] not in ("open", "done", "dropped"):
            raise UsageError(f"an action is open, done or dropped, not '{fields['status']}'")
        fields["updated_at"] = now()
        with self.write():
            self._update("actions", action_id, fields)
            self.log("action.update", visit_id=old["visit_id"], entity=action_id,
                     **{k: v for k, v in fields.items() if k != "updated_at"})

    def actions(self, visit_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM actions WHERE visit_id = ? ORDER BY created_at, rowid", [visit_id])
