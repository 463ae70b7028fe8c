"""The core (packs, rating, rollup, session, store) and `laqs --help` must not import the heavy UI/document modules."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("textual", "prompt_toolkit", "docx", "docxtpl")
CORE = ("laqs_assist.packs", "laqs_assist.rating", "laqs_assist.rollup", "laqs_assist.session", "laqs_assist.store")


def _run(code: str, tmp_path: Path, *args: str) -> dict:
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, str(script), str(out), *args], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return {"stdout": proc.stdout, **json.loads(out.read_text(encoding="utf-8"))}


def _heavy_in(modules) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_core_modules_do_not_import_heavy_modules(tmp_path):
    result = _run("""
        import importlib, importlib.util, json, sys
        imported, skipped = [], []
        for name in sys.argv[2:]:
            if importlib.util.find_spec(name) is None:
                skipped.append(name)
                continue
            importlib.import_module(name)
            imported.append(name)
        json.dump({"imported": imported, "skipped": skipped, "modules": sorted(sys.modules)}, open(sys.argv[1], "w"))
    """, tmp_path, *CORE)
    assert {"laqs_assist.packs", "laqs_assist.rating", "laqs_assist.rollup"} <= set(result["imported"])
    assert set(result["imported"]) | set(result["skipped"]) == set(CORE)
    assert all(m in result["modules"] for m in result["imported"])
    assert _heavy_in(result["modules"]) == []


def test_help_does_not_import_heavy_modules(tmp_path):
    result = _run("""
        import json, runpy, sys
        out = sys.argv[1]
        sys.argv = ["laqs", "--help"]
        code = 0
        try:
            runpy.run_module("laqs_assist", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            code = exc.code or 0
        json.dump({"code": code, "modules": sorted(sys.modules)}, open(out, "w"))
    """, tmp_path)
    assert result["code"] == 0
    assert "Usage:" in result["stdout"] and "packs" in result["stdout"]
    assert "laqs_assist.cli" in result["modules"]
    assert _heavy_in(result["modules"]) == []


def test_help_importtime_lists_no_heavy_modules(tmp_path):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "laqs_assist", "--help"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]
    assert "laqs_assist.cli" in imported  # the probe sees the package's own imports
    assert _heavy_in(imported) == []
