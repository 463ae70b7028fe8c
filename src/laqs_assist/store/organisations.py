"""Organisations (LAs and schools) and the people met at them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .values import new_id, now

if TYPE_CHECKING:
    from . import Store as _Base
else:
    _Base = object


class OrganisationTables(_Base):
    def organisation(self, name_or_id: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM organisations WHERE id = ? OR name = ? COLLATE NOCASE "
                         "ORDER BY kind = 'LA' DESC LIMIT 1", [name_or_id, name_or_id])

    def organisation_by_id(self, organisation_id: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM organisations WHERE id = ?", [organisation_id])

    def find_la(self, name_or_id: str) -> dict[str, Any] | None:
        """An LA by id or name (any case, runs of spaces as one, as names are kept)."""
        return self._row("SELECT * FROM organisations WHERE kind = 'LA' AND (id = ? OR name = ? COLLATE NOCASE)",
                         [name_or_id, " ".join(name_or_id.split())])

    def organisations(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM organisations ORDER BY name COLLATE NOCASE")

    def ensure_organisation(self, name: str, kind: str = "LA", parent_id: str | None = None) -> dict[str, Any]:
        name = " ".join(name.split())
        if not name:
            raise UsageError("an organisation needs a name")
        if not kind or not kind.replace("-", "").replace("_", "").isalnum() or not kind.isascii():
            raise UsageError(f"'{kind}' is not a kind of organisation (the pack's organisations list its kinds)")
        with self.write():
            found = self._row("SELECT * FROM organisations WHERE kind = ? AND name = ? COLLATE NOCASE", [kind, name])
            if found:
                return found
            row = {"id": new_id(), "name": name, "kind": kind, "parent_id": parent_id, "created_at": now()}
            self._insert("organisations", row)
            self.log("organisation.add", entity=row["id"], name=name, kind=kind)
            return row

    def ensure_person(self, name: str, role: str = "", organisation_id: str | None = None) -> dict[str, Any]:
        name = " ".join(name.split())
        with self.write():
            found = self._row("SELECT * FROM people WHERE name = ? COLLATE NOCASE AND "
                              "coalesce(organisation_id, '') = coalesce(?, '')", [name, organisation_id])
            if found:
                return found
            row = {"id": new_id(), "name": name, "role": role, "organisation_id": organisation_id,
                   "created_at": now()}
            self._insert("people", row)
            self.log("person.add", entity=row["id"], name=name, role=role)
            return row
