"""Rendering a context into a .docx template, safely: Jinja sandbox, autoescape, strict variables, atomic write.

A template is a user's file: it may be restyled in Word, and it may be hostile. Before any rendering, every Jinja
part of it (body, headers, footers, footnotes, document properties) is parsed and refused if it reaches for Python
internals (`_`-prefixed attributes or keys), loads other templates (`import`, `include`, `extends`), or turns
escaping off (`|safe`, `{% autoescape false %}`); what the parse cannot see, the sandbox stops at render time.
Either way the user gets one line naming the template.

Rendering is bounded, per document (body, headers, footers, footnotes and properties share one budget), and each
bound, when passed, stops the render with one line naming the bound and the tag (exit 2):

- output size: 5,000,000 characters written or built in all (template text, every `{{ … }}`, and every string an
  expression builds with `~`, `+`, `*`, `%`, a filter or a method);
- string size: no one string longer than 5,000,000 characters; `*`, `%`, `format`, `join`, `replace`, `center`,
  `indent` and the like are checked before they build, so doubling a string stops at the bound, not at memory
  (`*` builds at most 1,000,000 items, `**` numbers of at most 10,000 bits);
- loop iterations: 100,000 in all: each item a `{% for %}` takes, each number a `range()` makes, each list item
  `*` or a filter builds;
- macro calls: 10,000 in all; recursion depth: macros calling macros (themselves included) 30 deep.

A template prints only text and numbers: `{{ … }}` of a method (`organisation.upper`), a function or class
(`range`, `dict`, `cycler`, `joiner`, `namespace`), a module, a template internal (`self`, `loop`, a macro), a list,
a set of fields or None is refused, naming the expression. Methods are refused at access unless they are the
harmless ones of text (`upper`, `replace`, `split`, …), fields (`items`, `get`, …), loops (`cycle`, `changed`) and
cyclers (`next`). Each output, loop and `~` is labelled with its tag when the template is compiled (a rewrite of
the parsed template, `_Bounds`), so a message can name it.

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
import types
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from jinja2 import StrictUndefined, Template, Undefined, nodes, pass_context
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Context, LoopContext, Macro, TemplateReference, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape, soft_str

from ..errors import LaqsError, UsageError
from .clean import clean_context

MAX_OUTPUT = 5_000_000  # characters one document's template may write or build in all (body, headers, properties)
MAX_STRING = MAX_OUTPUT  # the longest string any one expression may build
MAX_ITERATIONS = 100_000  # loop items taken, range() numbers made and list items built, in all, per document
MAX_CALLS = 10_000  # macro calls (and recursive-loop calls) per document
MAX_DEPTH = 30  # macros calling macros (themselves included), nested
MAX_SEQUENCE = 1_000_000  # the longest string or list `*` may build
MAX_POWER_BITS = 10_000  # the largest whole number `**` may build


class TemplateRefused(UsageError):
    """A template that reaches for Python internals, switches escaping off, prints a Python object or goes past
    one of the rendering bounds."""


class TemplateProblem(UsageError):
    """A template that cannot be read or rendered: not a .docx, bad Jinja, a variable the tool does not give."""


class NoteExists(UsageError):
    """The output file is there already and overwriting was not asked for."""


class BoundExceeded(SecurityError):
    """A render that went past one of the bounds above; the message names the bound and, where it can, the tag."""


class NotText(SecurityError):
    """`{{ … }}` of something that is not text or a number: a method, a class, a module, a template internal."""


# --- the budget of one render ---------------------------------------------------------------------------------------


class _Budget:
    """What one document's render has spent so far; every part of the document (body, headers, footers,
    footnotes, properties) draws on the same budget."""

    __slots__ = ("chars", "iterations", "calls", "depth", "max_output", "max_iterations")

    def __init__(self, scale: int = 1) -> None:
        self.chars = self.iterations = self.calls = self.depth = 0
        # A document that is many documents' worth (a region's team report) gets the bounds of that many.
        self.max_output = MAX_OUTPUT * scale
        self.max_iterations = MAX_ITERATIONS * scale

    def text(self, n: int, label: str, what: str = "writes") -> None:
        self.chars += n
        if n > MAX_STRING and what == "builds":
            raise BoundExceeded(f"{label} builds a string longer than {MAX_STRING:,} characters (the string-size "
                                "bound)")
        if self.chars > self.max_output:
            raise BoundExceeded(f"{label}: the template writes or builds more than {self.max_output:,} characters "
                                "in all (the output-size bound)")

    def items(self, n: int, label: str) -> None:
        self.iterations += n
        if self.iterations > self.max_iterations:
            raise BoundExceeded(f"{label}: the template's loops take more than {self.max_iterations:,} items in "
                                "all (the loop-iteration bound)")


_BUDGET: ContextVar[_Budget | None] = ContextVar("laqs_template_budget", default=None)


@contextmanager
def bounded(scale: int = 1):
    """One budget for everything rendered inside (a whole document); nested uses share the outer budget. `scale`
    multiplies the output and loop bounds for a document that holds many documents' worth."""
    if _BUDGET.get() is not None:
        yield _BUDGET.get()
        return
    token = _BUDGET.set(_Budget(scale))
    try:
        yield _BUDGET.get()
    finally:
        _BUDGET.reset(token)


