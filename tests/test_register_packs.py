"""Register packs are data: both shipped packs load, a third LA's policy is a folder, and every fault an author
can make is one line naming file:line, through `laqs packs check` with exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from laqs_assist.cli import main
from laqs_assist.errors import PackError
from laqs_assist.packs.loader import load_pack
from laqs_assist.paths import interviews_dir

SHIPPED = interviews_dir()


def test_both_packs_load_with_their_parts():
    b = load_pack(SHIPPED / "barnsley-register")
    s = load_pack(SHIPPED / "staffordshire-register")
    assert b.kind == s.kind == "register"
    assert [e.label for e in b.evidence_sources][:2] == ["Analysis of data", "Previous Ofsted inspection outcomes"]
    assert len(b.evidence_sources) == 6 and len(b.ladders) == 2 and b.rules[0].within_months == 12
    assert b.review.every == "month" and b.review.annual_months == (7, 8) and b.review.letter_month == 9
    assert b.review.board == "Challenge Board"
    assert s.charging.day_rate == 480 and [c.id for c in s.charging.caps] == ["audit", "monitoring"]
    assert {a.term for a in s.activities} == {"autumn", "spring", "summer"}
    assert any(r.about == "levels" for r in b.readings)  # where the policy is ambiguous, the pack says so


def test_packs_check_and_list(capsys):
    assert main(["packs", "check", str(SHIPPED / "staffordshire-register")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: staffordshire-register (register) — 4 levels") and "6 charging bands, 2 caps" in out
    assert main(["packs", "list"]) == 0
    out = capsys.readouterr().out
    assert "barnsley-register" in out and "school register: levels none, low, medium, high" in out
    assert "ns2009" in out


def _copy(tmp_path: Path, name: str = "barnsley-register") -> Path:
    dest = tmp_path / "another-la"
    shutil.copytree(SHIPPED / name, dest)
    return dest


def test_a_third_la_is_a_folder(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "pack.yaml").read_text().replace("id: barnsley-register", "id: another-register")
    (folder / "pack.yaml").write_text(text)
    assert load_pack(folder).id == "another-register"


def _fault(tmp_path, capsys, old: str, new: str, name: str = "barnsley-register") -> str:
    folder = _copy(tmp_path, name)
    path = folder / "pack.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(PackError):
        load_pack(folder)
    assert main(["packs", "check", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def _line(folder_text: str, needle: str) -> int:
    return next(i for i, line in enumerate(folder_text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("old, new, says", [
    ('colour: "#C00000"', 'colour: "red"', "colour must be #RRGGBB, not 'red'"),
    ("order: 4", "order: 3", "'order' must run 1 to 4"),
    ("at_least: low", "at_least: amber", "unknown level 'amber'"),
    ("    to: iii", "    to: ix", "shortcut to unknown step 'ix'"),
    ("kind: maintained", "kind: voluntary", "kind of school must be maintained or academy"),
    ("every: half-term, said: \"At least", "every: fortnight, said: \"At least", "'every' must be one of"),
    ("    months: [7, 8]", "    months: [7, 13]", "month 13 must be a whole number from 1 to 12"),
    ("evidence_required: 1", "evidence_required: 9", "evidence_required must be from 0 to 6"),
    ("  stale_after_days: 31", "  stale_after_days: 31\n  colour: blue", "unknown field 'colour'"),
])
def test_barnsley_faults_are_one_line_at_file_line(tmp_path, capsys, old, new, says):
    err = _fault(tmp_path, capsys, old, new)
    assert says in err, err
    assert "another-la/pack.yaml:" in err


def test_the_line_is_the_faulty_one(tmp_path, capsys):
    err = _fault(tmp_path, capsys, 'colour: "#ED7D31"', 'colour: "#ED7D3"')
    text = (tmp_path / "another-la" / "pack.yaml").read_text()
    assert f"pack.yaml:{_line(text, '#ED7D3')}:" in err


@pytest.mark.parametrize("old, new, says", [
    ("{at_most: 20, pays: 2,", "{at_most: 9, pays: 2,", "bands must rise: at_most 9 is not above the band before (10)"),
    ("{at_most: 30, pays: 4, said", "{pays: 4, said", "only the last band may leave out 'at_most'"),
    ("support_level: medium", "support_level: middling", "unknown support level 'middling'"),
    ("      to: \"3\"", "      to: \"4\"", "move to unknown stage '4'"),
    ("stages: [\"2\", \"3\"]", "stages: [\"2\", \"5\"]", "unknown stage '5'"),
    ("  review_after_terms: 2", "  review_after_terms: 3", "review_after_terms (3) must be at least 1 and before"),
    ("      days: 5", "      days: -5", "'days' must not be negative"),
    ("{id: s2.meet,", "{id: s2.officer,", "duplicate strand 's2.officer'"),
    ("- {term: spring, by: SIPs,", "- {term: winter, by: SIPs,", "unknown term 'winter'"),
])
def test_staffordshire_faults(tmp_path, capsys, old, new, says):
    err = _fault(tmp_path, capsys, old, new, "staffordshire-register")
    assert says in err, err


def test_a_register_pack_is_not_a_framework_to_interview_with(capsys):
    assert main(["--pack", "barnsley-register", "packs", "show"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("barnsley-register is a register pack, not a framework of standards: use it with "
                        "`laqs register …`") and len(err.splitlines()) == 1
