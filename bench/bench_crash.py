"""The crash benchmark: SIGKILL a real `laqs chat` process again and again; nothing acknowledged may be lost.

    .venv/bin/python bench/bench_crash.py [--quick] [--kills N] [--seed S] [--store PATH]

Each cycle runs `python -m laqs_assist --store DB chat …` (a new visit, or `--resume last` when the last visit still
has pending items), feeds answers on stdin, and SIGKILLs it at a random point: after reading N "✓ saved" acks
(N random, 0–8) plus a random 0–4 ms so the kill lands inside the next answer's work, or, for N = 0, at a random
moment of start-up. After every kill:
  - every acknowledged answer is in the store with the text that was sent (lost acknowledged answers must be 0);
  - PRAGMA integrity_check is ok and the FTS index agrees with the responses (integrity failures must be 0);
and the next `--resume` must show the first pending question of the visit (resume mismatches must be 0).
At the end every ack of every cycle is checked again.
Floor: a bare Python process that opens the same store with sqlite3 (WAL), says it is ready and is killed; the
ratio compares the median time from spawn to the first question with the floor's spawn-to-ready time.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import _common as C
from _common import clock, median

ACK = re.compile(r"^✓ saved \(([0-9a-f]{8})\)")
HEAD = re.compile(r"^\[(\d+)/(\d+)\] (\S+)")
SENTINEL = None


def reader(stream, q: queue.Queue) -> None:
    for line in iter(stream.readline, b""):
        q.put((clock(), line.decode("utf-8", "replace").rstrip("\n")))
    q.put((clock(), SENTINEL))


def first_pending(db: Path) -> dict | None:
    """The last visit (as `--resume last` finds it) and its first pending item by position, or None."""
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        v = conn.execute("SELECT id FROM visits ORDER BY updated_at DESC LIMIT 1").fetchone()
        if v is None:
            return None
        row = conn.execute("SELECT position, kind, question_id FROM visit_items WHERE visit_id = ? AND "
                           "status = 'pending' ORDER BY position LIMIT 1", [v[0]]).fetchone()
        total = conn.execute("SELECT count(*) FROM visit_items WHERE visit_id = ?", [v[0]]).fetchone()[0]
    finally:
        conn.close()
    if row is None:
        return None
    return {"visit": v[0], "position": row[0], "kind": row[1], "question_id": row[2], "total": total}


def check_store(db: Path, acks: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """(lost acknowledged answers, integrity problems)."""
    conn = sqlite3.connect(str(db), timeout=30)
    problems: list[str] = []
    lost = 0
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            problems.append(f"integrity_check: {ok[:3]}")
        try:
            conn.execute("INSERT INTO responses_fts(responses_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"fts integrity-check: {exc}")
        for prefix, text in acks:
            rows = conn.execute("SELECT text FROM responses WHERE id LIKE ?", [prefix + "%"]).fetchall()
            if not any(r[0] == text for r in rows):
                lost += 1
    finally:
        conn.close()
    return lost, problems


def answer(rng: random.Random, cycle: int, k: int) -> str:
    words = ("moderation", "tracking", "headteachers", "governors", "phonics", "attendance", "SIP reports",
             "risk register", "targets", "consultants", "early years", "data", "challenge", "support")
    # "yes, …" is a valid answer to text and yes/no questions alike, so every line is an answer.
    return (f"yes, answer c{cycle}-{k}: the LA described {rng.choice(words)} and {rng.choice(words)} "
            f"with {rng.randint(2, 40)} schools — “quoted” & <marked>")


def floor_cycle(db: Path) -> float:
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL'); "
            "c.execute('PRAGMA synchronous=FULL'); print('ready', flush=True); sys.stdin.readline()")
    t = clock()
    p = subprocess.Popen([sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdout.readline()
    ready = clock() - t
    p.send_signal(signal.SIGKILL)
    p.wait()
    p.stdin.close()
    p.stdout.close()
    return ready


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: 10 kills")
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", type=Path, default=C.OUT / "crash.db")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    kills = args.kills or (10 if args.quick else 200)
    rng = random.Random(args.seed)
    db: Path = args.store
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(C.ROOT / "src"), env.get("PYTHONPATH")) if p)
    env.pop("LAQS_STORE", None)

    all_acks: list[tuple[str, str]] = []
    stats = {"kills": 0, "lost": 0, "integrity": 0, "resume_checked": 0, "resume_mismatch": 0, "exited": 0,
             "acks": 0, "new_visits": 0}
    cycle_times: list[float] = []
    first_q: list[float] = []
    problems_seen: list[str] = []
    t_all = clock()
    for cycle in range(kills):
        t0 = clock()
        expected = first_pending(db) if db.exists() else None
        if expected is None:
            stats["new_visits"] += 1
            chat_args = ["--org", f"Crash LA {stats['new_visits'] % 7}", "--date",
                         f"2026-{rng.randint(9, 12)}-{rng.randint(10, 28)}", "--person", "A Contact:lead"]
        else:
            chat_args = ["--resume", "last"]
        cmd = [sys.executable, "-m", "laqs_assist", "--store", str(db), "chat", *chat_args]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=str(C.ROOT))
        answers = [answer(rng, cycle, k) for k in range(40)]
        proc.stdin.write(("\n".join(answers) + "\n").encode())
        proc.stdin.flush()  # stdin stays open: the process never sees EOF, so it never pauses by itself
        q: queue.Queue = queue.Queue()
        th = threading.Thread(target=reader, args=(proc.stdout, q), daemon=True)
        th.start()
        want = rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8))
        deadline = t0 + (rng.uniform(0.0, 0.6) if want == 0 else 10.0)
        acks: list[tuple[str, str]] = []
        head = None
        label = None
        ended = False
        while True:
            timeout = deadline - clock()
            if want == 0 and timeout <= 0:
                break
            try:
                at, line = q.get(timeout=max(timeout, 0.0) if want == 0 else 10.0)
            except queue.Empty:
                if want == 0:
                    break
                problems_seen.append(f"cycle {cycle}: no output for 10 s")
                break
            if line is SENTINEL:
                ended = True
                break
            if head is None:
                m = HEAD.match(line)
                if m:
                    head = (int(m.group(1)), int(m.group(2)))
                    first_q.append(at - t0)
                    continue
            elif label is None and not line.startswith("✓"):
                label = line
            if line.startswith("! ") or line.startswith("Every question has been dealt with"):
                break  # the visit has run out of questions: nothing more will be acknowledged
            m = ACK.match(line)
            if m:
                acks.append((m.group(1), answers[len(acks)]))
                if len(acks) >= want:
                    time.sleep(rng.uniform(0.0, 0.004))
                    break
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            stats["kills"] += 1
        else:
            stats["exited"] += 1
        proc.wait()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        for s in (proc.stdin, proc.stdout, proc.stderr):
            try:
                s.close()
            except OSError:
                pass
        th.join(timeout=5)
        if ended and stderr.strip():
            problems_seen.append(f"cycle {cycle}: the process exited: {stderr.strip().splitlines()[-1]}")

        # The resume check: the first question shown is the visit's first pending item.
        if expected is not None and head is not None and label is not None:
            stats["resume_checked"] += 1
            want_label = "Probe:" if expected["kind"] == "probe" else f"Q {expected['question_id']}:"
            if head[0] != expected["position"] + 1 or not label.startswith(want_label):
                stats["resume_mismatch"] += 1
                problems_seen.append(f"cycle {cycle}: resumed at [{head[0]}/{head[1]}] {label[:40]!r}, expected "
                                     f"position {expected['position'] + 1} {want_label}")

        lost, problems = check_store(db, acks)
        stats["lost"] += lost
        stats["acks"] += len(acks)
        if problems:
            stats["integrity"] += 1
            problems_seen.extend(f"cycle {cycle}: {p}" for p in problems)
        if lost:
            problems_seen.append(f"cycle {cycle}: {lost} acknowledged answer(s) missing")
        all_acks.extend(acks)
        cycle_times.append(clock() - t0)
        if args.verbose or (cycle + 1) % 25 == 0:
            print(f"  {cycle + 1:>4}/{kills} cycles, {stats['acks']} acks, lost {stats['lost']}, "
                  f"integrity failures {stats['integrity']}, resume mismatches {stats['resume_mismatch']}")
    total = clock() - t_all
    final_lost, final_problems = check_store(db, all_acks)

    floors = [floor_cycle(db) for _ in range(10 if args.quick else 20)]
    fq, fl = median(first_q) if first_q else float("nan"), median(floors)
    print(f"\nstore {db}")
    print(f"  kills                      {stats['kills']} ({stats['exited']} cycle(s) ended before the kill)")
    print(f"  acknowledged answers       {stats['acks']} ({stats['new_visits']} visits)")
    print(f"  lost acknowledged answers  {stats['lost']} after each kill; {final_lost} at the end")
    print(f"  integrity failures         {stats['integrity']} after each kill; {len(final_problems)} at the end")
    print(f"  resume checks              {stats['resume_checked']}, mismatches {stats['resume_mismatch']}")
    print(f"  time per kill cycle        median {C.fmt_ms(median(cycle_times))}, total {total:.1f} s")
    print(f"  spawn → first question     median {C.fmt_ms(fq)}; floor (bare python + sqlite3 open) "
          f"{C.fmt_ms(fl)}; ratio {C.ratio(fq, fl):.1f}×")
    for p in (problems_seen + final_problems)[:20]:
        print("  !", p)
    ok = stats["lost"] == 0 and final_lost == 0 and stats["integrity"] == 0 and not final_problems
    C.emit("crash", f"{stats['kills']} SIGKILLs of laqs chat ({stats['acks']} acks)",
           f"lost {stats['lost'] + final_lost}, integrity failures {stats['integrity'] + len(final_problems)}, "
           f"resume mismatches {stats['resume_mismatch']}/{stats['resume_checked']}",
           target="0 lost, 0 failures", ok=ok and stats["resume_mismatch"] == 0)
    C.emit("crash", "time per kill cycle (median)", C.fmt_ms(median(cycle_times)), target="—")
    C.emit("crash", "spawn → first question (laqs chat, median)", C.fmt_ms(fq), floor=C.fmt_ms(fl),
           ratio_=C.ratio(fq, fl), target="well under 1 s", ok=fq < 0.5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
