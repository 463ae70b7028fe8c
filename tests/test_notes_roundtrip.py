"""Round trip: every exported note, read back with docx2python, holds each response and action exactly as recorded
(after the one cleaning step that removes what XML cannot hold), for a hostile corpus."""

from __future__ import annotations

import pytest
from docx2python import docx2python

from laqs_assist import notes
from laqs_assist.notes.clean import clean_context, clean_text
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())

# A megabyte of UTF-8 (an answer's limit is 1 MB), cut on a character boundary.
MEGABYTE = ("Lorem & ipsum <dolor> sit \"amet\" — 数据 🚸 " * 40_000).encode()[:1_000_000].decode(errors="ignore")

HOSTILE = [
    "Tom & Jerry <b>bold</b> \"double\" 'single' > done",
    "&amp; &lt; &#123; are text, not entities",
    "{{ 7*7 }}",
    "{% if %}",
    "{% for x in y %}{{ x }}{% endfor %} {# a comment #} {%p if x %} {{r x }}",
    "{_{ not a tag }_} {_% nor this %_}",
    "]]> </w:t></w:r><w:r><w:t>injected</w:t> <![CDATA[x]]> <?xml version='1.0'?>",
    "control\x00 chars\x01\x02\x03\x07\x08 vertical\x0b form\x0c escape\x1b unit\x1f gone \ufffe\uffff",
    "tab\tinside, then a line\nbreak, and CRLF\r\nand a lone CR\rend",
    "  leading and trailing spaces, and  double  spaces  ",
    "مرحبا بالعالم، هذه إجابة عربية",
    "שלום עולם \u202eoverride\u202c and \u200fmark",
    "emoji 👩🏽‍🏫 📈 ✅ 🇬🇧 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "",
    MEGABYTE,
]

ACTIONS = [
    ("Review <policy> & \"procedures\" {{ owner }}", "Jo O'Neil & Co", "2026-12-01"),
    ("Escalate {% raw %} cases \x07 with\tcare", "مدير المدرسة", "2027-01-15"),
    ("Publish 📊 dashboard", "", None),
]


def _texts(path) -> str:
    with docx2python(path) as d:
        return d.text


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Three visits: the hostile answers spread across them, one hostile answer flagged, hostile names."""
    root = tmp_path_factory.mktemp("corpus")
    with Store(root / "laqs.db") as store:
        visits = []
        for i, (org, day) in enumerate([("Bath & <North> East", "2026-10-05"),
                                        ("مدرسة النور", "2026-10-12"),
                                        ("{{ cycler }} School 🏫", "2026-10-19")]):
            s = Session.start(store, PACK, agenda_id="la-contacts" if i != 1 else "headteachers",
                              organisation=org, kind="LA" if i != 1 else "school", phases=["P", "S"],
                              focus=["2.4"], day=day, author="A & B <adviser>",
                              purpose="Check {{ purpose }} & <more>\x07",
                              people=[("Zoë \"Z\" O'Hara", "head & chair"), ("ليلى", "")])
            if i == 0:
                s.answer("")  # an empty answer to the first (free-text) question
            for j, text in enumerate(HOSTILE):
                if j % 3 == i:
                    if text:
                        s.note(text, "2.4")
            if i == 2:
                flagged = s.note("Confidential & <personal> about a named officer", "2.4")
                s.flag(flagged["id"])
            for k, (text, owner, due) in enumerate(ACTIONS):
                if k % 3 == i or i == 0:
                    s.add_action(text, owner, due)
            s.end()
            visits.append(s.id)
        summary = notes.export_notes(store, PACK, "2026-09-01", "2026-12-31", out_dir=root / "notes")
        records = {v: (store.responses(v), store.actions(v), store.visit(v)) for v in visits}
    return summary, records


def test_every_note_was_written(corpus):
    summary, records = corpus
    assert summary.failed == [] and summary.skipped == []
    assert len(summary.written) == len(records) == 3


def test_every_response_and_action_comes_back_exactly(corpus):
    summary, records = corpus
    seen_big = seen_empty = 0
    for path in summary.written:
        body = _texts(path)
        visit_id = next(v for v in records if v[:8] in path.name)
        responses, actions, visit = records[visit_id]
        for r in responses:
            if r["concerns_individual"]:
                assert r["text"] not in body
                continue
            expected = clean_text(r["text"])
            assert expected in body, repr(expected[:80])
            seen_big += len(r["text"]) == len(MEGABYTE)
            seen_empty += r["text"] == ""
        for a in actions:
            assert clean_text(a["text"]) in body
            assert clean_text(a["owner"]) in body
        assert clean_text(visit["organisation"]) in body
    assert seen_big == 1 and seen_empty == 1


def test_escaping_happens_exactly_once(corpus):
    summary, _ = corpus
    body = "\n".join(_texts(p) for p in summary.written)
    assert "Tom & Jerry <b>bold</b> \"double\" 'single' > done" in body
    assert "&amp; &lt; &#123; are text" in body
    assert "&amp;amp;" not in body and "&amp; Jerry" not in body
    assert "{{ 7*7 }}" in body and "49" not in body.split("{{ 7*7 }}")[0][-5:]
    assert "{_{ not a tag }_}" in body


def test_control_characters_are_removed_and_the_rest_kept(corpus):
    summary, _ = corpus
    body = "\n".join(_texts(p) for p in summary.written)
    assert "control chars vertical form escape unit gone " in body
    assert "tab\tinside, then a line\nbreak, and CRLF\nand a lone CR\nend" in body
    assert "Check {{ purpose }} & <more>" in body


def test_headers_hold_hostile_names(corpus):
    summary, _ = corpus
    for path in summary.written:
        with docx2python(path) as d:
            header = " ".join(str(x) for x in d.header)
        assert "Note of visit ·" in header
    with docx2python(summary.written[0]) as d:
        assert "Bath & <North> East" in str(d.header)


def test_clean_text_is_the_one_cleaner():
    assert clean_text("a\x00b\x1fc\x7fd\ud800e\ufffef") == "abc\x7fdef"
    assert clean_text("x\r\ny\rz") == "x\ny\nz"
    assert clean_text("\t\n kept ") == "\t\n kept "
    ctx = clean_context({"a": ["x\x07", {"b": None, "c": 3, "d": True}], "e": ("y\x0b",)})
    assert ctx == {"a": ["x", {"b": "", "c": 3, "d": True}], "e": ["y"]}
