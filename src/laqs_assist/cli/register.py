"""`laqs register …`: the school register on the command line. `register(cli)` adds the group.

Every command goes through the application module (app/register.py); the documents through
notes/register_docs.py. Only click is imported at start-up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..inert import inert
from ..inert import short as _short


def register(cli: click.Group) -> None:
    cli.add_command(register_group)


def _open(state, write: bool = False):
    from ..app.register import Register

    store = state.open_store(create=write, read_only=None if not write else False)
    return Register(store, author=_author(state))


def _author(state) -> str:
    try:
        return state.settings.name or ""
    except UsageError:
        return ""


def _dump(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


_ON = click.option("--on", "on", default=None, metavar="DATE", help="The day it takes effect (default: today).")
_BY = click.option("--by", "by", default="", help="Who made the change (default: your name in `laqs settings`).")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@click.group("register")
def register_group() -> None:
    """The school register: each school's level of risk or category, stage of concern, escalation, visits and
    support days, kept by an LA's register pack (`laqs packs list` shows the installed ones).

    \b
    Every change keeps its evidence, reason, who and when; nothing is overwritten (`laqs register school` shows a
    school's history). Letters, the board report and CSV leave out what concerns an individual.
    """


@register_group.command("list")
@_JSON
@click.pass_obj
def list_(state, as_json) -> None:
    """The LAs with a register in this store, the pack each keeps it by, and how many schools."""
    with _open(state) as reg:
        rows = reg.las()
    if as_json:
        _dump(rows)
        return
    for r in rows:
        click.echo(f"{_short(inert(r['name']), 30):<30} {r['pack_id']:<24} {r['schools']} schools")
    if not rows:
        click.echo("no registers yet: laqs register add LA --pack barnsley-register --name … (laqs packs list shows "
                   "the register packs)")


@register_group.command("add")
@click.argument("la")
@click.option("--pack", default=None, help="The LA's register pack (id or folder), needed for its first school.")
@click.option("--name", required=True, help="The school's name.")
@click.option("--urn", required=True, help="Its unique reference number.")
@click.option("--phase", required=True, help="Its phase (Primary, Secondary, Special, …).")
@click.option("--kind", type=click.Choice(["maintained", "academy"]), required=True, help="Maintained or academy.")
@click.option("--head-start", default=None, metavar="DATE", help="When the headteacher took up post.")
@click.pass_obj
def add(state, la, pack, name, urn, phase, kind, head_start) -> None:
    """Put a school on LA's register."""
    with _open(state, write=True) as reg:
        row = reg.add_school(la, name, urn, phase, kind, head_start, pack)
        click.echo(f"added {inert(row['name'])} (URN {row['urn']}, {row['phase']}, {row['kind']}) to {la}")


@register_group.command("import")
@click.argument("la")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--pack", default=None, help="The LA's register pack, needed when it has no register yet.")
@click.pass_obj
def import_(state, la, csv_file, pack) -> None:
    """Schools from a CSV (columns name, urn, phase, kind and optionally head_start)."""
    with _open(state, write=True) as reg:
        added, kept = reg.import_schools(la, csv_file, pack)
        more = f"; {kept} already on it" if kept else ""
        click.echo(f"{added} school{'' if added == 1 else 's'} added to {la}'s register{more}")


def _level_cell(r, width: int = 16) -> str:
    if r.level is None:
        return click.style(f"{'not assessed':<{width}}", dim=True)
    text = f"{_short(r.level.short, width):<{width}}"
    hexa = r.level.colour.lstrip("#")
    rgb = tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4))
    return click.style(text, fg=rgb, bold=True) if sys.stdout.isatty() else text


