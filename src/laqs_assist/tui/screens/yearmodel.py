"""The year view's records (app/yearview.py: Board, CellDetail, Overview, Coverage, Plan, SchoolPage) turned into
what the screens draw: the grid's cells, the labels of the pack's columns, a cell's summary and its year's steps.
Plain functions, no widgets, so the screens stay small."""

from __future__ import annotations

from typing import Any, NamedTuple

from textual.content import Content

from ...inert import inert
from ...inert import short as _short
from ..widgets.raggrid import NA, GridCell, GridModel

MARKS = {"overridden": "*", "agreed": "="}
# The sources app/yearview.py names (LA, HEADTEACHERS, JOINT, DATA), in words, one and many.
SOURCE_MANY = {"la": "LA contacts", "headteachers": "headteachers", "joint": "joint visits", "data": "data"}
SOURCE_ONE = {"la": "LA contact", "headteachers": "headteacher", "joint": "joint visit", "data": "data"}
STATE_WORDS = {"met": "met", "partly": "partly met", "not_met": "not met", "unknown": "not judged"}
STATE_STYLE = {"met": "$text-success", "partly": "$text-warning", "not_met": "$text-error"}


def column_labels(pack: Any) -> dict[str, tuple[str, str, str]]:
    """column id -> (short label, the dashboard's label, RAG letter)."""
    return {c.id: (c.id, c.dashboard, c.rag) for c in pack.columns}


