"""A team store in a real PostgreSQL server (a throw-away cluster, tests/pg_server.py): the tool creates the schema,
loads bundles with COPY, merges idempotently in any order, keeps stale edits as conflicts, and `laqs dashboard
--store postgresql://…` reads an LA's dashboard from it, the same as the SQLite team store's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest_store import assert_one_line_failure, run_laqs
from pg_server import pg_server, pg_url  # noqa: F401  (fixtures)
from pool_helpers import PRIVATE, adviser, bundle, copy_store, visit

from laqs_assist.store import Store
from laqs_assist.store.pooling import merge_bundles
from laqs_assist.store.versions import MIGRATIONS

TABLES = ("organisations", "organisation_aliases", "people", "visits", "visit_people", "visit_items", "responses",
          "response_versions", "judgements", "actions", "action_updates", "ratings", "rating_decisions",
          "pool_versions", "pool_withdrawn", "pool_bundles")


def pg_content(url: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(url) as conn:
        out = {}
        for t in TABLES + ("events",):
            cur = conn.execute(f"SELECT * FROM {t}")
            names = [d.name for d in cur.description]
            keep = [i for i, n in enumerate(names) if n != "seq"]
            out[t] = sorted((tuple(r[i] for i in keep) for r in cur), key=repr)
        return out


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    d = tmp_path_factory.mktemp("bundles")
    a = adviser(d / "a.db", "Ann", "North Borough", "2026-10-05", flagged=PRIVATE, good=3,
                action="Review the SIP report template")
    st = Store(a)
    visit(st, "Elm Primary", "2026-10-09", school=True, parent="North Borough", author="Ann")
    st.close()
    first = bundle(a, d / "a1.bundle")
    twin = copy_store(a, d / "twin.db")
    for path, text in ((a, "yes, timely and complete"), (twin, "reports are late")):
        st = Store(path)
        rid = st.conn.execute("SELECT id FROM responses WHERE text = 'yes, reports are timely' "
                              "ORDER BY created_at LIMIT 1").fetchone()[0]
        st.edit_response(rid, text)
        st.close()
    b = adviser(d / "b.db", "Bob", "South Borough", "2026-11-02", answers=("moderation is timely",))
    return [first, bundle(a, d / "a2.bundle"), bundle(twin, d / "twin.bundle"), bundle(b, d / "b.bundle")]


def test_merge_into_postgresql_is_idempotent_and_order_independent(bundles, pg_server, tmp_path):  # noqa: F811
    url = pg_server.create_db("merge_ab")
    r = run_laqs("pool", "merge", *map(str, bundles), "--into", url)
    assert r.returncode == 0, r.stderr
    assert f"Merged 4 bundle(s) into {url}" in r.stdout
    once = pg_content(url)
    assert len(once["visits"]) == 3 and len(once["responses"]) == 3
    assert not any(PRIVATE in str(row) for rows in once.values() for row in rows)
    again = run_laqs("pool", "merge", *map(str, bundles), "--into", url)
    assert again.returncode == 0 and "0 answer(s) added" in again.stdout
    assert pg_content(url) == once
    other = pg_server.create_db("merge_ba")
    for b in reversed(bundles):
        assert run_laqs("pool", "merge", str(b), "--into", other).returncode == 0
    assert pg_content(other) == once
    # the same rows as a SQLite team store made from the same bundles
    team = tmp_path / "team.db"
    st = Store(team)
    merge_bundles(st, bundles)
    texts = sorted(r[0] for r in st.conn.execute("SELECT text FROM responses"))
    st.close()
    import psycopg

    with psycopg.connect(url) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT text FROM responses")) == texts
        assert conn.execute("SELECT name FROM laqs_migrations ORDER BY name DESC LIMIT 1").fetchone()[0] == \
            MIGRATIONS[-1]


def test_conflicts_are_kept_and_listed_in_postgresql(bundles, pg_url):  # noqa: F811
    assert run_laqs("pool", "merge", *map(str, bundles), "--into", pg_url).returncode == 0
    r = run_laqs("pool", "conflicts", pg_url, "--json")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert len(found) == 1
    assert found[0]["current"]["text"] == "yes, timely and complete"
    assert [o["text"] for o in found[0]["others"]] == ["reports are late"]
    r = run_laqs("pool", "resolve", pg_url, found[0]["others"][0]["version"][:10])
    assert r.returncode == 0, r.stderr
    assert json.loads(run_laqs("pool", "conflicts", pg_url, "--json").stdout) == []


def test_the_dashboard_is_read_from_postgresql(bundles, pg_url, tmp_path):  # noqa: F811
    assert run_laqs("pool", "merge", *map(str, bundles), "--into", pg_url).returncode == 0
    team = tmp_path / "team.db"
    st = Store(team)
    merge_bundles(st, bundles)
    st.close()
    from_pg = run_laqs("dashboard", "North Borough", "--year", "2026/27", "--json", "--store", pg_url)
    assert from_pg.returncode == 0, from_pg.stderr
    from_sqlite = run_laqs("dashboard", "North Borough", "--year", "2026/27", "--json", "--store", str(team))
    board = json.loads(from_pg.stdout)
    assert board == json.loads(from_sqlite.stdout)
    assert board["title"] == "North Borough (2026/27)"
    rated = [row for row in board["rows"] if any(v for v in row["aspects"].values())]
    assert rated, "the LA's judgements gave it ratings"
    missing = run_laqs("dashboard", "Nowhere", "--store", pg_url)
    assert "no organisation 'Nowhere'" in assert_one_line_failure(missing, 2)


def test_an_unreachable_server_is_one_line(tmp_path):
    r = run_laqs("pool", "merge", str(Path(__file__)), "--into",
                 f"postgresql://nobody@/none?host={tmp_path}&port=1")
    assert_one_line_failure(r, 2)  # not a bundle: refused before connecting
    b = adviser(tmp_path / "a.db", "Ann", "North Borough", "2026-10-05")
    r = run_laqs("pool", "merge", str(bundle(b, tmp_path / "a.bundle")), "--into",
                 f"postgresql://nobody@/none?host={tmp_path}&port=1")
    line = assert_one_line_failure(r, 1)
    assert "cannot reach the PostgreSQL team store" in line


RECORDS = ("documents", "reviews", "review_interviews", "review_standards", "review_collations", "review_evidence",
           "review_findings", "review_notes", "review_priorities", "register_las", "register_schools",
           "register_entries", "organisations")


def pg_records(url: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(url) as conn:
        out = {}
        for t in RECORDS:
            cur = conn.execute(f"SELECT * FROM {t}")
            names = [d.name for d in cur.description]
            keep = [i for i, n in enumerate(names) if n != "seq"]
            out[t] = sorted((tuple(bytes(r[i]) if isinstance(r[i], memoryview) else r[i] for i in keep)
                             for r in cur), key=repr)
        return out


def test_documents_reviews_and_registers_pool_into_postgresql(pg_server, tmp_path):  # noqa: F811
    from pool_helpers import (
        FLAGGED_ENTRY,
        FLAGGED_REVIEW,
        PRIVATE_DOC,
        SHARED_DOC,
        with_documents,
        with_register,
        with_review,
    )

    a = with_documents(tmp_path / "a.db", "North Borough", "2026-10-05")
    with_review(a, "Elm Primary", ("2026-11-10", "2026-11-11"))
    with_register(a, "North Borough", (("Elm Primary", "100001"),),
                  (("100001", "level", "2", "2026-09-10", False), ("100001", "escalation", "v", "2026-10-01", True)))
    b = adviser(tmp_path / "b.db", "Bob", "North Borough", "2026-10-20")
    with_register(b, "North Borough", (("Elm Primary School", "100001"),),
                  (("100001", "review", "", "2026-10-20", False),))
    bundles = [bundle(a, tmp_path / "a.bundle"), bundle(b, tmp_path / "b.bundle")]
    url = pg_server.create_db("records_ab")
    for _ in range(2):
        r = run_laqs("pool", "merge", *map(str, bundles), "--into", url)
        assert r.returncode == 0, r.stderr
    once = pg_records(url)
    other = pg_server.create_db("records_ba")
    for b in reversed(bundles):
        assert run_laqs("pool", "merge", str(b), "--into", other).returncode == 0
    assert pg_records(other) == once
    assert [(d[6], d[11]) for d in once["documents"]] == [("Summer school case study", SHARED_DOC)]
    assert len(once["reviews"]) == 1 and len(once["review_interviews"]) == 1 and len(once["review_evidence"]) == 1
    assert len(once["register_schools"]) == 1
    assert sorted(e[3] for e in once["register_entries"]) == ["level", "review"]
    text = repr(once)
    for secret in (PRIVATE_DOC.decode(), "PRIVATETITLE", FLAGGED_REVIEW, FLAGGED_ENTRY):
        assert secret not in text
    # the same rows as a SQLite team store made from the same bundles
    team = tmp_path / "team.db"
    st = Store(team)
    merge_bundles(st, bundles)
    st.close()
    import sqlite3

    conn = sqlite3.connect(str(team))
    for t in ("documents", "review_standards", "register_entries"):
        cols = [c[1] for c in conn.execute(f"PRAGMA table_info({t})") if c[1] != "seq"]
        assert sorted(conn.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall(), key=repr) == once[t], t
    conn.close()


def test_a_team_store_made_before_a_table_joined_the_bundle_gains_it(pg_url, tmp_path):  # noqa: F811
    import psycopg
    from pool_helpers import SHARED_DOC, with_documents

    from laqs_assist.store import pg

    conn = pg.connect(pg_url)
    pg.migrate(conn)
    conn.execute("DROP TABLE documents")  # as a team store made before documents were pooled has it
    conn.commit()
    conn.close()
    a = with_documents(tmp_path / "a.db", "North Borough", "2026-10-05")
    r = run_laqs("pool", "merge", str(bundle(a, tmp_path / "a.bundle")), "--into", pg_url)
    assert r.returncode == 0, r.stderr
    with psycopg.connect(pg_url) as c:
        assert [bytes(x[0]) for x in c.execute("SELECT content FROM documents")] == [SHARED_DOC]
