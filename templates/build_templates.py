"""Build the shipped Word templates: note-of-visit.docx and briefing.docx.

    python templates/build_templates.py [--out FOLDER]

The files are ordinary Word documents holding docxtpl (Jinja) tags. Open them in Word, restyle them (fonts,
colours, a logo, table styles), save, and they still render. When editing the tags by hand in Word, type each tag
in one go, with spaces inside the braces (`{{ organisation }}`), so Word keeps it in one run; check the result with
`laqs templates check FILE`.

Tags used beyond `{{ … }}`: `{%p … %}` on a paragraph of its own (the paragraph is replaced by the tag, for
loops and conditions over paragraphs), `{%tr … %}` in a table row of its own (repeats the rows between), and
`{% cellbg … %}` in a cell (its background colour). `laqs templates vars` lists the variables a template can use.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x59, 0x59, 0x59)
HEADER_FILL = "1F3A5F"
KEY_FILL = "E8EEF5"


# --- small helpers -----------------------------------------------------------------------------------------------


def base_document(title: str, subject: str) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(1.8)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 22), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 10.5)):
        st = styles[name]
        st.font.name = "Calibri"
        st.font.size = Pt(size)
        st.font.color.rgb = ACCENT
        st.font.bold = True
        st.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 8)
        st.paragraph_format.space_after = Pt(4)
        st.paragraph_format.keep_with_next = True
        # The built-in heading styles name a theme font; drop it so the font set here applies everywhere.
        rpr = st.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)
    styles["Title"].paragraph_format.space_before = Pt(0)
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = "laqs-assist"
    props.comments = "Template for laqs-assist. Restyle freely in Word; keep the tags in braces as they are."
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    return doc


def para(doc_or_cell, *runs, style: str | None = None, size: float | None = None, italic: bool = False,
         color: RGBColor | None = None, align=None):
    """A paragraph of runs; a run is text or (text, {'bold': True}). Every tag stays inside one run."""
    p = doc_or_cell.add_paragraph(style=style)
    for r in runs:
        text, fmt = (r, {}) if isinstance(r, str) else r
        run = p.add_run(text)
        run.bold = fmt.get("bold")
        run.italic = fmt.get("italic", italic or None)
        if size or fmt.get("size"):
            run.font.size = Pt(fmt.get("size", size))
        if color or fmt.get("color"):
            run.font.color.rgb = fmt.get("color", color)
    if align is not None:
        p.alignment = align
    return p


def bullets(doc, items: str, empty: str | None = None, var: str = "s") -> None:
    """A bulleted paragraph per item of `items`, and an italic line when there are none."""
    tag(doc, f"{{%p for {var} in {items} %}}")
    para(doc, f"{{{{ {var} }}}}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    if empty is not None:
        tag(doc, f"{{%p if not {items} %}}")
        para(doc, empty, italic=True)
        tag(doc, "{%p endif %}")


def previous_actions(doc, lead: str, first_visit: str) -> None:
    """The last visit's actions and their status now, or a line saying there was no earlier visit."""
    tag(doc, "{%p if has_previous %}")
    para(doc, lead)
    tag(doc, "{%p if previous_actions %}")
    grid_table(doc, ["Action", "Owner", "Due", "Status"], "{%tr for x in previous_actions %}",
               [["{{ x.text }}"], ["{{ x.owner }}"], ["{{ x.due }}"], ["{{ x.status }}"]], [8.2, 3.4, 3.0, 2.4])
    tag(doc, "{%p else %}")
    para(doc, "No actions were agreed at the last visit.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, first_visit, italic=True)
    tag(doc, "{%p endif %}")


def tag(doc, text: str):
    """A paragraph holding only a {%p … %} tag: docxtpl replaces the whole paragraph by it."""
    return doc.add_paragraph(text)


def shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def cell_text(cell, *runs, bold: bool = False, color: RGBColor | None = None, size: float | None = None) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    for r in runs:
        text, fmt = (r, {}) if isinstance(r, str) else r
        run = p.add_run(text)
        run.bold = fmt.get("bold", bold or None)
        if color:
            run.font.color.rgb = color
        if size:
            run.font.size = Pt(size)


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def widths(table, cms: list[float]) -> None:
    """Fixed column widths, in the cells (Word) and in the table grid (LibreOffice reads only the grid)."""
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, cms):
            cell.width = Cm(w)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), cms):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def grid_table(doc, headings: list[str], loop: str, cells: list[list], cms: list[float], end: str = "{%tr endfor %}"):
    """A table: a heading row, a {%tr for %} row, one data row of tags, a {%tr endfor %} row."""
    table = doc.add_table(rows=4, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    repeat_header(head)
    for cell, h in zip(head.cells, headings):
        shade(cell, HEADER_FILL)
        cell_text(cell, h, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
    for cell, runs in zip(table.rows[2].cells, cells):
        cell_text(cell, *runs)
    widths(table, cms)
    # The tag rows read across the table (docxtpl drops the whole row holding a {%tr %} tag).
    for i, text in ((1, loop), (3, end)):
        row = table.rows[i]
        merged = row.cells[0].merge(row.cells[-1])
        cell_text(merged, text)
    return table


def key_table(doc, rows: list[tuple[str, list]], cms=(4.2, 12.8)):
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (key, runs) in zip(table.rows, rows):
        shade(row.cells[0], KEY_FILL)
        cell_text(row.cells[0], key, bold=True)
        cell_text(row.cells[1], *runs)
    widths(table, list(cms))
    return table


def page_field(paragraph) -> None:
    run = paragraph.add_run()
    run.font.size, run.font.color.rgb = Pt(8), MUTED
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def header_footer(doc, header: str, footer: str) -> None:
    sec = doc.sections[0]
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = hp.add_run(header)
    r.font.size, r.font.color.rgb = Pt(8.5), MUTED
    fp = sec.footer.paragraphs[0]
    r = fp.add_run(footer)
    r.font.size, r.font.color.rgb = Pt(8), MUTED
    r = fp.add_run("   page ")
    r.font.size, r.font.color.rgb = Pt(8), MUTED
    page_field(fp)


# --- the note of visit -------------------------------------------------------------------------------------------


def note_of_visit() -> Document:
    doc = base_document("Note of visit", "Note of visit: {{ organisation }}, {{ visit_date }}")
    header_footer(doc, "Note of visit · {{ organisation }} · {{ visit_date }}",
                  "{{ tool }} · visit {{ visit_ref }} · drafted {{ generated }}")

    para(doc, "Note of visit", style="Title")
    para(doc, "{{ organisation }}", size=13, color=ACCENT)
    tag(doc, "{%p if draft %}")
    para(doc, ("Draft: this visit is still {{ status }}; the note may change.", {"bold": True}),
         color=RGBColor(0xC0, 0x00, 0x00))
    tag(doc, "{%p endif %}")
    key_table(doc, [
        ("Organisation", ["{{ organisation }} ({{ organisation_kind }})"]),
        ("Local authority", ["{{ la or '—' }}"]),
        ("Date of visit", ["{{ visit_date }} (academic year {{ academic_year }})"]),
        ("Visit type", ["{{ visit_type }} ({{ agenda_source }})"]),
        ("Phases", ["{{ phases_line }}"]),
        ("People present", ["{{ people_line or 'not recorded' }}"]),
        ("Author", ["{{ author or 'not recorded' }}"]),
    ])

    para(doc, "Purpose and focus", style="Heading 1")
    para(doc, "{{ purpose or 'No purpose was recorded.' }}")
    para(doc, ("Focus: ", {"bold": True}), "{{ focus_line or 'none set' }}")

    para(doc, "Contributory ratings", style="Heading 1")
    para(doc, "Ratings per phase in the words of the quality standards, each marked by what it rests on: the "
              "adviser's rating (an override, with what the criteria allow beside it), agreed (the adviser accepted "
              "the suggestion) or suggested (the highest rating the criteria allow, not yet agreed). The basis of "
              "each is under the aspect.", size=9, color=MUTED)
    grid_table(doc, ["Aspect", "Phase", "Rating", "LA's self-evaluation"], "{%tr for r in ratings %}",
               [["{{ r.aspect_id }}"], ["{{ r.phase }}"], ["{% cellbg r.fill %}", "{{ r.rating_line }}"],
                ["{{ r.self_evaluation }}"]], [1.9, 2.6, 6.8, 5.7])

    para(doc, "Aspects discussed", style="Heading 1")
    tag(doc, "{%p for a in aspects %}")
    para(doc, "{{ a.heading }}", style="Heading 2")
    para(doc, "Evidence", style="Heading 3")
    tag(doc, "{%p for e in a.evidence %}")
    para(doc, ("{{ e.question }}", {"italic": True, "size": 9, "color": MUTED}))
    p = para(doc, "{{ e.text }}")
    p.paragraph_format.left_indent = Cm(0.5)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not a.evidence %}")
    para(doc, "No responses were recorded on this aspect at this visit.", italic=True)
    tag(doc, "{%p endif %}")
    para(doc, "Rating and basis", style="Heading 3")
    tag(doc, "{%p for r in a.bases %}")
    para(doc, ("{{ r.phases }}: {{ r.rating }}. ", {"bold": True}), "{{ r.basis }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    para(doc, "Strengths", style="Heading 3")
    bullets(doc, "a.strengths", "No Good or Outstanding criteria are recorded as met yet.")
    para(doc, "Areas for development", style="Heading 3")
    bullets(doc, "a.development", "None identified from the criteria.", var="d")
    tag(doc, "{%p if a.self_evaluation %}")
    para(doc, "The LA's self-evaluation", style="Heading 3")
    bullets(doc, "a.self_evaluation")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    para(doc, "Agreed actions", style="Heading 1")
    tag(doc, "{%p if actions %}")
    grid_table(doc, ["Action", "Owner", "Timescale"], "{%tr for x in actions %}",
               [["{{ x.text }}"], ["{{ x.owner }}"], ["{{ x.due }}"]], [10.4, 3.6, 3.0])
    tag(doc, "{%p else %}")
    para(doc, "No actions were agreed at this visit.", italic=True)
    tag(doc, "{%p endif %}")

    para(doc, "Progress since the last visit", style="Heading 1")
    previous_actions(doc, "Actions agreed at the last visit ({{ previous_type }}, {{ previous_date }}) and their "
                          "status now:", "This is the first recorded visit to {{ organisation }}.")

    para(doc, "Next steps", style="Heading 1")
    bullets(doc, "next_steps", "None recorded.")
    return doc


# --- the briefing --------------------------------------------------------------------------------------------------


def heading(doc, text, style: str = "Heading 1"):
    """A heading kept with the paragraph after it, on the paragraph itself as well as in its style (a restyled
    template keeps it), so no heading is stranded at a page foot."""
    p = para(doc, text, style=style)
    p.paragraph_format.keep_with_next = True
    return p


def kept(p):
    """`p` kept with the paragraph after it (a question's id with its text, a stem with its sub-questions)."""
    p.paragraph_format.keep_with_next = True
    return p


def lead_and_needs(doc, var: str, runs: list) -> None:
    """A rating's lead line kept with the bullets of what it needs (`var.needs`)."""
    kept(para(doc, *runs))
    bullets(doc, f"{var}.needs", var="i")


def question_block(doc, var: str = "q") -> None:
    """One agenda question: its id and stem kept with its sub-questions."""
    kept(para(doc, (f"{{{{ {var}.id }}}} ", {"bold": True}), f"{{{{ {var}.text }}}}"))
    tag(doc, f"{{%p for s in {var}.sub %}}")
    para(doc, "{{ s }}", style="List Bullet")
    tag(doc, "{%p endfor %}")


def briefing() -> Document:
    doc = base_document("Briefing for a meeting", "Briefing: {{ organisation }}, {{ meeting_date }}")
    header_footer(doc, "Briefing · {{ organisation }} · {{ meeting_date }}", "{{ tool }} · prepared {{ generated }}")

    para(doc, "{{ title }}", style="Title")
    para(doc, "{{ organisation }}", size=13, color=ACCENT)
    key_table(doc, [
        ("Organisation", ["{{ organisation }} ({{ organisation_kind }})"]),
        ("Local authority", ["{{ la or '—' }}"]),
        ("Meeting date", ["{{ meeting_date }} (academic year {{ academic_year }})"]),
        ("Agenda", ["{{ agenda_title }} ({{ agenda_source }})"]),
        ("Phases", ["{{ phases_line }}"]),
        ("Visits this year", ["{{ visits_this_year }}"]),
    ])
    marks = ("Each rating is marked by what it rests on: the adviser's rating (an override), agreed (the adviser "
             "accepted the suggestion) or suggested (the highest rating the criteria allow, not yet agreed).")

    tag(doc, "{%p if for_la %}")
    heading(doc, "Ratings at the last visit")
    tag(doc, "{%p if last_ratings %}")
    para(doc, "{{ previous_type }}, {{ previous_date }}: the ratings per phase as they stood at that visit. " + marks,
         size=9, color=MUTED)
    grid_table(doc, ["Phase", "Aspect", "Rating"], "{%tr for r in last_ratings %}",
               [["{{ r.phase }}"], ["{{ r.aspect_id }} {{ r.aspect_title }}"],
                ["{% cellbg r.fill %}", "{{ r.rating_line }}"]], [2.6, 7.4, 7.0])
    tag(doc, "{%p else %}")
    para(doc, "{{ 'Nothing was rated at the last visit.' if has_previous else 'No earlier visit is recorded.' }}",
         italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Ratings still below their ceiling")
    tag(doc, "{%p for b in below_ceiling %}")
    lead_and_needs(doc, "b", [("{{ b.aspect_id }} {{ b.aspect_title }}, {{ b.phase }}: ", {"bold": True}),
                              "{{ b.rating_line }}; the criteria could allow {{ b.ceiling }}."])
    tag(doc, "{%p if b.questions %}")
    kept(para(doc, ("Questions that would decide it:", {"italic": True, "size": 9, "color": MUTED})))
    tag(doc, "{%p for q in b.questions %}")
    para(doc, ("{{ q.id }} ", {"bold": True}), "{{ q.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, ("Its agenda questions were all answered this year: the evidence to seek is above.",
               {"italic": True, "size": 9, "color": MUTED}))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not below_ceiling %}")
    para(doc, "No rating is below what the criteria could allow.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "{{ questions_heading }}")
    para(doc, "From {{ agenda_title }} ({{ agenda_source }}), chosen by {{ chosen_by }}"
              "{{ '; ' ~ answered_left_out ~ ' answered this year are left out' if answered_left_out else '' }}"
              "{{ ' (besides those above)' if below_ceiling else '' }}.", size=9, color=MUTED)
    tag(doc, "{%p for sec in uncovered %}")
    heading(doc, "{{ sec.title }}", "Heading 2")
    tag(doc, "{%p for q in sec.questions %}")
    question_block(doc)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not uncovered %}")
    para(doc, "Every item of the agenda has been covered this year.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Open and overdue actions")
    tag(doc, "{%p if open_actions %}")
    para(doc, "{{ open_actions|length }} open, {{ overdue_count }} overdue on the meeting's day.", size=9,
         color=MUTED)
    grid_table(doc, ["Action", "Owner", "Due", "Agreed", "Status"], "{%tr for x in open_actions %}",
               [["{{ x.text }}"], ["{{ x.owner }}"], ["{{ x.due }}"], ["{{ x.agreed }}"], ["{{ x.status }}"]],
               [6.6, 3.0, 2.6, 2.6, 2.2])
    tag(doc, "{%p else %}")
    para(doc, "No actions are open.", italic=True)
    tag(doc, "{%p endif %}")

    tag(doc, "{%p else %}")
    heading(doc, "Agreed actions and targets from the last visit")
    previous_actions(doc, "Last visit: {{ previous_type }}, {{ previous_date }}. Its actions, their target dates "
                          "and their status:", "No earlier visit is recorded.")

    heading(doc, "Ratings so far this year")
    tag(doc, "{%p if ratings %}")
    para(doc, marks, size=9, color=MUTED)
    grid_table(doc, ["Aspect", "Phase", "Rating", "Could reach on the criteria"], "{%tr for r in ratings %}",
               [["{{ r.aspect_id }}"], ["{{ r.phase }}"], ["{% cellbg r.fill %}", "{{ r.rating_line }}"],
                ["{{ r.reach }}"]], [1.9, 2.6, 6.3, 6.2])
    tag(doc, "{%p else %}")
    para(doc, "Nothing has been rated this academic year.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Evidence still needed")
    tag(doc, "{%p for m in missing_evidence %}")
    lead_and_needs(doc, "m", [("{{ m.aspect_id }} {{ m.phase }}: ", {"bold": True}),
                              "{{ m.rating_line }}; to reach {{ m.to_reach }}:"])
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not missing_evidence %}")
    para(doc, "No open ratings.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Questions for the meeting")
    para(doc, "From {{ agenda_title }} ({{ agenda_source }}), chosen by {{ chosen_by }}: the elements on this "
              "school's open issues"
              "{{ '; ' ~ answered_left_out ~ ' answered this year are left out' if answered_left_out else '' }}.",
         size=9, color=MUTED)
    tag(doc, "{%p for q in questions %}")
    question_block(doc)
    para(doc, ("Why: {{ q.why }}", {"italic": True, "size": 9, "color": MUTED}))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not questions %}")
    para(doc, "No questions chosen: every element on an open issue has been discussed this year.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    return doc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: templates/)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in (("note-of-visit.docx", note_of_visit), ("briefing.docx", briefing)):
        build().save(args.out / name)
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
