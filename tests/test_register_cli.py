"""`laqs register …` end to end: what a user types, what they see, the exit codes, --json for scripts."""

from __future__ import annotations

import io
import json

import pytest

from laqs_assist.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    store = str(tmp_path / "laqs.db")

    def go(*args, stdin: str | None = None):
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--store", store, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def _setup(run):
    assert run("register", "add", "Any Borough", "--pack", "barnsley-register", "--name", "Oak Primary", "--urn",
               "100001", "--phase", "Primary", "--kind", "maintained", "--head-start", "2026-05-01")[0] == 0
    assert run("register", "add", "Any Borough", "--name", "Elm Academy", "--urn", "100002", "--phase",
               "Secondary", "--kind", "academy")[0] == 0


def test_assessment_walks_each_school_and_applies_the_rule(run):
    _setup(run)
    # schools come in name order: Elm Academy, then Oak Primary (whose new head's rule offers Low)
    code, out, err = run("register", "assess", "Any Borough", "--on", "2026-09-01",
                         stdin="high\ndata,ofsted\nOfsted requires improvement\n\n\nnew head settling in\n")
    assert code == 0, err
    assert "[1/2] Elm Academy" in out and "[2/2] Oak Primary" in out
    assert "automatic rule: new headteacher in post since 2026-05-01" in out
    assert "  level of risk [low]: " in out  # the rule's level offered
    assert "done: 2 set or changed, 0 unchanged" in out
    code, out, _ = run("register", "show", "Any Borough", "--on", "2026-11-20", "--json")
    data = json.loads(out)
    assert data["counts"] == {"none": 0, "low": 1, "medium": 0, "high": 1}
    by = {s["name"]: s for s in data["schools"]}
    assert by["Oak Primary"]["level"] == "low" and by["Oak Primary"]["visits_allowed"] == "3"
    assert by["Elm Academy"]["overdue"] == 1 and by["Elm Academy"]["due_by"] == "2026-12-31"
    # a second run the same day has nothing left to do; the answers running out keeps what was done
    code, out, _ = run("register", "assess", "Any Borough", "--on", "2026-09-01", stdin="")
    assert code == 0 and "reviewed on 2026-09-01 already" in out
    code, out, err = run("register", "review", "Any Borough", "--on", "2026-10-01", stdin="\n")
    assert code == 2 and "the answers ran out" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run("register", "school", "Any Borough", "Elm Academy", "--json")
    assert [h["kind"] for h in json.loads(out)["history"]] == ["level", "review"]


def test_bad_input_is_one_line_and_exit_2(run):
    _setup(run)
    for args, says in [
        (("register", "level", "Any Borough", "Oak Primary", "amber", "-e", "data", "-r", "x"), "no level of risk 'amber'"),
        (("register", "level", "Any Borough", "Oak Primary", "low", "-e", "data"), "say why (--reason)"),
        (("register", "escalate", "Any Borough", "Elm Academy", "iv", "-r", "x", "--not-engaging"), "the next step"),
        (("register", "show", "Nowhere"), "no LA 'Nowhere'"),
        (("register", "add", "New LA", "--name", "X", "--urn", "1", "--phase", "P", "--kind", "academy"),
         "say which register pack"),
        (("register", "support", "Any Borough", "Oak Primary", "3"), "has no charging"),
        (("register", "stage", "Any Borough", "Oak Primary", "2", "-r", "x"), "has no stages of concern"),
        (("register", "level", "Any Borough", "Oak Primary", "low", "-e", "data", "-r", "x", "--on", "2026-13-01"),
         "is not a date"),
    ]:
        code, out, err = run(*args)
        assert code == 2, (args, out, err)
        assert says in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_escalation_and_the_school_page(run):
    _setup(run)
    run("register", "level", "Any Borough", "Elm Academy", "high", "-e", "data", "-r", "results", "--on", "2026-09-01")
    code, out, err = run("register", "escalate", "Any Borough", "Elm Academy", "iii", "-r", "no reply",
                         "--not-engaging", "--on", "2026-10-01")
    assert code == 0 and "move directly to the formal steps" in out
    code, out, _ = run("register", "school", "Any Borough", "Elm Academy", "--on", "2026-10-02")
    assert "escalation (academy): step iii since 2026-10-01; next iv" in out
    assert "▶ iii" in out and "→ iv" in out
    assert "2026-10-01 escalation iii (shortcut)" in out


