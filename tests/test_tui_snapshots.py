"""Snapshots of the main screens with fixed data and a fixed date (pytest-textual-snapshot).

Regenerate after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`, then look at the
SVGs in tests/__snapshots__/test_tui_snapshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import SIZE, make_app, seed_store, wait_for


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "laqs.db"
    return db, seed_store(db)


def _screen(app) -> str:
    return type(app.screen).__name__


def test_home_screen(snap_compare, seeded) -> None:
    db, _ = seeded
    app = make_app(db)

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen" and app.screen.data is not None, what="home")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_new_visit_form(snap_compare, seeded) -> None:
    db, _ = seeded
    app = make_app(db)

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: _screen(app) == "HomeScreen" and app.screen.data is not None, what="home")
        await pilot.press("n")
        await wait_for(pilot, lambda: _screen(app) == "NewVisitScreen", what="form")
        await pilot.press(*"Any Bo")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_interview_screen(snap_compare, seeded) -> None:
    db, ids = seeded
    app = make_app(db, resume=ids["open"])

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: _screen(app) == "InterviewScreen", what="interview")
        await pilot.press(*"yes, ")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_review_screen(snap_compare, seeded, monkeypatch) -> None:
    from laqs_assist.tui.screens import review

    monkeypatch.setattr(review, "notes_available", lambda: True)  # the same picture with or without the module
    db, ids = seeded
    app = make_app(db, resume=ids["ended"])

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: _screen(app) == "ReviewScreen", what="review")
        await pilot.press("down")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
