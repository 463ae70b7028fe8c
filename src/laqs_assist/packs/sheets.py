"""A framework pack as tables: one sheet per part of the pack model, so that people who write frameworks in a
spreadsheet can write a pack there, and any pack can be written out to one.

Pure: no spreadsheet library here (packs/spreadsheet.py reads and writes the .xlsx file). `pack_tables(pack)` gives
the sheets' rows from a loaded pack; `pack_files(tables)` turns the sheets' rows back into the pack's YAML files,
remembering for each line of each file the sheet and cell it came from, so that every check the loader makes on
the files can be reported at the cell that caused it.

The sheets and their columns (SHEETS) follow the model (packs/model.py) part by part. Lists of ids sit in one cell,
comma-separated (ids never hold a comma or a space); lists of text sit in one cell, one item a line.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from . import model as m

# sheet -> its columns, in order. "pack" is a sheet of key / value rows.
SHEETS: dict[str, tuple[str, ...]] = {
    "pack": ("key", "value"),
    "phases": ("id", "name"),
    "columns": ("id", "label", "dashboard", "note", "rag", "side", "evidence"),
    "evidence_levels": ("id", "label"),
    "groups": ("id", "title", "aspects"),
    "organisations": ("id", "name", "agenda"),
    "note_checks": ("check", "feature", "settings"),
    "document_kinds": ("id", "label"),
    "aspects": ("id", "title", "group", "not_applicable"),
    "standards": ("aspect", "text", "sub"),
    "leads": ("aspect", "column", "text"),
    "indicators": ("aspect", "id", "text", "unit"),
    "sets": ("aspect", "id", "text", "noun"),
    "set_items": ("set", "id", "text", "criterion"),
    "gaps": ("of", "counts", "at", "at_least", "above", "at_most", "below", "said"),
    "criteria": ("aspect", "column", "id", "text", "critical", "critical_reason", "phases", "rule", "of", "counts",
                 "at_least", "above", "at_most", "below", "note", "reading"),
    "agendas": ("id", "title", "source", "audience", "note"),
    "sections": ("agenda", "section", "aspect", "heading"),
    "questions": ("agenda", "section", "id", "text", "sub", "aspects", "criteria", "answer", "choices"),
    "forms": ("id", "title", "source", "intro", "purposes", "protocols", "scale_note"),
    "form_fields": ("form", "place", "id", "label", "type"),
    "form_scale": ("form", "grade", "meaning", "column"),
    "form_sections": ("form", "id", "title", "aspect", "lead", "standards", "additional_lead", "additional",
                      "graded", "note"),
}
REQUIRED_SHEETS = ("pack", "phases", "columns", "groups", "aspects")

# Keys of the pack sheet: the key as written -> its place in pack.yaml.
PACK_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id",), "title": ("title",), "source": ("source",), "version": ("version",),
    "description": ("description",), "sufficiency": ("sufficiency",), "cumulative": ("cumulative",),
    "rollup.method": ("rollup", "method"), "rollup.tolerance": ("rollup", "tolerance"),
    "rollup.max_drop": ("rollup", "max_drop"), "rollup.min_rated": ("rollup", "min_rated"),
    "rating.method": ("rating", "method"), "rating.note": ("rating", "note"),
    "calendar.year_starts": ("calendar", "year_starts"), "note_checks.title": ("note_checks", "title"),
    "documents.title": ("documents", "title"),
    **{f"terms.{k}": ("terms", k) for k in m.Terms._fields},
}
NUMBER_KEYS = {"sufficiency", "rollup.tolerance", "rollup.max_drop", "rollup.min_rated"}
BOOL_KEYS = {"cumulative"}
# Columns read as numbers or as true/false rather than text.
NUMBER_COLUMNS = {"at", "at_least", "above", "at_most", "below", "section", "grade"}
BOOL_COLUMNS = {"critical", "graded"}
ID_LIST_COLUMNS = {("groups", "aspects"), ("aspects", "not_applicable"), ("criteria", "phases"),
                   ("questions", "aspects"), ("questions", "criteria")}
TEXT_LIST_COLUMNS = {("standards", "sub"), ("questions", "sub"), ("questions", "choices"), ("forms", "purposes"),
                     ("forms", "protocols"), ("form_sections", "standards"), ("form_sections", "additional")}
RANGE_KEYS = ("at_least", "above", "at_most", "below")


class SheetFault(Exception):
    """A fault in a sheet: the sheet, the cell (A1 style) and what is wrong."""

    def __init__(self, sheet: str, cell: str, message: str) -> None:
        self.sheet, self.cell, self.message = sheet, cell, message
        super().__init__(f"sheet '{sheet}', cell {cell}: {message}")


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# --- a pack as tables ---------------------------------------------------------------------------------------------


def _ids(values: Iterable[str]) -> str:
    return ", ".join(values)


def _lines(values: Iterable[str]) -> str:
    return "\n".join(values)


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _range_cells(r: m.Range) -> list:
    return [_num(r.at_least), _num(r.above), _num(r.at_most), _num(r.below)]


def pack_tables(pack: m.Pack) -> dict[str, list[list[Any]]]:
    """sheet -> its data rows (without the heading row), in the order of SHEETS."""
    t: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    pack_rows = [("id", pack.id), ("title", pack.title), ("source", pack.source or None),
                 ("version", pack.version or None), ("description", pack.description or None),
                 ("sufficiency", _num(pack.sufficiency)), ("cumulative", pack.cumulative),
                 ("rollup.method", pack.rollup.method), ("rollup.tolerance", pack.rollup.tolerance),
                 ("rollup.max_drop", pack.rollup.max_drop), ("rollup.min_rated", _num(pack.rollup.min_rated)),
                 ("rating.method", pack.rating_method), ("rating.note", pack.rating_note or None),
                 ("calendar.year_starts", pack.year_starts),
                 ("note_checks.title", pack.note_checks_title or None),
                 ("documents.title", pack.documents_title or None)]
    default_terms = m.Terms()
    pack_rows += [(f"terms.{k}", getattr(pack.terms, k)) for k in m.Terms._fields
                  if getattr(pack.terms, k) != getattr(default_terms, k)]
    t["pack"] = [[k, v] for k, v in pack_rows if v is not None]
    t["phases"] = [[p.id, p.name] for p in pack.phases]
    t["columns"] = [[c.id, c.label, c.dashboard, c.note, c.rag, c.side, c.evidence] for c in pack.columns]
    t["evidence_levels"] = [[e.id, e.label] for e in pack.evidence_levels]
    t["groups"] = [[g.id, g.title, _ids(g.aspects)] for g in pack.groups]
    t["organisations"] = [[k.id, k.name, k.agenda or None] for k in pack.organisation_kinds]
    t["note_checks"] = [[c.check, c.feature, _settings(c.settings)] for c in pack.note_checks]
    t["document_kinds"] = [[k.id, k.label] for k in pack.document_kinds]
    for a in pack.aspects.values():
        t["aspects"].append([a.id, a.title, a.group, _ids(a.not_applicable) or None])
        t["standards"] += [[a.id, s.text, _lines(s.sub) or None] for s in a.standards]
        t["leads"] += [[a.id, col, text] for col, text in a.leads.items()]
        for ind in a.indicators:
            t["indicators"].append([a.id, ind.id, ind.text, ind.unit])
            t["gaps"] += [_gap_row(ind.id, g) for g in ind.gaps]
        for s in a.sets:
            t["sets"].append([a.id, s.id, s.text, s.noun])
            t["set_items"] += [[s.id, None if it.criterion else it.id, it.text or None, it.criterion]
                               for it in s.items]
            t["gaps"] += [_gap_row(s.id, g) for g in s.gaps]
        for c in a.criteria:
            rule = of = counts = None
            bounds = [None] * 4
            if c.count is not None:
                rule, of, counts, bounds = "count", c.count.set_id, c.count.counts, _range_cells(c.count.range)
            elif c.threshold is not None:
                rule, of, bounds = "threshold", c.threshold.indicator_id, _range_cells(c.threshold.range)
            t["criteria"].append([a.id, c.column, c.id, c.text, c.critical, c.critical_reason or None,
                                  _ids(c.phases) or None, rule, of, counts, *bounds, c.note or None,
                                  c.reading or None])
    for ag in pack.agendas.values():
        t["agendas"].append([ag.id, ag.title, ag.source or None, ag.audience or None, ag.note or None])
        for n, s in enumerate(ag.sections, 1):
            t["sections"].append([ag.id, n, s.aspect, s.heading])
            for q in s.questions:
                t["questions"].append([ag.id, n, q.id, q.text, _lines(q.sub) or None, _ids(q.aspects),
                                       _ids(q.criteria) or None, q.answer, _lines(q.choices) or None])
    for f in pack.forms.values():
        t["forms"].append([f.id, f.title, f.source or None, f.intro or None, _lines(f.purposes) or None,
                           _lines(f.protocols) or None, f.scale_note or None])
        t["form_fields"] += [[f.id, "header", x.id, x.label, x.type] for x in f.header_fields]
        t["form_fields"] += [[f.id, "closing", x.id, x.label, x.type] for x in f.closing_fields]
        t["form_scale"] += [[f.id, g.grade, g.meaning, g.column] for g in f.scale]
        t["form_sections"] += [[f.id, s.id, s.title, s.aspect, s.lead or None, _lines(s.standards) or None,
                                s.additional_lead or None, _lines(s.additional) or None, s.graded, s.note or None]
                               for s in f.sections]
    return t


def _gap_row(of: str, g: m.Gap) -> list:
    point = g.range.point()
    if point is not None:
        return [of, g.counts or None, _num(point), None, None, None, None, g.said]
    return [of, g.counts or None, None, *_range_cells(g.range), g.said]


def _settings(settings: dict) -> str | None:
    """A note check's settings in one cell: `working_days=5; wording=plain`."""
    if not settings:
        return None
    return "; ".join(f"{k}={_setting_text(v)}" for k, v in settings.items())


