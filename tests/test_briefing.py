"""Briefings by audience: an LA meeting is briefed from the LA contacts' agenda (Appendix 3), a headteacher meeting
from the headteachers' agenda (Appendix 4), as the pack's `organisations:` declares; a question answered this year
is left out unless asked for; headings are kept with what follows; flagged answers are absent. Each briefing is read
back with python-docx and opened in LibreOffice (PDF pages counted)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from laqs_assist import notes
from laqs_assist.cli import main
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LA = "Northshire County Council"
SCHOOL = "Oak Primary"
DAY = "2026-11-20"
TODAY = date(2026, 11, 20)
PRIVATE = "Ms Jones PRIVATE a remark about one officer"
LA_AGENDA = PACK.agendas[PACK.agenda_for("LA")]
SCHOOL_AGENDA = PACK.agendas[PACK.agenda_for("school")]


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def question_ids(text: str) -> set[str]:
    return set(re.findall(r"\bA[34](?:\.\d+)+\b", text))


def pdf_pages(docx: Path, outdir: Path) -> int:
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                               "--outdir", str(outdir), str(docx)], capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def heading_paragraphs_keep_with_next(docx: Path) -> list[str]:
    """The text of every heading paragraph (Heading n style) that is not marked keep-with-next in its own XML."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    loose = []
    for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        if re.search(r'<w:pStyle w:val="Heading\d"/>', p) and "<w:keepNext/>" not in p:
            loose.append(re.sub(r"<[^>]+>", "", p))
    return loose


@pytest.fixture
def world(tmp_path):
    """An LA with an Appendix 3 visit (answers, judgements, a flagged answer, actions, one overdue) and a school
    under it with an Appendix 4 visit."""
    store = Store(tmp_path / "laqs.db")
    s = Session.start(store, PACK, agenda_id=PACK.agenda_for("LA"), organisation=LA, phases=["P", "S"],
                      focus=["2.4"], day="2026-10-01", author="Sam Adviser", purpose="Autumn review")
    answered = [s.answer("yes, reports go to schools within five working days")["question_id"],
                s.answer("yes, moderated each term")["question_id"]]
    s.note(PRIVATE, "2.4")
    s.flag()
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    s.judge(g[0], "met")  # a suggestion below what the unknown criteria still allow
    s.add_action("Tighten the QA of SIP reports", "Head of SI", "2026-10-15", "2.4")  # overdue on the day
    s.add_action("Publish the moderation calendar", "Data lead", "2027-01-10", "2.4")
    s.end()
    h = Session.start(store, PACK, agenda_id=PACK.agenda_for("school"), organisation=SCHOOL, kind="school",
                      parent=LA, phases=["P"], focus=["2.4"], day="2026-11-02", author="Sam Adviser")
    school_answered = [h.answer("yes, the SIP report is useful")["question_id"]]
    h.judge(g[1], "met")
    h.add_action("Share the SIP report with governors", "Headteacher", "2026-12-01", "2.4")
    h.end()
    yield {"store": store, "answered": [a for a in answered if a], "school_answered": school_answered}
    store.close()


def test_the_la_briefing_follows_its_audience(world, tmp_path):
    store = world["store"]
    r = notes.write_briefing(store, PACK, LA, tmp_path / "la.docx", day=DAY, today=TODAY)
    ctx = r.context
    assert ctx["title"] == "Briefing for a meeting with the local authority" and ctx["for_la"]
    body = text_of(r.path)
    assert "Briefing for a meeting with the local authority" in body and "with the headteacher" not in body
    ids = question_ids(body)
    assert ids and all(i.startswith("A3.") for i in ids), ids  # Appendix 3 only
    assert {q.id for q in LA_AGENDA.questions} >= ids
    for answered in world["answered"]:
        assert answered not in ids  # never a question answered this year
    assert ctx["answered_left_out"] == len(world["answered"])
    # the last visit's ratings per phase, a rating below its ceiling with the questions that would decide it
    assert {row["phase"] for row in ctx["last_ratings"]} == {"Primary", "Secondary"}
    below = [b for b in ctx["below_ceiling"] if b["aspect_id"] == "2.4"]
    assert below and all(b["questions"] for b in below)
    assert all(q["id"].startswith("A3.2.4") for b in below for q in b["questions"])
    assert "Ratings still below their ceiling" in body and "Questions that would decide it:" in body
    # Appendix 3 items not yet covered this year, and open and overdue actions
    assert "Appendix 3 items not yet covered this year" in body
    assert "Tighten the QA of SIP reports" in body and "Publish the moderation calendar" in body
    assert "Open, overdue" in body and ctx["overdue_count"] == 1
    assert PRIVATE not in body
    assert heading_paragraphs_keep_with_next(r.path) == []


