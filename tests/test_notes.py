"""Notes of visit and briefings: what the note says, where it goes, the quality check, the CLI commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from docx2python import docx2python

from laqs_assist import notes
from laqs_assist.cli import main
from laqs_assist.errors import UsageError
from laqs_assist.notes.context import NOT_RATED, plain, short_title
from laqs_assist.notes.quality import TIMELY_WORKING_DAYS, working_days_between
from laqs_assist.notes.render import NoteExists
from laqs_assist.notes.sample import build_sample
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
TODAY = date.today()
CRITERION_ID = re.compile(r"\b\d\.\d\.(OS|G|NI|SI)\.\d+\b")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "laqs.db") as s:
        yield s


@pytest.fixture
def sample(store):
    return build_sample(store, PACK)


def text_of(path: Path) -> str:
    with docx2python(path) as d:
        return d.text


def start(store, **kw) -> Session:
    args = dict(agenda_id="la-contacts", organisation="Any Borough", phases=["P"], focus=["2.4"],
                author="Sam Adviser", purpose="Autumn visit", people=[("Lee Officer", "head of SI")])
    args.update(kw)
    return Session.start(store, PACK, **args)


# --- what the note says ---------------------------------------------------------------------------------------------


def test_note_leaves_out_responses_concerning_an_individual(store, sample, tmp_path):
    result = notes.write_note(store, PACK, sample["visit_id"], tmp_path / "n.docx")
    body = text_of(result.path)
    assert sample["flagged_text"] not in body
    assert "The headteacher described how the LA's support on" in body
    shared = store.responses(sample["visit_id"], shared_only=True)
    every = store.responses(sample["visit_id"])
    assert len(every) == len(shared) + 1
    for r in shared:
        assert r["text"] in body
    ctx = result.context
    assert sample["flagged_text"] not in json.dumps(ctx, ensure_ascii=False)


def test_flagging_after_the_note_changes_the_next_note(store, tmp_path):
    s = start(store)
    s.answer("The head of SI praised a named adviser's weak report writing.")
    s.note("Reports reach the risk register within a week.", "2.4")
    first = text_of(notes.write_note(store, PACK, s.id, tmp_path / "a.docx").path)
    assert "named adviser" in first
    s.flag(store.responses(s.id)[0]["id"])
    second = text_of(notes.write_note(store, PACK, s.id, tmp_path / "b.docx").path)
    assert "named adviser" not in second and "risk register within a week" in second


def test_header_purpose_focus_and_people(store, sample, tmp_path):
    body = text_of(notes.write_note(store, PACK, sample["visit_id"], tmp_path / "n.docx").path)
    for expected in ("Note of visit", "Sample Primary School", "Sample Borough",
                     PACK.agendas["headteachers"].title, "Pat Head (headteacher)", "Chris Chair (chair of governors)",
                     "Sam Adviser", "Follow-up visit on the use of intelligence and support",
                     f"{TODAY.day} {TODAY:%B %Y}"):
        assert expected in body, expected
    for a in sample["aspects"]:
        assert f"{short_title(PACK.aspects[a].title)} ({a})" in body


def test_ratings_use_the_seed_vocabulary_with_override_and_self_evaluation(store, sample):
    ctx = notes.note_context(store, PACK, sample["visit_id"])
    first, second = sample["aspects"]
    rows = {r["aspect_id"]: r for r in ctx["ratings"]}
    assert rows[first]["rating"] == "Good, effective" and rows[first]["overridden"]
    assert "the evidence seen on the day supports Good" in rows[first]["basis"]
    assert rows[second]["rating"] == PACK.column(rows[second]["column"]).note
    assert rows[second]["self_evaluation"] == "Outstanding, highly effective"
    assert rows[second]["self_evaluation_differs"]
    assert "Criteria met:" in rows[second]["basis"]
    aspect = next(a for a in ctx["aspects"] if a["id"] == second)
    # plain sentences from the criteria: no ids, a full stop
    assert aspect["strengths"] and not any(CRITERION_ID.search(s) for s in aspect["strengths"])
    assert all(s.endswith(".") and s[0].isupper() for s in aspect["strengths"])
    assert aspect["development"]
    assert any("Outstanding, highly effective" in line for line in aspect["self_evaluation"])


def test_not_applicable_and_not_yet_rated(store, tmp_path):
    s = start(store, phases=["EY", "P"], focus=["2.2"])
    s.note("Nothing judged yet on 2.2.", "2.2")
    ctx = notes.note_context(store, PACK, s.id)
    rows = {r["phase_id"]: r for r in ctx["ratings"] if r["aspect_id"] == "2.2"}
    assert rows["EY"]["rating"] == "N/A" and not rows["EY"]["applies"]
    assert rows["P"]["rating"] == NOT_RATED
    body = text_of(notes.write_note(store, PACK, s.id, tmp_path / "n.docx").path)
    assert "N/A" in body and NOT_RATED in body


def test_capped_rating_names_what_caps_it(store):
    s = start(store)
    crit = next(c for c in PACK.aspects["2.4"].criteria if c.column == "SI" and c.critical and c.kind == "statement")
    s.judge(crit.id, "met")
    ctx = notes.note_context(store, PACK, s.id)
    row = ctx["ratings"][0]
    assert row["rating"] == PACK.column("SI").note
    assert crit.id in row["capped_by"] and crit.id in row["basis"]
    assert any(plain(crit.text)[1:].rstrip(".") in d and "holds the rating at Requires significant" in d
               for d in ctx["aspects"][0]["development"])
    assert not any(crit.id in d for d in ctx["aspects"][0]["development"])


def test_actions_and_progress_since_last_visit(store, sample, tmp_path):
    body = text_of(notes.write_note(store, PACK, sample["visit_id"], tmp_path / "n.docx").path)
    ctx = notes.note_context(store, PACK, sample["visit_id"])
    assert [a["text"] for a in ctx["actions"]] == ["Agree the next round of pupil progress meetings",
                                                   "Send the data dashboard to governors"]
    assert all(a["owner"] and a["due"] for a in ctx["actions"])
    statuses = {a["text"]: a["status"] for a in ctx["previous_actions"]}
    assert statuses == {"Share the revised assessment calendar with governors": f"Done ({TODAY.day} {TODAY:%B %Y})",
                        "Audit the reading scheme": "Open, overdue"}
    assert ctx["has_previous"] and ctx["previous_ref"] == sample["previous_visit_id"][:8]
    for text in list(statuses) + [a["text"] for a in ctx["actions"]] + ["Open, overdue", "Literacy lead"]:
        assert text in body
    assert any("still outstanding" in s for s in ctx["next_steps"])


def test_first_visit_says_so(store, tmp_path):
    s = start(store)
    body = text_of(notes.write_note(store, PACK, s.id, tmp_path / "n.docx").path)
    assert "This is the first recorded visit to Any Borough." in body
    assert "No actions were agreed at this visit." in body


def test_ratings_are_as_they_stood_at_the_visit(store):
    """A later visit's judgements do not rewrite an earlier note."""
    first = start(store, day="2026-10-01")
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    first.judge(g[0], "met")
    before = notes.note_context(store, PACK, first.id)["ratings"][0]["rating"]
    later = start(store, day="2026-10-20")
    crit = next(c for c in PACK.aspects["2.4"].criteria if c.column == "SI" and c.critical and c.kind == "statement")
    later.judge(crit.id, "met")
    assert notes.note_context(store, PACK, first.id)["ratings"][0]["rating"] == before
    assert notes.note_context(store, PACK, later.id)["ratings"][0]["rating"] == PACK.column("SI").note


