"""The year view on the command line: `laqs dashboard`, `overview`, `coverage`, `plan` and `actions`.

Ratings are coloured by their RAG colour on a terminal and plain when piped (or with NO_COLOR set); `--json` gives
every field for scripts. A year is checked before anything is read: a bad one is one line and exit 2.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import click

from ..errors import LaqsError, UsageError
from ..inert import inert
from ..inert import short as _short

_RAG = {"G": "green", "A": "yellow", "R": "red"}


def _color() -> bool | None:
    """None: click decides (colour on a terminal, none when piped); False when NO_COLOR is set."""
    return False if os.environ.get("NO_COLOR") else None


def _echo(text: str = "") -> None:
    click.echo(text, color=_color())


def _painter(pack):
    """paint(text, column): the text in its column's RAG colour (unchanged for N/A and blanks)."""
    rag = {c.id: _RAG.get(c.rag) for c in pack.columns}

    def paint(text: str, column: str | None) -> str:
        colour = rag.get(column or "")
        if not colour:
            return text
        return click.style(text, fg=colour, bold=True) if column == pack.columns[0].id else click.style(text, fg=colour)

    return paint


def _label(pack, column: str | None) -> str:
    from ..rating import NA

    if column is None:
        return "not rated"
    if column == NA:
        return NA
    return pack.column(column).label


def _one(text: str | None, width: int = 100) -> str:
    return _short(inert(text or "", one_line=True), width)


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _service(state, as_of: str | None = None):
    from ..app.service import Service

    service = Service.open(state)
    service.today = as_of
    return service


def _day(text: str | None) -> str | None:
    """A date as typed (--as-of), checked: None for today."""
    if text is None:
        return None
    from ..answers import AnswerInvalid, parse_answer

    try:
        return parse_answer("date", text)
    except AnswerInvalid as exc:
        raise UsageError(f"--as-of: {exc.message}") from None


def _year(pack, year: str | None) -> str | None:
    """The year as typed, checked before the store is opened (None: the current year, worked out later)."""
    if year is None:
        return None
    from ..app.yearview import parse_year

    return parse_year(year, pack.year_starts)


# --- dashboard --------------------------------------------------------------------------------------------------


def _cell_json(c) -> dict[str, Any]:
    d = c.to_dict()
    d["lift"], d["deciding"], d["disputed"] = list(c.lift), list(c.deciding), list(c.disputed)
    return d


def _standing_json(c) -> dict[str, Any]:
    out: dict[str, Any] = {"rating": c.rating, "standing": c.standing, "rests_on": c.rests_on}
    if c.visit_id:
        out["visit_id"], out["visit_date"] = c.visit_id, c.visit_date
    if c.departure is not None:
        out["reason"] = c.reason
        out["departure"] = dict(c.departure)
    if c.lapsed:
        out["lapsed"] = dict(c.lapsed)
    return out


def board_json(pack, board) -> dict[str, Any]:
    """An LA's dashboard for scripts: the roll-up rows as before (aspects, groups, rated, standings per phase), the
    overall row, and the year view's own: every applicable cell with its evidence by source, the disagreements,
    the schools heard."""
    from ..rollup import dashboard as build

    name = board.organisation["name"]
    out: dict[str, Any] = {"title": f"{name} ({board.year})", "organisation": name,
                           "kind": board.organisation["kind"], "year": board.year}
    out.update(build(pack, {k: c.rating for k, c in board.cells.items()}).to_dict())
    for row in out["rows"]:
        row["standings"] = {a: _standing_json(board.cells[(row["phase"], a)]) for a in row["aspects"]}
    out["cells"] = [_cell_json(c) for c in board.cells.values() if c.applies]
    out["disagreements"] = [{"phase": c.phase, "aspect": c.aspect, "line": c.disagreement}
                            for c in board.disagreements]
    out.update(voices=board.voices, schools=board.schools, visits=board.visits, sources=dict(board.sources))
    return out


def _evidence_words(c) -> str:
    from ..app.yearview import SOURCE_LABELS

    return ", ".join(f"{SOURCE_LABELS.get(s, s)} {n}" for s, n in c.evidence.items())


