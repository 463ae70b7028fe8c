"""Which judgement is latest: the one made last, by (created_at, id), never the store-wide `seq` counter.

A store made by the release before migration 0004 (where `seq` decided) keeps its winners when migrated; rows
pooled from another store, whose `seq` means nothing here, are placed by when they were made; stamps that tie are
settled by the id, the same way in every store; and one process never stamps two changes alike.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from conftest_store import db_rows, pack, store, store_path  # noqa: F401  (fixtures)
from sqlite_utils import Database

from laqs_assist.session import Session, year_judgements
from laqs_assist.store import Store, values
from laqs_assist.store.schema import KNOWN, migrations

BEFORE = "0004_judgements_by_time"
YEAR = "2026/27"


# --- a store made by the release before 0004 --------------------------------------------------------------------


def _release_store(path: Path) -> sqlite3.Connection:
    """A store at schema 0003 built by the current code path, stopped before 0004, as the release left it."""
    db = Database(str(path))
    migrations.apply(db, stop_before=BEFORE)
    db.conn.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("INSERT INTO organisations (id, name, kind, created_at) VALUES ('o1', 'Any Borough', 'LA', "
                 "'2026-09-01T09:00:00.000000+00:00')")
    for vid, day in (("v1", "2026-10-01"), ("v2", "2027-02-01")):
        conn.execute("INSERT INTO visits (id, organisation_id, pack_id, agenda_id, phases, focus, date, academic_year, "
                     "status, position, created_at, updated_at) VALUES (?, 'o1', 'ns2009', 'la-contacts', '[\"P\"]', "
                     "'[]', ?, ?, 'ended', 0, ?, ?)", [vid, day, YEAR, f"{day}T09:00:00.000000+00:00",
                                                      f"{day}T09:00:00.000000+00:00"])
    return conn


def _release_judge(conn: sqlite3.Connection, visit: str, target: str, state: str, at: str, jid: str | None = None,
                   phase: str = "P") -> str:
    """What the release's Store.add_judgements wrote: the next seq in the file, the stamp of the moment."""
    jid = jid or str(uuid.uuid4())
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM judgements").fetchone()[0]
    aspect = ".".join(target.split(".")[:2])
    conn.execute("INSERT INTO judgements (id, visit_id, organisation_id, academic_year, phase, aspect_id, target, "
                 "kind, state, created_at, seq) VALUES (?, ?, 'o1', ?, ?, ?, ?, 'state', ?, ?, ?)",
                 [jid, visit, YEAR, phase, aspect, target, state, at, seq])
    return jid


def _release_winners(conn: sqlite3.Connection, aspect: str = "2.4", phase: str = "P") -> dict[str, str]:
    """target -> the winning judgement's id by the release's rule (the greatest seq)."""
    return dict(conn.execute(
        "SELECT j.target, j.id FROM judgements j JOIN (SELECT target, kind, max(seq) AS seq FROM judgements "
        "WHERE organisation_id = 'o1' AND academic_year = ? AND aspect_id = ? AND phase = ? GROUP BY target, kind) "
        "last ON last.seq = j.seq", [YEAR, aspect, phase]).fetchall())


def _winners(st: Store, aspect: str = "2.4", phase: str = "P") -> dict[str, str]:
    return {r["target"]: r["id"] for r in st.current_judgements("o1", YEAR, aspect, phase)}


