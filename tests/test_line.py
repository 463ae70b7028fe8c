"""Line mode as a real process: a scripted interview piped into `laqs chat`, then the store checked row by row;
the JSON commands on that store; bad input in the CLI and in the chat; stores that must not be touched."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest_store import assert_one_line_failure, db_rows, db_value, file_hash, run_laqs

from laqs_assist.store import Store

CHAT = ["chat", "--org", "Any Borough", "--phase", "P", "--focus", "2.4", "--person", "Jo Bloggs:Head of SI",
        "--date", "2026-11-20"]

# Each line is one thing an adviser types. Comments say what it must leave in the store.
SCRIPT = [
    "The LA risk register is reviewed monthly with moderation by SIPs",  # R1 -> A3.2.4.1
    "/met 2.4.G.1",  # judgement P 2.4.G.1 met, linked to R1
    "/partly 2.4.G.2",
    "/count 2.4.report-features 5",  # two of seven missing: capped at NI
    "/impact some",  # the current aspect (2.4)
    "Reports are timely but lack challenge",  # R2 -> A3.2.4.2
    "/back",
    "Reports are timely and accurate but lack evidence of challenge",  # R2 replaced; old text kept
    "maybe",  # A3.2.4.3 wants yes or no: refused, nothing recorded
    "yes, the MIS draws on every SIP report",  # R3 -> A3.2.4.3 (value yes)
    "/jump 1.5",
    "yes, 85% of schools set targets in line",  # R4 -> A3.1.5.1
    "/value 1.5.targets-in-line 85",
    "/action Moderate SIP reports termly | Jo Bloggs | 2026-12-15",
    "no, one officer's performance is weak",  # R5 -> A3.1.5.3 (A3.1.5.2 is about Early Years: not asked), flagged
    "/flag",
    "/note 2.4 Risk register shared with the director",  # R6, a note on 2.4
    "/jump 9.9",
    "/met NOPE",
    "/end",
    "An answer after the end",  # refused: the visit has ended
    "/override 2.4 P NI",  # refused: no reason
    "/override 2.4 P G reports are better than the criteria suggest",
    "/self 2.4 P OS",
    "/quit",
]

RESPONSES = [
    ("2.4", "A3.2.4.1", "The LA risk register is reviewed monthly with moderation by SIPs", None, 0),
    ("2.4", "A3.2.4.2", "Reports are timely and accurate but lack evidence of challenge", None, 0),
    ("2.4", "A3.2.4.3", "yes, the MIS draws on every SIP report", "yes", 0),
    ("1.5", "A3.1.5.1", "yes, 85% of schools set targets in line", "yes", 0),
    ("1.5", "A3.1.5.3", "no, one officer's performance is weak", None, 1),
    ("2.4", None, "Risk register shared with the director", None, 0),
]


@pytest.fixture(scope="module")
def interview(tmp_path_factory):
    root = tmp_path_factory.mktemp("line")
    db = root / "laqs.db"
    proc = subprocess.run([sys.executable, "-m", "laqs_assist", "--store", str(db), *CHAT],
                          input="\n".join(SCRIPT) + "\n", capture_output=True, text=True, encoding="utf-8",
                          cwd=root, timeout=120)
    visit_id = db_value(db, "SELECT id FROM visits")
    return {"db": db, "proc": proc, "visit": visit_id, "root": root}


def test_the_scripted_chat_names_its_failed_lines_and_exits_2(interview):
    """Five lines of the script fail on purpose: each is named on stderr by its line number, the count closes the
    run, the exit code is 2, and every other line was still recorded (the tests below check the rows)."""
    proc = interview["proc"]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "laqs: line 9: answer yes, no or partly first (detail can follow: 'yes, because …')",
        "laqs: line 18: unknown aspect '9.9' (known: 1.1, 1.2, 1.3, 1.4, 1.5, 2.1, 2.2, 2.3, 2.4, 2.5)",
        "laqs: line 19: unknown criterion 'NOPE' (see `laqs packs show`)",
        "laqs: line 21: this visit has ended: its answers can be read but not added to",
        "laqs: line 22: give aspect, phase, rating and a reason, e.g. /override 2.4 P NI reports lack rigour",
        f"laqs: 5 of {len(SCRIPT)} input lines failed; every other line was recorded",
    ]
    out = proc.stdout.splitlines()
    assert out[0].startswith(f"Visit {interview['visit'][:8]} — Any Borough — ")
    assert sum(1 for line in out if line.startswith("✓ saved (")) == 7  # 5 answers, 1 re-answer, 1 note


def test_the_transcript_echoes_each_line_before_its_result(interview):
    out = interview["proc"].stdout.splitlines()
    echoed = [line[2:] for line in out if line.startswith("> ")]
    assert echoed == SCRIPT
    first = out.index("> " + SCRIPT[0])
    assert out[first + 1].startswith("✓ saved (")
    met = out.index("> /met 2.4.G.1")
    assert out[met + 1] == "✓ 2.4.G.1 met"


def test_chat_errors_are_one_line_and_the_session_continues(interview):
    out = interview["proc"].stdout.splitlines()
    errors = [line for line in out if line.startswith("! ")]
    assert len(errors) == 5, errors
    assert "yes, no or partly" in errors[0]
    assert "9.9" in errors[1]
    assert "NOPE" in errors[2]
    assert "ended" in errors[3]
    assert "reason" in errors[4]
    # each error is followed by more of the session, not the end of it
    for e in errors[:3]:
        assert out.index(e) < len(out) - 1
    i = out.index(errors[0])
    assert any(line.startswith("✓ saved (") for line in out[i + 1:i + 4])
    assert any(line.startswith("✓ 2.4 P overridden to G") for line in out[out.index(errors[4]):])


def test_visit_row(interview):
    db = interview["db"]
    (v,) = db_rows(db, "SELECT v.*, o.name AS org, o.kind FROM visits v JOIN organisations o "
                       "ON o.id = v.organisation_id")
    assert (v["org"], v["kind"], v["agenda_id"], v["pack_id"]) == ("Any Borough", "LA", "la-contacts", "ns2009")
    assert json.loads(v["phases"]) == ["P"] and json.loads(v["focus"]) == ["2.4"]
    assert (v["date"], v["academic_year"], v["status"]) == ("2026-11-20", "2026/27", "ended")
    assert v["ended_at"]
    people = db_rows(db, "SELECT p.name, vp.role FROM visit_people vp JOIN people p ON p.id = vp.person_id "
                         "WHERE vp.visit_id = ?", [v["id"]])
    assert people == [{"name": "Jo Bloggs", "role": "Head of SI"}]


def test_every_response_row(interview):
    db = interview["db"]
    rows = db_rows(db, "SELECT * FROM responses ORDER BY created_at, rowid")
    assert [(r["aspect_id"], r["question_id"], r["text"], r["value"], r["concerns_individual"]) for r in rows] == \
        RESPONSES
    assert all(r["visit_id"] == interview["visit"] and r["academic_year"] == "2026/27" for r in rows)
    items = {i["id"]: i for i in db_rows(db, "SELECT * FROM visit_items WHERE visit_id = ?", [interview["visit"]])}
    for r in rows:
        if r["question_id"] is None:
            assert r["item_id"] is None
            continue
        item = items[r["item_id"]]
        assert item["question_id"] == r["question_id"] and item["status"] == "answered"
        assert item["response_id"] == r["id"]
    assert sum(1 for i in items.values() if i["status"] == "answered") == 5
    assert all(i["status"] == "pending" for i in items.values() if i["status"] != "answered")
    # the refused lines left nothing behind
    texts = {r["text"] for r in rows}
    assert "maybe" not in texts and "An answer after the end" not in texts


def test_edited_response_keeps_its_old_text(interview):
    db = interview["db"]
    versions = db_rows(db, "SELECT rv.text, r.question_id, r.text AS now FROM response_versions rv "
                           "JOIN responses r ON r.id = rv.response_id")
    assert versions == [{"text": "Reports are timely but lack challenge", "question_id": "A3.2.4.2",
                         "now": "Reports are timely and accurate but lack evidence of challenge"}]


def test_flagged_response(interview):
    flagged = db_rows(interview["db"], "SELECT question_id, text FROM responses WHERE concerns_individual = 1")
    assert flagged == [{"question_id": "A3.1.5.3", "text": "no, one officer's performance is weak"}]


def test_every_judgement_row(interview):
    db = interview["db"]
    r1 = db_value(db, "SELECT id FROM responses WHERE question_id = 'A3.2.4.1'")
    r4 = db_value(db, "SELECT id FROM responses WHERE question_id = 'A3.1.5.1'")
    rows = db_rows(db, "SELECT phase, aspect_id, target, kind, state, value, response_id, visit_id, "
                       "academic_year FROM judgements ORDER BY seq")
    assert [(j["phase"], j["aspect_id"], j["target"], j["kind"], j["state"], j["value"], j["response_id"])
            for j in rows] == [
        ("P", "2.4", "2.4.G.1", "state", "met", None, r1),
        ("P", "2.4", "2.4.G.2", "state", "partly", None, r1),
        ("P", "2.4", "2.4.report-features", "count", None, 5.0, r1),
        ("P", "2.4", "2.4", "impact", "some", None, r1),
        ("P", "1.5", "1.5.targets-in-line", "value", None, 85.0, r4),
    ]
    assert all(j["visit_id"] == interview["visit"] and j["academic_year"] == "2026/27" for j in rows)


def test_action_row(interview):
    rows = db_rows(interview["db"], "SELECT text, owner, due_date, status, aspect_id, visit_id FROM actions")
    assert rows == [{"text": "Moderate SIP reports termly", "owner": "Jo Bloggs", "due_date": "2026-12-15",
                     "status": "open", "aspect_id": "1.5", "visit_id": interview["visit"]}]


def test_ratings_rows(interview):
    rows = db_rows(interview["db"], "SELECT phase, aspect_id, suggestion, override, override_reason, "
                                    "self_evaluation, accepted FROM ratings ORDER BY aspect_id")
    assert [(r["phase"], r["aspect_id"]) for r in rows] == [("P", "1.5"), ("P", "2.4")]
    r15, r24 = rows
    assert (r15["override"], r15["override_reason"], r15["self_evaluation"]) == (None, None, None)
    assert r15["suggestion"] is not None  # snapshot at /end: 85% in line is evidence
    assert r24["suggestion"] == "NI"  # two report features missing cap 2.4 at NI
    assert (r24["override"], r24["override_reason"], r24["self_evaluation"], r24["accepted"]) == (
        "G", "reports are better than the criteria suggest", "OS", 1)


def test_events_hold_one_event_per_change(interview):
    db = interview["db"]
    vid = interview["visit"]
    events = db_rows(db, "SELECT * FROM events ORDER BY seq")
    by_kind: dict[str, list[dict]] = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    assert {k: len(v) for k, v in by_kind.items()} == {
        "organisation.add": 1, "person.add": 1, "visit.start": 1, "response.add": 6, "response.edit": 1,
        "judgement": 5, "action.add": 1, "response.flag": 1, "visit.ended": 1, "rating.update": 2,
    }
    # each event names the row it changed
    responses = {r["id"] for r in db_rows(db, "SELECT id FROM responses")}
    assert {e["entity"] for e in by_kind["response.add"]} == responses
    assert {e["entity"] for e in by_kind["judgement"]} == {r["id"] for r in db_rows(db, "SELECT id FROM judgements")}
    assert [e["entity"] for e in by_kind["action.add"]] == [db_value(db, "SELECT id FROM actions")]
    flagged = db_value(db, "SELECT id FROM responses WHERE concerns_individual = 1")
    assert [e["entity"] for e in by_kind["response.flag"]] == [flagged]
    edit = json.loads(by_kind["response.edit"][0]["payload"])
    assert edit == {"old": "Reports are timely but lack challenge",
                    "new": "Reports are timely and accurate but lack evidence of challenge"}
    ratings24 = db_value(db, "SELECT id FROM ratings WHERE aspect_id = '2.4'")
    assert [e["entity"] for e in by_kind["rating.update"]] == [ratings24, ratings24]
    payloads = [json.loads(e["payload"]) for e in by_kind["rating.update"]]
    assert payloads[0]["override"] == "G" and payloads[1]["self_evaluation"] == "OS"
    assert all(e["visit_id"] == vid for e in events if e["kind"] not in ("organisation.add", "person.add"))
    # and in the order the adviser worked
    kinds = [e["kind"] for e in events if e["visit_id"] == vid]
    assert kinds == ["visit.start", "response.add", "judgement", "judgement", "judgement", "judgement",
                     "response.add", "response.edit", "response.add", "response.add", "judgement", "action.add",
                     "response.add", "response.flag", "response.add", "visit.ended", "rating.update",
                     "rating.update"]


# --- the JSON commands on that store ------------------------------------------------------------------------------


def test_visits_json(interview):
    proc = run_laqs("visits", "--json", store=interview["db"], cwd=interview["root"])
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 1
    v = rows[0]
    assert (v["id"], v["organisation"], v["status"], v["date"], v["responses"]) == (
        interview["visit"], "Any Borough", "ended", "2026-11-20", 6)
    assert v["phases"] == ["P"] and v["focus"] == ["2.4"] and v["agenda_id"] == "la-contacts"


def test_visits_show_json(interview):
    proc = run_laqs("visits", "show", interview["visit"][:8], "--json", store=interview["db"], cwd=interview["root"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["visit"]["id"] == interview["visit"] and data["visit"]["status"] == "ended"
    assert data["visit"]["people"] == [{"name": "Jo Bloggs", "role": "Head of SI"}]
    assert [(r["aspect_id"], r["question_id"], r["text"], r["value"], r["concerns_individual"])
            for r in data["responses"]] == RESPONSES
    assert [(j["target"], j["kind"]) for j in data["judgements"]] == [
        ("2.4.G.1", "state"), ("2.4.G.2", "state"), ("2.4.report-features", "count"), ("2.4", "impact"),
        ("1.5.targets-in-line", "value")]
    assert [(a["text"], a["owner"], a["due_date"]) for a in data["actions"]] == [
        ("Moderate SIP reports termly", "Jo Bloggs", "2026-12-15")]
    assert [(r["aspect_id"], r["override"], r["self_evaluation"]) for r in data["ratings"]] == [
        ("1.5", None, None), ("2.4", "G", "OS")]


def test_search_json(interview):
    proc = run_laqs("search", "moderation", "--json", store=interview["db"], cwd=interview["root"])
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert len(hits) == 1
    h = hits[0]
    assert (h["visit_id"], h["organisation"], h["aspect_id"], h["question_id"], h["date"]) == (
        interview["visit"], "Any Borough", "2.4", "A3.2.4.1", "2026-11-20")
    assert h["text"] == RESPONSES[0][2]
    proc = run_laqs("search", "register", "--json", store=interview["db"], cwd=interview["root"])
    assert {h["text"] for h in json.loads(proc.stdout)} == {RESPONSES[0][2], RESPONSES[5][2]}
    proc = run_laqs("search", "zebra", "--json", store=interview["db"], cwd=interview["root"])
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


@pytest.mark.parametrize("prefix", ["moderat", "moderati", "moderatio"])
def test_search_finds_a_word_by_any_prefix(interview, prefix):
    """The last word is a prefix match: every prefix of 'moderation' must find it, not only those that happen to be
    prefixes of its Porter stem ('moder')."""
    proc = run_laqs("search", prefix, "--json", store=interview["db"], cwd=interview["root"])
    assert proc.returncode == 0, proc.stderr
    assert [h["text"] for h in json.loads(proc.stdout)] == [RESPONSES[0][2]]


def test_search_of_punctuation_is_one_line(interview):
    assert_one_line_failure(run_laqs("search", "?!", store=interview["db"], cwd=interview["root"]))


# --- bad input in the CLI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["chat", "--org", "X", "--agenda", "nope"], "nope"),
    (["chat", "--org", "X", "--focus", "9.9"], "9.9"),
    (["chat", "--org", "X", "--phase", "Nursery"], "Nursery"),
    (["chat", "--org", "X", "--date", "someday"], "someday"),
    (["chat"], "--org"),
    (["chat", "--resume", "deadbeef"], "deadbeef"),
    (["visits", "show", "zzzz"], "zzzz"),
    (["visits", "--org", "Nowhere"], "Nowhere"),
])
def test_cli_bad_input_is_one_line_exit_2_and_leaves_the_store_alone(interview, tmp_path, args, words):
    db = tmp_path / "laqs.db"
    shutil.copyfile(interview["db"], db)
    before = file_hash(db)
    proc = run_laqs(*args, store=db, input="/quit\n", cwd=tmp_path)
    line = assert_one_line_failure(proc)
    assert words in line
    assert db_value(db, "SELECT count(*) FROM visits") == 1
    assert file_hash(db) == before


# --- stores that cannot be used -----------------------------------------------------------------------------------


def _fresh_store(path: Path) -> None:
    with Store(path) as st:
        org = st.ensure_organisation("Any Borough")
        v = st.create_visit(organisation_id=org["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                            focus=[], day="2026-11-20")
        st.add_response(visit=v, item=None, aspect_id="2.4", text="kept as it was")


STORE_COMMANDS = [
    ["chat", "--org", "Any Borough", "--phase", "P"],
    ["visits"],
    ["visits", "--json"],
    ["search", "kept"],
]


@pytest.mark.parametrize("junk", [b"this is not a database\n" * 40, b"junk", b"\x00" * 4096,
                                  b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_store_that_is_not_sqlite(tmp_path, junk):
    db = tmp_path / "laqs.db"
    db.write_bytes(junk)
    for args in STORE_COMMANDS:
        proc = run_laqs(*args, store=db, input="yes\n/quit\n", cwd=tmp_path)
        line = assert_one_line_failure(proc)
        assert str(db) in line or "store" in line
        assert db.read_bytes() == junk


def test_a_store_from_a_newer_schema(tmp_path):
    db = tmp_path / "laqs.db"
    _fresh_store(db)
    conn = sqlite3.connect(str(db))
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('laqs', '9999_future', '2030-01-01 00:00:00')")
    conn.commit()
    conn.close()
    before = file_hash(db)
    for args in STORE_COMMANDS:
        proc = run_laqs(*args, store=db, input="yes, an answer\n/quit\n", cwd=tmp_path)
        line = assert_one_line_failure(proc)
        assert "newer" in line and "9999_future" in line
        assert file_hash(db) == before
    assert db_value(db, "SELECT count(*) FROM responses") == 1


def test_a_sqlite_file_of_another_application_is_not_taken_over(tmp_path):
    """--store pointed at some other program's SQLite database (it has tables, none of ours) is bad input: laqs
    must not add its schema to it or switch it to WAL."""
    db = tmp_path / "contacts.db"
    conn = sqlite3.connect(str(db))
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ann')")
    conn.commit()
    conn.close()
    before = file_hash(db)
    for args in STORE_COMMANDS[1:2]:
        proc = run_laqs(*args, store=db, cwd=tmp_path)
        assert_one_line_failure(proc)
        assert file_hash(db) == before
    tables = {r["name"] for r in db_rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"contacts"}


def _readonly_store(parent: Path) -> Path:
    folder = parent / "ro"
    folder.mkdir()
    db = folder / "laqs.db"
    _fresh_store(db)
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    return db


def _run_as(uid: int, gid: int, args: list[str], stdin_text: str, workdir: Path) -> tuple[int, str, str]:
    """Run the CLI in a forked child that has dropped to uid/gid: the interpreter under /root is unreadable to
    other users, so a fresh `python` cannot be started as them. Everything the command imports is loaded here
    first."""
    import laqs_assist.cli as cli
    import laqs_assist.line  # noqa: F401
    import laqs_assist.session  # noqa: F401

    inp, out, err = workdir / "stdin.txt", workdir / "stdout.txt", workdir / "stderr.txt"
    inp.write_text(stdin_text, encoding="utf-8")
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 99
        try:
            fi = os.open(inp, os.O_RDONLY)
            fo = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            fe = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            sys.stdin = io.TextIOWrapper(io.FileIO(fi, "r"), encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.FileIO(fo, "w"), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(io.FileIO(fe, "w"), encoding="utf-8")
            code = cli.main(args)
        except BaseException as exc:  # noqa: BLE001
            try:
                os.write(fe, f"Traceback-like child failure: {exc!r}\n".encode())
            except OSError:
                pass
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else 98)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")


def test_a_read_only_store_as_an_ordinary_user():
    work = Path(tempfile.mkdtemp(prefix="laqs-ro-", dir="/tmp"))
    try:
        os.chmod(work, 0o755)
        db = _readonly_store(work)
        before = file_hash(db)
        # Recording refuses the store in one line; reading it shows what it holds, with one notice.
        for args, want in ((STORE_COMMANDS[0], 2), (STORE_COMMANDS[1], 0)):
            if os.geteuid() == 0:
                code, out, err = _run_as(65534, 65534, ["--store", str(db), *args], "yes, an answer\n/quit\n", work)
            else:
                proc = run_laqs(*args, store=db, input="yes, an answer\n/quit\n", cwd=work)
                code, out, err = proc.returncode, proc.stdout, proc.stderr
            assert code == want, (code, out, err)
            assert "Traceback" not in err and len(err.splitlines()) == 1, err
            assert "read-only" in err
            if want == 0:
                assert "Any Borough" in out and "1 answers" in out
            assert file_hash(db) == before
            assert sorted(p.name for p in db.parent.iterdir()) == ["laqs.db"]
    finally:
        os.chmod(work / "ro", 0o755)
        shutil.rmtree(work)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root bypasses file permissions")
def test_a_read_only_store_as_root_is_not_written(tmp_path):
    """Root can write through 0444, so os.access() cannot tell the store is meant to be read-only; the store's
    mode bits still say so, and a store copied read-only for browsing must not change under a root user."""
    db = _readonly_store(tmp_path)
    before = file_hash(db)
    try:
        proc = run_laqs(*STORE_COMMANDS[0], store=db, input="yes, an answer\n/quit\n", cwd=tmp_path)
        after = file_hash(db)
    finally:
        os.chmod(db.parent, 0o755)
    assert after == before, "the read-only store was written"
    line = assert_one_line_failure(proc)
    assert "read-only" in line


def test_the_app_without_a_terminal_says_to_use_line_mode(tmp_path):
    """`laqs` with no command needs a terminal; piped, it says so in one line instead of drawing escape codes."""
    proc = subprocess.run([sys.executable, "-m", "laqs_assist", "--store", str(tmp_path / "x.db")],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "laqs chat" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.db").exists()
