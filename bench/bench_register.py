"""The school register at scale: an LA of 400 schools with ten years of history.

    .venv/bin/python bench/bench_register.py [--schools 400] [--years 10] [--rounds 15] [--letters 400] [--quick]

(a) the register as the screen and `laqs register show` build it (Register.view: every school's level, stage,
visits against the allowance, overdue periods, intervention alerts, charges), and as `--json` (the view, its JSON
form, dumped), against a floor of the one indexed query every view needs (each school's latest level, stage and
escalation entries); target < 100 ms. (b) the September letters for the whole LA (write_letters: the shared view,
each letter's context, rendered in the bounded sandbox and written atomically), against a raw docxtpl render and
save of the same template and context; target 400 letters < 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path

import _common as C

BENCH = "bench_register"


def build(path: Path, schools: int, years: int, seed: int = 7):
    from laqs_assist.app.register import Register
    from laqs_assist.store import Store

    if path.exists():
        path.unlink()
    store = Store(path)
    reg = Register(store, today="2026-07-20", author="bench")
    rnd = random.Random(seed)
    la_name = "Bench Shire"
    for i in range(schools):
        reg.add_school(la_name, f"School {i:03d}", f"{400000 + i}", rnd.choice(["Primary", "Secondary", "Special"]),
                       "academy" if i % 4 == 0 else "maintained", pack="staffordshire-register")
    la, rp = reg.la(la_name)
    rows = reg.tables.schools(la["id"])
    first = 2026 - years
    levels = {s["id"]: rnd.choice("1223334") for s in rows}
    stage = {s["id"]: "" for s in rows}
    total = 0
    for y in range(first, 2026):
        year = f"{y}/{(y + 1) % 100:02d}"
        entries = []

        def e(school, kind, day, _entries=entries, _year=year, **more):
            _entries.append({"la_id": la["id"], "school_id": school["id"], "kind": kind, "on_date": day,
                             "academic_year": _year, "by_whom": "bench", **more})

        for s in rows:
            sid = s["id"]
            if rnd.random() < 0.25:
                levels[sid] = rnd.choice("1234")
            e(s, "level", f"{y}-09-01", value=levels[sid], evidence=["performance", "ofsted"], reason="annual")
            for m in (10, 11, 12, 1, 2, 3, 4, 5, 6, 7):
                e(s, "review", f"{y + (m < 9)}-{m:02d}-05", value="termly", reason="reviewed, no change")
            for m in (10, 2, 5):
                e(s, "visit", f"{y + (m < 9)}-{m:02d}-12")
            for m in (11, 3):
                e(s, "report", f"{y + (m < 9)}-{m:02d}-20")
            if levels[sid] == "4" or rnd.random() < 0.05:
                new = rnd.choice(["1", "2", "3"])
                if new != stage[sid]:
                    stage[sid] = new
                    e(s, "stage", f"{y}-10-01", value=new, evidence=["attainment"], reason="concern")
                    e(s, "strand", f"{y}-10-08", value=f"s{new}.{'lead' if new == '3' else 'disclosed' if new == '1' else 'officer'}")
                e(s, "support", f"{y}-11-01", value="support", days=float(rnd.randint(2, 30)))
                e(s, "support", f"{y}-10-15", value="audit", days=float(rnd.randint(1, 5)))
            elif stage[sid] and rnd.random() < 0.5:
                stage[sid] = ""
                e(s, "stage", f"{y}-09-15", value="", reason="improved")
        reg.tables.add_entries(entries)
        total += len(entries)
    return store, reg, la_name, total


def bench_view(reg, la: str, rounds: int) -> None:
    la_row, _ = reg.la(la)
    day = reg.day()
    view_t, json_t, floor_t = [], [], []
    for _ in range(rounds):  # interleaved
        floor_t.append(C.timed(reg.tables.latest, la_row["id"], day))
        view_t.append(C.timed(reg.view, la))
        t = C.clock()
        json.dumps(reg.view(la).as_json(), ensure_ascii=False, default=str)
        json_t.append(C.clock() - t)
    fl = C.median(floor_t)
    n = len(reg.view(la).rows)
    for label, xs in ((f"register view, {n} schools × 10 years (screen / show)", view_t),
                      (f"register --json, {n} schools × 10 years", json_t)):
        m = C.median(xs)
        C.emit(BENCH, label, C.fmt_ms(m), floor=f"{C.fmt_ms(fl)} latest-entries query", ratio_=C.ratio(m, fl),
               target="< 100 ms", ok=m < 0.1)
        print(f"{label}: median {C.fmt_ms(m)}, p99 {C.fmt_ms(C.p99(xs))}; floor {C.fmt_ms(fl)}")


def bench_letters(reg, la: str, n_letters: int, out: Path) -> None:
    from docxtpl import DocxTemplate

    from laqs_assist.notes import register_docs as d
    from laqs_assist.paths import templates_dir

    la_row, rp = reg.la(la)
    view = reg.view(la, shared=True)
    ctx = d._letter_context(reg, la_row, rp, view.rows[0], reg.day(), None, "")
    tpl_path = templates_dir() / d.LETTER
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as ram:
        floor_t = []
        for i in range(7):
            t = C.clock()
            doc = DocxTemplate(str(tpl_path))
            doc.render(ctx)
            doc.save(str(Path(ram) / f"floor-{i}.docx"))
            floor_t.append(C.clock() - t)
    fl = C.median(floor_t)
    if out.exists():
        shutil.rmtree(out)
    subject = reg
    if n_letters < len(view.rows):  # --quick: a smaller LA of the same shape
        subject = _subset(reg, la, n_letters)
    t = C.clock()
    batch = d.write_letters(subject, la, out_dir=out, overwrite=True)
    elapsed = C.clock() - t
    n = len(batch.written)
    per = elapsed / max(1, n)
    C.emit(BENCH, f"batch of {n} September letters", f"{elapsed:.2f} s", floor=f"{C.fmt_ms(fl)} a raw render",
           ratio_=C.ratio(per, fl), target="400 letters < 30 s", ok=elapsed < 30 * n / 400)
    print(f"{n} letters in {elapsed:.2f} s ({C.fmt_ms(per)} each); raw docxtpl render {C.fmt_ms(fl)}")


def _subset(reg, la: str, n: int):
    """The register with only its first n schools' letters (for --quick)."""
    class Few(type(reg)):
        def view(self, *a, **kw):
            v = super().view(*a, **kw)
            return type(v)(**{**{k: getattr(v, k) for k in v._fields}, "rows": v.rows[:n]})
    few = Few(reg.store, today=reg.today, author=reg.author)
    return few


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--letters", type=int, default=400)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.letters = 5, 20
    C.OUT.mkdir(exist_ok=True)
    t = C.clock()
    store, reg, la, total = build(C.OUT / "register.db", args.schools, args.years)
    print(f"built {args.schools} schools, {args.years} years, {total:,} register entries in {C.clock() - t:.1f} s")
    # Measured as a command meets it: the store opened afresh, its write-ahead log checkpointed when the build
    # closed it.
    store.close()
    from laqs_assist.app.register import Register
    from laqs_assist.store import Store

    store = Store(C.OUT / "register.db")
    reg = Register(store, today=reg.today, author=reg.author)
    try:
        bench_view(reg, la, args.rounds)
        bench_letters(reg, la, args.letters, C.OUT / "letters")
    finally:
        store.close()


if __name__ == "__main__":
    main()
