"""What a note of visit says, as plain data: the rendering context built from the store and the pack.

No docx here. The context is a dict of strings, booleans, lists and dicts that a template reads; `CORE` names the
variables a note of visit is expected to use (`laqs templates check` warns when a template leaves one out).

Ratings are the year's ratings as they stood at the visit, by the one rule of session/year.py (the dashboard and
the review read it too), resting on this visit and the visits dated before it (later visits do not rewrite an old
note): an adviser's override or an agreed rating while no evidence has been recorded since, else the suggestion
from the year's evidence, each marked as such, in the pack's note vocabulary.
Responses flagged as concerning an individual are never read here (the standards' openness principle).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from .. import __version__
from ..errors import UsageError
from ..packs.model import Pack
from ..rating import NA, AspectView, Judgements, Rating, judgements_from_rows
from ..session.year import AGREED, OVERRIDDEN, SUGGESTED, YearRating, year_rating_details
from .words import document_rows, judged_basis, note_words

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
    """A column in the standards' own words ("Good, effective"), N/A, or 'Not yet rated'."""
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


STATUS_WORDS = {"open": "Open", "done": "Done", "dropped": "Dropped", "carried": "Carried forward"}
OUTSTANDING = ("open", "carried")


def _action_row(a: dict[str, Any], visit_date: str | None = None) -> dict[str, Any]:
    """An action as a note shows it: its text, owner, timescale and its status now, in words (with the day it was
    marked and the note given, when there is one)."""
    raw = a.get("status") or "open"
    status = STATUS_WORDS.get(raw, raw.replace("_", " ").capitalize())
    overdue = bool(raw in OUTSTANDING and a.get("due_date") and visit_date and a["due_date"] < visit_date)
    if overdue:
        status += ", overdue"
    if a.get("status_date") and raw != "open":
        status += f" ({long_date(a['status_date'])})"
    note = (a.get("status_note") or "").strip()
    return {"text": a["text"] or "", "owner": a["owner"] or "", "due": long_date(a.get("due_date")),
            "due_iso": a.get("due_date") or "", "aspect": a.get("aspect_id") or "", "status": status,
            "state": raw, "overdue": overdue, "status_note": note,
            "status_line": status + (f": {note}" if note else ""), "ref": a["id"][:8],
            "parts": runs(a["text"] or ""), "rtl": is_rtl(a["text"] or "")}


# --- every script and every font ---------------------------------------------------------------------------------

# Emoji and pictographs: the characters a text font lacks and the template's emoji style names a font for.
_EMOJI = re.compile("[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
                    "\u3030\u303d\u3297\u3299\U0001f000-\U0001faff\U0001fc00-\U0001ffff]"
                    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff\u20e3\U000e0020-\U000e007f"
                    "\U0001f000-\U0001faff\u2600-\u27bf]*")
# A text with more emoji than this stays one run: a font's own fallback then draws them.
MAX_RUNS = 200


