"""A snapshot of the app's day plan of a school review, with a fixed review and a fixed date.

Regenerate after an intended change with `pytest tests/test_review_tui_snapshot.py --snapshot-update`, then look
at the SVG in tests/__snapshots__/test_review_tui_snapshot/.
"""

from __future__ import annotations

from pathlib import Path

from test_tui_helpers import SIZE, make_app, wait_for

from laqs_assist.app.reviews import ReviewDesk
from laqs_assist.store import Store


def test_day_plan_screen(snap_compare, tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    with Store(db) as store:
        ReviewDesk(store).start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    app = make_app(db)

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.screen.data is not None,
                       what="home")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen" and app.screen.plan is not None,
                       what="the day plan")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
