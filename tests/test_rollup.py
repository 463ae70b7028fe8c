"""Roll-up of aspect ratings into the RAG dashboard: the seed's Any Borough dashboard, and rollup() on minipack."""

from __future__ import annotations

from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import load_pack
from laqs_assist.packs.model import RollupRule
from laqs_assist.paths import default_pack_path
from laqs_assist.rating import NA
from laqs_assist.record import replace
from laqs_assist.rollup import dashboard, rollup

MINIPACK = load_pack(Path(__file__).resolve().parent / "fixtures" / "minipack")


# --- the Any Borough dashboard (the 2009 standards) -----------------------------------------------------------------------

ASPECTS = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
ANY_BOROUGH = {
    "EY": "G G OS N/A NI | G N/A N/A G SI",
    "P": "NI NI G G G | NI G G G G",
    "S": "G G OS G G | NI G NI G G",
}
EXPECTED_GROUPS = {"EY": ("G", "NI"), "P": ("NI", "G"), "S": ("G", "NI")}
EXPECTED_OVERALL = ("G", "NI")


@pytest.fixture(scope="module")
def shipped():
    try:
        return load_pack(default_pack_path())
    except PackError as exc:
        pytest.skip(f"the shipped pack does not load: {exc}")


def _any_borough_ratings() -> dict[tuple[str, str], str]:
    out = {}
    for phase, row in ANY_BOROUGH.items():
        cells = row.replace("|", " ").split()
        assert len(cells) == len(ASPECTS)
        out.update({(phase, a): cell for a, cell in zip(ASPECTS, cells)})
    return out


def test_any_borough_pack_shape(shipped):
    assert shipped.phase_ids() == ["EY", "P", "S"]
    assert shipped.column_ids() == ["OS", "G", "NI", "SI"]
    assert [g.aspects for g in shipped.groups] == [tuple(ASPECTS[:5]), tuple(ASPECTS[5:])]
    # the N/A cells of the seed's dashboard are the pack's own not_applicable entries
    for (phase, a), cell in _any_borough_ratings().items():
        assert (cell == NA) == (not shipped.aspects[a].applies_to(phase)), (phase, a)


def test_any_borough_dashboard(shipped):
    ratings = _any_borough_ratings()
    d = dashboard(shipped, ratings)
    assert [row.phase for row in d.rows] == ["EY", "P", "S"]
    for row in d.rows:
        assert row.aspects == {a: ratings[(row.phase, a)] for a in ASPECTS}, row.phase
        assert (row.groups["1"], row.groups["2"]) == EXPECTED_GROUPS[row.phase], row.phase
    assert (d.overall["1"], d.overall["2"]) == EXPECTED_OVERALL
    assert set(d.overall) == {"1", "2"}
    # the dashboard wording the seed uses
    assert [shipped.column(c).dashboard for c in EXPECTED_OVERALL] == ["Good", "Needs some improvement"]


def test_any_borough_dashboard_ignores_ratings_given_for_na_cells(shipped):
    ratings = _any_borough_ratings()
    ratings[("EY", "1.4")] = "SI"  # 1.4 is N/A in EY whatever is given
    ratings[("EY", "2.2")] = "SI"
    d = dashboard(shipped, ratings)
    assert d.rows[0].aspects["1.4"] == NA and d.rows[0].aspects["2.2"] == NA
    assert (d.rows[0].groups["1"], d.rows[0].groups["2"]) == EXPECTED_GROUPS["EY"]


def test_any_borough_to_dict(shipped):
    out = dashboard(shipped, _any_borough_ratings()).to_dict()
    assert [r["phase"] for r in out["rows"]] == ["EY", "P", "S"]
    assert out["rows"][1]["groups"] == {"1": "NI", "2": "G"}
    assert out["overall"] == {"1": "G", "2": "NI"}


# --- rollup() on minipack (tolerance 1, max_drop 1) -------------------------------------------------------------


