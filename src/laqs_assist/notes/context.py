"""What a note of visit says, as plain data: the rendering context built from the store and the pack.

No docx here. The context is a dict of strings, booleans, lists and dicts that a template reads; `CORE` names the
variables a note of visit is expected to use (`laqs templates check` warns when a template leaves one out).

Ratings are the year's ratings as they stood at the visit, by the one rule of session/year.py (the dashboard and
the review read it too), resting on this visit and the visits dated before it (later visits do not rewrite an old
note): an adviser's override or an agreed rating while no evidence has been recorded since, else the suggestion
from the year's evidence, each marked as such, in the pack's note vocabulary.
Responses flagged as concerning an individual are never read here (the seed's openness principle).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from .. import __version__
from ..errors import UsageError
from ..packs.model import Pack
from ..rating import NA, AspectView, Judgements, Rating, judgements_from_rows
from ..session.year import AGREED, OVERRIDDEN, SUGGESTED, YearRating, year_rating_details

NOT_RATED = "Not yet rated"
FILLS = {"G": "C6EFCE", "A": "FFEB9C", "R": "FFC7CE", "": "FFFFFF"}

# The variables a note-of-visit template is expected to use, with what each is for.
CORE = {
    "organisation": "the LA or school visited",
    "visit_date": "the date of the visit",
    "visit_type": "the agenda's title",
    "people_line": "the people present",
    "author": "who wrote the note",
    "purpose": "the purpose of the visit",
    "focus_line": "the focus aspects",
    "ratings": "the contributory ratings",
    "aspects": "the aspects discussed, with evidence, strengths and areas for development",
    "actions": "the agreed actions",
    "previous_actions": "progress since the last visit",
    "next_steps": "the next steps",
}


def long_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d:%B %Y}"


def column_words(pack: Pack, column_id: str | None) -> str:
    """A column in the seed's note vocabulary ("Good, effective"), N/A, or 'Not yet rated'."""
    if column_id is None:
        return NOT_RATED
    if column_id == NA:
        return NA
    try:
        return pack.column(column_id).note or pack.column(column_id).label
    except KeyError:
        return column_id


def _rag(pack: Pack, column_id: str | None) -> str:
    if column_id in (None, NA):
        return ""
    try:
        return pack.column(column_id).rag
    except KeyError:
        return ""


def _phase_names(pack: Pack, phases: Iterable[str]) -> list[str]:
    return [pack.phase_name(p) for p in phases]


def _aspect_order(pack: Pack, aspect_ids: Iterable[str]) -> list[str]:
    wanted = set(aspect_ids)
    ordered = [a for g in pack.groups for a in g.aspects if a in wanted]
    return ordered + sorted(a for a in wanted if a not in ordered and a in pack.aspects)


def _action_row(a: dict[str, Any], visit_date: str | None = None) -> dict[str, Any]:
    status = {"open": "Open", "done": "Done", "dropped": "Dropped"}.get(a["status"], a["status"])
    if a["status"] == "open" and a.get("due_date") and visit_date and a["due_date"] < visit_date:
        status = "Open, overdue"
    return {"text": a["text"] or "", "owner": a["owner"] or "", "due": long_date(a.get("due_date")),
            "due_iso": a.get("due_date") or "", "aspect": a.get("aspect_id") or "", "status": status,
            "ref": a["id"][:8]}


# --- judgements as they stood ---------------------------------------------------------------------------------


def year_judgements(store, visit: dict[str, Any]) -> dict[tuple[str, str], Judgements]:
    """(aspect, phase) -> the latest judgement per target from this visit and the organisation's earlier visits
    this academic year."""
    return judgements_by_aspect(store.judgements_as_of(visit))


