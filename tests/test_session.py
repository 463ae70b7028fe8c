"""The interview engine (laqs_assist.session.Session) on a real store with the shipped ns2009 pack.

Answer types the shipped agendas lack (percent, number, date, grade) use a copy of the pack with one extra agenda
(conftest_store.TYPED_AGENDA)."""

from __future__ import annotations

import pytest
from conftest_store import build_typed_pack, db_rows, pack, store, store_path  # noqa: F401  (fixtures)

from laqs_assist.errors import JudgementError, LaqsError, UsageError
from laqs_assist.session import AnswerInvalid, Session, parse_answer
from laqs_assist.store import Store


def start(store, pack, **kw) -> Session:
    args = dict(agenda_id="la-contacts", organisation="Any Borough", phases=["P"], day="2026-11-20")
    args.update(kw)
    return Session.start(store, pack, **args)


def aspect_order(s: Session) -> list[str]:
    return list(dict.fromkeys(i.aspect_id for i in s.items()))


def one_line(exc: LaqsError) -> str:
    line = exc.line()
    assert line.strip() and "\n" not in line
    return line


# --- the running order -------------------------------------------------------------------------------------------


def test_focus_aspects_come_first_in_the_order_given(store, pack):
    s = start(store, pack, focus=["2.5", "1.3"])
    order = aspect_order(s)
    assert order[:2] == ["2.5", "1.3"]
    # with no coverage yet, the rest follow the agenda's order
    agenda = [sec.aspect for sec in pack.agendas["la-contacts"].sections]
    assert order[2:] == [a for a in agenda if a not in ("2.5", "1.3")]
    # within an aspect, the agenda's question order
    assert [i.question.id for i in s.items() if i.aspect_id == "2.5"] == ["A3.2.5.1", "A3.2.5.2", "A3.2.5.3"]
    assert s.visit["focus"] == ["2.5", "1.3"]


