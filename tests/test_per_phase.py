"""Judgements per phase: what a judgement names it records for those phases only, in line mode, in the app's
criteria panel and through the service; questions and criteria about phases the visit has none of are left out;
numbers in answers are offered as indicator values, never recorded silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_store import db_rows, pack, run_laqs, store, store_path  # noqa: F401  (fixtures)
from test_tui_helpers import SIZE, make_app, wait_for

from laqs_assist.app.service import Service
from laqs_assist.errors import UsageError
from laqs_assist.line import LineChat

TWO_PHASES = {"agenda_id": "la-contacts", "organisation": "Any Borough", "phases": ["P", "S"], "focus": ["2.4"],
              "day": "2026-11-20"}


def judged(db: Path) -> list[tuple[str, str, str]]:
    return [(r["target"], r["phase"], r["state"] if r["state"] is not None else f"{r['value']:g}")
            for r in db_rows(db, "SELECT target, phase, state, value FROM judgements ORDER BY created_at, id")]


def chat(service: Service) -> tuple[LineChat, list[str]]:
    out: list[str] = []
    return LineChat(service, out.append), out


def app_on_visit(tmp_path: Path, **form):
    """A store holding one new visit, and the app opened straight on it; the store's path."""
    from test_tui_helpers import PACK

    from laqs_assist.store import Store

    db = tmp_path / "laqs.db"
    with Store(db) as st:
        svc = Service(st, PACK)
        svc.start({**TWO_PHASES, **form})
        visit = svc.id
    return db, make_app(db, resume=visit)


async def interview_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: type(app.screen).__name__ == "InterviewScreen" and app.screen.panels_ready,
                   what="interview")


def test_line_mode_records_a_judgement_for_the_phases_named(store, pack, store_path):  # noqa: F811
    svc = Service(store, pack)
    svc.start(dict(TWO_PHASES))
    line, out = chat(svc)
    assert line.handle("The LA risk register is reviewed monthly")
    assert line.handle("/met 2.4.G.1 P")
    assert "✓ 2.4.G.1 met (Primary only)" in out
    assert line.handle("/partly 2.4.G.2 secondary")
    assert line.handle("/met 2.4.G.3")  # no phase: every phase of the visit
    assert line.handle("/impact some S")
    assert "✓ evidence of impact for 2.4: some (Secondary only)" in out
    assert line.handle("/count 2.4.report-features 5 P")
    assert judged(store_path) == [("2.4.G.1", "P", "met"), ("2.4.G.2", "S", "partly"), ("2.4.G.3", "P", "met"),
                                  ("2.4.G.3", "S", "met"), ("2.4", "S", "some"), ("2.4.report-features", "P", "5")]
    # A phase the visit does not have is refused, and nothing is recorded.
    before = judged(store_path)
    assert not line.handle("/met 2.4.G.5 EY")
    assert "phase EY is not part of this visit (P, S)" in out[-1]
    assert judged(store_path) == before


def test_judging_one_phase_never_changes_the_other(store, pack):  # noqa: F811
    svc = Service(store, pack)
    svc.start(dict(TWO_PHASES))
    svc.answer("Reports are timely")
    secondary = svc.ratings("2.4")[1]
    for target in ("2.4.G.1", "2.4.G.2", "2.4.G.3", "2.4.G.5", "2.4.NI.1", "2.4.SI.1"):
        for state in ("met", "not_met", "partly"):
            ratings = svc.judge(target, state, ["P"])
            assert [r.phase for r in ratings] == ["P"]
            assert svc.ratings("2.4")[1] == secondary


