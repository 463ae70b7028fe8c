"""What the code used to assume, a pack now declares: its version, the kinds of organisation it is used with and
their agendas, its rating method, the day its year starts, and the checks a note of visit must pass."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path

PACK = load_pack(default_pack_path())


def test_the_2009_pack_declares_what_it_assumes() -> None:
    assert PACK.version == "2009.1"
    assert [(k.id, k.agenda) for k in PACK.organisation_kinds] == [("LA", "la-contacts"), ("school", "headteachers")]
    assert PACK.agenda_for("School") == "headteachers" and PACK.agenda_for("LA") == "la-contacts"
    assert PACK.agenda_for("college") is None
    assert PACK.rating_method == "columns" and PACK.year_starts == "09-01"
    assert [c.check for c in PACK.note_checks] == ["timely", "ratings-rest-on-evidence", "actions-owned-and-dated",
                                                  "challenge-shown", "agenda-for-action", "visit-recorded", "ask"]
    assert PACK.note_checks[0].settings == {"working_days": 5}
    assert "seven features" in PACK.note_checks_title


def edited_pack(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    dest = tmp_path / "pack"
    shutil.copytree(default_pack_path(), dest)
    text = (dest / "pack.yaml").read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), old
    (dest / "pack.yaml").write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    return dest


@pytest.mark.parametrize("old, new, says", [
    (r"^  method: columns$", "  method: stars", "unknown rating method 'stars' (known: columns, judged)"),
    (r'^  year_starts: "09-01"$', '  year_starts: "13-01"', "year_starts must be a month and day as MM-DD"),
    (r"agenda: headteachers}", "agenda: heads}", "organisation kind 'school' names unknown agenda 'heads'"),
    (r"check: timely,", "check: crystal-ball,", "note check 'crystal-ball' is not one this version can run"),
    (r"^  - {id: LA, name: Local authority, agenda: la-contacts}$",
     "  - {id: LA, name: Local authority}\n  - {id: la, name: Again}", "duplicate organisation kind 'la'"),
])
def test_a_wrong_declaration_is_one_line_with_exit_2(tmp_path: Path, old: str, new: str, says: str) -> None:
    pack = edited_pack(tmp_path, old, new)
    proc = subprocess.run([sys.executable, "-m", "laqs_assist", "packs", "check", str(pack)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert says in proc.stderr and proc.stderr.count("\n") == 1 and "pack.yaml" in proc.stderr


def test_a_pack_without_note_checks_writes_notes_without_them(tmp_path: Path) -> None:
    from datetime import date

    from laqs_assist import notes
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    folder = edited_pack(tmp_path, r"(?s)^note_checks:.*\Z", "")
    pack = load_pack(folder)
    assert pack.note_checks == ()
    with Store(tmp_path / "s.db") as store:
        s = Session.start(store, pack, agenda_id="la-contacts", organisation="Plain Borough", phases=["P"],
                          day="2026-11-10")
        s.answer("An answer")
        result = notes.write_note(store, pack, s.id, out_path=tmp_path / "n.docx", today=date(2026, 11, 11))
    assert result.checks == [] and Path(result.path).exists()


def test_a_visit_keeps_its_packs_version_and_its_year_by_the_packs_calendar(tmp_path: Path) -> None:
    from laqs_assist.calendar import academic_year
    from laqs_assist.session import Session
    from laqs_assist.store import Store

    assert academic_year("2026-08-31") == "2025/26" and academic_year("2026-09-01") == "2026/27"
    assert academic_year("2026-03-31", "04-01") == "2025/26" and academic_year("2026-04-01", "04-01") == "2026/27"
    assert academic_year("2026-06-30", "01-01") == "2026"
    folder = edited_pack(tmp_path, r'^  year_starts: "09-01"$', '  year_starts: "04-01"')
    pack = load_pack(folder)
    with Store(tmp_path / "s.db") as store:
        s = Session.start(store, pack, agenda_id="la-contacts", organisation="April Borough", phases=["P"],
                          day="2026-05-10")
        assert s.visit["academic_year"] == "2026/27" and s.visit["pack_version"] == "2009.1"
        with pytest.raises(Exception) as exc:
            Session.start(store, pack, agenda_id="la-contacts", organisation="X", kind="college", day="2026-05-10")
        assert "not used with 'college' organisations (its kinds: LA, school)" in str(exc.value)
        school = Session.start(store, pack, agenda_id="headteachers", organisation="Oak Primary", kind="School",
                               parent="April Borough", day="2026-05-11")
        assert school.visit["organisation_kind"] == "school"  # the pack's own spelling


def test_the_briefing_uses_the_agenda_the_pack_names_for_schools(tmp_path: Path) -> None:
    from laqs_assist.notes.briefing import headteachers_agenda

    assert headteachers_agenda(PACK).id == "headteachers"
    folder = edited_pack(tmp_path, r"^  - {id: school, name: School, agenda: headteachers}$",
                         "  - {id: school, name: School, agenda: la-contacts}")
    assert headteachers_agenda(load_pack(folder)).id == "la-contacts"
