"""A scripted two-phase interview through a real `laqs chat` process: Primary ends Good and Secondary ends Requires
some improvement from per-phase judgements alone, read back in `laqs dashboard` (text and --json) and in the note of
visit; then the same visit with the Secondary rating overridden and the Primary one agreed, marked apart."""

from __future__ import annotations

import json
import re

import pytest
from conftest_store import SHIPPED_PACK, run_laqs
from docx import Document

ORG, DAY, YEAR = "Any Borough", "2026-11-20", "2026/27"
GOOD, NI = SHIPPED_PACK.column("G"), SHIPPED_PACK.column("NI")

# Primary: both critical management-information criteria met, all seven SIP-report features present (so 2.4.G.4
# holds), the risk register shared and QA effective, some evidence of impact: Good. Secondary: the same system met
# for gathering information but not for predicting risk (2.4.G.2, critical for Good), two features missing (which
# 2.4.NI.5 caps at Requires some improvement), some evidence of impact: Requires some improvement.
JUDGEMENTS = [
    "/met 2.4.G.1 2.4.G.2 2.4.G.3 2.4.G.5 P",
    "/count 2.4.report-features 7 P",
    "/impact some P",
    "/met 2.4.G.1 S",
    "/not 2.4.G.2 S",
    "/count 2.4.report-features 5 S",
    "/impact some S",
    "/rating 2.4",
]
OVERRIDE_REASON = "the reports seen this term show all seven features"


def chat(store, *lines: str):
    script = "\n".join(lines) + "\n"
    proc = run_laqs("chat", "--org", ORG, "--phase", "P", "--phase", "S", "--focus", "2.4", "--date", DAY,
                    store=store, input=script, cwd=store.parent)
    assert "Traceback" not in proc.stdout + proc.stderr
    visit = re.match(r"Visit ([0-9a-f]{8}) — ", proc.stdout)
    assert visit, proc.stdout[:300]
    return proc, visit.group(1)


def board(store, *extra: str):
    proc = run_laqs("dashboard", ORG, "--year", YEAR, *extra, store=store, cwd=store.parent)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if "--json" in extra else [line.rstrip() for line in proc.stdout.splitlines()]


def held(data: dict, phase: str, aspect: str = "2.4") -> tuple[str | None, dict]:
    row = next(r for r in data["rows"] if r["phase"] == phase)
    return row["aspects"][aspect], row["standings"][aspect]