def test_the_app_panel_judges_the_phase_it_shows(tmp_path):
    """F5 narrows the criteria panel to one phase; a click then records for that phase only."""
    db, app = app_on_visit(tmp_path)

    async def run() -> None:
        from laqs_assist.tui.widgets.criteria import CriteriaPanel, CriterionRow

        async with app.run_test(size=SIZE) as pilot:
            await interview_ready(pilot)
            panel = app.screen.query_one(CriteriaPanel)
            assert "Judging: Primary, Secondary" in str(panel.query_one("#rating-box").render())
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.screen.view.panel.scope == ("P",), what="Primary only")
            assert "Judging: Primary only" in str(panel.query_one("#rating-box").render())
            row = app.screen.query_one("#c-2_4_G_1", CriterionRow)
            row.focus()
            await pilot.press("m")
            await wait_for(pilot, lambda: row.state == "met", what="2.4.G.1 met")
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.screen.view.panel.scope == ("S",), what="Secondary only")
            await wait_for(pilot, lambda: row.state == "unknown", what="Secondary: not judged")
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.screen.view.panel.scope == ("P", "S"), what="every phase")
            await wait_for(pilot, lambda: row.state == "mixed", what="differs between phases")

    import asyncio

    asyncio.run(run())
    assert judged(db) == [("2.4.G.1", "P", "met")]


def test_early_years_content_is_left_out_of_a_primary_and_secondary_visit(store, pack):  # noqa: F811
    svc = Service(store, pack)
    svc.start(dict(TWO_PHASES))
    asked = [i.question.id for i in svc.items() if i.question]
    assert "A3.1.5.2" not in asked and "A3.1.5.1" in asked
    ey = Service(store, pack)
    ey.start({**TWO_PHASES, "phases": ["EY"], "organisation": "Other Borough"})
    assert "A3.1.5.2" in [i.question.id for i in ey.items() if i.question]


def test_early_years_criteria_are_not_in_the_panel_of_a_primary_visit(tmp_path):
    db, app = app_on_visit(tmp_path, focus=["1.5"])

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.screen.panels_ready and app.screen.query("#c-1_5_OS_2"),
                           what="the 1.5 panel")
            assert not app.screen.query("#c-1_5_OS_1")  # "For Early Years …": no Early Years at this visit
            assert app.screen.query("#c-1_5_OS_2")
            from laqs_assist.tui.widgets.criteria import IndicatorRow

            shown = [row.indicator_id for row in app.screen.query(IndicatorRow)]
            assert "1.5.targets-in-line" in shown and "1.5.ey-targets-on-track" not in shown

    import asyncio

    asyncio.run(run())


def test_a_number_in_an_answer_is_offered_never_recorded_silently(store, pack, store_path):  # noqa: F811
    svc = Service(store, pack)
    svc.start({**TWO_PHASES, "focus": ["1.5"]})
    svc.jump("1.5")
    # A3.1.5.1 bears on the targets criteria (thresholds on 1.5.targets-in-line).
    assert svc.current().question.id == "A3.1.5.1"
    line, out = chat(svc)
    assert line.handle("yes, 91% of schools set targets in line with the guidance")
    assert "  91 % for 1.5.targets-in-line? /value to record it (or /value 1.5.targets-in-line N with another " \
           "number)" in out
    assert judged(store_path) == []  # offered, not recorded
    assert line.handle("/value P")
    assert "✓ 1.5.targets-in-line = 91 % (Primary only)" in out
    assert judged(store_path) == [("1.5.targets-in-line", "P", "91")]
    # Taken once; asking again says there is nothing left to take.
    assert not line.handle("/value")
    assert "the last answer offered no number to record" in out[-1]


def test_two_numbers_offer_nothing_and_the_adviser_says_which(store, pack):  # noqa: F811
    svc = Service(store, pack)
    svc.start({**TWO_PHASES, "focus": ["1.5"]})
    answered = svc.answer("yes: 91% this year, up from 85%")
    assert answered.offers == ()
    with pytest.raises(UsageError, match="offered no number"):
        svc.take_offer()


def test_a_typed_percentage_question_says_what_it_recorded(tmp_path):
    """A question that asks for a percentage aimed at one indicator records it as the indicator's value, and the
    chat says so."""
    from conftest_store import build_typed_pack

    from laqs_assist.store import Store

    typed = build_typed_pack(tmp_path)
    with Store(tmp_path / "laqs.db") as st:
        svc = Service(st, typed)
        svc.start({**TWO_PHASES, "agenda_id": "typed", "focus": []})
        item = next(i for i in svc.items() if i.answer_type == "percent")
        while svc.current().id != item.id:
            svc.skip()
        line, out = chat(svc)
        assert line.handle("87% of them")
        sets = [o for o in out if "this question records it" in o]
        assert sets and "= 87 %" in sets[0]


def test_the_script_names_phases_in_line_mode_end_to_end(tmp_path):
    """A real `laqs chat` process: phases after the id, checked in the store."""
    db = tmp_path / "laqs.db"
    script = "\n".join(["The LA risk register is reviewed monthly", "/met 2.4.G.1 P", "/not 2.4.G.1 S",
                        "/impact substantial Primary", "/quit"]) + "\n"
    proc = run_laqs("chat", "--org", "Any Borough", "--phase", "P", "--phase", "S", "--focus", "2.4", "--date",
                    "2026-11-20", store=db, input=script)
    assert proc.returncode == 0, proc.stderr
    assert judged(db) == [("2.4.G.1", "P", "met"), ("2.4.G.1", "S", "not_met"), ("2.4", "P", "substantial")]
    assert "✓ 2.4.G.1 not met (Secondary only)" in proc.stdout


def test_help_shows_the_phase_form():
    from laqs_assist.app import slash

    assert "/met ID [ID…] [PHASE…]" in slash.HELP and "e.g. /met 2.4.G.1 P" in slash.HELP
    assert "alone takes the number the last answer offered" in slash.HELP


def test_the_app_offers_a_number_and_f8_records_it(tmp_path):
    db, app = app_on_visit(tmp_path, focus=["1.5"])

    async def run() -> None:
        from laqs_assist.tui.widgets.chat import NoticeMessage

        async with app.run_test(size=SIZE) as pilot:
            await interview_ready(pilot)
            app.screen.composer.insert("yes, 91% of schools set targets in line")
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("F8 records it" in str(n.render()) for n in
                                              app.screen.query(NoticeMessage)), what="the offer")
            offer = next(str(n.render()) for n in app.screen.query(NoticeMessage) if "F8 records it" in str(n.render()))
            assert "91 % for 1.5.targets-in-line" in offer
            assert judged(db) == []
            await pilot.press("f8")
            await wait_for(pilot, lambda: any("✓ 1.5.targets-in-line = 91 %" in str(n.render()) for n in
                                              app.screen.query(NoticeMessage)), what="recorded")

    import asyncio

    asyncio.run(run())
    assert judged(db) == [("1.5.targets-in-line", "P", "91"), ("1.5.targets-in-line", "S", "91")]


def test_line_mode_shows_what_the_criteria_say_and_what_the_rating_rests_on(store, pack):  # noqa: F811
    svc = Service(store, pack)
    svc.start(dict(TWO_PHASES))
    line, out = chat(svc)
    assert line.handle("Reports are timely but one or two features are missing")
    # Five of the seven features present caps 2.4 at Requires some improvement; the items say otherwise.
    for step in ("/count 2.4.report-features 5 P", "/not 2.4.report-features.timely 2.4.report-features.accurate "
                 "2.4.report-features.challenge P", "/rating 2.4"):
        assert line.handle(step), out[-1]
    shown = "\n".join(out)
    assert "! 2.4.report-features: the count says 5 of 7 features present, but of its items 3 judged missing" in shown  # the count and its items contradict each other: a warning
    assert "the ceiling assumes: " in shown
    assert line.handle("/end")
    assert not line.handle("/override 2.4 P G because I say so")
    assert "give a reason of at least 5 words" in out[-1] and "Requires some improvement" in out[-1]
    assert line.handle("/override 2.4 P G the SIP reports seen today show every feature of a good report")
    assert out[-2] == "✓ 2.4 P overridden to G"
    assert out[-1].startswith("  the criteria: ")
    out.clear()
    assert line.handle("/review")
    review = "\n".join(out)
    assert "rests on: adviser's override at the visit of 2026-11-20" in review
    assert "the criteria: " in review
