"""Frameworks in a spreadsheet: every shipped pack survives export and import unchanged, the G&T standard's
shipped workbook is its folder, and a broken workbook is one line naming the sheet, the cell and what is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from laqs_assist.cli import main
from laqs_assist.packs.loader import load_pack
from laqs_assist.packs.sheets import REQUIRED_SHEETS, SHEETS
from laqs_assist.packs.spreadsheet import export_pack, import_pack, pack_kind, same_pack
from laqs_assist.packs.tree_sheets import tree_of, tree_rows
from laqs_assist.packs.yamlsrc import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.parent for p in (ROOT / "interviews").glob("*/pack.yaml"))


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_pack_comes_back_the_same_from_its_workbook(folder: Path, tmp_path: Path, capsys) -> None:
    book = tmp_path / f"{folder.name}.xlsx"
    code, out, err = run(["packs", "export", str(folder), "--out", str(book)], capsys)
    assert code == 0, err
    code, out, err = run(["packs", "import", str(book), "--out", str(tmp_path / "again")], capsys)
    assert code == 0, err
    assert f"wrote {tmp_path / 'again'}: " in out
    if pack_kind(folder) != "framework":
        # A pack of another kind travels file by file: every file's data comes back as it was, and the folder
        # loads by its kind's loader.
        files = sorted(p.relative_to(folder) for p in folder.rglob("*.yaml"))
        assert sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*.yaml")) == files
        for rel in files:
            assert load_yaml(tmp_path / "again" / rel) == load_yaml(folder / rel), rel
        return
    pack = load_pack(folder)
    again = load_pack(tmp_path / "again")
    assert same_pack(pack, again)
    # The same in its parts, not just as a whole: aspects, criteria, agendas and forms in the same order.
    assert list(again.aspects) == list(pack.aspects)
    assert list(again.criteria) == list(pack.criteria)
    assert list(again.questions) == list(pack.questions)
    assert list(again.forms) == list(pack.forms)


def test_the_workbook_has_a_sheet_per_part_with_the_parts_in_it(tmp_path: Path) -> None:
    pack = load_pack(ROOT / "interviews" / "ns2009")
    book = export_pack(pack, tmp_path / "ns.xlsx")
    wb = load_workbook(book, read_only=True)
    for sheet in ("pack", "phases", "columns", "groups", "aspects", "criteria", "agendas", "sections",
                  "questions", "forms", "form_sections"):
        assert sheet in wb.sheetnames
        heading = next(wb[sheet].iter_rows(values_only=True))
        assert tuple(heading) == SHEETS[sheet]
    columns = [r for r in wb["columns"].iter_rows(min_row=2, values_only=True)]
    assert [c[0] for c in columns] == ["OS", "G", "NI", "SI"]
    assert columns[2][3] == "Requires some improvement, sound, satisfactory"
    crits = {r[2]: r for r in wb["criteria"].iter_rows(min_row=2, values_only=True)}
    assert len(crits) == len(pack.criteria)
    g4 = crits["2.4.G.4"]  # the seven features of a good report: a counted criterion
    assert (g4[0], g4[1], g4[4], g4[7], g4[8], g4[9]) == ("2.4", "G", True, "count", "2.4.report-features", "missing")
    assert g4[12] == 0  # at most 0 missing
    wb.close()


def test_the_shipped_gt_workbook_is_the_gt_folder(tmp_path: Path) -> None:
    """The G&T standard ships twice, as the workbook its authors would edit and as the folder the tool reads."""
    folder = load_pack(ROOT / "interviews" / "gt-laqs")
    from_book = import_pack(ROOT / "interviews" / "gt-laqs.xlsx", tmp_path / "gt-laqs")
    assert same_pack(folder, from_book)
    assert [c.id for c in from_book.columns] == ["outstanding", "good", "adequate"]
    assert list(from_book.aspects) == ["7a", "7b", "7c", "7d", "7e", "7f", "7g", "7h"]
    assert len(from_book.document_kinds) == 13 and from_book.rating_method == "judged"


def test_a_failed_import_leaves_nothing_and_keeps_what_was_there(tmp_path: Path, capsys) -> None:
    book = export_pack(load_pack(ROOT / "interviews" / "gt-laqs"), tmp_path / "gt.xlsx")
    out = tmp_path / "gt"
    assert run(["packs", "import", str(book), "--out", str(out)], capsys)[0] == 0
    before = (out / "pack.yaml").read_text()
    code, _, err = run(["packs", "import", str(book), "--out", str(out)], capsys)
    assert code == 2 and "already exists (give --force" in err
    wb = load_workbook(book)
    wb["columns"]["E2"] = "Purple"
    wb.save(book)
    code, _, err = run(["packs", "import", str(book), "--out", str(out), "--force"], capsys)
    assert code == 2 and "sheet 'columns', cell E2" in err
    assert (out / "pack.yaml").read_text() == before  # the pack that loaded stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gt", "gt.xlsx"]  # no half-written folder left


def _edit(book: Path, change) -> None:
    wb = load_workbook(book)
    change(wb)
    wb.save(book)


def _row_of(ws, column: int, value: str) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[column - 1].value == value:
            return row[0].row
    raise AssertionError(f"{value} not found")


def _set(sheet: str, ref: str, value):
    def change(wb):
        wb[sheet][ref] = value
    return change


def _set_at(sheet: str, key_col: int, key: str, col: str, value):
    def change(wb):
        ws = wb[sheet]
        wb[sheet][f"{col}{_row_of(ws, key_col, key)}"] = value
    return change


def _drop_sheet(name: str):
    def change(wb):
        del wb[name]
    return change


def _second_criterion_id_as_first(wb):
    ws = wb["criteria"]
    ws["C3"] = ws["C2"].value


def _heading(wb):
    wb["criteria"]["Q1"] = "colour"


# (what is broken, the change, the sheet and cell the fault names, what it says)
BROKEN = [
    ("a criterion id given twice", _second_criterion_id_as_first, "criteria", "C3", "duplicate id '1.1.OS.1'"),
    ("critical neither true nor false", _set_at("criteria", 3, "2.4.G.4", "E", "maybe"), "criteria", "E{row}",
     "'critical' must be true or false, not 'maybe'"),
    ("a criterion in a column the pack lacks", _set_at("criteria", 3, "1.1.OS.1", "B", "XX"), "criteria", "B{row}",
     "unknown column 'XX' in criteria"),
    ("a question pointing at a missing criterion", _set_at("questions", 3, "A3.1.1.1", "G", "9.9.G.1"), "questions",
     "G{row}", "question points at missing criterion '9.9.G.1'"),
    ("a RAG colour that is none", _set("columns", "E2", "Purple"), "columns", "E2", "rag must be G, A or R, not 'Purple'"),
    ("a share that is not a number", _set_at("pack", 1, "sufficiency", "B", "lots"), "pack", "B{row}",
     "'value' must be a number, not 'lots'"),
    ("a key the pack sheet does not know", _set_at("pack", 1, "source", "A", "colour"), "pack", "A{row}",
     "unknown key 'colour'"),
    ("an aspect in a group that is not there", _set_at("aspects", 1, "1.3", "C", "9"), "aspects", "C{row}",
     "aspect '1.3' names unknown group '9'"),
    ("a question in a section its agenda lacks", _set_at("questions", 3, "A3.2.4.1", "B", 99), "questions", "B{row}",
     "agenda 'la-contacts' has no section 99 on the sections sheet"),
    ("a percentage threshold above 100", _set_at("criteria", 3, "1.5.OS.2", "K", 150), "criteria", "K{row}",
     "threshold 150 is out of range for a percent indicator"),
    ("a column heading no sheet has", _heading, "criteria", "Q1", "unknown column 'colour'"),
    ("an answer type there is none of", _set_at("questions", 3, "A3.1.1.1", "H", "essay"), "questions", "H{row}",
     "unknown answer type 'essay'"),
]


@pytest.mark.parametrize("what,change,sheet,cell,says", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_workbook_is_one_line_naming_sheet_and_cell(what, change, sheet, cell, says, tmp_path: Path,
                                                             capsys) -> None:
    book = export_pack(load_pack(ROOT / "interviews" / "ns2009"), tmp_path / "ns.xlsx")
    _edit(book, change)
    if "{row}" in cell:
        wb = load_workbook(book, read_only=True)
        # the row the change landed on: found again by the value it put there
        ws = wb[sheet]
        col = ord(cell[0]) - 64
        for row in ws.iter_rows(min_row=2):
            value = row[col - 1].value
            if value in ("maybe", "XX", "9.9.G.1", "lots", "colour", "9", 99, 150, "essay"):
                cell = f"{cell[0]}{row[0].row}"
                break
        wb.close()
    code, out, err = run(["packs", "import", str(book), "--out", str(tmp_path / "out")], capsys)
    assert code == 2, what
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"laqs: error: {book}: sheet '{sheet}', cell {cell}: "), lines[0]
    assert says in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_no_workbook_or_lacks_a_sheet_is_one_line(tmp_path: Path, capsys) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("id,title\n")
    code, _, err = run(["packs", "import", str(fake), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1 and "not an .xlsx workbook that can be read" in err
    book = export_pack(load_pack(ROOT / "interviews" / "gt-laqs"), tmp_path / "gt.xlsx")
    _edit(book, _drop_sheet("aspects"))
    code, _, err = run(["packs", "import", str(book), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1
    assert f"{book}: sheet 'aspects' is missing (a pack needs the sheets {', '.join(REQUIRED_SHEETS)})" in err


def test_export_names_an_installed_pack_or_refuses_in_one_line(tmp_path: Path, capsys) -> None:
    code, out, _ = run(["packs", "export", "gt-laqs", "--out", str(tmp_path / "gt.xlsx")], capsys)
    assert code == 0 and "gt-laqs, 8 dimensions" in out
    code, _, err = run(["packs", "export", "no-such-pack", "--out", str(tmp_path / "x.xlsx")], capsys)
    assert code == 2 and "no installed pack 'no-such-pack'" in err
    code, _, err = run(["packs", "export", "gt-laqs", "--out", str(tmp_path / "gt.csv")], capsys)
    assert code == 2 and "must end in .xlsx" in err


TRICKY = [
    'He said "outstanding" \\ not: # a comment?',
    "  leading and trailing spaces  ",
    "yes",
    "null",
    "1.10",
    "Emoji 👩🏽‍🏫 ✅ and Hebrew שלום, Arabic مدرسة",
    "{{ 7*7 }} {% if x %} & <b>",
    "A line\nand another",
    "- looks like a list item",
]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_text_in_a_cell_comes_back_exactly(text: str, tmp_path: Path) -> None:
    book = export_pack(load_pack(ROOT / "interviews" / "gt-laqs"), tmp_path / "gt.xlsx")
    _edit(book, _set("aspects", "B2", text))  # 7a's title
    pack = import_pack(book, tmp_path / "gt")
    assert pack.aspects["7a"].title == text


def test_an_import_where_packs_are_installed_must_not_take_another_packs_id(tmp_path: Path, capsys,
                                                                            monkeypatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    monkeypatch.setenv("LAQS_PACKS", str(mine))
    book = export_pack(load_pack(ROOT / "interviews" / "gt-laqs"), tmp_path / "gt.xlsx")
    code, _, err = run(["packs", "import", str(book), "--out", str(mine / "gt-copy")], capsys)
    assert code == 2 and f"{book}: sheet 'pack', cell B2: the id 'gt-laqs' is the installed pack at" in err
    assert not (mine / "gt-copy").exists()
    _edit(book, _set("pack", "B2", "gt-laqs-local"))
    code, out, err = run(["packs", "import", str(book), "--out", str(mine / "gt-copy")], capsys)
    assert code == 0, err
    code, out, _ = run(["packs", "list", "--json"], capsys)
    assert '"id": "gt-laqs-local"' in out


def test_a_note_check_this_version_cannot_run_is_refused_at_its_cell(tmp_path: Path, capsys) -> None:
    book = export_pack(load_pack(ROOT / "interviews" / "ns2009"), tmp_path / "ns.xlsx")
    _edit(book, _set("note_checks", "A3", "spelling"))
    code, _, err = run(["packs", "import", str(book), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and f"{book}: sheet 'note_checks', cell A3: note check 'spelling' is not one" in err
    assert not (tmp_path / "out").exists()


# --- packs of other kinds, file by file ----------------------------------------------------------------------------


SAMPLE = {
    "id": "sample", "kind": "review", "title": 'A "quoted" title: with a colon',
    "team": {"min": 2, "max": 8}, "share": 0.5, "optional": True, "nothing": None, "day": date(2026, 9, 1),
    "stages": [{"id": "1", "title": "Initial discussion", "who": ["head", "chair"]}, {"id": "2", "tags": []}],
    "levels": {"2.3": "a key that is not a word", "a b": {}}, "matrix": [[1, 2], [3]],
}


def test_a_file_of_any_shape_comes_back_through_its_rows() -> None:
    from laqs_assist.packs.sheets import to_yaml
    from laqs_assist.packs.tree_sheets import TREE_COLUMNS, rows_from_cells

    rows = tree_rows(SAMPLE)
    assert ["stages[1].who[2]", "chair", None] in rows and ['levels["2.3"]', "a key that is not a word", None] in rows
    assert ["stages[2].tags", None, "list"] in rows and ["nothing", None, "null"] in rows
    parsed = rows_from_cells("pack", TREE_COLUMNS, [tuple(r) for r in rows], TREE_COLUMNS)
    text, where = to_yaml(tree_of(parsed, "pack"))
    assert yaml.safe_load(text) == SAMPLE
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"chair"' in t)
    assert where[line] == ("pack", f"B{rows.index(['stages[1].who[2]', 'chair', None]) + 2}")


def test_a_broken_file_sheet_is_one_line_at_its_cell(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "sample"
    folder.mkdir()
    (folder / "pack.yaml").write_text(yaml.safe_dump(SAMPLE, sort_keys=False))
    code, out, err = run(["packs", "export", str(folder), "--out", str(tmp_path / "s.xlsx")], capsys)
    assert code == 0 and "(review, file by file)" in out
    book = tmp_path / "s.xlsx"
    wb = load_workbook(book, read_only=True)
    assert wb.sheetnames == ["files", "pack"]
    wb.close()
    _edit(book, _set("pack", "A3", "title..x"))
    code, _, err = run(["packs", "import", str(book), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1
    assert f"{book}: sheet 'pack', cell A3: cannot read the path 'title..x'" in err
    _edit(book, _set("files", "B2", "../elsewhere.yaml"))
    code, _, err = run(["packs", "import", str(book), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "sheet 'files', cell B2: '../elsewhere.yaml' is not a .yaml file inside the pack" in err
    assert not (tmp_path / "out").exists()
