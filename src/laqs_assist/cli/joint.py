"""`laqs joint-visits`: each SIP's grades per section over a year, one joint visit's form, and its Word record;
and the line-mode walk of the form behind `laqs chat --form joint-visit`.

A joint visit grades a named SIP: these commands show it to the adviser whose store it is, and write the visit's
own record; nothing here reaches a note of visit, a briefing, a report or an export.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from ..errors import UsageError
from ..inert import inert


def chat_form(state: Any, *, form_id: str, organisation: str | None, parent: str | None, day: str | None,
              author: str, sip: str, resume: str | None, unused: dict[str, Any]) -> int:
    """`laqs chat --form FORM`: start or resume a joint visit and walk its form in line mode."""
    from ..app.service import Service
    from ..line.joint import run

    given = [f"--{name}" for name, value in unused.items() if value]
    if given:
        raise UsageError(f"{', '.join(given)} belong{'s' if len(given) == 1 else ''} to an interview, not to the "
                         f"form '{form_id}' (it takes --org SCHOOL, --la LA, --sip NAME, --date, --author)")
    if not resume and not (organisation and organisation.strip()):
        raise UsageError("say which school the joint visit is to: --org SCHOOL (or --resume ID)")
    with Service.open(state, create=not resume, read_only=False) as service:
        joint = service.joint()
        if resume:
            joint.resume(resume)
        else:
            joint.start(school=organisation, la=parent, day=day, author=author or state.settings.name or "",
                        sip=sip or "", form_id=form_id)
        return run(joint)


def register(cli: click.Group) -> None:
    cli.add_command(joint_visits)


@click.group("joint-visits", invoke_without_command=True)
@click.option("--sip", default=None, help="Only this SIP or NCA (the name on the form, any case).")
@click.option("--year", default=None, help="Academic year, e.g. 2026/27 (default: every year).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def joint_visits(ctx: click.Context, sip: str | None, year: str | None, as_json: bool) -> None:
    """Each SIP's grades per section over the year, from your joint visits (Appendix 5).

    `laqs chat --form joint-visit --org SCHOOL` fills one in; `laqs joint-visits show ID` prints one and
    `laqs joint-visits record ID` writes its record for the headteacher and the LA. The grades concern a named
    person: they stay in your store and the visit's own record.
    """
    if ctx.invoked_subcommand is not None:
        return
    state = ctx.obj
    if year is not None:
        year = _year(year, state.pack().year_starts)
    path, _ = state.checked_store_path()
    if not path.exists():
        click.echo("[]" if as_json else f"No joint visits yet in {path}. Start one with: "
                   "laqs chat --form joint-visit --org SCHOOL")
        return
    from ..app.joint import sip_grades
    from ..app.service import Service

    with Service.open(state) as service:
        rows = sip_grades(service.store, service.default_pack, sip, year)
        scale = {str(g.grade): g.meaning for g in service.joint().form_scale()}
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No graded joint visits match." if (sip or year) else
                   "No graded joint visits yet. Start one with: laqs chat --form joint-visit --org SCHOOL")
        return
    for r in rows:
        who = inert(r["sip"], one_line=True) or "(no SIP named yet)"
        click.echo(f"{who} — {r['year']} — {len(r['visits'])} joint visit{'s' if len(r['visits']) != 1 else ''}")
        for v in r["visits"]:
            click.echo(f"  {v['id'][:8]}  {v['date']}  {inert(v['school'], one_line=True)}"
                       + (f" ({inert(v['la'], one_line=True)})" if v["la"] else "") + f"  {v['status']}")
        for s in r["sections"]:
            where = f" ({s['aspect']})" if s["aspect"] else ""
            grades = ", ".join(f"{g['grade']} on {g['date']}" for g in s["grades"])
            click.echo(f"    {_short(s['title'] + where, 58):<58}  {grades}")
        click.echo(f"  grades: {'; '.join(f'{k} {v}' for k, v in scale.items())}")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _year(text: str, year_starts: str = "09-01") -> str:
    """An academic year as typed (2026/27, 2026-27, 2026-2027, or 2026 for the year starting then) in the form the
    store keeps (2026/27; 2026 for a pack whose year starts on 1 January); a one-line UsageError otherwise."""
    import re

    m = re.fullmatch(r"\s*(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?\s*", text)
    if m:
        start = int(m.group(1))
        end = m.group(2)
        if end is None or int(end[-2:]) == (start + 1) % 100:
            return str(start) if year_starts == "01-01" else f"{start}/{(start + 1) % 100:02d}"
    raise UsageError(f"'{text}' is not an academic year: give it as 2026/27")


@joint_visits.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def show(state: Any, ref: str, as_json: bool) -> None:
    """Print one joint visit's form as filled in (an id, an id prefix, or 'last')."""
    from ..app.service import Service
    from ..packs.forms import shown, standards_of, ticked

    with Service.open(state) as service:
        joint = service.joint()
        view = joint.resume_read(ref)
        form = joint.form
    if as_json:
        click.echo(json.dumps({"visit": view.visit, "fields": [
            {"key": f.key, "label": f.label, "kind": f.kind, "value": view.values.get(f.key)} for f in view.fields]},
            indent=2, ensure_ascii=False))
        return
    v = view.visit
    click.echo(f"Joint visit {v['id']}\n  {inert(v['school'], one_line=True)}"
               + (f" ({inert(v['la'], one_line=True)})" if v["la"] else "") + f" — {v['date']} — {v['status']}")
    for i, f in enumerate(view.fields, 1):
        value = view.values.get(f.key)
        label = f.label if f.group != "section" else f"{f.section.title} — {f.kind}"
        click.echo(f"{i:>3}. {label}: {inert(shown(form, f, value), one_line=True) if value else '—'}")
        if f.kind == "checklist" and value:
            items = standards_of(f.section)
            for n in ticked(value):
                click.echo(textwrap.fill(items[n - 1], 100, initial_indent=f"       ✓ {n}. ",
                                         subsequent_indent="          "))


@joint_visits.command("record")
@click.argument("ref")
@click.option("--out", "out_path", default=None, help="Where to write the .docx (default: notes/joint-visit-….docx).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_obj
def record(state: Any, ref: str, out_path: str | None, force: bool) -> None:
    """Write a joint visit's record (.docx): the written summary for the headteacher and the LA."""
    from ..app.service import Service

    with Service.open(state) as service:
        joint = service.joint()
        joint.resume_read(ref)
        path = joint.record(out_path, overwrite=force)
    click.echo(f"wrote {path}")
