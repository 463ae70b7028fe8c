"""Advisers' stores for the pooling tests: finalised visits with answers, a flagged answer, judgements, actions;
and a comparison of team stores by their pooled content (every row by its key, local counters left aside)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.store import Store
from laqs_assist.store.bundle import choose_visits, export_bundle

PACK = load_pack(default_pack_path())
PRIVATE = "Mr Brown PRIVATE the officer's own performance"


def visit(store, org, day, *, author="Sam Adviser", school=False, parent=None, answers=("yes, reports are timely",),
          flagged=None, good=1, action=None, end=True):
    s = Session.start(store, PACK, agenda_id=PACK.agenda_for("school" if school else "LA"), organisation=org,
                      kind="school" if school else "LA", parent=parent, phases=["P"], focus=["2.4"], day=day,
                      author=author)
    for a in answers:
        s.answer(a)
    if flagged:
        s.answer(flagged)
        s.flag()
    g = [c.id for c in PACK.aspects["2.4"].criteria_in("G", "P") if c.kind == "statement"]
    for c in g[:good]:
        s.judge(c, "met")
    if action:
        s.add_action(action, "Head of SI", "2026-11-10", "2.4")
    if end:
        s.end()
    return s


def adviser(path: Path, author: str, org: str, day: str, **kw) -> Path:
    st = Store(path)
    try:
        visit(st, org, day, author=author, **kw)
    finally:
        st.close()
    return path


def bundle(store_path: Path, out: Path, **kw) -> Path:
    st = Store(store_path)
    try:
        export_bundle(st, choose_visits(st, date_from=None, date_to=None, refs=()), out, **kw)
    finally:
        st.close()
    return out


# Columns that are the file's own counters, not pooled data.
LOCAL = {"events": {"seq"}, "judgements": {"seq"}, "search_state": {"indexed_to"}, "register_entries": {"seq"}}
SKIP = {"_sqlite_migrations", "search_state", "drafts", "sqlite_sequence"}


def content(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without local counters or rowids: two team stores holding the same pooled data
    give the same content whatever order they were merged in."""
    conn = sqlite3.connect(str(path))
    try:
        out = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                             "'responses_fts%' ORDER BY name")]
        for t in tables:
            if t in SKIP:
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t})") if r[1] not in LOCAL.get(t, set())]
            if t == "events":  # the merge's own entries say when each merge ran
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM events WHERE kind != 'pool.merge'").fetchall()
            else:
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()
            out[t] = sorted(rows, key=repr)
        # the search index finds the same answers
        out["search"] = sorted(conn.execute("SELECT r.id FROM responses_fts f JOIN responses r ON r.rowid = f.rowid "
                                            "WHERE responses_fts MATCH 'timely'").fetchall())
        return out
    finally:
        conn.close()


def copy_store(src: Path, dst: Path) -> Path:
    """A copy of a closed store (as an adviser copies it to a second laptop)."""
    shutil.copyfile(src, dst)
    return dst


# A document's bytes and title, and review rows, that must never leave an adviser's store.
PRIVATE_DOC = b"PRIVATEDOC the LA's unpublished staffing plan"
SHARED_DOC = b"SHAREDDOC mini case study: a cluster's able pupils' summer school"
FLAGGED_REVIEW = "FLAGGEDREVIEW the deputy head's own performance"


def with_documents(path: Path, org: str, day: str, *, author: str = "Dee Adviser",
                   answers: tuple[str, ...] = ("yes, reports are timely",)) -> Path:
    """A finalised visit keeping two documents as evidence: one marked shared, one private."""
    st = Store(path)
    try:
        s = visit(st, org, day, author=author, answers=answers, end=False)
        v = st.visit(s.visit["id"])
        shared, _ = st.add_document(v, aspect_id="2.4", kind="case-study", title="Summer school case study",
                                    filename="summer.txt", content=SHARED_DOC, media_type="text/plain")
        st.add_document(v, aspect_id="2.4", kind="la-plan", title="Secret staffing plan PRIVATETITLE",
                        filename="staffing.txt", content=PRIVATE_DOC, media_type="text/plain")
        st.share_document(shared["id"], True)
        s.end()
    finally:
        st.close()
    return path


def with_review(path: Path, school: str, days: tuple[str, ...], *, team=("Rae Reviewer", "Ros Reviewer")) -> str:
    """A school review held on `days`: interviews (one flagged) giving standards, evidence (one flagged), a
    collation, a report note and a rich priority. Its visit's id."""
    st = Store(path)
    try:
        r = st.create_review(school=school, pack_id="llqr", pack_version="1", title="LLQR", team=list(team),
                             days=list(days), day_starts="08:30", stages=["1", "2", "3"], areas=["assessment"],
                             subjects=[])
        vid = r["id"]
        st.add_interview(vid, "assessment", 1, "deputy head", "Marking is weekly and moderated termly", day=1,
                         session="am", standards=["Work is marked weekly", "Moderation is termly"])
        st.add_interview(vid, "assessment", 2, "deputy head", FLAGGED_REVIEW, day=1, session="am",
                         concerns_individual=True, standards=["Leaders check marking"])
        st.add_evidence(vid, "assessment.1", "work-sample", 1, "evident", "Books marked within the week", day=1)
        st.add_evidence(vid, "assessment.2", "observation", 2, "partly", FLAGGED_REVIEW + " evidence", day=2,
                        concerns_individual=True)
        st.collate(vid, 2, "pm", [{"code": "assessment.1", "extent": "evident", "suggested": "evident",
                                   "evidence": 1, "note": "consistent across year groups"}])
        st.add_review_note(vid, "recommendation", "Share the marking policy with parents")
        st.add_priority(vid, "Moderate writing across the trust", "Head of school", "2027-03-31", "assessment",
                        support="LA English adviser, two days")
    finally:
        st.close()
    return vid




FLAGGED_ENTRY = "FLAGGEDENTRY the headteacher's own performance"


def with_register(path: Path, la: str, schools: tuple[tuple[str, str], ...], entries: tuple[tuple, ...]) -> None:
    """An LA's register: its schools as (name, URN) and entries as (URN, kind, value, day, flagged)."""
    from laqs_assist.store.register import RegisterTables

    st = Store(path)
    try:
        t = RegisterTables(st)
        la_id = st.ensure_organisation(la, "LA")["id"]
        t.set_la_pack(la_id, "staffordshire")
        ids = {}
        for name, urn in schools:
            org = st.ensure_organisation(name, "school", la_id)
            ids[urn] = t.add_school(la_id, org["id"], name, urn, "P", "community", None)["id"]
        t.add_entries([{"la_id": la_id, "school_id": ids[urn], "kind": kind, "value": value, "on_date": day,
                        "academic_year": "2026/27", "concerns_individual": flagged,
                        "reason": FLAGGED_ENTRY if flagged else "termly review"}
                       for urn, kind, value, day, flagged in entries])
    finally:
        st.close()
