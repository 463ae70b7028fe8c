"""The CLI and the store file: a store path whose folder is missing, read-only stores that can still be read (file or
folder read-only, with or without answers waiting in the write-ahead log), user text printed inert, and what
`laqs visits` says when there is nothing yet. Every case runs the real `laqs` as a process."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest_store import SHIPPED_PACK, assert_one_line_failure, db_rows, run_laqs

from laqs_assist.session import Session
from laqs_assist.store import Store

HOSTILE = "\x1b]0;pwned\x07"
SHOWN = "␛]0;pwned␇"


def laqs(*args: str, store: Path | None = None, cwd: Path, env: dict[str, str] | None = None,
         input: str | None = None) -> subprocess.CompletedProcess:
    """run_laqs with the adviser's own settings out of the way (a file that does not exist)."""
    full = {"LAQS_CONFIG": str(cwd / "no-settings.toml"), "TMPDIR": str(_tmp(cwd))}
    full.update(env or {})
    return run_laqs(*args, store=store, cwd=cwd, env=full, input=input)


def _tmp(root: Path) -> Path:
    """A temporary folder of the test's own, so that a private copy left behind would be seen."""
    folder = root / "tmp"
    folder.mkdir(exist_ok=True)
    return folder


def seed(db: Path, organisation: str = "Any Borough", answer: str = "The risk register is kept in the file") -> str:
    """A store holding one visit with an answer, a judgement, an action and a person; closed cleanly."""
    with Store(db) as st:
        s = Session.start(st, SHIPPED_PACK, agenda_id="la-contacts", organisation=organisation, phases=["P"],
                          focus=["2.4"], day="2026-11-20", people=[("Jo\x1b[31m Bloggs", "Head\x07 of SI")])
        s.answer(answer)
        s.judge("2.4.G.1", "met")
        s.add_action(f"Revise {HOSTILE} policy", f"J {HOSTILE} Smith", "2026-12-15")
        s.pause()
        return s.id


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in a folder by name, with a hash of its content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# --- a store whose folder does not exist --------------------------------------------------------------------------


STORE_COMMANDS = [
    ["chat", "--org", "Any Borough", "--phase", "P"],
    ["chat", "--resume", "last"],
    ["visits"],
    ["visits", "--json"],
    ["visits", "show", "last"],
    ["search", "register"],
    ["note", "last"],
    ["brief", "Any Borough"],
    ["export", "--from", "2026-09-01", "--to", "2026-12-31"],
    ["dashboard", "Any Borough"],
    [],  # the bare app (no terminal here: the folder is checked first)
]


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=lambda a: " ".join(a) or "app")
def test_a_store_in_a_folder_that_does_not_exist_is_one_line_exit_2(tmp_path, args):
    db = tmp_path / "no" / "such" / "folder" / "laqs.db"
    proc = laqs(*args, store=db, cwd=tmp_path, input="/quit\n")
    line = assert_one_line_failure(proc)
    assert line == f"laqs: error: no folder {db.parent} for the store (create it first, or choose another --store)"
    assert not (tmp_path / "no").exists()
    assert proc.stdout == ""


@pytest.mark.parametrize("how", ["LAQS_STORE", "settings"])
def test_the_folder_check_covers_laqs_store_and_the_settings(tmp_path, how):
    db = tmp_path / "missing" / "laqs.db"
    env = {}
    if how == "LAQS_STORE":
        env["LAQS_STORE"] = str(db)
    else:
        cfg = tmp_path / "settings.toml"
        cfg.write_text(f'store = "{db}"\n', encoding="utf-8")
        env["LAQS_CONFIG"] = str(cfg)
    for args in (["chat", "--org", "X"], ["visits"]):
        proc = laqs(*args, cwd=tmp_path, env=env, input="/quit\n")
        assert assert_one_line_failure(proc) == \
            f"laqs: error: no folder {db.parent} for the store (create it first, or choose another --store)"
    assert not db.parent.exists()


