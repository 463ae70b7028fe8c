"""The register in the store: every change kept with its evidence, reason, who and when, never overwritten; the
automatic rules applied and shown; visits made with the interview engine counted; escalation, strands, support
days and caps through the application module; what concerns an individual kept out of shared outputs."""

from __future__ import annotations

import sqlite3

import pytest

from laqs_assist.app.register import Register, year_facts
from laqs_assist.errors import UsageError
from laqs_assist.notes.register_docs import board_context, register_csv
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

NS2009 = load_pack(default_pack_path())


@pytest.fixture
def reg(tmp_path):
    store = Store(tmp_path / "laqs.db")
    r = Register(store, today="2026-09-10", author="Jo Bloggs")
    r.add_school("Any Borough", "Oak Primary", "100001", "Primary", "maintained", "2026-04-20",
                 pack="barnsley-register")
    r.add_school("Any Borough", "Elm Academy", "100002", "Secondary", "academy")
    r.add_school("Any Borough", "Ash School", "100003", "Primary", "maintained")
    yield r
    store.close()


def _row(reg, name, on=None, shared=False):
    return next(r for r in reg.view("Any Borough", on=on, shared=shared).rows if r.name == name)


def test_history_is_never_overwritten(reg):
    reg.set_level("Any Borough", "Ash School", "low", ["data"], "results dipped", on="2026-09-01")
    reg.set_level("Any Borough", "Ash School", "medium", ["data", "la-intelligence"], "attendance falling",
                  on="2026-11-03", by="Sam Adviser")
    hist = reg.tables.entries(_row(reg, "Ash School").school_id, ["level"])
    assert [(h["value"], h["reason"], h["by_whom"]) for h in hist] == [
        ("low", "results dipped", "Jo Bloggs"), ("medium", "attendance falling", "Sam Adviser")]
    assert all(h["created_at"] for h in hist)
    assert _row(reg, "Ash School", on="2026-10-01").level.id == "low"  # as it stood on a day
    assert _row(reg, "Ash School", on="2026-11-20").level.id == "medium"
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        reg.store.conn.execute("UPDATE register_entries SET value = 'none'")
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        reg.store.conn.execute("DELETE FROM register_entries")


def test_a_change_needs_a_reason_and_known_evidence(reg):
    with pytest.raises(UsageError, match="say why"):
        reg.set_level("Any Borough", "Ash School", "low", ["data"], "")
    with pytest.raises(UsageError, match="no evidence source 'rumour'"):
        reg.set_level("Any Borough", "Ash School", "low", ["rumour"], "why")
    with pytest.raises(UsageError, match="name the evidence"):
        reg.set_level("Any Borough", "Ash School", "low", [], "why")
    with pytest.raises(UsageError, match="no level of risk 'amber'"):
        reg.set_level("Any Borough", "Ash School", "amber", ["data"], "why")
    with pytest.raises(UsageError, match="no school 'Birch'"):
        reg.set_level("Any Borough", "Birch", "low", ["data"], "why")
    with pytest.raises(UsageError, match="URN 100001 is already on the register"):
        reg.add_school("Any Borough", "Oak Two", "100001", "Primary", "maintained")


def test_the_new_headteacher_rule_is_applied_and_shown(reg):
    change = reg.set_level("Any Borough", "Oak Primary", "none", ["data"], "strong results")
    assert change.value == "low" and "new headteacher in post since 2026-04-20" in change.applied
    entry = reg.tables.entries(_row(reg, "Oak Primary").school_id, ["level"])[-1]
    assert entry["rule"] == "new-headteacher" and '"leadership"' in entry["evidence"]
    # a new head at a school at no risk: raised at once
    reg.set_level("Any Borough", "Ash School", "none", ["data"], "strong results")
    change = reg.new_headteacher("Any Borough", "Ash School", "2026-09-05")
    assert change.applied and _row(reg, "Ash School").level.id == "low"
    kinds = [e["kind"] for e in reg.tables.entries(_row(reg, "Ash School").school_id)]
    assert kinds == ["level", "details", "level"]