def test_all_lists_the_answered_questions_too(world, tmp_path):
    ctx = notes.briefing_context(world["store"], PACK, LA, day=DAY, today=TODAY, all_questions=True)
    ids = {q["id"] for q in ctx["questions"]}
    assert set(world["answered"]) <= ids and ctx["answered_left_out"] == 0
    assert all(q["why"] == "answered this year" for q in ctx["questions"] if q["id"] in world["answered"])


def test_the_school_briefing_lists_appendix_4_elements_on_open_issues(world, tmp_path):
    store = world["store"]
    r = notes.write_briefing(store, PACK, SCHOOL, tmp_path / "school.docx", day=DAY, today=TODAY)
    ctx = r.context
    assert ctx["title"] == "Briefing for a meeting with the headteacher" and not ctx["for_la"]
    body = text_of(r.path)
    ids = question_ids(body)
    assert ids and all(i.startswith("A4.") for i in ids)
    assert world["school_answered"][0] not in ids
    open_aspects = {q["aspect_id"] for q in ctx["questions"]}
    reasons = ("not discussed with the school yet this academic year",
               "an action agreed with the school on it is still open", "the LA's rating is still open")
    for q in ctx["questions"]:  # each on an open issue of the school's, or of its LA's rating
        assert q["why"] and all(part.startswith(reasons) for part in q["why"].split("; ")), q["why"]
    assert "2.4" in open_aspects  # discussed, but an action is open and the LA's rating is below its ceiling
    why_24 = next(q["why"] for q in ctx["questions"] if q["aspect_id"] == "2.4")
    assert "an action agreed with the school on it is still open" in why_24
    assert "the LA's rating is still open (Primary: " in why_24
    assert len(ctx["questions"]) < len(SCHOOL_AGENDA.questions)
    # the school is not rated against the LA's criteria: no ratings table, no criterion ids, no "could reach"
    assert ctx["ratings"] == [] and ctx["missing_evidence"] == []
    assert "Ratings so far this year" not in body and "Evidence still needed" not in body
    assert "Could reach on the criteria" not in body
    assert not re.search(r"\b\d\.\d\.(?:OS|G|NI|SI)\.\d+\b", body), "a criterion id in a school briefing"
    # what the SIP takes in: the last visit's actions, what was said there, where the LA's ratings are open
    assert "Agreed actions and targets from the last visit" in body
    assert "Share the SIP report with governors" in body and "1 December 2026" in body
    assert "Tighten the QA of SIP reports" not in body  # the LA's actions are not the school's
    assert "What was said at the last visit" in body and "yes, the SIP report is useful" in body
    assert [d["heading"] for d in ctx["last_discussion"]] and all(d["points"] for d in ctx["last_discussion"])
    assert "Where the LA's ratings are still open" in body and LA in body
    assert any(x["aspect_id"] == "2.4" for x in ctx["la_standing"])
    assert PRIVATE not in body
    assert heading_paragraphs_keep_with_next(r.path) == []


