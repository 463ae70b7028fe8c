"""Rendering a context into a .docx template, safely: Jinja sandbox, autoescape, strict variables, atomic write.

A template is a user's file: it may be restyled in Word, and it may be hostile. Before any rendering, every Jinja
part of it (body, headers, footers, footnotes, document properties) is parsed and refused if it reaches for Python
internals (`_`-prefixed attributes or keys), loads other templates (`import`, `include`, `extends`), or turns
escaping off (`|safe`, `{% autoescape false %}`); what the parse cannot see, the sandbox stops at render time.
Either way the user gets one line naming the template.

Escaping happens exactly once. docxtpl substitutes into raw XML, so every `{{ value }}` goes through the
environment's `finalize`, which XML-escapes it and also writes `{` and `}` as character references: docxtpl turns
`{_{` back into `{{` after rendering, and text such as `{_{` in an answer must come through as typed.
Document properties are plain strings, not XML, so they render without escaping (python-docx escapes them).

docx and docxtpl are imported inside the functions that need them: `laqs --help` must not load them.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ..errors import LaqsError, UsageError
from .clean import clean_context

MAX_SEQUENCE = 1_000_000  # the longest string or list `*` may build
MAX_POWER_BITS = 10_000  # the largest whole number `**` may build


class TemplateRefused(UsageError):
    """A template that reaches for Python internals or switches escaping off."""


class TemplateProblem(UsageError):
    """A template that cannot be read or rendered: not a .docx, bad Jinja, a variable the tool does not give."""


class NoteExists(UsageError):
    """The output file is there already and overwriting was not asked for."""


# --- the environment ----------------------------------------------------------------------------------------------


def _finalize(value: Any) -> Markup:
    text = value.__html__() if hasattr(value, "__html__") else str(escape(str(value)))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


class NoteSandbox(SandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded so a template cannot build a gigabyte string or a huge number.

    docxtpl compiles every part of the document on every render; compiled parts are kept by their source text, so
    a batch export compiles each part once (a third of a render's time)."""

    intercepted_binops = frozenset({"*", "**"})
    _compiled_limit = 64

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cache = self.__dict__.setdefault("_compiled", {})
        found = cache.get(source)
        if found is None:
            if len(cache) >= self._compiled_limit:
                cache.clear()
            found = cache[source] = super().from_string(source)
        return found

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and \
                    max(left.bit_length(), 1) * right > MAX_POWER_BITS:
                raise SecurityError("a template may not build a number that large")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise SecurityError("a template may not build a sequence that long")
        return super().call_binop(context, operator, left, right)


def make_env(undefined=StrictUndefined) -> NoteSandbox:
    env = NoteSandbox(autoescape=True, undefined=undefined, finalize=_finalize, keep_trailing_newline=True)
    env.globals.pop("lipsum", None)
    return env


# --- reading a template's Jinja parts -----------------------------------------------------------------------------


@dataclass
class TemplateSource:
    """The Jinja text of every part of a .docx template, as docxtpl will see it."""

    path: Path
    parts: list[tuple[str, str]] = field(default_factory=list)  # (part name, source)


_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _open_template(path: Path):
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    if not path.exists():
        raise TemplateProblem(f"no template at {path}")
    if path.is_dir():
        raise TemplateProblem(f"template {path} is a folder, not a .docx file")
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateProblem(f"template {path} is not a Word .docx file ({type(exc).__name__})") from None
    return tpl


def read_source(path: Path) -> TemplateSource:
    from docxtpl import DocxTemplate

    tpl = _open_template(path)
    src = TemplateSource(path)
    src.parts.append(("body", tpl.patch_xml(tpl.get_xml())))
    for kind, uri in (("header", DocxTemplate.HEADER_URI), ("footer", DocxTemplate.FOOTER_URI)):
        for _, part in tpl.get_headers_footers(uri):
            src.parts.append((kind, tpl.patch_xml(tpl.get_part_xml(part))))
    for part in tpl.docx.part.package.iter_parts():
        if part.content_type == _FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            src.parts.append(("footnotes", tpl.patch_xml(blob)))
    for prop in _PROPERTIES:
        value = getattr(tpl.docx.core_properties, prop) or ""
        if "{" in value:
            src.parts.append((f"property {prop}", value))
    return src


# --- refusing what reaches for internals ---------------------------------------------------------------------------

_ATTR_FILTERS = {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max",
                 "dictsort"}


def _where(source: str, lineno: int | None) -> str:
    """The paragraph text around a line of a patched part (docxtpl puts one paragraph on a line)."""
    if not lineno:
        return ""
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", source).splitlines()
    if 0 < lineno <= len(lines):
        text = " ".join(re.sub(r"<[^>]+>", "", lines[lineno - 1]).split())
        if text:
            return f' near "{text[:60]}"'
    return ""


def refusals(env: SandboxedEnvironment, source: TemplateSource) -> list[str]:
    """What in the template reaches for Python internals, loads files, or turns escaping off; one line each."""
    out: list[str] = []
    for part, text in source.parts:
        try:
            ast = env.parse(re.sub(r"<w:p([ >])", r"\n<w:p\1", text))
        except TemplateSyntaxError as exc:
            out.append(f"{part}: Jinja syntax error: {exc.message}{_where(text, exc.lineno)}")
            continue
        for node in ast.find_all(nodes.Node):
            why = _refusal(node)
            if why:
                out.append(f"{part}: {why}{_where(text, getattr(node, 'lineno', None))}")
    return list(dict.fromkeys(out))


