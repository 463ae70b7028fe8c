"""The rating an organisation holds for a phase and aspect in a year, and what it rests on; what the criteria say
about an adviser's override.

One rule, read by the dashboard, the review, notes of visit and briefings alike:

    The year's rating is the decision (an override or an agreement with the suggestion) of the latest visit, by
    visit date and then by when the visit was begun, that decided it, unless evidence for that aspect and phase
    has been recorded since the decision was made: then the engine's suggestion from the year's evidence stands
    until someone decides again. Decisions of earlier visits do not come back.

"Since" is by when the evidence was recorded (its created_at), so a later visit's new evidence, and evidence added
to the deciding visit after the decision, both reopen it, while evidence the adviser could see when deciding does
not. A reading can rest on every visit of the year (the dashboard, the review), on a visit and those before it (its
note), or on the visits up to a day (a briefing): see Store.year_judgement_rows.

An override the criteria rule out (above the ceiling, or over a cap) needs a reason of substance: see
check_reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from ..errors import UsageError
from ..packs.model import Pack
from ..rating import NA, Judgements, Rating, judgements_from_rows, rate
from ..record import Record, replace
from ..store import Store

OVERRIDDEN, AGREED, SUGGESTED, NOT_RATED, NOT_APPLICABLE = "overridden", "agreed", "suggested", "not rated", "n/a"

# A departure the criteria rule out needs a reason of at least this many words and characters: a sentence saying
# what was seen, not a few words ("because I say so" is four).
REASON_WORDS = 5
REASON_CHARS = 25


# --- what the criteria say about an override --------------------------------------------------------------------


class Departure(Record):
    """An override beside the criteria: how far it departs from them, and why they disagree, in words."""

    aspect: str
    phase: str
    column: str
    suggestion: str | None
    ceiling: str | None
    kind: str  # agrees, below (the suggestion), above (the suggestion, within the ceiling), beyond (ruled out)
    why: tuple[str, ...]  # what stops the column on the criteria, shortly: "capped by 2.4.NI.5", "2.4.G.4 not met"
    line: str  # one line: what the criteria say

    @property
    def ruled_out(self) -> bool:
        """Above the ceiling or over a cap: the criteria do not allow the column whatever else is found."""
        return self.kind == "beyond"

    def allows(self, pack: Pack, why: bool = True) -> str:
        """What the criteria allow, shortly ("the criteria allow at most Requires some improvement: capped by …"),
        with why (the blockers, shortly) unless `why` is false."""
        if self.suggestion is None:
            return "nothing is recorded on the criteria"
        if self.kind == "agrees":
            return "the criteria agree"
        if self.kind == "beyond":
            head = f"the criteria allow at most {_label(pack, self.ceiling)}"
        else:
            head = f"the criteria suggest {_label(pack, self.suggestion)}"
        return head + (f": {'; '.join(self.why)}" if why and self.why else "")


def _label(pack: Pack, column: str | None) -> str:
    if column in (None, NA):
        return "no rating" if column is None else NA
    return pack.column(column).label


def _short(pack: Pack, r: Rating, column: str) -> list[str]:
    """Why the criteria do not reach `column`, one short phrase per blocker: criterion ids, not their text."""
    out = []
    for b in r.blockers:
        if b.column != column:
            continue
        state = r.states.get(b.criterion or "", "unknown")
        words = {"met": "met", "partly": "only partly met", "not_met": "not met",
                 "unknown": "not yet judged"}.get(state, state)
        if b.kind == "cap":
            out.append(f"capped at {_label(pack, r.cap)} by {b.criterion}")
        elif b.kind in ("critical", "every") and b.criterion:
            out.append(f"{b.criterion} {words}")
        elif b.kind == "below" and b.criterion:
            out.append(f"{b.criterion} {words}")
        elif b.kind == "share":
            out.append(b.message)
        elif b.kind == "evidence":
            out.append(b.message.replace("needs ", "", 1).replace("(recorded: none recorded)", "(none recorded)"))
        else:
            out.append(b.message)
    return list(dict.fromkeys(out))


def departure(pack: Pack, r: Rating, column: str) -> Departure:
    """What the criteria say about rating `column` where the engine rated `r`."""
    where = f"{r.aspect} {pack.phase_name(r.phase)}"
    label = _label(pack, column)
    if r.suggestion is None:
        return Departure(r.aspect, r.phase, column, None, r.ceiling, "above", (),
                         f"{where}: nothing is recorded on the criteria yet, so {label} rests on the reason alone")
    rank = pack.column(column).rank
    ceiling_rank = pack.column(r.ceiling).rank if r.ceiling not in (None, NA) else None
    cap_rank = pack.column(r.cap).rank if r.cap else None
    why = tuple(_short(pack, r, column))
    if (ceiling_rank is not None and rank < ceiling_rank) or (cap_rank is not None and rank < cap_rank):
        d = Departure(r.aspect, r.phase, column, r.suggestion, r.ceiling, "beyond", why, "")
        return replace(d, line=f"{where}: {label} is above what {d.allows(pack)}")
    sug = pack.column(r.suggestion)
    if rank < sug.rank:
        d = Departure(r.aspect, r.phase, column, r.suggestion, r.ceiling, "above", why, "")
        return replace(d, line=f"{where}: {label} is above the suggestion; {d.allows(pack)}")
    if rank > sug.rank:
        return Departure(r.aspect, r.phase, column, r.suggestion, r.ceiling, "below", (),
                         f"{where}: {label} is below the suggestion; the criteria suggest {sug.label}")
    return Departure(r.aspect, r.phase, column, r.suggestion, r.ceiling, "agrees", (),
                     f"{where}: the criteria suggest {label} too")


def check_reason(pack: Pack, d: Departure, reason: str) -> str:
    """The override's reason, stripped, or a UsageError in one line. Every override needs a reason; one the criteria
    rule out (above the ceiling or over a cap) needs one of substance, at least REASON_WORDS words and REASON_CHARS
    characters, saying why it departs from them."""
    reason = " ".join(reason.split())
    if not reason:
        raise UsageError("an override needs a reason" + (f"; {d.line}" if d.kind != "agrees" else ""))
    if d.ruled_out and (len(reason.split()) < REASON_WORDS or len(reason) < REASON_CHARS):
        raise UsageError(f"{d.line}; to depart from them give a reason of at least {REASON_WORDS} words saying what "
                         f"was seen that they do not record")
    return reason


# --- the year's rating --------------------------------------------------------------------------------------------


class YearRating(Record):
    """What an organisation holds for a phase and aspect in a year, and what it rests on."""

    phase: str
    aspect: str
    rating: Rating  # the engine's rating from the year's evidence the reading rests on
    column: str | None  # the rating held: a column id, NA, or None (nothing rated)
    standing: str  # overridden, agreed, suggested, not rated, n/a
    visit_id: str | None = None  # the deciding visit (overridden, agreed)
    visit_date: str | None = None
    decided_at: str | None = None
    reason: str = ""  # the override's reason
    departure: Departure | None = None  # for an override: what the criteria say about it
    lapsed: dict[str, Any] | None = None  # the latest decision evidence recorded since has set aside

    def rests_on(self, date_words=str) -> str:
        """What the rating rests on, in words; `date_words` turns a visit's ISO date into words."""
        if self.standing == OVERRIDDEN:
            return f"adviser's override at the visit of {date_words(self.visit_date)}"
        if self.standing == AGREED:
            return f"agreed at the visit of {date_words(self.visit_date)}"
        if self.standing == NOT_APPLICABLE:
            return "does not apply"
        out = "suggested from the year's evidence" if self.standing == SUGGESTED else "nothing recorded yet"
        if self.lapsed:
            what = "override" if self.lapsed["kind"] == "override" else "agreement"
            out += (f" (the {what} at the visit of {date_words(self.lapsed['visit_date'])} was set aside by "
                    f"evidence recorded since)")
        return out


