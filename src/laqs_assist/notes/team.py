"""A team report, as plain data: every LA of a team or region over a date range, for one Word document.

For each LA: its RAG dashboard as it stood on the last day of the range (the year's ratings by the one rule of
session/year.py, rolled up by rollup.py), the ratings that moved since the previous period of the same length
(each read as it stood on that period's last day), the actions of the LA and its schools overdue on the last day
(due before it and neither done nor dropped: those that fell due in the range are listed, older ones counted),
and the visits made to the LA and its schools in the range. No answer is read here, so no flagged answer can
reach the report.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable, Iterable

from .. import __version__
from ..calendar import academic_year
from ..errors import UsageError
from ..packs.model import Pack
from ..rating import NA
from ..rollup import dashboard
from ..session.year import AGREED, OVERRIDDEN, year_rating_details
from .context import FILLS, _rag, column_words, long_date

CORE = {
    "period_line": "the date range the report covers",
    "las": "each LA: its dashboard, what changed, overdue actions and visits made",
}

MARKS = {OVERRIDDEN: "*", AGREED: "="}


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UsageError(f"{what} '{text}' is not a date (use YYYY-MM-DD)") from None


def period(date_from: str, date_to: str) -> tuple[date, date, date, date]:
    """The range and the previous period of the same length just before it."""
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if start > end:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    days = (end - start).days + 1
    return start, end, start - timedelta(days=days), start - timedelta(days=1)


def _cell(pack: Pack, column: str | None, standing: str = "") -> dict[str, Any]:
    if column == NA:
        return {"text": "n/a", "fill": FILLS[""], "rag": ""}
    if column is None:
        return {"text": "", "fill": FILLS[""], "rag": ""}
    rag = _rag(pack, column)
    return {"text": column + MARKS.get(standing, ""), "fill": FILLS.get(rag, "FFFFFF"), "rag": rag}


def _board(pack: Pack, held) -> dict[str, Any]:
    board = dashboard(pack, {key: y.column for key, y in held.items()})
    header = [h for g in pack.groups for h in [*g.aspects, f"Group {g.id}"]]
    rows = []
    for row in board.rows:
        cells = []
        for g in pack.groups:
            cells += [_cell(pack, row.aspects[a], held[(row.phase, a)].standing) for a in g.aspects]
            cells.append(_cell(pack, row.groups[g.id]))
        rows.append({"phase": pack.phase_name(row.phase), "cells": cells})
    overall = []
    for g in pack.groups:
        overall += [_cell(pack, None) for _ in g.aspects]
        overall.append(_cell(pack, board.overall[g.id]))
    rows.append({"phase": "Overall", "cells": overall})
    rated = sum(1 for y in held.values() if y.column not in (None, NA))
    return {"header": header, "rows": rows, "rated": rated, "of": sum(1 for y in held.values() if y.column != NA)}


def _label(pack: Pack, column: str | None) -> str:
    return pack.column(column).label if column not in (None, NA) else column_words(pack, column)


def _changes(pack: Pack, before, now) -> list[dict[str, Any]]:
    out = []
    for phase in pack.phase_ids():
        for aspect_id in pack.aspects:
            was, is_ = before[(phase, aspect_id)].column, now[(phase, aspect_id)].column
            if was == is_ or NA in (was, is_):
                continue
            if was is None:
                how = "first rated"
            elif is_ is None:
                how = "no longer rated"
            else:
                how = "up" if pack.column(is_).rank < pack.column(was).rank else "down"
            was_w, is_w = _label(pack, was), _label(pack, is_)
            out.append({"aspect_id": aspect_id, "aspect_title": pack.aspects[aspect_id].title,
                        "phase": pack.phase_name(phase), "from": was_w, "to": is_w, "how": how,
                        "fill": FILLS.get(_rag(pack, is_), "FFFFFF"),
                        "line": f"{aspect_id} {pack.phase_name(phase)}: {was_w} → {is_w} ({how})"})
    return out


def _las(store, names: Iterable[str]) -> list[dict[str, Any]]:
    every = store.local_authorities()
    names = [" ".join(n.split()) for n in names if n and n.strip()]
    if not names:
        return every
    by_name = {la["name"].lower(): la for la in every}
    by_id = {la["id"]: la for la in every}
    chosen, unknown = [], []
    for n in names:
        la = by_name.get(n.lower()) or by_id.get(n)
        (chosen.append(la) if la else unknown.append(n))
    if unknown:
        raise UsageError(f"no LA {', '.join(repr(u) for u in unknown)} in this store (see `laqs visits`)")
    return list({la["id"]: la for la in chosen}.values())


def team_context(store, pack: Pack, date_from: str, date_to: str, *, las: Iterable[str] = (),
                 title: str = "", today: date | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Everything a team report template can use. `progress(done, total, la_name)` is called after each LA."""
    today = today or date.today()
    start, end, prev_start, prev_end = period(date_from, date_to)
    chosen = _las(store, las)
    if not chosen:
        raise UsageError("no LAs in this store yet")
    year, prev_year = academic_year(end, pack.year_starts), academic_year(prev_end, pack.year_starts)
    visits = store.visits_by_la(start.isoformat(), end.isoformat())
    overdue = store.overdue_actions_by_la(end.isoformat())
    out = []
    for i, la in enumerate(chosen, 1):
        now = year_rating_details(store, pack, la["id"], year, day=end.isoformat())
        before = year_rating_details(store, pack, la["id"], prev_year, day=prev_end.isoformat())
        made = [{"date": long_date(v["date"]), "date_iso": v["date"], "organisation": v["organisation"],
                 "type": pack.agendas[v["agenda_id"]].title if v["agenda_id"] in pack.agendas else v["agenda_id"],
                 "source": pack.agendas[v["agenda_id"]].source if v["agenda_id"] in pack.agendas else "",
                 "author": v["author"] or "", "status": v["status"].replace("_", " ")}
                for v in visits.get(la["id"], [])]
        # Listed: the actions that fell overdue in the period; those overdue since before it are counted.
        all_late = overdue.get(la["id"], [])
        late = [{"text": a["text"] or "", "owner": a["owner"] or "", "due": long_date(a["due_date"]),
                 "organisation": a["organisation"], "agreed": long_date(a["visit_date"]),
                 "days": (end - date.fromisoformat(a["due_date"])).days}
                for a in all_late if a["due_date"] >= start.isoformat()]
        earlier = len(all_late) - len(late)
        changes = _changes(pack, before, now)
        out.append({"name": la["name"], "id": la["id"], "board": _board(pack, now), "changes": changes,
                    "overdue": late, "overdue_earlier": earlier, "overdue_total": len(all_late),
                    "visits": made, "schools": len(la["schools"]),
                    "summary": f"{len(made)} visit{'s' if len(made) != 1 else ''}, {len(all_late)} overdue "
                               f"action{'s' if len(all_late) != 1 else ''}, {len(changes)} rating"
                               f"{'s' if len(changes) != 1 else ''} moved"})
        if progress:
            progress(i, len(chosen), la["name"])
    legend = "; ".join(f"{c.id} {c.label}" for c in pack.columns)
    return {
        "kind": "team", "title": title or "Team report",
        "period_line": f"{long_date(start.isoformat())} to {long_date(end.isoformat())}",
        "previous_line": f"{long_date(prev_start.isoformat())} to {long_date(prev_end.isoformat())}",
        "date_from": start.isoformat(), "date_to": end.isoformat(), "academic_year": year,
        "las": out, "la_count": len(out),
        "visit_count": sum(len(la["visits"]) for la in out),
        "overdue_count": sum(la["overdue_total"] for la in out),
        "change_count": sum(len(la["changes"]) for la in out),
        "legend": f"{legend}; n/a does not apply; blank not yet rated (a group or the overall row: too few "
                  f"aspects rated); * the adviser's override, = agreed, otherwise suggested",
        "pack_title": pack.title, "generated": long_date(today.isoformat()), "tool": f"laqs-assist {__version__}",
    }
