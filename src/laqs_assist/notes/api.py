"""The notes API: what the CLI and the TUI call (re-exported by laqs_assist.notes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import LaqsError, UsageError
from ..packs.model import Pack
from .briefing import briefing_context
from .context import note_context
from .paths import NOTES_DIR, slug
from .quality import CheckResult, checks_for


@dataclass
class NoteResult:
    path: Path
    checks: list[CheckResult]
    context: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "warn"]


@dataclass
class BriefingResult:
    path: Path
    context: dict[str, Any] = field(repr=False, default_factory=dict)


def default_template(kind: str) -> Path:
    from ..paths import templates_dir

    return templates_dir() / {"note": "note-of-visit.docx", "briefing": "briefing.docx",
                              "team": "team-report.docx"}[kind]


def default_note_path(visit: dict[str, Any], folder: str | Path | None = None) -> Path:
    """notes/<organisation-slug>-<visit date>-<first 8 of the visit id>.docx, under the current folder."""
    return Path(folder if folder is not None else NOTES_DIR) / \
        f"{slug(visit['organisation'])}-{visit['date']}-{visit['id'][:8]}.docx"


def default_briefing_path(organisation: str, day: str, folder: str | Path | None = None) -> Path:
    """notes/briefing-<organisation-slug>-<meeting date>.docx, under the current folder."""
    return Path(folder if folder is not None else NOTES_DIR) / f"briefing-{slug(organisation)}-{day}.docx"


def _visit(store, ref: str) -> dict[str, Any]:
    return store.visit(ref) or store.find_visit(ref)


def _out(path: str | Path | None, default: Path) -> Path:
    if path is None:
        return default
    p = Path(path)
    if p.is_dir() or str(path).endswith(("/", "\\")):
        return p / default.name
    if p.suffix.lower() != ".docx":
        raise UsageError(f"{p}: a note is a Word file: give a name ending .docx, or a folder")
    return p


def quality_checks(store, pack: Pack, visit_id: str, *, today: date | None = None,
                   context: dict[str, Any] | None = None) -> list[CheckResult]:
    """The note of a visit against the seven features of a good report: judged where the tool can, asked
    otherwise (status 'ok', 'warn' or 'ask'). Never blocks anything."""
    ctx = context if context is not None else note_context(store, pack, _visit(store, visit_id)["id"], today=today)
    return checks_for(ctx, today, pack.note_checks)


def write_note(store, pack: Pack, visit_id: str, out_path: str | Path | None = None, overwrite: bool = False,
               template: str | Path | None = None, *, today: date | None = None, annex: bool = True) -> NoteResult:
    """Draft the note of visit as a .docx. `visit_id` is an id, a unique id prefix or 'last'. Default path:
    default_note_path(). An existing file is kept unless `overwrite`; the write is atomic. annex=False leaves the
    evidence annex out."""
    from .render import render_to_file

    visit = _visit(store, visit_id)
    ctx = note_context(store, pack, visit["id"], today=today, annex=annex)
    out = _out(out_path, default_note_path(visit))
    path = render_to_file(template or default_template("note"), ctx, out, overwrite=overwrite)
    return NoteResult(path, checks_for(ctx, today, pack.note_checks), ctx)


def write_briefing(store, pack: Pack, organisation: str, out_path: str | Path | None = None,
                   overwrite: bool = False, template: str | Path | None = None, *,
                   questions: Iterable[str] | None = None, phases: Iterable[str] | None = None,
                   day: str | None = None, today: date | None = None, all_questions: bool = False) -> BriefingResult:
    """A briefing for a coming meeting with `organisation` (name or id), for its audience, as a .docx; questions
    answered this year are left out unless `all_questions`."""
    from .render import render_to_file

    ctx = briefing_context(store, pack, organisation, questions=questions, phases=phases, day=day, today=today,
                           all_questions=all_questions)
    out = _out(out_path, default_briefing_path(ctx["organisation"], ctx["meeting_date_iso"]))
    path = render_to_file(template or default_template("briefing"), ctx, out, overwrite=overwrite)
    return BriefingResult(path, ctx)


@dataclass
class TeamReportResult:
    path: Path
    context: dict[str, Any] = field(repr=False, default_factory=dict)


def default_team_report_path(date_from: str, date_to: str, folder: str | Path | None = None) -> Path:
    """notes/team-report-<from>-to-<to>.docx, under the current folder."""
    return Path(folder if folder is not None else NOTES_DIR) / f"team-report-{date_from}-to-{date_to}.docx"


def write_team_report(store, pack: Pack, date_from: str, date_to: str, out_path: str | Path | None = None, *,
                      las: Iterable[str] = (), overwrite: bool = False, template: str | Path | None = None,
                      title: str = "", today: date | None = None,
                      progress: Callable[[int, int, str], None] | None = None) -> TeamReportResult:
    """One Word document for a team or region over a date range: each LA's dashboard, what changed since the
    previous period of the same length, overdue actions and visits made (see notes/team.py)."""
    from .render import render_to_file
    from .team import period, team_context

    start, end, _, _ = period(date_from, date_to)
    out = _out(out_path, default_team_report_path(start.isoformat(), end.isoformat()))  # bad input before the work
    ctx = team_context(store, pack, date_from, date_to, las=las, title=title, today=today, progress=progress)
    # The rendering bounds are a note's per ten LAs: a region's year is many notes' worth, and stays bounded.
    scale = 1 + len(ctx.get("las") or ()) // 10
    path = render_to_file(template or default_template("team"), ctx, out, overwrite=overwrite, scale=scale)
    return TeamReportResult(path, ctx)


def check_template(path: str | Path, pack: Pack, kind: str | None = None):
    """A TemplateReport: refused constructs, unknown variables, missing core variables."""
    from .tplcheck import check_template as check

    return check(path, pack, kind)


# --- batch export -------------------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each: which visit, what went wrong
    warned: int = 0  # notes written with at least one quality warning

    @property
    def total(self) -> int:
        return len(self.written) + len(self.skipped) + len(self.failed)


def visits_between(store, date_from: str, date_to: str, la: str | None = None) -> list[dict[str, Any]]:
    """Visits dated from `date_from` to `date_to` inclusive; with `la`, the LA's own and its schools'."""
    for d in (date_from, date_to):
        try:
            date.fromisoformat(d)
        except (TypeError, ValueError):
            raise UsageError(f"'{d}' is not a date (use YYYY-MM-DD)") from None
    if date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    la_id = None
    if la:
        found = store.find_la(la)
        if found is None:
            raise UsageError(f"no LA '{la}' in this store")
        la_id = found["id"]
    # A school review has its own report (laqs review report), not a note of visit.
    return [v for v in store.visits_between(date_from, date_to, la_id) if v["status"] != "review"]


def check_export(out_dir: str | Path | None = None, template: str | Path | None = None) -> tuple[Path, Path]:
    """The folder and template an export will use; a file in the folder's place, or a refused or unreadable
    template, stops the batch before any note."""
    from .render import prepared

    folder = Path(out_dir) if out_dir is not None else NOTES_DIR
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file: --out needs a folder")
    tpl = Path(template) if template is not None else default_template("note")
    prepared(tpl)
    return folder, tpl


def _export_one(store, pack: Pack, v: dict[str, Any], out: Path, tpl: Path, overwrite: bool,
                today: date | None) -> tuple[str, str, bool]:
    """One visit's note: ('written' | 'skipped' | 'failed', the path or the one-line failure, warned)."""
    from .render import NoteExists, TemplateRefused, render_to_file

    try:
        if out.exists() and not overwrite:
            raise NoteExists(str(out))
        ctx = note_context(store, pack, v["id"], today=today)
        render_to_file(tpl, ctx, out, overwrite=overwrite)
        return "written", str(out), any(c.status == "warn" for c in checks_for(ctx, today, pack.note_checks))
    except NoteExists:
        return "skipped", str(out), False
    except TemplateRefused as exc:  # the template itself is at fault: every note would fail alike
        return "refused", exc.line(), False
    except LaqsError as exc:
        return "failed", f"{v['id'][:8]} {v['organisation']} {v['date']}: {exc.line()}", False
    except Exception as exc:  # noqa: BLE001 - one bad visit must not stop the batch
        return "failed", f"{v['id'][:8]} {v['organisation']} {v['date']}: {type(exc).__name__}: {exc}", False


