"""The app's year view on a scripted year (three visits to Northshire, four headteacher visits to its schools):
the dashboard from the list of visits and its cells, a cell's year, the regional overview from the palette, a
school's page, coverage, the actions across the year marked outside a visit (checked in the store), and a new visit
started from the plan's agenda. Every store call stays on the engine thread."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from test_tui_helpers import make_app, rows, settle, wait_for
from year_script import LA, record_year

pytestmark = pytest.mark.asyncio

DAY = date(2027, 7, 20)  # the scripted year's reading day: the December action is overdue by then
SIZE = (120, 40)


@pytest.fixture(scope="module")
def year_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("year") / "laqs.db"
    record_year(db)
    return db


@pytest.fixture()
def db(year_store: Path, tmp_path: Path) -> Path:
    """A fresh copy of the scripted year for each test (some write to it)."""
    import shutil
    import sqlite3

    copy = tmp_path / "laqs.db"
    src = sqlite3.connect(year_store)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    assert copy.exists()
    del shutil
    return copy


def _name(app) -> str:
    return type(app.screen).__name__


async def _home(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: _name(app) == "HomeScreen" and app.screen.data is not None, what="home")


async def _to_row(pilot, organisation: str) -> None:
    """Highlight the list of visits' first row of an organisation."""
    from textual.widgets import DataTable

    screen = pilot.app.screen
    row = next(i for i, v in enumerate(screen.data.visits) if v["organisation"] == organisation)
    screen.query_one(DataTable).move_cursor(row=row)
    await settle(pilot, 1)


async def _dashboard(pilot) -> None:
    app = pilot.app
    await _home(pilot)
    await _to_row(pilot, LA)
    await pilot.press("d")
    await wait_for(pilot, lambda: _name(app) == "DashboardScreen" and app.screen.data is not None, what="dashboard")


def _text(widget) -> str:
    return str(widget.render())


async def test_the_dashboard_shows_the_year_with_evidence_by_source_and_the_disagreement(db: Path) -> None:
    from laqs_assist.tui.widgets.raggrid import RagGrid

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        screen = app.screen
        assert screen.sub_title == f"{LA} · 2026/27"
        title = _text(screen.query_one("#dash-title"))
        assert "3 LA visits" in title and "4 of 4 schools heard" in title and "1 disagreement" in title
        assert "LA contacts 11" in title and "headteachers 6" in title
        grid = screen.query_one(RagGrid)
        cells = grid.model.cells
        c11 = cells[("aspect", "P", "1.1")]
        assert (c11.column, c11.marks) == ("G", "!")  # Good, and the sources part on 1.1.G.2
        assert cells[("aspect", "EY", "1.4")].column == "N/A"
        assert cells[("aspect", "P", "1.4")].column == "NI"
        assert cells[("group", "P", "1")].rated == (2, 5)
        assert cells[("overall", None, "1")].rated == (2, 14)
        drawn = _text(grid)
        assert "G!" in drawn and "N/A" in drawn and "(2 of 5)" in drawn and "(2 of 14)" in drawn
        # The highlighted cell's evidence by source and the disagreement, below the grid.
        assert grid.move_to(("aspect", "P", "1.1"))
        await settle(pilot)
        detail = _text(screen.query_one("#dash-detail"))
        assert "Rating: Good" in detail
        assert "LA contacts 8 · headteachers 6" in detail and "4 schools' voices" in detail
        assert "The sources disagree: 1.1.G.2: LA contacts met, headteachers not met" in detail
        # A roll-up says how many aspects it rests on.
        await pilot.press("down")
        assert "rests on 2 of the 5 aspects that apply" in _text(screen.query_one("#dash-detail"))


