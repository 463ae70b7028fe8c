"""The CLI commands for pooling a team's visits: `laqs pool …` (export, merge, conflicts, resolve, policy, key,
aliases) and `laqs serve`. `register(cli)` adds them. Only click is imported at start-up; the store, Datasette and
psycopg are imported inside the commands that use them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..errors import UsageError
from ..inert import inert


def register(cli: click.Group) -> None:
    cli.add_command(pool)
    cli.add_command(serve)


def _target(value: str) -> str:
    """A team store: a SQLite file or a postgresql:// URL (kept as typed: a path would fold its slashes)."""
    return value if value.startswith(("postgresql://", "postgres://")) else str(Path(value))


def _shown_target(value: str) -> str:
    """A PostgreSQL URL without its password, for messages."""
    if "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return value


@click.group()
def pool() -> None:
    """Pool finalised visits into a team store: export a bundle, merge bundles, resolve conflicts."""


@pool.command("export")
@click.argument("visits", nargs=-1)
@click.option("--from", "date_from", default=None, help="First visit date, YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Last visit date, YYYY-MM-DD.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="The bundle file to write.")
@click.option("--team", default=None, help="The team store whose policy says what may travel (default: the "
                                           "default policy: no flagged answers, no SIP names).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def pool_export(state, visits, date_from, date_to, out, team, as_json) -> None:
    """Write finalised visits (VISIT… by id or prefix, or those dated --from/--to, else every one) to a bundle:
    a self-contained SQLite file to hand to whoever keeps the team store."""
    from ..app.pooling import export

    r = export(state, out, date_from=date_from, date_to=date_to, refs=tuple(visits),
               team=_target(team) if team else None)
    if as_json:
        click.echo(json.dumps({"bundle": str(out), **r}, indent=2))
        return
    left = f"; {r['left_out']} answer(s) flagged as concerning an individual left out" if r["left_out"] else ""
    joint = f", {r['joint_visits']} joint visit(s)" if r.get("joint_visits") else ""
    more = "".join(f", {r[k]} {words}" for k, words in (("reviews", "school review(s)"),
                                                         ("documents", "shared document(s)"),
                                                         ("register_entries", "register entr(ies)")) if r.get(k))
    private = f"; {r['kept_private']} private document(s) kept back" if r.get("kept_private") else ""
    click.echo(f"Wrote {out}: {r['visits']} visit(s){joint}{more}, {r['answers']} answer(s), {r['organisations']} "
               f"organisation(s){left}{private}.")


@pool.command("merge")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--into", "into", required=True, help="The team store: a SQLite file (made if new) or postgresql://…")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def pool_merge(bundles, into, as_json) -> None:
    """Merge bundles into a team store. Merging a bundle again adds nothing; bundles may come in any order."""
    from ..app.pooling import merge

    def progress(r) -> None:
        if not as_json:
            click.echo(_merged_line(r), err=True)

    results = merge(list(bundles), _target(into), progress=progress)
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    new = sum(r["answers"] for r in results if not r["already"])
    click.echo(f"Merged {len(results)} bundle(s) into {_shown_target(into)}: {new} answer(s) added.")


def _merged_line(r) -> str:
    name = Path(r["bundle"]).name
    if r["already"]:
        return f"  {name}: merged before, nothing added"
    return (f"  {name}: {r['visits']} visit(s), {r['answers']} answer(s), {r['versions']} wording(s), "
            f"{r['organisations']} new organisation(s)")


@pool.command("conflicts")
@click.argument("team")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def pool_conflicts(team, as_json) -> None:
    """List edits made to an answer's wording after another edit had replaced it: kept, never dropped, to resolve
    with `laqs pool resolve TEAM VERSION`."""
    from ..app.pooling import conflicts

    found = conflicts(_target(team))
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No conflicts.")
        return
    for c in found:
        click.echo(f"{inert(c['organisation'], one_line=True)}, {c['date']}, aspect {c['aspect_id']} "
                   f"(answer {c['response_id'][:8]}):")
        click.echo(f"  current  {c['current']['version'][:8]}  {inert(c['current']['text'], one_line=True)}")
        for o in c["others"]:
            click.echo(f"  other    {o['version'][:8]}  {inert(o['text'], one_line=True)}  (edited {o['since'][:16]})")
    click.echo(f"{len(found)} answer(s) with conflicting edits; keep one with laqs pool resolve {team} VERSION")


@pool.command("resolve")
@click.argument("team")
@click.argument("version")
@click.option("--note", default="", help="Why this wording was kept.")
def pool_resolve(team, version, note) -> None:
    """Keep VERSION (an id or prefix from `laqs pool conflicts`) as its answer's wording."""
    from ..app.pooling import resolve

    r = resolve(_target(team), version, note)
    click.echo(f"Answer {r['response_id'][:8]} now reads as version {r['version'][:8]}.")


@pool.command("policy")
@click.argument("team")
@click.argument("name", required=False)
@click.argument("value", required=False, type=click.Choice(["yes", "no"]))
def pool_policy(team, name, value) -> None:
    """Show the team store's policy, or set NAME to yes or no (share_flagged, share_sip_names)."""
    from ..app.pooling import POLICIES, set_policy, team_policy

    if name is not None:
        if value is None:
            raise UsageError(f"give yes or no: laqs pool policy {team} {name} yes")
        if name not in POLICIES:
            raise UsageError(f"no policy '{name}' (policies: {', '.join(POLICIES)})")
        set_policy(_target(team), name, value == "yes")
    held = team_policy(_target(team))
    for key, what in POLICIES.items():
        click.echo(f"{key}: {held.get(key, 'no')}  ({what})")


@pool.command("key")
@click.argument("organisation")
@click.argument("code")
@click.option("--school", is_flag=True, help="The organisation is a school (CODE is its URN).")
@click.pass_obj
def pool_key(state, organisation, code, school) -> None:
    """Give an organisation in your store its stable key (the LA code, or a school's URN), by which the team store
    matches it whatever it is called."""
    from ..app.pooling import set_code

    org = set_code(state, organisation, code, school)
    click.echo(f"{inert(org['name'], one_line=True)} ({org['kind']}) has the key {code}.")


@pool.command("aliases")
@click.argument("team")
def pool_aliases(team) -> None:
    """The other names the team store's organisations are known by in advisers' stores."""
    from ..app.pooling import aliases

    rows = aliases(_target(team))
    if not rows:
        click.echo("No aliases.")
    for r in rows:
        key = f" [{r['code']}]" if r["code"] else ""
        click.echo(f"{inert(r['name'], one_line=True)}{key}: also {inert(r['alias'], one_line=True)}")


@click.command()
@click.argument("store", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs a password ($LAQS_SERVE_PASSWORD).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
def serve(store, host, port) -> None:
    """Browse a store (a team store, or your own, live) with Datasette, read-only: ratings, actions, answers that
    are not flagged, canned queries for the dashboard, coverage and overdue actions, and full-text search."""
    from ..app.serve import serve as run

    code = run(store, host=host, port=port, password=os.environ.get("LAQS_SERVE_PASSWORD") or None,
               notice=lambda line: click.echo(line, err=True))
    if code:
        raise click.exceptions.Exit(code)
