"""Templates cannot hurt: a hostile template that would run for hours, fill memory, recurse without end or print a
Python object stops with one line naming the bound or the expression, exit 2, through the real `laqs` command, in
bounded time and memory (each run in a child process with its address space capped and a wall-clock timeout)."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_notes_security import _template

from laqs_assist import notes
from laqs_assist.notes.render import MAX_CALLS, MAX_DEPTH, MAX_ITERATIONS, MAX_OUTPUT, TemplateRefused
from laqs_assist.notes.sample import build_sample
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())
ROOT = Path(__file__).resolve().parent.parent
MEMORY = 512 << 20  # the child's address space: a few times what `laqs templates check` needs (about 150 MB)
SECONDS = 30  # the child's wall clock; each run takes under a second when the bounds hold

LOOP = "the loop-iteration bound"
OUTPUT = "the output-size bound"
STRING = "the string-size bound"
DEPTH = "the recursion-depth bound"
CALLS = "the macro-call bound"
TEXT = "not text: a template prints only text and numbers"

# name -> (payload, what the one line must say)
BOUNDS = {
    "nested-range-loops": ("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}", LOOP),
    "nested-context-loops": ("{% for i in range(300) %}{% for j in range(300) %}{% for a in actions %}x{% endfor %}"
                             "{% endfor %}{% endfor %}", LOOP),
    "string-doubling-tilde": ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                              "{% endfor %}{{ ns.s|length }}", OUTPUT),
    "string-doubling-plus": ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
                             "{% endfor %}{{ ns.s|length }}", OUTPUT),
    "string-doubling-join": ("{% set ns = namespace(s='x') %}{% for i in range(64) %}"
                             "{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}{{ ns.s|length }}", OUTPUT),
    "string-doubling-format": ("{% set ns = namespace(s='x') %}{% for i in range(64) %}"
                               "{% set ns.s = '%s%s' % (ns.s, ns.s) %}{% endfor %}{{ ns.s|length }}", OUTPUT),
    "join-of-many-copies": ("{% set s = 'x' * 999999 %}{{ ([s] * 999999)|join|length }}", LOOP),
    "text-in-a-long-loop": ("{% for i in range(90000) %}" + "x" * 100 + "{% endfor %}", LOOP),
    "output-in-loops": ("{% set s = 'y' * 999999 %}{% for i in range(50) %}{{ s }}{% endfor %}", OUTPUT),
    "center-width": ("{{ organisation.center(10 ** 9) }}", STRING),
    "percent-width": ("{{ '%999999999s' % organisation }}", STRING),
    "format-width": ("{{ '{:>999999999}'.format(organisation) }}", STRING),
    "replace-blowup": ("{% set s = 'x' * 999999 %}{{ s.replace('x', s)|length }}", STRING),
    "self-recursive-macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", DEPTH),
    "mutually-recursive-macros": ("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}"
                                  "{{ a() }}", DEPTH),
    "recursive-loop": ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", DEPTH),
    "deep-nesting": ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", DEPTH),
    "filter-block": ("{% set s = 'x' * 999999 %}{% for i in range(20) %}{% filter upper %}{{ s }}{% endfilter %}"
                     "{% endfor %}", OUTPUT),
    "indent-width": ("{{ organisation|indent(10 ** 9) }}", STRING),
    "string-times": ("{{ 'x ' * 999999 }}", STRING),
    "macro-fan-out": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(20) }}",
                      CALLS),
}
OBJECTS = {
    "cycler": ("{{ cycler }}", "{{ cycler }} is a class"),
    "joiner": ("{{ joiner }}", "{{ joiner }} is a class"),
    "namespace": ("{{ namespace }}", "{{ namespace }} is a class"),
    "dict": ("{{ dict }}", "{{ dict }} is a class"),
    "range": ("{{ range }}", "{{ range }} is a function"),
    "self": ("{{ self }}", "{{ self }} is a template internal"),
    "loop": ("{% for a in actions %}{{ loop }}{% endfor %}", "{{ loop }} is a template internal"),
    "macro": ("{% macro m() %}x{% endmacro %}{{ m }}", "{{ m }} is a template internal"),
    "bound-method": ("{{ organisation.upper }}", "{{ organisation.upper }} is a method"),
    "bound-method-by-key": ("{{ organisation['upper'] }}", "{{ organisation['upper'] }} is a method"),
    "made-cycler": ("{{ cycler('a', 'b') }}", "{{ cycler('a', 'b') }} is a template internal"),
    "made-namespace": ("{{ namespace(a=1) }}", "{{ namespace(a=1) }} is a template internal"),
    "list": ("{{ actions }}", "{{ actions }} is a list"),
    "fields": ("{{ actions[0] }}", "{{ actions[0] }} is a set of fields"),
    "made-dict": ("{{ dict(a=1) }}", "{{ dict(a=1) }} is a set of fields"),
    "method-by-attr-filter": ("{{ organisation|attr('upper') }}", "{{ organisation|attr('upper') }} is a method"),
    "none": ("{{ none }}", "{{ None }} is empty (None)"),
    "list-method": ("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append' of 'list' object is unsafe"),
}
ALL = {**BOUNDS, **OBJECTS}


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def laqs(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str, float]:
    """Run the real command in a child process with its memory capped; (exit code, stdout, stderr, seconds)."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "laqs_assist", *args], capture_output=True, text=True,
                          timeout=SECONDS, preexec_fn=_limit, env={**os.environ, **(env or {})}, cwd=cwd)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - start


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("bounds")
    store = Store(root / "laqs.db")
    info = build_sample(store, PACK)
    store.close()
    return root, info


