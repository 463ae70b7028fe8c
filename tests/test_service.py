"""The application service: one visit driven through it end to end, what it decides when the adviser leaves
something out, and proof that the app, line mode and the CLI all go through it and agree."""

from __future__ import annotations

import io
import json

import pytest
from conftest_store import db_rows, pack, run_laqs, store, store_path  # noqa: F401  (fixtures)

from laqs_assist.app.service import Service
from laqs_assist.app.views import Answered, InterviewView, ReviewView
from laqs_assist.errors import UsageError
from laqs_assist.line import LineChat

FORM = {"agenda_id": "la-contacts", "organisation": "Any Borough", "phases": ["P", "S"], "focus": ["2.4"],
        "people": [("Jo Bloggs", "Head of SI")], "day": "2026-11-20", "author": "A Adviser"}


@pytest.fixture()
def service(store, pack):  # noqa: F811
    svc = Service(store, pack)
    svc.start(dict(FORM))
    return svc


def test_a_visit_end_to_end_through_the_service(service, store_path, tmp_path):  # noqa: F811
    first = service.current()
    assert first.question.id == "A3.2.4.1"  # the focus aspect first
    answered = service.answer("The LA risk register is reviewed monthly with moderation by SIPs")
    assert isinstance(answered, Answered) and answered.item == first
    assert answered.hints, "an answer about the risk register bears on some of 2.4's criteria"
    ratings = service.judge("2.4.G.1", "met")
    assert [r.phase for r in ratings] == ["P", "S"] and all(r.aspect == "2.4" for r in ratings)
    aspect, ratings = service.set_impact("some")  # the current question's aspect
    assert aspect == "2.4" and len(ratings) == 2
    note = service.note("2.4 Risk register shared with the director")
    assert (note["aspect_id"], note["text"]) == ("2.4", "Risk register shared with the director")
    edited = service.edit_typed("A3.2.4.1 The risk register is reviewed monthly")
    assert edited["text"] == "The risk register is reviewed monthly"
    flagged = service.flag("A3.2.4.1")
    assert flagged["concerns_individual"] == 1
    assert service.flag("A3.2.4.1", None)["concerns_individual"] == 0  # None turns the flag over
    action = service.add_action("Moderate SIP reports termly", "Jo Bloggs", "2026-12-15")
    assert (action["aspect_id"], action["due_date"]) == ("2.4", "2026-12-15")
    service.override("2.4", "P", "NI", "the reports lack challenge")
    review = service.end()
    assert isinstance(review, ReviewView) and review.visit["status"] == "ended"
    row = next(r for r in review.rows if (r["aspect"], r["phase"]) == ("2.4", "P"))
    assert (row["override"], row["final"]) == ("NI", "NI")
    note_view = service.write_note(str(tmp_path / "note.docx"))
    assert note_view.path.endswith("note.docx") and note_view.checks
    assert all(passed in (True, False, None) and text for passed, text in note_view.checks)
    # What the service said it did is what the store holds.
    assert db_rows(store_path, "SELECT text FROM responses ORDER BY created_at") == [
        {"text": "The risk register is reviewed monthly"}, {"text": "Risk register shared with the director"}]
    assert db_rows(store_path, "SELECT status FROM visits") == [{"status": "ended"}]


def test_the_service_decides_what_a_command_means(service):
    assert service.aspect() == "2.4"  # nothing named: the current question's aspect
    assert service.aspect("1.5") == "1.5"
    with pytest.raises(UsageError, match="unknown aspect '9.9'"):
        service.aspect("9.9")
    # /edit with a question id alone would replace the last answer with the id: refused, nothing changes.
    service.answer("first answer")
    with pytest.raises(UsageError, match=r"give the new text after A3\.2\.4\.1"):
        service.edit_typed("A3.2.4.1")
    with pytest.raises(UsageError, match="give the new text"):
        service.edit_typed("  ")
    # A bad due date is the adviser's to fix, in one line that names the field.
    with pytest.raises(UsageError, match="^due date: "):
        service.add_action("Moderate SIP reports", "Jo", "next tuesday-ish")
    # A note whose first word is not an aspect is on the current question's aspect, whole.
    assert service.note("Risk register shared")["aspect_id"] == "2.4"
    assert service.note("Risk register shared")["text"] == "Risk register shared"


