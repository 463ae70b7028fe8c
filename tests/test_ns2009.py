"""The shipped 2009 National Strategies pack, rated by the engine, against the rules of seed 001.

Seed 001 ("Quality standards and criteria for LA self-evaluation", 2009) is the specification. Its rules, quoted:

- "Where critical criteria are highlighted in the 'Good' or 'Outstanding' column, these are minimum requirements
  for an evaluation at that level, that is, they are necessary but not sufficient. Where critical criteria are
  highlighted in the 'Requires some improvement' … or 'Requires significant improvement' … columns then this shows
  the maximum rating that can be given for that aspect."
- "Column 1: Outstanding … must be accompanied by substantial evidence of impact"; "Column 2: Good … must be
  accompanied by evidence of impact".
- Nine of the ten Outstanding columns open with "All criteria for a good service are met" or its like.
- The dashboard example shows 1.4, 2.2 and 2.3 as N/A in Early Years.
- The counted and numeric rules of 1.5, 2.2, 2.3, 2.4 and 2.5 (tested one by one below).

The seed's bold type (which criteria are critical) is lost in the plain-text seed, so the critical flags are the
pack's recorded decisions; generic cases are built from the pack itself, the seed's explicit rules are written
by hand. Where a test asserts the seed against what the pack or engine does, its docstring says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist import paths
from laqs_assist.packs import load_pack
from laqs_assist.rating import NA, judgements_for, rate

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = Path("tests") / "fixtures" / "judgements"  # relative to ROOT, as a user would type it
PACK = load_pack(paths.default_pack_path())

OS, G, NI, SI = "OS", "G", "NI", "SI"
IMPACT = {OS: "substantial", G: "some", NI: "none", SI: "none"}
ASPECTS = list(PACK.aspects)
APPLICABLE = [(a, ph) for a in ASPECTS for ph in PACK.phase_ids() if PACK.aspects[a].applies_to(ph)]


# --- building judgements from the pack ---------------------------------------------------------------------------


def criteria(aspect: str, phase: str, column: str):
    return PACK.aspects[aspect].criteria_in(column, phase)


def _source(c) -> str:
    """What a numeric criterion reads: its indicator or its counted set."""
    return c.threshold.indicator_id if c.threshold is not None else c.count.set_id


def _candidates(source: str) -> list[float]:
    if source in PACK.sets:
        return list(range(len(PACK.sets[source].items) + 1))  # items present
    if PACK.indicators[source].unit == "number":
        return [float(n) for n in range(11)]
    return [n / 2 for n in range(201)]  # 0, 0.5, …, 100


def _holds(c, x: float) -> bool:
    if c.threshold is not None:
        return c.threshold.range.holds(x)
    size = len(PACK.sets[c.count.set_id].items)
    return c.count.range.holds(x if c.count.counts == "present" else size - x)


def _pick(source: str, must, must_not, prefer_not):
    ok = [x for x in _candidates(source)
          if all(_holds(c, x) for c in must) and not any(_holds(c, x) for c in must_not)]
    assert ok, f"no value of {source} meets {[c.id for c in must]} and avoids {[c.id for c in must_not]}"
    best = [x for x in ok if not any(_holds(c, x) for c in prefer_not)]
    return (best or ok)[0]


def build(aspect: str, phase: str, met=(), not_met=(), fail=()) -> dict:
    """Judgements for ASPECT in PHASE: every criterion of the `met` columns met, every one of the `not_met` columns
    not met (statements judged not_met, numbers chosen outside their range), other columns left unjudged (their
    numeric criteria avoided where possible). Criterion ids in `fail` are not met wherever they sit."""
    fail = set(fail)
    entries: dict = {}
    numeric: dict[str, list] = {}
    for column in PACK.column_ids():
        for c in criteria(aspect, phase, column):
            wanted = "met" if column in met and c.id not in fail else (
                "not_met" if column in not_met or c.id in fail else None)
            if c.kind == "statement":
                if wanted is not None:
                    entries[c.id] = wanted
            else:
                numeric.setdefault(_source(c), []).append((c, wanted))
    for source, cs in numeric.items():
        must = [c for c, w in cs if w == "met"]
        must_not = [c for c, w in cs if w == "not_met"]
        prefer_not = [c for c, w in cs if w is None]
        if any(c.id in fail for c in must_not):
            # a criterion made to fail may land in a lower band: only the failing one must not hold
            prefer_not += [c for c in must_not if c.id not in fail]
            must_not = [c for c in must_not if c.id in fail]
        if not must and not must_not:
            continue
        if source in PACK.sets:
            items = PACK.sets[source].items
            if all(i.criterion is not None for i in items) and any(i.criterion in entries for i in items):
                continue  # the count follows from the items' own judgements (criteria of the aspect)
            entries[source] = int(_pick(source, must, must_not, prefer_not))
        else:
            entries[source] = _pick(source, must, must_not, prefer_not)
    return entries


def column_case(aspect: str, phase: str, column: str, fail=()) -> dict:
    """A case aimed at COLUMN: OS all upper criteria met; G all Good met, Outstanding not; NI and SI that column's
    criteria met (the seed's lower-column descriptions), the columns below it not."""
    if column == OS:
        return build(aspect, phase, met=[OS, G], not_met=[NI, SI], fail=fail)
    if column == G:
        return build(aspect, phase, met=[G], not_met=[OS, NI, SI], fail=fail)
    if column == NI:
        return build(aspect, phase, met=[NI], not_met=[SI], fail=fail)
    return build(aspect, phase, met=[SI], fail=fail)


def rated(aspect: str, phase: str, entries: dict, impact=None):
    return rate(PACK, aspect, phase, judgements_for(PACK, aspect, entries, impact))


def blockers(r, column=None, kind=None, criterion=None):
    return [b for b in r.blockers if (column is None or b.column == column) and (kind is None or b.kind == kind)
            and (criterion is None or b.criterion == criterion)]


def first_phase(aspect: str, c=None) -> str:
    for ph in PACK.phase_ids():
        if PACK.aspects[aspect].applies_to(ph) and (c is None or c.applies_to(ph)):
            return ph
    raise AssertionError(aspect)


# --- the pack's shape, as the seed gives it ----------------------------------------------------------------------


def test_the_pack_has_the_seeds_ten_aspects_four_columns_and_three_phases():
    assert ASPECTS == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
    assert PACK.column_ids() == [OS, G, NI, SI]
    assert [c.label for c in PACK.columns] == [
        "Outstanding", "Good", "Requires some improvement", "Requires significant improvement"]
    assert [c.upper for c in PACK.columns] == [True, True, False, False]
    # "Column 1: … substantial evidence of impact"; "Column 2: … evidence of impact"
    assert [c.evidence for c in PACK.columns[:2]] == ["substantial", "some"]
    assert PACK.phase_ids() == ["EY", "P", "S"]
    assert [g.aspects for g in PACK.groups] == [("1.1", "1.2", "1.3", "1.4", "1.5"),
                                                ("2.1", "2.2", "2.3", "2.4", "2.5")]


def test_every_criterion_is_critical_or_not_with_a_reason():
    for c in PACK.criteria.values():
        assert isinstance(c.critical, bool)
        assert c.critical_reason.strip(), c.id


# --- every aspect reaches every column ---------------------------------------------------------------------------


@pytest.mark.parametrize("column", [OS, G, NI, SI])
@pytest.mark.parametrize("aspect,phase", APPLICABLE, ids=[f"{a}-{ph}" for a, ph in APPLICABLE])
def test_each_aspect_reaches_each_column(aspect, phase, column):
    r = rated(aspect, phase, column_case(aspect, phase, column), IMPACT[column])
    assert r.suggestion == column, r.reason
    assert r.ceiling == column, r.reason
    if column in (NI, SI):
        # the column's critical criteria are caps: the seed's "maximum rating that can be given"
        assert r.cap == column
        assert r.capped_by


@pytest.mark.parametrize("aspect", ASPECTS)
def test_good_with_substantial_evidence_is_still_good_when_outstanding_is_not_met(aspect):
    phase = first_phase(aspect)
    r = rated(aspect, phase, column_case(aspect, phase, G), "substantial")
    assert r.suggestion == G
    assert blockers(r, OS)


# --- Good needs evidence of impact, Outstanding substantial evidence ------------------------------------------------


@pytest.mark.parametrize("impact", ["none", None], ids=["impact-none", "impact-unrecorded"])
@pytest.mark.parametrize("aspect", ASPECTS)
def test_good_needs_evidence_of_impact(aspect, impact):
    """Seed: "Column 2: Good, effective (evaluations of practice in this column must be accompanied by evidence
    of impact)"."""
    phase = first_phase(aspect)
    r = rated(aspect, phase, column_case(aspect, phase, OS), impact)
    assert r.suggestion not in (OS, G)
    assert blockers(r, G, "evidence")
    assert any("evidence of impact" in x.lower() for x in r.lift)
    # the criteria allow Outstanding once the evidence is seen (the level recorded is what has been seen so far)
    assert r.ceiling == OS


@pytest.mark.parametrize("aspect", ASPECTS)
def test_outstanding_needs_substantial_evidence_of_impact(aspect):
    """Seed: "Column 1: Outstanding, highly effective (… must be accompanied by substantial evidence of impact)"."""
    phase = first_phase(aspect)
    r = rated(aspect, phase, column_case(aspect, phase, OS), "some")
    assert r.suggestion == G
    assert blockers(r, OS, "evidence")
    assert any("substantial evidence of impact" in x.lower() for x in r.lift)


# --- critical criteria in Good/Outstanding: necessary … --------------------------------------------------------------

UPPER_CRITICAL = [(c.aspect_id, c) for c in PACK.criteria.values() if PACK.column(c.column).upper and c.critical]


@pytest.mark.parametrize("aspect,criterion", UPPER_CRITICAL, ids=[c.id for _, c in UPPER_CRITICAL])
def test_critical_upper_criterion_is_necessary(aspect, criterion):
    """Seed: critical criteria in Good or Outstanding "are minimum requirements for an evaluation at that level"."""
    phase = first_phase(aspect, criterion)
    column = criterion.column
    r = rated(aspect, phase, column_case(aspect, phase, column, fail=[criterion.id]), IMPACT[column])
    assert PACK.column(r.suggestion).rank > PACK.column(column).rank, r.reason
    assert blockers(r, column, "critical", criterion.id), r.blockers


# --- … but not sufficient ----------------------------------------------------------------------------------------


def _critical_minority():
    out = []
    for a, ph in APPLICABLE:
        for col in (OS, G):
            cs = criteria(a, ph, col)
            if sum(c.critical for c in cs) < PACK.sufficiency * len(cs):
                out.append((a, ph, col))
    return out


CRITICAL_MINORITY = _critical_minority()


def test_some_columns_have_critical_criteria_in_the_minority():
    assert len(CRITICAL_MINORITY) >= 5


@pytest.mark.parametrize("aspect,phase,column", CRITICAL_MINORITY,
                         ids=[f"{a}-{ph}-{col}" for a, ph, col in CRITICAL_MINORITY])
def test_critical_criteria_alone_are_not_sufficient(aspect, phase, column):
    """Seed: critical criteria are "necessary but not sufficient": all of them met with too few of the rest is not
    that column."""
    others = [c.id for c in criteria(aspect, phase, column) if not c.critical]
    entries = column_case(aspect, phase, column, fail=others)
    r = rated(aspect, phase, entries, "substantial")
    assert all(r.states[c.id] == "met" for c in criteria(aspect, phase, column) if c.critical)
    assert PACK.column(r.suggestion).rank > PACK.column(column).rank, r.reason
    assert blockers(r, column, "share")


# "All criteria for a good service are met" (or its like) opens nine of the ten Outstanding columns; 1.5 has none.
SEED_OS_LEADS = {
    "1.1": "All criteria for a good service are met.",
    "1.2": "All criteria for a good service are met.",
    "1.3": "All elements of good practice in ongoing training and development of EYCs/SIPs/NCAs/LA National "
           "Strategies consultants are present.",
    "1.4": "All elements of good brokering of support services are present.",
    "2.1": "All elements of good targeting of LA National Strategies resources are present.",
    "2.2": "All the features of good challenge and support are present and supported by appropriate evidence.",
    "2.3": "All the elements of good practice for management support of schools causing concern are present.",
    "2.4": "All the elements of good use of intelligence are present.",
    "2.5": "All criteria for good are evident.",
}


@pytest.mark.parametrize("aspect", list(SEED_OS_LEADS))
def test_the_pack_keeps_the_seeds_outstanding_lead(aspect):
    assert PACK.aspects[aspect].leads.get(OS, "").startswith(SEED_OS_LEADS[aspect])


@pytest.mark.parametrize("aspect", list(SEED_OS_LEADS))
def test_outstanding_needs_every_criterion_for_good(aspect):
    """Seed: the Outstanding column opens "All criteria for a good service are met" (1.1, 1.2), "All elements of good
    … are present" (1.3, 1.4, 2.1, 2.3, 2.4), "All the features of good … are present" (2.2), "All criteria for good
    are evident" (2.5). One Good criterion not met, everything else Outstanding: not Outstanding."""
    phase = first_phase(aspect)
    one = next(c.id for c in criteria(aspect, phase, G) if not c.critical and c.kind == "statement")
    r = rated(aspect, phase, column_case(aspect, phase, OS, fail=[one]), "substantial")
    assert r.states[one] == "not_met"
    assert r.suggestion != OS, f"{aspect}: Outstanding although {one} (a criterion for good) is not met"


@pytest.mark.parametrize("aspect", ASPECTS)
def test_critical_criteria_alone_do_not_reach_outstanding(aspect):
    """All critical Outstanding and Good criteria met, every other upper criterion not met, substantial evidence:
    the seed's "necessary but not sufficient" and (for nine aspects) "All criteria for good" both say not
    Outstanding."""
    phase = first_phase(aspect)
    others = [c.id for col in (OS, G) for c in criteria(aspect, phase, col) if not c.critical]
    r = rated(aspect, phase, column_case(aspect, phase, OS, fail=others), "substantial")
    assert r.suggestion != OS, f"{aspect}: Outstanding from its critical criteria alone ({', '.join(others)} not met)"


# --- nothing recorded, N/A ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect,phase", APPLICABLE, ids=[f"{a}-{ph}" for a, ph in APPLICABLE])
def test_nothing_recorded_gives_no_suggestion_but_a_ceiling(aspect, phase):
    for impact in (None, "substantial"):
        r = rated(aspect, phase, {}, impact)
        assert r.suggestion is None and r.suggestion != G
        assert r.ceiling == OS
        assert r.lift
    r = rated(aspect, phase, {c.id: "unknown" for c in criteria(aspect, phase, G) if c.kind == "statement"})
    assert r.suggestion is None


@pytest.mark.parametrize("aspect", ["1.4", "2.2", "2.3"])
def test_not_applicable_in_early_years(aspect):
    """Seed, the Any Borough dashboard: 'Early Years … 1.4 N/A … 2.2 N/A 2.3 N/A'."""
    entries = column_case(aspect, "P", OS)
    r = rated(aspect, "EY", entries, "substantial")
    assert r.suggestion == NA and r.ceiling == NA
    assert rated(aspect, "EY", {}).suggestion == NA
    for phase in ("P", "S"):
        assert rated(aspect, phase, entries, "substantial").suggestion not in (NA, None)


@pytest.mark.parametrize("aspect", ["1.1", "1.2", "1.3", "1.5", "2.1", "2.4", "2.5"])
def test_applies_in_early_years(aspect):
    """The dashboard rates these seven in Early Years (G G OS … NI G … G SI)."""
    assert PACK.aspects[aspect].applies_to("EY")
    assert rated(aspect, "EY", column_case(aspect, "EY", G), "some").suggestion == G


# --- caps from critical statements in the lower columns ----------------------------------------------------------

LOWER_CRITICAL = [(c.aspect_id, c) for c in PACK.criteria.values()
                  if not PACK.column(c.column).upper and c.critical and c.kind == "statement"]


@pytest.mark.parametrize("aspect,criterion", LOWER_CRITICAL, ids=[c.id for _, c in LOWER_CRITICAL])
def test_critical_lower_statement_caps(aspect, criterion):
    """Seed: critical criteria in the lower columns show "the maximum rating that can be given for that aspect".
    Everything else Outstanding, this one statement met: the rating is held at its column, even in the ceiling."""
    phase = first_phase(aspect, criterion)
    entries = column_case(aspect, phase, OS) | {criterion.id: "met"}
    r = rated(aspect, phase, entries, "substantial")
    assert r.suggestion == criterion.column
    assert r.ceiling == criterion.column
    assert r.cap == criterion.column and criterion.id in r.capped_by
    assert blockers(r, G, "cap", criterion.id)
    assert criterion.id in r.reason
    if criterion.column == SI:
        assert blockers(r, NI, "cap", criterion.id)
    assert any(criterion.id in x for x in r.lift)


def test_the_worst_cap_wins():
    entries = column_case("1.1", "P", OS) | {"1.1.NI.1": "met", "1.1.SI.1": "met"}
    r = rated("1.1", "P", entries, "substantial")
    assert r.suggestion == SI and r.capped_by == ("1.1.SI.1",)


def test_a_non_critical_lower_statement_does_not_cap():
    entries = column_case("1.1", "P", OS) | {"1.1.NI.2": "met", "1.1.SI.2": "met"}
    assert rated("1.1", "P", entries, "substantial").suggestion == OS


# --- 1.5: the target-setting percentages ------------------------------------------------------------------------

TARGETS = "1.5.targets-in-line"


@pytest.mark.parametrize("phase", ["P", "S"])
@pytest.mark.parametrize("value,expected,capped_by", [
    (100, OS, None),
    (95, OS, None),             # "At least 95% of schools set targets …"
    (94.5, G, None),            # "Between 80% and 95% …"
    (80, G, None),
    (79.5, NI, "1.5.NI.2"),     # "Between 50% and 80% …"
    (50, NI, "1.5.NI.2"),
    (49.5, SI, "1.5.SI.2"),     # "Less than 50% of schools set targets …"
    (0, SI, "1.5.SI.2"),
], ids=["100", "at-least-95", "94.5", "between-80-and-95", "79.5", "between-50-and-80", "less-than-50", "0"])
def test_1_5_schools_setting_targets_in_line_with_dcsf_guidance(phase, value, expected, capped_by):
    entries = column_case("1.5", phase, OS) | {TARGETS: value}
    r = rated("1.5", phase, entries, "substantial")
    assert r.suggestion == expected, r.reason
    assert r.ceiling == expected
    if capped_by:
        assert r.capped_by == (capped_by,)
    else:
        assert r.cap is None
    if expected == G:
        assert blockers(r, OS, "critical", "1.5.OS.2")


def test_1_5_target_percentages_do_not_apply_in_early_years():
    """The schools' target rows sit beside separate 'For Early Years …' rows; in Early Years the EY rows rule."""
    entries = column_case("1.5", "EY", OS) | {TARGETS: 10}
    r = rated("1.5", "EY", entries, "substantial")
    assert r.suggestion == OS
    assert TARGETS not in str(r.states)


# --- 1.5: the Early Years targets --------------------------------------------------------------------------------

EY_TARGETS = "1.5.ey-targets-on-track"


@pytest.mark.parametrize("on_track,exceeds,expected,capped_by", [
    (2, "met", OS, None),            # "on track to exceed both national EY targets"
    (2, "not_met", G, None),         # "on track to meet both national EY targets"
    (1, "not_met", NI, "1.5.NI.1"),  # "on track to meet one of the national EY targets"
    (0, "not_met", SI, "1.5.SI.1"),  # "unlikely to meet either of the national EY targets"
], ids=["exceed-both", "meet-both", "meet-one", "meet-neither"])
def test_1_5_early_years_targets(on_track, exceeds, expected, capped_by):
    entries = column_case("1.5", "EY", OS) | {EY_TARGETS: on_track, "1.5.OS.1": exceeds}
    r = rated("1.5", "EY", entries, "substantial")
    assert r.suggestion == expected, r.reason
    if capped_by:
        assert r.capped_by == (capped_by,)
    if expected == G:
        assert blockers(r, OS, "critical", "1.5.OS.1")


@pytest.mark.parametrize("phase", ["P", "S"])
def test_1_5_early_years_targets_apply_in_early_years_only(phase):
    entries = column_case("1.5", phase, OS) | {EY_TARGETS: 0}
    r = rated("1.5", phase, entries, "substantial")
    assert r.suggestion == OS
    assert not any(cid in r.states for cid in ("1.5.OS.1", "1.5.G.1", "1.5.NI.1", "1.5.SI.1"))


# --- 2.2: the 75 % quota for secondary schools -------------------------------------------------------------------

QUOTA = "2.2.headship-quota"


@pytest.mark.parametrize("quota,expected", [(100, G), (75, G), (74.5, NI), (0, NI)],
                         ids=["100", "75-quota-met", "74.5", "0"])
def test_2_2_the_75_percent_quota_for_secondary_schools(quota, expected):
    """Seed, 2.2 Good: "The 75% quota for secondary schools SIPs/NCAs is met."; the standard: "For secondary
    schools 75% of SIPs/NCAs have secondary headship experience or 75% of schools have SIPs/NCAs with headship
    experience allocated to them"."""
    entries = column_case("2.2", "S", G) | {QUOTA: quota}
    r = rated("2.2", "S", entries, "some")
    assert r.suggestion == expected, r.reason
    if expected != G:
        assert blockers(r, G, "critical", "2.2.G.7")
        assert any("2.2.G.7" in x for x in r.lift)
        assert "2.2.G.7" in r.reason


@pytest.mark.parametrize("quota", [74.5, 0])
def test_2_2_the_quota_does_not_block_primary(quota):
    """The same judgements in Primary are not blocked: the quota is "for secondary schools"."""
    entries = column_case("2.2", "S", G) | {QUOTA: quota}
    assert rated("2.2", "S", entries, "some").suggestion != G
    r = rated("2.2", "P", entries, "some")
    assert r.suggestion == G
    assert "2.2.G.7" not in r.states
    entries = column_case("2.2", "S", OS) | {QUOTA: quota}
    assert rated("2.2", "P", entries, "substantial").suggestion == OS
    assert rated("2.2", "S", entries, "substantial").suggestion != OS


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_2_2_no_evidence_of_impact_is_no_better_than_little_evidence(k):
    """2.2's Requires-some-improvement list ("… but there is little evidence of impact upon: …") and its
    Requires-significant-improvement list ("… and there is no evidence of impact upon: …") run item for item.
    Whatever caps at "little evidence" must hold the rating at least as low at "no evidence"."""
    base = column_case("2.2", "P", OS)
    little = rated("2.2", "P", base | {f"2.2.NI.{k}": "met"}, "substantial")
    none = rated("2.2", "P", base | {f"2.2.SI.{k}": "met"}, "substantial")
    assert PACK.column(none.suggestion).rank >= PACK.column(little.suggestion).rank, (
        f"2.2.SI.{k} met gives {none.suggestion}, 2.2.NI.{k} met gives {little.suggestion}")


# --- 2.3: two or three / one or none of the four criteria for good ------------------------------------------------

FOUR = ["2.3.G.4", "2.3.G.5", "2.3.G.6", "2.3.G.7"]


@pytest.mark.parametrize("phase", ["P", "S"])
@pytest.mark.parametrize("states,expected,capped_by", [
    (["met", "met", "met", "met"], G, None),
    (["met", "met", "met", "not_met"], NI, "2.3.NI.5"),      # "secures two or three of the four criteria"
    (["met", "not_met", "met", "not_met"], NI, "2.3.NI.5"),
    (["not_met", "not_met", "met", "not_met"], SI, "2.3.SI.5"),  # "secures one or none of the four criteria"
    (["not_met", "not_met", "not_met", "not_met"], SI, "2.3.SI.5"),
    (["met", "met", "met", "partly"], NI, "2.3.NI.5"),       # partly is not secured
    (["met", "partly", "partly", "met"], NI, "2.3.NI.5"),
    (["met", "partly", "partly", "partly"], SI, "2.3.SI.5"),
], ids=["four", "three", "two", "one", "none", "three-and-partly", "two-and-two-partly", "one-and-three-partly"])
def test_2_3_the_four_criteria_for_good(phase, states, expected, capped_by):
    entries = column_case("2.3", phase, G) | dict(zip(FOUR, states))
    r = rated("2.3", phase, entries, "some")
    assert r.suggestion == expected, r.reason
    assert r.ceiling == expected
    if capped_by:
        assert capped_by in r.capped_by
        assert blockers(r, G, "cap", capped_by)


@pytest.mark.parametrize("present,expected", [(4, G), (3, NI), (2, NI), (1, SI), (0, SI)])
def test_2_3_the_four_criteria_for_good_as_a_count(present, expected):
    entries = column_case("2.3", "P", G)
    for cid in FOUR:
        entries.pop(cid)
    r = rated("2.3", "P", entries | {"2.3.good-criteria": present}, "some")
    if expected == G:
        assert r.cap is None
    else:
        assert r.suggestion == expected


CATEGORY_POSITION = "2.3.ofsted-category-position"


@pytest.mark.parametrize("position,expected,capped_by", [
    (0, G, None),
    (74.5, G, None),
    (75, NI, "2.3.NI.1"),     # "The number of schools in Ofsted categories is in the top quartile nationally."
    (89.5, NI, "2.3.NI.1"),
    (90, SI, "2.3.SI.1"),     # "… is in the top decile nationally."
    (100, SI, "2.3.SI.1"),
])
def test_2_3_schools_in_ofsted_categories_top_quartile_and_top_decile(position, expected, capped_by):
    entries = column_case("2.3", "P", G) | {CATEGORY_POSITION: position}
    r = rated("2.3", "P", entries, "some")
    assert r.suggestion == expected, r.reason
    if capped_by:
        assert r.capped_by == (capped_by,)


@pytest.mark.parametrize("count,expected", [(0, OS), (1, G), (5, G)])
def test_2_3_outstanding_has_no_schools_in_ofsted_categories(count, expected):
    """Seed, 2.3 Outstanding: "There are no schools in Ofsted categories." """
    entries = column_case("2.3", "P", OS) | {"2.3.schools-in-categories": count}
    r = rated("2.3", "P", entries, "substantial")
    assert r.suggestion == expected
    if expected == G:
        assert blockers(r, OS, "critical", "2.3.OS.3")


NC = "2.3.nc-on-trajectory"


@pytest.mark.parametrize("share,expected,capped_by", [
    (100, G, None),             # "All National Challenge schools are on trajectory …"
    (99.5, NI, "2.3.NI.3"),     # "More than 80% of National Challenge schools are on trajectory …"
    (80.5, NI, "2.3.NI.3"),
    (79.5, SI, "2.3.SI.3"),     # "Less than 80% of National Challenge schools are on trajectory …"
    (0, SI, "2.3.SI.3"),
], ids=["all", "99.5", "more-than-80", "less-than-80", "0"])
def test_2_3_national_challenge_trajectory(share, expected, capped_by):
    entries = column_case("2.3", "S", G) | {NC: share}
    r = rated("2.3", "S", entries, "some")
    assert r.suggestion == expected, r.reason
    if capped_by:
        assert r.capped_by == (capped_by,)
    else:
        assert r.cap is None


def test_2_3_national_challenge_trajectory_exactly_80_falls_between_the_bands():
    """The seed gives 'More than 80%' (NI) and 'Less than 80%' (SI) and leaves 80% itself in neither: it caps
    nothing, is not 'All', so not Good, and the rating says why."""
    r = rated("2.3", "S", column_case("2.3", "S", G) | {NC: 80}, "some")
    assert r.cap is None and r.capped_by == ()
    assert r.suggestion == NI
    assert r.states["2.3.NI.3"] == "not_met" and r.states["2.3.SI.3"] == "not_met"
    assert [w.message for w in r.warnings if w.kind == "gap"] == [
        "80 % recorded (2.3.nc-on-trajectory): the standards give 'more than 80 %' (Requires some improvement) and "
        "'less than 80 %' (Requires significant improvement), so exactly 80 % falls between them and caps nothing"]
    assert "critical criterion 2.3.G.2 is not met (80 % recorded; Good needs 100 %)" in r.reason


def test_2_3_national_challenge_trajectory_is_a_secondary_measure():
    """National Challenge schools are secondary schools (the standard sets them apart from 'primary schools below
    the floor target'): in Primary the trajectory figure neither blocks Good nor caps."""
    r = rated("2.3", "P", column_case("2.3", "P", G) | {NC: 50}, "some")
    assert r.suggestion == G
    assert not any(cid in r.states for cid in ("2.3.G.2", "2.3.NI.3", "2.3.SI.3"))


# --- 2.4: the seven features of good SIP reports ------------------------------------------------------------------

FEATURES = "2.4.report-features"
FEATURE_ITEMS = [i.id for i in PACK.sets[FEATURES].items]


def test_2_4_the_seven_report_features_are_the_seeds():
    assert len(FEATURE_ITEMS) == 7
    assert [i.text for i in PACK.sets[FEATURES].items] == [
        "timeliness", "accuracy and supported by evidence", "identify the issues for action and a timescale",
        "provide evidence of the challenge provided", "provide a clear agenda for action",
        "have a clear agenda and format", "feed into the LA management information system and risk register"]


def _2_4_good_without_features() -> dict:
    entries = column_case("2.4", "P", G)
    entries.pop(FEATURES, None)
    return entries


@pytest.mark.parametrize("missing,expected,capped_by", [
    (0, G, None),              # "These show the following seven features"
    (1, NI, "2.4.NI.5"),       # "one or two of the seven features for good reports are missing"
    (2, NI, "2.4.NI.5"),
    (3, SI, "2.4.SI.3"),       # "three or more of the seven features for good reports are missing"
    (5, SI, "2.4.SI.3"),
    (7, SI, "2.4.SI.3"),
])
@pytest.mark.parametrize("how", ["items", "partly-items", "missing-count", "present-count", "bare-count"])
def test_2_4_seven_report_features(how, missing, expected, capped_by):
    entries = _2_4_good_without_features()
    if how in ("items", "partly-items"):
        bad = "partly" if how == "partly-items" else "not_met"
        entries |= {item: (bad if k < missing else "met") for k, item in enumerate(FEATURE_ITEMS)}
    elif how == "missing-count":
        entries[FEATURES] = {"missing": missing}
    elif how == "present-count":
        entries[FEATURES] = {"present": 7 - missing}
    else:
        entries[FEATURES] = 7 - missing
    r = rated("2.4", "P", entries, "some")
    assert r.suggestion == expected, r.reason
    assert r.ceiling == expected
    if capped_by:
        assert r.capped_by == (capped_by,)
        assert blockers(r, G, "critical", "2.4.G.4")
    else:
        assert r.cap is None


def test_2_4_unknown_features_leave_the_ceiling_open():
    entries = _2_4_good_without_features() | {item: "met" for item in FEATURE_ITEMS[:6]}
    r = rated("2.4", "P", entries, "some")
    assert r.suggestion == NI          # Good needs all seven shown; the seventh is not yet judged
    assert r.ceiling == G              # if it is present, Good (Outstanding is judged not met)
    assert blockers(r, G, "critical", "2.4.G.4")
    assert any("2.4.G.4" in x for x in r.lift)


def test_2_4_ceiling_with_one_missing_and_two_unknown_is_ni():
    entries = _2_4_good_without_features() | {item: "met" for item in FEATURE_ITEMS[:4]}
    entries[FEATURE_ITEMS[4]] = "not_met"
    r = rated("2.4", "P", entries, "some")
    assert r.suggestion == NI
    assert r.ceiling == NI   # one feature is missing whatever the two unknown turn out to be


def test_2_4_three_unknown_features_with_four_present_could_still_be_si():
    entries = _2_4_good_without_features() | {item: "met" for item in FEATURE_ITEMS[:4]}
    r = rated("2.4", "P", entries, "some")
    assert r.states["2.4.SI.3"] == "unknown" and r.states["2.4.NI.5"] == "unknown"
    assert r.cap is None
    assert r.ceiling == G


@pytest.mark.parametrize("position,expected", [(100, OS), (75, OS), (74.5, G), (10, G)])
def test_2_4_outstanding_top_quartile_nationally(position, expected):
    """Seed, 2.4 Outstanding: "Improvement of attainment and progress … is in the top quartile nationally"."""
    entries = column_case("2.4", "P", OS) | {"2.4.improvement-position": position}
    r = rated("2.4", "P", entries, "substantial")
    assert r.suggestion == expected
    if expected == G:
        assert blockers(r, OS, "critical", "2.4.OS.2")


# --- 2.5: the critical criteria for good provision; top quartile; above the median ------------------------------

POSITION_25 = "2.5.improvement-position"
QUALITIES_25 = "2.5.data-qualities"


def test_2_5_the_critical_criteria_for_good_provision_are_the_five_qualities_of_data():
    """Seed, 2.5: "This vision results in provision of data that is timely, accurate, useful, accessible and
    uncluttered"; Good: "… and is: • timely • accurate • useful • accessible • uncluttered"."""
    assert [i.text for i in PACK.sets[QUALITIES_25].items] == ["timely", "accurate", "useful", "accessible",
                                                               "uncluttered"]
    assert PACK.criteria["2.5.G.3"].count.set_id == QUALITIES_25
    assert PACK.criteria["2.5.NI.2"].count.set_id == QUALITIES_25
    assert PACK.criteria["2.5.SI.2"].count.set_id == QUALITIES_25
    assert "2.4 counts its seven features" in PACK.criteria["2.5.G.3"].reading
    assert "no longer counts as two" in PACK.criteria["2.5.G.1"].reading


@pytest.mark.parametrize("missing,expected,capped_by", [
    (0, G, None),
    (2, NI, "2.5.NI.2"),   # "Two of the critical criteria for good provision are missing."
    (3, SI, "2.5.SI.2"),   # "Three of the critical criteria for good provision are missing."
    (5, SI, "2.5.SI.2"),
])
def test_2_5_critical_criteria_for_good_provision(missing, expected, capped_by):
    entries = column_case("2.5", "P", G) | {QUALITIES_25: {"missing": missing}, POSITION_25: 60}
    r = rated("2.5", "P", entries, "some")
    assert r.suggestion == expected, f"{r.reason} (states: {r.states})"
    if capped_by:
        assert r.capped_by == (capped_by,)
        assert f"({5 - missing} of 5 qualities present)" in r.reason
    else:
        assert r.cap is None
    assert not [w for w in r.warnings if w.kind == "gap"]


def test_2_5_one_quality_missing_falls_between_the_bands_and_caps_nothing():
    """Good needs all five; NI says "Two …", SI "Three …": one missing is in neither, and is said."""
    entries = column_case("2.5", "P", G) | {QUALITIES_25: {"missing": 1}, POSITION_25: 60}
    r = rated("2.5", "P", entries, "some")
    assert r.cap is None and r.suggestion == NI
    assert blockers(r, G, "critical", "2.5.G.3")[0].message.startswith(
        "critical criterion 2.5.G.3 is not met (4 of 5 qualities present; Good needs all 5): Data is: timely;")
    (gap,) = [w.message for w in r.warnings if w.kind == "gap"]
    assert gap == ("1 of 5 qualities missing (2.5.data-qualities): the standards give all five for Good, 'two of "
                   "the critical criteria for good provision are missing' (Requires some improvement) and 'three …' "
                   "(Requires significant improvement), so 1 missing falls between them and caps nothing")


def test_2_5_a_failed_headline_sentence_counts_once_not_twice():
    """2.5.G.1 and 2.5.G.2 are one sentence split in two: failing it bars Good, and is not two of the counted
    'critical criteria for good provision'."""
    entries = column_case("2.5", "P", G) | {"2.5.G.1": "not_met", POSITION_25: 40}
    r = rated("2.5", "P", entries, "some")
    assert r.cap is None
    assert {b.criterion for b in blockers(r, G, "critical")} == {"2.5.G.1", "2.5.G.2"}


@pytest.mark.parametrize("position,expected", [(100, G), (50.5, G), (50, NI), (10, NI)],
                         ids=["100", "above-the-median", "the-median", "10"])
def test_2_5_good_is_above_the_median(position, expected):
    """Seed, 2.5 Good: "a rate of improvement in achievement above the median"."""
    r = rated("2.5", "P", column_case("2.5", "P", G) | {POSITION_25: position}, "some")
    assert r.suggestion == expected
    if expected != G:
        assert blockers(r, G, "critical", "2.5.G.2")


@pytest.mark.parametrize("position,expected", [(100, OS), (75, OS), (74.5, G), (50.5, G)])
def test_2_5_outstanding_is_top_quartile(position, expected):
    """Seed, 2.5 Outstanding: "results in the LA being in the top quartile"."""
    r = rated("2.5", "P", column_case("2.5", "P", OS) | {POSITION_25: position}, "substantial")
    assert r.suggestion == expected
    if expected == G:
        assert blockers(r, OS, "critical", "2.5.OS.2")


@pytest.mark.parametrize("phase", ["P", "S"])
@pytest.mark.parametrize("position,expected", [(100, OS), (75, OS), (74.5, G), (0, G)])
def test_2_2_outstanding_is_top_quartile(phase, position, expected):
    """Seed, 2.2 Outstanding: "gains in attainment and progress across the LA that are in the top quartile of
    attainment and progress nationally"."""
    entries = column_case("2.2", phase, OS) | {"2.2.attainment-progress-position": position}
    r = rated("2.2", phase, entries, "substantial")
    assert r.suggestion == expected
    if expected == G:
        assert blockers(r, OS, "critical", "2.2.OS.1")


# --- the explanation ---------------------------------------------------------------------------------------------


def test_a_blocked_case_names_the_criterion_that_blocks():
    entries = column_case("1.1", "P", G) | {"1.1.G.1": "partly"}
    r = rated("1.1", "P", entries, "some")
    assert r.suggestion == NI
    (b,) = blockers(r, G, "critical")
    assert b.criterion == "1.1.G.1" and "1.1.G.1" in b.message
    assert "1.1.G.1" in r.reason
    assert "evidence that 1.1.G.1 is met" in r.lift


def test_lift_says_what_lifts_the_rating_one_column():
    # Good, with Outstanding's critical criteria not met and only 'some' evidence
    r = rated("1.1", "P", column_case("1.1", "P", G), "some")
    assert r.suggestion == G
    text = " | ".join(r.lift)
    assert "1.1.OS.1" in text and "1.1.OS.2" in text
    assert "substantial evidence of impact" in text.lower()
    assert not any(b.column in (NI, SI) for b in r.blockers)


def test_lift_from_a_cap_names_the_cap_and_what_good_needs():
    r = rated("2.4", "P", _2_4_good_without_features() | {FEATURES: {"missing": 2}}, "some")
    assert r.suggestion == NI
    assert r.lift == ("evidence that 2.4.NI.5 no longer describes the practice", "evidence that 2.4.G.4 is met")
    # lift looks one column up only: nothing about Outstanding
    assert not any("2.4.OS" in x for x in r.lift)


def test_lift_from_si_looks_at_ni_only():
    r = rated("2.4", "P", _2_4_good_without_features() | {FEATURES: {"missing": 4}}, "some")
    assert r.suggestion == SI
    assert any("2.4.SI.3" in x for x in r.lift)
    assert not any("2.4.G." in x for x in r.lift)


def test_the_ceiling_with_unknowns():
    # Good criteria met, Outstanding not yet judged: Good now, Outstanding reachable
    entries = {c.id: "met" for c in criteria("1.2", "P", G)}
    r = rated("1.2", "P", entries, "some")
    assert r.suggestion == G and r.ceiling == OS  # more evidence of impact may yet be found
    r = rated("1.2", "P", entries)
    assert r.suggestion == NI and r.ceiling == OS  # evidence not yet recorded may turn out substantial
    r = rated("1.2", "P", entries | {"1.2.OS.1": "not_met"})
    assert r.ceiling == G
    # a Good critical criterion not yet judged: not Good now, Good reachable
    entries["1.2.G.7"] = "unknown"
    r = rated("1.2", "P", entries, "some")
    assert r.suggestion == NI and r.ceiling == OS  # Outstanding not yet judged either
    assert blockers(r, G, "critical", "1.2.G.7")
    # a cap that is not yet judged does not hold the ceiling; one that is met does
    entries["1.2.NI.7"] = "met"
    r = rated("1.2", "P", entries, "some")
    assert r.suggestion == NI and r.ceiling == NI


def test_the_ceiling_with_unknown_indicators():
    entries = column_case("1.5", "P", OS)
    entries.pop(TARGETS)
    r = rated("1.5", "P", entries, "substantial")
    assert r.states["1.5.OS.2"] == "unknown"
    assert r.suggestion == NI    # Good's critical 1.5.G.2 is not yet known
    assert r.ceiling == OS       # the percentage may yet be 95 or more


# --- the command line ---------------------------------------------------------------------------------------------


def laqs(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LAQS_STORE", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-m", "laqs_assist", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_rate_prints_the_suggestion():
    p = laqs("rate", "2.4", "P", str(JUDGEMENTS / "2.4-ni.yaml"))
    assert p.returncode == 0, p.stderr
    assert "Suggestion: Requires some improvement (NI)" in p.stdout
    assert "Ceiling:    Requires some improvement (NI)" in p.stdout
    assert "2.4.NI.5" in p.stdout


def test_cli_rate_json():
    p = laqs("rate", "2.4", "P", str(JUDGEMENTS / "2.4-ni.yaml"), "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["aspect"] == "2.4" and out["phase"] == "P"
    assert out["suggestion"] == NI and out["ceiling"] == NI
    assert out["capped_by"] == ["2.4.NI.5"]
    assert any(b["criterion"] == "2.4.G.4" for b in out["blockers"])


BAD_FILES = {  # file: (what the message must name, the lines it may point at)
    "2.4-unknown-id.yaml": ("2.4.G.99", (4,)),
    "2.4-bad-state.yaml": ("maybe", (4,)),
    "2.4-invalid-yaml.yaml": ("YAML", (3, 4)),  # the unclosed '[' is on line 3; the parser trips on line 4
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_cli_rate_bad_judgements_file_exits_2_with_one_line(name):
    path = str(JUDGEMENTS / name)
    p = laqs("rate", "2.4", "P", path)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert path in lines[0]
    assert BAD_FILES[name][0] in lines[0]


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_cli_rate_bad_judgements_file_names_the_line(name):
    """Every entry of a YAML judgements file sits on a line: the message should say which (file:line: …)."""
    path = str(JUDGEMENTS / name)
    p = laqs("rate", "2.4", "P", path)
    assert p.returncode == 2
    assert any(f"{path}:{line}:" in p.stderr for line in BAD_FILES[name][1]), p.stderr


def test_cli_packs_show_lists_the_report_features():
    p = laqs("packs", "show", "--aspect", "2.4")
    assert p.returncode == 0, p.stderr
    assert FEATURES in p.stdout
    for item in FEATURE_ITEMS:
        assert item in p.stdout
    assert "2.4.NI.5" in p.stdout and "2.4.SI.3" in p.stdout
    assert "2.5." not in p.stdout


def test_cli_packs_show_json_for_2_4():
    p = laqs("packs", "show", "--aspect", "2.4", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    (aspect,) = out["aspects"]
    (cset,) = aspect["sets"]
    assert cset["id"] == FEATURES and cset["items"] == FEATURE_ITEMS


def test_cli_packs_check_on_the_shipped_pack():
    p = laqs("packs", "check")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ok: ns2009")
    p = laqs("packs", "check", str(paths.default_pack_path()))
    assert p.returncode == 0, p.stderr
