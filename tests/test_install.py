"""The shipped packs and templates are found after a plain `pip install` of the wheel into a fresh venv.

The wheel is built once from the project root (found from this file's location) and installed without the
checkout anywhere on the path: a fresh venv without system site-packages, the wheel installed with --no-deps and
its dependencies (read from pyproject.toml) installed from the package index. The installed `laqs` then runs from
a different working directory, so nothing can come from the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "LAQS_STORE", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _ok(p: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert p.returncode == 0, f"{' '.join(p.args)} exited {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


def _files(folder: Path) -> list[str]:
    """Every file under FOLDER, relative, leaving out hidden files and caches."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                             for part in p.relative_to(folder).parts))


def _dependencies() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, a working directory outside the checkout) with the wheel installed."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, ROOT], cwd=base))
    (wheel,) = wheels.glob("laqs_assist-*.whl")

    venv = base / "venv"
    _ok(_run([sys.executable, "-m", "venv", venv], cwd=base))
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    pip = [python, "-m", "pip", "install", "--quiet"]
    _ok(_run([*pip, "--no-deps", wheel], cwd=base))
    _ok(_run([*pip, *_dependencies()], cwd=base))

    work = base / "elsewhere"
    work.mkdir()
    return bindir, work


def _installed_paths(bindir: Path, work: Path) -> dict:
    code = ("import json, laqs_assist, laqs_assist.paths as p; print(json.dumps({"
            "'package': laqs_assist.__file__, 'pack': str(p.default_pack_path()), "
            "'interviews': str(p.interviews_dir()), 'templates': str(p.templates_dir())}))")
    return json.loads(_ok(_run([bindir / "python", "-c", code], cwd=work)).stdout)


def test_the_venv_is_fresh_and_does_not_see_the_checkout(installed):
    bindir, work = installed
    p = _ok(_run([bindir / "python", "-c", "import sys; print(sys.prefix); print(sys.base_prefix); "
                  "print('\\n'.join(sys.path))"], cwd=work))
    prefix, base_prefix, *syspath = p.stdout.splitlines()
    assert prefix != base_prefix
    assert not any(s and Path(s).resolve() == (ROOT / "src").resolve() for s in syspath)
    cfg = (bindir.parent / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg


def test_installed_laqs_packs_check_from_another_directory(installed):
    bindir, work = installed
    p = _run([bindir / "laqs", "packs", "check"], cwd=work)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ok: ns2009")
    assert "Traceback" not in p.stderr


def test_installed_laqs_packs_show_json_from_another_directory(installed):
    bindir, work = installed
    p = _run([bindir / "laqs", "packs", "show", "--json"], cwd=work)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["pack"] == "ns2009"
    assert [a["id"] for a in out["aspects"]] == ["1.1", "1.2", "1.3", "1.4", "1.5",
                                                 "2.1", "2.2", "2.3", "2.4", "2.5"]
    assert out["agendas"]


def test_the_pack_loads_from_the_installed_package_data(installed):
    bindir, work = installed
    found = _installed_paths(bindir, work)
    package = Path(found["package"]).parent
    pack = Path(found["pack"])
    assert "site-packages" in found["package"]
    assert "site-packages" in found["pack"]
    assert pack.is_relative_to(package)
    assert not pack.is_relative_to(ROOT)
    assert (pack / "pack.yaml").is_file()
    assert _files(Path(found["interviews"])) == _files(ROOT / "interviews")
    # and the installed command uses it: a rating from the installed pack
    judgements = work / "j.yaml"
    judgements.write_text("impact: some\njudgements:\n  2.4.report-features: {missing: 3}\n", encoding="utf-8")
    p = _run([bindir / "laqs", "rate", "2.4", "P", judgements, "--json"], cwd=work)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["suggestion"] == "SI"


def test_the_templates_are_inside_the_installed_package(installed):
    bindir, work = installed
    found = _installed_paths(bindir, work)
    package = Path(found["package"]).parent
    templates = Path(found["templates"])
    assert templates.is_dir()
    assert templates.is_relative_to(package)
    assert "site-packages" in found["templates"]
    assert _files(templates) == _files(ROOT / "templates")
