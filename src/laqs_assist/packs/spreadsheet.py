"""Frameworks written in a spreadsheet: a pack exported to an .xlsx workbook (one sheet per part, packs/sheets.py)
and a workbook imported into a pack folder.

Importing writes the pack's YAML files into a folder beside the target, loads them with the pack loader (every
check a pack folder gets), and only then puts the folder in place. A fault is one line naming the workbook, the
sheet, the cell and what is wrong, whether the import itself finds it (a missing sheet, a number that is not one)
or the loader does (an unknown column, a duplicate id): the loader's file:line is traced back to the cell the line
was written from. openpyxl is imported only here, when a workbook is read or written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from ..errors import PackError, UsageError
from . import model as m
from .sheets import REQUIRED_SHEETS, SHEETS, Row, SheetFault, column_letter, pack_files, pack_tables, to_yaml
from .tree_sheets import FILES_SHEET, TreeFault

# Workbooks are data, not archives: a framework of a few hundred criteria is well under a megabyte.
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # per sheet
MAX_TREE_FILES = 1000  # as the loader allows a pack


class SpreadsheetError(UsageError):
    """A workbook that cannot become a pack: `where` is FILE; the message names the sheet and the cell."""


def pack_kind(folder: str | Path) -> str:
    """The kind a pack folder declares in pack.yaml (`kind:`), "framework" when it declares none."""
    from .yamlsrc import load_yaml

    folder = Path(folder)
    data = load_yaml(folder / "pack.yaml", f"{folder.name}/pack.yaml")
    kind = data.get("kind") if isinstance(data, dict) else None
    return str(kind) if kind else "framework"


def export_folder(folder: str | Path, out: str | Path) -> Path:
    """Write the pack in `folder` as a workbook: a framework by the parts of its model (one sheet per part), a pack
    of another kind file by file (tree_sheets.py)."""
    folder = Path(folder)
    if pack_kind(folder) == "framework":
        from .cache import open_pack

        return export_pack(open_pack(folder), out)
    return export_tree(folder, out)


def _check_out(out: Path) -> None:
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the workbook's name must end in .xlsx")


def _save(wb: Any, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        wb.save(out)
    except OSError as exc:
        raise UsageError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    return out


def _sheet(wb: Any, name: str, columns: tuple[str, ...], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(name)
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(list(row))
    for i, col in enumerate(columns, 1):
        longest = max((len(str(v)) for v in (r[i - 1] for r in rows) if v is not None), default=len(col))
        ws.column_dimensions[column_letter(i)].width = max(8, min(60, longest + 2))
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # ids such as 1.1 stay text when the sheet is edited
                if "\n" in cell.value or len(cell.value) > 60:
                    cell.alignment = wrap


def export_tree(folder: str | Path, out: str | Path) -> Path:
    """A pack of any kind, file by file: the files sheet, then a sheet of path / value rows per YAML file."""
    from openpyxl import Workbook

    from .tree_sheets import FILES_COLUMNS, FILES_SHEET, TREE_COLUMNS, sheet_names, tree_rows
    from .yamlsrc import load_yaml

    folder, out = Path(folder), Path(out)
    _check_out(out)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml") if p.is_file())
    if len(files) > MAX_TREE_FILES:
        raise UsageError(f"{folder}: more than {MAX_TREE_FILES} files, the most a pack may hold")
    names = sheet_names(files)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, FILES_SHEET, FILES_COLUMNS, [[names[f], f] for f in files])
    for rel in files:
        _sheet(wb, names[rel], TREE_COLUMNS, tree_rows(load_yaml(folder / rel, f"{folder.name}/{rel}")))
    return _save(wb, out)


def export_pack(pack: m.Pack, out: str | Path) -> Path:
    """Write `pack` as a workbook at `out` (.xlsx): one sheet per part, headings in bold, ids kept as text."""
    from openpyxl import Workbook

    out = Path(out)
    _check_out(out)
    tables = pack_tables(pack)
    wb = Workbook()
    wb.remove(wb.active)
    for name, columns in SHEETS.items():
        if tables[name] or name in REQUIRED_SHEETS:
            _sheet(wb, name, columns, tables[name])
    return _save(wb, out)


def read_rows(path: str | Path) -> dict[str, list[Row]]:
    """The workbook's sheets as rows keyed by their column headings; faults as SpreadsheetError."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise SpreadsheetError("no such workbook" if not path.exists() else "not a file", where=name)
    if path.stat().st_size > MAX_WORKBOOK_BYTES:
        raise SpreadsheetError(f"the workbook is larger than {MAX_WORKBOOK_BYTES // (1024 * 1024)} MB", where=name)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(f"not an .xlsx workbook that can be read ({type(exc).__name__})", where=name) \
            from None
    except Exception as exc:  # openpyxl raises its own kinds for a damaged workbook
        raise SpreadsheetError(f"not an .xlsx workbook that can be read ({type(exc).__name__})", where=name) \
            from None
    try:
        if FILES_SHEET in wb.sheetnames:
            return {"": _tree_files(wb, name)}  # type: ignore[dict-item]
        out: dict[str, list[Row]] = {}
        for sheet in REQUIRED_SHEETS:
            if sheet not in wb.sheetnames:
                raise SpreadsheetError(f"sheet '{sheet}' is missing (a pack needs the sheets "
                                       f"{', '.join(REQUIRED_SHEETS)})", where=name)
        for ws in wb.worksheets:
            if ws.title not in SHEETS:
                raise SpreadsheetError(f"sheet '{m.shown(ws.title)}', cell A1: not a part of a pack (the sheets are "
                                       f"{', '.join(SHEETS)})", where=name)
            out[ws.title] = _sheet_rows(ws, name)
        return out
    finally:
        wb.close()


