"""Line mode for scripts and screen readers, as real `laqs chat` processes: input that is not UTF-8, output in any
locale, failed lines named by number with exit 2, the echoed transcript, /flag /unflag /edit with a question id or
an answer id, user text shown inert, and (in a real pseudo-terminal) the half-typed answer kept as the draft."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from conftest_store import db_rows, db_value, run_laqs

CHAT = ["chat", "--org", "Any Borough", "--phase", "P", "--focus", "2.4", "--date", "2026-11-20"]


def chat_bytes(db: Path, data: bytes, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
    """`laqs chat` with raw bytes on standard input; output decoded as UTF-8 by the test."""
    full = dict(os.environ, PYTHONIOENCODING="utf-8")
    full.pop("LAQS_STORE", None)
    full["LAQS_CONFIG"] = str(db.parent / "no-settings.toml")
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "laqs_assist", "--store", str(db), *(args or CHAT)], input=data,
                          stdout=subprocess.PIPE, stderr=stderr, env=full, cwd=cwd or db.parent, timeout=120)


def chat(db: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess:
    return run_laqs(*(args or CHAT), store=db, input="\n".join(lines) + "\n", cwd=db.parent,
                    env={"LAQS_CONFIG": str(db.parent / "no-settings.toml")})


# --- input that is not UTF-8 --------------------------------------------------------------------------------------


def test_a_line_that_is_not_utf8_is_read_with_its_bad_bytes_replaced_and_the_rest_runs(tmp_path):
    db = tmp_path / "laqs.db"
    script = b"".join([b"The risk register is reviewed monthly\n",
                       b"Reports from the caf\xe9 meeting are timely\n",  # Windows-1252 e-acute: not UTF-8
                       "yes, the MIS draws on every report — fully\n".encode(),
                       b"/note 2.4 Minutes filed \xff\xfe\n",
                       b"/quit\n"])
    proc = chat_bytes(db, script)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert err.splitlines() == ["laqs: line 2: not UTF-8; unreadable bytes replaced with \ufffd",
                                "laqs: line 4: not UTF-8; unreadable bytes replaced with \ufffd"]
    texts = [r["text"] for r in db_rows(db, "SELECT text FROM responses ORDER BY rowid")]
    assert texts == ["The risk register is reviewed monthly", "Reports from the caf\ufffd meeting are timely",
                     "yes, the MIS draws on every report — fully", "Minutes filed \ufffd\ufffd"]


def test_a_byte_order_mark_is_not_part_of_the_first_answer(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat_bytes(db, "\ufeffThe risk register\n/quit\n".encode())
    assert proc.returncode == 0 and proc.stderr == b""
    assert db_value(db, "SELECT text FROM responses") == "The risk register"


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""},
                                 {"PYTHONIOENCODING": "latin-1"}])
def test_output_never_fails_on_the_locales_encoding(tmp_path, env):
    """✓, ⚑, — and an answer in Greek cannot all be written in ASCII or Latin-1: they come out as escapes, and the
    interview goes on to the end."""
    db = tmp_path / "laqs.db"
    script = "Η επιτροπή συνεδριάζει μηνιαίως\n/flag\n/met 2.4.G.1\n/where\n/quit\n".encode()
    proc = chat_bytes(db, script, env=env)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err and "UnicodeEncodeError" not in out + err
    assert "Paused. Resume with: laqs chat --resume" in out
    assert db_value(db, "SELECT text FROM responses") == "Η επιτροπή συνεδριάζει μηνιαίως"
    assert db_value(db, "SELECT concerns_individual FROM responses") == 1
    if env.get("PYTHONIOENCODING") == "ascii":
        assert "\\u2713 saved (" in out and "> \\u0397" in out


# --- failed lines -------------------------------------------------------------------------------------------------


FAILING = [
    "The risk register is reviewed monthly",  # 1 ok: A3.2.4.1
    "/met 2.4.X",  # 2 unknown criterion
    "",  # 3 blank: nothing, not counted
    "/frobnicate",  # 4 unknown command
    "Reports are timely",  # 5 ok: A3.2.4.2
    "maybe",  # 6 A3.2.4.3 wants yes/no: asked again
    "yes, it is used",  # 7 ok
    "/count 2.4.report-features many",  # 8 command error
    "/quit",  # 9
]


def test_failed_lines_are_named_by_number_and_the_script_exits_2_keeping_the_rest(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, FAILING)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "laqs: line 2: unknown criterion '2.4.X' (see `laqs packs show`)",
        "laqs: line 4: unknown command /frobnicate: type /help for the list",
        "laqs: line 6: answer yes, no or partly first (detail can follow: 'yes, because …')",
        "laqs: line 8: give a set and how many items are present, e.g. /count 2.4.report-features 5",
        "laqs: 4 of 8 input lines failed; every other line was recorded",
    ]
    rows = db_rows(db, "SELECT question_id, text, value FROM responses ORDER BY rowid")
    assert rows == [{"question_id": "A3.2.4.1", "text": "The risk register is reviewed monthly", "value": None},
                    {"question_id": "A3.2.4.2", "text": "Reports are timely", "value": None},
                    {"question_id": "A3.2.4.3", "text": "yes, it is used", "value": "yes"}]
    assert db_value(db, "SELECT count(*) FROM judgements") == 0
    assert db_value(db, "SELECT status FROM visits") == "paused"
    # the transcript shows each failure where it happened
    out = proc.stdout.splitlines()
    assert out[out.index("> /met 2.4.X") + 1] == "! unknown criterion '2.4.X' (see `laqs packs show`)"


def test_a_script_whose_lines_all_work_exits_0_with_nothing_on_stderr(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, ["The risk register is reviewed monthly", "/met 2.4.G.1", "/impact some", "/rating", "/quit"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_a_script_that_ends_without_quit_still_counts_its_failures(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, ["/met NOPE", "The risk register"])
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == "laqs: 1 of 2 input lines failed; every other line was recorded"
    assert db_value(db, "SELECT status FROM visits") == "paused"  # end of input pauses the visit
    assert db_value(db, "SELECT text FROM responses") == "The risk register"


def test_a_too_long_answer_fails_its_line_and_the_next_line_is_recorded(tmp_path):
    db = tmp_path / "laqs.db"
    big = "x" * (1024 * 1024 + 1)
    proc = chat(db, [big, "The risk register", "/quit"])
    assert proc.returncode == 2
    err = proc.stderr.splitlines()
    assert err[0].startswith("laqs: line 1: this answer is 1.0 MB; an answer can be at most 1 MB")
    assert err[1] == "laqs: 1 of 3 input lines failed; every other line was recorded"
    assert [r["text"] for r in db_rows(db, "SELECT text FROM responses")] == ["The risk register"]
    # the echo names a pasted document by its size instead of reading a megabyte out
    echo = next(line for line in proc.stdout.splitlines() if line.startswith("> xxx"))
    assert echo.endswith(f"… ({len(big):,} characters)") and len(echo) < 1100


def test_with_stderr_on_stdout_a_failure_is_printed_once(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat_bytes(db, b"/met 2.4.X\n/quit\n", stderr=subprocess.STDOUT)
    out = proc.stdout.decode().splitlines()
    assert proc.returncode == 2
    assert [line for line in out if "2.4.X" in line] == [
        "> /met 2.4.X", "laqs: line 1: unknown criterion '2.4.X' (see `laqs packs show`)"]


# --- the transcript -----------------------------------------------------------------------------------------------


def test_each_line_read_is_echoed_before_its_result(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, ["The risk register is reviewed monthly", "", "/met 2.4.G.3", "/quit"])
    out = proc.stdout.splitlines()
    i = out.index("> The risk register is reviewed monthly")
    assert out[i + 1].startswith("✓ saved (")
    j = out.index("> /met 2.4.G.3")
    assert j > i and out[j + 1] == "✓ 2.4.G.3 met"
    assert out[out.index("> /quit") + 1].startswith("Paused. Resume with: laqs chat --resume ")
    assert "> " not in out  # a blank line is not echoed


# --- /flag, /unflag and /edit with a reference --------------------------------------------------------------------


def test_flag_unflag_and_edit_name_the_answer_by_question_or_id(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, [
        "The risk register is reviewed monthly",  # A3.2.4.1
        "Reports are timely",  # A3.2.4.2
        "/flag",  # the answer just given: A3.2.4.2
        "/flag a3.2.4.1",  # by question id, any case
        "/unflag A3.2.4.2",
        "/edit Reports are timely and accurate",  # no ref: the answer just given
        "/edit A3.2.4.1 The register is reviewed weekly",  # by question id
        "/quit",
    ])
    assert proc.returncode == 0, proc.stderr
    r1, r2 = db_rows(db, "SELECT id, question_id, text, concerns_individual FROM responses ORDER BY rowid")
    assert (r1["question_id"], r1["text"], r1["concerns_individual"]) == (
        "A3.2.4.1", "The register is reviewed weekly", 1)
    assert (r2["question_id"], r2["text"], r2["concerns_individual"]) == (
        "A3.2.4.2", "Reports are timely and accurate", 0)
    out = proc.stdout.splitlines()
    assert f"✓ ⚑ flagged the answer to A3.2.4.2 ({r2['id'][:8]}): it concerns an individual and stays out of " \
           "shared notes" in out
    assert f"✓ ⚑ flagged the answer to A3.2.4.1 ({r1['id'][:8]}): it concerns an individual and stays out of " \
           "shared notes" in out
    assert f"✓ the answer to A3.2.4.2 ({r2['id'][:8]}) is no longer flagged" in out
    assert f"✓ replaced the answer to A3.2.4.2 ({r2['id'][:8]}) (the earlier text is kept in its history)" in out
    assert f"✓ replaced the answer to A3.2.4.1 ({r1['id'][:8]}) (the earlier text is kept in its history)" \
           "  ⚑ flagged" in out
    versions = db_rows(db, "SELECT r.question_id, v.text FROM response_versions v JOIN responses r "
                           "ON r.id = v.response_id ORDER BY v.replaced_at")
    assert versions == [{"question_id": "A3.2.4.2", "text": "Reports are timely"},
                        {"question_id": "A3.2.4.1", "text": "The risk register is reviewed monthly"}]


def test_edit_by_answer_id_and_words_that_only_look_like_a_reference(tmp_path):
    db = tmp_path / "laqs.db"
    first = chat(db, ["The risk register is reviewed monthly", "Reports are timely", "/quit"])
    r1, r2 = db_rows(db, "SELECT id FROM responses ORDER BY rowid")
    proc = chat(db, [
        f"/edit {r1['id'][:8]} Reviewed weekly now",  # an answer id the chat shows
        "/edit deadbeefcafe is not an answer here",  # hex, but no answer of this visit: all of it is text
        "/edit A3.9.9.9 is no question of this visit",  # likewise
        "/edit A3.2.4.1",  # a reference and no text: refused, not recorded as the text
        "/edit A3.2.4.3 yes",  # a question of the visit not yet answered
        "/quit",
    ], "chat", "--resume", "last")
    assert first.returncode == 0
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "laqs: line 4: give the new text after A3.2.4.1: /edit A3.2.4.1 TEXT",
        "laqs: line 5: question A3.2.4.3 has not been answered in this visit",
        "laqs: 2 of 6 input lines failed; every other line was recorded",
    ]
    texts = {r["id"]: r["text"] for r in db_rows(db, "SELECT id, text FROM responses")}
    # after the edit by id, r1 is the answer just given: the two lines without a reference replaced it in turn
    assert texts[r1["id"]] == "A3.9.9.9 is no question of this visit"
    history = [v["text"] for v in db_rows(db, "SELECT text FROM response_versions WHERE response_id = ? "
                                              "ORDER BY replaced_at", [r1["id"]])]
    assert history == ["The risk register is reviewed monthly", "Reviewed weekly now",
                       "deadbeefcafe is not an answer here"]
    assert texts[r2["id"]] == "Reports are timely"


def test_edit_with_only_text_after_resume_replaces_the_last_answer_given(tmp_path):
    db = tmp_path / "laqs.db"
    chat(db, ["The risk register is reviewed monthly", "Reports are timely", "/quit"])
    proc = chat(db, ["/edit deadbeefcafe is the code on the report", "/quit"], "chat", "--resume", "last")
    assert proc.returncode == 0, proc.stderr
    assert db_rows(db, "SELECT question_id, text FROM responses ORDER BY rowid")[1] == {
        "question_id": "A3.2.4.2", "text": "deadbeefcafe is the code on the report"}


def test_the_recorded_line_shows_the_flag_when_revisiting(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, ["Reports name one weak officer", "/flag", "/back", "/quit"])
    assert proc.returncode == 0, proc.stderr
    assert "  recorded: Reports name one weak officer  ⚑ flagged  (answer again to replace it)" in \
        proc.stdout.splitlines()


def test_help_lists_the_references(tmp_path):
    proc = chat(tmp_path / "laqs.db", ["/help", "/quit"])
    out = proc.stdout
    assert "/flag [QID|ID]" in out and "/unflag [QID|ID]" in out and "/edit [QID|ID] TEXT" in out


# --- user text is inert -------------------------------------------------------------------------------------------


def test_user_text_printed_by_line_mode_is_inert(tmp_path):
    db = tmp_path / "laqs.db"
    hostile = "Title\x1b]0;pwned\x07 and \x1b[2J cleared"
    proc = run_laqs("chat", "--org", "Evil\x1b[31m Borough", "--phase", "P", "--focus", "2.4", store=db,
                    input="\n".join([hostile, "/action Fix\x1b[5m it | Jo\x07 | 2026-12-15", "/actions", "/back",
                                     "/where", "/met X\x1b[2J", "/quit"]) + "\n",
                    cwd=tmp_path, env={"LAQS_CONFIG": str(tmp_path / "none.toml")})
    assert proc.returncode == 2, proc.stderr  # the /met line fails
    out = proc.stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil␛[31m Borough" in out.splitlines()[0]
    assert "> Title␛]0;pwned␇ and ␛[2J cleared" in out
    assert "recorded: Title␛]0;pwned␇ and ␛[2J cleared" in out
    assert "Fix␛[5m it — Jo␇, due 2026-12-15" in out
    assert "! unknown criterion 'X␛[2J' (see `laqs packs show`)" in out  # a message quoting what was typed
    assert "laqs: line 6: unknown criterion 'X␛[2J'" in proc.stderr and "\x1b" not in proc.stderr
    assert db_value(db, "SELECT text FROM responses") == hostile  # kept exactly as typed


# --- drafts in a terminal -----------------------------------------------------------------------------------------


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Terminal:
    """`laqs chat` on a real pseudo-terminal, so prompt-toolkit runs as it does for an adviser."""

    def __init__(self, db: Path, *args: str) -> None:
        import pty

        self.master, slave = pty.openpty()
        env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="120", LINES="40",
                   LAQS_CONFIG=str(db.parent / "none.toml"))
        env.pop("LAQS_STORE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "laqs_assist", "--store", str(db), *args],
                                     stdin=slave, stdout=slave, stderr=slave, env=env, cwd=db.parent,
                                     start_new_session=True)
        os.close(slave)
        self.raw = b""

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.raw += chunk

    def until(self, words: str, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        while words not in self.text:
            if time.monotonic() > end or self.proc.poll() is not None and not self._more():
                raise AssertionError(f"no {words!r} on the terminal: {self.text[-2000:]!r}")
            self.read(0.1)

    def _more(self) -> bool:
        before = len(self.raw)
        self.read(0.2)
        return len(self.raw) > before

    def type(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def finish(self, seconds: float = 30) -> int:
        end = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < end:
            self.read(0.1)
        if self.proc.poll() is None:
            self.kill()
            raise AssertionError(f"chat did not leave: {self.text[-2000:]!r}")
        self.read(0.2)
        os.close(self.master)
        return self.proc.returncode

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        os.close(self.master)


def _draft(db: Path) -> dict | None:
    rows = db_rows(db, "SELECT * FROM drafts")
    return rows[0] if rows else None


def _wait_for_draft(db: Path, text: str, seconds: float = 10) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        d = _draft(db)
        if d and d["text"] == text:
            return d
        time.sleep(0.1)
    raise AssertionError(f"draft is {_draft(db)!r}, not {text!r}")


@pytest.fixture()
def visit_db(tmp_path):
    db = tmp_path / "laqs.db"
    proc = chat(db, ["/quit"])
    assert proc.returncode == 0, proc.stderr
    return db


def test_a_half_typed_answer_survives_a_kill_and_comes_back_on_resume(visit_db):
    db = visit_db
    term = Terminal(db, "chat", "--resume", "last")
    term.until("›")
    term.read(0.3)
    term.type("The register is reviewed")
    draft = _wait_for_draft(db, "The register is reviewed")  # saved within the half-second after typing stops
    term.kill()  # a closed terminal or a crash: nothing runs on the way out
    assert db_value(db, "SELECT count(*) FROM responses") == 0

    term = Terminal(db, "chat", "--resume", "last")
    when = datetime.fromisoformat(draft["updated_at"]).astimezone().strftime("%H:%M")
    term.until(f"draft from {when} restored")
    term.until("› The register is reviewed")
    term.type(" monthly\r")
    term.until("✓ saved (")
    assert db_rows(db, "SELECT question_id, text FROM responses") == [
        {"question_id": "A3.2.4.1", "text": "The register is reviewed monthly"}]
    assert _draft(db) is None  # the answer's commit took the draft with it
    term.type("/quit\r")
    assert term.finish() == 0


def test_ctrl_c_keeps_the_line_as_the_draft_and_ctrl_d_leaves(visit_db):
    db = visit_db
    term = Terminal(db, "chat", "--resume", "last")
    term.until("›")
    term.read(0.3)
    term.type("Half an answer")
    term.type(b"\x03")  # at once, before the half-second: Ctrl+C saves it there and then
    term.until("(kept as the draft: ↑ brings it back)")
    assert _draft(db)["text"] == "Half an answer"
    term.type(b"\x04")  # Ctrl+D on the empty line: leave; the draft is not cleared by leaving
    assert term.finish() == 0
    assert _draft(db)["text"] == "Half an answer"
    assert db_value(db, "SELECT status FROM visits") == "paused"


def test_a_command_typed_is_not_left_behind_as_a_draft(visit_db):
    db = visit_db
    term = Terminal(db, "chat", "--resume", "last")
    term.until("›")
    term.read(0.3)
    term.type("/met 2.4.G.1")
    _wait_for_draft(db, "/met 2.4.G.1")
    term.type("\r")
    term.until("✓ 2.4.G.1 met")
    end = time.monotonic() + 10
    while _draft(db) is not None and time.monotonic() < end:
        time.sleep(0.1)
    assert _draft(db) is None
    term.type("/quit\r")
    assert term.finish() == 0


def test_piped_input_has_no_draft(visit_db):
    db = visit_db
    conn_text = "kept from the app"
    import sqlite3

    conn = sqlite3.connect(str(db))
    vid = conn.execute("SELECT id FROM visits").fetchone()[0]
    conn.execute("INSERT INTO drafts (visit_id, item_id, text, updated_at) VALUES (?, NULL, ?, ?)",
                 [vid, conn_text, "2026-11-20T14:32:00+00:00"])
    conn.commit()
    conn.close()
    proc = chat(db, ["/where", "/quit"], "chat", "--resume", "last")
    assert proc.returncode == 0, proc.stderr
    assert "restored" not in proc.stdout
    assert _draft(db)["text"] == conn_text  # neither restored nor cleared by a script
