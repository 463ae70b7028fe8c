"""The adviser's settings (laqs_assist.settings): where the file lives, reading it (and its faults, by file and line),
writing it atomically with every string escaped so that tomllib reads back exactly what was saved, the `laqs settings`
command, and the settings reaching `laqs chat` (author, phases) and the choice of store."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
from conftest_store import assert_one_line_failure, db_rows, run_laqs
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from laqs_assist import settings
from laqs_assist.errors import UsageError
from laqs_assist.settings import Settings


@pytest.fixture()
def cfg(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "config" / "settings.toml"
    monkeypatch.setenv("LAQS_CONFIG", str(path))
    return path


# --- where the file lives -----------------------------------------------------------------------------------------


def test_settings_path_prefers_laqs_config_then_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAQS_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert settings.settings_path() == tmp_path / "home" / ".config" / "laqs-assist" / "settings.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert settings.settings_path() == tmp_path / "xdg" / "laqs-assist" / "settings.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/xdg")  # the XDG spec: a relative value is ignored
    assert settings.settings_path() == tmp_path / "home" / ".config" / "laqs-assist" / "settings.toml"
    monkeypatch.setenv("LAQS_CONFIG", str(tmp_path / "mine.toml"))
    assert settings.settings_path() == tmp_path / "mine.toml"


# --- reading ------------------------------------------------------------------------------------------------------


def test_no_file_gives_the_defaults(cfg):
    s = settings.load()
    assert (s.name, s.store, s.phases, s.theme) == (None, None, [], None)
    assert not cfg.exists()


def test_load_reads_the_four_settings_and_ignores_others(cfg):
    cfg.parent.mkdir(parents=True)
    cfg.write_text('# mine\nname = "Jo Bloggs"\nstore = "/srv/laqs.db"\nphases = ["P", "S"]\ntheme = "nord"\n'
                   'future = 3\n', encoding="utf-8")
    assert settings.load() == Settings("Jo Bloggs", "/srv/laqs.db", ["P", "S"], "nord")


def test_phases_written_by_hand_as_one_string_are_split(cfg):
    cfg.parent.mkdir(parents=True)
    cfg.write_text('phases = "P, S"\n', encoding="utf-8")
    assert settings.load().phases == ["P", "S"]


@pytest.mark.parametrize("text, line, words", [
    ('name = "Jo Bloggs"\nphases = [P]\n', 2, "Invalid value"),
    ('name = "Jo\n', 1, "Illegal character"),
    ('name = "a"\nname = "b"\n', 2, "Cannot overwrite a value"),
    ('\n\ntheme "nord"\n', 3, "Expected '=' after a key"),
])
def test_a_broken_file_is_one_line_naming_the_file_and_line(cfg, text, line, words):
    cfg.parent.mkdir(parents=True)
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        settings.load()
    assert err.value.where == f"{cfg}:{line}"
    assert words in err.value.message and "\n" not in err.value.line()
    assert "(at line" not in err.value.message  # the line is said once, in where


@pytest.mark.parametrize("text, line, key", [
    ('\nname = 42\n', 2, "name"),
    ('store = ["a"]\n', 1, "store"),
    ('theme = "x"\nphases = [1, 2]\n', 2, "phases"),
])
def test_a_setting_of_the_wrong_kind_names_its_line(cfg, text, line, key):
    cfg.parent.mkdir(parents=True)
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        settings.load()
    assert err.value.where == f"{cfg}:{line}" and err.value.message.startswith(key)


def test_a_file_that_is_not_utf8_names_its_line(cfg):
    cfg.parent.mkdir(parents=True)
    cfg.write_bytes(b'theme = "nord"\nname = "Jos\xe9"\n')
    with pytest.raises(UsageError) as err:
        settings.load()
    assert err.value.where == f"{cfg}:2" and "UTF-8" in err.value.message


# --- writing ------------------------------------------------------------------------------------------------------


def test_save_writes_a_new_private_file_and_load_reads_it_back(cfg):
    s = settings.save(name="Jo Bloggs", phases=["P", "S"])
    assert s == Settings("Jo Bloggs", None, ["P", "S"], None) == settings.load()
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert tomllib.loads(cfg.read_text(encoding="utf-8")) == {"name": "Jo Bloggs", "phases": ["P", "S"]}
    assert [p.name for p in cfg.parent.iterdir()] == ["settings.toml"]  # no temporary file left behind


def test_save_changes_only_what_it_is_given_and_none_removes(cfg):
    settings.save(name="Jo", store="/srv/laqs.db", theme="nord")
    settings.save(theme=None, phases="P,S")
    assert settings.load() == Settings("Jo", "/srv/laqs.db", ["P", "S"], None)
    assert "theme" not in tomllib.loads(cfg.read_text(encoding="utf-8"))


def test_save_keeps_settings_it_does_not_know_and_the_files_mode(cfg):
    cfg.parent.mkdir(parents=True)
    cfg.write_text('name = "Jo"\nlater = "kept"\nflags = ["a", "b"]\nlevel = 3\nbeta = true\n', encoding="utf-8")
    os.chmod(cfg, 0o640)
    settings.save(theme="nord")
    assert tomllib.loads(cfg.read_text(encoding="utf-8")) == {"name": "Jo", "theme": "nord", "later": "kept",
                                                             "flags": ["a", "b"], "level": 3, "beta": True}
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640


def test_save_refuses_an_unknown_setting_and_writes_nothing(cfg):
    with pytest.raises(UsageError, match="unknown setting 'colour'"):
        settings.save(colour="red")
    assert not cfg.exists()


def test_save_refuses_to_rewrite_a_table_it_cannot_write(cfg):
    cfg.parent.mkdir(parents=True)
    cfg.write_text('name = "Jo"\n[app]\nx = 1\n', encoding="utf-8")
    before = cfg.read_bytes()
    with pytest.raises(UsageError, match="edit .* by hand"):
        settings.save(theme="nord")
    assert cfg.read_bytes() == before


HARD = ['Jo "the" Bloggs', "back\\slash", "tab\there", "new\nline", "cr\rlf", "nul\x00", "esc\x1b[31m", "del\x7f",
        "é ü ß", "emoji 🙂", "'single'", '"""', "\u2028 separator", "\ufeff bom"]


