"""A note of visit against the checks its pack declares (`note_checks:` in pack.yaml; the 2009 pack lists the seven
features of a good report from aspect 2.4's Good column).

This module knows how to run each kind of check (CHECKS); the pack says which to run, in what order, under which
feature's name and with which settings. What the tool can judge from the store it judges; the rest it turns into a
question for the author. Checks warn, they never block: a note is always written.

Timeliness is judged as "drafted within N working days (Monday to Friday) of the visit", N from the check's
`working_days`. Bank holidays are not known to the tool and count as working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Iterable

# Timeliness when a pack's check does not say how many working days (the 2009 pack says 5).
TIMELY_WORKING_DAYS = 5

OK, WARN, ASK = "ok", "warn", "ask"


@dataclass(frozen=True)
class CheckResult:
    feature: str  # the feature the pack's check stands for
    status: str  # ok, warn (judged and found wanting) or ask (the author must say)
    message: str

    def line(self) -> str:
        mark = {OK: "ok  ", WARN: "warn", ASK: "ask "}[self.status]
        return f"{mark} {self.feature}: {self.message}"


def working_days_between(start: date, end: date) -> int:
    """Working days (Mon–Fri) after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    days, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days += 1
    return days


def _few(items: list[str], n: int = 3) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


Result = tuple[str, str]  # (status, message)


def _timely(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    days = int(settings.get("working_days", TIMELY_WORKING_DAYS))
    try:
        visited = date.fromisoformat(ctx["visit_date_iso"])
    except ValueError:
        return WARN, "the visit has no valid date"
    n = working_days_between(visited, today)
    if n < 0:
        return WARN, f"the visit is dated {ctx['visit_date']}, after today"
    if n <= days:
        return OK, f"drafted {n} working day{'s' if n != 1 else ''} after the visit (within {days})"
    return WARN, f"drafted {n} working days after the visit; a timely note goes out within {days}"


def _ratings_rest_on_evidence(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    rated = [r for r in ctx["ratings"] if r["rated"]]
    bare = [f"{r['aspect_id']} {r['phase']}" for r in rated if not r.get("evidence_here")]
    bare += [f"{f['aspect_id']} {f['phase']}" for f in ctx.get("focus_undiscussed", ()) if f["rated"]]
    if not rated and not bare:
        return WARN, "no aspect has a rating yet: judge some criteria, or override with a reason"
    if bare:
        return WARN, f"rated without a response or judgement at this visit (resting on earlier visits): {_few(bare)}"
    return ASK, f"every rating ({len(rated)}) rests on evidence recorded at this visit; is each fact in the note " \
                "accurate?"


def _actions_owned_and_dated(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    acts = ctx["actions"]
    no_owner = [a["ref"] for a in acts if not a["owner"].strip()]
    no_date = [a["ref"] for a in acts if not a["due_iso"]]
    if not acts:
        return WARN, "no agreed actions recorded (/action TEXT | OWNER | DUE)"
    if no_owner or no_date:
        parts = []
        if no_owner:
            parts.append(f"{len(no_owner)} without an owner ({_few(no_owner)})")
        if no_date:
            parts.append(f"{len(no_date)} without a date ({_few(no_date)})")
        return WARN, f"of {len(acts)} actions, " + "; ".join(parts)
    return OK, f"{len(acts)} action{'s' if len(acts) != 1 else ''}, each with an owner and a date"


def _challenge_shown(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    dev = sum(len(a["development"]) for a in ctx["aspects"])
    differs = sum(1 for r in ctx["ratings"] if r["self_evaluation_differs"])
    if ctx.get("school_visit"):
        return ASK, "does the note show the challenge the SIP gave, as the school experiences it?"
    return ASK, (f"does the note show the challenge you gave? ({dev} priorit{'ies' if dev != 1 else 'y'} for "
                 f"further action, {differs} rating{'s' if differs != 1 else ''} differing from the LA's own view)")


def _agenda_for_action(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    acts, steps = ctx["actions"], ctx["next_steps"]
    if not (acts or steps):
        return WARN, "no actions and no next steps: the note sets no agenda"
    n_prev = len(ctx["previous_actions"])
    prev = f"; progress on {n_prev} action{'s' if n_prev != 1 else ''} from the last visit reported" if n_prev else ""
    return OK, (f"{len(acts)} agreed action{'s' if len(acts) != 1 else ''} and {len(steps)} next "
                f"step{'s' if len(steps) != 1 else ''}{prev}")


def _visit_recorded(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    missing = [w for w, k in (("purpose", "purpose"), ("focus aspects", "focus_line"),
                              ("people present", "people_line"), ("author", "author")) if not ctx[k].strip()]
    if missing:
        return WARN, "not recorded: " + ", ".join(missing) + " (laqs chat --purpose, --focus, --person, --author)"
    return OK, "purpose, focus, people present and author recorded; format from the template"


def _ask(ctx: dict[str, Any], today: date, settings: dict[str, Any]) -> Result:
    return ASK, str(settings.get("question") or "has the note met this?")


# Each kind of check a pack may name, with the settings it reads.
CHECKS: dict[str, Callable[[dict[str, Any], date, dict[str, Any]], Result]] = {
    "timely": _timely,  # working_days
    "ratings-rest-on-evidence": _ratings_rest_on_evidence,
    "actions-owned-and-dated": _actions_owned_and_dated,
    "challenge-shown": _challenge_shown,
    "agenda-for-action": _agenda_for_action,
    "visit-recorded": _visit_recorded,
    "ask": _ask,  # question
}


def unknown_checks(checks: Iterable[Any]) -> list[str]:
    """The check kinds a pack names that this tool cannot run (`laqs packs check` reports them)."""
    return [c.check for c in checks if c.check not in CHECKS]


def checks_for(ctx: dict[str, Any], today: date | None = None, checks: Iterable[Any] = ()) -> list[CheckResult]:
    """The pack's checks (its note_checks) for a note-of-visit context (notes.context.note_context), in order."""
    today = today or date.today()
    out = []
    for c in checks:
        run = CHECKS.get(c.check)
        if run is None:
            out.append(CheckResult(c.feature, WARN, f"this version of the tool cannot run the check '{c.check}'"))
            continue
        status, message = run(ctx, today, dict(c.settings))
        out.append(CheckResult(c.feature, status, message))
    return out