@register_group.command("show")
@click.argument("la")
@click.option("--year", default=None, help="A school year (2026/27): the register at its end, or today if sooner.")
@_ON
@click.option("--level", default=None, help="Only schools at this level or category.")
@click.option("--phase", default=None, help="Only schools of this phase.")
@click.option("--kind", type=click.Choice(["maintained", "academy"]), default=None, help="Only this kind of school.")
@click.option("--overdue", is_flag=True, help="Only schools with overdue visits.")
@_JSON
@click.pass_obj
def show(state, la, year, on, level, phase, kind, overdue, as_json) -> None:
    """LA's register: each school's level, stage, escalation, visits against the allowance, alerts."""
    with _open(state) as reg:
        view = reg.view(la, year=year, on=on, level=level, phase=phase, kind=kind, overdue_only=overdue)
    if as_json:
        _dump(view.as_json())
        return
    counts = view.counts()
    click.echo(f"{view.la} — {view.pack_title}; {view.year}, as of {view.on}")
    click.echo("  " + " · ".join(f"{lv.short}: {counts[lv.id]}" for lv in reversed(view.levels)))
    click.echo(f"{'School':<28} {'URN':<8} {view.term.capitalize()[:16]:<16} {'Since':<10} {'Stage':<5} "
               f"{'Esc.':<5} {'Visits':<10} {'Reports':<9} {'Overdue':<7} Next due")
    for r in view.rows:
        click.echo(f"{_short(inert(r.name), 28):<28} {r.urn:<8} {_level_cell(r)} {r.level_since or '':<10} "
                   f"{r.stage or '':<5} {r.escalation or '':<5} {f'{r.visits_made}/{r.visits_allowed}':<10} "
                   f"{f'{r.reports_made}/{r.reports_allowed}':<9} {str(r.overdue or ''):<7} {r.due_by or ''}")
        for line in (r.rule_due, r.alert, r.over):
            if line:
                click.echo(f"{'':<4}! {line}")
    if not view.rows:
        click.echo("(no schools match)")


@register_group.command("school")
@click.argument("la")
@click.argument("school")
@_ON
@_JSON
@click.pass_obj
def school(state, la, school, on, as_json) -> None:
    """One school in full: what its level allows, escalation, strands, support days and charge, its history."""
    from ..app.register import evidence_json

    with _open(state) as reg:
        info = reg.school_view(la, school, on=on)
    r, rp = info["row"], info["pack"]
    if as_json:
        out = {k: v for k, v in info.items() if k not in ("row", "pack", "charge")}
        from ..app.register import _row_json

        out["school"] = _row_json(r)
        if "charge" in info:
            c = info["charge"]
            out["charge"] = {"days": c.days, "band": c.band.said, "pays_days": c.pays_days, "amount": c.amount}
        _dump(out)
        return
    click.echo(f"{inert(r.name)} (URN {r.urn}, {r.phase}, {r.kind}); headteacher since {r.head_start or 'not given'}")
    click.echo(f"  {rp.term}: {r.level.label if r.level else 'not assessed'}"
               + (f" since {r.level_since} ({r.level_by or 'unknown'}): {inert(r.level_reason)}" if r.level else ""))
    if r.rule:
        click.echo(f"  set by the automatic rule {r.rule}")
    if r.rule_due:
        click.echo(f"  ! {r.rule_due}")
    click.echo(f"  visits {r.visits_made} of {r.visits_allowed or '—'}; written reports {r.reports_made} of "
               f"{r.reports_allowed or '—'}; overdue periods {r.overdue}; next visit due by {r.due_by or '—'}")
    if r.over:
        click.echo(f"  ! {r.over}")
    if info.get("support"):
        click.echo(f"  support ({info.get('support_label') or r.level.label}):")
        for line in info["support"]:
            click.echo(f"    • {line}")
    if "ladder" in info:
        click.echo(f"  escalation ({r.kind}): " + (f"step {r.escalation} since {r.escalation_since}; next "
                                                   f"{' or '.join(r.next_steps) or 'none (last step)'}"
                                                   if r.escalation else "none"))
        for step in info["ladder"]:
            mark = "▶" if step["current"] else ("→" if step["next"] else " ")
            cond = f" [only if {step['only_if']}]" if step["only_if"] else ""
            click.echo(f"    {mark} {step['id']:<4} {_short(step['text'], 90)}{cond}")
    if "strands" in info:
        click.echo(f"  {r.stage_label}:")
        for s in info["strands"]:
            click.echo(f"    [{'x' if s['done'] else ' '}] {s['id']:<14} {_short(s['text'], 80)}"
                       + (f"  ({s['done']})" if s["done"] else ""))
    if r.alert:
        click.echo(f"  ! {r.alert}")
    if "charge" in info:
        d = info["support_days"]
        click.echo(f"  support days: {d['support']:g} (audit {d['audit']:g}, monitoring {d['monitoring']:g}); "
                   f"{info['charge'].line()}")
    click.echo("  history:")
    for e in info["history"]:
        ev = evidence_json(e)
        extra = f" [{', '.join(ev)}]" if ev else ""
        days = f" {e['days']:g} days" if e["days"] is not None else ""
        flag = " ⚑" if e["concerns_individual"] else ""
        rule = f" ({e['rule']})" if e["rule"] else ""
        click.echo(f"    {e['on_date']} {e['kind']:<10} {e['value'] or '—'}{days}{rule}{extra}{flag} — "
                   f"{_short(inert(e['reason']), 70)} · {e['by_whom'] or 'unknown'} {e['created_at'][:16]}")


