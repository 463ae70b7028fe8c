"""A team store in PostgreSQL, for a region or the nation: the same tables as a SQLite store's pooled ones, made and
migrated by this module from the SQLite schema (a missing table is created, a missing column added), filled from
bundles with COPY into temporary tables and merged by the same rules as a SQLite team store (store/merge.py), each
bundle in one transaction under an advisory lock, idempotent through ON CONFLICT on the rows' UUIDs.

psycopg is imported here only, and this module only by the commands that name a postgresql:// store.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from ..errors import UsageError
from .bundle import read_bundle_info
from .bundled import BUNDLED, POLICIES, POOL_TABLES
from .db import StoreError
from .merge import Engine, merge_rows
from .merge import conflicts as _conflicts
from .merge import resolve as _resolve
from .values import now
from .versions import MIGRATIONS

_TYPES = {"TEXT": "text", "INTEGER": "bigint", "BLOB": "bytea", "FLOAT": "double precision",
          "REAL": "double precision", "": "text"}
# Indexes the merge and the readings lean on; the unique ones are what ON CONFLICT names.
_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_events_id ON events (id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_register_entries_id ON register_entries (id)",
    "CREATE INDEX IF NOT EXISTS idx_register_entries_school ON register_entries (school_id, kind, on_date)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_register_schools_urn ON register_schools (la_id, urn)",
    "CREATE INDEX IF NOT EXISTS idx_events_visit ON events (visit_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_ratings_visit ON ratings (visit_id, phase, aspect_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_organisations_kind_code ON organisations (kind, code) "
    "WHERE code IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS idx_organisations_parent ON organisations (parent_id)",
    "CREATE INDEX IF NOT EXISTS idx_responses_visit ON responses (visit_id)",
    "CREATE INDEX IF NOT EXISTS idx_responses_organisation ON responses (organisation_id, academic_year)",
    "CREATE INDEX IF NOT EXISTS idx_judgements_scope ON judgements (organisation_id, academic_year, aspect_id, phase)",
    "CREATE INDEX IF NOT EXISTS idx_visits_organisation ON visits (organisation_id, academic_year)",
    "CREATE INDEX IF NOT EXISTS idx_actions_organisation ON actions (organisation_id)",
    "CREATE INDEX IF NOT EXISTS idx_action_updates_action ON action_updates (action_id)",
    "CREATE INDEX IF NOT EXISTS idx_ratings_organisation ON ratings (organisation_id, academic_year)",
    "CREATE INDEX IF NOT EXISTS idx_rating_decisions_organisation ON rating_decisions (organisation_id)",
    "CREATE INDEX IF NOT EXISTS idx_pool_sources_organisation ON pool_sources (organisation_id)",
    "CREATE INDEX IF NOT EXISTS idx_response_versions_response ON response_versions (response_id)",
)
_LOCK = 7_020_915  # the advisory lock every merge and migration takes: one at a time per database


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise UsageError("a PostgreSQL team store needs psycopg: pip install 'laqs-assist[postgres]'") from None
    return psycopg


def connect(url: str):
    psycopg = _psycopg()
    try:
        return psycopg.connect(url, autocommit=False)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot reach the PostgreSQL team store: {first}") from None


class PgEngine(Engine):
    name = "postgresql"
    src = "incoming_"

    def __init__(self, conn) -> None:
        self.conn = conn
        self._cols: dict[str, list[str]] = {}

    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")

    def x(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self.conn.execute(self._q(sql), list(params))

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.conn.execute(self._q(sql), list(params)).fetchall()

    def many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(self._q(sql), rows)

    def columns(self, table: str, incoming: bool = False) -> list[str]:
        name = f"{self.src}{table}" if incoming else table
        if name not in self._cols:
            found = self.conn.execute("SELECT to_regclass(%s)", [name]).fetchone()[0]
            if found is None:
                self._cols[name] = []
            else:
                cur = self.conn.execute(f"SELECT * FROM {name} LIMIT 0")
                self._cols[name] = [d.name for d in cur.description]
        return self._cols[name]


# --- the schema ---------------------------------------------------------------------------------------------------


def _reference_schema() -> dict[str, list[tuple[str, str, bool, Any, int]]]:
    """The pooled tables as this version's SQLite store has them: name → (column, type, not null, default, pk)."""
    from . import Store

    with tempfile.TemporaryDirectory(prefix="laqs-schema-") as folder:
        path = Path(folder) / "reference.db"
        Store(path).close()
        conn = sqlite3.connect(str(path))
        try:
            out = {}
            for table in [b.table for b in BUNDLED] + list(POOL_TABLES):
                cols = conn.execute(f"PRAGMA table_info({table})").fetchall()
                if cols:
                    out[table] = [(c[1], c[2].upper(), bool(c[3]), c[4], c[5]) for c in cols]
            return out
        finally:
            conn.close()


