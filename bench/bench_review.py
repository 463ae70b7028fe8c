"""School reviews: recording one piece of evidence, and writing a two-day review's report.

(a) One piece of evidence recorded through the review desk (checks, the store's write with its event, the review
    touched) against a floor of a bare `INSERT` + `COMMIT` of the same row into a table of the same columns, in a
    file of its own beside the store with the same pragmas (WAL, `synchronous=FULL`). Target: median ≤ 2× floor.
(b) The report of a full two-day review by a team of two (nine standards, forty pieces of evidence, the report's
    words, two rich priorities) written through the bounded sandbox against a raw docxtpl render and save of the
    same template and context (no sandbox, no store). Target: ≤ 1.3×.

Samples are interleaved (floor, subject, …) so they share the machine's noise; ratios are of medians.

    .venv/bin/python bench/bench_review.py [--quick] [--n N]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import _common as C
from _common import clock, median, p99

BENCH = "bench_review"
C.ensure_src_on_path()

EXTENTS = ("evident", "partly", "not-evident")
KINDS = ("observation", "work-sample", "data", "pupils", "teachers")


def build_review(desk):
    r = desk.start("Bench Primary School", ["Ann Lee", "Raj Patel"], ["2026-12-10"], stages=["1", "2", "3", "4"])
    for area, lines in (("A", 3), ("TL", 2), ("C", 2), ("LM", 2)):
        desk.interview(r["id"], area, "1", "\n".join(f"Standard {i + 1} for {area}: what good looks like here"
                                                     for i in range(lines)), interviewees="Senior leaders")
    codes = [s.code for s in desk.standings(r["id"])]
    for i in range(40):
        desk.evidence(r["id"], codes[i % len(codes)], KINDS[i % len(KINDS)], str(i % 2 + 1), EXTENTS[i % 3],
                      f"Evidence {i}: seen in Year {i % 6 + 1}, with pupils' work and what they said", 1 + i // 20)
    desk.collate(r["id"], 2, "6")
    for kind in ("leadership", "judgement", "recommendation", "question", "point", "feedback"):
        for j in range(3):
            desk.note(r["id"], kind, f"The team's {kind} number {j + 1}, in a sentence or two of plain words.",
                      "A" if kind == "leadership" else None)
    desk.priority(r["id"], "Pupils act on their next steps", "Deputy head", "2027-03-31", "A", "An SLE")
    desk.priority(r["id"], "Subject leaders check pupils' work", "Curriculum lead", "2027-07-16", "C")
    return r["id"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: few samples")
    ap.add_argument("--n", type=int, default=None, help="samples of each (default 200 evidence, 30 reports; "
                                                        "--quick 30 and 5)")
    ap.add_argument("--out", type=Path, default=C.OUT / "review", help="working folder, removed and rebuilt")
    args = ap.parse_args(argv)
    n_ev = args.n or (30 if args.quick else 200)
    n_rep = max(3, (args.n or 0) // 6) if args.n else (5 if args.quick else 30)

    from docxtpl import DocxTemplate

    from laqs_assist.app.reviews import ReviewDesk, open_review_pack
    from laqs_assist.notes.clean import clean_context
    from laqs_assist.notes.review_report import TEMPLATE, review_context, write_review_report
    from laqs_assist.paths import templates_dir
    from laqs_assist.store import Store

    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    store = Store(out / "review.db")
    desk = ReviewDesk(store, open_review_pack("llqr"))
    t = clock()
    review_id = build_review(desk)
    print(f"review built in {clock() - t:.2f} s")

    # (a) evidence
    floor_db = sqlite3.connect(out / "floor.db", isolation_level=None)
    floor_db.execute("PRAGMA journal_mode = WAL")
    floor_db.execute("PRAGMA synchronous = FULL")
    floor_db.execute("CREATE TABLE review_evidence (id TEXT PRIMARY KEY, visit_id TEXT, code TEXT, kind TEXT, "
                     "reviewer INTEGER, extent TEXT, text TEXT, day INTEGER, session TEXT, "
                     "concerns_individual INTEGER, collation_id TEXT, created_at TEXT)")
    fs, ss = [], []
    for i in range(n_ev):
        t = clock()
        floor_db.execute("BEGIN IMMEDIATE")
        floor_db.execute("INSERT INTO review_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [f"id-{i}", review_id, "A.1", "observation", 1, "evident", f"Evidence {i}", 2, "1", 0,
                          None, "2026-12-11T10:00:00"])
        floor_db.execute("COMMIT")
        fs.append(clock() - t)
        t = clock()
        desk.evidence(review_id, "A.1", "observation", "1", "evident", f"Evidence {i} seen on day two", 2, "1")
        ss.append(clock() - t)
    floor_db.close()
    r = C.ratio(median(ss), median(fs))
    print(f"one piece of evidence: median {C.fmt_ms(median(ss))}, p99 {C.fmt_ms(p99(ss))}")
    print(f"bare INSERT + COMMIT:  median {C.fmt_ms(median(fs))}, p99 {C.fmt_ms(p99(fs))}; ratio {r:.2f}×")
    C.emit(BENCH, "one piece of evidence vs a bare INSERT+COMMIT (median)", C.fmt_ms(median(ss)),
           floor=C.fmt_ms(median(fs)), ratio_=r, target="≤ 2×", ok=r <= 2)

    # (b) the report
    template = templates_dir() / TEMPLATE
    ctx = clean_context(review_context(store, desk.pack, review_id))
    raw = Path(tempfile.mkdtemp(prefix="laqs-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else out))

    def floor(i: int) -> None:
        tpl = DocxTemplate(str(template))
        tpl.render(ctx, autoescape=True)
        tpl.save(str(raw / f"raw-{i}.docx"))

    def subject(i: int) -> None:
        write_review_report(store, desk.pack, review_id, out / f"report-{i}.docx")

    floor(-1), subject(-1)
    fs, ss = [], []
    for i in range(n_rep):
        t = clock()
        floor(i)
        fs.append(clock() - t)
        t = clock()
        subject(i)
        ss.append(clock() - t)
    shutil.rmtree(raw, ignore_errors=True)
    store.close()
    r2 = C.ratio(median(ss), median(fs))
    print(f"review report: median {C.fmt_ms(median(ss))}, p99 {C.fmt_ms(p99(ss))}")
    print(f"raw docxtpl:   median {C.fmt_ms(median(fs))}; ratio {r2:.2f}× (target ≤ 1.3×)")
    C.emit(BENCH, "a two-day review's report vs raw docxtpl (median)", C.fmt_ms(median(ss)),
           floor=C.fmt_ms(median(fs)), ratio_=r2, target="≤ 1.3×", ok=r2 <= 1.3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
