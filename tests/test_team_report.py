"""The team report: one Word document for a team or region over a date range, each LA with its dashboard (cells
shaded by the columns' RAG colours), the ratings that moved since the previous period of the same length, its
overdue actions and the visits made; progress on stderr; flagged answers absent. Read back with python-docx and
opened in LibreOffice (PDF pages counted)."""

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
from docx.oxml.ns import qn

from laqs_assist.cli import main
from laqs_assist.notes.api import write_team_report
from laqs_assist.notes.context import FILLS
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PRIVATE = "Mr Brown PRIVATE a remark about one officer"
TODAY = date(2026, 12, 1)


def _visit(store, org, day, *, school=False, parent=None, good=0):
    s = Session.start(store, PACK, agenda_id=PACK.agenda_for("school" if school else "LA"), organisation=org,
                      kind="school" if school else "LA", parent=parent, phases=["P"], focus=["2.4"], day=day,
                      author="Sam Adviser")
    s.answer("yes, reports are timely")
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    for c in g[:good]:
        s.judge(c, "met")
    return s


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "laqs.db")
    # North: rated in the previous period (Sep-Oct), rated higher in this one (Nov-Dec), a flagged answer.
    a = _visit(st, "North Borough", "2026-10-05", good=1)
    a.add_action("Review the SIP report template", "Head of SI", "2026-11-10", "2.4")  # overdue by 31 Dec
    a.end()
    b = _visit(st, "North Borough", "2026-11-20", good=20)
    b.judge("2.4.report-features", 7)  # all seven features of a good report
    b.set_impact("2.4", "some")
    b.answer(f"yes {PRIVATE}")
    b.flag()
    b.add_action("Publish the moderation calendar", "Data lead", "2027-02-01", "2.4")  # not yet due
    b.end()
    h = _visit(st, "Elm Primary", "2026-12-02", school=True, parent="North Borough")
    h.add_action("Share the SIP report with governors", "Headteacher", "2026-12-10", "2.4")  # overdue, a school's
    h.end()
    # South: one visit in the period, nothing overdue.
    _visit(st, "South Borough", "2026-11-15").end()
    yield st
    st.close()


