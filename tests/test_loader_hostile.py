"""Packs made to break the loader are refused as broken packs are: one line `file:line: what is wrong`, exit 2, in
bounded time and memory.

Each hostile pack is checked by a real `laqs packs check` in a subprocess with a timeout and an address-space limit,
so a regression (a hang on a pipe, a read of /dev/zero, a recursion) fails the test instead of hanging the run or
eating the machine. The cases build their packs here, from tests/fixtures/minipack, since pipes, links and
invisible characters do not keep well as fixture files.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import load_pack, yamlsrc
from laqs_assist.packs.model import id_problem, shown
from laqs_assist.paths import default_pack_path

MINIPACK = Path(__file__).resolve().parent / "fixtures" / "minipack"
MEMORY_LIMIT = 1024**3  # a regression that reads without end fails here rather than swapping the machine
TIMEOUT = 120  # seconds; every case takes well under ten


def minipack(tmp_path: Path) -> Path:
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    return root


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def line_with(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check(root: Path, *, setup: str = "") -> str:
    """Run `laqs packs check root` (after `setup`, Python run first in the same process); return its one line."""
    if setup:
        cmd = [sys.executable, "-c", f"import sys; {setup}; from laqs_assist.cli import main; "
                                     "sys.exit(main(['packs', 'check', sys.argv[1]]))", str(root)]
    else:
        cmd = [sys.executable, "-m", "laqs_assist", "packs", "check", str(root)]
    proc = subprocess.run(cmd, capture_output=True, cwd=root.parent, timeout=TIMEOUT, preexec_fn=_limit_memory,
                          env={**os.environ, "PYTHONUTF8": "1"})
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err[-2000:]
    assert "\x1b" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"stderr was {err[:2000]!r}"
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr {err[:2000]!r}"
    assert not out.startswith("ok")
    return lines[0]


def assert_fault(line: str, where: str, *messages: str) -> None:
    assert line.startswith(f"laqs: error: {where}: "), line
    for message in messages:
        assert message in line, line


# --- 1. numbers are finite ----------------------------------------------------------------------------------------


def test_nan_threshold_is_refused(tmp_path):
    # At .nan every comparison is false, so a critical criterion read met at 3 %.
    root = minipack(tmp_path)
    text = edit(root / "aspects/2.1.yaml", "at_least: 95}", "at_least: .nan}")
    line = check(root)
    assert_fault(line, f"minipack/aspects/2.1.yaml:{line_with(text, '.nan')}", "'.nan' is not a finite number")


@pytest.mark.parametrize(("rel", "old", "new", "shown_as"), [
    ("aspects/2.1.yaml", "at_least: 95}", "above: .inf}", "'.inf'"),
    ("aspects/2.1.yaml", "below: 50}", "below: -.INF}", "'-.INF'"),
    ("aspects/2.1.yaml", "at_least: 50, below: 80", "at_least: 50, below: .NaN", "'.NaN'"),
    ("aspects/2.1.yaml", "missing: {at_most: 0}", "missing: {at_most: .nan}", "'.nan'"),
    ("aspects/2.1.yaml", "missing: {at_least: 1, at_most: 1}", "present: {at_least: .inf}", "'.inf'"),
    ("pack.yaml", "sufficiency: 0.5", "sufficiency: .nan", "'.nan'"),
    ("pack.yaml", "tolerance: 1,", "tolerance: .inf,", "'.inf'"),
    ("pack.yaml", "max_drop: 1}", "max_drop: -.inf}", "'-.inf'"),
    ("forms/visit.yaml", "{grade: 2,", "{grade: .nan,", "'.nan'"),
    ("aspects/1.1.yaml", "title: Statements only", "title: .nan", "'.nan'"),  # text that YAML reads as a number
])
def test_non_finite_numbers_are_refused_wherever_they_are(tmp_path, rel, old, new, shown_as):
    root = minipack(tmp_path)
    text = edit(root / rel, old, new)
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.where == f"minipack/{rel}:{line_with(text, new)}"
    assert f"{shown_as} is not a finite number" in info.value.message


def test_huge_numbers_are_refused_without_a_traceback(tmp_path):
    # Python converts at most 4300 digits to an int; hexadecimal ones it converts, but cannot print or make floats.
    root = minipack(tmp_path)
    text = edit(root / "aspects/2.1.yaml", "at_least: 95}", "at_least: 0x" + "f" * 400_000 + "}")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, '0xfff')}", "is too large")


def test_a_judgements_file_with_nan_is_refused(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("impact: some\njudgements:\n  1.5.targets-in-line: .nan\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        yamlsrc.load_yaml(path, "j.yaml")
    assert info.value.where == "j.yaml:3"


# --- 2. counting comes to an end ---------------------------------------------------------------------------------


def test_a_set_listing_its_own_counting_criterion_is_refused(tmp_path):
    # Accepted before, after which `laqs rate` died in RecursionError.
    root = minipack(tmp_path)
    text = edit(root / "aspects/2.1.yaml", "      - {id: 2.1.features.c, text: feature c}\n",
                "      - {id: 2.1.features.c, text: feature c}\n      - {criterion: 2.1.G.2}\n")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, '{criterion: 2.1.G.2}')}",
                 "counting goes round in a circle: set '2.1.features' lists criterion '2.1.G.2', which counts set "
                 "'2.1.features'")


def test_a_circle_through_two_aspects_is_refused_at_the_set_item_that_closes_it(tmp_path):
    root = minipack(tmp_path)
    edit(root / "aspects/1.1.yaml", "criteria:\n", "sets:\n  - id: 1.1.s\n    text: one item\n"
                                                  "    items: [{criterion: 2.1.G.2}]\ncriteria:\n")
    edit(root / "aspects/1.1.yaml", "    - {id: 1.1.G.4, text: Roles are clear}\n",
         "    - {id: 1.1.G.4, text: Roles are clear}\n"
         "    - {id: 1.1.G.5, text: Counts, count: {set: 1.1.s, present: {at_least: 1}}}\n")
    text = edit(root / "aspects/2.1.yaml", "      - {id: 2.1.features.c, text: feature c}\n",
                "      - {id: 2.1.features.c, text: feature c}\n      - {criterion: 1.1.G.5}\n")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, '{criterion: 1.1.G.5}')}",
                 "set '2.1.features' lists criterion '1.1.G.5', which counts set '1.1.s', which lists criterion "
                 "'2.1.G.2', which counts set '2.1.features'")


def _ring(root: Path, n: int, closed: bool) -> str:
    """n sets and n criteria in aspect 2.1: criterion r.i counts set r.s.i, which lists criterion r.(i+1); the last
    set lists r.0 when `closed`, a statement criterion otherwise."""
    sets = "".join(f"  - id: r.s.{i}\n    text: ring set {i}\n    items:\n"
                   f"      - {{criterion: r.{(i + 1) % n if closed or i + 1 < n else 'end'}}}\n" for i in range(n))
    crits = "".join(f"    - {{id: r.{i}, text: ring {i}, count: {{set: r.s.{i}, present: {{at_least: 1}}}}}}\n"
                    for i in range(n))
    edit(root / "aspects/2.1.yaml", "sets:\n", "sets:\n" + sets)
    return edit(root / "aspects/2.1.yaml", "  G:\n", "  G:\n    - {id: r.end, text: the end of the ring}\n" + crits)


def test_a_long_circle_is_refused(tmp_path):
    # Three thousand sets round: the check walks without recursion, so length alone cannot break it.
    root = minipack(tmp_path)
    text = _ring(root, 3000, closed=True)
    closing = text.index("{criterion: r.0}")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{text[:closing].count(chr(10)) + 1}",
                 "counting goes round in a circle: set 'r.s.2999' lists criterion 'r.0', which counts set 'r.s.0'")


def test_counting_nested_too_deep_is_refused_and_ten_levels_load(tmp_path):
    root = minipack(tmp_path / "ok")
    _ring(root, 10, closed=False)
    assert "r.0" in load_pack(root).criteria
    root = minipack(tmp_path / "deep")
    text = _ring(root, 11, closed=False)
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, '{id: r.0,')}",
                 "criterion 'r.0' counts a set that lists counted criteria 11 levels deep (at most 10)")


def test_counting_that_unfolds_too_far_is_refused(tmp_path):
    # Without a circle or depth, fan-out alone makes rating judge each criterion once per path to it.
    root = minipack(tmp_path)
    leaves = "".join(f"    - {{id: f.leaf.{i}, text: leaf {i}}}\n" for i in range(100))
    mids = "".join(f"    - {{id: f.mid.{i}, text: mid {i}, count: {{set: f.low, present: {{at_least: 1}}}}}}\n"
                   for i in range(101))
    low = "  - id: f.low\n    text: low\n    items:\n" + "".join(f"      - {{criterion: f.leaf.{i}}}\n"
                                                                  for i in range(100))
    high = "  - id: f.high\n    text: high\n    items:\n" + "".join(f"      - {{criterion: f.mid.{i}}}\n"
                                                                    for i in range(101))
    edit(root / "aspects/2.1.yaml", "sets:\n", "sets:\n" + low + high)
    text = edit(root / "aspects/2.1.yaml", "  G:\n", "  G:\n" + leaves + mids
                + "    - {id: f.top, text: top, count: {set: f.high, present: {at_least: 1}}}\n")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, '{id: f.top,')}",
                 "criterion 'f.top' counts through nested sets whose criteria come to more than 10,000 judgements")


# --- 3. ids keep to the id character set -------------------------------------------------------------------------


def test_zero_width_space_in_an_id_is_named(tmp_path):
    root = minipack(tmp_path)
    text = edit(root / "aspects/1.1.yaml", "{id: 1.1.G.2,", bad := "{id: 1.1.G\u200b2,")
    assert_fault(check(root), f"minipack/aspects/1.1.yaml:{line_with(text, bad)}",
                 "id '1.1.G\\u200b2' has U+200B ZERO WIDTH SPACE at position 6; ids may use A–Z a–z 0–9 . - _")


def test_fullwidth_digit_in_an_id_is_named(tmp_path):
    root = minipack(tmp_path)
    text = edit(root / "aspects/2.1.yaml", "{id: 2.1.G.1,", bad := "{id: 2.1.G.\uff11,")
    assert_fault(check(root), f"minipack/aspects/2.1.yaml:{line_with(text, bad)}",
                 "id '2.1.G.\\uff11' has U+FF11 FULLWIDTH DIGIT ONE at position 7")


def test_space_in_an_id_is_named(tmp_path):
    root = minipack(tmp_path)
    text = edit(root / "agendas/talk.yaml", "{id: Q.1,", "{id: Q 1,")
    assert_fault(check(root), f"minipack/agendas/talk.yaml:{line_with(text, 'Q 1')}",
                 "id 'Q 1' has U+0020 SPACE at position 2")


@pytest.mark.parametrize(("what", "rel", "old", "new"), [
    ("pack", "pack.yaml", "id: mini", "id: mini\u200b"),
    ("phase", "pack.yaml", "{id: EY,", "{id: E\u200bY,"),
    ("column", "pack.yaml", "{id: OS,", "{id: O\u200bS,"),
    ("evidence level", "pack.yaml", "{id: none,", "{id: no\u200bne,"),
    ("group", "pack.yaml", '- id: "1"', '- id: "1\u200b"'),
    ("aspect", "aspects/1.1.yaml", 'id: "1.1"', 'id: "1.1\u200b"'),
    ("indicator", "aspects/2.1.yaml", "{id: 2.1.pct,", "{id: 2.1.p\u200bct,"),
    ("counted set", "aspects/2.1.yaml", "- id: 2.1.features\n", "- id: 2.1.feat\u200bures\n"),
    ("set item", "aspects/2.1.yaml", "{id: 2.1.features.a,", "{id: 2.1.features.\u200ba,"),
    ("criterion", "aspects/1.1.yaml", "{id: 1.1.OS.2,", "{id: 1.1.OS.\u200b2,"),
    ("agenda", "agendas/talk.yaml", "id: talk", "id: ta\u200blk"),
    ("question", "agendas/talk.yaml", "- id: Q.2", "- id: Q.\u200b2"),
    ("form", "forms/visit.yaml", "id: visit\n", "id: vi\u200bsit\n"),
    ("form field", "forms/visit.yaml", "{id: who,", "{id: w\u200bho,"),
    ("form section", "forms/visit.yaml", "- id: visit.challenge", "- id: visit.\u200bchallenge"),
])
def test_every_kind_of_id_keeps_to_the_character_set(tmp_path, what, rel, old, new):
    root = minipack(tmp_path)
    text = edit(root / rel, old, new)
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.where == f"minipack/{rel}:{line_with(text, new)}", what
    assert "U+200B ZERO WIDTH SPACE" in info.value.message and "\u200b" not in info.value.line()


def test_a_reference_with_a_bad_character_says_why_it_matches_nothing(tmp_path):
    root = minipack(tmp_path)
    text = edit(root / "agendas/talk.yaml", "criteria: [1.1.G.2, 1.1.G.3]", bad := "criteria: [1.1.G.2, 1.1.G\u200b3]")
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.where == f"minipack/agendas/talk.yaml:{line_with(text, bad)}"
    assert info.value.message.startswith("question points at missing criterion '1.1.G\\u200b3' (id '1.1.G\\u200b3' "
                                         "has U+200B ZERO WIDTH SPACE at position 6")


@pytest.mark.parametrize("ident", ["2.4.G.1", "2.4.report-features.timely", "A3.1.1.1", "1.5.targets-in-line", "1",
                                   "OS", "EY", "none", "sip-name", "jv.challenge", "ns2009", "x_y", "a" * 100])
def test_id_checker_accepts_good_ids(ident):
    assert id_problem(ident) is None


RULE = "; ids may use A–Z a–z 0–9 . - _"


@pytest.mark.parametrize(("ident", "problem"), [
    ("2.4.G\u200b1", "id '2.4.G\\u200b1' has U+200B ZERO WIDTH SPACE at position 6" + RULE),
    ("2.4.G 1", "id '2.4.G 1' has U+0020 SPACE at position 6" + RULE),
    ("2.4.G.\uff11", "id '2.4.G.\\uff11' has U+FF11 FULLWIDTH DIGIT ONE at position 7" + RULE),
    ("\ufeff1.1", "id '\\ufeff1.1' has U+FEFF ZERO WIDTH NO-BREAK SPACE at position 1" + RULE),
    ("1.1\t", "id '1.1\\x09' has U+0009 (a control character) at position 4" + RULE),
    ("caf\u00e9", "id 'caf\\xe9' has U+00E9 LATIN SMALL LETTER E WITH ACUTE at position 4" + RULE),
    ("2.4,G", "id '2.4,G' has U+002C COMMA at position 4" + RULE),
    ("a/b", "id 'a/b' has U+002F SOLIDUS at position 2" + RULE),
    ("\U0001d7cf", "id '\\U0001d7cf' has U+1D7CF MATHEMATICAL BOLD DIGIT ONE at position 1" + RULE),
    (".1", "id '.1' starts with '.'; an id starts with a letter or digit"),
    ("-x", "id '-x' starts with '-'; an id starts with a letter or digit"),
    ("_x", "id '_x' starts with '_'; an id starts with a letter or digit"),
    ("a" * 101, f"id '{'a' * 60}…' is 101 characters long; ids may be at most 100"),
    ("", "an id must not be empty"),
])
def test_id_checker_names_what_is_wrong(ident, problem):
    assert id_problem(ident) == problem


def test_the_shipped_pack_keeps_to_the_id_character_set():
    pack = load_pack(default_pack_path())
    ids = [pack.id, *pack.aspects, *pack.criteria, *pack.sets, *pack.set_items, *pack.indicators, *pack.questions,
           *pack.agendas, *pack.forms, *pack.phase_ids(), *pack.column_ids(), *(e.id for e in pack.evidence_levels),
           *(g.id for g in pack.groups)]
    for form in pack.forms.values():
        ids += [x.id for x in form.header_fields + form.closing_fields] + [s.id for s in form.sections]
    assert len(ids) > 300
    assert [i for i in ids if id_problem(i)] == []


def test_shown_makes_invisible_and_control_characters_visible():
    assert shown("plain – text é") == "plain – text é"
    assert shown("a\nb\x1b[2J\u202ec\u200b") == "a\\x0ab\\x1b[2J\\u202ec\\u200b"
    assert shown("é\uff11", ascii_only=True) == "\\xe9\\uff11"


# --- 4, 5. only regular files, and not too large -----------------------------------------------------------------


def test_an_aspect_linked_to_dev_zero_is_refused_unread(tmp_path):
    root = minipack(tmp_path)
    (root / "aspects/2.1.yaml").unlink()
    (root / "aspects/2.1.yaml").symlink_to("/dev/zero")
    assert_fault(check(root), "minipack/aspects/2.1.yaml:1", "a link to a character device, not a regular file")


def test_a_pack_yaml_linked_to_dev_zero_is_refused_unread(tmp_path):
    root = minipack(tmp_path)
    (root / "pack.yaml").unlink()
    (root / "pack.yaml").symlink_to("/dev/zero")
    assert_fault(check(root), "minipack/pack.yaml:1", "a link to a character device, not a regular file")


def test_a_named_pipe_in_the_aspects_is_refused_without_waiting(tmp_path):
    # Nothing ever writes to it: opening it to read would wait for ever.
    root = minipack(tmp_path)
    os.mkfifo(root / "aspects/3.1.yaml")
    assert_fault(check(root), "minipack/aspects/3.1.yaml:1", "a named pipe, not a regular file")


@pytest.mark.parametrize("rel", ["pack.yaml", "agendas/talk.yaml", "forms/visit.yaml"])
def test_a_named_pipe_anywhere_in_the_pack_is_refused(tmp_path, rel):
    root = minipack(tmp_path)
    (root / rel).unlink()
    os.mkfifo(root / rel)
    assert_fault(check(root), f"minipack/{rel}:1", "a named pipe, not a regular file")


def test_a_link_to_a_named_pipe_is_refused(tmp_path):
    root = minipack(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    (root / "aspects/3.1.yaml").symlink_to(tmp_path / "pipe")
    assert_fault(check(root), "minipack/aspects/3.1.yaml:1", "a link to a named pipe, not a regular file")


def test_a_socket_and_a_folder_named_yaml_are_refused(tmp_path):
    root = minipack(tmp_path)
    (root / "forms/a.yaml").mkdir()
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.line() == ("minipack/forms/a.yaml:1: a folder, not a regular file; a pack is read only from "
                                 "regular files")
    (root / "forms/a.yaml").rmdir()
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "forms/a.yaml"))
        assert_fault(check(root), "minipack/forms/a.yaml:1", "a socket, not a regular file")
    finally:
        sock.close()


def test_a_link_to_a_regular_file_still_loads(tmp_path):
    root = minipack(tmp_path)
    real = tmp_path / "elsewhere.yaml"
    shutil.move(root / "aspects/2.1.yaml", real)
    (root / "aspects/2.1.yaml").symlink_to(real)
    assert "2.1" in load_pack(root).aspects


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path):
    root = minipack(tmp_path)
    with open(root / "aspects/2.1.yaml", "r+b") as f:
        f.truncate(50 * 1024**3)  # sparse: 50 GB on paper, nothing on disk
    assert_fault(check(root), "minipack/aspects/2.1.yaml:1", "larger than 2 MB, the most a pack file may hold")


def test_a_file_of_exactly_the_size_cap_loads_and_one_byte_more_does_not(tmp_path):
    root = minipack(tmp_path)
    path = root / "aspects/2.1.yaml"
    text = path.read_text(encoding="utf-8")
    padding = yamlsrc.MAX_FILE_BYTES - len(text.encode("utf-8")) - 2
    path.write_text(text + "#" + "x" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == yamlsrc.MAX_FILE_BYTES
    assert "2.1" in load_pack(root).aspects
    with open(path, "ab") as f:
        f.write(b"\n")
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.line() == "minipack/aspects/2.1.yaml:1: larger than 2 MB, the most a pack file may hold"


def test_a_file_near_the_cap_full_of_items_stays_within_time_and_memory(tmp_path):
    # The most nodes a file can hold, with the fault at its very end: both parsers read all of it.
    root = minipack(tmp_path)
    items = "1," * ((yamlsrc.MAX_FILE_BYTES - 4096) // 2)
    (root / "aspects/2.1.yaml").write_text(f"id: '2.1'\nstandards: [{items}\n", encoding="utf-8")
    assert_fault(check(root), "minipack/aspects/2.1.yaml:2", "invalid YAML")


def test_many_files_under_the_cap_still_meet_the_pack_cap(tmp_path):
    root = minipack(tmp_path)
    # Each of the five files is padded with a comment to just under 2 MB: the fifth read crosses 8 MB.
    for rel in ("pack.yaml", "aspects/1.1.yaml", "aspects/2.1.yaml", "agendas/talk.yaml", "forms/visit.yaml"):
        path = root / rel
        size = path.stat().st_size
        with open(path, "a", encoding="utf-8") as f:
            f.write("#" + "x" * (yamlsrc.MAX_FILE_BYTES - 100 - size - 2) + "\n")
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.line() == ("minipack/forms/visit.yaml:1: the pack's files come to more than 8 MB, the most a "
                                 "pack may hold")


def test_too_many_files_are_refused_before_any_is_read(tmp_path):
    root = minipack(tmp_path)
    for i in range(1000):
        (root / f"forms/f{i:04}.yaml").touch()
    with pytest.raises(PackError) as info:
        load_pack(root)
    assert info.value.line() == "minipack/forms: the pack has more than 1000 files, the most a pack may hold"


# --- 6. nesting is bounded ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "body"), [
    ("flow lists", "standards: " + "[" * 100_000 + "]" * 100_000),
    ("unclosed flow lists", "standards: " + "[" * 100_000),
    ("flow mappings", "standards: " + "{a: " * 100_000 + "}" * 100_000),
    ("block lists", "standards:\n" + "- " * 100_000 + "x"),
], ids=lambda x: x if len(x) < 40 else "")
def test_deep_nesting_is_one_line(tmp_path, name, body):
    root = minipack(tmp_path)
    (root / "aspects/2.1.yaml").write_text(f"id: '2.1'\n{body}\n", encoding="utf-8")
    line = check(root)
    assert_fault(line, f"minipack/aspects/2.1.yaml:{2 if 'block' not in name else 3}",
                 "nested more than 50 levels deep")


@pytest.mark.parametrize("setup", [
    "import laqs_assist.packs.yamlsrc as y; y._CLoader = None",  # PyYAML without libyaml
    "import laqs_assist.packs.yamlsrc as y; y._libyaml_bounds_nesting = False",  # a libyaml with no nesting limit
], ids=["pure-python", "libyaml-without-a-limit"])
def test_deep_nesting_is_one_line_whichever_parser_runs(tmp_path, setup):
    root = minipack(tmp_path)
    (root / "aspects/2.1.yaml").write_text("id: '2.1'\nstandards: " + "[" * 1_000_000 + "\n", encoding="utf-8")
    assert_fault(check(root, setup=setup), "minipack/aspects/2.1.yaml:2", "nested more than 50 levels deep")


@pytest.mark.parametrize("fast", [True, False])
def test_fifty_levels_parse_and_fifty_one_do_not(tmp_path, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(yamlsrc, "_CLoader", None)
    path = tmp_path / "x.yaml"
    path.write_text("[" * 50 + "]" * 50, encoding="utf-8")
    data = yamlsrc.load_yaml(path, "x.yaml")
    for _ in range(49):
        (data,) = data
    assert data == []
    path.write_text("a:\n" + "".join(" " * i + "- \n" for i in range(1, 50)) + " " * 50 + "- [x]\n",
                    encoding="utf-8")
    with pytest.raises(PackError) as info:
        yamlsrc.load_yaml(path, "x.yaml")
    assert info.value.line() == "x.yaml:51: nested more than 50 levels deep; a pack never needs that many"


# --- 7. a quote left open is reported where it opened ------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [
    ('text: "The LA:"', 'text: "The LA:'),  # runs to the end of the file
    ("text: Vision is shared,", "text: 'Vision is shared,"),  # single quote, in a flow mapping
    ("sub: [plans, reviews]", 'sub: ["plans, reviews]'),  # in a flow list
])
def test_an_unclosed_quote_is_reported_on_its_own_line(tmp_path, old, new):
    root = minipack(tmp_path)
    text = edit(root / "aspects/1.1.yaml", old, new)
    assert_fault(check(root), f"minipack/aspects/1.1.yaml:{line_with(text, new)}", "is never closed")


def test_a_quote_closed_only_by_a_later_quote_is_reported_where_it_opened(tmp_path):
    # The open quote swallows lines 2 to 4 and is closed by the quote that opens "1"; the parser fails on line 4.
    root = minipack(tmp_path)
    edit(root / "aspects/1.1.yaml", 'title: Statements only\ngroup: "1"',
         'title: "Statements only\nsubtitle: a second line\nnote: a third line\ngroup: "1"')
    assert_fault(check(root), "minipack/aspects/1.1.yaml:2",
                 "the quoted text that starts on this line runs on to line 5", "closing quote missing")


# --- 8. byte-order marks -----------------------------------------------------------------------------------------


def test_a_byte_order_mark_at_the_start_is_dropped(tmp_path):
    root = minipack(tmp_path)
    for rel in ("pack.yaml", "aspects/1.1.yaml"):
        path = root / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    pack = load_pack(root)
    assert pack.id == "mini" and "1.1" in pack.aspects


@pytest.mark.parametrize(("old", "new"), [
    ("source: tests", "\ufeffsource: tests"),  # would have read as an unknown field '\ufeffsource'
    ("title: A small pack for tests", "title: A small \ufeffpack for tests"),
])
def test_a_byte_order_mark_anywhere_else_is_named_with_its_line(tmp_path, old, new):
    root = minipack(tmp_path)
    text = edit(root / "pack.yaml", old, new)
    assert_fault(check(root), f"minipack/pack.yaml:{line_with(text, new)}",
                 "a byte-order mark (U+FEFF) in the middle of the file")


# --- whatever a pack puts in a message, the message stays one harmless line ----------------------------------------


def test_line_breaks_and_escape_sequences_in_values_are_shown_not_sent(tmp_path):
    root = minipack(tmp_path)
    text = edit(root / "agendas/talk.yaml", "answer: yes_no", 'answer: "yes\\nno\\e]0;owned\\a\\e[2J"')
    line = check(root)
    assert_fault(line, f"minipack/agendas/talk.yaml:{line_with(text, 'answer: ')}",
                 "unknown answer type 'yes\\x0ano\\x1b]0;owned\\x07\\x1b[2J'")


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path):
    root = minipack(tmp_path)
    (root / "aspects/bad\nname.yaml").write_text("id: [\n", encoding="utf-8")
    assert_fault(check(root), "minipack/aspects/bad\\x0aname.yaml:1", "invalid YAML")


def test_a_megabyte_value_in_a_message_is_cut_short(tmp_path):
    root = minipack(tmp_path)
    edit(root / "agendas/talk.yaml", "answer: yes_no", "answer: " + "y" * 1_000_000)
    assert len(check(root)) < 700


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("a: 1\nc: {<<: {b: 1}}\n", "x.yaml:2: merge keys (<<) are not used in packs"),
    ("a: R&D\nb: &x {b: 1}\nc: *x\n", "x.yaml:2: YAML anchors and aliases (&name, *name) are not used in packs"),
    ("a: &x [*x]\n", "x.yaml:1: YAML anchors and aliases"),
    ("a: *x\n", "x.yaml:1: invalid YAML: found undefined alias"),
    ("a: !!omap [{b: 1}]\n", "x.yaml:1: the YAML type !!omap is not used in packs"),
    ("a: !!pairs [{b: 1}]\n", "x.yaml:1: the YAML type !!pairs is not used in packs"),
    ("a: !!binary aGk=\n", "x.yaml:1: the YAML type !!binary is not used in packs"),
    ("a: 2009-02-30\n", "x.yaml:1: '2009-02-30' is not a valid date"),
])
@pytest.mark.parametrize("fast", [True, False])
def test_yaml_features_packs_do_not_use_are_refused(tmp_path, monkeypatch, yaml_text, message, fast):
    if not fast:
        monkeypatch.setattr(yamlsrc, "_CLoader", None)
    path = tmp_path / "x.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        yamlsrc.load_yaml(path, "x.yaml")
    assert info.value.line().startswith(message)


def test_an_alias_bomb_is_refused_at_its_first_anchor(tmp_path):
    # Nine aliases a level, nine levels: a few hundred bytes that would stand for 387 million copies of a value.
    root = minipack(tmp_path)
    levels = ["  - &l0 [" + ", ".join(["lol"] * 9) + "]\n"]
    levels += [f"  - &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10)]
    text = edit(root / "aspects/1.1.yaml", "standards:\n", "standards:\n" + "".join(levels))
    assert_fault(check(root), f"minipack/aspects/1.1.yaml:{line_with(text, '&l0')}", "YAML anchors and aliases")