def render_board(pack, board, paint=None) -> str:
    """The dashboard as text: the grid (render_dashboard), then whose voices it rests on, each cell's evidence
    by source and where the sources disagree."""
    name = inert(board.organisation["name"], one_line=True)
    grid = render_dashboard(pack, _rollup(pack, board), f"{name} ({board.year})",
                            {k: c.standing for k, c in board.cells.items()}, paint=paint)
    lines = [grid, ""]
    plural = "s" if board.visits != 1 else ""
    if board.schools:
        voices = (f"the voices of {board.voices} of its {board.schools} school{'s' if board.schools != 1 else ''}"
                  if board.voices else
                  f"none of its {board.schools} school{'s' if board.schools != 1 else ''}' voices yet")
    else:
        voices = "no school of it on record (a school visit with --la NAME adds one)"
    lines.append(f"Rests on {board.visits} visit{plural} to the LA and {voices} this year.")
    with_evidence = [c for c in board.cells.values() if c.applies and c.evidence]
    if with_evidence:
        lines.append("Evidence by source:")
        for c in with_evidence:
            shown = _label(pack, c.rating)
            if paint and c.rating:
                shown = paint(shown, c.rating)
            notes = []
            if c.adviser:
                notes.append(f"the criteria suggest {_label(pack, c.suggestion)}")
            if c.self_evaluation and c.self_evaluation != c.rating:
                notes.append(f"the LA's own view: {_label(pack, c.self_evaluation)}")
            extra = f" ({'; '.join(notes)})" if notes else ""
            voices = f"; {c.voices} school{'s' if c.voices != 1 else ''}" if c.voices else ""
            lines.append(f"  {c.aspect:<4} {pack.phase_name(c.phase):<12} {shown}{extra}: "
                         f"{_evidence_words(c)}{voices}")
    if board.disagreements:
        lines.append("Where the sources disagree:")
        for c in board.disagreements:
            lines.append(f"  ! {c.aspect} {pack.phase_name(c.phase)}: {_one(c.disagreement, 110)}")
    return "\n".join(lines)


def _rollup(pack, board):
    from ..rollup import dashboard as build

    return build(pack, {k: c.rating for k, c in board.cells.items()})


def page_json(page) -> dict[str, Any]:
    return {"school": page.school["name"], "kind": page.school["kind"],
            "la": page.la["name"] if page.la else None, "year": page.year,
            "ratings": f"the LA's ({page.la['name']})" if page.la else "the LA's (none on record)",
            "visits": [{k: v[k] for k in ("id", "date", "agenda_id", "status", "phases", "who")} for v in page.visits],
            "actions": [_action_json(a) for a in page.actions],
            "joint_visits": [e.__dict__ | {"phases": list(e.phases)} for e in page.joint_visits],
            "evidence_for_la": page.aspects}


def render_page(pack, page) -> str:
    name = inert(page.school["name"], one_line=True)
    la = inert(page.la["name"], one_line=True) if page.la else None
    lines = [f"School: {name} ({page.year})" + (f", in {la}" if la else ""),
             f"Its ratings are its LA's: see laqs dashboard \"{la}\"." if la else
             "No LA is on record for it (laqs chat --school --la NAME records one), so it counts for no LA's ratings."]
    lines.append(f"Visits this year: {len(page.visits)}")
    for v in page.visits:
        who = f" with {_one(v['who'], 60)}" if v["who"] else ""
        lines.append(f"  {v['date']}  {v['agenda_id']:<13} {v['status']:<11}{who}")
    lines.append(f"Joint visits this year: {len({e.visit_id or e.date for e in page.joint_visits})}")
    for e in page.joint_visits:
        grade = f" grade {e.value:g}" if e.value is not None else ""
        lines.append(f"  {e.date}  {e.aspect} {e.target}{grade} {_one(e.text, 60)}".rstrip())
    if page.aspects:
        said = ", ".join(f"{a} ({n})" for a, n in page.aspects.items())
        lines.append(f"What it said of its LA this year, by aspect: {said}")
    lines.append(f"Agreed actions: {len(page.actions)}")
    lines.extend(_action_line(a) for a in page.actions)
    return "\n".join(lines)