def test_a_rating_whose_open_questions_bear_on_other_criteria_says_so(tmp_path):
    """Good for 2.4 on one answered question, Outstanding still possible: the two questions left bear on Good's
    criteria, not Outstanding's, so the briefing names them rather than calling the agenda answered."""
    store = Store(tmp_path / "laqs.db")
    s = Session.start(store, PACK, agenda_id=PACK.agenda_for("LA"), organisation="Westshire", phases=["P"],
                      focus=["2.4"], day="2026-10-02")
    assert s.answer("yes")["question_id"] == "A3.2.4.1"
    for c in PACK.aspects["2.4"].criteria:
        if c.kind == "statement" and c.column == "G":
            s.judge(c.id, "met")
    s.judge("2.4.report-features", 7)
    assert s.set_impact("2.4", "some")[0].suggestion == "G"
    s.end()
    r = notes.write_briefing(store, PACK, "Westshire", tmp_path / "w.docx", day=DAY, today=TODAY)
    b = next(b for b in r.context["below_ceiling"] if b["aspect_id"] == "2.4")
    assert b["questions"] == [] and b["other_questions"] == ["A3.2.4.2", "A3.2.4.3"] and not b["all_answered"]
    body = text_of(r.path)
    assert "were all answered" not in body
    assert "Its questions not yet answered (A3.2.4.2, A3.2.4.3) bear on other criteria" in body
    # what would lift it is in the standards' words, not criterion ids
    assert b["needs"] and not any(re.search(r"\d\.\d\.(?:OS|G|NI|SI)\.\d", n) for n in b["needs"]), b["needs"]
    assert any("still open" in n for n in b["needs"])
    store.close()


def test_question_headings_are_kept_with_their_text(world, tmp_path):
    r = notes.write_briefing(world["store"], PACK, LA, tmp_path / "la.docx", day=DAY, today=TODAY)
    doc = Document(str(r.path))
    qid = re.compile(r"^A3(\.\d+)+ ")
    question_paras = [p for p in doc.paragraphs if qid.match(p.text) and p.style.name != "List Bullet"]
    assert question_paras
    assert all(p.paragraph_format.keep_with_next for p in question_paras)
    styles = zipfile.ZipFile(r.path).read("word/styles.xml").decode()
    for name in ("heading 1", "heading 2"):
        block = re.search(rf'<w:style [^>]*>\s*<w:name w:val="{name}"/>.*?</w:style>', styles, flags=re.S)
        assert block and "<w:keepNext/>" in block.group(0)


def test_cli_brief_for_an_la_and_bad_input(world, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAQS_STORE", str(tmp_path / "laqs.db"))
    monkeypatch.chdir(tmp_path)
    world["store"].close()
    assert main(["brief", LA, "--date", DAY, "--out", "b.docx"]) == 0
    out = capsys.readouterr().out
    assert "Briefing for a meeting with the local authority" in out and "answered this year left out" in out
    assert main(["brief", LA, "--date", DAY, "--out", "all.docx", "--all"]) == 0
    assert question_ids(text_of(tmp_path / "all.docx")) >= set(world["answered"])
    assert main(["brief", LA, "--date", "tomorrow"]) == 2
    assert main(["brief", LA, "--questions", "A4.2.4.1"]) == 2  # not on the LA's agenda
    err = capsys.readouterr().err
    assert "not on the Appendix 3 agenda" in err and "Traceback" not in err


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_both_briefings_open_in_libreoffice(world, tmp_path):
    store = world["store"]
    docs = tmp_path / "docs"
    la = notes.write_briefing(store, PACK, LA, docs / "la-briefing.docx", day=DAY, today=TODAY).path
    school = notes.write_briefing(store, PACK, SCHOOL, docs / "school-briefing.docx", day=DAY, today=TODAY).path
    la_pages, school_pages = pdf_pages(la, tmp_path / "pdf"), pdf_pages(school, tmp_path / "pdf")
    assert 1 <= la_pages <= 8 and 1 <= school_pages <= 4, (la_pages, school_pages)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "pdf" / "la-briefing.pdf"), "-"], capture_output=True,
                              text=True).stdout
        assert "Briefing for a meeting with the local" in text and PRIVATE not in text
