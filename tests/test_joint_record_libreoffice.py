"""The record of a joint visit opens in a real client: LibreOffice converts it to PDF and its text reads back.

Skipped only when soffice is not installed (`apt-get install -y libreoffice-writer-nogui`); the text is read with
pdftotext (poppler-utils) when it is there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_notes_libreoffice import SOFFICE, to_pdf

from laqs_assist.app.service import Service
from laqs_assist.packs import load_pack
from laqs_assist.packs.forms import fields, form_of
from laqs_assist.paths import default_pack_path

PACK = load_pack(default_pack_path())
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                                       "apt-get install -y libreoffice-writer-nogui")


def test_the_record_converts_to_pdf_and_reads_back(tmp_path: Path) -> None:
    with Service.at(default_pack_path(), tmp_path / "s.db", PACK) as svc:
        j = svc.joint()
        v = j.start(school="Oak Primary & <Infants>", la="Any Borough", sip="Pat Smith", day="2026-10-05")
        grades = iter(["2", "3", "2", "1", "2"])
        for f in fields(form_of(PACK)):
            if f.key in v.values or f.key == "jv.nca:grade":
                continue
            if f.kind == "checklist":
                j.set(f.key, "1 2")
            elif f.kind == "grade":
                j.set(f.key, next(grades))
            else:
                j.set(f.key, f"{f.label} — written at the visit & kept <as typed>")
        j.set("closing:strengths", "Command of the data.\nChallenge that the headteacher valued.")
        j.end()
        docx = Path(j.record(str(tmp_path / "docs" / "record.docx")))
    pdf = to_pdf([docx], tmp_path / "pdf")[0]
    assert pdf.exists(), "LibreOffice wrote no PDF"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
        for expected in ("Record of a joint visit", "Oak Primary & <Infants>", "Pat Smith", "5 October 2026",
                         "The quality of target setting (1.5)", "Quality of SIP/NCA report (2.4)",
                         "Grade: 3 — Satisfactory practice that has some areas for improvement",
                         "written at the visit & kept <as typed>", "Challenge that the headteacher valued.",
                         "For the headteacher and the LA", "Ended, 26 of 27 fields filled in"):
            assert expected in text, expected
        assert text.index("areas for development") < text.rindex("The overall effectiveness of the SIP/NCA")
