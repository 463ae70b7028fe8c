"""Overrides are judgements with reasons: one the criteria rule out (above the ceiling, over a cap) is refused without
a reason of substance, naming what the criteria allow; with one it stands, and the note and the briefing mark it as
the adviser's beside what the criteria allow, apart from agreed ratings and untouched suggestions."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document

from laqs_assist import notes
from laqs_assist.errors import UsageError
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.session import Session
from laqs_assist.session.year import REASON_WORDS, departure, year_rating_details
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
NI, SI = PACK.column("NI").label, PACK.column("SI").label
REASON = "the LA's own moderation of forty SIP reports shows all seven features"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "laqs.db") as s:
        yield s


def start(store, **kw) -> Session:
    args = dict(agenda_id="la-contacts", organisation="Any Borough", phases=["P"], focus=["2.4"],
                author="Sam Adviser", day="2026-11-20")
    args.update(kw)
    return Session.start(store, PACK, **args)


def capped_24(s: Session) -> None:
    """2.4 Primary capped at NI: two of the seven report features missing (2.4.NI.5), no evidence of impact."""
    s.judge("2.4.G.1", "met")
    s.judge("2.4.report-features", 5)


def one_line(exc: UsageError) -> str:
    line = exc.line()
    assert line.strip() and "\n" not in line and "Traceback" not in line
    return line


def paragraphs(path) -> list[str]:
    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            out.extend(c.text for c in row.cells)
    return out


def rating_cells(path) -> dict[tuple[str, str], str]:
    """(aspect, phase) -> the Rating cell of the ratings table of a rendered note or briefing."""
    doc = Document(str(path))
    out = {}
    for t in doc.tables:
        head = [c.text for c in t.rows[0].cells]
        if head[:3] == ["Aspect", "Phase", "Rating"]:
            for row in t.rows[1:]:
                cells = [c.text for c in row.cells]
                out[(cells[0], cells[1])] = cells[2]
    return out


# --- the rule ----------------------------------------------------------------------------------------------------


def test_an_override_above_the_ceiling_is_refused_without_a_reason_of_substance(store):
    s = start(store)
    capped_24(s)
    r = s.rating("2.4", "P")
    assert (r.suggestion, r.ceiling, r.cap) == ("NI", "NI", "NI")
    for thin in ("because I say so", "better than that", "ok"):
        with pytest.raises(UsageError) as info:
            s.override("2.4", "P", "G", thin)
        line = one_line(info.value)
        assert line.startswith(f"2.4 Primary: Good is above what the criteria allow at most {NI}: ")
        assert f"capped at {NI} by 2.4.NI.5" in line and "2.4.G.4 not met" in line
        assert "evidence of impact (none recorded)" in line
        assert f"at least {REASON_WORDS} words" in line
    with pytest.raises(UsageError) as info:
        s.override("2.4", "P", "G", "   ")
    assert one_line(info.value).startswith("an override needs a reason; 2.4 Primary: Good is above what")
    assert store.ratings(s.id) == []  # nothing recorded by a refusal

    said = s.override("2.4", "P", "G", REASON)
    assert said.kind == "beyond" and said.ruled_out
    assert said.line.startswith(f"2.4 Primary: Good is above what the criteria allow at most {NI}: capped at")
    assert said.allows(PACK, why=False) == f"the criteria allow at most {NI}"
    row = next(r for r in s.review() if (r["aspect"], r["phase"]) == ("2.4", "P"))
    assert (row["override"], row["final"], row["standing"]) == ("G", "G", "overridden")
    assert row["rests_on"] == "adviser's override at the visit of 2026-11-20"
    assert row["criteria_say"] == said.line and row["override_reason"] == REASON


def test_an_override_over_a_cap_is_refused_without_a_reason_of_substance(store):
    s = start(store, focus=["2.3"])
    s.judge("2.3.SI.2", "met")  # a critical Requires-significant-improvement criterion: the rating is capped at SI
    r = s.rating("2.3", "P")
    assert r.cap == "SI" and r.suggestion == "SI"
    with pytest.raises(UsageError) as info:
        s.override("2.3", "P", "OS", "because I say so")
    line = one_line(info.value)
    assert f"Outstanding is above what the criteria allow at most {SI}" in line
    assert f"capped at {SI} by 2.3.SI.2" in line
    # one column over the cap is still over it
    with pytest.raises(UsageError):
        s.override("2.3", "P", "NI", "not that bad")
    said = s.override("2.3", "P", "NI", "the policy was rewritten and adopted by the council last week")
    assert said.ruled_out and f"capped at {SI} by 2.3.SI.2" in said.line
    held = year_rating_details(store, PACK, s.visit["organisation_id"], "2026/27", phases=["P"], aspects=["2.3"])
    assert held[("P", "2.3")].column == "NI" and held[("P", "2.3")].standing == "overridden"


def test_an_override_the_criteria_allow_needs_only_a_reason(store):
    s = start(store)
    s.judge("2.4.G.1", "met")  # the rest unknown: Good is within reach
    r = s.rating("2.4", "P")
    assert PACK.column(r.ceiling).rank <= PACK.column("G").rank < PACK.column(r.suggestion).rank
    said = s.override("2.4", "P", "G", "strong QA")
    assert said.kind == "above" and not said.ruled_out
    assert said.line.startswith(f"2.4 Primary: Good is above the suggestion; the criteria suggest "
                                f"{PACK.column(r.suggestion).label}")
    below = departure(PACK, r, "SI")
    assert below.kind == "below" and below.line.endswith(f"the criteria suggest {PACK.column(r.suggestion).label}")
    assert departure(PACK, r, r.suggestion).kind == "agrees"


# --- how notes and briefings mark them -------------------------------------------------------------------------


def test_the_note_marks_overridden_agreed_and_suggested_ratings_apart(store, tmp_path):
    s = start(store, focus=["2.4", "2.5", "1.5"])
    capped_24(s)
    s.override("2.4", "P", "G", REASON)
    s.judge("2.5.G.1", "met")
    s.accept("2.5", "P")
    s.judge("1.5.targets-in-line", 85)  # untouched: the suggestion stands
    ctx = notes.note_context(store, PACK, s.id, today=date(2026, 11, 21))
    rows = {r["aspect_id"]: r for r in ctx["ratings"]}
    assert [rows[a]["standing"] for a in ("2.4", "2.5", "1.5")] == ["overridden", "agreed", "suggested"]
    agreed, suggested = rows["2.5"]["rating"], rows["1.5"]["rating"]

    path = notes.write_note(store, PACK, s.id, tmp_path / "note.docx", today=date(2026, 11, 21)).path
    cells = rating_cells(path)
    assert cells[("2.4", "Primary")] == f"Good, effective (adviser's rating; the criteria allow at most {NI})"
    assert cells[("2.5", "Primary")] == f"{agreed} (agreed)"
    assert cells[("1.5", "Primary")] == f"{suggested} (suggested)"
    text = paragraphs(path)
    basis_24 = next(p for p in text if p.startswith("Primary: Good, effective."))
    assert f"Adviser's override at the visit of 20 November 2026: {REASON}." in basis_24
    assert f"The criteria allow at most {NI}: capped at {NI} by 2.4.NI.5" in basis_24
    assert "On the criteria: Capped at" in basis_24
    assert any(p.startswith(f"Primary: {agreed}. Agreed at the visit of 20 November 2026.") for p in text)
    assert any(p.startswith(f"Primary: {suggested}. Suggested from the year's evidence.") for p in text)
    # never the adviser's rating beside a lower "could reach" as if the criteria might rise to it
    assert not any("Could reach" in p and "Good" in p for p in text)


def test_the_briefing_marks_the_override_and_says_what_the_criteria_allow(store, tmp_path):
    """An LA's briefing gives the last visit's ratings as they stood, the override marked with what the criteria
    allow, and never lists it among the ratings still below their ceiling (a school is not rated: its briefing
    has no ratings of its own)."""
    s = start(store, organisation="Any Borough")
    capped_24(s)
    s.override("2.4", "P", "G", REASON)
    s.end()
    result = notes.write_briefing(store, PACK, "Any Borough", tmp_path / "b.docx", day="2026-12-01",
                                  today=date(2026, 11, 25))
    row = next(r for r in result.context["last_ratings"] if (r["aspect_id"], r["phase_id"]) == ("2.4", "P"))
    assert row["rating_line"] == f"Good, effective (adviser's rating; the criteria allow at most {NI})"
    assert row["reach"] == f"no higher than {NI}, below the adviser's rating"
    assert not row["open"]  # the adviser's Good is above anything the criteria could reach: nothing to "reach"
    assert all(b["aspect_id"] != "2.4" for b in result.context["below_ceiling"])
    doc = Document(str(result.path))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Phase", "Aspect", "Rating"])
    cells = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert any(c[0] == "Primary" and c[1].startswith("2.4 ") and c[2] == row["rating_line"] for c in cells)
