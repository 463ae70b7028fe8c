"""The README works as written: every example of its tour runs, in order, from a folder laid out like a fresh
checkout after the set-up commands (the tool in .venv/bin, the packs and templates beside it), and each exits 0.
The two that open the full-screen app need a terminal; the tmux tests drive those."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV = Path(sys.executable).parent.parent
NEEDS_A_TERMINAL = ("laqs", "laqs --resume last")


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def tour_commands() -> list[str]:
    """Each `.venv/bin/laqs …` line of the tour, without its comment; continuation lines joined."""
    tour = README[README.index("## A short tour"):README.index("## How the rating works")]
    out = []
    for block in shell_blocks(tour):
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            out.append(line)
    return out


def without_comment(line: str) -> str:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return shlex.join(list(lexer))


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A folder that looks like the checkout after the README's set-up: .venv/bin/laqs, interviews/, templates/."""
    (tmp_path / ".venv").symlink_to(VENV)
    shutil.copytree(ROOT / "interviews", tmp_path / "interviews")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def test_the_readme_has_exactly_two_setup_commands() -> None:
    setup = README[README.index("## Set up on a fresh machine"):README.index("## A short tour")]
    blocks = [b.strip() for b in shell_blocks(setup)]
    assert len(blocks) == 2
    assert blocks[0].endswith(".venv/bin/laqs")
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1] in ci, ".ci/run must run the README's test command word for word"


def test_every_tour_example_runs_as_written(checkout: Path) -> None:
    commands = tour_commands()
    assert len(commands) >= 15
    env = {k: v for k, v in os.environ.items() if k not in ("LAQS_STORE",)}
    ran = 0
    for line in commands:
        if line.startswith("printf"):
            proc = subprocess.run(["bash", "-c", line], cwd=checkout, env=env, capture_output=True, text=True,
                                  timeout=120)
        else:
            cmd = without_comment(line)
            if cmd.replace(".venv/bin/", "") in NEEDS_A_TERMINAL:
                continue
            proc = subprocess.run(["bash", "-c", cmd], cwd=checkout, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{line}\nexit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ran += 1
    assert ran >= len(commands) - len(NEEDS_A_TERMINAL)
    notes = sorted(p.name for p in (checkout / "notes").glob("*.docx"))
    assert any(n.startswith("any-borough-") for n in notes) and any(n.startswith("briefing-oak-primary") for n in notes)


def test_notes_written_in_a_checkout_are_not_untracked_files() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "-q", "notes/any-borough-2026-12-01-0a1b2c3d.docx"], cwd=ROOT)
    assert proc.returncode == 0, "notes/ under the checkout must be ignored by git"
    proc = subprocess.run(["git", "check-ignore", "-q", "src/laqs_assist/notes/api.py"], cwd=ROOT)
    assert proc.returncode == 1, "the notes package itself must not be ignored"
