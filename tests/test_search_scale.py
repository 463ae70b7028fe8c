"""Search on a big store costs the page asked for, not the store: very common words are matched without being
weighed. These tests pin down what a person sees: on a store where no word is very common, exactly FTS5's own
ranking of the whole query; on a store where some are (made small here by lowering the threshold), every answer
holding the words is still found, best first by the less common words, with the words bracketed in the snippet."""

from __future__ import annotations

import random

import pytest
from conftest_store import store, store_path  # noqa: F401  (fixtures)

from laqs_assist.store import Store, _fts_query

WORDS = ("pupils pupil premium moderation moderated safeguarding attendance governors phonics consultant "
         "consultants tracking data risk register closing gap école partner improvement").split()
FILLER = "the of and in a is for with school schools term visit report".split()

QUERIES = ["premium", "pupil premium", "moder", "safeguarding audit", "consult", "risk register",
           "closing the gap", "school improvement partner", "ecole", "data tracking", "pupils moderation",
           "phon", "governors attendance school"]


def _fill(st: Store, n: int = 400, seed: int = 15) -> list[dict]:
    rng = random.Random(seed)
    orgs = [st.ensure_organisation(name) for name in ("Any Borough", "Other Shire")]
    visits = [st.create_visit(organisation_id=o["id"], pack_id="ns2009", agenda_id="la-contacts", phases=["P"],
                              focus=[], day="2026-11-20") for o in orgs]
    out = []
    for k in range(n):
        words = rng.choices(WORDS, k=rng.randint(1, 5)) + rng.choices(FILLER, k=rng.randint(2, 12))
        rng.shuffle(words)
        if k % 7 == 0:
            words.append("audit")
        out.append(st.add_response(visit=visits[k % 2], item=None, aspect_id="2.4", text=" ".join(words).capitalize()))
    st.flag_response(out[-3]["id"])
    st.index_pending()
    return out


def _bm25(st: Store, fts: str, limit: int = 50) -> list[str]:
    """FTS5's own ranking of the whole query: what search gave on any store before it learnt to skip common words."""
    return [r[0] for r in st.conn.execute(
        "SELECT r.id FROM responses_fts f JOIN responses r ON r.rowid = f.rowid WHERE responses_fts MATCH ? "
        "ORDER BY f.rank LIMIT ?", [fts, limit])]


def _matching(st: Store, fts: str) -> set[str]:
    return {r[0] for r in st.conn.execute(
        "SELECT r.id FROM responses_fts f JOIN responses r ON r.rowid = f.rowid WHERE responses_fts MATCH ?", [fts])}


def test_where_no_word_is_very_common_the_hits_are_fts5s_own_ranking(store):
    _fill(store)
    for q in QUERIES:
        fts = _fts_query(q)
        assert [h["id"] for h in store.search(q)] == _bm25(store, fts), q


@pytest.mark.parametrize("common", [3, 20, 60, 150])
def test_with_very_common_words_every_matching_answer_is_still_found(store, common, monkeypatch):
    _fill(store)
    monkeypatch.setattr(Store, "COMMON", common)
    for q in QUERIES:
        fts = _fts_query(q)
        got = store.search(q, limit=1000)
        assert {h["id"] for h in got} == _matching(store, fts), q
        assert len(got) == len({h["id"] for h in got}), q  # nobody twice
        top = store.search(q)
        assert len(top) == min(50, len(_matching(store, fts))), q


def test_with_very_common_words_the_rest_rank_the_answers_that_hold_them_all(store, monkeypatch):
    _fill(store)
    monkeypatch.setattr(Store, "COMMON", 60)
    # "pupil" (with "pupils") is in far more than 60 answers, "premium" too; "audit" is in one answer in seven
    assert store._common("pupil") and not store._common("audit")
    hits = store.search("pupils audit")
    holding = _matching(store, _fts_query("pupils audit"))
    assert {h["id"] for h in hits} == holding and holding
    # ranked by the less common word alone, among the answers holding both
    by_audit = [i for i in _bm25(store, '"audit"*', 1000) if i in holding]
    assert [h["id"] for h in hits] == by_audit
    for h in hits:
        assert "[audit]" in h["snippet"].lower() and "[pupil" in h["snippet"].lower()


def test_every_word_very_common_gives_the_newest_answers_holding_them(store, monkeypatch):
    answers = _fill(store)
    monkeypatch.setattr(Store, "COMMON", 20)
    hits = store.search("pupil premium", limit=10)
    order = {a["id"]: k for k, a in enumerate(answers)}
    holding = sorted(_matching(store, _fts_query("pupil premium")), key=order.get, reverse=True)
    whole = [i for i in holding if i in _matching(store, '"pupil" "premium"')]
    assert [h["id"] for h in hits] == (whole + [i for i in holding if i not in whole])[:10]
    assert all("[" in h["snippet"] for h in hits)


def test_a_common_word_is_matched_as_the_index_matches_it_case_and_accents_folded(store, monkeypatch):
    v = store.create_visit(organisation_id=store.ensure_organisation("Any Borough")["id"], pack_id="ns2009",
                           agenda_id="la-contacts", phases=["P"], focus=[], day="2026-11-20")
    for k in range(30):
        store.add_response(visit=v, item=None, aspect_id="2.4", text=f"École visit {k}")
    target = store.add_response(visit=v, item=None, aspect_id="2.4", text="ÉCOLES partenaires: kestrel audit")
    store.add_response(visit=v, item=None, aspect_id="2.4", text="kestrel audit without the word")
    store.add_response(visit=v, item=None, aspect_id="2.4", text="kestrel audit: préécoles")  # inside a word
    joined = store.add_response(visit=v, item=None, aspect_id="2.4", text="kestrel audit_ecole")  # "_" separates
    store.index_pending()
    expected = {target["id"], joined["id"]}
    assert {h["id"] for h in store.search("ecole kestrel")} == expected  # as FTS5 matches it on its own
    monkeypatch.setattr(Store, "COMMON", 10)
    assert store._common("ecole")
    for q in ("ecole kestrel", "École kestrel", "ECOLE kestrel"):
        assert {h["id"] for h in store.search(q)} == expected, q
    assert [h["id"] for h in store.search("ecoles kestrel")] == [target["id"]]
    assert store.search("ecoless kestrel") == []


def test_flagged_answers_are_found_and_marked_as_before(store, monkeypatch):
    answers = _fill(store)
    flagged = answers[-3]["id"]
    words = store.response(flagged)["text"].split()
    for common in (5_000, 3):
        monkeypatch.setattr(Store, "COMMON", common)
        got = {h["id"]: h for h in store.search(" ".join(words[:3]), limit=1000)}
        assert got[flagged]["concerns_individual"] == 1
        assert all(h["concerns_individual"] == 0 for i, h in got.items() if i != flagged)