def test_a_visit_with_the_interview_engine_counts(reg):
    reg.set_level("Any Borough", "Ash School", "low", ["data"], "termly")
    s = Session.start(reg.store, NS2009, agenda_id="headteachers", organisation="Ash School", kind="school",
                      parent="Any Borough", day="2026-09-08", phases=["P"])
    s.answer("Progress is secure in reading")
    reg.record_visit("Any Borough", "Ash School", on="2026-09-09", report=True)
    row = _row(reg, "Ash School")
    assert (row.visits_made, row.reports_made, row.visits_allowed) == (2, 1, "3")
    assert row.due_by is None  # the autumn term's visit is made


def test_escalation_ladders_and_privacy_of_step_v(reg):
    for n, step in enumerate(("i", "ii", "iii", "iv"), start=1):
        reg.escalate("Any Borough", "Ash School", step, "no agreement", on=f"2026-09-0{n}")
    with pytest.raises(UsageError, match="the next step from iv is v or vi, not vii"):
        reg.escalate("Any Borough", "Ash School", "vii", "skip")
    reg.escalate("Any Borough", "Ash School", "v", "meeting with the chair")
    row = _row(reg, "Ash School")
    assert row.escalation == "v" and row.next_steps == ("vi",)
    assert _row(reg, "Ash School", shared=True).escalation == "iv"  # step v concerns one person
    assert _row(reg, "Ash School").escalation_since == "2026-09-10"
    assert _row(reg, "Ash School", shared=True).escalation_since == "2026-09-04"  # iv's own day, not v's
    reg.set_level("Any Borough", "Ash School", "high", ["data"], "escalating")
    assert ",iv," in register_csv(reg, "Any Borough").split("\n")[1]
    # an academy not engaging goes straight to iii
    with pytest.raises(UsageError, match="--not-engaging"):
        reg.escalate("Any Borough", "Elm Academy", "iii", "no reply")
    change = reg.escalate("Any Borough", "Elm Academy", "iii", "no reply", not_engaging=True)
    assert "move directly to the formal steps" in change.notes[0]
    assert reg.tables.entries(_row(reg, "Elm Academy").school_id, ["escalation"])[-1]["rule"] == "shortcut"
    reg.escalate("Any Borough", "Elm Academy", "end", "agreed a plan")
    assert _row(reg, "Elm Academy").escalation == ""


def test_a_flagged_reason_stays_out_of_shared_outputs(reg):
    reg.set_level("Any Borough", "Ash School", "high", ["leadership"], "head's capability in question", flag=True)
    assert _row(reg, "Ash School").level_reason == "head's capability in question"
    assert _row(reg, "Ash School", shared=True).level_reason == ""
    assert _row(reg, "Ash School").reason_flagged is True
    assert "capability" not in register_csv(reg, "Any Borough")
    ctx = board_context(reg, "Any Borough")
    assert "capability" not in repr(ctx)


def test_monthly_review_facts_for_the_standards(reg):
    for s in ("Oak Primary", "Elm Academy", "Ash School"):
        reg.set_level("Any Borough", s, "low", ["data"], "september", on="2026-09-02")
    schools = [x["school"] for x in reg.walk("Any Borough", on="2026-10-05")]
    reg.assess("Any Borough", [{"school": s} for s in schools], "monthly", on="2026-10-05")
    reg.assess("Any Borough", [{"school": s} for s in schools[:2]], "monthly", on="2026-11-05")
    f = reg.year_facts("Any Borough", "2026/27", on="2026-11-20")
    assert f["schools"] == 3 and f["levels"]["Low risk/support"] == 3
    assert f["periods"] == ["2026-09", "2026-10", "2026-11"] and f["review_every"] == "month"
    assert f["reviewed_periods"] == ["2026-09", "2026-10"] and f["reviewed_each_period"] is False
    assert f["lines"][2] == "every school reviewed in 2 of 3 months so far (monthly review)"
    assert f["lines"][3] == "the register presented to the Challenge Board in 0 of 1 terms so far (termly)"
    assert f["current"] is False and f["stale"] == ["Oak Primary"]  # 2026-10-05 is more than 31 days before
    assert f["aspects"] == ["2.3", "2.4"] and f["source"] == "data"
    same = year_facts(reg.store, "Any Borough", "2026/27", today="2026-11-20")
    assert same["lines"] == f["lines"]
    assert year_facts(reg.store, "Nowhere", "2026/27")["schools"] == 0
    reg.record_board("Any Borough", on="2026-11-19")
    assert reg.year_facts("Any Borough", "2026/27", on="2026-11-20")["board_terms"] == ["Autumn term"]


