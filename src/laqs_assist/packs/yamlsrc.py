"""YAML that remembers where each value came from, so a fault can be reported as file:line.

A pack is data from anyone, so reading one is bounded: only regular files are opened, none larger than
MAX_FILE_BYTES; collections nest at most MAX_DEPTH deep; numbers are finite and of a sane size; and the YAML
features the pack format has no use for (anchors and aliases, merge keys, !!set, !!omap, !!pairs, !!binary) are
refused, since each is a way round those bounds or a way to make a line number lie. Every fault is a PackError
naming file:line.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError
from .model import shown

MAX_FILE_BYTES = 2 * 1024 * 1024  # a hundred times the largest file of the shipped pack
MAX_DEPTH = 50  # the shipped pack nests 6 deep
MAX_INT = 10**15  # beyond this a number is a slip, and Python's int-to-text and int-to-float give out
# The pure-Python parser takes some 10 µs a token, 20 s for a file of the largest size full of them: beyond this
# size a fault is reported from libyaml's parse (its own wording, the same lines).
_PY_PARSE_LIMIT = 256 * 1024
_MESSAGE_LIMIT = 500  # a quoted value of a megabyte must still make a line a terminal can show

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"


def pack_error(message: str, where: str | None = None) -> PackError:
    """A PackError that prints as one harmless line whatever the pack put in it: no line breaks, no escape
    sequences, no invisible characters (each is shown as an escape), and no megabyte-long values."""
    message = shown(message)
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    return PackError(message, where=shown(where) if where else where)


class LDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    compose_depth = 0
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # The pure-Python composer recurses once a level and would end in RecursionError: count levels here.
        if not self.check_event(yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self.compose_depth += 1
        if self.compose_depth > MAX_DEPTH:
            raise _too_deep(self.name, self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self.compose_depth -= 1
        return node


# libyaml parses a pack about ten times faster; the pure-Python loader is kept for its error messages.
_CLoader = None
if hasattr(yaml, "CSafeLoader"):
    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        depth = 0


def _too_deep(name: str, mark: yaml.Mark) -> PackError:
    return pack_error(f"nested more than {MAX_DEPTH} levels deep; a pack never needs that many",
                      f"{name}:{mark.line + 1}")


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LDict:
    # Depth is counted as the tree is built: constructors recurse once a level, and this costs next to nothing.
    loader.depth += 1
    if loader.depth > MAX_DEPTH:
        raise _too_deep(loader.name, node.start_mark)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        tag = key_node.tag
        if tag == _MERGE_TAG:
            # A merge recurses outside these bounds and gives merged fields the line of another mapping.
            raise pack_error("merge keys (<<) are not used in packs: write the fields out", _mark(loader, key_node))
        if tag == _VALUE_TAG:
            key_node.tag = _STR_TAG  # a key '=' is text, as PyYAML's own mapping constructor has it
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise pack_error("a mapping key must be a plain value", _mark(loader, key_node))
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            key = str(key)  # "1.1" written without quotes is still the id "1.1"
        if key in out:
            raise pack_error(f"duplicate key {key!r}", _mark(loader, key_node))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    loader.depth -= 1
    return out


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LList:
    loader.depth += 1
    if loader.depth > MAX_DEPTH:
        raise _too_deep(loader.name, node.start_mark)
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    loader.depth -= 1
    return out


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts
        value = MAX_INT + 1
    if abs(value) > MAX_INT:
        raise pack_error(f"the number {_excerpt(node.value)} is too large (at most {MAX_INT:,})",
                         _mark(loader, node))
    return value


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value = yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        # NaN compares false with everything: a threshold of .nan would hold for any value at all.
        raise pack_error(f"{_excerpt(node.value)} is not a finite number; every number in a pack must be "
                         "finite (quote it if it is text)", _mark(loader, node))
    return value


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise pack_error(f"{_excerpt(node.value)} is not a valid date (quote it if it is text)",
                         _mark(loader, node)) from None


def _construct_unused(loader: Any, node: yaml.Node) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise pack_error(f"the YAML type {tag} is not used in packs", _mark(loader, node))


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:20] + "…" + text[-10:])


def _mark(loader: Any, node: yaml.Node) -> str:
    return f"{loader.name}:{node.start_mark.line + 1}"


for _cls in (_Loader, _CLoader):
    if _cls is not None:
        _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
        _cls.add_constructor("tag:yaml.org,2002:int", _construct_int)
        _cls.add_constructor("tag:yaml.org,2002:float", _construct_float)
        _cls.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
        for _unused in ("set", "omap", "pairs", "binary"):
            _cls.add_constructor(f"tag:yaml.org,2002:{_unused}", _construct_unused)


# PyYAML's C composer recurses in C, once a level, with no limit of its own: only a libyaml that stops at a
# nesting depth of its own (1000 in current releases) keeps it off the end of the stack. With an older libyaml, text
# that cannot nest that deep still goes the fast way, since every collection takes one of these characters to open;
# other text has its depth measured first from libyaml's events, which come from a loop, not a recursion.
_OPENERS = "[{-?:"
_C_SAFE_OPENERS = 1000
_libyaml_bounds_nesting: bool | None = None


def _check_depth_for_libyaml(text: str, name: str) -> None:
    """Make sure the C composer will not recurse too deep on `text`: raise the fault if it nests too deep."""
    global _libyaml_bounds_nesting
    if _libyaml_bounds_nesting is None:
        deep = "[" * (_C_SAFE_OPENERS + 1) + "]" * (_C_SAFE_OPENERS + 1)
        try:
            yaml.compose(deep, Loader=yaml.CSafeLoader)
            _libyaml_bounds_nesting = False
        except yaml.YAMLError:
            _libyaml_bounds_nesting = True
    if _libyaml_bounds_nesting or sum(text.count(c) for c in _OPENERS) <= _C_SAFE_OPENERS:
        return
    fault = _depth_fault(text, name)
    if fault is not None:
        raise fault


def _anchor_fault(text: str, name: str) -> PackError | None:
    """The fault at the first anchor (&name): an alias repeats a value wherever it is put, so a file of a few kB
    could stand for gigabytes of text once notes are written from it. None if there is none before another fault."""
    parser = (_CLoader or _Loader)(text)  # events come from a loop, not a recursion, in either parser
    try:
        while parser.check_event():
            event = parser.get_event()
            if getattr(event, "anchor", None) is not None:
                return pack_error("YAML anchors and aliases (&name, *name) are not used in packs: write each value "
                                  "out where it is needed", f"{name}:{event.start_mark.line + 1}")
    except yaml.YAMLError:
        pass  # reported by the parse proper
    finally:
        parser.dispose()
    return None


def _depth_fault(text: str, name: str, parser_class: Any = None) -> PackError | None:
    """The fault at the first collection nested more than MAX_DEPTH deep, found from the parser's events (in the
    order the composer meets them, so at the same line); None if there is none before any other fault."""
    parser = (parser_class or _CLoader)(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep(name, event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        # libyaml's scanner looks ahead for keys and can meet its own nesting limit before the events reach ours:
        # the pure-Python parser then finds the line (it stops there, so only deep text far into a file is slow).
        if parser_class is None and "nesting depth" in str(getattr(exc, "problem", "")):
            return _depth_fault(text, name, _Loader)
    finally:
        parser.dispose()
    return None


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def read_pack_file(path: Path, name: str) -> bytes:
    """The bytes of one pack file: a regular file (or a link to one) of at most MAX_FILE_BYTES.

    A pipe would block the read for ever and a device (/dev/zero) would never end, so the kind is checked before
    opening, and checked again on what was opened in case the path was swapped in between; O_NONBLOCK keeps even
    that open from waiting on a pipe.
    """
    where = f"{name}:1"
    try:
        st = os.stat(path)
    except OSError as exc:
        raise pack_error(f"cannot read: {exc.strerror}", where) from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode, where)
    if st.st_size > MAX_FILE_BYTES:
        raise _too_large(where)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise pack_error(f"cannot read: {exc.strerror}", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode, where)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:  # the file may have grown since it was measured
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise pack_error(f"cannot read: {exc.strerror}", where) from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise _too_large(where)
    return b"".join(chunks)


def _not_regular(path: Path, mode: int, where: str) -> PackError:
    kind = _kind(mode)
    if os.path.islink(path):
        kind = "a link to " + kind
    return pack_error(f"{kind}, not a regular file; a pack is read only from regular files", where)


def _too_large(where: str) -> PackError:
    return pack_error(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, the most a pack file may hold", where)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file; every fault becomes a PackError naming file:line."""
    name = display or str(path)
    raw = read_pack_file(path, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise pack_error(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", f"{name}:{line}") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # editors on Windows start files with a byte-order mark; it means nothing here
    stray = text.find("\ufeff")
    if stray >= 0:
        # Anywhere else it is invisible and would become part of a key or id ("\ufeffsource").
        raise pack_error("a byte-order mark (U+FEFF) in the middle of the file; delete it (it is invisible in most "
                         "editors: retype the start of the line)", f"{name}:{text.count(chr(10), 0, stray) + 1}")
    if "&" in text:  # a pack without an anchor (as every pack should be) pays for this one search only
        fault = _anchor_fault(text, name)
        if fault is not None:
            raise fault
    if _CLoader is not None:
        _check_depth_for_libyaml(text, name)
        fast = _CLoader(text)
        fast.name = name
        try:
            return fast.get_single_data()
        except yaml.MarkedYAMLError as exc:
            # Parsed again below, for PyYAML's exact line and wording, unless that would take too long.
            if len(text) > _PY_PARSE_LIMIT:
                raise _depth_fault(text, name) or _yaml_fault(exc, text, name) from None
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    loader = None
    try:
        loader = _Loader(text)
        loader.name = name
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_fault(exc, text, name) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise pack_error(f"a character YAML does not allow (U+{ord(char):04X})", f"{name}:{line}") from None
    except yaml.YAMLError as exc:
        raise pack_error(f"invalid YAML: {exc}", f"{name}:1") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_fault(exc: yaml.MarkedYAMLError, text: str, name: str) -> PackError:
    """The fault where the author must fix it, which is often not where the parser gave up."""
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    problem = (exc.problem or context or "invalid YAML").strip()
    # An unclosed bracket is noticed lines later; the line that opened it is the one to fix.
    if "flow" in context and exc.context_mark is not None:
        mark = exc.context_mark
    unclosed = "quoted scalar" in context and exc.context_mark is not None
    if unclosed:
        # A quote never closed is noticed at the end of the file; again the line that opened it is the one to fix.
        mark = exc.context_mark
    line = mark.line + 1 if mark else 1
    quote, bracket = _openers_before(text, mark) if mark else (None, None)
    if quote is not None:
        # A quote left open swallows the lines after it up to the next quote, and the parser fails only there.
        return pack_error(f"invalid YAML: the quoted text that starts on this line runs on to line {line}, where "
                          f"the parser fails ({problem}); is its closing quote missing?", f"{name}:{quote}")
    if unclosed:
        return pack_error(f"invalid YAML: a quote opened on this line is never closed ({problem})", f"{name}:{line}")
    if bracket is not None and not text[mark.index:].strip():
        return pack_error(f"invalid YAML: a bracket opened on this line is never closed ({problem})",
                          f"{name}:{bracket}")
    return pack_error(f"invalid YAML: {problem}", f"{name}:{line}")


def _openers_before(text: str, mark: yaml.Mark) -> tuple[int | None, int | None]:
    """From the tokens before the fault at `mark`: the line of a quoted scalar that spans lines and ends on the
    fault's line, and the line of the first bracket still open; None where there is none."""
    scanner = (_CLoader or _Loader)(text)  # scanning does not recurse, so libyaml's is safe at any depth
    quote, open_brackets = None, []
    try:
        while True:
            token = scanner.get_token()
            if token is None or token.start_mark.index >= mark.index:
                break
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                open_brackets.append(token.start_mark.line + 1)
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and open_brackets:
                open_brackets.pop()
            elif (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.start_mark.line < token.end_mark.line == mark.line):
                quote = token.start_mark.line + 1
    except yaml.YAMLError:
        pass  # the tokens up to the fault are all that matter
    finally:
        scanner.dispose()
    return quote, (open_brackets[0] if open_brackets else None)


def line_of(container: Any, key: Any = None) -> int:
    """The line of `container[key]`, or of the container itself."""
    if key is not None:
        if isinstance(container, LDict) and key in container.key_lines:
            return container.key_lines[key]
        if isinstance(container, LList) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
    return getattr(container, "line", 1) or 1
