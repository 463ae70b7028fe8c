"""Line mode for a joint visit: the form (the 2009 pack's Appendix 5) walked one field at a time, as a plain chat.

The habits are the interview's (line.py): an answer is acknowledged only once committed; /help, /skip, /back;
scripted input from a pipe or file, each line echoed, a line that fails named on stderr by its number and the
script then exiting 2; in a terminal, prompt-toolkit with the half-typed text kept as the visit's draft, and a
refused line put back to be corrected (and kept as the draft meanwhile).
"""

from __future__ import annotations

import textwrap
from typing import Any, Callable, TextIO

from ..app.joint import JointVisits
from ..errors import LaqsError, UsageError
from ..inert import inert
from ..packs.forms import scale_line, shown, standards_of, ticked
from . import _DraftKeeper, drive, prompt_loop

HELP = """Answer the field shown, or type a command:
  /help            this list
  /skip            leave this field as it is and go to the next
  /back            the field before (answering again replaces the value; the earlier one is kept)
  /go N            go to field N (see /show), or to a section by its aspect (/go 1.5) or id
  /show            the form so far, every field numbered
  /clear           empty this field (the earlier value is kept in its history)
  /record [PATH]   write the record of the visit (.docx) for the headteacher and the LA
  /pause, /quit    leave; resume with: laqs chat --form joint-visit --resume last
  /end             end the visit (its values are then kept as they are)
A checklist takes the numbers of the standards seen ('1 3 5', '1-4', 'all', 'none'); a grade one number of
the form's scale."""

COMMANDS = ["/help", "/skip", "/back", "/go", "/show", "/clear", "/record", "/pause", "/quit", "/end"]


