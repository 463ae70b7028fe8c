"""P2: record an answer and re-rate, durably, on a fresh small store and on the 1M-response regional store.

    .venv/bin/python bench/bench_record.py [--quick] [--n N] [--responses N] [--skip-regional]

P2 subject ("engine"): Session.answer (parse, add_response in one BEGIN IMMEDIATE … COMMIT with the item, the visit
and the event log, probes when an aspect's questions are done) followed by Session.rating for that aspect and phase:
what recording an answer and re-rating costs whichever view drives it.

Also, end to end, exactly what the line mode does for one line of input (LineChat.handle on the application
service over a live Session: parse, add_response in one BEGIN IMMEDIATE … COMMIT with the item, the visit and
the event log, refresh, probes when an aspect's questions are done, the "✓ saved" ack, criteria hints, the next
question), followed by Session.rating for that aspect and phase:
  answer+rate   an agenda answer, then the aspect's rating
  judge         "/met CRITERION": judgements for every phase in one commit, re-rated (the line mode's own re-rate)
Floor: a bare sqlite3 INSERT + COMMIT of the same response row into a table of the same columns (no index, no
trigger), on its own connection with the same pragmas (WAL, synchronous=FULL), in a database file of its own
beside the store. Not in the store's own file: a commit from a second connection makes the store's connection
drop its page cache and read every page back, a cost the application never meets (one process writes during an
interview). Both files are warmed until their write-ahead logs have wrapped round once, so neither is measured
while its log file is still growing (a growing file makes every fsync dearer). Samples are interleaved (floor,
engine, answer, judge, floor, …) so they share the machine's noise.
Targets: ratio of medians ≤ 2×; p99 < 10 ms.
The regional store is copied first (bench/out/record-regional.db), so the generated file stays as generated.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import _common as C
from _common import clock, median, p99

COLUMNS = ("id", "visit_id", "organisation_id", "item_id", "question_id", "aspect_id", "academic_year", "text",
           "value", "concerns_individual", "created_at", "updated_at")


def answer_text(rng: random.Random, item, texts) -> str:
    base = texts.answer(item.aspect_id, "text", "Oak Primary School")
    if item.answer_type == "yes_no":
        return rng.choice(("yes, ", "no, ")) + base
    if item.answer_type == "choice":
        return "1 " + base
    return base


def floor_path(path: Path) -> Path:
    return path.with_name(path.stem + "-floor.db")


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# Enough commits for each write-ahead log to reach its checkpoint size (1,000 pages) and start again from the top:
# the floor writes about 1.2 pages a commit, an answer about a dozen.
WARM_FLOOR = 1_100
WARM_ENGINE = 120


class Rig:
    """A live session on a store, a floor connection on the same file, and fresh visits as the agenda runs out."""

    def __init__(self, path: Path, org: str, day: date, rng: random.Random, texts) -> None:
        from laqs_assist.line import LineChat
        from laqs_assist.packs import load_pack
        from laqs_assist.paths import default_pack_path
        from laqs_assist.store import Store

        self.LineChat = LineChat
        self.pack = load_pack(default_pack_path())
        self.store = Store(path)
        self.rng, self.texts, self.org, self.day = rng, texts, org, day
        self.out: list[str] = []
        self.visits = 0
        self._new_visit()
        self.floor_path = floor_path(path)
        self.floor = sqlite3.connect(str(self.floor_path), isolation_level=None)
        assert self.floor.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        self.floor.execute("PRAGMA synchronous = FULL")
        self.floor.execute(f"CREATE TABLE IF NOT EXISTS bench_floor ({', '.join(COLUMNS)})")
        self.floor_sql = f"INSERT INTO bench_floor VALUES ({', '.join('?' * len(COLUMNS))})"

    def _new_visit(self) -> None:
        from laqs_assist.app.service import Service
        from laqs_assist.session import Session

        self.session = Session.start(self.store, self.pack, agenda_id="la-contacts", organisation=self.org,
                                     day=self.day.isoformat(), author="bench", people=[("A Contact", "lead")])
        service = Service(self.store, self.pack)
        service.session = self.session  # line mode on the application service, over this visit
        self.chat = self.LineChat(service, self.out.append)
        self.visits += 1

    def _item(self):
        item = self.session.current()
        if item is None:
            self._new_visit()
            item = self.session.current()
        return item

    def floor_once(self) -> float:
        s = self.session
        stamp = "2026-11-22T10:00:00.000000+00:00"
        row = (str(uuid.uuid4()), s.id, s.visit["organisation_id"], None, None, "1.1", s.visit["academic_year"],
               answer_text(self.rng, self._item(), self.texts), None, 0, stamp, stamp)
        t = clock()
        self.floor.execute("BEGIN")
        self.floor.execute(self.floor_sql, row)
        self.floor.execute("COMMIT")
        return clock() - t

    def answer_once(self) -> float:
        item = self._item()
        text = answer_text(self.rng, item, self.texts)
        phase = next(p for p in self.session.phases if self.pack.aspects[item.aspect_id].applies_to(p))
        self.out.clear()
        t = clock()
        self.chat.handle(text)
        self.session.rating(item.aspect_id, phase)
        dt = clock() - t
        if not any(line.startswith("✓ saved") for line in self.out):
            raise RuntimeError(f"the answer was not acknowledged: {self.out[:3]}")
        return dt

    def engine_once(self) -> float:
        item = self._item()
        while item.answer_type != "text":  # typed questions want typed answers; skip them for this subject
            self.session.skip()
            item = self._item()
        text = answer_text(self.rng, item, self.texts)
        phase = next(p for p in self.session.phases if self.pack.aspects[item.aspect_id].applies_to(p))
        t = clock()
        self.session.answer(text)
        self.session.rating(item.aspect_id, phase)
        return clock() - t

    def judge_once(self) -> float:
        item = self._item()
        crit = [c.id for c in self.pack.aspects[item.aspect_id].criteria
                if c.kind == "statement" and any(c.applies_to(p) for p in self.session.phases)]
        state = self.rng.choice(("met", "partly", "not"))
        self.out.clear()
        t = clock()
        self.chat.handle(f"/{state} {self.rng.choice(crit)}")
        dt = clock() - t
        if not any(line.startswith("✓ ") for line in self.out):
            raise RuntimeError(f"the judgement was not acknowledged: {self.out[:3]}")
        return dt

    def diagnostics(self) -> dict[str, float]:
        """Times of the two judgement queries every re-rate and every /met runs, on this store."""
        v = self.session.visit
        busiest = self.store._row(
            "SELECT aspect_id, phase, count(*) AS n FROM judgements WHERE organisation_id = ? AND academic_year = ? "
            "GROUP BY aspect_id, phase ORDER BY n DESC LIMIT 1", [v["organisation_id"], v["academic_year"]])
        aspect, phase = busiest["aspect_id"], busiest["phase"]
        out = {}
        for name, fn in (
            (f"current_judgements() ({busiest['n']} rows in)", lambda: self.store.current_judgements(
                v["organisation_id"], v["academic_year"], aspect, phase)),
            ("judgements_marker() (is the cached rating current)", lambda: self.store.judgements_marker(
                v["organisation_id"], v["academic_year"], aspect, phase)),
        ):
            out[name] = median([C.timed(fn) for _ in range(5)])
        # Where an answer's time goes, step by step (each a median of 20).
        s = self.session
        item = self._item()
        phase = next(p for p in s.phases if self.pack.aspects[item.aspect_id].applies_to(p))
        text = answer_text(self.rng, item, self.texts)

        def reload_items():
            s.refresh()
            s.items()

        for name, fn in (
            ("Store.add_response (one commit)", lambda: self.store.add_response(
                visit=s.visit, item=None, aspect_id=item.aspect_id, text=text)),
            ("Session.refresh + items() reload", reload_items),
            ("Session.suggest_criteria", lambda: s.suggest_criteria(text, item)),
            ("Session.rating", lambda: s.rating(item.aspect_id, phase)),
        ):
            out[name] = median([C.timed(fn) for _ in range(20)])
        return out

    def close(self) -> None:
        self.floor.close()
        self.store.close()
        remove_db(self.floor_path)


def run(label: str, path: Path, org: str, day: date, n: int, seed: int, texts) -> dict:
    rng = random.Random(seed)
    rig = Rig(path, org, day, rng, texts)
    try:
        for k in range(WARM_FLOOR):  # warm the caches, the pack's criteria index and both write-ahead logs
            rig.floor_once()
            if k < WARM_ENGINE:
                rig.engine_once(), rig.answer_once(), rig.judge_once()
        floor, engine, answer, judge = [], [], [], []
        for _ in range(n):
            floor.append(rig.floor_once())
            engine.append(rig.engine_once())
            answer.append(rig.answer_once())
            judge.append(rig.judge_once())
        diag = rig.diagnostics()
        n_judgements = rig.store._row("SELECT count(*) AS n FROM judgements")["n"]
        n_responses = rig.store._row("SELECT count(*) AS n FROM responses")["n"]
        visits = rig.visits
    finally:
        rig.close()
    res = {"label": label, "floor": floor, "engine": engine, "answer": answer, "judge": judge, "diag": diag, "visits": visits,
           "judgements": n_judgements, "responses": n_responses}
    report(res)
    return res


def report(res: dict) -> None:
    fm = median(res["floor"])
    print(f"\n{res['label']}: {res['responses']:,} responses, {res['judgements']:,} judgements; "
          f"{len(res['floor'])} samples each, {res['visits']} visit(s)")
    print(f"  {'':<34}{'median':>11}{'p99':>11}{'ratio':>8}")
    print(f"  {'floor: bare INSERT + COMMIT':<34}{fm * 1e3:>8.2f} ms{p99(res['floor']) * 1e3:>8.2f} ms{1:>7.1f}×")
    for key, name, p2 in (("engine", "P2: answer + re-rate (engine)", True),
                          ("answer", "answer + re-rate (line mode)", False),
                          ("judge", "/met: judge + re-rate (line mode)", False)):
        m, q = median(res[key]), p99(res[key])
        r = C.ratio(m, fm)
        print(f"  {name:<34}{m * 1e3:>8.2f} ms{q * 1e3:>8.2f} ms{r:>7.1f}×")
        # The line-mode rows add the screen's work (criteria hints, the next question) to the record: shown for
        # the end-to-end figure, held to the p99 target only.
        C.emit("record", f"{name}, {res['label']}", f"median {C.fmt_ms(m)}, p99 {C.fmt_ms(q)}", floor=C.fmt_ms(fm),
               ratio_=r, target="≤ 2× floor; p99 < 10 ms" if p2 else "p99 < 10 ms",
               ok=(r <= 2 if p2 else True) and q < 0.010)
    for k, v in res["diag"].items():
        print(f"  diagnostic: {k:<32} {v * 1e3:8.2f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    ap.add_argument("--n", type=int, default=None, help="samples per store")
    ap.add_argument("--responses", type=int, default=None, help="size of the regional store")
    ap.add_argument("--skip-regional", action="store_true")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    n = args.n or (20 if args.quick else 300)

    import gen_store

    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path

    texts = gen_store.Texts(load_pack(default_pack_path()), random.Random(args.seed), per_aspect=200)
    C.OUT.mkdir(parents=True, exist_ok=True)

    small = C.OUT / "record-small.db"
    remove_db(small)
    remove_db(floor_path(small))
    run("fresh store", small, "Bench LA", date(2026, 11, 23), n, args.seed, texts)

    if not args.skip_regional:
        responses = args.responses or (gen_store.QUICK_RESPONSES if args.quick else gen_store.DEFAULT_RESPONSES)
        src = gen_store.ensure_store(responses)
        copy = C.OUT / "record-regional.db"
        remove_db(copy)
        remove_db(floor_path(copy))
        t = clock()
        shutil.copyfile(src, copy)
        print(f"\n(copied {src.name} to {copy.name} in {clock() - t:.1f} s)")
        conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        org, last = conn.execute(
            "SELECT o.name, max(v.date) FROM visits v JOIN organisations o ON o.id = v.organisation_id "
            "WHERE o.kind = 'LA' GROUP BY o.id ORDER BY count(*) DESC LIMIT 1").fetchone()
        conn.close()
        try:
            run(f"regional store ({responses:,} responses)", copy, org, date.fromisoformat(last) + timedelta(days=1),
                n, args.seed, texts)
        finally:
            remove_db(copy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
