"""Answers up to 1 MB kept exactly, larger ones refused with nothing lost; drafts in the store; text from users
shown inert on a terminal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_tui_helpers import PACK

from laqs_assist.inert import inert
from laqs_assist.session import MAX_ANSWER_BYTES, AnswerTooLong, Session
from laqs_assist.store import Store


def start(store: Store) -> Session:
    return Session.start(store, PACK, agenda_id="la-contacts", organisation="Size Borough", phases=["P"],
                         focus=["2.4"], day="2026-11-10")


def test_an_answer_of_exactly_the_limit_is_kept_byte_for_byte(tmp_path: Path) -> None:
    # Multi-byte characters, control characters and line breaks: the limit is on UTF-8 bytes and nothing is altered.
    unit = "é\x1b[1m—\r\n\t"
    body = (unit * (MAX_ANSWER_BYTES // len(unit.encode())))
    body += "x" * (MAX_ANSWER_BYTES - len(body.encode()))
    assert len(body.encode()) == MAX_ANSWER_BYTES
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        r = s.answer(body)
    conn = sqlite3.connect(tmp_path / "s.db")
    stored = conn.execute("SELECT text FROM responses WHERE id = ?", [r["id"]]).fetchone()[0]
    assert stored == body


def test_one_byte_over_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        first = s.answer("a short first answer")
        before = s.current()
        too_big = "y" * (MAX_ANSWER_BYTES + 1)
        s.save_draft(too_big)
        with pytest.raises(AnswerTooLong) as exc:
            s.answer(too_big)
        assert "at most 1 MB" in exc.value.line() and "\n" not in exc.value.line()
        assert exc.value.exit_code == 2
        with pytest.raises(AnswerTooLong):
            s.note(too_big, "2.4")
        with pytest.raises(AnswerTooLong):
            s.edit(first["id"], too_big)
        assert s.current() == before
        assert [r["text"] for r in store.responses(s.id)] == ["a short first answer"]
        assert s.draft()["text"] == too_big  # what was typed is still there


def test_draft_kept_replaced_cleared_by_the_answer(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        s = start(store)
        assert s.draft() is None
        s.save_draft("half")
        s.save_draft("half an answer")
        visit = s.id
    with Store(db) as store:  # a new process: the draft was committed
        s = Session.resume(store, PACK, visit)
        d = s.draft()
        assert d["text"] == "half an answer" and d["updated_at"]
        s.answer("half an answer, finished")
        assert s.draft() is None
        s.save_draft("another")
        s.clear_draft()
        assert s.draft() is None
        s.save_draft("   ")  # only spaces is no draft
        assert s.draft() is None


def test_the_answer_just_given_survives_a_new_process(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        s = start(store)
        s.answer("one")
        s.answer("two")
        s.back()
        s.back()
        s.answer("one, again")  # replaces the first answer: the oldest row, but the answer just given
        visit = s.id
    with Store(db) as store:
        s = Session.resume(store, PACK, visit)
        assert s.last_response()["text"] == "one, again"
        s.flag()
        assert [r["text"] for r in store.responses(visit) if r["concerns_individual"]] == ["one, again"]


@pytest.mark.parametrize("raw, shown", [
    ("\x1b]0;pwned\x07", "␛]0;pwned␇"),
    ("clear \x1b[2J screen", "clear ␛[2J screen"),
    ("back\x08space and del\x7f", "back␈space and del␡"),
    ("c1 \x9b31m csi", "c1 ⟨9B⟩31m csi"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ("dos\r\nline", "dos\nline"),
    ("lone\rreturn", "lone␍return"),
    ("", ""),
    ("plain words, café", "plain words, café"),
])
def test_inert_shows_control_characters_harmlessly(raw: str, shown: str) -> None:
    assert inert(raw) == shown


def test_inert_one_line_also_shows_line_breaks() -> None:
    assert inert("a\nb\tc", one_line=True) == "a␊b␉c"
