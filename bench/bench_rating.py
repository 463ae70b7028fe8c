"""Rating engine and RAG roll-up speed.

    .venv/bin/python bench/bench_rating.py [--quick] [--rounds N] [--sets N] [--las N] [--store-las N] [--no-store]

(a) rate(): every aspect × phase of the shipped pack over seeded random judgements (from nothing recorded to
    everything recorded, with counted sets, indicator values and evidence of impact). Median µs per rating.
    Floor: a plain loop building the aspect's criterion-state dict from the same judgements.
    Target: one aspect for one phase well under 1 ms (the median, and the slowest aspect×phase), explanations,
    warnings (counts beside their items, values in a gap) and the ceiling's assumptions included.
(b) dashboard(): 150 LAs × 3 phases × 10 aspects rolled up from precomputed ratings, and the full pipeline
    (rate every aspect and phase, then roll up) for 150 LAs. Total ms and µs per LA.
    Floor: a plain loop filling the same (phase, aspect) cells per LA.
(c) the store roll-up (session.year_ratings + dashboard, what `laqs dashboard LA` runs) on the synthetic regional
    store, for a sample of LAs in the latest year. Floor: one indexed SELECT of that LA-year's judgements.
Every ratio is measured in the same run: medians of interleaved rounds.
"""

from __future__ import annotations

import argparse
import random
import sys

import _common as C
from _common import clock, median


def random_judgements(pack, aspect, rng: random.Random):
    """What an adviser might have recorded for an aspect: a random share of it, judged with a realistic skew."""
    from laqs_assist.rating import Judgements

    if rng.random() < 0.05:
        return Judgements()
    cover = rng.random()
    states, counts, values = {}, {}, {}
    for c in aspect.criteria:
        if c.kind == "statement" and rng.random() < cover:
            states[c.id] = rng.choices(("met", "partly", "not_met", "unknown"), (5, 3, 2, 1))[0]
    for s in aspect.sets:
        if rng.random() < 0.5:
            counts[s.id] = rng.randint(0, len(s.items))
        # Items judged beside a count too, now and then: the warnings check one against the other.
        if s.id not in counts or rng.random() < 0.3:
            for item in s.items:
                if rng.random() < cover:
                    states[item.criterion or item.id] = rng.choices(("met", "not_met", "unknown"), (6, 3, 1))[0]
    for ind in aspect.indicators:
        if rng.random() < cover:
            values[ind.id] = float(rng.randint(0, 100) if ind.unit != "number" else rng.randint(0, 12))
            if ind.gaps and rng.random() < 0.2:  # a value between the source's bands, which the rating says
                values[ind.id] = ind.gaps[0].range.point() or values[ind.id]
    impact = rng.choice((None, "none", "some", "substantial")) if rng.random() < cover else None
    return Judgements(states, counts, values, impact)


def floor_states(aspect, phase, j):
    return {c.id: j.states.get(c.id, "unknown") for c in aspect.criteria if c.applies_to(phase)}


def bench_rate(pack, rounds: int, sets: int, rng: random.Random) -> dict:
    from laqs_assist.rating import rate

    cases = {(a.id, p): [random_judgements(pack, a, rng) for _ in range(sets)]
             for a in pack.aspects.values() for p in pack.phase_ids()}
    # Correctness guard: a benchmark of a function that throws measures nothing.
    for (aid, p), js in cases.items():
        for j in js[:3]:
            rate(pack, aid, p, j)
    per_case: dict[tuple[str, str], list[float]] = {k: [] for k in cases}
    per_case_floor: dict[tuple[str, str], list[float]] = {k: [] for k in cases}
    all_rate, all_floor = [], []
    for _ in range(rounds):
        tot_r = tot_f = 0.0
        for (aid, p), js in cases.items():
            aspect = pack.aspects[aid]
            t = clock()
            for j in js:
                floor_states(aspect, p, j)
            f = clock() - t
            t = clock()
            for j in js:
                rate(pack, aid, p, j)
            r = clock() - t
            per_case[(aid, p)].append(r / len(js))
            per_case_floor[(aid, p)].append(f / len(js))
            tot_r += r
            tot_f += f
        n = sum(len(js) for js in cases.values())
        all_rate.append(tot_r / n)
        all_floor.append(tot_f / n)
    return {"per_case": {k: median(v) for k, v in per_case.items()},
            "per_case_floor": {k: median(v) for k, v in per_case_floor.items()},
            "rate": median(all_rate), "floor": median(all_floor), "n": sum(len(js) for js in cases.values())}


