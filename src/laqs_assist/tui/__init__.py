"""The Textual interview app. `laqs` with no command calls run(state).

Only run() lives here so that importing the package stays cheap; the app and Textual load when it is called.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

_gc_paused = False


def pause_gc() -> None:
    """Start-up allocates a great many long-lived objects (Textual's classes, the stylesheet, the widgets):
    the cyclic collector would walk them again and again (~50 ms before the first question is on screen)."""
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """The first screen is up: collect again, with what start-up built frozen out of later collections (they
    would otherwise rescan it all on every full collection while the adviser types)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def run(state: Any, resume: str | None = None, year_view: tuple | None = None) -> int:
    """Open the app on the state's pack and store (default store: paths.default_store_path()).

    A fault the user can fix (a broken pack, a store that is not SQLite) is raised as LaqsError after the
    screen is restored, so the CLI prints it as one line with its exit code."""
    pause_gc()
    try:
        return _run(state, resume, year_view)
    finally:
        resume_gc()


def _run(state: Any, resume: str | None, year_view: tuple | None = None) -> int:
    from ..paths import default_pack_path, default_store_path
    from .engine import Backend, Engine

    pack_path = Path(getattr(state, "pack_path", None) or default_pack_path())
    store_path = Path(getattr(state, "store", None) or default_store_path())
    # The engine thread starts loading the pack and opening the store now, while Textual is being imported.
    engine = Engine(pack_path, store_path)
    # With --resume the visit is opened on that thread too, so it is ready when the first screen is built.
    opening = engine.submit(Backend.open, resume) if resume else None
    if year_view and not resume:  # likewise the year view's first reading
        from .yearnav import prefetch

        opening = prefetch(engine, year_view)
    try:
        from .app import LaqsApp
    except BaseException:
        engine.close()
        raise

    app = LaqsApp(pack_path, store_path, resume=resume, engine=engine, opening=opening, year_view=year_view)
    try:
        app.run()
    finally:
        app.engine.close()
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0


__all__ = ["run"]