def test_a_store_made_by_the_release_keeps_its_winning_judgements_when_migrated(tmp_path):
    db = tmp_path / "release.db"
    conn = _release_store(db)
    t = "2026-10-01T10:00:{:02d}.000000+00:00".format
    # Ordinary history: each judgement later than the one before.
    _release_judge(conn, "v1", "2.4.G.1", "partly", t(1))
    _release_judge(conn, "v1", "2.4.G.2", "met", t(2))
    _release_judge(conn, "v2", "2.4.G.1", "met", "2027-02-01T10:00:00.000000+00:00")
    _release_judge(conn, "v1", "2.4.G.3", "not_met", t(3), phase="S")
    # The clock was set back between two judgements of one target: seq says the second wins, its stamp disagrees.
    _release_judge(conn, "v1", "2.4.G.4", "not_met", t(30))
    stepped_back = _release_judge(conn, "v1", "2.4.G.4", "met", t(20))
    _release_judge(conn, "v1", "2.4.G.4", "partly", t(25))  # still before the first: restamped after the second
    # Two judgements of one target in the same microsecond, the later one with the smaller id.
    _release_judge(conn, "v1", "2.4.G.5", "not_met", t(40), jid="ffffffff-0000-4000-8000-000000000000")
    same_moment = _release_judge(conn, "v1", "2.4.G.5", "met", t(40), jid="00000000-0000-4000-8000-000000000000")
    before = {p: _release_winners(conn, phase=p) for p in ("P", "S")}
    rows_before = {r[0]: r for r in conn.execute("SELECT id, seq, state, created_at FROM judgements")}
    conn.close()

    with Store(db) as st:  # opening migrates to 0004
        assert [r["name"] for r in db_rows(db, "SELECT name FROM _sqlite_migrations ORDER BY rowid")] == KNOWN
        assert {p: _winners(st, phase=p) for p in ("P", "S")} == before
        states = {r["target"]: r["state"] for r in st.current_judgements("o1", YEAR, "2.4", "P")}
        assert states == {"2.4.G.1": "met", "2.4.G.2": "met", "2.4.G.4": "partly", "2.4.G.5": "met"}
        # The ones seq ranked later than a judgement stamped after them now follow it by a microsecond.
        after = {r["id"]: r for r in db_rows(db, "SELECT id, seq, state, created_at FROM judgements")}
        moved = {k for k in after if after[k]["created_at"] != rows_before[k][3]}
        assert after[stepped_back]["created_at"] == "2026-10-01T10:00:30.000001+00:00"
        assert after[same_moment]["created_at"] == "2026-10-01T10:00:40.000001+00:00"
        assert len(moved) == 3  # G.4's second and third, G.5's second; nothing else was touched
        assert all(after[k]["seq"] == rows_before[k][1] and after[k]["state"] == rows_before[k][2] for k in after)
        log = db_rows(db, "SELECT entity, payload FROM events WHERE kind = 'judgement.restamp'")
        assert {e["entity"] for e in log} == moved
        # The session rates from the same evidence.
        assert year_judgements(st, "o1", YEAR, "2.4", "P").states["2.4.G.4"] == "partly"
        indexes = {r["name"] for r in db_rows(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                                  "tbl_name = 'judgements'")}
        assert "idx_judgements_latest" in indexes and "idx_judgements_seq" not in indexes


def test_a_store_migrated_twice_is_migrated_once(tmp_path):
    db = tmp_path / "release.db"
    conn = _release_store(db)
    _release_judge(conn, "v1", "2.4.G.4", "not_met", "2026-10-01T10:00:30.000000+00:00")
    _release_judge(conn, "v1", "2.4.G.4", "met", "2026-10-01T10:00:20.000000+00:00")
    conn.close()
    Store(db).close()
    Store(db).close()
    assert db_rows(db, "SELECT count(*) AS n FROM events WHERE kind = 'judgement.restamp'") == [{"n": 1}]
    assert [r["name"] for r in db_rows(db, "SELECT name FROM _sqlite_migrations")].count(BEFORE) == 1


# --- rows from another store --------------------------------------------------------------------------------------


def _import(path: Path, visit: dict, target: str, state: str, at: str, seq: int, jid: str | None = None) -> str:
    """A judgement pooled from another adviser's store: its own id, stamp and (meaningless here) seq."""
    jid = jid or str(uuid.uuid4())
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("INSERT INTO judgements (id, visit_id, organisation_id, academic_year, phase, aspect_id, target, "
                     "kind, state, created_at, seq) VALUES (?, ?, ?, ?, 'P', '2.4', ?, 'state', ?, ?, ?)",
                     [jid, visit["id"], visit["organisation_id"], visit["academic_year"], target, state, at, seq])
    finally:
        conn.close()
    return jid


def test_rows_imported_from_another_store_are_placed_by_when_they_were_made(store, pack):
    s = Session.start(store, pack, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                      focus=["2.4"], day="2026-11-20")
    s.judge("2.4.G.1", "met")
    s.judge("2.4.G.2", "met")
    mine = {r["target"]: r for r in store.visit_judgements(s.id)}
    assert s.rating("2.4", "P").states["2.4.G.1"] == "met"
    # Another adviser's visit to the same LA, its rows pooled in afterwards.
    theirs = store.create_visit(organisation_id=s.visit["organisation_id"], pack_id="ns2009",
                                agenda_id="la-contacts", phases=["P"], focus=[], day="2026-11-10")
    # Made before mine, though added to this file after it and numbered far above: mine stays the latest.
    _import(store.path, theirs, "2.4.G.1", "not_met", "2026-11-10T09:00:00.000000+00:00", seq=10**9)
    # Made after mine, numbered below everything here: it is the latest.
    later = _import(store.path, theirs, "2.4.G.2", "partly", "2099-01-01T09:00:00.000000+00:00", seq=1)
    current = {r["target"]: r for r in store.current_judgements(s.visit["organisation_id"], YEAR, "2.4", "P")}
    assert current["2.4.G.1"]["id"] == mine["2.4.G.1"]["id"]
    assert current["2.4.G.2"]["id"] == later
    # The session's cached rating notices both (the older row is older than everything, but newly added).
    states = s.rating("2.4", "P").states
    assert states["2.4.G.1"] == "met" and states["2.4.G.2"] == "partly"
    assert s.judgements("2.4", "P").states == {"2.4.G.1": "met", "2.4.G.2": "partly"}


