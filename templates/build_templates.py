"""Build the shipped Word templates: note-of-visit.docx, briefing.docx, team-report.docx and
joint-visit-record.docx.

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

# The font the note names for emoji (its character style "Emoji", restyled in Word like any other): a font
# LibreOffice draws into a PDF. Text fonts have no emoji, and LibreOffice's own fallback to a colour emoji font
# leaves them blank in a PDF.
EMOJI_FONT = "Symbola"
EMOJI_FALLBACK = "Noto Color Emoji"


def emoji_style(doc) -> None:
    """The character style "Emoji": the note's runs of emoji use it (Word and LibreOffice both read it)."""
    from docx.enum.style import WD_STYLE_TYPE

    st = doc.styles.add_style("Emoji", WD_STYLE_TYPE.CHARACTER)
    st.font.name = EMOJI_FONT
    fonts = st.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), EMOJI_FONT)
    fonts.set(qn("w:eastAsia"), EMOJI_FALLBACK)


def _rtl(p, runs_rtl: bool) -> None:
    p_pr = p._p.get_or_add_pPr()
    bidi = OxmlElement("w:bidi")
    p_pr.append(bidi)
    if runs_rtl:
        for r in p.runs:
            r._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def text_runs(p, var: str, rtl: bool = False) -> None:
    """Runs in `p` for `var.parts` (see notes.context.runs): emoji in the Emoji style, the rest plain; `rtl`
    marks the plain runs right-to-left."""
    p.add_run(f"{{%r for s in {var} %}}")
    p.add_run("{%r if s.emoji %}")
    p.add_run("{{ s.text }}", style="Emoji")
    p.add_run("{%r else %}")
    plain_run = p.add_run("{{ s.text }}")
    if rtl:
        plain_run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
    p.add_run("{%r endif %}")
    p.add_run("{%r endfor %}")


def user_text(doc, item: str, style: str | None = None, indent: float = 0.0) -> None:
    """A paragraph of the user's text (`item.parts`, `item.rtl`): emoji in the Emoji style, a right-to-left text
    in a paragraph marked right-to-left (w:bidi, and w:rtl on its runs)."""
    tag(doc, f"{{%p if {item}.rtl %}}")
    p = doc.add_paragraph(style=style)
    text_runs(p, f"{item}.parts", rtl=True)
    _rtl(p, False)
    if indent:
        p.paragraph_format.right_indent = Cm(indent)
    tag(doc, "{%p else %}")
    p = doc.add_paragraph(style=style)
    text_runs(p, f"{item}.parts")
    if indent:
        p.paragraph_format.left_indent = Cm(indent)
    tag(doc, "{%p endif %}")


def muted(doc, text: str):
    return para(doc, text, size=9, color=MUTED)


