"""The school register as the front ends see it: an LA's schools on the levels or categories of its register pack,
every change kept with its evidence, reason, who and when; what follows from a level (visits and reports allowed
and made, overdue visits, escalation, strands, intervention alerts, support-day charges); the annual assessment
and the regular review; and the register's facts as evidence for the standards (2.3 and 2.4).

The rules live in laqs_assist.register_rules (pure) and the pack in packs/register_model.py; the store's tables in
store/register.py. Shared outputs (letters, the board report, CSV) ask for the `shared` view: a change flagged as
concerning an individual, and an escalation step about one person's performance, never reach them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .. import register_rules as rules
from ..errors import UsageError
from ..packs.register_model import SCHOOL_KINDS, Level, RegisterPack
from ..record import Record

if TYPE_CHECKING:
    from ..store import Store

SUPPORT_KINDS = ("support", "audit", "monitoring")
_KIND_LINE = re.compile(r"""^kind:\s*['"]?register['"]?\s*(#.*)?$""")


def register_packs() -> dict[str, Path]:
    """Register pack id -> folder, among the installed packs (interviews/ and $LAQS_PACKS)."""
    from ..packs.registry import pack_folders

    out = {}
    for folder in pack_folders():
        try:
            text = (folder / "pack.yaml").read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue  # `laqs packs check` says what is wrong with it
        if any(_KIND_LINE.match(line) for line in text.splitlines()[:200]):
            from ..packs.registry import declared_id

            out[declared_id(folder)] = folder
    return out


_PACKS: dict[str, RegisterPack] = {}


def open_register_pack(ref: str | Path) -> RegisterPack:
    """A register pack by its id or its folder (loaded once per process)."""
    from ..packs.loader import load_pack

    key = str(ref)
    if key in _PACKS:
        return _PACKS[key]
    folder = Path(ref)
    if not (folder / "pack.yaml").is_file():
        known = register_packs()
        if key not in known:
            raise UsageError(f"no register pack '{key}' (installed: {', '.join(known) or 'none'})")
        folder = known[key]
    pack = load_pack(folder)
    if getattr(pack, "kind", "") != "register":
        raise UsageError(f"{folder} is a framework pack, not a register pack (kind: register)")
    _PACKS[key] = _PACKS[pack.id] = pack
    return pack


def parse_day(text: str | None, what: str = "date") -> str | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise UsageError(f"{what} '{text}' is not a date (YYYY-MM-DD)") from None


class LevelCell(Record):
    id: str
    label: str
    short: str
    order: int
    colour: str


class Row(Record):
    """One school on the register as of a day."""
    school_id: str
    name: str
    urn: str
    phase: str
    kind: str
    head_start: str | None
    level: LevelCell | None
    level_since: str | None
    level_by: str
    level_reason: str
    reason_flagged: bool  # the reason concerns an individual (withheld from shared outputs)
    rule: str  # the automatic rule that set the level, or ''
    rule_due: str  # a line when the rule applies now and the level is below it, else ''
    stage: str  # stage id or ''
    stage_label: str
    escalation: str  # step id or ''
    escalation_since: str | None
    next_steps: tuple[str, ...]
    visits_made: int
    visits_allowed: str
    reports_made: int
    reports_allowed: str
    overdue: int
    due_by: str | None
    over: str
    last_reviewed: str | None
    alert: str  # the intervention alert's line, or ''
    alert_kind: str  # review, refer or ''
    support_days: float
    charge: float | None


class RegisterView(Record):
    la: str
    la_id: str
    pack_id: str
    pack_title: str
    term: str
    year: str
    on: str
    levels: tuple[LevelCell, ...]
    rows: tuple[Row, ...]
    currency: str

    def counts(self) -> dict[str, int]:
        out = {lv.id: 0 for lv in self.levels}
        for r in self.rows:
            if r.level:
                out[r.level.id] += 1
        return out

    def as_json(self) -> dict[str, Any]:
        return {"la": self.la, "pack": self.pack_id, "year": self.year, "on": self.on, "term": self.term,
                "levels": [_dict(lv) for lv in self.levels], "counts": self.counts(),
                "schools": [_row_json(r) for r in self.rows]}


def _dict(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record._fields}


def _row_json(r: Row) -> dict[str, Any]:
    d = _dict(r)
    d["level"] = r.level.id if r.level else None
    d["level_label"] = r.level.label if r.level else None
    d["next_steps"] = list(r.next_steps)
    return d


class Change(Record):
    """What a change to the register did, for the front end to say."""
    school: str
    kind: str
    value: str
    label: str
    on: str
    applied: str  # an automatic rule's line when it set the value, else ''
    notes: tuple[str, ...]


class Register:
    """The register of every LA in one store. `today` fixes the day (ISO) for scripts and tests."""

    def __init__(self, store: "Store", today: str | None = None, author: str = "") -> None:
        from ..store.register import RegisterTables

        self.store = store
        self.tables = RegisterTables(store)
        self.today = today
        self.author = author
        self._allowances: dict[str, tuple] = {}  # level id -> (visits, reports) allowed, for the view being built

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def day(self, on: str | None = None) -> str:
        return parse_day(on) or self.today or date.today().isoformat()

    # --- LAs and schools ------------------------------------------------------------------------------------

    def la(self, name: str, pack: str | None = None, create: bool = False) -> tuple[dict[str, Any], RegisterPack]:
        """The LA and the register pack it keeps its schools by (given the first time, fixed after)."""
        la = self.store.find_la(name)
        if la is None:
            if not create:
                raise UsageError(f"no LA '{name}' on the register (add a school with --la and --pack first)")
            la = self.store.ensure_organisation(name, "LA")
        pack_id = self.tables.la_pack(la["id"])
        if pack_id is None:
            if not pack:
                if not create:
                    raise UsageError(f"{la['name']} has no register yet: add a school with --pack PACK")
                raise UsageError(f"{la['name']} has no register yet: say which register pack it keeps with --pack "
                                 f"(installed: {', '.join(register_packs())})")
            rp = open_register_pack(pack)
            self.tables.set_la_pack(la["id"], rp.id)
            return la, rp
        rp = open_register_pack(pack_id)
        if pack and pack not in (rp.id, str(rp.path)) and open_register_pack(pack).id != rp.id:
            raise UsageError(f"{la['name']} keeps its register by {rp.id}, not {pack}")
        return la, rp

    def las(self) -> list[dict[str, Any]]:
        return self.tables.register_las()

    def school(self, la: dict[str, Any], ref: str) -> dict[str, Any]:
        found = self.tables.find_school(la["id"], ref)
        if found is None:
            raise UsageError(f"no school '{ref}' on {la['name']}'s register (by name or URN; `laqs register "
                             f"show \"{la['name']}\"` lists them)")
        return found

    def add_school(self, la_name: str, name: str, urn: str, phase: str, kind: str, head_start: str | None = None,
                   pack: str | None = None) -> dict[str, Any]:
        name, urn, phase = " ".join(name.split()), urn.strip(), phase.strip()
        if not name or not urn or not phase:
            raise UsageError("a school needs a name, a URN and a phase")
        if kind not in SCHOOL_KINDS:
            raise UsageError(f"kind of school must be {' or '.join(SCHOOL_KINDS)}, not '{kind}'")
        head_start = parse_day(head_start, "headteacher start date")
        la, _rp = self.la(la_name, pack, create=True)
        org = self.store.ensure_organisation(name, "school", la["id"])
        return self.tables.add_school(la["id"], org["id"], name, urn, phase, kind, head_start)

    def import_schools(self, la_name: str, path: Path, pack: str | None = None) -> tuple[int, int]:
        """Schools from a CSV with the columns name, urn, phase, kind and (optional) head_start: (added, already
        on the register). A school already there under its URN and name is left as it is, so a file can be
        imported again after a line is mended."""
        import csv

        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"{path}: not a CSV file in UTF-8 ({exc})") from None
        need = {"name", "urn", "phase", "kind"}
        if rows and not need <= set(rows[0]):
            raise UsageError(f"{path}:1: the header needs the columns {', '.join(sorted(need))} (and head_start)")
        added = kept = 0
        for n, r in enumerate(rows, start=2):
            try:
                la = self.store.find_la(la_name)
                there = self.tables.find_school(la["id"], (r["urn"] or "").strip()) if la else None
                if there and there["urn"] == (r["urn"] or "").strip():
                    if there["name"].lower() != " ".join((r["name"] or "").split()).lower():
                        raise UsageError(f"URN {there['urn']} is already on the register as {there['name']}")
                    kept += 1
                    continue
                self.add_school(la_name, r["name"] or "", r["urn"] or "", r["phase"] or "", (r["kind"] or "").strip(),
                                r.get("head_start") or None, pack)
                added += 1
            except UsageError as exc:
                raise UsageError(f"{path}:{n}: {exc.message} ({added} school{'' if added == 1 else 's'} added "
                                 "before it; mend the line and import the file again)") from None
        return added, kept

    def new_headteacher(self, la_name: str, ref: str, start: str, reason: str = "", on: str | None = None) -> Change:
        """A new headteacher took up post: the start date is kept (the earlier one stays in the history) and
        the automatic rule applied at once."""
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        start = parse_day(start, "headteacher start date")
        day = self.day(on)
        was = school["head_start"] or "not given"
        entry = self._entry(la, school, rp, "details", day, value=f"head_start={start}",
                            reason=reason or f"new headteacher from {start} (was {was})")
        self.tables.update_school(school, {"head_start": start}, entry)
        school = {**school, "head_start": start}
        current = self.tables.latest(la["id"]).get((school["id"], "level"))
        notes = []
        level_id = current["value"] if current else None
        applied = rules.new_headteacher(rp, start, day)
        if applied and (level_id is None or rp.level(level_id).order < rp.level(applied.level).order):
            self._set_level(la, rp, school, applied.level, [applied.rule.evidence] if applied.rule.evidence else [],
                            applied.message, day, rule=applied.rule.id)
            notes.append(applied.message)
        return Change(school["name"], "details", start, "new headteacher", day, applied.message if notes else "",
                      tuple(notes))

    # --- changes --------------------------------------------------------------------------------------------

    def _entry(self, la: dict, school: dict | None, rp: RegisterPack, kind: str, day: str, **more: Any) -> dict:
        return {"la_id": la["id"], "school_id": school["id"] if school else None, "kind": kind, "on_date": day,
                "academic_year": rules.year_of(rp, day), "by_whom": more.pop("by_whom", "") or self.author, **more}

    def _set_level(self, la, rp, school, level_id, sources, reason, day, rule="", by="", flag=False) -> dict:
        return self.tables.add_entry(self._entry(la, school, rp, "level", day, value=level_id, reason=reason,
                                                 evidence=sources, rule=rule, by_whom=by, concerns_individual=flag))

    def set_level(self, la_name: str, ref: str, level: str, sources: Iterable[str] = (), reason: str = "",
                  on: str | None = None, by: str = "", flag: bool = False) -> Change:
        """Put a school at a level (or category) with its evidence and reason; the automatic rules are applied
        and shown: a level below what a rule requires is raised to it, saying why."""
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        lv = self._level(rp, level)
        sources = self._sources(rp, sources)
        if not reason.strip():
            raise UsageError("say why (--reason): the register keeps the reason for every change")
        day = self.day(on)
        value, applied = rules.apply_rules(rp, lv.id, school["head_start"], day)
        notes = []
        if applied:
            notes.append(f"{lv.label} is below what the rule requires: {applied.message}")
            if applied.rule.evidence and applied.rule.evidence not in sources:
                sources.append(applied.rule.evidence)
        self._set_level(la, rp, school, value, sources, reason, day, applied.rule.id if applied else "", by, flag)
        final = rp.level(value)
        return Change(school["name"], "level", value, final.label, day, applied.message if applied else "",
                      tuple(notes))

    def _level(self, rp: RegisterPack, ref: str) -> Level:
        for lv in rp.levels:
            if ref in (lv.id, lv.short) or ref.lower() == lv.label.lower():
                return lv
        raise UsageError(f"no {rp.term} '{ref}' in {rp.id} (known: {', '.join(lv.id for lv in rp.levels)})")

    def _sources(self, rp: RegisterPack, sources: Iterable[str]) -> list[str]:
        out = []
        known = {e.id for e in rp.evidence_sources}
        for s in sources:
            for part in s.split(","):
                part = part.strip()
                if not part:
                    continue
                if part not in known:
                    raise UsageError(f"no evidence source '{part}' in {rp.id} (known: {', '.join(sorted(known))})")
                out.append(part)
        if len(out) < rp.evidence_required:
            raise UsageError(f"name the evidence (--evidence): at least {rp.evidence_required} of "
                             f"{', '.join(e.id for e in rp.evidence_sources)}")
        return list(dict.fromkeys(out))

    def set_stage(self, la_name: str, ref: str, stage: str, reason: str = "", factors: Iterable[str] = (),
                  on: str | None = None, by: str = "", flag: bool = False) -> Change:
        """Designate a school causing concern at a stage ('' or 'none' ends it), with why: the factors causing
        concern and a reason. Moving from a stage to the one its `move` names ticks the move's strand."""
        la, rp = self.la(la_name)
        if not rp.stages:
            raise UsageError(f"{rp.id} has no stages of concern")
        school = self.school(la, ref)
        stage = "" if stage in ("", "none", "0") else stage
        if stage and rp.stage(stage) is None:
            raise UsageError(f"no stage '{stage}' (stages: {', '.join(s.id for s in rp.stages)}, or none)")
        factor_ids = [f.strip() for x in factors for f in x.split(",") if f.strip()]
        known = {f.id for f in rp.factors}
        for f in factor_ids:
            if f not in known:
                raise UsageError(f"no factor '{f}' (factors: {', '.join(sorted(known))})")
        if not reason.strip():
            raise UsageError("say why (--reason): the school is told why it is causing concern")
        day = self.day(on)
        current = self.tables.latest(la["id"]).get((school["id"], "stage"))
        was = current["value"] if current else ""
        if was == stage:
            raise UsageError(f"{school['name']} is at {'stage ' + stage if stage else 'no stage'} already")
        entries = [self._entry(la, school, rp, "stage", day, value=stage, reason=reason, evidence=factor_ids,
                               by_whom=by, concerns_individual=flag)]
        notes = []
        moved = rp.stage(was) if was else None
        if moved and moved.move_to == stage and moved.move_strand:
            entries.append(self._entry(la, school, rp, "strand", day, value=moved.move_strand.id, reason=reason,
                                       by_whom=by))
            notes.append(f"stage {was} → {stage}: {moved.move_strand.text}")
        self.tables.add_entries(entries)
        label = rp.stage(stage).label if stage else "no longer causing concern"
        return Change(school["name"], "stage", stage, label, day, "", tuple(notes))

    def tick_strand(self, la_name: str, ref: str, strand: str, on: str | None = None, note: str = "",
                    by: str = "") -> Change:
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        current = self.tables.latest(la["id"]).get((school["id"], "stage"))
        stage = rp.stage(current["value"]) if current and current["value"] else None
        if stage is None:
            raise UsageError(f"{school['name']} is at no stage of concern: there are no strands to tick")
        found = next((s for s in stage.all_strands() if s.id == strand), None)
        if found is None:
            raise UsageError(f"no strand '{strand}' at {stage.label} (strands: "
                             f"{', '.join(s.id for s in stage.all_strands())})")
        day = self.day(on)
        self.tables.add_entry(self._entry(la, school, rp, "strand", day, value=strand, reason=note, by_whom=by))
        return Change(school["name"], "strand", strand, found.text, day, "", ())

    def escalate(self, la_name: str, ref: str, step: str, reason: str = "", on: str | None = None,
                 not_engaging: bool = False, by: str = "") -> Change:
        """Move a school to an escalation step of the ladder for its kind ('end' ends the escalation)."""
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        ladder = rp.ladder(school["kind"])
        if ladder is None:
            raise UsageError(f"{rp.id} has no escalation ladder for {'an' if school['kind'] == 'academy' else 'a'} "
                             f"{school['kind']} school")
        if not reason.strip():
            raise UsageError("say why (--reason): the register keeps the reason for every step")
        day = self.day(on)
        current = self.tables.latest(la["id"]).get((school["id"], "escalation"))
        at = current["value"] if current else ""
        if step == "end":
            if not at:
                raise UsageError(f"{school['name']} is not being escalated")
            self.tables.add_entry(self._entry(la, school, rp, "escalation", day, value="", reason=reason,
                                              by_whom=by))
            return Change(school["name"], "escalation", "", "escalation ended", day, "", ())
        problem = rules.check_step(ladder, at or None, step, not_engaging)
        if problem:
            raise UsageError(problem)
        shortcut = not_engaging and ladder.shortcut is not None and step == ladder.shortcut.to and \
            not any(s.id == step for s in rules.next_steps(ladder, at or None))
        target = ladder.step(step)
        self.tables.add_entry(self._entry(la, school, rp, "escalation", day, value=step, reason=reason,
                                          rule="shortcut" if shortcut else "", by_whom=by,
                                          concerns_individual=target.concerns_individual))
        notes = (ladder.shortcut.said,) if shortcut else ()
        return Change(school["name"], "escalation", step, target.text, day, "", notes)

    def record_visit(self, la_name: str, ref: str, on: str | None = None, report: bool = False, note: str = "",
                     by: str = "") -> Change:
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        day = self.day(on)
        entries = [self._entry(la, school, rp, "visit", day, reason=note, by_whom=by)]
        if report:
            entries.append(self._entry(la, school, rp, "report", day, reason=note, by_whom=by))
        self.tables.add_entries(entries)
        return Change(school["name"], "visit", "report" if report else "", "visit" + (" and written report"
                      if report else ""), day, "", ())

    def record_report(self, la_name: str, ref: str, on: str | None = None, note: str = "", by: str = "") -> Change:
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        day = self.day(on)
        self.tables.add_entry(self._entry(la, school, rp, "report", day, reason=note, by_whom=by))
        return Change(school["name"], "report", "", "written report", day, "", ())

    def add_support(self, la_name: str, ref: str, days: float, kind: str = "support", on: str | None = None,
                    note: str = "", by: str = "") -> Change:
        """Days of support for a school; audit and monitoring days are LA funded within the pack's caps, which
        are enforced: a day past a cap is refused, saying what is left."""
        la, rp = self.la(la_name)
        if rp.charging is None:
            raise UsageError(f"{rp.id} has no charging for support days")
        if kind not in SUPPORT_KINDS:
            raise UsageError(f"kind of support must be {', '.join(SUPPORT_KINDS)}, not '{kind}'")
        if not days > 0 or days > 365:
            raise UsageError(f"days must be more than 0 and at most 365, not {days:g}")
        school = self.school(la, ref)
        day = self.day(on)
        year = rules.year_of(rp, day)
        used = self.tables.support_days(la["id"], year).get(school["id"], {})
        if kind != "support":
            problem = rules.cap_problem(rp.charging, kind, used.get(kind, 0.0), days)
            if problem:
                raise UsageError(problem)
        self.tables.add_entry(self._entry(la, school, rp, "support", day, value=kind, days=days, reason=note,
                                          by_whom=by))
        total = used.get("support", 0.0) + (days if kind == "support" else 0.0)
        ch = rules.charge(rp.charging, total)
        return Change(school["name"], "support", kind, f"{days:g} days of {kind}", day, "",
                      (f"{year}: {ch.line()}",))

    def review_school(self, la_name: str, ref: str, kind: str = "", note: str = "", on: str | None = None,
                      by: str = "") -> Change:
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        day = self.day(on)
        self.tables.add_entry(self._entry(la, school, rp, "review", day, value=kind or rp.review.every,
                                          reason=note or "reviewed, no change", by_whom=by))
        return Change(school["name"], "review", kind or rp.review.every, "reviewed", day, "", ())

    def record_letters(self, la: dict, rp: RegisterPack, schools: Iterable[dict], kind: str, day: str) -> None:
        self.tables.add_entries([self._entry(la, s, rp, "letter", day, value=kind) for s in schools])

    # --- the annual assessment and the review, a school at a time -------------------------------------------

    def walk(self, la_name: str, on: str | None = None) -> list[dict[str, Any]]:
        """Each school in turn for the annual assessment or the review: its current level, the level the
        automatic rules require now (with why), and when it was last reviewed."""
        la, rp = self.la(la_name)
        day = self.day(on)
        latest = self.tables.latest(la["id"], day)
        reviewed = self.tables.last_reviewed(la["id"], day)
        out = []
        for s in self.tables.schools(la["id"]):
            cur = latest.get((s["id"], "level"))
            applied = rules.new_headteacher(rp, s["head_start"], day)
            needs = None
            if applied and (cur is None or rp.level(cur["value"]).order < rp.level(applied.level).order):
                needs = applied
            out.append({"school": s, "level": cur["value"] if cur else None, "since": cur["on_date"] if cur else None,
                        "evidence": evidence_json(cur) if cur else [],
                        "rule": needs.message if needs else "", "rule_level": needs.level if needs else None,
                        "last_reviewed": reviewed.get(s["id"])})
        return out

    def assess(self, la_name: str, decisions: Iterable[dict[str, Any]], kind: str, on: str | None = None,
               by: str = "", finish: bool = True) -> dict[str, int]:
        """Record an assessment or review in one commit: each decision is {school, level (None to keep),
        evidence, reason}; a kept level is recorded as reviewed. With `finish`, the LA's review itself is an entry
        too (a walk a school at a time records each school as it goes and finishes with `finish_review`)."""
        la, rp = self.la(la_name)
        day = self.day(on)
        latest = self.tables.latest(la["id"])
        entries, changed, kept = [], 0, 0
        for d in decisions:
            school = d["school"]
            cur = latest.get((school["id"], "level"))
            level = d.get("level")
            if level is None and cur is None:
                raise UsageError(f"{school['name']} has no {rp.term} yet: choose one")
            if level is not None:
                lv = self._level(rp, level)
                sources = self._sources(rp, d.get("evidence") or ())
                value, applied = rules.apply_rules(rp, lv.id, school["head_start"], day)
                if applied and applied.rule.evidence and applied.rule.evidence not in sources:
                    sources.append(applied.rule.evidence)
                if cur is None or value != cur["value"] or kind == "annual":
                    reason = d.get("reason") or ""
                    if not reason.strip():
                        raise UsageError(f"{school['name']}: say why the {rp.term} is {rp.level(value).label}")
                    entries.append(self._entry(la, school, rp, "level", day, value=value, evidence=sources,
                                               reason=reason, rule=applied.rule.id if applied else "", by_whom=by))
                    changed += 1
                    continue
            entries.append(self._entry(la, school, rp, "review", day, value=kind, by_whom=by,
                                       reason=d.get("reason") or "reviewed, no change"))
            kept += 1
        if finish:
            entries.append(self._review_entry(la, rp, kind, day, by, changed, kept))
        self.tables.add_entries(entries)
        return {"changed": changed, "kept": kept}

    def _review_entry(self, la, rp, kind, day, by, changed, kept) -> dict:
        return self._entry(la, None, rp, "review", day, value=kind, by_whom=by,
                           reason=f"{kind} review: {changed} set or changed, {kept} unchanged")

    def finish_review(self, la_name: str, kind: str, changed: int, kept: int, on: str | None = None,
                      by: str = "") -> None:
        la, rp = self.la(la_name)
        self.tables.add_entry(self._review_entry(la, rp, kind, self.day(on), by, changed, kept))

    # --- what follows from the register ---------------------------------------------------------------------

    def view(self, la_name: str, year: str | None = None, on: str | None = None, level: str | None = None,
             overdue_only: bool = False, phase: str | None = None, kind: str | None = None,
             shared: bool = False, school_id: str | None = None) -> RegisterView:
        """The register as of `on` (default today; with `year` alone, the year's last day or today if sooner):
        each school's level, stage, escalation, visits and reports against the allowance, overdue visits,
        intervention alerts and support charges. `shared` hides what concerns an individual; `school_id` gives
        that school's row alone."""
        la, rp = self.la(la_name)
        day = self.day(on)
        if year and not on:
            last = (rules.year_start(rp, f"{int(year[:4]) + 1}") - date.resolution).isoformat()
            day = min(last, self.day())
        yr = year or rules.year_of(rp, day)
        latest = self.tables.latest(la["id"], day)
        visits = self.tables.visit_days(la["id"], yr, day)
        reports = self.tables.counts(la["id"], "report", yr, day)
        support = self.tables.support_days(la["id"], yr)
        reviewed = self.tables.last_reviewed(la["id"], day)
        stages = self.tables.histories(la["id"], "stage")
        level_since = self.tables.level_since(la["id"], day)
        level_filter = self._level(rp, level).id if level else None
        self._allowances = {lv.id: (rp.visits_allowed(lv), rp.reports_allowed(lv)) for lv in rp.levels}
        rows = []
        for s in self.tables.schools(la["id"]):
            if school_id and s["id"] != school_id:
                continue
            cur, stg, esc = (latest.get((s["id"], k)) for k in ("level", "stage", "escalation"))
            if shared:
                cur, stg = _shared_entry(cur), _shared_entry(stg)
            lv = rp.level(cur["value"]) if cur else None
            if level_filter and (lv is None or lv.id != level_filter):
                continue
            if phase and s["phase"].lower() != phase.lower():
                continue
            if kind and s["kind"] != kind:
                continue
            since = level_since.get(s["id"])
            rows.append(self._row(rp, s, lv, cur, stg, esc, visits.get(s["id"], []), reports.get(s["id"], 0),
                                  support.get(s["id"], {}), reviewed.get(s["id"]), stages.get(s["id"], []), day,
                                  shared, since))
        if overdue_only:
            rows = [r for r in rows if r.overdue]
        cells = tuple(LevelCell(lv.id, lv.label, lv.short, lv.order, lv.colour) for lv in rp.levels)
        return RegisterView(la["name"], la["id"], rp.id, rp.title, rp.term, yr, day, cells, tuple(rows),
                            rp.charging.currency if rp.charging else "£")

    def _row(self, rp, s, lv, cur, stg, esc, visit_days, reports, support, reviewed, stage_hist, day,
             shared, since) -> Row:
        status = rules.visit_status(rp, lv, visit_days, reports, day, since, self._allowances.get(lv.id)) if lv \
            else None
        applied = rules.new_headteacher(rp, s["head_start"], day)
        rule_due = ""
        if applied and (lv is None or lv.order < rp.level(applied.level).order):
            rule_due = applied.message
        ladder = rp.ladder(s["kind"])
        step = esc["value"] if esc and esc["value"] else ""
        step_since = esc["on_date"] if step else None
        if shared and ladder and step and rules.shared_step(ladder, step) != step:
            # a step about one person is shown as the step before it, with that step's own date
            step = rules.shared_step(ladder, step) or ""
            earlier = [e for e in self.tables.entries(s["id"], ["escalation"]) if e["on_date"] <= day
                       and e["value"] == step]
            step_since = earlier[-1]["on_date"] if earlier and step else None
        nxt = tuple(x.id for x in rules.next_steps(ladder, step or None)) if ladder and step else ()
        stage = stg["value"] if stg else ""
        start = rules.intervention_start(rp, [(d, v) for d, v in stage_hist if d <= day])
        alert = rules.intervention_alert(rp, start, day) if start else None
        days = support.get("support", 0.0)
        charge = rules.charge(rp.charging, days).amount if rp.charging else None
        return Row(
            s["id"], s["name"], s["urn"], s["phase"], s["kind"], s["head_start"],
            LevelCell(lv.id, lv.label, lv.short, lv.order, lv.colour) if lv else None,
            since, cur["by_whom"] if cur else "",
            ("" if shared and cur and cur["concerns_individual"] else cur["reason"]) if cur else "",
            bool(cur and cur["concerns_individual"]),
            cur["rule"] if cur else "", rule_due, stage, rp.stage(stage).label if stage and rp.stage(stage) else "",
            step, step_since, nxt,
            status.visits_made if status else len(visit_days),
            status.visits_allowed.describe() if status and status.visits_allowed else "",
            reports, status.reports_allowed.describe() if status and status.reports_allowed else "",
            len(status.overdue) if status else 0, status.due_by.isoformat() if status and status.due_by else None,
            status.over if status else "", reviewed, alert.message if alert else "", alert.kind if alert else "",
            days, charge)

    def school_view(self, la_name: str, ref: str, on: str | None = None) -> dict[str, Any]:
        """One school in full: its row, what its level allows and what support it brings, the escalation ladder
        with its step and the next, the stage's strands as a checklist with dates, support days and the charge,
        and the whole history."""
        la, rp = self.la(la_name)
        school = self.school(la, ref)
        view = self.view(la_name, on=on, school_id=school["id"])
        row = view.rows[0]
        lv = rp.level(row.level.id) if row.level else None
        history = self.tables.entries(school["id"])
        out: dict[str, Any] = {"row": row, "pack": rp, "history": history}
        if lv:
            sup = rp.support_level(lv)
            out["support"] = list(lv.support) or (list(sup.entitlement) if sup else [])
            out["support_label"] = sup.label if sup else ""
        ladder = rp.ladder(school["kind"])
        if ladder:
            out["ladder"] = [{"id": s.id, "text": s.text, "formal": s.formal, "only_if": s.only_if,
                              "current": s.id == row.escalation, "next": s.id in row.next_steps}
                             for s in ladder.steps]
        if row.stage:
            stage = rp.stage(row.stage)
            since = max((h["on_date"] for h in history if h["kind"] == "stage"), default=None)
            ticked = {h["value"]: h["on_date"] for h in history if h["kind"] == "strand" and
                      (since is None or h["on_date"] >= since)}
            out["strands"] = [{"id": s.id, "text": s.text, "done": ticked.get(s.id)} for s in stage.all_strands()]
        if rp.charging:
            year = view.year
            days = self.tables.support_days(la["id"], year).get(school["id"], {})
            out["support_days"] = {k: days.get(k, 0.0) for k in SUPPORT_KINDS}
            out["charge"] = rules.charge(rp.charging, days.get("support", 0.0))
        return out

    def charges(self, la_name: str, year: str | None = None) -> dict[str, Any]:
        """Support days per school in a year and what each pays, from the bands (for finance)."""
        la, rp = self.la(la_name)
        if rp.charging is None:
            raise UsageError(f"{rp.id} has no charging for support days")
        yr = year or rules.year_of(rp, self.day())
        days = self.tables.support_days(la["id"], yr)
        rows = []
        for s in self.tables.schools(la["id"]):
            d = days.get(s["id"], {})
            ch = rules.charge(rp.charging, d.get("support", 0.0))
            rows.append({"school": s["name"], "urn": s["urn"], "support_days": d.get("support", 0.0),
                         "audit_days": d.get("audit", 0.0), "monitoring_days": d.get("monitoring", 0.0),
                         "band": ch.band.said, "pays_days": ch.pays_days, "charge": ch.amount,
                         "la_funded": (d.get("audit", 0.0) + d.get("monitoring", 0.0)) * rp.charging.day_rate})
        return {"la": la["name"], "year": yr, "currency": rp.charging.currency, "day_rate": rp.charging.day_rate,
                "schools": rows, "total_charge": sum(r["charge"] for r in rows)}

    # --- the register as evidence for the standards ---------------------------------------------------------

    def year_facts(self, la_name: str, year: str, on: str | None = None) -> dict[str, Any]:
        """An LA's register facts for a school year, as evidence for 2.3 (a system for categorising schools
        against published criteria) and 2.4 (the risk register kept and reviewed): schools per level at the
        year's end (or today), how current the register is, and the months in which every school was reviewed."""
        la, rp = self.la(la_name)
        view = self.view(la_name, year=year, on=on)
        schools = len(view.rows)
        stale = [r.name for r in view.rows if not r.last_reviewed or
                 (date.fromisoformat(view.on) - date.fromisoformat(r.last_reviewed)).days > rp.review.stale_after_days]
        every = rp.review.every if rp.review.every in ("month", "half-term", "term") else "month"
        spans = [(a, b) for a, b in rules.periods(rp, every, year) if a.isoformat() <= view.on]
        reviews: dict[int, set[str]] = {}
        for school_id, day in self.tables.review_days(la["id"], year):
            d = date.fromisoformat(day)
            for i, (a, b) in enumerate(spans):
                if a <= d <= b:
                    reviews.setdefault(i, set()).add(school_id)
        names = [_period_name(rp, every, a, b) for a, b in spans]
        full = [names[i] for i in range(len(spans)) if schools and len(reviews.get(i, ())) >= schools]
        counts = view.counts()
        adverb = {"month": "monthly", "half-term": "half-termly", "term": "termly"}[every]
        lines = [f"{schools} schools on the register ({rp.title}); " +
                 ", ".join(f"{lv.label}: {counts[lv.id]}" for lv in view.levels),
                 f"register current as of {view.on}: {schools - len(stale)} of {schools} schools reviewed within "
                 f"{rp.review.stale_after_days} days",
                 f"every school reviewed in {len(full)} of {len(spans)} {every}s so far ({adverb} review)"]
        boards = []
        if rp.review.board:
            terms = [t for t in rules.terms_of_year(rp, year) if t.starts.isoformat() <= view.on]
            made = [e["on_date"] for e in self.tables.la_entries(la["id"], "review", year) if e["value"] == "board"
                    and e["on_date"] <= view.on]
            boards = [t.term.label for t in terms if any(t.starts.isoformat() <= d <= t.ends.isoformat()
                                                         for d in made)]
            lines.append(f"the register presented to the {rp.review.board} in {len(boards)} of {len(terms)} "
                         f"terms so far ({rp.review.board_every}ly)")
        return {"la": la["name"], "year": year, "on": view.on, "pack": rp.id, "schools": schools,
                "levels": {lv.label: counts[lv.id] for lv in view.levels},
                "unassessed": sum(1 for r in view.rows if r.level is None),
                "current": schools > 0 and not stale, "stale": stale, "review_every": every, "periods": names,
                "reviewed_periods": full, "reviewed_each_period": bool(spans) and len(full) == len(spans),
                "board_terms": boards, "aspects": ["2.3", "2.4"], "source": "data", "lines": lines}

    def record_board(self, la_name: str, on: str | None = None, by: str = "") -> None:
        """The register was presented to the board (its report written) on a day."""
        la, rp = self.la(la_name)
        day = self.day(on)
        self.tables.add_entry(self._entry(la, None, rp, "review", day, value="board", by_whom=by,
                                          reason=f"register report for {rp.review.board or 'the board'}"))


def _period_name(rp: RegisterPack, every: str, first: date, last: date) -> str:
    if every == "month":
        return first.isoformat()[:7]
    term = rules.term_at(rp, first)
    if every == "term" and term:
        return f"{term.term.label} {term.year}"
    return f"{first.isoformat()} to {last.isoformat()}"


def _shared_entry(entry: dict | None) -> dict | None:
    """For a shared output: the entry itself unless it concerns an individual, whose reason is then withheld."""
    if entry is None or not entry["concerns_individual"]:
        return entry
    return {**entry, "reason": ""}


def evidence_json(entry: dict[str, Any]) -> list[str]:
    try:
        return list(json.loads(entry.get("evidence") or "[]"))
    except ValueError:
        return []


__all__ = ["Register", "RegisterView", "Row", "open_register_pack", "register_evidence_rows", "register_marker",
           "register_packs", "year_facts"]


def year_facts(store: "Store", la_name: str, year: str, today: str | None = None) -> dict[str, Any]:
    """An LA's register facts for a year (see Register.year_facts): what the year view shows as evidence from
    the register ('data' source) for aspects 2.3 and 2.4. Empty facts when the LA keeps no register here."""
    reg = Register(store, today=today)
    la = store.find_la(la_name)
    if la is None or reg.tables.la_pack(la["id"]) is None:
        return {"la": la_name, "year": year, "schools": 0, "aspects": ["2.3", "2.4"], "source": "data", "lines": []}
    return reg.year_facts(la_name, year)


def register_evidence_rows(store: "Store", la: dict[str, Any], year: str,
                           phases: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The register's facts for an LA's year as evidence rows for aspects 2.3 (categorising schools against
    published criteria) and 2.4 (the risk register kept and reviewed): one row per aspect and fact, source
    "data", kind "note" (shown and counted, rating nothing by itself), with the fields of the year view's Evidence
    record, so `Evidence(**row)` makes one. `phases`: the framework's phases the facts speak to."""
    facts = year_facts(store, la["name"], year)
    if not facts.get("schools"):
        return []
    stamp = f"{facts['on']}T23:59:59.999999+00:00"
    out = []
    for aspect in ("2.3", "2.4"):
        for n, line in enumerate(facts["lines"]):
            out.append({"source": "data", "aspect": aspect, "phases": tuple(phases), "date": facts["on"],
                        "kind": "note", "target": f"register.{n + 1}", "text": line, "who": "",
                        "organisation": la["name"], "school_id": None, "visit_id": None, "created_at": stamp})
    return out


def register_marker(store: "Store", la: dict[str, Any], year: str) -> str:
    """What changes whenever an LA's register does (its newest entry's number): a kept rating that rests on the
    register's evidence is read again after it."""
    from ..store.register import RegisterTables

    return str(RegisterTables(store).last_seq(la["id"]))
