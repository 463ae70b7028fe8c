"""Team pooling for every front end: export a bundle from an adviser's store, merge bundles into a team store (a
SQLite file or a PostgreSQL database), list and resolve conflicts, the team's policy, organisations' stable keys,
and a dashboard read from PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..errors import UsageError
from ..store.bundled import POLICIES
from .context import Context

__all__ = ["POLICIES"]


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def _team(path: str | Path, create: bool = False):
    from ..store import Store

    path = Path(path)
    if not create and not path.exists():
        raise UsageError(f"no team store at {path} (laqs pool merge BUNDLE… --into {path} makes one)")
    return Store(path, create=create)


def export(context: Context, out: Path, *, date_from: str | None = None, date_to: str | None = None,
           refs: tuple[str, ...] = (), team: str | None = None) -> dict[str, Any]:
    """Write the store's finalised visits (those named, or those in the range) to a bundle at `out`. What may
    travel beyond the default is the team's policy, read from the team store when one is named."""
    from ..store.bundle import choose_visits, export_bundle, export_range, joint_visits_in

    if refs and (date_from or date_to):
        raise UsageError("give either visits or --from/--to, not both")
    for label, day in (("--from", date_from), ("--to", date_to)):
        if day is not None:
            _check_day(label, day)
    if out.exists() and out.is_dir():
        raise UsageError(f"{out} is a folder: give the bundle's file name")
    if not out.parent.is_dir():
        raise UsageError(f"no folder {out.parent} for the bundle")
    policy = team_policy(team) if team else {}
    store = context.open_store(read_only=False)
    try:
        if store.path.resolve() == out.resolve():
            raise UsageError("the bundle would overwrite the store: give another --out")
        visits = choose_visits(store, date_from=date_from, date_to=date_to, refs=refs)
        dates = export_range(date_from, date_to, refs)
        if not visits and not joint_visits_in(store, dates):
            raise UsageError("no finalised visits to export" + (" in that range" if date_from or date_to else
                                                                 " (a visit is exported once it has ended)"))
        return export_bundle(store, visits, out, share_flagged=policy.get("share_flagged") == "yes",
                             share_sip_names=policy.get("share_sip_names") == "yes",
                             author=context.settings.name if context.settings.name else "",
                             dates=dates)
    finally:
        store.close()


def _check_day(label: str, day: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(day)
    except ValueError:
        raise UsageError(f"{label} {day}: give a date as YYYY-MM-DD") from None


def team_policy(target: str) -> dict[str, str]:
    if is_postgres(target):
        from ..store import pg

        return pg.policy(target)
    from ..store.pooling import policy

    store = _team(target)
    try:
        return policy(store)
    finally:
        store.close()


def set_policy(target: str, name: str, allowed: bool) -> None:
    if is_postgres(target):
        from ..store import pg

        return pg.set_policy(target, name, allowed)
    from ..store.pooling import set_policy as put

    store = _team(target, create=True)
    try:
        put(store, name, allowed)
    finally:
        store.close()


def merge(bundles: list[Path], into: str, progress=None) -> list[dict[str, Any]]:
    from ..store.pooling import check_bundle

    for b in bundles:
        check_bundle(Path(b))
    if is_postgres(into):
        from ..store import pg

        return pg.merge_bundles(into, [Path(b) for b in bundles], progress=progress)
    from ..store.pooling import merge_bundles

    if Path(into).suffix in (".bundle",):
        raise UsageError(f"{into} looks like a bundle: merge into a team store (a .db file or postgresql://…)")
    store = _team(into, create=True)
    try:
        return merge_bundles(store, [Path(b) for b in bundles], progress=progress)
    finally:
        store.close()


def conflicts(target: str) -> list[dict[str, Any]]:
    if is_postgres(target):
        from ..store import pg

        return pg.conflicts(target)
    from ..store.pooling import list_conflicts

    store = _team(target)
    try:
        return list_conflicts(store)
    finally:
        store.close()


def resolve(target: str, version: str, note: str = "") -> dict[str, Any]:
    if is_postgres(target):
        from ..store import pg

        return pg.resolve(target, version, note)
    from ..store.pooling import resolve_conflict

    store = _team(target)
    try:
        return resolve_conflict(store, version, note)
    finally:
        store.close()


def set_code(context: Context, organisation: str, code: str, school: bool = False) -> dict[str, Any]:
    from ..store.pooling import set_code as put

    store = context.open_store(read_only=False)
    try:
        return put(store, organisation, code, school)
    finally:
        store.close()


def aliases(target: str) -> list[dict[str, Any]]:
    from ..store.pooling import aliases as read

    store = _team(target)
    try:
        return read(store)
    finally:
        store.close()


@contextmanager
def postgres_store(url: str, organisation: str) -> Iterator[Path]:
    """A private SQLite store holding an organisation's (and its schools') rows read from a PostgreSQL team store,
    so the dashboard, the year's ratings and every other reading run on it unchanged; removed afterwards."""
    from ..store import pg

    folder = tempfile.mkdtemp(prefix="laqs-region-")
    try:
        path = Path(folder) / "region.db"
        pg.extract(url, organisation, path)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
