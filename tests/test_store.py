"""The SQLite store: file safety, connection settings, migrations, ids, the append-only log, search, academic
years and how judgements accumulate across a year's visits."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import uuid
from pathlib import Path

import pytest
from conftest_store import db_rows, store, store_path  # noqa: F401  (fixtures)

from laqs_assist.calendar import academic_year
from laqs_assist.errors import UsageError
from laqs_assist.store import Store
from laqs_assist.store.schema import KNOWN, MIGRATION_SET


def _visit(st: Store, org: str = "Any Borough", day: str = "2026-11-20", phases=("P",)) -> dict:
    o = st.ensure_organisation(org)
    return st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=list(phases),
                           focus=[], day=day)


# --- the file and the connection -------------------------------------------------------------------------------


def test_store_file_is_created_private(tmp_path: Path):
    path = tmp_path / "sub" / "laqs.db"
    old = os.umask(0o022)
    try:
        Store(path, make_folder=True).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_store_in_a_missing_folder_is_refused_unless_the_folder_may_be_made(tmp_path: Path):
    """A mistyped path must not grow folders: only a caller's default folder is made (make_folder)."""
    path = tmp_path / "no" / "such" / "laqs.db"
    with pytest.raises(UsageError) as err:
        Store(path)
    assert err.value.message == f"no folder {path.parent} for the store (create it first, or choose another --store)"
    assert not (tmp_path / "no").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        Store(tmp_path / "file" / "laqs.db")


