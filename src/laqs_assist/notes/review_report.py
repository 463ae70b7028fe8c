"""A school review's report as a Word document: what it holds, built from the store, rendered into
templates/review-report.docx through the bounded sandbox (render.render_to_file).

The report gives the school's view of quality (its own standards, area by area), the effectiveness of leadership in
establishing and developing it, the extent to which it is evident (each standard's finding and the evidence
behind it), judgements and recommendations, questions and points for consideration and the rich priorities.
Interviews and evidence flagged as concerning an individual never reach it: they are left out before the context is
built, and counted nowhere.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..paths import templates_dir
from .context import long_date
from .paths import NOTES_DIR, slug

if TYPE_CHECKING:
    from ..packs.review_model import ReviewPack

TEMPLATE = "review-report.docx"
# What a review report template should use (`laqs templates check` warns when one is left out).
CORE = {
    "school": "the school reviewed",
    "areas": "the school's view of quality: its standards, area by area",
    "leadership": "the effectiveness of leadership in establishing and developing them",
    "standings": "the extent to which each standard is evident, with the evidence",
    "judgements": "the team's judgements",
    "recommendations": "the team's recommendations",
    "questions": "questions for consideration",
    "points": "points for consideration",
    "priorities": "the rich priorities, with owners",
}


def default_report_path(review: dict[str, Any], folder: str | Path | None = None) -> Path:
    """notes/review-<school-slug>-<first day>-<first 8 of the review id>.docx, under the current folder."""
    return Path(folder if folder is not None else NOTES_DIR) / \
        f"review-{slug(review['school'])}-{review['days'][0]}-{review['id'][:8]}.docx"


def _list(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dates(days: list[str]) -> str:
    if not days:
        return ""
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if first == last:
        return long_date(days[0])
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last.day} {last:%B %Y}"
    return f"{long_date(days[0])} to {long_date(days[-1])}"


def review_context(store: Any, pack: "ReviewPack", review_id: str, today: date | None = None) -> dict[str, Any]:
    r = store.review(review_id)
    team = r["team"]
    areas = {a.id: a for a in pack.areas}
    stages = [pack.stage(s) for s in r["stages"]]
    total, _ = pack.cost(r["stages"], len(team))
    standards = store.standards(review_id)
    interviews = store.interviews(review_id, include_flagged=False)
    evidence = store.evidence(review_id, include_flagged=False)
    findings = store.findings(review_id)
    notes = store.review_notes(review_id)
    extent_label = {e.id: e.label for e in pack.extent}

    def by_kind(kind: str) -> list[dict[str, str]]:
        return [{"text": n["text"], "area": areas[n["area_id"]].title if n["area_id"] in areas else "Overall"}
                for n in notes if n["kind"] == kind]

    area_rows = []
    for aid in [a.id for a in pack.areas]:
        people = sorted({i["interviewees"] for i in interviews if i["area_id"] == aid})
        area_rows.append({"id": aid, "title": areas[aid].title, "interviewees": _list(people),
                          "standards": [{"code": s["code"], "text": s["text"]} for s in standards
                                        if s["area_id"] == aid]})
    standings = []
    for s in standards:
        mine = [e for e in evidence if e["code"].upper() == s["code"].upper()]
        f = findings.get(s["code"].upper())
        extent = f["extent"] if f and f["extent"] else pack.pooled_extent([e["extent"] for e in mine])
        counts = [f"{sum(1 for e in mine if e['extent'] == x.id)} {x.label.lower()}" for x in pack.extent
                  if any(e["extent"] == x.id for e in mine)]
        standings.append({
            "code": s["code"], "text": s["text"],
            "extent": extent_label.get(extent, "Not yet seen") if extent else "Not yet seen",
            "counts": "; ".join(counts) or "none",
            "evidence": [{"kind": pack.evidence_kind(e["kind"]).label, "extent": extent_label[e["extent"]].lower(),
                          "text": e["text"]} for e in mine],
        })
    priorities = [{"text": p["text"], "owner": p["owner"] or "", "due": long_date(p["due_date"]) or "",
                   "support": p["support"] or ""} for p in store.priorities(review_id)]
    clock: dict[int, str] = {}
    rows = []
    for s in store.plan(review_id):
        start = clock.get(s["day"], r["day_starts"])
        end = (datetime.strptime(start, "%H:%M") + timedelta(minutes=s["minutes"])).strftime("%H:%M")
        clock[s["day"]] = end
        if s["session"]:
            acts = [{"name": team[a["reviewer"] - 1] if a["reviewer"] <= len(team) else f"Reviewer {a['reviewer']}",
                     "text": a["text"]} for a in s["activities"]]
            label = f"Session {s['session']}"
        else:
            acts, label = [], s["label"]
        rows.append({"day": s["day"], "time": f"{start}–{end}", "session": label, "activities": acts})
    subjects = r["subjects"]
    focus = "; ".join(areas[a].title for a in r["areas"] if a in areas)
    priorities_stage = next((s.id for s in pack.stages if "priorit" in s.title.lower()), None)
    today = today or date.today()
    return {
        "title": pack.title, "short_title": "".join(w[0] for w in pack.title.split() if w[0].isupper()) or pack.title,
        "school": r["school"], "days": r["days"], "dates_line": _dates(r["days"]),
        "team_line": _list(team) + (f" (review leader: {team[0]})" if team else ""),
        "stages_line": "; ".join(f"{s.id} {s.title}" for s in stages),
        "cost_line": f"{total:g} days for the stages chosen and a team of {len(team)}",
        "focus_line": focus + (f"; subjects: {_list(subjects)}" if subjects else ""),
        "framework_id": f"{pack.id}-{slug(r['school'])}-{r['id'][:8]}", "framework_version": r["framework_version"],
        "standard_count": len(standards), "describes": list(pack.describes),
        "discussion": r["discussion"] or "",
        "discussion_line": "Stage 1" + (f", {long_date(r['discussed_on'])}" if r["discussed_on"] else "") +
                           (f", with {r['discussed_with']}" if r["discussed_with"] else ""),
        "areas": area_rows, "leadership": by_kind("leadership"),
        "extent_lead": "Each standard's finding is the team's, agreed at collation; where none was agreed, it is "
                       "what the evidence recorded suggests. " + "; ".join(f"{e.label}" for e in pack.extent) + ".",
        "standings": standings, "judgements": by_kind("judgement"), "recommendations": by_kind("recommendation"),
        "questions": by_kind("question"), "points": by_kind("point"), "feedback": by_kind("feedback"),
        "priorities_chosen": bool(priorities) or (priorities_stage in r["stages"]), "priorities": priorities,
        "plan": rows, "plan_lead": f"As agreed from the suggested timetable; each day from {r['day_starts']}.",
        "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }


def write_review_report(store: Any, pack: "ReviewPack", review_id: str, out_path: str | Path | None = None, *,
                        overwrite: bool = False, template: str | Path | None = None) -> Path:
    from .render import render_to_file

    review = store.review(review_id)
    out = Path(out_path) if out_path else default_report_path(review)
    if out.is_dir() or str(out_path or "").endswith(("/", "\\")):
        out = out / default_report_path(review).name
    context = review_context(store, pack, review_id)
    return render_to_file(Path(template) if template else templates_dir() / TEMPLATE, context, out,
                          overwrite=overwrite)


def sample_review_context(folder: Path) -> dict[str, Any]:
    """A review report's context from a small review recorded in a fresh store in `folder` (for template checks)."""
    from ..session.school_review import ReviewDesk, open_review_pack
    from ..store import Store

    with Store(folder / "review-sample.db") as store:
        desk = ReviewDesk(store, open_review_pack("llqr"))
        r = desk.start("Sample Primary School", ["First Reviewer", "Second Reviewer"], ["2026-12-10"],
                       stages=["1", "2", "3", "4"], subjects=["English"])
        desk.discuss(r["id"], "The focus agreed with the head teacher.", "2026-11-26", "the head teacher")
        desk.interview(r["id"], "A", "1", "Marking gives pupils next steps", interviewees="Deputy head")
        desk.evidence(r["id"], "A.1", "observation", "2", "partly", "Seen in some classes")
        desk.collate(r["id"], 1, "5")
        for kind in ("leadership", "judgement", "recommendation", "question", "point", "feedback"):
            desk.note(r["id"], kind, f"A {kind} in the team's words.", "A" if kind == "leadership" else None)
        desk.priority(r["id"], "A rich priority", "Its owner", "2027-03-31", "A", "Support brokered")
        return review_context(store, desk.pack, r["id"])


__all__ = ["CORE", "TEMPLATE", "sample_review_context", "default_report_path", "review_context", "write_review_report"]
