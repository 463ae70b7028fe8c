"""Documents kept as evidence, school reviews and the school register pool with their visits: only documents marked shared travel (a
private one's bytes, title and hash never leave the store), a review travels once its days are over with its
flagged interviews and evidence left behind, an LA's register travels with its visits without flagged entries, and
merging stays idempotent and order-independent."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from pool_helpers import (
    FLAGGED_ENTRY,
    FLAGGED_REVIEW,
    PRIVATE_DOC,
    SHARED_DOC,
    adviser,
    bundle,
    content,
    with_documents,
    with_register,
    with_review,
)

from laqs_assist.errors import UsageError
from laqs_assist.store import Store
from laqs_assist.store.bundle import choose_visits
from laqs_assist.store.pooling import merge_bundles

SECRETS = (PRIVATE_DOC, b"PRIVATETITLE", b"staffing.txt", hashlib.sha256(PRIVATE_DOC).hexdigest().encode(),
           FLAGGED_REVIEW.encode())


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def merged(team: Path, *bundles: Path) -> list[dict]:
    st = Store(team)
    try:
        return merge_bundles(st, list(bundles))
    finally:
        st.close()


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    d = tmp_path_factory.mktemp("records")
    a = with_documents(d / "a.db", "North Borough", "2026-10-05")
    with_review(a, "Elm Primary", ("2026-11-10", "2026-11-11"))
    with_review(a, "Oak Primary", ("2999-01-05", "2999-01-06"))  # not held yet: stays behind
    b = adviser(d / "b.db", "Bob", "South Borough", "2026-10-06", answers=("moderation is timely",))
    with_review(b, "Ash Academy", ("2026-11-20", "2026-11-21"), team=("Bob", "Bea"))
    return bundle(a, d / "a.bundle"), bundle(b, d / "b.bundle")


def test_the_bundle_carries_shared_documents_and_held_reviews_only(bundles):
    a, _ = bundles
    raw = a.read_bytes()
    for secret in SECRETS:
        assert secret not in raw, secret  # not in a row, an event, or a freed page
    assert rows(a, "SELECT title, shared, content FROM documents") == [("Summer school case study", 1, SHARED_DOC)]
    assert rows(a, "SELECT o.name FROM reviews r JOIN visits v ON v.id = r.visit_id JOIN organisations o "
                   "ON o.id = v.organisation_id") == [("Elm Primary",)]
    assert rows(a, "SELECT count(*), sum(concerns_individual) FROM review_interviews") == [(1, 0)]
    assert rows(a, "SELECT count(*), sum(concerns_individual) FROM review_evidence") == [(1, 0)]
    # the standard the flagged interview gave is the school's and travels, without naming that interview
    assert sorted(rows(a, "SELECT text, interview_id IS NULL FROM review_standards")) == [
        ("Leaders check marking", 1), ("Moderation is termly", 0), ("Work is marked weekly", 0)]
    assert rows(a, "SELECT count(*) FROM review_slots") == [(0,)]  # the day plan stays with the team
    assert rows(a, "SELECT a.text, p.support FROM review_priorities p JOIN actions a ON a.id = p.action_id") == [
        ("Moderate writing across the trust", "LA English adviser, two days")]
    assert rows(a, "SELECT count(*) FROM review_evidence WHERE collation_id IS NOT NULL") == [(1,)]


def test_documents_and_reviews_merge_idempotently_in_either_order(bundles, tmp_path):
    a, b = bundles
    first = merged(tmp_path / "ab.db", a, b)
    assert [r["visits"] for r in first] == [2, 2]
    before = content(tmp_path / "ab.db")
    again = merged(tmp_path / "ab.db", a, b)
    assert all(r["already"] for r in again)
    assert content(tmp_path / "ab.db") == before
    merged(tmp_path / "ba.db", b, a)
    assert content(tmp_path / "ba.db") == before
    team = tmp_path / "ab.db"
    assert rows(team, "SELECT count(*) FROM reviews") == [(2,)]
    assert rows(team, "SELECT count(*) FROM documents") == [(1,)]
    assert rows(team, "SELECT count(*) FROM review_interviews WHERE concerns_individual = 1") == [(0,)]
    assert rows(team, "SELECT count(*) FROM review_evidence WHERE concerns_individual = 1") == [(0,)]
    raw = team.read_bytes() + (Path(f"{team}-wal").read_bytes() if Path(f"{team}-wal").exists() else b"")
    for secret in SECRETS:
        assert secret not in raw, secret
    # the team store reads a pooled review as the adviser's store does
    st = Store(team)
    try:
        vid = rows(team, "SELECT r.visit_id FROM reviews r JOIN visits v ON v.id = r.visit_id JOIN organisations o "
                         "ON o.id = v.organisation_id WHERE o.name = 'Elm Primary'")[0][0]
        assert [s["text"] for s in st.standards(vid)] == ["Work is marked weekly", "Moderation is termly",
                                                          "Leaders check marking"]
        assert [p["support"] for p in st.priorities(vid)] == ["LA English adviser, two days"]
        assert st.document_content(st.documents(visit_id=rows(team, "SELECT visit_id FROM documents")[0][0])[0][
            "id"]) == SHARED_DOC
    finally:
        st.close()


def test_a_later_export_brings_a_review_up_to_date_and_a_store_never_keeps_a_flagged_row(bundles, tmp_path):
    d = tmp_path
    a = with_documents(d / "a.db", "North Borough", "2026-10-05")
    vid = with_review(a, "Elm Primary", ("2026-11-10", "2026-11-11"))
    early = bundle(a, d / "early.bundle")
    st = Store(a)
    st.add_review_note(vid, "question", "How is marking checked in the early years?")
    st.add_evidence(vid, "assessment.1", "data", 1, "evident", "Data drops are termly")
    st.collate(vid, None, None, [])
    st.close()
    late = bundle(a, d / "late.bundle")
    merged(d / "one.db", early, late)
    merged(d / "two.db", late, early)
    assert content(d / "one.db") == content(d / "two.db")
    assert rows(d / "one.db", "SELECT count(*) FROM review_notes") == [(2,)]
    assert rows(d / "one.db", "SELECT count(*) FROM review_evidence WHERE collation_id IS NULL") == [(0,)]
    # a bundle that carries a flagged row or a private document all the same is refused them by the team store
    forged = d / "forged.bundle"
    forged.write_bytes(late.read_bytes())
    conn = sqlite3.connect(str(forged))
    conn.execute("UPDATE review_notes SET text = text")  # a write, to show the file is ours to change
    conn.execute("UPDATE review_evidence SET concerns_individual = 1")
    conn.execute("UPDATE documents SET shared = 0")
    conn.execute("UPDATE pool_bundles SET id = 'forged'")
    conn.commit()
    conn.close()
    merged(d / "three.db", forged)
    assert rows(d / "three.db", "SELECT count(*) FROM review_evidence") == [(0,)]
    assert rows(d / "three.db", "SELECT count(*) FROM documents") == [(0,)]


def test_a_review_named_before_its_days_are_over_is_refused(tmp_path):
    vid = with_review(tmp_path / "a.db", "Oak Primary", ("2999-01-05", "2999-01-06"))
    st = Store(tmp_path / "a.db")
    try:
        with pytest.raises(UsageError, match="is not over"):
            choose_visits(st, date_from=None, date_to=None, refs=(vid[:8],))
        assert choose_visits(st, date_from=None, date_to=None, refs=(vid[:8],), today="2999-01-06") == [vid]
        assert choose_visits(st, date_from=None, date_to="2999-01-05", refs=(), today="3000-01-01") == []
    finally:
        st.close()


def _registers(d: Path) -> tuple[Path, Path]:
    """Two advisers keeping North Borough's register: the same school under two names (one URN), one flagged
    escalation each, and an entry after the export's last day."""
    a = adviser(d / "a.db", "Ann", "North Borough", "2026-10-05")
    with_register(a, "North Borough", (("Elm Primary", "100001"), ("Ash Infants", "100002")),
                  (("100001", "level", "2", "2026-09-10", False), ("100002", "stage", "1", "2026-09-12", False),
                   ("100001", "escalation", "v", "2026-10-01", True), ("100002", "level", "3", "2027-01-10", False)))
    b = adviser(d / "b.db", "Bob", "North Borough", "2026-10-20")
    with_register(b, "North Borough", (("Elm Primary School", "100001"),),
                  (("100001", "review", "", "2026-10-20", False), ("100001", "escalation", "v", "2026-10-21", True)))
    return a, b