def test_the_bounds_are_what_the_docstring_says():
    assert (MAX_OUTPUT, MAX_ITERATIONS, MAX_CALLS, MAX_DEPTH) == (5_000_000, 100_000, 10_000, 30)
    assert len(BOUNDS) >= 12 and len(OBJECTS) >= 12


@pytest.mark.parametrize("name", sorted(ALL))
def test_templates_check_refuses_in_bounded_time_and_memory(world, tmp_path, name):
    payload, says = ALL[name]
    tpl = _template(tmp_path / f"{name}.docx", payload)
    code, out, err, seconds = laqs("templates", "check", "--kind", "note", str(tpl))
    assert code == 2, out + err
    refused = [line for line in out.splitlines() if ": refused: " in line]
    assert len(refused) == 1, out
    assert re.match(rf"{re.escape(str(tpl))}: (body: )?refused: ", refused[0]) and says in refused[0], refused[0]
    assert "Traceback" not in err and "internal error" not in err
    assert seconds < SECONDS


@pytest.mark.parametrize("name", sorted(ALL))
def test_laqs_note_refuses_with_one_line(world, tmp_path, name):
    root, info = world
    payload, says = ALL[name]
    tpl = _template(tmp_path / f"{name}.docx", payload)
    code, out, err, seconds = laqs("note", info["visit_id"][:8], "--template", str(tpl),
                                   env={"LAQS_STORE": str(root / "laqs.db")}, cwd=tmp_path)
    assert code == 2, out + err
    assert err.count("\n") == 1 and re.match(rf"laqs: error: template {re.escape(str(tpl))}: (body: )?refused: ", err), err
    assert says in err, err
    assert out == "" and not (tmp_path / "notes").exists()
    assert seconds < SECONDS


@pytest.mark.parametrize("where", ["header", "footer", "property"])
@pytest.mark.parametrize("name", ["nested-range-loops", "string-doubling-tilde", "self-recursive-macro", "self",
                                  "bound-method"])
def test_outside_the_body_too(world, tmp_path, where, name):
    """Headers, footers and document properties render under the same bounds and the same refusals."""
    root, info = world
    payload, says = ALL[name]
    tpl = _template(tmp_path / f"{name}.docx", payload, where)
    code, out, err, seconds = laqs("note", info["visit_id"][:8], "--template", str(tpl),
                                   env={"LAQS_STORE": str(root / "laqs.db")}, cwd=tmp_path)
    assert code == 2 and err.count("\n") == 1 and f"template {tpl}: refused: " in err and says in err, err
    code, out, err, seconds = laqs("templates", "check", "--kind", "note", str(tpl))
    assert code == 2 and says in out, out + err
    assert seconds < SECONDS


@pytest.mark.parametrize("name", ["nested-range-loops", "string-doubling-tilde", "self-recursive-macro",
                                  "bound-method", "self"])
def test_laqs_brief_refuses_with_one_line(world, tmp_path, name):
    root, info = world
    payload, says = ALL[name]
    tpl = _template(tmp_path / f"{name}.docx", payload.replace("actions", "previous_actions"))
    code, out, err, _ = laqs("brief", info["organisation"], "--template", str(tpl),
                             env={"LAQS_STORE": str(root / "laqs.db")}, cwd=tmp_path)
    assert code == 2, out + err
    assert err.count("\n") == 1 and f"template {tpl}: refused: " in err and says in err, err
    assert not (tmp_path / "notes").exists()


