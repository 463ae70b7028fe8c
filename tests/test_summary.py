"""The adviser's own summary of a visit: written with /summary (line mode and the app's answer box), kept in the
store (migration 0008), given by the note of visit instead of the draft it builds from the record."""

from __future__ import annotations

import docx
from conftest_store import db_rows, run_laqs

from laqs_assist.store import Store
from laqs_assist.store.schema import migrations

CHAT = ["chat", "--org", "Any Borough", "--phase", "P", "--focus", "2.4", "--date", "2026-11-20"]


def note_text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_the_note_gives_the_draft_until_the_adviser_writes_a_summary(tmp_path):
    db = tmp_path / "laqs.db"
    proc = run_laqs(*CHAT, store=db, input="The risk register is reviewed monthly\n/met 2.4.G.1\n/summary\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "No summary yet; the note would give this draft (write yours with /summary TEXT):" in proc.stdout
    run_laqs("note", "last", "--out", str(tmp_path / "draft.docx"), store=db, cwd=tmp_path)
    draft = note_text(tmp_path / "draft.docx")
    assert "Draft built from the record: edit it into your own words" in draft

    mine = "The LA knows its schools well; SIP reports now feed the risk register, but challenge is uneven."
    proc = run_laqs("chat", "--resume", "last", store=db, input=f"/summary {mine}\n/summary\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "✓ summary saved: the note of visit gives it instead of the draft" in proc.stdout
    assert "Your summary:" in proc.stdout and "challenge is uneven." in proc.stdout
    assert db_rows(db, "SELECT summary FROM visits") == [{"summary": mine}]
    assert [e["kind"] for e in db_rows(db, "SELECT kind FROM events WHERE kind = 'visit.summary'")] == [
        "visit.summary"]
    run_laqs("note", "last", "--out", str(tmp_path / "mine.docx"), store=db, cwd=tmp_path)
    text = note_text(tmp_path / "mine.docx")
    assert mine in text and "Draft built from the record" not in text


def test_a_summary_can_be_written_after_the_visit_has_ended(tmp_path):
    db = tmp_path / "laqs.db"
    proc = run_laqs(*CHAT, store=db, input="An answer\n/end\n/summary Written after the visit.\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert db_rows(db, "SELECT status, summary FROM visits") == [{"status": "ended",
                                                                   "summary": "Written after the visit."}]


def test_a_store_made_before_0008_opens_with_empty_summaries(tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="0008_visit_summary")
    assert "summary" not in db["visits"].columns_dict
    db.conn.close()
    Store(path).close()  # opening migrates
    names = [r["name"] for r in db_rows(path, "SELECT name FROM _sqlite_migrations")]
    assert "0008_visit_summary" in names
    cols = [r["name"] for r in db_rows(path, "PRAGMA table_info(visits)")]
    assert "summary" in cols


def test_the_review_writes_the_summary_starting_from_the_draft(tmp_path):
    """In the app's review, w opens the summary from the draft; Ctrl+S keeps the adviser's words with the visit."""
    import asyncio

    from test_tui_helpers import SIZE, make_app, seed_store, wait_for

    db = tmp_path / "laqs.db"
    ids = seed_store(db)
    app = make_app(db, resume=ids["ended"])

    async def run() -> None:
        from textual.widgets import TextArea

        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen", what="the review")
            await pilot.press("w")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SummaryDialog", what="the summary dialog")
            box = app.screen.query_one("#summary-text", TextArea)
            assert box.text.startswith("Overall, the visit discussed")  # the draft, to put in the adviser's words
            box.text = "Risk management is sound in Primary; Secondary reports still lack challenge."
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen", what="back to the review")

    asyncio.run(run())
    rows = db_rows(db, "SELECT summary FROM visits WHERE id = ?", [ids["ended"]])
    assert rows == [{"summary": "Risk management is sound in Primary; Secondary reports still lack challenge."}]