def judgements_by_aspect(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], Judgements]:
    """Rows oldest first -> Judgements per (aspect, phase), the latest per target winning (as Session does)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["aspect_id"], r["phase"])].append(r)
    return {k: judgements_from_rows(group) for k, group in groups.items()}


# --- ratings in words -------------------------------------------------------------------------------------------


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


def basis(pack: Pack, r: Rating) -> str:
    """Why the rating, in a sentence or three: what holds it (or caps it), what blocks the next column up, and the
    criteria met. Criterion ids only: their text is under strengths and areas for development."""
    if r.suggestion == NA:
        return r.reason.rstrip(".") + "."
    if r.suggestion is None:
        return "Nothing recorded yet for this phase."
    col = pack.column(r.suggestion)
    if r.cap == col.id and r.capped_by:
        head = f"Capped at {col.label} by {_ids(r.capped_by)}"
    elif col.upper:
        head = f"{col.label}: its critical criteria are met, and enough of the rest"
    else:
        head = f"{col.label}: the criteria for a higher rating are not met"
    parts = [head + "."]
    if col.rank > 0:
        up = pack.columns[col.rank - 1]
        blocking = []
        for b in r.blockers:
            if b.column != up.id:
                continue
            if b.kind in ("critical", "cap") and b.criterion:
                why = "caps" if b.kind == "cap" else _state_words(r.states.get(b.criterion))
                blocking.append(f"{b.criterion} ({why})")
            elif b.kind == "evidence":
                blocking.append("evidence of impact")
            elif b.kind == "share":
                blocking.append("too few criteria met")
            elif b.kind == "below":
                blocking.append(f"the {pack.columns[col.rank].label} criteria first")
        if blocking:
            parts.append(f"{up.label} needs: {'; '.join(dict.fromkeys(blocking))}.")
    met = [c for c, s in r.states.items() if s == "met"]
    parts.append(f"Criteria met: {_ids(met)}." if met else "No criteria recorded as met.")
    return " ".join(parts)


def rating_bases(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-phase ratings with the same rating and basis, merged into one line ('Primary, Secondary: …')."""
    merged: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        merged.setdefault((row["rating"], row["basis"]), []).append(row["phase"])
    return [{"phases": ", ".join(phases), "rating": rating, "basis": why}
            for (rating, why), phases in merged.items()]


MARKS = {OVERRIDDEN: "adviser's rating", AGREED: "agreed", SUGGESTED: "suggested"}


