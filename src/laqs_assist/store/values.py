"""What the store writes besides the user's own words: ids, timestamps and JSON."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_lock = threading.Lock()
_last_us = 0  # the latest stamp this process has handed out, in microseconds since the epoch


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    """The time in UTC to the microsecond, as ISO 8601 ('2026-11-22T10:00:00.123456+00:00').

    Strictly later than every stamp this process made before, on any connection or thread: when two changes fall
    in the same microsecond, or the clock is set back, the stamp moves on one microsecond past the last. Which
    judgement is latest is decided by (created_at, id), so one adviser's changes keep the order they were made
    in; stamps from different processes or stores that tie are settled by the id."""
    global _last_us
    with _lock:
        us = time.time_ns() // 1000
        if us <= _last_us:
            us = _last_us + 1
        _last_us = us
    return (_EPOCH + timedelta(microseconds=us)).isoformat(timespec="microseconds")


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
