"""Property: any interleaving of merges of the same bundles (any order, any grouping into runs of `laqs pool merge`,
some bundles merged more than once) gives the same team store, row for row (local counters aside).

The bundles cover what makes order matter if anything does: two advisers, one LA under three names (two stores
give its LA code, one only its name), a school under an LA, an answer edited on two copies of a store (a conflict),
a re-export after an edit, an answer flagged after it was first pooled (withdrawn), a school review, documents
(one private), and an LA's register kept by the store that knows the LA only by name (its entries relabelled when
the LA is matched to its code) naming the school by URN."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pool_helpers import adviser, bundle, content, copy_store, visit, with_documents, with_register, with_review

from laqs_assist.store import Store
from laqs_assist.store.pooling import merge_bundles, set_code


@functools.lru_cache(maxsize=1)
def bundles() -> tuple[Path, ...]:
    d = Path(tempfile.mkdtemp(prefix="laqs-pool-prop-"))
    out = []
    a = adviser(d / "a.db", "Ann", "Barnsley", "2026-10-05", answers=("yes, timely", "the head said Mr Brown"),
                action="Publish the moderation calendar")
    st = Store(a)
    set_code(st, "Barnsley", "370")
    visit(st, "Elm Primary", "2026-10-09", school=True, parent="Barnsley", author="Ann")
    st.close()
    out.append(bundle(a, d / "a1.bundle"))
    twin = copy_store(a, d / "a-copy.db")
    for path, text in ((a, "yes, timely and complete"), (twin, "late this term")):
        st = Store(path)
        rid = st.conn.execute("SELECT id FROM responses WHERE text = 'yes, timely'").fetchone()[0]
        st.edit_response(rid, text)
        st.close()
    out.append(bundle(a, d / "a2.bundle"))
    out.append(bundle(twin, d / "a-copy.bundle"))
    st = Store(a)
    st.flag_response(st.conn.execute("SELECT id FROM responses WHERE text LIKE '%Mr Brown%'").fetchone()[0])
    st.close()
    out.append(bundle(a, d / "a3.bundle"))
    b = adviser(d / "b.db", "Bob", "Barnsley MBC", "2026-11-02", answers=("moderation timely",))
    st = Store(b)
    set_code(st, "Barnsley MBC", "370")
    st.close()
    c = adviser(d / "c.db", "Cat", "barnsley", "2026-11-03", answers=("timely reports",))
    st = Store(c)
    visit(st, "South Borough", "2026-11-04", author="Cat", answers=("timely enough",))
    st.close()
    with_documents(c, "barnsley", "2026-11-05", author="Cat", answers=())
    with_register(c, "barnsley", (("Elm Primary", "106001"), ("Ash Infants", "106002")),
                  (("106001", "level", "2", "2026-09-10", False), ("106002", "stage", "1", "2026-09-12", False),
                   ("106001", "escalation", "v", "2026-10-01", True)))
    with_review(b, "Elm Primary", ("2026-11-10", "2026-11-11"), team=("Bob", "Bea"))
    out.append(bundle(b, d / "b.bundle"))
    out.append(bundle(c, d / "c.bundle"))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def reference() -> dict:
    team = Path(tempfile.mkdtemp(prefix="laqs-pool-ref-")) / "team.db"
    st = Store(team)
    merge_bundles(st, list(bundles()))
    st.close()
    return content(team)


@st.composite
def interleavings(draw):
    n = len(bundles())
    order = draw(st.permutations(range(n)))
    repeats = draw(st.lists(st.integers(0, n - 1), max_size=3))
    sequence = list(order) + repeats
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(sequence) - 1)), max_size=3)))
    runs, start = [], 0
    for cut in cuts + [len(sequence)]:
        if cut > start:
            runs.append(sequence[start:cut])
            start = cut
    return runs


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interleavings())
def test_any_interleaving_of_merges_gives_the_same_team_store(runs):
    folder = Path(tempfile.mkdtemp(prefix="laqs-pool-run-"))
    try:
        team = folder / "team.db"
        for run in runs:
            st = Store(team)
            merge_bundles(st, [bundles()[i] for i in run])
            st.close()
        assert content(team) == reference()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_reference_holds_what_the_bundles_say():
    ref = reference()
    orgs = sorted((r[1], r[2]) for r in ref["organisations"])
    assert orgs == [("Ash Infants", "school"), ("Barnsley", "LA"), ("Elm Primary", "school"), ("South Borough", "LA")]
    texts = sorted(r for r in (row for row in ref["responses"]))
    assert not any("Mr Brown" in str(r) for r in texts)  # withdrawn, whichever bundle came last
    # the edited answer's three wordings (two of them rival edits), four answers never edited
    assert len(ref["pool_versions"]) == 3 + 4
    assert len(ref["documents"]) == 1 and len(ref["reviews"]) == 1 and len(ref["register_schools"]) == 2
    assert len(ref["register_entries"]) == 2 and len(ref["register_las"]) == 1
    assert not any("FLAGGED" in str(r) for t in ("register_entries", "review_interviews", "review_evidence")
                   for r in ref[t])