def test_the_visit_form_is_checked_before_anything_is_opened(pack):  # noqa: F811
    form = Service.visit_form(pack, organisation="Oak Primary", school=True, people=["Ann Head:Headteacher", "Bo"])
    assert form["kind"] == "school" and form["agenda_id"] == pack.default_agenda("school")
    assert form["people"] == [("Ann Head", "Headteacher"), ("Bo", "")]
    for bad, message in (({"organisation": " "}, "say who the visit is with"),
                         ({"organisation": "X", "agenda": "nope"}, "unknown agenda 'nope'"),
                         ({"organisation": "X", "phases": ["Q"]}, "unknown phase 'Q'"),
                         ({"organisation": "X", "focus": ["9.9"]}, "unknown aspect '9.9'")):
        with pytest.raises(UsageError, match=message):
            Service.visit_form(pack, **bad)


def test_nothing_open_is_one_line(store, pack):  # noqa: F811
    with pytest.raises(UsageError, match="no visit is open"):
        Service(store, pack).answer("hello")


def test_a_judgement_in_the_panel_is_rated_once_per_phase(store_path, pack, monkeypatch):  # noqa: F811
    """The app's judge hands back the snapshot with the panel: the panel reuses the ratings the judgement made."""
    from laqs_assist.session import judging
    from laqs_assist.tui.engine import Backend

    backend = Backend.at(pack.path, store_path, pack)
    try:
        backend.start(dict(FORM))
        calls = []
        real = judging.rate

        def counting(*args, **kwargs):
            calls.append(args[1:3])
            return real(*args, **kwargs)

        monkeypatch.setattr(judging, "rate", counting)
        view = backend.judge("2.4.G.1", "met", "2.4")
        assert isinstance(view, InterviewView) and view.panel.aspect_id == "2.4"
        assert view.panel.states["2.4.G.1"] == "met"
        assert sorted(calls) == [("2.4", "P"), ("2.4", "S")]
    finally:
        backend.close()


def test_the_app_and_line_mode_say_the_same_for_a_command(store_path, pack):  # noqa: F811
    """The answer box's /commands run through line mode's handler on the same service."""
    from laqs_assist.app import slash
    from laqs_assist.tui.engine import Backend

    backend = Backend.at(pack.path, store_path, pack)
    try:
        backend.start(dict(FORM))
        backend.answer("The LA risk register is reviewed monthly")
        app_lines = backend.command(slash.parse("/met 2.4.G.1")).lines
        plain = Service(backend.store, pack)
        plain.resume(backend.id)
        out: list[str] = []
        assert LineChat(plain, out.append).handle("/partly 2.4.G.1")
        assert app_lines[0] == "✓ 2.4.G.1 met" and out[0] == "✓ 2.4.G.1 partly"
        assert [line.split(":")[0] for line in app_lines[1:]] == [line.split(":")[0] for line in out[1:]]
    finally:
        backend.close()


def test_the_cli_shows_what_the_service_holds(tmp_path):
    store_file = tmp_path / "laqs.db"
    script = "The LA risk register is reviewed monthly\n/met 2.4.G.1\n/quit\n"
    proc = run_laqs("chat", "--org", "Any Borough", "--phase", "P", "--focus", "2.4", "--date", "2026-11-20",
                    store=store_file, input=script)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(run_laqs("visits", "show", "last", "--json", store=store_file).stdout)
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.store import Store

    with Store(store_file) as st, Service(st, load_pack(default_pack_path())) as svc:
        assert json.loads(json.dumps(svc.visit_record("last").to_dict())) == shown
        assert [r["id"] for r in svc.visits()] == [r["id"] for r in json.loads(
            run_laqs("visits", "--json", store=store_file).stdout)]
        held = svc.year_ratings("Any Borough", "2026/27")
        board = json.loads(run_laqs("dashboard", "Any Borough", "--year", "2026/27", "--json",
                                    store=store_file).stdout)
    assert held.ratings[("P", "2.4")] is not None
    assert board["title"] == "Any Borough (2026/27)"


def test_line_mode_runs_on_the_service(service):
    out = io.StringIO()
    from laqs_assist.line import run

    code = run(service, stdin=io.StringIO("An answer\n/where\n/quit\n"), stdout=out, interactive=False,
               stderr=io.StringIO())
    assert code == 0
    text = out.getvalue()
    assert "✓ saved" in text and "1 of" in text and "Paused. Resume with: laqs chat --resume" in text
    assert service.visit["status"] == "paused"
