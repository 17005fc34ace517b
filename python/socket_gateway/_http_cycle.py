"""One forwarded HTTP request-response cycle: ASGI ``receive`` / ``send`` over a host Exchange.

``receive()`` first returns the body bytes the host had already buffered; while more body
follows, each later call asks the host for the next chunk (``read_body``) and waits for its
``HOST_BODY`` notice. Once the body has ended, ``receive()`` waits for the client to leave
(``HOST_DISCONNECT``) or the response to complete, then returns ``http.disconnect``.

``send()`` keeps ``http.response.start`` until the first body part so that the common
response is one call into the host (``respond``); later parts are ``send_body``. When the
host says its write buffer is over the high-water mark (False), ``send()`` waits for
``HOST_DRAINED`` or the client's departure; after a departure sends are no-ops.

``run()`` calls the app and enforces the endings: an app that raised or returned before
anything reached the client gets a 500 ``Internal Server Error``; after a partial response
the connection is aborted.

Threading: everything on the server's loop thread; the host's notices arrive through
``on_body`` / ``on_disconnect`` / ``on_drained`` (called by the host notice router).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._scope import response_headers

__all__ = ["HttpCycle"]

logger = logging.getLogger("socket_gateway.serve")
access_logger = logging.getLogger("socket_gateway.access")

App = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
               Awaitable[None]]

_SERVER_ERROR_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_SERVER_ERROR_BODY = b"Internal Server Error"


class HttpCycle:
    """The ASGI side of one forwarded HTTP exchange."""

    def __init__(self, exchange: Any, scope: dict[str, Any], body: bytes, more_body: bool) -> None:
        self.exchange = exchange
        self.scope = scope
        self._first_body: bytes | None = body
        self._body_follows = more_body  # the host holds request body not yet reported
        self._reading = False  # a read_body() is in flight
        self._chunks: deque[tuple[bytes, bool]] = deque()
        self._changed = asyncio.Event()  # a chunk, the disconnect or the response's end
        self._drained = asyncio.Event()
        self.disconnected = False
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] | None = None  # response.start, held
        self._on_wire = False  # the host has been given the response head
        self.response_complete = False

    # ---- notices from the host --------------------------------------------------------------

    def on_body(self, chunk: bytes, more_body: bool) -> None:
        """HOST_BODY: the next chunk of the request body."""
        self._reading = False
        self._body_follows = more_body
        self._chunks.append((chunk, more_body))
        self._changed.set()

    def on_disconnect(self) -> None:
        """HOST_DISCONNECT: the client went away before the response ended."""
        self.disconnected = True
        self._changed.set()
        self._drained.set()

    def on_drained(self) -> None:
        """HOST_DRAINED: the host's unsent bytes fell to the low-water mark."""
        self._drained.set()

    def on_websocket_message(self, data: str | bytes) -> None:
        """Not for an HTTP exchange (ignored)."""

    def on_websocket_closed(self, code: int) -> None:
        """Not for an HTTP exchange (ignored)."""

    # ---- ASGI -------------------------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        """The next ``http.request`` part, or ``http.disconnect``."""
        if self._first_body is not None:
            body, self._first_body = self._first_body, None
            return {"type": "http.request", "body": body, "more_body": self._body_follows}
        while True:
            if self._chunks:
                chunk, more_body = self._chunks.popleft()
                return {"type": "http.request", "body": chunk, "more_body": more_body}
            if self.disconnected or self.response_complete:
                return {"type": "http.disconnect"}
            if self._body_follows and not self._reading:
                self._reading = True
                self.exchange.read_body()
            self._changed.clear()
            await self._changed.wait()

    async def send(self, message: MutableMapping[str, Any]) -> None:
        """Takes ``http.response.start`` and ``http.response.body`` messages."""
        kind = message["type"]
        if kind == "http.response.start":
            if self._headers is not None:
                raise RuntimeError("Unexpected ASGI message 'http.response.start': the response already started")
            self._status = int(message["status"])
            self._headers = response_headers(message.get("headers", ()))
            return
        if kind != "http.response.body":
            raise RuntimeError(f"Unexpected ASGI message {kind!r} in an http scope")
        if self._headers is None:
            raise RuntimeError("Unexpected ASGI message 'http.response.body' before 'http.response.start'")
        if self.response_complete:
            raise RuntimeError("Unexpected ASGI message 'http.response.body' after the response completed")
        body = bytes(message.get("body", b""))
        more_body = bool(message.get("more_body", False))
        if not more_body:
            self.response_complete = True
            self._changed.set()
        if self.disconnected:
            return  # ASGI: sends after a disconnect are no-ops
        if self._on_wire and more_body and not body:
            return  # nothing to write (an empty chunk would end a chunked body)
        self._drained.clear()
        if self._on_wire:
            ready = self.exchange.send_body(body, more_body)
        else:
            self._on_wire = True
            ready = self.exchange.respond(self._status, self._headers, body, more_body)
        if not ready and more_body:
            await self._drained.wait()

    # ---- the application's run --------------------------------------------------------------

    async def run(self, app: App) -> None:
        """Calls the app for this request and finishes the exchange whatever the app did."""
        try:
            await app(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            self._fail()
            raise
        except Exception:
            logger.exception("Exception in ASGI application")
            self._fail()
        else:
            if not self.response_complete and not self.disconnected:
                logger.error("ASGI callable returned without completing response.")
                self._fail()
        if self._on_wire and access_logger.isEnabledFor(logging.INFO):
            self._log_access()

    def _log_access(self) -> None:
        scope = self.scope
        client = scope.get("client") or ("-", 0)
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        access_logger.info('%s:%d - "%s %s HTTP/%s" %d', client[0], client[1], scope["method"], target,
                           scope["http_version"], self._status)

    def _fail(self) -> None:
        """500 when the client has seen nothing yet, else the connection is cut."""
        if self.disconnected:
            return
        if self._on_wire:
            self.exchange.abort()
            return
        self._on_wire = True
        self.response_complete = True
        self._status = 500
        self.exchange.respond(500, _SERVER_ERROR_HEADERS, _SERVER_ERROR_BODY, False)

    def abort(self) -> None:
        """Cuts the connection (the server gave up waiting at shutdown)."""
        if not self.disconnected:
            self.disconnected = True
            self.exchange.abort()
            self._changed.set()
            self._drained.set()
