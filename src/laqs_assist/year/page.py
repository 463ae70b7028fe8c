"""A school's page, the regional overview and the actions across the year."""

from __future__ import annotations

from typing import Any, Iterable

from ..errors import UsageError
from ..packs.model import Pack
from ..session.actions import STATUS_WORDS, is_overdue
from ..store import Store
from . import evidence as ev
from .board import Progress, rollups, summaries
from .records import JOINT, Overview, OverviewRow, SchoolPage

ACTION_FILTERS = ("all", "open", "overdue", "done")


def school_page(store: Store, pack: Pack, school: dict[str, Any], year: str, today: str) -> SchoolPage:
    """A school's year: its visits, its agreed actions (each with `overdue`), its joint visits and what it said of
    its LA. Its ratings are its LA's: a school is not rated against the LA standards."""
    la = store.organisation_by_id(school["parent_id"]) if school.get("parent_id") else None
    visits = tuple(store.year_visits_of([school["id"]], year))
    actions = tuple({**a, "overdue": is_overdue(a, today)} for a in store.organisation_actions(school["id"]))
    joint: tuple = ()
    aspects: dict[str, int] = {}
    if la is not None:
        rows = [e for e in ev.gather(store, pack, la, year) if e.school_id == school["id"]]
        joint = tuple(e for e in rows if e.source == JOINT)
        for e in rows:
            aspects[e.aspect] = aspects.get(e.aspect, 0) + 1
    else:
        for s in ev.sources():
            if s.id == JOINT:  # a school with no LA on record: its joint visits alone, asked of it as its own
                joint = tuple(e for e in s.rows(store, pack, school, year) if e.school_id in (None, school["id"]))
    order = {a: i for i, a in enumerate(pack.aspects)}
    return SchoolPage(school, la, year, visits, actions, joint,
                      dict(sorted(aspects.items(), key=lambda kv: order.get(kv[0], len(order)))))


def overview(store: Store, pack: Pack, year: str, organisations: Iterable[dict[str, Any]] | None = None,
             progress: Progress | None = None) -> Overview:
    """Every LA in the store (or those given) with its group ratings per phase and overall for a year; `progress`
    hears of each LA whose ratings were not kept and had to be rated."""
    las = list(organisations) if organisations is not None else store.organisations_of_kind(_la_kind(pack))
    got = summaries(store, pack, las, year, progress)
    counts = store.visit_counts_of([la["id"] for la in las], year)
    rows = []
    for la in las:
        ratings, disagreements, heard = got[la["id"]]
        groups, overall = rollups(pack, ratings)
        rows.append(OverviewRow(la, groups, overall, disagreements, len(heard), counts.get(la["id"], 0)))
    return Overview(year, tuple(rows))


def _la_kind(pack: Pack) -> str:
    found = pack.organisation_kind("LA")
    return found.id if found else "LA"


def actions_across(store: Store, organisations: list[dict[str, Any]] | None, status: str,
                   today: str) -> tuple[dict[str, Any], ...]:
    """The actions of these organisations (an LA's include its schools'; None: every organisation), each with
    `overdue`, filtered: all, open (open or carried forward), overdue, done."""
    if status not in ACTION_FILTERS:
        raise ValueError(status)
    ids = None
    if organisations is not None:
        ids = []
        for o in organisations:
            ids.append(o["id"])
            if o.get("kind") == "LA":
                ids.extend(s["id"] for s in store.schools_of(o["id"]))
    out = []
    for a in store.actions_of(ids):
        a["overdue"] = is_overdue(a, today)
        if status == "open" and a["status"] not in ("open", "carried"):
            continue
        if status == "overdue" and not a["overdue"]:
            continue
        if status == "done" and a["status"] != "done":
            continue
        out.append(a)
    return tuple(out)


def mark_action(store: Store, ref: str, status: str, day: str, note: str = "", due: str | None = None,
                today: str | None = None) -> dict[str, Any]:
    """Mark any action (by its id or the start of it) done, dropped, carried forward (to a new due date) or open
    again on a day, outside a visit (a review of the year's actions); the action as it stands after, with its
    organisation and `overdue`. The rules are a visit's (session/actions.py)."""
    ref = ref.strip().lower()
    found = [a for a in store.actions_of(None) if a["id"].startswith(ref)] if ref else []
    if not found:
        raise UsageError(f"no action '{ref}' (laqs actions lists them)")
    if len(found) > 1:
        raise UsageError(f"'{ref}' starts the ids of {len(found)} actions: give more of it")
    action = found[0]
    short = action["id"][:8]
    if status not in STATUS_WORDS:
        raise UsageError(f"an action is open, done, dropped or carried forward, not '{status}'")
    if day < action["visit_date"]:
        raise UsageError(f"action {short} was agreed on {action['visit_date']}: it cannot be "
                         f"{STATUS_WORDS[status]} on {day}")
    if status == "carried" and due is not None and due < day:
        raise UsageError(f"the new due date {due} is before {day}: carry it forward to a later date")
    if status == "dropped" and not note.strip():
        raise UsageError(f"say why action {short} is dropped")
    if status != "carried" and status == action["status"]:
        raise UsageError(f"action {short} is {STATUS_WORDS[status]} already")
    store.mark_action(action["id"], status, day, note.strip(), due if status == "carried" else None, None)
    marked = next(a for a in store.actions_of([action["organisation_id"]]) if a["id"] == action["id"])
    return {**marked, "overdue": is_overdue(marked, today)}
