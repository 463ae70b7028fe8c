"""`laqs review …`: a school review (the Leadership and Learning Quality Review) from the command line.
`register(cli)` adds the group; everything it does goes through the application's review desk (app/reviews.py).
Only click is imported at start-up."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UsageError
from ..inert import inert


def _desk(state, create: bool = False):
    from ..app.reviews import ReviewDesk

    return ReviewDesk(state.open_store(create=create, read_only=None if not create else False))


def _stages(values: tuple[str, ...]) -> list[str]:
    """Stages as typed: `1 2 3`, `1,2,3` or `1-5`."""
    out: list[str] = []
    for v in values:
        for part in v.replace(",", " ").split():
            if "-" in part:
                a, _, b = part.partition("-")
                if not (a.isdigit() and b.isdigit()) or int(a) > int(b):
                    raise UsageError(f"'{part}' is not a range of stages (e.g. 1-5)")
                out += [str(i) for i in range(int(a), int(b) + 1)]
            else:
                out.append(part)
    return out


def register(cli: click.Group) -> None:
    cli.add_command(review)


@click.group()
def review() -> None:
    """School reviews: the Leadership and Learning Quality Review (LLQR).

    \b
    Stage 1: laqs review start SCHOOL --reviewer A --reviewer B --day DATE, then laqs review discuss.
    Stage 2: the day plan (laqs review plan), the interviews that give the school's own quality standards
    (laqs review interview), evidence against them (laqs review evidence), pooled at collation (laqs review
    collate). Stage 3: laqs review note, laqs review report. Stage 4: laqs review priority. laqs review cost.
    """


@review.command("start")
@click.argument("school")
@click.option("--reviewer", "team", multiple=True, required=True, help="A reviewer (the first leads the review); "
              "give it once for each member of the team.")
@click.option("--day", "days", multiple=True, required=True,
              help="The first day of the review (YYYY-MM-DD; the next school day follows), or each day.")
@click.option("--stages", "stages", multiple=True, help="The stages chosen: 1-3 (the default), 1-5, 1,2,3,4 …")
@click.option("--area", "areas", multiple=True, help="A focus area (A, TL, C, LM); default: all four.")
@click.option("--subject", "subjects", multiple=True, help="A subject the school chose to focus on.")
@click.option("--starts", default=None, help="When each day starts (HH:MM; default the pack's, 09:00).")
@click.pass_obj
def review_start(state, school, team, days, stages, areas, subjects, starts) -> None:
    """Start a review of SCHOOL by a team: its days, the stages chosen, and the day plan from the suggested
    timetable for the team's size."""
    desk = _desk(state, create=True)
    r = desk.start(school, list(team), list(days), _stages(stages) or None, list(areas) or None, list(subjects),
                   starts)
    total, _ = desk.cost(r["id"])
    click.echo(f"Review {r['id'][:8]} of {inert(r['school'])}: {' and '.join(r['days'])}, "
               f"team {', '.join(inert(t) for t in r['team'])}")
    click.echo(f"Stages {', '.join(r['stages'])}: {total:g} days. Day plan: laqs review plan {r['id'][:8]}")


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def review_list(state, as_json) -> None:
    """The reviews in the store, latest first."""
    rows = _desk(state).list()
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in ("id", "school", "days", "team", "stages", "areas", "subjects",
                                                  "framework_version")} for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No reviews yet: laqs review start SCHOOL --reviewer A --reviewer B --day DATE")
    for r in rows:
        click.echo(f"{r['id'][:8]}  {r['days'][0]}  {inert(r['school'])}  ({', '.join(inert(t) for t in r['team'])})")


