"""Records: classes whose fields are their annotations, with the constructor, equality, hash and repr that
`@dataclass(frozen=True)` would give, shared by every record instead of compiled for each class.

`dataclasses` compiles five or six functions with `exec` for every class it decorates (about half a millisecond
each time), and the pack model, the rating engine and the session define some thirty classes that every start
of the app imports. A record class costs a few microseconds to define. Instances keep their fields in their
`__dict__`, so they pickle and copy as dataclass instances do (the pack cache relies on this).

    class Range(Record):
        at_least: float | None = None
        items: dict[str, int] = factory(dict)

Records are frozen: assigning a field raises AttributeError. `replace(record, **changes)` makes a changed copy.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, dataclass_transform


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def factory(make: Callable[[], Any]) -> Any:
    """A field default made afresh for every instance (a dict, a list), as dataclasses' default_factory."""
    return _Factory(make)


_NO_DEFAULT = object()


def _field_names(cls: type) -> tuple[tuple[str, ...], dict[str, Any]]:
    fields: list[str] = []
    defaults: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        for name in getattr(base, "_fields", ()):
            if name not in fields:
                fields.append(name)
        defaults.update(getattr(base, "_defaults", {}))
    for name, kind in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(kind, str) and kind.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if name not in fields:
            fields.append(name)
        value = cls.__dict__.get(name, _NO_DEFAULT)
        if value is not _NO_DEFAULT:
            defaults[name] = value
            if isinstance(value, _Factory):
                delattr(cls, name)
        elif name in defaults:
            del defaults[name]
    seen_default = False
    for name in fields:
        if name in defaults:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
    return tuple(fields), defaults


@dataclass_transform(frozen_default=True, field_specifiers=(factory,))
class Record:
    """The base of every record class (see the module's docstring)."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields, cls._defaults = _field_names(cls)
        cls.__match_args__ = cls._fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._fields
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} arguments, {len(args)} given")
        values = self.__dict__
        for name, value in zip(names, args):
            values[name] = value
        for name in names[len(args):]:
            if name in kwargs:
                values[name] = kwargs.pop(name)
                continue
            default = self._defaults.get(name, _NO_DEFAULT)
            if default is _NO_DEFAULT:
                raise TypeError(f"{type(self).__name__}() is missing the argument {name!r}")
            values[name] = default.make() if isinstance(default, _Factory) else default
        if kwargs:
            extra = next(iter(kwargs))
            what = "given twice" if extra in names else "unexpected"
            raise TypeError(f"{type(self).__name__}() argument {extra!r} is {what}")
        post = getattr(self, "__post_init__", None)
        if post is not None:
            post()

    def _values(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = self.__dict__
        inner = ", ".join(f"{name}={values[name]!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__name__}: records are frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__name__}: records are frozen")


def replace(record: Any, **changes: Any) -> Any:
    """A copy of `record` with some fields changed."""
    unknown = [name for name in changes if name not in record._fields]
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {unknown[0]!r}")
    values = {name: record.__dict__[name] for name in record._fields}
    values.update(changes)
    return type(record)(**values)


def fields(record: Any) -> tuple[str, ...]:
    """The field names of a record or record class, in order."""
    return record._fields
