"""The CLI commands for notes of visit, briefings, batch export and template checks: `register(cli)` adds them.

Only click is imported here at start-up; everything else is imported inside the command that runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..inert import inert


def _helpers():
    """How a command opens its store and pack: the CLI's Context (app/context.py), which each command receives."""
    return (lambda state, **kw: state.open_store(**kw)), (lambda state: state.pack())


def _print_checks(checks, pack) -> None:
    if not checks:
        return
    click.echo(f"Checked against {pack.note_checks_title or 'the checks of ' + pack.title}:")
    for c in checks:
        colour = {"ok": "green", "warn": "yellow", "ask": "cyan"}[c.status]
        click.echo("  " + click.style(c.line()[:4], fg=colour) + c.line()[4:])
    n_warn = sum(1 for c in checks if c.status == "warn")
    if n_warn:
        click.echo(f"{n_warn} warning{'s' if n_warn != 1 else ''}: the note is written; fix and rerun with --force "
                   "if you wish.")


def register(cli: click.Group) -> None:
    cli.add_command(note)
    cli.add_command(brief)
    cli.add_command(export)
    cli.add_command(report)
    cli.add_command(templates)


@click.command()
@click.argument("visit")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="Where to write the .docx (a file name or a folder). Default: "
                   "notes/<organisation>-<visit date>-<visit id>.docx under the current folder.")
@click.option("--force", is_flag=True, help="Replace the file if it exists (by default an existing note is kept).")
@click.option("--no-annex", "no_annex", is_flag=True, help="Leave out the annex of evidence (the answers as given).")
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="A .docx template (default: the shipped templates/note-of-visit.docx).")
@click.pass_obj
def note(state, visit: str, out_path: Path | None, force: bool, no_annex: bool, template: Path | None) -> None:
    """Draft the note of visit for VISIT (an id, an id prefix, or 'last') as a Word document.

    \b
    The note holds the header (who, where, when, the visit type), purpose and focus, a draft summary to put in
    your own words, the contributory ratings per phase with the group and overall roll-up (each marked as the
    adviser's, agreed or suggested), strengths and priorities for further action, the agreed actions, progress
    since the last visit and the agenda for the next; the evidence (answers verbatim, except those flagged as
    concerning an individual) is in an annex. It is then checked against the seven features of a good SIP report
    (quality standards 2009, aspect 2.4); the check warns, it never stops the note. The file is written whole or
    not at all; a note already there is kept unless --force.
    """
    from .api import write_note

    store_of, _ = _helpers()
    with store_of(state) as store:
        found = store.find_visit(visit)
        pack = state.pack_for(found)  # the pack the visit was recorded with
        result = write_note(store, pack, found["id"], out_path, overwrite=force, template=template,
                            annex=not no_annex)
    click.echo(f"wrote {result.path}")
    _print_checks(result.checks, pack)


@click.command()
@click.argument("organisation")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="Where to write the .docx (a file name or a folder). Default: "
                   "notes/briefing-<organisation>-<meeting date>.docx under the current folder.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--questions", default=None,
              help="Comma-separated question ids of the meeting's agenda, e.g. A4.1.5.1,A4.2.4.1 (default: the "
                   "tool's choice for the audience; see below).")
@click.option("--all", "all_questions", is_flag=True,
              help="Also list the questions already answered this academic year (left out by default).")
@click.option("--phase", "phases", multiple=True, help="Phase id or name; repeatable (default: the phases of the "
                                                       "organisation's visits this year).")
