"""Explanations that show their working, warnings where judgements contradict themselves, gaps in the source said,
and rating pure per phase: the 2009 pack's own criteria, asserted on the words an adviser reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.rating import judgements_for, rate

PACK = load_pack(default_pack_path())
ROOT = Path(__file__).resolve().parent.parent


def statements(aspect: str, column: str, state: str = "met") -> dict:
    return {c.id: state for c in PACK.aspects[aspect].criteria if c.column == column and c.kind == "statement"}


def rated(aspect: str, phase: str, entries: dict, impact=None):
    return rate(PACK, aspect, phase, judgements_for(PACK, aspect, entries, impact))


def messages(r, column: str, kind: str | None = None) -> list[str]:
    return [b.message for b in r.blockers if b.column == column and (kind is None or b.kind == kind)]


# --- the recorded value beside the threshold ---------------------------------------------------------------------


def test_a_threshold_shows_the_value_recorded_and_what_the_column_needs():
    r = rated("2.2", "S", statements("2.2", "G") | {"2.2.headship-quota": 70}, "some")
    assert r.suggestion == "NI"
    assert messages(r, "G") == ["critical criterion 2.2.G.7 is not met (70 % recorded; Good needs at least 75 %): "
                                "The 75% quota for secondary schools SIPs/NCAs is met."]
    assert r.reason == ("Requires some improvement: the criteria for a higher column are not met; Good is blocked: "
                        "critical criterion 2.2.G.7 is not met (70 % recorded; Good needs at least 75 %): The 75% "
                        "quota for secondary schools SIPs/NCAs is met.")


def test_a_threshold_not_yet_recorded_names_its_indicator():
    r = rated("2.2", "S", statements("2.2", "G"), "some")
    assert messages(r, "G") == ["critical criterion 2.2.G.7 is not yet judged (no value recorded for "
                                "2.2.headship-quota; Good needs at least 75 %): The 75% quota for secondary schools "
                                "SIPs/NCAs is met."]


def test_a_national_position_is_shown_as_one():
    r = rated("2.5", "P", statements("2.5", "OS") | statements("2.5", "G") | {
        "2.5.improvement-position": 60, "2.5.data-qualities": 5}, "substantial")
    assert r.suggestion == "G"
    assert messages(r, "OS", "critical") == [
        "critical criterion 2.5.OS.2 is not met (national position 60 recorded; Outstanding needs a national "
        "position at least 75): The use of data results in the LA being in the top quartile."]


def test_a_count_shows_the_items_present_and_the_rule():
    r = rated("2.4", "P", statements("2.4", "G") | {"2.4.report-features": 5}, "some")
    assert ("critical criterion 2.4.G.4 is not met (5 of 7 features present; Good needs all 7): The key document"
            in messages(r, "G", "critical")[0])


def test_a_count_from_items_says_how_many_are_not_yet_judged():
    items = [i.id for i in PACK.sets["2.4.report-features"].items]
    r = rated("2.4", "P", statements("2.4", "G") | {items[0]: "met", items[1]: "met"}, "some")
    assert messages(r, "G", "critical")[0].startswith(
        "critical criterion 2.4.G.4 is not yet judged (2 to 7 of 7 features present (5 not yet judged); Good needs "
        "all 7)")


# --- the cap, named with what was recorded ---------------------------------------------------------------------


def test_a_cap_is_named_with_the_value_recorded():
    r = rated("2.3", "S", {"2.3.nc-on-trajectory": 76}, "some")
    assert r.suggestion == "SI" and r.capped_by == ("2.3.SI.3",)
    assert r.reason.startswith(
        "Requires significant improvement: capped by 2.3.SI.3: Less than 80% of National Challenge schools are on "
        "trajectory to be sustainably above the floor target by 2011. (76 % recorded)")
    assert messages(r, "G", "cap") == [
        "capped at Requires significant improvement by 2.3.SI.3: Less than 80% of National Challenge schools are on "
        "trajectory to be sustainably above the floor target by 2011. (76 % recorded)"]


def test_a_counted_cap_is_named_with_the_count():
    r = rated("2.4", "P", statements("2.4", "G") | {"2.4.report-features": 5}, "some")
    assert r.reason.startswith(
        "Requires some improvement: capped by 2.4.NI.5: The key document for gathering intelligence from schools is "
        "the SIP report but one or two of the seven features for good reports are missing. (5 of 7 features "
        "present); Good is blocked for 2 reasons, all to be resolved: (1) capped at Requires some improvement by "
        "2.4.NI.5:")
    assert "(2) critical criterion 2.4.G.4 is not met (5 of 7 features present; Good needs all 7)" in r.reason


# --- every reason a column is blocked ---------------------------------------------------------------------------


def test_every_reason_good_is_blocked_is_named_not_just_the_evidence():
    """Good blocked both by a met lower-column cap and by missing evidence of impact: both are named, and the
    lift asks for both, so recording evidence of impact does not read as if it alone would lift the rating."""
    entries = statements("2.1", "G") | {"2.1.NI.1": "met"}
    r = rated("2.1", "P", entries, "none")
    cap = PACK.criteria["2.1.NI.1"]
    assert cap.critical and r.suggestion == "NI"
    assert r.reason == (f"Requires some improvement: capped by 2.1.NI.1: {cap.text}; Good is blocked for 2 reasons, "
                        f"all to be resolved: (1) capped at Requires some improvement by 2.1.NI.1: {cap.text}; "
                        "(2) needs evidence of impact (recorded: no evidence of impact yet)")
    assert r.lift == ("evidence that 2.1.NI.1 no longer describes the practice",
                      "Evidence of impact (recorded: no evidence of impact yet)")


# --- what the ceiling assumes -----------------------------------------------------------------------------------


def test_the_ceiling_says_it_assumes_evidence_of_impact_not_yet_found():
    entries = statements("2.2", "G") | statements("2.2", "NI", "not_met") | statements("2.2", "SI", "not_met") | {
        "2.2.attainment-progress-position": 60, "2.2.headship-quota": 80}
    r = rated("2.2", "S", entries, "none")
    assert (r.suggestion, r.ceiling) == ("NI", "G")
    assert r.ceiling_assumes == "Good at best, if evidence of impact is found"
    assert rated("2.2", "S", entries, "some").ceiling_assumes == ""


def test_the_ceiling_says_it_assumes_substantial_evidence_and_open_criteria():
    r = rated("2.2", "S", {"2.2.G.1": "met"}, "some")
    open_ = sum(1 for s in r.states.values() if s == "unknown")
    assert r.ceiling == "OS"
    assert r.ceiling_assumes == (f"Outstanding at best, if substantial evidence of impact is found and the {open_} "
                                 "criteria not yet judged go its way")


def test_nothing_recorded_still_says_what_the_ceiling_assumes():
    r = rated("1.1", "P", {})
    assert r.suggestion is None and r.ceiling == "OS"
    assert r.ceiling_assumes.startswith("Outstanding at best, if substantial evidence of impact is found and the ")


# --- warnings ---------------------------------------------------------------------------------------------------


def test_a_count_its_items_contradict_is_a_warning():
    items = [i.id for i in PACK.sets["2.4.report-features"].items]
    entries = statements("2.4", "G") | {"2.4.report-features": 5} | {i: "not_met" for i in items[:3]}
    r = rated("2.4", "P", entries, "some")
    assert [(w.kind, w.message) for w in r.warnings] == [(
        "count", "2.4.report-features: the count says 5 of 7 features present, but of its items 3 judged missing "
                 "(not met or partly); the count is what is rated, so check it against the items")]
    assert rated("2.4", "P", statements("2.4", "G") | {"2.4.report-features": 5} | {items[0]: "not_met"},
                 "some").warnings == ()


def test_an_outstanding_criterion_met_under_a_lower_cap_is_a_warning():
    r = rated("2.3", "S", {"2.3.nc-on-trajectory": 76, "2.3.OS.2": "met"}, "some")
    assert [w.message for w in r.warnings] == [
        "2.3.OS.2 (Outstanding) is met while 2.3.SI.3 caps the rating at Requires significant improvement: the "
        "columns contradict each other; check both judgements"]


def test_caps_in_two_columns_are_a_warning():
    r = rated("2.3", "P", {"2.3.NI.2": "met", "2.3.SI.2": "met"}, "some")
    assert r.suggestion == "SI"
    assert [w.message for w in r.warnings if w.kind == "columns"][-1] == (
        "caps are met in more than one column: 2.3.NI.2 (Requires some improvement) and 2.3.SI.2 (Requires "
        "significant improvement); the lowest applies, but the columns describe different practice; check which "
        "is right")


# --- gaps in the source -----------------------------------------------------------------------------------------


def test_exactly_80_in_2_3_caps_nothing_and_says_so():
    r = rated("2.3", "S", {"2.3.nc-on-trajectory": 80}, "some")
    assert r.cap is None
    assert [w.message for w in r.warnings] == [
        "80 % recorded (2.3.nc-on-trajectory): the standards give 'more than 80 %' (Requires some improvement) and "
        "'less than 80 %' (Requires significant improvement), so exactly 80 % falls between them and caps nothing"]
    assert rated("2.3", "S", {"2.3.nc-on-trajectory": 80.5}, "some").capped_by == ("2.3.NI.3",)
    assert rated("2.3", "S", {"2.3.nc-on-trajectory": 79.5}, "some").capped_by == ("2.3.SI.3",)


def test_a_gap_is_not_said_where_its_measure_does_not_apply():
    assert rated("2.3", "P", {"2.3.nc-on-trajectory": 80}, "some").warnings == ()


# --- laqs rate ----------------------------------------------------------------------------------------------------


def laqs(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LAQS_STORE", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-m", "laqs_assist", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_laqs_rate_prints_the_warnings_the_ceiling_assumption_and_that_every_lift_is_needed(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("impact: none\njudgements:\n  2.3.nc-on-trajectory: 80\n  2.3.OS.2: met\n  2.3.NI.2: met\n",
                    encoding="utf-8")
    p = laqs("rate", "2.3", "S", str(path))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[1] == "Suggestion: Requires some improvement (NI)"
    assert lines[2] == "Ceiling:    Requires some improvement (NI)"
    check = lines.index("Check:")
    assert lines[check + 1] == "  ! 80 % recorded (2.3.nc-on-trajectory): the standards give 'more than 80 %' (Requires some"
    assert "  ! 2.3.OS.2 (Outstanding) is met while 2.3.NI.2 caps the rating at Requires some improvement: the" in lines
    import json

    lift = json.loads(laqs("rate", "2.3", "S", str(path), "--json").stdout)["lift"]
    assert len(lift) > 1
    assert f"To reach Good, record all {len(lift)} of:" in lines


def test_laqs_rate_prints_what_the_ceiling_assumes(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("impact: some\njudgements:\n  2.2.G.1: met\n", encoding="utf-8")
    p = laqs("rate", "2.2", "S", str(path))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[2] == "Ceiling:    Outstanding (OS)"
    assert lines[3].startswith("            (Outstanding at best, if substantial evidence of impact is found and the")


def test_laqs_rate_json_carries_warnings_and_the_ceiling_assumption(tmp_path):
    import json

    path = tmp_path / "j.yaml"
    path.write_text("judgements:\n  2.3.nc-on-trajectory: 80\n", encoding="utf-8")
    out = json.loads(laqs("rate", "2.3", "S", str(path), "--json").stdout)
    assert out["warnings"][0]["kind"] == "gap" and out["warnings"][0]["criteria"] == ["2.3.nc-on-trajectory"]
    assert out["ceiling"] == "NI" and out["ceiling_assumes"] == ""  # Good needs all on trajectory: 80 % rules it out


# --- rating is pure per phase -----------------------------------------------------------------------------------


def _entries_strategy(aspect_id: str):
    """Any judgements one phase of an aspect can be given: statement states, set items or counts, values."""
    aspect = PACK.aspects[aspect_id]
    fields = {}
    for c in aspect.criteria:
        if c.kind == "statement":
            fields[c.id] = st.sampled_from(["met", "partly", "not_met", "unknown"])
    for s in aspect.sets:
        if all(i.criterion is None for i in s.items):
            fields[s.id] = st.integers(0, len(s.items))
            for i in s.items:
                fields[i.id] = st.sampled_from(["met", "not_met", "unknown"])
    for ind in aspect.indicators:
        hi = ind.bounds[1] if ind.bounds[1] is not None else 40
        fields[ind.id] = st.one_of(st.integers(0, int(hi)), st.sampled_from([75, 80, 90, 95, 100]).filter(
            lambda v, hi=hi: v <= hi))
    return st.fixed_dictionaries({}, optional=fields)


ASPECTS_WITH_PHASE_ONLY = [a.id for a in PACK.aspects.values() if any(c.phases for c in a.criteria)]


@pytest.mark.parametrize("aspect_id", sorted(PACK.aspects))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_judgements_for_one_phase_never_change_another_phases_rating(aspect_id, data):
    """Rating one phase never depends on another phase's judgements, nor on having rated it first; and the
    judgements of criteria that concern only other phases change nothing in this one."""
    strategy = _entries_strategy(aspect_id)
    mine, theirs = data.draw(strategy), data.draw(strategy)
    impact = data.draw(st.sampled_from([None, "none", "some", "substantial"]))
    phases = [p for p in PACK.phase_ids() if PACK.aspects[aspect_id].applies_to(p)] or PACK.phase_ids()
    phase = data.draw(st.sampled_from(phases))
    j = judgements_for(PACK, aspect_id, mine, impact)
    alone = rate(PACK, aspect_id, phase, j)
    for other in PACK.phase_ids():
        rate(PACK, aspect_id, other, judgements_for(PACK, aspect_id, theirs, "substantial"))
    assert rate(PACK, aspect_id, phase, j) == alone
    foreign = {c.id for c in PACK.aspects[aspect_id].criteria if c.phases and phase not in c.phases}
    foreign |= {c.threshold.indicator_id for c in PACK.aspects[aspect_id].criteria
                if c.threshold is not None and c.phases and phase not in c.phases
                and all(phase not in (d.phases or (phase,)) for d in PACK.aspects[aspect_id].criteria
                        if d.threshold is not None and d.threshold.indicator_id == c.threshold.indicator_id)}
    without = {k: v for k, v in mine.items() if k not in foreign}
    with_theirs = without | {k: v for k, v in theirs.items() if k in foreign}
    assert rate(PACK, aspect_id, phase, judgements_for(PACK, aspect_id, with_theirs, impact)) == alone
