"""Answers reach the full-text index in batches: search never misses one, edits keep the index in step, a killed
process leaves nothing unsearchable, and a store made before batching is migrated with its index intact."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

from conftest_store import db_value, pack, store, store_path  # noqa: F401  (fixtures)
from sqlite_utils import Database

from laqs_assist.session import Session
from laqs_assist.store import Store
from laqs_assist.store.schema import KNOWN, migrations


def _visit(st: Store, org: str = "Any Borough") -> dict:
    o = st.ensure_organisation(org)
    return st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                           focus=[], day="2026-11-20")


def _indexed_to(st: Store) -> int:
    return st.conn.execute("SELECT indexed_to FROM search_state").fetchone()[0]


def _in_index(st: Store, word: str) -> int:
    """Rows the FTS index itself holds for a word, without the catch-up that search() does first."""
    return st.conn.execute("SELECT count(*) FROM responses_fts WHERE responses_fts MATCH ?", [word]).fetchone()[0]


def _fts_sound(st: Store) -> None:
    st.conn.execute("INSERT INTO responses_fts(responses_fts) VALUES ('integrity-check')")


def test_a_search_finds_answers_still_waiting_for_their_batch(store):
    v = _visit(store)
    first = store.add_response(visit=v, item=None, aspect_id="2.4", text="kestrel moderation in the autumn")
    pending = store.add_response(visit=v, item=None, aspect_id="2.4", text="heron moderation in the spring")
    assert _in_index(store, "heron") == 0  # the second answer waits for its batch ...
    assert [h["id"] for h in store.search("heron")] == [pending["id"]]  # ... and a search brings it in
    assert {h["id"] for h in store.search("moderation")} == {first["id"], pending["id"]}
    assert _indexed_to(store) == db_value(store.path, "SELECT max(rowid) FROM responses")
    _fts_sound(store)


def test_a_full_batch_goes_into_the_index_without_a_search(store):
    v = _visit(store)
    store.add_response(visit=v, item=None, aspect_id="1.1", text="opening answer")
    start = _indexed_to(store)
    for k in range(Store.SEARCH_BATCH):
        store.add_response(visit=v, item=None, aspect_id="1.1", text=f"plover answer {k}")
    assert _indexed_to(store) == start + Store.SEARCH_BATCH
    assert _in_index(store, "plover") == Store.SEARCH_BATCH
    _fts_sound(store)


def test_edits_before_and_after_indexing_leave_only_the_current_text_searchable(store):
    v = _visit(store)
    indexed = store.add_response(visit=v, item=None, aspect_id="2.4", text="original wording alpha")
    store.index_pending()
    waiting = store.add_response(visit=v, item=None, aspect_id="2.4", text="original wording beta")
    store.edit_response(indexed["id"], "revised wording gamma")  # in the index: kept in step at once
    store.edit_response(waiting["id"], "revised wording delta")  # not yet: indexed later with its current text
    assert _in_index(store, "gamma") == 1 and _in_index(store, "alpha") == 0
    assert _in_index(store, "delta") == 0 and _in_index(store, "beta") == 0
    assert [h["id"] for h in store.search("delta")] == [waiting["id"]]
    assert store.search("beta") == [] and store.search("alpha") == []
    assert {h["id"] for h in store.search("revised")} == {indexed["id"], waiting["id"]}
    _fts_sound(store)


def test_pausing_ending_and_closing_leave_nothing_waiting(store_path, pack):
    st = Store(store_path)
    s = Session.start(st, pack, agenda_id="la-contacts", organisation="Any Borough", day="2026-11-20")
    s.answer("yes, curlew answer one")
    s.pause()
    assert _in_index(st, "curlew") == 1
    s = Session.resume(st, pack, s.id)
    s.answer("yes, dunlin answer two")
    s.end()
    assert _in_index(st, "dunlin") == 1
    s2 = Session.start(st, pack, agenda_id="la-contacts", organisation="Any Borough", day="2026-11-21")
    s2.answer("yes, godwit answer three")
    st.close()
    st = Store(store_path)
    try:
        assert _in_index(st, "godwit") == 1
        _fts_sound(st)
    finally:
        st.close()


WORKER = """
import sys
from laqs_assist.store import Store
st = Store(sys.argv[1])
o = st.ensure_organisation("Killed Borough")
v = st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"], focus=[],
                    day="2026-11-20")
for k in range(int(sys.argv[2])):
    st.add_response(visit=v, item=None, aspect_id="2.4", text=f"sandpiper answer {k}")
    print(k, flush=True)
sys.stdin.readline()  # killed here, with answers waiting for their batch
"""


def test_answers_waiting_when_a_process_is_killed_are_found_by_the_next_search(tmp_path):
    db = tmp_path / "laqs.db"
    n = Store.SEARCH_BATCH + Store.SEARCH_BATCH // 2 + 3  # one batch indexed, the rest waiting
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(db), str(n)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    for _ in range(n):
        assert proc.stdout.readline().strip()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdin.close()
    proc.stdout.close()
    raw = sqlite3.connect(str(db))
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        waiting = raw.execute("SELECT count(*) FROM responses WHERE rowid > (SELECT indexed_to FROM search_state)"
                              ).fetchone()[0]
    finally:
        raw.close()
    assert 0 < waiting < Store.SEARCH_BATCH
    st = Store(db)
    try:
        assert len(st.search("sandpiper", limit=500)) == n
        assert _in_index(st, "sandpiper") == n
        _fts_sound(st)
    finally:
        st.close()


def test_a_store_made_before_batching_is_migrated_with_its_index_whole(tmp_path):
    db = tmp_path / "old.db"
    old = Database(str(db))
    migrations.apply(old, stop_before="0002_search_batches")
    old.execute("INSERT INTO organisations (id, name, kind, created_at) VALUES ('o1', 'Old Borough', 'LA', 't')")
    old.execute("INSERT INTO visits (id, organisation_id, pack_id, agenda_id, phases, focus, date, academic_year, "
                "status, position, created_at, updated_at) VALUES ('v1', 'o1', 'ns2009', 'la-contacts', '[\"P\"]', "
                "'[]', '2025-10-01', '2025/26', 'ended', 0, 't', 't')")
    for k in range(5):
        old.execute("INSERT INTO responses (id, visit_id, organisation_id, aspect_id, academic_year, text, "
                    "concerns_individual, created_at, updated_at) VALUES (?, 'v1', 'o1', '2.4', '2025/26', ?, 0, "
                    "'t', 't')", [f"r{k}", f"avocet answer {k}"])
    old.conn.commit()
    old.conn.close()

    st = Store(db)
    try:
        assert _indexed_to(st) == 5  # everything the old triggers indexed counts as indexed
        assert _in_index(st, "avocet") == 5
        st.edit_response("r0", "stilt answer")
        assert _in_index(st, "avocet") == 4 and _in_index(st, "stilt") == 1
        v = st.visit("v1")
        st.add_response(visit=v, item=None, aspect_id="2.4", text="avocet answer late")
        assert len(st.search("avocet")) == 5
        _fts_sound(st)
        names = [r[0] for r in st.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert names == KNOWN
    finally:
        st.close()
