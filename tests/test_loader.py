"""The pack loader: the small valid pack loads, and every malformed pack stops with one `file:line: message`.

Each folder under tests/fixtures/broken/ is an overlay on tests/fixtures/minipack: its files replace or add files
at the same relative paths, a file named DELETE lists relative paths to remove (one a line), and expected.txt
holds two lines: the location the loader must report (relative to the pack's parent folder, so it starts with
`minipack/`) and a substring of the message.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import load_pack

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIPACK = FIXTURES / "minipack"
BROKEN = FIXTURES / "broken"
_SPECIAL = {"expected.txt", "DELETE"}

BROKEN_CASES = sorted(d for d in BROKEN.iterdir() if d.is_dir())


def _expected(case: Path) -> tuple[str, str]:
    lines = case.joinpath("expected.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2, f"{case.name}/expected.txt must hold exactly two lines"
    return lines[0].strip(), lines[1].strip()


def build_broken_pack(case: Path, tmp_path: Path) -> Path:
    """Copy minipack to tmp_path/minipack and apply the overlay in `case`."""
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    for f in sorted(case.rglob("*")):
        if not f.is_file() or f.name in _SPECIAL:
            continue
        target = root / f.relative_to(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    delete = case / "DELETE"
    if delete.exists():
        for rel in delete.read_text(encoding="utf-8").split():
            (root / rel).unlink()
    return root


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "laqs_assist", *args], capture_output=True, text=True, cwd=cwd)


# --- the fixtures themselves ------------------------------------------------------------------------------------


def test_enough_broken_fixtures_and_each_is_well_formed():
    assert len(BROKEN_CASES) >= 24
    for case in BROKEN_CASES:
        where, message = _expected(case)
        assert where.startswith("minipack/"), case.name
        file_part, _, line = where.rpartition(":")
        assert file_part and line.isdigit() and int(line) >= 1, f"{case.name}: bad location {where!r}"
        assert message, case.name
        overlay = [f for f in case.rglob("*") if f.is_file() and f.name != "expected.txt"]
        assert overlay, f"{case.name} changes nothing"


def test_minipack_is_untouched_by_the_overlays(tmp_path):
    # Building every broken pack must leave the shared minipack fixture as it was.
    before = {p: p.read_bytes() for p in MINIPACK.rglob("*") if p.is_file()}
    for i, case in enumerate(BROKEN_CASES):
        build_broken_pack(case, tmp_path / str(i))
    after = {p: p.read_bytes() for p in MINIPACK.rglob("*") if p.is_file()}
    assert after == before


# --- broken packs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", BROKEN_CASES, ids=[c.name for c in BROKEN_CASES])
def test_broken_pack_raises_pack_error_at_the_fault(case: Path, tmp_path: Path):
    where, message = _expected(case)
    root = build_broken_pack(case, tmp_path)
    try:
        load_pack(root)
    except PackError as exc:
        assert exc.where == where, f"reported {exc.line()!r}"
        assert message in exc.message, f"reported {exc.line()!r}"
        assert "\n" not in exc.line()
        assert str(exc) == f"{where}: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - anything else escaping is the fault under test
        pytest.fail(f"load_pack raised {type(exc).__name__} instead of PackError: {exc}")
    else:
        pytest.fail(f"load_pack accepted the pack; expected {where}: ...{message}...")


@pytest.mark.parametrize("case", BROKEN_CASES, ids=[c.name for c in BROKEN_CASES])
def test_broken_pack_cli_prints_one_line_and_exits_2(case: Path, tmp_path: Path):
    where, message = _expected(case)
    root = build_broken_pack(case, tmp_path)
    proc = run_cli("packs", "check", str(root), cwd=tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"stderr was {proc.stderr!r}"
    assert f"{where}: " in lines[0]
    assert message in lines[0]
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr {proc.stderr!r}"
    assert not proc.stdout.startswith("ok")


# --- the valid pack ---------------------------------------------------------------------------------------------


def test_minipack_loads_with_expected_contents():
    pack = load_pack(MINIPACK)
    assert pack.id == "mini"
    assert pack.phase_ids() == ["EY", "P"]
    assert pack.column_ids() == ["OS", "G", "NI", "SI"]
    assert [c.side for c in pack.columns] == ["upper", "upper", "lower", "lower"]
    assert [c.rank for c in pack.columns] == [0, 1, 2, 3]
    assert pack.column("NI").dashboard == "Needs some improvement"
    assert pack.column("SI").dashboard == pack.column("SI").label  # defaults to the label
    assert pack.column("OS").evidence == "substantial" and pack.column("G").evidence == "some"
    assert pack.column("NI").evidence is None
    assert [e.id for e in pack.evidence_levels] == ["none", "some", "substantial"]
    assert pack.sufficiency == 0.5 and pack.cumulative is True
    assert (pack.rollup.method, pack.rollup.tolerance, pack.rollup.max_drop) == ("tolerance", 1, 1)
    assert [(g.id, g.aspects) for g in pack.groups] == [("1", ("1.1",)), ("2", ("2.1",))]

    assert sorted(pack.aspects) == ["1.1", "2.1"]
    assert len(pack.criteria) == 17
    assert len(pack.aspects["1.1"].criteria) == 10 and len(pack.aspects["2.1"].criteria) == 7
    assert sorted(pack.sets) == ["2.1.features"]
    assert sorted(pack.set_items) == ["2.1.features.a", "2.1.features.b", "2.1.features.c"]
    assert sorted(pack.indicators) == ["2.1.pct"]
    assert pack.indicators["2.1.pct"].unit == "percent"
    assert sorted(pack.agendas) == ["talk"] and sorted(pack.questions) == ["Q.1", "Q.2", "Q.3", "Q.4"]
    assert sorted(pack.forms) == ["visit"]

    a11, a21 = pack.aspects["1.1"], pack.aspects["2.1"]
    assert a11.not_applicable == () and a21.not_applicable == ("EY",)
    assert not a21.applies_to("EY") and a21.applies_to("P")
    assert [c.id for c in a11.criteria if c.critical] == ["1.1.OS.1", "1.1.G.1", "1.1.NI.2", "1.1.SI.1"]
    assert {c.id: c.kind for c in a21.criteria} == {
        "2.1.OS.1": "threshold", "2.1.G.1": "threshold", "2.1.G.2": "count", "2.1.NI.1": "threshold",
        "2.1.NI.2": "count", "2.1.SI.1": "threshold", "2.1.SI.2": "count",
    }
    ni1 = pack.criteria["2.1.NI.1"].threshold
    assert ni1.indicator_id == "2.1.pct" and (ni1.range.at_least, ni1.range.below) == (50, 80)
    assert pack.criteria["2.1.NI.2"].count.counts == "missing"
    assert a11.standards[1].sub == ("plans", "reviews")

    q2 = pack.questions["Q.2"]
    assert q2.aspects == ("1.1",) and q2.criteria == ("1.1.G.2", "1.1.G.3") and q2.answer == "yes_no"
    assert q2.sub == ("plan well?", "review well?")
    assert pack.questions["Q.4"].choices == ("None", "Notice to improve")
    assert pack.questions["Q.1"].answer == "text"  # the default
    form = pack.forms["visit"]
    assert [g.column for g in form.scale] == ["OS", "G"]
    assert [s.aspect for s in form.sections] == ["2.1"] and form.sections[0].graded is True


def test_minipack_loads_from_its_pack_yaml_path():
    assert load_pack(MINIPACK / "pack.yaml").id == "mini"


def test_minipack_cli_check_reports_the_counts(tmp_path):
    proc = run_cli("packs", "check", str(MINIPACK), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.strip() == ("ok: mini — 2 aspects, 17 criteria, 1 counted sets, 1 indicators, "
                                   "1 agendas (4 questions), 1 forms; version not given, 0 note checks")


# --- no pack at all ---------------------------------------------------------------------------------------------


def test_missing_folder(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(PackError) as info:
        load_pack(missing)
    assert str(missing) in info.value.message
    proc = run_cli("packs", "check", str(missing), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "no pack at" in lines[0] and str(missing) in lines[0]


def test_folder_without_pack_yaml(tmp_path):
    empty = tmp_path / "empty"
    (empty / "aspects").mkdir(parents=True)
    with pytest.raises(PackError) as info:
        load_pack(empty)
    assert "has no pack.yaml" in info.value.message
    proc = run_cli("packs", "check", str(empty), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "has no pack.yaml" in lines[0]
