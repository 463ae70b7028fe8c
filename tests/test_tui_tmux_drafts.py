"""The app in a real terminal (tmux): resized mid-answer down to "too small" and back, killed with SIGKILL and
quit with an unsent draft; each time the process is checked, the store opened afterwards, and the app reopened."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_tui_helpers import PACK, rows
from test_tui_tmux import LAQS, TMUX, Pane, start_app

from laqs_assist.session import Session
from laqs_assist.store import Store

pytestmark = [pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
              pytest.mark.skipif(not LAQS.exists(), reason="the laqs console script is not installed")]


def new_visit(db: Path) -> str:
    with Store(db) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-22")
        return s.id


def open_interview(tmp: Path, db: Path, width: int = 120, height: int = 40) -> Pane:
    pane = start_app(tmp, db, width, height)
    pane.wait(lambda t: "Recent visits" in t and "Any Borough" in t, what="the list of visits")
    pane.keys("Enter")
    pane.wait(lambda t: "Criteria" in t and "actions" in t, what="the interview")
    return pane


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def draft(db: Path, visit: str) -> str | None:
    found = rows(db, "SELECT text FROM drafts WHERE visit_id = ?", [visit])
    return found[0]["text"] if found else None


def wait_draft(db: Path, visit: str, text: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if draft(db, visit) == text:
            return
        time.sleep(0.05)
    raise AssertionError(f"draft {text!r} never reached the store (it holds {draft(db, visit)!r})")


def resize(pane: Pane, width: int, height: int) -> None:
    pane.tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))


def alive(pane: Pane) -> bool:
    try:
        os.kill(pane.pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_resizing_mid_answer_never_ends_the_app(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    new_visit(db)
    pane = open_interview(tmp_path, db, 160, 50)
    try:
        # The empty box first: its placeholder is what could not be drawn with no room.
        for width, height in [(80, 24), (60, 20), (160, 50)]:
            resize(pane, width, height)
            screen = pane.wait(lambda t, w=width: "Criteria" in t and len(t.splitlines()[0]) <= w,
                               what=f"the interview at {width}x{height}")
            assert "Error" not in screen and "Traceback" not in screen
        pane.type("half an answer about moderation")
        for width, height in [(80, 24), (60, 20), (160, 50)]:
            resize(pane, width, height)
            pane.wait(lambda t: "half an answer about moderation" in " ".join(t.split()),
                      what=f"the answer box at {width}x{height}")
        resize(pane, 40, 12)
        pane.wait(lambda t: "terminal too small" in " ".join(t.split()), what="the too-small screen")
        resize(pane, 120, 40)
        screen = pane.wait(lambda t: "Criteria" in t and "half an answer" in t, what="the interview again")
        assert "Quit" in screen.splitlines()[-1] or "Quit" in screen
        assert alive(pane)
    finally:
        pane.kill_server()


def test_sigkill_with_a_draft_then_reopen_restores_it(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    visit = new_visit(db)
    pane = open_interview(tmp_path, db)
    try:
        pane.type("the LA moderates a sample of reports each term")
        wait_draft(db, visit, "the LA moderates a sample of reports each term")
        os.kill(pane.pid, signal.SIGKILL)
        wait_gone(pane.pid)
    finally:
        pane.kill_server()
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert rows(db, "SELECT count(*) AS n FROM responses WHERE visit_id = ?", [visit])[0]["n"] == 0
    pane = open_interview(tmp_path, db)
    try:
        screen = pane.wait(lambda t: "restored" in t, what="the draft restored")
        flat = " ".join(screen.split())
        assert "draft from" in flat and "the LA moderates a sample of reports each term" in flat
        pane.keys("Enter")  # the restored draft is sent as the answer
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not rows(db, "SELECT 1 FROM responses WHERE visit_id = ?", [visit]):
            time.sleep(0.05)
        got = rows(db, "SELECT text FROM responses WHERE visit_id = ?", [visit])
        assert [r["text"] for r in got] == ["the LA moderates a sample of reports each term"]
        assert draft(db, visit) is None
    finally:
        pane.kill_server()


def test_quit_with_a_draft_asks_and_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    visit = new_visit(db)
    pane = open_interview(tmp_path, db)
    try:
        pane.type("unsent words")
        pane.keys("C-q")
        pane.wait(lambda t: "Unsent answer" in t and "Keep draft" in t, what="the unsent-answer question")
        assert alive(pane)
        pane.keys("k")
        wait_gone(pane.pid)
    finally:
        pane.kill_server()
    assert draft(db, visit) == "unsent words"
    assert rows(db, "SELECT status FROM visits WHERE id = ?", [visit])[0]["status"] == "paused"
    pane = open_interview(tmp_path, db)
    try:
        pane.wait(lambda t: "restored" in t and "unsent words" in t, what="the draft back in the box")
    finally:
        pane.kill_server()
