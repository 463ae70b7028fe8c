"""Joint visits with a SIP (Appendix 5): storing the form, walking it in line mode, the CLI, the grades as
evidence for the year view, each SIP's grades, and the grades kept out of every shared output."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from docx2python import docx2python

from laqs_assist import notes
from laqs_assist.app.joint import joint_visit_evidence, sip_grades
from laqs_assist.app.service import Service
from laqs_assist.errors import UsageError
from laqs_assist.line.joint import run
from laqs_assist.packs import load_pack
from laqs_assist.packs.forms import fields, form_of, parse_checklist
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
FORM = form_of(PACK)
LAQS = [sys.executable, "-m", "laqs_assist"]
SIP = "Priya Gradedperson"
EVIDENCE = "PRIVATE-GRADE-EVIDENCE the SIP missed the data on boys' writing"


def service(path: Path) -> Service:
    return Service.at(default_pack_path(), path, PACK)


def filled(svc: Service, school: str = "Oak Primary", la: str = "Any Borough", day: str = "2026-10-05",
           sip: str = SIP, grades: tuple[str, ...] = ("2", "3", "2", "1", "2")) -> str:
    """A joint visit with every graded section given a grade (challenge, targets, brokering, report, overall)."""
    j = svc.joint()
    v = j.start(school=school, la=la, sip=sip, day=day)
    g = iter(grades)
    for f in fields(FORM):
        if f.key in v.values:
            continue
        if f.kind == "checklist":
            j.set(f.key, "1 2")
        elif f.kind == "grade":
            if f.section.id != "jv.nca":
                j.set(f.key, next(g))
        elif f.kind == "evidence":
            j.set(f.key, f"{EVIDENCE} ({f.section.id})")
        else:
            j.set(f.key, f"{f.label}: written")
    j.close()
    return v.visit["id"]


# --- the store ------------------------------------------------------------------------------------------------------


def test_every_value_is_committed_and_an_edit_keeps_what_it_replaces(tmp_path):
    db = tmp_path / "s.db"
    with service(db) as svc:
        j = svc.joint()
        v = j.start(school="Oak Primary", la="Any Borough", sip=SIP, day="2026-10-05")
        assert v.values["header:school"] == "Oak Primary" and v.values["header:local-authority"] == "Any Borough"
        assert v.values["header:sip-name"] == SIP and v.values["header:date"] == "2026-10-05"
        assert v.current.key == "header:ssia"  # the first field not filled in from what was known
        j.set("jv.challenge:grade", "3")
        j.set("jv.challenge:grade", "2")
        jid = v.visit["id"]
    # read back from another connection: nothing waits for a close
    with Store(db) as store:
        assert store.joint_entries(jid)["jv.challenge:grade"]["value"] == "2"
        history = store.joint_history(jid, "jv.challenge:grade")
        assert [h["value"] for h in history] == ["3", "2"]
        assert history[1]["replaces"] == history[0]["id"]
        for sql in ("UPDATE joint_visit_entries SET value = '9'", "DELETE FROM joint_visit_entries"):
            with pytest.raises(Exception, match="keeps every value"):
                store.conn.execute(sql)
        assert store.joint_visit(jid)["academic_year"] == "2026/27"
        assert store.joint_visit(jid)["la"] == "Any Borough"


def test_the_header_date_and_sip_move_the_visit(tmp_path):
    with service(tmp_path / "s.db") as svc:
        j = svc.joint()
        jid = j.start(school="Oak Primary", la="Any Borough", day="2026-08-20").visit["id"]
        assert svc.store.joint_visit(jid)["academic_year"] == "2025/26"
        j.set("header:date", "15/09/2026")
        j.set("header:sip-name", "  Pat   Smith ")
        row = svc.store.joint_visit(jid)
        assert (row["date"], row["academic_year"], row["sip_name"]) == ("2026-09-15", "2026/27", "Pat Smith")


def test_the_header_la_is_the_one_the_grades_count_for(tmp_path):
    with service(tmp_path / "s.db") as svc:
        j = svc.joint()
        jid = j.start(school="Lone School", day="2026-10-05").visit["id"]  # a new school, no LA yet
        j.set("jv.challenge:grade", "2")
        assert svc.store.joint_visit(jid)["la_id"] is None
        j.set("header:local-authority", "any  borough")
        assert svc.store.joint_visit(jid)["la"] == "any borough"
        assert [r["school"] for r in svc.joint_visit_evidence("Any Borough", "2026/27")["2.2"]] == ["Lone School"]
        rows = svc.joint_visit_rows()
        assert rows[0]["kind"] == "joint visit" and "sip_name" not in rows[0]


def test_what_the_form_refuses(tmp_path):
    with service(tmp_path / "s.db") as svc:
        j = svc.joint()
        j.start(school="Oak Primary", la="Any Borough", day="2026-10-05")
        with pytest.raises(UsageError, match=r"grade 5 is not on the form's scale of 1–4 \(1 Outstanding"):
            j.set("jv.challenge:grade", "5")
        with pytest.raises(UsageError, match="give a grade from 1 to 4"):
            j.set("jv.challenge:grade", "good")
        with pytest.raises(UsageError, match="there is no standard 11 here: this section has 10"):
            j.set("jv.challenge:checklist", "1 11")
        with pytest.raises(UsageError, match="Date: give a date"):
            j.set("header:date", "next Tuesday")
        with pytest.raises(UsageError, match="is an LA"):
            svc.joint().start(school="Any Borough")
        assert "jv.challenge:grade" not in j.view().values
    assert parse_checklist("1-3, 7", 10) == [1, 2, 3, 7]
    assert parse_checklist("all", 3) == [1, 2, 3] and parse_checklist("none", 3) == []


def test_the_walk_covers_the_form_in_its_order():
    keys = [f.key for f in fields(FORM)]
    assert keys[:7] == [f"header:{f.id}" for f in FORM.header_fields]
    assert keys[7:10] == ["jv.challenge:checklist", "jv.challenge:grade", "jv.challenge:evidence"]
    # strengths, areas for development and the headteacher's feedback, then the overall effectiveness last
    assert keys[-5:] == ["closing:head-feedback", "closing:strengths", "closing:development", "jv.overall:grade",
                         "jv.overall:evidence"]
    assert [g.meaning for g in FORM.scale][3] == "In need of significant improvement"


# --- line mode ------------------------------------------------------------------------------------------------------


def walk(svc: Service, script: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(svc.joint(), stdin=io.StringIO(script), stdout=out, stderr=err, interactive=False)
    return code, out.getvalue(), err.getvalue()


def test_line_mode_walks_refuses_a_grade_of_5_in_one_line_and_keeps_the_text(tmp_path):
    with service(tmp_path / "s.db") as svc:
        svc.joint().start(school="Oak Primary", la="Any Borough", sip=SIP, day="2026-10-05")
        code, out, err = walk(svc, "Sam Adviser\nhalf a day\nmeeting and feedback\n1-3 9\n5\n")
        assert code == 2
        lines = [ln for ln in err.splitlines() if ln.startswith("laqs: line 5:")]
        assert len(lines) == 1 and "grade 5 is not on the form's scale" in lines[0] and "kept" in lines[0]
        assert "✓ saved: 4 of 10 seen (1, 2, 3, 9)" in out
        j = svc.joint()
        assert j.draft()["text"] == "5" and j.draft()["field"] == "jv.challenge:grade"
        assert j.current().key == "jv.challenge:grade"  # still asked
        assert "Paused. Resume with: laqs chat --form joint-visit --resume" in out


def test_line_mode_help_skip_back_go_and_show(tmp_path):
    with service(tmp_path / "s.db") as svc:
        jid = svc.joint().start(school="Oak Primary", la="Any Borough", sip=SIP, day="2026-10-05").visit["id"]
        code, out, err = walk(svc, "/help\n/skip\n/back\nSam\n/go 1.5\nall\n4\nTargets too low\n/go 9\n2\n"
                                   "/show\n/clear\n/nonsense\n/end\n")
        assert code == 2 and "unknown command '/nonsense'" in err
        assert "/skip" in out and "[11/27] The quality of target setting (1.5)" in out
        values = svc.store.joint_entries(jid)
        assert values["header:ssia"]["value"] == "Sam"
        assert values["jv.targets:checklist"]["value"] == "[1, 2]" and values["jv.targets:grade"]["value"] == "4"
        assert values["jv.challenge:grade"]["value"] == "2"
        assert "  9. The quality and effectiveness of challenge — grade: 2 — Good practice" in out
        assert values["jv.challenge:evidence"]["value"] == ""  # /clear after /go 9 moved on to the evidence
        assert svc.store.joint_visit(jid)["status"] == "ended"


def test_killed_mid_form_resumes_with_nothing_lost(tmp_path):
    db = tmp_path / "s.db"
    env = {**os.environ, "LAQS_STORE": str(db)}
    proc = subprocess.Popen(LAQS + ["chat", "--form", "joint-visit", "--org", "Oak Primary", "--la", "Any Borough",
                                    "--sip", SIP, "--date", "2026-10-05"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in ("Sam Adviser", "half a day", "meeting", "1 2 3", "2"):
        proc.stdin.write(line + "\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    acks = 0
    while acks < 5 and time.monotonic() < deadline:
        if "✓ saved" in proc.stdout.readline():
            acks += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert acks == 5
    resumed = subprocess.run(LAQS + ["chat", "--form", "joint-visit", "--resume", "last"], input="/show\n/quit\n",
                             capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "[10/27] The quality and effectiveness of challenge (2.2)" in resumed.stdout  # the evidence comes next
    assert "3 of 10 seen (1, 2, 3)" in resumed.stdout and "grade: 2 — Good practice" in resumed.stdout


# --- the CLI --------------------------------------------------------------------------------------------------------


def laqs(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(LAQS + list(args), input=stdin, capture_output=True, text=True,
                          env={**os.environ, "LAQS_STORE": str(db)})


def test_cli_lists_and_summarises_joint_visits(tmp_path):
    db = tmp_path / "s.db"
    with service(db) as svc:
        first = filled(svc, day="2026-10-05", grades=("2", "3", "2", "1", "2"))
        filled(svc, school="Elm Academy", day="2027-03-10", grades=("1", "2", "2", "2", "1"))
        filled(svc, school="Ash Primary", day="2027-02-01", sip="Other Person", grades=("4", "4", "4", "4", "4"))
    visits = laqs("visits", db=db)
    assert visits.returncode == 0 and visits.stdout.count("joint visit") == 3 and first[:8] in visits.stdout
    rows = json.loads(laqs("visits", "--json", "--org", "Elm Academy", db=db).stdout)
    assert [(r["kind"], r["organisation"], r["date"]) for r in rows] == [("joint visit", "Elm Academy", "2027-03-10")]
    data = json.loads(laqs("joint-visits", "--sip", SIP.upper(), "--year", "2026/27", "--json", db=db).stdout)
    assert len(data) == 1 and data[0]["sip"] == SIP and data[0]["year"] == "2026/27"
    assert [v["school"] for v in data[0]["visits"]] == ["Oak Primary", "Elm Academy"]
    challenge = data[0]["sections"][0]
    assert (challenge["id"], challenge["aspect"], challenge["latest"]) == ("jv.challenge", "2.2", 1)
    assert [(g["date"], g["grade"]) for g in challenge["grades"]] == [("2026-10-05", 2), ("2027-03-10", 1)]
    assert [s["aspect"] for s in data[0]["sections"]] == ["2.2", "1.5", "1.4", "2.4", None]
    text = laqs("joint-visits", "--sip", SIP, db=db).stdout
    assert f"{SIP} — 2026/27 — 2 joint visits" in text and "2 on 2026-10-05, 1 on 2027-03-10" in text
    same = json.loads(laqs("joint-visits", "--sip", SIP, "--year", "2026-27", "--json", db=db).stdout)
    assert same == data and json.loads(laqs("joint-visits", "--year", "2026", "--json", db=db).stdout)[0]["year"] \
        == "2026/27"
    bad = laqs("joint-visits", "--year", "banana", db=db)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not an academic year" in bad.stderr
    shown = laqs("joint-visits", "show", first[:8], db=db)
    assert "The quality of target setting — grade: 3 — Satisfactory practice" in shown.stdout
    # the id the visits list shows opens the joint visit there too; an id of nothing is still one line, exit 2
    assert laqs("visits", "show", first[:8], db=db).stdout == shown.stdout
    assert json.loads(laqs("visits", "show", first[:8], "--json", db=db).stdout) == \
        json.loads(laqs("joint-visits", "show", first[:8], "--json", db=db).stdout)
    nothing = laqs("visits", "show", "ffffffff", db=db)
    assert nothing.returncode == 2 and nothing.stderr.count("\n") == 1 and "no visit 'ffffffff'" in nothing.stderr
    agenda = laqs("chat", "--agenda", "joint-visit", "--org", "Oak Primary", db=db)
    assert agenda.returncode == 2 and "is a form, not an agenda: laqs chat --form joint-visit" in agenda.stderr
    wrong = laqs("chat", "--form", "joint-visit", "--org", "Oak Primary", "--focus", "2.2", db=db)
    assert wrong.returncode == 2 and "--focus belongs to an interview" in wrong.stderr


# --- the grades as evidence -----------------------------------------------------------------------------------------


def test_evidence_rows_per_aspect_for_an_la_and_year(tmp_path):
    with service(tmp_path / "s.db") as svc:
        filled(svc, day="2026-10-05", grades=("2", "3", "2", "1", "2"))
        filled(svc, school="Elm Academy", day="2027-03-10", grades=("1", "4", "2", "2", "1"))
        filled(svc, day="2027-10-05")  # another year
        filled(svc, school="Far School", la="Other Borough", day="2026-11-05")  # another LA
        ev = joint_visit_evidence(svc.store, PACK, "any borough", "2026/27")
        assert ev == svc.joint_visit_evidence("Any Borough", "2026/27")
        with pytest.raises(UsageError, match="no LA 'Nowhere'"):
            svc.joint_visit_evidence("Nowhere", "2026/27")
    assert sorted(ev) == ["1.4", "1.5", "2.2", "2.4"]  # the overall grade names no aspect
    rows = ev["1.5"]
    assert [(r["date"], r["school"], r["grade"], r["column"]) for r in rows] == [
        ("2026-10-05", "Oak Primary", 3, "NI"), ("2027-03-10", "Elm Academy", 4, "SI")]
    r = rows[0]
    assert r["source"] == "joint visits" and r["phase"] is None and r["section_id"] == "jv.targets"
    assert r["meaning"] == "Satisfactory practice that has some areas for improvement"
    assert r["evidence"].startswith(EVIDENCE)
    assert all(SIP not in json.dumps(x) for x in ev.values())  # no name in the year view's rows
    assert [x["column"] for x in ev["2.4"]] == ["OS", "G"]


def test_evidence_by_id_for_a_school_and_the_marker(tmp_path):
    with service(tmp_path / "s.db") as svc:
        store = svc.store
        la = store.find_la("Any Borough") or store.ensure_organisation("Any Borough", "LA")
        before = store.joint_visits_marker(la["id"], "2026/27")
        jid = filled(svc, day="2026-10-05")
        after = store.joint_visits_marker(la["id"], "2026/27")
        assert before == "0:" and after != before
        by_id = joint_visit_evidence(store, PACK, la["id"], "2026/27")
        assert [r["school"] for r in by_id["2.2"]] == ["Oak Primary"]
        school = store.organisation("Oak Primary")
        assert joint_visit_evidence(store, PACK, school["id"], "2026/27") == by_id  # a school: its own
        svc.joint().resume(jid)
        svc.joint().set("jv.challenge:grade", "4")
        assert store.joint_visits_marker(la["id"], "2026/27") != after
        svc.joint().set("header:date", "2027-09-10")  # moved to the next year
        assert joint_visit_evidence(store, PACK, la["id"], "2026/27") == {}
        assert store.joint_visits_marker(la["id"], "2026/27") == "0:"


def test_sip_grades_group_by_sip_and_year(tmp_path):
    with service(tmp_path / "s.db") as svc:
        filled(svc, day="2026-10-05")
        filled(svc, day="2027-10-05", grades=("4", "4", "4", "4", "4"))
        got = sip_grades(svc.store, PACK)
    assert [(g["sip"], g["year"]) for g in got] == [(SIP, "2026/27"), (SIP, "2027/28")]
    assert got[1]["sections"][0]["latest"] == 4


# --- privacy --------------------------------------------------------------------------------------------------------


def docx_text(path: Path) -> str:
    with docx2python(path) as doc:
        return doc.text


def test_a_joint_visit_reaches_no_shared_output(tmp_path):
    """The SIP's name, the grades' evidence and the visit's other words reach no note of visit, briefing, export
    or team report for the school or its LA; the visit's own record has them."""
    db = tmp_path / "s.db"
    with service(db) as svc:
        jid = filled(svc, day="2026-11-01")
    with Store(db) as store:
        la = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                           focus=["2.2"], day="2026-11-10", author="A Adviser")
        la.answer("yes the LA challenges its SIPs")
        la.end()
        school = Session.start(store, PACK, agenda_id=PACK.default_agenda("school"), organisation="Oak Primary",
                               kind="school", phases=["P"], day="2026-11-12", author="A Adviser")
        school.answer("yes the SIP's visits help")
        school.end()
        out = tmp_path / "out"
        today = date(2026, 11, 20)
        texts = {
            "note": docx_text(notes.write_note(store, PACK, la.id, out / "la.docx", today=today).path),
            "school note": docx_text(notes.write_note(store, PACK, school.id, out / "school.docx", today=today).path),
            "briefing": docx_text(notes.write_briefing(store, PACK, "Oak Primary", out / "b.docx", today=today).path),
            "LA briefing": docx_text(notes.write_briefing(store, PACK, "Any Borough", out / "lb.docx",
                                                          today=today).path),
        }
        summary = notes.export_notes(store, PACK, "2026-09-01", "2027-08-31", out_dir=out / "export", today=today)
        assert summary.written and not summary.failed
        texts["export"] = "\n".join(docx_text(p) for p in summary.written)
        from laqs_assist.notes.api import write_team_report

        report = write_team_report(store, PACK, "2026-09-01", "2027-08-31", out / "team.docx", today=today)
        texts["team report"] = docx_text(report.path)
        record = notes_joint_record(store, jid, out / "record.docx")
    for name, text in texts.items():
        assert SIP not in text, f"the SIP's name reached the {name}"
        assert "PRIVATE-GRADE-EVIDENCE" not in text, f"a joint visit's evidence reached the {name}"
        assert "SIP's/NCA's strengths: written" not in text, f"a joint visit's words reached the {name}"
    assert "yes the LA challenges its SIPs" in texts["note"]  # the outputs were real
    assert SIP in record and "PRIVATE-GRADE-EVIDENCE" in record and "Good practice that fulfils" in record
    dash = laqs("dashboard", "Any Borough", "--json", db=db)
    assert dash.returncode == 0 and SIP not in dash.stdout and "PRIVATE-GRADE" not in dash.stdout