def runs(text: str) -> list[dict[str, Any]]:
    """`text` as runs for a template: [{'text', 'emoji'}], emoji apart so the template can give them the emoji
    font; one run when there are none (or too many to split)."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for m in _EMOJI.finditer(text):
        if len(pieces) >= MAX_RUNS:
            return [{"text": text, "emoji": False}]
        if m.start() > at:
            pieces.append({"text": text[at:m.start()], "emoji": False})
        pieces.append({"text": m.group(), "emoji": True})
        at = m.end()
    if at < len(text) or not pieces:
        pieces.append({"text": text[at:], "emoji": False})
    return pieces


def is_rtl(text: str) -> bool:
    """The paragraph direction by the Unicode rule (P2): its first strong character is right-to-left."""
    for ch in text[:2000]:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


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
    if pack.judged:
        return ""  # a judged level rests on the adviser's judgement of the evidence, said where it stands
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
    if pack.judged and held.standing == SUGGESTED:
        # A judged level is the adviser's own judgement on the evidence, not a suggestion worked out from criteria.
        mark, rests_on = "judged", rests_on.replace("suggested from the year's evidence",
                                                    "judged by the adviser on the evidence recorded")
    on_criteria = basis(pack, r)
    overridden = held.standing == OVERRIDDEN
    allows = held.departure.allows(pack) if overridden and held.departure else ""
    if overridden:
        reason = (held.reason or "no reason given").rstrip(".")
        why = f"{_sentence(rests_on)}: {reason}. {_sentence(allows)}. On the criteria: {on_criteria}"
        line = f"{words} ({mark}; {held.departure.allows(pack, why=False)})" if held.departure else words
    elif held.standing in (AGREED, SUGGESTED):
        why = f"{_sentence(rests_on)}." + (f" {on_criteria}" if on_criteria else "")
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
        # the table's cell: the LA's view, marked where it is not the rating held, so a disagreement shows
        "self_evaluation_line": (column_words(pack, self_eval) + (" (differs)" if view.disagrees else ""))
        if self_eval else "",
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
    """Criteria met in the upper columns (Good, Outstanding), in pack order, as short plain sentences."""
    found: dict[str, list[str]] = {}
    phases = [pack.phase_name(r.phase) for r in ratings if r.suggestion != NA]
    for c in (c for r in ratings for c in pack.aspects[r.aspect].criteria):
        for r in ratings:
            if r.states.get(c.id) == "met" and pack.column(c.column).upper:
                found.setdefault(plain(c.text), []).append(pack.phase_name(r.phase))
    return _with_phases(found, phases)


def development(pack: Pack, ratings: list[Rating]) -> list[str]:
    """Priorities for further action, in plain words: what caps each rating, the critical criteria not met for the
    next column up, missing evidence of impact."""
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
                text = f"Tackle what holds the rating at {pack.column(r.suggestion).label}: {_lower(plain(c.text))}"
            elif b.kind == "critical" and c:
                text = f"Show that {_lower(plain(c.text)).rstrip('.')} (needed for {up.label})."
            elif b.kind == "evidence":
                text = f"Gather evidence of the impact on outcomes for children and young people (needed for " \
                       f"{up.label})."
            else:
                continue
            found.setdefault(text, []).append(pack.phase_name(r.phase))
    return _with_phases(found, phases)


_CUT = re.compile(r";|\.\s|:\s|\s[–—]\s")
_CRITERION_ID = re.compile(r"\s*\(\d+\.\d+\.[A-Za-z][\w.-]*\)|\b\d+\.\d+\.(?:OS|G|NI|SI)\.\d+\b")
PLAIN_WORDS = 26
# "Within the context of the policy, which takes account of …, the LA draws up …": the lead-in qualifies what
# follows; a plain sentence starts at its subject.
_LEAD_IN = re.compile(r"^(?:Within|In) the context of [^,]+(?:,[^,]*?)*?, (?=(?:the|The) LA\b)")
# Words a sentence cannot end on: a cut that leaves one of them last has cut a clause in two.
_DANGLING = {"a", "an", "and", "at", "by", "for", "from", "in", "including", "of", "on", "or", "that", "the", "to",
             "with", "working", "local", "national", "regional", "is", "are", "be", "LA"}
# Before a colon, words that run on into what follows ("evidence that the LA: communicates …", "the quality of:
# self-evaluation; …"): the colon goes and the sentence reads on.
_RUNS_ON = {"of", "is", "are", "that", "la", "working", "by", "to", "be", "in", "on", "for", "with"}


def _run_on_colon(text: str) -> str:
    """A colon the standards use to open a list or a continuation, read as one sentence: "X of: a; b; c" becomes
    "X of a, b and c"; after a noun the colon stays ("support: timely, fit for purpose and …")."""
    head, sep, tail = text.partition(": ")
    if not sep or len(head.split()) < 2:
        return text
    items = [i.strip() for i in tail.split(";") if i.strip()]
    listed = _join([i.rstrip(".") for i in items]) if len(items) > 1 else tail
    last = head.split()[-1].lower()
    return f"{head} {listed}" if last in _RUNS_ON else f"{head}: {listed}" if len(items) > 1 else text


def _enumerating(rest: str) -> bool:
    """Whether a comma is inside an enumeration ("local, regional and national providers")."""
    return re.match(r"\s*[\w/-]+(?: [\w/-]+)?,? (?:and|or) ", rest) is not None


def plain(text: str) -> str:
    """A criterion's text as one plain sentence: its first clause (a long one cut at a comma that ends a clause,
    never one inside a list), no ids, the colon after "The LA" dropped, a lead-in qualifying the subject left
    out, a list after a colon joined into the sentence, capitalised, a full stop. A cut that would leave the
    sentence hanging on a word like "of" or "the" is not made."""
    text = " ".join(text.split())
    text = re.sub(r"^(The LA|LA|The local authority):\s*", r"\1 ", text)
    text = _CRITERION_ID.sub("", text).strip()
    text = _LEAD_IN.sub("", text)
    text = _run_on_colon(text)
    for m in _CUT.finditer(text):
        head = text[:m.start()]
        if len(head.split()) >= 5 and head.rstrip(" ,").split()[-1] not in _DANGLING:
            text = head
            break
    words = text.split()
    if len(words) > PLAIN_WORDS:
        head = " ".join(words[:PLAIN_WORDS])
        for m in reversed(list(re.finditer(", ", head))):
            cut = head[:m.start()]
            if len(cut.split()) < 10:
                break
            if not _enumerating(head[m.end():] + text[len(head):]) and cut.split()[-1] not in _DANGLING:
                text = cut
                break
    return _sentence(text.rstrip(" ,.:")) + "."


def _lower(text: str) -> str:
    """The first letter lowered for use inside a sentence, unless the word is an acronym ("LA", "SIP/NCAs")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and text[1] not in "/-":
        return text[0].lower() + text[1:]
    return text


