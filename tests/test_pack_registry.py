"""Several packs installed side by side: the shipped ones and those named by $LAQS_PACKS, found by id; a visit
recorded under each is resumed and written up with its own pack, in real `laqs` processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx2python import docx2python

from laqs_assist.packs import registry
from laqs_assist.paths import default_pack_path

LAQS = [sys.executable, "-m", "laqs_assist"]


def copy_pack(dest: Path, pack_id: str, title: str) -> Path:
    shutil.copytree(default_pack_path(), dest)
    text = (dest / "pack.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^id: .*$", f"id: {pack_id}", text, count=1)
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)
    (dest / "pack.yaml").write_text(text, encoding="utf-8")
    return dest


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    packs = tmp_path / "packs"
    packs.mkdir()
    copy_pack(packs / "copy", "ns2009-copy", "A second framework for the tests")
    return {**os.environ, "LAQS_PACKS": str(packs), "LAQS_CACHE": str(tmp_path / "cache"),
            "LAQS_STORE": str(tmp_path / "s.db")}


def laqs(args: list[str], env: dict[str, str], stdin: str = "", cwd: Path | None = None):
    return subprocess.run(LAQS + args, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_packs_list_shows_both(env: dict[str, str]) -> None:
    out = laqs(["packs", "list", "--json"], env)
    assert out.returncode == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert {"ns2009", "ns2009-copy"} <= set(rows)
    assert rows["ns2009"]["default"] and not rows["ns2009-copy"]["default"]
    assert rows["ns2009-copy"]["title"] == "A second framework for the tests"
    plain = laqs(["packs", "list"], env)
    assert "ns2009-copy" in plain.stdout and "(default)" in plain.stdout


def test_a_visit_under_each_pack_resumes_and_gets_a_note_with_its_own(env: dict[str, str], tmp_path: Path) -> None:
    script = "The LA shares its risk register with SIPs each term\n/met 2.4.G.1\n/quit\n"
    other = laqs(["--pack", "ns2009-copy", "chat", "--org", "Second Borough", "--phase", "P", "--focus", "2.4"],
                 env, script)
    assert other.returncode == 0, other.stderr
    first = laqs(["chat", "--org", "First Borough", "--phase", "P", "--focus", "2.4"], env,
                 "Reports go to the register monthly\n/quit\n")
    assert first.returncode == 0, first.stderr
    visits = {v["organisation"]: v for v in json.loads(laqs(["visits", "--json"], env).stdout)}
    second_id = visits["Second Borough"]["id"]
    # No --pack: each visit is resumed with the pack it was recorded with.
    resumed = laqs(["chat", "--resume", second_id[:8]], env, "/met 2.4.G.2\n/quit\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "✓ 2.4.G.2 met" in resumed.stdout
    resumed = laqs(["chat", "--resume", visits["First Borough"]["id"][:8]], env, "/quit\n")
    assert resumed.returncode == 0, resumed.stderr
    note = laqs(["note", second_id[:8], "--out", str(tmp_path / "second.docx")], env)
    assert note.returncode == 0, note.stderr
    with docx2python(tmp_path / "second.docx") as doc:
        text = doc.text
    assert "Second Borough" in text and "risk register with SIPs" in text
    stored = json.loads(laqs(["visits", "show", second_id, "--json"], env).stdout)
    assert stored["visit"]["pack_id"] == "ns2009-copy"


def test_two_folders_with_one_id_is_a_one_line_error(tmp_path: Path, env: dict[str, str]) -> None:
    copy_pack(Path(env["LAQS_PACKS"]) / "again", "ns2009-copy", "The same id again")
    out = laqs(["packs", "list"], env)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "two packs have the id 'ns2009-copy'" in out.stderr


def test_an_unknown_pack_id_or_a_missing_packs_folder_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    out = laqs(["--pack", "no-such-pack", "chat", "--org", "X"], env, "/quit\n")
    assert out.returncode == 2 and "no installed pack 'no-such-pack'" in out.stderr
    bad = {**env, "LAQS_PACKS": str(tmp_path / "missing")}
    out = laqs(["packs", "list"], bad)
    assert out.returncode == 2 and "not a folder" in out.stderr and "Traceback" not in out.stderr


def test_registry_finds_the_default_without_a_scan(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LAQS_PACKS", str(tmp_path / "not-there"))
    # The shipped pack's id is answered from its own pack.yaml; the bad LAQS_PACKS is never read for it.
    assert registry.folder_of("ns2009") == default_pack_path()
    assert registry.declared_id(default_pack_path()) == "ns2009"


@pytest.mark.asyncio
async def test_the_app_opens_a_visit_with_the_pack_it_was_recorded_with(tmp_path: Path, monkeypatch) -> None:
    from test_tui_helpers import make_app, wait_for

    from laqs_assist.packs import load_pack
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    packs = tmp_path / "packs"
    copy = copy_pack(packs / "copy", "ns2009-copy", "A second framework for the tests")
    monkeypatch.setenv("LAQS_PACKS", str(packs))
    monkeypatch.setenv("LAQS_CACHE", str(tmp_path / "cache"))
    db = tmp_path / "s.db"
    with Store(db) as store:
        s = Session.start(store, load_pack(copy), agenda_id="la-contacts", organisation="Second Borough",
                          phases=["P"], focus=["2.4"], day="2026-11-10")
        s.answer("Reports go to the register")
        visit = s.id
    app = make_app(db, resume=visit)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "InterviewScreen" and app.screen.panels_ready,
                       what="the interview")
        assert app.pack.id == "ns2009-copy"
        assert "Second Borough" in app.screen.sub_title
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="the visits")
        assert app.pack.id == "ns2009"