def _budget() -> _Budget:
    return _BUDGET.get() or _Budget()  # outside bounded(): a throwaway (BoundedTemplate.render always opens one)


# --- showing a tag in a message ---------------------------------------------------------------------------------------


def _show(node: nodes.Node) -> str:
    """A Jinja expression written back as text, for naming it in a message."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{_show(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_show(node.node)}[{_show(node.arg)}]"
    if isinstance(node, (nodes.Call, nodes.Filter, nodes.Test)):
        args = [_show(a) for a in node.args] + [f"{k.key}={_show(k.value)}" for k in node.kwargs]
        inner = f"({', '.join(args)})" if args or isinstance(node, nodes.Call) else ""
        if isinstance(node, nodes.Call):
            return f"{_show(node.node)}{inner}"
        head = _show(node.node) if node.node is not None else ""
        return f"{head}|{node.name}{inner}" if isinstance(node, nodes.Filter) else f"{head} is {node.name}{inner}"
    if isinstance(node, nodes.BinExpr):
        return f"{_show(node.left)} {node.operator} {_show(node.right)}"
    if isinstance(node, nodes.UnaryExpr):
        return f"{node.operator} {_show(node.node)}".replace("- ", "-")
    if isinstance(node, nodes.Concat):
        return " ~ ".join(_show(n) for n in node.nodes)
    if isinstance(node, (nodes.Tuple, nodes.List)):
        items = ", ".join(_show(n) for n in node.items)
        return f"[{items}]" if isinstance(node, nodes.List) else f"({items})"
    if isinstance(node, nodes.CondExpr):
        other = f" else {_show(node.expr2)}" if node.expr2 is not None else ""
        return f"{_show(node.expr1)} if {_show(node.test)}{other}"
    if isinstance(node, nodes.Compare):
        return _show(node.expr) + "".join(f" {o.op} {_show(o.expr)}" for o in node.ops)
    return "…"


def _tag(text: str, kind: str = "{{") -> str:
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"{{{{ {text} }}}}" if kind == "{{" else f"{{% {text} %}}"


class _Bounds(NodeTransformer):
    """Rewrites a parsed template so every output, loop and `~` goes through the budget, labelled with its tag."""

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        out: list[nodes.Expr] = []
        static = 0
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                static += len(child.data)
                out.append(child)
            else:
                out.append(nodes.Filter(child, "laqs_emit", [nodes.Const(_tag(_show(child)))], [], None, None,
                                        lineno=child.lineno))
        if static:
            out.append(nodes.Filter(nodes.Const(static), "laqs_charge", [], [], None, None, lineno=node.lineno))
        node.nodes = out
        return node

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        label = _tag(f"for {_show(node.target)} in {_show(node.iter)}", "{%")
        node.iter = nodes.Filter(node.iter, "laqs_loop", [nodes.Const(label)], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes), "laqs_concat", [nodes.Const(_tag(_show(node)))], [], None,
                            None, lineno=node.lineno)


# --- what a template may print, and what it may call -------------------------------------------------------------


def _kind_of(value: Any) -> str | None:
    """None for plain values a note may hold (text, numbers, yes/no); else what the value is, in words."""
    if isinstance(value, (str, int, float, Decimal, Undefined)):
        return None
    if isinstance(value, type):
        return "a class"
    if isinstance(value, types.ModuleType):
        return "a module"
    if isinstance(value, (types.MethodType, types.BuiltinMethodType, types.MethodWrapperType)) and \
            getattr(value, "__self__", None) is not None and not isinstance(value.__self__, types.ModuleType):
        return "a method"
    if isinstance(value, (Macro, TemplateReference, LoopContext, Namespace, Cycler, Joiner, Context)):
        return "a template internal"
    if callable(value):
        return "a function"
    if value is None:
        return "empty (None)"
    if isinstance(value, (list, tuple, set, frozenset, range)):
        return "a list (loop over it, or use |join)"
    if isinstance(value, dict):
        return "a set of fields (print one of them)"
    return f"a Python object ({type(value).__name__})"


def _refuse_object(value: Any, label: str) -> None:
    what = _kind_of(value)
    if what is not None:
        raise NotText(f"{label} is {what}, not text: a template prints only text and numbers")


@pass_context
def _emit(context, value: Any, label: str) -> Any:
    _refuse_object(value, label)
    if isinstance(value, str):
        _budget().text(len(value), label)
    return value


@pass_context
def _charge(context, n: int) -> str:
    _budget().text(n, "template text")
    return ""


@pass_context
def _loop(context, iterable: Any, label: str):
    if isinstance(iterable, Undefined):
        return iterable  # the loop raises its own "is undefined"
    return _counted(iterable, _budget(), label)


def _counted(iterable: Any, budget: _Budget, label: str):
    for item in iterable:
        budget.items(1, label)
        yield item


@pass_context
def _concat(context, items: list[Any], label: str) -> str:
    parts = [soft_str(x) for x in items]
    n = sum(len(p) for p in parts)
    _budget().text(n, label, "builds")
    return markup_join(parts) if context.eval_ctx.autoescape else str_join(parts)


def _bounded_range(*args: int) -> range:
    rng = range(*args)
    _budget().items(len(rng), f"range({', '.join(map(str, args))})")
    return rng


_STR_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "format", "format_map", "index",
    "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join",
    "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust",
    "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
    "zfill", "escape", "striptags", "unescape"})
_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
_SAFE_METHODS: tuple[tuple[type, frozenset[str]], ...] = (
    (str, _STR_METHODS), (dict, _DICT_METHODS), (LoopContext, frozenset({"cycle", "changed"})),
    (Cycler, frozenset({"next", "reset"})))

_WIDTH = re.compile(r"%[-#0 +]*(\d*|\*)(?:\.(\d*|\*))?|\{[^{}]*?[:!][^{}]*?(\d+)")


def _check_format(fmt: str, args: Any, label: str) -> None:
    """Refuse a %- or {}-format whose widths or arguments would build a string past the bound, before it does."""
    values = list(args.values()) if isinstance(args, dict) else list(args) if isinstance(args, (list, tuple)) \
        else [args]
    size = len(fmt) + sum(len(v) for v in values if isinstance(v, str))
    for m in _WIDTH.finditer(fmt):
        for width in m.groups():
            if width and width.isdigit():
                size += int(width)
            elif width == "*":
                size += max((v for v in values if isinstance(v, int)), default=0)
    if "{" in fmt and re.search(r"\{[^{}]*\{", fmt):  # a width given as an argument
        size += max((v for v in values if isinstance(v, int) and not isinstance(v, bool)), default=0)
    if size > MAX_STRING:
        raise BoundExceeded(f"{label} would build a string longer than {MAX_STRING:,} characters (the string-size "
                            "bound)")


def _capped_strings(items: Any, sep: int, label: str) -> list[Any]:
    """The items of a join, stopped as soon as their text passes the bound (before any join is made)."""
    out = []
    total = 0
    for x in items:
        total += (len(x) if isinstance(x, str) else len(soft_str(x))) + sep
        if total > MAX_STRING:
            raise BoundExceeded(f"{label} would build a string longer than {MAX_STRING:,} characters (the "
                                "string-size bound)")
        out.append(x)
    return out


def _widths(label: str, *widths: Any) -> None:
    for w in widths:
        if isinstance(w, int) and w > MAX_STRING:
            raise BoundExceeded(f"{label} would build a string longer than {MAX_STRING:,} characters (the "
                                "string-size bound)")


def _precheck_str_method(s: str, name: str, args: tuple, kwargs: dict) -> None:
    label = f"'…'.{name}()"
    if name in ("center", "ljust", "rjust", "zfill"):
        _widths(label, *args, *kwargs.values())
    elif name == "expandtabs":
        size = (args[0] if args else kwargs.get("tabsize", 8))
        if isinstance(size, int):
            _widths(label, len(s) + s.count("\t") * size)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        hits = s.count(old) if old else len(s) + 1
        _widths(label, len(s) + hits * len(new))
    elif name in ("format", "format_map"):
        _check_format(s, list(args) + list(kwargs.values()) if name == "format" else (args[0] if args else {}),
                      label)


def _bounded_filters(filters: dict[str, Callable]) -> dict[str, Callable]:
    """The built-in filters, each charging what it builds to the budget; those that can multiply their input
    (join, replace, center, indent, format, sum) are checked before they build anything."""
    out = {}
    for name, func in filters.items():
        out[name] = _bounded_filter(name, func)
    return out


def _bounded_filter(name: str, func: Callable) -> Callable:
    label = f"|{name}"

    def check(args: tuple, kwargs: dict) -> tuple:
        a = list(args)
        if name == "join" and a:
            sep = a[1] if len(a) > 1 else kwargs.get("d", "")
            a[0] = _capped_strings(a[0], len(sep) if isinstance(sep, str) else 0, label)
        elif name == "replace" and len(a) >= 3 and all(isinstance(x, str) for x in a[:3]):
            s, old, new = a[0], a[1], a[2]
            _widths(label, len(s) + (s.count(old) if old else len(s) + 1) * len(new))
        elif name == "center":
            _widths(label, *a[1:], *kwargs.values())
        elif name == "indent" and a and isinstance(a[0], str):
            width = a[1] if len(a) > 1 else kwargs.get("width", 4)
            w = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
            _widths(label, len(a[0]) + (a[0].count("\n") + 1) * w)
        elif name == "format" and a and isinstance(a[0], str):
            _check_format(a[0], tuple(a[1:]) or kwargs, label)
        elif name == "sum" and a:
            items = list(a[0])
            if any(isinstance(x, (str, list, tuple)) for x in items):
                _widths(label, sum(len(x) for x in items if isinstance(x, (str, list, tuple))))
            a[0] = items
        return tuple(a)

    pass_arg = getattr(func, "jinja_pass_arg", None)

    if pass_arg is None:
        def bounded_filter(*args, **kwargs):
            return _charged(func(*check(args, kwargs), **kwargs), label)
    else:
        def bounded_filter(first, *args, **kwargs):
            return _charged(func(first, *check(args, kwargs), **kwargs), label)

    bounded_filter.__name__ = getattr(func, "__name__", name)
    bounded_filter.__doc__ = func.__doc__
    if pass_arg is not None:
        bounded_filter.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return bounded_filter


def _charged(value: Any, label: str) -> Any:
    if isinstance(value, str):
        _budget().text(len(value), label, "builds")
    elif isinstance(value, (list, tuple)):
        _budget().items(len(value), label)
    return value


def _finalize(value: Any) -> Markup:
    """The last step of every `{{ … }}`: refuse what is not text or a number (the outputs are labelled and checked
    before this; this is the backstop), then escape for XML, braces included."""
    if _kind_of(value) is not None:
        raise NotText(f"{{{{ … }}}} is {_kind_of(value)}, not text: a template prints only text and numbers")
    text = value.__html__() if hasattr(value, "__html__") else str(escape(str(value)))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


class NoteSandbox(SandboxedEnvironment):
    """The sandbox, bounded (see the module docstring): `*`, `**`, `+` and `%` checked before they build, every
    output, loop, `~`, filter and call charged to the render's budget, macros held to a depth and a count, and
    nothing but text and numbers printed; methods other than the harmless ones of text, fields and loops are
    refused.

    docxtpl compiles every part of the document on every render; compiled parts are kept by their source text, so
    a batch export compiles each part once (a third of a render's time)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    _compiled_limit = 64

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.template_class = BoundedTemplate
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)
        self.filters = _bounded_filters(self.filters)
        self.filters.update(laqs_emit=_emit, laqs_charge=_charge, laqs_loop=_loop, laqs_concat=_concat)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):
            source = _Bounds().visit(self.parse(source, name, filename))
        return super().compile(source, name, filename, raw, defer_init)

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

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if not callable(value) or isinstance(value, (Macro, Undefined)):
            return True
        return any(isinstance(obj, kind) and attr in names for kind, names in _SAFE_METHODS)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and \
                    max(left.bit_length(), 1) * right > MAX_POWER_BITS:
                raise BoundExceeded(f"'…' ** …: a template may not build a number of more than {MAX_POWER_BITS:,} "
                                    "bits (the number-size bound)")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise BoundExceeded(f"'…' * …: a template may not build a string or list of more than "
                                        f"{MAX_SEQUENCE:,} items (the string-size bound)")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right, "'…' % …")
        rv = super().call_binop(context, operator, left, right)
        if operator != "**":
            _charged(rv, f"'…' {operator} …")
        return rv

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        budget = _budget()
        if isinstance(__obj, (Macro, LoopContext)):
            what = f"macro '{__obj.name}'" if isinstance(__obj, Macro) else "loop()"
            budget.calls += 1
            if budget.calls > MAX_CALLS:
                raise BoundExceeded(f"{what}: the template calls macros more than {MAX_CALLS:,} times in all (the "
                                    "macro-call bound)")
            if budget.depth >= MAX_DEPTH:
                raise BoundExceeded(f"{what} calls itself or other macros more than {MAX_DEPTH} deep (the "
                                    "recursion-depth bound)")
            if isinstance(__obj, LoopContext) and args:
                args = (_counted(args[0], budget, "loop()"),) + args[1:]
            budget.depth += 1
            try:
                return super().call(__context, __obj, *args, **kwargs)
            finally:
                budget.depth -= 1
        self_ = getattr(__obj, "__self__", None)
        if isinstance(self_, str):
            _precheck_str_method(self_, getattr(__obj, "__name__", ""), args, kwargs)
            if getattr(__obj, "__name__", "") == "join" and args:
                args = (_capped_strings(args[0], len(self_), "'…'.join()"),) + args[1:]
        else:
            wrapped = getattr(__obj, "__wrapped__", None)  # the sandbox's own str.format wrapper
            if isinstance(getattr(wrapped, "__self__", None), str):
                _precheck_str_method(wrapped.__self__, wrapped.__name__, args, kwargs)
        return _charged(super().call(__context, __obj, *args, **kwargs), f"{getattr(__obj, '__name__', 'call')}()")


