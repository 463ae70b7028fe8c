"""The scripted year with its two joint visits (Appendix 5): three visits to an LA, four headteacher visits to its
schools, and two joint visits with the SIP to two of them. Afterwards the dashboard counts the joint visits'
grades as evidence by source for the aspects their sections name, a cell's year shows each joint visit as a step,
the schools' pages list them, each SIP's grades per section are there for the adviser (and nowhere shared), and
coverage, the plan and the actions still say what the interviews recorded."""

from __future__ import annotations

import json
import shutil

import pytest
from year_script import LA, SCHOOLS, TODAY, YEAR, record_year

from laqs_assist.app.service import Service
from laqs_assist.cli import main
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path

PACK = load_pack(default_pack_path())
SIP = "Chris Adviser"


def record_joint_visits(service: Service) -> None:
    """Two joint visits with the same SIP: Oak Primary in March (challenge graded 2, target setting 3) and Ash
    Primary in May (challenge graded 1); both ended."""
    jv = service.joint()
    for school, day, grades in ((SCHOOLS[0], "2027-03-20", {"jv.challenge": "2", "jv.targets": "3"}),
                                (SCHOOLS[1], "2027-05-20", {"jv.challenge": "1"})):
        jv.start(school=school, la=LA, day=day, sip=SIP, author="Sam Lowe")
        for section, grade in grades.items():
            jv.set(f"{section}:grade", grade)
            jv.set(f"{section}:evidence", f"Seen at {school}: the SIP's challenge on the data was sharp.")
        jv.set("header:ssia", "Dee Senior")
        jv.end()
        jv.close()


@pytest.fixture(scope="module")
def year_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("year-joint") / "laqs.db"
    record_year(path)
    with Service.at(default_pack_path(), path, PACK) as s:
        s.today = TODAY
        record_joint_visits(s)
    return path


@pytest.fixture()
def service(year_store, tmp_path):
    dest = tmp_path / "laqs.db"
    shutil.copy(year_store, dest)
    with Service.at(default_pack_path(), dest, PACK) as s:
        s.today = TODAY
        yield s


def test_the_dashboard_counts_the_joint_visits_grades_by_source(service):
    board = service.dashboard(LA, YEAR)
    challenge = board.cells[("P", "2.2")]
    targets = board.cells[("P", "1.5")]
    assert challenge.evidence.get("joint") == 2 and targets.evidence.get("joint") == 1
    # the interviews' evidence is still there beside it, and the one disagreement between sources still flagged
    assert board.cells[("P", "1.1")].evidence.get("la") and board.cells[("P", "1.1")].evidence.get("headteachers")
    assert board.cells[("P", "1.1")].disagrees


def test_a_cells_year_shows_each_joint_visit_and_never_the_sip(service):
    detail = service.cell(LA, "2.2", "P", YEAR)
    joint = [s for s in detail.steps if s.source == "joint"]
    assert [(s.date, s.organisation) for s in joint] == [("2027-03-20", SCHOOLS[0]), ("2027-05-20", SCHOOLS[1])]
    grades = [(e.kind, e.value, e.column) for s in joint for e in s.evidence]
    assert grades == [("grade", 2.0, "G"), ("grade", 1.0, "OS")]
    assert SIP not in json.dumps(detail.to_dict() if hasattr(detail, "to_dict") else repr(detail))


def test_the_schools_pages_list_their_joint_visits(service):
    oak = service.school_page(SCHOOLS[0], YEAR)
    assert {e.aspect for e in oak.joint_visits} == {"2.2", "1.5"}
    assert service.school_page(SCHOOLS[2], YEAR).joint_visits == ()


def test_each_sips_grades_per_section_for_the_adviser(service, capsys):
    code = main(["--store", str(service.store.path), "joint-visits", "--year", YEAR, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    mine = next(row for row in out if row["sip"] == SIP)
    assert [(v["school"], v["status"]) for v in mine["visits"]] == [(SCHOOLS[0], "ended"), (SCHOOLS[1], "ended")]
    challenge = next(sec for sec in mine["sections"] if sec["id"] == "jv.challenge")
    assert [g["grade"] for g in challenge["grades"]] == [2, 1] and challenge["aspect"] == "2.2"


def test_an_ended_joint_visit_stays_ended_when_it_is_closed(service):
    """Closing the form after ending it (as leaving the screen does) never pauses it again."""
    rows = [r for r in service.joint_visit_rows() if r["organisation"] in SCHOOLS[:2]]
    assert len(rows) == 2 and all(r["status"] == "ended" for r in rows)


def test_coverage_plan_and_actions_still_say_what_the_interviews_recorded(service):
    coverage = service.coverage(LA, YEAR)
    assert coverage.aspects_never and "1.1" not in coverage.aspects_never
    plan = service.plan(LA)
    assert plan.items and plan.overdue
    assert any(a["text"].startswith("Share the consultant deployment plan")
               for a in service.actions_across_year(LA, "overdue"))