def _tree_files(wb: Any, name: str) -> list[tuple[Row, list[Row]]]:
    """A workbook of a pack of another kind: each file's row on the files sheet and the rows of its sheet."""
    from .tree_sheets import FILES_COLUMNS, TREE_COLUMNS, TreeFault, rows_from_cells

    try:
        ws = wb[FILES_SHEET]
        values = list(ws.iter_rows(values_only=True))
        if not values:
            raise TreeFault(FILES_SHEET, "A1", "the heading row is missing (columns: sheet, file)")
        files = rows_from_cells(FILES_SHEET, values[0], values[1:], FILES_COLUMNS)
        out = []
        seen: dict[str, str] = {}
        for r in files:
            sheet = r.text("sheet", required=True).value
            rel = r.text("file", required=True).value
            parts = rel.split("/")
            if not rel.endswith(".yaml") or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise r.fault("file", f"'{m.shown(rel[:60])}' is not a .yaml file inside the pack folder")
            if rel in seen:
                raise r.fault("file", f"'{rel}' is listed twice (first at {seen[rel]})")
            seen[rel] = r.ref("file")
            if sheet not in wb.sheetnames:
                raise r.fault("sheet", f"there is no sheet '{m.shown(sheet[:40])}'")
            sw = wb[sheet]
            rows = list(sw.iter_rows(values_only=True))
            if len(rows) > MAX_ROWS + 1:
                raise TreeFault(sheet, f"A{MAX_ROWS + 2}", f"more than {MAX_ROWS:,} rows")
            if not rows:
                raise TreeFault(sheet, "A1", "the heading row is missing (columns: path, value, empty)")
            out.append((r, rows_from_cells(sheet, rows[0], rows[1:], TREE_COLUMNS)))
        if "pack.yaml" not in seen:
            raise TreeFault(FILES_SHEET, "B2", "no row names pack.yaml, the pack's header")
        return out
    except (TreeFault, SheetFault) as exc:
        raise SpreadsheetError(str(exc), where=name) from None


def _sheet_rows(ws: Any, name: str) -> list[Row]:
    known = SHEETS[ws.title]
    rows = ws.iter_rows(values_only=True)
    heading = next(rows, None)
    if heading is None:
        raise SpreadsheetError(f"sheet '{ws.title}', cell A1: the heading row is missing (columns: "
                               f"{', '.join(known)})", where=name)
    columns: dict[str, int] = {}
    for i, h in enumerate(heading, 1):
        if h is None or (isinstance(h, str) and not h.strip()):
            continue
        label = str(h).strip().lower()
        if label not in known:
            raise SpreadsheetError(f"sheet '{ws.title}', cell {column_letter(i)}1: unknown column "
                                   f"'{m.shown(str(h)[:40])}' (columns: {', '.join(known)})", where=name)
        if label in columns:
            raise SpreadsheetError(f"sheet '{ws.title}', cell {column_letter(i)}1: column '{label}' is given twice",
                                   where=name)
        columns[label] = i
    first = {"pack": "key", "phases": "id", "columns": "id", "groups": "id", "aspects": "id"}.get(ws.title)
    if first and first not in columns:
        raise SpreadsheetError(f"sheet '{ws.title}', cell A1: column '{first}' is missing", where=name)
    out = []
    for n, values in enumerate(rows, 2):
        if n > MAX_ROWS + 1:
            raise SpreadsheetError(f"sheet '{ws.title}', cell A{n}: more than {MAX_ROWS:,} rows", where=name)
        cells = {}
        for label, i in columns.items():
            v = values[i - 1] if i - 1 < len(values) else None
            if isinstance(v, str) and not v.strip():
                v = None
            cells[label] = (v, f"{column_letter(i)}{n}")
        if all(v is None for v, _ in cells.values()):
            continue  # an empty row separates, it says nothing
        out.append(Row(ws.title, n, cells))
    return out