def _evidence(rows: Iterable[dict[str, Any]]) -> tuple[dict[tuple[str, str], Judgements], dict[tuple[str, str], str]]:
    """Judgement rows oldest first -> Judgements per (aspect, phase) (the latest per target winning) and the stamp
    of the last judgement recorded for each."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    last: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["aspect_id"], r["phase"])
        groups[key].append(r)
        if key not in last or r["created_at"] > last[key]:
            last[key] = r["created_at"]
    return {k: judgements_from_rows(g) for k, g in groups.items()}, last


def year_rating_details(store: Store, pack: Pack, organisation_id: str, year: str, *,
                        visit: dict[str, Any] | None = None, day: str | None = None,
                        phases: Iterable[str] | None = None,
                        aspects: Iterable[str] | None = None) -> dict[tuple[str, str], YearRating]:
    """(phase, aspect) -> the YearRating an organisation holds, by the module's rule. The reading rests on every
    visit of the year, or with `visit` on that visit and those before it, or with `day` on the visits up to it.
    `phases` and `aspects` narrow it (default: the pack's)."""
    rows = store.year_judgement_rows(organisation_id, year, visit=visit, day=day)
    evidence, last_evidence = _evidence(rows)
    decided: dict[tuple[str, str], dict[str, Any]] = {}
    for d in store.rating_decisions(organisation_id, year, visit=visit, day=day):
        decided[(d["phase"], d["aspect_id"])] = d  # the latest visit's latest decision is last
    out: dict[tuple[str, str], YearRating] = {}
    wanted = list(aspects) if aspects is not None else list(pack.aspects)
    for phase in (list(phases) if phases is not None else pack.phase_ids()):
        for aspect_id in wanted:
            r = rate(pack, aspect_id, phase, evidence.get((aspect_id, phase), Judgements()))
            out[(phase, aspect_id)] = _hold(pack, r, decided.get((phase, aspect_id)),
                                            last_evidence.get((aspect_id, phase)))
    return out


def _hold(pack: Pack, r: Rating, d: dict[str, Any] | None, last_evidence: str | None) -> YearRating:
    if r.suggestion == NA:
        return YearRating(r.phase, r.aspect, r, NA, NOT_APPLICABLE)
    if d is not None and d["column_id"] in pack.column_ids() and not (last_evidence and
                                                                       last_evidence > d["decided_at"]):
        if d["kind"] == "override":
            return YearRating(r.phase, r.aspect, r, d["column_id"], OVERRIDDEN, d["visit_id"], d["visit_date"],
                              d["decided_at"], d["reason"] or "", departure(pack, r, d["column_id"]))
        return YearRating(r.phase, r.aspect, r, d["column_id"], AGREED, d["visit_id"], d["visit_date"],
                          d["decided_at"])
    lapsed = None
    if d is not None:
        lapsed = {k: d[k] for k in ("kind", "column_id", "visit_id", "visit_date", "decided_at", "reason")}
    standing = SUGGESTED if r.suggestion is not None else NOT_RATED
    return YearRating(r.phase, r.aspect, r, r.suggestion, standing, lapsed=lapsed)