def test_charges_json_for_finance(run):
    run("register", "add", "Shire", "--pack", "staffordshire-register", "--name", "Ash High", "--urn", "200001",
        "--phase", "Secondary", "--kind", "maintained")
    run("register", "level", "Shire", "Ash High", "4", "-e", "ofsted", "-r", "inadequate", "--on", "2026-09-02")
    code, out, _ = run("register", "support", "Shire", "Ash High", "21", "--on", "2026-10-01")
    assert code == 0 and "21 days: 21 to 30 days – the school pays for 4 days — £1,920" in out
    code, out, err = run("register", "support", "Shire", "Ash High", "6", "--kind", "audit", "--on", "2026-10-01")
    assert code == 2 and "cap of 5 days" in err
    code, out, _ = run("register", "charges", "Shire", "--year", "2026/27", "--json")
    fin = json.loads(out)
    assert fin["total_charge"] == 1920 and fin["schools"][0]["pays_days"] == 4 and fin["day_rate"] == 480
    code, out, _ = run("register", "stage", "Shire", "Ash High", "2", "-f", "attainment", "-r", "falling",
                       "--on", "2026-10-05")
    code, out, _ = run("register", "stage", "Shire", "Ash High", "3", "-r", "pace", "--on", "2027-01-05")
    assert "stage 2 → 3: Where evaluation demonstrates insufficient pace move to Stage 3." in out
    code, out, _ = run("register", "show", "Shire", "--on", "2027-04-01")
    assert "! 2 terms of intervention since 2026-10-05: review whether to continue" in out


def test_outputs_letters_board_csv_and_facts(run, tmp_path):
    _setup(run)
    run("register", "level", "Any Borough", "Elm Academy", "high", "-e", "data", "-r", "results", "--on", "2026-09-01")
    run("register", "level", "Any Borough", "Oak Primary", "low", "-e", "data", "-r", "new head", "--on", "2026-09-01")
    code, out, err = run("register", "letters", "Any Borough", "--on", "2026-09-03", "--out", str(tmp_path / "l"))
    assert code == 0, err
    assert "2 letters written" in out and len(list((tmp_path / "l").glob("*.docx"))) == 2
    code, out, err = run("register", "letter", "Any Borough", "Oak Primary", "--on", "2026-09-03")
    assert code == 2 and "has not changed level of risk or been designated" in err
    run("register", "level", "Any Borough", "Oak Primary", "medium", "-e", "data", "-r", "slow start", "--on",
        "2026-11-02")
    code, out, err = run("register", "letter", "Any Borough", "Oak Primary", "--on", "2026-11-03")
    assert code == 0 and "oak-primary-change-2026-11-03.docx" in out
    code, out, err = run("register", "board", "Any Borough", "--on", "2026-11-20", "--out", str(tmp_path / "b.docx"))
    assert code == 0 and (tmp_path / "b.docx").stat().st_size > 5000
    code, out, _ = run("register", "csv", "Any Borough", "--on", "2026-11-20")
    lines = out.splitlines()
    assert lines[0].startswith("school,urn,phase,kind,level") and len(lines) == 3
    assert lines[2].startswith("Oak Primary,100001,Primary,maintained,medium,Medium risk/support,2026-11-02")
    code, out, _ = run("register", "list")
    assert code == 0 and "Any Borough" in out and "barnsley-register" in out and "2 schools" in out
    code, out, _ = run("register", "facts", "Any Borough", "--year", "2026/27", "--json")
    f = json.loads(out)
    assert f["schools"] == 2 and f["aspects"] == ["2.3", "2.4"]


def test_templates_check_knows_the_register_templates(run):
    from laqs_assist.paths import templates_dir

    for name, kind in (("register-letter.docx", "register-letter"), ("challenge-board.docx", "register-board")):
        code, out, err = run("templates", "check", str(templates_dir() / name))
        assert code == 0, err
        assert f"ok as a {kind} template — 0 refused, 0 unknown, 0 missing" in out


def test_import_schools_from_a_spreadsheet(run, tmp_path):
    good = tmp_path / "schools.csv"
    good.write_text("name,urn,phase,kind,head_start\nOak Primary,100001,Primary,maintained,2026-06-01\n"
                    "Elm Academy,100002,Secondary,academy,\n", encoding="utf-8")
    code, out, err = run("register", "import", "Any Borough", str(good), "--pack", "barnsley-register")
    assert code == 0 and "2 schools added" in out, err
    bad = tmp_path / "more.csv"
    bad.write_text("name,urn,phase,kind\nAsh School,100003,Primary,maintained\nBirch,100004,Primary,foundation\n",
                   encoding="utf-8")
    code, out, err = run("register", "import", "Any Borough", str(bad))
    assert code == 2 and f"{bad}:3: kind of school must be maintained or academy, not 'foundation'" in err
    assert "(1 school added before it; mend the line and import the file again)" in err
    bad.write_text("name,urn,phase,kind\nAsh School,100003,Primary,maintained\nBirch,100004,Primary,academy\n",
                   encoding="utf-8")
    code, out, err = run("register", "import", "Any Borough", str(bad))
    assert code == 0 and "1 school added to Any Borough's register; 1 already on it" in out
    code, out, _ = run("register", "show", "Any Borough", "--json")
    assert [s["name"] for s in json.loads(out)["schools"]] == ["Ash School", "Birch", "Elm Academy", "Oak Primary"]
    headless = tmp_path / "x.csv"
    headless.write_text("school,number\nA,1\n", encoding="utf-8")
    code, out, err = run("register", "import", "Any Borough", str(headless))
    assert code == 2 and "x.csv:1: the header needs the columns kind, name, phase, urn" in err