def migrate(conn) -> None:
    """Create the team store's tables in PostgreSQL, or add what a newer version of the schema has."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS laqs_migrations (name text PRIMARY KEY, applied_at text NOT NULL)")
        applied = {r[0] for r in conn.execute("SELECT name FROM laqs_migrations")}
        unknown = sorted(applied - set(MIGRATIONS))
        if unknown:
            raise UsageError(f"the PostgreSQL team store was written by a newer laqs-assist (schema {unknown[-1]}); "
                             "upgrade laqs-assist to use it")
        pooled = [b.table for b in BUNDLED] + list(POOL_TABLES)
        if applied >= set(MIGRATIONS) and conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND "
                "table_name = ANY(%s)", [pooled]).fetchone()[0] == len(pooled):
            return  # every pooled table is there (a table that joined the bundle later is created below)
        for table, cols in _reference_schema().items():
            exists = conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is not None
            have = set()
            if exists:
                have = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                   "table_name = %s AND table_schema = current_schema()", [table])}
            defs, pk = [], [c[0] for c in sorted(cols, key=lambda c: c[4]) if c[4]]
            for name, kind, not_null, default, is_pk in cols:
                if name in have:
                    continue
                sql_type = _TYPES.get(kind, "text")
                d = f"{name} {sql_type}"
                if (table, name) in (("events", "seq"), ("register_entries", "seq")):
                    d += " GENERATED BY DEFAULT AS IDENTITY"
                if default is not None:
                    d += f" DEFAULT {default}"
                if not_null or is_pk:
                    d += " NOT NULL"
                defs.append(d)
            if not exists:
                conn.execute(f"CREATE TABLE {table} ({', '.join(defs)}, PRIMARY KEY ({', '.join(pk)}))")
            else:
                for d in defs:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {d}")
        for sql in _INDEXES:
            conn.execute(sql)
        # One organisation per kind and name: the merge tells organisations apart by name within a kind.
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_organisations_kind_name ON organisations "
                     "(kind, lower(name))")
        stamp = now()
        for name in MIGRATIONS:
            conn.execute("INSERT INTO laqs_migrations (name, applied_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                         [name, stamp])


# --- merging ------------------------------------------------------------------------------------------------------


def merge_bundles(url: str, paths: list[Path], progress=None) -> list[dict[str, Any]]:
    conn = connect(url)
    results = []
    try:
        migrate(conn)
        for path in paths:
            results.append(_merge_one(conn, Path(path)))
            if progress:
                progress(results[-1])
    finally:
        conn.close()
    return results


def _open_bundle(path: Path) -> sqlite3.Connection:
    src = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
    if read_bundle_info(src, "main") is None:
        src.close()
        raise UsageError(f"{path} is not a bundle (no pool_bundles record): write one with laqs pool export")
    return src


def _merge_one(conn, path: Path) -> dict[str, Any]:
    src = _open_bundle(path)
    try:
        info = read_bundle_info(src, "main")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            if conn.execute("SELECT 1 FROM pool_bundles WHERE id = %s", [info["id"]]).fetchone():
                return {"bundle": str(path), "id": info["id"], "already": True, "visits": 0, "answers": 0,
                        "versions": 0, "organisations": 0}
            db = PgEngine(conn)
            for table in ["organisations"] + [b.table for b in BUNDLED if b.merged] + \
                    ["pool_versions", "pool_withdrawn", "pool_bundles"]:
                _stage(conn, src, table)
            policy = dict(conn.execute("SELECT name, value FROM pool_policy").fetchall())
            added = merge_rows(db, policy)
        return {"bundle": str(path), "id": info["id"], "already": False, **added}
    finally:
        src.close()


def _stage(conn, src: sqlite3.Connection, table: str) -> None:
    """The bundle's rows of one table, copied into a temporary table (dropped at commit) with COPY."""
    have = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
    if not have:
        return  # a bundle from an older version without this table: nothing of it to merge
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_{table} (LIKE {table} INCLUDING DEFAULTS) "
                 "ON COMMIT DROP")
    theirs = [d.name for d in conn.execute(f"SELECT * FROM incoming_{table} LIMIT 0").description]
    cols = [c for c in have if c in theirs]
    if not cols:
        return
    with conn.cursor() as cur:
        with cur.copy(f"COPY incoming_{table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                copy.write_row(row)
    # The merge looks rows up by their keys; a temporary table has no statistics until analysed.
    key = _STAGE_KEYS.get(table, "id" if "id" in cols else None)
    if key:
        conn.execute(f"CREATE INDEX ON incoming_{table} ({key})")
    conn.execute(f"ANALYZE incoming_{table}")


_STAGE_KEYS = {"pool_versions": "response_id, id", "pool_withdrawn": "response_id", "visit_people": "visit_id"}


# --- readings -----------------------------------------------------------------------------------------------------


def policy(url: str) -> dict[str, str]:
    conn = connect(url)
    try:
        migrate(conn)
        return dict(conn.execute("SELECT name, value FROM pool_policy").fetchall())
    finally:
        conn.close()


def set_policy(url: str, name: str, allowed: bool) -> None:
    if name not in POLICIES:
        raise UsageError(f"no policy '{name}' (policies: {', '.join(POLICIES)})")
    conn = connect(url)
    try:
        migrate(conn)
        with conn.transaction():
            conn.execute("INSERT INTO pool_policy (name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
                         "SET value = excluded.value", [name, "yes" if allowed else "no"])
    finally:
        conn.close()


def conflicts(url: str) -> list[dict[str, Any]]:
    conn = connect(url)
    try:
        migrate(conn)
        with conn.transaction():
            return _conflicts(PgEngine(conn))
    finally:
        conn.close()


def resolve(url: str, version: str, note: str = "") -> dict[str, Any]:
    conn = connect(url)
    try:
        migrate(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            out = _resolve(PgEngine(conn), version, now(), note)
        if "error" in out:
            raise UsageError(f"{out['error']}: '{version}' (see laqs pool conflicts)")
        return out
    finally:
        conn.close()


def extract(url: str, organisation: str, path: Path) -> dict[str, int]:
    """Copy an organisation's rows (and those of the organisations under it: an LA's schools) from the PostgreSQL
    team store into a new SQLite store at `path`, where every reading of a store works on them."""
    from . import Store

    conn = connect(url)
    try:
        migrate(conn)
        found = conn.execute(
            "SELECT id FROM organisations WHERE lower(name) = lower(%s) OR code = %s OR id = %s OR id IN "
            "(SELECT organisation_id FROM organisation_aliases WHERE lower(name) = lower(%s)) "
            "ORDER BY kind = 'LA' DESC LIMIT 1", [organisation, organisation, organisation, organisation]).fetchone()
        if not found:
            raise UsageError(f"no organisation '{organisation}' in the PostgreSQL team store")
        orgs = [found[0]] + [r[0] for r in conn.execute("SELECT id FROM organisations WHERE parent_id = %s",
                                                       [found[0]])]
        Store(path).close()
        out = sqlite3.connect(str(path), isolation_level=None)
        counts: dict[str, int] = {}
        try:
            out.execute("PRAGMA foreign_keys = OFF")
            out.execute("BEGIN")
            visits = "(SELECT id FROM visits WHERE organisation_id = ANY(%(orgs)s))"
            filters = {
                "organisations": "id = ANY(%(orgs)s) OR id IN (SELECT parent_id FROM organisations WHERE "
                                 "id = ANY(%(orgs)s))",
                "people": f"id IN (SELECT person_id FROM visit_people WHERE visit_id IN {visits})",
                "visit_people": f"visit_id IN {visits}",
                "visit_items": f"visit_id IN {visits}",
                "events": f"visit_id IN {visits}",
                "response_versions": "response_id IN (SELECT id FROM responses WHERE organisation_id = ANY(%(orgs)s))",
                "pool_versions": "response_id IN (SELECT id FROM responses WHERE organisation_id = ANY(%(orgs)s))",
                "organisation_aliases": "organisation_id = ANY(%(orgs)s)",
                "joint_visit_entries": "joint_visit_id IN (SELECT id FROM joint_visits WHERE school_id = "
                                       "ANY(%(orgs)s) OR la_id = ANY(%(orgs)s))",
            }
            orgs_of = {b.table: b.orgs for b in BUNDLED}
            for table in [b.table for b in BUNDLED] + ["pool_versions", "organisation_aliases", "pool_policy"]:
                mine = [r[1] for r in out.execute(f"PRAGMA table_info({table})")]
                if not mine or PgEngine(conn).columns(table) == []:
                    continue  # a table this version's store or the team store lacks
                by_org = " OR ".join(f"{c} = ANY(%(orgs)s)" for c in orgs_of.get(table, ()) if c != "parent_id")
                where = filters.get(table, by_org or "true")
                cur = conn.execute(f"SELECT * FROM {table} WHERE {where}", {"orgs": orgs})
                cols = [d.name for d in cur.description if d.name in mine]
                idx = [i for i, d in enumerate(cur.description) if d.name in mine]
                rows = [tuple(r[i] for i in idx) for r in cur]
                if rows:
                    out.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES "
                                    f"({', '.join('?' for _ in cols)})", rows)
                counts[table] = len(rows)
            out.execute("COMMIT")
        finally:
            out.close()
        conn.rollback()
        return counts
    finally:
        conn.close()
