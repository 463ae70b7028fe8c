"""The Textual app as a real process in tmux: start-up, memory on a large store, typing with a long chat log.

    .venv/bin/python bench/bench_tui.py [--quick] [--repeats N] [--keys N]

Before measuring, src/ is compiled to bytecode and the pack cache is warmed: the app as an installed tool runs it.
(P1) Start to first question on screen: `python -m laqs_assist.tui --store DB --resume ID` in a fresh tmux
     server, timed from just before `tmux new-session` until the question's first words and its "1/N · 2.4"
     status line are in `tmux capture-pane`. Floor: an empty Textual app (one Static) timed the same way until
     its marker is on screen. Runs interleaved, medians. Target: ≤ 1.5× the floor. Also shown: bare `laqs` to the
     list of visits.
(P5) Resident memory (VmRSS and the high-water mark VmHWM from /proc) of the app with the large regional store
     (bench/gen_store.py; 1M responses, or 20k with --quick) open on an in-progress visit's interview, and on the
     list of visits. Nothing is written to that store (an in-progress visit resumes without a write; the app is
     killed, not quit). Floor: the empty Textual app's RSS. Target: < 150 MB.
(P6) Typing with the draft autosave on: two apps side by side on fresh visits, one as shipped (the answer box's
     text is committed as the visit's draft 0.5 s after typing stops, and on focus changes), one with the
     autosave patched out (the floor). Keys go alternately, every fourth after a 0.6 s pause so that a draft
     commit is under way when it lands; each is timed until the answer box on screen shows it. Ratio on/off,
     medians. Target: ≤ 1.1×.
(P3) Typing with a 300-message chat log: two apps side by side, one resumed on a visit whose transcript is 300
     messages, one on a fresh visit (one message). Keys are sent alternately with `send-keys -l`, and each is timed
     until the answer box on screen shows the text typed so far. Ratio long/empty, medians. Target: ≤ 1.5×.

Timing limits never go in pytest; this prints figures and ratios (and BENCH-RESULT lines for run_all.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as C
from _common import clock, median

sys.path.insert(0, str(C.ROOT / "src"))

TMUX = shutil.which("tmux")
PY = sys.executable
WIDTH, HEIGHT = 120, 40
EMPTY_APP = '''
from textual.app import App
from textual.widgets import Static


class Empty(App):
    def compose(self):
        yield Static("READY-MARKER")


Empty().run()
'''


NO_DRAFT_APP = '''
import sys
from laqs_assist.tui.screens.interview import InterviewScreen
InterviewScreen.save_draft = lambda self: None  # the floor: the same app without the draft autosave
from laqs_assist.tui.__main__ import main
sys.exit(main(sys.argv[1:]))
'''


class Pane:
    """A tmux server of our own running one command; the environment is clean of COLUMNS/LINES."""

    def __init__(self, command: str, env: dict[str, str] | None = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="lqb")
        self.sock = os.path.join(self.dir, "s")
        clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        clean["TERM"] = "xterm-256color"
        args = [TMUX, "-S", self.sock, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(WIDTH),
                "-y", str(HEIGHT)]
        for k, v in (env or {}).items():
            args += ["-e", f"{k}={v}"]
        self.started = clock()
        subprocess.run(args + [f"cd {C.ROOT} && exec {command}"], check=True, env=clean)
        self.pid = int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip())

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-S", self.sock, *args], check=True, capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def wait(self, predicate, timeout: float = 30.0) -> float:
        """Seconds since the pane was started when `predicate(screen)` first holds."""
        deadline = clock() + timeout
        while clock() < deadline:
            text = self.screen()
            if predicate(text):
                return clock() - self.started
            time.sleep(0.002)
        raise RuntimeError(f"timed out; screen:\n{self.screen()}")

    def rss(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as fh:
            for line in fh:
                k, _, v = line.partition(":")
                fields[k] = v.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def close(self) -> None:
        subprocess.run([TMUX, "-S", self.sock, "kill-server"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def words(text: str) -> str:
    return " ".join(text.split())


# --- fixtures ------------------------------------------------------------------------------------------------


TOTAL = 0  # items in the fresh visit's running order (the interview's progress reads "1/TOTAL · 2.4")


def small_store(path: Path, notes: int) -> tuple[str, str, str]:
    """A store with a fresh visit and one whose transcript is `notes` messages; returns their ids and the first
    question's opening words."""
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    for f in path.parent.glob(path.name + "*"):
        f.unlink()
    pack = load_pack(default_pack_path())
    with Store(path) as store:
        fresh = Session.start(store, pack, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                              focus=["2.4"], day="2026-11-22")
        long = Session.start(store, pack, agenda_id="la-contacts", organisation="Other Borough", phases=["P"],
                             focus=["2.4"], day="2026-11-22")
        for i in range(notes):
            long.note(f"Note {i}: the risk register is reviewed with the data team and the SIP reports feed it "
                      f"each term; schools causing concern are tracked monthly.", "2.4")
        first = fresh.current().prompt()
        global TOTAL
        TOTAL = fresh.progress()[1]
        return fresh.id, long.id, " ".join(first.split()[:4])


