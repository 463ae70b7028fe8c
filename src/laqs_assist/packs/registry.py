"""The installed framework packs: every pack folder under the shipped `interviews/` and under the folders named in
$LAQS_PACKS (path-separated; each is a pack folder itself or a folder of packs), found by their ids.

A visit records the id of the pack it was recorded with, so a command on a visit opens that pack: several packs
can be in use side by side in one store. Finding packs reads only each folder's pack.yaml header (its `id:` line);
a pack is loaded (through the cache) only when it is asked for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PackError, UsageError
from ..paths import default_pack_path, interviews_dir

if TYPE_CHECKING:
    from .model import Pack

_ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"#\s]+)['\"]?\s*(?:#.*)?$")


def pack_folders() -> list[Path]:
    """Every pack folder (one holding pack.yaml): the shipped ones first, then $LAQS_PACKS in its order."""
    roots = [interviews_dir()]
    extra = os.environ.get("LAQS_PACKS", "")
    roots += [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    found: list[Path] = []
    for root in roots:
        if (root / "pack.yaml").is_file():
            found.append(root)
        elif root.is_dir():
            found += sorted(p for p in root.iterdir() if (p / "pack.yaml").is_file())
        elif root != interviews_dir():
            raise UsageError(f"LAQS_PACKS names {root}, which is not a folder")
    seen: set[Path] = set()
    out = []
    for folder in found:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            out.append(folder)
    return out


def declared_id(folder: Path) -> str:
    """The pack's id as its pack.yaml declares it (read from the `id:` line, without loading the pack)."""
    path = folder / "pack.yaml"
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                m = _ID_LINE.match(line.rstrip("\n"))
                if m:
                    return m.group(1)
                if n > 200:
                    break
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"cannot read the pack: {exc}", where=str(path)) from None
    raise PackError("a pack needs a top-level 'id:' line", where=f"{path}:1")


def installed() -> dict[str, Path]:
    """Pack id -> folder. Two folders declaring one id is a one-line error naming both."""
    out: dict[str, Path] = {}
    for folder in pack_folders():
        pid = declared_id(folder)
        if pid in out:
            raise UsageError(f"two packs have the id '{pid}': {out[pid]} and {folder} (give one another id)")
        out[pid] = folder
    return out


def folder_of(pack_id: str) -> Path:
    """The folder of the installed pack with this id; the shipped default is found without a scan."""
    default = default_pack_path()
    if (default / "pack.yaml").is_file():
        try:
            if declared_id(default) == pack_id:
                return default
        except PackError:
            pass
    packs = installed()
    if pack_id not in packs:
        known = ", ".join(packs) or "none"
        raise UsageError(f"no installed pack '{pack_id}' (installed: {known}; add its folder to LAQS_PACKS)")
    return packs[pack_id]


def open_by_id(pack_id: str) -> "Pack":
    from .cache import open_pack

    return open_pack(folder_of(pack_id))


def pack_of_visit(visit: dict, default: "Pack", chosen: bool = False) -> "Pack":
    """The pack a visit was recorded with: `default` when it is that pack or was chosen for the command (--pack),
    else the installed pack of the visit's id."""
    if chosen or visit.get("pack_id") == default.id:
        return default
    return open_by_id(visit["pack_id"])


__all__ = ["declared_id", "folder_of", "installed", "open_by_id", "pack_folders", "pack_of_visit"]