def test_least_covered_aspects_follow_the_focus(store, pack):
    earlier = start(store, pack, day="2026-10-05")
    earlier.note("Programmes are well promoted", "1.1")
    earlier.note("Strategies reach most schools", "1.1")
    earlier.note("The vision is shared", "1.2")
    # another year's and another LA's coverage must not count
    other_year = start(store, pack, day="2027-09-20")
    for _ in range(3):
        other_year.note("next year", "1.3")
    other_la = start(store, pack, organisation="Other Shire", day="2026-10-05")
    for _ in range(3):
        other_la.note("elsewhere", "1.4")

    s = start(store, pack, focus=["2.4"], day="2027-02-01")
    assert aspect_order(s) == ["2.4", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.5", "1.2", "1.1"]


def test_aspects_not_applicable_to_any_of_the_visits_phases_are_left_out(store, pack):
    ey = start(store, pack, phases=["EY"])
    aspects = set(aspect_order(ey))
    assert not aspects & {"1.4", "2.2", "2.3"}
    assert {"1.1", "1.5", "2.4"} <= aspects
    with pytest.raises(UsageError) as info:
        ey.jump("2.2")
    one_line(info.value)
    # one applicable phase is enough to keep them
    mixed = start(store, pack, phases=["EY", "S"])
    assert {"1.4", "2.2", "2.3"} <= set(aspect_order(mixed))


def test_start_rejects_unknown_agenda_phase_and_aspect(store, pack):
    for kw in ({"agenda_id": "nope"}, {"phases": ["Nursery"]}, {"focus": ["9.9"]}, {"day": "someday"}):
        with pytest.raises(UsageError) as info:
            start(store, pack, **kw)
        one_line(info.value)
    assert db_rows(store.path, "SELECT * FROM visits") == []


def test_phase_names_are_accepted(store, pack):
    s = start(store, pack, phases=["Early Years", "secondary"])
    assert s.phases == ["EY", "S"]


# --- answer, skip, back, jump, edit, flag ------------------------------------------------------------------------


def test_answer_records_and_moves_on(store, pack):
    s = start(store, pack, focus=["2.4"])
    first = s.current()
    assert (first.aspect_id, first.question.id, first.position) == ("2.4", "A3.2.4.1", 0)
    r = s.answer("The MIS draws on every SIP report")
    row = store.response(r["id"])
    assert row["text"] == "The MIS draws on every SIP report"
    assert (row["aspect_id"], row["question_id"], row["item_id"]) == ("2.4", "A3.2.4.1", first.id)
    assert (row["visit_id"], row["academic_year"], row["concerns_individual"]) == (s.id, "2026/27", 0)
    item = store.items(s.id)[0]
    assert item["status"] == "answered" and item["response_id"] == r["id"]
    assert s.current().question.id == "A3.2.4.2"
    assert store.visit(s.id)["position"] == 1
    assert s.progress() == (1, len(s.items()))


def test_skip_back_jump_and_reanswer(store, pack):
    s = start(store, pack, focus=["2.4"])
    r1 = s.answer("first answer")
    s.skip()
    assert store.items(s.id)[1]["status"] == "skipped"
    assert s.current().question.id == "A3.2.4.3"

    back = s.back()
    assert back.question.id == "A3.2.4.2" and s.current().question.id == "A3.2.4.2"
    back = s.back()
    assert back.question.id == "A3.2.4.1" and s.current().question.id == "A3.2.4.1"
    # answering a revisited question replaces its answer and keeps the old text
    again = s.answer("first answer, corrected")
    assert again["id"] == r1["id"]
    assert store.response(r1["id"])["text"] == "first answer, corrected"
    assert [v["text"] for v in store.response_versions(r1["id"])] == ["first answer"]
    edits = [e for e in store.events(s.id) if e["kind"] == "response.edit"]
    assert len(edits) == 1 and edits[0]["payload"]["old"] == "first answer"
    assert edits[0]["payload"]["new"] == "first answer, corrected"
    assert len(store.responses(s.id)) == 1
    # and moves on to the next pending question (the skipped one is not pending)
    assert s.current().question.id == "A3.2.4.3"

    target = s.jump("1.5")
    assert target.question.id == "A3.1.5.1" and s.current().question.id == "A3.1.5.1"
    r = s.answer("yes, targets are ambitious")
    assert store.response(r["id"])["question_id"] == "A3.1.5.1"
    assert s.current().question.id == "A3.1.5.3"  # A3.1.5.2 is about Early Years: not asked at a Primary visit

    for bad in ("9.9", "2.4.G.1"):
        with pytest.raises(UsageError) as info:
            s.jump(bad)
        one_line(info.value)


def test_back_at_the_first_question_is_refused(store, pack):
    s = start(store, pack)
    with pytest.raises(UsageError) as info:
        s.back()
    one_line(info.value)


def test_edit_keeps_history_in_versions_and_events(store, pack):
    s = start(store, pack)
    r = s.answer("draft")
    s.edit(r["id"], "second draft")
    s.edit(r["id"], "final")
    assert store.response(r["id"])["text"] == "final"
    assert [v["text"] for v in store.response_versions(r["id"])] == ["draft", "second draft"]
    edits = [(e["payload"]["old"], e["payload"]["new"]) for e in store.events(s.id) if e["kind"] == "response.edit"]
    assert edits == [("draft", "second draft"), ("second draft", "final")]
    with pytest.raises(UsageError):
        s.edit("not-an-id", "x")


def test_the_same_question_answered_from_two_windows_keeps_one_answer_and_both_texts(store, store_path, pack):
    """Two windows on one visit (two connections, as two processes would have) both at the same question: the
    second answer replaces the first as an edit does, and the first stays in the answer's history."""
    first = start(store, pack)
    with Store(store_path) as other_store:
        second = Session.resume(other_store, pack, first.id)
        item = first.current()
        assert second.current().id == item.id
        a = first.answer("The LA promotes the universal offer to every school")
        b = second.answer("It promotes the offer, though two schools have not taken it up")
        assert b["id"] == a["id"]
    rows = db_rows(store.path, "SELECT id, text FROM responses WHERE visit_id = ?", [first.id])
    assert rows == [{"id": a["id"], "text": "It promotes the offer, though two schools have not taken it up"}]
    assert [v["text"] for v in store.response_versions(a["id"])] == ["The LA promotes the universal offer to every school"]
    kinds = [e["kind"] for e in store.events(first.id) if e["kind"].startswith("response.")]
    assert kinds == ["response.add", "response.edit"]
    linked = db_rows(store.path, "SELECT response_id FROM visit_items WHERE id = ?", [item.id])
    assert linked == [{"response_id": a["id"]}]


def test_flag_marks_the_latest_response_and_keeps_it_out_of_shared_outputs(store, pack):
    s = start(store, pack)
    kept = s.answer("The LA promotes the universal offer")
    flagged = s.answer("yes, but one consultant is weak")
    row = s.flag()
    assert row["id"] == flagged["id"] and row["concerns_individual"] == 1
    assert store.response(kept["id"])["concerns_individual"] == 0
    assert [r["id"] for r in store.responses(s.id, shared_only=True)] == [kept["id"]]
    assert {r["id"] for r in store.responses(s.id)} == {kept["id"], flagged["id"]}
    assert [e["entity"] for e in store.events(s.id) if e["kind"] == "response.flag"] == [flagged["id"]]
    s.flag(flagged["id"], False)
    assert store.response(flagged["id"])["concerns_individual"] == 0


def test_note_is_recorded_against_an_aspect_outside_the_agenda(store, pack):
    s = start(store, pack)
    n = s.note("A side remark about data", "2.5")
    row = store.response(n["id"])
    assert (row["aspect_id"], row["question_id"], row["item_id"]) == ("2.5", None, None)
    assert s.current().position == 0  # the agenda did not move
    with pytest.raises(UsageError):
        s.note("   ", "2.5")


# --- typed answers -----------------------------------------------------------------------------------------------


@pytest.fixture()
def typed(tmp_path, store):
    tp = build_typed_pack(tmp_path / "packs")
    # Early Years and Primary: the last question is about the Early Years targets (asked only where EY is a phase).
    return Session.start(store, tp, agenda_id="typed", organisation="Any Borough", phases=["EY", "P"],
                         day="2026-11-20")


def _refused(s: Session, text: str) -> None:
    """An invalid answer re-asks: AnswerInvalid with one line, nothing recorded, the same question current."""
    before_item = s.current()
    n_resp = len(db_rows(s.store.path, "SELECT id FROM responses"))
    n_events = len(db_rows(s.store.path, "SELECT seq FROM events"))
    with pytest.raises(AnswerInvalid) as info:
        s.answer(text)
    one_line(info.value)
    assert info.value.exit_code == 2
    assert len(db_rows(s.store.path, "SELECT id FROM responses")) == n_resp
    assert len(db_rows(s.store.path, "SELECT seq FROM events")) == n_events
    assert s.current().id == before_item.id and s.current().status == "pending"


def test_typed_answers_in_a_session(typed):
    s = typed
    store = s.store
    assert [i.answer_type for i in s.items()] == ["percent", "date", "grade", "choice", "yes_no", "number"]

    for bad in ("lots", "150", "-5%", "", "about 85%"):
        _refused(s, bad)
    r = s.answer("85% of schools, up from last year")
    assert store.response(r["id"])["value"] == "85"
    assert store.response(r["id"])["text"] == "85% of schools, up from last year"
    # a percent answer to a question aimed at one indicator records that indicator, linked to the answer
    j = store.visit_judgements(s.id)
    assert [(x["target"], x["kind"], x["value"], x["phase"], x["response_id"]) for x in j] == [
        ("1.5.targets-in-line", "value", 85.0, "P", r["id"])]

    for bad in ("next week", "2026-13-45", "31/02/2026"):
        _refused(s, bad)
    assert store.response(s.answer("15/12/2026 at the latest")["id"])["value"] == "2026-12-15"

    for bad in ("5", "good", "0"):
        _refused(s, bad)
    assert store.response(s.answer("2 - good overall")["id"])["value"] == "2"

    for bad in ("9", "0", "no idea"):
        _refused(s, bad)
    assert store.response(s.answer("3")["id"])["value"] == "Special measures"

    for bad in ("perhaps", "yesterday"):
        _refused(s, bad)
    assert store.response(s.answer("Yes, mostly")["id"])["value"] == "yes"

    _refused(s, "two")
    r = s.answer("2")
    assert store.response(r["id"])["value"] == "2"
    assert store.visit_judgements(s.id)[-1]["target"] == "1.5.ey-targets-on-track"
    assert store.visit_judgements(s.id)[-1]["value"] == 2.0
    assert s.current() is None or s.current().kind == "probe"
    assert len(store.responses(s.id)) == 6


@pytest.mark.parametrize("answer_type, text, value", [
    ("percent", "85%", "85"), ("percent", "85 percent of schools", "85"), ("percent", "100", "100"),
    ("percent", "0%", "0"), ("percent", "92.5%", "92.5"),
    ("yes_no", "yes", "yes"), ("yes_no", "Y", "yes"), ("yes_no", "no, not yet", "no"), ("yes_no", "No.", "no"),
    ("date", "2026-12-15", "2026-12-15"), ("date", "15/12/2026", "2026-12-15"), ("date", "15.12.2026", "2026-12-15"),
    ("date", "15 December 2026", "2026-12-15"),
    ("grade", "1", "1"), ("grade", "4 inadequate", "4"),
    ("number", "12 schools", "12"), ("text", "anything", None),
])
def test_parse_answer_accepts(answer_type, text, value):
    assert parse_answer(answer_type, text) == value


@pytest.mark.parametrize("answer_type, text", [
    ("percent", "lots"), ("percent", "150"), ("percent", "101%"), ("yes_no", "maybe"), ("yes_no", ""),
    ("date", "soon"), ("grade", "5"), ("grade", "A"), ("number", "many"),
])
def test_parse_answer_refuses(answer_type, text):
    with pytest.raises(AnswerInvalid) as info:
        parse_answer(answer_type, text)
    one_line(info.value)


def test_choice_by_number_and_by_text_on_the_shipped_agenda(store, pack):
    s = Session.start(store, pack, agenda_id="headteachers", organisation="Hill School", kind="school",
                      parent="Any Borough", phases=["P"], focus=["2.3"], day="2026-11-20")
    assert s.current().question.id == "A4.2.3.1"
    s.answer("The policy is clear")
    item = s.current()
    assert item.question.id == "A4.2.3.2" and item.answer_type == "choice"
    _refused(s, "6")
    _refused(s, "N")  # ambiguous: three choices start with N
    r = s.answer("2")
    assert store.response(r["id"])["value"] == "Notice to improve"
    s.back()
    assert s.current().question.id == "A4.2.3.2"
    r2 = s.answer("special measures")
    assert r2["id"] == r["id"]
    assert store.response(r["id"])["value"] == "Special measures"
    assert [v["text"] for v in store.response_versions(r["id"])] == ["2"]


def test_yes_no_on_the_shipped_agenda(store, pack):
    s = start(store, pack, focus=["1.1"])
    s.answer("The LA works well with providers")
    assert s.current().question.id == "A3.1.1.2"
    _refused(s, "they do, mostly")
    r = s.answer("no - not in secondary")
    assert store.response(r["id"])["value"] == "no"


# --- judgements --------------------------------------------------------------------------------------------------


def _jrows(store, visit_id):
    return [(j["phase"], j["target"], j["kind"], j["state"], j["value"]) for j in store.visit_judgements(visit_id)]


def test_judgements_apply_to_the_visits_phases_and_respect_criterion_phases(store, pack):
    s = start(store, pack, phases=["EY", "P", "S"])
    s.judge("2.4.G.1", "met")
    s.judge("2.2.G.1", "partly")  # 2.2 is N/A in Early Years
    # An indicator or a counted set concerns the phases of the criteria read from it: the headship quota only
    # Secondary (2.2.G.7), the Early Years targets only Early Years; 2.4's report features every phase.
    s.judge("2.2.headship-quota", "80")
    s.judge("1.5.ey-targets-on-track", 2)
    s.judge("2.4.report-features", 6)
    assert _jrows(store, s.id) == [
        ("EY", "2.4.G.1", "state", "met", None), ("P", "2.4.G.1", "state", "met", None),
        ("S", "2.4.G.1", "state", "met", None),
        ("P", "2.2.G.1", "state", "partly", None), ("S", "2.2.G.1", "state", "partly", None),
        ("S", "2.2.headship-quota", "value", None, 80.0),
        ("EY", "1.5.ey-targets-on-track", "value", None, 2.0),
        ("EY", "2.4.report-features", "count", None, 6.0), ("P", "2.4.report-features", "count", None, 6.0),
        ("S", "2.4.report-features", "count", None, 6.0),
    ]


def test_criterion_phases_limit_where_a_judgement_lands(store, pack):
    crit = pack.criteria
    ey_only = [c for c in crit.values() if c.phases == ("EY",) and c.kind == "statement"]
    assert ey_only, "the pack has an EY-only statement criterion (1.5.OS.1)"
    cid = ey_only[0].id
    s = start(store, pack, phases=["EY", "P", "S"])
    s.judge(cid, "met")
    assert [j["phase"] for j in store.visit_judgements(s.id)] == ["EY"]

    p_only = start(store, pack, phases=["P"])
    with pytest.raises(JudgementError) as info:
        p_only.judge(cid, "met")
    one_line(info.value)
    assert store.visit_judgements(p_only.id) == []
    with pytest.raises(JudgementError):
        p_only.judge("NOPE", "met")
    with pytest.raises(UsageError):
        p_only.judge("2.4.G.1", "met", phases=["S"])  # not one of the visit's phases
    with pytest.raises(JudgementError):
        p_only.judge("1.5.G.2", "met")  # a threshold criterion is worked out from its indicator
    with pytest.raises(JudgementError):
        p_only.judge("2.4.G.1", "brilliant")
    assert store.visit_judgements(p_only.id) == []


def test_judgements_link_to_the_latest_response(store, pack):
    s = start(store, pack, focus=["2.4"])
    s.judge("2.4.G.3", "met")
    assert store.visit_judgements(s.id)[-1]["response_id"] is None
    r1 = s.answer("Risk register is shared with senior officers")
    s.judge("2.4.G.3", "met")
    assert store.visit_judgements(s.id)[-1]["response_id"] == r1["id"]
    r2 = s.answer("Reports are timely")
    s.judge("2.4.G.5", "partly")
    s.set_impact("2.4", "some")
    assert [j["response_id"] for j in store.visit_judgements(s.id)[-2:]] == [r2["id"], r2["id"]]


def test_set_impact(store, pack):
    s = start(store, pack, phases=["EY", "P"])
    s.set_impact("2.4", "substantial")
    s.set_impact("2.2", "some")  # N/A in EY
    assert _jrows(store, s.id) == [("EY", "2.4", "impact", "substantial", None),
                                   ("P", "2.4", "impact", "substantial", None),
                                   ("P", "2.2", "impact", "some", None)]
    assert s.judgements("2.4", "P").impact == "substantial"
    with pytest.raises(JudgementError):
        s.set_impact("2.4", "loads")
    with pytest.raises(UsageError):
        s.set_impact("9.9", "some")
    ey = start(store, pack, phases=["EY"])
    with pytest.raises(JudgementError):
        ey.set_impact("2.2", "some")


def test_rating_comes_from_the_years_accumulated_judgements(store, pack):
    first = start(store, pack, day="2026-10-01")
    assert first.rating("2.4", "P").suggestion is None  # nothing recorded: no suggestion
    first.judge("2.4.G.1", "met")
    first.judge("2.4.G.2", "met")
    first.end()
    second = start(store, pack, day="2027-03-01")
    second.judge("2.4.report-features", 7)
    second.set_impact("2.4", "some")
    r = second.rating("2.4", "P")
    assert r.suggestion == "G", r.reason
    assert r.states["2.4.G.1"] == "met" and r.states["2.4.G.4"] == "met"
    # another year starts afresh; another LA is separate
    assert start(store, pack, day="2027-09-10").rating("2.4", "P").suggestion is None
    assert start(store, pack, organisation="Other Shire", day="2027-03-01").rating("2.4", "P").suggestion is None
    # a later not-met replaces the earlier met
    second.judge("2.4.G.1", "not_met")
    assert second.rating("2.4", "P").suggestion != "G"


# --- probes ------------------------------------------------------------------------------------------------------


def test_probes_follow_an_aspects_last_question_when_below_the_ceiling(store, pack):
    s = start(store, pack, focus=["2.4"])
    s.answer("The MIS gathers data from every school")
    s.judge("2.4.G.1", "met")
    s.judge("2.4.G.2", "met")
    s.judge("2.4.report-features", 7)
    s.answer("Reports are of good quality")
    assert [i.kind for i in s.items()[:4]] == ["question"] * 4  # no probes before the last scripted question
    r = s.rating("2.4", "P")
    assert pack.column(r.suggestion).rank > pack.column(r.ceiling).rank  # below the ceiling (no impact recorded)
    s.answer("yes, they feed the MIS")
    items = s.items()
    probes = [i for i in items if i.kind == "probe"]
    assert probes, "probes expected after 2.4's last question"
    assert len(probes) <= 3
    assert [i.position for i in probes] == list(range(3, 3 + len(probes)))  # right after A3.2.4.3
    assert all(i.aspect_id == "2.4" and i.status == "pending" for i in probes)
    assert probes[0].targets == ("impact:2.4",) and "impact" in probes[0].text  # evidence of impact first
    assert all(len(p.targets) == 1 and p.targets[0] != "impact:2.4" for p in probes[1:])
    assert s.current().id == probes[0].id
    assert [e["kind"] for e in store.events(s.id)].count("item.add") == len(probes)

    # a probe can be answered or dismissed
    s.answer("Attainment in reading rose in most targeted schools")
    assert store.response(store.responses(s.id)[-1]["id"])["item_id"] == probes[0].id
    for p in probes[1:]:
        assert s.current().id == p.id
        s.skip()
    statuses = {i.id: i.status for i in s.items()}
    assert statuses[probes[0].id] == "answered"
    assert all(statuses[p.id] == "dismissed" for p in probes[1:])
    assert s.current().kind == "question" and s.current().aspect_id != "2.4"


def test_no_probes_when_the_suggestion_is_at_the_ceiling(store, pack):
    s = start(store, pack, focus=["2.4"])
    s.answer("The MIS is patchy")
    s.judge("2.4.G.1", "met")
    s.judge("2.4.G.2", "partly")
    s.judge("2.4.report-features", 5)  # two features missing: capped at Requires some improvement
    r = s.rating("2.4", "P")
    assert r.suggestion == r.ceiling == "NI"
    s.answer("Reports vary")
    s.answer("yes, sometimes")
    assert [i for i in s.items() if i.kind == "probe"] == []
    assert s.current().aspect_id != "2.4"


# --- override, self-evaluation, review, end ---------------------------------------------------------------------


def test_override_needs_a_reason(store, pack):
    s = start(store, pack)
    s.judge("2.4.G.1", "met")
    for reason in ("", "   "):
        with pytest.raises(UsageError) as info:
            s.override("2.4", "P", "NI", reason)
        one_line(info.value)
    assert store.ratings(s.id) == []
    with pytest.raises(UsageError):
        s.override("2.4", "P", "Brilliant", "a reason")
    with pytest.raises(UsageError):
        s.override("2.4", "S", "NI", "not a phase of this visit")
    ey = start(store, pack, phases=["EY"])
    with pytest.raises(UsageError):
        ey.override("2.2", "EY", "NI", "N/A in Early Years")
    s.override("2.4", "Primary", "good", " QA is stronger than the reports show ")
    rows = store.ratings(s.id)
    assert [(r["phase"], r["aspect_id"], r["override"], r["override_reason"], r["accepted"]) for r in rows] == [
        ("P", "2.4", "G", "QA is stronger than the reports show", 1)]
    assert [e["kind"] for e in store.events(s.id)].count("rating.update") == 1


def test_self_evaluation_and_disagreement_in_review(store, pack):
    s = start(store, pack)
    s.judge("2.4.G.1", "met")
    s.judge("2.4.G.2", "partly")
    s.judge("2.4.report-features", 5)
    s.judge("2.5.G.1", "met")
    s.self_evaluation("2.4", "P", "G")
    s.self_evaluation("2.5", "P", s.rating("2.5", "P").suggestion or "NI")
    review = {(row["aspect"], row["phase"]): row for row in s.review()}
    assert set(review) == {("2.4", "P"), ("2.5", "P")}
    row = review[("2.4", "P")]
    assert row["final"] == "NI" and row["self_evaluation"] == "G" and row["disagrees"] is True
    assert review[("2.5", "P")]["disagrees"] is False or review[("2.5", "P")]["final"] is None
    # the adviser's override replaces the suggestion; agreeing with the LA ends the disagreement
    s.override("2.4", "P", "G", "new evidence in the meeting")
    row = {(r["aspect"], r["phase"]): r for r in s.review()}[("2.4", "P")]
    assert row["final"] == "G" and row["override"] == "G" and row["disagrees"] is False
    saved = store.ratings(s.id)
    assert {(r["aspect_id"], r["self_evaluation"]) for r in saved} >= {("2.4", "G")}


def test_end_snapshots_ratings_and_refuses_new_answers(store, pack):
    s = start(store, pack, phases=["P", "S"], focus=["2.4"])
    s.answer("The MIS gathers data from every school")
    s.judge("2.4.G.1", "met")
    s.note("Data packs arrive late", "2.5")
    review = s.end()
    v = store.visit(s.id)
    assert v["status"] == "ended" and v["ended_at"]
    assert s.ended
    rows = {(r["aspect_id"], r["phase"]): r for r in store.ratings(s.id)}
    assert set(rows) == {("2.4", "P"), ("2.4", "S"), ("2.5", "P"), ("2.5", "S")}
    for row in review:
        saved = rows[(row["aspect"], row["phase"])]
        assert saved["suggestion"] == row["rating"].suggestion and saved["ceiling"] == row["rating"].ceiling
        assert saved["reason"] == row["rating"].reason
    assert [e["kind"] for e in store.events(s.id)].count("visit.ended") == 1

    n = len(store.responses(s.id))
    for act in (lambda: s.answer("too late"), lambda: s.note("too late", "2.4"), s.skip):
        with pytest.raises(UsageError) as info:
            act()
        assert "ended" in one_line(info.value)
    assert len(store.responses(s.id)) == n
    # a resumed ended visit still refuses
    again = Session.resume(store, pack, s.id)
    with pytest.raises(UsageError):
        again.answer("too late")


def test_actions(store, pack):
    s = start(store, pack, focus=["2.4"])
    a = s.add_action("Moderate SIP reports termly", " Jo Bloggs ", "15/12/2026")
    row = store.actions(s.id)[0]
    assert row["id"] == a["id"]
    assert (row["text"], row["owner"], row["due_date"], row["aspect_id"], row["status"]) == (
        "Moderate SIP reports termly", "Jo Bloggs", "2026-12-15", "2.4", "open")
    with pytest.raises(UsageError):
        s.add_action("  ")
    with pytest.raises(AnswerInvalid):
        s.add_action("x", "Jo", "whenever")
    assert len(store.actions(s.id)) == 1


# --- resume ------------------------------------------------------------------------------------------------------


def test_resume_continues_at_the_right_question(store_path, pack):
    with Store(store_path) as st:
        s = start(st, pack, focus=["2.4"])
        s.answer("one")
        s.skip()
        s.pause()
        vid = s.id
        assert st.visit(vid)["status"] == "paused"
    with Store(store_path) as st:
        again = Session.resume(st, pack, vid[:8])
        assert again.id == vid and again.visit["status"] == "in_progress"
        assert again.current().question.id == "A3.2.4.3"
        again.answer("yes, three")
        again.jump("1.5")
        again.answer("yes, ambitious")
        # a visit left without pausing (a crash) resumes where it stopped too
    with Store(store_path) as st:
        third = Session.resume(st, pack, "last")
        assert third.id == vid
        assert third.current().question.id == "A3.1.5.3"  # A3.1.5.2 (Early Years) is not asked at a Primary visit
        answered = [i.question.id for i in third.items() if i.status == "answered" and i.question]
        assert answered == ["A3.2.4.1", "A3.2.4.3", "A3.1.5.1"]


def test_resume_an_unknown_visit_is_a_usage_error(store, pack):
    with pytest.raises(UsageError) as info:
        Session.resume(store, pack, "deadbeef")
    one_line(info.value)


def test_a_visit_belongs_to_its_pack(store, pack, tmp_path):
    s = start(store, pack)
    other = build_typed_pack(tmp_path / "packs")
    object.__setattr__(other, "id", "other")
    with pytest.raises(UsageError):
        Session(store, other, store.visit(s.id))
