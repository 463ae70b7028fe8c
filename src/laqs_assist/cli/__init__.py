"""The `laqs` command. With no subcommand it opens the interview app on the default store.

Heavy modules (textual, prompt_toolkit, docxtpl) are imported inside the commands that need them, so `--help`
and the quick commands stay quick. Exit codes: 0 ok, 1 failure, 2 bad input or usage.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from .. import __version__
from ..app.context import DEFAULT_STORE, Context
from ..errors import JudgementError, LaqsError, UsageError
from ..inert import inert
from ..inert import short as _short
from ..paths import default_pack_path

_State = Context  # the object every command receives (click's ctx.obj)



@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--pack", "pack_path", type=click.Path(path_type=Path), default=None,
              help="Framework pack folder (default: the shipped 2009 National Strategies pack).")
@click.option("--store", type=click.Path(path_type=Path), default=None, envvar="LAQS_STORE",
              help="SQLite store (default: $LAQS_STORE, else the store in `laqs settings`, else store/laqs.db; "
                   "its folder must exist).")
@click.option("--debug", is_flag=True, help="Show tracebacks for failures.")
@click.option("--resume", "resume_ref", default=None, metavar="VISIT",
              help="Open the app straight into a visit (an id, an id prefix, or 'last').")
@click.version_option(__version__, prog_name="laqs")
@click.pass_context
def cli(ctx: click.Context, pack_path: Path | None, store: Path | None, debug: bool, resume_ref: str | None) -> None:
    """laqs-assist: run an interview agenda against the quality standards, rate the aspects, draft the note.

    Run with no command to open the interview app (keys are in its footer; F1 for help, Ctrl+P for commands).
    """
    state = ctx.ensure_object(_State)
    state.debug = debug
    if pack_path is not None:
        state.choose_pack(pack_path)
    state.store = store
    if ctx.invoked_subcommand is None:
        state.checked_store_path()
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError("the interview app needs a terminal; for a scripted or piped interview use "
                             "`laqs chat` (see laqs --help)")
        path, _ = state.checked_store_path(make_default_folder=True)  # the app opens (or creates) its store at once
        state.store = path
        from ..tui import run as run_tui

        code = run_tui(state, resume=resume_ref)
        if code:
            ctx.exit(code)
    elif resume_ref is not None:
        raise UsageError("--resume before a command opens the app; for line mode use: laqs chat --resume VISIT")


# --- packs ------------------------------------------------------------------------------------------------------


@cli.group()
def packs() -> None:
    """Check and browse framework packs."""


@packs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def packs_list(state: _State, as_json: bool) -> None:
    """The installed packs: every folder under interviews/ and under $LAQS_PACKS, by id."""
    from ..app.register import open_register_pack, register_packs
    from ..packs import open_pack
    from ..packs.registry import installed
    from ..packs.review_loader import declared_kind

    registers = register_packs()
    rows = []
    for pid, folder in installed().items():
        if declared_kind(folder) == "review":
            from ..packs.loader import load_any

            review = load_any(folder)
            rows.append({"id": pid, "title": review.title, "folder": str(folder), "kind": "review",
                         "stages": len(review.stages), "areas": [a.id for a in review.areas], "default": False})
            continue
        if pid in registers:  # a school register pack (kind: register): no aspects or agendas
            pack = open_register_pack(folder)
            rows.append({"id": pid, "title": pack.title, "folder": str(folder), "kind": "register",
                         "levels": [lv.id for lv in pack.levels], "default": False})
            continue
        pack = open_pack(folder)
        rows.append({"id": pid, "title": pack.title, "folder": str(folder), "aspects": len(pack.aspects),
                     "aspects_word": pack.terms.aspects,
                     "agendas": list(pack.agendas), "default": folder.resolve() == default_pack_path().resolve()})
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        mark = " (default)" if r["default"] else ""
        click.echo(f"{r['id']:<12} {_short(r['title'], 60)}{mark}")
        if r.get("kind") == "register":
            click.echo(f"{'':<12} school register: levels {', '.join(r['levels'])}; {r['folder']}")
            continue
        if r.get("kind") == "review":
            click.echo(f"{'':<12} a review: {r['stages']} stages; areas {', '.join(r['areas'])}; {r['folder']}")
            continue
        click.echo(f"{'':<12} {r['aspects']} {r['aspects_word']}; agendas {', '.join(r['agendas'])}; {r['folder']}")


@packs.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def packs_check(state: _State, path: Path | None) -> None:
    """Validate a pack folder (default: the shipped pack). Faults print as file:line and exit 2."""
    from ..packs.loader import load_any

    pack = load_any(path or state.pack_path)
    if getattr(pack, "kind", "") == "register":  # a school register pack (packs/register_model.py)
        click.echo(pack.summary())
        return
    if getattr(pack, "kind", "") == "review":
        sessions = sum(1 for d in pack.days for s in d.slots if not s.is_break)
        click.echo(f"ok: {pack.id} — a review: {len(pack.stages)} stages, {len(pack.areas)} areas, "
                   f"{len(pack.evidence_kinds)} kinds of evidence, a {len(pack.days)}-day timetable "
                   f"({sessions} sessions for {pack.timetable_reviewers} reviewers), {len(pack.costs)} costs; "
                   f"version {pack.version or 'not given'}")
        return
    from ..notes.quality import CHECKS, unknown_checks

    unknown = unknown_checks(pack.note_checks)
    if unknown:
        raise UsageError(f"note check '{unknown[0]}' is not one this version can run (known: {', '.join(CHECKS)})",
                         where=str(pack.path / "pack.yaml"))
    n_crit = len(pack.criteria)
    n_q = len(pack.questions)
    click.echo(f"ok: {pack.id} — {len(pack.aspects)} {pack.terms.aspects}, {n_crit} criteria, "
               f"{len(pack.sets)} counted sets, {len(pack.indicators)} indicators, "
               f"{len(pack.agendas)} agendas ({n_q} questions), "
               f"{len(pack.forms)} forms; version {pack.version or 'not given'}, "
               f"{len(pack.note_checks)} note checks")


@packs.command("show")
@click.option("--aspect", "aspect_id", default=None, help="Show one aspect only.")
@click.option("--agendas/--no-agendas", default=True, help="List the agendas' questions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def packs_show(state: _State, aspect_id: str | None, agendas: bool, as_json: bool) -> None:
    """List aspects, criterion ids, counted sets, indicators and questions: what a judgements file can name."""
    pack = state.pack()
    if aspect_id is not None and aspect_id not in pack.aspects:
        raise UsageError(f"unknown aspect '{aspect_id}' (known: {', '.join(pack.aspects)})")
    chosen = [pack.aspects[aspect_id]] if aspect_id else list(pack.aspects.values())

    def gap_words(g) -> str:
        # "80", "at least 1 and below 3", "1 missing": the values the source's bands leave out
        point = g.range.point()
        where = f"{point:g}" if point is not None else g.range.describe()
        return f"{where} {g.counts}" if g.counts else where

    def gaps_json(gaps) -> list:
        return [{"values": gap_words(g), "counts": g.counts or None, "said": g.said,
                 **{k: getattr(g.range, k) for k in ("at_least", "above", "at_most", "below")
                    if getattr(g.range, k) is not None}} for g in gaps]

    if as_json:
        out = {
            "pack": pack.id, "title": pack.title,
            "columns": [{"id": c.id, "label": c.label, "note": c.note} for c in pack.columns],
            "phases": [{"id": p.id, "name": p.name} for p in pack.phases],
            "evidence_levels": [e.id for e in pack.evidence_levels],
            "rating_method": pack.rating_method, "rating_note": pack.rating_note,
            "document_kinds": [{"id": k.id, "label": k.label} for k in pack.document_kinds],
            "aspects": [{
                "id": a.id, "title": a.title, "group": a.group, "not_applicable": list(a.not_applicable),
                "criteria": [{"id": c.id, "column": c.column, "critical": c.critical, "kind": c.kind,
                              "phases": list(c.phases), "text": c.text, "reading": c.reading} for c in a.criteria],
                "sets": [{"id": s.id, "text": s.text, "items": [i.id for i in s.items], "gaps": gaps_json(s.gaps)}
                         for s in a.sets],
                "indicators": [{"id": i.id, "unit": i.unit, "text": i.text, "gaps": gaps_json(i.gaps)}
                               for i in a.indicators],
            } for a in chosen],
        }
        if agendas:
            out["agendas"] = [{"id": ag.id, "title": ag.title, "questions": [
                {"id": q.id, "aspects": list(q.aspects), "answer": q.answer, "criteria": list(q.criteria),
                 "text": q.text, "sub": list(q.sub)} for q in ag.questions if not aspect_id or aspect_id in q.aspects
            ]} for ag in pack.agendas.values()]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    click.echo(f"{pack.title} [{pack.id}]")
    click.echo("columns: " + ", ".join(f"{c.id} {c.label}" for c in pack.columns))
    click.echo("phases: " + ", ".join(f"{p.id} {p.name}" for p in pack.phases))
    if pack.evidence_levels:
        click.echo("evidence of impact: " + ", ".join(e.id for e in pack.evidence_levels))
    if pack.judged:
        click.echo(f"rating: each {pack.terms.aspect}'s {pack.terms.rating} is judged on the evidence (/level)")
        if pack.rating_note:
            click.echo(textwrap.fill(pack.rating_note, 110, initial_indent="  ", subsequent_indent="  "))
    if pack.document_kinds:
        click.echo(f"documents ({pack.documents_title or 'kinds'}): " + ", ".join(k.id for k in pack.document_kinds))
    click.echo("* critical   # counted   % threshold\n")
    for a in chosen:
        na = f"  (N/A: {', '.join(a.not_applicable)})" if a.not_applicable else ""
        click.echo(f"{a.id} {_short(a.title, 100)}{na}")
        for c in a.criteria:
            mark = "*" if c.critical else " "
            kind = {"count": "#", "threshold": "%"}.get(c.kind, " ")
            only = f" [{','.join(c.phases)}]" if c.phases else ""
            click.echo(f"  {mark}{kind} {c.id:<12}{only} {_short(c.text, 84)}")
            if c.reading:
                # why the pack reads the source this way: the decision's reason in full, under its criterion
                click.echo(textwrap.fill(f"reading: {inert(c.reading, one_line=True)}", 100, initial_indent=" " * 6,
                                         subsequent_indent=" " * 15))

        def gap_lines(gaps):
            for g in gaps:
                click.echo(f"      gap at {gap_words(g)}: {_short(inert(g.said, one_line=True), 80)} (caps nothing)")

        for s in a.sets:
            click.echo(f"  set {s.id}: {_short(s.text, 70)}")
            for it in s.items:
                click.echo(f"      {it.id:<34} {_short(it.text or pack.criteria[it.criterion].text, 50)}")
            gap_lines(s.gaps)
        for i in a.indicators:
            click.echo(f"  indicator {i.id} ({i.unit}): {_short(i.text, 70)}")
            gap_lines(i.gaps)
        click.echo("")
    if agendas:
        for ag in pack.agendas.values():
            qs = [q for q in ag.questions if not aspect_id or aspect_id in q.aspects]
            if not qs:
                continue
            click.echo(f"agenda {ag.id}: {ag.title} ({len(qs)} questions)")
            for q in qs:
                click.echo(f"  {q.id:<12} [{q.answer}] {_short(q.text, 80)}")
            click.echo("")


# --- rate -------------------------------------------------------------------------------------------------------


def read_judgements_file(path: Path) -> tuple[dict, object]:
    """A YAML or JSON file: {impact: LEVEL, judgements: {id: state|count|value}} or the ids at the top level."""
    from ..packs.yamlsrc import load_yaml

    if not path.exists():
        raise UsageError(f"no such file: {path}")
    try:
        data = load_yaml(path)
    except LaqsError as exc:
        raise JudgementError(exc.message, where=exc.where) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise JudgementError("a judgements file must be a mapping of criterion id to judgement", where=str(path))
    raw = data
    data = dict(data)
    impact = data.pop("impact", data.pop("evidence_of_impact", None))
    data.pop("aspect", None)
    data.pop("phase", None)
    entries = data.pop("judgements", None)
    if entries is None:
        from ..packs.yamlsrc import LDict

        entries = LDict(data)  # keep the line of each id for error messages
        entries.line, entries.key_lines = getattr(raw, "line", 1), getattr(raw, "key_lines", {})
    elif data:
        raise JudgementError(f"unexpected field '{next(iter(data))}' beside 'judgements'", where=str(path))
    if not isinstance(entries, dict):
        raise JudgementError("'judgements' must be a mapping of criterion id to judgement", where=str(path))
    return entries, impact


@cli.command()
@click.argument("aspect")
@click.argument("phase")
@click.argument("judgements_file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def rate(state: _State, aspect: str, phase: str, judgements_file: Path, as_json: bool) -> None:
    """Suggest the highest rating the criteria allow for ASPECT in PHASE from a judgements file.

    \b
    The file (YAML or JSON) maps criterion, set or indicator ids to a judgement:
      impact: some                  # evidence of impact: none, some, substantial
      judgements:
        2.4.G.1: met                # met, partly, not_met, unknown
        2.4.report-features: {missing: 2}
        1.5.targets-in-line: 87     # an indicator's value
    `laqs packs show --aspect ASPECT` lists the ids.
    """
    from ..rating import judgements_for
    from ..rating import rate as rate_aspect

    pack = state.pack()
    if aspect not in pack.aspects:
        raise UsageError(f"unknown aspect '{aspect}' (known: {', '.join(pack.aspects)})")
    phase = pack.phase_of(phase)
    entries, impact = read_judgements_file(judgements_file)
    try:
        j = judgements_for(pack, aspect, entries, impact)
    except JudgementError as exc:
        raise JudgementError(exc.message, where=_entry_where(pack, aspect, judgements_file, entries)) from None
    r = rate_aspect(pack, aspect, phase, j)
    if as_json:
        click.echo(json.dumps(r.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(render_rating(pack, r))


def _entry_where(pack, aspect: str, path: Path, entries: dict) -> str:
    """file:line of the first entry that does not fit the pack (file alone when it is the impact level)."""
    from ..packs.yamlsrc import line_of
    from ..rating import judgements_for

    for key, value in entries.items():
        try:
            judgements_for(pack, aspect, {key: value})
        except JudgementError:
            return f"{path}:{line_of(entries, key)}"
    return str(path)


def render_rating(pack, r) -> str:
    """A rating as plain text: suggestion, ceiling, why, what blocks each higher column, what would lift it."""
    from ..rating import NA

    aspect = pack.aspects[r.aspect]
    lines = [f"{aspect.id} {_short(aspect.title, 90)} — {pack.phase_name(r.phase)}"]

    def label(cid):
        if cid is None:
            return "none yet"
        if cid == NA:
            return "N/A"
        return f"{pack.column(cid).label} ({cid})"

    def wrapped(text, first, rest):
        return textwrap.fill(text, 100, initial_indent=first, subsequent_indent=rest)

    lines.append(f"Suggestion: {label(r.suggestion)}")
    lines.append(f"Ceiling:    {label(r.ceiling)}")
    if r.ceiling_assumes:
        lines.append(wrapped(f"({r.ceiling_assumes})", "            ", "             "))
    lines.append(wrapped(f"Why: {r.reason}", "", "  "))
    if r.warnings:
        lines.append("Check:")
        lines.extend(wrapped(w.message, "  ! ", "    ") for w in r.warnings)
    if r.blockers:
        lines.append("Blocked above:")
        for col in pack.columns:
            bs = [b for b in r.blockers if b.column == col.id]
            if bs:
                lines.append(f"  {col.label}:")
                lines.extend(wrapped(b.message, "    - ", "      ") for b in bs)
    if r.lift:
        target = "a first rating" if r.suggestion is None else None
        if target is None and r.suggestion not in (None, NA) and pack.column(r.suggestion).rank > 0:
            target = pack.columns[pack.column(r.suggestion).rank - 1].label
        # With several, each is needed: none of them alone would lift the rating.
        need = "record:" if len(r.lift) == 1 or r.suggestion is None else f"record all {len(r.lift)} of:"
        lines.append(f"To reach {target}, {need}")
        lines.extend(wrapped(x, "  - ", "    ") for x in r.lift)
    return "\n".join(lines)


# --- the store: chat, visits, search ----------------------------------------------------------------------------


@cli.command()
@click.option("--agenda", default=None, help="Agenda id (see `laqs packs show`); default: the LA-contacts agenda.")
@click.option("--org", "organisation", default=None, help="The LA or school visited (created if new).")
@click.option("--school", is_flag=True, help="The organisation is a school (default: an LA).")
@click.option("--la", "parent", default=None, help="For a school: its LA.")
@click.option("--phase", "phases", multiple=True,
              help="Phase id or name; repeat for several (default: the phases in `laqs settings`, else all).")
@click.option("--focus", multiple=True, help="Focus aspect, asked first; repeat for several.")
@click.option("--person", "people", multiple=True, help="Someone present, 'Name' or 'Name:role'; repeatable.")
@click.option("--date", "day", default=None, help="Date of the visit, YYYY-MM-DD (default: today).")
@click.option("--author", default="", help="Who records the visit (default: the name in `laqs settings`).")
@click.option("--purpose", default="", help="The purpose of the visit, for the note.")
@click.option("--resume", default=None, help="Resume a visit by id, id prefix, or 'last'.")
@click.option("--form", "form_id", default=None,
              help="Fill in a form instead of an interview: joint-visit (a joint visit with a SIP, to --org SCHOOL).")
@click.option("--sip", default="", help="With --form joint-visit: the SIP's or NCA's name.")
@click.pass_obj
def chat(state: _State, agenda, organisation, school, parent, phases, focus, people, day, author, purpose,
         resume, form_id, sip) -> None:
    """Run an interview in plain line mode (also reads answers and /commands from a pipe or file)."""
    from ..app.service import Service
    from ..line import run

    if form_id:
        from .joint import chat_form

        code = chat_form(state, form_id=form_id, organisation=organisation, parent=parent, day=day, author=author,
                         sip=sip, resume=resume, unused={"agenda": agenda, "phase": phases, "focus": focus,
                                                         "person": people, "purpose": purpose})
        if code:
            raise click.exceptions.Exit(code)
        return
    if agenda and agenda not in state.pack().agendas and agenda in state.pack().forms:
        raise UsageError(f"'{agenda}' is a form, not an agenda: laqs chat --form {agenda} --org SCHOOL")
    form = None
    if not resume:
        pack = state.pack()
        form = Service.visit_form(pack, organisation=organisation, school=school, agenda=agenda, phases=phases,
                                  focus=focus, people=people, day=day, purpose=purpose, parent=parent)
        form["phases"] = form["phases"] or _settings_phases(pack, state)
        form["author"] = author or state.settings.name or ""
    with Service.open(state, create=not resume, read_only=False) as service:
        if resume:
            service.resume(resume)
        else:
            service.start(form)
        code = run(service)
    if code:
        raise click.exceptions.Exit(code)  # the failed lines and their count are on stderr already


def _settings_phases(pack, state: _State) -> tuple[str, ...]:
    """The phases the settings name (a visit's default), each checked against the pack."""
    from ..settings import settings_path

    chosen = tuple(state.settings.phases)
    for p in chosen:
        try:
            pack.phase_of(p)
        except UsageError as exc:
            raise UsageError(f"{exc.message}: fix `phases` in {settings_path()} (laqs settings set phases P,S)") \
                from None
    return chosen


@cli.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(["in_progress", "paused", "ended"]), default=None)
@click.option("--org", "organisation", default=None, help="Only this organisation's visits.")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def visits(ctx: click.Context, status, organisation, limit, as_json) -> None:
    """List visits, newest first. `laqs visits show ID` prints one."""
    if ctx.invoked_subcommand is not None:
        return
    state = ctx.obj
    path, _ = state.checked_store_path()
    none_yet = f"No visits yet in {path}. Start one with: laqs chat --org NAME"
    if not path.exists():
        click.echo("[]" if as_json else none_yet)
        return
    from ..app.service import Service

    with Service.open(state) as service:
        rows = service.visits(status, organisation, limit)
        joint = service.joint_visit_rows(status, organisation, limit)
    if joint:  # joint visits with a SIP among the interviews, the latest changed first (no grades shown here)
        rows = sorted(rows + joint, key=lambda r: r["updated_at"], reverse=True)[:limit]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(none_yet if not (status or organisation) else "No visits match.")
        return
    for r in rows:
        if r.get("kind") == "joint visit":
            click.echo(f"{r['id'][:8]}  {r['date']}  {r['status']:<11}  {inert(r['organisation'], one_line=True):<28}  "
                       f"{'joint visit':<13} {'':<8} {r['filled']} fields  (laqs joint-visits show {r['id'][:8]})")
            continue
        overdue = f"  {r['overdue']} overdue action{'s' if r['overdue'] != 1 else ''}" if r["overdue"] else ""
        click.echo(f"{r['id'][:8]}  {r['date']}  {r['status']:<11}  {inert(r['organisation'], one_line=True):<28}  "
                   f"{r['agenda_id']:<13} {','.join(r['phases']):<8} {r['responses']} answers{overdue}")


