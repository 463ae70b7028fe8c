"""The school calendar: which academic year a day falls in."""

from __future__ import annotations

from datetime import date


def academic_year(day: str | date) -> str:
    """England's school year runs September to August: 2026-11-22 is in 2026/27."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    start = d.year if d.month >= 9 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"
