"""P3: drafting a note of visit as a .docx, one at a time and as a batch export; the team report of the region.

    .venv/bin/python bench/bench_notes.py [--quick] [--n N] [--batch N] [--rounds N] [--store PATH] [--no-team]

Subject (one note): `laqs_assist.notes.write_note` end to end: read the visit from the store, rate every aspect in
play per phase from the year's judgements, build and clean the context, render the shipped note-of-visit template
in the Jinja sandbox, write the file atomically (temporary file, fsync, link into place).
Floor: a raw docxtpl render of the same template with the same (already built and cleaned) context:
`DocxTemplate(path).render(ctx, autoescape=True)` then `.save(path)`, no sandbox, no store, no fsync. The floor's
files go to a RAM folder (/dev/shm when there is one): on ext4 an fsync commits the journal, so the subject's fsync
would otherwise also pay for flushing the floor's unsynced files and the ratio would measure the floor's I/O.
Samples are interleaved (floor, note, floor, note, …) so they share the machine's noise.
Targets: ratio of medians ≤ 1.3×; a batch export (`export_notes`) of 150 notes < 15 s.

Export on every core: the same 150 notes exported with one process (`workers=1`, the floor) and with one worker
process per core (the default), interleaved over `--rounds` rounds (serial, parallel, serial, …), medians compared.
Target: parallel ≤ 0.7× serial. The two runs must write the same files in the same order.

Team report: `laqs report` for every LA of the regional store (`write_team_report`, 150 LAs, the autumn term
2025) end to end: the year's ratings of each LA on the last day and on the previous period's, roll-ups, overdue
actions, visits, rendered in the sandbox and written atomically. Floor: a raw docxtpl render and save of the same
template with the same (already built and cleaned) context. Target: < 15 s. The regional store is read only; an
existing bench/out/regional.db is used as it is (it is not regenerated for a newer schema: the report reads only
tables every schema has), else gen_store.ensure_store makes one.
The stores and notes go to bench/out/notes/ (removed and rebuilt each run).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import _common as C
from _common import clock, median, p99

BENCH = "bench_notes"


def build_store(path: Path, pack, schools: int, rich: bool = True):
    """`schools` sample schools (two visits each) plus one LA visit with several aspects, three phases, a dozen
    answers, judgements and actions: the single-note subject."""
    from laqs_assist.notes.sample import build_sample
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    store = Store(path)
    today = date.today()
    for i in range(schools):
        build_sample(store, pack, day=today - timedelta(days=i % 60), school=f"School {i:03d}",
                     la=f"Borough {i % 10}")
    s = Session.start(store, pack, agenda_id="la-contacts", organisation="Bench Borough", phases=["EY", "P", "S"],
                      focus=["2.4", "1.5", "2.2"], author="Bench Adviser", purpose="Autumn review",
                      people=[("A Contact", "head of SI"), ("B Contact", "data lead")])
    for aspect in ("2.4", "1.5", "2.2", "1.1"):
        for k in range(3):
            s.note(f"Answer {k} on {aspect}: the LA's reports & <data> are used to target support; "
                   "evidence seen in minutes and the risk register.", aspect)
        crit = [c.id for c in pack.aspects[aspect].criteria_in("G") if c.kind == "statement"]
        for c in crit[:3]:
            s.judge(c, "met")
        s.set_impact(aspect, "some")
    for k in range(5):
        s.add_action(f"Action {k}: tighten QA of SIP reports", "Lead officer", (today + timedelta(days=30)).isoformat())
    s.end()
    return store, s.id


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: few samples, a small batch")
    ap.add_argument("--n", type=int, default=None, help="samples of each (default 40; --quick 8)")
    ap.add_argument("--batch", type=int, default=None, help="notes in the batch export (default 150; --quick 20)")
    ap.add_argument("--rounds", type=int, default=None, help="serial/parallel export rounds (default 3; --quick 1)")
    ap.add_argument("--store", type=Path, default=None, help="the regional store for the team report")
    ap.add_argument("--no-team", action="store_true", help="skip the team report")
    ap.add_argument("--out", type=Path, default=C.OUT / "notes",
                    help="folder for the stores and notes, removed and rebuilt (default bench/out/notes)")
    args = ap.parse_args(argv)
    n = args.n or (8 if args.quick else 40)
    batch = args.batch or (20 if args.quick else 150)

    from docxtpl import DocxTemplate

    from laqs_assist import notes
    from laqs_assist.notes.clean import clean_context
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path

    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pack = load_pack(default_pack_path())
    template = notes.default_template("note")

    t = clock()
    store, visit_id = build_store(out / "notes.db", pack, schools=(batch + 1) // 2)
    print(f"store built in {clock() - t:.1f} s")
    ctx = clean_context(notes.note_context(store, pack, visit_id))
    print(f"subject note: {len(ctx['aspects'])} aspects, {len(ctx['ratings'])} ratings, "
          f"{sum(len(a['evidence']) for a in ctx['aspects'])} answers, {len(ctx['actions'])} actions")

    shm = Path("/dev/shm")
    raw = Path(tempfile.mkdtemp(prefix="laqs-bench-", dir=shm if shm.is_dir() else out))

    def floor(i: int) -> None:
        tpl = DocxTemplate(str(template))
        tpl.render(ctx, autoescape=True)
        tpl.save(str(raw / f"raw-{i}.docx"))

    def subject(i: int) -> None:
        notes.write_note(store, pack, visit_id, out / f"note-{i}.docx")

    floor(-1), subject(-1)  # warm both paths (imports, the prepared template)
    fs, ss = [], []
    for i in range(n):
        t = clock()
        floor(i)
        fs.append(clock() - t)
        t = clock()
        subject(i)
        ss.append(clock() - t)
    shutil.rmtree(raw, ignore_errors=True)
    r = C.ratio(median(ss), median(fs))
    print(f"one note:   median {C.fmt_ms(median(ss))}, p99 {C.fmt_ms(p99(ss))}")
    print(f"raw docxtpl: median {C.fmt_ms(median(fs))}, p99 {C.fmt_ms(p99(fs))}")
    print(f"ratio of medians: {r:.2f}× (target ≤ 1.3×)")
    C.emit(BENCH, "one note vs raw docxtpl (median)", C.fmt_ms(median(ss)), floor=C.fmt_ms(median(fs)), ratio_=r,
           target="≤ 1.3×", ok=r <= 1.3)

    folder = out / "batch"
    t = clock()
    summary = notes.export_notes(store, pack, "2000-01-01", "2100-01-01", out_dir=folder)
    elapsed = clock() - t
    written = len(summary.written)
    per = elapsed / max(written, 1)
    rb = C.ratio(per, median(fs))
    print(f"batch export: {written} notes in {elapsed:.2f} s ({C.fmt_ms(per)} a note, {rb:.2f}× a raw render); "
          f"failed {len(summary.failed)}")
    scaled = elapsed * 150 / max(written, 1)
    C.emit(BENCH, f"batch export of {written} notes", f"{elapsed:.2f} s", floor=f"{C.fmt_ms(median(fs))} a raw render",
           ratio_=rb, target="150 notes < 15 s", ok=scaled < 15 and not summary.failed)
    failed = bool(summary.failed)
    failed |= bench_export_cores(store, pack, args.rounds or (1 if args.quick else 3), out)
    store.close()
    if not args.no_team:
        failed |= bench_team_report(pack, args, out)
    return 0 if not failed else 1


def bench_export_cores(store, pack, rounds: int, out: Path) -> bool:
    """The same export with one process and with one per core, interleaved; True when a run failed or differed."""
    from laqs_assist import notes
    from laqs_assist.notes.api import export_workers

    visits = notes.visits_between(store, "2000-01-01", "2100-01-01")
    n = export_workers(len(visits))
    serial, parallel, bad = [], [], False
    for r in range(rounds):
        for label, workers, times in (("serial", 1, serial), ("parallel", None, parallel)):
            folder = out / f"export-{label}-{r}"
            t = clock()
            summary = notes.export_notes(store, pack, "2000-01-01", "2100-01-01", out_dir=folder, workers=workers)
            times.append(clock() - t)
            names = [p.name for p in summary.written]
            if label == "serial":
                expected = names
            elif names != expected:
                bad = True
                print("parallel export wrote other files or another order than the serial one")
            bad |= bool(summary.failed) or len(names) != len(visits)
    ratio = C.ratio(median(parallel), median(serial))
    print(f"export of {len(visits)} notes: serial median {median(serial):.2f} s, {n} processes median "
          f"{median(parallel):.2f} s ({ratio:.2f}×, target ≤ 0.7×)")
    C.emit(BENCH, f"export of {len(visits)} notes on {n} processes vs one (median of {rounds})",
           f"{median(parallel):.2f} s", floor=f"{median(serial):.2f} s serial", ratio_=ratio, target="≤ 0.7×",
           ok=ratio <= 0.7 and not bad)
    return bad


def bench_team_report(pack, args, out: Path) -> bool:
    """`laqs report` for every LA of the regional store against a raw docxtpl render of the same context."""
    import gen_store
    from docxtpl import DocxTemplate

    from laqs_assist.notes.api import default_template, write_team_report
    from laqs_assist.notes.clean import clean_context
    from laqs_assist.store import Store

    path = args.store or (C.OUT / "regional.db" if (C.OUT / "regional.db").exists() and not args.quick
                          else gen_store.ensure_store(gen_store.QUICK_RESPONSES if args.quick
                                                      else gen_store.DEFAULT_RESPONSES))
    template = default_template("team")
    shm = Path("/dev/shm")
    raw = Path(tempfile.mkdtemp(prefix="laqs-bench-", dir=shm if shm.is_dir() else out))
    subjects, floors, result = [], [], None
    with Store(path, read_only=True) as store:
        for r in range(1 if args.quick else 3):
            t = clock()
            result = write_team_report(store, pack, "2025-09-01", "2025-12-31", out / f"team-{r}.docx",
                                       overwrite=True)
            subjects.append(clock() - t)
            ctx = clean_context(result.context)
            t = clock()
            tpl = DocxTemplate(str(template))
            tpl.render(ctx, autoescape=True)
            tpl.save(str(raw / f"team-raw-{r}.docx"))
            floors.append(clock() - t)
    shutil.rmtree(raw, ignore_errors=True)
    ctx = result.context
    ratio = C.ratio(median(subjects), median(floors))
    print(f"team report: {ctx['la_count']} LAs, {ctx['visit_count']} visits, {ctx['overdue_count']} overdue actions, "
          f"{ctx['change_count']} ratings moved; median {median(subjects):.2f} s (raw docxtpl render of the same "
          f"context {median(floors):.2f} s, {ratio:.2f}×)")
    C.emit(BENCH, f"team report of {ctx['la_count']} LAs (median)", f"{median(subjects):.2f} s",
           floor=f"{median(floors):.2f} s a raw render", ratio_=ratio, target="150 LAs < 15 s",
           ok=median(subjects) < 15 * ctx["la_count"] / 150)
    return False


if __name__ == "__main__":
    raise SystemExit(main())
