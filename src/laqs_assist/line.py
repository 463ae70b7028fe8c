"""Line mode: the interview as a plain chat on the session engine.

In a terminal it uses prompt-toolkit (completion, history); otherwise it reads answers and commands line by line
from standard input, so an interview can be scripted, piped, or read with a screen reader. An answer is
acknowledged ("saved") only after it is committed.
"""

from __future__ import annotations

import sys
import textwrap
from typing import Callable, Iterator, TextIO

from .errors import LaqsError, UsageError
from .rating import NA
from .session import AnswerInvalid, Session

HELP = """\
Type an answer and press Enter to record it. Commands:
  /skip                 skip this question (dismiss a probe)
  /back                 go back one question; answering again replaces the answer
  /jump ASPECT          go to an aspect's questions, e.g. /jump 2.4
  /met ID [ID…]         mark criteria met (also /partly, /not, /unknown)
  /value ID NUMBER      record an indicator, e.g. /value 1.5.targets-in-line 87
  /count SET N          record how many items of a counted set are present
  /impact LEVEL [ASPECT] evidence of impact seen: none, some, substantial
  /criteria             the current aspect's criteria and their states
  /rating [ASPECT]      the suggested rating, ceiling and why
  /action TEXT | OWNER | DUE   add an agreed action, e.g. /action Revise the policy | J Smith | 2026-12-15
  /actions              list this visit's actions
  /flag                 mark the last answer as about an individual's performance (kept out of shared notes)
  /unflag               clear that mark
  /note [ASPECT] TEXT   record a remark outside the agenda
  /edit TEXT            replace the last answer's text
  /review               every rating in play, with overrides and the LA's self-evaluation
  /accept ASPECT PHASE  accept the suggested rating
  /override ASPECT PHASE RATING REASON   override, e.g. /override 2.4 P NI reports lack rigour
  /self ASPECT PHASE RATING             the LA's own self-evaluation
  /where                progress through the agenda
  /pause                pause the visit and leave (resume later with laqs chat --resume)
  /end                  end the visit and show the ratings to accept or override
  /quit                 leave (an open visit is paused)
  /help                 this list"""

COMMANDS = ["/skip", "/back", "/jump", "/met", "/partly", "/not", "/unknown", "/value", "/count", "/impact",
            "/criteria", "/rating", "/action", "/actions", "/flag", "/unflag", "/note", "/edit", "/review", "/accept",
            "/override", "/self", "/where", "/pause", "/end", "/quit", "/help"]