@visits.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def visits_show(state: _State, ref: str, as_json: bool) -> None:
    """Print one visit with its responses, judgements, actions and ratings (a joint visit: its form)."""
    from ..app.service import Service

    with Service.open(state) as service:
        try:
            data = service.visit_record(ref).to_dict()
        except UsageError:
            if not _is_joint_visit(service, ref):
                raise
            data = None
    if data is None:  # a joint visit with a SIP: shown as `laqs joint-visits show` shows it
        from .joint import show

        click.get_current_context().invoke(show, ref=ref, as_json=as_json)
        return
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    v = data["visit"]

    def shown(text):  # what people typed, shown inert (JSON above stays exact: it escapes control characters)
        return inert(text, one_line=True)

    click.echo(f"Visit {v['id']}\n  {shown(v['organisation'])} ({v['organisation_kind']}) — {v['date']} — "
               f"{v['status']}")
    click.echo(f"  agenda {v['agenda_id']}; phases {', '.join(v['phases'])}; focus {', '.join(v['focus']) or '—'}")
    if v["people"]:
        click.echo("  present: " + "; ".join(shown(p["name"]) + (f" ({shown(p['role'])})" if p["role"] else "")
                                             for p in v["people"]))
    click.echo(f"\nResponses ({len(data['responses'])}):")
    for r in data["responses"]:
        flag = " [concerns an individual]" if r["concerns_individual"] else ""
        click.echo(f"  {r['id'][:8]} {r['aspect_id']} {r['question_id'] or 'note'}{flag}")
        click.echo(textwrap.fill(inert(r["text"]) or "(empty)", 100, initial_indent="      ",
                                 subsequent_indent="      "))
    click.echo(f"\nJudgements ({len(data['judgements'])}):")
    for j in data["judgements"]:
        what = j["state"] if j["kind"] in ("state", "impact", "level") else f"{j['value']:g}"
        click.echo(f"  {j['phase']:<3} {j['target']:<32} {what}")
    click.echo(f"\nActions ({len(data['actions'])}):")
    words = {"carried": "carried forward"}
    for a in data["actions"]:
        click.echo(f"  {a['id'][:8]} [{words.get(a['status'], a['status'])}] {shown(a['text'])} — "
                   f"{shown(a['owner']) or 'no owner'}, {a['due_date'] or 'no date'}"
                   f"{'  OVERDUE' if a['overdue'] else ''}")
        for u in a["history"]:
            click.echo(f"      {u['on_date']} {words.get(u['status'], u['status'])}"
                       + (f", due {u['due_date']}" if u["due_date"] else "")
                       + (f": {shown(u['note'])}" if u["note"] else ""))
    if data["overdue"]:
        click.echo(f"\nOverdue actions for {shown(v['organisation'])} ({len(data['overdue'])}), of every visit:")
        for a in data["overdue"]:
            click.echo(f"  {a['id'][:8]} {shown(a['text'])} — {shown(a['owner']) or 'no owner'}, due {a['due_date']} "
                       f"(agreed {a['visit_date']})")
    click.echo(f"\nRatings ({len(data['ratings'])}):")
    for r in data["ratings"]:
        extra = f" → override {r['override']} ({shown(r['override_reason'])})" if r["override"] else ""
        se = f"; LA: {r['self_evaluation']}" if r["self_evaluation"] else ""
        click.echo(f"  {r['aspect_id']} {r['phase']}: {r['suggestion'] or '—'}{extra}{se}")


