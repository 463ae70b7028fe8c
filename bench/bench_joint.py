"""Joint visits (Appendix 5): recording a field of the form, and reading the grades back for the year view and per
SIP, on a store holding a region's joint visits.

    .venv/bin/python bench/bench_joint.py [--quick]

(a) One value given to a field (`JointVisits.set`: the entry naming the one it replaces, the visit's stamp, the
    draft cleared, one commit) on a fresh store. Floor: a bare INSERT + COMMIT of a row of the same columns into a
    file of its own beside the store, same pragmas (WAL, synchronous=FULL). Target: median ≤ 2× floor, p99 < 10 ms.
(b) `joint_visit_evidence` for one LA and year, and (c) `sip_grades` for one SIP over every year, on a store with
    150 LAs × 10 years × 4 joint visits (6,000 visits, every field filled: 162,000 entries; --quick: 15 LAs).
    Floor: one indexed SELECT of the same LA-year's entries (b), of the same SIP's (c). Target: < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

import _common as C

from laqs_assist.app.joint import FORM_ID, fields, form_of, joint_visit_evidence, sip_grades
from laqs_assist.app.service import Service
from laqs_assist.calendar import academic_year
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
FORM = form_of(PACK)


def _floor_conn(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, joint_visit_id TEXT, field TEXT, value TEXT, replaces TEXT, "
                  "created_at TEXT)")
    return conn


def bench_record(folder: Path, n: int) -> None:
    keys = [f.key for f in fields(FORM) if f.kind in ("evidence", "text")]
    floor_conn = _floor_conn(folder / "floor.db")
    times, floors = [], []
    with Service.at(default_pack_path(), folder / "record.db", PACK) as svc:
        j = svc.joint()
        j.start(school="Bench Primary", la="Bench Borough", sip="Bench SIP", day="2026-10-05")
        for i in range(n):  # interleaved, so both see the same machine
            key = keys[i % len(keys)]
            times.append(C.timed(j.set, key, f"evidence written at the visit, version {i}"))

            def floor_write(i: int = i, key: str = key) -> None:
                floor_conn.execute("BEGIN IMMEDIATE")
                floor_conn.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
                                   [str(uuid.uuid4()), "v", key, f"evidence {i}", None, "2026-10-05T10:00:00"])
                floor_conn.execute("COMMIT")

            floors.append(C.timed(floor_write))
    floor_conn.close()
    med, p99, fl, fl99 = C.median(times), C.p99(times), C.median(floors), C.p99(floors)
    r = C.ratio(med, fl)
    print(f"(a) a field's value recorded: median {C.fmt_ms(med)}, p99 {C.fmt_ms(p99)}; floor median {C.fmt_ms(fl)}, "
          f"p99 {C.fmt_ms(fl99)}; {r:.1f}×")
    C.emit("bench_joint", "a joint visit's field recorded, fresh store", f"median {C.fmt_ms(med)}, p99 {C.fmt_ms(p99)}",
           floor=f"{C.fmt_ms(fl)} (p99 {C.fmt_ms(fl99)})", ratio_=r, target="≤ 2× floor; p99 < 10 ms",
           ok=r <= 2 and p99 < 0.010)


def build_region(path: Path, las: int, years: int = 10, per_year: int = 4) -> None:
    """A region's joint visits written straight into a store laqs made (its schema and migrations)."""
    Store(path).close()
    rnd = random.Random(14)
    conn = sqlite3.connect(path)
    fs = fields(FORM)
    orgs, visits, entries = [], [], []
    stamp = "2026-01-01T00:00:00.000000+00:00"
    for a in range(las):
        la_id = str(uuid.uuid4())
        orgs.append((la_id, f"Borough {a:03d}", "LA", None, stamp))
        schools = []
        for s in range(12):
            sid = str(uuid.uuid4())
            schools.append((sid, f"School {a:03d}-{s:02d}"))
            orgs.append((sid, schools[-1][1], "school", la_id, stamp))
        for y in range(years):
            for k in range(per_year):
                sid, sname = rnd.choice(schools)
                day = f"{2016 + y}-{rnd.choice(['10', '11', '01', '03', '05', '06'])}-{rnd.randint(1, 28):02d}"
                if day[5:7] in ("01", "03", "05", "06"):
                    day = f"{2017 + y}{day[4:]}"
                vid = str(uuid.uuid4())
                sip = f"SIP {a:03d}-{k % 3}"
                visits.append((vid, sid, la_id, PACK.id, PACK.version, FORM_ID, day, academic_year(day), sip,
                               "Bench", "ended", len(fs), stamp, stamp, stamp))
                for f in fs:
                    if f.kind == "grade":
                        value = str(rnd.randint(1, 4))
                    elif f.kind == "checklist":
                        value = json.dumps(sorted(rnd.sample(range(1, 4), 2)))
                    elif f.key == "header:sip-name":
                        value = sip
                    elif f.key == "header:school":
                        value = sname
                    elif f.key == "header:date":
                        value = day
                    else:
                        value = f"{f.label}: written at the visit"
                    entries.append((str(uuid.uuid4()), vid, f.key, value, None, stamp))
    conn.executemany("INSERT INTO organisations (id, name, kind, parent_id, created_at) VALUES (?, ?, ?, ?, ?)", orgs)
    conn.executemany("INSERT INTO joint_visits (id, school_id, la_id, pack_id, pack_version, form_id, date, "
                     "academic_year, sip_name, author, status, position, created_at, updated_at, ended_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits)
    conn.executemany("INSERT INTO joint_visit_entries (id, joint_visit_id, field, value, replaces, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", entries)
    conn.commit()
    conn.close()
    print(f"region: {las} LAs, {len(visits):,} joint visits, {len(entries):,} entries")


def bench_reads(path: Path, repeats: int, visits: int) -> None:
    raw = sqlite3.connect(path)
    la_id = raw.execute("SELECT id FROM organisations WHERE name = 'Borough 007'").fetchone()[0]
    year = "2021/22"
    with Store(path) as store:
        ev_times, ev_floor, sip_times, sip_floor = [], [], [], []
        for _ in range(repeats):
            ev_times.append(C.timed(joint_visit_evidence, store, PACK, la_id, year))
            ev_floor.append(C.timed(lambda: raw.execute(
                "SELECT e.field, e.value FROM joint_visits j JOIN joint_visit_entries e ON e.joint_visit_id = j.id "
                "WHERE j.la_id = ? AND j.academic_year = ?", [la_id, year]).fetchall()))
            sip_times.append(C.timed(sip_grades, store, PACK, "SIP 007-1"))
            sip_floor.append(C.timed(lambda: raw.execute(
                "SELECT e.field, e.value FROM joint_visits j JOIN joint_visit_entries e ON e.joint_visit_id = j.id "
                "WHERE j.sip_name = ? COLLATE NOCASE", ["SIP 007-1"]).fetchall()))
        got = joint_visit_evidence(store, PACK, la_id, year)
    raw.close()
    assert sorted(got) == ["1.4", "1.5", "2.2", "2.4"], got.keys()
    for label, times, floors in (("joint_visit_evidence, one LA and year", ev_times, ev_floor),
                                 ("sip_grades, one SIP over ten years", sip_times, sip_floor)):
        med, fl = C.median(times), C.median(floors)
        r = C.ratio(med, fl)
        print(f"{label}: median {C.fmt_ms(med)}; floor {C.fmt_ms(fl)}; {r:.1f}×")
        C.emit("bench_joint", f"{label} ({visits:,} joint visits)", C.fmt_ms(med), floor=C.fmt_ms(fl), ratio_=r,
               target="< 50 ms", ok=med < 0.050)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="laqs-bench-joint-") as tmp:
        folder = Path(tmp)
        bench_record(folder, 60 if args.quick else 400)
        region = folder / "region.db"
        las = 15 if args.quick else 150
        build_region(region, las)
        bench_reads(region, 5 if args.quick else 31, las * 40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