def _say(change) -> None:
    click.echo(f"{inert(change.school)}: {change.label} ({change.kind}, {change.on})")
    if change.applied:
        click.echo(f"  automatic rule: {change.applied}")
    for line in change.notes:
        if line != change.applied:
            click.echo(f"  {line}")


@register_group.command("level")
@click.argument("la")
@click.argument("school")
@click.argument("level")
@click.option("--evidence", "-e", multiple=True, help="Evidence sources (ids, comma-separated or repeated).")
@click.option("--reason", "-r", default="", help="Why (required).")
@click.option("--flag", is_flag=True, help="The reason concerns an individual: kept out of letters, reports, CSV.")
@_ON
@_BY
@click.pass_obj
def level(state, la, school, level, evidence, reason, flag, on, by) -> None:
    """Put SCHOOL at LEVEL (or category), with the evidence and the reason; the automatic rules apply."""
    with _open(state, write=True) as reg:
        _say(reg.set_level(la, school, level, evidence, reason, on=on, by=by, flag=flag))


@register_group.command("head")
@click.argument("la")
@click.argument("school")
@click.argument("start", metavar="DATE")
@click.option("--reason", "-r", default="", help="A note (default: the dates).")
@_ON
@click.pass_obj
def head(state, la, school, start, reason, on) -> None:
    """A new headteacher took up post at SCHOOL on DATE (the automatic rule applies at once)."""
    with _open(state, write=True) as reg:
        _say(reg.new_headteacher(la, school, start, reason, on=on))


@register_group.command("stage")
@click.argument("la")
@click.argument("school")
@click.argument("stage")
@click.option("--factor", "-f", multiple=True, help="Factors causing concern (ids, comma-separated or repeated).")
@click.option("--reason", "-r", default="", help="Why (required; the school is told).")
@click.option("--flag", is_flag=True, help="The reason concerns an individual: kept out of letters, reports, CSV.")
@_ON
@_BY
@click.pass_obj
def stage(state, la, school, stage, factor, reason, flag, on, by) -> None:
    """Designate SCHOOL as causing concern at STAGE (1, 2, 3, or none)."""
    with _open(state, write=True) as reg:
        _say(reg.set_stage(la, school, stage, reason, factor, on=on, by=by, flag=flag))


