"""A briefing for a coming meeting, as plain data, for the meeting's audience.

Who the meeting is with decides what the briefing holds, and the pack decides which agenda serves them (its
`organisations:` kinds and their agendas, packs/model.py): for an LA (the 2009 standards: the LA contacts' agenda,
Appendix 3) the last visit's ratings per phase, the ratings still below their ceiling with the agenda questions
that would decide them, the agenda items not yet covered this year and the LA's open and overdue actions; for a
school (the headteachers' agenda, Appendix 4) what a SIP takes into a headteacher meeting: the last visit's agreed
actions with their target dates, the school's open and overdue actions, what was said at the last visit by the
agenda's element, and the elements on the school's open issues (not yet discussed with it this year, an action on
it still open, or its LA's rating still open: the headteachers' experience of the LA is evidence for that rating).
A school is never rated here against the LA's criteria.
A question answered this academic year, up to the meeting's day, is left out unless `all_questions`;
`questions` picks them by id instead. Ratings are the organisation's year so far, by the one rule of
session/year.py (the dashboard and the review read it too), resting on the visits up to the meeting's day: an
adviser's override or an agreed rating while no evidence has been recorded since, else the suggestion from the
year's evidence, each marked as such. Flagged answers are never read here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

from .. import __version__
from ..errors import UsageError
from ..inert import short
from ..packs.model import Agenda, Pack
from ..session.year import year_rating_details
from .context import (
    _action_row,
    _answer_words,
    _aspect_order,
    _lower,
    _organisation,
    long_date,
    plain,
    rating_row,
    short_title,
)

CORE = {
    "organisation": "the school (or LA) the meeting is with",
    "meeting_date": "the date of the meeting",
    "questions": "the agenda questions chosen",
    "previous_actions": "the last visit's actions and their status",
    "last_discussion": "what was said at a school's last visit, by the agenda's element",
    "open_actions": "the organisation's open and overdue actions",
    "title": "the briefing's title, for the meeting's audience",
}


def headteachers_agenda(pack: Pack) -> Agenda:
    """The agenda a school visit opens with, as the pack's `organisations:` names it."""
    return audience_agenda(pack, "school")


def audience_agenda(pack: Pack, kind: str) -> Agenda:
    """The agenda that serves a kind of organisation, as the pack's `organisations:` declares it."""
    agenda = pack.agenda_for(kind)
    if agenda is None or agenda not in pack.agendas:
        raise UsageError(f"pack '{pack.id}' names no agenda for the kind '{kind}' (organisations: in its pack.yaml)")
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


def _question(pack: Pack, section, q, why: str, answered: set[str]) -> dict[str, Any]:
    return {"id": q.id, "aspect_id": section.aspect,
            "aspect_title": pack.aspects[section.aspect].title if section.aspect in pack.aspects else "",
            "heading": " ".join(section.heading.split()), "text": q.text, "sub": list(q.sub), "why": why,
            "answered": q.id in answered}


def _deciding_criteria(pack: Pack, r) -> set[str]:
    """The aspect's criteria not yet met in the columns between the ceiling and the rating: what would decide
    whether it rises."""
    if r.suggestion is None or r.ceiling is None:
        return {c.id for c in pack.aspects[r.aspect].criteria}
    low, high = pack.column(r.ceiling).rank, pack.column(r.suggestion).rank
    out = {c.id for c in pack.aspects[r.aspect].criteria
           if low <= pack.column(c.column).rank < high and r.states.get(c.id) != "met"}
    out |= {b.criterion for b in r.blockers if b.criterion and pack.column(b.column).rank < high}
    return out


NOT_DISCUSSED = "not discussed with the school yet this academic year"
_ID = re.compile(r"\b\d+\.\d+\.(?:OS|G|NI|SI)\.\d+\b")


def plain_need(pack: Pack, line: str) -> str:
    """What would lift a rating, in the standards' words rather than criterion ids: a list of open ids becomes
    how many are open, and each id the criterion's text as a plain clause."""
    line = re.sub(r"\(open: ([^)]*)\)", lambda m: f"({len(m.group(1).split(','))} still open)", line)

    def words(m: re.Match) -> str:
        c = pack.criteria.get(m.group(0))
        return f"“{_lower(plain(c.text)).rstrip('.')}”" if c is not None else m.group(0)

    return _ID.sub(words, line)


