"""The app's day plan of a school review: reached from the command palette and from the list of visits, it shows
each reviewer's sessions day by day, as the store holds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import make_app, wait_for
from textual.widgets import DataTable, Static

from laqs_assist.app.reviews import ReviewDesk
from laqs_assist.store import Store


def _review(db: Path) -> str:
    with Store(db) as store:
        desk = ReviewDesk(store)
        r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
        desk.edit_plan(r["id"], 2, "4", reviewer="Raj", text="Lesson observations: Year 6 writing")
        return r["id"]


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.asyncio
async def test_day_plan_from_the_palette_shows_each_reviewers_sessions(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _review(db)
    app = make_app(db)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="the visits")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Review day plan")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen" and app.screen.plan is not None,
                       what="the day plan")
        table = app.screen.query_one(DataTable)
        headings = [str(c.label) for c in table.ordered_columns]
        assert headings == ["Time", "Session", "Ann Lee", "Raj Patel"]
        rows = _cells(table)
        # the columns share the width; each cell starts with the activity's words, cut with … when too long
        assert rows[0][:2] == ["09:00–09:45", "1 (45 min)"]
        assert rows[0][2].startswith("Meeting with middle/senior leader(s): What are") and rows[0][2].endswith("…")
        assert rows[0][3].startswith("Meeting with middle/senior leader(s): What are")
        assert "Break (15 min)" in rows[2][1] and "Working lunch (60 min)" in rows[6][1]
        assert rows[7][2:] == ["Pupil interviews", "Lesson Observations"]
        assert len(rows) == 9
        below = str(app.screen.query_one("#plan-reviewer", Static).render())
        assert "Ann Lee's sessions on day 1" in below and "15:00–16:00  Analysis of data" in below
        assert "09:00–09:45  Meeting with middle/senior leader(s): What are the Quality Standards for Assessment?" \
            in below  # the whole of it
        await pilot.press("r")
        below = str(app.screen.query_one("#plan-reviewer", Static).render())
        assert "Raj Patel's sessions on day 1" in below and "14:00–15:00  Lesson Observations" in below
        await pilot.press("right")
        rows = _cells(app.screen.query_one(DataTable))
        assert rows[4][2:] == ["Lesson Observations", "Lesson observations: Year 6 writing"]  # the edit
        assert rows[8][2:] == ["Verbal feedback", "Verbal feedback"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="back to the visits")


@pytest.mark.asyncio
async def test_choosing_a_review_in_the_list_opens_its_day_plan(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    review_id = _review(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.screen.data is not None,
                       what="the visits")
        table = app.screen.query_one(DataTable)
        assert "review" in [str(c) for c in table.get_row_at(0)]
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen" and app.screen.plan is not None,
                       what="the day plan")
        assert app.screen.ref == review_id
        assert "Oak Primary" in app.screen.sub_title


@pytest.mark.asyncio
async def test_an_activity_is_edited_in_the_day_plan_and_kept_in_the_store(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    review_id = _review(db)
    app = make_app(db)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.screen.data is not None,
                       what="the visits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen" and app.screen.plan is not None,
                       what="the day plan")
        plan_screen = app.screen
        await pilot.press("r")  # Raj Patel
        table = plan_screen.query_one(DataTable)
        table.move_cursor(row=7)  # session 6
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivityDialog", what="the dialog")
        box = app.screen.query_one("#activity-text")
        assert box.value == "Lesson Observations"
        box.value = ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: "empty" in str(app.screen.query_one("#dialog-error").render()),
                       what="the error line")
        assert type(app.screen).__name__ == "ActivityDialog"  # nothing typed is lost: the dialog stays
        box.value = "Lesson observations: Year 5 & 6 <maths>"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is plan_screen, what="back to the plan")
        assert _cells(plan_screen.query_one(DataTable))[7][3] == "Lesson observations: Year 5 & 6 <maths>"
    with Store(db) as store:
        plan = ReviewDesk(store).day_plan(review_id)
        assert plan.day_rows(1)[7].activities[1].text == "Lesson observations: Year 5 & 6 <maths>"


@pytest.mark.asyncio
async def test_the_day_plan_survives_shrinking_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _review(db)
    app = make_app(db)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.screen.data is not None,
                       what="the visits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen" and app.screen.plan is not None,
                       what="the day plan")
        for size in ((80, 24), (60, 20), (160, 50)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DayPlanScreen", what="the plan again")
        await pilot.press("right")
        assert app.screen.day == 2


@pytest.mark.asyncio
async def test_the_day_plan_with_no_review_yet_says_how_to_start_one(tmp_path: Path) -> None:
    from laqs_assist.tui.screens.day_plan import open_day_plan

    app = make_app(tmp_path / "s.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="the visits")
        open_day_plan(app)
        await wait_for(pilot, lambda: "No reviews yet" in str(app.screen.query_one("#plan-title").render()),
                       what="the empty plan")
        assert not app.screen.query_one(DataTable).display
        await pilot.press("e", "r", "right")  # nothing to act on: nothing happens, nothing breaks
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="back")
