"""No SQL outside the store package: every query has a name, in store/, and the rest of the code calls it.

The scan reads every .py file under src/laqs_assist except store/ and names file:line for each string that reads
as SQL, each `.execute(` (and executemany, executescript), each `sqlite3.connect` and each sqlite-utils import (a
sqlite-utils Database is SQL by another name). Nothing is allowed: there is no allow-list.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import laqs_assist

SRC = Path(laqs_assist.__file__).resolve().parent
STORE = SRC / "store"

# The house writes SQL keywords in capitals, so capitals are enough to tell SQL from prose ("Select an aspect
# from the list" is prose). Lower-case SQL is caught only in shapes prose never takes.
_UPPER = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|"
                    r"\bDELETE\s+FROM\b|\bCREATE\s+(UNIQUE\s+|VIRTUAL\s+|TEMP\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b|"
                    r"\bDROP\s+(TABLE|INDEX|VIEW|TRIGGER)\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+|"
                    r"\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b")
_LOWER = re.compile(r"\bselect\s+(\*|count\s*\(|distinct\b)|\binsert\s+into\s+\w+\s*[(]|"
                    r"\bdelete\s+from\s+\w+\s+where\b|\bupdate\s+\w+\s+set\s+\w+\s*=|"
                    r"\bcreate\s+(virtual\s+)?table\s+\w+|\bwhere\s+\w+\s*=\s*\?", re.IGNORECASE)
_CALLS = {"execute", "executemany", "executescript"}


def _strings(tree: ast.AST):
    """(line, text) of every string literal; an f-string's literal parts joined round a placeholder."""
    parts = set()  # an f-string's literal parts, read with the f-string rather than alone
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            parts.update(map(id, literal))
            yield node.lineno, "x".join(v.value for v in literal)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            yield node.lineno, node.value


def _imported(node: ast.AST) -> set[str]:
    """The top-level packages an import statement imports from."""
    if isinstance(node, ast.Import):
        return {a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {node.module.split(".")[0]}
    return set()


def sql_in(source: str, name: str = "<source>") -> list[str]:
    """What in `source` is SQL or raw database access, as 'name:line: what'."""
    tree = ast.parse(source, name)
    found = []
    for line, text in _strings(tree):
        if _UPPER.search(text) or _LOWER.search(text):
            found.append(f"{name}:{line}: SQL in a string: {' '.join(text.split())[:80]!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if f.attr in _CALLS:
                found.append(f"{name}:{node.lineno}: .{f.attr}(")
            elif f.attr == "connect" and isinstance(f.value, ast.Name) and f.value.id == "sqlite3":
                found.append(f"{name}:{node.lineno}: sqlite3.connect")
        elif "sqlite_utils" in _imported(node):
            found.append(f"{name}:{node.lineno}: imports sqlite_utils")
        elif isinstance(node, ast.ImportFrom) and node.module == "sqlite3" and \
                any(a.name == "connect" for a in node.names):
            found.append(f"{name}:{node.lineno}: sqlite3.connect")
    return sorted(set(found), key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def _outside_store() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if STORE not in p.parents)


def test_no_sql_outside_the_store():
    files = _outside_store()
    assert len(files) > 10 and SRC / "session/__init__.py" in files  # the scan sees the package, not an empty folder
    leaks = [hit for p in files for hit in sql_in(p.read_text(encoding="utf-8"), str(p.relative_to(SRC.parent)))]
    assert leaks == [], "SQL outside store/ (give it a named Store method):\n" + "\n".join(leaks)


def test_the_scan_finds_sql_in_every_form_it_is_written():
    """The scan is only worth its silence if it speaks: each of these is found, on its own line."""
    source = '''
import sqlite3
from sqlite_utils import Database
from sqlite3 import connect
conn = sqlite3.connect(":memory:")
store.rows("SELECT phases FROM visits WHERE organisation_id = ?", [x])
store.conn.execute("x")
cur.executemany("x", rows)
q = ("SELECT v.id, v.date "
     "FROM visits v")
w = f"UPDATE visits SET {col} = ?"
d = "DELETE FROM drafts WHERE visit_id = ?"
i = "INSERT INTO c VALUES (?, ?)"
t = "CREATE VIRTUAL TABLE c USING fts5(text)"
p = "PRAGMA journal_mode = WAL"
low = "select * from visits"
low2 = "delete from drafts where visit_id = ?"
'''
    lines = {int(hit.split(":")[1]) for hit in sql_in(source)}
    assert lines == {3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17}


def test_the_scan_leaves_prose_alone():
    """Words a user reads, that happen to be SQL keywords, are not SQL."""
    source = '''
a = "Select an aspect from the list"
b = "update the action's status, then delete from the list what is done"
c = "Create a table of the ratings in Word"
d = "drop the visit? (y/n)"
e = "insert into the answer box"
'''
    assert sql_in(source) == []