def rating_row(pack: Pack, held: YearRating, saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """One phase and aspect as a note or briefing shows it: the year's rating (session/year.py: the one rule the
    dashboard and the review read too), marked as the adviser's override, an agreed rating or an untouched
    suggestion, with what it rests on; `saved` is the visit's rating row, for the LA's self-evaluation."""
    saved = saved or {}
    r = held.rating
    self_eval = saved.get("self_evaluation")
    decided = held.column if held.standing in (OVERRIDDEN, AGREED) else None
    view = AspectView(r, decided, held.reason, self_eval)  # the one final-rating rule
    final = view.final
    words = column_words(pack, final)
    mark = MARKS.get(held.standing, "")
    rests_on = held.rests_on(long_date)
    on_criteria = basis(pack, r)
    overridden = held.standing == OVERRIDDEN
    allows = held.departure.allows(pack) if overridden and held.departure else ""
    if overridden:
        reason = (held.reason or "no reason given").rstrip(".")
        why = f"{_sentence(rests_on)}: {reason}. {_sentence(allows)}. On the criteria: {on_criteria}"
        line = f"{words} ({mark}; {held.departure.allows(pack, why=False)})" if held.departure else words
    elif held.standing in (AGREED, SUGGESTED):
        why = f"{_sentence(rests_on)}. {on_criteria}"
        line = f"{words} ({mark})"
    else:
        why, line = on_criteria, words
    ruled_out = bool(overridden and held.departure and held.departure.ruled_out)
    reach = (f"no higher than {pack.column(r.ceiling).label}, below the adviser's rating" if ruled_out
             else column_words(pack, r.ceiling))
    rag = _rag(pack, final)
    return {
        "aspect_id": r.aspect, "aspect_title": pack.aspects[r.aspect].title, "phase_id": r.phase,
        "phase": pack.phase_name(r.phase),
        "rating": words, "column": final if final not in (None, NA) else "",
        "label": pack.column(final).label if final not in (None, NA) else words,
        "mark": mark, "rating_line": line, "standing": held.standing, "rests_on": rests_on,
        "decided_date": long_date(held.visit_date) if held.visit_date else "",
        "criteria_allow": allows, "departs": ruled_out,
        "rag": rag, "fill": FILLS.get(rag, "FFFFFF"),
        "suggested": column_words(pack, r.suggestion), "ceiling": column_words(pack, r.ceiling), "reach": reach,
        "overridden": overridden, "agreed": held.standing == AGREED, "override_reason": held.reason if overridden
        else "",
        "basis": why, "reason": r.reason,
        "criteria_met": _ids(c for c, s in r.states.items() if s == "met"),
        "capped_by": _ids(r.capped_by),
        "self_evaluation": column_words(pack, self_eval) if self_eval else "",
        "self_evaluation_differs": view.disagrees,
        "rated": final not in (None, NA), "applies": r.suggestion != NA,
        "open": is_open(pack, r, final),
        "lift": list(r.lift),
    }


def is_open(pack: Pack, r: Rating, final: str | None = None) -> bool:
    """The rating can still rise on the criteria: nothing rated yet, or the rating held (`final`, by default the
    suggestion) sits below the ceiling."""
    final = r.suggestion if final is None else final
    if r.suggestion == NA or r.ceiling in (None, NA):
        return False
    if final is None:
        return True
    return pack.column(r.ceiling).rank < pack.column(final).rank


def _with_phases(entries: dict[str, list[str]], all_phases: list[str]) -> list[str]:
    out = []
    for text, phases in entries.items():
        phases = list(dict.fromkeys(phases))
        out.append(text if len(all_phases) <= 1 or set(phases) >= set(all_phases)
                   else f"{text} ({', '.join(phases)})")
    return out


def strengths(pack: Pack, ratings: list[Rating]) -> list[str]:
    """Criteria met in the upper columns (Good, Outstanding), in pack order."""
    found: dict[str, list[str]] = {}
    phases = [pack.phase_name(r.phase) for r in ratings if r.suggestion != NA]
    for c in (c for r in ratings for c in pack.aspects[r.aspect].criteria):
        for r in ratings:
            if r.states.get(c.id) == "met" and pack.column(c.column).upper:
                found.setdefault(f"{_sentence(c.text)} ({c.id})", []).append(pack.phase_name(r.phase))
    return _with_phases(found, phases)


def development(pack: Pack, ratings: list[Rating]) -> list[str]:
    """What holds each rating down: criteria that cap it, critical criteria not met for the next column up,
    missing evidence of impact."""
    found: dict[str, list[str]] = {}
    phases = [pack.phase_name(r.phase) for r in ratings if r.suggestion != NA]
    for r in ratings:
        if r.suggestion in (None, NA) or pack.column(r.suggestion).rank == 0:
            continue
        up = pack.columns[pack.column(r.suggestion).rank - 1]
        for b in r.blockers:
            if b.column != up.id:
                continue
            c = pack.criteria.get(b.criterion) if b.criterion else None
            if b.kind == "cap" and c:
                text = f"{_sentence(c.text)} ({c.id}: this limits the rating to {pack.column(r.suggestion).label})"
            elif b.kind == "critical" and c:
                text = f"{_sentence(c.text)} ({c.id}: needed for {up.label}, {_state_words(r.states.get(c.id))})"
            elif b.kind == "evidence":
                text = f"Evidence of the impact on outcomes: {up.label} {b.message}"
            else:
                continue
            found.setdefault(text, []).append(pack.phase_name(r.phase))
    return _with_phases(found, phases)


def _sentence(text: str) -> str:
    """A criterion's text as a sentence: the seed's fragments ("use of improvement programmes …") capitalised."""
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:]


