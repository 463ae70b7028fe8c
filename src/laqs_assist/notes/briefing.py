"""A SIP's briefing for a coming headteacher meeting, as plain data.

The questions come from the headteachers' agenda (Appendix 4 of seed 001). By default the briefing picks those
on aspects whose rating is still open this academic year (no suggestion yet, or a suggestion below the ceiling)
or that no visit has covered this year; `questions` picks them by id instead. Ratings are the organisation's
year so far, by the one rule of session/year.py (the dashboard and the review read it too), resting on the visits
up to the meeting's day: an adviser's override or an agreed rating while no evidence has been recorded since, else
the suggestion from the year's evidence, each marked as such.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from .. import __version__
from ..errors import UsageError
from ..packs.model import Agenda, Pack
from ..session.year import year_rating_details
from .context import _action_row, _aspect_order, _organisation, long_date, rating_row

CORE = {
    "organisation": "the school (or LA) the meeting is with",
    "meeting_date": "the date of the meeting",
    "questions": "the agenda questions chosen",
    "previous_actions": "the last visit's actions and their status",
    "ratings": "the ratings so far this academic year",
    "missing_evidence": "what evidence would lift each open rating",
}


def headteachers_agenda(pack: Pack) -> Agenda:
    """The agenda a school visit opens with, as the pack's `organisations:` names it."""
    agenda = pack.agenda_for("school")
    if agenda is None:
        raise UsageError(f"pack '{pack.id}' names no agenda for schools (organisations: in its pack.yaml)")
    return pack.agendas[agenda]


def _phases(store, pack: Pack, org_id: str, year: str, phases: Iterable[str] | None) -> list[str]:
    if phases:
        out = []
        for p in phases:
            match = [x.id for x in pack.phases if p.lower() in (x.id.lower(), x.name.lower())]
            if not match:
                raise UsageError(f"unknown phase '{p}' (known: {', '.join(pack.phase_ids())})")
            out.append(match[0])
        return list(dict.fromkeys(out))
    # The phases of this year's visits, else of any visit's.
    seen = [p for ps in store.visit_phases(org_id, year) for p in ps] or \
        [p for ps in store.visit_phases(org_id) for p in ps]
    known = pack.phase_ids()
    return [p for p in known if p in seen] or known


def briefing_context(store, pack: Pack, organisation: str, *, questions: Iterable[str] | None = None,
                     phases: Iterable[str] | None = None, day: str | None = None,
                     today: date | None = None) -> dict[str, Any]:
    """Everything a briefing template can use. Strings are not yet cleaned for XML (see clean.py)."""
    today = today or date.today()
    day = day or today.isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise UsageError(f"'{day}' is not a date (use YYYY-MM-DD)") from None
    org = store.organisation(organisation)
    if org is None:
        raise UsageError(f"no organisation '{organisation}' in this store (see `laqs visits`)")
    from ..calendar import academic_year

    year = academic_year(day, pack.year_starts)
    agenda = headteachers_agenda(pack)
    phase_ids = _phases(store, pack, org["id"], year, phases)
    coverage = store.coverage(org["id"], year)

    # The year's ratings as they stood on the day (session/year.py: the rule the dashboard and the review read);
    # the latest visit's rating row gives the LA's self-evaluation.
    held = year_rating_details(store, pack, org["id"], year, day=day, phases=phase_ids)
    judged = {j["aspect_id"] for j in store.judgements_until(org["id"], year, day)}
    saved = {(r["aspect_id"], r["phase"]): r for r in store.ratings_until(org["id"], year, day)}
    rows_of: dict[str, list[dict[str, Any]]] = {
        a: [rating_row(pack, held[(p, a)], saved.get((a, p))) for p in phase_ids] for a in pack.aspects}

    agenda_aspects = list(dict.fromkeys(s.aspect for s in agenda.sections if s.aspect in pack.aspects))
    open_aspects: dict[str, str] = {}
    for aspect_id in agenda_aspects:
        rs = [row for row in rows_of[aspect_id] if row["applies"]]
        if not rs:
            continue
        if not coverage.get(aspect_id):
            open_aspects[aspect_id] = "not covered yet this academic year"
            continue
        opened = [row for row in rs if row["open"]]  # the note's rule: unrated, or below the ceiling
        if opened:
            open_aspects[aspect_id] = "; ".join(
                f"{row['phase']}: " + ("not yet rated" if not row["rated"] else
                                       f"{row['rating_line']}, could reach {row['ceiling']}") for row in opened)

    by_id = {q.id: (s, q) for s in agenda.sections for q in s.questions}
    if questions:
        wanted = [q.strip() for q in questions if q.strip()]
        unknown = [q for q in wanted if q not in by_id]
        if unknown:
            raise UsageError(f"not on the {agenda.source} agenda: {', '.join(unknown)} "
                             f"(see `laqs packs show`; ids look like {next(iter(by_id))})")
        chosen = [by_id[q] for q in dict.fromkeys(wanted)]
        why = {q: "chosen by the adviser" for q in wanted}
    else:
        chosen = [(s, q) for s in agenda.sections for q in s.questions if s.aspect in open_aspects]
        why = {q.id: open_aspects[s.aspect] for s, q in chosen}

    questions_out = [{
        "id": q.id, "aspect_id": s.aspect, "aspect_title": pack.aspects[s.aspect].title if s.aspect in pack.aspects
        else "", "heading": " ".join(s.heading.split()), "text": q.text, "sub": list(q.sub),
        "why": why[q.id]} for s, q in chosen]

    shown = _aspect_order(pack, set(coverage) | judged | {q["aspect_id"] for q in questions_out})
    ratings, missing = [], []
    for aspect_id in shown:
        for row in rows_of[aspect_id]:
            if not row["applies"]:
                continue
            ratings.append(row)
            r = held[(row["phase_id"], aspect_id)].rating
            if row["open"] and r.lift:
                to_reach = ("a first rating" if r.suggestion is None
                            else pack.columns[pack.column(r.suggestion).rank - 1].label)
                if row["overridden"]:
                    to_reach += " on the criteria"
                missing.append({"aspect_id": aspect_id, "aspect_title": row["aspect_title"], "phase": row["phase"],
                                "rating": row["rating"], "rating_line": row["rating_line"],
                                "ceiling": row["ceiling"], "to_reach": to_reach,
                                "needs": list(r.lift), "line": "; ".join(r.lift)})

    last_visit = store.last_visit(org["id"], until=day)
    org_row, la = _organisation(store, {"organisation_id": org["id"]})
    return {
        "kind": "briefing", "title": "Briefing for a meeting with the headteacher",
        "organisation": org["name"], "organisation_kind": org["kind"], "la": la,
        "meeting_date": long_date(day), "meeting_date_iso": day, "academic_year": year,
        "agenda_title": agenda.title, "agenda_source": agenda.source,
        "phases": [pack.phase_name(p) for p in phase_ids],
        "phases_line": ", ".join(pack.phase_name(p) for p in phase_ids),
        "questions": questions_out, "chosen_by": "the adviser" if questions else "the tool",
        "has_previous": last_visit is not None,
        "previous_date": long_date(last_visit["date"]) if last_visit else "",
        "previous_type": (pack.agendas[last_visit["agenda_id"]].title
                          if last_visit and last_visit["agenda_id"] in pack.agendas else ""),
        "previous_ref": last_visit["id"][:8] if last_visit else "",
        "previous_actions": [_action_row(a, day) for a in store.actions(last_visit["id"])] if last_visit else [],
        "ratings": ratings, "missing_evidence": missing,
        "visits_this_year": store.visit_count(org["id"], year),
        "pack_title": pack.title, "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }
