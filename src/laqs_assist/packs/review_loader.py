"""Load a review pack folder (pack.yaml with `kind: review`, and timetable.yaml), checking it as the framework
loader checks a framework: every fault is one line `file:line: what`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import review_model as r
from .files import Budget, PackFile
from .model import id_problem

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_HEADER_KEYS = {"id", "kind", "title", "source", "version", "description", "team", "day_starts", "describes",
                "stages", "costs", "areas", "evidence_kinds", "extent"}


def _ident(f: PackFile, d: Any, what: str, seen: dict[str, str]) -> str:
    f.mapping(d, what)
    value = f.get(d, "id")
    problem = id_problem(value)
    if problem:
        raise f.fail(problem, d, "id")
    if value in seen:
        raise f.fail(f"duplicate {what} id '{value}'", d, "id")
    seen[value] = what
    return value


def _number(f: PackFile, d: Any, key: str, default: float | None = None, whole: bool = False) -> Any:
    value = f.get(d, key, int if whole else float, default)
    if value is not None and value < 0:
        raise f.fail(f"'{key}' must not be negative", d, key)
    return value


def load_review_pack(root: Path, hf: PackFile | None = None) -> r.ReviewPack:
    """The review pack in folder `root` (its pack.yaml already read as `hf`, when the dispatcher has it)."""
    budget = Budget()
    if hf is None:
        hf = PackFile(root / "pack.yaml", root, budget)
    d = hf.mapping(hf.data, "pack.yaml")
    hf.check_keys(d, _HEADER_KEYS, "a review pack's pack.yaml")
    pack_id = hf.ident(d)
    team = hf.mapping(hf.get(d, "team", dict), "'team'", d, "team")
    hf.check_keys(team, {"min", "max"}, "'team'")
    team_min = _number(hf, team, "min", whole=True)
    team_max = _number(hf, team, "max", 8, whole=True)
    if team_min < 1 or team_max < team_min:
        raise hf.fail("'team' needs 1 <= min <= max", d, "team")
    starts = hf.get(d, "day_starts", str, "09:00")
    if not _CLOCK.match(starts):
        raise hf.fail(f"'day_starts' must be a time of day as HH:MM, not '{starts}'", d, "day_starts")

    seen: dict[str, str] = {}
    stages = []
    for s in hf.seq(hf.get(d, "stages", list), "'stages'", d, "stages"):
        sid = _ident(hf, s, "stage", seen)
        hf.check_keys(s, {"id", "title", "who", "text", "optional", "days", "within_days"}, "a stage")
        stages.append(r.Stage(sid, hf.get(s, "title"), " ".join(hf.get(s, "text").split()), hf.get(s, "who", str, ""),
                              hf.get(s, "optional", bool, False), _number(hf, s, "days", 0, whole=True),
                              _number(hf, s, "within_days", 0, whole=True)))
    if not stages:
        raise hf.fail("a review pack needs at least one stage", d, "stages")
    stage_ids = {s.id for s in stages}

    costs = []
    priced: dict[str, int] = {}
    for c in hf.seq(hf.get(d, "costs", list, []), "'costs'", d, "costs"):
        hf.mapping(c, "a cost")
        hf.check_keys(c, {"stages", "days", "said", "team", "per_extra_reviewer"}, "a cost")
        names = hf.strings(c, "stages", required=True)
        for i, sid in enumerate(names):
            if sid not in stage_ids:
                raise hf.fail(f"cost names unknown stage '{sid}' (stages: {', '.join(sorted(stage_ids))})",
                              c["stages"], i)
            if sid in priced:
                raise hf.fail(f"stage '{sid}' is priced twice (also on line {priced[sid]})", c["stages"], i)
            from .yamlsrc import line_of

            priced[sid] = line_of(c["stages"], i)
        costs.append(r.Cost(names, _number(hf, c, "days"), " ".join(hf.get(c, "said").split()),
                            _number(hf, c, "team", 0, whole=True), _number(hf, c, "per_extra_reviewer", 0.0)))

    areas = []
    for a in hf.seq(hf.get(d, "areas", list), "'areas'", d, "areas"):
        aid = _ident(hf, a, "area", seen)
        hf.check_keys(a, {"id", "title", "question", "planning"}, "an area")
        areas.append(r.Area(aid, hf.get(a, "title"), hf.get(a, "question"), hf.get(a, "planning", str, "")))
    if not areas:
        raise hf.fail("a review pack needs at least one area", d, "areas")

    kinds = []
    for k in hf.seq(hf.get(d, "evidence_kinds", list), "'evidence_kinds'", d, "evidence_kinds"):
        kid = _ident(hf, k, "evidence kind", seen)
        hf.check_keys(k, {"id", "label", "for"}, "an evidence kind")
        purpose = hf.get(k, "for")
        if purpose not in ("standards", "extent"):
            raise hf.fail(f"'for' must be standards or extent, not '{purpose}'", k, "for")
        if kid in r.TEAM_ACTIVITIES:
            raise hf.fail(f"'{kid}' is a team activity, not a kind of evidence", k, "id")
        kinds.append(r.EvidenceKind(kid, hf.get(k, "label"), purpose))

    extent = []
    for e in hf.seq(hf.get(d, "extent", list), "'extent'", d, "extent"):
        eid = _ident(hf, e, "extent", seen)
        hf.check_keys(e, {"id", "label"}, "an extent")
        extent.append(r.Extent(eid, hf.get(e, "label")))
    if len(extent) < 2:
        raise hf.fail("'extent' needs at least two points (best first)", d, "extent")

    tf = PackFile(root / "timetable.yaml", root, budget)
    t = tf.mapping(tf.data, "timetable.yaml")
    tf.check_keys(t, {"note", "reviewers", "days"}, "timetable.yaml")
    named = _number(tf, t, "reviewers", whole=True)
    if named < 1:
        raise tf.fail("'reviewers' must be at least 1", t, "reviewers")
    area_ids = {a.id for a in areas}
    kind_ids = {k.id for k in kinds} | set(r.TEAM_ACTIVITIES)
    days = []
    for day in tf.seq(tf.get(t, "days", list), "'days'", t, "days"):
        tf.mapping(day, "a day")
        tf.check_keys(day, {"day", "sessions"}, "a day")
        number = _number(tf, day, "day", whole=True)
        if number != len(days) + 1:
            raise tf.fail(f"day {number} is out of order (expected day {len(days) + 1})", day, "day")
        slots = []
        sessions_seen: set[str] = set()
        for s in tf.seq(tf.get(day, "sessions", list), "'sessions'", day, "sessions"):
            tf.mapping(s, "a session")
            minutes = _number(tf, s, "minutes", whole=True)
            if not 0 < minutes <= 600:
                raise tf.fail("'minutes' must be between 1 and 600", s, "minutes")
            if "break" in s:
                tf.check_keys(s, {"break", "minutes"}, "a break")
                slots.append(r.Slot(minutes, label=tf.get(s, "break")))
                continue
            tf.check_keys(s, {"session", "minutes", "reviewers"}, "a session")
            label = tf.get(s, "session")
            if label in sessions_seen:
                raise tf.fail(f"session '{label}' comes twice on day {number}", s, "session")
            sessions_seen.add(label)
            acts = []
            revs = tf.seq(tf.get(s, "reviewers", list), "'reviewers'", s, "reviewers")
            if len(revs) != named:
                raise tf.fail(f"session {label} of day {number} gives {len(revs)} reviewers' activities; the "
                              f"timetable names {named}", s, "reviewers")
            for a in revs:
                tf.mapping(a, "an activity")
                tf.check_keys(a, {"kind", "text", "area"}, "an activity")
                kind = tf.get(a, "kind")
                if kind not in kind_ids:
                    raise tf.fail(f"unknown activity '{kind}' (evidence kinds and team activities: "
                                  f"{', '.join(sorted(kind_ids))})", a, "kind")
                area = tf.get(a, "area", str, "")
                if area and area not in area_ids:
                    raise tf.fail(f"unknown area '{area}' (areas: {', '.join(area_ids)})", a, "area")
                if kind in ("interview", "planning") and not area:
                    raise tf.fail(f"a '{kind}' activity names the area it is about ('area:')", a)
                acts.append(r.Activity(kind, tf.get(a, "text"), area))
            slots.append(r.Slot(minutes, session=label, activities=tuple(acts)))
        if not slots:
            raise tf.fail(f"day {number} has no sessions", day, "sessions")
        days.append(r.Day(number, tuple(slots)))
    if not days:
        raise tf.fail("the timetable has no days", t, "days")
    review_days = max((s.days for s in stages), default=0)
    if review_days and review_days != len(days):
        raise tf.fail(f"the timetable gives {len(days)} days; the review's stage takes {review_days}", t, "days")

    return r.ReviewPack(
        id=pack_id, title=hf.get(d, "title"), source=hf.get(d, "source", str, ""),
        version=str(hf.get(d, "version", (str, int, float), "")), description=" ".join(
            hf.get(d, "description", str, "").split()), path=root, team_min=team_min, team_max=team_max,
        day_starts=starts, describes=hf.strings(d, "describes"), stages=tuple(stages), costs=tuple(costs),
        areas=tuple(areas), evidence_kinds=tuple(kinds), extent=tuple(extent), timetable_reviewers=named,
        timetable_note=" ".join(tf.get(t, "note", str, "").split()), days=tuple(days))


__all__ = ["declared_kind", "load_review_pack"]


_KIND_LINE = re.compile(r"^kind:\s*['\"]?([A-Za-z_-]+)['\"]?\s*(?:#.*)?$")


def declared_kind(folder: Path) -> str:
    """The kind a pack folder's pack.yaml declares on a top-level `kind:` line (framework when none), read without
    loading the pack, as the registry reads its id."""
    try:
        with (Path(folder) / "pack.yaml").open(encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                m = _KIND_LINE.match(line.rstrip("\n"))
                if m:
                    return m.group(1)
                if n > 200:
                    break
    except (OSError, UnicodeDecodeError):
        pass
    return "framework"