def test_connection_uses_wal_full_sync_and_busy_timeout(store):
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopened_store_gets_the_same_settings(store_path):
    Store(store_path).close()
    with Store(store_path) as st:
        assert st.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        assert st.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert st.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_migrations_are_recorded_once(store_path):
    Store(store_path).close()
    Store(store_path).close()  # a second open must not re-apply anything
    rows = db_rows(store_path, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY rowid")
    assert [r["name"] for r in rows if r["migration_set"] == MIGRATION_SET] == KNOWN
    assert KNOWN and KNOWN[0] == "0001_initial"


def test_a_new_store_waits_for_another_writer_instead_of_failing(tmp_path: Path):
    """Opening a brand-new store while another process holds the write lock (e.g. a second `laqs` started at the
    same moment, or one still migrating) must wait for the lock, as every other write does, not fail at once."""
    path = tmp_path / "laqs.db"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        st = Store(path)
    finally:
        releaser.join()
        other.close()
    try:
        assert st.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        assert [r["name"] for r in db_rows(path, "SELECT name FROM _sqlite_migrations")] == KNOWN
    finally:
        st.close()


# --- ids and the event log -------------------------------------------------------------------------------------


def test_ids_are_uuids(store):
    v = _visit(store)
    r = store.add_response(visit=v, item=None, aspect_id="2.4", text="a remark")
    store.add_judgements(v, [{"phase": "P", "aspect_id": "2.4", "target": "2.4.G.1", "kind": "state",
                              "state": "met"}])
    a = store.add_action(v, "Do it", "Jo", "2026-12-15")
    store.save_rating(v, "P", "2.4", suggestion="G", override="NI", override_reason="why")
    ids = [v["id"], v["organisation_id"], r["id"], a["id"]]
    ids += [j["id"] for j in store.visit_judgements(v["id"])]
    ids += [x["id"] for x in store.ratings(v["id"])]
    ids += [e["id"] for e in db_rows(store.path, "SELECT id FROM events")]
    ids += [p["id"] for p in db_rows(store.path, "SELECT id FROM people")]
    for i in ids:
        assert str(uuid.UUID(i)) == i
    assert len(set(ids)) == len(ids)


def test_every_change_appends_one_event(store):
    v = _visit(store)
    r = store.add_response(visit=v, item=None, aspect_id="2.4", text="first")
    store.edit_response(r["id"], "second")
    store.flag_response(r["id"])
    a = store.add_action(v, "Do it")
    store.update_action(a["id"], status="done")
    kinds = [e["kind"] for e in store.events(v["id"])]
    assert kinds == ["visit.start", "response.add", "response.edit", "response.flag", "action.add", "action.mark"]
    edit = store.events(v["id"])[2]
    assert edit["entity"] == r["id"] and edit["payload"]["old"] == "first" and edit["payload"]["new"] == "second"


def test_events_are_append_only(store):
    v = _visit(store)
    store.add_response(visit=v, item=None, aspect_id="2.4", text="kept")
    before = db_rows(store.path, "SELECT * FROM events ORDER BY seq")
    assert before
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE events SET kind = 'tampered'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM events WHERE seq = ?", [before[0]["seq"]])
    assert db_rows(store.path, "SELECT * FROM events ORDER BY seq") == before


# --- responses: edits and search -------------------------------------------------------------------------------


def test_edit_keeps_the_old_text(store):
    v = _visit(store)
    r = store.add_response(visit=v, item=None, aspect_id="2.4", text="draft wording")
    store.edit_response(r["id"], "final wording")
    assert store.response(r["id"])["text"] == "final wording"
    assert [x["text"] for x in store.response_versions(r["id"])] == ["draft wording"]


def test_search_by_word_and_prefix_names_organisation_visit_and_aspect(store):
    v1 = _visit(store, "Any Borough")
    v2 = _visit(store, "Other Shire")
    r1 = store.add_response(visit=v1, item=None, aspect_id="2.4",
                            text="SIP reports are moderated termly by the senior adviser")
    store.add_response(visit=v2, item=None, aspect_id="1.5", text="Targets are ambitious in most schools")
    r3 = store.add_response(visit=v2, item=None, aspect_id="2.5", text="Data packs arrive late in the autumn")

    hits = store.search("moderated")
    assert [h["id"] for h in hits] == [r1["id"]]
    h = hits[0]
    assert h["organisation"] == "Any Borough" and h["visit_id"] == v1["id"] and h["aspect_id"] == "2.4"
    assert h["date"] == "2026-11-20"

    # every word matches as a prefix (no stemming): the start of a word finds its other forms
    assert [x["id"] for x in store.search("moder")] == [r1["id"]]
    assert [x["id"] for x in store.search("arriv")] == [r3["id"]]
    assert [x["id"] for x in store.search("dat lat")] == [r3["id"]]
    # every word must appear
    assert [x["id"] for x in store.search("data late")] == [r3["id"]]
    assert store.search("data ambitious") == []
    # FTS syntax in the query is taken literally, not as operators
    assert [x["id"] for x in store.search('reports: "senior* (adviser')] == [r1["id"]]
    # edits are searchable, the old wording is not
    store.edit_response(r3["id"], "Data packs now come on time")
    assert store.search("late") == []
    assert [x["id"] for x in store.search("time")] == [r3["id"]]


@pytest.mark.parametrize("query", ["?!", "...", "   ", "\"*()-", ""])
def test_search_of_only_punctuation_is_a_one_line_usage_error(store, query):
    with pytest.raises(UsageError) as info:
        store.search(query)
    line = info.value.line()
    assert line and "\n" not in line
    assert info.value.exit_code == 2


# --- academic years and accumulation ---------------------------------------------------------------------------


@pytest.mark.parametrize("day, year", [
    ("2026-11-22", "2026/27"), ("2027-08-31", "2026/27"), ("2027-09-01", "2027/28"), ("2026-09-01", "2026/27"),
    ("2026-08-31", "2025/26"), ("2099-12-31", "2099/00"), ("2027-01-01", "2026/27"),
])
def test_academic_year(day, year):
    assert academic_year(day) == year


def test_academic_year_accepts_a_date():
    from datetime import date

    assert academic_year(date(2027, 8, 31)) == "2026/27"


def test_the_academic_year_is_the_calendars_rule_and_the_store_still_offers_it():
    from laqs_assist import calendar, store

    assert store.academic_year is calendar.academic_year


def _judge(st: Store, visit: dict, target: str, state: str, phase: str = "P") -> None:
    st.add_judgements(visit, [{"phase": phase, "aspect_id": target.split(".")[0] + "." + target.split(".")[1],
                               "target": target, "kind": "state", "state": state}])


def _current(st: Store, org_id: str, year: str, aspect: str = "2.4", phase: str = "P") -> dict[str, str]:
    return {r["target"]: r["state"] for r in st.current_judgements(org_id, year, aspect, phase)}


def test_judgements_accumulate_across_the_years_visits(store):
    first = _visit(store, "Any Borough", "2026-10-01")
    second = _visit(store, "Any Borough", "2027-03-15")  # same academic year 2026/27
    assert first["academic_year"] == second["academic_year"] == "2026/27"
    _judge(store, first, "2.4.G.1", "met")
    _judge(store, first, "2.4.G.2", "partly")
    _judge(store, second, "2.4.G.2", "met")  # later evidence replaces the earlier view
    _judge(store, second, "2.4.G.3", "not_met")

    org = first["organisation_id"]
    assert _current(store, org, "2026/27") == {"2.4.G.1": "met", "2.4.G.2": "met", "2.4.G.3": "not_met"}
    # history kept: both G.2 rows remain, each with its own visit
    rows = db_rows(store.path, "SELECT visit_id, state FROM judgements WHERE target = '2.4.G.2' "
                   "ORDER BY created_at, id")
    assert rows == [{"visit_id": first["id"], "state": "partly"}, {"visit_id": second["id"], "state": "met"}]
    assert len(store.visit_judgements(first["id"])) == 2
    assert len(store.visit_judgements(second["id"])) == 2
    # other phases are separate
    assert _current(store, org, "2026/27", phase="S") == {}


def test_judgements_do_not_leak_into_another_year_or_another_la(store):
    this_year = _visit(store, "Any Borough", "2027-08-31")
    next_year = _visit(store, "Any Borough", "2027-09-01")
    other_la = _visit(store, "Other Shire", "2027-01-10")
    _judge(store, this_year, "2.4.G.1", "met")
    _judge(store, other_la, "2.4.G.1", "not_met")
    _judge(store, next_year, "2.4.G.5", "partly")

    org = this_year["organisation_id"]
    assert next_year["organisation_id"] == org and next_year["academic_year"] == "2027/28"
    assert _current(store, org, "2026/27") == {"2.4.G.1": "met"}
    assert _current(store, org, "2027/28") == {"2.4.G.5": "partly"}
    assert _current(store, other_la["organisation_id"], "2026/27") == {"2.4.G.1": "not_met"}
    assert _current(store, other_la["organisation_id"], "2027/28") == {}


def test_coverage_counts_responses_per_aspect_for_the_year(store):
    v = _visit(store, "Any Borough", "2026-11-20")
    later = _visit(store, "Any Borough", "2027-10-01")
    for text in ("one", "two"):
        store.add_response(visit=v, item=None, aspect_id="1.1", text=text)
    store.add_response(visit=v, item=None, aspect_id="2.4", text="three")
    store.add_response(visit=later, item=None, aspect_id="1.1", text="next year")
    assert store.coverage(v["organisation_id"], "2026/27") == {"1.1": 2, "2.4": 1}
    assert store.coverage(v["organisation_id"], "2027/28") == {"1.1": 1}


def test_find_visit_by_prefix_and_last(store):
    v1 = _visit(store)
    v2 = _visit(store)
    assert store.find_visit(v1["id"][:12])["id"] == v1["id"]
    assert store.find_visit("last")["id"] == v2["id"]
    with pytest.raises(UsageError):
        store.find_visit("zzzz")
    with pytest.raises(UsageError):
        store.find_visit("%")


@pytest.mark.parametrize("prefix", ["improvem", "improveme", "moderat", "assessm", "rapid improvem"])
def test_search_matches_every_prefix_of_the_last_word(store, prefix):
    """'Prefix match on the last word' must hold for any prefix a user types, not only prefixes of the Porter stem
    (improvement -> improv, moderation -> moder, assessments -> assess)."""
    v = _visit(store)
    r = store.add_response(visit=v, item=None, aspect_id="2.4",
                           text="Rapid improvement after the moderation of assessments")
    assert [h["id"] for h in store.search(prefix)] == [r["id"]]


def test_the_migration_names_read_at_start_up_match_the_schema():
    from laqs_assist.store.schema import KNOWN
    from laqs_assist.store.versions import MIGRATIONS

    assert list(MIGRATIONS) == KNOWN


def test_the_log_is_checkpointed_in_small_steps(store):
    """A commit that checkpoints copies at most a quarter of SQLite's default 1,000 pages back into the file."""
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == Store.CHECKPOINT_PAGES == 250
    o = store.ensure_organisation("Any Borough")
    v = store.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                           focus=[], day="2026-11-20")
    wal = Path(str(store.path) + "-wal")
    for k in range(400):
        store.add_response(visit=v, item=None, aspect_id="2.4", text=f"answer {k} " + "words " * 60)
    # the log was restarted from its top after checkpoints, so it never grew far past 250 pages
    assert wal.stat().st_size < 400 * (4096 + 24)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- the named queries notes, briefings and the session call (no SQL outside the store) ------------------------