class BoundedTemplate(Template):
    """A template whose render draws on a budget: the document's when one is open (PreparedTemplate.render opens
    one for all of its parts), else its own."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with bounded():
            return super().render(*args, **kwargs)


def make_env(undefined=StrictUndefined) -> NoteSandbox:
    return NoteSandbox(autoescape=True, undefined=undefined, finalize=_finalize, keep_trailing_newline=True)


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
        except RecursionError:
            out.append(f"{part}: refused: an expression nests too deeply to read (the recursion-depth bound)")
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
            with bounded():
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
        except RecursionError:
            raise TemplateRefused(f"template {self.name}: refused: the template nests too deeply to render (the "
                                  "recursion-depth bound)") from None
        except (MemoryError, OverflowError):
            raise TemplateRefused(f"template {self.name}: refused: the template needs more memory than a note may "
                                  "take (the output-size bound)") from None
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

        def fix_tables(self, xml):
            tree = super().fix_tables(xml)
            _grid_from_cells(tree)
            return tree

    return SafeDocxTemplate


def _grid_from_cells(tree) -> None:
    """A table whose `{%tc %}` loop made more cells than its grid has columns, where a cell spans several (the
    team report's phase cell): docxtpl sizes the grid by counting cells, not spans, so the grid comes out a column
    short and LibreOffice squeezes every cell. Here the grid is rebuilt from the widest row's own cell widths,
    each spread over its span, keeping the table's width: the template's proportions, whatever the loop made."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for tbl in tree.iter(w + "tbl"):
        grid = tbl.find(w + "tblGrid")
        if grid is None:
            continue
        cols = grid.findall(w + "gridCol")
        widest: list[tuple[int, float]] = []
        for tr in tbl.findall(w + "tr"):
            row = []
            for tc in tr.findall(w + "tc"):
                pr = tc.find(w + "tcPr")
                span = pr.find(w + "gridSpan") if pr is not None else None
                width = pr.find(w + "tcW") if pr is not None else None
                n = int(span.get(w + "val")) if span is not None else 1
                row.append((n, float(width.get(w + "w")) if width is not None and width.get(w + "type", "dxa")
                            == "dxa" and width.get(w + "w") else 0.0))
            if sum(n for n, _ in row) > sum(n for n, _ in widest):
                widest = row
        needed = sum(n for n, _ in widest)
        if needed <= len(cols) or not all(x > 0 for _, x in widest):
            continue
        total = sum(float(c.get(w + "w") or 0) for c in cols) or sum(x for _, x in widest)
        scale = total / sum(x for _, x in widest)
        for c in cols:
            grid.remove(c)
        for n, x in widest:
            for _ in range(n):
                col = grid.makeelement(w + "gridCol", {w + "w": str(int(x * scale / n))})
                grid.append(col)


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
                   overwrite: bool = False, scale: int = 1) -> Path:
    """Render `context` into `template` and write `out_path` atomically; `scale` as for bounded()."""
    out = Path(out_path)
    if out.exists() and not overwrite:
        raise NoteExists(f"{out} exists already: use --force to replace it")
    with bounded(scale):
        data = prepared(template).render(context)
    return atomic_write(out, data, overwrite=overwrite)
