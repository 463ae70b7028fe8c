"""Coverage of the agenda through the year: which questions and aspects an organisation's visits discussed, when
and how often, and which never. Appendix 3 is an aide-memoire for the year, never one meeting: this is how an
adviser sees what is left."""

from __future__ import annotations

from collections import defaultdict
from datetime import date as Date
from typing import Any

from ..packs.model import Pack
from ..store import Store
from .records import AspectCoverage, Coverage, QuestionCoverage


def term(day: str, year_starts: str = "09-01") -> int:
    """0, 1 or 2: the autumn, spring or summer term of the year a day falls in (the school year's three terms:
    its first four months, the next three, the last five)."""
    d = Date.fromisoformat(day)
    months = (d.month - int(year_starts[:2])) % 12
    return 0 if months < 4 else 1 if months < 7 else 2


def agenda_for(pack: Pack, organisation: dict[str, Any]) -> str:
    return pack.default_agenda(organisation.get("kind") or "LA")


def coverage(store: Store, pack: Pack, organisation: dict[str, Any], year: str) -> Coverage:
    """What an organisation's own visits in a year covered, against the agenda its kind is interviewed with (and
    any other agenda a visit used: its questions count too)."""
    org_id = organisation["id"]
    visits = store.year_visits_of([org_id], year)
    dates = {v["id"]: v["date"] for v in visits}
    answers = store.year_answers_of([org_id], year, text=False)
    judged = store.year_judgements_of([org_id], year)
    per_aspect: dict[str, list[str]] = defaultdict(list)  # aspect -> the date of each answer
    per_question: dict[str, list[str]] = defaultdict(list)
    aspect_visits: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        day = dates.get(a["visit_id"])
        if day is None:
            continue
        per_aspect[a["aspect_id"]].append(day)
        aspect_visits[a["aspect_id"]].add(a["visit_id"])
        if a["question_id"]:
            per_question[a["question_id"]].append(day)
    judgements: dict[str, int] = defaultdict(int)
    for j in judged:
        judgements[j["aspect_id"]] += 1
        aspect_visits[j["aspect_id"]].add(j["visit_id"])
    from_schools: dict[str, int] = {}
    if organisation.get("kind") == "LA":
        schools = [s["id"] for s in store.schools_of(org_id)]
        from_schools = store.answer_counts_of(schools, year) if schools else {}
    aspects = []
    for g in pack.groups:
        for a in g.aspects:
            days = sorted(per_aspect.get(a, ()))
            terms = [0, 0, 0]
            for d in days:
                terms[term(d, pack.year_starts)] += 1
            aspects.append(AspectCoverage(a, pack.aspects[a].title, len(days), len(aspect_visits.get(a, ())),
                                          tuple(dict.fromkeys(days)), (terms[0], terms[1], terms[2]),
                                          judgements.get(a, 0), from_schools.get(a, 0)))
    agenda_id = agenda_for(pack, organisation)
    used = [agenda_id] + [v["agenda_id"] for v in visits if v["agenda_id"] != agenda_id]
    questions = []
    for aid in dict.fromkeys(used):
        agenda = pack.agendas.get(aid)
        if agenda is None:
            continue
        for section in agenda.sections:
            for q in section.questions:
                days = sorted(per_question.get(q.id, ()))
                if aid != agenda_id and not days:
                    continue  # another agenda's questions show only where a visit asked them
                questions.append(QuestionCoverage(q.id, section.aspect, q.text, len(days), tuple(dict.fromkeys(days))))
    shown = tuple({"id": v["id"], "date": v["date"], "agenda_id": v["agenda_id"], "status": v["status"]}
                  for v in visits)
    return Coverage(organisation, year, agenda_id, shown, tuple(aspects), tuple(questions))
