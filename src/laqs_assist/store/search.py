"""Full-text search over answers: the FTS5 index, filled in batches, and what a user types turned into a query."""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class SearchTables(_Base):
    # How search stays as fast on a team store of millions of answers as on a personal one: every step reads a
    # bounded number of index entries, whatever the store's size.
    # - A word held by more than COMMON answers (as a whole word, or through the words it begins) is very common.
    # - If the query's whole words together are, or every word of it is, the newest answers holding them all are
    #   shown, newest first: FTS5 reads whole words (and indexed prefixes) lazily, newest first, so that costs the
    #   page asked for, not the store.
    # - Otherwise answers are ranked best first (bm25). Ranking reads and sorts every match it is given, and weighs
    #   each word by counting every answer holding it, so it is given only the less common words, which hold at most
    #   COMMON answers each; the very common words of the query are matched without being weighed (bm25 gives a word
    #   held by half the answers or more no weight at all). A store where no word of the query is very common ranks
    #   exactly as FTS5 ranks the whole query.
    # One step still grows with the store: a prefix longer than the indexed ones whose first letters are very common
    # is looked up in the index's vocabulary, which counts the answers of every word it begins (about 18 ms per
    # million answers holding them), though far cheaper than FTS5 merging those words itself, as it did before.
    COMMON = 5_000
    # Prefixes up to this many letters have an index of their own (prefix='2 3 4'): read lazily, like whole words.
    PREFIX_INDEXED = 4

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
        self._words_begun: dict[str, list[tuple[str, int]]] = {}  # the vocabulary read during this search
        words = re.findall(r'"([^"]*)"\*', fts)
        whole = fts.replace('"*', '"')
        if self._count(whole, self.COMMON) > self.COMMON:
            return self._newest(words, limit)
        common = [w for w in words if self._common(w)]
        if len(common) == len(words):
            return self._newest(words, limit)
        if common:
            return self._ranked_among(words, common, limit)
        return self._hits(fts, "rank", limit)

    def _count(self, fts: str, cap: int) -> int:
        """How many answers match, counting no further than cap + 1."""
        return self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM responses_fts WHERE responses_fts MATCH ? "
                                 "LIMIT ?)", [fts, cap + 1]).fetchone()[0]

    def _common(self, word: str) -> bool:
        """Whether more than COMMON answers hold the word, or words it begins. Whole words and indexed prefixes are
        counted lazily up to the cap; a longer prefix that its first letters show may be common is looked up in the
        index's vocabulary, which lists the words it begins with their answer counts."""
        if self._count(f'"{word}"', self.COMMON) > self.COMMON:
            return True
        short = f'"{word[:self.PREFIX_INDEXED]}"*'
        if self._count(short, self.COMMON) <= self.COMMON:
            return False
        if len(_fold(word)) <= self.PREFIX_INDEXED:
            return True
        return sum(n for _, n in self._vocabulary(word)) > self.COMMON

    def _vocabulary(self, word: str) -> list[tuple[str, int]]:
        """The indexed words that begin with `word`, and how many answers hold each (read once a search)."""
        cache = self.__dict__.setdefault("_words_begun", {})
        if word in cache:
            return cache[word]
        low = _fold(word)
        high = low[:-1] + chr(ord(low[-1]) + 1)
        try:
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.responses_fts_words "
                              "USING fts5vocab(main, responses_fts, row)")
            found = self.conn.execute("SELECT term, doc FROM temp.responses_fts_words WHERE term >= ? AND term < ?",
                                      [low, high]).fetchall()
        except sqlite3.DatabaseError:
            found = []  # no vocabulary here: the word is matched as a prefix by FTS5 itself
        cache[word] = found
        return found

    def _lazy(self, word: str) -> str:
        """An FTS5 expression matching what '"word"*' matches, read lazily: a whole word or an indexed prefix as it
        is, a longer prefix as the words it begins (FTS5 would first merge every one of them into one list)."""
        if len(_fold(word)) <= self.PREFIX_INDEXED:
            return f'"{word}"*'
        terms = [t for t, _ in self._vocabulary(word)]
        if not terms:
            return f'"{word}"*'  # a word the vocabulary spells otherwise: FTS5 merges what it begins
        return "(" + " OR ".join(f'"{t}"' for t in terms) + ")"

    def _newest(self, words: list[str], limit: int) -> list[dict[str, Any]]:
        """Very common words: the newest answers holding the words themselves, topped up by the words they begin
        when that gives a short list."""
        hits = self._hits(" ".join(f'"{w}"' for w in words), "rowid DESC", limit)
        if len(hits) < limit:
            seen = {h["id"] for h in hits}
            more = self._hits(" AND ".join(self._lazy(w) for w in words), "rowid DESC", limit)
            hits += [h for h in more if h["id"] not in seen][: limit - len(hits)]
        return hits

    def _ranked_among(self, words: list[str], common: list[str], limit: int) -> list[dict[str, Any]]:
        """Best first by the query's less common words, among the answers holding every word. The less common words
        hold at most COMMON answers each, so reading those answers is bounded; the common words are matched on
        them lazily by their first letters and, when longer, in the answer's text as the index would match them
        (case and accents folded, words as prefixes)."""
        rare = " ".join(f'"{w}"*' for w in words if w not in common)
        # The common words' first letters are read lazily from the prefix index alongside; a longer common word is
        # then checked in the answer's text.
        walk = " ".join([rare] + [f'"{w[:self.PREFIX_INDEXED]}"*' for w in common])
        longer = [_fold(w) for w in common if len(_fold(w)) > self.PREFIX_INDEXED]
        kept: list[int] = []
        for rowid, text in self.conn.execute(
                "SELECT f.rowid, r.text FROM responses_fts f JOIN responses r ON r.rowid = f.rowid "
                "WHERE responses_fts MATCH ? ORDER BY f.rowid DESC", [walk]):
            if longer:
                folded = _fold(text or "")
                if not all(_begins_a_word(folded, w) for w in longer):
                    continue
            kept.append(rowid)
        if not kept:
            return []
        # bm25 is worked out for the answers kept only (a WHERE is applied before the columns are)
        rows = self._rows(
            "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
            "v.date, o.name AS organisation FROM "
            "(SELECT rowid, score FROM (SELECT rowid, bm25(responses_fts) AS score FROM responses_fts "
            "WHERE responses_fts MATCH ? AND rowid >= ? AND +rowid IN (SELECT value FROM json_each(?))) "
            "ORDER BY score, rowid LIMIT ?) hits "
            "JOIN responses r ON r.rowid = hits.rowid JOIN visits v ON v.id = r.visit_id "
            "JOIN organisations o ON o.id = r.organisation_id ORDER BY hits.score, hits.rowid",
            [rare, kept[-1], json.dumps(kept), limit])
        folded_words = [_fold(w) for w in words]
        for r in rows:
            tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(r["text"] or "")]
            r["snippet"] = _snippet(r["text"] or "", tokens, folded_words)
        return rows

    def _hits(self, fts: str, order: str, limit: int) -> list[dict[str, Any]]:
        """Rank and cut inside FTS5, then join only the rows kept. The rank is read only when ordering by it: bm25
        counts every answer holding each word."""
        ranked = order == "rank"
        return self._rows(
            "SELECT r.id, r.visit_id, r.aspect_id, r.question_id, r.text, r.concerns_individual, r.created_at, "
            "v.date, o.name AS organisation, hits.snippet FROM "
            f"(SELECT rowid, snippet(responses_fts, 0, '[', ']', '…', 12) AS snippet{', rank' if ranked else ''} "
            f"FROM responses_fts WHERE responses_fts MATCH ? ORDER BY {order} LIMIT ?) hits "
            "JOIN responses r ON r.rowid = hits.rowid JOIN visits v ON v.id = r.visit_id "
            "JOIN organisations o ON o.id = r.organisation_id "
            f"ORDER BY hits.{'rank' if ranked else 'rowid DESC'}",
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


def _begins_a_word(text: str, start: str) -> bool:
    """Whether a word of `text` (a run of letters and digits, as the tokenizer reads them) begins with `start`."""
    i = text.find(start)
    while i >= 0:
        if i == 0 or not text[i - 1].isalnum():
            return True
        i = text.find(start, i + 1)
    return False


def _fold(word: str) -> str:
    """A word as unicode61 (remove_diacritics 2) indexes it: case-folded, accents dropped."""
    if word.isascii():
        return word.lower()
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
