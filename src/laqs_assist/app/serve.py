"""Browsing a store with Datasette, read-only: `laqs serve STORE`.

Datasette opens the file in its normal mode, never immutable (-i): a live store keeps recent changes in its
write-ahead log, which immutable mode would not read (and it would show a store as it was, or fail with "no such
table"). Normal mode opens read-only connections that read through the log. Arbitrary SQL is off; every table that
holds an answer's words is closed; answers are read through the shared_answers view (flagged answers are not in it)
and the canned queries. Beyond this machine (a --host that is not loopback) every request needs the password.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError

ACCOUNT = "laqs"
HASH_ENV = "LAQS_SERVE_PASSWORD_HASH"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metadata(path: Path, *, password: bool) -> dict[str, Any]:
    """Datasette's metadata for the store at `path`: titles, descriptions, closed tables, canned queries, search."""
    from ..store.db import connect_read_only
    from ..store.served import CANNED, COLUMNS, OPEN_TABLES, VIEWS, table_names

    conn = connect_read_only(path)
    try:
        tables = table_names(conn)
    finally:
        conn.close()
    name = path.stem
    table_meta: dict[str, Any] = {}
    for t in tables:
        if t in OPEN_TABLES:
            table_meta[t] = {"title": t.replace("_", " ").capitalize(), "description": OPEN_TABLES[t]}
            if t in COLUMNS:
                table_meta[t]["columns"] = COLUMNS[t]
        else:
            table_meta[t] = {"allow": False, "hidden": True}
    for view, text in VIEWS.items():
        table_meta[view] = {"description": text, "fts_table": "responses_fts", "fts_pk": "answer_rowid",
                            "sortable_columns": ["date", "organisation", "aspect_id"]}
    meta: dict[str, Any] = {
        "title": "laqs-assist: pooled visits",
        "description": "The team's finalised visits to LAs and schools, judged against the quality standards and "
                       "criteria for LA self-evaluation: ratings, actions and answers (never those flagged as "
                       "concerning an individual). Read-only.",
        "allow_sql": False,
        "databases": {name: {"tables": table_meta, "queries": CANNED}},
    }
    if password:
        meta["plugins"] = {"datasette-auth-passwords": {"http_basic_auth": True,
                                                        f"{ACCOUNT}_password_hash": {"$env": HASH_ENV}}}
    return meta


def command(path: Path, meta_file: Path, host: str, port: int) -> list[str]:
    # Never "-i"/"--immutable": see the module's docstring.
    return [sys.executable, "-m", "datasette", "serve", str(path), "--host", host, "--port", str(port),
            "--metadata", str(meta_file), "--setting", "sql_time_limit_ms", "3000",
            "--setting", "allow_download", "off", "--setting", "allow_csv_stream", "off"]


def serve(path: Path, host: str = "127.0.0.1", port: int = 8001, password: str | None = None,
          notice=print) -> int:
    """Run Datasette on the store until interrupted; its exit code."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise UsageError("laqs serve needs Datasette: pip install 'laqs-assist[serve]'") from None
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no store at {path}")
    local = is_loopback(host)
    if not local and not password:
        raise UsageError(f"serving beyond this machine (--host {host}) needs a password: set LAQS_SERVE_PASSWORD, "
                         "or serve on 127.0.0.1")
    env = dict(os.environ)
    if password:
        try:
            from datasette_auth_passwords.utils import hash_password
        except ImportError:
            raise UsageError("a password needs datasette-auth-passwords: pip install 'laqs-assist[serve]'") from None
        env[HASH_ENV] = hash_password(password)
    try:
        meta = metadata(path, password=bool(password))
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"cannot read the store {path}: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="laqs-serve-") as folder:
        meta_file = Path(folder) / "metadata.json"
        meta_file.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        where = f"http://{host}:{port}/"
        notice(f"laqs: serving {path} read-only at {where}" + (f" (user {ACCOUNT}, your password)"
                                                                 if password else "") + "; Ctrl+C stops")
        proc = subprocess.Popen(command(path, meta_file, host, port), env=env)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait()
            return 0
