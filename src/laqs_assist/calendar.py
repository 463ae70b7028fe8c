"""The school calendar: which academic year a day falls in."""

from __future__ import annotations

from datetime import date


def academic_year(day: str | date, year_starts: str = "09-01") -> str:
    """The year a day falls in, for a year that starts on `year_starts` (MM-DD, a pack's calendar). England's
    school year runs from 1 September: 2026-11-22 is in 2026/27. A year starting on 1 January is named by one
    number, 2026."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    month, first = int(year_starts[:2]), int(year_starts[3:])
    start = d.year if (d.month, d.day) >= (month, first) else d.year - 1
    if (month, first) == (1, 1):
        return str(start)
    return f"{start}/{(start + 1) % 100:02d}"
