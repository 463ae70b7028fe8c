"""The dashboard as a real process in tmux, resized from 160×50 to 80×24 to 60×20, then below the smallest size
and back: the grid keeps its ratings on screen, nothing runs past the right edge, the footer's keys fit at 80
columns; and at 80 columns every year-view screen's footer fits."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from test_tui_helpers import make_app, settle, wait_for
from test_tui_tmux import TMUX, Pane
from year_script import LA, record_year

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def test_the_dashboard_survives_resizing_in_tmux(tmp_path: Path) -> None:
    db = tmp_path / "laqs.db"
    record_year(db)
    cmd = f"{sys.executable} -m laqs_assist.tui --store {db} --dashboard {LA} --year 2026/27"
    pane = Pane(tmp_path, cmd, {"TERM": "xterm-256color"}, width=160, height=50)
    try:
        pane.wait(lambda t: f"RAG dashboard {LA}" in t and "(2 of 14)" in t, what="the dashboard")
        for w, h in ((80, 24), (60, 20)):
            pane.tmux("resize-window", "-t", "t", "-x", str(w), "-y", str(h))
            text = pane.wait(lambda t, w=w, h=h: len(_lines(t)) == h and "G!" in t and "Overall" in t
                             and "(2 of 5)" in t and (w < 80 or "Help" in _lines(t)[-1]),
                             what=f"the dashboard at {w}×{h}")
            assert all(len(line) <= w for line in _lines(text))
            if w == 80:
                footer = _lines(text)[-1]
                for key in ("Coverage", "Actions", "Next visit", "Back", "Help"):
                    assert key in footer, footer
        pane.tmux("resize-window", "-t", "t", "-x", "40", "-y", "12")
        pane.wait(lambda t: "terminal too small" in t, what="the too-small screen")
        pane.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
        pane.wait(lambda t: "G!" in t and "RAG dashboard" in t, what="the dashboard again")
        pane.keys("Enter")  # the cursor starts on Early Years 1.1: its year opens
        pane.wait(lambda t: "1.1 Early Years" in t, what="the cell's year")
    finally:
        pane.kill_server()


@pytest.mark.asyncio
async def test_every_year_view_footer_fits_at_80_columns(tmp_path: Path) -> None:
    from textual.widgets._footer import FooterKey

    db = tmp_path / "laqs.db"
    record_year(db)
    app = make_app(db, today=date(2027, 7, 20))
    opens = [("DashboardScreen", lambda: app.open_dashboard(LA)),
             ("OverviewScreen", lambda: app.open_overview()),
             ("CoverageScreen", lambda: app.open_coverage(LA)),
             ("YearActionsScreen", lambda: app.open_year_actions(LA)),
             ("SchoolScreen", lambda: app.open_school("Oak Primary")),
             ("NewVisitScreen", lambda: app.new_visit_from_plan(LA))]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", what="home")
        for name, open_it in opens:
            open_it()
            await wait_for(pilot, lambda name=name: type(app.screen).__name__ == name, what=name)
            await settle(pilot)
            keys = [k for k in app.screen.query(FooterKey) if k.display]
            assert keys, name
            assert all(k.region.right <= 80 for k in keys), (name, [(k.description, k.region) for k in keys])
            await pilot.press("escape")
            await settle(pilot)