def _setting_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _setting_value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


# --- tables back into the pack's files --------------------------------------------------------------------------


class Src:
    """A value with the cell it came from."""

    __slots__ = ("value", "sheet", "cell")

    def __init__(self, value: Any, sheet: str, cell: str) -> None:
        self.value, self.sheet, self.cell = value, sheet, cell


class SrcList(list):
    """A list with the cell it came from (a cell of ids or lines, or the cell that opened a list of rows)."""

    def __init__(self, sheet: str, cell: str, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.sheet, self.cell = sheet, cell


class Node(dict):
    """A mapping with the cell its row starts at (where a fault about the row as a whole is reported)."""

    def __init__(self, sheet: str, cell: str, *args: Any) -> None:
        super().__init__(*args)
        self.sheet, self.cell = sheet, cell


class Row:
    """One data row of a sheet: its cells by column name, each with its A1 reference."""

    def __init__(self, sheet: str, line: int, cells: dict[str, tuple[Any, str]]) -> None:
        self.sheet, self.line, self.cells = sheet, line, cells

    def ref(self, col: str) -> str:
        return self.cells[col][1] if col in self.cells else f"A{self.line}"

    def fault(self, col: str, message: str) -> SheetFault:
        return SheetFault(self.sheet, self.ref(col), message)

    def raw(self, col: str) -> Any:
        return self.cells[col][0] if col in self.cells else None

    def text(self, col: str, required: bool = False) -> Src | None:
        v = self.raw(col)
        if v is None or (isinstance(v, str) and v == ""):
            if required:
                raise self.fault(col, f"'{col}' must not be empty")
            return None
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, int):
            v = str(v)
        elif isinstance(v, float):
            v = str(int(v)) if v.is_integer() else repr(v)
        elif not isinstance(v, str):
            v = str(v)
        return Src(v, self.sheet, self.ref(col))

    def number(self, col: str, whole: bool = False) -> Src | None:
        v = self.raw(col)
        if v is None or v == "":
            return None
        if isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                raise self.fault(col, f"'{col}' must be a number, not '{m.shown(v[:40])}'") from None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.fault(col, f"'{col}' must be a number, not '{v}'")
        if whole:
            if not float(v).is_integer():
                raise self.fault(col, f"'{col}' must be a whole number, not {v:g}")
            v = int(v)
        elif isinstance(v, float) and v.is_integer():
            v = int(v)
        return Src(v, self.sheet, self.ref(col))

    def flag(self, col: str) -> Src | None:
        v = self.raw(col)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            return Src(v, self.sheet, self.ref(col))
        if isinstance(v, (int, float)) and v in (0, 1):
            return Src(bool(v), self.sheet, self.ref(col))
        low = str(v).strip().lower()
        if low in ("true", "yes", "y"):
            return Src(True, self.sheet, self.ref(col))
        if low in ("false", "no", "n"):
            return Src(False, self.sheet, self.ref(col))
        raise self.fault(col, f"'{col}' must be true or false, not '{m.shown(str(v)[:40])}'")

    def id_list(self, col: str) -> list[Src] | None:
        s = self.text(col)
        if s is None:
            return None
        parts = [p.strip() for p in s.value.split(",")]
        if any(not p for p in parts):
            raise self.fault(col, f"'{col}' is a list of ids separated by commas, with none empty")
        return SrcList(s.sheet, s.cell, (Src(p, s.sheet, s.cell) for p in parts))

    def text_list(self, col: str) -> list[Src] | None:
        s = self.text(col)
        if s is None:
            return None
        return SrcList(s.sheet, s.cell, (Src(line, s.sheet, s.cell) for line in s.value.split("\n") if line.strip()))

    def node(self, **fields: Any) -> Node:
        """A mapping of the fields given, those with no value left out."""
        return Node(self.sheet, f"A{self.line}", {k: v for k, v in fields.items() if v is not None})