def test_commands_that_do_not_use_the_store_ignore_it(tmp_path):
    proc = laqs("packs", "show", "--aspect", "2.4", cwd=tmp_path, env={"LAQS_STORE": str(tmp_path / "no" / "x.db")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Quality standards") or "2.4" in proc.stdout


def test_the_default_store_folder_is_made_only_when_a_visit_is_recorded(tmp_path):
    proc = laqs("visits", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "No visits yet in store/laqs.db. Start one with: laqs chat --org NAME\n"
    assert not (tmp_path / "store").exists()  # reading makes nothing
    proc = laqs("visits", "--json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    assert_one_line_failure(laqs("search", "register", cwd=tmp_path))
    assert not (tmp_path / "store").exists()

    proc = laqs("chat", "--org", "Any Borough", "--phase", "P", cwd=tmp_path, input="The register\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "store" / "laqs.db").is_file()
    assert db_rows(tmp_path / "store" / "laqs.db", "SELECT text FROM responses") == [{"text": "The register"}]
    proc = laqs("visits", cwd=tmp_path)
    assert "Any Borough" in proc.stdout and "1 answers" in proc.stdout


def test_visits_on_an_empty_store_names_the_store(tmp_path):
    db = tmp_path / "empty.db"
    Store(db).close()
    proc = laqs("visits", store=db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"No visits yet in {db}. Start one with: laqs chat --org NAME\n"


# --- read-only stores ---------------------------------------------------------------------------------------------


READ_COMMANDS = [
    ["visits"],
    ["visits", "show", "last"],
    ["search", "register"],
    ["dashboard", "Any Borough", "--year", "2026/27"],
]


def _make_read_only(db: Path, which: str) -> None:
    if which == "file":
        os.chmod(db, 0o444)
    else:
        os.chmod(db.parent, 0o555)


def _restore(db: Path) -> None:
    os.chmod(db.parent, 0o755)
    for p in db.parent.iterdir():
        os.chmod(p, 0o644)


def _notice(db: Path) -> str:
    return f"laqs: the store {db} is read-only: showing what it holds; nothing new can be recorded"


@pytest.fixture(params=["file", "folder"])
def read_only_store(request, tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "laqs.db"
    visit = seed(db)
    _make_read_only(db, request.param)
    yield db, visit, request.param
    _restore(db)


def test_a_read_only_store_can_be_read_and_is_not_written(read_only_store, tmp_path):
    db, visit, _ = read_only_store
    before = snapshot(db.parent)
    assert list(before) == ["laqs.db"]  # closed cleanly: no write-ahead log waits
    for args in READ_COMMANDS:
        proc = laqs(*args, store=db, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stderr.splitlines() == [_notice(db)], args
        assert snapshot(db.parent) == before, args
    out = laqs("visits", "show", visit[:8], store=db, cwd=tmp_path).stdout
    assert "The risk register is kept in the file" in out and "2.4.G.1" in out
    hits = json.loads(laqs("search", "register", "--json", store=db, cwd=tmp_path).stdout)
    assert [h["text"] for h in hits] == ["The risk register is kept in the file"]
    board = laqs("dashboard", "Any Borough", "--year", "2026/27", store=db, cwd=tmp_path).stdout
    assert board.startswith("Local authority: Any Borough (2026/27)")
    assert list(_tmp(tmp_path).iterdir()) == []


def test_a_note_is_written_from_a_read_only_store(read_only_store, tmp_path):
    db, visit, _ = read_only_store
    before = snapshot(db.parent)
    out = tmp_path / "notes"
    out.mkdir()
    proc = laqs("note", visit[:8], "--out", str(out), store=db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [_notice(db)]
    (docx,) = out.iterdir()
    assert docx.suffix == ".docx" and docx.stat().st_size > 1000
    assert snapshot(db.parent) == before


def test_recording_into_a_read_only_store_is_refused_in_one_line(read_only_store, tmp_path):
    db, visit, _ = read_only_store
    before = snapshot(db.parent)
    for args in (["chat", "--org", "Any Borough", "--phase", "P"], ["chat", "--resume", visit[:8]]):
        proc = laqs(*args, store=db, cwd=tmp_path, input="yes, an answer\n/quit\n")
        line = assert_one_line_failure(proc)
        assert line == f"laqs: error: the store {db} is read-only: nothing can be recorded (check its permissions)"
        assert snapshot(db.parent) == before


WRITER = textwrap.dedent("""
    import os, sys
    from laqs_assist.store import Store
    st = Store(sys.argv[1])
    org = st.organisation("Any Borough")
    v = st.create_visit(organisation_id=org["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                        focus=[], day="2026-11-21")
    st.add_response(visit=v, item=None, aspect_id="2.4", text="Only in the write-ahead log so far")
    st.add_response(visit=v, item=None, aspect_id="2.4", text="École liaison waiting for its search batch")
    os._exit(0)  # killed before closing: the log is not copied back into the file
""")


def _store_with_log(db: Path) -> None:
    """A store whose -wal holds a second visit the file itself lacks, its last answer not yet in the search index."""
    seed(db)
    subprocess.run([sys.executable, "-c", WRITER, str(db)], check=True, timeout=60)
    assert Path(f"{db}-wal").stat().st_size > 0 and Path(f"{db}-shm").exists()
    # the file alone (read immutable) really lacks the second visit
    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
    finally:
        conn.close()


@pytest.mark.parametrize("which", ["file", "folder"])
@pytest.mark.parametrize("shm", [True, False], ids=["with-shm", "without-shm"])
def test_a_read_only_store_with_answers_still_in_its_write_ahead_log(tmp_path, which, shm):
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "laqs.db"
    _store_with_log(db)
    if not shm:
        Path(f"{db}-shm").unlink()  # copied without it, say: nobody has the store open
    _make_read_only(db, which)
    before = snapshot(folder)
    try:
        proc = laqs("visits", "--json", store=db, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines() == [_notice(db)]
        assert sorted(v["date"] for v in json.loads(proc.stdout)) == ["2026-11-20", "2026-11-21"]
        hits = json.loads(laqs("search", "ahead log", "--json", store=db, cwd=tmp_path).stdout)
        assert [h["text"] for h in hits] == ["Only in the write-ahead log so far"]
        # past the index: found by reading, with accents and case folded as the index folds them
        hits = json.loads(laqs("search", "ecole", "--json", store=db, cwd=tmp_path).stdout)
        assert [(h["text"], h["snippet"]) for h in hits] == [
            ("École liaison waiting for its search batch", "[École] liaison waiting for its search batch")]
        assert snapshot(folder) == before  # not the file, not the log, not even the -shm
        assert list(_tmp(tmp_path).iterdir()) == []  # a private copy, if one was made, is gone
    finally:
        _restore(db)


def test_search_on_a_read_only_store_finds_answers_not_yet_indexed_by_prefix_only(tmp_path):
    """The reading stands in for the index exactly: every word must begin a word of the answer."""
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "laqs.db"
    _store_with_log(db)
    _make_read_only(db, "file")
    try:
        def texts(query):
            return [h["text"] for h in json.loads(laqs("search", query, "--json", store=db, cwd=tmp_path).stdout)]

        assert texts("liais batch") == ["École liaison waiting for its search batch"]
        assert texts("iaison") == []  # inside a word: the index does not match it, nor does the reading
        assert texts("liaison zebra") == []
        assert texts("register") == ["The risk register is kept in the file"]  # from the index itself
    finally:
        _restore(db)


def test_a_read_only_store_of_an_older_schema_is_read_without_migrating(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "laqs.db"
    seed(db)
    conn = sqlite3.connect(str(db))
    conn.execute("DROP TABLE drafts")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_drafts'")
    conn.commit()
    conn.close()
    _make_read_only(db, "folder")
    before = snapshot(folder)
    try:
        proc = laqs("visits", store=db, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "Any Borough" in proc.stdout
        assert snapshot(folder) == before
    finally:
        _restore(db)
    # writable again, the next open migrates it as usual
    Store(db).close()
    assert "drafts" in {r["name"] for r in db_rows(db, "SELECT name FROM sqlite_master")}


# --- user text printed inert --------------------------------------------------------------------------------------


@pytest.fixture()
def hostile_store(tmp_path):
    db = tmp_path / "laqs.db"
    org = f"Evil{HOSTILE} Borough"
    visit = seed(db, organisation=org, answer=f"Reports{HOSTILE} are timely")
    return db, visit, org


def test_visits_search_show_and_dashboard_print_user_text_inert(hostile_store, tmp_path):
    db, visit, org = hostile_store
    outputs = {
        "visits": laqs("visits", store=db, cwd=tmp_path),
        "show": laqs("visits", "show", visit[:8], store=db, cwd=tmp_path),
        "search": laqs("search", "pwned", store=db, cwd=tmp_path),
        "dashboard": laqs("dashboard", org, "--year", "2026/27", store=db, cwd=tmp_path),
    }
    for name, proc in outputs.items():
        assert proc.returncode == 0, (name, proc.stderr)
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout, name
    assert f"Evil{SHOWN} Borough" in outputs["visits"].stdout
    show = outputs["show"].stdout
    assert f"Evil{SHOWN} Borough (LA)" in show
    assert f"Reports{SHOWN} are timely" in show
    assert f"Revise {SHOWN} policy — J {SHOWN} Smith, 2026-12-15" in show
    assert "present: Jo␛[31m Bloggs (Head␇ of SI)" in show
    assert "␛]0;[pwned]␇" in outputs["search"].stdout  # the snippet, match marked
    assert f"Evil{SHOWN} Borough — 2.4" in outputs["search"].stdout
    assert outputs["dashboard"].stdout.startswith(f"Local authority: Evil{SHOWN} Borough (2026/27)")


def test_json_output_keeps_user_text_exact(hostile_store, tmp_path):
    db, visit, org = hostile_store
    rows = json.loads(laqs("visits", "--json", store=db, cwd=tmp_path).stdout)
    assert rows[0]["organisation"] == org
    data = json.loads(laqs("visits", "show", visit[:8], "--json", store=db, cwd=tmp_path).stdout)
    assert data["responses"][0]["text"] == f"Reports{HOSTILE} are timely"
    assert data["actions"][0]["text"] == f"Revise {HOSTILE} policy"
    hits = json.loads(laqs("search", "pwned", "--json", store=db, cwd=tmp_path).stdout)
    assert hits[0]["text"] == f"Reports{HOSTILE} are timely"
    board = json.loads(laqs("dashboard", org, "--year", "2026/27", "--json", store=db, cwd=tmp_path).stdout)
    assert board["title"] == f"{org} (2026/27)"
    # and the JSON text itself carries no raw control character: json escapes them
    raw = laqs("visits", "show", visit[:8], "--json", store=db, cwd=tmp_path).stdout
    assert "\x1b" not in raw and "\\u001b" in raw


# --- no traceback, whatever the output encoding ------------------------------------------------------------------


def test_cli_output_in_ascii_does_not_fail(hostile_store, tmp_path):
    db, visit, org = hostile_store
    for args in (["visits"], ["visits", "show", visit[:8]], ["search", "pwned"]):
        proc = laqs(*args, store=db, cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and "\x1b" not in proc.stdout


# --- the bare app in a terminal -----------------------------------------------------------------------------------


def _app_in_a_terminal(cwd: Path, *args: str, seconds: float = 20) -> tuple[subprocess.Popen, int]:
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", LAQS_CONFIG=str(cwd / "no-settings.toml"))
    env.pop("LAQS_STORE", None)
    proc = subprocess.Popen([sys.executable, "-m", "laqs_assist", *args], stdin=slave, stdout=slave, stderr=slave,
                            cwd=cwd, env=env, start_new_session=True)
    os.close(slave)
    return proc, master


def _drain(master: int, until, seconds: float = 30) -> bytes:
    import select
    import time

    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until(out):
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    return out


def test_the_app_in_a_terminal_makes_only_the_default_store_folder(tmp_path):
    import signal

    proc, master = _app_in_a_terminal(tmp_path)
    try:
        _drain(master, lambda _: (tmp_path / "store" / "laqs.db").exists())
        assert (tmp_path / "store" / "laqs.db").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        os.close(master)


def test_the_app_in_a_terminal_refuses_a_store_folder_that_does_not_exist(tmp_path):
    db = tmp_path / "no" / "such" / "laqs.db"
    proc, master = _app_in_a_terminal(tmp_path, "--store", str(db))
    out = _drain(master, lambda o: False)  # to the end: reading fails once the process has gone
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 2
    text = out.decode("utf-8", "replace")
    assert f"laqs: error: no folder {db.parent} for the store (create it first, or choose another --store)" in text
    assert "Traceback" not in text and not (tmp_path / "no").exists()
