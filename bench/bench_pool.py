"""Team pooling: merging bundles into a team store, loading them into PostgreSQL, Datasette's canned dashboard query,
a team store's bytes per answer, and search on team stores of growing size.

    .venv/bin/python bench/bench_pool.py [--quick] [--responses N] [--big N] [--no-pg] [--no-serve]

Bundles: the generated regional store (gen_store.py, 150 LAs and their schools) exported with laqs' own export
(store/bundle.py) into 30 bundles of five LAs each, every visit of the store, so the bundles total N answers.

1. Merge (subject): `merge_bundles` (what `laqs pool merge` runs) of the 30 bundles into a new team store, search
   index included. Floor: into a new store of the same schema, per bundle ATTACH + INSERT OR IGNORE of every bundled
   table on its UUID keys, and the same search-index batch at the end. Target: ≤ 2× the floor.
2. Merging the 30 bundles again: adds nothing. Target: < 1 s.
3. PostgreSQL (a throw-away cluster, as the tests start one): `laqs pool merge … --into postgresql://…` of the same
   bundles, answers per second. Floor: plain COPY of the same rows into tables without keys or indexes.
4. Datasette: `laqs serve` on the team store, the dashboard canned query through the JSON API, median of 20.
   Floor: the same SQL on a sqlite3 connection. Target: < 100 ms.
5. Bytes per answer of the team store. Floor: the same rows in plain tables (no indexes) plus a plain FTS5 index
   (no prefix indexes). Target: ≤ 1.5×.
6. Search p99 (Store.search, bench_search's 16 queries) on the merged team store and on a generated store of --big
   answers (default 3M), and the growth exponent between them (p99 ∝ N^k), so 10M can be read off.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import _common as C
from _common import clock, median, p99

N_BUNDLES = 30


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def make_bundles(src: Path, folder: Path) -> list[Path]:
    """The 30 bundles of the source store (reused while the source is unchanged)."""
    from laqs_assist.store import Store
    from laqs_assist.store.bundle import export_bundle

    stamp = folder / "made.json"
    key = {"source": str(src), "size": src.stat().st_size, "mtime": src.stat().st_mtime_ns, "n": N_BUNDLES}
    paths = [folder / f"bundle-{i:02d}.db" for i in range(N_BUNDLES)]
    if stamp.exists() and json.loads(stamp.read_text()) == key and all(p.exists() for p in paths):
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = Store(src)
    try:
        groups: dict[int, list[str]] = {}
        las = [r[0] for r in store.conn.execute("SELECT id FROM organisations WHERE kind = 'LA' ORDER BY name")]
        group_of = {la: i * N_BUNDLES // len(las) for i, la in enumerate(las)}
        for vid, la in store.conn.execute("SELECT v.id, coalesce(o.parent_id, o.id) FROM visits v JOIN "
                                          "organisations o ON o.id = v.organisation_id ORDER BY v.date, v.id"):
            groups.setdefault(group_of[la], []).append(vid)
        t = clock()
        answers = 0
        for i, p in enumerate(paths):
            answers += export_bundle(store, groups.get(i, []), p, author=f"adviser {i + 1}")["answers"]
        secs = clock() - t
        print(f"exported {answers:,} answers into {N_BUNDLES} bundles in {secs:.1f} s ({answers / secs:,.0f} answers/s)")
    finally:
        store.close()
    stamp.write_text(json.dumps(key))
    return paths


def merge_subject(bundles: list[Path], team: Path) -> tuple[float, int]:
    from laqs_assist.store import Store
    from laqs_assist.store.pooling import merge_bundles

    for p in (team, Path(f"{team}-wal"), Path(f"{team}-shm")):
        p.unlink(missing_ok=True)
    t = clock()
    st = Store(team)
    try:
        merge_bundles(st, bundles)
        n = st.conn.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        st.close()
    return clock() - t, n


FLOOR_TABLES = ("organisations", "people", "visits", "visit_people", "visit_items", "responses", "judgements",
                "actions", "action_updates", "ratings", "rating_decisions", "events", "pool_versions")


def merge_floor(bundles: list[Path], team: Path) -> tuple[float, int]:
    """ATTACH + INSERT OR IGNORE on the UUID keys, table by table, then the search index's batch."""
    from laqs_assist.store import Store

    for p in (team, Path(f"{team}-wal"), Path(f"{team}-shm")):
        p.unlink(missing_ok=True)
    t = clock()
    Store(team).close()
    conn = sqlite3.connect(str(team), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for b in bundles:
        conn.execute("ATTACH DATABASE ? AS b", [str(b)])
        conn.execute("BEGIN IMMEDIATE")
        for table in FLOOR_TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})") if r[1] != "seq"]
            if table == "judgements":
                cols.append("seq")
            names = ", ".join(cols)
            conn.execute(f"INSERT OR IGNORE INTO main.{table} ({names}) SELECT {names} FROM b.{table}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE b")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO responses_fts (rowid, text) SELECT rowid, text FROM responses WHERE rowid > "
                 "(SELECT indexed_to FROM search_state WHERE id = 1)")
    conn.execute("UPDATE search_state SET indexed_to = (SELECT max(rowid) FROM responses) WHERE id = 1")
    conn.execute("COMMIT")
    n = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
    conn.close()
    return clock() - t, n


