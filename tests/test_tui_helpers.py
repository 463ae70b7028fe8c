"""Shared helpers for the TUI tests (no tests here): the pack, a store with fixed visits, waiting for the app."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
TODAY = date(2026, 11, 22)
SIZE = (120, 40)


def make_app(store_path: Path, **kwargs: Any):
    from laqs_assist.tui.app import LaqsApp

    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("stable", True)
    return LaqsApp(default_pack_path(), store_path, pack=PACK, **kwargs)


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers (and the engine calls they await) finish, and the screen catch up."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await settle(pilot, 1)
        try:
            if condition():
                return
        except Exception:  # noqa: BLE001 - not there yet
            pass
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")


def rows(db: Path, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def seed_store(path: Path) -> dict[str, str]:
    """Fixed visits for the screens: one ended (with ratings), one in progress (answers, a judgement, an action)."""
    ids: dict[str, str] = {}
    with Store(path) as store:
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P", "S"],
                          focus=["2.4"], people=[("Jo Bloggs", "Head of SI")], day="2026-10-08",
                          author="A Adviser")
        s.answer("The data team produces a termly risk register shared with senior officers.")
        s.judge("2.4.G.1", "met")
        s.judge("2.4.G.2", "met")
        s.judge("2.4.G.3", "partly")
        s.set_impact("2.4", "some")
        s.answer("SIP reports are mostly timely; QA samples a quarter of them.")
        s.add_action("Extend QA sampling to all SIP reports", "J Smith", "2026-12-15", "2.4")
        s.end()
        s.override("2.4", "S", "NI", "Secondary reports lack rigour")
        s.self_evaluation("2.4", "P", "OS")
        s.accept("2.4", "P")
        ids["ended"] = s.id
        s = Session.start(store, PACK, agenda_id="headteachers", organisation="Oak Primary", kind="school",
                          phases=["P"], focus=["1.5"], parent="Any Borough", day="2026-11-20")
        s.answer("Yes, targets are set with the LA each autumn.")
        ids["school"] = s.id
        s = Session.start(store, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P"],
                          focus=["2.4"], day="2026-11-22", author="A Adviser")
        s.answer("Reports go to the risk register every month and feed the categorisation of schools.")
        s.judge("2.4.G.1", "met")
        s.answer("Most reports are of high quality; a few lack an agenda for action.")
        ids["open"] = s.id
    return ids