def bench_rollup(pack, rounds: int, las: int, rng: random.Random) -> dict:
    from laqs_assist.rating import rate
    from laqs_assist.rollup import dashboard

    js = [{(p, a.id): random_judgements(pack, a, rng) for p in pack.phase_ids() for a in pack.aspects.values()}
          for _ in range(las)]
    ratings = [{k: rate(pack, k[1], k[0], j).suggestion for k, j in la.items()} for la in js]
    phases = pack.phase_ids()
    aspect_ids = [a for g in pack.groups for a in g.aspects]

    def floor_rollup():
        for r in ratings:
            cells = {}
            for p in phases:
                for a in aspect_ids:
                    cells[(p, a)] = r.get((p, a))

    def floor_pipeline():
        for la in js:
            cells = {}
            for (p, a), j in la.items():
                cells[(p, a)] = floor_states(pack.aspects[a], p, j)

    def rollup_only():
        for r in ratings:
            dashboard(pack, r)

    def pipeline():
        for la in js:
            dashboard(pack, {k: rate(pack, k[1], k[0], j).suggestion for k, j in la.items()})

    out = {k: [] for k in ("rollup", "rollup_floor", "pipeline", "pipeline_floor")}
    for _ in range(rounds):
        out["rollup_floor"].append(C.timed(floor_rollup))
        out["rollup"].append(C.timed(rollup_only))
        out["pipeline_floor"].append(C.timed(floor_pipeline))
        out["pipeline"].append(C.timed(pipeline))
    return {k: median(v) for k, v in out.items()}