def plain_floor_bytes(team: Path, out: Path) -> int:
    """The team store's rows in plain tables (no keys, no indexes) and a plain FTS5 index over the answers."""
    out.unlink(missing_ok=True)
    conn = sqlite3.connect(str(out), isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS t", [str(team)])
    conn.execute("BEGIN")
    for table in FLOOR_TABLES + ("response_versions",):
        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM t.{table}")
    conn.execute("CREATE VIRTUAL TABLE responses_fts USING fts5(text, content='responses', content_rowid='rowid')")
    conn.execute("INSERT INTO responses_fts (rowid, text) SELECT rowid, text FROM responses")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE t")
    conn.close()
    return out.stat().st_size


def breakdown(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("SELECT CASE WHEN name LIKE 'responses_fts%' THEN 'search index' WHEN name LIKE "
                            "'sqlite_autoindex%' OR name LIKE 'idx_%' THEN 'indexes' ELSE 'rows' END, sum(pgsize) "
                            "FROM dbstat GROUP BY 1 ORDER BY 2 DESC").fetchall()
    except sqlite3.DatabaseError:
        return ""
    finally:
        conn.close()
    total = sum(r[1] for r in rows) or 1
    return ", ".join(f"{k} {v / total:.0%}" for k, v in rows)


def search_p99(path: Path, rounds: int) -> tuple[float, float, float]:
    from bench_search import QUERIES

    from laqs_assist.store import Store, _fts_query

    store = Store(path)
    try:
        floor_sql = "SELECT count(*) FROM responses_fts WHERE responses_fts MATCH ?"
        for _, q in QUERIES:
            store.search(q)
        subj, flo = [], []
        for _ in range(rounds):
            for _, q in QUERIES:
                t = clock()
                store.conn.execute(floor_sql, [_fts_query(q)]).fetchone()
                flo.append(clock() - t)
                t = clock()
                store.search(q)
                subj.append(clock() - t)
        return p99(subj), median(subj), median(flo)
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def datasette_dashboard(team: Path, rounds: int = 20) -> tuple[float, float] | None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        print("Datasette is not installed: skipped (pip install -e '.[test]')")
        return None
    from laqs_assist.store.served import CANNED

    conn = sqlite3.connect(str(team))
    org, year = conn.execute("SELECT o.name, r.academic_year FROM ratings r JOIN organisations o ON "
                             "o.id = r.organisation_id WHERE o.kind = 'LA' GROUP BY 1, 2 ORDER BY count(*) DESC "
                             "LIMIT 1").fetchone()
    params = {"organisation": org, "year": year}
    floor = []
    for _ in range(rounds):
        t = clock()
        rows = conn.execute(CANNED["dashboard"]["sql"], params).fetchall()
        floor.append(clock() - t)
    conn.close()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "laqs_assist", "serve", str(team), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("laqs serve did not start")
                    return None
                time.sleep(0.2)
        from urllib.parse import urlencode

        url = f"http://127.0.0.1:{port}/{team.stem}/dashboard.json?{urlencode({**params, '_shape': 'array'})}"
        got = json.loads(urllib.request.urlopen(url, timeout=60).read())  # warm-up, and a check
        assert len(got) == len(rows), (len(got), len(rows))
        subj = []
        for _ in range(rounds):
            t = clock()
            urllib.request.urlopen(url, timeout=60).read()
            subj.append(clock() - t)
        print(f"dashboard of {org} ({year}): {len(rows)} rows")
        return median(subj), median(floor)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group started here: laqs serve and its Datasette
        proc.wait(timeout=30)


def postgres(bundles: list[Path], answers: int) -> tuple[float, float] | None:
    sys.path.insert(0, str(C.ROOT / "tests"))
    try:
        import psycopg
        from pg_server import Server
    except ImportError as exc:
        print(f"PostgreSQL benchmark skipped: {exc}")
        return None
    from laqs_assist.store import pg

    server = Server()
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - a benchmark without a server says so and goes on
        print(f"PostgreSQL benchmark skipped: no server ({exc})")
        server.stop()
        return None
    try:
        url = server.create_db("team")
        t = clock()
        pg.merge_bundles(url, bundles)
        subject = clock() - t
        with psycopg.connect(url) as conn:
            loaded = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        assert loaded == answers, (loaded, answers)
        floor_url = server.create_db("plain")
        with psycopg.connect(url) as conn, psycopg.connect(floor_url) as plain:
            for table in FLOOR_TABLES:
                cols = [d.name for d in conn.execute(f"SELECT * FROM {table} LIMIT 0").description]
                plain.execute(f"CREATE TABLE {table} ({', '.join(c + ' text' for c in cols)})")
            plain.commit()
        t = clock()
        with psycopg.connect(floor_url) as plain:
            for b in bundles:
                src = sqlite3.connect(str(b))
                for table in FLOOR_TABLES:
                    cols = [d.name for d in plain.execute(f"SELECT * FROM {table} LIMIT 0").description]
                    have = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
                    cols = [c for c in cols if c in have]
                    with plain.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                        for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                            cp.write_row([None if v is None else str(v) for v in row])
                src.close()
                plain.commit()
        floor = clock() - t
        return subject, floor
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run on the 20,000-answer store")
    ap.add_argument("--responses", type=int, default=None)
    ap.add_argument("--big", type=int, default=None, help="answers in the larger store searched (default 3M)")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--steps", default="merge,pg,serve,bytes,search,big",
                    help="which parts to run (merge,pg,serve,bytes,search,big); without merge, the team store and "
                         "bundles of an earlier run are reused")
    ap.add_argument("--reuse-bundles", action="store_true",
                    help="merge the bundles of an earlier run as they are, without checking the source store")
    ap.add_argument("--big-store", type=Path, default=None, help="search this store as the larger one")
    ap.add_argument("--small-store", type=Path, default=None,
                    help="search this store as the smaller one instead of the merged team store (with --steps "
                         "search,big only, no merge is needed)")
    args = ap.parse_args(argv)
    steps = set(args.steps.split(","))

    import gen_store

    n = args.responses or (gen_store.QUICK_RESPONSES if args.quick else gen_store.DEFAULT_RESPONSES)
    big = args.big if args.big is not None else (3 * n if args.quick else 3_000_000)
    folder = C.OUT / f"pool-{n}"
    team, floor_store = folder / "team.db", folder / "floor.db"
    kept = sorted((folder / "bundles").glob("bundle-*.db"))
    if args.small_store and not steps & {"merge", "pg", "serve", "bytes"}:
        search_growth(args.small_store, _answers(args.small_store), big if "big" in steps else 0,
                      2 if args.quick else 5, args.big_store, label="store")
        return 0
    if args.reuse_bundles and len(kept) == N_BUNDLES:
        bundles = kept
        print(f"reusing the bundles in {folder / 'bundles'}")
    elif "merge" in steps or not team.exists():
        steps.add("merge")
        bundles = make_bundles(gen_store.ensure_store(n), folder / "bundles")
    else:
        bundles = sorted((folder / "bundles").glob("bundle-*.db"))
        print(f"reusing {team} and the bundles beside it")
    total = sum(sqlite3.connect(str(b)).execute("SELECT count(*) FROM responses").fetchone()[0] for b in bundles)
    print(f"{len(bundles)} bundles, {total:,} answers, {sum(b.stat().st_size for b in bundles) / 1e6:,.0f} MB")

    # 1. merge vs floor (subject and floor alternate; the quick run repeats them for medians)
    reps = (3 if args.quick else 1) if "merge" in steps else 0
    subj, flo = [], []
    for _ in range(reps):
        s, merged = merge_subject(bundles, team)
        f, floored = merge_floor(bundles, floor_store)
        assert merged == floored == total, (merged, floored, total)
        subj.append(s)
        flo.append(f)
    from laqs_assist.store import Store
    from laqs_assist.store.pooling import merge_bundles

    if reps:
        r = C.ratio(median(subj), median(flo))
        print(f"merge {N_BUNDLES} bundles: {median(subj):.1f} s ({total / median(subj):,.0f} answers/s); floor "
              f"{median(flo):.1f} s; ratio {r:.2f}×")
        C.emit("pool", f"merge {N_BUNDLES} bundles, {total:,} answers, into a new team store",
               f"{median(subj):.1f} s", floor=f"{median(flo):.1f} s (ATTACH + INSERT OR IGNORE)", ratio_=r,
               target="≤ 2×", ok=r <= 2)

        # 2. merging again adds nothing
        st = Store(team)
        try:
            t = clock()
            again = merge_bundles(st, bundles)
            secs = clock() - t
            still = st.conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        finally:
            st.close()
        added = sum(x["answers"] for x in again)
        print(f"merge the {N_BUNDLES} bundles again: {secs * 1e3:.0f} ms, {added} answers added, {still:,} held")
        C.emit("pool", "merge the same bundles again", f"{C.fmt_ms(secs)}, {added} added",
               floor=f"{median(flo):.1f} s (first floor merge)", ratio_=C.ratio(secs, median(flo)),
               target="< 1 s, 0 added", ok=secs < 1 and added == 0 and still == total)

    # 3. PostgreSQL
    if not args.no_pg and "pg" in steps:
        got = postgres(bundles, total)
        if got:
            s, f = got
            print(f"PostgreSQL: {total / s:,.0f} answers/s ({s:.1f} s); plain COPY {total / f:,.0f} answers/s "
                  f"({f:.1f} s); ratio {C.ratio(s, f):.2f}×")
            C.emit("pool", f"merge into PostgreSQL, {total:,} answers", f"{total / s:,.0f} answers/s ({s:.1f} s)",
                   floor=f"{total / f:,.0f} answers/s (plain COPY)", ratio_=C.ratio(s, f), target="answers/s")

    # 4. Datasette's dashboard canned query
    if not args.no_serve and "serve" in steps:
        got = datasette_dashboard(team)
        if got:
            s, f = got
            print(f"Datasette dashboard canned query: median {C.fmt_ms(s)} (of 20); sqlite3 {C.fmt_ms(f)}")
            C.emit("pool", "Datasette dashboard canned query (JSON API, median of 20)", C.fmt_ms(s),
                   floor=f"{C.fmt_ms(f)} (the SQL on sqlite3)", ratio_=C.ratio(s, f), target="< 100 ms", ok=s < 0.1)

    # 5. bytes per answer
    if "bytes" in steps:
        bytes_per_answer(team, folder, total)
    floor_store.unlink(missing_ok=True)

    # 6. search p99 and its growth
    if "search" in steps or "big" in steps:
        search_growth(team, total, big if "big" in steps else 0, 2 if args.quick else 5, args.big_store)
    return 0


def bytes_per_answer(team: Path, folder: Path, total: int) -> None:
    from laqs_assist.store import Store

    st = Store(team)
    st.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    st.close()
    team_bytes = _size(team)
    plain_bytes = plain_floor_bytes(team, folder / "plain.db")
    r = C.ratio(team_bytes, plain_bytes)
    print(f"team store: {team_bytes / total:,.0f} bytes per answer ({breakdown(team)}); plain tables + plain FTS5: "
          f"{plain_bytes / total:,.0f} ({breakdown(folder / 'plain.db')}); ratio {r:.2f}×")
    C.emit("pool", "team store bytes per answer", f"{team_bytes / total:,.0f} B",
           floor=f"{plain_bytes / total:,.0f} B (plain tables + plain FTS5)", ratio_=r, target="≤ 1.5×", ok=r <= 1.5)
    (folder / "plain.db").unlink(missing_ok=True)


def _answers(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        conn.close()


def search_growth(team: Path, total: int, big: int, rounds: int, big_store: Path | None = None,
                  label: str = "team store") -> None:
    import gen_store

    q1, m1, f1 = search_p99(team, rounds)
    what = "the merged team store" if label == "team store" else str(team)
    print(f"search on {what} ({total:,}): p99 {C.fmt_ms(q1)}, median {C.fmt_ms(m1)}, "
          f"floor median {C.fmt_ms(f1)}")
    C.emit("pool", f"search p99, {label} of {total:,}", C.fmt_ms(q1), floor=f"{C.fmt_ms(f1)} (count MATCH median)",
           ratio_=C.ratio(m1, f1), target="< 50 ms", ok=q1 < 0.05)
    if big:
        t = clock()
        path = big_store or gen_store.ensure_store(big)
        big = sqlite3.connect(str(path)).execute("SELECT count(*) FROM responses").fetchone()[0]
        print(f"store of {big:,} answers ready in {clock() - t:.0f} s")
        q3, m3, f3 = search_p99(path, rounds)
        k = math.log(q3 / q1) / math.log(big / total)
        at10m = q3 * (10_000_000 / big) ** k
        k50 = math.log(m3 / m1) / math.log(big / total)
        kf = math.log(f3 / f1) / math.log(big / total)
        print(f"search on {big:,}: p99 {C.fmt_ms(q3)}, median {C.fmt_ms(m3)}, floor median {C.fmt_ms(f3)}; growth "
              f"exponent {k:.2f} (p99 ∝ N^{k:.2f}; median N^{k50:.2f}; floor N^{kf:.2f}); read off at 10M: "
              f"{C.fmt_ms(at10m)}; {_size(path) / big:,.0f} bytes per answer")
        C.emit("pool", f"search p99, store of {big:,}", f"{C.fmt_ms(q3)} (N^{k:.2f}; 10M ≈ {C.fmt_ms(at10m)})",
               floor=f"{C.fmt_ms(f3)} (count MATCH median)", ratio_=C.ratio(m3, f3), target="< 50 ms", ok=q3 < 0.05)


if __name__ == "__main__":
    sys.exit(main())
