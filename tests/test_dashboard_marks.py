"""`laqs dashboard` marks each aspect by how its rating stands (the adviser's override, an agreed rating, an untouched
suggestion) with a legend under the table, and --json says what each rests on; a ratings file has no standings, so
no marks. `laqs packs show` prints the pack's readings of the source and the gaps between its bands."""

from __future__ import annotations

import json

import pytest
from conftest_store import SHIPPED_PACK as PACK
from conftest_store import run_laqs

from laqs_assist.cli.year import render_dashboard
from laqs_assist.rollup import dashboard
from laqs_assist.session import Session
from laqs_assist.store import Store

REASON = "the LA's own moderation of forty SIP reports shows all seven features"
LEGEND = "Marks: G* the adviser's override, G= agreed with the suggestion, G the suggestion, not yet decided."


def visit(st: Store, day: str) -> Session:
    return Session.start(st, PACK, agenda_id="la-contacts", organisation="Any Borough", phases=["P", "S"],
                         focus=["2.4"], day=day)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Primary: 2.4 overridden above its cap, 2.5 agreed, 1.5 suggested. Secondary: 2.4 agreed at the first visit,
    then set aside by evidence recorded at a later one (a suggestion again)."""
    path = tmp_path_factory.mktemp("marks") / "laqs.db"
    with Store(path) as st:
        first = visit(st, "2026-10-01")
        first.judge("2.4.G.1", "met")
        first.judge("2.4.report-features", 5, phases=["P"])  # 2.4.NI.5 caps Primary at NI
        first.override("2.4", "P", "G", REASON)
        first.judge("2.5.G.1", "met", phases=["P"])
        first.accept("2.5", "P")
        first.judge("1.5.targets-in-line", 85, phases=["P"])
        first.accept("2.4", "S")
        first.end()
        later = visit(st, "2026-11-20")
        later.judge("2.4.G.3", "met", phases=["S"])
        later.end()
    return path


def dash(db, *args: str):
    proc = run_laqs("dashboard", *args, store=db, cwd=db.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def row_of(lines: list[str], phase: str) -> str:
    return next(x for x in lines if x.startswith(phase.ljust(23)))


def cell(line: str, aspect: str) -> str:
    """The cell of `aspect` in a phase's row of the dashboard, by the header's column."""
    return line[HEAD.index(aspect):HEAD.index(aspect) + 4].rstrip()


HEAD = render_dashboard(PACK, dashboard(PACK, {}), "X").splitlines()[1]


# --- text ----------------------------------------------------------------------------------------------------------


def test_each_cell_is_marked_by_how_its_rating_stands(db):
    lines = dash(db, "Any Borough", "--year", "2026/27").splitlines()
    primary, secondary = row_of(lines, "Primary"), row_of(lines, "Secondary")
    assert cell(primary, "2.4") == "G*"  # the adviser's override, above the cap
    assert cell(primary, "2.5") == "NI="  # agreed with the suggestion (2.5.G.1 alone, no evidence of impact)
    assert cell(primary, "1.5") not in ("—", "") and cell(primary, "1.5")[-1] not in "*="  # untouched suggestion
    assert cell(secondary, "2.4")[-1] not in "*="  # the agreement set aside by later evidence: a suggestion again
    assert cell(primary, "1.1") == "—"
    assert cell(row_of(lines, "Early Years"), "1.4") == "N/A"


def test_the_marks_keep_the_columns_aligned_and_the_legend_follows_the_table(db):
    lines = dash(db, "Any Borough", "--year", "2026/27").splitlines()
    assert lines[1] == HEAD
    for phase in ("Early Years", "Primary", "Secondary"):
        row = row_of(lines, phase)
        assert row.index("|") == HEAD.index("|")
        assert len(row) == len(HEAD)
    legend = lines.index(LEGEND)
    assert lines[legend - 1].startswith("    aspect ratings")
    assert lines[legend + 1].startswith("A group is rated once at least")
    # then, after a blank line, what the ratings rest on and each rated cell's evidence by source
    assert lines[legend + 2] == "" and lines[legend + 3].startswith("Rests on 2 visits to the LA")
    assert lines[legend + 4] == "Evidence by source:"


def test_piped_output_is_plain_text(db):
    out = dash(db, "Any Borough", "--year", "2026/27")
    assert "\x1b" not in out
    assert all(ch.isprintable() or ch == "\n" for ch in out)


def test_render_dashboard_marks_only_what_it_is_told(db):
    ratings = {("P", "2.4"): "G", ("P", "2.5"): "NI", ("P", "1.5"): "SI", ("S", "2.4"): "OS"}
    standings = {("P", "2.4"): "overridden", ("P", "2.5"): "agreed", ("P", "1.5"): "suggested",
                 ("S", "2.4"): "suggested"}
    lines = render_dashboard(PACK, dashboard(PACK, ratings), "X", standings).splitlines()
    primary = row_of(lines, "Primary")
    assert [cell(primary, a) for a in ("2.4", "2.5", "1.5")] == ["G*", "NI=", "SI"]
    assert cell(row_of(lines, "Secondary"), "2.4") == "OS"
    assert LEGEND in lines
    # without standings (a ratings file): no marks, no legend
    plain = render_dashboard(PACK, dashboard(PACK, ratings), "X").splitlines()
    assert [cell(row_of(plain, "Primary"), a) for a in ("2.4", "2.5", "1.5")] == ["G", "NI", "SI"]
    assert LEGEND not in plain


def test_a_ratings_file_has_no_marks(db, tmp_path):
    f = tmp_path / "ratings.yaml"
    f.write_text("P: {'2.4': G, '2.5': NI}\n", encoding="utf-8")
    lines = dash(db, "--ratings", str(f)).splitlines()
    primary = row_of(lines, "Primary")
    assert (cell(primary, "2.4"), cell(primary, "2.5")) == ("G", "NI")
    assert LEGEND not in lines
    data = json.loads(dash(db, "--ratings", str(f), "--json"))
    assert all("standings" not in r for r in data["rows"])
    assert next(r for r in data["rows"] if r["phase"] == "P")["aspects"]["2.4"] == "G"


# --- json ----------------------------------------------------------------------------------------------------------


def standings(db) -> dict[tuple[str, str], dict]:
    data = json.loads(dash(db, "Any Borough", "--year", "2026/27", "--json"))
    for key in ("title", "rows", "overall", "overall_rated"):
        assert key in data
    out = {}
    for r in data["rows"]:
        assert set(r) >= {"phase", "aspects", "groups", "rated", "standings"}
        assert set(r["standings"]) == set(r["aspects"])
        for a, s in r["standings"].items():
            assert s["rating"] == r["aspects"][a]
            out[(r["phase"], a)] = s
    return out


def test_json_gives_the_override_its_reason_and_what_the_criteria_say(db):
    s = standings(db)[("P", "2.4")]
    assert s["standing"] == "overridden"
    assert s["rests_on"] == "adviser's override at the visit of 2026-10-01"
    assert s["reason"] == REASON
    assert s["departure"]["ruled_out"] is True
    assert s["departure"]["line"].startswith("2.4 Primary: Good is above what the criteria allow at most "
                                             "Requires some improvement: capped at Requires some improvement by "
                                             "2.4.NI.5")


def test_json_gives_each_standing_and_what_it_rests_on(db):
    s = standings(db)
    assert s[("P", "2.5")]["standing"] == "agreed"
    assert s[("P", "2.5")]["rests_on"] == "agreed at the visit of 2026-10-01"
    assert "reason" not in s[("P", "2.5")] and "departure" not in s[("P", "2.5")]
    assert s[("P", "1.5")]["standing"] == "suggested"
    assert s[("P", "1.5")]["rests_on"] == "suggested from the year's evidence"
    assert s[("P", "1.1")] == {"rating": None, "standing": "not rated", "rests_on": "nothing recorded yet"}
    assert s[("EY", "1.4")]["standing"] == "n/a"
    lapsed = s[("S", "2.4")]
    assert lapsed["standing"] == "suggested"
    assert lapsed["rests_on"] == ("suggested from the year's evidence (the agreement at the visit of 2026-10-01 was "
                                  "set aside by evidence recorded since)")
    assert lapsed["lapsed"]["kind"] == "agreed" and lapsed["lapsed"]["visit_date"] == "2026-10-01"


# --- packs show ------------------------------------------------------------------------------------------------------


def show(*args: str) -> str:
    proc = run_laqs("packs", "show", "--no-agendas", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_packs_show_prints_a_criterion_reading_under_it():
    lines = show("--aspect", "2.3").splitlines()
    at = next(i for i, x in enumerate(lines) if x.lstrip(" *#%").startswith("2.3.SI.3 "))
    assert lines[at + 1].startswith("      reading: Exactly 80% is in neither band")
    reading = PACK.criteria["2.3.SI.3"].reading
    block = []
    for x in lines[at + 1:]:
        if not x.startswith("      "):
            break
        block.append(x.strip())
    assert " ".join(block) == f"reading: {reading}"
    # a criterion without a reading has none printed
    g1 = next(i for i, x in enumerate(lines) if x.lstrip(" *#%").startswith("2.3.G.1 "))
    assert "reading:" not in lines[g1 + 1]


def test_packs_show_prints_the_gaps_between_bands_briefly():
    out = show("--aspect", "2.3")
    gap = next(x for x in out.splitlines() if "gap at" in x)
    assert gap.startswith("      gap at 80: the standards give 'more than 80 %'")
    assert gap.endswith("(caps nothing)") and len(gap) < 120
    assert out.index("indicator 2.3.nc-on-trajectory") < out.index("gap at 80")
    out = show("--aspect", "2.5")
    assert "      gap at 1 missing: the standards give all five for Good" in out
    assert "gap at" not in show("--aspect", "1.1")


def test_packs_show_json_includes_readings_and_gaps():
    data = json.loads(show("--aspect", "2.5", "--json"))
    (aspect,) = data["aspects"]
    readings = {c["id"]: c["reading"] for c in aspect["criteria"]}
    assert readings["2.5.G.1"] == PACK.criteria["2.5.G.1"].reading and readings["2.5.G.1"]
    assert all(readings[c.id] == c.reading for c in PACK.aspects["2.5"].criteria)
    (qualities,) = [s for s in aspect["sets"] if s["id"] == "2.5.data-qualities"]
    (gap,) = qualities["gaps"]
    assert gap["values"] == "1 missing" and gap["counts"] == "missing"
    assert gap["at_least"] == gap["at_most"] == 1
    assert gap["said"].startswith("the standards give all five for Good")
    data = json.loads(show("--aspect", "2.3", "--json"))
    (ind,) = [i for i in data["aspects"][0]["indicators"] if i["id"] == "2.3.nc-on-trajectory"]
    assert [g["values"] for g in ind["gaps"]] == ["80"]
    assert ind["gaps"][0]["counts"] is None
    assert all(i["gaps"] == [] for i in data["aspects"][0]["indicators"] if i["id"] != "2.3.nc-on-trajectory")