def test_an_las_register_travels_with_its_visits_without_flagged_entries(tmp_path):
    a, b = _registers(tmp_path)
    st = Store(a)
    try:
        out = tmp_path / "a.bundle"
        from laqs_assist.store.bundle import export_bundle, export_range

        export_bundle(st, choose_visits(st, date_from=None, date_to="2026-12-31", refs=()), out,
                      dates=export_range(None, "2026-12-31", ()))
    finally:
        st.close()
    assert FLAGGED_ENTRY.encode() not in out.read_bytes()
    assert sorted(rows(out, "SELECT kind, value, on_date FROM register_entries")) == [
        ("level", "2", "2026-09-10"), ("stage", "1", "2026-09-12")]  # nothing after the export's last day
    assert rows(out, "SELECT pack_id FROM register_las") == [("staffordshire",)]
    # the register's schools travel as organisations keyed by their URN
    assert sorted(rows(out, "SELECT name, code FROM organisations WHERE kind = 'school'")) == [
        ("Ash Infants", "100002"), ("Elm Primary", "100001")]
    # a visit elsewhere carries no register of North Borough
    c = adviser(tmp_path / "c.db", "Cy", "South Borough", "2026-10-05")
    with_register(c, "North Borough", (("Elm Primary", "100001"),), (("100001", "level", "1", "2026-09-01", False),))
    assert rows(bundle(c, tmp_path / "c.bundle"), "SELECT count(*) FROM register_entries") == [(0,)]