def dashboard_command(state, organisation: str | None, year: str | None, ratings_file: Path | None,
                      as_json: bool) -> None:
    from ..rollup import dashboard as build

    pack = state.pack()
    year = _year(pack, year)
    if ratings_file is not None:
        board = build(pack, _ratings_from_file(pack, ratings_file))
        if as_json:
            _dump({"title": ratings_file.name, **board.to_dict()})
        else:
            _echo(render_dashboard(pack, board, inert(ratings_file.name, one_line=True), paint=_painter(pack)))
        return
    if not organisation:
        raise UsageError("name an organisation (or give --ratings FILE)")
    from ..app.yearview import is_school

    with _service(state) as service:
        org = service.organisation(organisation)
        if is_school(org):
            page = service.school_page(org["name"], year)
            if as_json:
                _dump(page_json(page))
            else:
                _echo(render_page(pack, page))
            return
        board = service.dashboard(org["name"], year)
    if as_json:
        _dump(board_json(pack, board))
    else:
        _echo(render_board(pack, board, _painter(pack)))


def cell_command(state, organisation: str, aspect: str, phase: str, year: str | None, as_json: bool) -> None:
    from ..app.yearview import SOURCE_LABELS

    pack = state.pack()
    year = _year(pack, year)
    with _service(state) as service:
        detail = service.cell(organisation, aspect, phase, year)
    if as_json:
        _dump({"organisation": detail.organisation["name"], "year": detail.year, "aspect": detail.aspect,
               "title": detail.title, "phase": detail.phase, "cell": _cell_json(detail.cell),
               "reason": detail.reason,
               "steps": [{"date": s.date, "source": s.source, "organisation": s.organisation, "who": s.who,
                          "visit_id": s.visit_id, "before": s.before, "after": s.after,
                          "evidence": [e.__dict__ | {"phases": list(e.phases)} for e in s.evidence]}
                         for s in detail.steps]})
        return
    paint = _painter(pack)
    c = detail.cell
    _echo(f"{detail.aspect} {_one(detail.title, 80)}, {pack.phase_name(detail.phase)}: "
          f"{_one(detail.organisation['name'], 40)} ({detail.year})")
    rating = paint(_label(pack, c.rating), c.rating) if c.rating else _label(pack, c.rating)
    _echo(f"  {rating}: {c.rests_on}" + (f"; the criteria suggest {_label(pack, c.suggestion)}" if c.adviser else ""))
    if c.disagreement:
        _echo(f"  ! the sources disagree: {_one(c.disagreement, 110)}")
    for s in detail.steps:
        moved = (f"{_label(pack, s.before)} → {_label(pack, s.after)}" if s.moved
                 else f"no change ({_label(pack, s.after)})")
        who = f", {_one(s.who, 50)}" if s.who else ""
        _echo(f"{s.date}  {SOURCE_LABELS.get(s.source, s.source)}: {_one(s.organisation, 40)}{who}  [{moved}]")
        for e in s.evidence:
            _echo("    " + _evidence_line(e))


def _evidence_line(e) -> str:
    if e.kind == "answer":
        said = "(concerns an individual: not shown)" if e.flagged else f"\u201c{_one(e.text, 90)}\u201d"
        return f"{e.target or 'note'}: {said}"
    if e.kind == "state":
        return f"{e.target} {(e.state or '').replace('_', ' ')}"
    if e.kind == "impact":
        return f"evidence of impact: {e.state}"
    if e.kind == "grade":
        return f"{e.target} grade {e.value:g}" + (f": {_one(e.text, 80)}" if e.text else "")
    return f"{e.target} = {e.value:g}" if e.value is not None else f"{e.target} {e.kind}"


