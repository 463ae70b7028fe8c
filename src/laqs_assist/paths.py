"""Where the shipped packs and templates live: a checkout, or the package data of a plain install."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def interviews_dir() -> Path:
    return _data_dir("interviews")


def templates_dir() -> Path:
    return _data_dir("templates")


def default_pack_path() -> Path:
    return interviews_dir() / "ns2009"


def default_store_path() -> Path:
    env = os.environ.get("LAQS_STORE")
    if env:
        return Path(env)
    return Path("store") / "laqs.db"