@pytest.mark.parametrize("name", ["nested-range-loops", "string-doubling-plus", "self-recursive-macro", "range"])
def test_laqs_export_names_the_bound_and_writes_nothing(world, tmp_path, name):
    """The template is at fault, so the batch stops at the first note with the bound's one line, exit 2, and writes
    nothing."""
    root, info = world
    payload, says = ALL[name]
    tpl = _template(tmp_path / f"{name}.docx", payload)
    code, out, err, seconds = laqs("export", "--from", "2000-01-01", "--to", "2100-01-01", "--template", str(tpl),
                                   env={"LAQS_STORE": str(root / "laqs.db")}, cwd=tmp_path)
    assert code == 2, out + err
    refused = [line for line in err.splitlines() if f"template {tpl}: refused: " in line]
    assert len(refused) == 1 and says in refused[0] and "the export stopped after 0 of" in refused[0], err
    assert "Traceback" not in err and "internal error" not in err
    assert not list((tmp_path / "notes").glob("*.docx")) if (tmp_path / "notes").exists() else True
    assert seconds < SECONDS


def test_every_shipped_template_passes_the_check():
    shipped = [str(ROOT / "templates" / name) for name in ("note-of-visit.docx", "briefing.docx", "team-report.docx")]
    code, out, err, _ = laqs("templates", "check", *shipped)
    assert code == 0, out + err
    assert "refused" not in out.replace("0 refused", "")


def test_shipped_templates_render_well_within_the_bounds(world, tmp_path):
    root, info = world
    store = Store(root / "laqs.db")
    try:
        note = notes.write_note(store, PACK, info["visit_id"], tmp_path / "n.docx")
        brief = notes.write_briefing(store, PACK, info["organisation"], tmp_path / "b.docx")
    finally:
        store.close()
    assert note.path.exists() and brief.path.exists()


def test_ordinary_logic_stays_allowed(world, tmp_path):
    """What a template author reasonably writes still renders: namespaces, cyclers, joiners, loop helpers,
    macros calling macros, fields' items, joins, formats, text methods."""
    root, info = world
    payload = ("{% set ns = namespace(n=0) %}{% for a in actions %}{% set ns.n = ns.n + 1 %}{% endfor %}[{{ ns.n }}]"
               "{% set c = cycler('odd', 'even') %}[{{ c.next() }}-{{ c.next() }}]"
               "{% set comma = joiner(', ') %}[{% for a in actions %}{{ comma() }}{{ loop.cycle('a', 'b') }}"
               "{{ loop.index }}{% endfor %}]"
               "{% macro b(x) %}<{{ x }}>{% endmacro %}{% macro a(x) %}{{ b(x ~ '!') }}{% endmacro %}[{{ a('hi') }}]"
               "[{% for k, v in {'k': 'v'}.items() %}{{ k }}={{ v }}{% endfor %}]"
               "[{{ ['p', 'q']|join('+') }}][{{ '%s/%s' % (1, 2) }}][{{ '{}:{}'.format('x', 'y') }}]"
               "[{{ organisation.upper().split()|first }}][{{ range(3)|join }}]")
    tpl = _template(tmp_path / "ok.docx", payload)
    store = Store(root / "laqs.db")
    try:
        r = notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=tpl)
    finally:
        store.close()
    from docx2python import docx2python

    with docx2python(r.path) as d:
        body = d.text
    assert "[2][odd-even][a1, b2][&lt;hi!&gt;][k=v][p+q][1/2][x:y][SAMPLE][012]" in body or \
        "[2][odd-even][a1, b2][<hi!>][k=v][p+q][1/2][x:y][SAMPLE][012]" in body, body


def test_bounds_are_per_document_not_per_process(world, tmp_path):
    """A batch renders many notes: each gets the whole budget, so a template near a bound works every time."""
    root, info = world
    tpl = _template(tmp_path / "near.docx", "{% for i in range(40000) %}{% endfor %}done")
    store = Store(root / "laqs.db")
    try:
        for n in range(3):
            notes.write_note(store, PACK, info["visit_id"], tmp_path / f"o{n}.docx", template=tpl)
        with pytest.raises(TemplateRefused, match=LOOP):
            notes.write_note(store, PACK, info["visit_id"], tmp_path / "x.docx",
                             template=_template(tmp_path / "over.docx", "{% for i in range(60000) %}{% endfor %}"))
    finally:
        store.close()


def test_a_document_of_many_documents_worth_gets_bounds_to_match():
    """A team report for a region renders under the bounds scaled by its size, and stays bounded."""
    from laqs_assist.notes.render import MAX_ITERATIONS, MAX_OUTPUT, BoundExceeded, bounded

    with bounded(scale=16) as budget:
        budget.text(MAX_OUTPUT * 3, "{{ x }}")  # a note's bound three times over: within a region's
        budget.items(MAX_ITERATIONS * 3, "{% for %}")
        with pytest.raises(BoundExceeded, match="80,000,000 characters"):
            budget.text(MAX_OUTPUT * 14, "{{ x }}")
    with bounded() as budget, pytest.raises(BoundExceeded, match="5,000,000 characters"):
        budget.text(MAX_OUTPUT + 1, "{{ x }}")
