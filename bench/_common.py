"""Shared helpers for the benchmarks: timing statistics, result lines for run_all.py, paths.

House rule: every benchmark prints a RATIO against a floor measured in the same run (medians over repeats), plus
the absolute figures. Timing limits never go in pytest.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RESULT_TAG = "BENCH-RESULT "

clock = time.perf_counter


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p99(xs: list[float]) -> float:
    """Nearest-rank 99th percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def emit(bench: str, metric: str, value: str, *, floor: str = "", ratio_: float | None = None, target: str = "",
         ok: bool | None = None) -> None:
    """One machine-readable result line; run_all.py turns these into the Markdown table."""
    row = {"bench": bench, "metric": metric, "value": value, "floor": floor,
           "ratio": None if ratio_ is None else round(ratio_, 2), "target": target, "ok": ok}
    print(RESULT_TAG + json.dumps(row, ensure_ascii=False))
    sys.stdout.flush()


def timed(fn, *args, **kwargs) -> float:
    t = clock()
    fn(*args, **kwargs)
    return clock() - t


def ensure_src_on_path() -> None:
    """Run from a checkout without an editable install: make `import laqs_assist` work."""
    src = str(ROOT / "src")
    if src not in sys.path:
        try:
            import laqs_assist  # noqa: F401
        except ImportError:
            sys.path.insert(0, src)


ensure_src_on_path()
