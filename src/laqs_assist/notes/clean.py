"""The one place where text is made fit for a Word document.

XML 1.0 forbids most control characters: python-docx raises on them and docxtpl drops them silently in the body
but fails in headers. Every string in a rendering context passes through `clean_context` once, just before
rendering; nothing else in the notes package cleans text.
"""

from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 cannot hold: C0 controls except tab and newline, lone surrogates, U+FFFE and U+FFFF.
# Carriage returns are folded into newlines first (a bare CR would otherwise reach Word as a stray space).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` with newlines normalised and every character XML 1.0 cannot hold removed; the rest intact."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)


def clean_context(value: Any) -> Any:
    """A copy of a rendering context with every string cleaned and every None turned into ''."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, dict):
        return {k: clean_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_context(v) for v in value]
    return value
