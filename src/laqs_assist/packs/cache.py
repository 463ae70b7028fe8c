"""A loaded pack kept on disk, so that start-up does not parse and validate the same YAML every time.

The cache is keyed by the pack folder, every YAML file's size and modification time, and the versions of the
tool and of Python; any change loads and validates the pack afresh. It lives in the user's own cache folder
($LAQS_CACHE, else $XDG_CACHE_HOME/laqs-assist, else ~/.cache/laqs-assist); if it cannot be read or written the
pack is simply loaded. `laqs packs check` never uses it.
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


def _key(root: Path) -> str | None:
    try:
        files = sorted(root.rglob("*.yaml"))
        stamp = [f"{p.relative_to(root)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
    except OSError:
        return None
    raw = "\n".join([__version__, sys.version, str(root.resolve()), *stamp])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def open_pack(path: str | Path) -> Pack:
    """The pack at `path`, from the cache when nothing in it has changed, else loaded, validated and cached."""
    root = Path(path)
    if root.is_file() and root.name == "pack.yaml":
        root = root.parent
    key = _key(root) if root.is_dir() else None
    target = cache_dir() / f"pack-{key}.pickle" if key else None
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
