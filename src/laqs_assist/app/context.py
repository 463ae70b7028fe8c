"""Which store and which framework pack a command works on: --store, $LAQS_STORE, the adviser's settings or the
default store; --pack, or the pack a visit was recorded with. The CLI's commands and the notes commands share it,
so neither imports the other."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from ..errors import UsageError
from ..paths import default_pack_path

# The store when neither --store, $LAQS_STORE nor the settings name one: relative to the current folder, and the
# only store whose folder is made when missing (a mistyped path elsewhere must not grow folders).
DEFAULT_STORE = Path("store") / "laqs.db"


def _notice(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Context:
    """One command's choices: the pack folder, the store path, the settings (read when first needed)."""

    def __init__(self, notice: Callable[[str], None] = _notice) -> None:
        self.debug = False
        self.pack_path: Path = default_pack_path()
        self.pack_chosen = False  # --pack given: it wins over the pack a visit was recorded with
        self.store: Path | None = None  # --store or $LAQS_STORE; the app reads the resolved store from here
        self._settings = None
        self.notice = notice

    @property
    def settings(self):
        """The adviser's settings, read when a command first needs them (a broken file then stops that command,
        not `laqs settings`, which is how it gets mended)."""
        if self._settings is None:
            from .. import settings

            self._settings = settings.load()
        return self._settings

    # --- the pack -------------------------------------------------------------------------------------------

    def choose_pack(self, value: Path) -> None:
        """--pack: a pack folder, or the id of an installed pack (`laqs packs list`)."""
        if not (value.exists() or "/" in str(value) or str(value).startswith(".")):
            from ..packs.registry import folder_of

            value = folder_of(str(value))
        self.pack_path = value
        self.pack_chosen = True

    def pack(self):
        from ..packs import open_pack

        return open_pack(self.pack_path)

    def pack_for(self, visit: dict[str, Any]):
        """The pack a visit was recorded with (an installed pack found by its id), unless --pack chose one."""
        from ..packs.registry import pack_of_visit

        return pack_of_visit(visit, self.pack(), self.pack_chosen)

    # --- the store ------------------------------------------------------------------------------------------

    def store_path(self) -> tuple[Path, bool]:
        """The store to use and whether it is the default one: --store, else $LAQS_STORE, else the settings' store,
        else store/laqs.db."""
        if self.store is not None:
            return Path(self.store), False
        if self.settings.store:
            return Path(self.settings.store).expanduser(), False
        return DEFAULT_STORE, True

    def checked_store_path(self, make_default_folder: bool = False) -> tuple[Path, bool]:
        """store_path(), refusing a store whose folder does not exist; the default store's folder is made here when
        asked (the app opens its store at once), else when a store is created."""
        from ..store.db import check_folder

        path, default = self.store_path()
        if not default or make_default_folder:
            check_folder(path, make_folder=default)
        return path, default

    def open_store(self, create: bool = False, read_only: bool | None = None):
        """The store; only commands that record something create it. A command that only reads opens a read-only
        store (read_only=None) and says so once; one that records (read_only=False) refuses it."""
        from ..store import Store

        path, default = self.checked_store_path()
        if not create and not path.exists():
            raise UsageError(f"no store at {path} yet: one is created when you start a visit (laqs chat --org NAME)")
        store = Store(path, create=create, read_only=False if create else read_only, make_folder=default)
        if store.read_only:
            self.notice(f"laqs: the store {path} is read-only: showing what it holds; nothing new can be recorded")
        return store


def store_file(value: str) -> Path:
    """A store named in the settings: kept absolute (a relative one would mean a different store in every folder),
    a file in a folder that exists."""
    from ..store.db import check_folder

    path = Path(value).expanduser().absolute()
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give the store's file name, e.g. {path / 'laqs.db'}")
    check_folder(path, make_folder=False)
    return path


__all__ = ["DEFAULT_STORE", "Context", "store_file"]
