"""A note of visit against the seed's seven features of a good report (seed 001, aspect 2.4, Good column).

What the tool can judge from the store it judges; the rest it turns into a question for the author. Checks
warn, they never block: a note is always written.

Timeliness is judged as "drafted within TIMELY_WORKING_DAYS working days (Monday to Friday) of the visit". The
seed gives no number: five working days is the tool's choice, one working week, so a note reaches the provider
while the actions are fresh. Bank holidays are not known to the tool and count as working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

TIMELY_WORKING_DAYS = 5

# The seven features, in the seed's words and order.
FEATURES = (
    "timeliness",
    "accuracy and supported by evidence",
    "identify the issues for action and a timescale",
    "provide evidence of the challenge provided",
    "provide a clear agenda for action",
    "have a clear agenda and format",
    "feed into the LA management information system and risk register",
)

OK, WARN, ASK = "ok", "warn", "ask"


@dataclass(frozen=True)
class CheckResult:
    feature: str  # one of FEATURES
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


def checks_for(ctx: dict[str, Any], today: date | None = None) -> list[CheckResult]:
    """The seven checks for a note-of-visit context (notes.context.note_context)."""
    today = today or date.today()
    out: list[CheckResult] = []

    # 1. timeliness
    try:
        visited = date.fromisoformat(ctx["visit_date_iso"])
    except ValueError:
        visited = None
    if visited is None:
        out.append(CheckResult(FEATURES[0], WARN, "the visit has no valid date"))
    else:
        n = working_days_between(visited, today)
        if n < 0:
            out.append(CheckResult(FEATURES[0], WARN, f"the visit is dated {ctx['visit_date']}, after today"))
        elif n <= TIMELY_WORKING_DAYS:
            out.append(CheckResult(FEATURES[0], OK, f"drafted {n} working day{'s' if n != 1 else ''} after the "
                                                    f"visit (within {TIMELY_WORKING_DAYS})"))
        else:
            out.append(CheckResult(FEATURES[0], WARN, f"drafted {n} working days after the visit; a timely note "
                                                      f"goes out within {TIMELY_WORKING_DAYS}"))

    # 2. accuracy and supported by evidence
    rated = [r for r in ctx["ratings"] if r["rated"]]
    bare = [f"{r['aspect_id']} {r['phase']}" for r in rated if not r.get("evidence_here")]
    if not rated:
        out.append(CheckResult(FEATURES[1], WARN, "no aspect has a rating yet: judge some criteria, or override "
                                                  "with a reason"))
    elif bare:
        out.append(CheckResult(FEATURES[1], WARN, f"rated without a response or judgement at this visit: "
                                                  f"{_few(bare)}"))
    else:
        out.append(CheckResult(FEATURES[1], ASK, f"every rating ({len(rated)}) rests on evidence recorded at this "
                                                 "visit; is each fact in the note accurate?"))

    # 3. issues for action and a timescale
    acts = ctx["actions"]
    no_owner = [a["ref"] for a in acts if not a["owner"].strip()]
    no_date = [a["ref"] for a in acts if not a["due_iso"]]
    if not acts:
        out.append(CheckResult(FEATURES[2], WARN, "no agreed actions recorded (/action TEXT | OWNER | DUE)"))
    elif no_owner or no_date:
        parts = []
        if no_owner:
            parts.append(f"{len(no_owner)} without an owner ({_few(no_owner)})")
        if no_date:
            parts.append(f"{len(no_date)} without a date ({_few(no_date)})")
        out.append(CheckResult(FEATURES[2], WARN, f"of {len(acts)} actions, " + "; ".join(parts)))
    else:
        out.append(CheckResult(FEATURES[2], OK, f"{len(acts)} action{'s' if len(acts) != 1 else ''}, each with an "
                                                "owner and a date"))

    # 4. evidence of the challenge provided
    dev = sum(len(a["development"]) for a in ctx["aspects"])
    differs = sum(1 for r in ctx["ratings"] if r["self_evaluation_differs"])
    out.append(CheckResult(FEATURES[3], ASK, f"does the note show the challenge you gave? ({dev} area"
                                             f"{'s' if dev != 1 else ''} for development, {differs} rating"
                                             f"{'s' if differs != 1 else ''} differing from the LA's own view)"))

    # 5. a clear agenda for action
    steps = ctx["next_steps"]
    if acts or steps:
        prev = (f"; progress on {len(ctx['previous_actions'])} action"
                f"{'s' if len(ctx['previous_actions']) != 1 else ''} from the last visit reported"
                if ctx["previous_actions"] else "")
        out.append(CheckResult(FEATURES[4], OK, f"{len(acts)} agreed action{'s' if len(acts) != 1 else ''} and "
                                                f"{len(steps)} next step{'s' if len(steps) != 1 else ''}{prev}"))
    else:
        out.append(CheckResult(FEATURES[4], WARN, "no actions and no next steps: the note sets no agenda"))

    # 6. a clear agenda and format
    missing = [w for w, k in (("purpose", "purpose"), ("focus aspects", "focus_line"),
                              ("people present", "people_line"), ("author", "author")) if not ctx[k].strip()]
    if missing:
        out.append(CheckResult(FEATURES[5], WARN, "not recorded: " + ", ".join(missing)
                               + " (laqs chat --purpose, --focus, --person, --author)"))
    else:
        out.append(CheckResult(FEATURES[5], OK, f"purpose, focus, people present and author recorded; format from "
                                                "the template"))

    # 7. feeds the LA's management information and risk register
    out.append(CheckResult(FEATURES[6], ASK, "will the ratings and actions be entered in the LA's management "
                                             "information system and risk register?"))
    return out
