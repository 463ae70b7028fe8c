"""Pooling into a SQLite team store: the bundle (self-contained, closed cleanly, flagged answers left out), merging
(idempotent, in any order, by UUID), edits as versions and stale edits kept as conflicts, organisations matched by
their stable key with aliases, the team store a normal store, and the commands' one-line mistakes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest_store import assert_one_line_failure, run_laqs
from pool_helpers import PRIVATE, adviser, bundle, content, copy_store, visit

from laqs_assist.store import Store
from laqs_assist.store.pooling import list_conflicts, merge_bundles, resolve_conflict, set_code, set_policy


def merged(team: Path, *bundles: Path) -> list[dict]:
    st = Store(team)
    try:
        return merge_bundles(st, list(bundles))
    finally:
        st.close()


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def two(tmp_path):
    a = adviser(tmp_path / "a.db", "Ann Adviser", "North Borough", "2026-10-05", flagged=PRIVATE,
                action="Review the SIP report template")
    b = adviser(tmp_path / "b.db", "Bob Adviser", "South Borough", "2026-10-06",
                answers=("moderation is timely and thorough",))
    return bundle(a, tmp_path / "a.bundle"), bundle(b, tmp_path / "b.bundle")


def test_a_bundle_is_one_self_contained_sqlite_file_without_flagged_answers(two, tmp_path):
    a, _ = two
    assert not Path(f"{a}-wal").exists() and not Path(f"{a}-journal").exists()
    assert rows(a, "PRAGMA journal_mode") == [("delete",)]
    assert rows(a, "PRAGMA integrity_check") == [("ok",)]
    # any SQLite tool reads it, immutable even: every row is in the file itself
    conn = sqlite3.connect(f"file:{a}?immutable=1", uri=True)
    texts = [r[0] for r in conn.execute("SELECT text FROM responses")]
    versions = [r[0] for r in conn.execute("SELECT text FROM pool_versions")]
    conn.close()
    assert texts == ["yes, reports are timely"] and versions == texts
    raw = a.read_bytes()
    assert b"PRIVATE" not in raw and b"Mr Brown" not in raw  # not in a row, an event, or a freed page
    assert rows(a, "SELECT count(*) FROM pool_withdrawn") == [(1,)]
    assert rows(a, "SELECT count(*) FROM actions") == [(1,)]
    assert rows(a, "SELECT count(*) FROM judgements") == [(1,)]
    assert rows(a, "SELECT count(*) FROM visits WHERE status = 'ended'") == [(1,)]


def test_only_finalised_visits_travel_and_a_policy_can_share_flagged_answers(tmp_path):
    st = Store(tmp_path / "a.db")
    visit(st, "North Borough", "2026-10-05", flagged=PRIVATE)
    visit(st, "North Borough", "2026-11-05", end=False)
    st.close()
    out = bundle(tmp_path / "a.db", tmp_path / "a.bundle")
    assert rows(out, "SELECT date FROM visits") == [("2026-10-05",)]
    shared = bundle(tmp_path / "a.db", tmp_path / "shared.bundle", share_flagged=True)
    assert PRIVATE in [r[0] for r in rows(shared, "SELECT text FROM responses")]
    # the team store keeps it only when its own policy says so, and never shows it on a shared page
    merged(tmp_path / "team.db", shared)
    assert rows(tmp_path / "team.db", "SELECT count(*) FROM responses WHERE text = ?", [PRIVATE]) == [(0,)]
    team2 = Store(tmp_path / "team2.db")
    set_policy(team2, "share_flagged", True)
    merge_bundles(team2, [shared])
    team2.close()
    assert rows(tmp_path / "team2.db", "SELECT concerns_individual FROM responses WHERE text = ?",
                [PRIVATE]) == [(1,)]
    assert rows(tmp_path / "team2.db", "SELECT count(*) FROM shared_answers WHERE text = ?", [PRIVATE]) == [(0,)]


def test_merging_is_idempotent_and_order_independent(two, tmp_path):
    a, b = two
    first = merged(tmp_path / "ab.db", a, b)
    assert [r["answers"] for r in first] == [1, 1]
    again = merged(tmp_path / "ab.db", a, b)
    assert all(r["already"] and r["answers"] == 0 for r in again)
    merged(tmp_path / "ba.db", b, a)
    assert content(tmp_path / "ab.db") == content(tmp_path / "ba.db")
    assert rows(tmp_path / "ab.db", "SELECT count(*) FROM visits") == [(2,)]


def test_the_team_store_is_a_normal_store(two, tmp_path):
    a, b = two
    team = tmp_path / "team.db"
    merged(team, a, b)
    hits = json.loads(run_laqs("search", "moderation", "--json", store=team).stdout)
    assert [h["organisation"] for h in hits] == ["South Borough"]
    assert run_laqs("search", "PRIVATE", "--json", store=team).stdout.strip() == "[]"
    board = run_laqs("dashboard", "North Borough", "--year", "2026/27", "--json", store=team)
    assert board.returncode == 0, board.stderr
    assert json.loads(board.stdout)["title"] == "North Borough (2026/27)"
    shown = run_laqs("visits", "--json", store=team)
    assert sorted(v["organisation"] for v in json.loads(shown.stdout)) == ["North Borough", "South Borough"]


def test_an_edit_is_a_new_version_and_a_stale_edit_is_a_conflict_never_dropped(tmp_path):
    home = adviser(tmp_path / "laptop.db", "Ann Adviser", "North Borough", "2026-10-05")
    first = bundle(home, tmp_path / "first.bundle")
    # the same store on a second laptop: each copy edits the same answer
    other = copy_store(home, tmp_path / "desktop.db")
    for path, text, in ((home, "yes, reports are timely and complete"), (other, "reports are late this term")):
        st = Store(path)
        rid = st.conn.execute("SELECT id FROM responses").fetchone()[0]
        st.edit_response(rid, text)
        st.close()
    laptop, desktop = bundle(home, tmp_path / "laptop.bundle"), bundle(other, tmp_path / "desktop.bundle")
    # each edit names the version it replaced: the wording the first bundle carried
    root = rows(first, "SELECT id FROM pool_versions")[0][0]
    assert rows(laptop, "SELECT replaces FROM pool_versions WHERE replaces IS NOT NULL") == [(root,)]
    assert rows(desktop, "SELECT replaces FROM pool_versions WHERE replaces IS NOT NULL") == [(root,)]
    team = tmp_path / "team.db"
    merged(team, first, laptop)
    assert rows(team, "SELECT text FROM responses") == [("yes, reports are timely and complete",)]
    assert rows(team, "SELECT text FROM response_versions") == [("yes, reports are timely",)]
    merged(team, desktop)
    st = Store(team)
    found = list_conflicts(st)
    assert len(found) == 1
    c = found[0]
    assert c["organisation"] == "North Borough" and c["current"]["text"] == "yes, reports are timely and complete"
    assert [o["text"] for o in c["others"]] == ["reports are late this term"]
    assert st.conn.execute("SELECT count(*) FROM pool_versions").fetchone()[0] == 3  # nothing dropped
    # the same end whatever the order
    merged(tmp_path / "other.db", desktop, laptop, first)
    assert content(tmp_path / "other.db") == content(team)
    # resolving keeps the other wording; the conflict is no longer listed
    resolve_conflict(st, c["others"][0]["version"][:8], note="agreed with the LA")
    assert list_conflicts(st) == []
    assert st.conn.execute("SELECT text FROM responses").fetchone()[0] == "reports are late this term"
    st.close()
    listed = run_laqs("pool", "conflicts", str(team))
    assert listed.returncode == 0 and "No conflicts." in listed.stdout


def test_organisations_match_by_stable_key_with_aliases(tmp_path):
    a = adviser(tmp_path / "a.db", "Ann", "Barnsley", "2026-10-05")
    b = adviser(tmp_path / "b.db", "Bob", "Barnsley MBC", "2026-10-07")
    c = adviser(tmp_path / "c.db", "Cat", "barnsley", "2026-10-08")  # no key: matched by name
    for path, name in ((a, "Barnsley"), (b, "Barnsley MBC")):
        st = Store(path)
        set_code(st, name, "370")
        st.close()
    bundles = [bundle(p, p.with_suffix(".bundle")) for p in (a, b, c)]
    merged(tmp_path / "team.db", *bundles)
    team = tmp_path / "team.db"
    assert rows(team, "SELECT name, code FROM organisations") == [("Barnsley", "370")]
    assert rows(team, "SELECT count(DISTINCT organisation_id) FROM visits") == [(1,)]
    assert sorted(r[0] for r in rows(team, "SELECT name FROM organisation_aliases")) == ["Barnsley MBC", "barnsley"]
    merged(tmp_path / "rev.db", *reversed(bundles))
    assert content(tmp_path / "rev.db") == content(team)
    shown = run_laqs("pool", "aliases", str(team))
    assert "Barnsley [370]: also Barnsley MBC" in shown.stdout


def test_a_school_of_the_same_name_in_two_las_is_told_apart_by_urn(tmp_path):
    a = Store(tmp_path / "a.db")
    visit(a, "St Mary's CE Primary", "2026-10-05", school=True, parent="North Borough")
    set_code(a, "St Mary's CE Primary", "100001", school=True)
    a.close()
    b = Store(tmp_path / "b.db")
    visit(b, "St Mary's CE Primary", "2026-10-06", school=True, parent="South Borough")
    set_code(b, "St Mary's CE Primary", "100002", school=True)
    b.close()
    merged(tmp_path / "team.db", bundle(tmp_path / "a.db", tmp_path / "a.bundle"),
           bundle(tmp_path / "b.db", tmp_path / "b.bundle"))
    assert sorted(rows(tmp_path / "team.db", "SELECT o.name, p.name FROM organisations o JOIN organisations p ON "
                                             "p.id = o.parent_id")) == [
        ("St Mary's CE Primary (100001)", "North Borough"), ("St Mary's CE Primary (100002)", "South Borough")]


def test_an_answer_flagged_after_pooling_is_withdrawn_and_never_comes_back(tmp_path):
    home = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05", answers=("the head said Mr Brown",))
    before = bundle(home, tmp_path / "before.bundle")
    st = Store(home)
    st.flag_response(st.conn.execute("SELECT id FROM responses").fetchone()[0])
    st.close()
    after = bundle(home, tmp_path / "after.bundle")
    for order in ((before, after), (after, before)):
        team = tmp_path / f"team-{order[0].stem}.db"
        merged(team, *order)
        assert rows(team, "SELECT count(*) FROM responses") == [(0,)]
        assert rows(team, "SELECT count(*) FROM pool_versions") == [(0,)]
        dump = "\n".join(sqlite3.connect(str(team)).iterdump())
        assert "Mr Brown" not in dump


def test_the_commands(tmp_path):
    home = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05", flagged=PRIVATE)
    out = tmp_path / "a.bundle"
    r = run_laqs("pool", "export", "--from", "2026-09-01", "--to", "2026-12-31", "--out", str(out), store=home)
    assert r.returncode == 0, r.stderr
    assert "1 visit(s), 1 answer(s)" in r.stdout and "1 answer(s) flagged" in r.stdout
    r = run_laqs("pool", "merge", str(out), "--into", str(tmp_path / "team.db"))
    assert r.returncode == 0 and "1 answer(s) added" in r.stdout
    r = run_laqs("pool", "merge", str(out), "--into", str(tmp_path / "team.db"))
    assert "0 answer(s) added" in r.stdout and "merged before" in r.stderr
    r = run_laqs("pool", "key", "North Borough", "370", store=home)
    assert r.returncode == 0 and "has the key 370" in r.stdout
    r = run_laqs("pool", "policy", str(tmp_path / "team.db"), "share_flagged", "yes")
    assert "share_flagged: yes" in r.stdout


@pytest.mark.parametrize("args, says", [
    (("pool", "export", "--from", "2026-13-01", "--out", "{tmp}/x.bundle"), "--from 2026-13-01: give a date"),
    (("pool", "export", "--from", "2030-01-01", "--out", "{tmp}/x.bundle"), "no finalised visits to export"),
    (("pool", "export", "--out", "{tmp}/nofolder/x.bundle"), "no folder"),
    (("pool", "merge", "{tmp}/missing.bundle", "--into", "{tmp}/team.db"), "no bundle at"),
    (("pool", "merge", "{tmp}/a.db-not", "--into", "{tmp}/team.db"), "not a bundle"),
    (("pool", "conflicts", "{tmp}/none.db"), "no team store at"),
    (("pool", "resolve", "{tmp}/team.db", "ffff"), "no such version"),
    (("pool", "policy", "{tmp}/team.db", "share_everything", "yes"), "no policy 'share_everything'"),
    (("pool", "key", "Nowhere", "370"), "no LA 'Nowhere'"),
])
def test_mistakes_are_one_line(tmp_path, args, says):
    home = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05")
    (tmp_path / "a.db-not").write_text("not sqlite")
    Store(tmp_path / "team.db").close()
    r = run_laqs(*[a.replace("{tmp}", str(tmp_path)) for a in args], store=home)
    line = assert_one_line_failure(r, 2)
    assert says in line


def test_an_unfinished_visit_named_is_refused(tmp_path):
    st = Store(tmp_path / "a.db")
    s = visit(st, "North Borough", "2026-10-05", end=False)
    st.close()
    r = run_laqs("pool", "export", s.id[:8], "--out", str(tmp_path / "x.bundle"), store=tmp_path / "a.db")
    assert "has not ended" in assert_one_line_failure(r, 2)


def _joint(path: Path, *, sip: str = "Pat Partner") -> None:
    st = Store(path)
    la = st.ensure_organisation("North Borough", "LA")
    school = st.ensure_organisation("Elm Primary", "school", la["id"])
    jv = st.create_joint_visit(school_id=school["id"], la_id=la["id"], pack_id="ns2009", pack_version="1",
                               form_id="joint-visit", day="2026-10-12", author="Ann",
                               entries={"header:sip-name": sip, "header:school": "Elm Primary"})
    st.set_joint_entry(jv["id"], "challenge:grade", "2")
    st.set_joint_entry(jv["id"], "challenge:evidence", "the targets were challenged with the data")
    st.set_joint_status(jv["id"], "ended")
    st.close()


def test_a_joint_visit_travels_without_the_sips_name_unless_the_policy_says_so(tmp_path):
    home = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05")
    _joint(home)
    plain = bundle(home, tmp_path / "plain.bundle")
    assert rows(plain, "SELECT sip_name FROM joint_visits") == [("",)]
    assert sorted(r[0] for r in rows(plain, "SELECT field FROM joint_visit_entries")) == [
        "challenge:evidence", "challenge:grade", "header:school"]
    assert b"Pat Partner" not in plain.read_bytes()
    named = bundle(home, tmp_path / "named.bundle", share_sip_names=True)
    assert rows(named, "SELECT sip_name FROM joint_visits") == [("Pat Partner",)]
    # a team store whose policy does not share names keeps the grades, not the name, whatever the bundle carries
    team = tmp_path / "team.db"
    merged(team, named, plain)
    assert rows(team, "SELECT j.sip_name, s.name, l.name FROM joint_visits j JOIN organisations s ON "
                      "s.id = j.school_id JOIN organisations l ON l.id = j.la_id") == [("", "Elm Primary",
                                                                                      "North Borough")]
    assert rows(team, "SELECT value FROM joint_visit_entries WHERE field = 'challenge:grade'") == [("2",)]
    assert "Pat Partner" not in "\n".join(sqlite3.connect(str(team)).iterdump())
    sharing = tmp_path / "sharing.db"
    st = Store(sharing)
    set_policy(st, "share_sip_names", True)
    merge_bundles(st, [named])
    assert st.conn.execute("SELECT sip_name FROM joint_visits").fetchone() == ("Pat Partner",)
    st.close()
    # the same joint visit, merged in either order with the other bundle: the same team store
    merged(tmp_path / "other.db", plain, named)
    assert content(tmp_path / "other.db") == content(team)


def test_notes_and_the_team_report_are_written_from_a_team_store(two, tmp_path):
    from docx import Document

    a, b = two
    team = tmp_path / "team.db"
    st = Store(team)
    set_policy(st, "share_flagged", True)  # the flagged answer is in the team store: no document may carry it
    merge_bundles(st, [bundle(tmp_path / "a.db", tmp_path / "a-shared.bundle", share_flagged=True), b])
    visit_id = st.conn.execute("SELECT v.id FROM visits v JOIN organisations o ON o.id = v.organisation_id "
                               "WHERE o.name = 'North Borough'").fetchone()[0]
    st.close()
    out = tmp_path / "team-report.docx"
    r = run_laqs("report", "--from", "2026-09-01", "--to", "2026-12-31", "--out", str(out), store=team)
    assert r.returncode == 0, r.stderr
    text = "\n".join(p.text for p in Document(out).paragraphs)
    cells = "\n".join(c.text for t in Document(out).tables for row in t.rows for c in row.cells)
    assert "North Borough" in text + cells and "South Borough" in text + cells
    note = tmp_path / "note.docx"
    r = run_laqs("note", visit_id[:8], "--out", str(note), store=team)
    assert r.returncode == 0, r.stderr
    doc = Document(note)
    body = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "yes, reports are timely" in body and "PRIVATE" not in body and "Mr Brown" not in body


def test_an_organisation_keyed_after_it_was_pooled_stays_one_organisation(tmp_path):
    home = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05")
    before = bundle(home, tmp_path / "before.bundle")
    st = Store(home)
    set_code(st, "North Borough", "812")
    visit(st, "North Borough", "2026-11-05", author="Ann")
    st.close()
    after = bundle(home, tmp_path / "after.bundle")
    merged(tmp_path / "one.db", before, after)
    merged(tmp_path / "two.db", after, before)
    for team in (tmp_path / "one.db", tmp_path / "two.db"):
        assert rows(team, "SELECT name, code FROM organisations") == [("North Borough", "812")]
        assert rows(team, "SELECT count(*), count(DISTINCT organisation_id) FROM visits") == [(2, 1)]
    assert content(tmp_path / "one.db") == content(tmp_path / "two.db")
