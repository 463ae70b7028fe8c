"""Any kind of pack as sheets, file by file: the workbook of a pack whose pack.yaml names another `kind:` (a school
review, a school register), whose parts a framework's sheets (sheets.py) do not describe.

Each YAML file of the pack folder is a sheet of `path | value | empty` rows, one a value: `stages[2].title` is the
title of the second stage, `levels["2.3"]` a key that is not a plain word, `empty` says `list`, `map` or `null` for
a value that is none of text, number or true/false. The `files` sheet names the file each sheet holds. Reading the
rows back gives the same YAML data, written with each line's sheet and cell (sheets.to_yaml), so the kind's own
loader reports its faults at the cell.

Pure: the workbook is read and written by spreadsheet.py.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from .sheets import Node, Plain, Src, SrcList, column_letter
from .sheets import Row as _Row

FILES_SHEET = "files"
FILES_COLUMNS = ("sheet", "file")
TREE_COLUMNS = ("path", "value", "empty")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


class TreeFault(Exception):
    def __init__(self, sheet: str, cell: str, message: str) -> None:
        self.sheet, self.cell, self.message = sheet, cell, message
        super().__init__(f"sheet '{sheet}', cell {cell}: {message}")


# --- a file's data as rows --------------------------------------------------------------------------------------------


def _step(key: Any) -> str:
    if isinstance(key, int):
        return f"[{key + 1}]"
    key = str(key)
    return f".{key}" if _WORD.fullmatch(key) else f"[{json.dumps(key, ensure_ascii=False)}]"


def tree_rows(data: Any) -> list[list[Any]]:
    """The rows of one file's data: [path, value, empty]."""
    out: list[list[Any]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if not value:
                out.append([path or ".", None, "map"])
            for k, v in value.items():
                step = _step(k)
                walk(v, path + (step[1:] if not path and step.startswith(".") else step))
        elif isinstance(value, list):
            if not value:
                out.append([path or ".", None, "list"])
            for i, v in enumerate(value):
                walk(v, path + _step(i))
        elif value is None:
            out.append([path, None, "null"])
        elif isinstance(value, (_dt.date, _dt.datetime)):
            out.append([path, value.isoformat(), "date"])
        else:
            out.append([path, value, None])

    walk(data, "")
    return out


def sheet_names(files: list[str]) -> dict[str, str]:
    """A sheet name for each file (pack.yaml -> pack, aspects/x.yaml -> aspects-x), unique and at most 31
    characters, none of them the files sheet."""
    out: dict[str, str] = {}
    used = {FILES_SHEET}
    for rel in files:
        base = re.sub(r"[\[\]:*?/\\]", "-", rel[:-5] if rel.endswith(".yaml") else rel)[:28] or "file"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base[:28 - len(str(n))]}~{n}"
        used.add(name.lower())
        out[rel] = name
    return out


# --- rows back into data -------------------------------------------------------------------------------------------


def _steps(path: str, row: _Row) -> list[Any]:
    if path == ".":
        return []
    steps: list[Any] = []
    at = 0
    first = _WORD.match(path)
    if first:  # a path starts with its first key as it is: stages[2].title
        steps.append(first.group())
        at = first.end()
    while at < len(path):
        m = _STEP.match(path, at)
        if m is None:
            raise row.fault("path", f"cannot read the path '{path[:60]}' at '{path[at:at + 20]}' (write .key, "
                                    "[n] for the n-th item, [\"key\"] for a key that is not a plain word)")
        word, index, quoted = m.groups()
        if word is not None:
            steps.append(word)
        elif index is not None:
            if int(index) < 1:
                raise row.fault("path", f"items are counted from 1, not {index}")
            steps.append(int(index) - 1)
        else:
            steps.append(json.loads(quoted))
        at = m.end()
    return steps


def tree_of(rows: list[_Row], sheet: str) -> Any:
    """One file's data from its rows, each value a Src and each container a Node or SrcList with the cell of the
    row that opened it."""
    root: Any = None

    def container(step: Any, row: _Row) -> Any:
        return SrcList(row.sheet, row.ref("path")) if isinstance(step, int) else Node(row.sheet, row.ref("path"))

    for row in rows:
        path = row.text("path", required=True).value
        steps = _steps(path, row)
        empty = row.text("empty")
        kind = empty.value if empty is not None else None
        if kind not in (None, "list", "map", "null", "date"):
            raise row.fault("empty", f"'empty' is list, map, null, date or blank, not '{kind}'")
        if kind == "list":
            leaf: Any = SrcList(row.sheet, row.ref("path"))
        elif kind == "map":
            leaf = Node(row.sheet, row.ref("path"))
        elif kind == "null":
            leaf = Src(None, row.sheet, row.ref("value"))
        else:
            raw = row.raw("value")
            if raw is None:
                raise row.fault("value", f"no value for '{path}' (write null in 'empty' for none)")
            if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
                raw = int(raw)
            if kind == "date" and not re.fullmatch(r"\d{4}-\d\d-\d\d([T ][0-9:.+-]+)?", str(raw)):
                raise row.fault("value", f"'{str(raw)[:40]}' is not a date as YYYY-MM-DD")
            leaf = Src(Plain(raw) if kind == "date" else raw, row.sheet, row.ref("value"))
        if not steps:
            if root is not None:
                raise row.fault("path", "the whole file is given twice")
            root = leaf
            continue
        if root is None:
            root = container(steps[0], row)
        here = root
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if isinstance(step, int) != isinstance(here, list):
                raise row.fault("path", f"'{path}' mixes a list and a mapping at step {i + 1}")
            if isinstance(here, list):
                if step > len(here) or (last and step < len(here)):
                    raise row.fault("path", f"'{path}': item {step + 1} comes out of order (items in order, "
                                            "from 1)")
                if step == len(here):
                    here.append(leaf if last else container(steps[i + 1], row))
            else:
                if last:
                    if step in here:
                        raise row.fault("path", f"'{path}' is given twice")
                    here[step] = leaf
                elif step not in here:
                    here[step] = container(steps[i + 1], row)
            if not last:
                here = here[step]
    if root is None:
        raise TreeFault(sheet, "A2", "the sheet holds no rows")
    return root


def rows_from_cells(sheet: str, heading: tuple, values: list[tuple], columns: tuple[str, ...]) -> list[_Row]:
    index = {str(h).strip().lower(): i for i, h in enumerate(heading) if h is not None}
    for name in columns[:2]:
        if name not in index:
            raise TreeFault(sheet, "A1", f"column '{name}' is missing (columns: {', '.join(columns)})")
    out = []
    for n, vals in enumerate(values, 2):
        cells = {c: (vals[index[c]] if index[c] < len(vals) else None, f"{column_letter(index[c] + 1)}{n}")
                 for c in columns if c in index}
        cells = {c: (None if isinstance(v, str) and not v.strip() else v, ref) for c, (v, ref) in cells.items()}
        if all(v is None for v, _ in cells.values()):
            continue
        out.append(_Row(sheet, n, cells))
    return out
