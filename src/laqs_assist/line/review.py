"""Line mode for a school review: the stage 2 interviews and the evidence, one line at a time, in a terminal
(prompt-toolkit), from a pipe or a script file, or read aloud by a screen reader.

Interviews: for each of the reviewer's interviews in the day plan (or the areas asked for), the question ("What
are the Quality Standards for Assessment?"), who was interviewed, then the answer one standard a line; an empty
line records the interview and its standards. A line starting with `>` is a remark kept in the answer, not a
standard. Whatever was typed is recorded at the end of the input too: nothing typed is lost.

Evidence: `CODE EXTENT WORDS…` a line (A.1 partly Year 4 books show next steps), recorded at once;
`/kind KIND`, `/day N`, `/session S` change what follows; `/individual CODE EXTENT WORDS…` records evidence
about an individual (kept, never in the report); `/standards`, `/findings`, `/help`, `/quit`.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterator, TextIO

from ..errors import LaqsError
from ..inert import inert

INTERVIEW_HELP = ("One standard a line; '>' starts a remark that is not a standard; an empty line records the "
                  "interview; /skip leaves this one; /quit stops.")
EVIDENCE_HELP = ("CODE EXTENT WORDS (e.g. A.1 partly Year 4 books show next steps); /kind KIND, /day N, "
                 "/session S, /individual CODE EXTENT WORDS, /standards, /findings, /quit.")


def _reader(script: TextIO | None) -> Iterator[str]:
    """Lines typed: from the script, else from a terminal through prompt-toolkit, else from standard input."""
    if script is not None:
        for line in script:
            yield line.rstrip("\r\n")
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession

        session: Any = PromptSession()
        while True:
            try:
                yield session.prompt("› ")
            except EOFError:
                return
            except KeyboardInterrupt:
                return
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_interviews(desk: Any, ref: str, reviewer: str, areas: list[str], script: TextIO | None = None,
                   say: Callable[[str], None] = _say) -> int:
    r = desk.get(ref)
    pack = desk.pack_of(r)
    n = desk.reviewer(r, reviewer)
    planned: list[tuple[str, int | None, str | None]] = []
    if areas:
        planned = [(desk.area_id(pack, a), None, None) for a in areas]
    else:
        for row in desk.day_plan(r["id"]).rows:
            for a in row.activities:
                if a.reviewer == n and a.kind == "interview" and a.area:
                    planned.append((a.area, row.day, row.session))
    if not planned:
        say("No interviews for this reviewer in the day plan: name the area with --area.")
        return 2
    lines = _reader(script)
    say(f"Interviews for {inert(r['team'][n - 1])}, {inert(r['school'])}. {INTERVIEW_HELP}")
    recorded = 0
    for area_id, day, session in planned:
        area = pack.area(area_id)
        when = f" (day {day}, session {session})" if day else ""
        say("")
        say(f"{area.question}{when}")
        say("Who was interviewed? (empty: middle/senior leader(s))")
        who = next(lines, None)
        if who is None:
            break
        if who.strip() == "/quit":
            break
        if who.strip() == "/skip":
            continue
        typed: list[str] = []
        stop = skip = False
        for line in lines:
            cmd = line.strip()
            if cmd == "/quit":
                stop = True
                break
            if cmd == "/skip":
                skip = True
                break
            if cmd == "/help":
                say(INTERVIEW_HELP)
                continue
            if not cmd:
                break
            typed.append(line)
        if skip:
            continue
        if typed:
            answer = "\n".join(typed)
            standards = [t.strip() for t in typed if not t.lstrip().startswith(">")]
            standards = [s.lstrip("-*• ").strip() for s in standards]
            try:
                row = desk.interview(r["id"], area_id, str(n), answer, standards=[s for s in standards if s],
                                     interviewees=who, day=day, session=session)
            except LaqsError as exc:
                say(f"not recorded: {inert(exc.line(), one_line=True)}")
            else:
                recorded += 1
                say(f"Recorded {area.title}: standards {', '.join(row['standards']) or 'none'}")
        if stop:
            break
    say("")
    say(f"{recorded} interview{'s' if recorded != 1 else ''} recorded. The school's standards: "
        f"laqs review standards {r['id'][:8]}")
    return 0


def run_evidence(desk: Any, ref: str, reviewer: str, kind: str, day: int | None, session: str | None,
                 script: TextIO | None = None, say: Callable[[str], None] = _say) -> int:
    r = desk.get(ref)
    pack = desk.pack_of(r)
    n = desk.reviewer(r, reviewer)
    kinds = [k.id for k in pack.evidence_kinds]

    def show_standards() -> None:
        for s in desk.standings(r["id"]):
            say(f"  {s.code:<6} {inert(s.text, one_line=True)}")

    say(f"Evidence by {inert(r['team'][n - 1])}, {inert(r['school'])}. {EVIDENCE_HELP}")
    show_standards()
    recorded = 0
    for line in _reader(script):
        text = line.strip()
        if not text:
            continue
        word, _, rest = text.partition(" ")
        individual = False
        if word == "/quit":
            break
        if word == "/help":
            say(EVIDENCE_HELP)
            continue
        if word == "/standards":
            show_standards()
            continue
        if word == "/findings":
            for s in desk.standings(r["id"]):
                counts = ", ".join(f"{c} {k}" for k, c in s.counts.items() if c) or "none yet"
                say(f"  {s.code:<6} {s.suggested or '—'} ({counts})")
            continue
        if word == "/kind":
            if rest.strip() not in kinds:
                say(f"'{inert(rest.strip())}' is not a kind of evidence ({', '.join(kinds)})")
            else:
                kind = rest.strip()
                say(f"Now: {pack.evidence_kind(kind).label}")
            continue
        if word == "/day":
            if not rest.strip().isdigit():
                say("/day takes a number (1, 2)")
            else:
                day = int(rest.strip())
            continue
        if word == "/session":
            session = rest.strip() or None
            continue
        if word == "/individual":
            individual = True
            text = rest.strip()
        elif word.startswith("/"):
            say(f"unknown command {inert(word)}: {EVIDENCE_HELP}")
            continue
        parts = text.split(None, 2)
        if len(parts) < 3:
            say("give CODE EXTENT WORDS, e.g. A.1 partly Year 4 books show next steps")
            continue
        try:
            row = desk.evidence(r["id"], parts[0], kind, str(n), parts[1], parts[2], day, session, individual)
        except LaqsError as exc:
            say(f"not recorded: {inert(exc.line(), one_line=True)}")
            continue
        recorded += 1
        flag = " (about an individual: kept out of the report)" if individual else ""
        say(f"✓ {row['code']} {pack.extent_label(row['extent']).lower()} — {pack.evidence_kind(kind).label}{flag}")
    say(f"{recorded} piece{'s' if recorded != 1 else ''} of evidence recorded.")
    return 0


__all__ = ["run_evidence", "run_interviews"]
