"""A scripted year for an LA of 40 schools on Barnsley's risk register: the September assessment, monthly
reviews, a school moving between levels, visits counted against the allowances, the facts for 2.3 and 2.4, and
the September letters opened in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest

from laqs_assist.app.register import Register
from laqs_assist.notes.register_docs import write_change_letter, write_letters
from laqs_assist.store import Store

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LEVELS = ["none"] * 10 + ["low"] * 14 + ["medium"] * 10 + ["high"] * 6
MONTHS = ["2026-10-05", "2026-11-02", "2026-12-01", "2027-01-11", "2027-02-01", "2027-03-01", "2027-04-19",
          "2027-05-04", "2027-06-01", "2027-07-05"]


def _year(tmp_path) -> tuple[Register, list[dict]]:
    store = Store(tmp_path / "laqs.db")
    reg = Register(store, today="2027-07-20", author="Jo Bloggs")
    for i in range(40):
        head = "2026-06-01" if i == 3 else None  # a new head at a school judged at no risk
        reg.add_school("Any Borough", f"School {i:02d}", f"{300000 + i}", "Primary" if i % 3 else "Secondary",
                       "academy" if i % 5 == 0 else "maintained", head, pack="barnsley-register")
    walk = reg.walk("Any Borough", on="2026-09-01")
    decisions = [{"school": x["school"], "level": LEVELS[i], "evidence": ["data", "previous"],
                  "reason": "annual assessment after the summer's results"} for i, x in enumerate(walk)]
    reg.assess("Any Borough", decisions, "annual", on="2026-09-01")
    schools = [x["school"] for x in walk]
    for month in MONTHS:
        reg.assess("Any Borough", [{"school": s} for s in schools], "monthly", on=month)
    # School 30 (medium) falls to high in January and recovers to medium in May
    reg.set_level("Any Borough", "School 30", "high", ["la-intelligence"], "leadership turnover", on="2027-01-11")
    reg.set_level("Any Borough", "School 30", "medium", ["data"], "recovering", on="2027-05-04")
    # visits: each termly school (low) visited in the autumn and spring only; high schools every month
    for i, s in enumerate(schools):
        if LEVELS[i] == "low":
            for day in ("2026-10-12", "2027-02-08"):
                reg.record_visit("Any Borough", s["name"], on=day, report=True)
        if LEVELS[i] == "high":
            for month in MONTHS:
                reg.record_visit("Any Borough", s["name"], on=month, report=month[5:7] in ("10", "12", "02", "04",
                                                                                           "06", "07"))
    return reg, schools


def test_a_scripted_year_of_forty_schools(tmp_path):
    reg, schools = _year(tmp_path)
    view = reg.view("Any Borough", on="2027-07-20")
    assert len(view.rows) == 40
    assert view.counts() == {"none": 9, "low": 15, "medium": 10, "high": 6}  # school 03's new head: low, not none
    by = {r.name: r for r in view.rows}
    assert by["School 03"].rule == "new-headteacher"
    # the school that moved: its history, and it is at medium since May
    s30 = by["School 30"]
    assert s30.level.id == "medium" and s30.level_since == "2027-05-04"
    hist = [h["value"] for h in reg.tables.entries(s30.school_id, ["level"])]
    assert hist == ["medium", "high", "medium"]
    assert reg.view("Any Borough", on="2027-03-01", level="high").counts()["high"] == 7
    # visits against allowances: a termly school missed the summer term's visit (still due); high schools on track
    low = next(r for r in view.rows if r.level.id == "low" and r.name != "School 03")
    assert (low.visits_made, low.visits_allowed, low.reports_made, low.overdue, low.due_by) == \
        (2, "3", 2, 0, "2027-08-31")
    high = next(r for r in view.rows if r.level.id == "high")
    assert (high.visits_made, high.visits_allowed, high.reports_made, high.reports_allowed) == (10, "6–24", 6, "6")
    assert high.overdue == 0 and high.over == ""
    none = next(r for r in view.rows if r.level.id == "none")
    assert none.visits_made == 0 and none.overdue == 1 and none.due_by == "2027-08-31"  # Sep–Feb passed unvisited
    # overdue: the 9 at no risk, the 10 at medium (never visited in the script) and School 03, raised to low
    overdue = reg.view("Any Borough", on="2027-07-20", overdue_only=True).rows
    assert len(overdue) == 9 + 10 + 1 and "School 03" in {r.name for r in overdue}
    # the facts for the standards: every school reviewed every month
    facts = reg.year_facts("Any Borough", "2026/27", on="2027-07-20")
    assert facts["reviewed_each_period"] is True and facts["current"] is True
    assert facts["reviewed_periods"] == [f"{y}-{m:02d}" for y, m in
                                       [(2026, 9), (2026, 10), (2026, 11), (2026, 12)] +
                                       [(2027, m) for m in range(1, 8)]]
    assert facts["levels"] == {"No risk/support": 9, "Low risk/support": 15, "Medium risk/support": 10,
                               "High risk/support": 6}
    # the letters: one each, recorded on the register
    batch = write_letters(reg, "Any Borough", on="2026-09-03", out_dir=tmp_path / "letters")
    assert len(batch.written) == 40
    assert len(reg.tables.la_entries(view.la_id, "letter")) == 40
    change = write_change_letter(reg, "Any Borough", "School 30", on="2027-01-12", out_path=tmp_path / "letters")
    assert change.name == "300030-school-30-change-2027-01-12.docx"
    reg.store.close()
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-writer-nogui")
    _open_in_libreoffice(sorted((tmp_path / "letters").glob("*.docx")), tmp_path / "pdf")


def _open_in_libreoffice(files: list[Path], outdir: Path) -> None:
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                               "pdf", "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True,
                              timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdfs = [outdir / (f.stem + ".pdf") for f in files]
    for pdf in pdfs:
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), f"LibreOffice wrote no {pdf.name}"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(outdir / "300030-school-30-change-2027-01-12.pdf"), "-"],
                              capture_output=True, text=True).stdout
        assert "has changed from Medium risk/support to High risk/support" in " ".join(text.split())
        assert "leadership turnover" in text
        first = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True).stdout
        assert "School 00" in first and date(2026, 9, 3).strftime("%B 2026") in first