class JointChat:
    """One line at a time over the open joint visit: `handle` returns whether the line worked."""

    def __init__(self, joint: JointVisits, write: Callable[[str], None],
                 report: Callable[[str], None] | None = None) -> None:
        self.j = joint
        self.write = write
        self.report = report or (lambda message: self.write(f"! {message}"))
        self.done = False
        self.failures = 0

    def say(self, text: str = "") -> None:
        self.write(text)

    def fail(self, message: str) -> bool:
        self.failures += 1
        self.report(inert(message, one_line=True))
        return False

    # --- display ----------------------------------------------------------------------------------------------

    def header(self) -> None:
        v = self.j.view().visit
        self.say(f"Joint visit {v['id'][:8]} — {inert(v['school'], one_line=True)}"
                 + (f" ({inert(v['la'], one_line=True)})" if v["la"] else "") + f" — {v['date']}")
        self.say(f"{self.j.form.title}. Grades: {scale_line(self.j.form)}.")
        self.say("A joint visit grades a named SIP: it stays in your store and the visit's own record, never in a "
                 "note, briefing or export.")
        if v["status"] == "ended":
            self.say("This joint visit has ended: /show reads it, /record writes its record.")
        self.say("Type /help for commands.")

    def ask(self) -> None:
        view = self.j.view()
        f = view.current
        if f is None:
            if not view.ended:
                self.say("Every field has been dealt with. /show to read the form, /record to write its record, "
                         "/end to end the visit.")
            return
        n, total = view.position + 1, len(view.fields)
        self.say("")
        if f.group == "section":
            s = f.section
            where = f" ({s.aspect})" if s.aspect else ""
            self.say(f"[{n}/{total}] {s.title}{where}")
            if f.kind == "checklist":
                items = standards_of(s)
                if s.lead:
                    self.say(f"  {s.lead}")
                for i, text in enumerate(items, 1):
                    if i == len(s.standards) + 1 and s.additional_lead:
                        self.say(f"  {s.additional_lead}")
                    self.say(textwrap.fill(text, 100, initial_indent=f"  {i:>2}. ", subsequent_indent="      "))
                self.say("Which standards did you see met? (numbers, 'all' or 'none')")
            elif f.kind == "grade":
                self.say("Grade: " + "; ".join(f"{g.grade} {g.meaning}" for g in self.j.form.scale))
            else:
                self.say("Evidence for the grade:")
        else:
            self.say(f"[{n}/{total}] {f.label}" + (" (YYYY-MM-DD)" if f.kind == "date" else ""))
        kept = view.values.get(f.key)
        if kept:
            self.say(f"  recorded: {inert(shown(self.j.form, f, kept), one_line=True)[:200]}  "
                     "(answer again to replace it, /skip keeps it)")

    # --- one line ---------------------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        text = line.rstrip("\r\n")
        if not text.strip():
            return True
        if text.lstrip().startswith("/"):
            return self.command(text.strip())
        try:
            f, value = self.j.answer(text)
        except LaqsError as exc:
            self._keep(text)
            return self.fail(f"{exc.line()}; what you typed is kept as the draft")
        self.say(f"✓ saved: {inert(shown(self.j.form, f, value), one_line=True)[:120]}")
        self.ask()
        return True

    def _keep(self, text: str) -> None:
        """A refused answer is kept as the field's draft, so nothing typed is lost."""
        try:
            self.j.save_draft(text)
        except LaqsError:
            pass

    def command(self, text: str) -> bool:
        word, _, rest = text[1:].partition(" ")
        name = word.lower()
        handler = getattr(self, "cmd_" + name, None)
        if handler is None or name not in {c[1:] for c in COMMANDS}:
            return self.fail(f"unknown command '/{word}' (type /help)")
        try:
            handler(rest.strip())
        except LaqsError as exc:
            return self.fail(exc.line())
        return True

    # --- commands ---------------------------------------------------------------------------------------------

    def cmd_help(self, rest: str) -> None:
        self.say(HELP)

    def cmd_skip(self, rest: str) -> None:
        self.j.skip()
        self.say("✓ skipped")
        self.ask()

    def cmd_back(self, rest: str) -> None:
        self.j.back()
        self.ask()

    def cmd_go(self, rest: str) -> None:
        if not rest:
            raise UsageError("/go N: a field's number (see /show), or a section's aspect or id")
        self.j.go(rest)
        self.ask()

    def cmd_show(self, rest: str) -> None:
        view = self.j.view()
        for i, f in enumerate(view.fields, 1):
            value = view.values.get(f.key)
            mark = "›" if i - 1 == view.position else " "
            text = inert(shown(self.j.form, f, value), one_line=True) if value else "—"
            label = f.label if f.group != "section" else f"{f.section.title} — {f.kind}"
            self.say(f"{mark}{i:>3}. {label}: {text[:140]}")
            if f.kind == "checklist" and value:
                items = standards_of(f.section)
                for n in ticked(value):
                    self.say(f"        ✓ {n}. {items[n - 1][:100]}")

    def cmd_clear(self, rest: str) -> None:
        f = self.j.clear(rest or None)
        self.say(f"✓ cleared {f.label} (the earlier value is kept in its history)")

    def cmd_record(self, rest: str) -> None:
        path = self.j.record(rest or None, overwrite=bool(rest))
        self.say(f"✓ record of the visit written: {path}")

    def cmd_pause(self, rest: str = "") -> None:
        if self.j.pause():
            v = self.j.view().visit
            self.say(f"Paused. Resume with: laqs chat --form joint-visit --resume {v['id'][:8]}")
        self.done = True

    def cmd_quit(self, rest: str = "") -> None:
        self.cmd_pause()

    def cmd_end(self, rest: str) -> None:
        self.j.end()
        self.say("✓ joint visit ended. Write its record with /record (or laqs joint-visits record "
                 f"{self.j.view().visit['id'][:8]})")
        self.done = True


class _DraftOf:
    """What line mode's draft keeper needs of a service, for the joint visit's current field."""

    def __init__(self, joint: JointVisits) -> None:
        self.j = joint

    def draft(self) -> dict[str, Any] | None:
        d = self.j.draft()
        current = self.j.current()
        return d if d and current is not None and d["field"] == current.key else None

    def save_draft(self, text: str) -> None:
        self.j.save_draft(text)


def _interactive(chat: JointChat) -> None:
    # handle() keeps a refused value as the field's draft itself
    prompt_loop(chat, _DraftKeeper(_DraftOf(chat.j)), list(COMMANDS), kept_when_refused=True)  # type: ignore[arg-type]


def run(joint: JointVisits, stdin: TextIO | None = None, stdout: TextIO | None = None,
        interactive: bool | None = None, stderr: TextIO | None = None) -> int:
    """Walk the open joint visit's form; the exit code: 0, or 2 when lines of a script failed."""
    return drive(lambda write: JointChat(joint, write), _interactive, stdin, stdout, interactive, stderr)


__all__ = ["HELP", "JointChat", "run"]