def test_the_rating_cache_sees_an_older_row_pooled_in_for_a_target_not_yet_judged(store, pack):
    s = Session.start(store, pack, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                      focus=["2.4"], day="2026-11-20")
    s.judge("2.4.G.1", "met")
    assert "2.4.G.3" not in s.judgements("2.4", "P").states
    before = s.rating("2.4", "P")
    assert before.states["2.4.G.3"] == "unknown"
    _import(store.path, s.visit, "2.4.G.3", "met", "2000-01-01T00:00:00.000000+00:00", seq=5)
    assert s.rating("2.4", "P").states["2.4.G.3"] == "met"


# --- ties ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [("low", "high"), ("high", "low")])
def test_judgements_stamped_alike_are_settled_by_id_whichever_came_first(tmp_path, order):
    st = Store(tmp_path / f"{order[0]}.db")
    try:
        o = st.ensure_organisation("Any Borough")
        v = st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                            focus=[], day="2026-11-20")
        ids = {"low": "11111111-0000-4000-8000-000000000000", "high": "eeeeeeee-0000-4000-8000-000000000000"}
        state = {"low": "not_met", "high": "met"}
        for k, name in enumerate(order):
            _import(st.path, v, "2.4.G.1", state[name], "2026-11-20T10:00:00.000000+00:00", seq=k + 1, jid=ids[name])
        [winner] = st.current_judgements(o["id"], YEAR, "2.4", "P")
        assert winner["id"] == ids["high"] and winner["state"] == "met"
        assert [j["id"] for j in st.visit_judgements(v["id"])] == [ids["low"], ids["high"]]
    finally:
        st.close()


def test_rows_given_together_for_one_target_stand_in_the_order_given(store):
    o = store.ensure_organisation("Any Borough")
    v = store.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                           focus=[], day="2026-11-20")
    rows = [{"phase": "P", "aspect_id": "2.4", "target": "2.4.G.1", "kind": "state", "state": s}
            for s in ("not_met", "partly", "met")]
    for _ in range(20):  # within microseconds of each other, every time
        store.add_judgements(v, rows)
        assert [r["state"] for r in store.current_judgements(o["id"], YEAR, "2.4", "P")] == ["met"]
    stamps = [r["created_at"] for r in store.visit_judgements(v["id"])]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps) == 60


# --- stamps -------------------------------------------------------------------------------------------------------