def cells_text(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_each_la_with_its_dashboard_changes_overdue_actions_and_visits(store, tmp_path):
    r = write_team_report(store, PACK, "2026-11-01", "2026-12-31", tmp_path / "team.docx", today=TODAY)
    ctx = r.context
    assert [la["name"] for la in ctx["las"]] == ["North Borough", "South Borough"]
    north = ctx["las"][0]
    assert ctx["previous_line"] == "1 September 2026 to 31 October 2026"  # the same length, just before
    moved = [c for c in north["changes"] if (c["aspect_id"], c["phase"]) == ("2.4", "Primary")]
    assert moved and moved[0]["how"] == "up"
    assert [a["text"] for a in north["overdue"]] == ["Review the SIP report template",
                                                     "Share the SIP report with governors"]
    assert [v["organisation"] for v in north["visits"]] == ["North Borough", "Elm Primary"]
    doc = Document(str(r.path))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows
                                                          for c in row.cells])
    for words in ("North Borough", "South Borough", "What changed since the last period", "Overdue actions",
                  "Visits made", "Review the SIP report template", "Elm Primary", "Share the SIP report with governors"):
        assert words in text, words
    assert "Publish the moderation calendar" not in text  # not overdue
    assert PRIVATE not in text and "PRIVATE" not in zipfile.ZipFile(r.path).read("word/document.xml").decode()
    # a dashboard table per LA: a row per phase and the overall row, a cell per aspect and group, shaded by RAG
    boards = [t for t in doc.tables if t.rows[0].cells[0].text == "Phase"]
    assert len(boards) == 2
    header = [c.text for c in boards[0].rows[0].cells]  # the phase cell spans two grid columns
    assert header[:2] == ["Phase", "Phase"]
    assert header[2:] == [h for g in PACK.groups for h in [*g.aspects, f"Group {g.id}"]]
    # The grid has a column for every cell's span (else LibreOffice squeezes every cell and "1.1" wraps as "1."
    # over "1"), every aspect and group column alike and the phase column twice as wide.
    grid = [int(c.get(qn("w:w"))) for c in boards[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(grid) == len(header) and len(set(grid[2:])) == 1 and grid[0] + grid[1] == 2 * grid[2]
    assert [row.cells[0].text for row in boards[0].rows[1:]] == [p.name for p in PACK.phases] + ["Overall"]
    xml = zipfile.ZipFile(r.path).read("word/document.xml").decode()
    primary = next(row for row in boards[0].rows if row.cells[0].text == "Primary")
    cell = primary.cells[header.index("2.4")]
    column = cell.text.rstrip("*=")
    assert column in PACK.column_ids()
    fill = FILLS[PACK.column(column).rag]
    assert f'w:fill="{fill}"' in cell._tc.xml
    assert re.search(r'<w:tcPr>(?:(?!</w:tcPr>).)*<w:shd [^>]*w:fill="(C6EFCE|FFEB9C|FFC7CE)"', xml, flags=re.S)
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)


def test_cli_report_shows_progress_and_refuses_bad_input(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAQS_STORE", str(tmp_path / "laqs.db"))
    monkeypatch.chdir(tmp_path)
    store.close()
    assert main(["report", "--from", "2026-11-01", "--to", "2026-12-31", "--la", "north borough"]) == 0
    captured = capsys.readouterr()
    assert "report: 1/1 LAs (North Borough)" in captured.err
    assert "wrote notes/team-report-2026-11-01-to-2026-12-31.docx" in captured.out
    assert (tmp_path / "notes" / "team-report-2026-11-01-to-2026-12-31.docx").exists()
    for args, words in ((["--from", "2026-12-31", "--to", "2026-11-01"], "is after"),
                        (["--from", "soon", "--to", "2026-11-01"], "is not a date"),
                        (["--from", "2026-11-01", "--to", "2026-12-31", "--la", "Nowhere"], "no LA 'Nowhere'"),
                        (["--from", "2026-11-01", "--to", "2026-12-31", "--out", "x.pdf"], "a Word file")):
        assert main(["report", *args]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_team_report_opens_in_libreoffice(store, tmp_path):
    r = write_team_report(store, PACK, "2026-11-01", "2026-12-31", tmp_path / "team.docx", today=TODAY)
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                               "--outdir", str(tmp_path), str(r.path)], capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "team.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                           text=True).stdout).group(1))
    assert 1 <= pages <= 4, pages
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "North Borough" in text and "Overdue actions" in text and PRIVATE not in text


def test_the_export_renders_in_worker_processes_like_one_process(tmp_path):
    """`laqs export` of more than a handful of notes renders them in one worker process per core: the same files
    in the same order as one process, each failure one line, and flagged answers absent."""
    from docx2python import docx2python

    from laqs_assist.notes.api import PARALLEL_FROM, export_notes, export_workers
    from laqs_assist.notes.sample import build_sample

    with Store(tmp_path / "laqs.db") as st:
        flagged = [build_sample(st, PACK, day=date(2026, 11, 2 + i), school=f"School {i}")["flagged_text"]
                   for i in range(PARALLEL_FROM // 2 + 1)]
        one = export_notes(st, PACK, "2026-09-01", "2027-08-31", out_dir=tmp_path / "one", workers=1, today=TODAY)
        many = export_notes(st, PACK, "2026-09-01", "2027-08-31", out_dir=tmp_path / "many", workers=2, today=TODAY)
        assert export_workers(len(one.written)) >= 1 and len(one.written) >= PARALLEL_FROM
        assert [p.name for p in many.written] == [p.name for p in one.written] and not many.failed
        assert many.warned == one.warned
        again = export_notes(st, PACK, "2026-09-01", "2027-08-31", out_dir=tmp_path / "many", workers=2, today=TODAY)
        assert len(again.skipped) == len(one.written) and not again.written  # kept unless --force
    for path in many.written:
        with docx2python(path) as doc:
            assert not any(f in doc.text for f in flagged)