def test_registers_merge_by_urn_idempotently_in_either_order(tmp_path):
    a, b = _registers(tmp_path)
    ab, ba = bundle(a, tmp_path / "a.bundle"), bundle(b, tmp_path / "b.bundle")
    merged(tmp_path / "ab.db", ab, ba)
    before = content(tmp_path / "ab.db")
    merged(tmp_path / "ab.db", ab, ba)
    assert content(tmp_path / "ab.db") == before
    merged(tmp_path / "ba.db", ba, ab)
    assert content(tmp_path / "ba.db") == before
    team = tmp_path / "ab.db"
    assert FLAGGED_ENTRY.encode() not in team.read_bytes()
    assert rows(team, "SELECT count(*) FROM register_entries WHERE concerns_individual = 1") == [(0,)]
    # one school Elm Primary (matched by its URN, its other name an alias), one register row, both advisers' entries
    assert rows(team, "SELECT name FROM organisations WHERE code = '100001'") == [("Elm Primary",)]
    assert rows(team, "SELECT a.name FROM organisation_aliases a JOIN organisations o ON o.id = a.organisation_id "
                      "WHERE o.code = '100001'") == [("Elm Primary School",)]
    assert rows(team, "SELECT count(*) FROM register_schools WHERE urn = '100001'") == [(1,)]
    assert sorted(rows(team, "SELECT o.name, e.kind, e.on_date FROM register_entries e JOIN register_schools s "
                             "ON s.id = e.school_id JOIN organisations o ON o.id = s.organisation_id")) == [
        ("Ash Infants", "level", "2027-01-10"), ("Ash Infants", "stage", "2026-09-12"),
        ("Elm Primary", "level", "2026-09-10"), ("Elm Primary", "review", "2026-10-20")]
    # the team store reads the register as the adviser's does
    from laqs_assist.store.register import RegisterTables

    st = Store(team)
    try:
        la = st.conn.execute("SELECT id FROM organisations WHERE kind = 'LA'").fetchone()[0]
        latest = RegisterTables(st).latest(la)
        assert sorted((k[1], v["value"]) for k, v in latest.items()) == [("level", "2"), ("level", "3"),
                                                                        ("stage", "1")]
    finally:
        st.close()


def test_an_la_keyed_after_its_register_was_pooled_keeps_one_register(tmp_path):
    from laqs_assist.store.pooling import set_code

    a, _ = _registers(tmp_path)
    early = bundle(a, tmp_path / "early.bundle")
    st = Store(a)
    set_code(st, "North Borough", "881")
    st.close()
    late = bundle(a, tmp_path / "late.bundle")
    merged(tmp_path / "one.db", early, late)
    merged(tmp_path / "two.db", late, early)
    assert content(tmp_path / "one.db") == content(tmp_path / "two.db")
    team = tmp_path / "one.db"
    assert rows(team, "SELECT code FROM organisations WHERE kind = 'LA'") == [("881",)]
    assert rows(team, "SELECT count(DISTINCT e.la_id), count(*) FROM register_entries e JOIN organisations o "
                      "ON o.id = e.la_id") == [(1, 3)]
    assert rows(team, "SELECT count(*) FROM register_las") == [(1,)]
    st = Store(team)  # the register's history is still guarded
    try:
        with pytest.raises(Exception, match="never changed"):
            st.conn.execute("UPDATE register_entries SET value = 'x'")
    finally:
        st.close()


def test_a_document_made_private_again_is_withdrawn_and_never_comes_back(tmp_path):
    a = with_documents(tmp_path / "a.db", "North Borough", "2026-10-05")
    shared = bundle(a, tmp_path / "shared.bundle")
    st = Store(a)
    doc = st.conn.execute("SELECT id FROM documents WHERE shared = 1").fetchone()[0]
    st.share_document(doc, False)
    st.close()
    private = bundle(a, tmp_path / "private.bundle")
    assert SHARED_DOC not in private.read_bytes()
    assert rows(private, "SELECT response_id FROM pool_withdrawn") == [(doc,)]
    merged(tmp_path / "one.db", shared, private)
    merged(tmp_path / "two.db", private, shared)
    digest = hashlib.sha256(SHARED_DOC).hexdigest()
    for team in (tmp_path / "one.db", tmp_path / "two.db"):
        assert rows(team, "SELECT count(*) FROM documents") == [(0,)]
        # the log keeps that it was kept, never its hash
        assert rows(team, "SELECT count(*) FROM events WHERE entity = ?", [doc]) == [(1,)]
        assert rows(team, "SELECT count(*) FROM events WHERE payload LIKE ?", [f"%{digest}%"]) == [(0,)]
    assert digest.encode() not in private.read_bytes()
    assert content(tmp_path / "one.db") == content(tmp_path / "two.db")
