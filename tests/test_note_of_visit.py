"""The note of visit a reviewer can send, read back as a reviewer reads it: the .docx text (python-docx), its XML, and
the PDF LibreOffice makes of it (pages counted, text extracted).

A 13-answer LA visit (an emoji answer, an Arabic one, a flagged one, an override and an agreed rating, follow-up
questions) after a visit whose actions were marked done, dropped and carried forward; and a headteacher visit with a
choice answer. The body must fit on two pages; the evidence goes to an annex after a page break.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx2python import docx2python
from test_notes_libreoffice import SOFFICE, to_pdf

from laqs_assist import notes
from laqs_assist.notes.context import note_context
from laqs_assist.notes.render import render_to_file
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
CRITERION_ID = re.compile(r"\b\d\.\d\.(OS|G|NI|SI)\.\d+\b|\bA[34](\.\d+){3}\b")
EMOJI = "👍"
ARABIC = "مرحبا بالعالم، هذه إجابة عربية عن سجل المخاطر"
FLAGGED = "A remark about one named officer's conduct, never in a note"
BODY_SECTIONS = ["Purpose and focus", "Summary", "Contributory ratings", "Strengths and priorities for further action",
                 "Agreed actions", "Progress since the last visit", "Agenda for the next visit"]
ANNEX = "Annex: the evidence recorded"

needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                                         "apt-get install -y libreoffice-writer-nogui")


def pdf_pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def paragraphs(path: Path) -> list[str]:
    """Every line of the note's text, tables included (docx2python reads what Word shows)."""
    with docx2python(path) as d:
        return d.text.splitlines()


def body_and_annex(path: Path) -> tuple[str, str]:
    """The note's text before the annex heading and from it on (tables read in document order)."""
    doc = Document(str(path))
    parts = []
    for block in doc.element.body.iterchildren():
        parts.append("".join(t.text or "" for t in block.iter("{http://schemas.openxmlformats.org/"
                                                              "wordprocessingml/2006/main}t")))
    text = "\n".join(parts)
    at = text.find(ANNEX)
    return (text, "") if at < 0 else (text[:at], text[at:])


