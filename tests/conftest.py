"""Every test runs with its own, empty adviser settings file: nothing on the machine running the tests (a real
~/.config/laqs-assist/settings.toml) and no other test (one that runs `laqs settings set`) can change what the app
shows, and no test writes to the real one. Subprocesses inherit the variable."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LAQS_CONFIG", str(tmp_path_factory.mktemp("settings") / "settings.toml"))
