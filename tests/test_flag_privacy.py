"""A flag lands on the answer meant, and a flagged text reaches no shared output.

Every way of reaching an answer is driven (going back, jumping, editing, revisiting in a new session, two
windows on one visit, naming the question) and then every output meant for others is written and read back: the
note of visit, the briefing, the batch export (all .docx, read with docx2python) and the dashboard JSON. The
flagged text must be absent from each and still in the store; the answers not flagged must still be there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx2python import docx2python
from test_tui_helpers import PACK

from laqs_assist import notes
from laqs_assist.session import Session
from laqs_assist.store import Store

LAQS = [sys.executable, "-m", "laqs_assist"]
DAY = "2026-11-10"
PRIVATE = "Mr Smith PRIVATE capability concerns"


def docx_text(path: Path) -> str:
    with docx2python(path) as doc:
        return doc.text


def shared_outputs(store: Store, visit_id: str, org: str, out: Path) -> dict[str, str]:
    """Every output meant for others, as text."""
    out.mkdir(parents=True, exist_ok=True)
    texts = {}
    note = notes.write_note(store, PACK, visit_id, out_path=out / "note.docx", overwrite=True,
                            today=date(2026, 11, 11))
    texts["note"] = docx_text(Path(note.path))
    brief = notes.write_briefing(store, PACK, org, out_path=out / "brief.docx", overwrite=True,
                                 today=date(2026, 11, 11))
    texts["briefing"] = docx_text(Path(brief.path))
    summary = notes.export_notes(store, PACK, "2026-09-01", "2027-08-31", out_dir=out / "export", overwrite=True,
                                 today=date(2026, 11, 11))
    assert summary.failed == [] and summary.written
    texts["export"] = "\n".join(docx_text(p) for p in summary.written)
    return texts


def assert_private_kept_out(store: Store, visit_id: str, org: str, out: Path, private: str,
                            shared: list[str]) -> None:
    texts = shared_outputs(store, visit_id, org, out)
    for name, text in texts.items():
        assert private not in text, f"flagged text reached the {name}"
    for text in shared:
        assert text in texts["note"], f"an unflagged answer is missing from the note: {text!r}"
    flagged = [r for r in store.responses(visit_id) if r["concerns_individual"]]
    assert [r["text"] for r in flagged] == [private], "the flag is on the wrong answer"


def start(store: Store, org: str = "Flag Borough") -> Session:
    return Session.start(store, PACK, agenda_id="la-contacts", organisation=org, phases=["P"], focus=["2.4"],
                         day=DAY, author="A Adviser")


def test_flag_after_going_back_and_answering_again(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        for text in ("yes first answer", "yes second answer", "yes third answer", "yes fourth answer"):
            s.answer(text)
        s.back(), s.back(), s.back()
        s.answer(f"yes {PRIVATE}")
        s.flag()
        assert_private_kept_out(store, s.id, "Flag Borough", tmp_path / "out", f"yes {PRIVATE}",
                                ["yes first answer", "yes third answer", "yes fourth answer"])


def test_flag_after_jumping_to_an_aspect(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        s.answer("yes reports are timely")
        s.jump("1.5")
        s.answer(f"yes {PRIVATE}")
        s.jump("2.4")
        s.flag("A3.1.5.1")  # by the question it answered
        assert_private_kept_out(store, s.id, "Flag Borough", tmp_path / "out", f"yes {PRIVATE}",
                                ["yes reports are timely"])


def test_flag_after_editing_an_earlier_answer(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        first = s.answer("yes quality assurance is in place")
        s.answer("yes a second point")
        s.answer("yes a third point")
        s.edit(first["id"][:8], f"yes {PRIVATE}")
        s.flag()  # the answer just given is the one just edited
        assert_private_kept_out(store, s.id, "Flag Borough", tmp_path / "out", f"yes {PRIVATE}",
                                ["yes a second point", "yes a third point"])
        assert store.response_versions(first["id"])[0]["text"] == "yes quality assurance is in place"


def test_flag_on_revisiting_the_visit_in_a_new_session(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        s = start(store)
        s.answer("yes the first answer")
        s.answer("yes another answer")
        s.answer("yes a later answer")
        s.back()
        s.answer(f"yes {PRIVATE}")  # replaces "a later answer", which was created before the others were
        visit = s.id
    with Store(db) as store:
        s = Session.resume(store, PACK, visit[:8])
        s.flag()  # a new session: the visit's answer recorded or replaced last
        row = [r for r in store.responses(visit) if r["concerns_individual"]]
        assert [r["text"] for r in row] == [f"yes {PRIVATE}"]
        s.flag(None, False)
        s.flag(row[0]["question_id"])
        assert_private_kept_out(store, visit, "Flag Borough", tmp_path / "out", f"yes {PRIVATE}",
                                ["yes the first answer", "yes another answer"])


def test_two_windows_each_flag_their_own_answer(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as one, Store(db) as two:
        a = start(one)
        a.answer("yes window one first")
        b = Session.resume(two, PACK, a.id)
        a.answer(f"yes {PRIVATE}")
        b.refresh()
        b.answer("yes window two answers later")  # the newest answer in the visit, from the other window
        a.flag()  # window one means the answer it just gave
        assert_private_kept_out(one, a.id, "Flag Borough", tmp_path / "out", f"yes {PRIVATE}",
                                ["yes window one first", "yes window two answers later"])


def test_a_flagged_note_outside_the_agenda_is_kept_out(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        s.answer("yes an ordinary answer")
        s.note(PRIVATE, "2.4")
        s.flag()
        assert_private_kept_out(store, s.id, "Flag Borough", tmp_path / "out", PRIVATE, ["yes an ordinary answer"])


def run(args: list[str], stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LAQS_CACHE": str(cwd / "cache") if cwd else os.environ.get("LAQS_CACHE", "")}
    return subprocess.run(LAQS + args, input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_the_reported_line_mode_script_no_longer_leaks(tmp_path: Path) -> None:
    """The script from the report: /back three times, answer again, /flag, then the note."""
    script = ("first answer\nsecond answer\nyes third answer\nfourth\n/back\n/back\n/back\nMr Smith PRIVATE\n"
              "/flag\n/quit\n")
    chat = run(["--store", "f.db", "chat", "--org", "Flag Borough", "--phase", "P", "--focus", "2.4"], script,
               cwd=tmp_path)
    assert "flagged" in chat.stdout, chat.stdout + chat.stderr
    note = run(["--store", "f.db", "note", "last", "--out", "n.docx"], cwd=tmp_path)
    assert note.returncode == 0, note.stderr
    text = docx_text(tmp_path / "n.docx")
    assert "PRIVATE" not in text
    assert "first answer" in text
    with Store(tmp_path / "f.db") as store:
        visit = store.find_visit("last")
        flagged = [r["text"] for r in store.responses(visit["id"]) if r["concerns_individual"]]
    assert flagged == ["Mr Smith PRIVATE"]
    board = run(["--store", "f.db", "dashboard", "Flag Borough", "--json"], cwd=tmp_path)
    assert board.returncode == 0 and "PRIVATE" not in board.stdout
    json.loads(board.stdout)


@pytest.mark.parametrize("ref_kind", ["question", "short id"])
def test_edit_names_the_answer_it_means(tmp_path: Path, ref_kind: str) -> None:
    with Store(tmp_path / "s.db") as store:
        s = start(store)
        first = s.answer("yes the first")
        s.answer("yes the second")
        ref = first["question_id"] if ref_kind == "question" else first["id"][:8]
        ref_text = s.split_ref(f"{ref} yes replaced text")
        assert ref_text == (ref, "yes replaced text")
        s.edit(*ref_text)
        texts = {r["id"]: r["text"] for r in store.responses(s.id)}
        assert texts[first["id"]] == "yes replaced text"
        assert "yes the second" in texts.values()
        # Words that are no reference are all text, for the answer just given.
        assert s.split_ref("yes we do, mostly") == (None, "yes we do, mostly")
