"""The slash-command language typed in line mode and in the app's answer box, parsed in one place.

`parse("/met 2.4.G.1 2.4.G.2")` gives Command("met", {"state": "met", "ids": ("2.4.G.1", "2.4.G.2"), "phases": ()});
a line that does not fit its command's form is a UsageError carrying the command's usage. A judgement may end with
the phases it concerns (`/met 2.4.G.1 P`, `/impact some S`): given the pack's phases, parse() takes them off the
end by id or name; none means every phase of the visit. What a command does is up to
the front end that runs it (line mode prints, the app may open a dialog), but what was typed means the same
everywhere. The /help text and the completion list come from the same table.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, NamedTuple

from ..errors import UsageError
from ..inert import inert


class Command(NamedTuple):
    name: str  # the command's canonical name, without the slash: "met", "flag", "override"
    args: dict[str, Any]
    text: str  # as typed


class Spec(NamedTuple):
    usage: str  # "/jump ASPECT"
    help: str  # what it does, for /help (continuation lines indented)
    parse: Callable[[str], dict[str, Any]]
    phased: bool = False  # the command may end with phases (a judgement); they go in args["phases"]
    leading: int = 1  # words before any phase: what is judged (0 for /value alone, which takes an offer)


def _none(rest: str) -> dict[str, Any]:
    return {}


def _optional_word(key: str) -> Callable[[str], dict[str, Any]]:
    def parse(rest: str) -> dict[str, Any]:
        return {key: rest.split()[0] if rest.split() else None}
    return parse


def _jump(rest: str) -> dict[str, Any]:
    if not rest.split():
        raise UsageError("which aspect? e.g. /jump 2.4")
    return {"aspect": rest.split()[0]}


def _judge(state: str, typed: str) -> Callable[[str], dict[str, Any]]:
    def parse(rest: str) -> dict[str, Any]:
        ids = tuple(rest.split())
        if not ids:
            raise UsageError(f"which criterion? e.g. /{typed} 2.4.G.1 (or /{typed} 2.4.G.1 P for Primary only)")
        return {"state": state, "ids": ids}
    return parse


def _value(rest: str) -> dict[str, Any]:
    parts = rest.split()
    if not parts:
        return {"indicator": None, "value": None}  # the number the last answer offered
    if len(parts) != 2:
        raise UsageError("give an indicator and a number, e.g. /value 1.5.targets-in-line 87 (or /value alone to "
                         "take the number the last answer offered)")
    return {"indicator": parts[0], "value": parts[1]}


def _count(rest: str) -> dict[str, Any]:
    parts = rest.split()
    if len(parts) != 2 or not parts[1].isdigit():
        raise UsageError("give a set and how many items are present, e.g. /count 2.4.report-features 5")
    return {"set": parts[0], "count": int(parts[1])}


def _impact(rest: str) -> dict[str, Any]:
    parts = rest.split()
    if not parts:
        raise UsageError("give a level: /impact none|some|substantial [ASPECT] [PHASE…]")
    return {"level": parts[0], "aspect": parts[1] if len(parts) > 1 else None}


def _action(rest: str) -> dict[str, Any]:
    parts = [p.strip() for p in rest.split("|")]
    if not parts or not parts[0]:
        raise UsageError("describe the action: /action TEXT | OWNER | DUE DATE")
    if len(parts) > 3:
        raise UsageError("an action has at most three parts: TEXT | OWNER | DUE DATE")
    return {"text": parts[0], "owner": parts[1] if len(parts) > 1 else "",
            "due": (parts[2] or None) if len(parts) > 2 else None}


def _mark(date_key: str, typed: str, form: str) -> Callable[[str], dict[str, Any]]:
    """`ID [DATE] [| NOTE]`: the action (its number in /actions or its id), a date, a note after a bar."""
    def parse(rest: str) -> dict[str, Any]:
        head, bar, note = rest.partition("|")
        words = head.split()
        if not words:
            raise UsageError(f"which action? {form} (ID: its number in /actions or its id)")
        if "|" in note:
            raise UsageError(f"one note after one bar: {form}")
        return {"ref": words[0], date_key: " ".join(words[1:]) or None, "note": note.strip()}
    return parse


def _ref(rest: str) -> dict[str, Any]:
    return {"ref": rest.strip() or None}


def _rest(key: str, missing: str | None = None) -> Callable[[str], dict[str, Any]]:
    def parse(rest: str) -> dict[str, Any]:
        if missing and not rest.strip():
            raise UsageError(missing)
        return {key: rest.strip()}
    return parse


def _aspect_phase(rest: str) -> dict[str, Any]:
    parts = rest.split()
    if len(parts) != 2:
        raise UsageError("give an aspect and a phase, e.g. /accept 2.4 P")
    return {"aspect": parts[0], "phase": parts[1]}


def _override(rest: str) -> dict[str, Any]:
    parts = rest.split(maxsplit=3)
    if len(parts) < 4:
        raise UsageError("give aspect, phase, rating and a reason, e.g. /override 2.4 P NI reports lack rigour")
    return {"aspect": parts[0], "phase": parts[1], "rating": parts[2], "reason": parts[3]}


def _self(rest: str) -> dict[str, Any]:
    parts = rest.split()
    if len(parts) != 3:
        raise UsageError("give aspect, phase and the LA's rating, e.g. /self 2.4 P G")
    return {"aspect": parts[0], "phase": parts[1], "rating": parts[2]}


def _level(rest: str) -> dict[str, Any]:
    head, _, evidence = rest.partition("|")
    words = head.split()
    if len(words) not in (1, 2):
        raise UsageError("give the aspect and its level, e.g. /level 7a good (or /level good for the current one)")
    return {"aspect": words[0] if len(words) == 2 else None, "level": words[-1], "evidence": evidence.strip()}


def _doc(rest: str) -> dict[str, Any]:
    head, _, title = rest.partition("|")
    words = head.split(maxsplit=2)
    if len(words) < 3:
        raise UsageError("give the aspect, the kind and the file, e.g. /doc 7a la-plan plans/gt-plan.pdf | TITLE")
    return {"aspect": words[0], "kind": words[1], "path": words[2].strip(), "title": title.strip()}


SPECS: dict[str, Spec] = {
    "skip": Spec("/skip", "skip this question (dismiss a probe)", _none),
    "back": Spec("/back", "go back one question; answering again replaces the answer", _none),
    "jump": Spec("/jump ASPECT", "go to an aspect's questions, e.g. /jump 2.4", _jump),
    "met": Spec("/met ID [ID…] [PHASE…]", "mark criteria met (also /partly, /not, /unknown); for every phase of\n"
                "the visit unless phases follow, e.g. /met 2.4.G.1 P", _judge("met", "met"), True),
    "partly": Spec("/partly ID [ID…] [PHASE…]", "", _judge("partly", "partly"), True),
    "not": Spec("/not ID [ID…] [PHASE…]", "", _judge("not_met", "not"), True),
    "unknown": Spec("/unknown ID [ID…] [PHASE…]", "", _judge("unknown", "unknown"), True),
    "value": Spec("/value ID NUMBER [PHASE…]", "record an indicator, e.g. /value 1.5.targets-in-line 87; /value\n"
                  "alone takes the number the last answer offered", _value, True, 0),
    "count": Spec("/count SET N [PHASE…]", "record how many items of a counted set are present", _count, True),
    "impact": Spec("/impact LEVEL [ASPECT] [PHASE…]", "evidence of impact seen: none, some, substantial", _impact,
                   True),
    "criteria": Spec("/criteria [ASPECT]", "the current aspect's criteria and their states", _optional_word("aspect")),
    "rating": Spec("/rating [ASPECT]", "the suggested rating, ceiling and why", _optional_word("aspect")),
    "action": Spec("/action TEXT | OWNER | DUE", "add an agreed action, e.g. /action Revise the policy | J Smith | "
                   "2026-12-15", _action),
    "actions": Spec("/actions", "the actions to follow up, numbered: this visit's and the organisation's earlier\n"
                    "ones still open or carried forward; overdue ones marked", _none),
    "done": Spec("/done ID [DATE] [| NOTE]", "mark an action done (ID: its number in /actions or its id; the date\n"
                 "defaults to the visit's), e.g. /done 1 | Calendar shared with governors",
                 _mark("on", "done", "/done ID [DATE] [| NOTE]")),
    "drop": Spec("/drop ID [DATE] | REASON", "drop an action, saying why, e.g. /drop 2 | Superseded by the new plan",
                 _mark("on", "drop", "/drop ID [DATE] | REASON")),
    "carry": Spec("/carry ID [NEW DUE] [| NOTE]", "carry an action forward, to a new due date if given, e.g.\n"
                  "/carry 3 2027-03-31 | Governors meet in March",
                  _mark("due", "carry", "/carry ID [NEW DUE] [| NOTE]")),
    "reopen": Spec("/reopen ID [| NOTE]", "open a marked action again (its history is kept)",
                   _mark("on", "reopen", "/reopen ID [| NOTE]")),
    "flag": Spec("/flag [QID|ID]", "mark an answer as about an individual's performance (kept out of shared notes);\n"
                 "with no QID or ID, the answer just given, e.g. /flag A3.1.5.2", _ref),
    "unflag": Spec("/unflag [QID|ID]", "clear that mark", _ref),
    "note": Spec("/note [ASPECT] TEXT", "record a remark outside the agenda",
                 _rest("text", "a note needs some text: /note [ASPECT] TEXT")),
    "edit": Spec("/edit [QID|ID] TEXT", "replace an answer's text (the earlier text is kept); with no QID or ID,\n"
                 "the answer just given, e.g. /edit A3.2.4.2 Reports are timely and accurate", _rest("text")),
    "summary": Spec("/summary [TEXT]", "your summary of the visit for its note (key findings per aspect and\n"
                    "overall); /summary alone shows it, or the draft built from the record", _rest("text")),
    "review": Spec("/review", "every rating in play, with overrides and the LA's self-evaluation", _none),
    "accept": Spec("/accept ASPECT PHASE", "accept the suggested rating", _aspect_phase),
    "override": Spec("/override ASPECT PHASE RATING REASON", "override, e.g. /override 2.4 P NI reports lack rigour",
                     _override),
    "self": Spec("/self ASPECT PHASE RATING", "the LA's own self-evaluation", _self),
    "where": Spec("/where", "progress through the agenda", _none),
    "pause": Spec("/pause", "pause the visit and leave (resume later with laqs chat --resume)", _none),
    "end": Spec("/end", "end the visit and show the ratings to accept or override", _none),
    "quit": Spec("/quit", "leave (an open visit is paused)", _none),
    "level": Spec("/level ASPECT LEVEL [| EVIDENCE]", "judge a level directly on the evidence (a pack with no\n"
                  "criteria per level), e.g. /level 7a good | the case studies show it", _level),
    "doc": Spec("/doc ASPECT KIND FILE [| TITLE]", "keep a document as evidence for an aspect (private until\n"
                "/share), e.g. /doc 7a la-plan plans/gt-plan.pdf | G&T plan 2026", _doc),
    "docs": Spec("/docs", "this visit's documents, numbered, with their kinds and hashes", _none),
    "share": Spec("/share N", "let document N go into shared outputs and bundles (/unshare N: private again)",
                  _ref),
    "unshare": Spec("/unshare N", "", _ref),
    "help": Spec("/help", "this list", _none),
}

COMMANDS = ["/" + name for name in SPECS]


def is_command(text: str) -> bool:
    return text.lstrip().startswith("/")


def parse(text: str, phases: Iterable[Any] = ()) -> Command:
    """One typed /command, checked against its form; UsageError (one line) when it does not fit. `phases` are the
    pack's (each with an id and a name): a judgement's trailing phase words are read against them."""
    text = text.strip()
    word, _, rest = text.partition(" ")
    name = word[1:].lower()
    spec = SPECS.get(name)
    if spec is None:
        raise UsageError(f"unknown command {inert(word, one_line=True)}: type /help for the list")
    if not spec.phased:
        return Command(name, spec.parse(rest.strip()), text)
    words, found = trailing_phases(rest.split(), phases, spec.leading)
    args = spec.parse(" ".join(words))
    args["phases"] = found
    return Command(name, args, text)


def trailing_phases(words: list[str], phases: Iterable[Any], leading: int = 1) -> tuple[list[str], tuple[str, ...]]:
    """Phase ids or names ("P", "primary", "Early Years") at the end of a command's words, taken off: the words
    left and the phase ids in the order typed. The first `leading` words are never phases (what is judged)."""
    names: dict[str, str] = {}
    for p in phases:
        names[p.id.lower()] = p.id
        names[" ".join(p.name.lower().split())] = p.id
    longest = max((len(n.split()) for n in names), default=0)
    words, found = list(words), []
    while len(words) > leading:
        for n in range(min(longest, len(words) - leading), 0, -1):
            key = " ".join(words[-n:]).lower()
            if key in names:
                found.insert(0, names[key])
                del words[-n:]
                break
        else:
            break
    return words, tuple(dict.fromkeys(found))


USAGE_WIDTH = 26  # the usage column of /help; a longer usage has its line to itself


def help_text() -> str:
    """The /help list, from the table (commands without their own help line are listed with the one before)."""
    lines = ["Type an answer and press Enter to record it. Commands:"]
    for spec in SPECS.values():
        if not spec.help:
            continue
        first, *more = spec.help.split("\n")
        usage = spec.usage
        lines.append(f"  {usage:<{USAGE_WIDTH}} {first}" if len(usage) <= USAGE_WIDTH else
                     f"  {usage}\n  {'':<{USAGE_WIDTH}} {first}")
        lines += [f"  {'':<{USAGE_WIDTH}} {m}" for m in more]
    return "\n".join(lines)


HELP = help_text()

__all__ = ["COMMANDS", "Command", "HELP", "SPECS", "help_text", "is_command", "parse", "trailing_phases"]