def _open_action_row(a: dict[str, Any], day: str) -> dict[str, Any]:
    row = _action_row(a, day)
    overdue = bool(a.get("due_date") and a["due_date"] < day)
    if overdue and "overdue" not in row["status"].lower():
        row["status"] = f"{row['status']}, overdue"
    row.update(overdue=overdue, agreed=long_date(a.get("visit_date")))
    return row


def _la_rows(store, pack: Pack, org: dict[str, Any], year: str, day: str,
             phase_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The school's LA's ratings for the year as they stood on the day, per aspect (none without an LA)."""
    la = store.organisation_by_id(org["parent_id"]) if org.get("parent_id") else None
    if la is None:
        return {}
    held = year_rating_details(store, pack, la["id"], year, day=day, phases=phase_ids)
    return {a: [rating_row(pack, held[(p, a)]) for p in phase_ids] for a in pack.aspects}


def _la_line(rows: list[dict[str, Any]]) -> str:
    return "; ".join(f"{row['phase']}: " + ("not yet rated" if not row["rated"] else
                                            f"{row['rating_line']}, could reach {row['ceiling']}") for row in rows)


def _discussion(store, pack: Pack, agenda: Agenda, visit: dict[str, Any]) -> list[dict[str, Any]]:
    """What was said at the school's last visit, by the agenda's element, in the order of the agenda: each point
    as the question put and the answer (a choice by its label), shortened. Flagged answers are never read."""
    heading_of = {q.id: " ".join(sec.heading.split()) for sec in agenda.sections for q in sec.questions}
    order = {h: i for i, h in enumerate(dict.fromkeys(heading_of.values()))}
    groups: dict[str, list[dict[str, str]]] = {}
    for r in store.responses(visit["id"], shared_only=True):
        q = pack.questions.get(r.get("question_id") or "")
        heading = heading_of.get(r.get("question_id") or "") or (
            short_title(pack.aspects[r["aspect_id"]].title) if r["aspect_id"] in pack.aspects else "Other points")
        groups.setdefault(heading, []).append({
            "question": q.text if q is not None else "Note", "answer": short(_answer_words(pack, r), 300)})
    return [{"heading": h, "points": pts} for h, pts in sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))]


def briefing_context(store, pack: Pack, organisation: str, *, questions: Iterable[str] | None = None,
                     phases: Iterable[str] | None = None, day: str | None = None,
                     today: date | None = None, all_questions: bool = False) -> dict[str, Any]:
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
    kind = pack.organisation_kind(org["kind"])
    agenda = audience_agenda(pack, org["kind"])
    for_la = org["kind"] == "LA"  # the store's kind for an LA; the pack says which agenda serves it
    phase_ids = _phases(store, pack, org["id"], year, phases)
    coverage = store.coverage(org["id"], year)
    answered = store.answered_questions(org["id"], year, day)

    # The year's ratings as they stood on the day (session/year.py: the rule the dashboard and the review read);
    # the latest visit's rating row gives the LA's self-evaluation.
    held = year_rating_details(store, pack, org["id"], year, day=day, phases=phase_ids)
    judged = {j["aspect_id"] for j in store.judgements_until(org["id"], year, day)}
    saved = {(r["aspect_id"], r["phase"]): r for r in store.ratings_until(org["id"], year, day)}
    rows_of: dict[str, list[dict[str, Any]]] = {
        a: [rating_row(pack, held[(p, a)], saved.get((a, p))) for p in phase_ids] for a in pack.aspects}

    agenda_aspects = list(dict.fromkeys(s.aspect for s in agenda.sections if s.aspect in pack.aspects))
    open_aspects: dict[str, str] = {}
    la_standing: list[dict[str, Any]] = []
    if not for_la:
        # A school is not rated against the LA's criteria: its open issues are the elements not yet discussed with
        # it this year, those where an action agreed with it is still open, and those where its LA's rating for
        # the year is still open (the headteachers' experience is evidence for the LA's rating).
        acted = {a["aspect_id"] for a in store.open_actions([org["id"]], day) if a.get("aspect_id")}
        la_rows_of = _la_rows(store, pack, org, year, day, phase_ids)
        for aspect_id in agenda_aspects:
            reasons = []
            if not coverage.get(aspect_id):
                reasons.append(NOT_DISCUSSED)
            if aspect_id in acted:
                reasons.append("an action agreed with the school on it is still open")
            open_rows = [row for row in la_rows_of.get(aspect_id, [])
                         if row["applies"] and row["rated"] and row["open"]]
            if open_rows:
                reasons.append(f"the LA's rating is still open ({_la_line(open_rows)})")
                la_standing.append({"aspect_id": aspect_id, "title": short_title(pack.aspects[aspect_id].title),
                                    "line": _la_line(open_rows)})
            if reasons:
                open_aspects[aspect_id] = "; ".join(reasons)
    else:
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

    def asked(q) -> bool:  # a question answered this year is left out unless the adviser asks for every one
        return all_questions or q.id not in answered

    by_id = {q.id: (s, q) for s in agenda.sections for q in s.questions}
    if questions:
        wanted = [q.strip() for q in questions if q.strip()]
        unknown = [q for q in wanted if q not in by_id]
        if unknown:
            raise UsageError(f"not on the {agenda.source} agenda: {', '.join(unknown)} "
                             f"(see `laqs packs show`; ids look like {next(iter(by_id))})")
        chosen = [by_id[q] for q in dict.fromkeys(wanted)]
        why = {q: "chosen by the adviser" for q in wanted}
    elif for_la:
        chosen = [(s, q) for s in agenda.sections for q in s.questions if asked(q) and s.aspect in pack.aspects
                  and any(row["applies"] for row in rows_of[s.aspect])]
        why = {q.id: ("answered this year" if q.id in answered else "not yet covered this academic year")
               for _, q in chosen}
    else:
        # The seed's agenda is never covered in one meeting: the elements on an issue (an open action, the LA's
        # open rating) are set out question by question; those merely not yet discussed are listed by element
        # for the SIP to choose from (every question with --all).
        def pressing(aspect_id: str) -> bool:
            return all_questions or open_aspects[aspect_id] != NOT_DISCUSSED

        chosen = [(s, q) for s in agenda.sections for q in s.questions
                  if s.aspect in open_aspects and pressing(s.aspect) and asked(q)]
        why = {q.id: open_aspects[s.aspect] for s, q in chosen}
    questions_out = [_question(pack, s, q, why[q.id], answered) for s, q in chosen]
    undiscussed = [] if for_la or questions or all_questions else [
        {"aspect_id": s.aspect, "heading": short_title(" ".join(s.heading.split())),
         "count": len(qs), "ids": ", ".join(q.id for q in qs)}
        for s in agenda.sections if open_aspects.get(s.aspect) == NOT_DISCUSSED
        for qs in [[q for q in s.questions if asked(q)]] if qs]

    shown = _aspect_order(pack, set(coverage) | judged | {q["aspect_id"] for q in questions_out}) if for_la else []
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
                                "needs": [plain_need(pack, x) for x in r.lift],
                                "line": "; ".join(plain_need(pack, x) for x in r.lift)})

    # For an LA: the ratings still below their ceiling, each with the agenda questions that would decide it.
    below_ceiling, deciding_ids = [], set()
    if for_la:
        for aspect_id in _aspect_order(pack, pack.aspects):
            for row in rows_of[aspect_id]:
                if not (row["applies"] and row["rated"] and row["open"]):
                    continue
                r = held[(row["phase_id"], aspect_id)].rating
                criteria = _deciding_criteria(pack, r)
                qs = [_question(pack, s, q, "would decide it", answered) for s in agenda.sections
                      if s.aspect == aspect_id for q in s.questions if asked(q) and set(q.criteria) & criteria]
                deciding_ids |= {q["id"] for q in qs}
                # Questions still open on the aspect that bear on other criteria than the deciding ones: the
                # briefing says so rather than calling the agenda answered.
                others = [q.id for s in agenda.sections if s.aspect == aspect_id for q in s.questions
                          if asked(q) and q.id not in {x["id"] for x in qs}]
                below_ceiling.append({**row, "questions": qs, "needs": [plain_need(pack, x) for x in r.lift],
                                      "other_questions": others,
                                      "others_line": ", ".join(others),
                                      "all_answered": not qs and not others})
    uncovered_sections: list[dict[str, Any]] = []
    if for_la:
        for s in agenda.sections:
            qs = [q for q in questions_out if q["aspect_id"] == s.aspect and q["heading"] == " ".join(
                s.heading.split()) and (questions or q["id"] not in deciding_ids)]
            if qs:
                uncovered_sections.append({"aspect_id": s.aspect, "heading": qs[0]["heading"],
                                           "title": f"{s.aspect} {pack.aspects[s.aspect].title}"
                                           if s.aspect in pack.aspects else s.aspect, "questions": qs})

    last_visit = store.last_visit(org["id"], until=day)
    last_ratings = []
    if last_visit is not None:
        touched = store.aspects_touched(last_visit["id"]) | {r["aspect_id"] for r in store.ratings(last_visit["id"])}
        touched &= set(pack.aspects)
        at_last = year_rating_details(store, pack, org["id"], last_visit["academic_year"], visit=last_visit,
                                      phases=last_visit["phases"], aspects=touched)
        saved_last = {(r["aspect_id"], r["phase"]): r for r in store.ratings(last_visit["id"])}
        for p in last_visit["phases"]:
            for a in _aspect_order(pack, touched):
                row = rating_row(pack, at_last[(p, a)], saved_last.get((a, p)))
                if row["applies"]:
                    last_ratings.append(row)
    open_actions = [_open_action_row(a, day) for a in store.open_actions([org["id"]], day)]
    last_discussion = _discussion(store, pack, agenda, last_visit) if last_visit is not None and not for_la else []
    org_row, la = _organisation(store, {"organisation_id": org["id"]})
    if for_la:
        audience = f"the {kind.name.lower()}" if kind else "the local authority"
    else:
        audience = "the headteacher"
    return {
        "kind": "briefing", "title": f"Briefing for a meeting with {audience}", "audience": audience,
        "for_la": for_la, "for_school": not for_la,
        "organisation": org["name"], "organisation_kind": kind.name if kind else org["kind"], "la": la,
        "meeting_date": long_date(day), "meeting_date_iso": day, "academic_year": year,
        "agenda_title": agenda.title, "agenda_source": agenda.source,
        "phases": [pack.phase_name(p) for p in phase_ids],
        "phases_line": ", ".join(pack.phase_name(p) for p in phase_ids),
        "questions": questions_out, "chosen_by": "the adviser" if questions else "the tool",
        "questions_heading": "Questions chosen for the meeting" if questions else
        f"{agenda.source} items not yet covered this year",
        "all_questions": all_questions, "answered_count": len(answered),
        "answered_left_out": 0 if all_questions or questions else
        sum(1 for q in agenda.questions if q.id in answered),
        "has_previous": last_visit is not None,
        "previous_date": long_date(last_visit["date"]) if last_visit else "",
        "previous_type": (pack.agendas[last_visit["agenda_id"]].title
                          if last_visit and last_visit["agenda_id"] in pack.agendas else ""),
        "previous_ref": last_visit["id"][:8] if last_visit else "",
        "previous_actions": [_action_row(a, day) for a in store.actions(last_visit["id"])] if last_visit else [],
        "last_ratings": last_ratings, "below_ceiling": below_ceiling, "uncovered": uncovered_sections,
        "last_discussion": last_discussion, "la_standing": la_standing, "undiscussed": undiscussed,
        "earlier_open_actions": [_open_action_row(a, day) for a in store.open_actions([org["id"]], day)
                                 if last_visit is None or a["visit_id"] != last_visit["id"]],
        "open_actions": open_actions, "overdue_count": sum(1 for a in open_actions if a["overdue"]),
        "ratings": ratings, "missing_evidence": missing,
        "visits_this_year": store.visit_count(org["id"], year),
        "pack_title": pack.title, "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }
