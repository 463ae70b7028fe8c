"""Snapshots of the dashboard screen on the scripted year, at a fixed date (pytest-textual-snapshot): wide, with the
highlighted cell's evidence by source and disagreement below the grid, and at 80×24.

Regenerate after an intended change with `pytest tests/test_tui_yearview_snapshots.py --snapshot-update`, then
look at the SVGs in tests/__snapshots__/test_tui_yearview_snapshots/.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_tui_helpers import make_app, settle, wait_for
from year_script import LA, record_year

DAY = date(2027, 7, 20)


@pytest.fixture()
def year_db(tmp_path: Path) -> Path:
    db = tmp_path / "laqs.db"
    record_year(db)
    return db


def _ready(app):
    async def ready(pilot) -> None:
        from laqs_assist.tui.widgets.raggrid import RagGrid

        await wait_for(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.data is not None,
                       what="dashboard")
        app.screen.query_one(RagGrid).move_to(("aspect", "P", "1.1"))
        await wait_for(pilot, lambda: "1.1 Primary" in str(app.screen.query_one("#dash-detail").render()),
                       what="the highlighted cell's detail")
        await settle(pilot)
    return ready


def test_dashboard_screen(snap_compare, year_db: Path) -> None:
    app = make_app(year_db, today=DAY, year_view=("dashboard", LA, "2026/27"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=_ready(app))


def test_dashboard_screen_at_80_by_24(snap_compare, year_db: Path) -> None:
    app = make_app(year_db, today=DAY, year_view=("dashboard", LA, "2026/27"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready(app))
