"""Text typed by users, made harmless for a terminal.

An answer is kept exactly as it was typed, but what a terminal is sent must never act on it: an escape sequence
inside an answer (ESC ] 0 ; … BEL retitles the window, ESC [ 2 J clears it) would otherwise run when the answer is
printed. Every C0 and C1 control character except the line breaks and tabs a paragraph needs is shown as its
visible stand-in: C0 as the Unicode control pictures (ESC as ␛, BEL as ␇), DEL as ␡ and C1 (U+0080–U+009F, which
some terminals obey like ESC) as ⟨9B⟩-style code points.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"⟨{code:02X}⟩"


def inert(text: str | None, *, one_line: bool = False) -> str:
    """`text` with every control character shown inert; with one_line, line breaks and tabs too."""
    if not text:
        return text or ""
    pattern = _CONTROLS_ONE_LINE if one_line else _CONTROLS
    if not pattern.search(text):
        return text
    if not one_line:
        text = text.replace("\r\n", "\n")
        # A lone carriage return would move the cursor back over what was printed: show it.
    return pattern.sub(_picture, text)


def short(text: str, width: int = 96) -> str:
    """Text on one line (runs of spaces and line breaks as one space), cut with … to at most `width` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = ["inert", "short"]
