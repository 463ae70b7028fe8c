"""Which of a pack's criteria an answer may bear on: an FTS5 index of the criteria's text, in memory.

It holds no store data (it is built from the pack and thrown away with the process), but it is SQL, and SQL lives
in the store package.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..packs.model import Pack

_STOP = set("""a an and are as at be been but by can do does for from has have how in is it its of on or that the their
there these they this to was were what when where which who will with within your you our we not""".split())


class CriteriaIndex:
    """Ranks a pack's criteria against an answer's words (SQLite FTS5, bm25), in memory."""

    def __init__(self, pack: Pack) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute("CREATE VIRTUAL TABLE c USING fts5(id UNINDEXED, aspect UNINDEXED, text, "
                          "tokenize='porter')")
        rows = [(c.id, c.aspect_id, c.text) for c in pack.criteria.values()]
        rows += [(it.id, s.aspect_id, it.text) for s, it in pack.set_items.values()]
        self.conn.executemany("INSERT INTO c VALUES (?, ?, ?)", rows)

    def rank(self, text: str, aspect_id: str, limit: int = 5) -> list[str]:
        words = {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}
        if not words:
            return []
        query = " OR ".join(f'"{w}"' for w in sorted(words))
        rows = self.conn.execute("SELECT id FROM c WHERE c MATCH ? AND aspect = ? ORDER BY bm25(c) LIMIT ?",
                                 [query, aspect_id, limit]).fetchall()
        return [r[0] for r in rows]


# Keyed by the pack object's id, holding the pack too: a pack freed while its id was a key could otherwise hand its
# index to a new pack given the same id (several packs can now be loaded side by side).
_INDEXES: dict[int, tuple[Pack, CriteriaIndex]] = {}


def criteria_index(pack: Pack) -> CriteriaIndex:
    """The pack's index, built once per pack object (the TUI builds it ahead, on its engine thread)."""
    found = _INDEXES.get(id(pack))
    if found is None or found[0] is not pack:
        found = _INDEXES[id(pack)] = (pack, CriteriaIndex(pack))
    return found[1]
