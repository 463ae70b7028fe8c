"""Full-text search over answers: the FTS5 index, filled in batches, and what a user types turned into a query."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class SearchTables(_Base):
    # Ranking scores every match; past this many matches (or a quarter of it for whole words), the newest matches
    # are shown instead, which stays fast.
    RANK_LIMIT = 20_000

    # Answers wait for the search index until this many have built up (or a search, or a visit starting, pausing or
    # ending, brings it up to date): one FTS5 segment per batch instead of one per answer.
    SEARCH_BATCH = 64

    def index_pending(self) -> int:
        """Add every answer not yet in the full-text index to it, in one commit; how many were added."""
        if self.read_only:
            return 0  # nothing may be written; search reads the answers past the index instead
        top, done = self.conn.execute("SELECT (SELECT coalesce(max(rowid), 0) FROM responses), indexed_to "
                                      "FROM search_state WHERE id = 1").fetchone()
        if top > done:
            with self.write():
                done = self.conn.execute("SELECT indexed_to FROM search_state WHERE id = 1").fetchone()[0]
                top = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM responses").fetchone()[0]
                if top > done:
                    self.conn.execute("INSERT INTO responses_fts (rowid, text) SELECT rowid, text FROM responses "
                                      "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", [done, top])
                    self.conn.execute("UPDATE search_state SET indexed_to = ? WHERE id = 1", [top])
        self._indexed_to = max(top, done)
        return max(top - done, 0)

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Full-text search over every response: best match first, or newest first for very common words."""
        fts = _fts_query(query)
        if not fts:
            raise UsageError("give some words to search for")
        if self.read_only:
            # The index cannot be brought up to date here: the answers past it (at most a batch or so) are read and
            # matched as the index would match them, and come first, as the newest.
            waiting = _unindexed_hits(self, fts, limit)
            if waiting:
                seen = {h["id"] for h in waiting}
                return (waiting + [h for h in self._fts_search(fts, limit) if h["id"] not in seen])[:limit]
            return self._fts_search(fts, limit)
        self.index_pending()
        return self._fts_search(fts, limit)

    def _fts_search(self, fts: str, limit: int) -> list[dict[str, Any]]:
        whole = fts.replace('"*', '"')
        # Whole words are counted cheaply; prefixes of common words first merge every word they begin.
        many = self._count(whole, self.RANK_LIMIT // 4) > self.RANK_LIMIT // 4 or \
            self._count(fts, self.RANK_LIMIT) > self.RANK_LIMIT
        if not many:
            return self._hits(fts, "rank", limit)
        # Very common words: the newest answers holding the words themselves. Whole words are read lazily, newest
        # first, where prefixes would first merge every word they begin; prefixes only top up a short list.
        hits = self._hits(whole, "rowid DESC", limit)
        if len(hits) < limit:
            seen = {h["id"] for h in hits}
            hits += [h for h in self._hits(fts, "rowid DESC", limit) if h["id"] not in seen][: limit - len(hits)]
        return hits

    def _count(self, fts: str, cap: int) -> int:
        """How many answers match, counting no further than cap + 1."""
        return self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM responses_fts WHERE responses_fts MATCH ? "
                                 "LIMIT ?)", [fts, cap + 1]).fetchone()[0]

    def _hits(self, fts: str, order: str, limit: int) -> list[dict[str, Any]]:
        """Rank and cut inside FTS5, then join only the rows kept."""
        return self._rows(
            "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
            "v.date, o.name AS organisation, hits.snippet FROM "
            f"(SELECT rowid, snippet(responses_fts, 0, '[', ']', '…', 12) AS snippet, rank FROM responses_fts "
            f"WHERE responses_fts MATCH ? ORDER BY {order} LIMIT ?) hits "
            "JOIN responses r ON r.rowid = hits.rowid JOIN visits v ON v.id = r.visit_id "
            "JOIN organisations o ON o.id = r.organisation_id "
            f"ORDER BY hits.{'rank' if order == 'rank' else 'rowid DESC'}",
            [fts, limit])


def _fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must appear, each as a prefix. Little words
    ("the", "of") are left out when there is anything else to look for: as prefixes they match nearly everything."""
    words = ["".join(ch for ch in w if ch.isalnum()) for w in text.split()]
    words = [w for w in words if w]
    content = [w for w in words if w.lower() not in _LITTLE_WORDS]
    return " ".join(f'"{w}"*' for w in (content or words))


_LITTLE_WORDS = frozenset("""a an and are as at be by do for from has have in is it its of on or our so that the
their them there these they this to was we were what when which who will with""".split())


def _unindexed_hits(store: SearchTables, fts: str, limit: int) -> list[dict[str, Any]]:
    """Answers past `search_state.indexed_to` that match an FTS query of _fts_query's form, newest first, with a
    snippet like FTS5's. A LIKE cannot stand in for the index: it ignores accents ("ecole" finds "École" in the
    index) and case beyond ASCII, so the rows are read (they are few: a batch builds up at most) and matched in
    Python with the tokenizer's rules (unicode61: letters and digits, case and diacritics folded, words as
    prefixes)."""
    has_state = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_state'"
                                   ).fetchone()
    if not has_state:
        return []  # before batches (schema 0001) every answer went into the index as it was recorded
    words = [_fold(w) for w in re.findall(r'"([^"]*)"\*', fts)]
    if not words:
        return []
    rows = store._rows(
        "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
        "v.date, o.name AS organisation FROM responses r JOIN visits v ON v.id = r.visit_id "
        "JOIN organisations o ON o.id = r.organisation_id "
        "WHERE r.rowid > (SELECT indexed_to FROM search_state WHERE id = 1) ORDER BY r.rowid DESC")
    out = []
    for r in rows:
        tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(r["text"] or "")]
        if all(any(t.startswith(w) for _, _, t in tokens) for w in words):
            r["snippet"] = _snippet(r["text"], tokens, words)
            out.append(r)
            if len(out) >= limit:
                break
    return out


_TOKEN = re.compile(r"[^\W_]+")


def _fold(word: str) -> str:
    """A word as unicode61 (remove_diacritics 2) indexes it: case-folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _snippet(text: str, tokens: list[tuple[int, int, str]], words: list[str], size: int = 12) -> str:
    """What snippet(responses_fts, 0, '[', ']', '…', 12) gives: about 12 words round the first match, each match
    in brackets."""
    hit = [any(t.startswith(w) for w in words) for _, _, t in tokens]
    first = hit.index(True) if True in hit else 0
    start = max(0, min(first - size // 4, len(tokens) - size))
    end = min(len(tokens), start + size)
    parts = []
    pos = tokens[start][0] if tokens else 0
    for i in range(start, end):
        a, b, _ = tokens[i]
        parts.append(text[pos:a])
        parts.append(f"[{text[a:b]}]" if hit[i] else text[a:b])
        pos = b
    out = "".join(parts)
    if start > 0:
        out = "…" + out
    if end < len(tokens):
        out += "…"
    return out