# --- where it goes ---------------------------------------------------------------------------------------------------


def test_default_path_never_overwrites_and_force_replaces(store, sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = notes.write_note(store, PACK, sample["visit_id"])
    visit = store.visit(sample["visit_id"])
    assert first.path == Path("notes") / f"sample-primary-school-{visit['date']}-{visit['id'][:8]}.docx"
    first.path.write_bytes(b"edited by hand")
    with pytest.raises(NoteExists, match="exists already: use --force"):
        notes.write_note(store, PACK, sample["visit_id"])
    assert first.path.read_bytes() == b"edited by hand"
    again = notes.write_note(store, PACK, sample["visit_id"], overwrite=True)
    assert again.path == first.path and "Note of visit" in text_of(again.path)
    assert sorted(p.name for p in Path("notes").iterdir()) == [first.path.name]  # no temp file left


def test_out_may_be_a_folder_or_a_docx_name(store, sample, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    r = notes.write_note(store, PACK, sample["visit_id"], folder)
    assert r.path.parent == folder and r.path.suffix == ".docx"
    nested = notes.write_note(store, PACK, sample["visit_id"], tmp_path / "a" / "b" / "note.docx")
    assert nested.path.exists()
    with pytest.raises(UsageError, match="ending .docx"):
        notes.write_note(store, PACK, sample["visit_id"], tmp_path / "note.pdf")


def test_visit_by_prefix_and_last(store, sample, tmp_path):
    r = notes.write_note(store, PACK, sample["visit_id"][:8], tmp_path / "a.docx")
    assert r.context["visit_id"] == sample["visit_id"]
    with pytest.raises(UsageError, match="no visit"):
        notes.write_note(store, PACK, "zzzz", tmp_path / "b.docx")


def test_a_failed_render_leaves_no_file(store, sample, tmp_path):
    tpl = tmp_path / "bad.docx"
    doc = Document()
    doc.add_paragraph("{{ no_such_variable }}")
    doc.save(tpl)
    out = tmp_path / "out" / "n.docx"
    with pytest.raises(UsageError, match="no_such_variable"):
        notes.write_note(store, PACK, sample["visit_id"], out, template=tpl)
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_document_properties_are_escaped_once(store, tmp_path):
    s = start(store, organisation="Bath & <North> \"East\"")
    r = notes.write_note(store, PACK, s.id, tmp_path / "n.docx")
    props = Document(str(r.path)).core_properties
    assert props.subject.startswith('Note of visit: Bath & <North> "East", ')


# --- the quality check -----------------------------------------------------------------------------------------------


def test_working_days():
    friday = date(2026, 11, 20)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, date(2026, 11, 23)) == 1  # Monday
    assert working_days_between(friday, date(2026, 11, 27)) == 5
    assert working_days_between(friday, date(2026, 11, 30)) == 6
    assert working_days_between(date(2026, 11, 23), friday) == -1


def test_quality_checks_cover_the_seven_features(store, sample):
    checks = notes.quality_checks(store, PACK, sample["visit_id"])
    assert [c.feature for c in checks] == [c.feature for c in PACK.note_checks]
    assert len(checks) == 7  # the seven features of a good report, declared by the 2009 pack
    by = {c.feature: c for c in checks}
    assert by["timeliness"].status == "ok"
    assert by["identify the issues for action and a timescale"].status == "ok"
    assert by["provide a clear agenda for action"].status == "ok"
    assert by["have a clear agenda and format"].status == "ok"
    assert by["provide evidence of the challenge provided"].status == "ask"
    assert by["feed into the LA management information system and risk register"].status == "ask"
    assert all(c.line().count("\n") == 0 for c in checks)


def test_quality_checks_warn_on_late_notes_and_loose_actions(store):
    s = start(store, day=(TODAY - timedelta(days=21)).isoformat(), purpose="", people=[])
    s.answer("Reports are late.")
    s.add_action("Tighten the QA of SIP reports", "", None)
    s.add_action("Share the risk register", "Lee Officer", "2026-12-01")
    by = {c.feature: c for c in notes.quality_checks(store, PACK, s.id)}
    assert by["timeliness"].status == "warn" and f"within {TIMELY_WORKING_DAYS}" in by["timeliness"].message
    issues = by["identify the issues for action and a timescale"]
    assert issues.status == "warn" and "1 without an owner" in issues.message and "1 without a date" in issues.message
    assert by["have a clear agenda and format"].status == "warn"
    assert "not recorded: purpose, people present" in by["have a clear agenda and format"].message


def test_quality_check_flags_ratings_without_evidence_at_this_visit(store):
    first = start(store, day=(TODAY - timedelta(days=3)).isoformat())
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    first.judge(g[0], "met")
    first.note("Evidence on 2.4.", "2.4")
    later = start(store, focus=["2.4"])  # rated from the year's evidence, but nothing recorded today
    by = {c.feature: c for c in notes.quality_checks(store, PACK, later.id)}
    acc = by["accuracy and supported by evidence"]
    assert acc.status == "warn" and "2.4 Primary" in acc.message
    empty = start(store, organisation="Other LA", focus=["2.4"])
    by = {c.feature: c for c in notes.quality_checks(store, PACK, empty.id)}
    assert by["identify the issues for action and a timescale"].status == "warn"
    assert by["accuracy and supported by evidence"].status == "warn"


# --- the briefing ----------------------------------------------------------------------------------------------------


def test_briefing_picks_open_or_uncovered_aspects(store, sample, tmp_path):
    ctx = notes.briefing_context(store, PACK, sample["organisation"])
    agenda = PACK.agendas["headteachers"]
    chosen = {q["aspect_id"] for q in ctx["questions"]}
    uncovered = {s.aspect for s in agenda.sections} - set(sample["aspects"])
    # the elements not yet discussed with the school this year are listed by element for the SIP to choose from;
    # those on an issue (an open action, the LA's open rating) are set out question by question
    listed = {e["aspect_id"] for e in ctx["undiscussed"]}
    assert listed | chosen >= uncovered and not listed & chosen
    assert all(e["count"] and e["ids"].startswith("A4.") for e in ctx["undiscussed"])
    for q in ctx["questions"]:
        assert "an action agreed with the school" in q["why"] or "the LA's rating is still open" in q["why"]
    every = notes.briefing_context(store, PACK, sample["organisation"], all_questions=True)
    assert {q["aspect_id"] for q in every["questions"]} >= uncovered and every["undiscussed"] == []
    # a school is not rated against the LA's criteria
    assert ctx["ratings"] == [] and ctx["missing_evidence"] == []
    r = notes.write_briefing(store, PACK, sample["organisation"], tmp_path / "b.docx")
    body = text_of(r.path)
    for q in ctx["questions"]:
        assert q["text"] in body
    assert "Agree the next round of pupil progress meetings" in body  # the last visit's actions


def test_briefing_includes_the_las_open_rating(store, tmp_path):
    """The LA's rating below its ceiling makes its element an open issue at the LA's schools: the headteacher's
    experience is evidence for it; the school itself gets no rating."""
    la = start(store, organisation="Hill Borough", focus=["2.4"])
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    la.judge(g[0], "met")  # a suggestion below what the unknown criteria still allow
    la.end()
    s = start(store, agenda_id="headteachers", organisation="Hill School", kind="school", parent="Hill Borough",
              focus=["2.4"])
    s.answer("yes, reports are useful")
    ctx = notes.briefing_context(store, PACK, "Hill School")
    assert ctx["ratings"] == []
    standing = next(x for x in ctx["la_standing"] if x["aspect_id"] == "2.4")
    assert "could reach" in standing["line"]
    assert any(q["aspect_id"] == "2.4" and "the LA's rating is still open" in q["why"] for q in ctx["questions"])


def test_briefing_questions_by_id(store, sample, tmp_path):
    ctx = notes.briefing_context(store, PACK, sample["organisation"], questions=["A4.2.4.1", "A4.1.5.1"])
    assert [q["id"] for q in ctx["questions"]] == ["A4.2.4.1", "A4.1.5.1"]
    assert ctx["chosen_by"] == "the adviser"
    with pytest.raises(UsageError, match="not on the Appendix 4 agenda: A9.9"):
        notes.briefing_context(store, PACK, sample["organisation"], questions=["A9.9"])
    with pytest.raises(UsageError, match="no organisation 'Nowhere'"):
        notes.briefing_context(store, PACK, "Nowhere")


# --- the CLI ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    db = tmp_path / "laqs.db"
    monkeypatch.setenv("LAQS_STORE", str(db))
    monkeypatch.chdir(tmp_path)
    with Store(db) as s:
        info = build_sample(s, PACK)
    return info


def test_cli_note_writes_and_prints_the_check(cli_env, capsys):
    assert main(["note", "last"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote notes/sample-primary-school-")
    assert "Checked against the seven features of a good SIP report, quality standards 2009, aspect 2.4:" in out
    assert "seed" not in out
    assert out.count("timeliness") == 1 and "risk register" in out
    assert main(["note", "last"]) == 2
    assert "exists already: use --force" in capsys.readouterr().err
    assert main(["note", "last", "--force", "--out", "elsewhere/n.docx"]) == 0
    assert Path("elsewhere/n.docx").exists()
    assert main(["note", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no visit 'nope'" in err


def test_cli_note_help_says_where_the_note_goes():
    from click.testing import CliRunner

    from laqs_assist.cli import cli

    out = CliRunner().invoke(cli, ["note", "--help"]).output
    assert "notes/<organisation>-<visit date>-<visit id>.docx" in " ".join(out.split())


def test_cli_brief(cli_env, capsys):
    assert main(["brief", cli_env["organisation"], "--questions", "A4.2.4.1,A4.1.5.1", "--out", "b.docx"]) == 0
    assert "wrote b.docx" in capsys.readouterr().out
    body = text_of(Path("b.docx"))
    assert PACK.questions["A4.2.4.1"].text.split("\n")[0][:40] in body
    assert main(["brief", "Nowhere"]) == 2


def test_cli_export_names_each_failure_and_carries_on(cli_env, capsys, tmp_path):
    with Store(tmp_path / "laqs.db") as s:
        org = s.organisation(cli_env["organisation"])
        broken = s.create_visit(organisation_id=org["id"], pack_id="another-pack", agenda_id="x", phases=["P"],
                                focus=[], day=TODAY.isoformat())
        visits = s.visits()
    first = notes.default_note_path(next(v for v in visits if v["id"] == cli_env["previous_visit_id"]), "out")
    first.parent.mkdir()
    first.write_bytes(b"kept")
    code = main(["export", "--from", (TODAY - timedelta(days=100)).isoformat(), "--to", TODAY.isoformat(),
                 "--out", "out"])
    captured = capsys.readouterr()
    assert code == 1
    assert "written 1, skipped 1" in captured.out and "failed 1" in captured.out
    failures = [line for line in captured.err.splitlines() if line.startswith("failed:")]
    assert len(failures) == 1 and broken["id"][:8] in failures[0] and "another-pack" in failures[0]
    assert "1 of 3 notes failed" in captured.err
    assert first.read_bytes() == b"kept"
    assert len(list(Path("out").glob("*.docx"))) == 2


def test_cli_export_by_la_and_force(cli_env, capsys):
    with Store(Path("laqs.db")) as s:
        start(s, organisation="Elsewhere LA")
    span = ["--from", (TODAY - timedelta(days=100)).isoformat(), "--to", TODAY.isoformat()]
    assert main(["export", *span, "--la", cli_env["la"]]) == 0
    assert "written 2, skipped 0, failed 0 — 2 visits" in capsys.readouterr().out
    assert main(["export", *span, "--la", cli_env["la"]]) == 0
    assert "written 0, skipped 2" in capsys.readouterr().out
    assert main(["export", *span, "--force"]) == 0
    assert "written 3, skipped 0, failed 0" in capsys.readouterr().out
    assert main(["export", *span, "--la", "No Such LA"]) == 2
    assert main(["export", "--from", "2026-13-01", "--to", "2026-12-01"]) == 2


def test_cli_templates_check(cli_env, capsys, tmp_path):
    assert main(["templates", "check"]) == 0
    out = capsys.readouterr().out
    assert "ok as a note template — 0 refused, 0 unknown, 0 missing" in out
    assert "ok as a briefing template — 0 refused, 0 unknown, 0 missing" in out

    bad = tmp_path / "mine.docx"
    doc = Document()
    doc.add_paragraph("{{ organisaton }} {{ visit_date }}")
    doc.add_paragraph("{%p for a in aspects %}")
    doc.add_paragraph("{{ a.titel }} {{ a.title }}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(bad)
    assert main(["templates", "check", str(bad), "--kind", "note"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert f"{bad}: unknown: 'organisaton' is used but the tool does not provide it" in lines
    assert f"{bad}: unknown: 'aspects[].titel' is used but the tool does not provide it" in lines
    missing = [line for line in lines if ": warning: missing: " in line]
    assert any("'actions'" in line for line in missing) and not any("'visit_date'" in line for line in missing)
    assert all(line.startswith(str(bad)) for line in lines)


def test_templates_check_warns_but_passes_a_partial_template(cli_env, capsys, tmp_path):
    small = tmp_path / "small.docx"
    doc = Document()
    doc.add_paragraph("Visit to {{ organisation }} on {{ visit_date }}")
    doc.save(small)
    assert main(["templates", "check", str(small)]) == 0
    out = capsys.readouterr().out
    assert "warning: missing: 'actions' (the agreed actions) is never used" in out
    assert "ok as a note template" in out


def test_notes_package_and_commands_import_no_docx(tmp_path):
    probe = textwrap.dedent("""
        import json, sys
        import laqs_assist.notes, laqs_assist.notes.commands, laqs_assist.notes.context
        import laqs_assist.notes.quality, laqs_assist.notes.briefing
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'docxtpl'))))
    """)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_cli_templates_vars_lists_what_a_template_can_use(cli_env, capsys):
    assert main(["templates", "vars"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "organisation: text  — the LA or school visited" in lines
    assert "  aspects[].heading: text" in lines and "  actions[].owner: text" in lines
    assert main(["templates", "vars", "--kind", "briefing"]) == 0
    assert "  questions[].text: text" in capsys.readouterr().out.splitlines()


def test_export_checks_its_folder_before_any_note(cli_env, capsys):
    Path("afile").write_text("x")
    assert main(["export", "--from", "2000-01-01", "--to", "2100-01-01", "--out", "afile"]) == 2
    captured = capsys.readouterr()
    assert "afile is a file: --out needs a folder" in captured.err and "notes" not in captured.err.split("laqs:")[0]


def test_a_long_name_fits_the_document_properties(store, tmp_path):
    name = "Very Long Borough " * 20
    s = start(store, organisation=name)
    r = notes.write_note(store, PACK, s.id, tmp_path / "n.docx")
    props = Document(str(r.path)).core_properties
    assert len(props.subject) == 255 and props.subject.endswith("…")
    assert " ".join(name.split()) in text_of(r.path)
