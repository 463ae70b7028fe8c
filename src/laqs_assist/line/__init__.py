"""Line mode: the interview as a plain chat on the application service (app/service.py).

In a terminal it uses prompt-toolkit (completion, history, and the half-typed answer kept as the visit's draft);
otherwise it reads answers and commands line by line from standard input, so an interview can be scripted, piped,
or read with a screen reader: each line is echoed before its result, a line that fails is named on stderr by its
number, and a script with failed lines exits 2. An answer is acknowledged ("saved") only after it is committed.
Every piece of user text printed goes through inert(), so an answer cannot drive the terminal.
"""

from __future__ import annotations

import os
import sys
import textwrap
from datetime import datetime
from typing import Any, Callable, Iterator, TextIO

from .. import answers
from ..app import slash
from ..app.service import Service
from ..errors import LaqsError
from ..inert import inert
from ..inert import short as _short
from ..rating import NA

# The slash-command language is app/slash.py's, shared with the app's answer box.
HELP = slash.HELP
COMMANDS = slash.COMMANDS


class LineChat:
    """One line of input at a time: `handle` returns whether the line worked. A failure is passed to `report`
    (by default printed as "! message"); `failures` counts them."""

    def __init__(self, service: Service, write: Callable[[str], None],
                 report: Callable[[str], None] | None = None) -> None:
        self.s = service
        self.write = write
        self.report = report or (lambda message: self.write(f"! {message}"))
        self.done = False
        self.failures = 0

    def fail(self, message: str) -> bool:
        self.failures += 1
        self.report(inert(message, one_line=True))  # it may quote what was typed: "unknown criterion '…'"
        return False

    # --- display --------------------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.write(text)

    def header(self) -> None:
        v = self.s.visit
        phases = ", ".join(self.s.pack.phase_name(p) for p in v["phases"])
        self.say(f"Visit {v['id'][:8]} — {inert(v['organisation'], one_line=True)} — {self.s.agenda.title} — "
                 f"{phases} — {v['date']}")
        if v["focus"]:
            self.say(f"Focus: {', '.join(v['focus'])}")
        self.overdue()
        self.say("Type /help for commands.")

    def ask(self) -> None:
        item = self.s.current()
        if item is None:
            if not self.s.ended:
                self.say("Every question has been dealt with. /review to see the ratings, /end to end the visit.")
            return
        total = self.s.progress()[1]
        aspect = self.s.pack.aspects[item.aspect_id]
        self.say("")
        self.say(f"[{item.position + 1}/{total}] {aspect.id} {_short(aspect.title, 70)}")
        label = "Probe" if item.kind == "probe" else f"Q {item.question.id}"
        prompt = item.prompt()
        self.say(f"{label}: {prompt}")
        if item.answer_type == "choice" and item.question:
            self.say("  choices: " + "; ".join(f"{i + 1}. {c}" for i, c in enumerate(item.question.choices)))
        elif item.answer_type != "text":
            self.say(f"  ({answers.hint(item.answer_type)})")
        prev = self.s.recorded(item)
        if prev:
            flag = "  ⚑ flagged" if prev["concerns_individual"] else ""
            self.say(f"  recorded: {_short(inert(prev['text']), 90)}{flag}  (answer again to replace it)")

    # --- one line of input ----------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Act on one line: an answer, or a /command. False when it failed (reported, nothing recorded)."""
        text = line.rstrip("\r\n")
        if not text.strip():
            return True
        if text.lstrip().startswith("/"):
            return self.command(text.strip())
        try:
            answered = self.s.answer(text)
        except LaqsError as exc:  # AnswerInvalid (the question is asked again), AnswerTooLong, an ended visit
            return self.fail(exc.line())
        self.say(f"✓ saved ({answered.response['id'][:8]})")
        for indicator, value in answered.sets:
            self.say(f"  ✓ {indicator} = {self._number(indicator, value)} (this question records it)")
        for offer in answered.offers:
            self.say(f"  {offer.shown()} for {offer.indicator}? /value to record it "
                     f"(or /value {offer.indicator} N with another number)" if len(answered.offers) == 1 else
                     f"  {offer.shown()} for {offer.indicator}? /value {offer.indicator} to record it")
        hints = answered.hints
        if hints:
            self.say("  may bear on: " + ", ".join(hints) + "   (/met ID, /partly ID, /not ID)")
        self.ask()
        return True

    def command(self, text: str) -> bool:
        try:
            cmd = slash.parse(text, self.s.pack.phases)
        except LaqsError as exc:
            return self.fail(exc.line())
        return self.run(cmd)

    def run(self, cmd: slash.Command) -> bool:
        """Carry out a parsed command (the app's answer box hands over the ones it does not do itself)."""
        try:
            getattr(self, "cmd_" + cmd.name)(**cmd.args)
        except LaqsError as exc:
            return self.fail(exc.line())
        return True

    # --- commands: each takes the arguments slash.parse read --------------------------------------------------

    def cmd_help(self) -> None:
        self.say(HELP)

    def cmd_skip(self) -> None:
        self.s.skip()
        self.say("✓ skipped")
        self.ask()

    def cmd_back(self) -> None:
        self.s.back()
        self.ask()

    def cmd_jump(self, aspect: str) -> None:
        self.s.jump(aspect)
        self.ask()

    def _for(self, ratings) -> str:
        """Which phases a judgement was recorded for, when not every phase of the visit."""
        phases = list(dict.fromkeys(r.phase for r in ratings))
        if not phases or phases == list(self.s.phases):
            return ""
        return " (" + ", ".join(self.s.pack.phase_name(p) for p in phases) + " only)"

    def _judge(self, state: str, ids: tuple[str, ...], phases: tuple[str, ...]) -> None:
        for cid in ids:
            ratings = self.s.judge(cid, state, phases)
            self.say(f"✓ {cid} {state.replace('_', ' ')}{self._for(ratings)}")
        self._show_ratings(ratings)

    cmd_met = cmd_partly = cmd_not = cmd_unknown = _judge

    def _number(self, indicator: str, value: Any) -> str:
        ind = self.s.pack.indicators.get(indicator)
        return answers.shown_number(value, ind.unit if ind else "")

    def cmd_value(self, indicator: str | None, value: str | None, phases: tuple[str, ...]) -> None:
        if indicator is None:
            offer, ratings = self.s.take_offer(None, phases)
            indicator, value = offer.indicator, offer.value
        else:
            ratings = self.s.judge(indicator, value, phases)
        self.say(f"✓ {indicator} = {self._number(indicator, value)}{self._for(ratings)}")
        self._show_ratings(ratings)

    def cmd_count(self, set: str, count: int, phases: tuple[str, ...]) -> None:  # noqa: A002 - the command's word
        ratings = self.s.judge(set, count, phases)
        self.say(f"✓ {set}: {count} present{self._for(ratings)}")
        self._show_ratings(ratings)

    def cmd_impact(self, level: str, aspect: str | None, phases: tuple[str, ...]) -> None:
        aspect, ratings = self.s.set_impact(level, aspect, phases)
        self.say(f"✓ evidence of impact for {aspect}: {level}{self._for(ratings)}")
        self._show_ratings(ratings)

    def cmd_criteria(self, aspect: str | None) -> None:
        for r in self.s.criteria(aspect):
            a = self.s.pack.aspects[r.aspect]
            self.say(f"{a.id} — {self.s.pack.phase_name(r.phase)}")
            for col in self.s.pack.columns:
                self.say(f"  {col.label}")
                for c in a.criteria_in(col.id, r.phase):
                    mark = {"met": "✓", "partly": "~", "not_met": "✗", "unknown": "·"}[r.states[c.id]]
                    self.say(f"    {mark} {c.id}{'*' if c.critical else ''} {_short(c.text, 80)}")

    def cmd_rating(self, aspect: str | None) -> None:
        self._show_ratings(self.s.ratings(aspect), full=True)

    def _show_ratings(self, ratings, full: bool = False) -> None:
        pack = self.s.pack
        for r in ratings:
            name = pack.phase_name(r.phase)
            if r.suggestion == NA:
                self.say(f"  {r.aspect} {name}: N/A")
                continue
            sug = pack.column(r.suggestion).label if r.suggestion else "no suggestion yet"
            ceil = pack.column(r.ceiling).label if r.ceiling else "—"
            # A judged level has no ceiling to work out: it is what the adviser judged.
            self.say(f"  {r.aspect} {name}: {sug}" + ("" if pack.judged else f" (ceiling {ceil})"))
            for w in r.warnings:
                self.say(textwrap.fill(w.message, 100, initial_indent="    ! ", subsequent_indent="      "))
            if full:
                self.say(textwrap.fill(r.reason, 100, initial_indent="    why: ", subsequent_indent="      "))
                if r.ceiling_assumes:
                    self.say(textwrap.fill(r.ceiling_assumes, 100, initial_indent="    the ceiling assumes: ",
                                           subsequent_indent="      "))
                lead = "    to lift (all of these): " if len(r.lift) > 1 else "    to lift: "
                for x in r.lift:
                    self.say(textwrap.fill(x, 100, initial_indent=lead, subsequent_indent="      "))
                    lead = "    and: "

    def cmd_action(self, text: str, owner: str, due: str | None) -> None:
        row = self.s.add_action(text, owner, due)
        missing = [w for w, v in (("an owner", owner), ("a due date", due)) if not v]
        note = f" — it still needs {' and '.join(missing)}" if missing else ""
        self.say(f"✓ action {row['id'][:8]} saved{note}")

    def cmd_actions(self) -> None:
        view = self.s.action_list()
        if not view.actions:
            self.say("No actions yet.")
            return
        heading = None
        for a in view.actions:
            now = (f"From earlier visits to {inert(view.organisation, one_line=True)}:" if a["earlier"] else
                   "Agreed at this visit:")
            if now != heading and (heading or a["earlier"]):
                self.say(now)
            heading = now
            self.say("  " + action_line(a))
        self.say("Mark one: /done N, /drop N | REASON, /carry N [NEW DUE] (see /help)")

    def _mark(self, status: str, ref: str, on: str | None = None, note: str = "", due: str | None = None) -> None:
        a = self.s.mark_action(ref, status, on, note, due)
        done = "opened again" if status == "open" else STATUS_WORDS[status]
        self.say(f"✓ action {a['id'][:8]} {done}: {inert(_short(a['text'], 60), one_line=True)}"
                 + (f" — now due {a['due_date']}" if status == "carried" and a["due_date"] else "")
                 + (f" ({a['status_date']})" if status != "carried" else ""))

    def cmd_done(self, ref: str, on: str | None, note: str) -> None:
        self._mark("done", ref, on, note)

    def cmd_drop(self, ref: str, on: str | None, note: str) -> None:
        self._mark("dropped", ref, on, note)

    def cmd_carry(self, ref: str, due: str | None, note: str) -> None:
        self._mark("carried", ref, None, note, due)

    def cmd_reopen(self, ref: str, on: str | None, note: str) -> None:
        self._mark("open", ref, on, note)

    def overdue(self) -> None:
        """On opening a visit: how many of the organisation's actions are overdue."""
        n = len(self.s.action_list().overdue)
        if n:
            self.say(f"{n} overdue action{'s' if n != 1 else ''} for "
                     f"{inert(self.s.visit['organisation'], one_line=True)}: /actions")

    def _which(self, response: dict[str, Any]) -> str:
        """The answer a command acted on, as the adviser knows it: by its question, or as a note or probe."""
        short = response["id"][:8]
        if response.get("question_id"):
            return f"the answer to {response['question_id']} ({short})"
        if response.get("item_id"):
            return f"the answer to a probe on {response['aspect_id']} ({short})"
        return f"the note on {response['aspect_id']} ({short})"

    def cmd_flag(self, ref: str | None) -> None:
        r = self.s.flag(ref, True)
        self.say(f"✓ ⚑ flagged {self._which(r)}: it concerns an individual and stays out of shared notes")

    def cmd_unflag(self, ref: str | None) -> None:
        r = self.s.flag(ref, False)
        self.say(f"✓ {self._which(r)} is no longer flagged")

    def cmd_note(self, text: str) -> None:
        row = self.s.note(text)
        self.say(f"✓ saved ({row['id'][:8]})")

    def cmd_edit(self, text: str) -> None:
        edited = self.s.edit_typed(text)
        flag = "  ⚑ flagged" if edited.get("concerns_individual") else ""
        self.say(f"✓ replaced {self._which(edited)} (the earlier text is kept in its history){flag}")

    def cmd_summary(self, text: str) -> None:
        if text:
            self.s.set_summary(text)
            self.say("✓ summary saved: the note of visit gives it instead of the draft")
            return
        mine, draft = self.s.summary()
        if mine:
            self.say("Your summary:")
            self.say(textwrap.fill(inert(mine), 100, initial_indent="  ", subsequent_indent="  "))
            return
        self.say("No summary yet; the note would give this draft (write yours with /summary TEXT):")
        for line in draft:
            self.say(textwrap.fill(line, 100, initial_indent="  ", subsequent_indent="    "))

    def cmd_review(self) -> None:
        rows = self.s.review().rows
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
            line = f"  {row['aspect']} {name}: {'judged' if pack.judged else 'suggested'} {sug}"
            if row["override"]:
                line += f"; overridden to {pack.column(row['override']).label} " \
                        f"({inert(row['override_reason'], one_line=True)})"
            elif row["accepted"] and row["standing"] == "agreed":
                line += " (accepted)"
            if row["self_evaluation"]:
                line += f"; LA says {pack.column(row['self_evaluation']).label}"
                if row["disagrees"]:
                    line += "  ← disagreement"
            self.say(line)
            self.say(textwrap.fill(row["rests_on"], 100, initial_indent="      rests on: ",
                                   subsequent_indent="        "))
            if row["criteria_say"]:
                self.say(textwrap.fill(row["criteria_say"], 100, initial_indent="      the criteria: ",
                                       subsequent_indent="        "))
            self.say(textwrap.fill(r.reason, 100, initial_indent="      why: ", subsequent_indent="        "))
            for w in r.warnings:
                self.say(textwrap.fill(w.message, 100, initial_indent="      ! ", subsequent_indent="        "))

    def cmd_level(self, aspect: str | None, level: str, evidence: str) -> None:
        ratings = self.s.judge_level(level, aspect, evidence)
        word = self.s.pack.terms.rating
        self.say(f"✓ {ratings[0].aspect} judged {self.s.pack.column(ratings[0].suggestion).label}{self._for(ratings)}"
                 if ratings else f"✓ {word} recorded")

    def cmd_doc(self, aspect: str, kind: str, path: str, title: str) -> None:
        doc, new = self.s.attach_document(aspect, kind, path, title)
        kept = "kept" if new else "already kept"
        self.say(f"✓ {inert(doc['title'], one_line=True)} {kept} for {doc['aspect_id']} ({doc['kind']}, "
                 f"{doc['size']:,} bytes, sha256 {doc['sha256'][:12]}); private until /share")

    def cmd_docs(self) -> None:
        docs = self.s.documents()
        if not docs:
            self.say("No documents kept at this visit: /doc ASPECT KIND FILE")
        for d in docs:
            mark = "shared" if d["shared"] else "private"
            self.say(f"  {d['n']}. {d['aspect_id']} {d['kind']}: {inert(d['title'], one_line=True)} "
                     f"({inert(d['filename'], one_line=True)}, {d['size']:,} bytes, sha256 {d['sha256'][:12]}, "
                     f"{mark})")

    def cmd_share(self, ref: str | None) -> None:
        d = self.s.share_document(ref or "", True)
        self.say(f"✓ {inert(d['title'], one_line=True)} shared: it may go into shared outputs and bundles")

    def cmd_unshare(self, ref: str | None) -> None:
        d = self.s.share_document(ref or "", False)
        self.say(f"✓ {inert(d['title'], one_line=True)} private again")

    def cmd_accept(self, aspect: str, phase: str) -> None:
        self.s.accept(aspect, phase)
        self.say(f"✓ {aspect} {phase} accepted")

    def cmd_override(self, aspect: str, phase: str, rating: str, reason: str) -> None:
        departure = self.s.override(aspect, phase, rating, reason)
        self.say(f"✓ {aspect} {phase} overridden to {rating}")
        if departure is not None and departure.kind != "agrees":
            self.say(textwrap.fill(departure.line, 100, initial_indent="  the criteria: ",
                                   subsequent_indent="    "))

    def cmd_self(self, aspect: str, phase: str, rating: str) -> None:
        self.s.self_evaluation(aspect, phase, rating)
        self.say(f"✓ LA self-evaluation for {aspect} {phase}: {rating}")

    def cmd_where(self) -> None:
        done, total = self.s.progress()
        self.say(f"{done} of {total} items dealt with; visit {self.s.id[:8]} is {self.s.visit['status']}")

    def cmd_pause(self) -> None:
        if self.s.pause():
            self.say(f"Paused. Resume with: laqs chat --resume {self.s.id[:8]}")
        self.done = True

    def cmd_quit(self) -> None:
        self.cmd_pause()

    def cmd_end(self) -> None:
        self.s.end()
        self.say(f"Visit {self.s.id[:8]} ended. Ratings:")
        self.cmd_review()
        self.say("Accept or override each (/accept, /override, /self), then /quit. "
                 f"Draft the note with: laqs note {self.s.id[:8]}")