def document_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def fit(item, text: str) -> str:
    """`text` in the form the current question's answer type asks for."""
    kind = item.answer_type
    if kind == "yes_no":
        return f"yes, {text}"
    if kind in ("percent", "number"):
        return f"85{'%' if kind == 'percent' else ''} {text}"
    if kind == "grade":
        return f"2 {text}"
    if kind == "date":
        return "2026-11-01"
    return text


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("note-of-visit")
    with Store(root / "laqs.db") as store:
        first = Session.start(store, PACK, agenda_id="la-contacts", organisation="Northshire County Council",
                              phases=["P", "S"], focus=["2.4"], day="2026-10-01", author="Sam Adviser",
                              purpose="Autumn review", people=[("Lee Officer", "head of school improvement")])
        first.note("The risk register was walked through.", "2.4")
        done = first.add_action("Publish the risk register to members", "Lee Officer", "2026-10-20", "2.4")
        dropped = first.add_action("Pilot a second data dashboard", "Data team", "2026-11-01", "2.4")
        carried = first.add_action("Train SIPs on the report format", "Lead SIP", "2026-11-10", "2.4")
        first.end()
        store.mark_action(done["id"], "done", "2026-10-18", "sent to the lead member")
        store.mark_action(dropped["id"], "dropped", "2026-10-25", "overtaken by the county dashboard")
        store.mark_action(carried["id"], "carried", "2026-11-05", "", "2027-01-15")

        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Northshire County Council",
                          phases=["P", "S"], focus=["2.4", "1.1", "2.5", "2.2"], day="2026-11-20", author="Sam Adviser",
                          purpose=f"Follow-up on the use of intelligence {EMOJI}",
                          people=[("Lee Officer", "head of school improvement"), ("Kim Analyst", "data manager")])
        plan = {"2.4": [f"Yes: the register is shared monthly with senior officers {EMOJI} and members.", ARABIC,
                        "SIP reports arrive within ten days and are read by the risk panel.",
                        "Intelligence includes attainment and progress for all groups.",
                        "The panel grades each school's risk and records the reasons.",
                        "Officers beyond school improvement see the register each term.",
                        "Predictions of failure were right for two of three schools last year."],
                "1.1": ["Termly partnership meetings with every head.", "The universal offer is promoted by email.",
                        "Targeted support goes to the twelve schools below floor.",
                        "Heads say the dialogue is open and regular."],
                "2.5": ["Data packs go to every school each autumn.", "Heads use the packs in target setting.",
                        "Governors receive a summary.", "Contextual data is included."]}
        asked = []
        for aspect, texts in plan.items():
            s.jump(aspect)
            for text in texts:
                item = s.current()
                if item is None or item.aspect_id != aspect or len(asked) == 13:
                    break
                asked.append(item)
                s.answer(fit(item, text))
        flagged = s.note(FLAGGED, "2.4")
        s.flag(flagged["id"])
        for c in ("2.4.G.1", "2.4.G.3"):
            s.judge(c, "met")
        s.judge("2.4.G.2", "partly")
        s.judge("1.1.G.1", "met")
        s.add_action("Add elected members to the register's circulation", "Lee Officer", "2026-12-15", "2.4")
        s.add_action("Share the partnership minutes with all heads", "Kim Analyst", "2027-01-10", "1.1")
        s.end()
        s.accept("2.4", "P")
        s.override("2.4", "S", "G", "the secondary risk panel minutes seen on the day show every feature in use")

        head = Session.start(store, PACK, agenda_id="headteachers", organisation="Oak Primary", kind="school",
                             parent="Northshire County Council", phases=["P"], focus=["2.3"], day="2026-11-21",
                             author="Sam Adviser", purpose="Termly visit", people=[("Pat Head", "headteacher")])
        head.jump("2.3")
        while head.current() is not None and (head.current().question is None
                                             or head.current().question.id != "A4.2.3.2"):
            head.answer(fit(head.current(), "The LA's policy was explained to governors by the SIP."))
        head.answer("1")
        head.judge("1.5.targets-in-line", 85)  # the LA's criteria ("Between 80% and 95% …"): never the school's rating
        head.add_action("Send the revised plan to the SIP", "Pat Head", "2026-12-12", "2.3")
        head.end()

        docs = root / "docs"
        la = notes.write_note(store, PACK, s.id, docs / "la.docx").path
        school = notes.write_note(store, PACK, head.id, docs / "school.docx").path
        ctx = note_context(store, PACK, s.id)
        body_only = render_to_file(notes.default_template("note"), note_context(store, PACK, s.id, annex=False),
                                   docs / "la-body.docx")
        responses = [r for r in store.responses(s.id) if r["question_id"] or r["item_id"]]
    return {"la": la, "school": school, "body_only": Path(body_only), "ctx": ctx, "asked": asked,
            "answers": len(responses), "root": root}


# --- what the note says ----------------------------------------------------------------------------------------------


def test_the_visit_has_thirteen_answers(world):
    assert world["answers"] == 13


def test_the_note_has_its_sections_in_order_and_the_annex_last(world):
    body, annex = body_and_annex(world["la"])
    at = [body.find(h) for h in BODY_SECTIONS]
    assert all(i >= 0 for i in at) and at == sorted(at), dict(zip(BODY_SECTIONS, at))
    assert annex.startswith(ANNEX)
    assert "Draft built from the record: edit it into your own words" in body


def test_no_criterion_or_question_id_and_no_machine_prompt_outside_the_annex(world):
    body, annex = body_and_annex(world["la"])
    assert not CRITERION_ID.search(body), CRITERION_ID.search(body).group()
    for machine in ("Follow-up:", "decides Good", ", critical"):
        assert machine not in body and machine not in annex
    assert "needs:" not in body
    assert CRITERION_ID.search(annex)  # the basis with its criteria stays in the annex


