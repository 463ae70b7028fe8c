"""Pilot tests of the Textual app: a whole interview from the home form to the review, checked in the store with
sqlite3; resuming a visit started elsewhere; failures that keep the adviser's text; the command palette."""

from __future__ import annotations

import sys
import types
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
from test_tui_helpers import PACK, SIZE, make_app, rows, seed_store, settle, wait_for

from laqs_assist.session import Session
from laqs_assist.store import Store, StoreError

pytestmark = pytest.mark.asyncio


def seeded_app(tmp_path: Path, visit: str, prefix: int | None = None):
    """A store with the seeded visits, and the app opened straight on one of them (`prefix`: by a short id)."""
    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    return db, ids, make_app(db, resume=ids[visit][:prefix])


def screen_name(app) -> str:
    return type(app.screen).__name__


def questions(app):
    from laqs_assist.tui.widgets.chat import QuestionMessage

    return list(app.screen.query(QuestionMessage))


def answers(app):
    from laqs_assist.tui.widgets.chat import AnswerMessage

    return list(app.screen.query(AnswerMessage))


def notices(app):
    from laqs_assist.tui.widgets.chat import NoticeMessage

    return list(app.screen.query(NoticeMessage))


def last_question(app):
    return questions(app)[-1]


def current(app):
    return app.screen.view.current


async def type_text(pilot, text: str) -> None:
    """Type into the focused widget. Pilot takes ~60 ms a key, so a long text goes in as a paste would, and
    only its last keys are pressed one by one."""
    await pilot.pause()
    focused = pilot.app.focused
    head, tail = (text[:-4], text[-4:]) if len(text) > 12 else ("", text)
    if head:
        if hasattr(focused, "insert_text_at_cursor"):
            focused.insert_text_at_cursor(head)
        else:
            focused.insert(head)
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in tail])


