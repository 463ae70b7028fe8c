"""The year view over a scripted year: three visits to Northshire (autumn, spring, summer) and four headteacher
visits to its schools, two of whom say national priorities do not reach them. Coverage, the plan, the actions list
and the dashboard (evidence by source, one disagreement flagged) must say what the visits recorded; the CLI's
--json is checked field by field."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from year_script import LA, SCHOOLS, TODAY, YEAR, record_year

from laqs_assist.app.service import Service
from laqs_assist.app.yearview import parse_year
from laqs_assist.cli import main
from laqs_assist.errors import UsageError
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path

PACK = load_pack(default_pack_path())


@pytest.fixture(scope="module")
def year_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("year") / "laqs.db"
    record_year(path)
    return path


@pytest.fixture()
def db(year_store, tmp_path):
    """A copy of the scripted year's store for one test (tests that write get their own)."""
    dest = tmp_path / "laqs.db"
    shutil.copy(year_store, dest)
    return dest


@pytest.fixture()
def service(db):
    with Service.at(default_pack_path(), db, PACK) as s:
        s.today = TODAY
        yield s


def laqs(capsys, db, *args):
    code = main(["--store", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def laqs_json(capsys, db, *args):
    code, out, err = laqs(capsys, db, *args, "--json")
    assert code == 0, err
    return json.loads(out)


# --- the dashboard: evidence by source, triangulation ------------------------------------------------------------


def test_the_dashboard_cell_counts_its_evidence_by_source_and_flags_the_one_disagreement(service):
    board = service.dashboard(LA, YEAR)
    c = board.cells[("P", "1.1")]
    # autumn: two answers, five criteria and the impact; four schools: an answer each, two "not met" judgements
    assert c.evidence == {"la": 8, "headteachers": 6}
    assert c.voices == 4
    assert c.disagreement == "1.1.G.2: LA contacts met, headteachers not met"
    assert c.disputed == ("1.1.G.2",)
    assert c.by_source == {"la": "G", "headteachers": "NI"}
    assert (c.rating, c.standing, c.suggestion) == ("G", "suggested", "G")
    assert c.self_evaluation == "OS"  # the LA's own view, beside ours
    assert [(d.phase, d.aspect) for d in board.disagreements] == [("P", "1.1")]
    assert (board.voices, board.schools, board.visits) == (4, 4, 3)
    assert board.cells[("P", "1.4")].evidence == {"la": 2} and board.cells[("P", "1.4")].rating == "NI"
    assert board.cells[("P", "2.4")].evidence == {"la": 1} and board.cells[("P", "2.4")].rating is None
    assert board.cells[("EY", "1.4")].standing == "n/a"
    assert board.groups[("P", "1")].rated == 2 and board.groups[("P", "1")].of == 5
    assert board.sources == {"la": 11, "headteachers": 6}


def test_a_headteachers_judgement_counts_for_the_la_rating(service):
    """The headteachers' evidence is read with the LA's: judged alone it suggests less than the LA's does."""
    detail = service.cell(LA, "1.1", "P", YEAR)
    steps = [(s.date, s.source, s.organisation, s.who, s.before, s.after, len(s.evidence)) for s in detail.steps]
    assert steps == [
        ("2026-10-05", "la", LA, "Pat Reed (Head of school improvement)", None, "G", 8),
        ("2027-03-10", "headteachers", "Oak Primary", "Head 1 (headteacher)", "G", "G", 2),
        ("2027-04-11", "headteachers", "Ash Primary", "Head 2 (headteacher)", "G", "G", 2),
        ("2027-05-12", "headteachers", "Elm Primary", "Head 3 (headteacher)", "G", "G", 1),
        ("2027-06-13", "headteachers", "Birch Primary", "Head 4 (headteacher)", "G", "G", 1),
    ]
    oak = detail.steps[1].evidence
    assert [(e.kind, e.target, e.state) for e in oak] == [("answer", "A4.1.1.1", None),
                                                         ("state", "1.1.G.2", "not_met")]
    assert oak[0].text == "No: we hear about national priorities late, if at all."
    assert all(e.school_id is not None for e in oak)


def test_the_rating_falls_when_the_headteachers_evidence_decides_it(service):
    """A third headteacher's "not met" on a Good criterion crosses the share Good needs: the LA's rating moves."""
    before = service.dashboard(LA, YEAR).cells[("P", "1.1")]
    form = Service.visit_form(PACK, organisation=SCHOOLS[2], school=True, phases=("P",), day="2027-07-01",
                              parent=LA)
    service.start(form)
    service.judge("1.1.G.3", "not_met")
    service.judge("1.1.G.4", "not_met")
    service.close_visit()
    after = service.dashboard(LA, YEAR).cells[("P", "1.1")]
    assert before.rating == "G" and after.rating == "NI"
    assert after.disputed == ("1.1.G.2", "1.1.G.3", "1.1.G.4")


def test_a_school_is_not_rated_as_an_la(service):
    with pytest.raises(UsageError, match="Oak Primary is a school: its ratings are its LA's \\(Northshire\\)"):
        service.dashboard("Oak Primary", YEAR)
    page = service.school_page("Oak Primary", YEAR)
    assert page.la["name"] == LA
    assert [v["date"] for v in page.visits] == ["2027-03-10"]
    assert page.aspects == {"1.1": 2}
    birch = service.school_page("Birch Primary", YEAR)
    assert [(a["text"], a["overdue"]) for a in birch.actions] == [("Join the writing moderation cluster", True)]


def test_a_kept_rating_is_read_back_and_dropped_when_evidence_arrives(db, service):
    service.dashboard(LA, YEAR)
    conn = sqlite3.connect(db)
    la_id = conn.execute("SELECT id FROM organisations WHERE name = ?", [LA]).fetchone()[0]

    def kept():
        return {r[0] for r in conn.execute("SELECT phase FROM rating_cache WHERE organisation_id = ?", [la_id])}

    assert kept() == {"EY", "P", "S"}
    # the kept cells are what is read: a changed row shows (nothing else writes them)
    cells, summary = (json.loads(x) for x in conn.execute(
        "SELECT cells, summary FROM rating_cache WHERE organisation_id = ? AND phase = 'P'", [la_id]).fetchone())
    assert next(c for c in cells if c["aspect"] == "1.1")["evidence"] == {"la": 8, "headteachers": 6}
    assert summary["ratings"]["1.1"] == "G" and summary["disagreements"] == 1
    assert len(summary["heard"]) == 4  # the schools whose voices reached a Primary cell
    # a judgement at one of its schools in Primary drops the LA's Primary row only
    service.start(Service.visit_form(PACK, organisation="Oak Primary", school=True, phases=("P",),
                                     day="2027-07-02", parent=LA))
    service.judge("1.1.G.5", "met")
    assert kept() == {"EY", "S"}
    service.close_visit()
    assert service.dashboard(LA, YEAR).cells[("P", "1.1")].evidence == {"la": 8, "headteachers": 7}
    assert kept() == {"EY", "P", "S"}
    # the LA's own view changed on a rating row (as the review records it) drops that phase too
    with conn:
        conn.execute("UPDATE ratings SET self_evaluation = 'G' WHERE organisation_id = ? AND phase = 'P' "
                     "AND aspect_id = '1.1'", [la_id])
    assert kept() == {"EY", "S"}
    assert service.dashboard(LA, YEAR).cells[("P", "1.1")].self_evaluation == "G"
    conn.close()


def test_the_overview_lists_every_la_with_its_group_ratings(service):
    ticks = []
    ov = service.overview(YEAR, lambda done, total, la: ticks.append((done, total, la["name"])))
    assert ticks == [(1, 1, LA)]  # rated once, then kept
    assert [r.organisation["name"] for r in ov.rows] == [LA]
    row = ov.rows[0]
    assert (row.visits, row.disagreements, row.voices) == (3, 1, 4)
    heard = []
    assert service.overview(YEAR, lambda done, total, la: heard.append(la["name"])) == ov  # from the kept summaries
    assert heard == []  # nothing needed rating again
    assert row.groups[("P", "1")].rating is None and (row.groups[("P", "1")].rated, row.groups[("P", "1")].of) \
        == (2, 5)


# --- the CLI ------------------------------------------------------------------------------------------------------


def test_dashboard_json_field_by_field(capsys, db):
    data = laqs_json(capsys, db, "dashboard", LA, "--year", YEAR)
    assert (data["title"], data["organisation"], data["kind"], data["year"]) == (f"{LA} ({YEAR})", LA, "LA", YEAR)
    primary = next(r for r in data["rows"] if r["phase"] == "P")
    assert primary["aspects"]["1.1"] == "G" and primary["aspects"]["1.4"] == "NI"
    assert primary["standings"]["1.1"] == {"rating": "G", "standing": "suggested",
                                           "rests_on": "suggested from the year's evidence"}
    assert primary["rated"]["1"] == {"rated": 2, "of": 5}
    cell = next(c for c in data["cells"] if (c["phase"], c["aspect"]) == ("P", "1.1"))
    assert cell["evidence"] == {"la": 8, "headteachers": 6}
    assert cell["voices"] == 4
    assert cell["disagreement"] == "1.1.G.2: LA contacts met, headteachers not met"
    assert cell["disputed"] == ["1.1.G.2"]
    assert cell["by_source"] == {"la": "G", "headteachers": "NI"}
    assert (cell["suggestion"], cell["ceiling"], cell["adviser"]) == ("G", "G", None)
    assert cell["self_evaluation"] == "OS"
    assert data["disagreements"] == [{"phase": "P", "aspect": "1.1",
                                      "line": "1.1.G.2: LA contacts met, headteachers not met"}]
    assert (data["voices"], data["schools"], data["visits"]) == (4, 4, 3)
    assert data["sources"] == {"la": 11, "headteachers": 6}
    assert not any(c["aspect"] in ("1.4", "2.2", "2.3") and c["phase"] == "EY" for c in data["cells"])  # N/A


def test_dashboard_text_is_plain_when_piped_and_says_whose_voices(capsys, db):
    code, out, _ = laqs(capsys, db, "dashboard", LA, "--year", YEAR)
    assert code == 0 and "\x1b[" not in out
    assert out.startswith(f"Local authority: {LA} ({YEAR})")
    assert "Rests on 3 visits to the LA and the voices of 4 of its 4 schools this year." in out
    assert "  1.1  Primary      Good (the LA's own view: Outstanding): LA contacts 8, headteachers 6; 4 schools" in out
    assert "  ! 1.1 Primary: 1.1.G.2: LA contacts met, headteachers not met" in out


def test_dashboard_colours_ratings_by_rag_on_a_terminal(service):
    import click

    from laqs_assist.cli.year import _painter, render_board

    text = render_board(PACK, service.dashboard(LA, YEAR), _painter(PACK))
    assert click.style("G   ", fg="green") in text  # the grid's 1.1 Primary cell, padded then painted
    assert click.style("NI  ", fg="yellow") in text
    assert click.unstyle(text).count("Good (the LA's own view: Outstanding): LA contacts 8") == 1


def test_dashboard_of_a_school_is_its_page(capsys, db):
    code, out, _ = laqs(capsys, db, "dashboard", "Oak Primary", "--year", YEAR)
    assert code == 0
    assert "Local authority: Oak Primary" not in out
    assert out.splitlines()[:2] == ["School: Oak Primary (2026/27), in Northshire",
                                    'Its ratings are its LA\'s: see laqs dashboard "Northshire".']
    page = laqs_json(capsys, db, "dashboard", "Birch Primary", "--year", YEAR)
    assert (page["school"], page["la"], page["year"]) == ("Birch Primary", LA, YEAR)
    assert [v["date"] for v in page["visits"]] == ["2027-06-13"]
    assert [(a["text"], a["owner"], a["due_date"], a["status"]) for a in page["actions"]] == [
        ("Join the writing moderation cluster", "Head 4", "2027-05-01", "open")]
    assert page["joint_visits"] == [] and page["evidence_for_la"] == {"1.1": 1}


@pytest.mark.parametrize("args", [["dashboard", LA], ["coverage", LA], ["plan", LA], ["overview"]])
def test_a_bad_year_is_one_line_and_exit_2(capsys, db, args):
    code, out, err = laqs(capsys, db, *args, "--year", "banana")
    assert code == 2 and out == ""
    assert err == "laqs: error: 'banana' is not an academic year: give one such as 2026/27\n"


def test_years_as_typed():
    assert parse_year("2026/27") == parse_year("2026-27") == parse_year("2026/2027") == parse_year("2026") \
        == "2026/27"
    assert parse_year("2026", "01-01") == "2026"
    for bad in ("2026/28", "26/27", "", "2026/27/28"):
        with pytest.raises(UsageError):
            parse_year(bad)


def test_dashboard_cell_json(capsys, db):
    data = laqs_json(capsys, db, "dashboard", LA, "--year", YEAR, "--cell", "1.1:P")
    assert (data["aspect"], data["phase"], data["cell"]["rating"]) == ("1.1", "P", "G")
    assert [(s["date"], s["source"], s["before"], s["after"]) for s in data["steps"]][:2] == [
        ("2026-10-05", "la", None, "G"), ("2027-03-10", "headteachers", "G", "G")]
    assert data["steps"][1]["evidence"][1]["target"] == "1.1.G.2"
    assert data["steps"][1]["evidence"][1]["state"] == "not_met"


def test_coverage_json_field_by_field(capsys, db):
    data = laqs_json(capsys, db, "coverage", LA, "--year", YEAR)
    assert (data["organisation"], data["year"], data["agenda"]) == (LA, YEAR, "la-contacts")
    assert [v["date"] for v in data["visits"]] == ["2026-10-05", "2027-02-10", "2027-06-15"]
    by = {a["aspect"]: a for a in data["aspects"]}
    assert by["1.1"] == {"aspect": "1.1", "title": PACK.aspects["1.1"].title, "answers": 2, "visits": 1,
                         "dates": ["2026-10-05"], "terms": {"autumn": 2, "spring": 0, "summer": 0},
                         "judgements": 6, "from_schools": 4}
    assert (by["1.4"]["answers"], by["1.4"]["terms"]["spring"], by["1.4"]["dates"]) == (1, 1, ["2027-02-10"])
    assert (by["2.4"]["answers"], by["2.4"]["terms"]["summer"]) == (1, 1)
    assert data["aspects_never"] == ["1.2", "1.3", "1.5", "2.1", "2.2", "2.3", "2.5"]
    asked = {q["question"]: q for q in data["questions"] if q["times"]}
    assert set(asked) == {"A3.1.1.1", "A3.1.1.2", "A3.1.4.1", "A3.2.4.1"}
    assert asked["A3.1.4.1"]["dates"] == ["2027-02-10"]
    assert "A3.1.2.1" in data["never"] and len(data["never"]) == len(data["questions"]) - 4


def test_coverage_of_a_school_uses_the_headteachers_agenda(capsys, db):
    data = laqs_json(capsys, db, "coverage", "Oak Primary", "--year", YEAR)
    assert data["agenda"] == "headteachers"
    assert [q["question"] for q in data["questions"] if q["times"]] == ["A4.1.1.1"]


def test_plan_json_field_by_field(capsys, db):
    data = laqs_json(capsys, db, "plan", LA, "--year", YEAR, "--as-of", TODAY)
    assert (data["organisation"], data["agenda"]) == (LA, "la-contacts")
    assert data["focus"] == ["1.1", "1.2", "1.3", "1.5"]  # the disagreement first, then the aspects never discussed
    first = data["items"][0]
    assert (first["kind"], first["aspect"], first["phase"]) == ("disagreement", "1.1", "P")
    assert first["probes"][0].startswith("What evidence is there that: The LA: effectively communicates")
    assert "1.1.G.2" in first["probes"][0]
    uncovered = [i["aspect"] for i in data["items"] if i["kind"] == "uncovered"]
    assert uncovered == ["1.2", "1.3", "1.5", "2.1", "2.2", "2.3", "2.5"]
    below = next(i for i in data["items"] if i["kind"] == "below_ceiling")
    assert (below["aspect"], below["phase"]) == ("1.4", "P")
    assert below["why"].startswith("Requires some improvement now; Outstanding is still reachable")
    assert below["questions"][0] in ("A3.1.4.1", "A3.1.4.2")
    assert [a["text"] for a in data["overdue"]] == ["Share the consultant deployment plan with heads"]
    assert data["overdue"][0]["overdue"] is True
    assert data["start"] == ('laqs chat --org "Northshire" --agenda la-contacts --focus 1.1 --focus 1.2 '
                             '--focus 1.3 --focus 1.5')


def test_actions_json_and_filters(capsys, db):
    every = laqs_json(capsys, db, "actions", LA, "--as-of", TODAY)
    assert [(a["organisation"], a["text"], a["status"], a["overdue"]) for a in every] == [
        (LA, "Share the consultant deployment plan with heads", "open", True),
        (LA, "Publish the moderation calendar", "done", False),
        ("Birch Primary", "Join the writing moderation cluster", "open", True)]
    assert every[1]["status_note"] == "on the website" and every[1]["status_date"] == "2027-06-15"
    assert [a["text"] for a in laqs_json(capsys, db, "actions", LA, "--done")] == ["Publish the moderation calendar"]
    assert len(laqs_json(capsys, db, "actions", LA, "--open")) == 2
    # as of the spring visit only the December action was overdue
    assert [a["text"] for a in laqs_json(capsys, db, "actions", "--overdue", "--as-of", "2027-02-10")] == [
        "Share the consultant deployment plan with heads"]
    assert [a["organisation"] for a in laqs_json(capsys, db, "actions", "Birch Primary")] == ["Birch Primary"]
    code, _, err = laqs(capsys, db, "actions", "--as-of", "someday")
    assert code == 2 and err.startswith("laqs: error: --as-of:") and len(err.splitlines()) == 1


def test_overview_json(capsys, db):
    data = laqs_json(capsys, db, "overview", "--year", YEAR)
    assert data["year"] == YEAR
    (row,) = data["rows"]
    assert (row["organisation"], row["visits"], row["disagreements"], row["voices"]) == (LA, 3, 1, 4)
    assert row["groups"]["P"]["1"] == {"rating": None, "rated": 2, "of": 5}
    assert row["overall"]["1"] == {"rating": None, "rated": 2, "of": 14}


def test_an_action_is_marked_outside_a_visit(service):
    overdue = service.actions_across_year(LA, "overdue")
    assert [a["organisation"] for a in overdue] == [LA, "Birch Primary"]  # an LA's list holds its schools'
    deployment = overdue[0]
    with pytest.raises(UsageError, match="say why action .* is dropped"):
        service.mark_any_action(deployment["id"][:8], "dropped")
    with pytest.raises(UsageError, match="was agreed on 2026-10-05"):
        service.mark_any_action(deployment["id"][:8], "done", on="2026-09-01")
    marked = service.mark_any_action(deployment["id"][:8], "carried", on="2027-07-20", due="2027-10-01",
                                     note="after the new plan is agreed")
    assert (marked["status"], marked["due_date"], marked["overdue"]) == ("carried", "2027-10-01", False)
    assert [a["text"] for a in service.actions_across_year(LA, "overdue")] == ["Join the writing moderation cluster"]


# --- a source of evidence plugged in: joint visits' grades -------------------------------------------------------


def test_a_joint_visit_source_plugs_in_with_its_grades_counted_and_weighed(service, monkeypatch):
    from laqs_assist.app.yearview import JOINT, grades_as_evidence
    from laqs_assist.year import evidence as ev

    # rows shaped as the joint visits give them: the 2.4 section graded 3 (NI) at Oak Primary, 1.4 graded 1 (OS)
    given = {"2.4": [{"aspect_id": "2.4", "phase": None, "date": "2027-05-20", "school": "Oak Primary", "grade": 3,
                      "column": "NI", "section_id": "reports", "evidence": "reports lack next steps",
                      "joint_visit_id": "jv1"}],
             "1.4": [{"aspect_id": "1.4", "phase": None, "date": "2027-05-20", "school": "oak primary", "grade": 1,
                      "column": "OS", "section_id": "support", "evidence": "", "joint_visit_id": "jv1"}]}
    calls = []

    def rows(store, pack, la, year):
        calls.append(la["name"])
        schools = {s["name"].lower(): s["id"] for s in store.schools_of(la["id"])}
        return grades_as_evidence(JOINT, given, pack, schools, tuple(pack.phase_ids()))

    marker = {"value": "1"}
    monkeypatch.setitem(ev._SOURCES, JOINT, ev.Source(JOINT, "joint visits", rows, lambda st, la, y: marker["value"]))
    board = service.dashboard(LA, YEAR)
    p14, ey24 = board.cells[("P", "1.4")], board.cells[("EY", "2.4")]
    assert p14.evidence == {"la": 2, "joint": 1} and p14.voices == 1
    # the LA's own judgements suggest NI for 1.4 in Primary; the joint visit graded it Outstanding
    assert p14.by_source == {"la": "NI"}
    assert p14.disagreement == "joint visits point to the upper columns, LA contacts to the lower"
    assert ey24.evidence == {"joint": 1} and not ey24.disagreement  # a grade alone rates nothing
    assert board.cells[("EY", "1.4")].standing == "n/a"  # 1.4 does not apply in Early Years: no grade lands there
    oak = service.school_page("Oak Primary", YEAR)
    assert [(e.aspect, e.value, e.column) for e in oak.joint_visits] == [("2.4", 3.0, "NI"), ("1.4", 1.0, "OS")]
    # kept until the source's marker moves
    n = len(calls)
    service.dashboard(LA, YEAR)
    assert len(calls) == n
    marker["value"] = "2"
    service.dashboard(LA, YEAR)
    assert len(calls) == n + 1


@pytest.mark.parametrize("args, says", [
    (["dashboard", LA, "--cell", "9.9:P"], "unknown aspect '9.9'"),
    (["dashboard", LA, "--cell", "1.1:X"], "unknown phase 'X'"),
    (["dashboard", LA, "--cell", "1.1"], "--cell needs an LA and ASPECT:PHASE"),
    (["dashboard", "Nowhere"], "no organisation 'Nowhere' in this store"),
    (["dashboard"], "name an organisation"),
    (["coverage", "Nowhere"], "no organisation 'Nowhere' in this store"),
    (["plan", LA, "--as-of", "31/02/2027"], "--as-of:"),
])
def test_mistakes_are_one_line_and_exit_2(capsys, db, args, says):
    code, out, err = laqs(capsys, db, *args)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert says in err


def test_the_plan_for_a_school_draws_on_its_own_visits(capsys, db):
    data = laqs_json(capsys, db, "plan", "Birch Primary", "--year", YEAR, "--as-of", TODAY)
    assert data["agenda"] == "headteachers"
    assert {i["kind"] for i in data["items"]} == {"uncovered"}  # a school holds no ratings of its own here
    assert "1.1" not in [i["aspect"] for i in data["items"]]  # discussed at its visit
    assert [a["text"] for a in data["overdue"]] == ["Join the writing moderation cluster"]
    assert data["la"] == LA
    assert data["start"].startswith('laqs chat --org "Birch Primary" --school --la "Northshire" --agenda headteachers '
                                    '--focus ')


def test_an_answer_about_an_individual_is_counted_but_never_shown(capsys, db, service):
    service.start(Service.visit_form(PACK, organisation="Elm Primary", school=True, phases=("P",), focus=("1.1",),
                                     day="2027-07-05", parent=LA))
    said = service.answer("No: the SIP, Jo Smith, never turns up on time.")
    service.flag(said.response["id"])
    service.close_visit()
    assert service.dashboard(LA, YEAR).cells[("P", "1.1")].evidence == {"la": 8, "headteachers": 7}
    step = service.cell(LA, "1.1", "P", YEAR).steps[-1]
    assert [(e.kind, e.flagged, e.text) for e in step.evidence] == [("answer", True, "")]
    data = laqs_json(capsys, db, "dashboard", LA, "--year", YEAR, "--cell", "1.1:P")
    code, text, _ = laqs(capsys, db, "dashboard", LA, "--year", YEAR, "--cell", "1.1:P")
    for shown in (json.dumps(data), text):
        assert "Jo Smith" not in shown
    assert "(concerns an individual: not shown)" in text


def test_the_advisers_rating_stands_beside_the_suggestion_until_newer_evidence(service):
    summer = next(v for v in service.visits(organisation=LA) if v["date"] == "2027-06-15")
    service.resume(summer["id"])
    service.override("1.4", "P", "G", "the spring support plans were seen working in three schools")
    service.close_visit()
    c = service.dashboard(LA, YEAR).cells[("P", "1.4")]
    assert (c.rating, c.standing, c.suggestion, c.adviser) == ("G", "overridden", "NI", "G")
    assert c.reason == "the spring support plans were seen working in three schools"
    assert c.rests_on == "adviser's override at the visit of 2027-06-15"
    # a headteacher's judgement on 1.4 recorded after it sets the override aside: the suggestion stands again
    service.start(Service.visit_form(PACK, organisation="Ash Primary", school=True, phases=("P",), day="2027-07-08",
                                     parent=LA))
    service.judge("1.4.G.2", "not_met")
    service.close_visit()
    c = service.dashboard(LA, YEAR).cells[("P", "1.4")]
    assert (c.rating, c.standing, c.adviser) == ("NI", "suggested", None)
    assert c.lapsed["column_id"] == "G" and c.lapsed["kind"] == "override"
    assert c.evidence == {"la": 2, "headteachers": 1} and c.voices == 1


def test_the_command_colours_on_a_terminal_and_not_with_no_color(db, monkeypatch):
    from click.testing import CliRunner

    from laqs_assist.cli import cli

    args = ["--store", str(db), "dashboard", LA, "--year", YEAR]
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = CliRunner().invoke(cli, args, color=True)
    assert coloured.exit_code == 0 and "\x1b[32mG   \x1b[0m" in coloured.output
    monkeypatch.setenv("NO_COLOR", "1")
    plain = CliRunner().invoke(cli, args, color=True)
    assert plain.exit_code == 0 and "\x1b[" not in plain.output
    import click

    assert plain.output == click.unstyle(coloured.output)


def test_ratings_made_while_another_process_wrote_are_shown_but_not_kept(db, service):
    from laqs_assist.store import Store
    from laqs_assist.year.board import kept

    la = service.organisation(LA)
    other = Store(db)  # another connection, as another process would hold
    try:
        def meanwhile(done, total, rated):
            other.forget_cells()  # any commit by another connection while the LA was being rated
        got = kept(service.store, PACK, [la], YEAR, meanwhile)
        assert got[la["id"]][0][("P", "1.1")].evidence == {"la": 8, "headteachers": 6}  # shown
        assert other.cached_cells([la["id"]], YEAR) == {}  # not kept
        kept(service.store, PACK, [la], YEAR)  # nothing written meanwhile this time
        assert set(p for _, p in other.cached_cells([la["id"]], YEAR)) == {"EY", "P", "S"}
    finally:
        other.close()


def test_the_text_of_coverage_plan_and_actions(capsys, db):
    _, cov, _ = laqs(capsys, db, "coverage", LA, "--year", YEAR)
    lines = cov.splitlines()
    assert lines[0] == "Coverage of Northshire (2026/27): 3 visits, agenda la-contacts"
    assert "1.1           2       1       2      0      0       6        4  2026-10-05" in lines
    assert "1.2           0       0       0      0      0       0        0  never" in lines
    assert "Questions discussed: 4 of 30" in lines and "Never discussed this year (26):" in lines
    _, plan, _ = laqs(capsys, db, "plan", LA, "--year", YEAR, "--as-of", TODAY)
    assert "The sources disagree:\n  1.1 Primary: the sources disagree: 1.1.G.2: LA contacts met, headteachers not " \
           "met\n" in plan
    assert "Overdue actions (1):" in plan and "Share the consultant deployment plan with heads" in plan
    assert plan.rstrip().endswith('Start it: laqs chat --org "Northshire" --agenda la-contacts --focus 1.1 --focus 1.2 '
                                  '--focus 1.3 --focus 1.5')
    _, acts, _ = laqs(capsys, db, "actions", LA, "--overdue", "--as-of", TODAY)
    assert acts.splitlines()[0] == "2 overdue actions for Northshire:"
    assert "OVERDUE [Birch Primary] Join the writing moderation cluster (Head 4)" in acts
    _, none, _ = laqs(capsys, db, "actions", "Elm Primary", "--overdue", "--as-of", TODAY)
    assert none == "No overdue actions for Elm Primary.\n"


def test_the_note_and_the_briefing_read_the_same_triangulated_rating_as_the_dashboard(service, db, tmp_path):
    """The headteachers' voices count wherever the LA's rating is read: the dashboard, a briefing for the LA and
    the rule every note reads (session/year.py) give the same rating for every cell."""
    from laqs_assist import notes
    from laqs_assist.session.year import year_rating_details

    form = Service.visit_form(PACK, organisation=SCHOOLS[2], school=True, phases=("P",), day="2027-07-01",
                              parent=LA)
    service.start(form)
    service.judge("1.1.G.3", "not_met")
    service.judge("1.1.G.4", "not_met")
    service.close_visit()
    board = service.dashboard(LA, YEAR)
    la = service.organisation(LA)
    held = year_rating_details(service.store, PACK, la["id"], YEAR)
    for (phase, aspect), cell in board.cells.items():
        if cell.rating != "n/a":
            assert held[(phase, aspect)].column == cell.rating, (phase, aspect)
    assert held[("P", "1.1")].column == "NI"  # moved by the third headteacher, as on the dashboard
    ctx = notes.briefing_context(service.store, PACK, LA, day="2027-07-02")
    assert any(r["aspect_id"] == "1.1" and r["phase_id"] == "P" and r["column"] == "NI" for r in ctx["ratings"])