def bench_store_rollup(pack, store_path, n_las: int, rounds: int) -> dict | None:
    try:
        from laqs_assist.session import year_ratings
    except ImportError:
        print("  (c) skipped: laqs_assist.session.year_ratings is not there")
        return None
    from laqs_assist.rollup import dashboard
    from laqs_assist.store import Store

    store = Store(store_path)
    try:
        year = store._row("SELECT max(academic_year) AS y FROM visits")["y"]
        las = store._rows("SELECT id, name FROM organisations WHERE kind = 'LA' ORDER BY name LIMIT ?", [n_las])
        n_judgements = store._row("SELECT count(*) AS n FROM judgements")["n"]
        subject, floor = [], []
        for _ in range(rounds):
            for la in las:
                t = clock()
                store._rows("SELECT * FROM judgements WHERE organisation_id = ? AND academic_year = ?",
                           [la["id"], year])
                floor.append(clock() - t)
                t = clock()
                dashboard(pack, year_ratings(store, pack, la["id"], year))
                subject.append(clock() - t)
        return {"subject": median(subject), "floor": median(floor), "p99": C.p99(subject), "las": len(las),
                "year": year, "judgements": n_judgements}
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--sets", type=int, default=None, help="random judgement sets per aspect and phase")
    ap.add_argument("--las", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--store", default=None, help="regional store for (c) (default: generated by gen_store.py)")
    ap.add_argument("--store-las", type=int, default=None, help="LAs rolled up from the store in (c)")
    ap.add_argument("--no-store", action="store_true", help="skip (c)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 15)
    sets = args.sets or (20 if args.quick else 200)
    rng = random.Random(args.seed)

    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path

    pack = load_pack(default_pack_path())
    print(f"pack {pack.id}: {len(pack.aspects)} aspects × {len(pack.phases)} phases, {len(pack.criteria)} criteria; "
          f"{rounds} rounds")

    a = bench_rate(pack, rounds, sets, rng)
    print(f"\n(a) rate(): {a['n']} ratings a round")
    print(f"  {'aspect':<7}" + "".join(f"{p:>12}" for p in pack.phase_ids()) + f"{'floor':>12}")
    worst = 0.0
    for aid in pack.aspects:
        cells = [a["per_case"][(aid, p)] for p in pack.phase_ids()]
        worst = max(worst, *cells)
        fl = max(a["per_case_floor"][(aid, p)] for p in pack.phase_ids())
        print(f"  {aid:<7}" + "".join(f"{c * 1e6:>9.1f} µs" for c in cells) + f"{fl * 1e6:>9.2f} µs")
    r = C.ratio(a["rate"], a["floor"])
    print(f"  median per rating {C.fmt_us(a['rate'])}; floor {C.fmt_us(a['floor'])}; ratio {r:.0f}×; "
          f"slowest aspect-phase {C.fmt_us(worst)}")
    C.emit("rating", "rate one aspect (median of all aspect×phase)", C.fmt_us(a["rate"]), floor=C.fmt_us(a["floor"]),
           ratio_=r, target="< 1 ms", ok=a["rate"] < 1e-3)
    C.emit("rating", "rate one aspect (slowest aspect×phase)", C.fmt_us(worst), target="< 1 ms", ok=worst < 1e-3)

    b = bench_rollup(pack, rounds, args.las, rng)
    print(f"\n(b) roll-up: {args.las} LAs × {len(pack.phases)} phases × {len(pack.aspects)} aspects")
    r1 = C.ratio(b["rollup"], b["rollup_floor"])
    r2 = C.ratio(b["pipeline"], b["pipeline_floor"])
    print(f"  dashboard from ratings: {C.fmt_ms(b['rollup'])} total, {C.fmt_us(b['rollup'] / args.las)} per LA; "
          f"floor {C.fmt_ms(b['rollup_floor'])}; ratio {r1:.0f}×")
    print(f"  rate + roll-up:         {C.fmt_ms(b['pipeline'])} total, {C.fmt_us(b['pipeline'] / args.las)} per LA; "
          f"floor {C.fmt_ms(b['pipeline_floor'])}; ratio {r2:.0f}×")
    C.emit("rating", f"dashboard roll-up, {args.las} LAs (per LA)",
           f"{C.fmt_ms(b['rollup'])} ({C.fmt_us(b['rollup'] / args.las)})", floor=C.fmt_ms(b["rollup_floor"]),
           ratio_=r1, target="a blink (< 100 ms)", ok=b["rollup"] < 0.1)
    C.emit("rating", f"rate + roll-up, {args.las} LAs (per LA)",
           f"{C.fmt_ms(b['pipeline'])} ({C.fmt_us(b['pipeline'] / args.las)})", floor=C.fmt_ms(b["pipeline_floor"]),
           ratio_=r2, target="< 1 s", ok=b["pipeline"] < 1.0)

    if not args.no_store:
        import gen_store

        responses = gen_store.QUICK_RESPONSES if args.quick else gen_store.DEFAULT_RESPONSES
        path = args.store or gen_store.ensure_store(responses)
        n_las = args.store_las or (3 if args.quick else 10)
        c = bench_store_rollup(pack, path, n_las, 1 if args.quick else 3)
        if c:
            r3 = C.ratio(c["subject"], c["floor"])
            print(f"\n(c) store roll-up (year_ratings + dashboard) on {path}: {c['judgements']:,} judgements, "
                  f"{c['las']} LAs, {c['year']}")
            print(f"  per LA: median {C.fmt_ms(c['subject'])}, p99 {C.fmt_ms(c['p99'])}; floor (one indexed "
                  f"SELECT of the LA-year's judgements) {C.fmt_ms(c['floor'])}; ratio {r3:.0f}×")
            C.emit("rating", f"store roll-up per LA ({c['judgements']:,} judgements)", C.fmt_ms(c["subject"]),
                   floor=C.fmt_ms(c["floor"]), ratio_=r3, target="a blink (< 100 ms)", ok=c["subject"] < 0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
