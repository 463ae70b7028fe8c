"""One rating for a phase and year (session/year.py), read by the dashboard, the review, the note and the briefing
alike: the latest deciding visit's decision, until evidence is recorded after it; then the suggestion from the
year's evidence. And a store made before migration 0006 keeps its decisions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from conftest_store import db_rows, run_laqs
from docx import Document

from laqs_assist import notes
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session, year_ratings
from laqs_assist.session.year import year_rating_details
from laqs_assist.store import Store
from laqs_assist.store.schema import KNOWN

PACK = load_pack(default_pack_path())
YEAR = "2026/27"
REASON = "the LA's own moderation of forty SIP reports shows all seven features"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "laqs.db"


def visit(st: Store, day: str, **kw) -> Session:
    args = dict(agenda_id="la-contacts", organisation="Any Borough", phases=["P", "S"], focus=["2.4"], day=day)
    args.update(kw)
    return Session.start(st, PACK, **args)


def note_rows(st: Store, s: Session) -> dict[tuple[str, str], dict]:
    ctx = notes.note_context(st, PACK, s.id, today=date(2027, 1, 10))
    return {(r["phase_id"], r["aspect_id"]): r for r in ctx["ratings"]}


def briefing_rows(st: Store, day: str) -> dict[tuple[str, str], dict]:
    ctx = notes.briefing_context(st, PACK, "Any Borough", day=day, phases=["P", "S"], today=date(2027, 1, 10))
    return {(r["phase_id"], r["aspect_id"]): r for r in ctx["ratings"]}


def test_a_later_visit_with_new_evidence_sets_an_override_aside_everywhere_alike(db, tmp_path):
    with Store(db) as st:
        first = visit(st, "2026-10-01")
        first.judge("2.4.G.1", "met")
        first.judge("2.4.report-features", 5)  # capped at NI in both phases
        first.override("2.4", "P", "G", REASON)
        first.end()
        org = first.visit["organisation_id"]
        assert year_ratings(st, PACK, org, YEAR)[("P", "2.4")] == "G"
        assert year_ratings(st, PACK, org, YEAR)[("S", "2.4")] == "NI"

        # A later visit touching only 2.5 leaves the override standing.
        second = visit(st, "2026-11-20", focus=["2.5"])
        second.judge("2.5.G.1", "met")
        held = year_rating_details(st, PACK, org, YEAR)[("P", "2.4")]
        assert (held.column, held.standing, held.visit_date) == ("G", "overridden", "2026-10-01")
        assert held.rests_on() == "adviser's override at the visit of 2026-10-01"

        # New evidence on 2.4 Primary at the later visit: the suggestion stands until someone decides again.
        second.judge("2.4.G.2", "met", phases=["P"])
        held = year_rating_details(st, PACK, org, YEAR)
        p24 = held[("P", "2.4")]
        assert (p24.column, p24.standing) == ("NI", "suggested") and p24.column == p24.rating.suggestion
        assert p24.lapsed["visit_date"] == "2026-10-01" and p24.lapsed["column_id"] == "G"
        assert p24.rests_on() == ("suggested from the year's evidence (the override at the visit of 2026-10-01 was "
                                  "set aside by evidence recorded since)")
        # the dashboard's function, the review, the note of the later visit and a briefing after it: one answer
        assert year_ratings(st, PACK, org, YEAR)[("P", "2.4")] == "NI"
        review = {(r["phase"], r["aspect"]): r for r in second.review()}
        assert (review[("P", "2.4")]["final"], review[("P", "2.4")]["standing"]) == ("NI", "suggested")
        assert note_rows(st, second)[("P", "2.4")]["column"] == "NI"
        assert briefing_rows(st, "2026-12-01")[("P", "2.4")]["column"] == "NI"
        for key, h in held.items():
            if key in note_rows(st, second):
                assert note_rows(st, second)[key]["column"] == (h.column if h.column not in (None, "N/A") else "")
        # the earlier visit's note is as it stood then: the adviser's Good
        assert note_rows(st, first)[("P", "2.4")]["rating_line"].startswith("Good, effective (adviser's rating;")
        # and a briefing before the second visit still reads the override
        assert briefing_rows(st, "2026-11-01")[("P", "2.4")]["standing"] == "overridden"

        # Agreeing at the later visit decides again.
        second.accept("2.4", "P")
        held = year_rating_details(st, PACK, org, YEAR)[("P", "2.4")]
        assert (held.column, held.standing, held.visit_date) == ("NI", "agreed", "2026-11-20")
        assert note_rows(st, second)[("P", "2.4")]["rating_line"] == f"{PACK.column('NI').note} (agreed)"
        second.end()
        path = notes.write_note(st, PACK, second.id, tmp_path / "second.docx", today=date(2027, 1, 10)).path
        doc = Document(str(path))
        table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["Aspect", "Phase", "Rating"])
        cells = {(r.cells[0].text, r.cells[1].text): r.cells[2].text for r in table.rows[1:]}
        assert cells[("2.4", "Primary")] == f"{PACK.column('NI').note} (agreed)"
        assert cells[("2.4", "Secondary")] == f"{PACK.column('NI').note} (suggested)"

    # The CLI dashboard reads the same function.
    proc = run_laqs("dashboard", "Any Borough", "--year", YEAR, "--json", store=db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    board = json.loads(proc.stdout)
    primary = next(r for r in board["rows"] if r["phase"] == "P")
    assert primary["aspects"]["2.4"] == "NI"


def test_evidence_recorded_after_a_decision_in_the_same_visit_reopens_it(db):
    with Store(db) as st:
        s = visit(st, "2026-10-01", phases=["P"])
        s.judge("2.4.G.1", "met")
        s.accept("2.4", "P")
        org = s.visit["organisation_id"]
        assert year_rating_details(st, PACK, org, YEAR)[("P", "2.4")].standing == "agreed"
        s.judge("2.4.report-features", 5)
        held = year_rating_details(st, PACK, org, YEAR)[("P", "2.4")]
        assert (held.standing, held.column) == ("suggested", "NI")
        assert held.lapsed["kind"] == "agreed"
        assert "the agreement at the visit of 2026-10-01 was set aside" in held.rests_on()


def test_the_latest_visit_by_date_decides_and_an_earlier_decision_does_not_come_back(db):
    with Store(db) as st:
        late = visit(st, "2026-12-01", phases=["P"])
        late.judge("2.4.G.1", "met")
        early = visit(st, "2026-10-01", phases=["P"])  # recorded afterwards, dated before
        early.override("2.4", "P", "G", REASON)
        late.override("2.4", "P", "SI", "the director withdrew the risk register")
        org = late.visit["organisation_id"]
        # the visit dated later decides, though its decision was not the last made
        early.override("2.4", "P", "G", REASON + " again")
        held = year_rating_details(st, PACK, org, YEAR)[("P", "2.4")]
        assert (held.column, held.visit_date) == ("SI", "2026-12-01")
        late.judge("2.4.G.2", "met")
        held = year_rating_details(st, PACK, org, YEAR)[("P", "2.4")]
        assert held.standing == "suggested" and held.column == held.rating.suggestion != "G"


# --- a store made before migration 0006 ---------------------------------------------------------------------------


def test_a_store_made_before_0006_keeps_its_decisions(db):
    """A store as the release before 0006 left it: its overrides and acceptances only in the ratings rows (what
    the release's Session.override and accept wrote). Opening it takes them into rating_decisions."""
    with Store(db) as st:
        s = visit(st, "2026-10-01", phases=["P"], focus=["2.4", "2.5"])
        s.judge("2.4.G.1", "met")
        s.judge("2.4.report-features", 5)
        s.judge("2.5.G.1", "met")
        r24, r25 = s.rating("2.4", "P"), s.rating("2.5", "P")
        st.save_rating(s.visit, "P", "2.4", suggestion=r24.suggestion, ceiling=r24.ceiling, reason=r24.reason,
                       override="G", override_reason=REASON, accepted=1)
        st.save_rating(s.visit, "P", "2.5", suggestion=r25.suggestion, ceiling=r25.ceiling, reason=r25.reason,
                       override=None, override_reason=None, accepted=1)
        later = visit(st, "2026-11-20", phases=["P"], focus=["2.4"])
        later.answer("The risk register was discussed again")  # 2.4 is discussed (an answer, not new evidence)
        org = s.visit["organisation_id"]
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("DROP TABLE rating_decisions")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_rating_decisions'")
    stamps = dict(conn.execute("SELECT aspect_id, updated_at FROM ratings").fetchall())
    conn.close()

    with Store(db) as st:  # opening migrates
        # Re-applied 0006 now sits after the migrations that came later: what matters is that each ran once.
        assert sorted(r["name"] for r in db_rows(db, "SELECT name FROM _sqlite_migrations")) == sorted(KNOWN)
        decisions = {(d["aspect_id"], d["kind"], d["column_id"], d["reason"], d["decided_at"])
                     for d in db_rows(db, "SELECT * FROM rating_decisions")}
        assert decisions == {("2.4", "override", "G", REASON, stamps["2.4"]),
                             ("2.5", "agreed", r25.suggestion, None, stamps["2.5"])}
        held = year_rating_details(st, PACK, org, YEAR, phases=["P"])
        assert (held[("P", "2.4")].column, held[("P", "2.4")].standing) == ("G", "overridden")
        assert (held[("P", "2.5")].column, held[("P", "2.5")].standing) == (r25.suggestion, "agreed")
        assert year_ratings(st, PACK, org, YEAR)[("P", "2.4")] == "G"
        ctx = notes.note_context(st, PACK, later.id, today=date(2027, 1, 10))
        row = next(r for r in ctx["ratings"] if r["aspect_id"] == "2.4")
        assert row["rating_line"].startswith("Good, effective (adviser's rating; the criteria allow at most")
        assert row["rests_on"] == "adviser's override at the visit of 1 October 2026"
    Store(db).close()  # migrated once
    assert db_rows(db, "SELECT count(*) AS n FROM rating_decisions") == [{"n": 2}]