@click.option("--date", "day", default=None, help="Date of the meeting, YYYY-MM-DD (default: today).")
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="A .docx template (default: the shipped templates/briefing.docx).")
@click.pass_obj
def brief(state, organisation: str, out_path, force, questions, all_questions, phases, day, template) -> None:
    """Prepare a briefing for a coming meeting with ORGANISATION (a name or id in the store), for its audience.

    \b
    The pack says which agenda serves which kind of organisation (the 2009 standards: Appendix 3 for an LA,
    Appendix 4 for a school). For an LA: the last visit's ratings per phase, the ratings still below their
    ceiling with the questions that would decide them, the agenda items not yet covered this year, and the open
    and overdue actions. For a school: the last visit's agreed actions and target dates, the ratings so far,
    the evidence still missing, and the agenda elements on the school's open issues. A question answered this
    academic year is left out unless --all.
    """
    from .api import write_briefing

    store_of, pack_of = _helpers()
    pack = pack_of(state)
    chosen = [q for q in questions.split(",") if q.strip()] if questions else None
    with store_of(state) as store:
        result = write_briefing(store, pack, organisation, out_path, overwrite=force, template=template,
                                questions=chosen, phases=phases or None, day=day, all_questions=all_questions)
    ctx = result.context
    click.echo(f"wrote {result.path} ({inert(ctx['title'], one_line=True)})")
    left_out = f" ({ctx['answered_left_out']} answered this year left out; --all lists them)" \
        if ctx["answered_left_out"] else ""
    if ctx["for_la"]:
        click.echo(f"  {len(ctx['questions'])} questions{left_out}, {len(ctx['below_ceiling'])} ratings below their "
                   f"ceiling, {len(ctx['open_actions'])} open actions ({ctx['overdue_count']} overdue)")
    else:
        click.echo(f"  {len(ctx['questions'])} questions{left_out}, {len(ctx['previous_actions'])} actions from the "
                   f"last visit, {sum(1 for r in ctx['ratings'] if r['rated'])} ratings, "
                   f"{len(ctx['missing_evidence'])} open")


