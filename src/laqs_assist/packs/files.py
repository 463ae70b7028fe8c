"""A pack's YAML files read with every fault located at file:line, within the bounds a pack must keep: what every
loader (a framework, a school register, a review) reads through."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from ..errors import PackError
from . import model as m
from .yamlsrc import MAX_FILE_BYTES, LDict, LList, line_of, load_yaml, pack_error

# A pack is bounded as a whole as well as file by file (yamlsrc): the shipped pack has 16 files and 150 kB.
MAX_PACK_FILES = 1000
MAX_PACK_BYTES = 8 * 1024 * 1024

REQUIRED = object()  # PackFile.get's default: the field must be there


class PackFile:
    """Typed access to one parsed YAML file, with faults located at file:line."""

    def __init__(self, path: Path, root: Path, budget: Budget | None = None) -> None:
        try:
            self.name = str(path.relative_to(root.parent))
        except ValueError:
            self.name = str(path)
        self.path = path
        if budget is not None:
            budget.charge(self)
        self.data = load_yaml(path, self.name)

    def fail(self, message: str, container: Any = None, key: Any = None) -> PackError:
        return pack_error(message, f"{self.name}:{line_of(container, key)}")

    def ident(self, d: LDict, key: str = "id") -> str:
        """A required id, kept to the id character set (model.id_problem)."""
        value = self.get(d, key)
        problem = m.id_problem(value)
        if problem:
            raise self.fail(problem, d, key)
        return value

    def mapping(self, value: Any, what: str, container: Any = None, key: Any = None) -> LDict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping", container, key)
        return value  # type: ignore[return-value]

    def seq(self, value: Any, what: str, container: Any = None, key: Any = None) -> LList:
        if value is None:
            return LList()
        if not isinstance(value, list):
            raise self.fail(f"{what} must be a list", container, key)
        return value  # type: ignore[return-value]

    def get(self, d: LDict, key: str, kind: type | tuple = str, default: Any = REQUIRED, what: str = "") -> Any:
        label = what or key
        if key not in d or d[key] is None:
            if default is REQUIRED:
                raise self.fail(f"missing required field '{key}'", d)
            return default
        value = d[key]
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # an unquoted id such as 1.1
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            kind_name = {"str": "text", "float": "a number", "int": "a whole number", "bool": "true or false",
                         "dict": "a mapping", "list": "a list"}.get(names, names)
            raise self.fail(f"'{label}' must be {kind_name}", d, key)
        if kind is str and not value.strip():
            raise self.fail(f"'{label}' must not be empty", d, key)
        return value

    def strings(self, d: LDict, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in d or d[key] is None:
            if required:
                raise self.fail(f"missing required field '{key}'", d)
            return ()
        items = self.seq(d[key], f"'{key}'", d, key)
        out = []
        for i, item in enumerate(items):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"'{key}' item {i + 1} must be non-empty text", items, i)
            out.append(item)
        return tuple(out)

    def check_keys(self, d: LDict, allowed: set[str], what: str) -> None:
        for key in d:
            if key not in allowed:
                raise self.fail(f"unknown field '{key}' in {what}", d, key)


class Budget:
    """The bytes a pack may still read: many files each under the per-file cap are still too much."""

    def __init__(self) -> None:
        self.left = MAX_PACK_BYTES

    def charge(self, f: PackFile) -> None:
        try:
            st = os.stat(f.path)
        except OSError:
            return  # load_yaml says what is wrong with the file
        if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES:  # else load_yaml refuses the file itself
            self.left -= st.st_size
        if self.left < 0:
            raise pack_error(f"the pack's files come to more than {MAX_PACK_BYTES // (1024 * 1024)} MB, the most "
                             "a pack may hold", f"{f.name}:1")


def month_day(text: Any) -> bool:
    if not isinstance(text, str) or not re.fullmatch(r"\d\d-\d\d", text):
        return False
    month, day = int(text[:2]), int(text[3:])
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