@pytest.mark.parametrize("ratings, expected", [
    ([], None),
    ([None, None], None),
    ([NA, NA], None),
    ([NA, None], None),
    (["G", "NI", NA, NA], "G"),  # N/A left out: not counted as below G
    (["G", None, "G"], "G"),  # not yet rated: left out
    (["OS", "OS", "OS"], "OS"),
    (["OS", "OS", "G"], "OS"),  # one below, one column down: within tolerance
    (["OS", "G", "G"], "G"),  # two below OS
    (["G", "G", "NI"], "G"),
    (["G", "NI", "NI"], "NI"),
    (["G", "G", "G", "SI"], "NI"),  # a single SI among Goods drops two columns: G fails max_drop
    (["OS", "OS", "OS", "NI"], "G"),  # NI is two below OS: OS fails max_drop, one below G is tolerated
    (["G", "NI", NA, "SI"], "NI"),  # two below G; at NI only SI is below, one column down
    (["SI", "SI"], "SI"),
])
def test_rollup_minipack(ratings, expected):
    assert rollup(MINIPACK, ratings) == expected


def test_rollup_never_above_the_best_aspect():
    # A group cannot be rated better than every aspect in it: one Good aspect is a Good group, not Outstanding.
    assert rollup(MINIPACK, ["G"]) == "G"
    assert rollup(MINIPACK, ["SI"]) == "SI"
    assert rollup(MINIPACK, ["G", NA, None]) == "G"
    assert rollup(_with_rule(2, 3), ["G", "G"]) == "G"
    assert rollup(_with_rule(2, 3), ["NI", "SI"]) == "NI"


def test_rollup_accepts_any_iterable():
    assert rollup(MINIPACK, (r for r in ["G", "G", "NI"])) == "G"


def _with_rule(tolerance: int, max_drop: int):
    return replace(MINIPACK, rollup=RollupRule("tolerance", tolerance, max_drop))


def test_rollup_tolerance_zero_needs_every_aspect_at_the_level():
    pack = _with_rule(0, 3)
    assert rollup(pack, ["G", "G", "NI"]) == "NI"
    assert rollup(pack, ["OS", "G"]) == "G"
    assert rollup(pack, ["G", "G"]) == "G"
    assert rollup(pack, ["OS", "OS", "SI"]) == "SI"


def test_rollup_larger_tolerance():
    pack = _with_rule(2, 3)
    assert rollup(pack, ["OS", "G", "G"]) == "OS"
    assert rollup(pack, ["OS", "G", "G", "G"]) == "G"


def test_rollup_max_drop():
    loose = _with_rule(1, 3)
    assert rollup(loose, ["G", "G", "G", "SI"]) == "G"  # any drop tolerated
    assert rollup(loose, ["OS", "OS", "SI"]) == "OS"
    strict = _with_rule(1, 0)
    assert rollup(strict, ["OS", "OS", "G"]) == "G"  # no drop at all allowed below the level
    assert rollup(strict, ["G", "G", "NI"]) == "NI"
    two = _with_rule(1, 2)
    assert rollup(two, ["OS", "OS", "NI"]) == "OS"
    assert rollup(two, ["OS", "OS", "SI"]) == "G"


def test_minipack_dashboard():
    ratings = {("EY", "1.1"): "G", ("EY", "2.1"): "OS", ("P", "1.1"): "NI", ("P", "2.1"): "SI"}
    d = dashboard(MINIPACK, ratings)
    ey, p = d.rows
    assert ey.aspects == {"1.1": "G", "2.1": NA}  # 2.1 is N/A in EY
    assert ey.groups == {"1": "G", "2": None}
    assert p.aspects == {"1.1": "NI", "2.1": "SI"}
    assert p.groups == {"1": "NI", "2": "SI"}
    assert d.overall == {"1": "G", "2": "SI"}  # group 1: NI is one below G, tolerated; group 2: only P rated


def test_minipack_dashboard_with_nothing_rated():
    d = dashboard(MINIPACK, {})
    assert all(g is None for row in d.rows for g in row.groups.values())
    assert d.overall == {"1": None, "2": None}


# --- how many aspects a roll-up rests on, and the share below which it stays blank ------------------------------


