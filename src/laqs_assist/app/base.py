"""What the service's parts (app/evidence.py, app/joint.py, app/yearview.py) reach of the application service, for
their annotations: a part never imports the service that imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..packs.model import Pack
    from ..session import Session
    from ..store import Store


class ServiceCore(Protocol):
    store: "Store"
    pack: "Pack"  # the open visit's pack, else the default one
    default_pack: "Pack"
    pack_fixed: bool

    def day(self) -> str: ...

    def organisation(self, name: str) -> dict[str, Any]: ...

    def aspect(self, aspect_id: str | None = None) -> str: ...

    def _s(self) -> "Session": ...