def test_organisations_by_id_and_las_by_name(store):
    la = store.ensure_organisation("Any  Borough")
    school = store.ensure_organisation("Oak Primary", "school", la["id"])
    assert store.organisation_by_id(school["id"])["parent_id"] == la["id"]
    assert store.organisation_by_id("no-such-id") is None
    assert store.find_la(" any   BOROUGH ")["id"] == la["id"]
    assert store.find_la(la["id"])["id"] == la["id"]
    assert store.find_la("Oak Primary") is None  # a school is not an LA


def test_visits_between_dates_for_an_la_include_its_schools(store):
    la = store.ensure_organisation("Any Borough")
    school = store.ensure_organisation("Oak Primary", "school", la["id"])
    other = store.ensure_organisation("Other Shire")

    def visit(org, day):
        return store.create_visit(organisation_id=org["id"], pack_id="ns2009", agenda_id="la-contacts",
                                  phases=["P"], focus=[], day=day)

    v1, v2, v3 = visit(la, "2026-10-01"), visit(school, "2026-11-01"), visit(other, "2026-10-15")
    visit(la, "2027-01-10")
    assert [v["id"] for v in store.visits_between("2026-09-01", "2026-12-31")] == [v1["id"], v3["id"], v2["id"]]
    within = store.visits_between("2026-09-01", "2026-12-31", la["id"])
    assert [(v["id"], v["organisation"]) for v in within] == [(v1["id"], "Any Borough"), (v2["id"], "Oak Primary")]
    assert store.last_visit(la["id"], until="2026-12-31")["id"] == v1["id"]
    assert store.last_visit(la["id"], until="2026-09-30") is None
    assert store.visit_count(la["id"], "2026/27") == 2 and store.visit_count(la["id"], "2027/28") == 0


