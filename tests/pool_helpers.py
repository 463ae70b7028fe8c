"""Advisers' stores for the pooling tests: finalised visits with answers, a flagged answer, judgements, actions;
and a comparison of team stores by their pooled content (every row by its key, local counters left aside)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store
from laqs_assist.store.bundle import choose_visits, export_bundle

PACK = load_pack(default_pack_path())
PRIVATE = "Mr Brown PRIVATE the officer's own performance"


def visit(store, org, day, *, author="Sam Adviser", school=False, parent=None, answers=("yes, reports are timely",),
          flagged=None, good=1, action=None, end=True):
    s = Session.start(store, PACK, agenda_id=PACK.agenda_for("school" if school else "LA"), organisation=org,
                      kind="school" if school else "LA", parent=parent, phases=["P"], focus=["2.4"], day=day,
                      author=author)
    for a in answers:
        s.answer(a)
    if flagged:
        s.answer(flagged)
        s.flag()
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    for c in g[:good]:
        s.judge(c, "met")
    if action:
        s.add_action(action, "Head of SI", "2026-11-10", "2.4")
    if end:
        s.end()
    return s


def adviser(path: Path, author: str, org: str, day: str, **kw) -> Path:
    st = Store(path)
    try:
        visit(st, org, day, author=author, **kw)
    finally:
        st.close()
    return path


def bundle(store_path: Path, out: Path, **kw) -> Path:
    st = Store(store_path)
    try:
        export_bundle(st, choose_visits(st, date_from=None, date_to=None, refs=()), out, **kw)
    finally:
        st.close()
    return out


# Columns that are the file's own counters, not pooled data.
LOCAL = {"events": {"seq"}, "judgements": {"seq"}, "search_state": {"indexed_to"}}
SKIP = {"_sqlite_migrations", "search_state", "drafts", "sqlite_sequence"}


def content(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without local counters or rowids: two team stores holding the same pooled data
    give the same content whatever order they were merged in."""
    conn = sqlite3.connect(str(path))
    try:
        out = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                             "'responses_fts%' ORDER BY name")]
        for t in tables:
            if t in SKIP:
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t})") if r[1] not in LOCAL.get(t, set())]
            if t == "events":  # the merge's own entries say when each merge ran
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM events WHERE kind != 'pool.merge'").fetchall()
            else:
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()
            out[t] = sorted(rows, key=repr)
        # the search index finds the same answers
        out["search"] = sorted(conn.execute("SELECT r.id FROM responses_fts f JOIN responses r ON r.rowid = f.rowid "
                                            "WHERE responses_fts MATCH 'timely'").fetchall())
        return out
    finally:
        conn.close()


def copy_store(src: Path, dst: Path) -> Path:
    """A copy of a closed store (as an adviser copies it to a second laptop)."""
    shutil.copyfile(src, dst)
    return dst