@pytest.fixture
def staffs(tmp_path):
    store = Store(tmp_path / "staffs.db")
    r = Register(store, today="2026-09-10")
    r.add_school("Shire", "Ash High", "200001", "Secondary", "maintained", pack="staffordshire-register")
    r.set_level("Shire", "Ash High", "4", ["ofsted"], "inadequate", on="2026-09-02")
    yield r
    store.close()


def test_stage_2_to_3_ticks_its_strand_and_the_checklist_has_dates(staffs):
    staffs.set_stage("Shire", "Ash High", "2", "results falling", ["attainment", "progress"], on="2026-09-15")
    staffs.tick_strand("Shire", "Ash High", "s2.officer", on="2026-09-20")
    info = staffs.school_view("Shire", "Ash High", on="2026-10-01")
    done = {s["id"]: s["done"] for s in info["strands"]}
    assert done["s2.officer"] == "2026-09-20" and done["s2.capacity"] is None
    change = staffs.set_stage("Shire", "Ash High", "3", "insufficient pace", on="2027-01-10")
    assert change.notes == ("stage 2 → 3: Where evaluation demonstrates insufficient pace move to Stage 3.",)
    info = staffs.school_view("Shire", "Ash High", on="2027-01-11")
    assert [s["id"] for s in info["strands"]][0] == "s3.lead" and not any(s["done"] for s in info["strands"])
    with pytest.raises(UsageError, match="no strand 's2.officer' at Stage 3"):
        staffs.tick_strand("Shire", "Ash High", "s2.officer")
    # the intervention started at stage 2 and runs on: review after two terms, refer after three
    assert _alert(staffs, "2027-03-31") == "review"
    assert _alert(staffs, "2027-08-31") == "refer"


def _alert(reg, on):
    return next(r for r in reg.view("Shire", on=on).rows).alert_kind


def test_support_days_charges_and_caps(staffs):
    staffs.add_support("Shire", "Ash High", 8, on="2026-10-01")
    change = staffs.add_support("Shire", "Ash High", 3, on="2026-11-01")
    assert change.notes == ("2026/27: 11 days: 11 to 20 days – the school pays for 2 days — £960",)
    staffs.add_support("Shire", "Ash High", 5, "audit", on="2026-10-01")
    with pytest.raises(UsageError, match="cap of 5 days"):
        staffs.add_support("Shire", "Ash High", 0.5, "audit", on="2026-10-02")
    staffs.add_support("Shire", "Ash High", 4, "monitoring", on="2026-10-02")
    with pytest.raises(UsageError, match="cap of 4 days"):
        staffs.add_support("Shire", "Ash High", 1, "monitoring", on="2026-10-03")
    fin = staffs.charges("Shire", "2026/27")
    row = fin["schools"][0]
    assert (row["support_days"], row["audit_days"], row["monitoring_days"], row["charge"]) == (11, 5, 4, 960)
    assert row["la_funded"] == 9 * 480
    # a new year starts afresh
    assert staffs.charges("Shire", "2027/28")["schools"][0]["charge"] == 0
    with pytest.raises(UsageError, match="days must be more than 0"):
        staffs.add_support("Shire", "Ash High", 0)


