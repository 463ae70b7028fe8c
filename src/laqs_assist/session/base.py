"""What each part of a Session reaches through `self`: the state `Session.__init__` sets, and the members one
part uses of another, typed loosely. Annotations only: nothing here runs or holds a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..packs.model import Pack
    from ..store import Store


class SessionParts:
    store: Store
    pack: Pack
    visit: dict[str, Any]
    _items: list[Any] | None  # the running order (order.Item) as last read; None until read again

    # Session's own (__init__.py)
    id: str
    phases: list[str]
    _phase: Any
    refresh: Any
    _require_open: Any

    # the parts' (order.py, answering.py, probes.py, judging.py)
    items: Any
    current: Any
    _after: Any
    _maybe_probe: Any
    last_response: Any
    judge: Any
    rating: Any
    aspects_in_play: Any
