"""The app as a real process in tmux: `laqs` with no arguments on a store, answers typed with send-keys, each
acknowledgement awaited on screen, then SIGKILL. Nothing acknowledged may be lost, and reopening resumes at the
right question. Also: Enter sends and Ctrl+J makes a new line inside tmux."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_tui_helpers import PACK, rows

from laqs_assist.session import Session
from laqs_assist.store import Store

TMUX = shutil.which("tmux")
LAQS = Path(sys.executable).with_name("laqs")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")


class Pane:
    """One tmux server of our own (its own socket, no user config) running one command."""

    def __init__(self, tmp: Path, command: str, env: dict[str, str], width: int = 120, height: int = 40) -> None:
        # A socket path must stay under ~100 bytes (pytest's tmp_path can be longer): keep it short.
        self._dir = tempfile.mkdtemp(prefix="lqt")
        self.sock = os.path.join(self._dir, "s")
        args = [TMUX, "-S", self.sock, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(width), "-y",
                str(height)]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        # The server passes its own environment on to the pane: without COLUMNS/LINES (pytest plugins may set
        # them), or the app would take them over the terminal's real size.
        clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        subprocess.run(args + [command], check=True, env=clean)
        self.pid = int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-S", self.sock, *args], check=True, capture_output=True, text=True).stdout

    def screen(self) -> str:
        """What the pane shows; empty once the app has exited and taken its pane (and the server) with it."""
        proc = subprocess.run([TMUX, "-S", self.sock, "capture-pane", "-p", "-t", "t"], capture_output=True,
                              text=True)
        return proc.stdout if proc.returncode == 0 else ""

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)

    def wait(self, predicate, timeout: float = 20.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{text}")

    def kill_server(self) -> None:
        subprocess.run([TMUX, "-S", self.sock, "kill-server"], capture_output=True)
        shutil.rmtree(self._dir, ignore_errors=True)


def acknowledged(marker: str):
    """The answer containing `marker` is on screen with its "✓ saved" below it."""
    def check(text: str) -> bool:
        at = text.rfind(marker)
        return at >= 0 and "✓ saved" in text[at:]
    return check


def start_app(tmp: Path, db: Path, width: int = 120, height: int = 40) -> Pane:
    env = {"LAQS_STORE": str(db), "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    # A detached tmux window can start at 80x24 and be resized a moment later; wait for the real size so the
    # app does not start at the wrong one.
    wait_size = f'while [ "$(stty size)" != "{height} {width}" ]; do sleep 0.02; done'
    return Pane(tmp, f"unset COLUMNS LINES; {wait_size}; cd {tmp} && exec {LAQS}", env, width, height)


def resume_from_home(pane: Pane) -> str:
    pane.wait(lambda t: "Recent visits" in t and "Any Borough" in t, what="the list of visits")
    pane.keys("Enter")
    return pane.wait(lambda t: "Criteria" in t and "actions" in t, what="the interview")


@pytest.mark.skipif(not LAQS.exists(), reason="the laqs console script is not installed in this environment")
def test_sigkill_mid_interview_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    with Store(db) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-22")
        visit_id = s.id
        total = s.progress()[1]

    pane = start_app(tmp_path, db)
    try:
        screen = resume_from_home(pane)
        assert f"1/{total} · 2.4" in screen

        pane.type("answer one about the risk register")
        pane.keys("Enter")
        pane.wait(acknowledged("answer one"), what="answer one acknowledged")

        # Ctrl+J is a new line inside the answer, in tmux too; Enter sends.
        pane.type("answer two, first line")
        pane.keys("C-j")
        pane.type("and its second line")
        pane.keys("Enter")
        pane.wait(acknowledged("second line"), what="answer two acknowledged")

        pane.type("yes, answer three")
        pane.keys("Enter")
        pane.wait(acknowledged("answer three"), what="answer three acknowledged")

        # Typed but never sent: not acknowledged, so not promised.
        pane.type("an answer still being typed")
        time.sleep(0.2)
        os.kill(pane.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pane.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
    finally:
        pane.kill_server()

    resp = rows(db, "SELECT question_id, text, value FROM responses WHERE visit_id = ? ORDER BY created_at, rowid",
                [visit_id])
    assert [(r["question_id"], r["text"]) for r in resp] == [
        ("A3.2.4.1", "answer one about the risk register"),
        ("A3.2.4.2", "answer two, first line\nand its second line"),
        ("A3.2.4.3", "yes, answer three"),
    ]
    assert resp[2]["value"] == "yes"
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    with Store(db) as store:
        expected = Session.resume(store, PACK, visit_id).current()
        total = len(store.items(visit_id))
    assert expected.position == 3

    # Reopen: `laqs` again, resume, and the app is at the same place.
    pane = start_app(tmp_path, db)
    try:
        screen = resume_from_home(pane)
        marker = f"{expected.position + 1}/{total} · {expected.aspect_id}"
        first_words = " ".join(expected.prompt().split()[:4])
        screen = pane.wait(lambda t: marker in t and first_words in " ".join(t.split()),
                           what=f"the resume point {marker}: {first_words}")
        assert "Probe" in screen  # the item after an aspect's last question is a probe
        assert "answer one about the risk register" in screen or "Resumed: 3 answers" in screen
        pane.keys("C-q")
        pane.wait(lambda t: "Criteria" not in t, what="the app to quit")
    finally:
        pane.kill_server()
    assert rows(db, "SELECT status FROM visits WHERE id = ?", [visit_id])[0]["status"] == "paused"


@pytest.mark.skipif(not LAQS.exists(), reason="the laqs console script is not installed in this environment")
def test_start_a_visit_from_the_form_in_a_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    pane = start_app(tmp_path, db)
    try:
        pane.wait(lambda t: "No visits yet" in t, what="the empty list")
        pane.keys("n")
        pane.wait(lambda t: "Start a visit" in t, what="the form")
        pane.type("Riverside Council")
        pane.keys("C-s")
        screen = pane.wait(lambda t: "Criteria" in t and re.search(r"1/\d+ · 1\.1", t), what="the interview")
        assert "Riverside Council" in screen
        pane.keys("Escape")
        pane.wait(lambda t: "Recent visits" in t and "paused" in t, what="back to the list, paused")
        pane.keys("C-q")
    finally:
        pane.kill_server()
    visit = rows(db, "SELECT v.status, o.name FROM visits v JOIN organisations o ON o.id = v.organisation_id")
    assert [(v["name"], v["status"]) for v in visit] == [("Riverside Council", "paused")]
