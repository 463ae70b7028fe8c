"""Pilot tests of the register screen: opened from the command palette, schools by level in the pack's colours,
the level and overdue filters, moving between LAs; the store is read on the engine thread only."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import SIZE, make_app, settle, wait_for

from laqs_assist.app.register import Register
from laqs_assist.store import Store


def seed(db: Path) -> None:
    with Store(db) as store:
        reg = Register(store, today="2026-11-22")
        for i, level in enumerate(["none", "low", "medium", "high", "high"]):
            reg.add_school("Any Borough", f"School {i}", f"{100 + i}", "Primary", "maintained",
                           pack="barnsley-register")
            reg.set_level("Any Borough", f"School {i}", level, ["data"], "september", on="2026-09-01")
        reg.record_visit("Any Borough", "School 1", on="2026-10-01")
        reg.add_school("Shire", "Ash High", "200", "Secondary", "maintained", pack="staffordshire-register")
        reg.set_level("Shire", "Ash High", "4", ["ofsted"], "inadequate", on="2026-09-01")
        reg.set_stage("Shire", "Ash High", "2", "falling results", ["attainment"], on="2026-10-01")
        reg.tick_strand("Shire", "Ash High", "s2.officer", on="2026-10-08")


def table_rows(app) -> list[list[str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.asyncio
async def test_register_screen_from_the_palette(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    seed(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"school register")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RegisterScreen" and app.screen.data is not None,
                       what="the register screen")
        rows = table_rows(app)
        assert [r[0] for r in rows] == [f"School {i}" for i in range(5)]
        assert [r[4].strip() for r in rows] == ["None", "Low", "Medium", "High", "High"]
        assert rows[1][8] == "1/3"  # a visit made of a termly allowance
        assert rows[3][10] == "1"  # high: a half-term passed without a visit
        detail = lambda: str(app.screen.query_one("#register-school").render())  # noqa: E731
        await wait_for(pilot, lambda: "School 0" in detail(), what="the highlighted school's page")
        assert "No risk/support" in detail() and "visits 0 of 2" in detail()
        await pilot.press("down")
        await wait_for(pilot, lambda: "School 1" in detail(), what="the next school's page")
        assert "visits 1 of 3" in detail() and "september" in detail()
        counts = str(app.screen.query_one("#register-counts").render())
        assert "High: 2" in counts and "None: 1" in counts
        assert "Any Borough" in app.screen.sub_title
        # the level filter cycles from the most concern: High first
        await pilot.press("l")
        await wait_for(pilot, lambda: len(table_rows(app)) == 2, what="the high filter")
        await pilot.press("l", "l", "l", "l")
        await wait_for(pilot, lambda: len(table_rows(app)) == 5, what="all levels again")
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.overdue and len(table_rows(app)) == 3, what="overdue only")
        await pilot.press("o", "right_square_bracket")
        await wait_for(pilot, lambda: app.screen.data.la == "Shire", what="the next LA")
        assert table_rows(app)[0][4].strip() == "4 Inadequate"
        await wait_for(pilot, lambda: "Ash High" in detail(), what="Ash High's page")
        assert "Stage 2 – Light Touch: 1 of 11 strands done" in detail()
        assert "[x] 2026-10-08 LA Officer from Locality Team assigned." in detail()
        for size in ((160, 50), (80, 24), (60, 20), (120, 40)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
        assert type(app.screen).__name__ == "RegisterScreen" and len(table_rows(app)) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"


@pytest.mark.asyncio
async def test_register_screen_with_no_register(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    Store(db).close()
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from laqs_assist.tui.screens.register import RegisterScreen

        await app.push_screen(RegisterScreen())
        await settle(pilot)
        assert "No school registers in this store yet" in str(app.screen.query_one("#register-empty").render())


def test_register_screen_snapshot(snap_compare, tmp_path: Path) -> None:
    """The register screen with fixed data and day (pytest tests/test_tui_register.py --snapshot-update after an
    intended change, then look at the SVG in tests/__snapshots__/test_tui_register/)."""
    from laqs_assist.tui.screens.register import RegisterScreen

    db = tmp_path / "laqs.db"
    seed(db)
    app = make_app(db)

    async def ready(pilot) -> None:
        await settle(pilot)
        await app.push_screen(RegisterScreen())
        await wait_for(pilot, lambda: app.screen.data is not None and "School 0" in str(
            app.screen.query_one("#register-school").render()), what="the register")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
