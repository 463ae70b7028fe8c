"""Every rule of the two register policies, from their words: Barnsley's Table 1 allowances, the new-headteacher
rule, the escalation ladders and the academy shortcut; Staffordshire's categories and support levels, stage 2 → 3,
the two- and three-term alerts, each charging band and its edges, and the audit and monitoring caps."""

from __future__ import annotations

from datetime import date

import pytest

from laqs_assist import register_rules as rules
from laqs_assist.packs.loader import load_pack
from laqs_assist.paths import interviews_dir

BARNSLEY = load_pack(interviews_dir() / "barnsley-register")
STAFFS = load_pack(interviews_dir() / "staffordshire-register")


# --- charging (Staffordshire, Part 2 B) ---------------------------------------------------------------------------

@pytest.mark.parametrize("days, pays", [
    (0, 0), (1, 0), (10, 0),            # "Up to 10 days – No charge"
    (10.5, 2), (11, 2), (20, 2),        # "11 to 20 days – the school pays for 2 days"
    (21, 4), (30, 4),                   # "21 to 30 days – … 4 days"
    (31, 6), (40, 6),                   # "31 to 40 days – … 6 days"
    (41, 8), (50, 8),                   # "41 to 50 days – … 8 days"
    (51, 10), (120, 10),                # "Over 50 days – … 10 days"
])
def test_each_charging_band_and_its_edges(days, pays):
    ch = rules.charge(STAFFS.charging, days)
    assert ch.pays_days == pays
    assert ch.amount == pays * 480  # "1 day of officer time is charged at £480."
    assert ch.currency == "£"


def test_band_words_are_the_strategy_s():
    assert rules.charge(STAFFS.charging, 11).band.said == "11 to 20 days – the school pays for 2 days"
    assert rules.charge(STAFFS.charging, 51).line() == "51 days: Over 50 days – the school pays for 10 days — £4,800"


def test_audit_cap_five_days():
    # "Officer time to audit … no more than 5 days, a maximum of £2,500"
    assert rules.cap_problem(STAFFS.charging, "audit", 0, 5) == ""
    assert rules.cap_problem(STAFFS.charging, "audit", 3, 2) == ""
    msg = rules.cap_problem(STAFFS.charging, "audit", 3, 2.5)
    assert "cap of 5 days" in msg and "3 recorded, 2 left" in msg


def test_monitoring_cap_four_days():
    # "Monitoring up to a maximum of 4 days … £2,000"
    assert rules.cap_problem(STAFFS.charging, "monitoring", 0, 4) == ""
    msg = rules.cap_problem(STAFFS.charging, "monitoring", 4, 0.5)
    assert "cap of 4 days" in msg and "0 left" in msg


def test_cap_amount_binds_at_a_dearer_day_rate():
    dear = STAFFS.charging.__class__(**{**STAFFS.charging.__dict__, "day_rate": 600.0})
    assert "£2,500" in rules.cap_problem(dear, "audit", 0, 5)  # 5 × £600 = £3,000 > £2,500
    assert rules.cap_problem(dear, "audit", 0, 4) == ""


# --- Barnsley Table 1 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("level, visits, reports", [
    ("high", (6, 24), (6, 6)),        # "Up to 24 SEO visits per year" / "Six written reports per year"
    ("medium", (6, None), (3, None)),  # "At least ½ termly visits" / "At least three written reports per year"
    ("low", (3, 3), (3, 3)),           # "Termly visits" / "Three written reports"
    ("none", (2, 2), (2, 2)),          # "Two visits per year" / "Two written reports"
])
def test_each_level_s_allowances(level, visits, reports):
    lv = BARNSLEY.level(level)
    v, r = BARNSLEY.visits_allowed(lv), BARNSLEY.reports_allowed(lv)
    assert (v.at_least, v.at_most) == visits
    assert (r.at_least, r.at_most) == reports


def test_levels_order_labels_and_colours():
    assert [lv.label for lv in BARNSLEY.levels] == ["No risk/support", "Low risk/support", "Medium risk/support",
                                                     "High risk/support"]
    assert BARNSLEY.level("high").colour == "#C00000"
    assert [lv.id for lv in STAFFS.levels] == ["1", "2", "3", "4"]