def test_the_register_as_evidence_rows_for_the_year_view(reg):
    from laqs_assist.app.register import register_evidence_rows, register_marker

    la = reg.store.find_la("Any Borough")
    before = register_marker(reg.store, la, "2026/27")
    for s in ("Oak Primary", "Elm Academy", "Ash School"):
        reg.set_level("Any Borough", s, "low", ["data"], "september", on="2026-09-02")
    assert register_marker(reg.store, la, "2026/27") != before
    rows = register_evidence_rows(reg.store, la, "2026/27", phases=("P", "S"))
    assert {r["aspect"] for r in rows} == {"2.3", "2.4"} and {r["source"] for r in rows} == {"data"}
    assert all(r["kind"] == "note" and r["phases"] == ("P", "S") for r in rows)
    assert rows[0]["text"].startswith("3 schools on the register")
    assert set(rows[0]) == {"source", "aspect", "phases", "date", "kind", "target", "text", "who", "organisation",
                            "school_id", "visit_id", "created_at"}
    assert register_evidence_rows(reg.store, {"id": "x", "name": "Nowhere"}, "2026/27") == []


def test_a_letter_tells_a_school_it_is_causing_concern_why_and_the_level(staffs, tmp_path):
    from docx2python import docx2python

    from laqs_assist.notes.register_docs import write_change_letter

    staffs.set_stage("Shire", "Ash High", "2", "attainment has fallen two years running", ["attainment", "budget"],
                     on="2026-10-05")
    path = write_change_letter(staffs, "Shire", "Ash High", on="2026-10-06", out_path=tmp_path)
    assert path.name == "200001-ash-high-concern-2026-10-06.docx"
    with docx2python(path) as doc:
        text = doc.text
    assert "A school causing concern: Ash High" in text
    assert "Stage 2 – Light Touch (Medium Level of concern)" in text
    assert "Low attainment overall and/or by key identified groupings" in text and "Budgetary problems" in text
    assert "attainment has fallen two years running" in text
    # a later change of category makes the next letter a change letter
    staffs.set_level("Shire", "Ash High", "3", ["ofsted"], "monitoring visit: improving", on="2027-02-01")
    path = write_change_letter(staffs, "Shire", "Ash High", on="2027-02-02", out_path=tmp_path)
    with docx2python(path) as doc:
        text = doc.text
    assert "has changed from Category 4 – Inadequate to Category 3 – Satisfactory" in text


def test_a_termly_register_is_reviewed_by_term(staffs):
    f = staffs.year_facts("Shire", "2026/27", on="2027-01-20")
    assert f["review_every"] == "term" and f["periods"] == ["Autumn 2026/27", "Spring 2026/27"]
    assert f["reviewed_periods"] == ["Autumn 2026/27"]
    assert f["lines"][2] == "every school reviewed in 1 of 2 terms so far (termly review)"
    assert len(f["lines"]) == 3 and f["board_terms"] == []  # the strategy names no board


def test_the_register_is_the_year_views_data_source(reg):
    """The year view reads the register's facts as its "data" source of evidence for 2.3 and 2.4, and its marker
    moves when the register does (so a kept rating is read again)."""
    from laqs_assist.app.yearview import plug_in_sources
    from laqs_assist.year.evidence import sources
    from laqs_assist.year.records import DATA

    plug_in_sources()
    source = next(s for s in sources() if s.id == DATA)
    la = reg.store.find_la("Any Borough") or reg.store.ensure_organisation("Any Borough")
    before = source.marker(reg.store, la, "2026/27")
    reg.set_level("Any Borough", "Ash School", "low", ["data"], "september", on="2026-09-02")
    la = reg.store.find_la("Any Borough")
    rows = source.rows(reg.store, NS2009, la, "2026/27")
    assert {r.aspect for r in rows} == {"2.3", "2.4"} and rows[0].phases == tuple(NS2009.phase_ids())
    assert source.marker(reg.store, la, "2026/27") != before
