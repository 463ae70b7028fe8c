"""`laqs packs import` and `laqs packs export`: frameworks written in a spreadsheet (packs/spreadsheet.py).

Registered on the `packs` group of the `laqs` command (cli.COMMAND_MODULES). openpyxl loads only when one of these
commands runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError


def register(cli: click.Group) -> None:
    packs = cli.commands["packs"]
    assert isinstance(packs, click.Group)
    packs.add_command(packs_import)
    packs.add_command(packs_export)


@click.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The pack folder to write, e.g. interviews/my-framework.")
@click.option("--force", is_flag=True, help="Replace a pack folder already there (once the new one has loaded).")
def packs_import(workbook: Path, out: Path, force: bool) -> None:
    """Make a pack folder from a workbook (.xlsx) with one sheet per part: pack, phases, columns, groups,
    aspects, criteria, agendas, sections, questions, forms … (see `laqs packs export` for one to start from).
    A fault prints as one line: the workbook, the sheet, the cell and what is wrong (exit 2)."""
    from ..packs.spreadsheet import import_pack

    pack = import_pack(workbook, out, force=force, refuse=lambda p: _refused(p, out))
    if hasattr(pack, "aspects") and hasattr(pack, "terms"):
        click.echo(f"wrote {out}: {pack.id} — {len(pack.aspects)} {pack.terms.aspects}, {len(pack.criteria)} "
                   f"criteria, {len(pack.agendas)} agendas ({len(pack.questions)} questions), {len(pack.forms)} forms")
    else:
        click.echo(f"wrote {out}: {getattr(pack, 'id', out.name)}")


def _refused(pack, out: Path) -> tuple[str, str, str] | None:
    """Why a pack just read from a workbook cannot be put at `out`: a note check this version cannot run, or the id
    of another installed pack when `out` is where packs are installed (two packs of one id stop every command)."""
    import os

    from ..notes.quality import CHECKS, unknown_checks
    from ..packs.registry import installed
    from ..paths import interviews_dir

    unknown = unknown_checks(getattr(pack, "note_checks", ()))
    if unknown:
        return ("note_checks", unknown[0], f"note check '{unknown[0]}' is not one this version can run (known: "
                                           f"{', '.join(CHECKS)})")
    roots = [interviews_dir(), *(Path(p).expanduser() for p in os.environ.get("LAQS_PACKS", "").split(os.pathsep)
                                 if p.strip())]
    if any(out.resolve().parent == r.resolve() for r in roots):
        other = installed().get(getattr(pack, "id", ""))
        if other is not None and other.resolve() != out.resolve():
            return ("pack", pack.id, f"the id '{pack.id}' is the installed pack at {other}; give the workbook's "
                                     "pack another id")
    return None


@click.command("export")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="The workbook to write (.xlsx).")
def packs_export(name: str, out: Path) -> None:
    """Write a pack (an installed pack's id, or a pack folder) as a workbook, one sheet per part; importing the
    workbook again gives the same pack."""
    from ..packs.registry import declared_id, folder_of
    from ..packs.spreadsheet import export_folder, pack_kind

    folder = Path(name)
    if not (folder / "pack.yaml").is_file():
        if "/" in name or name.startswith("."):
            raise UsageError(f"{name} is not a pack folder (it has no pack.yaml)")
        folder = folder_of(name)
    export_folder(folder, out)
    kind = pack_kind(folder)
    if kind == "framework":
        from ..packs import open_pack

        pack = open_pack(folder)
        click.echo(f"wrote {out}: {pack.id}, {len(pack.aspects)} {pack.terms.aspects}")
    else:
        click.echo(f"wrote {out}: {declared_id(folder)} ({kind}, file by file)")