@register_group.command("strand")
@click.argument("la")
@click.argument("school")
@click.argument("strand")
@click.option("--note", default="", help="A note.")
@_ON
@_BY
@click.pass_obj
def strand(state, la, school, strand, note, on, by) -> None:
    """Tick a strand of SCHOOL's stage of concern as done (with its date)."""
    with _open(state, write=True) as reg:
        _say(reg.tick_strand(la, school, strand, on=on, note=note, by=by))


@register_group.command("escalate")
@click.argument("la")
@click.argument("school")
@click.argument("step")
@click.option("--reason", "-r", default="", help="Why (required).")
@click.option("--not-engaging", is_flag=True, help="An academy not engaging: straight to the formal steps.")
@_ON
@_BY
@click.pass_obj
def escalate(state, la, school, step, reason, not_engaging, on, by) -> None:
    """Move SCHOOL to escalation STEP of the ladder for its kind (i, ii, …), or 'end'."""
    with _open(state, write=True) as reg:
        _say(reg.escalate(la, school, step, reason, on=on, not_engaging=not_engaging, by=by))


@register_group.command("visit")
@click.argument("la")
@click.argument("school")
@click.option("--report", is_flag=True, help="A written report followed the visit.")
@click.option("--note", default="", help="A note.")
@_ON
@_BY
@click.pass_obj
def visit(state, la, school, report, note, on, by) -> None:
    """Record a visit to SCHOOL (visits made with `laqs chat --school` count by themselves)."""
    with _open(state, write=True) as reg:
        _say(reg.record_visit(la, school, on=on, report=report, note=note, by=by))


@register_group.command("report")
@click.argument("la")
@click.argument("school")
@click.option("--note", default="", help="A note.")
@_ON
@_BY
@click.pass_obj
def report_(state, la, school, note, on, by) -> None:
    """Record a written report to SCHOOL."""
    with _open(state, write=True) as reg:
        _say(reg.record_report(la, school, on=on, note=note, by=by))


@register_group.command("support")
@click.argument("la")
@click.argument("school")
@click.argument("days", type=float)
@click.option("--kind", type=click.Choice(["support", "audit", "monitoring"]), default="support",
              help="Support days (charged by the bands), or LA-funded audit or monitoring days (capped).")
@click.option("--note", default="", help="A note.")
@_ON
@_BY
@click.pass_obj
def support(state, la, school, days, kind, note, on, by) -> None:
    """Record DAYS of support for SCHOOL; says what the school pays this year."""
    with _open(state, write=True) as reg:
        _say(reg.add_support(la, school, days, kind, on=on, note=note, by=by))


@register_group.command("charges")
@click.argument("la")
@click.option("--year", default=None, help="The school year (default: this one).")
@_JSON
@click.pass_obj
def charges(state, la, year, as_json) -> None:
    """Support days per school in a year and what each pays under the charging bands (--json for finance)."""
    with _open(state) as reg:
        fin = reg.charges(la, year)
    if as_json:
        _dump(fin)
        return
    cur = fin["currency"]
    click.echo(f"{fin['la']} — support days and charges, {fin['year']} ({cur}{fin['day_rate']:,.0f} a day)")
    click.echo(f"{'School':<30} {'URN':<8} {'Support':>7} {'Audit':>6} {'Monit.':>6} {'Pays':>5} {'Charge':>9}")
    for r in fin["schools"]:
        click.echo(f"{_short(inert(r['school']), 30):<30} {r['urn']:<8} {r['support_days']:>7g} {r['audit_days']:>6g} "
                   f"{r['monitoring_days']:>6g} {r['pays_days']:>5g} {cur}{r['charge']:>8,.0f}")
    click.echo(f"{'In all':<30} {'':<8} {'':>7} {'':>6} {'':>6} {'':>5} {cur}{fin['total_charge']:>8,.0f}")