async def test_a_cell_opens_its_year_visit_by_visit(db: Path) -> None:
    from laqs_assist.tui.widgets.raggrid import RagGrid

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        grid = app.screen.query_one(RagGrid)
        grid.move_to(("aspect", "P", "1.1"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: _name(app) == "YearCellScreen" and app.screen.data is not None, what="cell")
        await settle(pilot)
        screen = app.screen
        head = _text(screen.query_one("#cell-head"))
        assert "1.1" in head and "Primary" in head and "Rating: Good" in head and "disagree" in head
        entries = [_text(w) for w in screen.query(".cell-visit")]
        assert len(entries) == 5  # the LA's autumn visit, then four headteachers
        first = entries[0]
        assert first.startswith("2026-10-05  LA contact at Northshire · Pat Reed (Head of school improvement)")
        assert "national priorities are shared with every head" in first
        assert "1.1.G.2 met" in first and "nothing rated → Good" in first
        heads = entries[1:]
        assert [e[:10] for e in heads] == ["2027-03-10", "2027-04-11", "2027-05-12", "2027-06-13"]
        assert "headteacher at Oak Primary · Head 1 (headteacher)" in heads[0]
        assert "1.1.G.2 not met" in heads[0] and "1.1.G.2" not in heads[3]
        assert "Why:" in _text(screen.query_one("#cell-why"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen", what="back to the dashboard")


async def test_the_regional_overview_from_the_palette_opens_a_dashboard(db: Path) -> None:
    from laqs_assist.tui.widgets.rowlist import RowList

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Regional overview")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: _name(app) == "OverviewScreen" and app.screen.data is not None, what="overview")
        table = app.screen.query_one(RowList)
        assert table.row_count == 1
        row = table.row_text(0)
        assert row[0] == LA and row[-3:] == ["3", "4", "1 !"]  # visits, schools heard, disagreements
        assert row[1:9] == ["—"] * 8  # no group has enough of its aspects rated yet
        head = _text(app.screen.query_one("#ov-head")).split()
        assert head[:3] == ["Organisation", "EY", "1"] and head[-3:] == ["Visits", "Heard", "Disagree"]
        assert "1 LA" in _text(app.screen.query_one("#ov-title"))
        await pilot.press("slash", *"zzz")
        await settle(pilot)
        assert table.row_count == 0 and "zzz" in _text(app.screen.query_one("#ov-empty"))
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen" and app.screen.data is not None,
                       what="the LA's dashboard")
        assert app.screen.data.organisation["name"] == LA


async def test_a_school_visit_opens_the_school_page_and_its_la_dashboard(db: Path) -> None:
    from textual.widgets import DataTable

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot)
        await _to_row(pilot, "Birch Primary")
        await pilot.press("d")
        await wait_for(pilot, lambda: _name(app) == "SchoolScreen" and app.screen.data is not None, what="school")
        screen = app.screen
        title = _text(screen.query_one("#school-title"))
        assert "Birch Primary" in title and "its LA:" in title and LA in title and "1.1 (1)" in title
        table = screen.query_one(DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "2027-06-13"
        actions = _text(screen.query_one("#school-actions"))
        assert "Join the writing moderation cluster" in actions and "overdue" in actions
        assert "No joint visits" in _text(screen.query_one("#school-joint"))
        await pilot.press("d")
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen" and app.screen.data is not None,
                       what="the LA's dashboard")
        assert app.screen.data.organisation["name"] == LA


async def test_coverage_shows_what_was_discussed_and_what_never_was(db: Path) -> None:
    from textual.widgets import DataTable

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: _name(app) == "CoverageScreen" and app.screen.data is not None, what="coverage")
        screen = app.screen
        table = screen.query_one(DataTable)
        heads = [str(c.label) for c in table.columns.values()]
        assert heads == ["Question", "10/05", "02/10", "06/15", "Times"]
        first = [str(c).strip() for c in table.get_row_at(0)]
        assert first[0].startswith("A3.1.1.1") and first[1:] == ["1", "·", "·", "1"]
        assert "4 of 30 questions" in _text(screen.query_one("#cov-title"))
        never = _text(screen.query_one("#cov-never"))
        assert "Aspects never discussed: 1.2, 1.3, 1.5, 2.1, 2.2, 2.3, 2.5" in never
        await pilot.press("t")
        await settle(pilot)
        heads = [str(c.label) for c in table.columns.values()]
        assert heads[:4] == ["Aspect", "Autumn", "Spring", "Summer"]
        by_aspect = {str(table.get_row_at(i)[0]).split()[0]: [str(c).strip() for c in table.get_row_at(i)]
                     for i in range(table.row_count)}
        assert by_aspect["1.1"][1:4] == ["2", "·", "·"]  # two answers in the autumn
        assert by_aspect["1.1"][7] == "4"  # and four schools spoke to it
        assert by_aspect["1.2"][-1] == "never"


