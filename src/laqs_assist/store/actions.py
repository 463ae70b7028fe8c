"""Actions agreed at a visit, and what became of them: an append-only history of updates (migration 0007).

An action's status is its latest update by (created_at, id), else "open"; its due date is that of the latest
update that set one (a carry forward to a new date), else the date agreed. Every read here gives an action with:

    status         open | done | dropped | carried (carried forward)
    due_date       the due date now; agreed_due the date agreed at the visit
    status_date    the day the latest update says it happened (ISO), None while never marked
    status_note    that update's note ("" when none)
    status_visit_id, status_at   the visit it was marked at (None outside a visit) and when it was recorded
    visit_date     the date of the visit that agreed it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object

STATUSES = ("open", "done", "dropped", "carried")
OUTSTANDING = ("open", "carried")  # still to be done: overdue once its due date has passed

_LATEST = ("SELECT u.id FROM action_updates u WHERE u.action_id = a.id ORDER BY u.created_at DESC, u.id DESC "
           "LIMIT 1")
_DUE = ("SELECT u.due_date FROM action_updates u WHERE u.action_id = a.id AND u.due_date IS NOT NULL "
        "ORDER BY u.created_at DESC, u.id DESC LIMIT 1")
# An action's due date now, as SQL over `actions a`: the latest carry forward's new date, else the date agreed.
DUE_NOW = "coalesce((" + _DUE + "), a.due_date)"
_SELECT = (
    "SELECT a.id, a.visit_id, a.organisation_id, a.aspect_id, a.text, a.owner, a.created_at, a.updated_at, "
    "a.due_date AS agreed_due, " + DUE_NOW + " AS due_date, "
    "coalesce(l.status, 'open') AS status, l.on_date AS status_date, coalesce(l.note, '') AS status_note, "
    "l.visit_id AS status_visit_id, l.created_at AS status_at, v.date AS visit_date "
    "FROM actions a JOIN visits v ON v.id = a.visit_id "
    "LEFT JOIN action_updates l ON l.id = (" + _LATEST + ")"
)


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

    def mark_action(self, action_id: str, status: str, on_date: str, note: str = "", due_date: str | None = None,
                    visit_id: str | None = None) -> dict[str, Any]:
        """Append what became of an action (done, dropped, carried forward, or open again) on a day, with a note;
        a carry forward may set a new due date. The actions row keeps the latest status too, for its readers."""
        old = self._row("SELECT id, organisation_id, visit_id FROM actions WHERE id = ?", [action_id])
        if old is None:
            raise UsageError(f"no action '{action_id}'")
        if status not in STATUSES:
            raise UsageError(f"an action is open, done, dropped or carried forward, not '{status}'")
        stamp = now()
        row = {"id": new_id(), "action_id": action_id, "organisation_id": old["organisation_id"],
               "visit_id": visit_id, "status": status, "on_date": on_date, "note": note, "due_date": due_date,
               "created_at": stamp}
        with self.write():
            self._insert("action_updates", row)
            self._update("actions", action_id, {"status": status, "updated_at": stamp})
            self.log("action.mark", visit_id=visit_id or old["visit_id"], entity=action_id, status=status,
                     on=on_date, note=note, due=due_date)
        return row

    def update_action(self, action_id: str, **fields: Any) -> None:
        """Change an action's text, owner or due date; a status is appended as an update dated today."""
        old = self._row("SELECT * FROM actions WHERE id = ?", [action_id])
        if old is None:
            raise UsageError(f"no action '{action_id}'")
        status = fields.pop("status", None)
        if status is not None:
            self.mark_action(action_id, status, now()[:10])
        if not fields:
            return
        fields["updated_at"] = now()
        with self.write():
            self._update("actions", action_id, fields)
            self.log("action.update", visit_id=old["visit_id"], entity=action_id,
                     **{k: v for k, v in fields.items() if k != "updated_at"})

    def action_history(self, action_id: str) -> list[dict[str, Any]]:
        """Every update of an action, oldest first."""
        return self._rows("SELECT * FROM action_updates WHERE action_id = ? ORDER BY created_at, id", [action_id])

    def action(self, action_id: str) -> dict[str, Any] | None:
        return self._row(_SELECT + " WHERE a.id = ?", [action_id])

    def actions(self, visit_id: str) -> list[dict[str, Any]]:
        """The actions agreed at a visit, in the order they were added, each with its status now."""
        return self._rows(_SELECT + " WHERE a.visit_id = ? ORDER BY a.created_at, a.rowid", [visit_id])

    def organisation_actions(self, organisation_id: str) -> list[dict[str, Any]]:
        """Every action agreed with an organisation, by the date of its visit, then as added."""
        return self._rows(_SELECT + " WHERE a.organisation_id = ? ORDER BY v.date, a.created_at, a.rowid",
                          [organisation_id])

    def overdue_counts(self, today: str) -> dict[str, int]:
        """organisation id -> how many of its actions are still open or carried forward past their due date."""
        rows = self._rows("SELECT organisation_id, count(*) AS n FROM (" + _SELECT + ") "
                          "WHERE status IN ('open', 'carried') AND due_date IS NOT NULL AND due_date < ? "
                          "GROUP BY organisation_id", [today])
        return {r["organisation_id"]: r["n"] for r in rows}