def note_of_visit() -> Document:
    doc = base_document("Note of visit", "Note of visit: {{ organisation }}, {{ visit_date }}")
    emoji_style(doc)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].paragraph_format.space_before = Pt(8 if name == "Heading 1" else 6)
        doc.styles[name].paragraph_format.space_after = Pt(2)
    doc.styles["Normal"].paragraph_format.space_after = Pt(2)
    doc.styles["Normal"].font.size = Pt(10)
    doc.styles["List Bullet"].paragraph_format.space_after = Pt(1)
    doc.styles["Title"].font.size = Pt(18)
    doc.styles["Heading 1"].font.size = Pt(12.5)
    sec = doc.sections[0]
    sec.top_margin, sec.bottom_margin = Cm(1.6), Cm(1.5)
    header_footer(doc, "Note of visit · {{ organisation }} · {{ visit_date }}",
                  "{{ tool }} · visit {{ visit_ref }} · drafted {{ generated }}")

    para(doc, "Note of visit", style="Title")
    para(doc, "{{ organisation }}", size=13, color=ACCENT)
    tag(doc, "{%p if draft %}")
    para(doc, ("Draft: this visit is still {{ status }}; the note may change.", {"bold": True}),
         color=RGBColor(0xC0, 0x00, 0x00))
    tag(doc, "{%p endif %}")
    key_table(doc, [
        ("Organisation", ["{{ organisation }} ({{ organisation_kind }}){{ ', ' + la if la and school else '' }}"]),
        ("Visit", ["{{ visit_date }}, {{ visit_type }} ({{ agenda_source }}); {{ phases_line }}"]),
        ("People present", ["{{ people_line or 'not recorded' }}"]),
        ("Author", ["{{ author or 'not recorded' }}"]),
    ], cms=(3.4, 13.6))

    para(doc, "Purpose and focus", style="Heading 1")
    p = para(doc, ("Purpose: ", {"bold": True}))
    text_runs(p, "purpose_parts")
    tag(doc, "{%p if not purpose %}")
    para(doc, "No purpose was recorded.", italic=True)
    tag(doc, "{%p endif %}")
    para(doc, ("Focus: ", {"bold": True}), "{{ focus_line or 'none set' }}")

    para(doc, "Summary", style="Heading 1")
    tag(doc, "{%p if not summary.adviser %}")
    para(doc, ("Draft built from the record: edit it into your own words before the note is sent (or write it "
               "with /summary during the visit).", {"italic": True, "size": 9, "color": RGBColor(0xC0, 0x00, 0x00)}))
    tag(doc, "{%p endif %}")
    para(doc, "{{ summary.overall }}")
    bullets(doc, "summary.aspects")

    tag(doc, "{%p if la_visit %}")
    para(doc, "Contributory ratings", style="Heading 1")
    muted(doc, "Per phase, in the words of the quality standards: the adviser's rating (an override, with what the "
               "criteria allow), agreed (the suggestion accepted) or suggested (the highest rating the criteria "
               "allow, not yet agreed).")
    grid_table(doc, ["Aspect", "Phase", "Rating", "LA's self-evaluation"], "{%tr for r in ratings %}",
               [["{{ r.aspect_id }}"], ["{{ r.phase }}"], ["{% cellbg r.fill %}", "{{ r.rating_line }}"],
                ["{{ r.self_evaluation }}"]], [1.4, 2.4, 9.0, 4.2])
    tag(doc, "{%p if rollup_lines %}")
    muted(doc, "The dashboard's roll-up from the year's ratings of every aspect, with the aspect ratings each rests "
               "on (a group is rated once enough of its aspects are):")
    tag(doc, "{%p for g in rollup_lines %}")
    para(doc, ("{{ g.title }}. ", {"bold": True}), "{{ g.line }}.", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    para(doc, "Strengths and priorities for further action", style="Heading 1")
    tag(doc, "{%p for a in aspects %}")
    para(doc, ("{{ a.heading }}", {"bold": True}), ("{{ ': ' + a.rated_line if a.rated_line else '' }}", {}))
    tag(doc, "{%p for s in a.strengths_shown %}")
    para(doc, ("Strength: ", {"bold": True}), "{{ s }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for d in a.priorities %}")
    para(doc, ("Priority: ", {"bold": True}), "{{ d }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if a.strengths_more or a.priorities_more %}")
    muted(doc, "{{ a.strengths_more }} more strengths and {{ a.priorities_more }} more priorities: see the annex.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not a.strengths and not a.priorities %}")
    para(doc, "Nothing recorded against the criteria yet.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "The discussion", style="Heading 1")
    muted(doc, "The LA's support and the SIP's challenge as the school experiences them, in the words recorded.")
    tag(doc, "{%p for a in aspects %}")
    para(doc, ("{{ a.title }}", {"bold": True}))
    tag(doc, "{%p for e in a.evidence %}")
    user_text(doc, "e", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    para(doc, "Agreed actions", style="Heading 1")
    tag(doc, "{%p if actions %}")
    table = grid_table(doc, ["Action", "Owner", "Timescale"], "{%tr for x in actions %}",
                       [[], ["{{ x.owner }}"], ["{{ x.due or 'not set' }}"]], [9.6, 3.6, 3.8])
    text_runs(table.rows[2].cells[0].paragraphs[0], "x.parts")
    tag(doc, "{%p else %}")
    para(doc, "No actions were agreed at this visit.", italic=True)
    tag(doc, "{%p endif %}")

    para(doc, "Progress since the last visit", style="Heading 1")
    tag(doc, "{%p if has_previous %}")
    para(doc, "Actions agreed at the last visit ({{ previous_type }}, {{ previous_date }}) and what became of them:")
    tag(doc, "{%p if previous_actions %}")
    grid_table(doc, ["Action", "Owner", "Due", "Status"], "{%tr for x in previous_actions %}",
               [["{{ x.text }}"], ["{{ x.owner }}"], ["{{ x.due }}"], ["{{ x.status_line }}"]], [6.0, 2.6, 2.8, 5.6])
    tag(doc, "{%p else %}")
    para(doc, "No actions were agreed at the last visit.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, "This is the first recorded visit to {{ organisation }}.", italic=True)
    tag(doc, "{%p endif %}")

    para(doc, "Agenda for the next visit", style="Heading 1")
    bullets(doc, "next_steps", "Nothing left open.")

    # The annex: the evidence as recorded, after a page break; a template (or `annex` false) leaves it out.
    tag(doc, "{%p if annex %}")
    p = para(doc, "Annex: the evidence recorded", style="Heading 1")
    p.paragraph_format.page_break_before = True
    muted(doc, "The questions as put, with their parts, and the answers as recorded. Responses concerning an "
               "individual are not included.")
    tag(doc, "{%p for a in aspects %}")
    para(doc, "{{ a.heading }}", style="Heading 2")
    tag(doc, "{%p for e in a.evidence %}")
    para(doc, ("{{ e.question_id + ' ' if e.question_id else '' }}{{ e.question }}",
               {"italic": True, "size": 9, "color": MUTED}))
    tag(doc, "{%p for s in e.sub %}")
    p = para(doc, ("{{ s }}", {"italic": True, "size": 9, "color": MUTED}), style="List Bullet")
    tag(doc, "{%p endfor %}")
    user_text(doc, "e", indent=0.5)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not a.evidence %}")
    para(doc, "No responses were recorded on this aspect at this visit.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if la_visit %}")
    para(doc, "Rating and basis", style="Heading 3")
    tag(doc, "{%p for r in a.bases %}")
    para(doc, ("{{ r.phases }}: {{ r.rating }}. ", {"bold": True}), "{{ r.basis }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if a.strengths_more or a.priorities_more %}")
    para(doc, "All strengths and priorities", style="Heading 3")
    bullets(doc, "a.strengths", var="s")
    bullets(doc, "a.development", var="d")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
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


def front(doc, subtitle: str, rows: list[tuple[str, list]]) -> None:
    """A briefing's or report's first lines: its title, what it is about, the key facts."""
    para(doc, "{{ title }}", style="Title")
    para(doc, subtitle, size=13, color=ACCENT)
    key_table(doc, rows)


def briefing() -> Document:
    doc = base_document("Briefing for a meeting", "Briefing: {{ organisation }}, {{ meeting_date }}")
    header_footer(doc, "Briefing · {{ organisation }} · {{ meeting_date }}", "{{ tool }} · prepared {{ generated }}")

    front(doc, "{{ organisation }}", [
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


# --- the team report -----------------------------------------------------------------------------------------------


def slim(table, row: int = 2, widths_too: bool = True):
    """Leave out of a table's repeated row what the table already says (each cell's width, given by the fixed grid;
    the paragraph spacing): a report of 150 LAs repeats that row tens of thousands of times. A shaded cell keeps
    its width (`{% cellbg %}` writes into the cell's properties)."""
    for tc in table.rows[row]._tr.findall(qn("w:tc")):
        tc_pr = tc.find(qn("w:tcPr"))
        if widths_too and tc_pr is not None and tc_pr.find(qn("w:tcW")) is not None:
            tc_pr.remove(tc_pr.find(qn("w:tcW")))
        for p_pr in tc.iter(qn("w:pPr")):
            p_pr.getparent().remove(p_pr)
    return table


def dashboard_table(doc) -> None:
    """An LA's dashboard: a row per phase and the overall row, a cell per aspect and group roll-up (`{%tc %}` loops
    over the pack's aspects), each cell shaded by its column's RAG colour."""
    table = doc.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    repeat_header(head)
    for cell, text in zip(head.cells, ["Phase", "{%tc for h in la.board.header %}", "{{ h }}", "{%tc endfor %}"]):
        shade(cell, HEADER_FILL)
        cell_text(cell, text, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF), size=8)
    for cell, runs in zip(table.rows[2].cells, [["{{ r.phase }}"], ["{%tc for c in r.cells %}"],
                                                ["{% cellbg c.fill %}", "{{ c.text }}"], ["{%tc endfor %}"]]):
        cell_text(cell, *runs, size=8)
    # docxtpl spreads the grid's width over the columns the loops make, keeping the proportions: with the 2009
    # pack's 12 aspect and group cells the phase column comes out 2.6 cm wide and the rest about 1.2 cm.
    widths(table, [9.1, 2.64, 2.63, 2.63])
    for i, text in ((1, "{%tr for r in la.board.rows %}"), (3, "{%tr endfor %}")):
        row = table.rows[i]
        merged = row.cells[0].merge(row.cells[-1])
        cell_text(merged, text)
    slim(table, widths_too=False)


def team_report() -> Document:
    doc = base_document("Team report", "Team report: {{ period_line }}")
    header_footer(doc, "{{ title }} · {{ period_line }}", "{{ tool }} · prepared {{ generated }}")

    front(doc, "{{ period_line }}", [
        ("Period", ["{{ period_line }} (academic year {{ academic_year }})"]),
        ("Compared with", ["{{ previous_line }}, the period of the same length before it"]),
        ("Local authorities", ["{{ la_count }}"]),
        ("In all", ["{{ visit_count }} visits made, {{ overdue_count }} actions overdue, "
                    "{{ change_count }} ratings moved"]),
    ])
    para(doc, "Each LA's dashboard is as it stood on the last day of the period. {{ legend }}.", size=9, color=MUTED)

    heading(doc, "Summary")
    grid_table(doc, ["Local authority", "Visits made", "Overdue actions", "Ratings moved"], "{%tr for la in las %}",
               [["{{ la.name }}"], ["{{ la.visits|length }}"], ["{{ la.overdue_total }}"],
                ["{{ la.changes|length }}"]], [8.0, 3.0, 3.0, 3.0])

    tag(doc, "{%p for la in las %}")
    heading(doc, "{{ la.name }}")
    para(doc, "{{ la.summary }}; {{ la.board.rated }} of {{ la.board.of }} aspect ratings given.", size=9,
         color=MUTED)
    heading(doc, "Dashboard", "Heading 3")
    dashboard_table(doc)
    heading(doc, "What changed since the last period", "Heading 3")
    tag(doc, "{%p for c in la.changes %}")
    para(doc, ("{{ c.aspect_id }} {{ c.phase }}: ", {"bold": True}), "{{ c.from }} → {{ c.to }} ({{ c.how }})",
         style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not la.changes %}")
    para(doc, "No rating moved.", italic=True)
    tag(doc, "{%p endif %}")
    heading(doc, "Overdue actions", "Heading 3")
    tag(doc, "{%p if la.overdue_earlier %}")
    kept(para(doc, "{{ la.overdue_total }} overdue on the last day: {{ la.overdue|length }} fell due in the period "
                   "(below), {{ la.overdue_earlier }} were overdue before it.", size=9, color=MUTED))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if la.overdue %}")
    slim(grid_table(doc, ["Action", "Owner", "Where", "Due", "Days over"], "{%tr for x in la.overdue %}",
               [["{{ x.text }}"], ["{{ x.owner }}"], ["{{ x.organisation }}"], ["{{ x.due }}"], ["{{ x.days }}"]],
               [6.4, 2.8, 3.6, 2.6, 1.6]))
    tag(doc, "{%p else %}")
    para(doc, "None overdue.", italic=True)
    tag(doc, "{%p endif %}")
    heading(doc, "Visits made", "Heading 3")
    tag(doc, "{%p if la.visits %}")
    slim(grid_table(doc, ["Date", "Organisation", "Visit", "Adviser"], "{%tr for v in la.visits %}",
                    [["{{ v.date }}"], ["{{ v.organisation }}"], ["{{ v.source }}"], ["{{ v.author }}"]],
                    [3.2, 6.2, 3.4, 4.2]))
    tag(doc, "{%p else %}")
    para(doc, "No visits in the period.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    return doc


# --- the record of a joint visit ------------------------------------------------------------------------------------


def paragraphs_of(doc, var: str, empty: str) -> None:
    """The adviser's paragraphs (`var`, each with parts and rtl), or an italic line when there are none."""
    tag(doc, f"{{%p for e in {var} %}}")
    user_text(doc, "e")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p if not {var} %}}")
    para(doc, empty, italic=True, color=MUTED)
    tag(doc, "{%p endif %}")


def checklist(doc, var: str) -> None:
    """A section's standards, each marked seen (✓) or not (–)."""
    tag(doc, f"{{%p for x in {var} %}}")
    p = para(doc, ("{{ x.mark }}", {"bold": True}), "  {{ x.text }}")
    p.paragraph_format.left_indent = Cm(0.6)
    p.paragraph_format.first_line_indent = Cm(-0.5)
    p.paragraph_format.space_after = Pt(1)
    tag(doc, "{%p endfor %}")


def graded_section(doc, var: str = "s") -> None:
    heading(doc, f"{{{{ {var}.heading }}}}", "Heading 2")
    tag(doc, f"{{%p if {var}.has_standards %}}")
    kept(para(doc, f"{{{{ {var}.lead }}}} ", (f"({{{{ {var}.seen_count }}}} of {{{{ {var}.of }}}} standards seen: "
                                              "✓ seen, – not seen)", {"color": MUTED, "size": 9})))
    checklist(doc, f"{var}.main")
    tag(doc, f"{{%p if {var}.additional %}}")
    kept(para(doc, f"{{{{ {var}.additional_lead }}}}"))
    checklist(doc, f"{var}.additional")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    kept(para(doc, ("Grade: ", {"bold": True}), f"{{{{ {var}.grade_line }}}}"))
    kept(para(doc, ("Evidence", {"bold": True})))
    paragraphs_of(doc, f"{var}.evidence", "No evidence written.")


def joint_visit_record() -> Document:
    doc = base_document("Record of a joint visit", "Joint visit: {{ school }}, {{ visit_date }}")
    emoji_style(doc)
    for name in ("Heading 1", "Heading 2"):
        doc.styles[name].paragraph_format.space_before = Pt(10 if name == "Heading 1" else 8)
        doc.styles[name].paragraph_format.space_after = Pt(2)
    doc.styles["Normal"].paragraph_format.space_after = Pt(3)
    header_footer(doc, "Joint visit · {{ school }} · {{ visit_date }}", "{{ audience }}")

    para(doc, "{{ title }}", style="Title")
    para(doc, "{{ form_title }}", size=13, color=ACCENT)
    para(doc, "{{ purpose }}")
    para(doc, "{{ source }} · {{ status }}, {{ complete }}", size=9, color=MUTED)
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for i, text in ((0, "{%tr for h in header %}"), (2, "{%tr endfor %}")):
        merged = table.rows[i].cells[0].merge(table.rows[i].cells[1])
        cell_text(merged, text)
    shade(table.rows[1].cells[0], KEY_FILL)
    cell_text(table.rows[1].cells[0], "{{ h.label }}", bold=True)
    cell_text(table.rows[1].cells[1], "{{ h.value }}")
    widths(table, [5.2, 11.8])
    para(doc, "{{ intro }}", size=9, color=MUTED)

    heading(doc, "Grades")
    tag(doc, "{%p if grades %}")
    grid_table(doc, ["Heading", "Grade", "What the grade means"], "{%tr for g in grades %}",
               [["{{ g.heading }}"], ["{{ g.grade }}"], ["{{ g.meaning }}"]], [7.2, 2.0, 7.8])
    tag(doc, "{%p else %}")
    para(doc, "No heading has been graded yet.", italic=True)
    tag(doc, "{%p endif %}")

    tag(doc, "{%p for s in sections %}")
    graded_section(doc, "s")
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p for c in closing %}")
    heading(doc, "{{ c.label }}", "Heading 2")
    paragraphs_of(doc, "c.paragraphs", "Nothing written.")
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p for s in overall %}")
    graded_section(doc, "s")
    tag(doc, "{%p endfor %}")

    para(doc, ("Grade scores: ", {"bold": True}), "{{ scale_line }}.", size=9)
    para(doc, "Prepared {{ generated }} with {{ tool }}.", size=9, color=MUTED)
    return doc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: templates/)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in (("note-of-visit.docx", note_of_visit), ("briefing.docx", briefing),
                        ("team-report.docx", team_report), ("joint-visit-record.docx", joint_visit_record)):
        build().save(args.out / name)
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
