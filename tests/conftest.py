"""Every test runs with its own, empty adviser settings file: nothing on the machine running the tests (a real
~/.config/laqs-assist/settings.toml) can change what the app shows, and no test writes to it."""

from __future__ import annotations

import os
import tempfile

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_settings():
    folder = tempfile.mkdtemp(prefix="laqs-settings-")
    old = os.environ.get("LAQS_CONFIG")
    os.environ["LAQS_CONFIG"] = os.path.join(folder, "settings.toml")  # subprocesses inherit it too
    yield
    if old is None:
        os.environ.pop("LAQS_CONFIG", None)
    else:
        os.environ["LAQS_CONFIG"] = old
