"""`python -m laqs_assist.tui [--store PATH] [--pack PATH] [--resume REF | --dashboard ORG | --overview]
[--year Y]`: the app, optionally straight into a visit, an LA's dashboard or the regional overview (the benchmarks
and the tmux tests use this; `laqs` with no command opens the list of visits)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from . import pause_gc

    pause_gc()  # run() brings it back once the first screen is up
    from ..errors import LaqsError

    parser = argparse.ArgumentParser(prog="python -m laqs_assist.tui")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--pack", type=Path, default=None)
    parser.add_argument("--resume", default=None, help="a visit id, id prefix, or 'last'")
    parser.add_argument("--dashboard", default=None, metavar="ORG", help="open an LA's dashboard (a school's page)")
    parser.add_argument("--overview", action="store_true", help="open the regional overview")
    parser.add_argument("--year", default=None, help="the academic year of --dashboard or --overview")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)

    class State:
        pack_path = args.pack
        store = args.store
        debug = args.debug

    from . import run

    try:
        year_view = ("overview", None, args.year) if args.overview else \
            ("dashboard", args.dashboard, args.year) if args.dashboard else None
        return run(State(), resume=args.resume, year_view=year_view)
    except LaqsError as exc:
        if args.debug:
            raise
        print(f"laqs: error: {exc.line()}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
