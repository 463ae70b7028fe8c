"""`laqs serve` runs a real Datasette on 127.0.0.1 and answers HTTP requests: the dashboard canned query, full-text
search, a live personal store's latest answer (read through its write-ahead log, never immutable), a password off
loopback, and no flagged answer on any page (the team store here holds one, its policy sharing flagged answers)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest_store import assert_one_line_failure, run_laqs
from pool_helpers import (
    FLAGGED_ENTRY,
    FLAGGED_REVIEW,
    PRIVATE,
    PRIVATE_DOC,
    adviser,
    bundle,
    visit,
    with_documents,
    with_register,
    with_review,
)

from laqs_assist.store import Store
from laqs_assist.store.pooling import merge_bundles, set_policy

try:
    import datasette  # noqa: F401
except ImportError:  # a developer's machine without the test extras; CI installs them and must run these
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("Datasette is not installed (pip install -e '.[test]')", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, store: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full = {**os.environ, **(env or {})}
        full.pop("LAQS_STORE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "laqs_assist", "serve", str(store), "--port",
                                      str(self.port), *args], env=full, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"laqs serve stopped: {self.proc.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("Datasette did not start within 60 s")

    def get(self, path: str, auth: tuple[str, str] | None = None) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path)
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def json(self, path: str, **kw):
        status, body = self.get(path, **kw)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this test started: laqs serve and its Datasette
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("served")
    a = adviser(d / "a.db", "Ann", "North Borough", "2026-10-05", flagged=PRIVATE, good=3,
                action="Review the SIP report template")
    b = adviser(d / "b.db", "Bob", "South Borough", "2026-11-02", answers=("moderation is timely",))
    path = d / "team.db"
    st = Store(path)
    set_policy(st, "share_flagged", True)  # the flagged answer is in the team store: no page may show it
    c = with_documents(d / "c.db", "North Borough", "2026-09-30", author="Cat",
                       answers=("the gifted and talented lead keeps case studies",))
    with_review(c, "Elm Primary", ("2026-11-10", "2026-11-11"))
    with_register(c, "North Borough", (("Elm Primary", "100001"),),
                  (("100001", "level", "2", "2026-09-10", False), ("100001", "escalation", "v", "2026-10-01", True)))
    merge_bundles(st, [bundle(a, d / "a.bundle", share_flagged=True), bundle(b, d / "b.bundle"),
                       bundle(c, d / "c.bundle")])
    assert st.conn.execute("SELECT count(*) FROM responses WHERE text = ?", [PRIVATE]).fetchone()[0] == 1
    # A store holding what never travels (a personal store, served to look at it) shows none of it either: the
    # private document, the flagged review rows and the flagged register entry are put here as an adviser has them.
    v = st.conn.execute("SELECT id, organisation_id, academic_year FROM visits WHERE author = 'Cat'").fetchone()
    doc, _ = st.add_document({"id": v[0], "organisation_id": v[1], "academic_year": v[2]}, aspect_id="2.4",
                             kind="la-plan", title="Secret staffing plan PRIVATETITLE", filename="staffing.txt",
                             content=PRIVATE_DOC)
    rid = st.conn.execute("SELECT visit_id FROM reviews").fetchone()[0]
    st.add_interview(rid, "assessment", 2, "deputy head", FLAGGED_REVIEW, concerns_individual=True)
    st.add_evidence(rid, "assessment.1", "observation", 2, "partly", FLAGGED_REVIEW, concerns_individual=True)
    from laqs_assist.store.register import RegisterTables

    la, school = st.conn.execute("SELECT la_id, id FROM register_schools").fetchone()
    RegisterTables(st).add_entry({"la_id": la, "school_id": school, "kind": "escalation", "value": "v",
                                  "on_date": "2026-10-02", "academic_year": "2026/27", "reason": FLAGGED_ENTRY,
                                  "concerns_individual": True})
    st.close()
    return path


@pytest.fixture(scope="module")
def served(team):
    s = Served(team)
    yield s
    s.stop()


def test_the_dashboard_canned_query(served):
    q = urllib.parse.urlencode({"organisation": "North Borough", "year": "2026/27", "_shape": "array"})
    rows = served.json(f"/team/dashboard.json?{q}")
    assert rows and {r["phase"] for r in rows} == {"P"} and "2.4" in {r["aspect"] for r in rows}
    assert all(r["as_of"] == "2026-10-05" and r["author"] == "Ann" for r in rows)
    assert any(r["rating"] for r in rows)
    overdue = served.json("/team/overdue_actions.json?today=2026-12-01&_shape=array")
    assert [r["action"] for r in overdue] == ["Review the SIP report template"]
    coverage = served.json("/team/coverage.json?year=2026/27&_shape=array")
    assert {r["organisation"] for r in coverage} == {"North Borough", "South Borough"}


def test_full_text_search(served):
    hits = served.json("/team/shared_answers.json?_search=moderation&_shape=array")
    assert [h["organisation"] for h in hits] == ["South Borough"]
    hits = served.json("/team/search.json?q=timely&_shape=array")
    assert sorted(h["organisation"] for h in hits) == ["North Borough", "South Borough"]
    assert served.json("/team/search.json?q=PRIVATE&_shape=array") == []
    assert served.json("/team/shared_answers.json?_search=Brown&_shape=array") == []


HIDDEN = ("PRIVATE", "Mr Brown", FLAGGED_REVIEW, FLAGGED_ENTRY, "FLAGGEDREVIEW", "FLAGGEDENTRY", "staffing.txt",
          hashlib.sha256(PRIVATE_DOC).hexdigest())


def test_shared_documents_reviews_and_the_register_are_browsed_without_what_is_private(served):
    docs = served.json("/team/shared_documents.json?organisation=&_shape=array")
    assert [(r["organisation"], r["title"]) for r in docs] == [("North Borough", "Summer school case study")]
    assert "content" not in docs[0]
    for path in ("/team/documents", "/team/documents.json", "/team/review_interviews",
                 "/team/review_evidence", "/team/register_entries", "/team/review_slots"):
        status, body = served.get(path)
        assert status in (400, 403, 404), path
    interviews = served.json("/team/shared_interviews.json?_shape=array")
    assert [r["text"] for r in interviews] == ["Marking is weekly and moderated termly"]
    evidence = served.json("/team/shared_evidence.json?_shape=array")
    assert [r["text"] for r in evidence] == ["Books marked within the week"]
    entries = served.json("/team/register.json?organisation=100001&_shape=array")
    assert [(r["school"], r["kind"], r["value"]) for r in entries] == [("Elm Primary", "level", "2")]
    assert served.json("/team/review_standards.json?_shape=array")
    status, page = served.get("/team/register_schools")
    assert status == 200 and "100001" in page


def test_no_page_shows_a_flagged_answer(served):
    # the tables that hold an answer's words are closed, and so is arbitrary SQL
    for path in ("/team/responses", "/team/responses.json", "/team/response_versions", "/team/pool_versions",
                 "/team/events", "/team/responses_fts", "/team/responses_fts_data", "/team/visit_items",
                 "/team.json?sql=select+text+from+responses", "/team/responses/1"):
        status, body = served.get(path)
        assert status in (400, 403, 404), path
        assert "PRIVATE" not in body and "Mr Brown" not in body
    # and every page a reader can reach by following links (bounded) is free of it
    seen, queue = set(), ["/", "/team", "/team/shared_answers", "/team/shared_answers?_search=Brown",
                          "/team/shared_documents?organisation=", "/team/register?organisation=",
                          "/team/shared_interviews", "/team/shared_evidence"]
    while queue and len(seen) < 200:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        status, body = served.get(path)
        assert not [h for h in HIDDEN if h in body], path
        for link in re.findall(r'href="(/[^"#]*)"', body):
            link = link.replace("&amp;", "&")
            if link.startswith("/-/static") or link in seen:
                continue
            queue.append(link)
    assert len(seen) > 20


def test_a_live_personal_store_shows_its_latest_answer(tmp_path):
    # Datasette's immutable mode would miss what waits in the write-ahead log; laqs serve never uses it.
    st = Store(tmp_path / "laqs.db")
    st.conn.execute("PRAGMA wal_autocheckpoint = 0")
    s = visit(st, "North Borough", "2026-10-05", answers=("first answer",), end=False)
    s.answer("the newest answer, still in the log")
    assert Path(f"{tmp_path / 'laqs.db'}-wal").stat().st_size > 0
    served = Served(tmp_path / "laqs.db")
    try:
        texts = [r["text"] for r in served.json("/laqs/shared_answers.json?_shape=array")]
        assert "the newest answer, still in the log" in texts
    finally:
        served.stop()
        st.close()


def test_off_loopback_a_password_is_required(team):
    r = run_laqs("serve", str(team), "--host", "0.0.0.0")
    assert "needs a password" in assert_one_line_failure(r, 2)
    served = Served(team, "--host", "0.0.0.0", env={"LAQS_SERVE_PASSWORD": "correct horse"})
    try:
        status, _ = served.get("/team/dashboard.json?organisation=North+Borough&year=2026/27")
        assert status == 401
        status, _ = served.get("/team.json", auth=("laqs", "wrong"))
        assert status == 401
        status, body = served.get("/team/dashboard.json?organisation=North+Borough&year=2026/27&_shape=array",
                                  auth=("laqs", "correct horse"))
        assert status == 200 and json.loads(body)
    finally:
        served.stop()


def test_metadata_titles_and_describes_what_is_open(served):
    status, page = served.get("/team/ratings")
    assert status == 200
    assert "Each visit&#39;s rating per phase and aspect" in page or "Each visit's rating per phase and aspect" in page
    assert "the highest column the criteria allow" in page
    status, page = served.get("/team")
    assert "Dashboard: an organisation" in page and "Overdue actions" in page
    assert "responses" not in [t["name"] for t in served.json("/team.json")["tables"] if not t["hidden"]]
