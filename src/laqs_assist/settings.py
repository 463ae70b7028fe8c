"""The adviser's own settings: a small TOML file in the user's config folder.

    name = "Jo Bloggs"                 # the author of a visit when --author is not given
    store = "/home/jo/visits/laqs.db"  # the store when neither --store nor $LAQS_STORE says
    phases = ["P", "S"]                # a visit's phases when no --phase is given
    theme = "nord"                     # the interview app's Textual theme

The file is $LAQS_CONFIG if set, else $XDG_CONFIG_HOME/laqs-assist/settings.toml, else
~/.config/laqs-assist/settings.toml. It is read with tomllib; `save` writes it itself (the standard library reads
TOML but does not write it, and these values are only strings and lists of strings), atomically, so an editor or a
second `laqs` never sees half a file.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import UsageError

KEYS = ("name", "store", "phases", "theme")


class Settings:
    """The four settings; each is None (or, for phases, empty) when the file does not set it."""

    __slots__ = ("name", "store", "phases", "theme")

    def __init__(self, name: str | None = None, store: str | None = None, phases: list[str] | None = None,
                 theme: str | None = None) -> None:
        self.name = name
        self.store = store
        self.phases: list[str] = list(phases or [])
        self.theme = theme

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "store": self.store, "phases": list(self.phases), "theme": self.theme}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


def settings_path() -> Path:
    """Where the settings live (the file need not exist yet)."""
    env = os.environ.get("LAQS_CONFIG")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    # The XDG spec says a relative $XDG_CONFIG_HOME is to be ignored: it would move with the current folder.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "laqs-assist" / "settings.toml"


def load() -> Settings:
    """The settings in the file, or the defaults when there is no file. A file that is not valid TOML, or gives a
    setting the wrong kind of value, is a one-line UsageError naming the file and line."""
    path = settings_path()
    data, text = _read(path)
    values: dict[str, Any] = {}
    for key in KEYS:
        if key not in data:
            continue
        value = data[key]
        where = f"{path}:{_line_of(text, key)}"
        if key == "phases":
            if isinstance(value, str):  # phases = "P, S" is what a person writes by hand as often as a list
                value = split_list(value)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError('phases must be a list of phase ids, e.g. phases = ["P", "S"]', where=where)
            values[key] = [v.strip() for v in value if v.strip()]
        else:
            if not isinstance(value, str):
                raise UsageError(f'{key} must be a string in quotes, e.g. {key} = "{_EXAMPLES[key]}"', where=where)
            values[key] = value.strip() or None
    return Settings(**values)


def save(**changes: Any) -> Settings:
    """Change settings and write the file atomically; a value of None removes the setting. Settings the file holds
    that this version does not know are kept. Returns the settings as now written."""
    unknown = [k for k in changes if k not in KEYS]
    if unknown:
        raise UsageError(f"unknown setting '{unknown[0]}' (known: {', '.join(KEYS)})")
    path = settings_path()
    data, _ = _read(path)
    for key, value in changes.items():
        if value is None or value == [] or value == "":
            data.pop(key, None)
        elif key == "phases":
            if isinstance(value, str):
                value = split_list(value)
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    _write(path, data)
    return load()


def split_list(text: str) -> list[str]:
    """"P, S" -> ["P", "S"]."""
    return [part.strip() for part in text.split(",") if part.strip()]


_EXAMPLES = {"name": "Jo Bloggs", "store": "~/visits/laqs.db", "theme": "nord"}


# --- reading ------------------------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[dict[str, Any], str]:
    import tomllib

    try:
        path.stat()
    except FileNotFoundError:
        return {}, ""
    except PermissionError:
        # A folder on the way cannot be searched ($HOME is another user's, as under `sudo -u`): there are no
        # settings of this user's to read there. A file that is there but unreadable is reported below.
        return {}, ""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, ""
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a settings file") from None
    except OSError as exc:
        raise UsageError(f"cannot read the settings file {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError("not UTF-8 text (TOML files are UTF-8)", where=f"{path}:{line}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message, line = _toml_fault(exc)
        raise UsageError(message, where=f"{path}:{line}" if line else str(path)) from None


def _toml_fault(exc: Exception) -> tuple[str, int | None]:
    """tomllib's message "Expected '=' … (at line 3, column 5)" as (message, line)."""
    text = str(exc)
    m = re.search(r"\s*\(at line (\d+), column \d+\)\s*$", text)
    if m:
        return text[: m.start()], int(m.group(1))
    line = getattr(exc, "lineno", None)  # Python 3.14 gives it as an attribute
    m = re.search(r"\s*\(at end of document\)\s*$", text)
    if m:
        text = text[: m.start()] + " at the end of the file"
    return text, line


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"""\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""", line):
            return number
    return 1


# --- writing ------------------------------------------------------------------------------------------------------


def _write(path: Path, data: dict[str, Any]) -> None:
    text = _dumps(data)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write the settings file {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777)  # keep the mode the adviser gave the file
        except FileNotFoundError:
            pass  # a new file keeps mkstemp's 0600: it holds a name and a path, nobody else's business
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise UsageError(f"cannot write the settings file {path}: {exc.strerror}") from None
    except UnicodeEncodeError:
        _remove(tmp)
        raise UsageError("a setting holds characters that cannot be written as text (a file name in another "
                         "encoding?)") from None
    except BaseException:
        _remove(tmp)
        raise
    try:  # the rename itself is durable once the folder is synced
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _dumps(data: dict[str, Any]) -> str:
    """The settings as TOML: our keys first in a fixed order, then any others the file held."""
    lines = ["# laqs-assist settings: `laqs settings` shows them, `laqs settings set KEY VALUE` changes them."]
    order = [k for k in KEYS if k in data] + [k for k in data if k not in KEYS]
    for key in order:
        lines.append(f"{_key(key)} = {_value(data[key], key)}")
    return "\n".join(lines) + "\n"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _value(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, key) for v in value) + "]"
    # A table, a date or the like, from a hand-edited file: rewriting it needs a real TOML writer.
    raise UsageError(f"the settings file holds '{key}' as a {type(value).__name__}, which laqs cannot write back: "
                     f"edit {settings_path()} by hand")


# TOML basic strings: a backslash, a quote and the control characters (all but tab, and DEL) must be escaped.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _string(text: str) -> str:
    def esc(m: re.Match[str]) -> str:
        ch = m.group(0)
        return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"

    return '"' + _NEEDS_ESCAPE.sub(esc, text) + '"'


__all__ = ["KEYS", "Settings", "load", "save", "settings_path", "split_list"]
