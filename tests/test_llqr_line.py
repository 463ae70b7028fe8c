"""Line mode for a school review: the interviews follow the reviewer's day plan, whatever is typed is recorded
even when the input ends mid-answer, and evidence lines are recorded one by one, a mistake costing one line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist.app.reviews import ReviewDesk, open_review_pack
from laqs_assist.line.review import run_evidence, run_interviews
from laqs_assist.store import Store


@pytest.fixture()
def desk(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    d = ReviewDesk(store, open_review_pack("llqr"))
    d.review_id = d.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])["id"]
    yield d
    store.close()


def test_interviews_follow_the_day_plan_and_input_ending_mid_answer_is_kept(desk) -> None:
    said: list[str] = []
    script = io.StringIO("Mrs Jones (head)\nLessons are purposeful\n> the head spoke of Year 6\n\n"
                         "/skip\n")
    assert run_interviews(desk, desk.review_id, "Raj", [], script, said.append) == 0
    assert "What are the Quality Standards for Teaching and Learning? (day 1, session 1)" in said
    assert "Recorded Teaching and Learning: standards TL.1" in said
    interviews = desk.store.interviews(desk.review_id)
    assert [(i["area_id"], i["interviewees"], i["day"], i["session"]) for i in interviews] == \
        [("TL", "Mrs Jones (head)", 1, "1")]
    assert interviews[0]["text"] == "Lessons are purposeful\n> the head spoke of Year 6"
    # the input ends part-way through an answer: what was typed is recorded
    said.clear()
    assert run_interviews(desk, desk.review_id, "Ann", ["C"], io.StringIO("Ms Patel\nKnowledge builds\n"),
                          said.append) == 0
    assert "Recorded Curriculum: standards C.1" in said
    assert [s["code"] for s in desk.store.standards(desk.review_id)] == ["TL.1", "C.1"]


def test_evidence_lines_are_recorded_one_by_one_and_a_mistake_costs_one_line(desk) -> None:
    desk.interview(desk.review_id, "A", "Ann", "Marking gives next steps\nPupils know their targets")
    said: list[str] = []
    script = io.StringIO("/day 1\n/session 6\nA.1 evident Year 4 books\nA.9 evident nothing\nA.2 mostly x\n"
                         "/kind gossip\n/kind pupils\nA.2 partly Some pupils knew\n"
                         "/individual A.1 not-evident Mr X's class\n/findings\n/quit\nA.1 evident after quit\n")
    assert run_evidence(desk, desk.review_id, "2", "observation", None, None, script, said.append) == 0
    rows = desk.store.evidence(desk.review_id)
    assert [(e["code"], e["kind"], e["extent"], e["reviewer"], e["day"], e["session"], e["concerns_individual"])
            for e in rows] == [("A.1", "observation", "evident", 2, 1, "6", 0),
                               ("A.2", "pupils", "partly", 2, 1, "6", 0),
                               ("A.1", "pupils", "not-evident", 2, 1, "6", 1)]
    assert any(line.startswith("not recorded: no standard 'A.9'") for line in said)
    assert any(line.startswith("not recorded: 'mostly' is not on the scale") for line in said)
    assert any("'gossip' is not a kind of evidence" in line for line in said)
    assert "  A.1    partly (1 evident, 1 not-evident)" in said
    assert said[-1] == "3 pieces of evidence recorded."


def test_line_mode_from_a_pipe(tmp_path: Path) -> None:
    env = {**os.environ, "LAQS_STORE": str(tmp_path / "s.db"), "LAQS_CACHE": str(tmp_path / "cache")}
    laqs = [sys.executable, "-m", "laqs_assist"]
    subprocess.run(laqs + ["review", "start", "Oak Primary", "--reviewer", "Ann", "--reviewer", "Raj", "--day",
                           "2026-12-10"], check=True, capture_output=True, env=env)
    out = subprocess.run(laqs + ["review", "interview", "last", "--reviewer", "Ann"], input="Deputy head\n"
                         "Marking gives next steps\n", capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "What are the Quality Standards for Assessment? (day 1, session 1)" in out.stdout
    assert "Recorded Assessment: standards A.1" in out.stdout
    out = subprocess.run(laqs + ["review", "evidence", "last", "--reviewer", "Raj"], input="A.1 partly Year 5\n",
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "✓ A.1 partly evident — Observation of sections of lessons" in out.stdout


def test_the_readmes_review_examples_run_as_written(tmp_path: Path) -> None:
    """Every command of the README's section on school reviews, in order, in a folder laid out like a checkout."""
    import re
    import shlex
    import shutil

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    start = readme.index("## School reviews")
    section = readme[start:readme.index("\n## ", start + 1)]
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    shutil.copytree(root / "interviews", tmp_path / "interviews")
    shutil.copytree(root / "templates", tmp_path / "templates")
    env = {k: v for k, v in os.environ.items() if k != "LAQS_STORE"}
    env["LAQS_CACHE"] = str(tmp_path / "cache")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        lines += [ln.strip() for ln in block.replace("\\\n", " ").splitlines() if ln.strip()]
    assert len(lines) == 12
    for line in lines:
        lexer = shlex.shlex(line, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        cmd = line if line.startswith("printf") else shlex.join(list(lexer))
        if line.startswith("printf"):
            cmd = line.split("   #")[0]
        proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        assert proc.returncode == 0, f"{line}\n{proc.stdout}\n{proc.stderr}"
    assert (tmp_path / "notes" / "oak-primary-review.docx").exists()
