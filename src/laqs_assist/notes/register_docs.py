"""The school register's shared outputs: the September letter to every school, a letter for a change during the
year, the register as a Word report for the board, and as CSV for the spreadsheets people keep.

Every output is built from the register's shared view (app/register.py): a change flagged as concerning an
individual gives no reason here, and an escalation step about one person's performance is shown as the step
before it. Documents render through notes/render.py (bounded sandbox, written whole or not at all).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .. import register_rules as rules
from ..app.register import Register, evidence_json
from ..errors import UsageError
from ..paths import templates_dir
from .paths import slug
from .render import atomic_write, bounded, prepared

LETTER = "register-letter.docx"
BOARD = "challenge-board.docx"


def default_folder(la: str) -> Path:
    return Path("notes") / "register" / slug(la, "la")


def _policy(rp) -> str:
    return f"{rp.title}. Source: {rp.source}."


def _letter_context(reg: Register, la: dict, rp, row, on: str, change: dict | None, signed: str,
                    latest: dict | None = None) -> dict[str, Any]:
    """A letter's context; `latest` is the register's latest entries as of `on` (RegisterTables.latest), read
    once for a batch."""
    lv = rp.level(row.level.id)
    sup = rp.support_level(lv)
    visits, reports = rp.visits_allowed(lv), rp.reports_allowed(lv)
    if latest is None:
        latest = reg.tables.latest(la["id"], on)
    level_entry = latest.get((row.school_id, "level"))
    sources = [rp.source_label(s) for s in evidence_json(level_entry)] if level_entry else []
    rule = ""
    if level_entry and level_entry["rule"]:
        found = next((r for r in rp.rules if r.id == level_entry["rule"]), None)
        rule = found.said if found else ""
    stage = rp.stage(row.stage) if row.stage else None
    stage_entry = latest.get((row.school_id, "stage")) if stage else None
    factors = [next((f.text for f in rp.factors if f.id == x), x) for x in evidence_json(stage_entry)] \
        if stage_entry else []
    term = rp.term
    concern = bool(change and change.get("concern"))
    subject = (f"A school causing concern: {row.name}" if concern else f"Change of {term}: {row.name}" if change
               else f"The {term} identified for {row.name}, {rules.year_of(rp, on)}")
    return {
        "la": la["name"], "register_title": rp.title, "date": _long(on), "school": row.name, "urn": row.urn,
        "subject": subject, "change": bool(change) and not concern, "concern": concern,
        "previous": change["previous"] if change and not concern else "",
        "term": term, "year": rules.year_of(rp, on), "level": lv.label, "colour": lv.colour.lstrip("#"),
        "since": _long(row.level_since) if row.level_since else "", "reason": row.level_reason,
        "evidence": "; ".join(sources), "rule": rule,
        "visits": (f"{visits.describe()} a year" + (f" ({visits.said})" if visits.said else "")) if visits else "",
        "reports": (f"{reports.describe()} a year" + (f" ({reports.said})" if reports.said else "")) if reports
        else "",
        "support_label": sup.label if sup else lv.label, "support": list(lv.support) or
        (list(sup.entitlement) if sup else []),
        "stage": stage.label if stage else "", "stage_level": stage.level if stage else "",
        "factors": factors, "stage_reason": (stage_entry["reason"] if stage_entry and
                                             not stage_entry["concerns_individual"] else ""),
        "review_every": {"month": "monthly", "term": "termly", "week": "weekly", "half-term": "half-termly"}
        .get(rp.review.every, rp.review.every), "signed": signed or f"for {la['name']}", "policy": _policy(rp)}


def _long(day: str) -> str:
    d = date.fromisoformat(day[:10])
    return f"{d.day} {d.strftime('%B %Y')}"


class LetterBatch:
    def __init__(self) -> None:
        self.written: list[Path] = []
        self.skipped: list[str] = []


def write_letters(reg: Register, la_name: str, *, on: str | None = None, out_dir: str | Path | None = None,
                  template: str | Path | None = None, overwrite: bool = False, signed: str = "",
                  progress: Callable[[int, int, str], None] | None = None) -> LetterBatch:
    """The September letter to every school on the register that has a level: one .docx each, in `out_dir`
    (default notes/register/LA/), with progress; each letter sent is recorded on the register."""
    la, rp = reg.la(la_name)
    day = reg.day(on)
    view = reg.view(la_name, on=day, shared=True)
    folder = Path(out_dir) if out_dir else default_folder(la["name"])
    tpl = prepared(Path(template) if template else templates_dir() / LETTER)
    batch = LetterBatch()
    rows = [r for r in view.rows if r.level]
    batch.skipped = [r.name for r in view.rows if not r.level]
    sent = []
    latest = reg.tables.latest(la["id"], day)
    for n, row in enumerate(rows, 1):
        out = folder / f"{row.urn}-{slug(row.name)}-{rules.year_of(rp, day).replace('/', '-')}.docx"
        ctx = _letter_context(reg, la, rp, row, day, None, signed, latest)
        with bounded():
            data = tpl.render(ctx)
        batch.written.append(atomic_write(out, data, overwrite=overwrite))
        sent.append({"id": row.school_id})
        if progress:
            progress(n, len(rows), row.name)
    reg.record_letters(la, rp, sent, "september", day)
    return batch


def write_change_letter(reg: Register, la_name: str, school: str, *, on: str | None = None,
                        out_path: str | Path | None = None, template: str | Path | None = None,
                        overwrite: bool = False, signed: str = "") -> Path:
    """A letter for a change during the year, whichever came last by `on`: a change of level (from what, to what,
    why, what follows), or a school designated as causing concern (why, and the level of concern)."""
    la, rp = reg.la(la_name)
    s = reg.school(la, school)
    day = reg.day(on)
    history = [e for e in reg.tables.entries(s["id"], ["level", "stage"]) if e["on_date"] <= day]
    levels = [e for e in history if e["kind"] == "level"]
    changes = [e for e in history if e["kind"] == "stage" and e["value"]]
    for prev, cur in zip(levels, levels[1:]):
        if cur["value"] != prev["value"]:
            changes.append({**cur, "previous": prev["value"]})
    if not changes:
        raise UsageError(f"{s['name']} has not changed {rp.term} or been designated as causing concern by {day}: "
                         "the September letter says its level (laqs register letters)")
    last = max(changes, key=lambda e: (e["on_date"], e["seq"]))
    if last["kind"] == "stage":
        change = {"concern": True}
        what = "concern"
    else:
        previous = rp.level(last["previous"])
        change = {"previous": previous.label if previous else last["previous"]}
        what = "change"
    row = reg.view(la_name, on=day, shared=True, school_id=s["id"]).rows[0]
    ctx = _letter_context(reg, la, rp, row, day, change, signed)
    name = f"{s['urn']}-{slug(s['name'])}-{what}-{day}.docx"
    out = Path(out_path) if out_path else default_folder(la["name"]) / name
    if out.is_dir():
        out = out / name
    with bounded():
        data = prepared(Path(template) if template else templates_dir() / LETTER).render(ctx)
    path = atomic_write(out, data, overwrite=overwrite)
    reg.record_letters(la, rp, [s], what, day)
    return path


def board_context(reg: Register, la_name: str, *, on: str | None = None, since: str | None = None) -> dict:
    la, rp = reg.la(la_name)
    day = reg.day(on)
    view = reg.view(la_name, on=day, shared=True)
    term = rules.term_at(rp, day)
    start = since or (term.starts.isoformat() if term else rules.year_start(rp, view.year).isoformat())
    counts = view.counts()
    total = len(view.rows) or 1
    names = {r.school_id: r.name for r in view.rows}
    changes = []
    for school_id, name in names.items():
        hist = [e for e in reg.tables.entries(school_id, ["level"]) if e["on_date"] <= day]
        for prev, cur in zip([None] + hist[:-1], hist):
            if cur["on_date"] >= start and (prev is None or prev["value"] != cur["value"]):
                changes.append({"date": cur["on_date"], "school": name,
                                "previous": rp.level(prev["value"]).label if prev else "first assessed",
                                "level": rp.level(cur["value"]).label,
                                "reason": "" if cur["concerns_individual"] else cur["reason"]})
    changes.sort(key=lambda c: (c["date"], c["school"]))
    alerts = []
    for r in view.rows:
        if r.overdue:
            alerts.append({"school": r.name, "text": f"{r.overdue} visit period(s) passed without a visit"})
        if r.alert:
            alerts.append({"school": r.name, "text": r.alert})
        if r.rule_due:
            alerts.append({"school": r.name, "text": r.rule_due})
    charges = ""
    if rp.charging:
        fin = reg.charges(la_name, view.year)
        days = sum(x["support_days"] for x in fin["schools"])
        charges = (f"{days:g} support days recorded in {view.year}; schools pay {fin['currency']}"
                   f"{fin['total_charge']:,.0f} in all under the charging bands ({fin['currency']}"
                   f"{fin['day_rate']:,.0f} a day).")
    facts = reg.year_facts(la_name, view.year, on=day)
    rows = [{"name": r.name, "urn": r.urn, "phase": r.phase, "level": r.level.short if r.level else "not assessed",
             "colour": (r.level.colour if r.level else "#FFFFFF").lstrip("#"), "since": r.level_since or "",
             "stage": r.stage, "escalation": r.escalation, "visits": f"{r.visits_made} of {r.visits_allowed}",
             "overdue": str(r.overdue or "")} for r in sorted(view.rows, key=lambda r: (
                 -(r.level.order if r.level else 0), r.name.lower()))]
    board = rp.review.board or "the board"
    return {"title": f"School register for {board}", "la": la["name"], "register_title": rp.title, "on": _long(day),
            "term_label": term.term.label if term else "", "year": view.year, "term": rp.term,
            "counts": [{"label": c.label, "colour": c.colour.lstrip("#"), "count": counts[c.id],
                        "share": f"{100 * counts[c.id] / total:.0f}%"} for c in reversed(view.levels)],
            "current_line": "; ".join(facts["lines"][1:]), "rows": rows, "changes": changes,
            "alerts": alerts, "charges": charges, "policy": _policy(rp), "tool": "laqs-assist",
            "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def write_board_report(reg: Register, la_name: str, *, on: str | None = None, since: str | None = None,
                       out_path: str | Path | None = None, template: str | Path | None = None,
                       overwrite: bool = False) -> Path:
    ctx = board_context(reg, la_name, on=on, since=since)
    out = Path(out_path) if out_path else default_folder(ctx["la"]) / f"register-report-{reg.day(on)}.docx"
    with bounded(max(1, len(ctx["rows"]) // 200 + 1)):
        data = prepared(Path(template) if template else templates_dir() / BOARD).render(ctx)
    path = atomic_write(out, data, overwrite=overwrite)
    if not reg.store.read_only:
        reg.record_board(la_name, on=on)
    return path


CSV_COLUMNS = ("school", "urn", "phase", "kind", "level", "level_label", "since", "stage", "escalation",
               "escalation_since", "visits_made", "visits_allowed", "reports_made", "reports_allowed",
               "overdue_visits", "next_visit_due", "last_reviewed", "alert", "support_days", "charge", "reason")


def register_csv(reg: Register, la_name: str, *, on: str | None = None) -> str:
    """The register as CSV, one school a row (the shared view)."""
    view = reg.view(la_name, on=on, shared=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in view.rows:
        w.writerow([_cell(x) for x in (
            r.name, r.urn, r.phase, r.kind, r.level.id if r.level else "", r.level.label if r.level else "",
            r.level_since or "", r.stage, r.escalation, r.escalation_since or "", r.visits_made, r.visits_allowed,
            r.reports_made, r.reports_allowed, r.overdue, r.due_by or "", r.last_reviewed or "", r.alert,
            f"{r.support_days:g}", "" if r.charge is None else f"{r.charge:.2f}", r.level_reason)])
    return buf.getvalue()


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(reg: Register, la_name: str, out_path: str | Path, *, on: str | None = None,
              overwrite: bool = False) -> Path:
    return atomic_write(Path(out_path), register_csv(reg, la_name, on=on).encode("utf-8-sig"), overwrite=overwrite)


# --- what `laqs templates check` checks a restyled register template against -------------------------------------

LETTER_CORE = {
    "school": "the school's name", "level": "the level or category the letter tells the school of",
    "date": "the letter's date", "support": "what the level brings, a line each",
}
BOARD_CORE = {
    "counts": "schools at each level, with their colours", "rows": "every school on the register, a row each",
    "changes": "the changes of level in the period", "alerts": "overdue visits and intervention alerts",
}


def sample_contexts(folder: Path) -> dict[str, dict[str, Any]]:
    """A register letter's and a board report's context from a small sample register in `folder` (a school
    causing concern with its factors, a change of category, support days), for checking a template."""
    from ..store import Store

    with Store(folder / "register-sample.db") as store:
        reg = Register(store, today="2026-11-20", author="Sample Adviser")
        reg.add_school("Sample Shire", "Sample High School", "900001", "Secondary", "maintained",
                       pack="staffordshire-register")
        reg.add_school("Sample Shire", "Sample Primary School", "900002", "Primary", "academy")
        reg.set_level("Sample Shire", "Sample High School", "3", ["sip-reports"], "a satisfactory school",
                      on="2026-09-01")
        reg.set_level("Sample Shire", "Sample Primary School", "2", ["self-evaluation"], "a good school",
                      on="2026-09-01")
        reg.set_level("Sample Shire", "Sample High School", "4", ["ofsted", "performance"], "results fell sharply",
                      on="2026-11-02")
        reg.set_stage("Sample Shire", "Sample High School", "2", "attainment and progress both low",
                      ["attainment", "progress"], on="2026-11-03")
        reg.add_support("Sample Shire", "Sample High School", 12, on="2026-11-10")
        la, rp = reg.la("Sample Shire")
        row = next(r for r in reg.view("Sample Shire", shared=True).rows if r.name == "Sample High School")
        return {"register-letter": _letter_context(reg, la, rp, row, "2026-11-20",
                                                   {"previous": "Category 3 – Satisfactory"}, "Sample Adviser"),
                "register-board": board_context(reg, "Sample Shire", since="2026-09-01")}