# --- overview -------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _rating_progress():
    """A progress bar on stderr (a terminal's only) while LAs whose ratings are not kept are rated; it appears only
    when there are some."""
    import sys

    state: dict[str, Any] = {}

    def tick(done: int, total: int, la: dict[str, Any]) -> None:
        if total < 5 or not sys.stderr.isatty():
            return
        if "bar" not in state:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            state["bar"] = Progress(TextColumn("rating"), BarColumn(), MofNCompleteColumn(),
                                    TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("", total=total)
        from rich.markup import escape

        state["bar"].update(state["task"], completed=done,
                            description=escape(inert(la["name"], one_line=True)[:30]))

    try:
        yield tick
    finally:
        if "bar" in state:
            state["bar"].stop()


def overview_command(state, year: str | None, as_json: bool) -> None:
    pack = state.pack()
    year = _year(pack, year)
    with _service(state) as service, _rating_progress() as tick:
        ov = service.overview(year, tick)
    groups = [g.id for g in pack.groups]
    phases = pack.phase_ids()
    if as_json:
        _dump({"year": ov.year, "rows": [
            {"organisation": r.organisation["name"], "visits": r.visits, "voices": r.voices,
             "disagreements": r.disagreements,
             "groups": {p: {g: {"rating": r.groups[(p, g)].rating, "rated": r.groups[(p, g)].rated,
                                "of": r.groups[(p, g)].of} for g in groups} for p in phases},
             "overall": {g: {"rating": r.overall[g].rating, "rated": r.overall[g].rated, "of": r.overall[g].of}
                         for g in groups}} for r in ov.rows]})
        return
    paint = _painter(pack)
    if not ov.rows:
        _echo(f"No LAs in this store yet ({ov.year}).")
        return
    width = min(32, max(len(r.organisation["name"]) for r in ov.rows))
    heads = [f"{p}:{g}" for p in phases for g in groups] + [f"all:{g}" for g in groups]
    _echo(f"Regional overview {ov.year}: group ratings per phase (Group 1 = {_one(pack.groups[0].title, 40)}, "
          f"Group 2 = {_one(pack.groups[1].title, 40) if len(pack.groups) > 1 else '—'})")
    _echo("LA".ljust(width) + "  " + " ".join(h.ljust(6) for h in heads) + " visits  schools  disagree")
    for r in ov.rows:
        cells = [(r.groups[(p, g)].rating) for p in phases for g in groups] + [r.overall[g].rating for g in groups]
        shown = " ".join(paint((c or "—").ljust(6), c) if c else "—".ljust(6) for c in cells)
        _echo(f"{_short(inert(r.organisation['name'], one_line=True), width).ljust(width)}  {shown} "
              f"{r.visits:>6}  {r.voices:>7}  {r.disagreements:>8}")
    legend = ", ".join(f"{c.id} {c.label}" for c in pack.columns)
    _echo(f"{legend}; — not yet rated (a group needs {pack.rollup.min_rated:.0%} of its aspects rated).")
    _echo("Open one: laqs dashboard NAME [--year YEAR]")


# --- coverage -------------------------------------------------------------------------------------------------


def coverage_json(cov) -> dict[str, Any]:
    return {"organisation": cov.organisation["name"], "kind": cov.organisation["kind"], "year": cov.year,
            "agenda": cov.agenda, "visits": list(cov.visits),
            "aspects": [{"aspect": a.aspect, "title": a.title, "answers": a.answers, "visits": a.visits,
                         "dates": list(a.dates), "terms": {"autumn": a.terms[0], "spring": a.terms[1],
                                                           "summer": a.terms[2]},
                         "judgements": a.judgements, "from_schools": a.from_schools} for a in cov.aspects],
            "questions": [{"question": q.question, "aspect": q.aspect, "text": q.text, "times": q.times,
                           "dates": list(q.dates)} for q in cov.questions],
            "never": [q.question for q in cov.never], "aspects_never": [a.aspect for a in cov.aspects_never]}


def coverage_command(state, organisation: str, year: str | None, as_json: bool) -> None:
    pack = state.pack()
    year = _year(pack, year)
    with _service(state) as service:
        cov = service.coverage(organisation, year)
    if as_json:
        _dump(coverage_json(cov))
        return
    name = inert(cov.organisation["name"], one_line=True)
    _echo(f"Coverage of {name} ({cov.year}): {len(cov.visits)} visit{'s' if len(cov.visits) != 1 else ''}, "
          f"agenda {cov.agenda}")
    school_col = cov.organisation["kind"] == "LA"
    _echo("Aspect  answers  visits  autumn spring summer  judged" + ("  schools" if school_col else "") +
          "  last discussed")
    for a in cov.aspects:
        last = a.dates[-1] if a.dates else "never"
        row = (f"{a.aspect:<6}  {a.answers:>7}  {a.visits:>6}  {a.terms[0]:>6} {a.terms[1]:>6} {a.terms[2]:>6}  "
               f"{a.judgements:>6}" + (f"  {a.from_schools:>7}" if school_col else "") + f"  {last}")
        _echo(click.style(row, dim=True) if not a.answers else row)
    asked = [q for q in cov.questions if q.times]
    _echo(f"Questions discussed: {len(asked)} of {len(cov.questions)}")
    for q in asked:
        _echo(f"  {q.question:<11} {q.times}×  {', '.join(q.dates)}")
    if cov.never:
        _echo(f"Never discussed this year ({len(cov.never)}):")
        for q in cov.never:
            _echo(f"  {q.question:<11} {_one(q.text, 90)}")


# --- plan -----------------------------------------------------------------------------------------------------


def plan_json(p) -> dict[str, Any]:
    return {"organisation": p.organisation["name"], "kind": p.organisation["kind"], "year": p.year,
            "agenda": p.agenda, "focus": list(p.focus),
            "items": [{"kind": i.kind, "aspect": i.aspect, "phase": i.phase, "why": i.why,
                       "questions": list(i.questions), "probes": list(i.probes)} for i in p.items],
            "overdue": [_action_json(a) for a in p.overdue], "questions": list(p.questions),
            "la": p.la, "start": _start_line(p)}


def _start_line(p) -> str:
    school = " --school" if p.organisation["kind"] != "LA" else ""
    if school and p.la:
        school += f" --la \"{p.la}\""
    focus = "".join(f" --focus {a}" for a in p.focus)
    return f"laqs chat --org \"{p.organisation['name']}\"{school} --agenda {p.agenda}{focus}"


def plan_command(state, organisation: str, year: str | None, as_json: bool, as_of: str | None = None) -> None:
    pack = state.pack()
    year = _year(pack, year)
    as_of = _day(as_of)
    with _service(state, as_of) as service:
        p = service.plan(organisation, year)
    if as_json:
        _dump(plan_json(p))
        return
    words = {"uncovered": "Not yet discussed", "below_ceiling": "Below what is still reachable",
             "disagreement": "The sources disagree"}
    _echo(f"Next visit to {inert(p.organisation['name'], one_line=True)} ({p.year}), agenda {p.agenda}")
    _echo(f"Focus: {', '.join(f'{a} {_one(pack.aspects[a].title, 50)}' for a in p.focus) or 'none proposed'}")
    for kind in ("disagreement", "uncovered", "below_ceiling"):
        items = [i for i in p.items if i.kind == kind]
        if not items:
            continue
        _echo(f"{words[kind]}:")
        for i in items:
            where = f" {pack.phase_name(i.phase)}" if i.phase else ""
            _echo(f"  {i.aspect}{where}: {_one(i.why, 100)}")
            if i.questions:
                _echo(f"    ask: {', '.join(i.questions[:4])}")
            for probe in i.probes[:3]:
                _echo(f"    probe: {_one(probe, 100)}")
    if p.overdue:
        _echo(f"Overdue actions ({len(p.overdue)}):")
        for a in p.overdue:
            _echo(_action_line(a))
    _echo(f"Start it: {_start_line(p)}")


# --- actions --------------------------------------------------------------------------------------------------


def _action_json(a: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "organisation", "organisation_kind", "aspect_id", "text", "owner", "due_date", "agreed_due",
            "status", "status_date", "status_note", "visit_id", "visit_date", "overdue")
    return {k: a.get(k) for k in keys}


def _action_line(a: dict[str, Any]) -> str:
    from ..app.yearview import STATUS_WORDS

    due = f" due {a['due_date']}" if a.get("due_date") else ""
    flag = " OVERDUE" if a.get("overdue") else ""
    owner = f" ({_one(a['owner'], 30)})" if a.get("owner") else ""
    where = f" [{_one(a['organisation'], 30)}]" if a.get("organisation") else ""
    return (f"  {a['id'][:8]} {STATUS_WORDS.get(a['status'], a['status']):<15}{due}{flag}{where} "
            f"{_one(a['text'], 70)}{owner}")


def actions_command(state, organisation: str | None, status: str, as_json: bool, as_of: str | None = None) -> None:
    as_of = _day(as_of)
    with _service(state, as_of) as service:
        rows = service.actions_across_year(organisation, status)
    if as_json:
        _dump([_action_json(a) for a in rows])
        return
    whose = inert(organisation, one_line=True) if organisation else "every organisation"
    words = {"all": "", "open": "open ", "overdue": "overdue ", "done": "done "}[status]
    if not rows:
        _echo(f"No {words}actions for {whose}.")
        return
    _echo(f"{len(rows)} {words}action{'s' if len(rows) != 1 else ''} for {whose}:")
    for a in rows:
        _echo(_action_line(a))


# --- registration ---------------------------------------------------------------------------------------------


def register(cli: click.Group) -> None:
    year_opt = click.option("--year", default=None, help="Academic year, e.g. 2026/27 (default: the current one).")
    json_opt = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    as_of_opt = click.option("--as-of", "as_of", default=None, metavar="DATE",
                             help="Count actions overdue as of this date, YYYY-MM-DD (default: today).")

    @cli.command("dashboard")
    @click.argument("organisation", required=False)
    @year_opt
    @click.option("--ratings", "ratings_file", type=click.Path(path_type=Path), default=None,
                  help="Roll up ratings from a YAML/JSON file ({phase: {aspect: column}}) instead of the store.")
    @click.option("--cell", default=None, metavar="ASPECT:PHASE",
                  help="One aspect and phase across the year, e.g. 1.1:P: each visit's evidence and what it did.")
    @json_opt
    @click.option("--store", "store_at", default=None,
                  help="Read this store: a file, or a team store in PostgreSQL (postgresql://…).")
    @click.pass_obj
    def dashboard(state, organisation, year, ratings_file, cell, as_json, store_at) -> None:
        """The RAG dashboard for an LA: every aspect per phase from its own visits and its schools' (evidence by
        source, disagreements flagged), rolled up per group and overall. A school shows its page: its visits,
        actions and joint visits (its ratings are its LA's)."""
        if store_at is not None and store_at.startswith(("postgresql://", "postgres://")):
            if not organisation:
                raise UsageError("name an organisation (an LA of the region)")
            from ..app.pooling import postgres_store

            # the organisation's rows, read from PostgreSQL into a private store removed when the command ends
            state.store = click.get_current_context().with_resource(postgres_store(store_at, organisation))
        elif store_at is not None:
            state.store = Path(store_at)
        if cell:
            aspect, _, phase = cell.partition(":")
            if not organisation or not phase:
                raise UsageError("--cell needs an LA and ASPECT:PHASE, e.g. laqs dashboard Northshire --cell 1.1:P")
            cell_command(state, organisation, aspect.strip(), phase.strip(), year, as_json)
            return
        dashboard_command(state, organisation, year, ratings_file, as_json)

    @cli.command("overview")
    @year_opt
    @json_opt
    @click.pass_obj
    def overview(state, year, as_json) -> None:
        """Every LA in the store with its group ratings per phase and overall, for the managers who agree them."""
        overview_command(state, year, as_json)

    @cli.command("coverage")
    @click.argument("organisation")
    @year_opt
    @json_opt
    @click.pass_obj
    def coverage(state, organisation, year, as_json) -> None:
        """Which agenda questions and aspects an organisation's visits discussed this year, when and how often,
        and which never."""
        coverage_command(state, organisation, year, as_json)

    @cli.command("plan")
    @click.argument("organisation")
    @year_opt
    @as_of_opt
    @json_opt
    @click.pass_obj
    def plan(state, organisation, year, as_of, as_json) -> None:
        """The next visit's agenda: the aspects least covered, ratings below what is still reachable with the
        questions and probes that would decide them, disagreements to settle, overdue actions."""
        plan_command(state, organisation, year, as_json, as_of)

    @cli.command("actions")
    @click.argument("organisation", required=False)
    @click.option("--open", "status", flag_value="open", help="Open or carried forward.")
    @click.option("--overdue", "status", flag_value="overdue", help="Open or carried forward past the due date.")
    @click.option("--done", "status", flag_value="done", help="Done.")
    @as_of_opt
    @json_opt
    @click.pass_obj
    def actions(state, organisation, status, as_of, as_json) -> None:
        """Actions across the year: an organisation's (an LA's with its schools'), or every organisation's."""
        actions_command(state, organisation, status or "all", as_json, as_of)


def _ratings_from_file(pack, path: Path) -> dict:
    from ..packs.yamlsrc import load_yaml
    from ..rating import NA

    if not path.exists():
        raise UsageError(f"no such file: {path}")
    try:
        data = load_yaml(path)
    except LaqsError as exc:
        raise UsageError(exc.message, where=exc.where) from None
    if not isinstance(data, dict):
        raise UsageError("expected {phase: {aspect: column}}", where=str(path))
    out = {}
    for phase, row in data.items():
        pid = pack.phase_of(str(phase))
        if not isinstance(row, dict):
            raise UsageError(f"phase {phase}: expected {{aspect: column}}", where=str(path))
        for aspect, col in row.items():
            aspect = str(aspect)
            if aspect not in pack.aspects:
                raise UsageError(f"unknown aspect '{aspect}'", where=str(path))
            col = None if col is None else str(col)
            if col not in (None, NA, "NA") and col not in pack.column_ids():
                raise UsageError(f"'{col}' is not a rating (use {', '.join(pack.column_ids())} or N/A)",
                                 where=str(path))
            out[(pid, aspect)] = NA if col == "NA" else col
    return out


def render_dashboard(pack, board, title: str, standings: dict | None = None, paint=None) -> str:
    """The dashboard as plain text. With `standings` ((phase, aspect) -> how the rating stands) each rated cell is
    marked as an override or an agreed rating and a legend follows the table; without (a ratings file) no marks.
    `paint(text, column)` styles each rating cell once it is padded (the year view's RAG colours on a terminal)."""
    from ..rating import NA

    # One character after the rating, so the columns stay aligned; a plain rating is the engine's suggestion.
    marks = {"overridden": "*", "agreed": "="}

    width = max(len(p.name) for p in pack.phases) + len("  overall") + 3
    groups = pack.groups
    cw = max(4, max(len(c.id) for c in pack.columns) + 1)  # a column id and its mark fit a cell
    terms = pack.terms
    width = max(width, len(f"    {terms.aspects} rated") + 1, len(f"    {terms.aspect} {terms.rating}s") + 1)
    head = "Phase".ljust(width) + " | ".join(" ".join(f"{a:<{cw}}" for a in g.aspects) for g in groups)
    lines = [f"Local authority: {title}", head, "-" * len(head)]

    def label(col):
        return pack.column(col).dashboard if col not in (None, NA) else "—"

    def group_cells(values, plain=False):
        cells = []
        for g in groups:
            span = len(" ".join(f"{a:<{cw}}" for a in g.aspects))
            cell = _short(values[g.id] if plain else label(values[g.id]), span).ljust(span)
            cells.append(paint(cell, values[g.id]) if paint and not plain else cell)
        return " | ".join(cells)

    def rated_cells(rated):
        # How many of a group's aspects the roll-up rests on: "Good" from 1 of 5 is not "Good" from 5 of 5.
        return group_cells({g: f"{n} of {m}" for g, (n, m) in rated.items()}, plain=True)

    def aspect_cell(phase, aspect, col):
        if col is None:
            return "—"
        if col == NA or standings is None:
            return col
        return col + marks.get(standings.get((phase, aspect), ""), "")

    def _painted(text, col):
        return paint(text, col) if paint else text

    for row in board.rows:
        cells = " | ".join(" ".join(_painted(f"{aspect_cell(row.phase, a, row.aspects[a]):<{cw}}", row.aspects[a])
                                    for a in g.aspects) for g in groups)
        lines.append(pack.phase_name(row.phase).ljust(width) + cells)
        lines.append(f"  {pack.phase_name(row.phase)} overall".ljust(width) + group_cells(row.groups))
        lines.append(f"    {terms.aspects} rated".ljust(width) + rated_cells(row.rated))
    lines.append("Overall".ljust(width) + group_cells(board.overall))
    lines.append(f"    {terms.aspect} {terms.rating}s".ljust(width) + rated_cells(board.overall_rated))
    if standings is not None:
        lines.append("Marks: G* the adviser's override, G= agreed with the suggestion, G the suggestion, not yet "
                     "decided.")
    if pack.rollup.min_rated:
        lines.append(f"A group is rated once at least {pack.rollup.min_rated:.0%} of its {terms.aspects} are (— until "
                     "then).")
    return "\n".join(lines)


# --- settings ---------------------------------------------------------------------------------------------------