@review.command("show")
@click.argument("ref", metavar="REVIEW")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def review_show(state, ref, as_json) -> None:
    """A review: school, days, team, stages and cost, the agreed focus, the stage 1 discussion, and how far it has
    gone (standards, evidence, collations)."""
    desk = _desk(state)
    r = desk.get(ref)
    total, lines = desk.cost(r["id"])
    standings = desk.standings(r["id"])
    if as_json:
        click.echo(json.dumps({**{k: r[k] for k in ("id", "school", "days", "team", "stages", "areas", "subjects",
                                                     "discussion", "discussed_on", "discussed_with",
                                                     "framework_version", "day_starts")},
                               "cost_days": total, "standards": len(standings),
                               "evidence": sum(sum(s.counts.values()) for s in standings)}, indent=2,
                              ensure_ascii=False))
        return
    pack = desk.pack_of(r)
    click.echo(f"{inert(r['school'])} — {pack.title} ({r['id'][:8]})")
    click.echo(f"  days {', '.join(r['days'])} from {r['day_starts']}; team {', '.join(inert(t) for t in r['team'])}")
    click.echo(f"  stages {', '.join(r['stages'])}: {total:g} days")
    click.echo(f"  focus: {', '.join(pack.area(a).title for a in r['areas'])}"
               + (f"; subjects: {', '.join(inert(s) for s in r['subjects'])}" if r["subjects"] else ""))
    if r["discussion"]:
        click.echo(f"  stage 1 discussion ({r['discussed_on']}"
                   + (f", with {inert(r['discussed_with'])}" if r["discussed_with"] else "") + "): "
                   + inert(r["discussion"], one_line=True))
    for st in pack.stages:
        if st.within_days and st.id in r["stages"]:
            from datetime import date, timedelta

            by = date.fromisoformat(r["days"][-1]) + timedelta(days=st.within_days)
            click.echo(f"  stage {st.id} ({st.title.lower()}): ideally by {by.isoformat()}, within "
                       f"{st.within_days} days of the review")
    n_ev = sum(sum(s.counts.values()) for s in standings)
    click.echo(f"  the school's framework: version {r['framework_version']}, {len(standings)} standards; "
               f"{n_ev} pieces of evidence")


@review.command("discuss")
@click.argument("ref", metavar="REVIEW")
@click.argument("text")
@click.option("--on", "on", default=None, help="The day of the discussion (YYYY-MM-DD; default today).")
@click.option("--with", "with_whom", default="", help="Who took part (e.g. 'the head teacher and the Chair of "
              "Governors').")
@click.option("--area", "areas", multiple=True, help="A focus area agreed (A, TL, C, LM).")
@click.option("--subject", "subjects", multiple=True, help="A subject agreed for focus.")
@click.pass_obj
def review_discuss(state, ref, text, on, with_whom, areas, subjects) -> None:
    """Stage 1: record the initial discussion and the focus it agreed."""
    desk = _desk(state, create=True)
    r = desk.discuss(ref, text, on, with_whom, list(areas) or None, list(subjects) or None)
    pack = desk.pack_of(r)
    click.echo(f"Stage 1 recorded for {inert(r['school'])}: focus {', '.join(pack.area(a).title for a in r['areas'])}"
               + (f"; subjects {', '.join(inert(s) for s in r['subjects'])}" if r["subjects"] else ""))


@review.command("team")
@click.argument("ref", metavar="REVIEW")
@click.option("--reviewer", "team", multiple=True, required=True, help="A reviewer, once for each.")
@click.pass_obj
def review_team(state, ref, team) -> None:
    """Change the team. A team of another size gets the suggested day plan for its size afresh."""
    r = _desk(state, create=True).set_team(ref, list(team))
    click.echo(f"Team: {', '.join(inert(t) for t in r['team'])}")


@review.command("stages")
@click.argument("ref", metavar="REVIEW")
@click.argument("stages", nargs=-1, required=True)
@click.pass_obj
def review_stages(state, ref, stages) -> None:
    """Choose the stages (1-3, or with the optional 4 and 5)."""
    desk = _desk(state, create=True)
    r = desk.set_stages(ref, _stages(stages))
    total, _ = desk.cost(r["id"])
    click.echo(f"Stages {', '.join(r['stages'])}: {total:g} days")


@review.command("cost")
@click.argument("ref", metavar="[REVIEW]", required=False)
@click.option("--stages", "stages", multiple=True, help="The stages to cost (default: the review's, else 1-3).")
@click.option("--team", "team", type=int, default=None, help="The team's size, costing without a review (default 2).")
@click.pass_obj
def review_cost(state, ref, stages, team) -> None:
    """The cost in days of the stages chosen, part by part, with the source's words."""
    from ..app.reviews import DEFAULT_REVIEW_PACK, open_review_pack

    chosen = _stages(stages)
    if ref:
        if team is not None:
            raise UsageError("--team costs without a review; a review's cost is for its own team")
        total, lines = _desk(state).cost(ref, chosen or None)
    else:
        pack = open_review_pack(DEFAULT_REVIEW_PACK)
        known = [s.id for s in pack.stages]
        for s in chosen:
            if s not in known:
                raise UsageError(f"no stage '{s}' (stages: {', '.join(known)})")
        size = team if team is not None else pack.timetable_reviewers
        if not pack.team_min <= size <= pack.team_max:
            raise UsageError(f"a team of {pack.team_min} to {pack.team_max}")
        total, lines = pack.cost(chosen or [s.id for s in pack.stages if not s.optional], size)
    for line in lines:
        click.echo(f"  {line}")
    click.echo(f"In all: {total:g} days")


