"""Kill -9 at random points of real `laqs chat` processes: nothing acknowledged is lost, the store stays sound, and
`laqs chat --resume` shows the first question not yet dealt with.

One store is reused across every kill: each round starts a new visit or resumes one of the earlier ones, feeds a
random number of answers (waiting for each '✓ saved (xxxxxxxx)'), sometimes writes one more answer and kills the
process before reading its acknowledgement, then checks the store and the resumed session.
"""

from __future__ import annotations

import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from conftest_store import db_rows, run_laqs

from laqs_assist.store import Store

SEED = 20091122
KILLS = 50
ACK = re.compile(r"^✓ saved \(([0-9a-f]{8})\)$")
HEADER = re.compile(r"^Visit ([0-9a-f]{8}) — ")
WAIT = 60  # seconds for any one line; a hang fails the test instead of stalling the suite


class Chat:
    """A `laqs chat` process with a reader thread, so that every wait for output has a time limit."""

    def __init__(self, db: Path, args: list[str], cwd: Path) -> None:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        env.pop("LAQS_STORE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "laqs_assist", "--store", str(db), "chat", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", bufsize=1, cwd=cwd, env=env)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def until(self, pattern: re.Pattern[str]) -> re.Match[str]:
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no {pattern.pattern!r} within {WAIT}s; output so far: {self.seen[-20:]}") \
                    from None
            if line is None:
                raise AssertionError(f"chat ended before {pattern.pattern!r}: {self.seen[-20:]} "
                                     f"stderr: {self.proc.stderr.read()}")
            self.seen.append(line)
            assert not line.startswith("! "), f"chat refused an input: {line}"
            m = pattern.match(line)
            if m:
                return m

    def send(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=WAIT)
        assert self.proc.returncode == -signal.SIGKILL
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _first_pending(db: Path, visit_id: str) -> dict | None:
    rows = db_rows(db, "SELECT * FROM visit_items WHERE visit_id = ? AND status = 'pending' ORDER BY position "
                       "LIMIT 1", [visit_id])
    return rows[0] if rows else None


def _check_store(db: Path, acked: dict[str, str]) -> None:
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {rid[:8]: text for rid, text in conn.execute("SELECT id, text FROM responses")}
        # every acknowledged answer is there, under the id it was acknowledged with
        for text, short in acked.items():
            assert stored.get(short) == text, f"acknowledged answer lost: {short} {text!r}"
        # an answer is recorded together with its item, or not at all
        broken = conn.execute(
            "SELECT r.id FROM responses r JOIN visit_items i ON i.id = r.item_id "
            "WHERE i.status != 'answered' OR i.response_id != r.id").fetchall()
        assert broken == []
        assert conn.execute("SELECT count(*) FROM visit_items WHERE status = 'answered' AND response_id NOT IN "
                            "(SELECT id FROM responses)").fetchone()[0] == 0
        positions = conn.execute("SELECT visit_id, count(*), min(position), max(position) FROM visit_items "
                                 "GROUP BY visit_id").fetchall()
        assert all(lo == 0 and hi == n - 1 for _, n, lo, hi in positions)
    finally:
        conn.close()


def _check_resume(db: Path, visit_id: str, cwd: Path) -> None:
    proc = run_laqs("chat", "--resume", visit_id, store=db, input="/where\n/quit\n", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "Traceback" not in proc.stdout
    out = proc.stdout.splitlines()
    assert out[0].startswith(f"Visit {visit_id[:8]} — ")
    pending = _first_pending(db, visit_id)
    assert pending is not None, "the rounds never finish a visit"
    asked = [line for line in out if line.startswith(("Q ", "Probe: "))]
    assert asked, out
    if pending["kind"] == "question":
        assert asked[0].startswith(f"Q {pending['question_id']}: "), (asked[0], pending)
    else:
        assert asked[0] == "Probe: " + pending["text"].splitlines()[0], (asked[0], pending)
    done, total = db_rows(db, "SELECT sum(status != 'pending') AS done, count(*) AS total FROM visit_items "
                              "WHERE visit_id = ?", [visit_id])[0].values()
    assert f"{done} of {total} items dealt with; visit {visit_id[:8]} is in_progress" in out
    assert db_rows(db, "SELECT status FROM visits WHERE id = ?", [visit_id])[0]["status"] == "paused"


def test_kill_at_random_points_loses_nothing_acknowledged(tmp_path):
    rng = random.Random(SEED)
    db = tmp_path / "laqs.db"
    acked: dict[str, str] = {}  # answer text -> the 8-character id it was acknowledged with
    visits: list[str] = []
    kills = unacked_kills = resumed = 0
    for round_no in range(KILLS):
        if visits and rng.random() < 0.5:
            visit_id = rng.choice(visits)
            chat = Chat(db, ["--resume", visit_id], tmp_path)
            resumed += 1
        else:
            la = f"Borough {rng.randint(1, 4)}"
            chat = Chat(db, ["--org", la, "--phase", rng.choice(["P", "S", "EY"]),
                             "--date", rng.choice(["2026-10-01", "2027-01-15", "2027-06-30"])], tmp_path)
            visit_id = None
        short = chat.until(HEADER).group(1)
        chat.until(re.compile(r"^(Q |Probe: )"))
        if visit_id is None:
            visit_id = db_rows(db, "SELECT id FROM visits WHERE id LIKE ?", [short + "%"])[0]["id"]
            visits.append(visit_id)
        # yes/no questions need 'yes' first; it is a fine start for a text answer too
        for k in range(rng.randint(0, 8)):
            text = f"yes, round {round_no} answer {k} {rng.getrandbits(32):08x}"
            chat.send(text)
            acked[text] = chat.until(ACK).group(1)
        if rng.random() < 0.4:
            chat.send(f"yes, round {round_no} unacknowledged {rng.getrandbits(32):08x}")
            unacked_kills += 1
        chat.kill()
        kills += 1
        _check_store(db, acked)
        _check_resume(db, visit_id, tmp_path)

    assert kills == KILLS and unacked_kills >= 10 and resumed >= 10
    assert len(acked) >= 100
    n = db_rows(db, "SELECT count(*) AS n FROM responses")[0]["n"]
    assert len(acked) <= n <= len(acked) + unacked_kills
    # answers still waiting for the search index when their process was killed are found all the same
    st = Store(db)
    try:
        for text, short in acked.items():
            token = text.rsplit(" ", 1)[1]
            assert [h["id"][:8] for h in st.search(token)] == [short], text
        st.conn.execute("INSERT INTO responses_fts(responses_fts) VALUES ('integrity-check')")
    finally:
        st.close()
