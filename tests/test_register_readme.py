"""The README's school register section works as written, in order, from a folder laid out like a fresh checkout."""

from __future__ import annotations

import os
import subprocess

from test_readme import README, checkout, shell_blocks, without_comment  # noqa: F401  (checkout is a fixture)


def section_commands() -> list[str]:
    start = README.index("## The school register")
    text = README[start:README.index("\n## ", start + 1)]
    out = []
    for block in shell_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                out.append(line.strip())
    return out


def test_every_register_example_runs_as_written(checkout):  # noqa: F811
    commands = section_commands()
    assert len(commands) >= 15
    env = {k: v for k, v in os.environ.items() if k not in ("LAQS_STORE",)}
    outputs = []
    for line in commands:
        cmd = line if line.startswith("printf") else without_comment(line)
        proc = subprocess.run(["bash", "-c", cmd], cwd=checkout, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{line}\n{proc.stdout}\n{proc.stderr}"
        outputs.append(proc.stdout)
    joined = "\n".join(outputs)
    assert "automatic rule: new headteacher in post since 2026-06-01" in joined
    assert "2 letters written" in joined
    assert "12 days: 11 to 20 days – the school pays for 2 days — £960" in joined
    assert (checkout / "any-borough-register.csv").read_text(encoding="utf-8-sig").startswith("school,urn,")
    assert list((checkout / "notes" / "register" / "any-borough").glob("register-report-*.docx"))
