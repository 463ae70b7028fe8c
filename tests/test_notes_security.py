"""Templates cannot run code: payloads that reach for Python internals, load files or switch escaping off are
refused with one line naming the template, and nothing they aim at happens (no marker file, no process)."""

from __future__ import annotations

import os
import subprocess

import pytest
from docx import Document

from laqs_assist import notes
from laqs_assist.cli import main
from laqs_assist.notes.render import TemplateProblem, TemplateRefused
from laqs_assist.notes.sample import build_sample
from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

PACK = load_pack(default_pack_path())

# {M} is replaced by a marker path: a payload that ran would create it.
PAYLOADS = {
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler-globals-os": "{{ cycler.__init__.__globals__.os.system('touch {M}') }}",
    "joiner-globals-popen": "{{ joiner.__init__.__globals__['os'].popen('touch {M}').read() }}",
    "namespace-globals": "{{ namespace.__init__.__globals__.os.system('touch {M}') }}",
    "template-reference-context": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {M}') }}",
    "self-init-globals": "{{ self.__init__.__globals__ }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].system('touch {M}') }}",
    "import-bare": "{% import os %}{{ os.system('touch {M}') }}",
    "import-as": "{% import 'os' as os %}{{ os.system('touch {M}') }}",
    "from-import": "{% from 'os' import system %}{{ system('touch {M}') }}",
    "include-file": "{% include '/etc/passwd' %}",
    "extends-file": "{% extends '/etc/passwd' %}",
    "attr-filter": "{{ organisation|attr('__class__') }}",
    "attr-filter-escaped": "{{ organisation|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "subscript-dunder": "{{ organisation['__class__']['__mro__'] }}",
    "private-attribute": "{{ actions._private }}",
    "attr-built-at-runtime": "{{ (organisation|attr(['_', '_cla', 'ss_', '_']|join)).__name__ }}",
    "map-attribute": "{{ actions|map(attribute='__class__')|list }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(organisation) }}",
    "type-mro": "{{ dict.mro() }}",
    "builtin-self": "{{ range.__self__ }}",
    "method-globals": "{{ organisation.upper.__globals__ }}",
    "safe-filter": "{{ organisation|safe }}",
    "autoescape-off": "{% autoescape false %}{{ organisation }}{% endautoescape %}",
    "string-bomb": "{{ 'x' * 100000000 }}",
    "power-bomb": "{{ 2 ** 1000000000 }}",
    "chained-power-bomb": "{{ ((((1000 ** 64) ** 64) ** 64) ** 64) ** 64 }}",
    "range-bomb": "{{ range(10 ** 9)|list|length }}",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("sec")
    store = Store(root / "laqs.db")
    info = build_sample(store, PACK)
    yield store, info, root
    store.close()


def _template(path, payload: str, where: str = "body"):
    doc = Document()
    doc.add_paragraph("Note for {{ organisation }}")
    if where == "body":
        doc.add_paragraph(payload)
    elif where == "header":
        doc.sections[0].header.paragraphs[0].add_run(payload)
    elif where == "footer":
        doc.sections[0].footer.paragraphs[0].add_run(payload)
    elif where == "property":
        doc.core_properties.title = payload
    doc.save(path)
    return path


@pytest.fixture
def no_processes(monkeypatch):
    """Any attempt to start a process or call os.system during the render fails the test."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"a template started a process: {args!r}")

    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "popen", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    return calls


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 15


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_refused_and_does_nothing(world, tmp_path, name, no_processes):
    store, info, _ = world
    marker = tmp_path / "MARKER"
    tpl = _template(tmp_path / f"{name}.docx", PAYLOADS[name].replace("{M}", str(marker)))
    out = tmp_path / "out.docx"
    with pytest.raises(TemplateRefused) as caught:
        notes.write_note(store, PACK, info["visit_id"], out, template=tpl)
    message = caught.value.line()
    assert message.startswith(f"template {tpl}: ")
    assert "\n" not in message and ("refused" in message or "syntax error" in message)
    assert not marker.exists()
    assert not out.exists()
    assert no_processes == []


@pytest.mark.parametrize("where", ["header", "footer", "property"])
def test_payloads_outside_the_body_are_refused(world, tmp_path, where, no_processes):
    store, info, _ = world
    marker = tmp_path / "MARKER"
    tpl = _template(tmp_path / f"{where}.docx",
                    "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}", where)
    with pytest.raises(TemplateRefused, match=f"template {tpl}: {where if where != 'property' else 'property title'}"):
        notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=tpl)
    assert not marker.exists()


def test_refused_template_exits_2_with_one_line(world, tmp_path, monkeypatch, capsys):
    store, info, root = world
    monkeypatch.setenv("LAQS_STORE", str(root / "laqs.db"))
    monkeypatch.chdir(tmp_path)
    tpl = _template(tmp_path / "evil.docx", PAYLOADS["cycler-globals-os"].replace("{M}", str(tmp_path / "M")))
    assert main(["note", info["visit_id"][:8], "--template", str(tpl)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tpl) in err and "refused" in err and "Traceback" not in err
    assert not (tmp_path / "notes").exists()
    assert main(["export", "--from", "2000-01-01", "--to", "2100-01-01", "--template", str(tpl)]) == 2
    assert not (tmp_path / "notes").exists()


def test_templates_check_reports_every_refusal(world, tmp_path, capsys):
    store, info, root = world
    doc = Document()
    for payload in ("{{ ''.__class__ }}", "{% include 'x' %}", "{{ organisation|safe }}"):
        doc.add_paragraph(payload)
    tpl = tmp_path / "many.docx"
    doc.save(tpl)
    report = notes.check_template(tpl, PACK, "note")
    assert not report.ok and len(report.refused) == 3
    assert all(line.startswith(str(tpl)) for line in report.lines())


def test_not_a_docx_is_one_line(world, tmp_path):
    store, info, _ = world
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    with pytest.raises(TemplateProblem, match="is not a Word .docx file"):
        notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=fake)
    with pytest.raises(TemplateProblem, match="no template at"):
        notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=tmp_path / "none.docx")


def test_a_bad_expression_is_one_line_not_a_traceback(world, tmp_path):
    store, info, _ = world
    tpl = _template(tmp_path / "loop.docx", "{% for x in 3 %}{{ x }}{% endfor %}")
    with pytest.raises(TemplateProblem, match=r"cannot render: TypeError"):
        notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=tpl)


def test_harmless_jinja_still_works(world, tmp_path):
    """The sandbox keeps ordinary template logic: filters, loops, conditionals, string methods."""
    store, info, _ = world
    tpl = _template(tmp_path / "ok.docx", "{{ organisation|upper }} {{ actions|length }} "
                                          "{% for a in actions %}{{ loop.index }}.{{ a.text|truncate(12) }} "
                                          "{% endfor %}{{ '%s!'|format(author) }} {{ organisation.replace('School', 'S') }}")
    r = notes.write_note(store, PACK, info["visit_id"], tmp_path / "o.docx", template=tpl)
    from docx2python import docx2python

    with docx2python(r.path) as d:
        body = d.text
    assert "SAMPLE PRIMARY SCHOOL 2 1.Agree... 2.Send the..." in body and "Sam Adviser!" in body and "Sample Primary S" in body
