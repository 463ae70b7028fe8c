"""The year view's first paint in the app, as a real process in tmux on the regional store.

    .venv/bin/python bench/bench_tui_yearview.py [--quick] [--repeats N] [--year Y]

(D) An LA's dashboard: `python -m laqs_assist.tui --store regional.db --dashboard LA --year Y`, timed from just
    before `tmux new-session` until the grid is on screen with its ratings and the overall row's counts
    ("Overall … (14 of 14)", or "14/14" where the label is long) in `tmux capture-pane`.
(O) The regional overview: `python -m laqs_assist.tui --store regional.db --overview --year Y`, until the title and
    the first LA's row with its ratings are on screen.
Floor: an empty Textual app (one Static) timed the same way to its marker (bench_tui.py's). Runs interleaved,
medians; target ≤ 1.5× the floor. Before measuring, src/ is compiled and the pack cache warmed, as for an installed
tool; each view is opened once untimed, so the timed runs read the ratings the store keeps per organisation, year
and phase (the cold first reading, which rates them, is timed once and shown beside). The ratings kept are written
into the regional store's cache table; nothing else is written.

Timing limits never go in pytest; this prints figures and ratios (and BENCH-RESULT lines for run_all.py).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

import _common as C
from _common import median

sys.path.insert(0, str(C.ROOT / "src"))

import bench_tui as T  # noqa: E402  (the tmux pane, the empty app)


def las(db: Path, year: str) -> list[str]:
    """The regional store's LAs with visits in the year, by name."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute(
            "SELECT o.name FROM organisations o WHERE o.kind = 'LA' AND EXISTS (SELECT 1 FROM visits v WHERE "
            "v.organisation_id = o.id AND v.academic_year = ?) ORDER BY o.name", [year])]
    finally:
        conn.close()


def first_paint(command: str, ready) -> float:
    pane = T.Pane(command)
    try:
        return pane.wait(ready, timeout=120)
    finally:
        pane.close()


def dashboard_ready(la: str):
    def ready(text: str) -> bool:
        return f"RAG dashboard {la}" in text and "Overall" in text and (" of 14)" in text or "/14 " in text)
    return ready


def overview_ready(first: str, year: str):
    def ready(text: str) -> bool:
        return f"Regional overview {year}" in text and any(
            line.lstrip().startswith(first) and any(c in line for c in (" SI", " NI", " G ", " OS", " —"))
            for line in text.splitlines())
    return ready


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: fewer repeats, the 20k regional store")
    ap.add_argument("--repeats", type=int, default=None, help="start-ups of each kind (default 9, quick 3)")
    ap.add_argument("--year", default=None, help="the academic year shown (default: the store's latest)")
    args = ap.parse_args(argv)
    if T.TMUX is None:
        print("bench_tui_yearview: tmux is not installed (apt-get install tmux); nothing measured")
        C.emit("bench_tui_yearview", "dashboard first paint", "skipped (no tmux)")
        return 0
    repeats = args.repeats or (3 if args.quick else 9)
    import compileall

    compileall.compile_dir(str(C.ROOT / "src"), quiet=1)
    from laqs_assist.packs import open_pack
    from laqs_assist.paths import default_pack_path

    open_pack(default_pack_path())
    sys.path.insert(0, str(C.BENCH))
    import gen_store

    db = gen_store.ensure_store(20_000 if args.quick else 1_000_000)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    year = args.year or conn.execute("SELECT max(academic_year) FROM visits").fetchone()[0]
    kept = conn.execute("SELECT count(DISTINCT organisation_id) FROM rating_cache WHERE academic_year = ?",
                        [year]).fetchone()[0]
    conn.close()
    names = las(db, year)
    if not names:
        print(f"bench_tui_yearview: no LA has visits in {year}")
        return 1
    la = names[len(names) // 2]
    C.OUT.mkdir(parents=True, exist_ok=True)
    empty = C.OUT / "empty_app.py"
    empty.write_text(T.EMPTY_APP)
    dash_cmd = f"{T.PY} -m laqs_assist.tui --store {db} --dashboard '{la}' --year {year}"
    over_cmd = f"{T.PY} -m laqs_assist.tui --store {db} --overview --year {year}"

    # The first readings rate what the store does not keep yet: timed once, then the kept ratings are read.
    cold_dash = first_paint(dash_cmd, dashboard_ready(la))
    cold_over = first_paint(over_cmd, overview_ready(names[0], year))
    floor, dash, over = [], [], []
    for _ in range(repeats):
        floor.append(first_paint(f"{T.PY} {empty}", lambda t: "READY-MARKER" in t))
        dash.append(first_paint(dash_cmd, dashboard_ready(la)))
        over.append(first_paint(over_cmd, overview_ready(names[0], year)))
    f, d, o = median(floor), median(dash), median(over)
    rd, ro = C.ratio(d, f), C.ratio(o, f)
    print(f"store {db.name} ({db.stat().st_size / 1e9:.1f} GB), year {year}, {len(names)} LAs; the dashboard of {la}; "
          f"ratings kept before the first reading: {kept} organisations" + (" (so the first reading was not cold)"
                                                                           if kept else ""))
    print(f"dashboard first paint (median of {repeats}): {C.fmt_ms(d)}; empty Textual app {C.fmt_ms(f)}; "
          f"ratio {rd:.2f} (target ≤ 1.5); the first reading, rating it: {C.fmt_ms(cold_dash)}")
    print(f"regional overview first paint (median of {repeats}): {C.fmt_ms(o)}; ratio {ro:.2f} (target ≤ 1.5); "
          f"the first reading, rating {len(names)} LAs: {C.fmt_ms(cold_over)}")
    print("   runs: empty " + ", ".join(f"{x * 1e3:.0f}" for x in floor) + " ms; dashboard " +
          ", ".join(f"{x * 1e3:.0f}" for x in dash) + " ms; overview " + ", ".join(f"{x * 1e3:.0f}" for x in over)
          + " ms")
    C.emit("bench_tui_yearview", "dashboard screen first paint (regional store)", C.fmt_ms(d),
           floor=f"empty Textual app {C.fmt_ms(f)}", ratio_=rd, target="≤ 1.5× floor", ok=rd <= 1.5)
    C.emit("bench_tui_yearview", f"regional overview first paint ({len(names)} LAs)", C.fmt_ms(o),
           floor=f"empty Textual app {C.fmt_ms(f)}", ratio_=ro, target="≤ 1.5× floor", ok=ro <= 1.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