def note(store, visit: str) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The note of visit written by `laqs note`: its ratings table (aspect, phase) -> Rating cell, and paragraphs."""
    out = store.parent / f"note-{visit}.docx"
    proc = run_laqs("note", visit, "--out", str(out), store=store, cwd=store.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    doc = Document(str(out))
    cells = {}
    for t in doc.tables:
        if [c.text for c in t.rows[0].cells][:3] == ["Aspect", "Phase", "Rating"]:
            cells.update({(r.cells[0].text, r.cells[1].text): r.cells[2].text for r in t.rows[1:]})
    return cells, [p.text for p in doc.paragraphs]


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    store = tmp_path_factory.mktemp("two-phase") / "laqs.db"
    proc, visit = chat(store, *JUDGEMENTS, "/end", "/quit")
    assert proc.returncode == 0, proc.stderr
    return store, visit, proc.stdout


def test_each_judgement_is_recorded_for_the_phase_that_follows_its_id(judged):
    _, _, out = judged
    assert "✓ 2.4.G.2 met (Primary only)" in out
    assert "✓ 2.4.G.2 not met (Secondary only)" in out
    assert "✓ 2.4.report-features: 7 present (Primary only)" in out
    assert "✓ 2.4.report-features: 5 present (Secondary only)" in out
    assert "✓ evidence of impact for 2.4: some (Secondary only)" in out
    assert "unknown criterion" not in out


def test_the_judgements_alone_give_primary_good_and_secondary_requires_some_improvement(judged):
    _, _, out = judged
    assert "2.4 Primary: Good (ceiling Outstanding)" in out
    assert "2.4 Secondary: Requires some improvement (ceiling Requires some improvement)" in out
    assert "capped by 2.4.NI.5" in out
    ended = out[out.index("ended. Ratings:"):]
    assert "2.4 Primary: suggested Good" in ended
    assert "2.4 Secondary: suggested Requires some improvement" in ended
    assert "overridden" not in ended and "accepted" not in ended


def test_the_dashboard_json_holds_them_as_suggestions(judged):
    store, _, _ = judged
    data = board(store, "--json")
    for phase, column in (("P", "G"), ("S", "NI")):
        rating, standing = held(data, phase)
        assert rating == column
        assert standing["rating"] == column
        assert standing["standing"] == "suggested"
        assert standing["rests_on"] == "suggested from the year's evidence"
        assert "reason" not in standing and "departure" not in standing
    # Early Years is not a phase of the visit: nothing rated there
    assert held(data, "EY")[1]["standing"] == "not rated"


def test_the_dashboard_text_shows_them_unmarked(judged):
    store, _, _ = judged
    rows = board(store)
    assert "Primary                —    —    —    —    —    | —    —    —    G    —" in rows
    assert "Secondary              —    —    —    —    —    | —    —    —    NI   —" in rows
    table = rows[:rows.index(next(r for r in rows if r.startswith("Marks: ")))]
    assert not any("*" in r or "=" in r for r in table)


def test_the_note_rates_primary_good_and_secondary_requires_some_improvement(judged):
    store, visit, _ = judged
    cells, text = note(store, visit)
    assert cells[("2.4", "Primary")] == f"{GOOD.note} (suggested)"
    assert cells[("2.4", "Secondary")] == f"{NI.note} (suggested)"
    assert any(p.startswith(f"Primary: {GOOD.note}. Suggested from the year's evidence.") for p in text)
    secondary = next(p for p in text if p.startswith(f"Secondary: {NI.note}."))
    assert "Capped at Requires some improvement by 2.4.NI.5" in secondary


# --- the adviser decides after /end ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    store = tmp_path_factory.mktemp("two-phase-decided") / "laqs.db"
    proc, visit = chat(store, *JUDGEMENTS, "/end", "/override 2.4 S G because I say so",
                       f"/override 2.4 S G {OVERRIDE_REASON}", "/accept 2.4 P", "/quit")
    return store, visit, proc


def test_an_override_above_the_ceiling_needs_a_reason_of_several_words(decided):
    _, _, proc = decided
    # refused in one line naming the input line, and the visit's other lines still recorded
    refused = [x for x in proc.stderr.splitlines() if "to depart from them give a reason of at least 5 words" in x]
    assert len(refused) == 1 and refused[0].startswith("laqs: line 10: ")
    assert "Good is above what the criteria allow at most Requires some improvement" in refused[0]
    assert proc.returncode == 2, proc.stderr
    assert "1 of " in proc.stderr and "input lines failed" in proc.stderr
    assert "✓ 2.4 S overridden to G" in proc.stdout
    assert "✓ 2.4 P accepted" in proc.stdout


def test_the_dashboard_marks_the_override_and_the_agreement(decided):
    store, _, _ = decided
    rows = board(store)
    assert "Primary                —    —    —    —    —    | —    —    —    G=   —" in rows
    assert "Secondary              —    —    —    —    —    | —    —    —    G*   —" in rows
    assert any(r.startswith("Marks: G* the adviser's override, G= agreed with the suggestion") for r in rows)


def test_the_dashboard_json_gives_the_override_its_reason_and_what_the_criteria_say(decided):
    store, visit, _ = decided
    data = board(store, "--json")
    rating, agreed = held(data, "P")
    assert rating == "G"
    assert agreed["standing"] == "agreed"
    assert agreed["rests_on"] == f"agreed at the visit of {DAY}"
    assert agreed["visit_id"].startswith(visit)
    assert "departure" not in agreed
    rating, overridden = held(data, "S")
    assert rating == "G"
    assert overridden["standing"] == "overridden"
    assert overridden["rests_on"] == f"adviser's override at the visit of {DAY}"
    assert overridden["reason"] == OVERRIDE_REASON
    assert overridden["departure"]["ruled_out"] is True
    assert overridden["departure"]["line"].startswith(
        "2.4 Secondary: Good is above what the criteria allow at most Requires some improvement: "
        "capped at Requires some improvement by 2.4.NI.5")


def test_the_note_marks_the_override_and_the_agreement(decided):
    store, visit, _ = decided
    cells, _ = note(store, visit)
    assert cells[("2.4", "Primary")] == f"{GOOD.note} (agreed)"
    assert cells[("2.4", "Secondary")].startswith(f"{GOOD.note} (adviser's rating; the criteria allow at most")
