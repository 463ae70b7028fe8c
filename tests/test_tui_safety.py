"""Pilot tests: the app survives any terminal size, never loses an unsent answer, and flags the answer meant.

Each test drives the real app on a real store and checks the outcome in the store with sqlite3."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui import answers, notices, screen_name, seeded_app, send, type_text
from test_tui_helpers import SIZE, make_app, rows, settle, wait_for

pytestmark = pytest.mark.asyncio


async def open_interview(tmp_path: Path, size=SIZE):
    db, ids, app = seeded_app(tmp_path, "open")
    return db, ids, app


async def interview_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen" and app.screen.panels_ready,
                   what="interview with its panels")


def draft_rows(db: Path, visit: str):
    return rows(db, "SELECT text, updated_at FROM drafts WHERE visit_id = ?", [visit])


async def wait_draft(pilot, db: Path, visit: str, text: str | None) -> None:
    def there() -> bool:
        found = draft_rows(db, visit)
        return (not found) if text is None else bool(found and found[0]["text"] == text)
    await wait_for(pilot, there, what=f"draft {text!r} in the store")


# --- any terminal size ---------------------------------------------------------------------------------------


async def test_shrinking_and_growing_never_crashes_and_keeps_the_answer_box(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await interview_ready(pilot)
        # Empty box first (the placeholder is what could not be drawn at no width), then with text.
        for size in [(80, 24), (60, 20), (30, 10), (10, 4), (1, 1), (160, 50), (80, 24)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
        await type_text(pilot, "half an answer")
        for size in [(60, 20), (2, 2), (49, 30), (160, 50)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
        assert app.return_code is None and app.is_running
        assert screen_name(app) == "InterviewScreen"
        assert app.screen.composer.text == "half an answer"


async def test_below_the_minimum_a_plain_too_small_screen_comes_and_goes(tmp_path: Path) -> None:
    from textual.widgets import Static

    from laqs_assist.tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH

    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await interview_ready(pilot)
        await pilot.resize_terminal(MIN_WIDTH - 1, 30)
        await wait_for(pilot, lambda: screen_name(app) == "TooSmallScreen", what="too small")
        line = str(app.screen.query_one("#too-small", Static).render())
        assert f"needs {MIN_WIDTH}×{MIN_HEIGHT}" in line and "terminal too small" in line
        await pilot.resize_terminal(80, MIN_HEIGHT - 1)  # still too short
        await settle(pilot)
        assert screen_name(app) == "TooSmallScreen"
        assert sum(type(s).__name__ == "TooSmallScreen" for s in app.screen_stack) == 1
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="back to the interview")


async def test_starting_in_a_tiny_terminal_shows_too_small_then_the_visits(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    app = make_app(db)
    async with app.run_test(size=(30, 10)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "TooSmallScreen", what="too small at start")
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="visits list")
        assert not any(type(s).__name__ == "TooSmallScreen" for s in app.screen_stack)


async def footer_descriptions(app) -> list[str]:
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    width = footer.region.width
    shown = [k for k in footer.query("FooterKey") if k.region.width > 0 and k.region.right <= width]
    return [k.description for k in shown]


async def test_footer_keeps_quit_review_visits_help_at_80_columns(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await interview_ready(pilot)
        shown = await footer_descriptions(app)
        for needed in ("Quit", "Review", "Visits", "Help"):
            assert needed in shown, shown
        await pilot.press("escape")  # empty box: straight back to the visits
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="visits")
        assert "Quit" in await footer_descriptions(app)


# --- drafts --------------------------------------------------------------------------------------------------


async def test_typing_saves_a_draft_and_reopening_restores_it_with_a_notice(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        await type_text(pilot, "Yes, the LA has begun to moderate")
        await wait_draft(pilot, db, ids["open"], "Yes, the LA has begun to moderate")
    # Reopened (as after a kill: the draft was committed while typing).
    app = make_app(db, resume=ids["open"])
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        assert app.screen.composer.text == "Yes, the LA has begun to moderate"
        assert any("restored" in str(n.copy_text) and "draft from" in str(n.copy_text) for n in notices(app))
        await type_text(pilot, " reports")
        await pilot.press("enter")
        await settle(pilot)
        await wait_draft(pilot, db, ids["open"], None)
        got = rows(db, "SELECT text FROM responses WHERE visit_id = ? ORDER BY created_at DESC LIMIT 1",
                   [ids["open"]])
        assert got[0]["text"] == "Yes, the LA has begun to moderate reports"


async def test_focus_leaving_the_box_saves_the_draft_at_once(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        app.screen.DRAFT_DELAY = 60  # only the focus change can save it within the test
        await type_text(pilot, "typed then tabbed away")
        await pilot.press("tab")
        await wait_draft(pilot, db, ids["open"], "typed then tabbed away")


async def test_leaving_with_a_draft_asks_keep_discard_or_stay(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        app.screen.DRAFT_DELAY = 60
        await type_text(pilot, "not sent yet")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "UnsentDialog", what="unsent dialog")
        await pilot.press("s")  # stay
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="stayed")
        assert app.screen.composer.text == "not sent yet"
        assert app.focused is app.screen.composer
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "UnsentDialog", what="unsent dialog again")
        await pilot.press("k")  # keep the draft and leave
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="visits")
        await wait_draft(pilot, db, ids["open"], "not sent yet")
        assert rows(db, "SELECT status FROM visits WHERE id = ?", [ids["open"]])[0]["status"] == "paused"
        # Back in: the draft is there; discard it this time.
        app.open_visit(ids["open"])
        await interview_ready(pilot)
        assert app.screen.composer.text == "not sent yet"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "UnsentDialog", what="unsent dialog")
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="visits")
        await wait_draft(pilot, db, ids["open"], None)


async def test_quitting_with_a_draft_asks_first_and_keeps_it(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        app.screen.DRAFT_DELAY = 60
        await type_text(pilot, "quit with this")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: screen_name(app) == "UnsentDialog", what="unsent dialog")
        assert app.is_running
        await pilot.press("k")
        await wait_for(pilot, lambda: not app.is_running, what="app quit")
    assert draft_rows(db, ids["open"])[0]["text"] == "quit with this"


async def test_esc_in_the_criteria_panel_goes_back_to_the_answer_box(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        row = app.screen.query_one("#c-2_4_G_1")
        row.focus()
        await settle(pilot)
        assert app.focused is not app.screen.composer
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "InterviewScreen"
        assert app.focused is app.screen.composer


async def test_a_too_long_answer_is_refused_and_stays_in_box_and_draft(tmp_path: Path) -> None:
    from laqs_assist.session import MAX_ANSWER_BYTES

    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        before = rows(db, "SELECT count(*) AS n FROM responses")[0]["n"]
        big = "yes " + "x" * MAX_ANSWER_BYTES
        app.screen.composer.insert(big)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.composer.text == big
        assert rows(db, "SELECT count(*) AS n FROM responses")[0]["n"] == before
        await wait_draft(pilot, db, ids["open"], big)


# --- flags land on the answer meant ---------------------------------------------------------------------------


async def test_flag_after_back_and_reanswer_flags_that_answer(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        await send(pilot, "yes, a third answer for the next question")
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await send(pilot, "yes, Mr Smith PRIVATE remark")
        await send(pilot, "/flag")
        flagged = rows(db, "SELECT text FROM responses WHERE visit_id = ? AND concerns_individual = 1",
                       [ids["open"]])
        assert [r["text"] for r in flagged] == ["yes, Mr Smith PRIVATE remark"]
        bubble = [a for a in answers(app) if a.text == "yes, Mr Smith PRIVATE remark"][-1]
        assert bubble.flagged and "⚑" in str(bubble.render())
        # Going back to it (past the next question's answer): the question shows its recorded answer, flagged.
        for _ in range(2):
            await pilot.press("ctrl+o")
            await settle(pilot)
        from test_tui import last_question

        shown = str(last_question(app).render())
        assert "Mr Smith PRIVATE remark" in shown and "⚑ concerns an individual" in shown


async def test_flag_and_edit_by_question_id_in_the_app(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        first = rows(db, "SELECT id, question_id FROM responses WHERE visit_id = ? ORDER BY created_at LIMIT 1",
                     [ids["open"]])[0]
        await send(pilot, f"/flag {first['question_id']}")
        await send(pilot, f"/edit {first['question_id']} Reports reach the register monthly.")
        got = rows(db, "SELECT text, concerns_individual FROM responses WHERE id = ?", [first["id"]])[0]
        assert got["concerns_individual"] == 1
        assert got["text"] == "Reports reach the register monthly."
        others = rows(db, "SELECT count(*) AS n FROM responses WHERE visit_id = ? AND concerns_individual = 1",
                      [ids["open"]])[0]["n"]
        assert others == 1


async def test_control_characters_in_answers_are_drawn_inert(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        app.screen.composer.insert("yes evil \x1b]0;pwned\x07 title")
        await pilot.press("enter")
        await settle(pilot)
        bubble = answers(app)[-1]
        drawn = str(bubble.render())
        assert "\x1b" not in drawn and "\x07" not in drawn
        assert "␛]0;pwned␇" in drawn
        stored = rows(db, "SELECT text FROM responses WHERE visit_id = ? ORDER BY created_at DESC LIMIT 1",
                      [ids["open"]])[0]["text"]
        assert stored == "yes evil \x1b]0;pwned\x07 title"  # kept exactly as typed


async def test_a_typed_command_that_does_not_fit_says_so_and_keeps_the_text(tmp_path: Path) -> None:
    db, ids, app = await open_interview(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await interview_ready(pilot)
        before = rows(db, "SELECT count(*) AS n FROM judgements")[0]["n"]
        await send(pilot, "/value 1.5.targets-in-line")
        assert app.screen.composer.text == "/value 1.5.targets-in-line"
        assert "give an indicator and a number" in str(notices(app)[-1].copy_text)
        app.screen.composer.clear()
        await send(pilot, "/met 2.4.G.3")  # a command the answer box hands to line mode's handler
        assert rows(db, "SELECT count(*) AS n FROM judgements")[0]["n"] == before + 1
        assert app.screen.composer.text == ""