def import_pack(path: str | Path, out: str | Path, *, force: bool = False,
                refuse: Callable[[m.Pack], tuple[str, str, str] | None] | None = None) -> m.Pack:
    """Build the pack folder `out` from the workbook at `path`; the pack as loaded. A folder already at `out` is
    replaced only with `force`, and only once the new pack has loaded. `refuse` may stop the pack, once loaded and
    before it is put in place: (the sheet, the value whose cell is at fault, what is wrong)."""
    from .loader import load_pack

    path, out = Path(path), Path(out)
    name = str(path)
    if out.exists() and not force:
        raise UsageError(f"{out} already exists (give --force to replace it)")
    if out.exists() and not (out / "pack.yaml").is_file():
        raise UsageError(f"{out} is not a pack folder: it will not be replaced")
    rows = read_rows(path)
    try:
        files = pack_files(rows) if "" not in rows else _tree_trees(rows[""])  # type: ignore[arg-type]
    except (SheetFault, TreeFault) as exc:
        raise SpreadsheetError(str(exc), where=name) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        folder = work / out.name
        origins: dict[str, dict[int, tuple[str, str]]] = {}
        for rel, tree in files.items():
            text, where = to_yaml(tree)
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            origins[rel] = where
        try:
            pack = (load_pack if "" not in rows else _load_any)(folder)
        except PackError as exc:
            raise SpreadsheetError(_traced(exc, out.name, origins), where=name) from None
        refused = refuse(pack) if refuse is not None else None
        if refused:
            sheet, value, message = refused
            raise SpreadsheetError(f"sheet '{sheet}', cell {_cell_of(rows, sheet, value)}: {message}", where=name)
        if out.exists():
            shutil.rmtree(out)
        os.replace(folder, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _moved(pack, out)  # the pack as checked, now at its place


def _tree_trees(files: list[tuple[Row, list[Row]]]) -> dict[str, Any]:
    from .tree_sheets import tree_of

    return {r.text("file").value: tree_of(rows, r.text("sheet").value) for r, rows in files}


def _load_any(folder: Path) -> Any:
    """A pack of any kind, by the loader that knows its kind (frameworks, and the kinds it dispatches to)."""
    from . import loader

    return getattr(loader, "load_any", loader.load_pack)(folder)


def _moved(pack: Any, out: Path) -> Any:
    from ..record import replace

    fields = getattr(pack, "_fields", ())
    return replace(pack, path=out) if "path" in fields else pack


def _cell_of(rows: dict[str, list[Row]], sheet: str, value: str) -> str:
    """The first cell of a sheet holding `value`; A1 when none does."""
    listed = rows.get(sheet, [])
    for r, tree in rows.get("", []):  # a workbook of another kind of pack: the sheet of its file
        if r.raw("sheet") == sheet:
            listed = tree
    for r in listed:
        for v, ref in r.cells.values():
            if v == value:
                return ref
    return "A1"


def _traced(exc: PackError, folder: str, origins: dict[str, dict[int, tuple[str, str]]]) -> str:
    """The loader's fault at file:line, said at the sheet and cell that line was written from."""
    where = exc.where or ""
    file, _, line = where.rpartition(":")
    rel = file[len(folder) + 1:] if file.startswith(folder + "/") else file
    lines = origins.get(rel)
    if lines and line.isdigit():
        n = int(line)
        found = [k for k in lines if k <= n]
        if found:
            sheet, cell = lines[max(found)]
            return f"sheet '{sheet}', cell {cell}: {exc.message}"
    part = rel.split("/")[0] if "/" in rel else "pack"
    sheet = {"aspects": "aspects", "agendas": "agendas", "forms": "forms"}.get(part, "pack")
    return f"sheet '{sheet}', cell A1: {exc.message}"


def same_pack(a: Any, b: Any) -> bool:
    """Whether two packs (of any kind) hold the same, wherever their folders are."""
    return _moved(a, Path()) == _moved(b, Path())
