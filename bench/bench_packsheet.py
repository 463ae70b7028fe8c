"""Frameworks in a spreadsheet: a pack exported to a workbook and a workbook imported into a pack folder.

    .venv/bin/python bench/bench_packsheet.py [--quick] [--rounds N]

Subject (export): `packs.spreadsheet.export_pack` for the 2009 standards pack (10 aspects, 196 criteria, 53
questions, a form): the pack's tables built from the model, one sheet per part, headings, column widths, text
formats, saved as .xlsx.
Floor: openpyxl writing the same rows (already built) into the same sheets with `append` and saving: what writing
the workbook costs at least.
Subject (import): `packs.spreadsheet.import_pack` of that workbook into a fresh folder: the workbook read, the
rows turned into the pack's YAML with each line's sheet and cell, the files written, the pack loaded and checked
by the loader, the folder moved into place.
Floor: what any import must do: openpyxl reading every row of the workbook (read-only) plus `load_pack` of the
shipped pack folder.
Samples are interleaved (floor, subject, floor, subject, …) so they share the machine's noise; medians compared.
Targets: export ≤ 1.5× its floor; import ≤ 1.5× its floor.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import _common as C
from _common import clock, median

BENCH = "bench_packsheet"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=None)
    args = ap.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 15)

    from openpyxl import Workbook, load_workbook

    from laqs_assist.packs.loader import load_pack
    from laqs_assist.packs.sheets import SHEETS, pack_tables
    from laqs_assist.packs.spreadsheet import export_pack, import_pack, same_pack

    folder = C.ROOT / "interviews" / "ns2009"
    pack = load_pack(folder)
    work = Path(tempfile.mkdtemp(prefix="bench-packsheet-"))
    try:
        tables = pack_tables(pack)

        def floor_export(path: Path) -> None:
            wb = Workbook()
            wb.remove(wb.active)
            for name, columns in SHEETS.items():
                if tables[name]:
                    ws = wb.create_sheet(name)
                    ws.append(list(columns))
                    for row in tables[name]:
                        ws.append(list(row))
            wb.save(path)

        book = work / "ns2009.xlsx"
        export_pack(pack, book)

        def floor_import() -> None:
            wb = load_workbook(book, read_only=True, data_only=True)
            for ws in wb.worksheets:
                for _ in ws.iter_rows(values_only=True):
                    pass
            wb.close()
            load_pack(folder)

        ex_floor, ex, im_floor, im = [], [], [], []
        for i in range(rounds):
            t = clock()
            floor_export(work / f"floor-{i}.xlsx")
            ex_floor.append(clock() - t)
            t = clock()
            export_pack(pack, work / f"subject-{i}.xlsx")
            ex.append(clock() - t)
            t = clock()
            floor_import()
            im_floor.append(clock() - t)
            t = clock()
            back = import_pack(book, work / f"pack-{i}")
            im.append(clock() - t)
            assert same_pack(pack, back), "the imported pack differs from the exported one"
        cells = sum(len(r) for rows in tables.values() for r in rows)
        r_ex, r_im = C.ratio(median(ex), median(ex_floor)), C.ratio(median(im), median(im_floor))
        print(f"export of ns2009 ({cells:,} cells): median {C.fmt_ms(median(ex))}; floor {C.fmt_ms(median(ex_floor))}; "
              f"ratio {r_ex:.2f}x ({rounds} rounds)")
        print(f"import of ns2009: median {C.fmt_ms(median(im))}; floor {C.fmt_ms(median(im_floor))}; ratio "
              f"{r_im:.2f}x ({rounds} rounds)")
        C.emit(BENCH, "export ns2009 to .xlsx (median)", C.fmt_ms(median(ex)), floor=C.fmt_ms(median(ex_floor)),
               ratio_=r_ex, target="≤ 1.5×", ok=r_ex <= 1.5)
        C.emit(BENCH, "import ns2009 from .xlsx (median)", C.fmt_ms(median(im)), floor=C.fmt_ms(median(im_floor)),
               ratio_=r_im, target="≤ 1.5×", ok=r_im <= 1.5)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
