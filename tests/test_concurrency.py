"""Several real processes writing to one store at once: no error, no lost row, a sound file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest_store import db_rows, db_value

from laqs_assist.packs import load_pack  # noqa: F401  (the workers import the same package)
from laqs_assist.store import Store
from laqs_assist.store.versions import MIGRATIONS

WORKER = r'''
import json, os, sys, time
from laqs_assist.store import Store

path, tag, n, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
go = path + ".go"
while not os.path.exists(go):  # start together, for as much contention as possible
    time.sleep(0.002)
store = Store(path)
ids = []
if mode == "own":
    org = store.ensure_organisation(f"Borough {tag}")
    visit = store.create_visit(organisation_id=org["id"], pack_id="ns2009", agenda_id="la-contacts",
                               phases=["P"], focus=[], day="2026-11-20")
    for i in range(n):
        ids.append(store.add_response(visit=visit, item=None, aspect_id="2.4", text=f"{tag} answer {i}")["id"])
elif mode == "shared":
    visit = store.visit(sys.argv[5])
    for i in range(n):
        ids.append(store.add_response(visit=visit, item=None, aspect_id="2.4", text=f"{tag} answer {i}")["id"])
elif mode == "session":
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.session import Session
    s = Session.resume(store, load_pack(default_pack_path()), sys.argv[5])
    for i in range(n):
        if s.current() is None:
            break
        text = f"yes, {tag} answer {i}"
        ids.append([s.answer(text)["id"], text])
store.close()
print(json.dumps(ids))
'''


def _run_workers(tmp_path: Path, db: Path, specs: list[list[str]], settle: float = 0.5) -> list[list[str]]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    go = Path(str(db) + ".go")
    if go.exists():
        go.unlink()
    procs = [subprocess.Popen([sys.executable, str(script), str(db), *spec], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for spec in specs]
    time.sleep(settle)  # let every worker reach the start line; correctness does not depend on it
    go.touch()
    results = []
    failures = []
    for spec, p in zip(specs, procs):
        out, err = p.communicate(timeout=600)
        if p.returncode != 0 or err.strip():
            failures.append((spec[0], p.returncode, err.strip().splitlines()[-1:] if err.strip() else ""))
        else:
            results.append(json.loads(out))
    assert failures == [], failures
    return results


def _sound(db: Path) -> None:
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_four_processes_by_500_answers_into_one_store(tmp_path):
    db = tmp_path / "laqs.db"
    Store(db).close()
    results = _run_workers(tmp_path, db, [[tag, "500", "own"] for tag in "abcd"])
    assert [len(r) for r in results] == [500] * 4
    assert db_value(db, "SELECT count(*) FROM responses") == 2000
    assert db_value(db, "SELECT count(DISTINCT visit_id) FROM responses") == 4
    for tag in "abcd":
        texts = {r["text"] for r in db_rows(db, "SELECT text FROM responses WHERE text LIKE ?", [f"{tag} %"])}
        assert texts == {f"{tag} answer {i}" for i in range(500)}
    ids = {i for r in results for i in r}
    assert ids == {r["id"] for r in db_rows(db, "SELECT id FROM responses")}
    assert db_value(db, "SELECT count(*) FROM events WHERE kind = 'response.add'") == 2000
    _sound(db)


def test_processes_creating_a_new_store_at_once(tmp_path):
    """Several `laqs` processes opening the same not-yet-existing store must all succeed: one creates and migrates
    it, the others wait for it. Repeated, because the collision window is small."""
    for round_no in range(20):
        db = tmp_path / f"new{round_no}.db"
        results = _run_workers(tmp_path, db, [[f"{tag}{round_no}", "3", "own"] for tag in "abcd"], settle=0.3)
        assert [len(r) for r in results] == [3] * 4
        assert db_value(db, "SELECT count(*) FROM responses") == 12
        assert [r["name"] for r in db_rows(db, "SELECT name FROM _sqlite_migrations")] == list(MIGRATIONS)
        _sound(db)


def test_two_processes_answering_in_the_same_visit_lose_nothing(tmp_path):
    db = tmp_path / "laqs.db"
    with Store(db) as st:
        org = st.ensure_organisation("Any Borough")
        visit = st.create_visit(organisation_id=org["id"], pack_id="ns2009", agenda_id="la-contacts",
                                phases=["P"], focus=[], day="2026-11-20")
    results = _run_workers(tmp_path, db, [["x", "400", "shared", visit["id"]], ["y", "400", "shared", visit["id"]]])
    assert [len(r) for r in results] == [400, 400]
    rows = db_rows(db, "SELECT id, text FROM responses WHERE visit_id = ?", [visit["id"]])
    assert len(rows) == 800
    assert {r["id"] for r in rows} == set(results[0]) | set(results[1])
    assert {r["text"] for r in rows} == {f"{t} answer {i}" for t in "xy" for i in range(400)}
    _sound(db)


def test_two_sessions_answering_the_same_visit_lose_no_acknowledged_answer(tmp_path):
    """Two processes on one visit: where both answer the same question, it keeps one answer and the other text
    in that answer's history; every acknowledged text is in the store."""
    from laqs_assist.paths import default_pack_path
    from laqs_assist.session import Session

    db = tmp_path / "laqs.db"
    with Store(db) as st:
        s = Session.start(st, load_pack(default_pack_path()), agenda_id="la-contacts", organisation="Any Borough",
                          phases=["P"], day="2026-11-20")
        vid = s.id
    results = _run_workers(tmp_path, db, [["x", "20", "session", vid], ["y", "20", "session", vid]])
    acknowledged = [tuple(pair) for result in results for pair in result]
    assert len(acknowledged) == 40
    current = {r["id"]: r["text"] for r in db_rows(db, "SELECT id, text FROM responses WHERE visit_id = ?", [vid])}
    history: dict[str, set[str]] = {}
    for v in db_rows(db, "SELECT response_id, text FROM response_versions"):
        history.setdefault(v["response_id"], set()).add(v["text"])
    for response_id, text in acknowledged:
        assert response_id in current
        assert text == current[response_id] or text in history.get(response_id, set())
    # one answer per question: every answered item points at its own stored answer
    answered = db_rows(db, "SELECT id, response_id FROM visit_items WHERE visit_id = ? AND status = 'answered'",
                       [vid])
    assert answered and {a["response_id"] for a in answered} == set(current)
    assert len(answered) == len(current)
    assert db_value(db, "SELECT count(*) FROM responses WHERE visit_id = ? GROUP BY item_id "
                        "ORDER BY count(*) DESC LIMIT 1", [vid]) == 1
    positions = [r["position"] for r in db_rows(db, "SELECT position FROM visit_items WHERE visit_id = ? "
                                                    "ORDER BY position", [vid])]
    assert positions == list(range(len(positions)))
    _sound(db)
