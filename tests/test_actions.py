"""Actions have a life: marked done, dropped or carried forward (with a date and a note) at a later visit of the same
organisation, in line mode as a real process, kept as an append-only history; overdue actions shown in line mode
and `laqs visits`; a store made before migration 0007 keeps what its actions became; the note drafted again
beside the earlier one."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest_store import db_rows, db_value, pack, run_laqs  # noqa: F401  (pack is a fixture)
from sqlite_utils import Database

from laqs_assist.app.service import Service
from laqs_assist.store import Store
from laqs_assist.store.schema import migrations

TODAY = date.today()
FIRST = (TODAY - timedelta(days=60)).isoformat()  # the earlier visit
SECOND = (TODAY - timedelta(days=1)).isoformat()  # the later visit, where the actions are followed up
PAST = (TODAY - timedelta(days=30)).isoformat()  # due dates already passed
LATER = (TODAY + timedelta(days=100)).isoformat()
NEW_DUE = (TODAY + timedelta(days=200)).isoformat()


def _chat(db: Path, day: str, lines: list[str], *extra: str):
    return run_laqs("chat", "--org", "Any Borough", "--phase", "P", "--date", day, *extra, store=db,
                    input="\n".join(lines) + "\n", cwd=db.parent)


@pytest.fixture(scope="module")
def followed_up(tmp_path_factory):
    root = tmp_path_factory.mktemp("actions")
    db = root / "laqs.db"
    first = _chat(db, FIRST, [
        f"/action Share the assessment calendar with governors | Pat Head | {PAST}",
        f"/action Audit the reading scheme | Literacy lead | {PAST}",
        f"/action Review the behaviour policy | Jo Bloggs | {LATER}",
        f"/action Train new governors | Clerk | {PAST}",
        "/end", "/quit"])
    assert first.returncode == 0, first.stderr
    second = _chat(db, SECOND, [
        "/actions",
        "/done 1 | Calendar shared at the October governors' meeting",
        "/drop 2",  # refused: a drop says why
        "/drop 2 | Superseded by the new phonics programme",
        f"/carry 3 {NEW_DUE} | Governors meet in the spring",
        "/done 9",  # refused: no such action
        "/done 1",  # refused: done already
        "/actions",
        "/action Plan the spring moderation | Jo Bloggs | 2027-03-01",
        "/quit"])
    return {"db": db, "root": root, "first": first, "second": second}


def _action(db: Path, text: str) -> dict:
    return db_rows(db, "SELECT * FROM actions WHERE text = ?", [text])[0]


def test_a_later_visit_says_how_many_actions_are_overdue_when_it_starts(followed_up):
    out = followed_up["second"].stdout
    header = out.split("Type /help")[0]
    assert "3 overdue actions for Any Borough: /actions" in header


def test_the_actions_list_numbers_earlier_visits_actions_and_marks_the_overdue_ones(followed_up):
    listing = followed_up["second"].stdout.split("> /actions")[1].split("> /done")[0]
    lines = [ln.strip() for ln in listing.strip().splitlines()]
    assert lines[0] == "From earlier visits to Any Borough:"
    assert lines[1].startswith("1. ") and "Share the assessment calendar" in lines[1] and lines[1].endswith("OVERDUE")
    assert lines[2].startswith("2. ") and "[open]" in lines[2] and "OVERDUE" in lines[2]
    assert lines[3].startswith("3. ") and "Review the behaviour policy" in lines[3] and "OVERDUE" not in lines[3]
    assert f"(agreed {FIRST})" in lines[1]


def test_marking_done_dropped_and_carried_is_kept_in_the_store(followed_up):
    db = followed_up["db"]
    second_visit = db_value(db, "SELECT id FROM visits WHERE date = ?", [SECOND])
    cal = _action(db, "Share the assessment calendar with governors")
    ups = db_rows(db, "SELECT * FROM action_updates WHERE action_id = ?", [cal["id"]])
    assert [(u["status"], u["on_date"], u["note"], u["visit_id"]) for u in ups] == [
        ("done", SECOND, "Calendar shared at the October governors' meeting", second_visit)]
    assert cal["status"] == "done"
    reading = _action(db, "Audit the reading scheme")
    assert [(u["status"], u["note"]) for u in db_rows(
        db, "SELECT * FROM action_updates WHERE action_id = ?", [reading["id"]])] == [
        ("dropped", "Superseded by the new phonics programme")]
    policy = _action(db, "Review the behaviour policy")
    [carry] = db_rows(db, "SELECT * FROM action_updates WHERE action_id = ?", [policy["id"]])
    assert (carry["status"], carry["due_date"], carry["note"]) == ("carried", NEW_DUE, "Governors meet in the spring")
    assert policy["due_date"] == LATER  # the date agreed stays as agreed; the carry holds the new one
    # Ids and stamps travel with the rows, so stores can be pooled.
    assert all(len(u["id"]) == 36 and u["created_at"] for u in db_rows(db, "SELECT * FROM action_updates"))


def test_marks_the_chat_refused_are_one_line_each_and_exit_2(followed_up):
    proc = followed_up["second"]
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("laqs: line")]
    assert [ln.split(":")[1].strip() for ln in failed] == ["line 3", "line 6", "line 7"]
    assert "say why action" in failed[0] and "/drop 2 | REASON" in failed[0]
    assert "no action 9: /actions lists 4" in failed[1]
    assert "is done already" in failed[2]


def test_the_second_listing_shows_what_became_of_each(followed_up):
    listing = followed_up["second"].stdout.split("> /actions")[2].split("> /action ")[0]
    assert f"[done {SECOND}] Share the assessment calendar" in listing
    assert "Calendar shared at the October governors' meeting" in listing
    assert f"[dropped {SECOND}] Audit the reading scheme" in listing
    assert f"[carried forward {SECOND}] Review the behaviour policy — Jo Bloggs, due {NEW_DUE}" in listing
    assert listing.count("OVERDUE") == 1  # only the governors' training, still open


def test_history_is_appended_and_the_latest_update_is_the_status(followed_up, tmp_path):
    db = tmp_path / "copy.db"
    db.write_bytes(followed_up["db"].read_bytes())
    proc = _chat(db, SECOND, ["/reopen 1 | Governors asked for a revised calendar",
                              "/done 1 2026-11-20 | Revised calendar shared"], "--resume", "last")
    assert proc.returncode == 0, proc.stderr
    cal = _action(db, "Share the assessment calendar with governors")
    history = db_rows(db, "SELECT status, on_date, note FROM action_updates WHERE action_id = ? "
                      "ORDER BY created_at, id", [cal["id"]])
    assert history == [{"status": "done", "on_date": SECOND, "note": "Calendar shared at the October governors' meeting"},
                       {"status": "open", "on_date": SECOND, "note": "Governors asked for a revised calendar"},
                       {"status": "done", "on_date": "2026-11-20", "note": "Revised calendar shared"}]
    with Store(db) as st:
        row = st.action(cal["id"])
    assert (row["status"], row["status_date"], row["status_note"]) == ("done", "2026-11-20", "Revised calendar shared")


def test_laqs_visits_marks_organisations_with_overdue_actions(followed_up):
    db = followed_up["db"]
    proc = run_laqs("visits", store=db)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert len(rows) == 2 and all(r.endswith("1 overdue action") for r in rows)
    data = json.loads(run_laqs("visits", "--json", store=db).stdout)
    assert [r["overdue"] for r in data] == [1, 1]
    first = db_value(db, "SELECT id FROM visits WHERE date = ?", [FIRST])
    show = run_laqs("visits", "show", first[:8], store=db)
    assert show.returncode == 0, show.stderr
    assert f"[open] Train new governors — Clerk, {PAST}  OVERDUE" in show.stdout
    assert f"{SECOND} carried forward, due {NEW_DUE}: Governors meet in the spring" in show.stdout
    assert "Overdue actions for Any Borough (1), of every visit:" in show.stdout


def test_the_visit_where_an_action_was_agreed_lists_only_its_own(followed_up):
    proc = _chat(followed_up["db"], FIRST, ["/actions"], "--resume", db_value(
        followed_up["db"], "SELECT id FROM visits WHERE date = ?", [FIRST])[:8])
    assert "From earlier visits" not in proc.stdout
    assert "Plan the spring moderation" not in proc.stdout  # agreed at the later visit


def test_bad_dates_are_one_line(followed_up, tmp_path):
    db = tmp_path / "copy.db"
    db.write_bytes(followed_up["db"].read_bytes())
    proc = _chat(db, SECOND, ["/done 4 someday", "/done 4 2020-01-01", f"/carry 4 {FIRST}", "/done"],
                 "--resume", "last")
    assert proc.returncode == 2
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("laqs: line")]
    assert len(failed) == 4, proc.stderr
    assert "the date: give a date as YYYY-MM-DD" in failed[0]
    assert f"was agreed on {FIRST}: it cannot be done on 2020-01-01" in failed[1]
    assert "carry it forward to a later date" in failed[2]
    assert "which action?" in failed[3]
    assert "Traceback" not in proc.stderr + proc.stdout


# --- a store made before migration 0007 -------------------------------------------------------------------------


def test_a_store_made_before_0007_keeps_what_its_actions_became(tmp_path, pack):  # noqa: F811
    path = tmp_path / "release.db"
    db = Database(str(path))
    migrations.apply(db, stop_before="0007_action_updates")
    db.conn.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("INSERT INTO organisations (id, name, kind, created_at) VALUES ('o1', 'Any Borough', 'LA', "
                 "'2026-09-01T09:00:00.000000+00:00')")
    conn.execute("INSERT INTO visits (id, organisation_id, pack_id, agenda_id, phases, focus, date, academic_year, "
                 "status, position, created_at, updated_at) VALUES ('v1', 'o1', ?, 'la-contacts', '[\"P\"]', '[]', "
                 "'2026-10-01', '2026/27', 'ended', 0, '2026-10-01T09:00:00.000000+00:00', "
                 "'2026-10-01T09:00:00.000000+00:00')", [pack.id])
    for aid, status, due, at in (("a1", "done", "2026-10-20", "2026-10-25T10:00:00.000000+00:00"),
                                 ("a2", "dropped", None, "2026-10-26T10:00:00.000000+00:00"),
                                 ("a3", "open", "2026-10-15", "2026-10-01T10:00:00.000000+00:00")):
        conn.execute("INSERT INTO actions (id, visit_id, organisation_id, text, owner, due_date, status, created_at, "
                     "updated_at) VALUES (?, 'v1', 'o1', ?, '', ?, ?, '2026-10-01T10:00:00.000000+00:00', ?)",
                     [aid, f"action {aid}", due, status, at])
    conn.close()

    with Store(path) as st:
        got = {a["id"]: (a["status"], a["status_date"], a["due_date"]) for a in st.actions("v1")}
        assert got == {"a1": ("done", "2026-10-25", "2026-10-20"), "a2": ("dropped", "2026-10-26", None),
                       "a3": ("open", None, "2026-10-15")}
        assert st.overdue_counts("2026-11-01") == {"o1": 1}
        assert len(st.action_history("a1")) == 1 and st.action_history("a3") == []
    names = [r["name"] for r in db_rows(path, "SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[names.index("0006_rating_decisions") + 1] == "0007_action_updates"


# --- the service: the same marks for every front end; the note drafted again -------------------------------------


def test_the_service_marks_an_earlier_visits_action_by_its_id(tmp_path, pack):  # noqa: F811
    with Service(Store(tmp_path / "s.db"), pack) as service:
        service.start(Service.visit_form(pack, organisation="Any Borough", phases=["P"], day=FIRST))
        first = service.add_action("Share the calendar", "Pat", PAST)
        service.end()
        service.close_visit()
        service.start(Service.visit_form(pack, organisation="Any Borough", phases=["P"], day=SECOND))
        assert service.view().overdue == 1
        marked = service.mark_action(first["id"][:6], "carried", note="Next term", due=LATER)
        assert (marked["status"], marked["due_date"], marked["overdue"]) == ("carried", LATER, False)
        assert service.view().overdue == 0
        view = service.action_list()
        assert [(a["position"], a["earlier"], a["status"]) for a in view.actions] == [(1, True, "carried")]
        assert service.home().visits[0]["overdue"] == 0


def test_drafting_the_note_again_keeps_the_earlier_file_beside_it(tmp_path, pack, monkeypatch):  # noqa: F811
    docx = pytest.importorskip("docx")
    monkeypatch.chdir(tmp_path)
    with Service(Store(tmp_path / "s.db"), pack) as service:
        service.start(Service.visit_form(pack, organisation="Any Borough", phases=["P"], day=SECOND))
        service.note("The risk register was reviewed with the director.")
        first = service.write_note()
        assert first.earlier is None and service.note_drafts() == (first.path,)
        service.note("A second remark, after the first draft.")
        again = service.write_note(again=True)
        third = service.write_note(again=True)
    assert Path(again.path).name == Path(first.path).stem + "-2.docx"
    assert again.earlier == first.path and third.earlier == again.path
    assert Path(third.path).name == Path(first.path).stem + "-3.docx"
    texts = ["\n".join(p.text for p in docx.Document(p).paragraphs) for p in (first.path, again.path)]
    assert "A second remark" not in texts[0] and "A second remark" in texts[1]