def _put(tree: dict, path: tuple[str, ...], value: Any, row: Row) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, row.node())
    tree[path[-1]] = value


def pack_files(rows: dict[str, list[Row]]) -> dict[str, Any]:
    """The pack's files as trees of Node, Src and lists, by their path in the pack folder ("pack.yaml",
    "aspects/1.1.yaml", …). Faults of form (an unknown key, a row naming a part that is not there) are
    SheetFaults; everything else the loader checks once the files are written."""
    header = Node("pack", "A1")
    seen_keys: dict[str, str] = {}
    for r in rows.get("pack", []):
        key = r.text("key", required=True)
        if key.value not in PACK_KEYS:
            raise r.fault("key", f"unknown key '{m.shown(key.value[:60])}' (known: {', '.join(PACK_KEYS)})")
        if key.value in seen_keys:
            raise r.fault("key", f"'{key.value}' is given twice (first at {seen_keys[key.value]})")
        seen_keys[key.value] = key.cell
        value = (r.number("value") if key.value in NUMBER_KEYS else r.flag("value") if key.value in BOOL_KEYS
                 else r.text("value"))
        if value is not None:
            _put(header, PACK_KEYS[key.value], value, r)
    header["phases"] = SrcList("phases", "A2", (r.node(id=r.text("id"), name=r.text("name"))
                                                for r in rows.get("phases", [])))
    header["columns"] = SrcList("columns", "A2", (
        r.node(id=r.text("id"), label=r.text("label"), dashboard=r.text("dashboard"), note=r.text("note"),
               rag=r.text("rag"), side=r.text("side"), evidence=r.text("evidence")) for r in rows.get("columns", [])))
    header["evidence_levels"] = SrcList("evidence_levels", "A2", (r.node(id=r.text("id"), label=r.text("label"))
                                                                  for r in rows.get("evidence_levels", [])))
    header["groups"] = SrcList("groups", "A2", (r.node(id=r.text("id"), title=r.text("title"),
                                                       aspects=r.id_list("aspects")) for r in rows.get("groups", [])))
    if rows.get("organisations"):
        header["organisations"] = [r.node(id=r.text("id"), name=r.text("name"), agenda=r.text("agenda"))
                                   for r in rows["organisations"]]
    if rows.get("note_checks"):
        checks = []
        for r in rows["note_checks"]:
            n = r.node(check=r.text("check"), feature=r.text("feature"))
            for k, v in _settings_cell(r).items():
                n[k] = v
            checks.append(n)
        header.setdefault("note_checks", Node("note_checks", "A1"))["checks"] = checks
    if rows.get("document_kinds"):
        header.setdefault("documents", Node("document_kinds", "A1"))["kinds"] = [
            r.node(id=r.text("id"), label=r.text("label")) for r in rows["document_kinds"]]

    files: dict[str, Any] = {"pack.yaml": header}
    aspects: dict[str, Node] = {}
    aspect_rows: dict[str, Row] = {}
    for r in rows.get("aspects", []):
        aid = r.text("id", required=True)
        if aid.value in aspects:
            raise r.fault("id", f"aspect '{aid.value}' is listed twice (first at {aspect_rows[aid.value].ref('id')})")
        aspects[aid.value] = r.node(id=aid, title=r.text("title"), group=r.text("group"),
                                    not_applicable=r.id_list("not_applicable"))
        aspect_rows[aid.value] = r

    def aspect_of(r: Row, col: str = "aspect") -> Node:
        a = r.text(col, required=True)
        if a.value not in aspects:
            raise r.fault(col, f"unknown aspect '{m.shown(a.value[:60])}' (not on the aspects sheet)")
        return aspects[a.value]

    for r in rows.get("standards", []):
        sub = r.text_list("sub")
        text = r.text("text", required=True)
        aspect_of(r).setdefault("standards", []).append(r.node(text=text, sub=sub) if sub else text)
    for r in rows.get("leads", []):
        col = r.text("column", required=True)
        aspect_of(r).setdefault("leads", r.node())[col.value] = r.text("text", required=True)
    for r in rows.get("indicators", []):
        aspect_of(r).setdefault("indicators", []).append(
            r.node(id=r.text("id"), text=r.text("text"), unit=r.text("unit")))
    sets: dict[str, Node] = {}
    for r in rows.get("sets", []):
        n = r.node(id=r.text("id"), text=r.text("text"), noun=r.text("noun"), items=[])
        aspect_of(r).setdefault("sets", []).append(n)
        sets[r.text("id", required=True).value] = n
    for r in rows.get("set_items", []):
        s = r.text("set", required=True)
        if s.value not in sets:
            raise r.fault("set", f"unknown set '{m.shown(s.value[:60])}' (not on the sets sheet)")
        crit = r.text("criterion")
        if crit is not None and r.text("id") is not None:
            raise r.fault("id", "a set item is either its own (id and text) or a criterion, not both")
        item = r.node(criterion=crit, text=r.text("text")) if crit is not None else \
            r.node(id=r.text("id"), text=r.text("text"))
        sets[s.value]["items"].append(item)
    indicators = {i["id"].value: i for a in aspects.values() for i in a.get("indicators", [])
                  if isinstance(i.get("id"), Src)}
    for r in rows.get("gaps", []):
        of = r.text("of", required=True)
        counts = r.text("counts")
        bounds = _range(r, with_at=True)
        said = r.text("said")
        if of.value in sets:
            if counts is None:
                raise r.fault("counts", "a gap on a counted set says whether it counts 'present' or 'missing'")
            gap = r.node(said=said)
            gap[counts.value] = bounds
            sets[of.value].setdefault("gaps", []).append(gap)
        elif of.value in indicators:
            if counts is not None:
                raise r.fault("counts", "'counts' is for a gap on a counted set; this is an indicator")
            indicators[of.value].setdefault("gaps", []).append(r.node(**bounds, said=said))
        else:
            raise r.fault("of", f"unknown indicator or set '{m.shown(of.value[:60])}'")
    for r in rows.get("criteria", []):
        a = aspect_of(r)
        col = r.text("column", required=True)
        c = r.node(id=r.text("id"), text=r.text("text"), critical=r.flag("critical"),
                   critical_reason=r.text("critical_reason"), phases=r.id_list("phases"), note=r.text("note"),
                   reading=r.text("reading"))
        rule = r.text("rule")
        if rule is not None and rule.value == "count":
            counts = r.text("counts")
            if counts is None:
                raise r.fault("counts", "a counted criterion says whether it counts 'present' or 'missing'")
            c["count"] = r.node(set=r.text("of", required=True))
            c["count"][counts.value] = _range(r)
        elif rule is not None and rule.value == "threshold":
            c["threshold"] = r.node(indicator=r.text("of", required=True), **_range(r))
        elif rule is not None:
            raise r.fault("rule", f"'rule' is count, threshold or empty (a statement), not '{m.shown(rule.value)}'")
        else:
            for k in ("of", "counts", *RANGE_KEYS):
                if r.raw(k) not in (None, ""):
                    raise r.fault(k, f"'{k}' is for a counted or threshold criterion: set 'rule' to count or "
                                     "threshold, or clear it")
        a.setdefault("criteria", r.node()).setdefault(col.value, SrcList(r.sheet, r.ref("column"))).append(c)
    files.update(_named("aspects", aspects))

    agendas: dict[str, Node] = {}
    for r in rows.get("agendas", []):
        agid = r.text("id", required=True)
        if agid.value in agendas:
            raise r.fault("id", f"agenda '{agid.value}' is listed twice")
        agendas[agid.value] = r.node(id=agid, title=r.text("title"), source=r.text("source"),
                                     audience=r.text("audience"), note=r.text("note"), sections=[])
    sections: dict[tuple[str, int], Node] = {}
    for r in rows.get("sections", []):
        ag = _owner(r, "agenda", agendas, "agendas")
        n = r.number("section", whole=True)
        if n is None:
            raise r.fault("section", "'section' must not be empty: number the agenda's sections 1, 2, 3 …")
        key = (r.text("agenda").value, n.value)
        if key in sections:
            raise r.fault("section", f"section {n.value} of agenda '{key[0]}' is listed twice")
        sections[key] = r.node(aspect=r.text("aspect"), heading=r.text("heading"), questions=[])
        ag["sections"].append(sections[key])
    for r in rows.get("questions", []):
        _owner(r, "agenda", agendas, "agendas")
        n = r.number("section", whole=True)
        key = (r.text("agenda").value, n.value if n is not None else None)
        if key not in sections:
            raise r.fault("section", f"agenda '{key[0]}' has no section {key[1]} on the sections sheet")
        sections[key]["questions"].append(
            r.node(id=r.text("id"), text=r.text("text"), sub=r.text_list("sub"), aspects=r.id_list("aspects"),
                   criteria=r.id_list("criteria"), answer=r.text("answer"), choices=r.text_list("choices")))
    files.update(_named("agendas", agendas))

    forms: dict[str, Node] = {}
    for r in rows.get("forms", []):
        fid = r.text("id", required=True)
        if fid.value in forms:
            raise r.fault("id", f"form '{fid.value}' is listed twice")
        forms[fid.value] = r.node(id=fid, title=r.text("title"), source=r.text("source"), intro=r.text("intro"),
                                  purposes=r.text_list("purposes"), protocols=r.text_list("protocols"),
                                  scale_note=r.text("scale_note"), sections=[])
    for r in rows.get("form_fields", []):
        f = _owner(r, "form", forms, "forms")
        place = r.text("place", required=True)
        if place.value not in ("header", "closing"):
            raise r.fault("place", f"'place' is header or closing, not '{m.shown(place.value[:40])}'")
        f.setdefault(f"{place.value}_fields", []).append(r.node(id=r.text("id"), label=r.text("label"),
                                                                type=r.text("type")))
    for r in rows.get("form_scale", []):
        _owner(r, "form", forms, "forms").setdefault("scale", []).append(
            r.node(grade=r.number("grade", whole=True), meaning=r.text("meaning"), column=r.text("column")))
    for r in rows.get("form_sections", []):
        s = r.node(id=r.text("id"), title=r.text("title"), aspect=r.text("aspect"), lead=r.text("lead"),
                   standards=r.text_list("standards"), graded=r.flag("graded"), note=r.text("note"))
        add_lead, add = r.text("additional_lead"), r.text_list("additional")
        if add_lead is not None or add:
            s["additional"] = r.node(lead=add_lead, standards=add)
        _owner(r, "form", forms, "forms")["sections"].append(s)
    files.update(_named("forms", forms))
    return files


