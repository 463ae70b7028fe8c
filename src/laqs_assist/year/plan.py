"""The next visit's agenda, drawn from the year's gaps: the aspects least covered, the ratings below their ceiling
with the questions and probes that would decide them, the disagreements to settle, and the overdue actions.

The adviser edits it and starts the visit from it: `focus` is the new visit's focus (most needed first), and the
running order puts the least covered aspects next anyway (session/order.py).
"""

from __future__ import annotations

from typing import Any

from ..packs.model import Pack
from ..rating import NA
from ..session.actions import is_overdue
from ..store import Store
from .board import cells
from .coverage import agenda_for, coverage
from .records import Cell, Plan, PlanItem

# How many aspects the plan proposes to focus on: a visit covers a few aspects well, not all ten thinly.
FOCUS = 4


def _questions(pack: Pack, agenda_id: str, aspect: str, deciding: tuple[str, ...]) -> tuple[str, ...]:
    """The agenda's questions on an aspect, those pointing at a deciding criterion first."""
    agenda = pack.agendas.get(agenda_id)
    if agenda is None:
        return ()
    qs = [q for s in agenda.sections for q in s.questions if aspect in q.aspects]
    qs.sort(key=lambda q: not (set(q.criteria) & set(deciding)))
    return tuple(q.id for q in qs)


def _probes(pack: Pack, cell: Cell, disputed: bool = False) -> tuple[str, ...]:
    out = []
    for cid in (cell.disputed if disputed else ()) + cell.deciding:
        c = pack.criteria.get(cid)
        if c is not None:
            out.append(f"What evidence is there that: {' '.join(c.text.split())} ({cid}"
                       f"{', critical' if c.critical else ''})")
    out.extend(cell.lift)
    return tuple(dict.fromkeys(out))


def plan(store: Store, pack: Pack, organisation: dict[str, Any], year: str, today: str) -> Plan:
    """The plan for an organisation's next visit in a year, actions overdue as of `today` (ISO)."""
    cov = coverage(store, pack, organisation, year)
    agenda_id = agenda_for(pack, organisation)
    items: list[PlanItem] = []
    asked = {a.aspect: a.answers for a in cov.aspects}
    on_agenda = {s.aspect for s in pack.agendas[agenda_id].sections} if agenda_id in pack.agendas else set()
    least = sorted((a for a in cov.aspects if a.aspect in on_agenda), key=lambda a: (a.answers, a.visits))
    for a in least:
        if a.answers == 0:
            items.append(PlanItem("uncovered", a.aspect, "", "not discussed this year",
                                  _questions(pack, agenda_id, a.aspect, ())))
    below: list[tuple[int, PlanItem]] = []
    if organisation.get("kind") == "LA":
        board = cells(store, pack, [organisation], year)[organisation["id"]]
        for (phase, aspect), c in board.items():
            if c.disagreement:
                items.append(PlanItem("disagreement", aspect, phase, f"the sources disagree: {c.disagreement}",
                                      _questions(pack, agenda_id, aspect, c.disputed + c.deciding),
                                      _probes(pack, c, disputed=True)))
            if c.suggestion in (None, NA) or c.ceiling in (None, NA):
                continue
            gap = pack.column(c.suggestion).rank - pack.column(c.ceiling).rank
            if gap > 0:
                why = (f"{pack.column(c.suggestion).label} now; {pack.column(c.ceiling).label} is still reachable"
                       + (f" ({', '.join(c.deciding)} would decide the next column)" if c.deciding else ""))
                below.append((gap, PlanItem("below_ceiling", aspect, phase, why,
                                            _questions(pack, agenda_id, aspect, c.deciding), _probes(pack, c))))
    below.sort(key=lambda t: (-t[0], asked.get(t[1].aspect, 0)))
    items.extend(i for _, i in below)
    # Disagreements first, then the aspects never discussed, then the widest gaps to the ceiling.
    rank = {"disagreement": 0, "uncovered": 1, "below_ceiling": 2}
    items.sort(key=lambda i: rank[i.kind])  # stable: each kind keeps its own order
    focus = tuple(dict.fromkeys(i.aspect for i in items))[:FOCUS]
    overdue = tuple({**a, "organisation": organisation["name"], "overdue": True}
                    for a in store.organisation_actions(organisation["id"]) if is_overdue(a, today))
    questions = tuple(dict.fromkeys(q for a in focus for i in items if i.aspect == a for q in i.questions))
    parent = store.organisation_by_id(organisation["parent_id"]) if organisation.get("parent_id") else None
    return Plan(organisation, year, agenda_id, focus, tuple(items), overdue, questions,
                parent["name"] if parent else None)