def _sentence(text: str) -> str:
    """A criterion's text as a sentence: the standards' fragments ("use of improvement programmes …") capitalised."""
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


def _answer_words(pack: Pack, response: dict[str, Any]) -> str:
    """The answer as the adviser means it: a choice by its label (not the number typed), else the text."""
    text = response.get("text") or ""
    q = pack.questions.get(response.get("question_id") or "")
    value = response.get("value") or ""
    if q is not None and q.answer == "choice" and value:
        first, _, rest = text.partition(" ")
        if first.isdigit() or text.strip().lower() == value.lower():
            return value + (f". {rest.strip()}" if first.isdigit() and rest.strip() else "")
        return text if value.lower() in text.lower() else f"{value}. {text}"
    return text


def _question(pack: Pack, response: dict[str, Any], items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The question an answer was given to, as put to the people met: a scripted question's stem and its parts,
    a follow-up as the plain question it asked (no ids, no machine prompt), or a note."""
    q = pack.questions.get(response.get("question_id") or "")
    if q is not None:
        return {"question": q.text, "sub": list(q.sub), "question_id": q.id, "follow_up": False}
    item = items.get(response.get("item_id") or "")
    if item is not None:
        targets = item.get("targets") or []
        c = pack.criteria.get(targets[0]) if targets else None
        if c is not None:
            text = f"What evidence is there that {_lower(plain(c.text)).rstrip('.')}?"
        elif targets and str(targets[0]).startswith("impact:"):
            text = "What evidence is there of the impact of this work on outcomes for children and young people?"
        else:
            text = _CRITERION_ID.sub("", re.sub(r"\s*\([^()]*\)\s*$", "", item["text"] or "")).strip()
        return {"question": text, "sub": [], "question_id": "", "follow_up": True}
    return {"question": "Note", "sub": [], "question_id": "", "follow_up": False}


def _question_label(pack: Pack, response: dict[str, Any], items: dict[str, dict[str, Any]]) -> str:
    q = _question(pack, response, items)
    return f"{q['question_id']}: {q['question']}" if q["question_id"] else q["question"]


_TITLE_CUT = re.compile(r",? including\b|,? in partnership\b|\s(?:to drive|as part of|so that|in order to|through|"
                        r"for all)\b|,\s")


def short_title(title: str) -> str:
    """An aspect's title as a note names it: up to the first clause that qualifies it, when at least four words
    come before ("Impact of challenge and support to schools")."""
    for m in _TITLE_CUT.finditer(title):
        if len(title[:m.start()].split()) >= 4:
            return title[:m.start()].rstrip(" ,")
    return title


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


def _rated_words(pack: Pack, rows: list[dict[str, Any]]) -> str:
    """'Good, effective in Primary (agreed) and Requires some improvement in Secondary (suggested)'."""
    merged: dict[str, list[str]] = {}
    for row in rows:
        if row["rated"]:
            mark = f" ({row['mark']})" if row["mark"] else ""
            merged.setdefault(f"{row['label']}{mark}", []).append(row["phase"])
    if len(rows) == 1 and merged:
        return next(iter(merged))
    return _join([f"{words} in {_join(phases)}" for words, phases in merged.items()])


def _first_lower(items: list[str]) -> str:
    return _lower(items[0]).rstrip(".") if items else ""


def draft_summary(pack: Pack, ctx: dict[str, Any]) -> dict[str, Any]:
    """A summary for the adviser to edit, built from the record in plain sentences without ids: the key findings
    per aspect discussed, then overall."""
    lines = []
    school = ctx["school_visit"]
    for a in ctx["aspects"]:
        if school:
            n = len(a["evidence"])
            lines.append(f"{a['title']}: {n} point{'s' if n != 1 else ''} from the discussion are recorded"
                         + (f"; {len(a['actions'])} action{'s' if len(a['actions']) != 1 else ''} agreed."
                            if a["actions"] else "."))
            continue
        rated = _rated_words(pack, a["ratings"])
        head = f"{a['title']}: {rated}." if rated else f"{a['title']}: not yet rated."
        n, m = len(a["strengths"]), len(a["development"])
        if n or m:
            head += (f" {n} strength{'s' if n != 1 else ''} and {m} priorit{'ies' if m != 1 else 'y'} for further "
                     "action")
            head += f", first: {_first_lower(a['development'])}." if m else "."
        lines.append(head)
    n_acts = len(ctx["actions"])
    acts = f"{n_acts} action{'s were' if n_acts != 1 else ' was'} agreed" if n_acts else "no actions were agreed"
    talked = _join([a["title"] for a in ctx["aspects"]]) or "no aspect"
    if school:
        overall = (f"The discussion with {ctx['organisation']} covered {talked}, as the school experiences the LA's "
                   f"support and the challenge of its SIP; {acts}.")
    else:
        rolled = [r for r in ctx["rollup"] if r["rated"]]
        roll = "; ".join(f"{r['title']} ({r['phase']}) {r['label']}" for r in rolled)
        overall = (f"Overall, the visit discussed {talked}; {acts}."
                   + (f" Rolled up from the year's {pack.terms.rating}s: {roll}." if roll else ""))
    return {"overall": overall, "aspects": lines, "lines": [overall] + lines}


def rollup_rows(pack: Pack, held: dict[tuple[str, str], YearRating], phases: list[str],
                aspects: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The group and overall roll-up of the dashboard from the year's ratings, each with how many aspects it
    rests on (a group stays unrated while too few of its aspects are); only the groups of `aspects` when given."""
    from ..rollup import dashboard

    board = dashboard(pack, {key: h.column for key, h in held.items()})
    wanted = {pack.aspects[a].group for a in aspects if a in pack.aspects}
    groups = [g for g in pack.groups if not wanted or g.id in wanted]
    out = []

    def row(title: str, phase: str, column: str | None, n: int, m: int) -> dict[str, Any]:
        rated = column not in (None, NA)
        return {"title": title, "phase": phase, "rating": column_words(pack, column),
                "label": pack.column(column).label if rated else NOT_RATED, "rated": rated,
                "rests_on": f"{n} of {m} {pack.terms.aspect} {pack.terms.rating}s",
                "fill": FILLS.get(_rag(pack, column), "FFFFFF")}

    for r in board.rows:
        if r.phase not in phases:
            continue
        for g in groups:
            n, m = r.rated[g.id]
            if m:
                out.append(row(f"Group {g.id}: {g.title}", pack.phase_name(r.phase), r.groups[g.id], n, m))
    for g in groups:
        n, m = board.overall_rated[g.id]
        if m:
            out.append(row(f"Group {g.id}: {g.title}", "Overall", board.overall[g.id], n, m))
    return out


def rollup_lines(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The roll-up a line per group: 'Primary: Good (4 of 5 aspect ratings); …; Overall: …'."""
    by: dict[str, list[str]] = {}
    for r in rows:
        by.setdefault(r["title"], []).append(f"{r['phase']}: {r['label']} ({r['rests_on']})")
    return [{"title": title, "line": "; ".join(parts)} for title, parts in by.items()]


def _school_visit(pack: Pack, org: dict[str, Any], agenda) -> bool:
    return org.get("kind") == "school" or agenda.audience.lower().startswith("head")


def note_context(store, pack: Pack, visit_id: str, *, today: date | None = None,
                 annex: bool = True) -> dict[str, Any]:
    """Everything a note-of-visit template can use. Strings are not yet cleaned for XML (see clean.py).
    `annex`: whether the evidence record goes in an annex after the body (the template's `annex`)."""
    today = today or date.today()
    visit = load_visit(store, pack, visit_id)
    vid = visit["id"]
    org, la = _organisation(store, visit)
    agenda = pack.agendas[visit["agenda_id"]]
    phases = list(visit["phases"])
    school = _school_visit(pack, org, agenda)

    shared = store.responses(vid, shared_only=True)
    items = {i["id"]: i for i in store.items(vid)}
    by_aspect: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in shared:
        by_aspect[r["aspect_id"]].append(r)
    visit_judgements = store.visit_judgements(vid)
    judged_here = {(j["aspect_id"], j["phase"]) for j in visit_judgements}
    saved = {(r["aspect_id"], r["phase"]): r for r in store.ratings(vid)}
    action_rows = store.actions(vid)
    # An aspect is discussed when something was said, judged, decided or agreed on it at this visit; at a school,
    # what was said or agreed (judgements there bear on the LA's criteria, not on the school).
    discussed = set(by_aspect) | {a["aspect_id"] for a in action_rows if a.get("aspect_id")}
    if not school:
        discussed |= {a for a, _ in judged_here}
        discussed |= {a for (a, _), s in saved.items() if s.get("override") or s.get("self_evaluation")}
    discussed &= set(pack.aspects)

    documents = store.documents(visit_id=vid)
    discussed |= {d["aspect_id"] for d in documents} & set(pack.aspects)
    ordered = _aspect_order(pack, discussed)
    # The year's ratings as they stood at this visit: this visit and those before it (a later one does not
    # rewrite this note); every aspect, for the group and overall roll-up.
    held = year_rating_details(store, pack, visit["organisation_id"], visit["academic_year"], visit=visit,
                               phases=phases)
    aspects, flat = [], []
    for aspect_id in ordered:
        aspect = pack.aspects[aspect_id]
        ratings = [held[(p, aspect_id)].rating for p in phases]
        rows = [rating_row(pack, held[(p, aspect_id)], saved.get((aspect_id, p))) for p in phases]
        for row, r in zip(rows, ratings):
            row["evidence_here"] = bool(by_aspect.get(aspect_id)) or (aspect_id, r.phase) in judged_here
        flat.extend(rows)
        evidence = []
        for r in by_aspect.get(aspect_id, []):
            answer = _answer_words(pack, r)
            evidence.append({**_question(pack, r, items), "label": _question_label(pack, r, items),
                             "text": answer, "answer": answer, "value": r["value"] or "", "ref": r["id"][:8],
                             "parts": runs(answer), "rtl": is_rtl(answer)})
        aspects.append({
            "id": aspect_id, "title": short_title(aspect.title), "full_title": aspect.title,
            "heading": f"{short_title(aspect.title)} ({aspect_id})",
            "group": aspect.group, "focus": aspect_id in visit["focus"],
            "evidence": evidence, "has_evidence": bool(evidence),
            "ratings": rows, "rated_line": _rated_words(pack, rows), "bases": rating_bases(rows),
            "strengths": strengths(pack, ratings), "development": development(pack, ratings),
            "actions": [a["text"] for a in action_rows if a.get("aspect_id") == aspect_id],
            "self_evaluation": [f"{row['phase']}: {row['self_evaluation']}"
                                + (f" (the adviser's rating: {row['rating']})" if row["self_evaluation_differs"]
                                   else " (the adviser agrees)")
                                for row in rows if row["self_evaluation"]],
        })
    for a in aspects:
        # Documents go into the note only once marked shared; the rest are counted, never named.
        mine = [d for d in documents if d["aspect_id"] == a["id"]]
        a["documents"] = document_rows(pack, [d for d in mine if d["shared"]])
        a["documents_private"] = sum(1 for d in mine if not d["shared"])
        if pack.judged:
            for b in a["bases"]:
                b["basis"] = judged_basis(pack, b["basis"], len(by_aspect.get(a["id"], [])), len(mine))
            a["nothing_line"] = a["bases"][0]["basis"] if a["bases"] and any(r["rated"] for r in a["ratings"]) \
                else note_words(pack)["nothing_yet"]
        else:
            a["nothing_line"] = note_words(pack)["nothing_yet"]
        a["strengths_shown"], a["strengths_more"] = _few(a["strengths"])
        a["priorities"], a["priorities_more"] = _few(a["development"])
        a["points"] = [e["answer"] for e in a["evidence"] if e["answer"].strip()]

    actions = [_action_row(a) for a in action_rows]
    prev = store.previous_visit(visit)
    previous_actions = [_action_row(a, visit["date"]) for a in store.actions(prev["id"])] if prev else []
    people = [{"name": p["name"], "role": p["role"] or "",
               "line": p["name"] + (f" ({p['role']})" if p["role"] else "")} for p in visit["people"]]
    focus = [{"id": a, "title": short_title(pack.aspects[a].title),
              "line": f"{short_title(pack.aspects[a].title)} ({a})"}
             for a in visit["focus"] if a in pack.aspects]

    ctx: dict[str, Any] = {
        "kind": "note", "title": "Note of visit",
        "organisation": org.get("name", ""), "organisation_kind": org.get("kind", ""), "la": la,
        "school": org.get("name", "") if org.get("kind") == "school" else "",
        "school_visit": school, "la_visit": not school,
        "visit_id": vid, "visit_ref": vid[:8], "visit_date": long_date(visit["date"]),
        "visit_date_iso": visit["date"], "academic_year": visit["academic_year"],
        "visit_type": agenda.title, "agenda_source": agenda.source, "status": visit["status"].replace("_", " "),
        "draft": visit["status"] != "ended",
        "people": people, "people_line": "; ".join(p["line"] for p in people),
        "author": visit["author"] or "", "purpose": visit["purpose"] or "",
        "purpose_parts": runs(visit["purpose"] or ""), "purpose_rtl": is_rtl(visit["purpose"] or ""),
        "focus": focus, "focus_line": "; ".join(f["line"] for f in focus),
        "phases": _phase_names(pack, phases), "phases_line": ", ".join(_phase_names(pack, phases)),
        "aspects": aspects, "ratings": flat, "actions": actions,
        "rollup": [] if school else rollup_rows(pack, held, phases, ordered),
        "has_previous": prev is not None,
        "previous_date": long_date(prev["date"]) if prev else "",
        "previous_type": pack.agendas[prev["agenda_id"]].title if prev and prev["agenda_id"] in pack.agendas
        else "",
        "previous_ref": prev["id"][:8] if prev else "",
        "previous_actions": previous_actions,
        "annex": bool(annex), "words": note_words(pack), "rating_note": pack.rating_note,
        "documents_title": pack.documents_title,
        "pack_title": pack.title, "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }
    # Focus aspects nothing was recorded on at this visit: left out of the note, but a rating they hold rests on
    # earlier visits alone (the quality check says so).
    ctx["focus_undiscussed"] = [
        {"aspect_id": a, "phase": pack.phase_name(p), "rated": held[(p, a)].column not in (None, NA)}
        for a in visit["focus"] if a in pack.aspects and a not in discussed for p in phases]
    ctx["rollup_lines"] = rollup_lines(ctx["rollup"])
    ctx["draft_summary"] = draft_summary(pack, ctx)
    mine = (visit.get("summary") or "").strip()
    ctx["summary"] = ({"overall": mine, "aspects": [], "lines": [mine], "adviser": True} if mine else
                      {**ctx["draft_summary"], "adviser": False})
    ctx["uncovered"] = uncovered(pack, agenda, visit, shared, ordered)
    ctx["next_steps"] = next_steps(ctx)
    return ctx


SHOWN = 3  # strengths and priorities shown per aspect in the body; the rest are counted (the annex has all)


def _few(items: list[str]) -> tuple[list[str], int]:
    return items[:SHOWN], max(0, len(items) - SHOWN)


def uncovered(pack: Pack, agenda, visit: dict[str, Any], shared: list[dict[str, Any]],
              discussed: list[str]) -> list[dict[str, Any]]:
    """The agenda's questions on the focus aspects (or, with no focus, the aspects discussed) not answered at this
    visit: what is left for the next one."""
    answered = {r.get("question_id") for r in shared}
    wanted = set(visit["focus"]) or set(discussed)
    out: dict[str, list[str]] = {}
    for section in agenda.sections:
        for q in section.questions:
            if q.aspect in wanted and q.id not in answered:
                out.setdefault(q.aspect, []).append(q.text)
    return [{"aspect_id": a, "title": short_title(pack.aspects[a].title), "count": len(qs), "questions": qs}
            for a, qs in out.items() if a in pack.aspects]


def next_steps(ctx: dict[str, Any]) -> list[str]:
    """The agenda for the next visit, in plain words: the actions to review, what is left open from the last
    visit, the questions not yet covered, and (for an LA) the ratings still below what the criteria could allow."""
    out = []
    acts = ctx["actions"]
    if acts:
        dues = sorted(a["due_iso"] for a in acts if a["due_iso"])
        first = f", the first due {long_date(dues[0])}" if dues else ""
        out.append(f"Review progress on the {len(acts)} agreed action{'s' if len(acts) != 1 else ''}{first}.")
    still_open = [a for a in ctx["previous_actions"] if a["state"] in OUTSTANDING]
    if still_open:
        out.append(f"Follow up the {len(still_open)} action{'s' if len(still_open) != 1 else ''} from the last "
                   f"visit still outstanding.")
    for u in ctx.get("uncovered", []):
        n = u["count"]
        out.append(f"{u['title']}: {n} question{'s' if n != 1 else ''} from the agenda not yet covered.")
    if ctx.get("school_visit"):
        return out
    unrated: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    titles = {}
    for row in ctx["ratings"]:
        if not row["applies"]:
            continue
        titles[row["aspect_id"]] = short_title(row["aspect_title"])
        if not row["rated"]:
            unrated.setdefault(row["aspect_id"], []).append(row["phase"])
        elif row["open"]:
            below.setdefault(row["aspect_id"], []).append(f"{row['phase']} (now {row['label']})")
    for aspect_id, phases in unrated.items():
        out.append(f"{titles[aspect_id]} ({_join(phases)}): gather evidence, nothing rated yet.")
    for aspect_id, where in below.items():
        out.append(f"{titles[aspect_id]}: seek the evidence that could lift {_join(where)}.")
    return out
