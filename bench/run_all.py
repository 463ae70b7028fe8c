"""Run every benchmark and print a summary table in Markdown (paste it into the README).

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...] [--table-only]

Runs gen_store.py, then every bench/bench_*.py. Each benchmark runs as its own process (its output is shown as it goes) and reports result lines that this script
gathers. The exit code is 1 if a benchmark failed to run or the crash benchmark lost data; a missed timing
target is reported in the table, never turned into a failure.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import subprocess
import sys
import time

import _common as C

# The store first (the others reuse it), then every bench_*.py in bench/: a new benchmark joins by existing.
_ORDER = ["gen_store", "bench_rating", "bench_record", "bench_search", "bench_crash"]
BENCHES = [n for n in _ORDER if (C.BENCH / f"{n}.py").exists()] + sorted(
    p.stem for p in C.BENCH.glob("bench_*.py") if p.stem not in _ORDER)


def run(name: str, quick: bool, echo: bool) -> tuple[int, list[dict], float]:
    cmd = [sys.executable, str(C.BENCH / f"{name}.py")] + (["--quick"] if quick else [])
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(C.ROOT), text=True)
    rows = []
    for line in proc.stdout:
        if line.startswith(C.RESULT_TAG):
            rows.append(json.loads(line[len(C.RESULT_TAG):]))
        elif echo:
            sys.stdout.write(line)
            sys.stdout.flush()
    rc = proc.wait()
    return rc, rows, time.perf_counter() - t


def cell(text) -> str:
    return str(text).replace("|", "\\|") if text not in (None, "") else "—"


def table(rows: list[dict]) -> str:
    out = ["| benchmark | measure | result | floor | ratio | target | met |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        ok = {True: "yes", False: "**no**", None: "—"}[r.get("ok")]
        ratio = f"{r['ratio']:.1f}×" if r.get("ratio") is not None else "—"
        out.append(f"| {cell(r['bench'])} | {cell(r['metric'])} | {cell(r['value'])} | {cell(r.get('floor'))} | "
                   f"{ratio} | {cell(r.get('target'))} | {ok} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke runs of every benchmark (seconds each)")
    ap.add_argument("--only", nargs="*", choices=BENCHES, default=None)
    ap.add_argument("--table-only", action="store_true", help="do not echo the benchmarks' own output")
    args = ap.parse_args(argv)
    chosen = args.only or BENCHES
    all_rows: list[dict] = []
    failed = []
    spent = {}
    for name in chosen:
        print(f"\n=== {name}{' --quick' if args.quick else ''} ===", flush=True)
        rc, rows, secs = run(name, args.quick, not args.table_only)
        spent[name] = secs
        all_rows.extend(rows)
        if rc != 0:
            failed.append(f"{name} (exit {rc})")
        print(f"=== {name}: {secs:.1f} s", flush=True)
    print(f"\n## Benchmarks{' (quick smoke run)' if args.quick else ''}\n")
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()} · "
          f"SQLite {sqlite3.sqlite_version} · {time.strftime('%Y-%m-%d')} · wall time "
          + ", ".join(f"{k} {v:.0f} s" for k, v in spent.items()) + "\n")
    print(table(all_rows))
    if failed:
        print("\nfailed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
