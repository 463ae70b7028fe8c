"""Build the shipped Word template of a school review's report: review-report.docx.

    python templates/build_review_template.py [--out FOLDER]

Built with the same helpers and house style as the note of visit (build_templates.py): an ordinary Word document
holding docxtpl tags, which can be restyled in Word and still renders. `laqs templates vars` lists what it uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx.oxml import OxmlElement

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_templates import (  # noqa: E402  (the sibling script, found from this folder)
    MUTED,
    base_document,
    front,
    grid_table,
    header_footer,
    heading,
    kept,
    para,
    slim,
    tag,
)


def unsplit(table, row: int = 2):
    """The repeated row is kept whole on one page (a priority or a session is not cut in two)."""
    tr_pr = table.rows[row]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    return table


def activities_cell(table, column: int) -> None:
    """The repeated row's cell: each reviewer's name in bold and what they do, a line each, in one paragraph (a
    break's row has none, and its cell keeps its empty paragraph)."""
    cell = table.rows[2].cells[column]
    p = cell.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.add_run("{%r for a in r.activities %}")
    p.add_run("{{ a.name }}: ").bold = True
    p.add_run("{{ a.text }}")
    p.add_run("{%r if not loop.last %}")
    p.add_run().add_break()
    p.add_run("{%r endif %}")
    p.add_run("{%r endfor %}")


def review_report():
    doc = base_document("Review report", "{{ title }}: {{ school }}, {{ dates_line }}")
    header_footer(doc, "{{ short_title }} · {{ school }} · {{ dates_line }}", "{{ tool }} · prepared {{ generated }}")

    front(doc, "{{ school }}", [
        ("School", ["{{ school }}"]),
        ("Review", ["{{ dates_line }} ({{ days|length }} days)"]),
        ("Review team", ["{{ team_line }}"]),
        ("Stages", ["{{ stages_line }}"]),
        ("Cost", ["{{ cost_line }}"]),
        ("Focus", ["{{ focus_line }}"]),
        ("The school's framework", ["{{ framework_id }}, version {{ framework_version }}: {{ standard_count }} "
                                    "quality standards"]),
    ])

    heading(doc, "About the review")
    para(doc, "Through negotiation with the head teacher a programme of activities was designed that combines to "
              "describe the following:")
    tag(doc, "{%p for d in describes %}")
    para(doc, "{{ d }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if discussion %}")
    heading(doc, "The initial discussion", "Heading 2")
    para(doc, ("{{ discussion_line }}", {"italic": True}), size=9, color=MUTED)
    para(doc, "{{ discussion }}")
    tag(doc, "{%p endif %}")

    heading(doc, "The school's view of quality")
    para(doc, "What senior and middle leaders said the school's quality standards are, area by area. These are the "
              "criteria the rest of the review judged.")
    tag(doc, "{%p for a in areas %}")
    heading(doc, "{{ a.title }}", "Heading 2")
    tag(doc, "{%p if a.interviewees %}")
    para(doc, ("Interviewed: {{ a.interviewees }}", {"italic": True}), size=9, color=MUTED)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for s in a.standards %}")
    para(doc, ("{{ s.code }}  ", {"bold": True}), "{{ s.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not a.standards %}")
    para(doc, "No quality standards were recorded for this area.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    heading(doc, "The effectiveness of leadership in establishing and developing this")
    tag(doc, "{%p for n in leadership %}")
    para(doc, ("{{ n.area }}: ", {"bold": True}), "{{ n.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not leadership %}")
    para(doc, "Nothing recorded.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "The extent to which this is evident")
    para(doc, "{{ extent_lead }}", size=9, color=MUTED)
    slim(grid_table(doc, ["Standard", "The school's quality standard", "Extent", "Evidence"],
                    "{%tr for s in standings %}",
                    [["{{ s.code }}"], ["{{ s.text }}"], ["{{ s.extent }}"], ["{{ s.counts }}"]],
                    [2.4, 8.4, 2.8, 3.4]), widths_too=False)
    heading(doc, "The evidence, standard by standard", "Heading 2")
    tag(doc, "{%p for s in standings %}")
    tag(doc, "{%p if s.evidence %}")
    kept(para(doc, ("{{ s.code }} ", {"bold": True}), ("{{ s.text }}", {"italic": True})))
    tag(doc, "{%p for e in s.evidence %}")
    para(doc, "{{ e.kind }} ({{ e.extent }}): {{ e.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    heading(doc, "Judgements and recommendations")
    heading(doc, "Judgements", "Heading 2")
    tag(doc, "{%p for n in judgements %}")
    para(doc, "{{ n.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not judgements %}")
    para(doc, "None recorded.", italic=True)
    tag(doc, "{%p endif %}")
    heading(doc, "Recommendations", "Heading 2")
    tag(doc, "{%p for n in recommendations %}")
    para(doc, "{{ n.text }}", style="List Number")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not recommendations %}")
    para(doc, "None recorded.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Questions and points for consideration")
    tag(doc, "{%p for n in questions %}")
    para(doc, "{{ n.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for n in points %}")
    para(doc, "{{ n.text }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not questions and not points %}")
    para(doc, "None recorded.", italic=True)
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if priorities_chosen %}")
    heading(doc, "Rich priorities")
    para(doc, "A small number of priorities for the school improvement plan, each with its owner.")
    tag(doc, "{%p if priorities %}")
    unsplit(grid_table(doc, ["Priority", "Owner", "By", "Support brokered"], "{%tr for p in priorities %}",
                       [["{{ p.text }}"], ["{{ p.owner }}"], ["{{ p.due }}"], ["{{ p.support }}"]],
                       [7.0, 3.2, 2.4, 4.4]))
    tag(doc, "{%p else %}")
    para(doc, "None agreed yet.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if feedback %}")
    heading(doc, "Verbal feedback at the end of the review")
    tag(doc, "{%p for n in feedback %}")
    para(doc, "{{ n.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    heading(doc, "The review's programme")
    para(doc, "{{ plan_lead }}", size=9, color=MUTED)
    plan = grid_table(doc, ["Day", "Time", "Session", "Activities"], "{%tr for r in plan %}",
                      [["{{ r.day }}"], ["{{ r.time }}"], ["{{ r.session }}"], [""]], [1.3, 2.9, 2.6, 10.2])
    activities_cell(plan, 3)
    unsplit(plan)
    return doc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: templates/)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    review_report().save(args.out / "review-report.docx")
    print(f"wrote {args.out / 'review-report.docx'}")


if __name__ == "__main__":
    main()
