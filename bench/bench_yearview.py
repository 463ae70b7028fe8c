"""The year view on the regional store: re-rating every LA before and after the rating cache, the regional
overview and an LA's dashboard from kept ratings, and `laqs coverage` and `laqs plan`.

    .venv/bin/python bench/bench_yearview.py [--quick] [--rounds N] [--las N] [--store PATH]

(a) Re-rating all LAs for the latest year, as every view did before ratings were kept: `session.year_ratings` +
    `rollup.dashboard` per LA (the LA's own evidence), and the year view's first build (every source's evidence,
    rated and kept), against (b) the regional overview read from the kept ratings. Floor: one SELECT of the kept
    rows of every LA (what any reading of them must pay).
(c) `laqs coverage LA --json` and `laqs plan LA --json` run in-process through the CLI's `main` (parsing, the pack,
    opening the store, the query, the JSON; a new Python process adds its own start-up on top), and `laqs
    dashboard LA --json` from kept ratings. Floor: what any command on an LA must do: open the store (as the CLI
    does, migrations checked), find the LA by name and count its year's answers with one indexed query, close.
    Target < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

import _common as C

median = C.median


def bench_rerate(pack, path, year: str, rounds: int) -> dict:
    from laqs_assist.app.service import Service
    from laqs_assist.rollup import dashboard
    from laqs_assist.session import year_ratings
    from laqs_assist.store import Store
    from laqs_assist.year.page import overview

    store = Store(path)
    try:
        las = store.organisations_of_kind("LA")
        before, cold, warm, floor = [], [], [], []
        ids = [la["id"] for la in las]
        marks = ", ".join("?" for _ in ids)
        for _ in range(rounds):
            t = C.clock()
            for la in las:
                dashboard(pack, year_ratings(store, pack, la["id"], year))
            before.append(C.clock() - t)
            store.forget_cells()
            t = C.clock()
            overview(store, pack, year)
            cold.append(C.clock() - t)
            t = C.clock()
            ov = overview(store, pack, year)
            warm.append(C.clock() - t)
            t = C.clock()
            store.conn.execute(f"SELECT organisation_id, phase, basis, sources, summary FROM rating_cache WHERE "
                               f"organisation_id IN ({marks}) AND academic_year = ?", [*ids, year]).fetchall()
            floor.append(C.clock() - t)
        with Service(store, pack) as svc:
            one = svc.overview(year)  # through the service, as the app and the CLI call it
        assert len(one.rows) == len(las) == len(ov.rows)
        return {"las": len(las), "before": median(before), "cold": median(cold), "warm": median(warm),
                "floor": median(floor)}
    finally:
        with contextlib.suppress(Exception):
            store.close()


def bench_commands(path, year: str, n_las: int, rounds: int) -> dict:
    from laqs_assist.cli import main
    from laqs_assist.store import Store

    store = Store(path)
    las = store.organisations_of_kind("LA")[:n_las]
    floor_q = "SELECT count(*) FROM responses WHERE organisation_id = ? AND academic_year = ?"

    def run(*args: str) -> float:
        sink = io.StringIO()
        t = C.clock()
        with contextlib.redirect_stdout(sink):
            code = main(["--store", str(path), *args])
        took = C.clock() - t
        assert code == 0, (args, code)
        return took

    out: dict[str, list[float]] = {"coverage": [], "plan": [], "dashboard": [], "floor": [], "sql": []}
    run("coverage", las[0]["name"], "--year", year, "--json")  # warm the pack cache and the page cache once
    for _ in range(rounds):
        for la in las:
            t = C.clock()
            store.conn.execute(floor_q, [la["id"], year]).fetchone()
            out["sql"].append(C.clock() - t)
            t = C.clock()
            with Store(path) as fresh:
                found = fresh.organisation(la["name"])
                fresh.conn.execute(floor_q, [found["id"], year]).fetchone()
            out["floor"].append(C.clock() - t)
            out["coverage"].append(run("coverage", la["name"], "--year", year, "--json"))
            out["plan"].append(run("plan", la["name"], "--year", year, "--json"))
            out["dashboard"].append(run("dashboard", la["name"], "--year", year, "--json"))
    store.close()
    return {k: median(v) for k, v in out.items()} | {"p99_" + k: C.p99(v) for k, v in out.items()} | {
        "las": len(las)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run on the small store")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--las", type=int, default=None, help="LAs for the commands in (c)")
    ap.add_argument("--store", default=None, help="regional store (default: generated by gen_store.py)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 5)

    import gen_store

    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.store import Store

    responses = gen_store.QUICK_RESPONSES if args.quick else gen_store.DEFAULT_RESPONSES
    path = args.store or gen_store.ensure_store(responses)
    pack = load_pack(default_pack_path())
    with Store(path) as st:
        year = st.latest_year()
    print(f"store {path}, year {year}; {rounds} rounds")

    a = bench_rerate(pack, path, year, rounds)
    r_warm = C.ratio(a["warm"], a["floor"])
    print(f"\n(a) re-rating all {a['las']} LAs, before: year_ratings + dashboard {C.fmt_ms(a['before'])}; "
          f"the year view's first build (every source, rated and kept) {C.fmt_ms(a['cold'])}")
    print(f"(b) the regional overview from kept ratings: {C.fmt_ms(a['warm'])}; floor (reading the kept rows) "
          f"{C.fmt_ms(a['floor'])}; ratio {r_warm:.1f}×; {C.ratio(a['before'], a['warm']):.0f}× faster than "
          f"re-rating")
    C.emit("yearview", f"re-rate {a['las']} LAs per view (before: year_ratings + dashboard)", C.fmt_ms(a["before"]))
    C.emit("yearview", f"first build of {a['las']} LAs' kept ratings (every source)", C.fmt_ms(a["cold"]))
    C.emit("yearview", f"regional overview from kept ratings ({a['las']} LAs)", C.fmt_ms(a["warm"]),
           floor=C.fmt_ms(a["floor"]), ratio_=r_warm, target="a blink (< 100 ms)", ok=a["warm"] < 0.1)

    n_las = args.las or (3 if args.quick else 20)
    c = bench_commands(path, year, n_las, rounds if not args.quick else 1)
    print(f"\n(c) commands in-process, {c['las']} LAs × {rounds} rounds; floor (open the store, find the LA, "
          f"count its answers) {C.fmt_ms(c['floor'])}; a bare count of the LA-year's answers {C.fmt_ms(c['sql'])}")
    for name in ("coverage", "plan", "dashboard"):
        r = C.ratio(c[name], c["floor"])
        print(f"  laqs {name:<9} --json: median {C.fmt_ms(c[name])}, p99 {C.fmt_ms(c['p99_' + name])}; "
              f"ratio {r:.0f}×")
        C.emit("yearview", f"laqs {name} LA --json (in-process)", C.fmt_ms(c[name]),
               floor=f"{C.fmt_ms(c['floor'])} open + find + count", ratio_=r, target="< 50 ms", ok=c[name] < 0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