_WORKER: dict[str, Any] = {}


def _worker_start(store_path: str, pack_path: str) -> None:
    """A worker process opens the store read-only and the pack once, for every note it renders."""
    from ..packs import load_pack
    from ..store import Store

    _WORKER["store"] = Store(store_path, read_only=True)
    _WORKER["pack"] = load_pack(Path(pack_path))


def _worker_note(job: tuple) -> tuple[str, str, bool]:
    v, out, tpl, overwrite, today = job
    return _export_one(_WORKER["store"], _WORKER["pack"], v, out, tpl, overwrite, today)


PARALLEL_FROM = 8  # fewer notes than this are rendered in this process: starting workers would cost more


def export_workers(total: int, workers: int | None = None) -> int:
    """How many processes an export of `total` notes uses: `workers`, else one per core (at most one per note)."""
    import os

    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if total < PARALLEL_FROM:
            workers = 1
    return max(1, min(workers, total))


def export_notes(store, pack: Pack, date_from: str, date_to: str, *, la: str | None = None,
                 out_dir: str | Path | None = None, overwrite: bool = False, template: str | Path | None = None,
                 today: date | None = None, workers: int | None = None,
                 progress: Callable[[int, int, dict[str, Any]], None] | None = None) -> ExportSummary:
    """Write every visit's note in the date range into `out_dir` (default notes/). A note already there is skipped
    unless `overwrite`; a failure is recorded in one line and the rest carry on. `progress(done, total, visit)`
    is called after each visit, in date order. The notes are rendered by `workers` processes (default: one per
    core, see export_workers), each reading the store read-only; results come back in date order whatever
    finishes first, so the summary is the same as a serial run's."""
    folder, tpl = check_export(out_dir, template)
    visits = visits_between(store, date_from, date_to, la)
    summary = ExportSummary()
    jobs = [(v, default_note_path(v, folder), tpl, overwrite, today) for v in visits]
    n = export_workers(len(jobs), workers)
    if n == 1:
        results = (_export_one(store, pack, v, out, t, o, d) for v, out, t, o, d in jobs)
        _collect(summary, visits, results, progress)
        return summary
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Forked workers start at once with what this process has loaded (the pack, the prepared template); a process
    # running other threads (the app's engine) starts them from a clean server instead, as forking it is unsafe.
    methods = multiprocessing.get_all_start_methods()
    import threading

    method = "fork" if "fork" in methods and threading.active_count() == 1 else \
        "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(method)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with ProcessPoolExecutor(n, mp_context=ctx, initializer=_worker_start,
                                 initargs=(str(store.path), str(pack.path))) as pool:
            _collect(summary, visits, pool.map(_worker_note, jobs, chunksize=max(1, len(jobs) // (n * 8))),
                     progress)
    except BrokenProcessPool:
        raise LaqsError(f"the export stopped: a worker process ended unexpectedly after {summary.total} of "
                        f"{len(jobs)} notes (rerun it: notes written are kept)") from None
    return summary


def _collect(summary: ExportSummary, visits: list[dict[str, Any]], results: Iterable[tuple[str, str, bool]],
             progress: Callable[[int, int, dict[str, Any]], None] | None) -> None:
    from .render import TemplateRefused

    for i, (v, (what, detail, warned)) in enumerate(zip(visits, results), 1):
        if what == "refused":
            raise TemplateRefused(f"the export stopped after {summary.total} of {len(visits)} notes: {detail}")
        if what == "written":
            summary.written.append(Path(detail))
            summary.warned += warned
        elif what == "skipped":
            summary.skipped.append(Path(detail))
        else:
            summary.failed.append(detail)
        if progress:
            progress(i, len(visits), v)