def _owner(r: Row, col: str, known: dict[str, Node], sheet: str) -> Node:
    ref = r.text(col, required=True)
    if ref.value not in known:
        raise r.fault(col, f"unknown {col} '{m.shown(ref.value[:60])}' (not on the {sheet} sheet)")
    return known[ref.value]


def _range(r: Row, with_at: bool = False) -> dict[str, Src]:
    out = {k: v for k in ((("at",) if with_at else ()) + RANGE_KEYS) if (v := r.number(k)) is not None}
    return out


def _settings_cell(r: Row) -> dict[str, Src]:
    cell = r.text("settings")
    if cell is None:
        return {}
    out: dict[str, Src] = {}
    for part in cell.value.split(";"):
        if not part.strip():
            continue
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise r.fault("settings", f"settings are NAME=VALUE separated by ';', not '{m.shown(part.strip()[:40])}'")
        out[key.strip()] = Src(_setting_value(value.strip()), cell.sheet, cell.cell)
    return out


def _named(folder: str, parts: dict[str, Node]) -> dict[str, Node]:
    """One file a part, named by its id; numbered when the ids' own order is not the sheet's (the loader reads a
    folder's files in name order, which is the order the pack keeps)."""
    ids = list(parts)
    numbered = ids != sorted(ids)
    width = len(str(len(ids)))
    return {f"{folder}/{f'{n:0{width}d}-' if numbered else ''}{pid}.yaml": node
            for n, (pid, node) in enumerate(parts.items(), 1)}


