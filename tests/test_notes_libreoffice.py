"""A real client opens the documents: LibreOffice converts sample notes and briefings to PDF.

LibreOffice can exit 0 without writing the PDF, so the test checks the file itself. Each run gets its own profile
(-env:UserInstallation) so concurrent runs do not collide. Skipped only when soffice is not installed
(`apt-get install -y libreoffice-writer-nogui`).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from laqs_assist import notes
from laqs_assist.notes.sample import build_sample
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                                       "apt-get install -y libreoffice-writer-nogui")


def to_pdf(files: list[Path], outdir: Path) -> list[Path]:
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                               "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    return [outdir / (f.stem + ".pdf") for f in files]


def test_notes_and_briefings_convert_to_pdf(tmp_path):
    with Store(tmp_path / "laqs.db") as store:
        info = build_sample(store, PACK)
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Bath & <North> East — مدرسة",
                          phases=["EY", "P", "S"], focus=["2.4", "2.2"], author="A & B")
        s.answer("Reports: \"timely\" & <accurate> — 👩🏽‍🏫 ✅ שלום\x07 {{ 7*7 }}")
        s.add_action("Review <policy> & procedures", "Jo & Co", "2026-12-01")
        s.end()
        docs = [notes.write_note(store, PACK, info["visit_id"], tmp_path / "docs" / "note.docx").path,
                notes.write_note(store, PACK, s.id, tmp_path / "docs" / "hostile-note.docx").path,
                notes.write_briefing(store, PACK, info["organisation"], tmp_path / "docs" / "briefing.docx").path]
    pdfs = to_pdf(docs, tmp_path / "pdf")
    for pdf in pdfs:
        assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 5_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdfs[1]), "-"], capture_output=True, text=True).stdout
        assert "Note of visit" in text and "Bath & <North> East" in text and "Review <policy> & procedures" in text
