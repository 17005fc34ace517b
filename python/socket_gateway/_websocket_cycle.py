"""One forwarded WebSocket: ASGI ``receive`` / ``send`` over a host Exchange.

``receive()`` returns ``websocket.connect`` first, then each message the host reports
(``HOST_WS_MESSAGE``: ``str`` is a text frame, ``bytes`` a binary one) and finally
``websocket.disconnect`` with the close code (``HOST_WS_CLOSED``; a connection lost before
the handshake counts as 1006). ``send()`` takes ``websocket.accept`` (subprotocol, extra
headers: the host writes the 101), ``websocket.send`` (waiting for ``HOST_DRAINED`` when the
host's write buffer is over its high-water mark) and ``websocket.close`` — before the accept
the host answers that with HTTP 403. Sending on a connection the client closed raises
``ClientDisconnected`` (an ``OSError``, as ASGI asks).

``run()`` closes what the app left open: 403 when it returned or raised before accepting,
1000 when it returned after accepting, 1011 when it raised after accepting.

Threading: everything on the server's loop thread; the host's notices arrive through the
``on_*`` methods (called by the host notice router).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import MutableMapping
from typing import Any

from ._http_cycle import App
from ._scope import response_headers

__all__ = ["ClientDisconnected", "WebSocketCycle"]

logger = logging.getLogger("socket_gateway.serve")

CLOSE_NORMAL = 1000
CLOSE_ABNORMAL = 1006
CLOSE_INTERNAL_ERROR = 1011
CLOSE_SERVICE_RESTART = 1012


class ClientDisconnected(OSError):
    """The WebSocket is closed; nothing more can be sent on it."""


class WebSocketCycle:
    """The ASGI side of one forwarded WebSocket."""

    def __init__(self, exchange: Any, scope: dict[str, Any]) -> None:
        self.exchange = exchange
        self.scope = scope
        self._connect_delivered = False
        self._messages: deque[dict[str, Any]] = deque()
        self._changed = asyncio.Event()
        self._drained = asyncio.Event()
        self.accepted = False
        self.closed_by_app = False
        self.close_code: int | None = None  # the client's side is closed with this code

    # ---- notices from the host --------------------------------------------------------------

    def on_websocket_message(self, data: str | bytes) -> None:
        """HOST_WS_MESSAGE: one message from the client."""
        if isinstance(data, str):
            self._messages.append({"type": "websocket.receive", "text": data})
        else:
            self._messages.append({"type": "websocket.receive", "bytes": data})
        self._changed.set()

    def on_websocket_closed(self, code: int) -> None:
        """HOST_WS_CLOSED: the WebSocket is over (1005: no code given, 1006: connection lost)."""
        if self.close_code is None:
            self.close_code = code
        self._changed.set()
        self._drained.set()

    def on_disconnect(self) -> None:
        """HOST_DISCONNECT: the connection went away (before the handshake finished)."""
        self.on_websocket_closed(CLOSE_ABNORMAL)

    def on_drained(self) -> None:
        """HOST_DRAINED: the host's unsent bytes fell to the low-water mark."""
        self._drained.set()

    def on_body(self, chunk: bytes, more_body: bool) -> None:
        """Not for a WebSocket (ignored)."""

    # ---- ASGI -------------------------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        """``websocket.connect``, then ``websocket.receive`` messages, then ``websocket.disconnect``."""
        if not self._connect_delivered:
            self._connect_delivered = True
            return {"type": "websocket.connect"}
        while True:
            if self._messages:
                return self._messages.popleft()
            if self.close_code is not None:
                return {"type": "websocket.disconnect", "code": self.close_code}
            self._changed.clear()
            await self._changed.wait()

    async def send(self, message: MutableMapping[str, Any]) -> None:
        """Takes ``websocket.accept``, ``websocket.send`` and ``websocket.close`` messages."""
        kind = message["type"]
        if kind == "websocket.accept":
            if self.accepted or self.closed_by_app:
                raise RuntimeError("Unexpected ASGI message 'websocket.accept': already accepted or closed")
            self.accepted = True
            if self.close_code is None:
                self.exchange.accept_websocket(message.get("subprotocol"), response_headers(message.get("headers", ())))
        elif kind == "websocket.send":
            if not self.accepted or self.closed_by_app:
                raise RuntimeError("Unexpected ASGI message 'websocket.send': not accepted, or closed")
            if self.close_code is not None:
                raise ClientDisconnected(f"the client closed the WebSocket ({self.close_code})")
            text = message.get("text")
            data = text if text is not None else bytes(message.get("bytes") or b"")
            self._drained.clear()
            if not self.exchange.send_message(data):
                await self._drained.wait()
        elif kind == "websocket.close":
            if self.closed_by_app:
                raise RuntimeError("Unexpected ASGI message 'websocket.close': already closed")
            self.close(int(message.get("code") or CLOSE_NORMAL), message.get("reason") or "")
        else:
            raise RuntimeError(f"Unexpected ASGI message {kind!r} in a websocket scope")

    def close(self, code: int, reason: str = "") -> None:
        """Closes the WebSocket (before the accept: HTTP 403), unless it is closed already."""
        if self.closed_by_app:
            return
        self.closed_by_app = True
        if self.close_code is None:
            self.exchange.close_websocket(code, reason)

    def close_for_shutdown(self) -> None:
        """The server is going away: close 1012 (before the accept: 403); the app's
        ``receive()`` then returns ``websocket.disconnect`` 1012 and its sends raise
        ClientDisconnected."""
        if self.close_code is not None:
            return
        if not self.closed_by_app:
            self.closed_by_app = self.accepted  # an app that has not accepted yet may still answer
            self.exchange.close_websocket(CLOSE_SERVICE_RESTART, "")
        self.close_code = CLOSE_SERVICE_RESTART
        self._changed.set()
        self._drained.set()

    # ---- the application's run --------------------------------------------------------------

    async def run(self, app: App) -> None:
        """Calls the app for this WebSocket and closes whatever it left open."""
        try:
            await app(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            self.close(CLOSE_SERVICE_RESTART if self.accepted else CLOSE_NORMAL)
            raise
        except Exception:
            logger.exception("Exception in ASGI application")
            self.close(CLOSE_INTERNAL_ERROR if self.accepted else CLOSE_NORMAL)
        else:
            self.close(CLOSE_NORMAL)

    def abort(self) -> None:
        """Cuts the connection (the server gave up waiting at shutdown)."""
        if self.close_code is None:
            self.close_code = CLOSE_ABNORMAL
            self.exchange.abort()
            self._changed.set()
            self._drained.set()