def test_strengths_and_priorities_are_plain_sentences(world):
    a24 = next(a for a in world["ctx"]["aspects"] if a["id"] == "2.4")
    assert "The risk register created is shared with senior officers within and beyond SI (and elected members) " \
           "on a regular basis." in a24["strengths"]
    assert a24["development"] and all(not CRITERION_ID.search(d) for d in a24["development"])
    body, _ = body_and_annex(world["la"])
    assert "Strength: The risk register created is shared with senior officers" in body
    assert "Priority: " in body


def test_the_draft_summary_gives_findings_per_aspect_and_overall(world):
    summary = world["ctx"]["summary"]
    assert summary["overall"].startswith("Overall, the visit discussed ")
    titles = [a["title"] for a in world["ctx"]["aspects"]]
    assert [line.split(":")[0] for line in summary["aspects"]] == titles
    assert not any(CRITERION_ID.search(line) for line in summary["lines"])
    body, _ = body_and_annex(world["la"])
    for line in summary["lines"]:
        assert line in body


def test_overridden_agreed_and_suggested_ratings_are_told_apart(world):
    doc = Document(str(world["la"]))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["Aspect", "Phase", "Rating"])
    cells = {(r.cells[0].text, r.cells[1].text): r.cells[2].text for r in table.rows[1:]}
    assert cells[("2.4", "Primary")].endswith("(agreed)")
    assert cells[("2.4", "Secondary")].startswith("Good, effective (adviser's rating; the criteria allow at most")
    assert cells[("1.1", "Primary")].endswith("(suggested)")


def test_the_group_and_overall_rollup_say_what_they_rest_on(world):
    rows = world["ctx"]["rollup"]
    assert {r["phase"] for r in rows} == {"Primary", "Secondary", "Overall"}
    assert all(re.fullmatch(r"\d+ of \d+ aspect ratings", r["rests_on"]) for r in rows)
    body, _ = body_and_annex(world["la"])
    for line in world["ctx"]["rollup_lines"]:
        assert f"{line['title']}. {line['line']}." in body
    assert re.search(r"Group 2: Risk management[^\n]*Overall: [^\n]* \(\d+ of \d+ aspect ratings\)", body)


def test_aspects_with_nothing_discussed_are_left_out(world):
    ids = [a["id"] for a in world["ctx"]["aspects"]]
    assert "2.2" not in ids  # a focus aspect nothing was said, judged or agreed on
    assert {"1.1", "2.4", "2.5"} <= set(ids) and all(a["evidence"] or a["actions"] for a in world["ctx"]["aspects"])
    body, annex = body_and_annex(world["la"])
    assert "(2.2)" not in annex and body.count("(2.2)") == 1  # named once, in the focus line


def test_sub_questions_are_kept_and_follow_ups_are_plain_questions(world):
    _, annex = body_and_annex(world["la"])
    q = PACK.questions["A3.1.1.1"]
    assert q.text in annex and all(s in annex for s in q.sub)
    probes = [i for i in world["asked"] if i.question is None]
    assert probes, "no follow-up question was asked"
    assert "What evidence is there " in annex
    for i in probes:
        assert i.text not in annex  # the machine prompt with ids is not what the note shows


def test_a_choice_answer_shows_its_label(world):
    school = "\n".join(paragraphs(world["school"]))
    label = PACK.questions["A4.2.3.2"].choices[0]
    assert label in school
    assert "\n1\n" not in f"\n{school}\n"


def test_the_headteacher_visit_note_records_the_discussion_not_a_rating_of_the_school(world):
    body, _ = body_and_annex(world["school"])
    assert "The discussion" in body and "as the school experiences them" in body
    assert "Contributory ratings" not in body and "Priority: " not in body and "Strength: " not in body
    assert "Between 80% and 95%" not in body + _
    assert "Send the revised plan to the SIP" in body
    assert "Impact of target setting" not in body  # judged there, but nothing was said or agreed on it


