"""The Textual interview app. `laqs` with no command calls run(state).

Only run() lives here so that importing the package stays cheap; the app and Textual load when it is called.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run(state: Any, resume: str | None = None) -> int:
    """Open the app on the state's pack and store (default store: paths.default_store_path()).

    A fault the user can fix (a broken pack, a store that is not SQLite) is raised as LaqsError after the
    screen is restored, so the CLI prints it as one line with its exit code."""
    from ..paths import default_pack_path, default_store_path
    from .engine import Engine

    pack_path = Path(getattr(state, "pack_path", None) or default_pack_path())
    store_path = Path(getattr(state, "store", None) or default_store_path())
    # The engine thread starts loading the pack and opening the store now, while Textual is being imported.
    engine = Engine(pack_path, store_path)
    try:
        from .app import LaqsApp
    except BaseException:
        engine.close()
        raise

    app = LaqsApp(pack_path, store_path, resume=resume, engine=engine)
    try:
        app.run()
    finally:
        app.engine.close()
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0


__all__ = ["run"]
