"""`laqs templates check`: does a template fit the context the tool provides?

Unknown: a variable the template uses that the tool does not provide (the render would stop on it): top-level
names from docxtpl's get_undeclared_template_variables, and fields inside loops (`{{ a.titel }}`) from a dry
render of every part against the sample contexts. Missing: a core variable the template never uses (a warning:
the note would leave something out). Refused: what the sandbox forbids, what prints a Python object instead of
text, and what goes past a rendering bound (output size, string size, loop iterations, macro calls, recursion
depth: see render.py); the dry render runs under the same bounds as a real one, so a check never hangs or fills
memory on a hostile template.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, meta
from jinja2.exceptions import SecurityError, TemplateError

from ..packs.model import Pack
from . import briefing as _briefing
from . import context as _context
from . import joint as _joint
from . import team as _team
from .clean import clean_context
from .render import bounded, make_env, read_source, refusals

KINDS = ("note", "briefing", "team-report", "joint-visit")
CORE = {"note": _context.CORE, "briefing": _briefing.CORE, "team-report": _team.CORE, "joint-visit": _joint.CORE}


@dataclass
class TemplateReport:
    path: Path
    kind: str
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.refused

    def lines(self) -> list[str]:
        out = [f"{self.path}: {r}" for r in self.refused]
        out += [f"{self.path}: unknown: {u}" for u in self.unknown]
        out += [f"{self.path}: warning: missing: {m}" for m in self.missing]
        verdict = "ok" if self.ok else "fails"
        out.append(f"{self.path}: {verdict} as a {self.kind} template — {len(self.refused)} refused, "
                   f"{len(self.unknown)} unknown, {len(self.missing)} missing")
        return out


def _paths(ctx: Any, path: str, out: dict[int, str]) -> None:
    """id(dict) -> where it sits in the context ('aspects[]', 'aspects[].ratings[]') for naming unknown fields."""
    if isinstance(ctx, dict):
        out.setdefault(id(ctx), path)
        for k, v in ctx.items():
            _paths(v, f"{path}.{k}" if path else k, out)
    elif isinstance(ctx, list):
        for v in ctx:
            _paths(v, f"{path}[]", out)


def _recorder(found: list[tuple[str, str]], where: dict[int, str]):
    class Recording(ChainableUndefined):
        """Records each failed look-up instead of stopping, so one dry render finds them all."""

        def __init__(self, hint=None, obj=None, name=None, exc=None):
            super().__init__(hint, obj, name, exc)
            if exc is SecurityError or (hint and "unsafe" in hint):
                found.append(("refused", hint or f"access to '{name}' is unsafe"))
            elif isinstance(name, str):
                owner = where.get(id(obj)) if obj is not None else None
                if owner is None and obj is not None and not isinstance(obj, (dict, list)):
                    return  # an attribute of an Undefined or a method probe: already reported upstream
                found.append(("unknown", f"{owner}.{name}" if owner else name))

    return Recording


def check_template(path: str | Path, pack: Pack, kind: str | None = None,
                   samples: dict[str, dict[str, Any]] | None = None) -> TemplateReport:
    """Check a template against the note or briefing context; `kind` None guesses from the file and its tags."""
    path = Path(path)
    source = read_source(path)
    env = make_env()
    refused = refusals(env, source)
    if samples is None:
        with tempfile.TemporaryDirectory(prefix="laqs-sample-") as tmp:
            samples = sample_contexts_cached(pack, Path(tmp))
    used: set[str] = set()
    parsed = []
    for part, text in source.parts:
        try:
            ast = env.parse(text)
        except (TemplateError, RecursionError):
            continue  # reported by refusals() as a syntax error or as nesting too deeply
        parsed.append((part, text))
        used |= meta.find_undeclared_variables(ast)
    used |= _docxtpl_undeclared(path, env)
    used -= set(env.globals) | {"loop"}

    if kind is None:
        if "joint" in path.stem.lower() and "joint-visit" in samples:
            kind = "joint-visit"
        elif "brief" in path.stem.lower():
            kind = "briefing"
        elif "team" in path.stem.lower() or "report" in path.stem.lower():
            kind = "team-report"
        else:
            kind = min((k for k in KINDS if k in samples),
                       key=lambda k: (len(used - set(samples[k])), KINDS.index(k)))
    if kind not in KINDS or kind not in samples:
        from ..errors import UsageError

        if kind in KINDS:
            raise UsageError(f"pack '{pack.id}' has no joint-visit form to check a '{kind}' template against")
        raise UsageError(f"unknown template kind '{kind}' (use {', '.join(KINDS)})")
    ctx = clean_context(samples[kind])
    unknown = sorted(used - set(ctx))
    missing = [f"'{k}' ({what}) is never used" for k, what in CORE[kind].items() if k not in used]

    found: list[tuple[str, str]] = []
    where: dict[int, str] = {}
    _paths(ctx, "", where)
    dry = make_env(undefined=_recorder(found, where))
    refused_parts = {r.split(":", 1)[0] for r in refused}
    with bounded():  # the parts of one document share one budget, as when a note is written
        for part, text in parsed:
            if part in refused_parts:
                continue  # already refused; a dry render would only say it again
            _dry_render(dry, part, text, ctx, found)
    deep = [w for k, w in found if k == "unknown" and ("cannot render" in w or ("." in w and w not in unknown))]
    refused += [f"refused: {w}" for k, w in found if k == "refused"]  # what only the sandbox sees
    unknown_lines = [f"'{u}' is used but the tool does not provide it" for u in unknown]
    unknown_lines += [f"'{w}' is used but the tool does not provide it" if "cannot render" not in w else w
                      for w in dict.fromkeys(deep)]
    return TemplateReport(path, kind, unknown_lines, missing, list(dict.fromkeys(refused)))


def _dry_render(dry, part: str, text: str, ctx: dict[str, Any], found: list[tuple[str, str]]) -> None:
    """Render one part against the sample; what the sandbox or a bound stops is refused, anything else unknown."""
    try:
        dry.from_string(text).render(ctx)
    except SecurityError as exc:  # the sandbox, a bound (BoundExceeded) or a printed object (NotText)
        found.append(("refused", str(exc)))
    except RecursionError:
        found.append(("refused", "the template nests too deeply to render (the recursion-depth bound)"))
    except MemoryError:
        found.append(("refused", "the template needs more memory than a note may take (the output-size bound)"))
    except Exception as exc:  # noqa: BLE001 - a dry render may trip on anything; say what, carry on
        found.append(("unknown", f"{part}: cannot render: {type(exc).__name__}: {exc}"))


def _docxtpl_undeclared(path: Path, env) -> set[str]:
    """docxtpl's own reading of the variables (body, headers, footers); the parse above adds footnotes and
    document properties. A template it cannot parse is reported by refusals() instead."""
    from docxtpl import DocxTemplate

    try:
        return set(DocxTemplate(str(path)).get_undeclared_template_variables(jinja_env=env))
    except (TemplateError, RecursionError):
        return set()


_SAMPLES: dict[int, dict[str, dict[str, Any]]] = {}


def sample_contexts_cached(pack: Pack, folder: Path) -> dict[str, dict[str, Any]]:
    from .sample import sample_contexts

    if id(pack) not in _SAMPLES:
        _SAMPLES[id(pack)] = sample_contexts(pack, folder)
    return _SAMPLES[id(pack)]


def describe_variables(sample: dict[str, Any], core: dict[str, str]) -> list[str]:
    """The variables of a context, one a line, with the fields of list items (`aspects[].title`: the `title` of
    each item of `aspects`, `{{ a.title }}` inside `{%p for a in aspects %}`): what a template may use."""
    out: list[str] = []

    def kind(v: Any) -> str:
        if isinstance(v, bool):
            return "yes/no"
        if isinstance(v, (int, float)):
            return "number"
        if isinstance(v, str):
            return "text"
        if isinstance(v, list):
            return "list of " + (("items with fields" if isinstance(v[0], dict) else kind(v[0]))
                                 if v else "items")
        if isinstance(v, dict):
            return "fields"
        return type(v).__name__

    def walk(prefix: str, value: dict[str, Any], depth: int) -> None:
        for k, v in value.items():
            name = f"{prefix}{k}"
            note = f"  — {core[k]}" if depth == 0 and k in core else ""
            out.append(f"{'  ' * depth}{name}: {kind(v)}{note}")
            if isinstance(v, list) and v and isinstance(v[0], dict):
                walk(f"{name}[].", v[0], depth + 1)

    walk("", sample, 0)
    return out
