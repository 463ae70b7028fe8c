"""The year view's records (from the application service) turned into what the screens draw: the grid's cells,
the labels of the pack's columns, a cell's summary. Plain functions, no widgets, so the screens stay small."""

from __future__ import annotations

from typing import Any, NamedTuple

from textual.content import Content

from ...inert import inert
from ..widgets.raggrid import NA, GridCell, GridModel

MARKS = {"overridden": "*", "agreed": "="}
SOURCE_WORDS = {"la": "LA contacts", "headteacher": "headteachers", "joint": "joint visits", "data": "data"}


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
    """'2026/27' one year on (step 1) or back (-1)."""
    first = int(year.split("/")[0]) + step
    return f"{first}/{(first + 1) % 100:02d}"


def year_of(data: Any) -> str:
    return data["year"]


def organisation_name(data: Any) -> str:
    return data["organisation"]["name"]


def organisation_ref(data: Any) -> str:
    return data["organisation"]["id"]


def voices(data: Any) -> str:
    n = data.get("schools", 0)
    return f"{n} school{'s' if n != 1 else ''}' voices" if n else ""


def grid_model(pack: Any, data: Any) -> GridModel:
    """The dashboard's cells: every aspect per phase with how its rating stands, the roll-ups with their counts."""
    cells: dict[tuple[str, str | None, str], GridCell] = {}
    board = data["board"]
    details = data["details"]
    disagree = data.get("disagree", set())
    for row in board.rows:
        for aspect, column in row.aspects.items():
            held = details.get((row.phase, aspect))
            sug = held.rating.suggestion if held is not None else None
            marks = MARKS.get(getattr(held, "standing", ""), "")
            if (row.phase, aspect) in disagree:
                marks += "!"
            cells[("aspect", row.phase, aspect)] = GridCell(
                "aspect", row.phase, aspect, column, sug if column not in (None, NA) and sug != column else None,
                marks)
        for gid, column in row.groups.items():
            cells[("group", row.phase, gid)] = GridCell("group", row.phase, gid, column, rated=row.rated.get(gid))
    for gid, column in board.overall.items():
        cells[("overall", None, gid)] = GridCell("overall", None, gid, column, rated=board.overall_rated.get(gid))
    return GridModel(tuple((p.id, p.name) for p in pack.phases), groups(pack), cells)


def cell_summary(pack: Any, data: Any, phase: str, aspect_id: str) -> Content:
    """The highlighted aspect and phase: the rating held and how it stands, the suggestion, what it rests on."""
    aspect = pack.aspects[aspect_id]
    held = data["details"].get((phase, aspect_id))
    lines = [Content.assemble((f"{aspect_id} ", "bold"), " ".join(aspect.title.split()),
                              (f" — {pack.phase_name(phase)}", "bold"))]
    if held is None or held.column == NA:
        lines.append(Content.styled("Does not apply to this phase.", "$text-muted"))
        return Content("\n").join(lines)
    r = held.rating
    lines.append(Content.assemble(("Rating: ", "bold"), label(pack, held.column), ("  ", ""),
                                  (held.rests_on(), "$text-muted")))
    if held.column != r.suggestion:
        lines.append(Content.assemble(("Suggested by the criteria: ", "bold"), label(pack, r.suggestion)))
    if held.reason:
        lines.append(Content.assemble(("Reason: ", "bold"), inert(held.reason)))
    if r.ceiling and r.ceiling != NA:
        lines.append(Content.assemble(("Ceiling: ", "bold"), label(pack, r.ceiling)))
    lines.append(Content.styled("Enter: this aspect and phase across the year's visits", "$text-muted"))
    return Content("\n").join(lines)


# --- one aspect and phase across the year ---------------------------------------------------------------------

SOURCE_ONE = {"la": "LA contact", "headteacher": "headteacher", "joint": "joint visit", "data": "data"}
STATE_STYLE = {"met": "$text-success", "partly": "$text-warning", "not met": "$text-error", "not_met": "$text-error"}


class CellHead(NamedTuple):
    subtitle: str
    content: Content


class CellEntry(NamedTuple):
    """One visit's evidence for the cell."""

    date: str
    source: str  # la, headteacher, joint, data
    who: str  # the people who said it (or the adviser)
    organisation: str  # the school, for a headteacher's or a joint visit's voice; "" for the LA itself
    said: tuple[tuple[str, bool], ...]  # (answer text, concerns an individual)
    judged: tuple[tuple[str, str], ...]  # (criterion or indicator, state or value)
    effect: str  # what the visit's judgements did to the rating: "Good → Outstanding", "no change"


# --- the regional overview --------------------------------------------------------------------------------------


class OverviewRow(NamedTuple):
    ref: str  # the organisation's id
    name: str
    kind: str  # LA or school
    groups: dict[tuple[str | None, str], str | None]  # (phase or None for overall, group) -> column, N/A, None
    visits: int


def overview_columns(pack: Any) -> list[tuple[str | None, str]]:
    """(phase, group) for each rating column of the overview: every phase's groups, then the overall ones."""
    return [(p.id, g.id) for p in pack.phases for g in pack.groups] + [(None, g.id) for g in pack.groups]


def overview_year(data: Any) -> str:
    return data["year"]


def overview_rows(data: Any) -> list[OverviewRow]:
    return data["rows"]


# --- a school's page ----------------------------------------------------------------------------------------------


class SchoolPage(NamedTuple):
    ref: str
    name: str
    la_ref: str | None
    la_name: str | None
    visits: list[dict[str, Any]]  # newest first: id, date, agenda_id, phases, status, responses, author
    actions: list[dict[str, Any]]  # text, owner, due_date, status, overdue
    joint: list[dict[str, Any]]  # date, who, grades {section: grade}


def school(data: Any) -> SchoolPage:
    return data