def test_stamps_strictly_increase_when_the_clock_stands_still_or_goes_back(monkeypatch):
    ticks = iter([5_000_000_000_000] * 3 + [4_000_000_000_000] * 3 + [6_000_000_000_000])
    monkeypatch.setattr(values.time, "time_ns", lambda: next(ticks))
    monkeypatch.setattr(values, "_last_us", 0)
    stamps = [values.now() for _ in range(7)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 7
    assert stamps[0] == "1970-01-01T01:23:20.000000+00:00"
    assert stamps[5] == "1970-01-01T01:23:20.000005+00:00"  # the clock went back: one microsecond on each time
    assert stamps[6] == "1970-01-01T01:40:00.000000+00:00"  # and real time again once it is past the last stamp


def test_stamps_from_many_threads_never_repeat():
    out: list[list[str]] = [[] for _ in range(4)]

    def work(k: int) -> None:
        out[k].extend(values.now() for _ in range(20_000))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [s for part in out for s in part]
    assert len(set(every)) == len(every)
    assert all(part == sorted(part) for part in out)


def _plan(st: Store, sql: str, params: list) -> str:
    return "\n".join(r[3] for r in st.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_indexes_serve_the_latest_judgement_and_the_rating_cache(store):
    scope = ["o", YEAR, "2.4", "P"]
    latest = _plan(store, "SELECT k.rowid FROM judgements k WHERE k.organisation_id = ? AND k.academic_year = ? AND "
                          "k.aspect_id = ? AND k.phase = ? AND k.target = 't' AND k.kind = 'state' "
                          "ORDER BY k.created_at DESC, k.id DESC LIMIT 1", scope)
    assert "COVERING INDEX idx_judgements_latest" in latest and "ORDER BY" not in latest  # no sort: one step
    marker = _plan(store, "SELECT coalesce(max(rowid), 0) FROM judgements WHERE organisation_id = ? AND "
                          "academic_year = ? AND aspect_id = ? AND phase = ?", scope)
    assert "COVERING INDEX idx_judgements_latest" in marker  # the scope's entries, never the table's rows
    indexes = {r["name"]: r["sql"] for r in db_rows(store.path, "SELECT name, sql FROM sqlite_master WHERE "
                                                                 "type = 'index' AND tbl_name = 'judgements'")}
    assert "created_at, id" in indexes["idx_judgements_latest"]
    assert not any("seq" in (sql or "") for sql in indexes.values())  # nothing orders or looks up by seq


def test_the_rating_cache_marker_moves_with_every_judgement_added(store):
    o = store.ensure_organisation("Any Borough")
    v = store.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                           focus=[], day="2026-11-20")
    marks = [store.judgements_marker(o["id"], YEAR, "2.4", "P")]
    store.add_judgements(v, [{"phase": "P", "aspect_id": "2.4", "target": "2.4.G.1", "kind": "state",
                              "state": "met"}])
    marks.append(store.judgements_marker(o["id"], YEAR, "2.4", "P"))
    _import(store.path, v, "2.4.G.2", "met", "1999-01-01T00:00:00.000000+00:00", seq=1)  # older than all
    marks.append(store.judgements_marker(o["id"], YEAR, "2.4", "P"))
    store.add_judgements(v, [{"phase": "S", "aspect_id": "2.4", "target": "2.4.G.1", "kind": "state",
                              "state": "met"}])  # another phase: another scope
    marks.append(store.judgements_marker(o["id"], YEAR, "2.4", "P"))
    assert marks[0] == 0 and marks[0] < marks[1] < marks[2] == marks[3]


# --- one rule from rows to Judgements -------------------------------------------------------------------------


def test_rows_add_up_to_judgements_the_later_row_for_a_target_winning():
    from laqs_assist.notes.context import judgements_by_aspect
    from laqs_assist.rating import Judgements, judgements_from_rows

    rows = [
        {"aspect_id": "2.4", "phase": "P", "target": "2.4.G.1", "kind": "state", "state": "partly", "value": None},
        {"aspect_id": "2.4", "phase": "P", "target": "2.4.report-features", "kind": "count", "state": None,
         "value": 5.0},
        {"aspect_id": "1.5", "phase": "P", "target": "1.5.targets-in-line", "kind": "value", "state": None,
         "value": 82.5},
        {"aspect_id": "2.4", "phase": "P", "target": "2.4", "kind": "impact", "state": "some", "value": None},
        {"aspect_id": "2.4", "phase": "S", "target": "2.4.G.1", "kind": "state", "state": "not_met", "value": None},
        {"aspect_id": "2.4", "phase": "P", "target": "2.4.G.1", "kind": "state", "state": "met", "value": None},
        {"aspect_id": "2.4", "phase": "P", "target": "2.4.report-features", "kind": "count", "state": None,
         "value": 7.0},
    ]
    p24 = [r for r in rows if (r["aspect_id"], r["phase"]) == ("2.4", "P")]
    assert judgements_from_rows(p24) == Judgements({"2.4.G.1": "met"}, {"2.4.report-features": 7}, {}, "some")
    assert judgements_from_rows([]) == Judgements()
    # The notes group rows by aspect and phase and fold each group with the same rule.
    assert judgements_by_aspect(rows) == {
        ("2.4", "P"): judgements_from_rows(p24),
        ("2.4", "S"): Judgements({"2.4.G.1": "not_met"}),
        ("1.5", "P"): Judgements({}, {}, {"1.5.targets-in-line": 82.5}),
    }


def test_the_session_and_the_note_read_the_same_evidence(store, pack):
    from laqs_assist.notes.context import year_judgements as note_year_judgements

    s = Session.start(store, pack, agenda_id="la-contacts", organisation="Any Borough", phases=["P", "S"],
                      focus=["2.4"], day="2026-11-20")
    s.judge("2.4.G.1", "partly")
    s.judge("2.4.G.1", "met", phases=["P"])
    s.judge("2.4.report-features", 6)
    s.set_impact("2.4", "some")
    s.judge("2.4.G.1", "not_met", phases=["S"])
    note = note_year_judgements(store, s.visit)
    for phase in ("P", "S"):
        assert note[("2.4", phase)] == s.judgements("2.4", phase)
    assert s.judgements("2.4", "P").states == {"2.4.G.1": "met"}