def regional_visit(db: Path) -> str:
    """The most recently changed in-progress visit with questions still pending (resuming it writes nothing)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT v.id FROM visits v WHERE v.status = 'in_progress' AND EXISTS (SELECT 1 FROM "
                            "visit_items i WHERE i.visit_id = v.id AND i.status = 'pending') "
                            "ORDER BY v.updated_at DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()


# --- the measures ---------------------------------------------------------------------------------------------


def p1(db: Path, visit: str, first_words: str, repeats: int) -> dict:
    empty = C.OUT / "empty_app.py"
    empty.write_text(EMPTY_APP)
    app_cmd = f"{PY} -m laqs_assist.tui --store {db} --resume {visit}"
    home_cmd = f"{C.ROOT / '.venv' / 'bin' / 'laqs'}" if (C.ROOT / ".venv" / "bin" / "laqs").exists() else \
        f"{PY} -m laqs_assist"
    floor, ours, home = [], [], []
    for _ in range(repeats):
        pane = Pane(f"{PY} {empty}")
        try:
            floor.append(pane.wait(lambda t: "READY-MARKER" in t))
        finally:
            pane.close()
        pane = Pane(app_cmd)
        try:
            ours.append(pane.wait(lambda t: first_words in words(t) and f"1/{TOTAL} · 2.4" in t))
        finally:
            pane.close()
        pane = Pane(home_cmd, {"LAQS_STORE": str(db)})
        try:
            home.append(pane.wait(lambda t: "Recent visits" in t and "Any Borough" in t))
        finally:
            pane.close()
    return {"floor": median(floor), "ours": median(ours), "home": median(home), "n": repeats,
            "floor_all": floor, "ours_all": ours}


def p5(db: Path) -> dict:
    visit = regional_visit(db)
    where = re.compile(r"\d+/\d+ · \d\.\d")
    out: dict = {"store": db.name, "bytes": db.stat().st_size}
    pane = Pane(f"{PY} -m laqs_assist.tui --store {db} --resume {visit}")
    try:
        out["interview_s"] = pane.wait(lambda t: where.search(t) and "Criteria" in t, timeout=60)
        time.sleep(1.0)  # the criteria index is built just after the first question
        out["interview_rss"], out["interview_hwm"] = pane.rss()
        os.kill(pane.pid, 9)  # killed, not quit: quitting would pause the visit (a write)
    finally:
        pane.close()
    pane = Pane(f"{C.ROOT / '.venv' / 'bin' / 'laqs'}", {"LAQS_STORE": str(db)})
    try:
        out["home_s"] = pane.wait(lambda t: "Recent visits" in t and "Answers" in t, timeout=60)
        time.sleep(0.5)
        out["home_rss"], out["home_hwm"] = pane.rss()
        os.kill(pane.pid, 9)
    finally:
        pane.close()
    pane = Pane(f"{PY} {C.OUT / 'empty_app.py'}")
    try:
        pane.wait(lambda t: "READY-MARKER" in t)
        time.sleep(0.5)
        out["floor_rss"], out["floor_hwm"] = pane.rss()
    finally:
        pane.close()
    return out


def p3(db: Path, fresh: str, long: str, keys: int) -> dict:
    panes = {}
    try:
        for name, visit in (("empty", fresh), ("long", long)):
            pane = Pane(f"{PY} -m laqs_assist.tui --store {db} --resume {visit}")
            pane.wait(lambda t: f"1/{TOTAL} · 2.4" in t and "Criteria" in t, timeout=60)
            panes[name] = pane
        time.sleep(1.5)  # let both settle (criteria index, the long transcript's layout)
        times = typing_times(panes, keys)
        return {"empty": median(times["empty"]), "long": median(times["long"]), "p99_empty": C.p99(times["empty"]),
                "p99_long": C.p99(times["long"]), "n": keys}
    finally:
        for pane in panes.values():
            pane.close()


def typing_times(panes: dict[str, "Pane"], keys: int, pause_every: int = 0) -> dict[str, list[float]]:
    """Send `keys` keystrokes to each pane, alternating which goes first; seconds from send to echo on screen."""
    alphabet = "qzxjvkwyfgbm"
    names = list(panes)
    typed = {n: "" for n in names}
    times: dict[str, list[float]] = {n: [] for n in names}
    for i in range(keys):
        if pause_every and i % pause_every == pause_every - 1:
            time.sleep(0.6)  # past the draft delay: a draft commit is under way when the next key lands
        for name in (names if i % 2 == 0 else names[::-1]):
            pane = panes[name]
            ch = alphabet[i % len(alphabet)]
            if len(typed[name]) >= 30:  # keep the text on one line of the answer box
                pane.tmux("send-keys", "-t", "b", "C-u")
                pane.wait(lambda t: "Type the answer" in t, timeout=10)
                typed[name] = ""
            want = typed[name] + ch
            t0 = clock()
            pane.tmux("send-keys", "-t", "b", "-l", ch)
            deadline = clock() + 10
            while clock() < deadline:
                if want in pane.screen():
                    break
                time.sleep(0.0005)
            times[name].append(clock() - t0)
            typed[name] = want
            time.sleep(0.05)
    return times


def p6(db: Path, on: str, off: str, keys: int) -> dict:
    panes = {}
    try:
        panes["off"] = Pane(f"{PY} -c {shlex.quote(NO_DRAFT_APP)} --store {db} --resume {off}")
        panes["on"] = Pane(f"{PY} -m laqs_assist.tui --store {db} --resume {on}")
        for pane in panes.values():
            pane.wait(lambda t: f"1/{TOTAL} · 2.4" in t and "Criteria" in t, timeout=60)
        time.sleep(1.5)
        times = typing_times(panes, keys, pause_every=4)
        with sqlite3.connect(db) as conn:
            saved = conn.execute("SELECT count(*) FROM drafts WHERE visit_id = ?", [on]).fetchone()[0]
            leaked = conn.execute("SELECT count(*) FROM drafts WHERE visit_id = ?", [off]).fetchone()[0]
        return {"on": median(times["on"]), "off": median(times["off"]), "p99_on": C.p99(times["on"]),
                "p99_off": C.p99(times["off"]), "n": keys, "saved": saved, "leaked": leaked}
    finally:
        for pane in panes.values():
            pane.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: fewer repeats, the 20k regional store")
    ap.add_argument("--repeats", type=int, default=None, help="P1 start-ups of each kind (default 9, quick 3)")
    ap.add_argument("--keys", type=int, default=None, help="P3 keystrokes per app (default 60, quick 16)")
    ap.add_argument("--notes", type=int, default=299, help="P3 messages in the long transcript, beside the question")
    ap.add_argument("--only", choices=["p1", "p3", "p5", "p6"], action="append", help="run only these measures")
    args = ap.parse_args(argv)
    if TMUX is None:
        print("bench_tui: tmux is not installed (apt-get install tmux); nothing measured")
        C.emit("bench_tui", "P1 start to first question", "skipped (no tmux)")
        return 0
    repeats = args.repeats or (3 if args.quick else 9)
    keys = args.keys or (16 if args.quick else 60)
    C.OUT.mkdir(parents=True, exist_ok=True)
    # Measure the app as an installed tool runs: its modules compiled (pip does this; here
    # PYTHONDONTWRITEBYTECODE may be set, which would leave ours as source while Textual's are compiled)
    # and the pack cache warm, as after its first start.
    import compileall

    compileall.compile_dir(str(C.ROOT / "src"), quiet=1)
    from laqs_assist.packs import open_pack
    from laqs_assist.paths import default_pack_path

    open_pack(default_pack_path())
    db = C.OUT / "tui-small.db"
    fresh, long, first_words = small_store(db, args.notes)

    only = set(args.only or ["p1", "p3", "p5", "p6"])
    if "p1" in only:
        measure_p1(db, fresh, first_words, repeats)
    if "p5" in only:
        measure_p5(args.quick)
    if "p3" in only:
        measure_p3(db, fresh, long, keys, args.notes)
    if "p6" in only:
        measure_p6(keys)
    return 0


def measure_p1(db: Path, fresh: str, first_words: str, repeats: int) -> None:
    r1 = p1(db, fresh, first_words, repeats)
    ratio1 = C.ratio(r1["ours"], r1["floor"])
    print(f"P1 start to first question on screen (median of {r1['n']}): {C.fmt_ms(r1['ours'])}; "
          f"empty Textual app to its marker {C.fmt_ms(r1['floor'])}; ratio {ratio1:.2f} (target ≤ 1.5)")
    print(f"   bare `laqs` to the list of visits: {C.fmt_ms(r1['home'])}")
    print("   runs: app " + ", ".join(f"{x * 1e3:.0f}" for x in r1["ours_all"]) + " ms; empty " +
          ", ".join(f"{x * 1e3:.0f}" for x in r1["floor_all"]) + " ms")
    C.emit("bench_tui", "P1 start to first question on screen", C.fmt_ms(r1["ours"]),
           floor=f"empty Textual app {C.fmt_ms(r1['floor'])}", ratio_=ratio1, target="≤ 1.5× floor",
           ok=ratio1 <= 1.5)



def measure_p5(quick: bool) -> None:
    sys.path.insert(0, str(C.BENCH))
    import gen_store

    big = gen_store.ensure_store(gen_store.QUICK_RESPONSES if quick else gen_store.DEFAULT_RESPONSES)
    r5 = p5(big)
    print(f"P5 resident memory with {big.name} ({r5['bytes'] / 1e9:.2f} GB) open: "
          f"interview {r5['interview_rss']:.1f} MB "
          f"(peak {r5['interview_hwm']:.1f}); list of visits {r5['home_rss']:.1f} MB (peak {r5['home_hwm']:.1f}); "
          f"empty Textual app {r5['floor_rss']:.1f} MB; ratio {C.ratio(r5['interview_hwm'], r5['floor_rss']):.2f} "
          f"(target < 150 MB)")
    print(f"   on that store: first question in {C.fmt_ms(r5['interview_s'])}, list of visits in "
          f"{C.fmt_ms(r5['home_s'])}")
    worst = max(r5["interview_hwm"], r5["home_hwm"])
    C.emit("bench_tui", f"P5 resident memory, {big.name} open (peak)", f"{worst:.1f} MB",
           floor=f"empty Textual app {r5['floor_rss']:.1f} MB", ratio_=C.ratio(worst, r5["floor_rss"]),
           target="< 150 MB", ok=worst < 150)



def measure_p3(db: Path, fresh: str, long: str, keys: int, notes: int) -> None:
    r3 = p3(db, fresh, long, keys)
    ratio3 = C.ratio(r3["long"], r3["empty"])
    print(f"P3 keystroke to echo on screen (median of {r3['n']}): {notes + 1}-message log {C.fmt_ms(r3['long'])}"
          f" (p99 {C.fmt_ms(r3['p99_long'])}); one-message log {C.fmt_ms(r3['empty'])} (p99 "
          f"{C.fmt_ms(r3['p99_empty'])}); ratio {ratio3:.2f} (target ≤ 1.5)")
    C.emit("bench_tui", f"typing echo with a {notes + 1}-message chat log", C.fmt_ms(r3["long"]),
           floor=f"one-message log {C.fmt_ms(r3['empty'])}", ratio_=ratio3, target="≤ 1.5× floor",
           ok=ratio3 <= 1.5)


def measure_p6(keys: int) -> None:
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    db = C.OUT / "tui-drafts.db"
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    pack = load_pack(default_pack_path())
    with Store(db) as store:
        on, off = (Session.start(store, pack, agenda_id="la-contacts", organisation=name, phases=["P"],
                                 focus=["2.4"], day="2026-11-22").id for name in ("Draft Borough", "Floor Borough"))
    r6 = p6(db, on, off, keys)
    ratio6 = C.ratio(r6["on"], r6["off"])
    print(f"P6 keystroke to echo with the draft autosave on (median of {r6['n']}): {C.fmt_ms(r6['on'])} (p99 "
          f"{C.fmt_ms(r6['p99_on'])}); autosave patched out {C.fmt_ms(r6['off'])} (p99 {C.fmt_ms(r6['p99_off'])}); "
          f"ratio {ratio6:.2f} (target ≤ 1.1); drafts saved: on {r6['saved']}, off {r6['leaked']}")
    C.emit("bench_tui", "typing echo with the draft autosave on", C.fmt_ms(r6["on"]),
           floor=f"autosave off {C.fmt_ms(r6['off'])}", ratio_=ratio6, target="≤ 1.1× floor",
           ok=ratio6 <= 1.1 and r6["saved"] == 1)


if __name__ == "__main__":
    sys.exit(main())