def _state_words(state: str | None) -> str:
    return {"partly": "only partly met", "not_met": "not met", "unknown": "not yet evidenced"}.get(state or "",
                                                                                                 "not met")


# --- the note ---------------------------------------------------------------------------------------------------


def load_visit(store, pack: Pack, visit_id: str) -> dict[str, Any]:
    visit = store.visit(visit_id)
    if visit is None:
        raise UsageError(f"no visit '{visit_id}' (see `laqs visits`)")
    if visit["pack_id"] != pack.id:
        raise UsageError(f"visit {visit['id'][:8]} was recorded with pack '{visit['pack_id']}', not '{pack.id}'")
    if visit["agenda_id"] not in pack.agendas:
        raise UsageError(f"visit {visit['id'][:8]} uses agenda '{visit['agenda_id']}', which the pack lacks")
    return visit


def _organisation(store, visit: dict[str, Any]) -> tuple[dict[str, Any], str]:
    org = store.organisation_by_id(visit["organisation_id"]) or {}
    la = org.get("name", "") if org.get("kind") == "LA" else ""
    if org.get("parent_id"):
        parent = store.organisation_by_id(org["parent_id"])
        la = parent["name"] if parent else la
    return org, la


def _question_label(pack: Pack, response: dict[str, Any], items: dict[str, dict[str, Any]]) -> str:
    q = pack.questions.get(response.get("question_id") or "")
    if q is not None:
        return f"{q.id}: {q.text}"
    item = items.get(response.get("item_id") or "")
    if item is not None:
        return f"Follow-up: {item['text']}"
    return "Note"


