"""Answer types: what a question's answer must start with, the value kept for it, and the hint shown beside it.

One registry for every part of the house: the loader accepts the types listed here, the session parses answers
with them, and line mode and the app show their hints. A new answer type is one `AnswerType` added below.
Free text may follow the value ("yes, because …", "85% of schools …"); only the start is read.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, NamedTuple

from .errors import LaqsError


class AnswerInvalid(LaqsError):
    """An answer that does not fit the question's type; the question is asked again."""

    exit_code = 2


class AnswerType(NamedTuple):
    id: str
    hint: str  # shown with the question, e.g. "answer yes, no or partly first, then any detail"
    parse: Callable[[str, tuple[str, ...]], str | None]  # (text, choices) -> the value kept, or AnswerInvalid


def _text(t: str, choices: tuple[str, ...]) -> None:
    return None


# What a person says first to a closed question, and the value kept for it.
_YES_NO = (("yes", ("yes", "y", "yeah", "definitely")), ("no", ("no", "n", "not really", "not yet")),
           ("partly", ("partly", "partially", "mostly", "somewhat", "in part", "to some extent")),
           ("unsure", ("not sure", "unsure", "don't know", "do not know")), ("n/a", ("n/a", "not applicable")))
_YES_NO_WORDS = sorted(((w, v) for v, ws in _YES_NO for w in ws), key=lambda x: -len(x[0]))  # longest first


def _yes_no(t: str, choices: tuple[str, ...]) -> str:
    low = t.lower()
    for word, value in _YES_NO_WORDS:
        if low == word or (low.startswith(word) and not low[len(word)].isalnum()):
            return value
    raise AnswerInvalid("answer yes, no or partly first (detail can follow: 'yes, because …')")


_NUMBER = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(%?)")


def _number(percent: bool) -> Callable[[str, tuple[str, ...]], str]:
    def parse(t: str, choices: tuple[str, ...]) -> str:
        m = _NUMBER.match(t)
        if not m:
            what = "a percentage from 0 to 100, e.g. 85%" if percent else "a number, e.g. 12"
            raise AnswerInvalid(f"start the answer with {what}")
        value = float(m.group(1))
        if percent and not 0 <= value <= 100:
            raise AnswerInvalid(f"{value:g}% is not a percentage: give a value from 0 to 100")
        return f"{value:g}"
    return parse


def _date(t: str, choices: tuple[str, ...]) -> str:
    from datetime import datetime  # ~2 ms to import: not on the way to the app's first question

    word = t.split()[0] if t else ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y"):
        try:
            return datetime.strptime(word if fmt != "%d %B %Y" else " ".join(t.split()[:3]), fmt).date().isoformat()
        except ValueError:
            continue
    raise AnswerInvalid("give a date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-15")


def _grade(t: str, choices: tuple[str, ...]) -> str:
    m = re.match(r"^\s*([1-4])\b", t)
    if not m:
        raise AnswerInvalid("give a grade from 1 (outstanding) to 4 (inadequate)")
    return m.group(1)


def _choice(t: str, choices: tuple[str, ...]) -> str:
    options = list(choices)
    word = t.split(" ", 1)[0] if t else ""
    if word.isdigit() and 1 <= int(word) <= len(options):
        return options[int(word) - 1]
    hits = [o for o in options if o.lower() == t.lower()] or [o for o in options if o.lower().startswith(t.lower())
                                                                and t]
    if len(hits) == 1:
        return hits[0]
    listed = "; ".join(f"{i + 1}. {o}" for i, o in enumerate(options))
    raise AnswerInvalid(f"choose one of: {listed}")


TYPES: dict[str, AnswerType] = {t.id: t for t in (
    AnswerType("text", "", _text),
    AnswerType("yes_no", "answer yes, no or partly first, then any detail", _yes_no),
    AnswerType("percent", "start with a percentage, e.g. 85%", _number(percent=True)),
    AnswerType("number", "start with a number", _number(percent=False)),
    AnswerType("date", "a date, YYYY-MM-DD", _date),
    AnswerType("grade", "a grade 1–4 first", _grade),
    AnswerType("choice", "a choice", _choice),
)}


def parse_answer(answer_type: str, text: str, choices: Iterable[str] = ()) -> str | None:
    """The typed value of an answer, or AnswerInvalid with the re-ask."""
    kind = TYPES.get(answer_type)
    if kind is None:
        raise AnswerInvalid(f"unknown answer type '{answer_type}'")
    return kind.parse(text.strip(), tuple(choices))


def hint(answer_type: str) -> str:
    kind = TYPES.get(answer_type)
    return kind.hint if kind else ""


def shown_number(value: object, unit: str = "") -> str:
    """A recorded number as the adviser reads it: "91 %" for a percentage, "12" for a count; anything that is not a
    number as it is."""
    try:
        shown = f"{float(str(value).strip().rstrip('%').strip()):g}"
    except ValueError:
        return str(value)
    return shown + (" %" if unit in ("percent", "percentile") else "")


__all__ = ["AnswerInvalid", "AnswerType", "TYPES", "hint", "parse_answer", "shown_number"]