def _ask(label: str, default: str | None) -> str:
    """One answer: a prompt at a terminal; from a pipe or file, the next line, echoed so the output is a
    transcript (an empty line takes the default)."""
    if sys.stdin.isatty():
        return click.prompt(label, default=default or None, show_default=bool(default)).strip()
    click.echo(f"{label}{f' [{default}]' if default else ''}: ", nl=False)
    line = sys.stdin.readline()
    if not line:
        click.echo("")
        raise UsageError("the answers ran out before the last school; those done are saved (run again to carry on)")
    click.echo(line.rstrip("\n"))
    answer = line.strip()
    if not answer and not default:
        return _ask(label, default)
    return answer or (default or "")


def _walk(state, la, on, by, kind: str, redo: bool) -> None:
    with _open(state, write=True) as reg:
        _, rp = reg.la(la)
        if kind != "annual":
            kind = {"week": "weekly", "month": "monthly", "half-term": "half-termly", "term": "termly"}[rp.review.every]
        day = reg.day(on)
        items = reg.walk(la, on=day)
        todo = [x for x in items if redo or x["last_reviewed"] != day]
        if not todo:
            click.echo(f"every school on {la}'s register was reviewed on {day} already (--redo to go again)")
            return
        levels = ", ".join(lv.id for lv in rp.levels)
        sources = ", ".join(e.id for e in rp.evidence_sources)
        click.echo(f"{'Annual assessment' if kind == 'annual' else 'Review'} of {la}'s register, {day}: "
                   f"{len(todo)} schools. Choices ({rp.term}): {levels}. Evidence: {sources}.")
        if kind != "annual":
            click.echo("Enter keeps a school where it is (recorded as reviewed).")
        changed = kept = 0
        for n, x in enumerate(todo, 1):
            s = x["school"]
            cur = rp.level(x["level"]) if x["level"] else None
            click.echo(f"[{n}/{len(todo)}] {inert(s['name'])} (URN {s['urn']}, {s['phase']}, {s['kind']}) — "
                       f"{cur.label + ' since ' + x['since'] if cur else 'not assessed'}; last reviewed "
                       f"{x['last_reviewed'] or 'never'}")
            if x["rule"]:
                click.echo(f"  automatic rule: {x['rule']}")
            while True:
                answer = _ask(f"  {rp.term}", x["rule_level"] or (cur.id if cur else ""))
                keep = cur is not None and answer == cur.id and not x["rule_level"] and kind != "annual"
                decision: dict[str, Any] = {"school": s, "level": None if keep else answer}
                if not keep:
                    decision["evidence"] = [_ask("  evidence", ",".join(x["evidence"]) or rp.evidence_sources[0].id)]
                    why = "confirmed at the annual assessment" if cur and answer == cur.id else ""
                    decision["reason"] = _ask("  reason", why)
                try:
                    result = reg.assess(la, [decision], kind, on=day, by=by, finish=False)
                    break
                except UsageError as exc:
                    click.echo(f"  {exc.line()} — try again", err=True)
            changed += result["changed"]
            kept += result["kept"]
        reg.finish_review(la, kind, changed, kept, on=day, by=by)
        click.echo(f"done: {changed} set or changed, {kept} unchanged; recorded as the {kind} review of {day}")


@register_group.command("assess")
@click.argument("la")
@_ON
@_BY
@click.option("--redo", is_flag=True, help="Include schools already reviewed on the day.")
@click.pass_obj
def assess(state, la, on, by, redo) -> None:
    """The annual assessment: each school in turn, its level with evidence and reason (prompts; a script may
    pipe the answers). Each school is saved as it is done; run again to carry on."""
    _walk(state, la, on, by, "annual", redo)


@register_group.command("review")
@click.argument("la")
@_ON
@_BY
@click.option("--redo", is_flag=True, help="Include schools already reviewed on the day.")
@click.pass_obj
def review(state, la, on, by, redo) -> None:
    """The regular (monthly or termly) review: each school in turn; Enter keeps it where it is."""
    _walk(state, la, on, by, "review", redo)


def _progress_bar(total_hint: str):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(total_hint), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


