"""A template restyled as a user would in Word still renders. python-docx stands in for Word: fonts and colours
changed, a logo added to the body and the header, table styles swapped, margins moved, and a tag split across
runs with a proofing mark between them, as Word leaves it after a spell check."""

from __future__ import annotations

import copy
import struct
import zlib

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx2python import docx2python

from laqs_assist import notes
from laqs_assist.notes.context import short_title
from laqs_assist.notes.sample import build_sample
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())


def png(path, width=48, height=24, rgb=(0x1F, 0x3A, 0x5F)) -> None:
    """A small solid-colour PNG, written by hand (no imaging library needed)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def split_tag_run(doc, tag_start: str) -> bool:
    """Split the run holding a tag that starts `tag_start` in two, with a proofing mark between, as Word does."""
    for p in doc.paragraphs:
        for run in p.runs:
            if run.text.startswith(tag_start):
                tag_text = run.text
                half = len(tag_text) // 2
                second = copy.deepcopy(run._r)
                run.text = tag_text[:half]
                second.find(qn("w:t")).text = tag_text[half:]
                proof = OxmlElement("w:proofErr")
                proof.set(qn("w:type"), "spellStart")
                run._r.addnext(proof)
                proof.addnext(second)
                return True
    return False


def restyle(src, dst, logo) -> None:
    doc = Document(str(src))
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
        style = doc.styles[name]
        style.font.name = "Georgia"
        style.font.color.rgb = RGBColor(0x80, 0x00, 0x40)
    doc.styles["Normal"].font.size = Pt(12)
    for p in doc.paragraphs:
        for run in p.runs:
            run.font.name = "Georgia"
    doc.paragraphs[0].insert_paragraph_before().add_run().add_picture(str(logo), width=Cm(3))
    doc.sections[0].header.paragraphs[0].add_run().add_picture(str(logo), width=Cm(1.5))
    for table in doc.tables:
        table.style = doc.styles["Light Grid Accent 1"]
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = Cm(2.5)
    assert split_tag_run(doc, "{{ focus_line")
    doc.save(str(dst))


@pytest.fixture
def world(tmp_path):
    with Store(tmp_path / "laqs.db") as store:
        yield store, build_sample(store, PACK)


def test_a_restyled_note_template_still_renders(world, tmp_path):
    store, info = world
    logo = tmp_path / "logo.png"
    png(logo)
    mine = tmp_path / "my-note.docx"
    restyle(notes.default_template("note"), mine, logo)

    report = notes.check_template(mine, PACK, "note")
    assert report.ok and report.unknown == [] and report.missing == []
    result = notes.write_note(store, PACK, info["visit_id"], tmp_path / "out.docx", template=mine)
    with docx2python(result.path) as d:
        body = d.text
        images = d.images
    focus = f"{short_title(PACK.aspects[info['aspects'][0]].title)} ({info['aspects'][0]})"
    for text in (focus,  # the split tag
                 "Follow-up visit on the use of intelligence and support",
                 "Agree the next round of pupil progress meetings", "The headteacher described how the LA's support",
                 "Sample Primary School"):
        assert text in body
    assert "{{" not in body and "{%" not in body
    assert len(images) >= 1  # the logo survived
    out = Document(str(result.path))
    assert out.styles["Normal"].font.name == "Georgia"
    assert out.tables and all(t.style.name == "Light Grid Accent 1" for t in out.tables)
    assert len(out.inline_shapes) >= 1


def test_restyled_briefing_renders(world, tmp_path):
    store, info = world
    logo = tmp_path / "logo.png"
    png(logo)
    doc = Document(str(notes.default_template("briefing")))
    for style in ("Normal", "Heading 1"):
        doc.styles[style].font.name = "Verdana"
    doc.paragraphs[0].insert_paragraph_before().add_run().add_picture(str(logo), width=Cm(2))
    for table in doc.tables:
        table.style = doc.styles["Medium Shading 1 Accent 1"]
    mine = tmp_path / "brief.docx"
    doc.save(str(mine))
    assert notes.check_template(mine, PACK, "briefing").ok
    r = notes.write_briefing(store, PACK, info["organisation"], tmp_path / "b.docx", template=mine)
    with docx2python(r.path) as d:
        assert "Agree the next round of pupil progress meetings" in d.text
        assert d.images
