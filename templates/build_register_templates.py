"""Build the school register's Word templates: register-letter.docx (the September letter and a letter for a
change during the year) and challenge-board.docx (the register as a report for the board).

    python templates/build_register_templates.py [--out FOLDER]

Ordinary Word documents holding docxtpl (Jinja) tags, built with the helpers of build_templates.py: restyle them
in Word freely, keep each tag whole, and check the result with `laqs templates check FILE`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_templates import (  # noqa: E402
    ACCENT,
    HEADER_FILL,
    MUTED,
    base_document,
    bullets,
    cell_text,
    grid_table,
    header_footer,
    heading,
    kept,
    key_table,
    para,
    repeat_header,
    shade,
    tag,
    widths,
)
from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: E402

HERE = Path(__file__).resolve().parent


def register_letter():
    """One letter to a school's headteacher and chair of governors: its level (September) or its change."""
    doc = base_document("Register letter", "{{ subject }}")
    header_footer(doc, "{{ la }} · {{ register_title }}", "{{ la }} · {{ date }}")
    para(doc, "{{ la }}", size=13, color=ACCENT)
    para(doc, "{{ date }}", color=MUTED)
    para(doc, "To: the headteacher and the chair of governors, {{ school }} (URN {{ urn }})")
    para(doc, "{{ subject }}", style="Heading 1")
    para(doc, "Dear headteacher and chair of governors,")
    tag(doc, "{%p if change %}")
    para(doc, "Following our review on {{ date }}, the {{ term }} the LA has identified for {{ school }} has changed "
              "from {{ previous }} to {{ level }}.")
    tag(doc, "{%p elif concern %}")
    para(doc, "The LA writes to tell you that it now considers {{ school }} a school causing concern: why, and the "
              "level of concern, are set out below. The school's {{ term }} is unchanged.")
    tag(doc, "{%p else %}")
    para(doc, "This letter tells you the {{ term }} the LA has identified for {{ school }} for the school year "
              "{{ year }}, following the annual assessment of all schools.")
    tag(doc, "{%p endif %}")

    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell_text(table.rows[0].cells[0], "{% cellbg colour %}", ("{{ level }}", {"bold": True}), size=12)
    cell_text(table.rows[0].cells[1], "since {{ since }}")
    widths(table, [10.0, 7.0])

    tag(doc, "{%p if reason %}")
    para(doc, ("Why: ", {"bold": True}), "{{ reason }}").paragraph_format.space_before = Pt(6)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if evidence %}")
    para(doc, ("Evidence considered: ", {"bold": True}), "{{ evidence }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if rule %}")
    para(doc, ("Automatic allocation: ", {"bold": True}), "{{ rule }}")
    tag(doc, "{%p endif %}")

    heading(doc, "What this means for the school", "Heading 2")
    key_table(doc, [("Visits", ["{{ visits }}"]), ("Written reports", ["{{ reports }}"]),
                    ("Level of support", ["{{ support_label }}"])])
    bullets(doc, "support")

    tag(doc, "{%p if stage %}")
    heading(doc, "A school causing concern", "Heading 2")
    para(doc, "The LA has designated {{ school }} as a school causing concern at {{ stage }} ({{ stage_level }}).")
    tag(doc, "{%p if factors %}")
    para(doc, "Why:")
    bullets(doc, "factors", var="f")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if stage_reason %}")
    para(doc, ("The LA's reason: ", {"bold": True}), "{{ stage_reason }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if change or concern %}")
    para(doc, "We will visit to meet with leaders, including governors, to discuss what this means.")
    tag(doc, "{%p endif %}")
    para(doc, "The register is reviewed {{ review_every }}; we will write again if the {{ term }} changes.")
    para(doc, "Yours sincerely,")
    para(doc, "{{ signed }}")
    para(doc, "{{ policy }}", size=8, color=MUTED)
    return doc


def board_report():
    """The register as a report for the board: counts per level, each school on one row, changes and alerts."""
    doc = base_document("Register report", "{{ title }}")
    # Landscape: the register is a wide table, a school to a line.
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    header_footer(doc, "{{ la }} · {{ title }}", "{{ tool }} · prepared {{ generated }}")
    para(doc, "{{ title }}", style="Title")
    para(doc, "{{ la }} · {{ register_title }} · as of {{ on }} ({{ term_label }} {{ year }})", size=12,
         color=ACCENT)

    heading(doc, "Schools at each {{ term }}")
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    head = table.rows[0]
    repeat_header(head)
    for cell, text in zip(head.cells, ["Level", "Schools", "Share"]):
        shade(cell, HEADER_FILL)
        cell_text(cell, text, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
    for cell, runs in zip(table.rows[2].cells, [["{% cellbg c.colour %}", "{{ c.label }}"], ["{{ c.count }}"],
                                                ["{{ c.share }}"]]):
        cell_text(cell, *runs)
    widths(table, [12.0, 4.0, 4.0])
    for i, text in ((1, "{%tr for c in counts %}"), (3, "{%tr endfor %}")):
        row = table.rows[i]
        merged = row.cells[0].merge(row.cells[-1])
        cell_text(merged, text)
    para(doc, "{{ current_line }}", size=9, color=MUTED)

    heading(doc, "The register")
    t = grid_table(doc, ["School", "URN", "Phase", "Level", "Since", "Stage", "Escalation", "Visits", "Overdue"],
                   "{%tr for r in rows %}",
                   [["{{ r.name }}"], ["{{ r.urn }}"], ["{{ r.phase }}"], ["{% cellbg r.colour %}", "{{ r.level }}"],
                    ["{{ r.since }}"], ["{{ r.stage }}"], ["{{ r.escalation }}"], ["{{ r.visits }}"],
                    ["{{ r.overdue }}"]],
                   [6.4, 1.9, 2.4, 3.4, 2.4, 1.4, 2.3, 3.0, 1.8])
    for row in t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.space_before = Pt(0)
                for r in p.runs:
                    r.font.size = Pt(8)

    heading(doc, "Changes in the period")
    tag(doc, "{%p if changes %}")
    grid_table(doc, ["Date", "School", "From", "To", "Why"], "{%tr for c in changes %}",
               [["{{ c.date }}"], ["{{ c.school }}"], ["{{ c.previous }}"], ["{{ c.level }}"], ["{{ c.reason }}"]],
               [2.4, 6.0, 4.0, 4.0, 8.6])
    tag(doc, "{%p else %}")
    para(doc, "No school changed {{ term }} in the period.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Alerts")
    tag(doc, "{%p for a in alerts %}")
    kept(para(doc, ("{{ a.school }}: ", {"bold": True}), "{{ a.text }}", style="List Bullet"))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not alerts %}")
    para(doc, "No overdue visits, intervention reviews or referrals.", italic=True)
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if charges %}")
    heading(doc, "Support days and charges")
    para(doc, "{{ charges }}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ policy }}", size=8, color=MUTED)
    return doc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: templates/)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in (("register-letter.docx", register_letter), ("challenge-board.docx", board_report)):
        build().save(args.out / name)
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
