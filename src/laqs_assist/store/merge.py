"""Merging bundles into a team store, for SQLite here and PostgreSQL (store/pg.py) alike.

Every rule is written once, as SQL both engines run, over `Engine`, a thin wrapper that knows the engine's
placeholders and where a bundle's rows wait (`src`: an attached bundle in SQLite, temporary tables in PostgreSQL).

The rules, each of them the same whatever order bundles arrive in:
- every row is keyed by its UUID: a row already there is kept (a finalised visit's rows do not change), or for a
  row that can change after the visit (the visit's summary, an action, a rating) the later `updated_at` wins;
- an answer's wordings are versions, each naming the one it replaced; the current wording is found by walking
  from the first, taking at a fork the edit made first (or the version a resolution chose). An edit made to a
  wording that was no longer current is kept, off that line, and listed as a conflict until resolved;
- organisations are matched by their stable key (kind and LA code or URN) where a store knows it, else by kind
  and name; every name a store gave a matched organisation is kept as an alias; the team store names it by the
  name its earliest-created record gave;
- an answer flagged as concerning an individual (withdrawn) is removed and never brought back by another bundle;
  unless the team's policy shares flagged answers, a flagged answer in a bundle is withdrawn at once.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Any, Iterable

from .bundled import BUNDLED, organisation_columns

ORG_NS = uuid.UUID("8d1f0f4e-2b7a-4c55-9a51-7d2e6c0b4f21")


class Engine:
    """SQL for one engine: '?' placeholders are turned into the engine's; `src` prefixes a bundle's table."""

    name = "sqlite"
    src = "incoming."

    def x(self, sql: str, params: Iterable[Any] = ()) -> Any:  # pragma: no cover - each engine's own
        raise NotImplementedError

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:  # pragma: no cover
        raise NotImplementedError

    def many(self, sql: str, rows: list[tuple]) -> None:  # pragma: no cover
        raise NotImplementedError

    def columns(self, table: str, incoming: bool = False) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None


class SQLiteEngine(Engine):
    def __init__(self, conn) -> None:
        self.conn = conn

    def x(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self.conn.execute(sql, list(params))

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, list(params)).fetchall()

    def many(self, sql: str, rows: list[tuple]) -> None:
        self.conn.executemany(sql, rows)

    def columns(self, table: str, incoming: bool = False) -> list[str]:
        schema = "incoming" if incoming else "main"
        return [r[1] for r in self.conn.execute(f"PRAGMA {schema}.table_info({table})")]


# --- one bundle ---------------------------------------------------------------------------------------------------


def merge_rows(db: Engine, policy: dict[str, str]) -> dict[str, int]:
    """Merge the bundle waiting in db.src into the team store, inside the caller's transaction; what was added."""
    src = db.src
    share_flagged = policy.get("share_flagged") == "yes"
    before = _counts(db)
    _map_organisations(db)
    # Answers already withdrawn stay out; unless the policy shares them, flagged answers are withdrawn now.
    withdrawn = [r[0] for r in db.rows(f"SELECT response_id FROM {src}pool_withdrawn")]
    if not share_flagged:
        withdrawn += [r[0] for r in db.rows(f"SELECT id FROM {src}responses WHERE concerns_individual = 1")]
    db.many("INSERT INTO pool_withdrawn (response_id) VALUES (?) ON CONFLICT DO NOTHING", [(w,) for w in withdrawn])
    for b in BUNDLED:
        if not b.merged:
            continue
        have = db.columns(b.table)
        incoming = db.columns(b.table, incoming=True)
        if not have or not incoming:
            continue
        cols = [c for c in incoming if c in have and not (b.table == "events" and c == "seq") and c not in b.local]
        if b.table == "judgements":
            cols = [c for c in cols if c != "seq"]
        exprs = [_mapped(c, src) if c in b.orgs else f"t.{c}" for c in cols]
        for i, c in enumerate(cols):
            if c in b.private and policy.get(b.private[c]) != "yes":
                exprs[i] = "''"  # not the team's policy to keep it, whatever the bundle carries
        if b.table == "judgements":
            # seq counts rows in the order this file received them: a local number, not pooled data.
            cols.append("seq")
            exprs.append("(SELECT coalesce(max(seq), 0) FROM judgements) + row_number() OVER "
                         "(ORDER BY t.created_at, t.id)")
        where = "true"
        if b.table == "responses":
            where = "NOT EXISTS (SELECT 1 FROM pool_withdrawn w WHERE w.response_id = t.id)"
        if b.table == "events":
            # An event merged before is found among its visit's few, through the index every store has; an index
            # of event ids would add about 135 bytes per answer to a team store.
            where = "NOT EXISTS (SELECT 1 FROM events e WHERE e.visit_id = t.visit_id AND e.id = t.id)"
        for name, cond in b.private_rows.items():
            if policy.get(name) != "yes":
                where += f" AND NOT ({cond})"
        if b.never:
            where += f" AND NOT ({b.never})"  # whatever a bundle carries, the team store never keeps these
        if b.withdraws:
            where += f" AND NOT EXISTS (SELECT 1 FROM pool_withdrawn w WHERE w.response_id = t.{b.key})"
        if b.table == "judgements":
            # an answer withdrawn or not pooled is not pointed at
            exprs[cols.index("response_id")] = ("CASE WHEN EXISTS (SELECT 1 FROM responses r WHERE "
                                                "r.id = t.response_id) "
                                                "THEN t.response_id END")
        db.x(f"INSERT INTO {b.table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {src}{b.table} t "
             f"WHERE {where} {_conflict(b, cols)}")
    # An answer's only wording is its text in responses: pool_versions keeps words only for answers with more.
    db.x(f"INSERT INTO pool_versions (id, response_id, replaces, text, value, started_at) "
         f"SELECT v.id, v.response_id, v.replaces, CASE WHEN EXISTS (SELECT 1 FROM {src}pool_versions w WHERE "
         f"w.response_id = v.response_id AND w.id != v.id) THEN v.text END, v.value, v.started_at "
         f"FROM {src}pool_versions v WHERE EXISTS (SELECT 1 FROM responses r WHERE r.id = v.response_id) "
         "ON CONFLICT DO NOTHING")
    _purge_withdrawn(db, withdrawn)
    several = [r[0] for r in db.rows(
        f"SELECT response_id FROM pool_versions WHERE response_id IN (SELECT response_id FROM {src}pool_versions) "
        "GROUP BY response_id HAVING count(*) > 1")]
    _fill_words(db, several)
    settle_versions(db, several)
    db.x(f"INSERT INTO pool_bundles (id, author, exported_at, visits, answers, flagged_shared) "
         f"SELECT id, author, exported_at, visits, answers, flagged_shared FROM {src}pool_bundles WHERE true "
         "ON CONFLICT DO NOTHING")
    after = _counts(db)
    return {k: after[k] - before[k] for k in after}


