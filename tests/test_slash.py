"""The slash-command language, parsed in one place for line mode and the app's answer box."""

from __future__ import annotations

import pytest
from conftest_store import pack  # noqa: F401  (fixture)

from laqs_assist.app import slash
from laqs_assist.errors import UsageError


@pytest.mark.parametrize("typed, name, args", [
    ("/skip", "skip", {}),
    ("/JUMP 2.4", "jump", {"aspect": "2.4"}),
    ("/met 2.4.G.1 2.4.G.2", "met", {"state": "met", "ids": ("2.4.G.1", "2.4.G.2"), "phases": ()}),
    ("/not 2.4.G.1", "not", {"state": "not_met", "ids": ("2.4.G.1",), "phases": ()}),
    ("/value 1.5.targets-in-line 87", "value", {"indicator": "1.5.targets-in-line", "value": "87", "phases": ()}),
    ("/value", "value", {"indicator": None, "value": None, "phases": ()}),
    ("/count 2.4.report-features 5", "count", {"set": "2.4.report-features", "count": 5, "phases": ()}),
    ("/impact some", "impact", {"level": "some", "aspect": None, "phases": ()}),
    ("/impact substantial 1.5", "impact", {"level": "substantial", "aspect": "1.5", "phases": ()}),
    ("/rating", "rating", {"aspect": None}),
    ("/action Revise the policy | J Smith | 2026-12-15", "action",
     {"text": "Revise the policy", "owner": "J Smith", "due": "2026-12-15"}),
    ("/action Revise the policy", "action", {"text": "Revise the policy", "owner": "", "due": None}),
    ("/flag", "flag", {"ref": None}),
    ("/flag A3.1.5.2", "flag", {"ref": "A3.1.5.2"}),
    ("/note 2.4 The LA moderates reports", "note", {"text": "2.4 The LA moderates reports"}),
    ("/edit A3.2.4.1 new words", "edit", {"text": "A3.2.4.1 new words"}),
    ("/override 2.4 P NI reports lack rigour", "override",
     {"aspect": "2.4", "phase": "P", "rating": "NI", "reason": "reports lack rigour"}),
    ("/self 2.4 P G", "self", {"aspect": "2.4", "phase": "P", "rating": "G"}),
])
def test_each_form_is_read_the_same_everywhere(typed: str, name: str, args: dict) -> None:
    cmd = slash.parse(typed)
    assert (cmd.name, cmd.args, cmd.text) == (name, args, typed)


@pytest.mark.parametrize("typed, args", [
    ("/met 2.4.G.1 P", {"state": "met", "ids": ("2.4.G.1",), "phases": ("P",)}),
    ("/partly 2.4.G.1 2.4.G.2 primary S", {"state": "partly", "ids": ("2.4.G.1", "2.4.G.2"), "phases": ("P", "S")}),
    ("/not 1.5.G.1 Early Years", {"state": "not_met", "ids": ("1.5.G.1",), "phases": ("EY",)}),
    ("/impact some S", {"level": "some", "aspect": None, "phases": ("S",)}),
    ("/impact some 2.4 P", {"level": "some", "aspect": "2.4", "phases": ("P",)}),
    ("/value 1.5.targets-in-line 91 P", {"indicator": "1.5.targets-in-line", "value": "91", "phases": ("P",)}),
    ("/count 2.4.report-features 5 secondary", {"set": "2.4.report-features", "count": 5, "phases": ("S",)}),
    ("/met P", {"state": "met", "ids": ("P",), "phases": ()}),  # the first word is what is judged, never a phase
])
def test_a_judgement_ends_with_the_phases_it_concerns(typed: str, args: dict, pack) -> None:
    assert slash.parse(typed, pack.phases).args == args


@pytest.mark.parametrize("typed, says", [
    ("/jump", "which aspect?"),
    ("/met", "which criterion? e.g. /met"),
    ("/not", "which criterion? e.g. /not"),
    ("/value 1.5.targets-in-line", "give an indicator and a number"),
    ("/count 2.4.report-features five", "how many items"),
    ("/action | J Smith", "describe the action"),
    ("/action a | b | c | d", "at most three parts"),
    ("/accept 2.4", "give an aspect and a phase"),
    ("/override 2.4 P NI", "and a reason"),
    ("/self 2.4 P", "the LA's rating"),
    ("/note", "a note needs some text"),
    ("/frobnicate", "unknown command /frobnicate"),
    ("/\x1b[2Jx", "unknown command /␛[2Jx"),
])
def test_a_line_that_does_not_fit_is_one_line_saying_how(typed: str, says: str) -> None:
    with pytest.raises(UsageError) as exc:
        slash.parse(typed)
    assert says in exc.value.line() and "\n" not in exc.value.line()
    assert exc.value.exit_code == 2


def test_help_and_completion_come_from_the_same_table() -> None:
    for name in slash.SPECS:
        assert f"/{name}" in slash.COMMANDS
        assert f"/{name}" in slash.HELP  # /partly, /not, /unknown are named on /met's line
    from laqs_assist import line

    assert line.HELP is slash.HELP and line.COMMANDS is slash.COMMANDS