def test_staffordshire_categories_give_their_level_of_support():
    # "Category 1 and 2 … low level of support, Category 3 … medium … Category 4 … high"
    assert [STAFFS.support_level(lv).id for lv in STAFFS.levels] == ["low", "low", "medium", "high"]
    assert all(STAFFS.support_level(lv).sip_days == 5 for lv in STAFFS.levels)  # "5 days SIP allocation"


def test_termly_visits_overdue_and_upcoming():
    low = BARNSLEY.level("low")
    # one visit in the autumn term; as of 10 April the spring term has passed without one
    st = rules.visit_status(BARNSLEY, low, ["2026-10-05"], 1, "2027-04-10")
    assert st.visits_made == 1
    assert st.overdue == ((date(2027, 1, 1), date(2027, 3, 31)),)
    assert st.due_by == date(2027, 8, 31)
    assert st.short_of_reports == 2
    # the summer visit made: nothing due
    st = rules.visit_status(BARNSLEY, low, ["2026-10-05", "2027-02-01", "2027-04-02"], 3, "2027-04-10")
    assert st.overdue == () and st.due_by is None and st.over == ""


def test_half_termly_visits_and_the_cap_of_24():
    high = BARNSLEY.level("high")
    days = [f"2026-{m:02d}-{d:02d}" for m in (9, 10, 11, 12) for d in (1, 8, 15, 22, 29) if not (m == 11 and d > 29)]
    days += [f"2027-0{m}-0{d}" for m in (1, 2) for d in (1, 2, 3)]
    st = rules.visit_status(BARNSLEY, high, days, 6, "2027-02-10")
    assert st.visits_made == len(days) == 26
    assert st.over == "26 visits made; High risk/support allows 6–24"


def test_periods_start_when_the_level_took_effect():
    medium = BARNSLEY.level("medium")
    # put at medium on 1 December: the autumn's first half-term is not overdue
    st = rules.visit_status(BARNSLEY, medium, [], 0, "2027-01-20", since="2026-12-01")
    assert st.overdue == ((date(2026, 11, 1), date(2026, 12, 31)),)
    assert st.due_by == date(2027, 2, 15)


# --- the new-headteacher rule ---------------------------------------------------------------------------------

def test_a_new_headteacher_allocates_a_category_of_support():
    # "A school will automatically be allocated to a category of support where a new headteacher has taken up post"
    level, applied = rules.apply_rules(BARNSLEY, "none", "2026-04-20", "2026-09-10")
    assert level == "low" and applied.rule.id == "new-headteacher"
    assert "at least Low risk/support until 2027-04-20" in applied.message


def test_the_rule_never_lowers_a_level_and_lapses_after_twelve_months():
    assert rules.apply_rules(BARNSLEY, "high", "2026-04-20", "2026-09-10") == ("high", None)
    assert rules.apply_rules(BARNSLEY, "none", "2025-09-09", "2026-09-10") == ("none", None)
    assert rules.apply_rules(BARNSLEY, "none", None, "2026-09-10") == ("none", None)
    assert rules.apply_rules(STAFFS, "1", "2026-04-20", "2026-09-10") == ("1", None)  # no such rule there


# --- escalation -----------------------------------------------------------------------------------------------

def test_maintained_ladder_i_to_vii_a_step_at_a_time():
    lad = BARNSLEY.ladder("maintained")
    assert [s.id for s in lad.steps] == ["i", "ii", "iii", "iv", "v", "vi", "vii"]
    assert [s.formal for s in lad.steps] == [False, False, True, True, True, True, True]
    path = [None, "i", "ii", "iii", "iv"]
    for cur, nxt in zip(path, path[1:]):
        assert rules.check_step(lad, cur, nxt) == ""
    assert rules.check_step(lad, "i", "iii") == "the next step from i is ii, not iii"
    assert "Sections 63 to 66" in lad.steps[-1].text
    assert rules.next_steps(lad, "vii") == []
    assert "last step" in rules.check_step(lad, "vii", "vii") or "not a step up" in rules.check_step(lad, "vii", "vii")


