"""A pack's graded form (the 2009 pack's Appendix 5, the joint visit with a SIP or NCA) as fields to walk one at a
time, and what each field accepts: the header, then each section's standards as a checklist, its grade on the
form's scale and the evidence for the grade, then the closing fields. Pure: the application (app/joint.py), line
mode, the app and the visit's record all read the form through it."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, NamedTuple

from ..errors import UsageError

if TYPE_CHECKING:
    from .model import Form, FormSection, Pack

FORM_ID = "joint-visit"


class Field(NamedTuple):
    """One field of the form as it is walked: `key` is what the store keeps it under (`header:date`,
    `jv.challenge:checklist`, `jv.challenge:grade`, `jv.challenge:evidence`, `closing:strengths`)."""

    key: str
    kind: str  # text, date, number, checklist, grade, evidence
    label: str
    group: str  # header, section, closing
    section: "FormSection | None" = None
    number: int = 0  # the section's number on the form (1, 2, …), 0 outside a section


def form_of(pack: "Pack", form_id: str = FORM_ID) -> "Form":
    form = pack.forms.get(form_id)
    if form is None:
        known = ", ".join(pack.forms) or "none"
        raise UsageError(f"pack '{pack.id}' has no form '{form_id}' (its forms: {known})")
    return form


def standards_of(section: "FormSection") -> list[str]:
    """A section's checklist: its standards, then the additional ones (for NCAs), numbered together from 1."""
    return list(section.standards) + list(section.additional)


def fields(form: "Form") -> list[Field]:
    """The form's fields in the order they are walked: the header, the sections with standards (each its
    checklist, grade and evidence), the closing fields, and last the sections with no standards of their own (the
    overall effectiveness, which the form places after the areas for development)."""
    def section(n: int, s: "FormSection") -> list[Field]:
        got = []
        if standards_of(s):
            got.append(Field(f"{s.id}:checklist", "checklist", f"{s.title}: the standards seen", "section", s, n))
        if s.graded:
            got.append(Field(f"{s.id}:grade", "grade", f"{s.title}: grade", "section", s, n))
        got.append(Field(f"{s.id}:evidence", "evidence", f"{s.title}: evidence for the grade", "section", s, n))
        return got

    numbered = list(enumerate(form.sections, 1))
    out = [Field(f"header:{f.id}", f.type, f.label, "header") for f in form.header_fields]
    for n, s in numbered:
        if standards_of(s):
            out += section(n, s)
    out += [Field(f"closing:{f.id}", f.type, f.label, "closing") for f in form.closing_fields]
    for n, s in numbered:
        if not standards_of(s):
            out += section(n, s)
    return out


def scale_line(form: "Form") -> str:
    return "; ".join(f"{g.grade} {g.meaning}" for g in form.scale)


def grade_point(form: "Form", value: str):
    for g in form.scale:
        if str(g.grade) == value:
            return g
    return None


# --- reading what was typed ---------------------------------------------------------------------------------------


def parse_value(form: "Form", field: Field, text: str) -> str:
    """What a field keeps for what was typed; UsageError (one line) when the form cannot take it."""
    text = text.strip("\r\n")
    if field.kind == "grade":
        return parse_grade(form, text)
    if field.kind == "checklist":
        return json.dumps(parse_checklist(text, len(standards_of(field.section))))
    if field.kind == "date":
        from ..answers import AnswerInvalid, parse_answer

        try:
            return parse_answer("date", text.strip()) or ""
        except AnswerInvalid as exc:
            raise UsageError(f"{field.label}: {exc.message}") from None
    if field.kind == "number":
        if not re.fullmatch(r"\s*\d+(\.\d+)?\s*", text):
            raise UsageError(f"{field.label}: give a number")
        return text.strip()
    return text


def parse_grade(form: "Form", text: str) -> str:
    lo, hi = min(g.grade for g in form.scale), max(g.grade for g in form.scale)
    m = re.match(r"\s*(\d+)\b", text)
    if not m:
        raise UsageError(f"give a grade from {lo} to {hi}: {scale_line(form)}")
    if grade_point(form, m.group(1).lstrip("0") or "0") is None:
        raise UsageError(f"grade {m.group(1)} is not on the form's scale of {lo}–{hi} ({scale_line(form)})")
    return m.group(1).lstrip("0")


def parse_checklist(text: str, count: int) -> list[int]:
    """'1 3 5', '1-3, 6', 'all' or 'none' -> the ticked standards' numbers, in order."""
    words = text.strip().lower()
    if words in ("all", "every", "*"):
        return list(range(1, count + 1))
    if words in ("none", "-", "0", "no"):
        return []
    ticked: set[int] = set()
    for part in re.split(r"[\s,;]+", words):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise UsageError(f"tick standards by number (1–{count}), e.g. '1 3 5' or '1-4', 'all' or 'none'; "
                             f"'{part}' is not one")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        for n in range(min(a, b), max(a, b) + 1):
            if not 1 <= n <= count:
                raise UsageError(f"there is no standard {n} here: this section has {count}")
            ticked.add(n)
    if not ticked:
        raise UsageError(f"tick standards by number (1–{count}), e.g. '1 3 5', or 'all' or 'none'")
    return sorted(ticked)


def ticked(value: str | None) -> list[int]:
    """A checklist's kept value as the ticked standards' numbers."""
    try:
        got = json.loads(value) if value else []
    except ValueError:
        return []
    return [x for x in got if isinstance(x, int)] if isinstance(got, list) else []


def shown(form: "Form", field: Field, value: str | None) -> str:
    """A kept value as the adviser reads it."""
    if value is None:
        return ""
    if field.kind == "grade":
        g = grade_point(form, value)
        return f"{value} — {g.meaning}" if g else value
    if field.kind == "checklist":
        got = ticked(value)
        n = len(standards_of(field.section))
        return f"{len(got)} of {n} seen" + (f" ({', '.join(map(str, got))})" if got else "")
    return value
