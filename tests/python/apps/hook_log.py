"""What the test app's Socket.IO handlers and background tasks saw, for the tests to read.

Every connect/disconnect hook, event handler and background call of the test app appends one
entry (a JSON-safe dict) here; GET /control/hooks returns the entries so a test can check which
sid, user id, claims, arguments and reasons reached Python, and on which loop.
Threading: appended from the asyncio loop and from the threadpool of sync routes and background
tasks, read from the loop: every access holds the lock.
"""
from __future__ import annotations

import threading
from typing import Any


class HookLog:
    """An append-only list of dict entries, each numbered by its position."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, kind: str, **fields: Any) -> None:
        """Appends {"kind": kind, **fields}; `fields` must already be JSON-safe."""
        with self._lock:
            self._entries.append({"kind": kind, **fields})

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        """Every entry from position `since` on."""
        with self._lock:
            return list(self._entries[since:])
