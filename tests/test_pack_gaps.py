"""The pack's new declarations: gaps between a source's bands (on indicators and counted sets), the noun of a
counted set, a criterion's reading, and the roll-up's min_rated share; each fault one line `file:line: what`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import load_pack
from laqs_assist.rating import judgements_for, rate

MINIPACK = Path(__file__).resolve().parent / "fixtures" / "minipack"
ASPECT = "aspects/2.1.yaml"
INDICATOR = "  - {id: 2.1.pct, text: Percentage of schools in line, unit: percent}\n"
SET_LINE = "    text: Three features\n"


def pack_with(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    root = tmp_path / "minipack"
    if not root.exists():
        shutil.copytree(MINIPACK, root)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def fault(root: Path) -> str:
    with pytest.raises(PackError) as exc:
        load_pack(root)
    return exc.value.line()


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, x in enumerate(lines, 1) if needle in x)


def gap_on_indicator(tmp_path: Path, gap: str) -> Path:
    # 2.1's bands: Good at least 80, NI 50 to below 80, SI below 50; make NI start above 50 so 50 is a gap.
    pack_with(tmp_path, ASPECT, INDICATOR, "  - id: 2.1.pct\n    text: Percentage of schools in line\n"
                                            f"    unit: percent\n    gaps:\n{gap}")
    return pack_with(tmp_path, ASPECT, "threshold: {indicator: 2.1.pct, at_least: 50, below: 80}",
                     "threshold: {indicator: 2.1.pct, above: 50, below: 80}")


def test_a_gap_between_bands_loads_and_caps_nothing(tmp_path):
    root = gap_on_indicator(tmp_path, "      - {at: 50, said: \"the source gives 'over 50%' and 'under 50%'\"}\n")
    pack = load_pack(root)
    (gap,) = pack.indicators["2.1.pct"].gaps
    assert gap.range.point() == 50 and gap.said == "the source gives 'over 50%' and 'under 50%'"
    r = rate(pack, "2.1", "P", judgements_for(pack, "2.1", {"2.1.pct": 50}))
    assert r.cap is None
    assert [w.message for w in r.warnings] == [
        "50 % recorded (2.1.pct): the source gives 'over 50%' and 'under 50%', so exactly 50 % falls between them "
        "and caps nothing"]
    assert rate(pack, "2.1", "P", judgements_for(pack, "2.1", {"2.1.pct": 49})).capped_by == ("2.1.SI.1",)


def test_a_gap_that_a_band_reaches_is_refused_at_its_line(tmp_path):
    root = gap_on_indicator(tmp_path, "      - {at: 60, said: between}\n")
    n = line_of(root, ASPECT, "{at: 60")
    assert fault(root) == (f"minipack/{ASPECT}:{n}: gap at 60 on 2.1.pct overlaps 2.1.NI.1 (above 50 and below 80): "
                           "a gap is a value no band reaches")


def test_a_gap_range_and_at_together_are_refused(tmp_path):
    root = gap_on_indicator(tmp_path, "      - {at: 50, below: 51, said: between}\n")
    assert fault(root).endswith("a gap gives either 'at' or a range (at_least, above, at_most, below), not both")


def test_a_gap_needs_the_sources_words(tmp_path):
    root = gap_on_indicator(tmp_path, "      - {at: 50}\n")
    n = line_of(root, ASPECT, "{at: 50}")
    assert fault(root) == f"minipack/{ASPECT}:{n}: missing required field 'said'"


def test_a_gap_outside_the_unit_is_refused(tmp_path):
    root = gap_on_indicator(tmp_path, "      - {at: 150, said: between}\n")
    assert fault(root).endswith("gap at 150 is out of range for a percent indicator")


def test_a_counted_gap_and_the_sets_noun(tmp_path):
    pack_with(tmp_path, ASPECT, "{at_least: 1, at_most: 1}", "{at_least: 2, at_most: 2}")
    pack_with(tmp_path, ASPECT, "{at_least: 2}}}", "{at_least: 3}}}")
    root = pack_with(tmp_path, ASPECT, SET_LINE, SET_LINE + "    noun: features\n    gaps:\n"
                                                 "      - {missing: {at: 1}, said: \"the source gives none and two\"}\n")
    pack = load_pack(root)
    assert pack.sets["2.1.features"].noun == "features"
    r = rate(pack, "2.1", "P", judgements_for(pack, "2.1", {"2.1.features": {"missing": 1}, "2.1.pct": 90}))
    assert r.cap is None
    assert [w.message for w in r.warnings] == [
        "1 of 3 features missing (2.1.features): the source gives none and two, so 1 missing falls between them and "
        "caps nothing"]
    assert "(2 of 3 features present; Good needs all 3)" in r.reason


def test_a_counted_gap_that_a_count_reaches_is_refused(tmp_path):
    root = pack_with(tmp_path, ASPECT, SET_LINE, SET_LINE + "    gaps:\n      - {missing: {at: 1}, said: between}\n")
    assert fault(root).endswith("gap at 1 missing on 2.1.features overlaps 2.1.NI.2 (missing at least 1 and at most "
                                "1): a gap is a count no band reaches")


def test_a_criterion_keeps_its_reading(tmp_path):
    root = pack_with(tmp_path, ASPECT, "{id: 2.1.OS.1, text: At least 95%,",
                     "{id: 2.1.OS.1, reading: 'why this reading', text: At least 95%,")
    assert load_pack(root).criteria["2.1.OS.1"].reading == "why this reading"
    assert load_pack(MINIPACK).criteria["2.1.OS.1"].reading == ""


def test_min_rated_is_a_share_from_0_to_1(tmp_path):
    assert load_pack(MINIPACK).rollup.min_rated == 0
    root = pack_with(tmp_path, "pack.yaml", "max_drop: 1}", "max_drop: 1, min_rated: 1.5}")
    n = line_of(root, "pack.yaml", "min_rated")
    assert fault(root) == f"minipack/pack.yaml:{n}: min_rated is a share of a group's aspects, from 0 to 1, not 1.5"
    proc = subprocess.run([sys.executable, "-m", "laqs_assist", "packs", "check", str(root)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip().endswith("not 1.5") and len(proc.stderr.splitlines()) == 1


def test_the_2009_pack_declares_its_gaps_and_min_rated():
    from laqs_assist.paths import default_pack_path

    pack = load_pack(default_pack_path())
    assert pack.rollup.min_rated == 0.6
    assert [g.range.point() for g in pack.indicators["2.3.nc-on-trajectory"].gaps] == [80]
    assert pack.criteria["2.3.SI.3"].threshold.range.below == 80
    assert [(g.counts, g.range.point()) for g in pack.sets["2.5.data-qualities"].gaps] == [("missing", 1)]
    for cid in ("2.3.G.4", "2.3.G.5", "2.3.G.6", "2.3.G.7"):
        assert pack.criteria[cid].text.startswith(
            "Within the context of the policy, which takes account of the full range of stakeholders and agencies, "
            "including SIPs/NCAs, the LA ")
    assert pack.criteria["1.4.G.2"].text == ("Brokered and commissioned support: timely; fit for purpose; avoids any "
                                             "conflict of interest.")
    assert "timely" not in pack.criteria["1.4.OS.2"].text
    assert "fit for purpose" not in pack.criteria["1.4.NI.3"].text
    assert all(pack.criteria[c].reading for c in ("1.4.G.2", "2.3.G.4", "2.3.SI.3", "2.5.G.1", "2.5.G.3"))
