"""The app's joint-visit form (Appendix 5): reached from the visits list and the palette, every change saved as it
is made, a draft that survives a kill, the record written; and a snapshot of the form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_tui_helpers import PACK, SIZE, make_app, rows, seed_store, wait_for

from laqs_assist.app.service import Service
from laqs_assist.paths import default_pack_path


def joint_store(db: Path) -> str:
    seed_store(db)
    with Service.at(default_pack_path(), db, PACK) as svc:
        j = svc.joint()
        v = j.start(school="Oak Primary", la="Any Borough", sip="Pat Smith", day="2026-11-20")
        j.set("header:ssia", "Sam Adviser")
        j.set("jv.challenge:checklist", "1 2 5")
        j.set("jv.challenge:grade", "2")
        j.set("jv.challenge:evidence", "Prepared with the school's data; challenged the plan for boys' writing.")
        j.go("jv.challenge:evidence")
        j.close()
        return v.visit["id"]


def entries(db: Path, jid: str) -> dict[str, str]:
    got = rows(db, "SELECT field, value FROM joint_visit_entries e WHERE joint_visit_id = ? ORDER BY created_at, id",
               [jid])
    return {r["field"]: r["value"] for r in got}


def _screen(app) -> str:
    return type(app.screen).__name__


async def open_from_list(pilot, app, jid: str) -> None:
    await wait_for(pilot, lambda: _screen(app) == "HomeScreen" and app.screen.rows, what="home")
    home = app.screen
    row = next(i for i, r in enumerate(home.rows) if r["id"] == jid)
    from textual.widgets import DataTable

    home.query_one(DataTable).move_cursor(row=row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: _screen(app) == "JointVisitScreen", what="joint visit form")


@pytest.mark.asyncio
async def test_list_shows_joint_visits_and_the_form_saves_each_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the record goes to notes/ under the current folder
    db = tmp_path / "laqs.db"
    jid = joint_store(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_list(pilot, app, jid)
        screen = app.screen
        ids = screen.ids
        # the evidence field was the current one: it has the focus
        assert app.focused.id == ids["jv.challenge:evidence"]
        # a grade: committed at once
        button = screen.query_one(f"#{ids['jv.targets:grade']}-g3")
        button.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click(f"#{ids['jv.targets:grade']}-g3")
        await wait_for(pilot, lambda: entries(db, jid).get("jv.targets:grade") == "3", what="grade saved")
        # a tick: committed at once
        from textual.widgets import SelectionList

        checklist = screen.query_one(f"#{ids['jv.targets:checklist']}", SelectionList)
        checklist.select(2)
        await wait_for(pilot, lambda: entries(db, jid).get("jv.targets:checklist") == "[2]", what="tick saved")
        # text: committed when the field loses focus; the earlier value is kept
        area = screen.query_one(f"#{ids['jv.challenge:evidence']}")
        area.focus()
        area.load_text("Rewritten evidence")
        await pilot.press("tab")
        await wait_for(pilot, lambda: entries(db, jid).get("jv.challenge:evidence") == "Rewritten evidence",
                       what="evidence saved")
        history = rows(db, "SELECT value FROM joint_visit_entries WHERE joint_visit_id = ? AND field = ? "
                           "ORDER BY created_at", [jid, "jv.challenge:evidence"])
        assert [r["value"] for r in history][0].startswith("Prepared with the school's data")
        # a bad date is refused in one line, and stays in its field and as the draft
        date_input = screen.query_one(f"#{ids['header:date']}")
        date_input.focus()
        date_input.value = "next week"
        await pilot.press("tab")
        await wait_for(pilot, lambda: "give a date" in str(screen.query_one("#jv-status").render()),
                       what="date refused")
        assert entries(db, jid)["header:date"] == "2026-11-20" and date_input.value == "next week"
        await wait_for(pilot, lambda: rows(db, "SELECT text FROM joint_visit_drafts")[0]["text"] == "next week",
                       what="kept as the draft")
        date_input.focus()
        date_input.value = "2026-11-21"
        await pilot.press("f2")  # the record: the focused field is saved first
        await wait_for(pilot, lambda: "record of the visit written" in str(screen.query_one("#jv-status").render()),
                       what="record written")
        assert entries(db, jid)["header:date"] == "2026-11-21"
        written = list((tmp_path / "notes").glob("joint-visit-oak-primary-2026-11-21-*.docx"))
        assert len(written) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen", what="back to the list")
        assert rows(db, "SELECT status FROM joint_visits")[0]["status"] == "paused"


@pytest.mark.asyncio
async def test_new_joint_visit_from_the_list_and_the_palette(tmp_path):
    db = tmp_path / "laqs.db"
    seed_store(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen" and app.screen.data is not None, what="home")
        await pilot.press("j")
        await wait_for(pilot, lambda: _screen(app) == "JointStartScreen", what="start dialog")
        await pilot.press(*"Elm Academy", "tab", *"Any Borough", "tab", *"Pat Smith", "ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "JointVisitScreen", what="form")
        got = rows(db, "SELECT j.sip_name, j.date, s.name FROM joint_visits j JOIN organisations s "
                       "ON s.id = j.school_id")
        assert [tuple(r) for r in got] == [("Pat Smith", "2026-11-22", "Elm Academy")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen", what="home again")
        from laqs_assist.tui.commands import LaqsCommands

        names = [c[0] for c in LaqsCommands.commands(type("P", (), {"app": app, "screen": app.screen})())]
        assert "New joint visit" in names


def test_a_draft_typed_in_the_form_survives_a_kill(tmp_path):
    """The app in a real process: type into a text field, wait past the draft delay, kill -9, open again."""
    db = tmp_path / "laqs.db"
    jid = joint_store(db)
    script = f"""
