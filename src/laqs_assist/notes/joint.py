"""The record of a joint visit with a SIP or NCA: the written summary of the visit that goes to the headteacher and
the LA (the 2009 standards, Appendix 5, protocols for joint visits), as a Word document from a template users may
restyle in Word, rendered in the same bounded sandbox as the notes of visit.

It is the visit's own record, and the one document that carries its grades of the named SIP; no note of visit,
briefing, team report or export is built from a joint visit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..packs.forms import fields, form_of, grade_point, standards_of, ticked
from ..packs.model import Pack
from .context import is_rtl, long_date, runs

TEMPLATE = "joint-visit-record.docx"

# What a record of a joint visit must show (`laqs templates check` warns when a template never uses one).
CORE = {
    "school": "the school visited",
    "header": "the form's header: the SIP/NCA, the LA, the school, the (d)SSIA, the date, length and programme",
    "sections": "each heading with its standards seen, its grade and the evidence for it",
    "closing": "feedback from the headteacher, the SIP's strengths and areas for development",
    "overall": "the overall effectiveness of the SIP/NCA, its grade and evidence",
}


def default_template() -> Path:
    from ..paths import templates_dir

    return templates_dir() / TEMPLATE


def default_record_path(visit: dict[str, Any], folder: str | Path | None = None) -> Path:
    """notes/joint-visit-<school-slug>-<date>-<first 8 of the id>.docx, under the current folder."""
    from .paths import NOTES_DIR, slug

    return Path(folder if folder is not None else NOTES_DIR) / \
        f"joint-visit-{slug(visit['school'], 'school')}-{visit['date']}-{visit['id'][:8]}.docx"


def paragraphs(text: str) -> list[dict[str, Any]]:
    """The adviser's text as paragraphs for the template: each with its runs (emoji apart) and direction."""
    lines = [ln for ln in (text or "").replace("\r\n", "\n").split("\n") if ln.strip()]
    return [{"parts": runs(ln), "rtl": is_rtl(ln), "text": ln} for ln in lines]


def joint_record_context(store, pack: Pack, joint_id: str, *, today: date | None = None) -> dict[str, Any]:
    visit = store.joint_visit(joint_id)
    if visit is None:
        raise UsageError(f"no joint visit '{joint_id}'")
    if visit["pack_id"] != pack.id:
        from ..packs.registry import pack_of_visit

        pack = pack_of_visit(visit, pack)
    form = form_of(pack, visit["form_id"])
    values = {k: e["value"] for k, e in store.joint_entries(joint_id).items()}
    header = [{"label": f.label, "value": values.get(f"header:{f.id}", "") or "—"} for f in form.header_fields]
    if values.get("header:date"):
        header = [{**h, "value": long_date(values["header:date"])} if h["label"] == "Date" else h for h in header]

    def section(s) -> dict[str, Any]:
        seen = set(ticked(values.get(f"{s.id}:checklist")))
        items = standards_of(s)
        standards = [{"n": i, "text": t, "seen": i in seen, "mark": "✓" if i in seen else "–",
                      "additional": i > len(s.standards)} for i, t in enumerate(items, 1)]
        grade = values.get(f"{s.id}:grade", "")
        point = grade_point(form, grade) if grade else None
        evidence = paragraphs(values.get(f"{s.id}:evidence", ""))
        return {"id": s.id, "title": s.title, "aspect": s.aspect or "",
                "heading": s.title + (f" ({s.aspect})" if s.aspect else ""), "lead": s.lead,
                "additional_lead": s.additional_lead,
                "main": [x for x in standards if not x["additional"]],
                "additional": [x for x in standards if x["additional"]],
                "has_standards": bool(items), "seen_count": len(seen), "of": len(items),
                "grade": grade, "meaning": point.meaning if point else "",
                "grade_line": f"{grade} — {point.meaning}" if point else "not graded",
                "evidence": evidence, "has_evidence": bool(evidence)}

    with_standards = [section(s) for s in form.sections if standards_of(s)]
    overall = [section(s) for s in form.sections if not standards_of(s)]
    closing = [{"label": f.label, "paragraphs": paragraphs(values.get(f"closing:{f.id}", ""))}
               for f in form.closing_fields]
    graded = [s for s in with_standards + overall if s["grade"]]
    filled = sum(1 for f in fields(form) if values.get(f.key))
    return {
        "title": "Record of a joint visit",
        "form_title": form.title,
        "source": f"Quality standards and criteria for LA self-evaluation (2009), {form.source}",
        "school": visit["school"], "la": visit["la"] or "", "visit_date": long_date(visit["date"]),
        "sip": visit["sip_name"] or "the SIP/NCA",
        "header": header,
        "purpose": ("The written summary of the visit for the headteacher and the LA, focused on the purpose of the "
                    "visit as part of the national QA procedures."),
        "intro": form.intro,
        "grades": [{"heading": s["heading"], "grade": s["grade"], "meaning": s["meaning"]} for s in graded],
        "sections": with_standards, "overall": overall, "closing": closing,
        "scale": [{"grade": g.grade, "meaning": g.meaning} for g in form.scale],
        "scale_line": "; ".join(f"{g.grade} = {g.meaning}" for g in form.scale),
        "status": "Ended" if visit["status"] == "ended" else "In progress (a draft)",
        "complete": f"{filled} of {len(fields(form))} fields filled in",
        "audience": "For the headteacher and the LA. It concerns the named SIP/NCA's work: not for wider circulation.",
        "generated": long_date((today or date.today()).isoformat()),
        "tool": "laqs-assist",
    }


def write_joint_record(store, pack: Pack, joint_id: str, out_path: str | Path | None = None, *,
                       overwrite: bool = False, template: str | Path | None = None) -> Path:
    """Render the joint visit's record into `template` (default: templates/joint-visit-record.docx) and write it
    (default: notes/joint-visit-…docx); an existing file is kept unless `overwrite`."""
    from .render import render_to_file

    visit = store.joint_visit(joint_id)
    if visit is None:
        raise UsageError(f"no joint visit '{joint_id}'")
    ctx = joint_record_context(store, pack, joint_id)
    out = Path(out_path) if out_path else default_record_path(visit)
    return render_to_file(template or default_template(), ctx, out, overwrite=overwrite)


__all__ = ["default_record_path", "joint_record_context", "write_joint_record"]