def test_maintained_step_v_only_if_the_headteacher_s_performance_is_in_question():
    lad = BARNSLEY.ladder("maintained")
    assert [s.id for s in rules.next_steps(lad, "iv")] == ["v", "vi"]
    assert rules.check_step(lad, "iv", "v") == "" and rules.check_step(lad, "iv", "vi") == ""
    assert lad.step("v").concerns_individual
    assert rules.shared_step(lad, "v") == "iv"  # shared outputs never name step v
    assert rules.shared_step(lad, "vi") == "vi"


def test_academy_ladder_i_to_vi_and_the_shortcut():
    lad = BARNSLEY.ladder("academy")
    assert [s.id for s in lad.steps] == ["i", "ii", "iii", "iv", "v", "vi"]
    assert "Secretary of State" in lad.step("v").text and "Ofsted" in lad.step("vi").text
    # "an academy not engaging … should move directly to the formal steps"
    refused = rules.check_step(lad, None, "iii")
    assert "not engaging" in refused and "--not-engaging" in refused
    assert rules.check_step(lad, None, "iii", not_engaging=True) == ""
    assert rules.check_step(lad, "i", "iii", not_engaging=True) == ""
    assert rules.check_step(lad, None, "iv", not_engaging=True) != ""  # the shortcut goes to iii, no further
    assert BARNSLEY.ladder("maintained").shortcut is None


# --- stages and intervention ----------------------------------------------------------------------------------

def test_stage_2_moves_to_3_where_pace_is_insufficient():
    s2 = STAFFS.stage("2")
    assert s2.move_to == "3"
    assert s2.move_strand.text == "Where evaluation demonstrates insufficient pace move to Stage 3."
    assert [s.label for s in STAFFS.stages] == ["Stage 1 – Watching brief", "Stage 2 – Light Touch",
                                                "Stage 3 – Intensive Programme"]
    assert len(STAFFS.factors) == 8


def test_two_terms_review_three_terms_refer():
    # started 5 October: autumn counts (more than half of it left), then spring, then summer
    assert rules.intervention_alert(STAFFS, "2026-10-05", "2027-03-30") is None
    review = rules.intervention_alert(STAFFS, "2026-10-05", "2027-03-31")
    assert review.kind == "review" and review.terms == 2 and review.since == date(2027, 3, 31)
    refer = rules.intervention_alert(STAFFS, "2026-10-05", "2027-08-31")
    assert refer.kind == "refer" and refer.terms == 3 and "refer for alternative measures" in refer.message


def test_a_term_mostly_gone_does_not_count():
    # started 1 December: the autumn term had less than half left
    n, ends = rules.terms_elapsed(STAFFS, "2026-12-01", "2027-08-31")
    assert n == 2 and ends == [date(2027, 3, 31), date(2027, 8, 31)]


def test_intervention_starts_on_entering_stage_2_or_3_and_continues_to_3():
    hist = [("2026-09-01", "1"), ("2026-10-05", "2"), ("2027-01-10", "3")]
    assert rules.intervention_start(STAFFS, hist) == "2026-10-05"
    assert rules.intervention_start(STAFFS, hist + [("2027-05-01", "1")]) is None
    assert rules.intervention_start(STAFFS, hist + [("2027-05-01", ""), ("2027-06-01", "3")]) == "2027-06-01"
    assert rules.intervention_start(BARNSLEY, hist) is None  # no intervention rule in that policy


def test_calendar_terms():
    spans = rules.terms_of_year(STAFFS, "2026/27")
    assert [(s.term.id, s.starts.isoformat(), s.ends.isoformat()) for s in spans] == [
        ("autumn", "2026-09-01", "2026-12-31"), ("spring", "2027-01-01", "2027-03-31"),
        ("summer", "2027-04-01", "2027-08-31")]
    assert rules.term_at(STAFFS, "2027-02-14").term.id == "spring"
    assert len(rules.periods(BARNSLEY, "half-term", "2026/27")) == 6
    assert len(rules.periods(BARNSLEY, "month", "2026/27")) == 12


def test_the_charge_never_falls_as_support_grows_and_never_passes_the_days_given():
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.floats(min_value=0, max_value=400, allow_nan=False), st.floats(min_value=0, max_value=50))
    def check(days, more):
        a, b = rules.charge(STAFFS.charging, days), rules.charge(STAFFS.charging, days + more)
        assert a.amount <= b.amount
        assert a.pays_days <= max(days, 0) or a.pays_days == 0
        assert a.amount == a.pays_days * 480

    check()