@review.command("plan")
@click.argument("ref", metavar="REVIEW")
@click.option("--day", type=int, default=None, help="One day only.")
@click.option("--reviewer", default=None, help="One reviewer's sessions only (a name or a number).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def review_plan(state, ref, day, reviewer, as_json) -> None:
    """The day plan: each session's time and length, and what each reviewer does."""
    desk = _desk(state)
    plan = desk.day_plan(ref)
    who = desk.reviewer(desk.get(ref), reviewer) if reviewer else None
    rows = [r for r in plan.rows if day is None or r.day == day]
    if as_json:
        click.echo(json.dumps([{"day": r.day, "session": r.session, "break": r.label, "minutes": r.minutes,
                                "starts": r.starts, "ends": r.ends,
                                "activities": [{"reviewer": a.reviewer, "name": a.name, "kind": a.kind,
                                                "text": a.text, "area": a.area, "joins": a.joins}
                                               for a in r.activities if who is None or a.reviewer == who]}
                               for r in rows], indent=2, ensure_ascii=False))
        return
    current = None
    for r in rows:
        if r.day != current:
            current = r.day
            click.echo(f"Day {r.day} ({plan.days[r.day - 1]})")
        if not r.session:
            click.echo(f"  {r.starts}–{r.ends}  {r.label} ({r.minutes} minutes)")
            continue
        click.echo(f"  {r.starts}–{r.ends}  Session {r.session} ({r.minutes} minutes)")
        for a in r.activities:
            if who is None or a.reviewer == who:
                joins = f" (with {plan.team[a.joins - 1]})" if a.joins else ""
                click.echo(f"      {inert(a.name)}: {inert(a.text)}{joins}")


@review.command("edit-plan")
@click.argument("ref", metavar="REVIEW")
@click.option("--day", type=int, required=True, help="The day (1, 2 …).")
@click.option("--session", required=True, help="The session's number, or a break's name ('Break').")
@click.option("--reviewer", default=None, help="Whose activity (a name or a number).")
@click.option("--text", default=None, help="What they do, in your words.")
@click.option("--kind", default=None, help="What kind of activity: observation, work-sample, data, pupils, "
              "teachers, interview, planning, collation, feedback.")
@click.option("--area", default=None, help="The area an interview or a look at planning is about.")
@click.option("--minutes", type=int, default=None, help="The session's or break's length.")
@click.pass_obj
def review_edit_plan(state, ref, day, session, reviewer, text, kind, area, minutes) -> None:
    """Change the day plan: a session's length, or what a reviewer does in it."""
    if text is None and kind is None and minutes is None:
        raise UsageError("say what to change: --text/--kind (with --reviewer) or --minutes")
    plan = _desk(state, create=True).edit_plan(ref, day, session, reviewer=reviewer, text=text, kind=kind,
                                               area=area, minutes=minutes)
    for r in plan.day_rows(day):
        if r.session == session or (not r.session and r.label.lower() == session.lower()):
            acts = "; ".join(f"{inert(a.name)}: {inert(a.text)}" for a in r.activities)
            click.echo(f"Day {day} {r.starts}–{r.ends} {('Session ' + r.session) if r.session else r.label}: "
                       f"{acts or str(r.minutes) + ' minutes'}")


@review.command("interview")
@click.argument("ref", metavar="REVIEW")
@click.option("--reviewer", required=True, help="Who is interviewing (a name or a number).")
@click.option("--area", "areas", multiple=True, help="The area (A, TL, C, LM); default: the reviewer's interviews "
              "in the day plan.")
@click.option("--answer", default=None, help="The answer (one standard a line); without it, line mode asks.")
@click.option("--with", "interviewees", default="", help="Who was interviewed.")
@click.option("--individual", is_flag=True, help="With --answer: it concerns an individual; kept, never in the "
              "report, and it gives no standards.")
@click.option("--file", "script", type=click.File("r", encoding="utf-8"), default=None,
              help="Read line mode's input from a file (- for standard input).")
@click.pass_obj
def review_interview(state, ref, reviewer, areas, answer, interviewees, individual, script) -> None:
    """Stage 2 interviews: the school's answer to "What are the Quality Standards for …?"; each line becomes one
    of the school's standards, a criterion of its framework."""
    desk = _desk(state, create=True)
    if answer is not None:
        if len(areas) != 1:
            raise UsageError("--answer records one interview: give its --area")
        row = desk.interview(ref, areas[0], reviewer, answer, standards=[] if individual else None,
                             interviewees=interviewees, flagged=individual)
        click.echo(f"Recorded; standards {', '.join(row['standards'])}" if row["standards"] else
                   "Recorded (about an individual: kept out of the report)" if individual else "Recorded")
        return
    if individual:
        raise UsageError("--individual goes with --answer (one interview about an individual)")
    from ..line.review import run_interviews

    raise SystemExit(run_interviews(desk, ref, reviewer, list(areas), script))


@review.command("standards")
@click.argument("ref", metavar="REVIEW")
@click.option("--as-of", "as_of", type=int, default=None, help="The framework as it stood at this version.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def review_standards(state, ref, as_of, as_json) -> None:
    """The framework made for the school: its quality standards, by area, as criteria."""
    fw = _desk(state).framework(ref, as_of)
    if as_json:
        click.echo(json.dumps(fw, indent=2, ensure_ascii=False))
        return
    click.echo(f"{inert(fw['title'])} ({fw['id']}, version {fw['version']})")
    for a in fw["areas"]:
        click.echo(f"{a['id']}  {a['title']}")
        for c in a["criteria"]:
            v = f" (v{c['version']})" if c["version"] > 1 else ""
            click.echo(f"  {c['id']:<6} {inert(c['text'], one_line=True)}{v}")
        if not a["criteria"]:
            click.echo("  (none recorded)")


@review.command("standard")
@click.argument("ref", metavar="REVIEW")
@click.argument("code")
@click.option("--text", default=None, help="New words for the standard (a new version).")
@click.option("--withdraw", is_flag=True, help="Withdraw it from the school's framework (a new version).")
@click.option("--add", "area", default=None, help="Add CODE's words as a new standard of this area instead.")
@click.pass_obj
def review_standard(state, ref, code, text, withdraw, area) -> None:
    """Revise or withdraw one of the school's standards (each change is a new version), or add one."""
    desk = _desk(state, create=True)
    if area:
        row = desk.add_standard(ref, area, code)
        click.echo(f"Added {row['code']}: {inert(row['text'], one_line=True)}")
        return
    if text is None and not withdraw:
        raise UsageError("say what to change: --text WORDS or --withdraw (or --add AREA to add a standard)")
    row = desk.revise_standard(ref, code, text, withdraw)
    click.echo(f"{row['code']} version {row['version']}" + (" withdrawn" if row["withdrawn"] else
                                                             f": {inert(row['text'], one_line=True)}"))


@review.command("evidence")
@click.argument("ref", metavar="REVIEW")
@click.argument("entry", nargs=-1)
@click.option("--reviewer", required=True, help="Who found it (a name or a number).")
@click.option("--kind", default="observation", help="observation, work-sample, data, pupils, teachers, interview, "
              "planning (default observation).")
@click.option("--day", type=int, default=None, help="The day of the review.")
@click.option("--session", default=None, help="The session.")
@click.option("--individual", is_flag=True, help="It concerns an individual: kept, never in the report.")
@click.option("--file", "script", type=click.File("r", encoding="utf-8"), default=None,
              help="Read line mode's input from a file (- for standard input).")
@click.pass_obj
def review_evidence(state, ref, entry, reviewer, kind, day, session, individual, script) -> None:
    """Evidence against one of the school's standards: `CODE EXTENT WORDS…` (EXTENT: evident, partly,
    not-evident); with no ENTRY, line mode takes one a line."""
    desk = _desk(state, create=True)
    if entry:
        if len(entry) < 3:
            raise UsageError("give CODE EXTENT WORDS, e.g. A.1 partly Year 4 books show next steps")
        code, extent, words = entry[0], entry[1], " ".join(entry[2:])
        row = desk.evidence(ref, code, kind, reviewer, extent, words, day, session, individual)
        click.echo(f"{row['code']}: {row['extent']} ({row['kind']}, reviewer {row['reviewer']})")
        return
    from ..line.review import run_evidence

    raise SystemExit(run_evidence(desk, ref, reviewer, kind, day, session, script))


@review.command("findings")
@click.argument("ref", metavar="REVIEW")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def review_findings(state, ref, as_json) -> None:
    """Each standard: the evidence so far by extent and reviewer, what it suggests and what the team agreed."""
    rows = _desk(state).standings(ref)
    if as_json:
        click.echo(json.dumps([s._asdict() for s in rows], indent=2, ensure_ascii=False))
        return
    for s in rows:
        counts = ", ".join(f"{n} {k}" for k, n in s.counts.items() if n) or "no evidence yet"
        agreed = f"; agreed: {s.agreed}" if s.agreed else ""
        click.echo(f"{s.code:<6} {s.suggested or '—':<12} {counts}{agreed}  {inert(s.text, one_line=True)[:60]}")


@review.command("collate")
@click.argument("ref", metavar="REVIEW")
@click.option("--day", type=int, default=None, help="The day of the collation session.")
@click.option("--session", default=None, help="The session.")
@click.option("--agree", "agree", multiple=True, metavar="CODE=EXTENT",
              help="The team's own finding for a standard, where it differs from what the evidence suggests.")
@click.pass_obj
def review_collate(state, ref, day, session, agree) -> None:
    """A collation session: pool every reviewer's evidence and record the team's finding per standard."""
    decided = {}
    for a in agree:
        code, sep, extent = a.partition("=")
        if not sep or not code.strip() or not extent.strip():
            raise UsageError(f"--agree takes CODE=EXTENT, e.g. A.1=partly, not '{a}'")
        decided[code.strip()] = extent.strip()
    desk = _desk(state, create=True)
    c = desk.collate(ref, day, session, decided)
    click.echo(f"Collation: {c['pooled']} new pieces of evidence pooled")
    for s in desk.standings(ref):
        if s.agreed:
            click.echo(f"  {s.code:<6} {s.agreed}")


@review.command("note")
@click.argument("ref", metavar="REVIEW")
@click.argument("kind", type=click.Choice(["leadership", "judgement", "recommendation", "question", "point",
                                           "feedback", "discussion", "evaluation"]))
@click.argument("text")
@click.option("--area", default=None, help="The area it is about.")
@click.pass_obj
def review_note(state, ref, kind, text, area) -> None:
    """The report's words: leadership (its effectiveness in establishing the standards), a judgement, a
    recommendation, a question or point for consideration, the verbal feedback, the stage 3 discussion."""
    _desk(state, create=True).note(ref, kind, text, area)
    click.echo(f"Recorded the {kind}")


@review.command("priority")
@click.argument("ref", metavar="REVIEW")
@click.argument("text")
@click.option("--owner", required=True, help="Who owns it.")
@click.option("--due", default=None, help="By when (YYYY-MM-DD).")
@click.option("--area", default=None, help="The area it serves.")
@click.option("--support", default="", help="Support brokered (e.g. a Specialist Leader of Education).")
@click.pass_obj
def review_priority(state, ref, text, owner, due, area, support) -> None:
    """Stage 4: a rich priority for the school improvement plan, kept as an action with its owner."""
    a = _desk(state, create=True).priority(ref, text, owner, due, area, support)
    click.echo(f"Rich priority {a['id'][:8]}: {inert(a['text'], one_line=True)} (owner {inert(a['owner'])})")


@review.command("report")
@click.argument("ref", metavar="REVIEW")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="The .docx to write (a file or a folder); default notes/review-<school>-<day>-<id>.docx.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="A .docx template (default: the shipped templates/review-report.docx).")
@click.pass_obj
def review_report(state, ref, out_path, force, template) -> None:
    """The review's report as a Word document: the school's view of quality, the effectiveness of leadership in
    establishing it, the extent to which it is evident, judgements and recommendations, questions and points for
    consideration, rich priorities. Nothing flagged as concerning an individual is in it."""
    path = _desk(state).write_report(ref, str(out_path) if out_path else None, force,
                                     str(template) if template else None)
    click.echo(f"Wrote {path}")