# --- writing a tree as YAML, line by line, remembering where each line came from ---------------------------------


_SAFE_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Plain(str):
    """A value written as it is, without quotes, so that YAML reads it as what it was (a date)."""


def _scalar(value: Any) -> str:
    if isinstance(value, Plain):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _quoted(str(value))


# Characters a double-quoted YAML scalar must escape to read back exactly: the quote, the backslash, controls,
# line and paragraph separators, the byte-order mark, lone surrogates and the two non-characters.
_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')
_NAMED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def _escaped(match: re.Match) -> str:
    ch = match.group()
    return _NAMED.get(ch) or f"\\u{ord(ch):04x}"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `text`."""
    return '"' + _ESCAPE.sub(_escaped, text) + '"'


def _key(key: str) -> str:
    return key if _SAFE_PLAIN.fullmatch(key) else _quoted(key)


def to_yaml(tree: Any) -> tuple[str, dict[int, tuple[str, str]]]:
    """YAML text for a tree of Node, Src, lists and plain values, and line number (1-based) -> (sheet, cell)."""
    lines: list[str] = []
    where: dict[int, tuple[str, str]] = {}

    def note(origin: Any, fallback: Any) -> None:
        for o in (origin, fallback):
            if isinstance(o, (Src, Node, SrcList)):
                where[len(lines)] = (o.sheet, o.cell)
                return

    def value_of(v: Any) -> Any:
        return v.value if isinstance(v, Src) else v

    def emit_map(d: dict, indent: int, first_prefix: str | None = None) -> None:
        pad = " " * indent
        for i, (k, v) in enumerate(d.items()):
            lead = first_prefix if (i == 0 and first_prefix is not None) else pad
            if isinstance(v, dict):
                if not v:
                    lines.append(f"{lead}{_key(k)}: {{}}")
                    note(v, d)
                    continue
                lines.append(f"{lead}{_key(k)}:")
                note(v, d)
                emit_map(v, indent + 2)
            elif isinstance(v, list):
                if not v:
                    lines.append(f"{lead}{_key(k)}: []")
                    note(v, d)
                    continue
                lines.append(f"{lead}{_key(k)}:")
                note(v, d)
                emit_list(v, indent + 2, d)
            else:
                lines.append(f"{lead}{_key(k)}: {_scalar(value_of(v))}")
                note(v, d)

    def emit_list(items: list, indent: int, parent: Any) -> None:
        pad = " " * indent
        for item in items:
            if isinstance(item, dict):
                if not item:
                    lines.append(f"{pad}- {{}}")
                    note(item, parent)
                    continue
                emit_map(item, indent + 2, first_prefix=f"{pad}- ")
            elif isinstance(item, list):
                lines.append(f"{pad}-")
                note(parent, None)
                emit_list(item, indent + 2, parent)
            else:
                lines.append(f"{pad}- {_scalar(value_of(item))}")
                note(item, parent)

    if isinstance(tree, dict):
        emit_map(tree, 0)
    else:
        emit_list(tree, 0, None)
    return "\n".join(lines) + "\n", where
