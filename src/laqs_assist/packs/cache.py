"""A loaded pack kept on disk, so that start-up does not parse and validate the same YAML every time.

The cache is keyed by the pack folder, every YAML file's size and modification time, the versions of the tool
and of Python, and the code that defines and builds pack objects (model, record and loader modules); any change
loads and validates the pack afresh. One entry is kept per pack folder: writing a new one removes the older ones.
It lives in the user's own cache folder ($LAQS_CACHE, else $XDG_CACHE_HOME/laqs-assist, else
~/.cache/laqs-assist); if it cannot be read or written the pack is simply loaded. `laqs packs check` never uses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .. import __version__
from .model import Pack


def cache_dir() -> Path:
    if os.environ.get("LAQS_CACHE"):
        return Path(os.environ["LAQS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "laqs-assist"


_CODE = ("model.py", "loader.py", "../record.py")


def _digest(*parts: str, size: int) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:size]


def _entry(root: Path) -> str | None:
    """The entry's file name, pack-FOLDER-KEY.pickle, or None when the folder cannot be read."""
    here = Path(__file__).parent
    try:
        files = sorted(root.rglob("*.yaml"))
        stamp = [f"{p.relative_to(root)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
        code = [f"{name}:{(here / name).stat().st_size}:{(here / name).stat().st_mtime_ns}" for name in _CODE]
        folder = str(root.resolve())
    except OSError:
        return None
    return f"pack-{_digest(folder, size=12)}-{_digest(__version__, sys.version, folder, *code, *stamp, size=24)}.pickle"


def open_pack(path: str | Path) -> Pack:
    """The pack at `path`, from the cache when nothing in it has changed, else loaded, validated and cached."""
    root = Path(path)
    if root.is_file() and root.name == "pack.yaml":
        root = root.parent
    entry = _entry(root) if root.is_dir() else None
    target = cache_dir() / entry if entry else None
    if target is not None:
        try:
            with target.open("rb") as fh:
                pack = pickle.load(fh)
            if isinstance(pack, Pack):
                return pack
        except Exception:  # noqa: BLE001 - a missing or unreadable cache only means loading the pack
            pass
    from .loader import load_pack

    pack = load_pack(root)
    if target is not None:
        _store(target, pack)
        _prune(target)
    return pack


def _store(target: Path, pack: Pack) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".pack-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(pack, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; failing to write it changes nothing
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:  # noqa: BLE001
            pass


def _prune(keep: Path) -> None:
    """Remove the folder's older entries (and entries named as before folders had a prefix)."""
    prefix = keep.name.rsplit("-", 1)[0] + "-"
    try:
        for old in keep.parent.glob("pack-*.pickle"):
            stale = old.name.startswith(prefix) or old.name.count("-") == 1
            if stale and old != keep:
                old.unlink(missing_ok=True)
    except OSError:
        pass