def test_any_borough_states_how_many_aspects_each_rollup_rests_on(shipped):
    d = dashboard(shipped, _any_borough_ratings())
    assert [(r.rated["1"], r.rated["2"]) for r in d.rows] == [((4, 4), (3, 3)), ((5, 5), (5, 5)), ((5, 5), (5, 5))]
    assert d.overall_rated == {"1": (14, 14), "2": (13, 13)}
    out = d.to_dict()
    assert out["rows"][0]["rated"] == {"1": {"rated": 4, "of": 4}, "2": {"rated": 3, "of": 3}}
    assert out["overall_rated"] == {"1": {"rated": 14, "of": 14}, "2": {"rated": 13, "of": 13}}


def test_a_group_with_one_of_five_aspects_rated_stays_blank_in_the_2009_pack(shipped):
    """The 2009 pack's min_rated is 0.6: three of five aspects, three of four, two of three."""
    assert shipped.rollup.min_rated == 0.6
    one = dashboard(shipped, {("P", "1.1"): "G"})
    assert one.rows[1].groups["1"] is None and one.rows[1].rated["1"] == (1, 5)
    assert one.overall["1"] is None and one.overall_rated["1"] == (1, 14)
    three = dashboard(shipped, {("P", a): "G" for a in ("1.1", "1.2", "1.3")})
    assert three.rows[1].groups["1"] == "G" and three.rows[1].rated["1"] == (3, 5)
    assert three.overall["1"] is None  # 3 of the 14 ratings group 1 rests on over the three phases
    ey = dashboard(shipped, {("EY", "2.1"): "G", ("EY", "2.4"): "NI"})
    assert ey.rows[0].groups["2"] == "G" and ey.rows[0].rated["2"] == (2, 3)
    assert dashboard(shipped, {("EY", "2.1"): "G"}).rows[0].groups["2"] is None


def test_min_rated_is_the_packs_share():
    loose = replace(MINIPACK, rollup=replace(MINIPACK.rollup, min_rated=0.0))
    strict = replace(MINIPACK, rollup=replace(MINIPACK.rollup, min_rated=1.0))
    assert rollup(loose, ["G", None, None]) == "G"
    assert rollup(strict, ["G", None, NA]) is None
    assert rollup(strict, ["G", "G", NA]) == "G"


def test_render_dashboard_reproduces_any_borough_row_for_row_and_shows_the_counts(shipped):
    from laqs_assist.cli.year import render_dashboard

    lines = render_dashboard(shipped, dashboard(shipped, _any_borough_ratings()), "Any Borough").splitlines()
    assert lines[0] == "Local authority: Any Borough"
    rows = [x.rstrip() for x in lines]
    assert "Early Years            G    G    OS   N/A  NI   | G    N/A  N/A  G    SI" in rows
    assert "  Early Years overall  Good                     | Needs some improvement" in rows
    assert "    aspects rated      4 of 4                   | 3 of 3" in rows
    assert "Primary                NI   NI   G    G    G    | NI   G    G    G    G" in rows
    assert "  Primary overall      Needs some improvement   | Good" in rows
    assert "Secondary              G    G    OS   G    G    | NI   G    NI   G    G" in rows
    assert "  Secondary overall    Good                     | Needs some improvement" in rows
    assert "Overall                Good                     | Needs some improvement" in rows
    assert "    aspect ratings     14 of 14                 | 13 of 13" in rows
    assert rows[-1] == "A group is rated once at least 60% of its aspects are (— until then)."


def test_render_dashboard_shows_a_blank_group_with_its_count(shipped):
    from laqs_assist.cli.year import render_dashboard

    rows = [x.rstrip() for x in render_dashboard(shipped, dashboard(shipped, {("P", "1.1"): "G"}), "X").splitlines()]
    p = rows.index("Primary                G    —    —    —    —    | —    —    —    —    —")
    assert rows[p + 1] == "  Primary overall      —                        | —"
    assert rows[p + 2] == "    aspects rated      1 of 5                   | 0 of 5"