def groups(pack: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple((g.id, " ".join(g.title.split()), tuple(g.aspects)) for g in pack.groups)


def label(pack: Any, column: str | None) -> str:
    if column is None:
        return "not yet rated"
    if column == NA:
        return NA
    return pack.column(column).label


def shift_year(year: str, step: int) -> str:
    """'2026/27' one year on (step 1) or back (-1); a calendar year ('2026') likewise."""
    first = int(year.split("/")[0]) + step
    return f"{first}/{(first + 1) % 100:02d}" if "/" in year else str(first)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- the dashboard -------------------------------------------------------------------------------------------------


def voices(board: Any) -> str:
    """Whose voices the dashboard rests on: the schools heard of those on record, the LA's own visits."""
    parts = [plural(board.visits, "LA visit")]
    if board.schools:
        parts.append(f"{board.voices} of {plural(board.schools, 'school')} heard")
    elif board.voices:
        parts.append(plural(board.voices, "school") + " heard")
    return " · ".join(parts)


def grid_model(pack: Any, board: Any) -> GridModel:
    """The dashboard's cells: every aspect per phase with how its rating stands (the adviser's rating beside the
    suggestion where they differ, a mark where the sources disagree), the roll-ups with their counts."""
    cells: dict[tuple[str, str | None, str], GridCell] = {}
    for (phase, aspect), c in board.cells.items():
        differs = c.rating not in (None, NA) and c.suggestion not in (None, c.rating)
        marks = MARKS.get(c.standing, "") + ("!" if c.disagreement else "")
        cells[("aspect", phase, aspect)] = GridCell("aspect", phase, aspect, c.rating,
                                                    c.suggestion if differs else None, marks)
    for (phase, gid), r in board.groups.items():
        cells[("group", phase, gid)] = GridCell("group", phase, gid, r.rating, rated=(r.rated, r.of))
    for gid, r in board.overall.items():
        cells[("overall", None, gid)] = GridCell("overall", None, gid, r.rating, rated=(r.rated, r.of))
    return GridModel(tuple((p.id, p.name) for p in pack.phases), groups(pack), cells)


def evidence_line(evidence: dict[str, int]) -> Content:
    if not evidence:
        return Content.styled("no evidence recorded this year", "$text-muted")
    order = list(SOURCE_MANY)
    ranked = sorted(evidence.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return Content(" · ".join(f"{SOURCE_MANY.get(s, s)} {n}" for s, n in ranked if n))


def cell_summary(pack: Any, board: Any, phase: str, aspect_id: str) -> Content:
    """The highlighted aspect and phase: the rating held and how it stands, the suggestion where the adviser's
    differs, the evidence by source and the schools heard, where the sources disagree, what would lift it."""
    aspect = pack.aspects[aspect_id]
    c = board.cells.get((phase, aspect_id))
    lines = [Content.assemble((f"{aspect_id} {pack.phase_name(phase)} ", "bold"),
                              _short(" ".join(aspect.title.split()), 100))]
    if c is None or not c.applies:
        lines.append(Content.styled("Does not apply to this phase.", "$text-muted"))
        return Content("\n").join(lines)
    lines.append(Content.assemble(("Rating: ", "bold"), label(pack, c.rating),
                                  (f"  ({c.rests_on})" if c.rests_on else "", "$text-muted")))
    if c.adviser and c.suggestion != c.adviser:
        lines.append(Content.assemble(("Adviser's rating: ", "bold"), label(pack, c.adviser),
                                      ("  the criteria suggest ", "bold"), label(pack, c.suggestion)))
    elif c.suggestion and c.suggestion != c.rating:
        lines.append(Content.assemble(("The criteria suggest: ", "bold"), label(pack, c.suggestion)))
    if c.departure and c.departure.get("line"):
        lines.append(Content.assemble(("The criteria: ", "bold"), inert(c.departure["line"])))
    if c.self_evaluation and c.self_evaluation != c.rating:
        lines.append(Content.assemble(("≠ The LA's own view: ", "bold $text-warning"), label(pack, c.self_evaluation)))
    if c.ceiling and c.ceiling != NA:
        lines.append(Content.assemble(("Ceiling: ", "bold"), label(pack, c.ceiling)))
    lines.append(Content.assemble(("Evidence: ", "bold"), evidence_line(c.evidence),
                                  (f" · {plural(c.voices, 'school')}' voices" if c.voices else "", "$text-muted")))
    if len(c.by_source) > 1:
        order = list(SOURCE_MANY)
        alone = sorted(c.by_source.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        lines.append(Content.assemble(("Each source alone: ", "bold"), " · ".join(
            f"{SOURCE_MANY.get(s, s)} {label(pack, col) if col else 'nothing yet'}" for s, col in alone)))
    if c.disagreement:
        lines.append(Content.assemble(("! The sources disagree: ", "bold $text-error"), inert(c.disagreement)))
    for i, x in enumerate(c.lift[:2]):
        lines.append(Content.assemble(("To lift: " if i == 0 else "And: ", "bold"), x))
    lines.append(Content.styled("Enter: this aspect and phase across the year's visits · y / ] earlier / later year",
                                "$text-muted"))
    return Content("\n").join(lines)


# --- one aspect and phase across the year ------------------------------------------------------------------------


class CellEntry(NamedTuple):
    """One visit's (or dated piece of outside evidence's) part in a cell's year."""

    date: str
    source: str  # la, headteachers, joint, data
    who: str  # the people met
    organisation: str  # where it was said (the LA, or a school)
    said: tuple[tuple[str, str, bool], ...]  # (question or "note", answer text, concerns an individual)
    judged: tuple[tuple[str, str, str], ...]  # (target, state in words, style)
    effect: Content  # what it did to the suggestion: "Good → Outstanding", "no change (Good)"


def cell_head(pack: Any, detail: Any) -> Content:
    c = detail.cell
    title = " ".join(detail.title.split())
    lines = [Content.assemble((f"{detail.aspect} ", "bold"), title, (f" — {pack.phase_name(detail.phase)}", "bold"),
                              (f" · {inert(detail.organisation['name'], one_line=True)} · {detail.year}",
                               "$text-muted"))]
    lines.append(Content.assemble(("Rating: ", "bold"), label(pack, c.rating),
                                  (f"  ({c.rests_on})" if c.rests_on else "", "$text-muted")))
    if c.adviser and c.suggestion != c.adviser:
        lines.append(Content.assemble(("Adviser's rating ", "bold"), label(pack, c.adviser),
                                      (" · the criteria suggest ", "bold"), label(pack, c.suggestion)))
    lines.append(Content.assemble(("Evidence: ", "bold"), evidence_line(c.evidence),
                                  (f" · {plural(c.voices, 'school')}' voices" if c.voices else "", "$text-muted")))
    if c.disagreement:
        lines.append(Content.assemble(("! The sources disagree: ", "bold $text-error"), inert(c.disagreement)))
    return Content("\n").join(lines)


def cell_why(pack: Any, detail: Any) -> Content:
    """Why the criteria suggest what they do, and what the ceiling assumes: the end of a cell's year."""
    lines = [Content.assemble(("Why: ", "bold"), inert(detail.reason or "nothing is recorded on the criteria yet"))]
    if detail.ceiling_assumes:
        lines.append(Content.assemble(("The ceiling assumes: ", "bold"), inert(detail.ceiling_assumes)))
    for i, x in enumerate(detail.cell.lift):
        lines.append(Content.assemble(("To lift: " if i == 0 else "And: ", "bold"), inert(x)))
    return Content("\n").join(lines)


def cell_entries(pack: Any, detail: Any) -> list[CellEntry]:
    out = []
    for step in detail.steps:
        said, judged = [], []
        for e in step.evidence:
            if e.kind in ("answer", "note"):
                said.append((e.target or e.kind, e.text, e.flagged))
            elif e.kind == "state":
                judged.append((e.target, STATE_WORDS.get(e.state or "", e.state or ""), STATE_STYLE.get(e.state or "",
                                                                                                        "")))
            elif e.kind == "impact":
                judged.append(("evidence of impact", e.state or "", ""))
            elif e.kind == "grade":
                grade = f"grade {e.value:g}" if e.value is not None else "graded"
                judged.append((e.target or "grade", grade + (f" ({label(pack, e.column)})" if e.column else ""), ""))
            elif e.value is not None:
                judged.append((e.target, f"{e.value:g}", ""))
        if step.moved:
            effect = Content.assemble((label(pack, step.before) if step.before else "nothing rated", ""), " → ",
                                      (label(pack, step.after) if step.after else "nothing rated", "bold"))
        else:
            now = label(pack, step.after) if step.after else "none"
            effect = Content.styled(f"no change to the suggestion ({now})", "$text-muted")
        out.append(CellEntry(step.date, step.source, step.who, step.organisation, tuple(said), tuple(judged), effect))
    return out


# --- the regional overview --------------------------------------------------------------------------------------


def overview_columns(pack: Any) -> list[tuple[str | None, str]]:
    """(phase, group) for each rating column of the overview: every phase's groups, then the overall ones."""
    return [(p.id, g.id) for p in pack.phases for g in pack.groups] + [(None, g.id) for g in pack.groups]


def overview_cells(row: Any, pack: Any) -> list[Any]:
    """A row's roll-ups in overview_columns order (None where it has none)."""
    out = []
    for phase, gid in overview_columns(pack):
        out.append(row.overall.get(gid) if phase is None else row.groups.get((phase, gid)))
    return out
