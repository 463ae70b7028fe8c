"""The answer-type registry: one place says what each type accepts, keeps and hints."""

from __future__ import annotations

import pytest

from laqs_assist import answers
from laqs_assist.answers import AnswerInvalid, parse_answer


@pytest.mark.parametrize("kind, text, value", [
    ("text", "anything at all", None),
    ("yes_no", "Yes, because the register is monthly", "yes"),
    ("yes_no", "not really", "no"),
    ("yes_no", "to some extent: two of five", "partly"),
    ("yes_no", "don't know", "unsure"),
    ("percent", "85% of schools", "85"),
    ("percent", "12.5", "12.5"),
    ("number", "12 schools", "12"),
    ("date", "15/12/2026", "2026-12-15"),
    ("date", "2026-12-15 at the latest", "2026-12-15"),
    ("date", "15 December 2026", "2026-12-15"),
    ("grade", "2 - good", "2"),
])
def test_each_type_keeps_its_value(kind: str, text: str, value: str | None) -> None:
    assert parse_answer(kind, text) == value


@pytest.mark.parametrize("kind, text, says", [
    ("yes_no", "yesterday we met", "answer yes, no or partly first"),
    ("percent", "about half", "a percentage from 0 to 100"),
    ("percent", "120%", "is not a percentage"),
    ("number", "several", "a number"),
    ("date", "next week", "YYYY-MM-DD"),
    ("grade", "5", "a grade from 1"),
    ("martian", "x", "unknown answer type"),
])
def test_an_answer_that_does_not_fit_is_asked_again(kind: str, text: str, says: str) -> None:
    with pytest.raises(AnswerInvalid) as exc:
        parse_answer(kind, text)
    assert says in exc.value.line()


def test_choices_by_number_or_name() -> None:
    options = ("Termly", "Annually", "Never")
    assert parse_answer("choice", "2", options) == "Annually"
    assert parse_answer("choice", "term", options) == "Termly"
    with pytest.raises(AnswerInvalid, match="choose one of: 1. Termly"):
        parse_answer("choice", "weekly", options)


def test_every_type_has_a_hint_but_free_text() -> None:
    assert answers.hint("text") == ""
    assert all(answers.hint(k) for k in answers.TYPES if k != "text")
    assert answers.hint("no-such-type") == ""


def test_a_new_type_is_one_entry_in_the_registry(monkeypatch) -> None:
    def term(t: str, choices: tuple[str, ...]) -> str:
        word = t.split()[0].strip(",.;:").lower() if t else ""
        if word not in ("autumn", "spring", "summer"):
            raise AnswerInvalid("name a term: autumn, spring or summer")
        return word

    monkeypatch.setitem(answers.TYPES, "term", answers.AnswerType("term", "a term first", term))
    assert parse_answer("term", "Spring, after the review") == "spring"
    assert answers.hint("term") == "a term first"
