"""A scripted year, shared by the year-view tests: three visits to one LA across autumn, spring and summer, and
four headteacher visits to its schools, recorded through the application service as an adviser would."""

from __future__ import annotations

from pathlib import Path

from laqs_assist.app.service import Service
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path

LA = "Northshire"
SCHOOLS = ("Oak Primary", "Ash Primary", "Elm Primary", "Birch Primary")
YEAR = "2026/27"
TODAY = "2027-07-20"  # the day the year is read: the autumn action due in December is overdue by then


def _visit(service: Service, organisation: str, day: str, *, school: bool = False, focus=(), people=()):
    form = Service.visit_form(service.default_pack, organisation=organisation, school=school, phases=("P",),
                              focus=focus, people=people, day=day, parent=LA if school else None)
    return service.start(form)


def record_year(store_path: Path) -> None:
    """Write the scripted year into the store at `store_path`."""
    pack = load_pack(default_pack_path())
    with Service.at(default_pack_path(), store_path, pack) as s:
        s.today = TODAY
        # Autumn: the LA's officers on 1.1 (national priorities) and 1.2; an action due before Christmas.
        _visit(s, LA, "2026-10-05", focus=("1.1",), people=("Pat Reed:Head of school improvement",))
        s.answer("Yes: national priorities are shared with every head at the termly briefings.")
        for c in ("1.1.G.1", "1.1.G.2", "1.1.G.3", "1.1.G.4", "1.1.G.5"):
            s.judge(c, "met")
        s.set_impact("some")
        s.answer("Yes: consultants are deployed where the data show most need.")
        s.add_action("Share the consultant deployment plan with heads", "Pat Reed", "2026-12-01", "1.1")
        s.add_action("Publish the moderation calendar", "Pat Reed", "2027-09-30", "1.1")
        s.end()
        s.close_visit()
        # Spring: 1.4 (intervention) discussed; the deployment plan is still not shared.
        _visit(s, LA, "2027-02-10", focus=("1.4",), people=("Pat Reed:Head of school improvement",))
        s.answer("Yes: schools causing concern get a support plan within four weeks.")
        s.judge("1.4.G.1", "met")
        s.end()
        s.close_visit()
        # Summer: 2.4 (SIP reports) discussed; the moderation calendar is published.
        _visit(s, LA, "2027-06-15", focus=("2.4",), people=("Sam Lowe:Principal adviser",))
        s.answer("Yes: SIP reports are quality assured by the principal adviser each term.")
        listed = s.action_list().actions
        calendar = next(a for a in listed if a["text"].startswith("Publish"))
        s.mark_action(calendar["id"], "done", note="on the website")
        s.self_evaluation("1.1", "P", "OS")  # the LA rates its own delivery of programmes Outstanding
        s.end()
        s.close_visit()
        # Four headteachers on working with the LA: two say national priorities are not communicated to them.
        for n, name in enumerate(SCHOOLS):
            _visit(s, name, f"2027-0{3 + n}-1{n}", school=True, focus=("1.1",),
                   people=(f"Head {n + 1}:headteacher",))
            s.answer("No: we hear about national priorities late, if at all." if n < 2 else
                     "Yes: the LA's briefings keep us up to date.")
            if n < 2:
                s.judge("1.1.G.2", "not_met")
            if n == 3:
                s.add_action("Join the writing moderation cluster", f"Head {n + 1}", "2027-05-01", "1.1")
            s.end()
            s.close_visit()