async def send(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


# --- the whole interview ---------------------------------------------------------------------------------------


async def test_whole_interview_from_form_to_review(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="home screen")

        # Start a visit from the short form: a new LA, Primary only, focus 2.4, two people, a date.
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewVisitScreen", what="the form")
        assert app.focused.id == "f-org"
        await type_text(pilot, "Any Borough")
        form = app.screen
        form.query_one("#f-phases").focus()
        await pilot.press("space", "down", "down", "space")  # EY and S off: Primary only
        form.query_one("#f-focus").focus()
        await pilot.press(*["down"] * 8, "space")  # 2.4
        form.query_one("#f-people").focus()
        await type_text(pilot, "Jo Bloggs (Head of SI); Sam Lee")
        date_input = form.query_one("#f-date")
        date_input.value = ""
        date_input.focus()
        await type_text(pilot, "2026-11-22")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="the interview")

        # The first question is the focus aspect's first.
        assert current(app).question.id == "A3.2.4.1"
        assert "data systems" in str(last_question(app).render())

        # Answer; the acknowledgement appears only once it is on disk.
        await send(pilot, "The risk register is shared with senior officers every month")
        await wait_for(pilot, lambda: len(answers(app)) == 1, what="first answer")
        assert "✓ saved" in str(answers(app)[0].render())
        assert app.screen.composer.text == ""
        assert current(app).question.id == "A3.2.4.2"
        # The criteria it bears on are highlighted in the panel.
        hinted = [r.target for r in app.screen.query("CriterionRow.-hint")]
        assert "2.4.G.3" in hinted

        # Judge a criterion with the panel's button (mouse) and another with the focused row's key.
        panel = app.screen.query_one("CriteriaPanel")
        row = panel.query_one("#c-2_4_G_1")
        panel.query_one("#criteria-list").scroll_to_widget(row, animate=False, top=True)
        await settle(pilot)
        await pilot.click(row, offset=(row.toggle_offset("met") + 1, 0))  # +1: the row's left padding
        await wait_for(pilot, lambda: row.state == "met", what="2.4.G.1 met")
        row2 = panel.query_one("#c-2_4_G_2")
        row2.focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: row2.state == "partly", what="2.4.G.2 partly")
        app.screen.composer.focus()

        # A text answer, then a yes/no question answered badly: the re-ask shows and the text stays.
        await send(pilot, "SIP reports are timely and their QA is strong")
        assert current(app).question.id == "A3.2.4.3"
        await send(pilot, "perhaps")
        await wait_for(pilot, lambda: any(n.has_class("-reask") and "yes" in str(n.render()) for n in notices(app)),
                       what="re-ask")
        assert app.screen.composer.text == "perhaps"
        assert current(app).question.id == "A3.2.4.3"
        app.screen.composer.clear()
        await send(pilot, "yes, through the risk register")
        await wait_for(pilot, lambda: len(answers(app)) == 3, what="third answer")

        # Back: the previous question comes again with its answer; answering again replaces it.
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: current(app).question.id == "A3.2.4.3", what="back to A3.2.4.3")
        assert "recorded: yes, through the risk register" in str(last_question(app).render())
        await send(pilot, "no, not systematically yet")
        await wait_for(pilot, lambda: "no, not" in str(answers(app)[-1].render()), what="replaced answer")

        # Jump to another aspect with the dialog.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen_name(app) == "JumpDialog", what="jump dialog")
        await pilot.press("home", "enter")  # 1.1
        await wait_for(pilot, lambda: current(app) and current(app).aspect_id == "1.1", what="jump to 1.1")
        assert " · 1.1 " in last_question(app).border_title

        # An agreed action with owner and due date.
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "ActionDialog", what="action dialog")
        await type_text(pilot, "Extend QA to every SIP report")
        app.screen.query_one("#action-owner").focus()
        await type_text(pilot, "J Smith")
        app.screen.query_one("#action-due").focus()
        await type_text(pilot, "15/12/2026")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="action saved")
        assert any("action saved" in str(n.render()) for n in notices(app))

        # Answer 1.1, then flag that answer as about an individual.
        await send(pilot, "The head of service works closely with providers")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: answers(app)[-1].flagged, what="flag")

        # Edit an earlier answer (the first) from the dialog.
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen_name(app) == "EditAnswerDialog", what="edit dialog")
        await pilot.press("home")
        dialog = app.screen
        ta = dialog.query_one("#edit-text")
        ta.text = "The risk register is shared with senior officers and schools every month"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="edit saved")
        assert "and schools" in str(answers(app)[0].render())

        # End the visit from the command palette, confirm, and land in the review.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "end visit")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm end")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        review = app.screen
        assert review.data.visit["status"] == "ended"

        # Override 2.4 Primary with a reason; the LA's own view disagrees; accept 1.1's suggestion if any.
        keys = [f"{r['aspect']}|{r['phase']}" for r in review._rows]
        assert "2.4|P" in keys
        table = review.query_one("DataTable")
        table.move_cursor(row=keys.index("2.4|P"))
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "OverrideDialog", what="override dialog")
        app.screen.query_one("#override-column").value = "NI"
        app.screen.query_one("#override-reason").focus()
        await type_text(pilot, "reports lack rigour")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="override saved")
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "OverrideDialog", what="self-evaluation dialog")
        app.screen.query_one("#override-column").value = "G"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="self-evaluation saved")
        row = next(r for r in review._rows if r["aspect"] == "2.4" and r["phase"] == "P")
        assert row["override"] == "NI" and row["self_evaluation"] == "G" and row["disagrees"]
        assert "disagrees" in str(review.query_one("#detail").render()) or "differs" in str(
            review.query_one("#detail").render())

        visit_id = review.data.visit["id"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="home again")

    # What the store holds, read with plain sqlite3.
    visit = rows(db, "SELECT * FROM visits WHERE id = ?", [visit_id])[0]
    assert visit["status"] == "ended" and visit["date"] == "2026-11-22"
    assert visit["phases"] == '["P"]' and visit["focus"] == '["2.4"]'
    people = rows(db, "SELECT p.name, vp.role FROM visit_people vp JOIN people p ON p.id = vp.person_id "
                      "WHERE visit_id = ? ORDER BY p.name", [visit_id])
    assert [(p["name"], p["role"]) for p in people] == [("Jo Bloggs", "Head of SI"), ("Sam Lee", "")]
    resp = rows(db, "SELECT * FROM responses WHERE visit_id = ? ORDER BY created_at, rowid", [visit_id])
    assert [r["question_id"] for r in resp] == ["A3.2.4.1", "A3.2.4.2", "A3.2.4.3", "A3.1.1.1"]
    assert resp[0]["text"] == "The risk register is shared with senior officers and schools every month"
    assert resp[2]["text"] == "no, not systematically yet" and resp[2]["value"] == "no"
    assert [r["concerns_individual"] for r in resp] == [0, 0, 0, 1]
    versions = rows(db, "SELECT text FROM response_versions WHERE response_id IN (?, ?) ORDER BY replaced_at",
                    [resp[0]["id"], resp[2]["id"]])
    assert {v["text"] for v in versions} == {"The risk register is shared with senior officers every month",
                                             "yes, through the risk register"}
    judged = {(j["target"], j["phase"]): j["state"] for j in rows(
        db, "SELECT * FROM judgements WHERE visit_id = ? AND kind = 'state' ORDER BY seq", [visit_id])}
    assert judged[("2.4.G.1", "P")] == "met" and judged[("2.4.G.2", "P")] == "partly"
    acts = rows(db, "SELECT * FROM actions WHERE visit_id = ?", [visit_id])
    assert [(a["text"], a["owner"], a["due_date"]) for a in acts] == [
        ("Extend QA to every SIP report", "J Smith", "2026-12-15")]
    rating = rows(db, "SELECT * FROM ratings WHERE visit_id = ? AND aspect_id = '2.4' AND phase = 'P'", [visit_id])[0]
    assert rating["override"] == "NI" and rating["override_reason"] == "reports lack rigour"
    assert rating["self_evaluation"] == "G" and rating["accepted"] == 1


