"""The app: the actions to follow up (F6) marked done and carried forward at a later visit, checked in the store;
overdue actions in the visits list, the interview's title and the review; the review drafting the note again after
asking, with both files kept and readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import PACK, SIZE, make_app, rows, settle, wait_for

from laqs_assist.session import Session
from laqs_assist.store import Store

pytestmark = pytest.mark.asyncio

OVERDUE_DUE = "2026-10-01"  # before the app's day in tests (2026-11-22): overdue
LATER_DUE = "2027-01-10"


def _two_visits(db: Path) -> dict[str, str]:
    with Store(db) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-09-15")
        a1 = s.add_action("Share the assessment calendar with governors", "Pat Head", OVERDUE_DUE, "2.4")
        a2 = s.add_action("Review the behaviour policy", "Jo Bloggs", LATER_DUE, "2.4")
        s.end()
        first = s.id
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-20")
        s.answer("Reports go to the risk register every month.")
        return {"first": first, "second": s.id, "a1": a1["id"], "a2": a2["id"]}


def _name(app) -> str:
    return type(app.screen).__name__


def _at_the_second_visit(tmp_path: Path):
    db = tmp_path / "laqs.db"
    ids = _two_visits(db)
    return db, ids, make_app(db, resume=ids["second"])


async def _interview(pilot) -> None:
    await wait_for(pilot, lambda: _name(pilot.app) == "InterviewScreen", what="the interview")
    await settle(pilot)


async def test_actions_of_an_earlier_visit_are_marked_from_the_interview(tmp_path: Path) -> None:
    from textual.widgets import DataTable, Input

    db, ids, app = _at_the_second_visit(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _interview(pilot)
        assert "1 overdue action" in app.screen.sub_title
        assert "1 overdue (F6 to follow up)" in str(app.screen.query_one("#status-line").render())
        await pilot.press("f6")
        await wait_for(pilot, lambda: _name(app) == "ActionsDialog", what="the actions dialog")
        dialog = app.screen
        table = dialog.query_one("#actions-table", DataTable)
        assert table.row_count == 2
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "1" and "Share the assessment calendar" in first[1] and "overdue" in first[3]
        assert "1 overdue action" in str(dialog.query_one("#actions-summary").render())
        dialog.query_one("#mark-note", Input).value = "Calendar shared at the October governors' meeting"
        await pilot.press("f2")  # done
        await wait_for(pilot, lambda: "done" in str(table.get_row_at(0)[4]), what="the first marked done")
        assert "No overdue actions." in str(dialog.query_one("#actions-summary").render())
        await pilot.press("f3")  # dropping without a reason is refused, one line in the dialog
        await wait_for(pilot, lambda: "say why" in str(dialog.query_one("#dialog-error").render()), what="refusal")
        await pilot.press("down")
        dialog.query_one("#mark-date", Input).value = "2027-03-31"
        dialog.query_one("#mark-note", Input).value = "Governors meet in the spring"
        await pilot.press("f4")  # carried forward to a new due date
        await wait_for(pilot, lambda: "carried forward" in str(table.get_row_at(1)[4]), what="the carry")
        assert "2027-03-31" in str(table.get_row_at(1)[3])
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "InterviewScreen", what="back in the interview")
        await settle(pilot)
        assert "overdue" not in app.screen.sub_title

    ups = {r["action_id"]: dict(r) for r in rows(db, "SELECT * FROM action_updates")}
    assert len(rows(db, "SELECT * FROM action_updates")) == 2  # the refused drop left nothing
    done, carried = ups[ids["a1"]], ups[ids["a2"]]
    assert (done["status"], done["on_date"], done["note"], done["visit_id"]) == (
        "done", "2026-11-20", "Calendar shared at the October governors' meeting", ids["second"])
    assert (carried["status"], carried["due_date"], carried["note"]) == (
        "carried", "2027-03-31", "Governors meet in the spring")


async def test_the_visits_list_counts_overdue_actions(tmp_path: Path) -> None:
    from textual.widgets import DataTable

    db = tmp_path / "laqs.db"
    _two_visits(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _name(app) == "HomeScreen", what="home")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the visits")
        assert [str(table.get_row_at(i)[-1]) for i in range(2)] == ["1 overdue", "1 overdue"]


async def test_typed_done_in_the_answer_box_marks_the_action(tmp_path: Path) -> None:
    from test_tui import send

    db, ids, app = _at_the_second_visit(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _interview(pilot)
        await send(pilot, "/drop 1 | Superseded by the new calendar")
        await wait_for(pilot, lambda: "overdue" not in app.screen.sub_title, what="the title updated")
    [up] = rows(db, "SELECT status, note FROM action_updates WHERE action_id = ?", [ids["a1"]])
    assert (up["status"], up["note"]) == ("dropped", "Superseded by the new calendar")


async def test_the_review_drafts_the_note_again_after_asking_and_keeps_both(tmp_path: Path, monkeypatch) -> None:
    docx = pytest.importorskip("docx")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "laqs.db"
    ids = _two_visits(db)
    app = make_app(db, resume=ids["first"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _name(app) == "ReviewScreen", what="the review")
        await pilot.press("d")
        await wait_for(pilot, lambda: _name(app) == "NoteDialog", what="the first note", timeout=60)
        first = Path(app.engine.submit(lambda b: b.note_drafts()).result()[0])
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "ReviewScreen", what="the review again")
        await pilot.press("d")
        await wait_for(pilot, lambda: _name(app) == "ConfirmDialog", what="the question")
        text = str(app.screen.query_one("Static").render())
        assert first.name in text and f"{first.stem}-2.docx" in text and "kept" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: _name(app) == "NoteDialog", what="the second note", timeout=60)
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "ReviewScreen", what="the review at the end")
        status = str(app.screen.query_one("#note-status").render())
        assert f"{first.stem}-2.docx" in status and f"the earlier draft is kept: {first.name}" in status
    second = first.with_name(f"{first.stem}-2.docx")
    for path in (first, second):
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "Any Borough" in text