def _is_joint_visit(service, ref: str) -> bool:
    try:
        service.joint().resume_read(ref)
    except UsageError:
        return False
    finally:
        service.joint().close(pause=False)
    return True


@cli.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def search(state: _State, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over every recorded response."""
    from ..app.service import Service

    with Service.open(state) as service:
        rows = service.search(query, limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No matches.")
        return
    for r in rows:
        flag = " [individual]" if r["concerns_individual"] else ""
        click.echo(f"{r['visit_id'][:8]} {r['date']} {inert(r['organisation'], one_line=True)} — {r['aspect_id']}"
                   f"{flag}")
        click.echo(f"    {inert(r['snippet'], one_line=True)}")


@cli.group("settings", invoke_without_command=True)
@click.pass_context
def settings_group(ctx: click.Context) -> None:
    """The adviser's settings: name (a visit's author), store (the default store), phases (a visit's default
    phases) and theme (the app's). With no command, prints where they live and what they are.

    \b
    laqs settings set name "Jo Bloggs"
    laqs settings set store ~/visits/laqs.db
    laqs settings set phases P,S
    laqs settings unset theme
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import settings

    path = settings.settings_path()
    current = settings.load()
    click.echo(f"settings file: {path}" + ("" if path.exists() else " (not written yet)"))

    def show(value, default: str) -> str:
        return inert(value, one_line=True) if value else f"(not set: {default})"

    click.echo(f"  name   = {show(current.name, 'visits have no author unless --author says')}")
    click.echo(f"  store  = {show(current.store, f'{DEFAULT_STORE} under the current folder, or $LAQS_STORE')}")
    click.echo(f"  phases = {show(', '.join(current.phases), 'every phase unless --phase says')}")
    click.echo(f"  theme  = {show(current.theme, 'the app default')}")


def _setting_key(key: str) -> str:
    from ..settings import KEYS

    if key not in KEYS:
        raise UsageError(f"unknown setting '{key}' (known: {', '.join(KEYS)})")
    return key


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def settings_set(state: _State, key: str, value: str) -> None:
    """Set KEY (name, store, phases, theme) to VALUE; phases are comma-separated ids, e.g. P,S."""
    from .. import settings

    key = _setting_key(key)
    value = value.strip()
    if not value:
        raise UsageError(f"give a value for {key} (or remove it: laqs settings unset {key})")
    if key == "phases":
        pack = state.pack()
        ids = [pack.phase_of(p) for p in settings.split_list(value)]
        if not ids:
            raise UsageError("give phase ids separated by commas, e.g. laqs settings set phases P,S")
        new = list(dict.fromkeys(ids))
    elif key == "store":
        from ..app.context import store_file

        new = str(store_file(value))
    else:
        new = value
    saved = settings.save(**{key: new})
    shown = ", ".join(saved.phases) if key == "phases" else getattr(saved, key)
    click.echo(f"{key} = {inert(shown, one_line=True)}  (in {settings.settings_path()})")
    if key == "theme":
        _check_theme(value)


def _check_theme(name: str) -> None:
    """A theme the app may not know is kept (the app may add its own) but named, so a typo is seen now."""
    try:
        from textual.theme import BUILTIN_THEMES
    except ImportError:
        return
    if name not in BUILTIN_THEMES:
        click.echo(f"laqs: note: '{inert(name, one_line=True)}' is not one of Textual's themes "
                   f"({', '.join(sorted(BUILTIN_THEMES))}); the app uses its default if it does not know it",
                   err=True)


@settings_group.command("unset")
@click.argument("key")
def settings_unset(key: str) -> None:
    """Remove KEY from the settings (its default applies again)."""
    from .. import settings

    key = _setting_key(key)
    settings.save(**{key: None})
    click.echo(f"{key} unset  (in {settings.settings_path()})")


# Command groups that live in modules of their own; each module has `register(cli)`. Add a group with one line.
COMMAND_MODULES = (
    "laqs_assist.notes.commands",      # note, brief, export, report, templates
    "laqs_assist.cli.year",            # dashboard, overview, coverage, plan, actions
    "laqs_assist.cli.joint",           # joint-visits
    "laqs_assist.cli.pool",            # pool (export, merge, conflicts, resolve, policy, key, aliases), serve
    "laqs_assist.cli.register",        # register: the school register
    "laqs_assist.cli.sheets",          # packs import, packs export (frameworks in a spreadsheet)
    "laqs_assist.cli.review",          # review (school reviews: the LLQR)
)


def _register_command_modules() -> None:
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(name).register(cli)


_register_command_modules()


# --- entry point ------------------------------------------------------------------------------------------------


def _tolerant_output() -> None:
    """Whatever the locale (LANG=C, PYTHONIOENCODING=ascii), a character the terminal's encoding lacks is written
    as an escape, never a UnicodeEncodeError half-way through a command."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user faults print one line and exit 1 or 2, never a traceback unless --debug."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _tolerant_output()
    try:
        code = cli.main(args=args, prog_name="laqs", standalone_mode=False)
        if isinstance(code, int):  # without standalone mode, click returns ctx.exit()'s code instead of exiting
            return code
    except click.exceptions.Abort:
        click.echo("laqs: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except LaqsError as exc:
        if debug:
            raise
        click.echo(f"laqs: error: {inert(exc.line(), one_line=True)}", err=True)  # it may quote what was typed
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("laqs: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if debug:
            raise
        click.echo(f"laqs: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        return 1
    return 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