async def test_actions_across_the_year_are_marked_outside_a_visit(db: Path) -> None:
    from textual.widgets import DataTable, Input

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: _name(app) == "YearActionsScreen" and app.screen.view is not None,
                       what="actions")
        screen = app.screen
        table = screen.query_one(DataTable)
        assert table.row_count == 3  # the LA's two and Birch Primary's
        await pilot.press("3")  # overdue only
        await wait_for(pilot, lambda: table.row_count == 2, what="the overdue filter")
        assert {str(table.get_row_at(i)[1]) for i in range(2)} == {LA, "Birch Primary"}
        await pilot.press("enter")
        await wait_for(pilot, lambda: _name(app) == "YearActionsDialog", what="the dialog")
        dialog = app.screen
        await pilot.press("f3")  # a drop needs a reason: refused, nothing written
        await wait_for(pilot, lambda: "say why" in _text(dialog.query_one("#dialog-error")), what="refusal")
        dialog.query_one("#mark-note", Input).value = "Plan shared at the heads' briefing"
        await pilot.press("f2")
        await wait_for(pilot, lambda: dialog.query_one("#actions-table", DataTable).row_count == 1,
                       what="the done action leaves the overdue list")
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "YearActionsScreen" and table.row_count == 1, what="reloaded")
        await pilot.press("4")
        await wait_for(pilot, lambda: table.row_count == 2, what="done: the calendar and the plan")
    [up] = rows(db, "SELECT a.text, u.status, u.on_date, u.note, u.visit_id FROM action_updates u "
                    "JOIN actions a ON a.id = u.action_id WHERE u.note LIKE 'Plan shared%'")
    assert (up["text"], up["status"], up["on_date"], up["visit_id"]) == (
        "Share the consultant deployment plan with heads", "done", DAY.isoformat(), None)


async def test_a_new_visit_starts_from_the_plans_agenda_as_edited(db: Path) -> None:
    from textual.widgets import SelectionList

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: _name(app) == "NewVisitScreen" and app.screen.plan is not None, what="plan")
        screen = app.screen
        plan = screen.plan
        assert plan.focus[0] == "1.1"  # the disagreement to settle comes first
        focus = screen.query_one("#f-focus", SelectionList)
        assert list(focus.selected) == list(plan.focus)
        shown = _text(screen.query_one("#form-plan"))
        assert "1.1 Primary sources disagree" in shown and "not yet discussed" in shown
        assert "overdue: Share the consultant deployment plan with heads" in shown
        assert screen.query_one("#f-org").value == LA
        # The adviser edits it: drops the last proposed aspect and adds 2.4.
        dropped = plan.focus[-1]
        focus.deselect(dropped)
        focus.select("2.4")
        await settle(pilot)
        expected = [a for a in plan.focus if a != dropped] + ["2.4"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _name(app) == "InterviewScreen", what="the visit started")
        visit_id = app.screen.view.visit["id"]
    [visit] = rows(db, "SELECT focus, agenda_id, date FROM visits WHERE id = ?", [visit_id])
    assert json.loads(visit["focus"]) == expected
    assert (visit["agenda_id"], visit["date"]) == ("la-contacts", DAY.isoformat())


async def test_the_year_view_never_touches_sqlite_on_the_ui_thread(db: Path) -> None:
    import threading

    from laqs_assist.store import Store as RealStore

    seen: set[str] = set()
    original = RealStore._rows

    def spy(self, sql, params=()):
        seen.add(threading.current_thread().name)
        return original(self, sql, params)

    RealStore._rows = spy  # type: ignore[method-assign]
    try:
        app = make_app(db, today=DAY)
        async with app.run_test(size=SIZE) as pilot:
            await _dashboard(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: _name(app) == "YearCellScreen" and app.screen.data is not None,
                           what="cell")
            await pilot.press("escape", "c")
            await wait_for(pilot, lambda: _name(app) == "CoverageScreen" and app.screen.data is not None,
                           what="coverage")
            await pilot.press("escape", "a")
            await wait_for(pilot, lambda: _name(app) == "YearActionsScreen" and app.screen.view is not None,
                           what="actions")
            await pilot.press("escape", "n")
            await wait_for(pilot, lambda: _name(app) == "NewVisitScreen" and app.screen.plan is not None,
                           what="plan")
            await pilot.press("escape", "o")
            await wait_for(pilot, lambda: _name(app) == "OverviewScreen" and app.screen.data is not None,
                           what="overview")
    finally:
        RealStore._rows = original  # type: ignore[method-assign]
    assert seen and all(name.startswith("laqs-store") for name in seen), seen