class LineChat:
    def __init__(self, session: Session, write: Callable[[str], None]) -> None:
        self.s = session
        self.write = write
        self.done = False

    # --- display --------------------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.write(text)

    def header(self) -> None:
        v = self.s.visit
        phases = ", ".join(self.s.pack.phase_name(p) for p in v["phases"])
        self.say(f"Visit {v['id'][:8]} — {v['organisation']} — {self.s.agenda.title} — {phases} — {v['date']}")
        if v["focus"]:
            self.say(f"Focus: {', '.join(v['focus'])}")
        self.say("Type /help for commands.")

    def ask(self) -> None:
        item = self.s.current()
        if item is None:
            if not self.s.ended:
                self.say("Every question has been dealt with. /review to see the ratings, /end to end the visit.")
            return
        total = len(self.s.items())
        aspect = self.s.pack.aspects[item.aspect_id]
        self.say("")
        self.say(f"[{item.position + 1}/{total}] {aspect.id} {_short(aspect.title, 70)}")
        label = "Probe" if item.kind == "probe" else f"Q {item.question.id}"
        prompt = item.prompt()
        self.say(f"{label}: {prompt}")
        if item.answer_type == "choice" and item.question:
            self.say("  choices: " + "; ".join(f"{i + 1}. {c}" for i, c in enumerate(item.question.choices)))
        elif item.answer_type != "text":
            self.say(f"  (answer: {_TYPE_HINT[item.answer_type]})")
        if item.response_id:
            prev = self.s.answer_for(item)
            if prev:
                self.say(f"  recorded: {_short(prev['text'], 90)}  (answer again to replace it)")

    # --- one line of input ----------------------------------------------------------------------------------

    def handle(self, line: str) -> None:
        text = line.rstrip("\r\n")
        if not text.strip():
            return
        if text.lstrip().startswith("/"):
            self.command(text.strip())
            return
        try:
            item = self.s.current()
            response = self.s.answer(text)
        except AnswerInvalid as exc:
            self.say(f"! {exc.line()}")
            return
        except LaqsError as exc:
            self.say(f"! {exc.line()}")
            return
        self.say(f"✓ saved ({response['id'][:8]})")
        hints = self.s.suggest_criteria(text, item) if item else []
        if hints:
            self.say("  may bear on: " + ", ".join(hints) + "   (/met ID, /partly ID, /not ID)")
        self.ask()

    def command(self, text: str) -> None:
        name, _, rest = text.partition(" ")
        name = name.lower()
        rest = rest.strip()
        handler = getattr(self, "cmd_" + name[1:], None) if name[1:].isidentifier() else None
        if handler is None:
            self.say(f"! unknown command {name}: type /help for the list")
            return
        try:
            handler(rest)
        except LaqsError as exc:
            self.say(f"! {exc.line()}")

    # --- commands -------------------------------------------------------------------------------------------

    def cmd_help(self, rest: str) -> None:
        self.say(HELP)

    def cmd_skip(self, rest: str) -> None:
        self.s.skip()
        self.say("✓ skipped")
        self.ask()

    def cmd_back(self, rest: str) -> None:
        self.s.back()
        self.ask()

    def cmd_jump(self, rest: str) -> None:
        if not rest:
            raise UsageError("which aspect? e.g. /jump 2.4")
        self.s.jump(rest.split()[0])
        self.ask()

    def _judge(self, state: str, rest: str) -> None:
        ids = rest.split()
        if not ids:
            raise UsageError(f"which criterion? e.g. /{'not' if state == 'not_met' else state} 2.4.G.1")
        for cid in ids:
            ratings = self.s.judge(cid, state)
            self.say(f"✓ {cid} {state.replace('_', ' ')}")
        self._show_ratings(ratings)

    def cmd_met(self, rest: str) -> None:
        self._judge("met", rest)

    def cmd_partly(self, rest: str) -> None:
        self._judge("partly", rest)

    def cmd_not(self, rest: str) -> None:
        self._judge("not_met", rest)

    def cmd_unknown(self, rest: str) -> None:
        self._judge("unknown", rest)

    def cmd_value(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2:
            raise UsageError("give an indicator and a number, e.g. /value 1.5.targets-in-line 87")
        ratings = self.s.judge(parts[0], parts[1])
        self.say(f"✓ {parts[0]} = {parts[1]}")
        self._show_ratings(ratings)

    def cmd_count(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise UsageError("give a set and how many items are present, e.g. /count 2.4.report-features 5")
        ratings = self.s.judge(parts[0], int(parts[1]))
        self.say(f"✓ {parts[0]}: {parts[1]} present")
        self._show_ratings(ratings)

    def cmd_impact(self, rest: str) -> None:
        parts = rest.split()
        if not parts:
            raise UsageError("give a level: /impact none|some|substantial [ASPECT]")
        aspect = parts[1] if len(parts) > 1 else self._aspect()
        ratings = self.s.set_impact(aspect, parts[0])
        self.say(f"✓ evidence of impact for {aspect}: {parts[0]}")
        self._show_ratings(ratings)

    def _aspect(self) -> str:
        item = self.s.current()
        if item is None:
            raise UsageError("say which aspect, e.g. /rating 2.4")
        return item.aspect_id

    def cmd_criteria(self, rest: str) -> None:
        aspect_id = rest.split()[0] if rest else self._aspect()
        if aspect_id not in self.s.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        aspect = self.s.pack.aspects[aspect_id]
        for phase in self.s.phases:
            if not aspect.applies_to(phase):
                continue
            r = self.s.rating(aspect_id, phase)
            self.say(f"{aspect.id} — {self.s.pack.phase_name(phase)}")
            for col in self.s.pack.columns:
                self.say(f"  {col.label}")
                for c in aspect.criteria_in(col.id, phase):
                    mark = {"met": "✓", "partly": "~", "not_met": "✗", "unknown": "·"}[r.states[c.id]]
                    self.say(f"    {mark} {c.id}{'*' if c.critical else ''} {_short(c.text, 80)}")

    def cmd_rating(self, rest: str) -> None:
        aspect_id = rest.split()[0] if rest else self._aspect()
        if aspect_id not in self.s.pack.aspects:
            raise UsageError(f"unknown aspect '{aspect_id}'")
        self._show_ratings([self.s.rating(aspect_id, p) for p in self.s.phases], full=True)

    def _show_ratings(self, ratings, full: bool = False) -> None:
        pack = self.s.pack
        for r in ratings:
            name = pack.phase_name(r.phase)
            if r.suggestion == NA:
                self.say(f"  {r.aspect} {name}: N/A")
                continue
            sug = pack.column(r.suggestion).label if r.suggestion else "no suggestion yet"
            ceil = pack.column(r.ceiling).label if r.ceiling else "—"
            self.say(f"  {r.aspect} {name}: {sug} (ceiling {ceil})")
            if full:
                self.say(textwrap.fill(r.reason, 100, initial_indent="    why: ", subsequent_indent="      "))
                for x in r.lift:
                    self.say(textwrap.fill(x, 100, initial_indent="    to lift: ", subsequent_indent="      "))

    def cmd_action(self, rest: str) -> None:
        parts = [p.strip() for p in rest.split("|")]
        if not parts or not parts[0]:
            raise UsageError("describe the action: /action TEXT | OWNER | DUE DATE")
        if len(parts) > 3:
            raise UsageError("an action has at most three parts: TEXT | OWNER | DUE DATE")
        text = parts[0]
        owner = parts[1] if len(parts) > 1 else ""
        due = parts[2] if len(parts) > 2 else None
        try:
            row = self.s.add_action(text, owner, due)
        except AnswerInvalid as exc:
            raise UsageError(f"due date: {exc.message}") from None
        missing = [w for w, v in (("an owner", owner), ("a due date", due)) if not v]
        note = f" — it still needs {' and '.join(missing)}" if missing else ""
        self.say(f"✓ action {row['id'][:8]} saved{note}")

    def cmd_actions(self, rest: str) -> None:
        acts = self.s.actions()
        if not acts:
            self.say("No actions yet.")
        for a in acts:
            self.say(f"  {a['id'][:8]} [{a['status']}] {a['text']} — {a['owner'] or 'no owner'}, "
                     f"{a['due_date'] or 'no date'}")

    def cmd_flag(self, rest: str) -> None:
        r = self.s.flag(rest or None, True)
        self.say(f"✓ {r['id'][:8]} flagged: it concerns an individual and stays out of shared notes")

    def cmd_unflag(self, rest: str) -> None:
        r = self.s.flag(rest or None, False)
        self.say(f"✓ {r['id'][:8]} no longer flagged")

    def cmd_note(self, rest: str) -> None:
        first, _, tail = rest.partition(" ")
        if first in self.s.pack.aspects:
            row = self.s.note(tail, first)
        else:
            row = self.s.note(rest)
        self.say(f"✓ saved ({row['id'][:8]})")

    def cmd_edit(self, rest: str) -> None:
        last = self.s.last_response()
        if last is None:
            raise UsageError("no answer to edit yet")
        if not rest:
            raise UsageError("give the new text: /edit TEXT")
        try:
            self.s.edit(last["id"], rest)
        except AnswerInvalid as exc:
            raise UsageError(exc.message) from None
        self.say(f"✓ {last['id'][:8]} replaced (the earlier text is kept in its history)")

    def cmd_review(self, rest: str) -> None:
        rows = self.s.review()
        if not rows:
            self.say("Nothing rated yet: judge some criteria first.")
            return
        pack = self.s.pack
        for row in rows:
            r = row["rating"]
            name = pack.phase_name(row["phase"])
            if r.suggestion == NA:
                continue
            sug = pack.column(r.suggestion).label if r.suggestion else "no suggestion"
            line = f"  {row['aspect']} {name}: suggested {sug}"
            if row["override"]:
                line += f"; overridden to {pack.column(row['override']).label} ({row['override_reason']})"
            elif row["accepted"]:
                line += " (accepted)"
            if row["self_evaluation"]:
                line += f"; LA says {pack.column(row['self_evaluation']).label}"
                if row["disagrees"]:
                    line += "  ← disagreement"
            self.say(line)
            self.say(textwrap.fill(r.reason, 100, initial_indent="      why: ", subsequent_indent="        "))

    def cmd_accept(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2:
            raise UsageError("give an aspect and a phase, e.g. /accept 2.4 P")
        self.s.accept(parts[0], parts[1])
        self.say(f"✓ {parts[0]} {parts[1]} accepted")

    def cmd_override(self, rest: str) -> None:
        parts = rest.split(maxsplit=3)
        if len(parts) < 4:
            raise UsageError("give aspect, phase, rating and a reason, e.g. /override 2.4 P NI reports lack rigour")
        self.s.override(parts[0], parts[1], parts[2], parts[3])
        self.say(f"✓ {parts[0]} {parts[1]} overridden to {parts[2]}")

    def cmd_self(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 3:
            raise UsageError("give aspect, phase and the LA's rating, e.g. /self 2.4 P G")
        self.s.self_evaluation(parts[0], parts[1], parts[2])
        self.say(f"✓ LA self-evaluation for {parts[0]} {parts[1]}: {parts[2]}")

    def cmd_where(self, rest: str) -> None:
        done, total = self.s.progress()
        self.say(f"{done} of {total} items dealt with; visit {self.s.id[:8]} is {self.s.visit['status']}")

    def cmd_pause(self, rest: str) -> None:
        if not self.s.ended:
            self.s.pause()
            self.say(f"Paused. Resume with: laqs chat --resume {self.s.id[:8]}")
        self.done = True

    def cmd_quit(self, rest: str) -> None:
        self.cmd_pause(rest)

    def cmd_end(self, rest: str) -> None:
        if self.s.ended:
            raise UsageError("this visit has already ended")
        self.s.end()
        self.say(f"Visit {self.s.id[:8]} ended. Ratings:")
        self.cmd_review("")
        self.say("Accept or override each (/accept, /override, /self), then /quit. "
                 f"Draft the note with: laqs note {self.s.id[:8]}")


_TYPE_HINT = {"yes_no": "yes, no or partly, then any detail", "percent": "a percentage, e.g. 85%",
              "number": "a number", "date": "a date, YYYY-MM-DD", "grade": "a grade 1–4", "choice": "a choice"}


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _lines_from(stream: TextIO) -> Iterator[str]:
    for line in stream:
        yield line


def _prompt_lines(chat: LineChat) -> Iterator[str]:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import InMemoryHistory

    words = COMMANDS + list(chat.s.pack.aspects) + list(chat.s.pack.criteria) + list(chat.s.pack.indicators) + \
        list(chat.s.pack.sets) + [e.id for e in chat.s.pack.evidence_levels]
    prompt = PromptSession(history=InMemoryHistory(),
                           completer=WordCompleter(words, sentence=True, match_middle=False))
    while True:
        try:
            yield prompt.prompt("› ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return


def run(session: Session, stdin: TextIO | None = None, stdout: TextIO | None = None,
        interactive: bool | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout

    def write(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    chat = LineChat(session, write)
    chat.header()
    chat.ask()
    if interactive is None:
        interactive = stdin.isatty() and stdout.isatty()
    lines = _prompt_lines(chat) if interactive else _lines_from(stdin)
    for line in lines:
        chat.handle(line)
        if chat.done:
            return 0
    chat.cmd_pause("")
    return 0