def _underscore(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("_")


def _refusal(node: nodes.Node) -> str | None:
    if isinstance(node, (nodes.Import, nodes.FromImport)):
        return "refused: {% import %} loads other templates"
    if isinstance(node, nodes.Include):
        return "refused: {% include %} reads other files"
    if isinstance(node, nodes.Extends):
        return "refused: {% extends %} reads other files"
    if isinstance(node, nodes.Getattr) and _underscore(node.attr):
        return f"refused: attribute '{node.attr}' is internal"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and _underscore(node.arg.value):
        return f"refused: key '{node.arg.value}' is internal"
    if isinstance(node, nodes.Filter) and node.name == "safe":
        return "refused: |safe turns escaping off"
    if isinstance(node, (nodes.Filter, nodes.Test)) and node.name in _ATTR_FILTERS:
        args = list(node.args) + [kw.value for kw in node.kwargs]
        bad = [a.value for a in args if isinstance(a, nodes.Const) and _underscore(a.value)]
        if bad:
            return f"refused: |{node.name}('{bad[0]}') reaches an internal attribute"
    if isinstance(node, (nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
        if any(kw.key == "autoescape" for kw in node.options):
            return "refused: {% autoescape %} changes escaping"
    return None


# --- a prepared template --------------------------------------------------------------------------------------------


class PreparedTemplate:
    """A template checked once and rendered many times (a batch export reads and checks it only once)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.env = make_env()
        source = read_source(self.path)
        problems = refusals(self.env, source)
        if problems:
            extra = f" (and {len(problems) - 1} more: run `laqs templates check {self.name}`)" if len(problems) > 1 \
                else ""
            raise TemplateRefused(f"template {self.name}: {problems[0]}{extra}")
        self.data = self.path.read_bytes()

    def render(self, context: dict[str, Any]) -> bytes:
        """The rendered document's bytes; the context is cleaned here, once, before rendering."""
        tpl = _template_class()(io.BytesIO(self.data))
        ctx = clean_context(context)
        try:
            tpl.render(ctx, jinja_env=self.env)
        except SecurityError as exc:
            raise TemplateRefused(f"template {self.name}: refused: {exc}") from None
        except UndefinedError as exc:
            raise TemplateProblem(f"template {self.name}: {_undefined_words(exc)} (run `laqs templates check "
                                  f"{self.name}`)") from None
        except TemplateSyntaxError as exc:
            raise TemplateProblem(f"template {self.name}: Jinja syntax error: {exc.message}") from None
        except TemplateError as exc:
            raise TemplateProblem(f"template {self.name}: cannot render: {exc}") from None
        except OverflowError as exc:  # the sandbox's range() limit
            raise TemplateRefused(f"template {self.name}: refused: {exc}") from None
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as exc:
            # what a template's own expressions can raise (`{% for x in 3 %}`, `{{ 1/0 }}`)
            raise TemplateProblem(f"template {self.name}: cannot render: {type(exc).__name__}: {exc}") from exc
        buf = io.BytesIO()
        tpl.save(buf)
        return buf.getvalue()


def _undefined_words(exc: UndefinedError) -> str:
    m = re.match(r"'([^']+)' is undefined", str(exc))
    if m:
        return f"uses '{m.group(1)}', which the tool does not provide"
    return str(exc)


@lru_cache(maxsize=1)
def _template_class():
    from docxtpl import DocxTemplate

    class SafeDocxTemplate(DocxTemplate):
        """docxtpl renders document properties with the body's environment; they are plain strings, so here they
        render unescaped (python-docx escapes them when it saves), and are cut to the 255 characters a document
        property holds (python-docx refuses longer ones)."""

        def render_properties(self, context, jinja_env=None):
            plain = jinja_env.overlay(autoescape=False, finalize=None)
            props = self.docx.core_properties
            for prop in _PROPERTIES:
                source = getattr(props, prop) or ""
                if "{" not in source:
                    continue
                # Past the compiled-parts cache: the overlay shares its dict with the escaping environment.
                value = SandboxedEnvironment.from_string(plain, source).render(context)
                setattr(props, prop, value if len(value) <= 255 else value[:254] + "…")

    return SafeDocxTemplate


_PREPARED: dict[tuple[str, int, int], PreparedTemplate] = {}


def prepared(path: str | Path) -> PreparedTemplate:
    """A PreparedTemplate, reused while the file is unchanged."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return PreparedTemplate(p)  # raises the one-line "no template at …"
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    found = _PREPARED.get(key)
    if found is None:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        found = _PREPARED[key] = PreparedTemplate(p)
    return found


# --- writing -------------------------------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes | Callable[[Any], None], *, overwrite: bool = False) -> Path:
    """Write a file whole or not at all: a temporary file in the same folder, synced, then moved into place.
    Without `overwrite` an existing file is never replaced, even one that appears while writing."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise NoteExists(f"{path} exists already: use --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise LaqsError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the name exists: no window for a clobber
            except FileExistsError:
                raise NoteExists(f"{path} exists already: use --force to replace it") from None
            except OSError:  # a file system without hard links
                if path.exists():
                    raise NoteExists(f"{path} exists already: use --force to replace it") from None
                os.replace(tmp, path)
            else:
                os.unlink(tmp)
        _sync_dir(path.parent)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise LaqsError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return path


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def render_to_file(template: str | Path, context: dict[str, Any], out_path: str | Path, *,
                   overwrite: bool = False) -> Path:
    """Render `context` into `template` and write `out_path` atomically."""
    out = Path(out_path)
    if out.exists() and not overwrite:
        raise NoteExists(f"{out} exists already: use --force to replace it")
    data = prepared(template).render(context)
    return atomic_write(out, data, overwrite=overwrite)