@pytest.mark.parametrize("value", HARD)
def test_every_string_is_escaped_so_it_reads_back_exactly(cfg, value):
    settings.save(name=value, phases=[value, "P"])
    s = settings.load()
    # load() trims what surrounds a value (a stray space typed by hand); inside it, every character is kept
    assert s.name == value.strip() and s.phases == [value.strip(), "P"]
    assert tomllib.loads(cfg.read_text(encoding="utf-8"))["name"] == value


@hsettings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1))
def test_any_text_round_trips_through_the_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("cfg") / "settings.toml"
    os.environ["LAQS_CONFIG"] = str(path)
    try:
        settings.save(theme=text)
        assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == text
    finally:
        del os.environ["LAQS_CONFIG"]


# --- the command --------------------------------------------------------------------------------------------------


def laqs(*args: str, cfg: Path, cwd: Path, **kw):
    env = {"LAQS_CONFIG": str(cfg)}
    env.update(kw.pop("env", {}))
    return run_laqs(*args, cwd=cwd, env=env, **kw)


def test_laqs_settings_shows_the_path_and_values(tmp_path):
    cfg = tmp_path / "settings.toml"
    proc = laqs("settings", cfg=cfg, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"settings file: {cfg} (not written yet)"
    assert "  name   = (not set: visits have no author unless --author says)" in proc.stdout
    assert not cfg.exists()
    for key, value in (("name", "Jo Bloggs"), ("phases", "p, secondary"), ("theme", "nord")):
        proc = laqs("settings", "set", key, value, cfg=cfg, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = laqs("settings", cfg=cfg, cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        f"settings file: {cfg}",
        "  name   = Jo Bloggs",
        "  store  = (not set: store/laqs.db under the current folder, or $LAQS_STORE)",
        "  phases = P, S",  # names and any case become the pack's ids
        "  theme  = nord",
    ]
    assert laqs("settings", "unset", "theme", cfg=cfg, cwd=tmp_path).returncode == 0
    assert settings_in(cfg) == {"name": "Jo Bloggs", "phases": ["P", "S"]}


def settings_in(cfg: Path) -> dict:
    return tomllib.loads(cfg.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args, words", [
    (["set", "colour", "red"], "unknown setting 'colour'"),
    (["unset", "colour"], "unknown setting 'colour'"),
    (["set", "phases", "P,Nursery"], "unknown phase 'Nursery'"),
    (["set", "phases", " , "], "give phase ids"),
    (["set", "name", "  "], "give a value for name"),
    (["set", "store", "/no/such/folder/laqs.db"], "no folder /no/such/folder for the store"),
])
def test_bad_settings_are_one_line_exit_2_and_change_nothing(tmp_path, args, words):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('name = "Jo"\n', encoding="utf-8")
    before = cfg.read_bytes()
    line = assert_one_line_failure(laqs("settings", *args, cfg=cfg, cwd=tmp_path))
    assert words in line
    assert cfg.read_bytes() == before


def test_a_store_setting_is_kept_absolute(tmp_path):
    cfg = tmp_path / "settings.toml"
    (tmp_path / "visits").mkdir()
    proc = laqs("settings", "set", "store", "visits/laqs.db", cfg=cfg, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert settings_in(cfg)["store"] == str(tmp_path / "visits" / "laqs.db")


def test_a_theme_textual_lacks_is_kept_with_a_note(tmp_path):
    cfg = tmp_path / "settings.toml"
    proc = laqs("settings", "set", "theme", "nrod", cfg=cfg, cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.startswith("laqs: note: 'nrod' is not one of Textual's themes (")
    assert settings_in(cfg) == {"theme": "nrod"}


def test_a_broken_settings_file_stops_the_commands_that_read_it_in_one_line(tmp_path):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('name = "Jo"\nphases = [P\n', encoding="utf-8")
    for args in (["settings"], ["settings", "set", "theme", "nord"], ["chat", "--org", "X"], ["visits"]):
        line = assert_one_line_failure(laqs(*args, cfg=cfg, cwd=tmp_path, input="/quit\n"))
        assert line.startswith(f"laqs: error: {cfg}:2: "), line
    # a command told its store does not need the settings
    db = tmp_path / "laqs.db"
    assert laqs("visits", cfg=cfg, cwd=tmp_path, store=db).returncode == 0


# --- the settings at work -----------------------------------------------------------------------------------------


def test_chat_takes_its_author_and_phases_from_the_settings(tmp_path):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('name = "Jo Bloggs"\nphases = ["S"]\n', encoding="utf-8")
    db = tmp_path / "laqs.db"
    proc = laqs("chat", "--org", "Any Borough", cfg=cfg, cwd=tmp_path, store=db, input="/quit\n")
    assert proc.returncode == 0, proc.stderr
    proc = laqs("chat", "--org", "Any Borough", "--phase", "P", "--author", "Sam Lee", cfg=cfg, cwd=tmp_path,
                store=db, input="/quit\n")
    assert proc.returncode == 0, proc.stderr
    rows = db_rows(db, "SELECT author, phases FROM visits ORDER BY created_at")
    assert [(r["author"], json.loads(r["phases"])) for r in rows] == [("Jo Bloggs", ["S"]), ("Sam Lee", ["P"])]


def test_phases_in_the_settings_the_pack_lacks_are_named_with_the_file(tmp_path):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('phases = ["P", "Nursery"]\n', encoding="utf-8")
    line = assert_one_line_failure(laqs("chat", "--org", "X", cfg=cfg, cwd=tmp_path, store=tmp_path / "laqs.db",
                                        input="/quit\n"))
    assert "unknown phase 'Nursery'" in line and str(cfg) in line
    assert not (tmp_path / "laqs.db").exists()


def test_the_store_comes_from_store_option_then_laqs_store_then_settings_then_the_default(tmp_path):
    folder = tmp_path / "stores"
    folder.mkdir()
    cfg = tmp_path / "settings.toml"
    cfg.write_text(f'store = "{folder / "from-settings.db"}"\n', encoding="utf-8")

    def record(org, **kw):
        proc = laqs("chat", "--org", org, "--phase", "P", cfg=cfg, cwd=tmp_path, input="/quit\n", **kw)
        assert proc.returncode == 0, proc.stderr

    record("A")
    record("B", env={"LAQS_STORE": str(folder / "from-env.db")})
    record("C", env={"LAQS_STORE": str(folder / "from-env.db")}, store=folder / "from-option.db")
    cfg.write_text("", encoding="utf-8")
    record("D")
    orgs = {name: [r["name"] for r in db_rows(path, "SELECT name FROM organisations")]
            for name, path in (("settings", folder / "from-settings.db"), ("env", folder / "from-env.db"),
                               ("option", folder / "from-option.db"), ("default", tmp_path / "store" / "laqs.db"))}
    assert orgs == {"settings": ["A"], "env": ["B"], "option": ["C"], "default": ["D"]}