def test_visit_phases_this_year_or_ever(store):
    o = store.ensure_organisation("Any Borough")
    for day, phases in (("2025-10-01", ["EY"]), ("2026-11-01", ["S", "P"]), ("2026-10-01", ["P"])):
        store.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=phases,
                           focus=[], day=day)
    assert store.visit_phases(o["id"], "2026/27") == [["P"], ["S", "P"]]  # by date
    assert store.visit_phases(o["id"]) == [["EY"], ["P"], ["S", "P"]]
    assert store.visit_phases(o["id"], "2030/31") == []


def test_aspects_touched_by_answers_notes_and_judgements(store):
    v = _visit(store)
    store.add_response(visit=v, item=None, aspect_id="1.1", text="a note")
    _judge(store, v, "2.4.G.1", "met")
    assert store.aspects_touched(v["id"]) == {"1.1", "2.4"}
    assert store.aspects_touched(_visit(store)["id"]) == set()


def test_rating_overrides_the_latest_per_phase_and_aspect(store):
    first = _visit(store, day="2026-10-01")
    second = _visit(store, day="2027-02-01")
    store.save_rating(first, "P", "2.4", suggestion="G", override="NI", override_reason="one")
    store.save_rating(second, "P", "2.4", suggestion="G", override="OS", override_reason="two")
    store.save_rating(second, "P", "1.1", suggestion="G")  # a suggestion is not an override
    assert store.rating_overrides(first["organisation_id"], "2026/27") == {("P", "2.4"): "OS"}
    assert store.rating_overrides(first["organisation_id"], "2027/28") == {}
    assert [r["override"] for r in store.ratings_until(first["organisation_id"], "2026/27", "2026-12-31")] == ["NI"]


def test_a_migration_that_fails_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    """Migrations run through sqlite-utils' Migrations.apply() inside the store's own BEGIN IMMEDIATE: one that
    fails rolls back whole, the store stays at the migrations before it, and the next open tries again."""
    from sqlite_utils import Database

    from laqs_assist.store import schema

    path = tmp_path / "laqs.db"
    db = Database(str(path))
    schema.migrations.apply(db, stop_before="0004_judgements_by_time")
    db.conn.close()

    def broken():
        raise RuntimeError("migration failed half way")

    monkeypatch.setattr(schema, "now", broken)  # 0004 has dropped and created indexes by the time it calls now()
    with pytest.raises(RuntimeError, match="half way"):
        Store(path)
    names = [r["name"] for r in db_rows(path, "SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert names == KNOWN[:3]
    indexes = {r["name"] for r in db_rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_judgements_seq" in indexes and "idx_judgements_latest" not in indexes
    monkeypatch.undo()
    with Store(path) as st:
        assert [r["name"] for r in db_rows(path, "SELECT name FROM _sqlite_migrations ORDER BY rowid")] == KNOWN
        assert st.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
