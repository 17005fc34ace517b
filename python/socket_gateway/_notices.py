"""The loop side of the C++ core's notices: what each one completes or starts.

The core queues notices on its shard threads and makes an eventfd readable;
``NoticeRouter.drain`` is that fd's ``loop.add_reader`` callback. It takes the whole
batch and routes each notice: a polling reply or a WebSocket open completes the future
its request awaits, an outbox-ready notice wakes that WebSocket's writer, a connect /
event / disconnect runs the application's handler, a "done" completes a lookup.

Futures are registered under integer tokens that the core hands back; a future may
belong to another thread's loop (``_awaitable.resolve`` handles that).

Threading: ``drain`` and the WebSocket registry on the gateway's loop thread;
``expect`` / ``forget`` / ``fail_all`` from any thread (under a lock).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _core
from ._awaitable import resolve

if TYPE_CHECKING:
    from ._handlers import HandlerRegistry

__all__ = ["NoticeRouter"]

logger = logging.getLogger("socket_gateway")

Converter = Callable[[tuple[Any, ...]], Any]
"""Turns a notice's payload into the future's result (or raises the future's error)."""


def _as_is(payload: tuple[Any, ...]) -> Any:
    return payload


class NoticeRouter:
    """Routes the core's notices on the gateway's loop; keeps the futures they complete."""

    def __init__(self, core: _core.Core, handlers: HandlerRegistry) -> None:
        self._core = core
        self._handlers = handlers
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._waiting: dict[int, tuple[asyncio.Future[Any], Converter]] = {}
        self._writers: dict[int, Callable[[], None]] = {}
        self._routes: dict[int, Callable[..., None]] = {
            _core.NOTICE_POLL_REPLY: self._complete,
            _core.NOTICE_WEBSOCKET_OPENED: self._complete,
            _core.NOTICE_DONE: self._complete,
            _core.NOTICE_OUTBOX_READY: self._wake_writer,
            _core.NOTICE_CONNECT: handlers.run_connect,
            _core.NOTICE_EVENT: handlers.run_event,
            _core.NOTICE_DISCONNECT: handlers.run_disconnect,
        }

    # ---- futures ------------------------------------------------------------------------

    def expect(self, loop: asyncio.AbstractEventLoop, convert: Converter = _as_is) -> tuple[int, asyncio.Future[Any]]:
        """A new token and the future (on ``loop``) that its notice will complete."""
        future = loop.create_future()
        with self._lock:
            token = next(self._tokens)
            self._waiting[token] = (future, convert)
        return token, future

    def forget(self, token: int) -> None:
        """Drops a token whose answer nobody wants any more."""
        with self._lock:
            self._waiting.pop(token, None)

    def waiting(self) -> int:
        """How many requests and lookups are waiting for the core."""
        with self._lock:
            return len(self._waiting)

    def fail_all(self, error: BaseException) -> None:
        """Fails every waiting future (the core stopped; no notice will come)."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future, _ in waiting.values():
            resolve(future, error=error)

    def _complete(self, token: int, *payload: Any) -> None:
        with self._lock:
            entry = self._waiting.pop(token, None)
        if entry is None:
            return
        future, convert = entry
        try:
            value = convert(payload)
        except Exception as error:  # the converter's verdict, e.g. KeyError for a sid
            resolve(future, error=error)
        else:
            resolve(future, value)

    # ---- WebSocket writers ----------------------------------------------------------------

    def attach_writer(self, peer_id: int, wake: Callable[[], None]) -> None:
        """Registers the wake-up of the writer draining this peer's outbox."""
        self._writers[peer_id] = wake

    def detach_writer(self, peer_id: int) -> None:
        """Forgets a peer's writer (its WebSocket is over)."""
        self._writers.pop(peer_id, None)

    def open_websockets(self) -> int:
        """How many WebSockets are being served."""
        return len(self._writers)

    def _wake_writer(self, peer_id: int) -> None:
        wake = self._writers.get(peer_id)
        if wake is not None:
            wake()

    # ---- the eventfd's reader -------------------------------------------------------------

    def drain(self) -> None:
        """Takes every waiting notice and routes it (the loop's reader callback)."""
        for notice in self._core.take_notices():
            try:
                self._routes[notice[0]](*notice[1:])
            except Exception:
                logger.exception("socket_gateway: failed to handle a notice of kind %s", notice[0])