def notes_joint_record(store: Store, jid: str, out: Path) -> str:
    from laqs_assist.notes.joint import write_joint_record

    return docx_text(write_joint_record(store, PACK, jid, out))


def test_the_record_renders_the_form_as_filled_in(tmp_path):
    with service(tmp_path / "s.db") as svc:
        jid = filled(svc, school="Oak & <Infants>", day="2026-10-05")
        svc.joint().resume(jid)
        svc.joint().set("closing:strengths", "Command of the data\nClear agreed actions ✅ {{ 7*7 }}")
        svc.joint().set("closing:development", "Bell\x07 and escape\x1b[31m characters Word cannot hold; שלום")
        path = svc.joint().record(str(tmp_path / "r.docx"))
    text = docx_text(Path(path))
    assert "Record of a joint visit" in text and "Oak & <Infants>" in text and "5 October 2026" in text
    assert "The quality of target setting (1.5)" in text and "Quality of SIP/NCA report (2.4)" in text
    assert "Grade: 3 — Satisfactory practice that has some areas for improvement" in text
    assert "Clear agreed actions ✅ {{ 7*7 }}" in text and "49" not in text.split("Clear agreed")[1][:20]
    assert text.index("SIP's/NCA's areas for development") < text.rindex("The overall effectiveness")
    assert "For the headteacher and the LA" in text
    assert "characters Word cannot hold; שלום" in text and "\x07" not in text


