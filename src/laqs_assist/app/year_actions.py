"""Reviewing actions across the year outside a visit: mark one done, dropped, carried forward or open again on a
day, with a note, as the actions dialog does inside a visit (the same rules: not before the visit that agreed it,
a dropped action needs a reason, a carry forward's new date not before the day), recorded with no visit; and the
list as the dialog shows it.

Kept apart from the year view's own module so that the app's actions screen can mark an action with no visit
open; the rules it checks are the session's (session/actions.py), read through the store's action rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .views import ActionsView

if TYPE_CHECKING:
    from .service import Service

STATUS_WORDS = {"open": "open", "done": "done", "dropped": "dropped", "carried": "carried forward"}


def _day(text: str, what: str) -> str:
    from ..answers import AnswerInvalid, parse_answer

    try:
        day = parse_answer("date", text)
    except AnswerInvalid as exc:
        raise UsageError(f"{what}: {exc.message}") from None
    assert day is not None
    return day


def mark(service: "Service", action_id: str, status: str, on: str | None = None, note: str = "",
         due: str | None = None) -> dict[str, Any]:
    """Mark an action (by id) outside a visit, on a day (default: the service's today); the action after it."""
    from ..session.actions import is_overdue

    store = service.store
    action = store.action(action_id)
    if action is None:
        raise UsageError(f"no action '{action_id}'")
    if status not in STATUS_WORDS:
        raise UsageError(f"an action is open, done, dropped or carried forward, not '{status}'")
    short = action["id"][:8]
    note = note.strip()
    day = _day(on, "the date") if on and on.strip() else service.day()
    if day < action["visit_date"]:
        raise UsageError(f"action {short} was agreed on {action['visit_date']}: it cannot be "
                         f"{STATUS_WORDS[status]} on {day}")
    new_due = _day(due, "the new due date") if due and due.strip() else None
    if status == "carried" and new_due is not None and new_due < day:
        raise UsageError(f"the new due date {new_due} is before {day}: carry it forward to a later date")
    if status == "dropped" and not note:
        raise UsageError(f"say why action {short} is dropped: write the reason in the note")
    if status != "carried" and status == action["status"]:
        raise UsageError(f"action {short} is {STATUS_WORDS[status]} already"
                         + (f" ({action['status_date']})" if action["status_date"] else ""))
    store.mark_action(action["id"], status, day, note, new_due if status == "carried" else None, None)
    marked = store.action(action["id"])
    assert marked is not None
    return {**marked, "overdue": is_overdue(marked, service.day())}


def listed(service: "Service", organisation: str | None, status: str = "all") -> ActionsView:
    """The actions across the year (an LA's with its schools'; None: every organisation), filtered, as the actions
    dialog lists them: numbered, each with `earlier` (False: there is no visit open to be earlier than)."""
    rows = service.actions_across_year(organisation, status)
    name = service.organisation(organisation)["name"] if organisation else "every organisation"
    actions = tuple({**a, "position": n, "earlier": False} for n, a in enumerate(rows, 1))
    return ActionsView(name, actions, tuple(a for a in actions if a["overdue"]))


__all__ = ["STATUS_WORDS", "listed", "mark"]