@click.command()
@click.option("--from", "date_from", required=True, help="First visit date, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, help="Last visit date, YYYY-MM-DD (inclusive).")
@click.option("--la", default=None, help="Only this LA's visits and its schools'.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the notes (default: notes/ under the current folder).")
@click.option("--force", is_flag=True, help="Replace notes that exist (by default they are skipped).")
@click.option("--template", type=click.Path(path_type=Path), default=None, help="A .docx template.")
@click.pass_obj
def export(state, date_from, date_to, la, out_dir, force, template) -> None:
    """Write the note of every visit dated from --from to --to, one .docx each.

    A note already on disk is skipped (--force replaces it); a visit that fails is named in one line and the
    rest carry on. Exit code 1 if any failed.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..errors import LaqsError
    from .api import NOTES_DIR, check_export, export_notes, visits_between

    store_of, pack_of = _helpers()
    pack = pack_of(state)
    with store_of(state) as store:
        total = len(visits_between(store, date_from, date_to, la))
        check_export(out_dir, template)
        if total == 0:
            click.echo(f"no visits from {date_from} to {date_to}" + (f" for {inert(la, one_line=True)}" if la else ""))
            return
        console = Console(stderr=True)
        with Progress(TextColumn("notes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=console, transient=False) as bar:
            task = bar.add_task("", total=total)

            def tick(done, _total, visit):
                name = escape(inert(visit["organisation"], one_line=True)[:30])  # a name is text, never markup
                bar.update(task, completed=done, description=f"{name} {visit['date']}")

            summary = export_notes(store, pack, date_from, date_to, la=la, out_dir=out_dir, overwrite=force,
                                   template=template, progress=tick)
    for line in summary.failed:
        click.echo(f"failed: {inert(line, one_line=True)}", err=True)
    folder = out_dir if out_dir is not None else NOTES_DIR
    skipped = f", skipped {len(summary.skipped)} (already in {folder}; --force replaces them)" if summary.skipped \
        else ", skipped 0"
    click.echo(f"written {len(summary.written)}{skipped}, failed {len(summary.failed)} — {summary.total} visits")
    if summary.warned:
        click.echo(f"{summary.warned} written note{'s' if summary.warned != 1 else ''} with quality warnings "
                   "(see them with `laqs note ID --force`)")
    if summary.failed:
        raise LaqsError(f"{len(summary.failed)} of {summary.total} notes failed")


@click.command()
@click.option("--from", "date_from", required=True, help="First day of the period, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, help="Last day of the period, YYYY-MM-DD (inclusive).")
@click.option("--la", "las", multiple=True, help="An LA's name or id; repeatable (default: every LA in the store).")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="Where to write the .docx (a file name or a folder). Default: "
                   "notes/team-report-<from>-to-<to>.docx under the current folder.")
@click.option("--title", default="", help="The report's title (default: Team report).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="A .docx template (default: the shipped templates/team-report.docx).")
@click.pass_obj
def report(state, date_from, date_to, las, out_path, title, force, template) -> None:
    """Write a team report for --from to --to: one Word document covering every LA (or each --la).

    \b
    For each LA: its RAG dashboard as it stood on the last day, the ratings that moved since the previous period
    of the same length, the actions of the LA and its schools overdue on the last day, and the visits made to
    the LA and its schools. Progress goes to stderr while it builds.
    """
    import sys

    from .api import write_team_report

    store_of, pack_of = _helpers()
    pack = pack_of(state)
    every = 1 if sys.stderr.isatty() else 25  # a line per LA on a terminal, else one per 25

    def tick(done: int, total: int, name: str) -> None:
        if done % every == 0 or done == total:
            click.echo(f"report: {done}/{total} LAs ({inert(name, one_line=True)[:40]})", err=True)

    with store_of(state) as store:
        result = write_team_report(store, pack, date_from, date_to, out_path, las=las, overwrite=force,
                                   template=template, title=title, progress=tick)
    ctx = result.context
    click.echo(f"wrote {result.path}")
    click.echo(f"  {ctx['la_count']} LAs, {ctx['visit_count']} visits made, {ctx['overdue_count']} actions overdue, "
               f"{ctx['change_count']} ratings moved since {ctx['previous_line']}")


@click.group()
def templates() -> None:
    """Check the Word templates for notes of visit and briefings."""


@templates.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(["note", "briefing", "team-report", "joint-visit"]), default=None,
              help="What the template is for (default: guessed from its name and tags).")
@click.pass_obj
def templates_check(state, files: tuple[Path, ...], kind: str | None) -> None:
    """Check templates (default: the shipped two) against what the tool provides.

    \b
    One line each:
      refused   a construct the sandbox forbids (Python internals, import/include, |safe)
      unknown   a variable the template uses that the tool does not provide (rendering would fail)
      missing   a core variable the template never uses (a warning)
    Exit code 2 if anything is refused or unknown.
    """
    from ..errors import LaqsError, UsageError
    from .api import default_template
    from .tplcheck import check_template

    _, pack_of = _helpers()
    pack = pack_of(state)
    paths = list(files) or [default_template("note"), default_template("briefing")]
    failed = 0
    for path in paths:
        try:
            report = check_template(path, pack, kind)
        except LaqsError as exc:
            click.echo(f"{exc.line()}")
            failed += 1
            continue
        for line in report.lines():
            click.echo(line)
        failed += not report.ok
    if failed:
        raise UsageError(f"{failed} of {len(paths)} template{'s' if len(paths) != 1 else ''} failed the check")


@templates.command("vars")
@click.option("--kind", type=click.Choice(["note", "briefing", "team-report", "joint-visit"]), default="note",
              show_default=True)
@click.pass_obj
def templates_vars(state, kind: str) -> None:
    """List the variables a note (or briefing) template can use, with the fields of each list's items.

    In a template, loop over a list with a paragraph of its own holding `{%p for x in actions %}` … `{%p endfor %}`
    (or a table row holding `{%tr for x in actions %}`), then use the fields: `{{ x.text }}`.
    """
    import tempfile

    from .tplcheck import CORE, describe_variables, sample_contexts_cached

    _, pack_of = _helpers()
    pack = pack_of(state)
    with tempfile.TemporaryDirectory(prefix="laqs-sample-") as tmp:
        sample = sample_contexts_cached(pack, Path(tmp)).get(kind)
    if sample is None:
        from ..errors import UsageError

        raise UsageError(f"pack '{pack.id}' has no joint-visit form: no '{kind}' template to describe")
    for line in describe_variables(sample, CORE[kind]):
        click.echo(line)