def _counts(db: Engine) -> dict[str, int]:
    return {"visits": db.value("SELECT count(*) FROM visits"),
            "answers": db.value("SELECT count(*) FROM responses"),
            "versions": db.value("SELECT count(*) FROM pool_versions"),
            "organisations": db.value("SELECT count(*) FROM organisations")}


def _mapped(col: str, src: str) -> str:
    return f"coalesce((SELECT s.organisation_id FROM pool_sources s WHERE s.source_id = t.{col}), t.{col})"


def _conflict(b, cols: list[str]) -> str:
    if b.on_conflict == "keep":
        return "ON CONFLICT DO NOTHING"
    if b.on_conflict == "newer":
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        return (f"ON CONFLICT ({b.key}) DO UPDATE SET {sets} "
                f"WHERE excluded.updated_at > {b.table}.updated_at")
    return f"ON CONFLICT ({b.key}) {b.on_conflict}"


def _fill_words(db: Engine, response_ids: list[str]) -> None:
    """An answer that now has more than one wording keeps the words of each: a version without them was its
    bundle's only wording (the bundle's answer text) or the team store's (the team's answer text, still current:
    answers are only rewritten once they have several wordings, and then every wording has its words)."""
    src = db.src
    for i in range(0, len(response_ids), 500):
        chunk = response_ids[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        db.x(f"UPDATE pool_versions SET text = (SELECT r.text FROM {src}responses r WHERE r.id = "
             f"pool_versions.response_id) WHERE text IS NULL AND response_id IN ({marks}) AND NOT EXISTS "
             f"(SELECT 1 FROM {src}pool_versions w WHERE w.response_id = pool_versions.response_id AND "
             f"w.id != pool_versions.id) AND EXISTS (SELECT 1 FROM {src}pool_versions w WHERE "
             f"w.response_id = pool_versions.response_id AND w.id = pool_versions.id)", chunk)
        db.x(f"UPDATE pool_versions SET text = (SELECT r.text FROM responses r WHERE r.id = pool_versions.response_id) "
             f"WHERE text IS NULL AND response_id IN ({marks})", chunk)


def _purge_withdrawn(db: Engine, withdrawn: list[str]) -> None:
    """Remove what this bundle withdraws (those withdrawn before are gone already, and never inserted again)."""
    for i in range(0, len(withdrawn), 500):
        chunk = withdrawn[i:i + 500]
        gone = "(" + ", ".join("?" for _ in chunk) + ")"
        # judgements are reached through their visits (indexed), not by scanning every judgement's response
        db.x(f"UPDATE judgements SET response_id = NULL WHERE visit_id IN (SELECT visit_id FROM responses WHERE "
             f"id IN {gone}) AND response_id IN {gone}", chunk * 2)
        for table, col in (("response_versions", "response_id"), ("pool_versions", "response_id"),
                           ("pool_resolutions", "response_id"), ("responses", "id")):
            db.x(f"DELETE FROM {table} WHERE {col} IN {gone}", chunk)
        for b in BUNDLED:
            if b.withdraws and db.columns(b.table):
                db.x(f"DELETE FROM {b.table} WHERE {b.key} IN {gone}", chunk)


# --- organisations ------------------------------------------------------------------------------------------------


def _team_id(kind: str, name: str, code: str | None) -> str:
    if code:
        return str(uuid.uuid5(ORG_NS, f"code|{kind}|{code.strip().casefold()}"))
    return str(uuid.uuid5(ORG_NS, f"name|{kind}|{' '.join(name.split()).casefold()}"))


def _map_organisations(db: Engine) -> None:
    """Record which team organisation each of the bundle's organisations is, creating or folding as needed."""
    src = db.src
    code_col = "code" if "code" in db.columns("organisations", incoming=True) else "NULL"
    incoming = db.rows(f"SELECT id, name, kind, parent_id, {code_col}, created_at FROM {src}organisations "
                       "ORDER BY created_at, id")
    touched: set[str] = set()
    for sid, name, kind, _parent, code, created in incoming:
        code = (code or "").strip() or None
        earlier = db.rows("SELECT organisation_id, code FROM pool_sources WHERE source_id = ?", [sid])
        if earlier and earlier[0][1] is not None:
            touched.add(earlier[0][0])  # matched by its key before: it stays so
            continue
        tid = None
        if not code:
            known = db.rows("SELECT s.organisation_id FROM pool_sources s WHERE s.source_id = ?", [sid])
            tid = known[0][0] if known else _by_name(db, kind, name)
        tid = tid or _team_id(kind, name, code)
        if not db.rows("SELECT 1 FROM organisations WHERE id = ?", [tid]):
            db.x("INSERT INTO organisations (id, name, kind, parent_id, created_at, code) VALUES (?, ?, ?, NULL, ?, ?)",
                 [tid, f"{name} [{tid}]", kind, created, code])  # named properly by _settle_names
        db.x("INSERT INTO pool_sources (source_id, organisation_id, kind, name, code, parent_source_id, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET "
             "organisation_id = excluded.organisation_id, code = coalesce(excluded.code, pool_sources.code), "
             "parent_source_id = coalesce(pool_sources.parent_source_id, excluded.parent_source_id) "
             "WHERE pool_sources.code IS NULL",
             [sid, tid, kind, " ".join(name.split()), code, _parent, created])
        if earlier and earlier[0][0] != tid and earlier[0][1] is None and code:
            _fold(db, earlier[0][0], tid)  # the store gave its organisation a key since: one organisation
        touched.add(tid)
    # An organisation known only by name joins the keyed one of the same kind and name.
    for tid in sorted(touched):
        row = db.rows("SELECT kind, code FROM organisations WHERE id = ?", [tid])
        if not row or row[0][1] is None:
            continue
        kind = row[0][0]
        names = [r[0] for r in db.rows("SELECT DISTINCT name FROM pool_sources WHERE organisation_id = ?", [tid])]
        for other in db.rows("SELECT DISTINCT o.id FROM organisations o JOIN pool_sources s ON "
                             "s.organisation_id = o.id WHERE o.kind = ? AND o.code IS NULL AND o.id != ?",
                             [kind, tid]):
            other_names = {r[0].casefold() for r in db.rows("SELECT name FROM pool_sources WHERE organisation_id = ?",
                                                             [other[0]])}
            if other_names & {n.casefold() for n in names}:
                _fold(db, other[0], tid)
    _settle_names(db, touched)


def _by_name(db: Engine, kind: str, name: str) -> str | None:
    """A team organisation of this kind already known by this name (from any store, keyed ones first)."""
    found = db.rows("SELECT o.id FROM pool_sources s JOIN organisations o ON o.id = s.organisation_id "
                    "WHERE s.kind = ? AND lower(s.name) = lower(?) ORDER BY o.code IS NULL, o.id LIMIT 1",
                    [kind, " ".join(name.split())])
    return found[0][0] if found else None


def _fold(db: Engine, old: str, new: str) -> None:
    """Make the organisation `old` part of `new`: every row naming it names `new`; `old` goes."""
    if old == new or not db.rows("SELECT 1 FROM organisations WHERE id = ?", [old]):
        return
    keys = {b.table: b.key for b in BUNDLED}
    for table, col in organisation_columns():
        if table == "organisations":
            db.x(f"UPDATE organisations SET {col} = ? WHERE {col} = ?", [new, old])
        elif db.columns(table):
            if keys.get(table) == col:
                # keyed by the organisation (an LA's register): `new`'s own row stands, `old`'s goes
                db.x(f"UPDATE {table} SET {col} = ? WHERE {col} = ? AND NOT EXISTS (SELECT 1 FROM {table} "
                     f"WHERE {col} = ?)", [new, old, new])
                db.x(f"DELETE FROM {table} WHERE {col} = ?", [old])
            else:
                with _relabelling(db, table):
                    db.x(f"UPDATE {table} SET {col} = ? WHERE {col} = ?", [new, old])
    db.x("DELETE FROM organisation_aliases WHERE organisation_id = ?", [old])
    db.x("DELETE FROM organisations WHERE id = ?", [old])
    # Derived data about either (a store's cache of ratings) is built again from the rows now theirs: moving rows
    # from one organisation to another is neither an insert nor a delete that would tell a cache so.
    if db.columns("rating_cache"):
        db.x("DELETE FROM rating_cache WHERE organisation_id IN (?, ?)", [old, new])


@contextmanager
def _relabelling(db: Engine, table: str):
    """Let a fold name the organisation an append-only table's rows are about (a register's entries): the entries
    and what they say stay as they were; only the organisation they name is now called by its team id. SQLite
    refuses any change to such rows by trigger; the trigger is lifted for this statement, inside the merge's
    transaction, and put back as it was."""
    if db.name != "sqlite":
        yield
        return
    guards = db.rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                     "AND sql LIKE '%BEFORE UPDATE%'", [table])
    for name, _sql in guards:
        db.x(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for _name, sql in guards:
            db.x(sql)


def _settle_names(db: Engine, touched: set[str]) -> None:
    """Name each organisation by its earliest-created record's name; keep the rest as aliases. Keyed organisations
    of one kind that share a name are told apart by their key."""
    for tid in sorted(touched):
        row = db.rows("SELECT kind, code FROM organisations WHERE id = ?", [tid])
        if not row:
            continue  # folded into another
        kind, code = row[0]
        sources = db.rows("SELECT name FROM pool_sources WHERE organisation_id = ? ORDER BY created_at, source_id",
                          [tid])
        base = sources[0][0]
        name = base
        if code:
            twins = db.value("SELECT count(DISTINCT o.id) FROM organisations o JOIN pool_sources s ON "
                             "s.organisation_id = o.id WHERE o.kind = ? AND o.code IS NOT NULL AND "
                             "lower(s.name) = lower(?)", [kind, base])
            if twins > 1:
                name = f"{base} ({code})"
                for other, ocode, in db.rows("SELECT DISTINCT o.id, o.code FROM organisations o JOIN pool_sources s "
                                             "ON s.organisation_id = o.id WHERE o.kind = ? AND o.code IS NOT NULL "
                                             "AND lower(s.name) = lower(?) AND o.id != ?", [kind, base, tid]):
                    db.x("UPDATE organisations SET name = ? WHERE id = ? AND lower(name) = lower(?)",
                         [f"{base} ({ocode})", other, base])
        clash = db.rows("SELECT id FROM organisations WHERE kind = ? AND lower(name) = lower(?) AND id != ?",
                        [kind, name, tid])
        if clash:
            name = f"{name} ({tid[:8]})"
        # Its first record also says when it was first recorded and the LA it belongs to.
        first = db.rows("SELECT created_at FROM pool_sources WHERE organisation_id = ? ORDER BY created_at "
                        "LIMIT 1", [tid])[0][0]
        parent = db.value("SELECT p.organisation_id FROM pool_sources s JOIN pool_sources p ON "
                          "p.source_id = s.parent_source_id WHERE s.organisation_id = ? "
                          "ORDER BY s.created_at, s.source_id LIMIT 1", [tid])
        db.x("UPDATE organisations SET name = ?, created_at = ?, parent_id = ? WHERE id = ?",
             [name, first, parent, tid])
        db.x("DELETE FROM organisation_aliases WHERE organisation_id = ?", [tid])
        for (alias,) in db.rows("SELECT DISTINCT name FROM pool_sources WHERE organisation_id = ? AND name != ?",
                                [tid, name]):
            db.x("INSERT INTO organisation_aliases (organisation_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
                 [tid, alias])


# --- versions -----------------------------------------------------------------------------------------------------


def current_line(versions: list[tuple], chosen: str | None = None) -> list[tuple]:
    """The wordings an answer went through, first to current: from the first version (or a resolution's choice
    and what led to it), at each step the edit made first. Rows are (id, replaces, text, value, started_at)."""
    by_id = {v[0]: v for v in versions}
    children: dict[str | None, list[tuple]] = {}
    for v in versions:
        children.setdefault(v[1], []).append(v)
    for kids in children.values():
        kids.sort(key=lambda v: (v[4], v[0]))
    if chosen in by_id:
        line = [by_id[chosen]]
        while line[0][1] in by_id:
            line.insert(0, by_id[line[0][1]])
    else:
        roots = children.get(None) or [v for v in versions if v[1] not in by_id]
        roots.sort(key=lambda v: (v[4], v[0]))
        line = [roots[0]]
    while children.get(line[-1][0]):
        line.append(children[line[-1][0]][0])
    return line


def settle_versions(db: Engine, response_ids: list[str]) -> None:
    """Bring each answer's current wording, and its earlier wordings, into line with its versions."""
    for i in range(0, len(response_ids), 500):
        chunk = response_ids[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        versions: dict[str, list[tuple]] = {}
        for rid, *v in db.rows(f"SELECT response_id, id, replaces, text, value, started_at FROM pool_versions "
                               f"WHERE response_id IN ({marks})", chunk):
            versions.setdefault(rid, []).append(tuple(v))
        chosen = dict(db.rows(f"SELECT response_id, version_id FROM pool_resolutions WHERE response_id IN ({marks})",
                              chunk))
        for rid, vs in versions.items():
            line = current_line(vs, chosen.get(rid))
            head = line[-1]
            db.x("UPDATE responses SET text = ?, value = ?, updated_at = ? WHERE id = ? AND "
                 "(text != ? OR coalesce(value, '') != coalesce(?, '') OR updated_at != ?)",
                 [head[2], head[3], head[4], rid, head[2], head[3], head[4]])
            db.x("DELETE FROM response_versions WHERE response_id = ?", [rid])
            db.many("INSERT INTO response_versions (id, response_id, text, replaced_at) VALUES (?, ?, ?, ?)",
                    [(v[0], rid, v[2], nxt[4]) for v, nxt in zip(line, line[1:])])


def conflicts(db: Engine) -> list[dict[str, Any]]:
    """Every edit kept off an answer's current line (made to a wording no longer current), unless a resolution
    settled the answer after it arrived: the answer, where it was said, the current wording and the other."""
    forked = db.rows("SELECT response_id, count(*) FROM pool_versions GROUP BY response_id HAVING count(*) > 1")
    out = []
    for rid, n in forked:
        resolved = db.rows("SELECT version_id, versions_seen FROM pool_resolutions WHERE response_id = ?", [rid])
        if resolved and resolved[0][1] >= n:
            continue
        vs = [tuple(r) for r in db.rows("SELECT id, replaces, text, value, started_at FROM pool_versions "
                                        "WHERE response_id = ?", [rid])]
        line = current_line(vs, resolved[0][0] if resolved else None)
        on_line = {v[0] for v in line}
        off = sorted((v for v in vs if v[0] not in on_line), key=lambda v: (v[4], v[0]))
        if not off:
            continue
        about = db.rows("SELECT o.name, v.date, r.aspect_id, v.author FROM responses r JOIN visits v ON "
                        "v.id = r.visit_id JOIN organisations o ON o.id = r.organisation_id WHERE r.id = ?", [rid])
        org, day, aspect, author = about[0] if about else ("?", "?", "?", "")
        head = line[-1]
        out.append({"response_id": rid, "organisation": org, "date": day, "aspect_id": aspect, "author": author,
                    "current": {"version": head[0], "text": head[2], "since": head[4]},
                    "others": [{"version": v[0], "replaces": v[1], "text": v[2], "since": v[4]} for v in off]})
    out.sort(key=lambda c: (c["date"], c["organisation"], c["response_id"]))
    return out


def resolve(db: Engine, version: str, at: str, note: str = "") -> dict[str, Any]:
    """Make a version (by id or unique prefix) the answer's current wording; later edits to it follow on."""
    found = db.rows("SELECT id, response_id FROM pool_versions WHERE substr(id, 1, ?) = ?", [len(version), version])
    if len(found) != 1:
        return {"error": "no such version" if not found else "more than one version starts so"}
    vid, rid = found[0]
    n = db.value("SELECT count(*) FROM pool_versions WHERE response_id = ?", [rid])
    db.x("INSERT INTO pool_resolutions (response_id, version_id, versions_seen, resolved_at, note) VALUES "
         "(?, ?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET version_id = excluded.version_id, "
         "versions_seen = excluded.versions_seen, resolved_at = excluded.resolved_at, note = excluded.note",
         [rid, vid, n, at, note])
    settle_versions(db, [rid])
    return {"response_id": rid, "version": vid}
