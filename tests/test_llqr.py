"""The Leadership and Learning Quality Review as a review pack, from the source's own words: its suggested
timetable for a team of two, its costs, the school's standards becoming the criteria of a framework made for the
school, evidence judged against them and pooled at collation, the report, and a broken review pack's one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx2python import docx2python

from laqs_assist.app.reviews import ReviewDesk, open_review_pack
from laqs_assist.errors import PackError, UsageError
from laqs_assist.packs.loader import load_any, load_pack
from laqs_assist.paths import interviews_dir
from laqs_assist.store import Store

LAQS = [sys.executable, "-m", "laqs_assist"]
PACK = open_review_pack("llqr")

# "Suggested timetables for day 1 and 2", as the source gives them (Session, Duration, Reviewer 1, Reviewer 2).
SOURCE_DAY_1 = """\
1	45 minutes	Meeting with middle/senior leader(s): What are the Quality Standards for Assessment?	Meeting with middle/senior leader(s): What are the Quality Standards for Teaching and Learning?
2	45 minutes	Meeting with middle/senior leader(s): What are the Quality Standards for the Curriculum?	Meeting with middle/senior leader(s): What are the Quality Standards for Leadership and Management?
Break	15 minutes
3	45 minutes	Review of improvement planning related to Assessment	Review of improvement planning related to Teaching and Learning
4	45 minutes	Review of improvement planning related to the Curriculum	Review of improvement planning related to Leadership and Management
5	45 minutes	Collation and synthesis	Collation and synthesis
Working lunch	60 minutes
6	60 minutes	Pupil interviews	Lesson Observations
7	60 minutes	Analysis of data	Lesson Observations"""
SOURCE_DAY_2 = """\
1	45 minutes	Lesson Observations	Lesson Observations
2	45 minutes	Lesson Observations	Lesson Observations
Break	15 minutes
3	45 minutes	Lesson Observations	Teacher interviews
4	45 minutes	Lesson Observations	Lesson observations
5	45 minutes	Work sample	Work sample
Working lunch	60 minutes
6	60 minutes	Collation and synthesis	Collation and synthesis
7	60 minutes	Verbal feedback	Verbal feedback"""


def source_rows(table: str) -> list[tuple]:
    return [tuple(line.split("\t")) for line in table.splitlines()]


def pack_rows(day) -> list[tuple]:
    out = []
    for s in day.slots:
        if s.is_break:
            out.append((s.label, f"{s.minutes} minutes"))
        else:
            out.append((s.session, f"{s.minutes} minutes", *(a.text for a in s.activities)))
    return out


def plan_rows(plan, day: int) -> list[tuple]:
    out = []
    for r in plan.day_rows(day):
        if not r.session:
            out.append((r.label, f"{r.minutes} minutes"))
        else:
            out.append((r.session, f"{r.minutes} minutes", *(a.text for a in r.activities)))
    return out


@pytest.fixture()
def desk(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    yield ReviewDesk(store, PACK)
    store.close()


# --- the timetable -----------------------------------------------------------------------------------------------


def test_the_pack_timetable_for_a_team_of_two_is_the_sources_day_1_and_day_2() -> None:
    days = PACK.timetable(2)
    assert [d.day for d in days] == [1, 2]
    assert pack_rows(days[0]) == source_rows(SOURCE_DAY_1)
    assert pack_rows(days[1]) == source_rows(SOURCE_DAY_2)


def test_a_reviews_day_plan_for_two_reproduces_the_source_with_times_and_each_reviewers_activity(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    plan = desk.day_plan(r["id"])
    assert plan.days == ("2026-12-10", "2026-12-11")
    assert plan_rows(plan, 1) == source_rows(SOURCE_DAY_1)
    assert plan_rows(plan, 2) == source_rows(SOURCE_DAY_2)
    # the durations add up to a day from 09:00 to 16:00, breaks included
    day1 = plan.day_rows(1)
    assert (day1[0].starts, day1[2].starts, day1[2].ends, day1[6].starts, day1[-1].ends) == \
        ("09:00", "10:30", "10:45", "13:00", "16:00")
    ann = [a.kind for _, a in plan.reviewer_sessions(1, 1)]
    raj = [a.kind for _, a in plan.reviewer_sessions(2, 1)]
    assert ann == ["interview", "interview", "planning", "planning", "collation", "pupils", "data"]
    assert raj == ["interview", "interview", "planning", "planning", "collation", "observation", "observation"]
    assert [a.area for _, a in plan.reviewer_sessions(1, 1)][:4] == ["A", "C", "A", "C"]
    assert [a.name for a in plan.day_rows(2)[0].activities] == ["Ann Lee", "Raj Patel"]


def test_a_larger_team_joins_the_named_reviewers_and_a_team_of_one_is_refused(desk) -> None:
    r = desk.start("Elm School", ["A One", "B Two", "C Three"], ["2026-12-10"])
    plan = desk.day_plan(r["id"])
    first = plan.day_rows(1)[0]
    assert [(a.name, a.joins) for a in first.activities] == [("A One", 0), ("B Two", 0), ("C Three", 1)]
    assert first.activities[2].text == first.activities[0].text
    with pytest.raises(UsageError, match="team of 2 or more"):
        desk.start("Elm School", ["A One"], ["2026-12-10"])


def test_the_day_plan_is_editable_and_a_new_team_size_gets_the_suggestion_afresh(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"], day_starts="08:45")
    plan = desk.edit_plan(r["id"], 2, "4", reviewer="raj", text="Lesson observations: Year 6 writing")
    assert plan.day_rows(2)[4].activities[1].text == "Lesson observations: Year 6 writing"
    plan = desk.edit_plan(r["id"], 1, "Break", minutes=20)
    assert (plan.day_rows(1)[2].starts, plan.day_rows(1)[2].ends, plan.day_rows(1)[3].starts) == \
        ("10:15", "10:35", "10:35")
    plan = desk.edit_plan(r["id"], 1, "6", reviewer="1", kind="teachers")
    assert plan.day_rows(1)[7].activities[0].text == "Talking to teachers"
    with pytest.raises(UsageError, match="no session '9' on day 1"):
        desk.edit_plan(r["id"], 1, "9", minutes=30)
    with pytest.raises(UsageError, match="not one of the team"):
        desk.edit_plan(r["id"], 1, "6", reviewer="Zed", text="x")
    desk.set_team(r["id"], ["Ann Lee", "Raj Patel", "Sue Grey"])
    plan = desk.day_plan(r["id"])
    assert len(plan.day_rows(2)[4].activities) == 3
    assert plan.day_rows(2)[4].activities[1].text == "Lesson observations"  # the suggestion again


# --- the cost ----------------------------------------------------------------------------------------------------


def test_cost_of_stages_1_to_3_and_1_to_5() -> None:
    total, lines = PACK.cost(["1", "2", "3"], 2)
    assert total == 5.5
    assert lines[0].startswith("Stage 1: 0 days. There is no charge for stage 1")
    assert "which includes the writing of the report" in lines[1]
    assert PACK.cost(["1", "2", "3", "4", "5"], 2)[0] == 8.0
    assert PACK.cost(["1"], 2)[0] == 0
    # stages 4 and 5 are priced together: either alone costs the 2.5 days the source gives for both
    assert PACK.cost(["1", "2", "3", "4"], 2)[0] == 8.0
    # a third reviewer adds two days on site to stages 2 and 3
    assert PACK.cost(["1", "2", "3"], 3)[0] == 7.5


def test_cost_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "LAQS_STORE": str(tmp_path / "s.db")}
    out = subprocess.run(LAQS + ["review", "cost"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip().endswith("In all: 5.5 days")
    out = subprocess.run(LAQS + ["review", "cost", "--stages", "1-5"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip().endswith("In all: 8 days")
    out = subprocess.run(LAQS + ["review", "cost", "--stages", "1-7"], capture_output=True, text=True, env=env)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "no stage '6'" in out.stderr


def test_a_review_chooses_its_stages(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    assert r["stages"] == ["1", "2", "3"] and desk.cost(r["id"])[0] == 5.5
    assert desk.set_stages(r["id"], ["1", "2", "3", "4", "5"])["stages"] == ["1", "2", "3", "4", "5"]
    assert desk.cost(r["id"])[0] == 8.0
    with pytest.raises(UsageError, match="stage 2 .* is part of every review"):
        desk.set_stages(r["id"], ["1", "3"])


# --- the school's standards as criteria, and evidence against them ------------------------------------------------


def test_interview_answers_become_the_schools_standards_versioned_with_the_review(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    row = desk.interview(r["id"], "A", "Ann", "- Marking gives pupils next steps\n- Pupils know their targets",
                         interviewees="Deputy head", day=1, session="1")
    assert row["standards"] == ["A.1", "A.2"]
    desk.interview(r["id"], "TL", "2", "1. Every lesson builds on what pupils know")
    fw = desk.framework(r["id"])
    assert fw["id"].startswith("llqr-oak-primary-") and fw["version"] == 3
    crit = {a["id"]: [(c["id"], c["text"]) for c in a["criteria"]] for a in fw["areas"]}
    assert crit["A"] == [("A.1", "Marking gives pupils next steps"), ("A.2", "Pupils know their targets")]
    assert crit["TL"] == [("TL.1", "Every lesson builds on what pupils know")]
    assert crit["C"] == [] and crit["LM"] == []
    desk.revise_standard(r["id"], "a.1", "Marking gives every pupil next steps they act on")
    desk.revise_standard(r["id"], "A.2", withdraw=True)
    now = desk.framework(r["id"])
    assert now["version"] == 5
    assert [(c["id"], c["text"], c["version"]) for c in now["areas"][0]["criteria"]] == \
        [("A.1", "Marking gives every pupil next steps they act on", 2)]
    then = desk.framework(r["id"], as_of=3)
    assert [c["text"] for c in then["areas"][0]["criteria"]] == ["Marking gives pupils next steps",
                                                                 "Pupils know their targets"]
    with pytest.raises(UsageError, match="cannot give the school's standards"):
        desk.interview(r["id"], "C", "1", "Mr X says …", flagged=True)


def test_evidence_by_either_reviewer_is_judged_against_the_standards_and_pooled_at_collation(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    desk.interview(r["id"], "A", "Ann", "Marking gives pupils next steps\nPupils know their targets")
    desk.interview(r["id"], "TL", "Raj", "Lessons are purposeful")
    desk.evidence(r["id"], "A.1", "observation", "Raj", "evident", "Year 4: next steps in every book", 1, "6")
    desk.evidence(r["id"], "A.1", "pupils", "Ann", "evident", "Pupils explained their next steps", 1, "6")
    desk.evidence(r["id"], "A.2", "pupils", "Ann", "partly", "Some pupils knew their targets", 1, "6")
    desk.evidence(r["id"], "TL.1", "observation", "Raj", "not evident", "Two lessons drifted", 1, "7")
    first = {s.code: s for s in desk.standings(r["id"])}
    assert first["A.1"].suggested == "evident" and first["A.1"].by_reviewer == {2: 1, 1: 1}
    assert first["A.2"].suggested == "partly" and first["TL.1"].suggested == "not-evident"
    assert all(s.pooled == 0 and s.agreed is None for s in first.values())
    c = desk.collate(r["id"], 1, "5")
    assert c["pooled"] == 4
    after = {s.code: s for s in desk.standings(r["id"])}
    assert (after["A.1"].agreed, after["A.2"].agreed, after["TL.1"].agreed) == ("evident", "partly", "not-evident")
    # day 2: more evidence, a mixed picture for A.1, and the team's own finding for TL.1
    desk.evidence(r["id"], "A.1", "work-sample", "Raj", "not-evident", "Year 6 books: no next steps", 2, "5")
    c = desk.collate(r["id"], 2, "6", agree={"TL.1": "partly"})
    assert c["pooled"] == 1
    final = {s.code: s for s in desk.standings(r["id"])}
    assert final["A.1"].counts == {"evident": 2, "partly": 0, "not-evident": 1}
    assert final["A.1"].agreed == "partly" and final["TL.1"].agreed == "partly"
    assert final["TL.1"].suggested == "not-evident"  # the evidence alone; the team decided otherwise
    with pytest.raises(UsageError, match="no standard 'C.1'"):
        desk.evidence(r["id"], "C.1", "observation", "Ann", "evident", "x")
    with pytest.raises(UsageError, match="not on the scale"):
        desk.evidence(r["id"], "A.1", "observation", "Ann", "mostly", "x")
    with pytest.raises(UsageError, match="not a kind of evidence"):
        desk.evidence(r["id"], "A.1", "gossip", "Ann", "evident", "x")


def test_rich_priorities_are_actions_with_owners_and_need_stage_4(desk) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    with pytest.raises(UsageError, match="rich priorities are stage 4"):
        desk.priority(r["id"], "Pupils act on feedback", "Mrs Khan")
    desk.set_stages(r["id"], ["1", "2", "3", "4"])
    a = desk.priority(r["id"], "Pupils act on feedback", "Mrs Khan", "2027-03-31", "A", "SLE for assessment")
    actions = desk.store.actions(r["id"])
    assert [(x["text"], x["owner"], x["due_date"], x["aspect_id"]) for x in actions] == \
        [("Pupils act on feedback", "Mrs Khan", "2027-03-31", "A")]
    assert desk.store.priorities(r["id"])[0]["support"] == "SLE for assessment" and a["id"] == actions[0]["id"]
    with pytest.raises(UsageError, match="needs an owner"):
        desk.priority(r["id"], "Another", " ")


# --- the report ----------------------------------------------------------------------------------------------------


def test_the_report_holds_the_sections_and_leaves_out_what_concerns_an_individual(desk, tmp_path: Path) -> None:
    r = desk.start("Oak & <Primary>", ["Ann Lee", "Raj Patel"], ["2026-12-10"], stages=["1", "2", "3", "4"])
    desk.discuss(r["id"], "Focus on writing in Key Stage 2", "2026-11-20", "the head teacher and the Chair of "
                 "Governors", ["A", "TL"], ["English"])
    desk.interview(r["id"], "A", "Ann", "Marking gives pupils next steps", interviewees="Deputy head")
    desk.interview(r["id"], "TL", "Raj", "Mr Black's lessons are weak", flagged=True, standards=[])
    desk.evidence(r["id"], "A.1", "observation", "Raj", "evident", "Year 4 books show next steps")
    desk.evidence(r["id"], "A.1", "observation", "Raj", "not-evident", "Ms Grey's marking is poor", flagged=True)
    desk.collate(r["id"], 2, "6")
    desk.note(r["id"], "leadership", "Leaders have made feedback a shared priority", "A")
    desk.note(r["id"], "judgement", "Feedback is strong in lower Key Stage 2 ✅\x07 {{ 7*7 }} שלום")
    desk.note(r["id"], "recommendation", "Share Year 4's practice across the school")
    desk.note(r["id"], "question", "How will leaders know pupils act on next steps?")
    desk.note(r["id"], "point", "Consider moderation with a partner school")
    desk.priority(r["id"], "Pupils act on feedback in every class", "Mrs Khan", "2027-03-31", "A", "an SLE")
    out = Path(desk.write_report(r["id"], str(tmp_path / "report.docx")))
    with docx2python(out) as doc:
        text = doc.text
    for words in ("Leadership and Learning Quality Review", "Oak & <Primary>", "10 to 11 December 2026",
                  "The school's view of quality", "Marking gives pupils next steps", "Interviewed: Deputy head",
                  "The effectiveness of leadership in establishing and developing this",
                  "Leaders have made feedback a shared priority", "The extent to which this is evident",
                  "Year 4 books show next steps", "Judgements and recommendations",
                  "Share Year 4's practice", "Questions and points for consideration",
                  "How will leaders know pupils act on next steps?", "Consider moderation", "Rich priorities",
                  "Pupils act on feedback in every class", "Mrs Khan", "31 March 2027", "8 days", "English",
                  "Focus on writing in Key Stage 2", "Collation and synthesis"):
        assert words in text, words
    assert "Mr Black" not in text and "Ms Grey" not in text
    assert "Feedback is strong in lower Key Stage 2 ✅ {{ 7*7 }} שלום" in text  # text Word cannot hold still goes
    # the standard's finding rests on the evidence that may be shared: one evident observation
    extent = text.split("The extent to which this is evident\n")[1].split("Judgements and recommendations")[0]
    assert "1 evident" in extent and "1 not evident" not in extent


def test_a_report_is_not_written_over_without_force(desk, tmp_path: Path) -> None:
    r = desk.start("Oak Primary", ["Ann Lee", "Raj Patel"], ["2026-12-10"])
    out = tmp_path / "r.docx"
    desk.write_report(r["id"], str(out))
    with pytest.raises(UsageError, match="exists already"):
        desk.write_report(r["id"], str(out))
    assert Path(desk.write_report(r["id"], str(out), overwrite=True)).exists()


# --- the pack --------------------------------------------------------------------------------------------------------


def test_the_review_pack_checks_and_a_framework_loader_refuses_it_in_one_line() -> None:
    out = subprocess.run(LAQS + ["packs", "check", str(interviews_dir() / "llqr")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: llqr — a review: 5 stages, 4 areas, 7 kinds of evidence, a 2-day timetable "
                                 "(14 sessions for 2 reviewers)")
    with pytest.raises(PackError, match=r"llqr/pack.yaml:2: this is a review pack"):
        load_pack(interviews_dir() / "llqr")
    out = subprocess.run(LAQS + ["--pack", "llqr", "chat", "--org", "X"], capture_output=True, text=True,
                         input="/quit\n")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "review pack" in out.stderr


BROKEN = [
    ("timetable.yaml", "area: A, text: \"Meeting", "area: Q, text: \"Meeting", "timetable.yaml:15: unknown area 'Q'"),
    ("timetable.yaml", "{kind: pupils, text: Pupil interviews}", "{kind: gossip, text: Pupil interviews}",
     "timetable.yaml:42: unknown activity 'gossip'"),
    ("timetable.yaml", "      - {break: Break, minutes: 15}\n      - session: \"3\"",
     "      - {break: Break, minutes: 0}\n      - session: \"3\"", "timetable.yaml:22: 'minutes' must be between"),
    ("timetable.yaml", "reviewers: 2", "reviewers: 3", "timetable.yaml:14: session 1 of day 1 gives 2 reviewers'"),
    ("timetable.yaml", "  - day: 2", "  - day: 3", "timetable.yaml:49: day 3 is out of order (expected day 2)"),
    ("pack.yaml", "day_starts: \"09:00\"", "day_starts: \"9 o'clock\"", "pack.yaml:14: 'day_starts' must be a time"),
    ("pack.yaml", "  - stages: [\"4\", \"5\"]", "  - stages: [\"3\", \"5\"]", "pack.yaml:79: stage '3' is priced twice (also on line 70)"),
    ("pack.yaml", "  - {id: evident, label: Evident}\n  - {id: partly, label: Partly evident}\n", "",
     "pack.yaml:111: 'extent' needs at least two points (best first)"),
    ("pack.yaml", "title: Leadership and Learning Quality Review\n", "colour: blue\n",
     "pack.yaml:3: unknown field 'colour'"),
]


@pytest.mark.parametrize("name,old,new,expected", BROKEN)
def test_a_broken_review_pack_is_one_line_naming_file_and_line(tmp_path: Path, name, old, new, expected) -> None:
    folder = shutil.copytree(interviews_dir() / "llqr", tmp_path / "llqr")
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text, old
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    out = subprocess.run(LAQS + ["packs", "check", str(folder)], capture_output=True, text=True)
    assert out.returncode == 2, out.stdout
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert expected in out.stderr, out.stderr


def test_a_review_pack_without_its_timetable_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(interviews_dir() / "llqr", tmp_path / "llqr")
    (folder / "timetable.yaml").unlink()
    with pytest.raises(PackError, match="timetable.yaml"):
        load_any(folder)


def test_the_shipped_review_template_checks_and_a_review_is_left_out_of_notes_of_visit(tmp_path: Path) -> None:
    from laqs_assist.paths import templates_dir

    out = subprocess.run(LAQS + ["templates", "check", str(templates_dir() / "review-report.docx")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok as a review-report template — 0 refused, 0 unknown, 0 missing" in out.stdout
    env = {**os.environ, "LAQS_STORE": str(tmp_path / "s.db"), "LAQS_CACHE": str(tmp_path / "cache")}
    run = subprocess.run(LAQS + ["chat", "--org", "Any Borough", "--phase", "P", "--date", "2026-12-01"],
                         capture_output=True, text=True, env=env, input="We meet termly\n/quit\n")
    assert run.returncode == 0, run.stderr
    run = subprocess.run(LAQS + ["review", "start", "Oak Primary", "--reviewer", "A", "--reviewer", "B", "--day",
                                 "2026-12-10"], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    run = subprocess.run(LAQS + ["export", "--from", "2026-09-01", "--to", "2027-08-31", "--out",
                                 str(tmp_path / "notes")], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert len(list((tmp_path / "notes").glob("*.docx"))) == 1
    ref = subprocess.run(LAQS + ["review", "list", "--json"], capture_output=True, text=True, env=env).stdout
    import json

    review_id = json.loads(ref)[0]["id"]
    run = subprocess.run(LAQS + ["note", review_id[:8], "--out", str(tmp_path / "x.docx")], capture_output=True,
                         text=True, env=env)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "open it with `laqs review`" in run.stderr


MISUSE = [
    (["review", "start", "Oak", "--reviewer", "Ann", "--day", "2026-12-10"], "a team of 2 or more"),
    (["review", "start", "Oak", "--reviewer", "A", "--reviewer", "B", "--day", "10/12/2026"], "is not a date"),
    (["review", "start", "Oak", "--reviewer", "A", "--reviewer", "B", "--day", "2026-12-10", "--day", "2026-12-11",
      "--day", "2026-12-12"], "the review takes 2 days"),
    (["review", "start", "Oak", "--reviewer", "A", "--reviewer", "a", "--day", "2026-12-10"], "same name"),
    (["review", "start", "Oak", "--reviewer", "A", "--reviewer", "B", "--day", "2026-12-10", "--area", "Z"],
     "no area 'Z'"),
    (["review", "start", "Oak", "--reviewer", "A", "--reviewer", "B", "--day", "2026-12-10", "--starts", "9am"],
     "not a time of day"),
    (["review", "show", "nope"], "no review 'nope'"),
    (["review", "plan", "last", "--reviewer", "Zed"], "not one of the team"),
    (["review", "evidence", "last", "A.1", "evident", "--reviewer", "1"], "give CODE EXTENT WORDS"),
    (["review", "collate", "last", "--agree", "A.1"], "--agree takes CODE=EXTENT"),
    (["review", "priority", "last", "Something", "--owner", "X"], "rich priorities are stage 4"),
    (["review", "edit-plan", "last", "--day", "1", "--session", "1"], "say what to change"),
    (["review", "edit-plan", "last", "--day", "3", "--session", "1", "--minutes", "30"], "the review has days 1 to 2"),
    (["review", "interview", "last", "--reviewer", "A", "--answer", "x"], "give its --area"),
    (["review", "stages", "last", "2", "3"], "stage 1 (Initial discussion) is part of every review"),
]


@pytest.mark.parametrize("args,expected", MISUSE)
def test_a_mistake_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path, args, expected) -> None:
    env = {**os.environ, "LAQS_STORE": str(tmp_path / "s.db"), "LAQS_CACHE": str(tmp_path / "cache")}
    if args[1] != "start":
        made = subprocess.run(LAQS + ["review", "start", "Oak Primary", "--reviewer", "Ann", "--reviewer", "Raj",
                                      "--day", "2026-12-10"], capture_output=True, text=True, env=env)
        assert made.returncode == 0, made.stderr
    out = subprocess.run(LAQS + args, capture_output=True, text=True, env=env)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert expected in out.stderr, out.stderr