def test_progress_since_the_last_visit_reads_each_actions_status(world):
    body, _ = body_and_annex(world["la"])
    for words in ("Done (18 October 2026): sent to the lead member",
                  "Dropped (25 October 2026): overtaken by the county dashboard",
                  "Carried forward (5 November 2026)"):
        assert words in body
    steps = world["ctx"]["next_steps"]
    assert any("from the last visit still outstanding" in s for s in steps)  # the carried-forward one
    assert any("not yet covered" in s for s in steps)


def test_flagged_answers_are_absent(world):
    for path in (world["la"], world["body_only"]):
        assert FLAGGED not in "\n".join(paragraphs(path))


def test_the_annex_can_be_left_out(world):
    body, annex = body_and_annex(world["body_only"])
    assert annex == "" and "Agenda for the next visit" in body


# --- every script and every font -------------------------------------------------------------------------------------


def test_emoji_runs_name_the_emoji_font(world):
    xml = document_xml(world["la"])
    styles = document_xml(world["la"], "word/styles.xml")
    emoji_runs = re.findall(r'<w:r>(?:(?!</w:r>).)*?<w:rStyle w:val="Emoji"/>(?:(?!</w:r>).)*?</w:r>', xml)
    assert any(EMOJI in r for r in emoji_runs)
    style = re.search(r'<w:style w:type="character"[^>]*w:styleId="Emoji".*?</w:style>', styles, re.S).group()
    assert 'w:ascii="Symbola"' in style and 'w:eastAsia="Noto Color Emoji"' in style


def test_a_right_to_left_answer_is_a_right_to_left_paragraph(world):
    xml = document_xml(world["la"])
    para = next(p for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S) if ARABIC in p)
    assert "<w:bidi/>" in para and "<w:rtl/>" in para
    english = next(p for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S) if "SIP reports arrive" in p)
    assert "<w:bidi/>" not in english


@needs_office
def test_libreoffice_body_fits_on_two_pages_and_draws_the_emoji(world, tmp_path):
    la, body_only, school = to_pdf([world["la"], world["body_only"], world["school"]], tmp_path)
    body_pages, all_pages, school_pages = pdf_pages(body_only), pdf_pages(la), pdf_pages(school)
    assert body_pages <= 2, f"the body of a 13-answer note takes {body_pages} pages"
    assert all_pages > body_pages  # the annex starts on a page of its own
    assert school_pages <= 3
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(la), "-"], capture_output=True, text=True).stdout
        assert EMOJI in text and "Note of visit" in text and "Summary" in text
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    assert re.search("emoji|symbola", fonts, re.I), "no emoji font installed: apt-get install fonts-noto-color-emoji"
    if "Symbola" in fonts and shutil.which("pdffonts"):
        used = subprocess.run(["pdffonts", str(la)], capture_output=True, text=True).stdout
        assert "Symbola" in used  # the emoji are drawn in the font the template names


def test_the_annex_can_be_left_out_from_the_command_line(tmp_path):
    """`laqs note --no-annex`: the body alone; the default keeps the annex of evidence."""
    import docx
    from conftest_store import run_laqs

    db = tmp_path / "laqs.db"
    proc = run_laqs("chat", "--org", "Any Borough", "--phase", "P", "--focus", "2.4", "--date", "2026-11-20",
                    store=db, input="The risk register is reviewed monthly by the data team\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    texts = {}
    for name, extra in (("with", ()), ("without", ("--no-annex",))):
        out = tmp_path / f"{name}.docx"
        proc = run_laqs("note", "last", "--out", str(out), *extra, store=db, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        texts[name] = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "The risk register is reviewed monthly by the data team" in texts["with"]
    assert "The risk register is reviewed monthly by the data team" not in texts["without"]
