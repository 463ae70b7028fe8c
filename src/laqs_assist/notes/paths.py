"""Where documents are written and what their files are called: the folder under the current one, and a name made
safe for any file system from an organisation's or a school's name."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

NOTES_DIR = Path("notes")  # default output folder, under the current folder


def slug(text: str, fallback: str = "organisation") -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60].strip("-")
    return out or fallback
