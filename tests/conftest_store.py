"""Shared helpers for the store, session, line-mode, crash and concurrency tests.

Kept out of conftest.py (others may own it): test modules import what they need from here, fixtures included.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

SHIPPED_PACK = load_pack(default_pack_path())

# A small agenda with the answer types the shipped agendas lack (percent, number, date, grade), added to a copy of
# the shipped pack so that criteria, indicators and phases stay real.
TYPED_AGENDA = """\
id: typed
title: Typed answers
source: tests
audience: LA contacts
note: an agenda written for the tests
sections:
  - aspect: "1.5"
    heading: Target setting
    questions:
      - id: T.percent
        text: "What percentage of schools set targets in line with DCSF guidance?"
        criteria: [1.5.targets-in-line, 1.5.OS.2, 1.5.G.2]
        answer: percent
      - id: T.date
        text: "When is the next target-setting review?"
        answer: date
      - id: T.grade
        text: "What grade did the joint visit give?"
        answer: grade
      - id: T.choice
        text: "Which category is the school in?"
        answer: choice
        choices: [Not in an Ofsted category, Notice to improve, Special measures, National Challenge]
      - id: T.yesno
        text: "Are targets ambitious?"
        answer: yes_no
      - id: T.number
        text: "How many of the two EY targets is the LA on track to meet?"
        criteria: [1.5.ey-targets-on-track]
        answer: number
"""


def build_typed_pack(root: Path):
    """A copy of the shipped pack with the `typed` agenda added; returns the loaded pack."""
    dest = root / "ns2009"
    if not dest.exists():
        shutil.copytree(default_pack_path(), dest)
        (dest / "agendas" / "typed.yaml").write_text(TYPED_AGENDA, encoding="utf-8")
    return load_pack(dest)


@pytest.fixture(scope="session")
def pack():
    return SHIPPED_PACK


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "laqs.db"


@pytest.fixture()
def store(store_path: Path):
    st = Store(store_path)
    yield st
    st.close()


def run_laqs(*args: str, store: Path | None = None, input: str | None = None, cwd: Path | None = None,
             env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m laqs_assist [--store STORE] ARGS` as a real process."""
    cmd = [sys.executable, "-m", "laqs_assist"]
    if store is not None:
        cmd += ["--store", str(store)]
    cmd += list(args)
    full_env = dict(os.environ)
    full_env.pop("LAQS_STORE", None)
    full_env["PYTHONIOENCODING"] = "utf-8"
    if env:
        full_env.update(env)
    return subprocess.run(cmd, input=input, capture_output=True, text=True, cwd=cwd, env=full_env,
                          timeout=timeout, encoding="utf-8")


def open_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    return conn


def db_rows(path: Path, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    conn = open_db(path)
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def db_value(path: Path, sql: str, params: Any = ()) -> Any:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_failure(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """A CLI failure: the exit code, exactly one line on stderr, no traceback anywhere. Returns the line."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].strip(), proc.stderr
    return lines[0]