def note_context(store, pack: Pack, visit_id: str, *, today: date | None = None) -> dict[str, Any]:
    """Everything a note-of-visit template can use. Strings are not yet cleaned for XML (see clean.py)."""
    today = today or date.today()
    visit = load_visit(store, pack, visit_id)
    vid = visit["id"]
    org, la = _organisation(store, visit)
    agenda = pack.agendas[visit["agenda_id"]]
    phases = list(visit["phases"])

    shared = store.responses(vid, shared_only=True)
    items = {i["id"]: i for i in store.items(vid)}
    by_aspect: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in shared:
        by_aspect[r["aspect_id"]].append(r)
    visit_judgements = store.visit_judgements(vid)
    judged_here = {(j["aspect_id"], j["phase"]) for j in visit_judgements}
    saved = {(r["aspect_id"], r["phase"]): r for r in store.ratings(vid)}
    in_play = set(visit["focus"]) | set(by_aspect) | {a for a, _ in judged_here}
    in_play |= {a for (a, _), s in saved.items() if s.get("override") or s.get("self_evaluation")}
    in_play &= set(pack.aspects)

    ordered = _aspect_order(pack, in_play)
    # The year's ratings as they stood at this visit: this visit and those before it (a later one does not
    # rewrite this note).
    held = year_rating_details(store, pack, visit["organisation_id"], visit["academic_year"], visit=visit,
                               phases=phases, aspects=ordered)
    aspects, flat = [], []
    for aspect_id in ordered:
        aspect = pack.aspects[aspect_id]
        ratings = [held[(p, aspect_id)].rating for p in phases]
        rows = [rating_row(pack, held[(p, aspect_id)], saved.get((aspect_id, p))) for p in phases]
        for row, r in zip(rows, ratings):
            row["evidence_here"] = bool(by_aspect.get(aspect_id)) or (aspect_id, r.phase) in judged_here
        flat.extend(rows)
        evidence = [{"question": _question_label(pack, r, items), "text": r["text"] or "",
                     "value": r["value"] or "", "ref": r["id"][:8]} for r in by_aspect.get(aspect_id, [])]
        aspects.append({
            "id": aspect_id, "title": aspect.title, "heading": f"{aspect_id} {aspect.title}",
            "group": aspect.group, "focus": aspect_id in visit["focus"],
            "evidence": evidence, "has_evidence": bool(evidence),
            "ratings": rows, "bases": rating_bases(rows),
            "strengths": strengths(pack, ratings), "development": development(pack, ratings),
            "self_evaluation": [f"{row['phase']}: {row['self_evaluation']}"
                                + (f" (the adviser's rating: {row['rating']})" if row["self_evaluation_differs"]
                                   else " (the adviser agrees)")
                                for row in rows if row["self_evaluation"]],
        })

    actions = [_action_row(a) for a in store.actions(vid)]
    prev = store.previous_visit(visit)
    previous_actions = [_action_row(a, visit["date"]) for a in store.actions(prev["id"])] if prev else []
    people = [{"name": p["name"], "role": p["role"] or "",
               "line": p["name"] + (f" ({p['role']})" if p["role"] else "")} for p in visit["people"]]
    focus = [{"id": a, "title": pack.aspects[a].title, "line": f"{a} {pack.aspects[a].title}"}
             for a in visit["focus"] if a in pack.aspects]

    ctx: dict[str, Any] = {
        "kind": "note", "title": "Note of visit",
        "organisation": org.get("name", ""), "organisation_kind": org.get("kind", ""), "la": la,
        "school": org.get("name", "") if org.get("kind") == "school" else "",
        "visit_id": vid, "visit_ref": vid[:8], "visit_date": long_date(visit["date"]),
        "visit_date_iso": visit["date"], "academic_year": visit["academic_year"],
        "visit_type": agenda.title, "agenda_source": agenda.source, "status": visit["status"].replace("_", " "),
        "draft": visit["status"] != "ended",
        "people": people, "people_line": "; ".join(p["line"] for p in people),
        "author": visit["author"] or "", "purpose": visit["purpose"] or "",
        "focus": focus, "focus_line": "; ".join(f["line"] for f in focus),
        "phases": _phase_names(pack, phases), "phases_line": ", ".join(_phase_names(pack, phases)),
        "aspects": aspects, "ratings": flat, "actions": actions,
        "has_previous": prev is not None,
        "previous_date": long_date(prev["date"]) if prev else "",
        "previous_type": pack.agendas[prev["agenda_id"]].title if prev and prev["agenda_id"] in pack.agendas
        else "",
        "previous_ref": prev["id"][:8] if prev else "",
        "previous_actions": previous_actions,
        "pack_title": pack.title, "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }
    ctx["next_steps"] = next_steps(ctx)
    return ctx


def next_steps(ctx: dict[str, Any]) -> list[str]:
    """The agenda for the next meeting: the actions to review, what is still open, the evidence still to seek."""
    out = []
    acts = ctx["actions"]
    if acts:
        dues = sorted(a["due_iso"] for a in acts if a["due_iso"])
        first = f", the first due {long_date(dues[0])}" if dues else ""
        out.append(f"Review progress on the {len(acts)} agreed action{'s' if len(acts) != 1 else ''} at the next "
                   f"visit{first}.")
    still_open = [a for a in ctx["previous_actions"] if a["status"].startswith("Open")]
    if still_open:
        out.append(f"Follow up the {len(still_open)} action{'s' if len(still_open) != 1 else ''} from the last "
                   f"visit still open.")
    unrated: dict[str, list[str]] = {}
    lifts: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for row in ctx["ratings"]:
        if not row["applies"]:
            continue
        if not row["rated"]:
            unrated.setdefault(row["aspect_id"], []).append(row["phase"])
        elif row["open"] and row["lift"]:
            lifts.setdefault((row["aspect_id"], tuple(row["lift"])), []).append(row["phase"])
    for aspect_id, phases in unrated.items():
        out.append(f"Gather evidence on {aspect_id} for {', '.join(phases)}: nothing recorded yet.")
    for (aspect_id, lift), phases in lifts.items():
        out.append(f"Seek evidence on {aspect_id} ({', '.join(phases)}): " + "; ".join(lift) + ".")
    return out
