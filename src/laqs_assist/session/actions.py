"""A visit's actions: what someone agreed to do, by whom and by when, against an aspect; and what became of them.

An action is marked done, dropped, carried forward (perhaps to a new due date) or opened again, on a day and with
a note; each mark is appended to its history (store/actions.py), the latest one is its status. The actions of the
organisation's earlier visits can be marked at a later one: that is the progress since the last visit. An action
is overdue when its due date has passed and it is still open or carried forward.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..answers import AnswerInvalid, parse_answer
from ..errors import UsageError
from .base import SessionParts

OUTSTANDING = ("open", "carried")
STATUS_WORDS = {"open": "open", "done": "done", "dropped": "dropped", "carried": "carried forward"}


def is_overdue(action: dict[str, Any], today: str | None = None) -> bool:
    """Still open or carried forward, and its due date is before `today` (ISO; default: today)."""
    today = today or date.today().isoformat()
    return action["status"] in OUTSTANDING and bool(action.get("due_date")) and action["due_date"] < today


def _day(text: str, what: str) -> str:
    try:
        day = parse_answer("date", text)
    except AnswerInvalid as exc:
        raise UsageError(f"{what}: {exc.message}") from None
    assert day is not None
    return day


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
        """The actions agreed at this visit, each with its status now."""
        return self.store.actions(self.id)

    def action_list(self, today: str | None = None) -> list[dict[str, Any]]:
        """The actions this visit can mark, numbered from 1 as /actions lists them: those of the organisation's
        earlier visits still open or carried forward, or marked at this visit, then this visit's own. Each has
        `position`, `earlier` (agreed at an earlier visit) and `overdue`."""
        v = self.visit
        out = []
        for a in self.store.organisation_actions(v["organisation_id"]):
            own = a["visit_id"] == v["id"]
            earlier = not own and (a["visit_date"], a["created_at"]) <= (v["date"], v["created_at"])
            if own or (earlier and (a["status"] in OUTSTANDING or a["status_visit_id"] == v["id"])):
                out.append({**a, "earlier": earlier})
        out.sort(key=lambda a: (not a["earlier"], a["visit_date"], a["created_at"]))
        for i, a in enumerate(out, 1):
            a["position"] = i
            a["overdue"] = is_overdue(a, today)
        return out

    def overdue_actions(self, today: str | None = None) -> list[dict[str, Any]]:
        """The organisation's actions (of every visit) still open or carried forward past their due date."""
        return [a for a in self.store.organisation_actions(self.visit["organisation_id"]) if is_overdue(a, today)]

    def find_action(self, ref: str, today: str | None = None) -> dict[str, Any]:
        """An action by its position in /actions or by its id or the start of it (as '✓ action … saved' shows)."""
        ref = ref.strip()
        if not ref:
            raise UsageError("which action? give its number in /actions or its id")
        listed = self.action_list(today)
        if ref.isdigit() and len(ref) < 4:
            n = int(ref)
            if not 1 <= n <= len(listed):
                raise UsageError(f"no action {n}: /actions lists {len(listed)}" if listed else
                                 "no actions to mark: /action TEXT | OWNER | DUE adds one")
            return listed[n - 1]
        found = [a for a in self.store.organisation_actions(self.visit["organisation_id"])
                 if a["id"].startswith(ref.lower())]
        if not found:
            raise UsageError(f"no action '{ref}' for {self.visit['organisation']}: /actions lists them")
        if len(found) > 1:
            raise UsageError(f"'{ref}' starts the ids of {len(found)} actions: give more of it")
        return found[0]

    def mark_action(self, ref: str, status: str, on: str | None = None, note: str = "",
                    due: str | None = None, today: str | None = None) -> dict[str, Any]:
        """Mark an action done, dropped, carried forward (to a new due date if given) or open again, on a day
        (default: this visit's date) with a note; the action as it stands after."""
        self._require_open(allow_ended=True)
        if status not in STATUS_WORDS:
            raise UsageError(f"an action is open, done, dropped or carried forward, not '{status}'")
        action = self.find_action(ref, today)
        short = action["id"][:8]
        note = note.strip()
        day = _day(on, "the date") if on and on.strip() else self.visit["date"]
        if day < action["visit_date"]:
            raise UsageError(f"action {short} was agreed on {action['visit_date']}: "
                             f"it cannot be {STATUS_WORDS[status]} on {day}")
        new_due = _day(due, "the new due date") if due and due.strip() else None
        if status == "carried" and new_due is not None and new_due < day:
            raise UsageError(f"the new due date {new_due} is before {day}: carry it forward to a later date")
        if status == "dropped" and not note:
            raise UsageError(f"say why action {short} is dropped: /drop {ref} | REASON")
        if status != "carried" and status == action["status"]:
            raise UsageError(f"action {short} is {STATUS_WORDS[status]} already"
                             + (f" ({action['status_date']})" if action["status_date"] else ""))
        self.store.mark_action(action["id"], status, day, note, new_due if status == "carried" else None,
                               self.id)
        marked = self.store.action(action["id"])
        assert marked is not None
        return {**marked, "position": action.get("position"), "earlier": action.get("earlier", False),
                "overdue": is_overdue(marked, today)}

    def action_history(self, ref: str) -> list[dict[str, Any]]:
        return self.store.action_history(self.find_action(ref)["id"])