async def test_the_dashboard_keeps_its_layout_from_wide_to_small(db: Path) -> None:
    from laqs_assist.tui.widgets.raggrid import RagGrid

    app = make_app(db, today=DAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await _dashboard(pilot)
        grid = app.screen.query_one(RagGrid)
        for size in ((80, 24), (60, 20), (160, 50)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert _name(app) == "DashboardScreen"
            drawn = _text(grid).splitlines()
            assert any("G!" in line for line in drawn), drawn
            assert grid.region.width > 0 and app.screen.query_one("#dash-detail-box").region.height > 0
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        assert _name(app) == "TooSmallScreen"
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen", what="back from too small")


def _region(db: Path, n: int) -> list[str]:
    """n LAs, each with one visit in 2026/27 (and one rating judged), by name."""
    from laqs_assist.app.service import Service
    from laqs_assist.paths import default_pack_path

    names = [f"Borough {i:02d}" for i in range(n)]
    with Service.at(default_pack_path(), db) as s:
        for i, name in enumerate(names):
            s.start(Service.visit_form(s.default_pack, organisation=name, phases=("P",), focus=("2.4",),
                                       day="2026-10-05"))
            s.judge("2.4.G.1", "met" if i % 2 else "not_met")
            s.close_visit()
    return names


async def test_the_overview_shows_its_first_screenful_then_the_whole_region(tmp_path: Path) -> None:
    from laqs_assist.app.overview_head import overview_head
    from laqs_assist.app.service import Service
    from laqs_assist.paths import default_pack_path
    from laqs_assist.tui.widgets.rowlist import RowList

    db = tmp_path / "region.db"
    names = _region(db, 30)
    with Service.at(default_pack_path(), db) as s:
        head, total = overview_head(s, "2026/27", 12)
        assert total == 30 and [r.organisation["name"] for r in head.rows] == names[:12]
        whole = s.overview("2026/27")
        assert [r.groups for r in whole.rows[:12]] == [r.groups for r in head.rows]  # the same rows as the whole
    app = make_app(db, today=DAY, year_view=("overview", None, "2026/27"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _name(app) == "OverviewScreen" and app.screen.data is not None
                       and not app.screen.partial, what="the whole region")
        table = app.screen.query_one(RowList)
        assert table.row_count == 30 and table.row_text(29)[0] == "Borough 29"
        await pilot.press("end")
        assert table.cursor_row == 29 and table.parent.scroll_offset.y > 0  # the last row scrolled into view
        assert "30 LAs" in _text(app.screen.query_one("#ov-title"))
        await pilot.press("escape")  # opened first: Esc goes to the list of visits
        await wait_for(pilot, lambda: _name(app) == "HomeScreen", what="the list of visits")


async def test_the_overview_shows_progress_while_it_rates_what_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    from laqs_assist.tui.screens.overview import OverviewScreen
    from laqs_assist.tui.widgets.rowlist import RowList

    db = tmp_path / "region.db"
    _region(db, 30)
    app = make_app(db, today=DAY)
    seen: list[tuple[int, int, str]] = []
    original = OverviewScreen._rating

    def spy(self, done: int, total: int, name: str) -> None:
        original(self, done, total, name)
        seen.append((*self.progress, str(self.query_one("#ov-progress").render())))

    monkeypatch.setattr(OverviewScreen, "_rating", spy)
    async with app.run_test(size=(80, 24)) as pilot:  # a first screenful of 18 LAs
        await _home(pilot)
        app.open_overview("2026/27")
        await wait_for(pilot, lambda: _name(app) == "OverviewScreen", what="overview")
        screen = app.screen
        await wait_for(pilot, lambda: screen.data is not None and not screen.partial, what="the whole region")
        assert screen.query_one(RowList).row_count == 30
        assert not screen.query_one("#ov-progress").display  # gone once the region is read
    # The first screenful rated its own LAs; the rest were rated one by one for the whole overview, and said so.
    assert seen and seen[-1][0] == seen[-1][1] and seen[-1][1] < 30, seen
    assert "Borough 29" in seen[-1][2] and "LAs whose ratings are not kept yet" in seen[-1][2]
    # Before that, the first screenful's own LAs were rated, and said so too.
    assert seen[0][:2] == (1, 18) and "Borough 00" in seen[0][2]


async def test_the_dashboard_steps_through_the_years_and_names_a_mistake_in_one_line(db: Path) -> None:
    from laqs_assist.tui.widgets.raggrid import RagGrid

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        screen = app.screen
        await pilot.press("y")  # the year before: nothing recorded
        await wait_for(pilot, lambda: screen.data.year == "2025/26", what="the earlier year")
        cells = screen.query_one(RagGrid).model.cells
        assert all(c.column in (None, "N/A") for c in cells.values())
        assert "no evidence recorded this year" in _text(screen.query_one("#dash-title"))
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.data.year == "2026/27", what="back to the year")
        assert screen.query_one(RagGrid).model.cells[("aspect", "P", "1.1")].column == "G"
        app.open_dashboard("Nowhere Borough")
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen" and app.screen is not screen
                       and "No dashboard for Nowhere Borough" in _text(app.screen.query_one("#dash-title")),
                       what="the refusal")
        assert any("no organisation 'Nowhere Borough'" in n.message for n in app._notifications)


async def test_the_dashboard_lists_its_schools_and_opens_one(db: Path) -> None:
    from textual.widgets import OptionList

    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: _name(app) == "SchoolsDialog", what="the schools")
        options = app.screen.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert names == ["Ash Primary", "Birch Primary", "Elm Primary", "Oak Primary"]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: _name(app) == "SchoolScreen" and app.screen.data is not None, what="the page")
        assert app.screen.data.school["name"] == "Birch Primary"
        await pilot.press("escape")
        await wait_for(pilot, lambda: _name(app) == "DashboardScreen", what="back to the dashboard")