STATUS_WORDS = {"open": "open", "done": "done", "dropped": "dropped", "carried": "carried forward"}


def action_line(a: dict[str, Any]) -> str:
    """One action as /actions lists it: `2. 1a2b3c4d [carried forward] TEXT — OWNER, due DATE  OVERDUE`."""
    status = STATUS_WORDS.get(a["status"], a["status"])
    if a["status"] != "open" and a.get("status_date"):
        status += f" {a['status_date']}"
    due = f"due {a['due_date']}" if a["due_date"] else "no date"
    line = (f"{a['position']}. {a['id'][:8]} [{status}] {inert(a['text'], one_line=True)} — "
            f"{inert(a['owner'], one_line=True) or 'no owner'}, {due}")
    if a.get("earlier"):
        line += f" (agreed {a['visit_date']})"
    if a.get("overdue"):
        line += "  OVERDUE"
    if a.get("status_note"):
        line += f"\n       {inert(a['status_note'], one_line=True)}"
    return line


ECHO_LIMIT = 1000  # characters of an echoed line: a pasted document is named by its size, not read out whole


def _tolerant(stream: TextIO) -> None:
    """Whatever the locale (LANG=C, PYTHONIOENCODING=ascii), printing a character the encoding lacks must not
    stop the interview: it is written as a \\u escape instead."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):
            pass


def _same_file(a: TextIO, b: TextIO) -> bool:
    """Whether two streams end up in one place (one terminal, or 2>&1), so a message need not be printed twice."""
    try:
        sa, sb = os.fstat(a.fileno()), os.fstat(b.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _numbered_lines(stream: TextIO, warn: Callable[[str], None]) -> Iterator[tuple[int, str]]:
    """Standard input line by line, numbered from 1. Bytes are decoded here, a line at a time, so that one line
    that is not UTF-8 (a file saved in Windows-1252, say) costs only its unreadable bytes, not the whole script."""
    raw = getattr(stream, "buffer", None)
    if raw is None:  # already text (a StringIO in tests, or an embedding caller)
        yield from enumerate(stream, 1)
        return
    for number, data in enumerate(raw, 1):
        try:
            line = data.decode("utf-8")
        except UnicodeDecodeError:
            line = data.decode("utf-8", errors="replace")
            warn(f"line {number}: not UTF-8; unreadable bytes replaced with \ufffd")
        if number == 1 and line.startswith("\ufeff"):  # a byte-order mark from an editor is not part of the answer
            line = line[1:]
        yield number, line


def _echo(text: str) -> str:
    shown = inert(text)  # one line already; a tab may stay a tab
    if len(shown) > ECHO_LIMIT:
        shown = f"{shown[:ECHO_LIMIT]}… ({len(text):,} characters)"
    return "> " + shown


def _script(chat: LineChat, stdin: TextIO, write: Callable[[str], None], stderr: TextIO, stdout: TextIO,
            echo: bool) -> int:
    """Read the interview from a pipe or file. Every line runs, whatever failed before it; each failure is named
    on stderr by its line number and the exit code is 2 if any failed (the lines that worked stay recorded)."""

    def warn(text: str) -> None:
        stderr.write(f"laqs: {text}\n")
        stderr.flush()

    number = 0
    twice = not _same_file(stdout, stderr)

    def report(message: str) -> None:
        if twice:  # the transcript on stdout shows the failure where it happened, too
            write(f"! {message}")
        warn(f"line {number}: {message}")

    chat.report = report
    read = 0
    for number, line in _numbered_lines(stdin, warn):  # noqa: B007 - report() reads it
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        read += 1
        if echo:
            write(_echo(text))
        chat.handle(text)
        if chat.done:
            break
    else:
        chat.cmd_pause()
    if chat.failures:
        warn(f"{chat.failures} of {read} input line{'s' if read != 1 else ''} failed; every other line was recorded")
        return 2
    return 0


class _DraftKeeper:
    """Keeps the prompt's half-typed text as the visit's draft: saved half a second after typing stops, and at
    once on Ctrl+C, Ctrl+D and leaving, so a closed terminal or a kill loses at most that half second."""

    DELAY = 0.5

    def __init__(self, service: Service) -> None:
        self.s = service
        self.saved = ""  # the draft as the store holds it
        self.pending: str | None = None
        self._timer: Any = None

    def restore(self, say: Callable[[str], None]) -> str:
        try:
            draft = self.s.draft()
        except LaqsError:
            draft = None
        if not draft or not draft["text"].strip():
            return ""
        self.saved = draft["text"]
        say(f"draft from {_local_time(draft['updated_at'])} restored")
        return draft["text"]

    def changed(self, buffer: Any) -> None:
        """prompt-toolkit's on_text_changed; runs inside the prompt's event loop."""
        import asyncio

        self.pending = buffer.text
        if self._timer is not None:
            self._timer.cancel()
        try:
            self._timer = asyncio.get_running_loop().call_later(self.DELAY, self.flush)
        except RuntimeError:
            self.flush()

    def flush(self) -> None:
        """Save what was typed last, if it differs from the draft already kept."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        text, self.pending = self.pending, None
        if text is not None:
            self.keep(text)

    def keep(self, text: str) -> None:
        if text == self.saved:
            return
        try:
            self.s.save_draft(text)
        except LaqsError:
            return  # the store is busy or gone: typing goes on, the next change tries again
        self.saved = text

    def sent(self, was_answer: bool) -> None:
        """A line was sent and worked: an answer's own commit cleared the draft; a command's text goes too."""
        self.pending = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if was_answer:
            self.saved = ""
        else:
            self.keep("")