def test_the_record_template_restyled_in_word_still_checks_and_renders(tmp_path):
    """Restyled as a user would in Word (fonts, colours, a line of their own), the template still passes
    `laqs templates check` as a joint-visit template and renders the visit."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    from laqs_assist.notes.joint import default_template, write_joint_record

    doc = Document(str(default_template()))
    doc.styles["Normal"].font.name = "Georgia"
    doc.styles["Normal"].font.size = Pt(11)
    doc.styles["Heading 2"].font.color.rgb = RGBColor(0x80, 0x00, 0x20)
    doc.paragraphs[0].insert_paragraph_before("Any Borough school improvement service")
    restyled = tmp_path / "my-joint-visit-record.docx"
    doc.save(str(restyled))
    check = laqs("templates", "check", str(restyled), db=tmp_path / "unused.db")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ok as a joint-visit template — 0 refused, 0 unknown, 0 missing" in check.stdout
    with service(tmp_path / "s.db") as svc:
        jid = filled(svc)
        out = write_joint_record(svc.store, PACK, jid, tmp_path / "r.docx", template=restyled)
    text = docx_text(out)
    assert text.startswith("Any Borough school improvement service") or \
        "Any Borough school improvement service" in text
    assert "Grade: 3 — Satisfactory practice" in text and SIP in text
    broken = tmp_path / "joint-broken.docx"
    doc = Document(str(default_template()))
    doc.add_paragraph("{{ sip.__class__ }}")
    doc.save(str(broken))
    refused = laqs("templates", "check", str(broken), db=tmp_path / "unused.db")
    assert refused.returncode == 2 and "refused" in refused.stdout


def test_a_value_given_again_changes_nothing_and_drafts_belong_to_their_field(tmp_path):
    with service(tmp_path / "s.db") as svc:
        j = svc.joint()
        jid = j.start(school="Oak Primary", la="Any Borough", day="2026-10-05").visit["id"]
        j.set("jv.challenge:grade", "2")
        j.save_draft("half-typed evidence", "jv.challenge:evidence")
        stamp = svc.store.joint_visit(jid)["updated_at"]
        j.set("jv.challenge:grade", "2")  # the same value (the app says so again on opening a form)
        assert svc.store.joint_visit(jid)["updated_at"] == stamp
        assert len(svc.store.joint_history(jid, "jv.challenge:grade")) == 1
        j.set("jv.targets:grade", "3")  # another field: the evidence's draft stays
        assert j.draft()["text"] == "half-typed evidence"
        j.set("jv.challenge:evidence", "half-typed evidence, finished")
        assert j.draft() is None


def test_a_read_only_store_of_an_older_version_lists_and_reads_without_joint_visits(tmp_path):
    """A read-only store is read as it is, not migrated: one made before joint visits still lists its visits."""
    import sqlite3

    db = tmp_path / "old.db"
    with Store(db) as store:
        Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                      day="2026-10-01").pause()
    conn = sqlite3.connect(db)
    for table in ("joint_visit_drafts", "joint_visit_entries", "joint_visits"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0009_joint_visits'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    db.chmod(0o444)
    try:
        listed = laqs("visits", "--json", db=db)
        assert listed.returncode == 0, listed.stderr
        assert [r["organisation"] for r in json.loads(listed.stdout)] == ["Any Borough"]
        assert laqs("joint-visits", "--json", db=db).stdout.strip() == "[]"
        shown = laqs("joint-visits", "show", "last", db=db)
        assert shown.returncode == 2 and "holds no joint visits" in shown.stderr
        with Store(db, read_only=True) as store:
            la = store.find_la("Any Borough")
            assert joint_visit_evidence(store, PACK, la["id"], "2026/27") == {}
            assert store.joint_visits_marker(la["id"], "2026/27") == "0:"
    finally:
        db.chmod(0o644)