@register_group.command("letters")
@click.argument("la")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the letters (default: notes/register/LA/).")
@click.option("--template", type=click.Path(path_type=Path), default=None, help="A .docx template.")
@click.option("--signed", default="", help="Who signs the letters.")
@click.option("--force", is_flag=True, help="Replace letters that exist.")
@_ON
@click.pass_obj
def letters(state, la, out_dir, template, signed, force, on) -> None:
    """The September letter to every school on LA's register (Word), with progress."""
    from ..notes.register_docs import write_letters

    with _open(state, write=True) as reg:
        with _progress_bar("letters") as bar:
            task = bar.add_task("letters", total=None)

            def tick(n, total, name):
                bar.update(task, completed=n, total=total)

            batch = write_letters(reg, la, on=on, out_dir=out_dir, template=template, overwrite=force,
                                  signed=signed, progress=tick)
    click.echo(f"{len(batch.written)} letters written to {batch.written[0].parent if batch.written else '—'}")
    if batch.skipped:
        click.echo(f"not yet assessed, no letter: {', '.join(batch.skipped[:10])}"
                   + (f" and {len(batch.skipped) - 10} more" if len(batch.skipped) > 10 else ""))


@register_group.command("letter")
@click.argument("la")
@click.argument("school")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None, help="File or folder.")
@click.option("--template", type=click.Path(path_type=Path), default=None, help="A .docx template.")
@click.option("--signed", default="", help="Who signs the letter.")
@click.option("--force", is_flag=True, help="Replace the letter if it exists.")
@_ON
@click.pass_obj
def letter(state, la, school, out_path, template, signed, force, on) -> None:
    """A letter for a change during the year, whichever came last: SCHOOL's change of level (from what, to what,
    why), or its designation as causing concern (why, and the level of concern)."""
    from ..notes.register_docs import write_change_letter

    with _open(state, write=True) as reg:
        path = write_change_letter(reg, la, school, on=on, out_path=out_path, template=template, overwrite=force,
                                   signed=signed)
    click.echo(f"wrote {path}")


@register_group.command("board")
@click.argument("la")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None, help="The .docx to write.")
@click.option("--since", default=None, metavar="DATE", help="Changes since (default: the start of the term).")
@click.option("--template", type=click.Path(path_type=Path), default=None, help="A .docx template.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@_ON
@click.pass_obj
def board(state, la, out_path, since, template, force, on) -> None:
    """The register as a Word report for the board (counts per level, every school, changes, alerts)."""
    from ..notes.register_docs import write_board_report

    with _open(state) as reg:  # recorded as presented unless the store is read-only
        path = write_board_report(reg, la, on=on, since=since, out_path=out_path, template=template,
                                  overwrite=force)
    click.echo(f"wrote {path}")


@register_group.command("csv")
@click.argument("la")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="The .csv to write (default: standard output).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@_ON
@click.pass_obj
def csv_(state, la, out_path, force, on) -> None:
    """The register as CSV, a school a row."""
    from ..notes.register_docs import register_csv, write_csv

    with _open(state) as reg:
        if out_path is None:
            click.echo(register_csv(reg, la, on=on), nl=False)
            return
        path = write_csv(reg, la, out_path, on=on, overwrite=force)
    click.echo(f"wrote {path}")


@register_group.command("facts")
@click.argument("la")
@click.option("--year", default=None, help="The school year (default: this one).")
@_JSON
@click.pass_obj
def facts(state, la, year, as_json) -> None:
    """What LA's register says as evidence for 2.3 and 2.4: schools per level, how current, reviews."""
    from .. import register_rules

    with _open(state) as reg:
        _, rp = reg.la(la)
        out = reg.year_facts(la, year or register_rules.year_of(rp, reg.day()))
    if as_json:
        _dump(out)
        return
    click.echo(f"{out['la']}, {out['year']} (evidence for {' and '.join(out['aspects'])}):")
    for line in out["lines"]:
        click.echo(f"  {line}")
