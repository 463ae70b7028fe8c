"""A loaded pack kept on disk, so that start-up does not parse and validate the same YAML every time.

The cache is keyed by the pack folder, every YAML file's size and modification time, the versions of the tool
and of Python, and the code that defines and builds pack objects (model, record, loader and YAML reader
modules); any change loads and validates the pack afresh. One entry is kept per pack folder: writing a new one
removes the older ones.
It lives in the user's own cache folder ($LAQS_CACHE, else $XDG_CACHE_HOME/laqs-assist, else
~/.cache/laqs-assist); if it cannot be read or written the pack is simply loaded. `laqs packs check` never uses it.

Reading an entry means unpickling it, and unpickling runs whatever the file asks for, so only entries this user
wrote are read. The folder (made 0700) and each entry (written 0600) must belong to the current user and be
writable by no one else. Each entry starts with an HMAC-SHA256 of its pickled bytes under a key kept in the folder
(32 random bytes, 0600, the user's own); the HMAC is checked before anything is unpickled. A key that is missing or
that others could read or change is replaced by a new one, which makes every older entry stale. An entry that fails
any of these checks is treated as missing: the pack is loaded from its YAML and a good entry written in its place.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import sys
from pathlib import Path

from .. import __version__
from .model import Pack


def cache_dir() -> Path:
    if os.environ.get("LAQS_CACHE"):
        return Path(os.environ["LAQS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "laqs-assist"


_CODE = ("model.py", "loader.py", "yamlsrc.py", "../record.py")

# Names the entry format, so that a plain pickle, or an entry of a later layout, is never mistaken for one.
_MAGIC = b"laqs-pack-cache 1\n"
_MAC_SIZE = hashlib.sha256().digest_size
_KEY_NAME = "key"
_KEY_SIZE = 32
# O_NOFOLLOW: a link planted at an entry's or the key's name would otherwise lead to a file chosen by someone else.
_OPEN_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_OPEN_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


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


def _ours(st: os.stat_result) -> bool:
    # The owner, not whether we can read it: run as root, every file is readable, whoever planted it.
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _folder() -> Path | None:
    """The cache folder, made if missing, or None when it is not the user's alone to write."""
    if not hasattr(os, "geteuid"):
        return None  # no owner to compare with here, so nothing on disk can be trusted to unpickle
    folder = cache_dir()
    try:
        st = folder.stat()
    except FileNotFoundError:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = folder.stat()
        except OSError:
            return None
    except OSError:
        return None
    # In a folder others can write, they can swap the key and entries between our checks and our reads.
    return folder if stat.S_ISDIR(st.st_mode) and _ours(st) else None


def _read_own(path: Path, private: bool = False) -> bytes | None:
    """The file's bytes if it is a regular file of the user's that no one else can write (nor read, if
    `private`), else None."""
    try:
        fd = os.open(path, _OPEN_READ)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            # Checked on the open file, not the name, so the file read is the file checked.
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _ours(st) or (private and st.st_mode & 0o077):
                return None
            return fh.read()
    except OSError:
        return None


def _key(folder: Path) -> bytes | None:
    """The folder's key, or a new one when it is missing or untrustworthy; None when none can be kept."""
    path = folder / _KEY_NAME
    for _ in range(2):
        # Private as well as the user's: a key others can read lets them sign entries of their own.
        key = _read_own(path, private=True)
        if key is not None and len(key) == _KEY_SIZE:
            return key
        key = os.urandom(_KEY_SIZE)
        try:
            path.unlink(missing_ok=True)
            fd = os.open(path, _OPEN_NEW, 0o600)
        except FileExistsError:
            continue  # another start made one between our unlink and open: use that one
        except OSError:
            return None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
        except OSError:
            return None
        return key
    return None


def _read_entry(target: Path, key: bytes) -> Pack | None:
    data = _read_own(target)
    start = len(_MAGIC) + _MAC_SIZE
    if data is None or len(data) <= start or not data.startswith(_MAGIC):
        return None
    payload = memoryview(data)[start:]
    if not hmac.compare_digest(data[len(_MAGIC):start], hmac.digest(key, payload, "sha256")):
        return None
    try:
        pack = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a signed entry that still will not load only means loading the pack
        return None
    return pack if isinstance(pack, Pack) else None


def open_pack(path: str | Path) -> Pack:
    """The pack at `path`, from the cache when nothing in it has changed, else loaded, validated and cached."""
    root = Path(path)
    if root.is_file() and root.name == "pack.yaml":
        root = root.parent
    entry = _entry(root) if root.is_dir() else None
    folder = _folder() if entry else None
    key = _key(folder) if folder is not None else None
    target = folder / entry if folder is not None and key is not None and entry else None
    if target is not None and key is not None:
        pack = _read_entry(target, key)
        if pack is not None:
            return pack
    from .loader import load_pack

    pack = load_pack(root)
    if not isinstance(pack, Pack):  # another kind of pack (a school register): not a framework to interview with
        from ..errors import UsageError

        raise UsageError(f"{root} is a {getattr(pack, 'kind', 'different')} pack, not a framework of standards: use "
                         f"it with `laqs {getattr(pack, 'kind', 'register')} …`")
    if target is not None and key is not None:
        _store(target, pack, key)
        _prune(target)
    return pack


def _store(target: Path, pack: Pack, key: bytes) -> None:
    tmp = target.parent / f".pack-{os.urandom(8).hex()}.tmp"
    try:
        payload = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        fd = os.open(tmp, _OPEN_NEW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + hmac.digest(key, payload, "sha256"))
            fh.write(payload)
        # Written whole under a temporary name and renamed, so a reader never meets half an entry.
        os.replace(tmp, target)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; failing to write it changes nothing
        try:
            os.unlink(tmp)
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
