"""A joint visit in a real terminal (tmux): line mode's prompt keeps a refused grade to be put right and as the
draft through a SIGKILL; the app's form survives shrinking to "too small" and back with what was typed."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_tui_helpers import PACK, rows
from test_tui_tmux import LAQS, TMUX, Pane, start_app

from laqs_assist.app.service import Service
from laqs_assist.paths import default_pack_path

pytestmark = [pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
              pytest.mark.skipif(not LAQS.exists(), reason="the laqs console script is not installed")]


def draft(db: Path) -> tuple[str, str] | None:
    found = rows(db, "SELECT field, text FROM joint_visit_drafts")
    return (found[0]["field"], found[0]["text"]) if found else None


def last_line(text: str) -> str:
    lines = text.rstrip().splitlines()
    return lines[-1] if lines else ""


def wait_until(check, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def line_mode(tmp: Path, db: Path, args: str) -> Pane:
    env = {"LAQS_STORE": str(db), "TERM": "xterm-256color"}
    return Pane(tmp, f"cd {tmp} && exec {LAQS} chat --form joint-visit {args}", env, 120, 40)


def test_line_mode_keeps_a_refused_grade_through_a_kill(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    pane = line_mode(tmp_path, db, '--org "Oak Primary" --la "Any Borough" --sip "Pat Smith" --date 2026-10-05')
    try:
        pane.wait(lambda t: "[4/27] (d)SSIA" in t, what="the first question")
        for answer in ("Sam Adviser", "half a day", "meeting", "1 2 3"):
            pane.type(answer)
            pane.keys("Enter")
            pane.wait(lambda t, a=answer: f"✓ saved: {a if a != '1 2 3' else '3 of 10 seen'}" in t, what=answer)
        pane.type("5")
        pane.keys("Enter")
        pane.wait(lambda t: "! grade 5 is not on the form's scale" in t, what="the refusal")
        pane.wait(lambda t: last_line(t).startswith("› 5"), what="the grade back in the prompt to be put right")
        wait_until(lambda: draft(db) == ("jv.challenge:grade", "5"), "the refused grade kept as the draft")
        os.kill(pane.pid, signal.SIGKILL)
    finally:
        pane.kill_server()
    pane = line_mode(tmp_path, db, "--resume last")
    try:
        screen = pane.wait(lambda t: "draft from" in t and "restored" in t and last_line(t).startswith("› 5"),
                           what="the draft restored into the prompt")
        assert "[9/27] The quality and effectiveness of challenge (2.2)" in screen
        pane.keys("BSpace")
        pane.type("2")
        pane.keys("Enter")
        pane.wait(lambda t: "✓ saved: 2 — Good practice" in t, what="the grade put right")
        pane.type("/quit")
        pane.keys("Enter")
        wait_until(lambda: rows(db, "SELECT status FROM joint_visits")[0]["status"] == "paused", "paused")
    finally:
        pane.kill_server()
    assert draft(db) is None
    values = {r["field"]: r["value"] for r in rows(db, "SELECT field, value FROM joint_visit_entries")}
    assert values["jv.challenge:grade"] == "2" and values["jv.challenge:checklist"] == "[1, 2, 3]"


def test_the_form_survives_shrinking_and_keeps_what_was_typed(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Service.at(default_pack_path(), db, PACK) as svc:
        svc.joint().start(school="Oak Primary", la="Any Borough", sip="Pat Smith", day="2026-10-05")
        svc.joint().close()
    pane = start_app(tmp_path, db, 160, 50)
    try:
        pane.wait(lambda t: "Recent visits" in t and "Oak Primary" in t and "paused" in t, what="the list with the joint visit")
        pane.keys("Enter")
        pane.wait(lambda t: "Paired SIP/NCA" in t and "(d)SSIA" in t, what="the form")
        pane.type("Sam Adv")
        for width, height in ((80, 24), (60, 20), (40, 12)):
            pane.tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))
            time.sleep(0.3)
        pane.wait(lambda t: "too small" in t.lower(), what="too small")
        pane.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
        pane.wait(lambda t: "Sam Adv" in t and "Paired SIP/NCA" in t, what="the form again, as it was")
        wait_until(lambda: draft(db) == ("header:ssia", "Sam Adv"), "the typed text kept as the draft")
        pane.keys("Escape")
        pane.wait(lambda t: "Recent visits" in t, what="back to the list")
        wait_until(lambda: rows(db, "SELECT value FROM joint_visit_entries WHERE field = 'header:ssia'") != [],
                   "the field saved on leaving")
    finally:
        pane.kill_server()
    assert rows(db, "SELECT value FROM joint_visit_entries WHERE field = 'header:ssia'")[0]["value"] == "Sam Adv"