async def test_the_overview_narrows_its_columns_with_the_window(tmp_path: Path) -> None:
    from laqs_assist.tui.widgets.rowlist import RowList

    db = tmp_path / "region.db"
    _region(db, 3)
    app = make_app(db, today=DAY, year_view=("overview", None, "2026/27"))
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: _name(app) == "OverviewScreen" and app.screen.data is not None, what="overview")
        for width, height, last in ((160, 50, "Disagree"), (80, 24, "Heard"), (60, 20, "Visits")):
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            table = app.screen.query_one(RowList)
            head = _text(app.screen.query_one("#ov-head"))
            assert head.split()[-1] == last, (width, head)
            assert sum(table.widths) <= width - 2 and len(head.rstrip()) <= width - 2
            assert table.row_text(0)[0] == "Borough 00"


async def test_a_flagged_answer_is_counted_in_a_cells_year_but_its_words_never_shown(db: Path) -> None:
    from laqs_assist.app.service import Service
    from laqs_assist.paths import default_pack_path
    from laqs_assist.tui.widgets.raggrid import RagGrid

    [first] = rows(db, "SELECT v.id FROM visits v JOIN organisations o ON o.id = v.organisation_id "
                       "WHERE o.name = ? AND v.date = '2026-10-05'", [LA])
    with Service.at(default_pack_path(), db) as s:
        s.resume(first["id"])
        s.flag("A3.1.1.1")  # "Yes: national priorities are shared with every head at the termly briefings."
        s.close_visit(pause=False)
    app = make_app(db, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        app.screen.query_one(RagGrid).move_to(("aspect", "P", "1.1"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: _name(app) == "YearCellScreen" and app.screen.data is not None, what="cell")
        await settle(pilot)
        first_visit = _text(app.screen.query(".cell-visit").first())
        assert "an answer about an individual, counted but not shown" in first_visit
        assert "national priorities are shared" not in first_visit
        assert "consultants are deployed where the data show most need" in first_visit  # the other answer stays


async def test_started_on_a_schools_dashboard_the_app_shows_its_page(db: Path) -> None:
    app = make_app(db, today=DAY, year_view=("dashboard", "Oak Primary", "2026/27"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _name(app) == "SchoolScreen" and app.screen.data is not None, what="the page")
        assert app.screen.data.school["name"] == "Oak Primary" and app.screen.data.la["name"] == LA


async def test_the_overview_of_an_empty_store_says_how_to_begin(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty.db", today=DAY, year_view=("overview", None, None))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: _name(app) == "OverviewScreen" and app.screen.data is not None, what="overview")
        await settle(pilot)
        assert "No LAs in this store yet" in _text(app.screen.query_one("#ov-empty"))
        assert "2026/27" in _text(app.screen.query_one("#ov-title"))  # the year the app's day falls in
