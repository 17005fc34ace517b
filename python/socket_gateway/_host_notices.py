"""The loop side of the native host's notices: each one reaches the cycle of its exchange.

The host's shard threads queue notices and make ``host.wakeup_fd`` readable;
``HostNoticeRouter.drain`` is that fd's ``loop.add_reader`` callback and takes the whole
batch. A ``HOST_REQUEST`` carries a new Exchange and its request head and goes to the
``on_request`` callback (the server, which starts a cycle for it and ``register``s it);
every other notice names an exchange id and goes to that cycle's ``on_*`` method. Notices
for an exchange whose cycle has finished are dropped.

Threading: the server's loop thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from . import _core
from ._scope import RequestHead

__all__ = ["Cycle", "HostNoticeRouter"]

logger = logging.getLogger("socket_gateway.serve")


class Cycle(Protocol):
    """What a forwarded exchange's ASGI side answers to (HttpCycle, WebSocketCycle)."""

    def on_body(self, chunk: bytes, more_body: bool) -> None: ...
    def on_disconnect(self) -> None: ...
    def on_drained(self) -> None: ...
    def on_websocket_message(self, data: str | bytes) -> None: ...
    def on_websocket_closed(self, code: int) -> None: ...


RequestCallback = Callable[[Any, RequestHead, bytes, bool, bool], None]
"""``on_request(exchange, head, body, more_body, websocket)``."""


class HostNoticeRouter:
    """Routes a NativeHost's notices to the cycles of their exchanges."""

    def __init__(self, host: Any, on_request: RequestCallback) -> None:
        self._host = host
        self._on_request = on_request
        self.cycles: dict[int, Cycle] = {}
        self._routes: dict[int, Callable[..., None]] = {
            _core.HOST_REQUEST: self._request,
            _core.HOST_BODY: lambda exchange_id, chunk, more_body: self._cycle(exchange_id).on_body(chunk, more_body),
            _core.HOST_DISCONNECT: lambda exchange_id: self._cycle(exchange_id).on_disconnect(),
            _core.HOST_DRAINED: lambda exchange_id: self._cycle(exchange_id).on_drained(),
            _core.HOST_WS_MESSAGE: lambda exchange_id, data: self._cycle(exchange_id).on_websocket_message(data),
            _core.HOST_WS_CLOSED: lambda exchange_id, code: self._cycle(exchange_id).on_websocket_closed(code),
        }

    def register(self, exchange_id: int, cycle: Cycle) -> None:
        """The cycle that gets the notices of ``exchange_id`` from now on."""
        self.cycles[exchange_id] = cycle

    def unregister(self, exchange_id: int) -> None:
        """Drops the cycle of a finished exchange (its late notices are ignored)."""
        self.cycles.pop(exchange_id, None)

    def drain(self) -> None:
        """Takes every waiting notice and routes it (the loop's reader callback)."""
        for notice in self._host.take_notices():
            try:
                self._routes[notice[0]](*notice[1:])
            except Exception:
                logger.exception("socket_gateway: failed to handle a host notice of kind %s", notice[0])

    def _cycle(self, exchange_id: int) -> Cycle:
        return self.cycles.get(exchange_id, _FINISHED)

    def _request(self, exchange: Any, method: str, path: bytes, query: bytes, http_version: str,
                 headers: list[tuple[bytes, bytes]], client: tuple[str, int], server: tuple[str, int],
                 body: bytes, more_body: bool, websocket: bool) -> None:
        head = RequestHead(method, path, query, http_version, headers, tuple(client), tuple(server))
        self._on_request(exchange, head, body, more_body, websocket)


class _FinishedCycle:
    """Where the notices of a finished exchange go: nowhere."""

    def on_body(self, chunk: bytes, more_body: bool) -> None:
        pass

    def on_disconnect(self) -> None:
        pass

    def on_drained(self) -> None:
        pass

    def on_websocket_message(self, data: str | bytes) -> None:
        pass

    def on_websocket_closed(self, code: int) -> None:
        pass


_FINISHED = _FinishedCycle()
