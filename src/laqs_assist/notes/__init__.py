"""Notes of visit and briefings as Word documents, rendered from .docx templates users may restyle in Word.

The functions here are what the CLI and the TUI call:

    write_note(store, pack, visit_id, out_path=None, overwrite=False, template=None) -> NoteResult
    quality_checks(store, pack, visit_id) -> list[CheckResult]
    write_briefing(store, pack, organisation, out_path=None, overwrite=False, template=None, questions=None)
    export_notes(store, pack, date_from, date_to, la=None, out_dir=None, overwrite=False, ...) -> ExportSummary
    check_template(path, pack, kind=None) -> TemplateReport

Importing this package loads neither docx nor docxtpl: they are imported when a document is rendered.
"""

from __future__ import annotations

from typing import Any

# Names resolve on first use (PEP 562), so importing the package, as the CLI does at start-up to register its
# commands, costs next to nothing; `from laqs_assist.notes import write_note` works as usual.
_EXPORTS = {
    "NoteResult": "api", "BriefingResult": "api", "ExportSummary": "api", "NOTES_DIR": "api",
    "write_note": "api", "write_briefing": "api", "quality_checks": "api", "export_notes": "api",
    "check_template": "api", "default_note_path": "api", "default_briefing_path": "api",
    "default_template": "api", "visits_between": "api", "slug": "api", "check_export": "api",
    "note_context": "context", "briefing_context": "briefing",
    "CheckResult": "quality", "CHECKS": "quality", "TIMELY_WORKING_DAYS": "quality",
    "clean_text": "clean", "clean_context": "clean",
    "TemplateRefused": "render", "TemplateProblem": "render", "NoteExists": "render",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'laqs_assist.notes' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
