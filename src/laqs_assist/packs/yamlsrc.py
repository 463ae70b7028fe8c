"""YAML that remembers where each value came from, so a fault can be reported as file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError


class LDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


# libyaml parses a pack about ten times faster; the pure-Python loader is kept for its error messages.
_CLoader = None
if hasattr(yaml, "CSafeLoader"):
    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LDict:
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise PackError("a mapping key must be a plain value", where=_mark(loader, key_node))
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            key = str(key)  # "1.1" written without quotes is still the id "1.1"
        if key in out:
            raise PackError(f"duplicate key {key!r}", where=_mark(loader, key_node))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LList:
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _mark(loader: _Loader, node: yaml.Node) -> str:
    return f"{loader.name}:{node.start_mark.line + 1}"


for _cls in (_Loader, _CLoader):
    if _cls is not None:
        _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file; every fault becomes a PackError naming file:line."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror}", where=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PackError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", where=f"{name}:{line}") from None
    if _CLoader is not None:
        fast = _CLoader(text)
        fast.name = name
        try:
            return fast.get_single_data()
        except (yaml.YAMLError, PackError):
            pass  # parse again below, for the exact line and wording
        finally:
            fast.dispose()
    loader = None
    try:
        loader = _Loader(text)
        loader.name = name
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed bracket is noticed lines later; the line that opened it is the one to fix.
        if exc.context and "flow" in exc.context and exc.context_mark is not None:
            mark = exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise PackError(f"invalid YAML: {problem}", where=f"{name}:{line}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise PackError(f"a character YAML does not allow (U+{ord(char):04X})", where=f"{name}:{line}") from None
    except yaml.YAMLError as exc:
        raise PackError(f"invalid YAML: {exc}", where=f"{name}:1") from None
    finally:
        if loader is not None:
            loader.dispose()


def line_of(container: Any, key: Any = None) -> int:
    """The line of `container[key]`, or of the container itself."""
    if key is not None:
        if isinstance(container, LDict) and key in container.key_lines:
            return container.key_lines[key]
        if isinstance(container, LList) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
    return getattr(container, "line", 1) or 1
