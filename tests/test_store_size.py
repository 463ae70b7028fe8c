"""A team store's size: a merge that fills a new team store packs it (every page full, rows and search unchanged,
still in WAL mode); migration 0015 drops the judgements' scope index, whose work the latest-judgement index does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pool_helpers import adviser, bundle, content

from laqs_assist.store import Store, pooling
from laqs_assist.store.merge import SQLiteEngine, _purge_withdrawn
from laqs_assist.store.pooling import merge_bundles, pack


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def bundles(tmp_path):
    a = adviser(tmp_path / "a.db", "Ann Adviser", "North Borough", "2026-10-05",
                answers=("yes, moderation is timely and thorough", "no, reports reach governors late",
                         "partly, the SIP report is clear"))
    b = adviser(tmp_path / "b.db", "Bob Adviser", "South Borough", "2026-10-06",
                answers=("no, moderation of writing was rushed", "yes, governors challenge the data"))
    return [bundle(a, tmp_path / "a.bundle"), bundle(b, tmp_path / "b.bundle")]


def merge(team: Path, bundles: list[Path]) -> list[dict]:
    st = Store(team)
    try:
        return merge_bundles(st, bundles)
    finally:
        st.close()


def search(team: Path, words: str) -> list[str]:
    st = Store(team)
    try:
        return sorted(h["id"] for h in st.search(words))
    finally:
        st.close()


def test_a_merge_into_a_new_team_store_packs_it_and_changes_nothing_in_it(bundles, tmp_path, monkeypatch):
    loose = tmp_path / "loose.db"
    merge(loose, bundles)  # below PACK_AFTER: left as the merge wrote it
    calls = []
    real = pooling.pack
    monkeypatch.setattr(pooling, "pack", lambda store: (calls.append(store.path), real(store)))
    monkeypatch.setattr(pooling, "PACK_AFTER", 1)
    packed = tmp_path / "packed.db"
    merge(packed, bundles)
    assert calls == [packed]
    assert content(packed) == content(loose)
    assert rows(packed, "SELECT rowid, id FROM responses ORDER BY rowid") == \
        rows(loose, "SELECT rowid, id FROM responses ORDER BY rowid")
    assert search(packed, "moderation") == search(loose, "moderation") != []
    assert rows(packed, "PRAGMA journal_mode") == [("wal",)]
    assert rows(packed, "PRAGMA freelist_count") == [(0,)]
    assert rows(packed, "PRAGMA integrity_check") == [("ok",)]
    assert not Path(f"{packed}-wal").exists() or Path(f"{packed}-wal").stat().st_size == 0
    # merging the same bundles again adds nothing and does not pack a store that already holds answers
    again = merge(packed, bundles)
    assert all(r["already"] for r in again) and calls == [packed]
    assert content(packed) == content(loose)


def test_packing_keeps_every_answer_where_the_search_index_finds_it(bundles, tmp_path):
    team = tmp_path / "team.db"
    merge(team, bundles)
    st = Store(team)
    try:
        # a gap in the answers' rowids, as withdrawing a pooled answer leaves: packing must not close it up
        gone = st.conn.execute("SELECT id FROM responses ORDER BY rowid LIMIT 1 OFFSET 1").fetchone()[0]
        with st.write():
            _purge_withdrawn(SQLiteEngine(st.conn), [gone])
        before = st.conn.execute("SELECT rowid, id FROM responses ORDER BY rowid").fetchall()
        found = sorted(h["id"] for h in st.search("governors"))
        pack(st)
        assert st.conn.execute("SELECT rowid, id FROM responses ORDER BY rowid").fetchall() == before
        assert sorted(h["id"] for h in st.search("governors")) == found and found
        assert gone not in found
        st.conn.execute("INSERT INTO responses_fts (responses_fts, rank) VALUES ('integrity-check', 1)")  # raises if they differ
        assert st.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    finally:
        st.close()


def test_migration_0015_drops_the_scope_index_of_an_old_store(tmp_path):
    from sqlite_utils import Database

    from laqs_assist.store import schema
    from laqs_assist.store.schema import KNOWN

    path = tmp_path / "old.db"
    db = Database(str(path))
    schema.migrations.apply(db, stop_before="0015_store_size")
    db.conn.close()
    assert ("idx_judgements_scope",) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")
    with Store(path) as st:
        o = st.ensure_organisation("Any Borough")
        v = st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                            focus=[], day="2026-11-20")
        before = st.judgements_marker(o["id"], v["academic_year"], "2.4", "P")
        st.add_judgements(v, [{"phase": "P", "aspect_id": "2.4", "target": "2.4.G1", "kind": "state",
                               "state": "met"}])
        assert st.judgements_marker(o["id"], v["academic_year"], "2.4", "P") > before
    names = [r[0] for r in rows(path, "SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert names == KNOWN and names[-1] == "0015_store_size"
    indexes = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_judgements_scope" not in indexes and "idx_judgements_latest" in indexes
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


def test_should_packing_renumber_the_answers_the_search_index_is_built_again(bundles, tmp_path, monkeypatch):
    team = tmp_path / "team.db"
    merge(team, bundles)
    st = Store(team)
    try:
        found = sorted(h["id"] for h in st.search("moderation"))
        scope = st.conn.execute("SELECT organisation_id, academic_year FROM responses LIMIT 1").fetchone()
        with st.write():
            st.conn.execute("INSERT INTO rating_cache (organisation_id, academic_year, phase, basis, sources, cells, "
                            "summary, built_at) VALUES (?, ?, 'P', '', '', '[]', '{}', '')", scope)
        real = pooling._rowids
        seen = []
        # as if SQLite had renumbered them: the second reading differs from the first
        monkeypatch.setattr(pooling, "_rowids", lambda conn: seen.append(1) or real(conn) + [(len(seen),)])
        pack(st)
        assert len(seen) == 2
        assert st.conn.execute("SELECT count(*) FROM rating_cache").fetchone()[0] == 0
        assert st.conn.execute("SELECT indexed_to FROM search_state").fetchone()[0] == \
            st.conn.execute("SELECT max(rowid) FROM responses").fetchone()[0]
        st.conn.execute("INSERT INTO responses_fts (responses_fts, rank) VALUES ('integrity-check', 1)")
        assert sorted(h["id"] for h in st.search("moderation")) == found and len(found) == 2
    finally:
        st.close()