def _local_time(stamp: str) -> str:
    """A stored UTC time as the adviser's clock shows it: 14:32 today, 2026-11-20 14:32 another day."""
    try:
        when = datetime.fromisoformat(stamp).astimezone()
    except (TypeError, ValueError):
        return str(stamp)
    if when.date() == datetime.now().astimezone().date():
        return when.strftime("%H:%M")
    return when.strftime("%Y-%m-%d %H:%M")


def _interactive(chat: LineChat) -> None:
    words = COMMANDS + list(chat.s.pack.aspects) + list(chat.s.pack.criteria) + list(chat.s.pack.indicators) + \
        list(chat.s.pack.sets) + [e.id for e in chat.s.pack.evidence_levels]
    prompt_loop(chat, _DraftKeeper(chat.s), words)


def prompt_loop(chat: Any, keeper: "_DraftKeeper", words: list[str], kept_when_refused: bool = False) -> None:
    """A chat in a terminal: prompt-toolkit reads each line (completing `words`), the keeper saves what is typed as
    the draft, and a refused line comes back to be put right (`kept_when_refused`: the chat kept it as the draft
    already). Ctrl+C clears the line, as in a shell, but it stays the draft and ↑ brings it back."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import InMemoryHistory

    history = InMemoryHistory()
    prompt = PromptSession(history=history, completer=WordCompleter(words, sentence=True, match_middle=False))
    default = keeper.restore(chat.say)
    prompt.default_buffer.on_text_changed += keeper.changed
    while not chat.done:
        try:
            text = prompt.prompt("› ", default=default)
        except KeyboardInterrupt:
            typed = prompt.default_buffer.text
            keeper.pending = None
            keeper.keep(typed)
            if typed.strip():
                history.append_string(typed)
                chat.say("(kept as the draft: ↑ brings it back)")
            default = ""
            continue
        except EOFError:
            keeper.flush()
            return
        default = ""
        if chat.handle(text):
            keeper.sent(was_answer=bool(text.strip()) and not text.lstrip().startswith("/"))
        else:
            # The line comes back to be put right, and stays the draft meanwhile (a too-long answer is not lost).
            keeper.pending = None
            if kept_when_refused:
                keeper.saved = text
            else:
                keeper.keep(text)
            default = text


def run(service: Service, stdin: TextIO | None = None, stdout: TextIO | None = None,
        interactive: bool | None = None, stderr: TextIO | None = None) -> int:
    """Run the chat; the exit code: 0, or 2 when lines of a script failed."""
    return drive(lambda write: LineChat(service, write), _interactive, stdin, stdout, interactive, stderr)


def drive(make_chat: Callable[[Callable[[str], None]], Any], interactive_loop: Callable[[Any], None],
          stdin: TextIO | None = None, stdout: TextIO | None = None, interactive: bool | None = None,
          stderr: TextIO | None = None) -> int:
    """Run a line-mode chat (an interview, a joint visit's form, a review's interviews): in a terminal through
    `interactive_loop`, paused when it is left unfinished; from a pipe or file as a script. The exit code: 0, or 2
    when lines of a script failed."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    _tolerant(stdout)
    _tolerant(stderr)

    def write(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    chat = make_chat(write)
    chat.header()
    chat.ask()
    if interactive is None:
        interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        interactive_loop(chat)
        if not chat.done:
            chat.cmd_pause()
        return 0
    # A terminal shows what is typed already; a pipe or file does not, so the transcript shows each line read.
    return _script(chat, stdin, write, stderr, stdout, echo=not _isatty(stdin))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
