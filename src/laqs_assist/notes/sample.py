"""A small, complete sample: an LA, a school, two headteacher visits with every kind of record.

`laqs templates check` renders a template against the sample's contexts (so every loop runs and every field is
read), and the tests and benchmarks start from it. It only uses the pack's own ids, so it works for any pack with
an agenda and two upper columns.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..packs.model import Pack
from ..session import Session
from ..store import Store


def _agenda(pack: Pack) -> str:
    if "headteachers" in pack.agendas:
        return "headteachers"
    for ag in pack.agendas.values():
        if ag.audience.lower().startswith("head"):
            return ag.id
    return next(iter(pack.agendas))


def build_sample(store: Store, pack: Pack, *, day: date | None = None, school: str = "Sample Primary School",
                 la: str = "Sample Borough") -> dict[str, Any]:
    """Record two visits to `school` (the second one `day`, default today) and return their ids and names."""
    day = day or date.today()
    agenda_id = _agenda(pack)
    agenda = pack.agendas[agenda_id]
    aspects = list(dict.fromkeys(s.aspect for s in agenda.sections))[:2]
    phase = pack.phases[1].id if len(pack.phases) > 1 else pack.phases[0].id
    uppers = [c for c in pack.columns if c.upper]
    good = uppers[-1].id

    first = Session.start(store, pack, agenda_id=agenda_id, organisation=school, kind="school", parent=la,
                          phases=[phase], focus=aspects[:1], day=(day - timedelta(days=42)).isoformat(),
                          people=[("Pat Head", "headteacher")], author="Sam Adviser",
                          purpose="Termly review of the school improvement plan")
    first.note("The school improvement plan was reviewed with the headteacher.", aspects[0])
    done = first.add_action("Share the revised assessment calendar with governors", "Pat Head",
                            (day - timedelta(days=20)).isoformat(), aspects[0])
    first.add_action("Audit the reading scheme", "Literacy lead", (day - timedelta(days=7)).isoformat(), aspects[0])
    first.end()
    store.update_action(done["id"], status="done")

    s = Session.start(store, pack, agenda_id=agenda_id, organisation=school, kind="school", parent=la,
                      phases=[phase], focus=aspects, day=day.isoformat(),
                      people=[("Pat Head", "headteacher"), ("Chris Chair", "chair of governors")],
                      author="Sam Adviser", purpose="Follow-up visit on the use of intelligence and support")
    for a in aspects:
        crit = [c.id for c in pack.aspects[a].criteria_in(good, phase) if c.kind == "statement"]
        s.note(f"The headteacher described how the LA's support on {a} is used.", a)
        s.note(f"Evidence seen: minutes and the tracking sheet for {a}.", a)
        for c in crit[:2]:
            s.judge(c, "met")
        if len(crit) > 2:
            s.judge(crit[2], "partly")
        s.set_impact(a, "some")
    flagged = s.note("A remark about one teacher's performance, kept out of the note.", aspects[0])
    s.flag(flagged["id"])
    s.add_action("Agree the next round of pupil progress meetings", "Pat Head", (day + timedelta(days=30)).isoformat(),
                 aspects[0])
    s.add_action("Send the data dashboard to governors", "Chris Chair", (day + timedelta(days=14)).isoformat(),
                 aspects[-1])
    s.end()
    s.override(aspects[0], phase, good, "the evidence seen on the day supports Good")
    s.self_evaluation(aspects[-1], phase, uppers[0].id)
    return {"visit_id": s.id, "previous_visit_id": first.id, "organisation": school, "la": la,
            "flagged_text": flagged["text"], "aspects": aspects, "phase": phase}


def build_sample_joint_visit(store: Store, pack: Pack, school: str = "Sample Primary School",
                             la: str = "Sample Borough") -> str | None:
    """A joint visit to `school` with every field of the pack's joint-visit form filled in (None when the pack
    ships no such form): every standard ticked but the last, every grade 2, every text written."""
    from ..packs.forms import FORM_ID, fields, standards_of

    form = pack.forms.get(FORM_ID)
    if form is None:
        return None
    org = store.organisation(school) or store.ensure_organisation(school, "school")
    la_row = store.find_la(la)
    day = date.today().isoformat()
    visit = store.create_joint_visit(school_id=org["id"], la_id=la_row["id"] if la_row else None, pack_id=pack.id,
                                     pack_version=pack.version, form_id=form.id, day=day, author="Sam Adviser",
                                     year_starts=pack.year_starts)
    known = {"header:school": school, "header:local-authority": la, "header:date": day,
             "header:sip-name": "Sample SIP"}
    for f in fields(form):
        if f.kind == "checklist":
            value = str(list(range(1, len(standards_of(f.section)))))
        elif f.kind == "grade":
            value = str(form.scale[1].grade if len(form.scale) > 1 else form.scale[0].grade)
        else:
            value = known.get(f.key, f"{f.label}: what was seen and said.\nA second paragraph.")
        store.set_joint_entry(visit["id"], f.key, value, year_starts=pack.year_starts)
    return visit["id"]


def sample_contexts(pack: Pack, folder: Path) -> dict[str, dict[str, Any]]:
    """A note, a briefing, a team report and (when the pack has the form) a joint visit's record context from a
    fresh sample store in `folder`."""
    from .briefing import briefing_context
    from .context import note_context
    from .team import team_context

    with Store(folder / "sample.db") as store:
        info = build_sample(store, pack)
        today = date.today()
        samples = {"note": note_context(store, pack, info["visit_id"]),
                   "briefing": briefing_context(store, pack, info["organisation"]),
                   "team-report": team_context(store, pack, (today - timedelta(days=90)).isoformat(),
                                               today.isoformat())}
        joint = build_sample_joint_visit(store, pack, info["organisation"], info["la"])
        if joint is not None:
            from .joint import joint_record_context

            samples["joint-visit"] = joint_record_context(store, pack, joint)
    from .register_docs import sample_contexts as register_samples

    return {**samples, **register_samples(folder), "review-report": _review_sample(folder)}


def _review_sample(folder: Path) -> dict[str, Any]:
    from .review_report import sample_review_context

    return sample_review_context(folder)