# --- resume ----------------------------------------------------------------------------------------------------


async def test_visit_started_in_session_resumes_at_the_right_question(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    with Store(db) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-22")
        s.answer("first answer, from line mode")
        s.answer("second answer, from line mode")
        expected = s.current()
        visit_id = s.id
    assert expected.question.id == "A3.2.4.3"

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen" and app.screen.data, what="home")
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        assert current(app).id == expected.id
        assert "effective use of SIPs/NCAs reports" in str(last_question(app).render())
        # The transcript so far is on screen.
        assert [a.text for a in answers(app)] == ["first answer, from line mode", "second answer, from line mode"]
        await send(pilot, "yes, the TUI answers the third")
        await wait_for(pilot, lambda: len(answers(app)) == 3, what="third answer")
        await pilot.press("ctrl+q")
        await settle(pilot)

    # Quitting paused it; line mode's Session resumes at the fourth item.
    with Store(db) as store:
        assert store.visit(visit_id)["status"] == "paused"
        s = Session.resume(store, PACK, visit_id)
        assert [r["text"] for r in store.responses(visit_id)][-1] == "yes, the TUI answers the third"
        assert s.current().position == 3


async def test_resume_flag_goes_straight_to_the_visit(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open", prefix=8)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        assert current(app).question.id == "A3.2.4.3"
        # The panel shows 2.4 with the judgement made in the earlier session.
        row = app.screen.query_one("#c-2_4_G_1")
        assert row.state == "met"


def hold_side_panels(monkeypatch):
    """Keep the interview's side panels from mounting until the returned event is set. The screen keeps handling
    keys and messages meanwhile (the wait runs as a task of its own, not in the screen's queue)."""
    import asyncio

    from laqs_assist.tui.screens.interview import InterviewScreen

    gate = asyncio.Event()
    first_panel = InterviewScreen._first_panel
    tasks = []

    def held(self) -> None:
        async def later() -> None:
            await gate.wait()
            await first_panel(self)

        tasks.append(asyncio.create_task(later()))

    monkeypatch.setattr(InterviewScreen, "_first_panel", held)
    gate.tasks = tasks  # type: ignore[attr-defined]
    return gate


async def test_an_answer_given_before_the_side_panels_are_up_shows_in_them(tmp_path: Path, monkeypatch) -> None:
    """The outline and the criteria panel are mounted just after the first paint; what the adviser does in that
    moment is neither lost nor shown stale once they are up."""
    gate = hold_side_panels(monkeypatch)
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen" and bool(questions(app)),
                       what="first question")
        screen = app.screen
        assert not screen.panels_ready and not screen.query("#outline") and not screen.query("#criteria")
        # Their places are kept, so the chat does not reflow when they arrive.
        assert screen.query_one("#outline-slot").region.width == 25
        assert screen.query_one("#criteria-slot").region.width > 0
        done_before = screen.view.done
        await send(pilot, "Yes, the reports feed the risk register monthly")
        assert screen.view.done == done_before + 1
        gate.set()
        await wait_for(pilot, lambda: screen.panels_ready, what="side panels")
        await settle(pilot)
        assert screen.query_one("#outline").border_title == f"Agenda {done_before + 1}/{screen.view.total}"
        assert screen.query_one("#c-2_4_G_1").state == "met"
    stored = rows(db, "SELECT text FROM responses WHERE visit_id = ? ORDER BY rowid DESC LIMIT 1", (ids["open"],))
    assert stored[0]["text"] == "Yes, the reports feed the risk register monthly"


async def test_leaving_before_the_side_panels_are_up_is_harmless(tmp_path: Path, monkeypatch) -> None:
    gate = hold_side_panels(monkeypatch)
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen" and bool(questions(app)),
                       what="first question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="list of visits")
        gate.set()
        for task in gate.tasks:
            await task  # the late mount finds its screen gone and does nothing
        await settle(pilot)
        assert screen_name(app) == "HomeScreen" and app.return_code is None
    assert rows(db, "SELECT status FROM visits WHERE id = ?", (ids["open"],))[0]["status"] == "paused"


async def test_the_title_bar_follows_the_screen(tmp_path: Path) -> None:
    from laqs_assist.tui.widgets.titlebar import TitleBar

    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        bar = app.screen.query_one(TitleBar)
        text = str(bar.render())
        assert text.startswith("laqs-assist — ") and app.screen.view.visit["organisation"] in text
        app.screen.sub_title = "renamed for the test"
        await settle(pilot)
        assert str(bar.render()) == "laqs-assist — renamed for the test"


async def test_ended_visit_opens_its_review(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "ended")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        rows_ = {(r["aspect"], r["phase"]): r for r in app.screen._rows}
        assert rows_[("2.4", "S")]["override"] == "NI"
        assert rows_[("2.4", "P")]["disagrees"]


# --- failures keep the text --------------------------------------------------------------------------------------


async def test_failed_write_keeps_the_text_and_unlocks(tmp_path: Path, monkeypatch) -> None:
    from laqs_assist.tui.engine import Backend

    db = tmp_path / "laqs.db"
    ids = seed_store(db)

    def broken(self, text):
        raise StoreError("the store is busy in another process; try again")

    app = make_app(db, resume=ids["open"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        before = len(answers(app))
        monkeypatch.setattr(Backend, "answer", broken)
        await send(pilot, "yes, typed during a failure")
        composer = app.screen.composer
        assert composer.text == "yes, typed during a failure"
        assert not composer.read_only and not app.screen.busy
        assert len(answers(app)) == before
        monkeypatch.undo()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(answers(app)) == before + 1, what="saved after the failure")
        assert composer.text == ""


async def test_input_is_locked_while_a_write_is_in_flight(tmp_path: Path, monkeypatch) -> None:
    import threading

    from laqs_assist.tui.engine import Backend

    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    gate = threading.Event()
    real = Backend.answer

    def slow(self, text):
        gate.wait(5)
        return real(self, text)

    app = make_app(db, resume=ids["open"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        monkeypatch.setattr(Backend, "answer", slow)
        await type_text(pilot, "yes")
        await pilot.press("enter")
        await pilot.pause(0.1)
        composer = app.screen.composer
        assert composer.read_only and app.screen.busy
        await pilot.press("x")  # ignored while locked
        gate.set()
        await wait_for(pilot, lambda: not app.screen.busy, what="write done")
        assert composer.text == "" and not composer.read_only


# --- typed commands, skip, probes ---------------------------------------------------------------------------------


async def test_typed_commands_match_line_mode(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await send(pilot, "/met 2.4.G.2")
        await wait_for(pilot, lambda: app.screen.query_one("#c-2_4_G_2").state == "met", what="/met")
        await send(pilot, "/count 2.4.report-features 6")
        await send(pilot, "/impact some")
        await wait_for(pilot, lambda: app.screen.view.panel.impact == "some", what="/impact")
        await send(pilot, "/nonsense")
        assert "unknown command" in str(notices(app)[-1].render())
        assert app.screen.composer.text == "/nonsense"  # a failed command keeps its text
        app.screen.composer.clear()
        await send(pilot, "/skip")
        await wait_for(pilot, lambda: current(app).aspect_id != "2.4" or current(app).kind == "probe",
                       what="skip past the last 2.4 question")
    with Store(db) as store:
        j = store.visit_judgements(ids["open"])
        assert any(r["target"] == "2.4.report-features" and r["value"] == 6 for r in j)
        items = store.items(ids["open"])
        assert any(i["status"] == "skipped" for i in items)


async def test_probes_are_asked_and_dismissed_with_skip(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    with Store(db) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-22")
        s.answer("one")
        s.answer("two")
        vid = s.id
    app = make_app(db, resume=vid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await send(pilot, "yes")  # the last 2.4 question: probes follow
        await wait_for(pilot, lambda: current(app).kind == "probe", what="a probe")
        probe = last_question(app)
        assert probe.has_class("-probe") and "Probe" in probe.border_title
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "skipped" in str(notices(app)[-1].render()), what="dismissed")
    with Store(db) as store:
        assert any(i["kind"] == "probe" and i["status"] == "dismissed" for i in store.items(vid))


# --- palette, help, copy, notes -----------------------------------------------------------------------------------


async def test_palette_offers_the_apps_commands(tmp_path: Path) -> None:
    from laqs_assist.tui.commands import LaqsCommands

    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        names = [name for name, _, _ in LaqsCommands(app.screen).commands()]
        for want in ("Jump to aspect 2.4", "Add an action", "Flag the latest answer", "End visit", "Open review"):
            assert want in names
        # Jump through the palette.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "jump to aspect 1.1")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: current(app).aspect_id == "1.1", what="palette jump")


async def test_help_and_copy(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen", what="help")
        text = str(app.screen.query_one("#help-text").render())
        assert "Ctrl+J" in text and "/override" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="help closed")
        q = last_question(app)
        q.focus()
        await pilot.press("c")
        assert copied == [q.copy_text] and "effective use" in copied[0]


async def test_draft_note_when_notes_module_missing(tmp_path: Path, monkeypatch) -> None:
    from laqs_assist.tui.screens import review

    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    monkeypatch.setattr(review, "notes_available", lambda: False)
    app = make_app(db, resume=ids["ended"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        await pilot.press("d")
        await settle(pilot)
        assert "unavailable" in str(app.screen.query_one("#note-status").render())
        assert screen_name(app) == "ReviewScreen"


async def test_draft_note_calls_the_notes_module(tmp_path: Path, monkeypatch) -> None:
    from laqs_assist.tui.screens import review

    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    calls: list[tuple] = []

    class Check:
        def __init__(self, feature, status, message):
            self.feature, self.status, self.message = feature, status, message

    def write_note(store, pack, visit_id, out_path=None, overwrite=False):
        calls.append((visit_id, store.visit(visit_id)["status"]))  # runs on the engine thread: the store works
        return types.SimpleNamespace(path=tmp_path / "note.docx",
                                     checks=[Check("timely", "ok", "written within 5 days"),
                                             Check("agenda for action", "warn", "no actions with owners")])

    fake = types.ModuleType("laqs_assist.notes")
    fake.write_note = write_note
    fake.default_note_path = lambda visit: tmp_path / f"note-{visit['id'][:8]}.docx"  # none drafted yet
    fake.__spec__ = ModuleSpec("laqs_assist.notes", None)
    monkeypatch.setitem(sys.modules, "laqs_assist.notes", fake)
    import laqs_assist

    monkeypatch.setattr(laqs_assist, "notes", fake, raising=False)
    monkeypatch.setattr(review, "notes_available", lambda: True)
    app = make_app(db, resume=ids["ended"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "NoteDialog", what="note dialog")
        dialog = app.screen
        assert str(tmp_path / "note.docx") in str(dialog.query_one("#note-path").render())
        checks = [str(s.render()) for s in dialog.query(".note-check")]
        assert any("timely" in c and "✓" in c for c in checks)
        assert any("agenda for action" in c and "✗" in c for c in checks)
    assert calls == [(ids["ended"], "ended")]


async def test_the_ui_thread_never_touches_sqlite(tmp_path: Path) -> None:
    """Every Store call happens on the engine's thread (sqlite would raise otherwise; this checks it directly)."""
    import threading

    from laqs_assist.store import Store as RealStore

    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    seen: set[str] = set()
    original = RealStore._rows

    def spy(self, sql, params=()):
        seen.add(threading.current_thread().name)
        return original(self, sql, params)

    RealStore._rows = spy  # type: ignore[method-assign]
    try:
        app = make_app(db, resume=ids["open"])
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
            await send(pilot, "yes")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
    finally:
        RealStore._rows = original  # type: ignore[method-assign]
    assert seen and all(name.startswith("laqs-store") for name in seen), seen


# --- layout and start-up faults ------------------------------------------------------------------------------------


async def test_narrow_terminal_hides_the_outline_and_f3_brings_it_back(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        outline = app.screen.query_one("#outline")
        await wait_for(pilot, lambda: app.screen.has_class("-narrow"), what="narrow layout")
        assert outline.region.width == 0
        assert app.screen.query_one("#criteria").region.width > 0
        await pilot.press("f3")
        await wait_for(pilot, lambda: outline.region.width > 0, what="outline shown")
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.screen.query_one("#criteria").region.width == 0, what="criteria hidden")


async def test_a_tiny_terminal_shares_the_width_between_the_chat_and_the_criteria(tmp_path: Path) -> None:
    """At 60 columns a fixed-width criteria panel left the conversation a sliver: below 72 the two share it."""
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await wait_for(pilot, lambda: app.screen.has_class("-tiny"), what="tiny layout")
        chat = app.screen.query_one("#conversation").region.width
        criteria = app.screen.query_one("#criteria-slot").region.width
        assert chat >= 28 and criteria >= 28 and abs(chat - criteria) <= 1, (chat, criteria)
        await pilot.press("f4")  # the panel can still be put away, and the chat takes the width
        await wait_for(pilot, lambda: app.screen.query_one("#conversation").region.width == 60, what="chat wide")


async def test_a_store_that_cannot_open_ends_the_app_with_one_line(tmp_path: Path) -> None:
    from laqs_assist.errors import UsageError

    folder = tmp_path / "a-folder"
    folder.mkdir()
    app = make_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert isinstance(app.fatal, UsageError) and "is a folder" in app.fatal.line()
    assert app.return_code == 2


async def test_engine_na_is_the_rating_engines() -> None:
    from laqs_assist.rating import NA
    from laqs_assist.tui.engine import NA as ENGINE_NA

    assert ENGINE_NA == NA


async def test_editing_a_typed_answer_checks_it_and_keeps_its_value_in_step(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await send(pilot, "yes, monthly")
        await wait_for(pilot, lambda: len(answers(app)) == 3, what="the yes/no answer")
        bubble = answers(app)[-1]
        bubble.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(app) == "EditAnswerDialog", what="edit dialog")
        dialog = app.screen
        dialog.query_one("#edit-text").text = "banana"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "EditAnswerDialog"  # the re-ask keeps the dialog open
        assert "yes" in str(dialog.query_one("#dialog-error").render())
        dialog.query_one("#edit-text").text = "no, not since the spring"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="edit saved")
        assert bubble.text == "no, not since the spring"
    row = rows(db, "SELECT text, value FROM responses WHERE question_id = 'A3.2.4.3' AND visit_id = ?",
               [ids["open"]])[0]
    assert (row["text"], row["value"]) == ("no, not since the spring", "no")


async def test_indicator_value_typed_in_the_panel(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await send(pilot, "/jump 1.5")
        await wait_for(pilot, lambda: app.screen.view.panel.aspect_id == "1.5", what="1.5 in the panel")
        await wait_for(pilot, lambda: app.screen.query("#iv-1_5_targets-in-line"), what="the indicator row")
        box = app.screen.query_one("#iv-1_5_targets-in-line")
        box.focus()
        await type_text(pilot, "87")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.view.panel.values.get("1.5.targets-in-line") == 87,
                       what="the value recorded")
    j = rows(db, "SELECT value FROM judgements WHERE visit_id = ? AND target = '1.5.targets-in-line'", [ids["open"]])
    assert [r["value"] for r in j] == [87.0]


async def test_criteria_light_up_while_the_answer_is_typed(tmp_path: Path) -> None:
    db, ids, app = seeded_app(tmp_path, "open")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await wait_for(pilot, lambda: app.screen.query("CriterionRow"), what="the panel")
        assert not app.screen.query("CriterionRow.-hint")
        await type_text(pilot, "quality assurance of reports is weak and inconsistent")
        await pilot.pause(0.6)
        await wait_for(pilot, lambda: app.screen.query("CriterionRow.-hint"), what="hints while typing")
        assert app.screen.composer.text.endswith("tent")  # nothing was sent
        assert len(answers(app)) == 2