import asyncio, os, signal, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_tui_helpers import make_app, wait_for
from pathlib import Path
app = make_app(Path({str(db)!r}))
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.screen.rows)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JointVisitScreen")
        for ch in "Typed but never left":
            await pilot.press(ch if ch != " " else "space")
        await asyncio.sleep(1.5)
        print("typed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
asyncio.run(main())
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    draft = rows(db, "SELECT field, text FROM joint_visit_drafts WHERE joint_visit_id = ?", [jid])
    assert [r["field"] for r in draft] == ["jv.challenge:evidence"]  # typed at the start of the evidence
    assert draft[0]["text"] == "Typed but never leftPrepared with the school's data; challenged the plan for boys' writing."
    assert entries(db, jid)["jv.challenge:evidence"].startswith("Prepared")  # not committed: only drafted


@pytest.mark.asyncio
async def test_the_draft_comes_back_when_the_form_opens(tmp_path):
    db = tmp_path / "laqs.db"
    jid = joint_store(db)
    with Service.at(default_pack_path(), db, PACK) as svc:
        svc.joint().resume(jid)
        svc.joint().save_draft("Half-written evidence", "jv.challenge:evidence")
        svc.joint().close()
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_list(pilot, app, jid)
        area = app.screen.query_one(f"#{app.screen.ids['jv.challenge:evidence']}")
        assert area.text == "Half-written evidence"
        assert "draft from" in str(app.screen.query_one("#jv-status").render())


def test_joint_visit_form_snapshot(snap_compare, tmp_path) -> None:
    db = tmp_path / "laqs.db"
    jid = joint_store(db)
    app = make_app(db)

    async def ready(pilot) -> None:
        await open_from_list(pilot, app, jid)
        app.screen.query_one("#jv-form").scroll_home(animate=False)
        app.screen.query_one(f"#{app.screen.ids['header:programme']}").focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


@pytest.mark.asyncio
async def test_from_the_new_visit_form_and_quitting_saves_the_field(tmp_path):
    db = tmp_path / "laqs.db"
    seed_store(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen" and app.screen.data is not None, what="home")
        await pilot.press("n")
        await wait_for(pilot, lambda: _screen(app) == "NewVisitScreen", what="new visit form")
        await pilot.press(*"Birch Primary")
        await pilot.press("f7")
        await wait_for(pilot, lambda: _screen(app) == "JointStartScreen", what="the joint visit's short form")
        from textual.widgets import Input

        assert app.screen.query_one("#js-school", Input).value == "Birch Primary"
        assert app.focused.id == "js-sip"
        await pilot.press(*"Pat Smith", "ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "JointVisitScreen", what="the form")
        screen = app.screen
        field = screen.query_one(f"#{screen.ids['header:ssia']}", Input)
        field.focus()
        await pilot.press(*"Sam")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, what="quit")
    got = rows(db, "SELECT j.status, e.value FROM joint_visits j JOIN joint_visit_entries e ON "
                   "e.joint_visit_id = j.id AND e.field = 'header:ssia'")
    assert [tuple(r) for r in got] == [("paused", "Sam")]
