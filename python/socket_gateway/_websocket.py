"""The WebSocket transport over ASGI ``websocket``.

On ``websocket.connect`` the core checks the request on the right shard and, unless it
refuses (then the refusal is sent as an HTTP response where the server supports the
``websocket.http.response`` extension, else the socket is closed with 1008), opens the
session or the upgrade probe with a C++ peer whose outbox this module drains.

Two coroutines serve an accepted WebSocket: the reader feeds every ``websocket.receive``
to the session (a message over ``max_payload`` closes with 1009, as the standalone server
does) and reports ``websocket.disconnect``; the writer sleeps until the core says the
outbox has something, then takes all of it and sends each message, and closes the socket
when the engine closed the peer.

Threading: coroutines of the ASGI server's loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from . import _core
from ._http import Receive, Scope, Send, header, query_string, remote_address
from ._runtime import Runtime
from .errors import GatewayNotRunningError

__all__ = ["serve_websocket"]

logger = logging.getLogger("socket_gateway")

_CLOSE_NORMAL = 1000
_CLOSE_POLICY = 1008
_CLOSE_TOO_BIG = 1009


async def serve_websocket(runtime: Runtime, scope: Scope, receive: Receive, send: Send) -> None:
    """Serves one WebSocket from its ``websocket.connect`` to its end."""
    if (await receive())["type"] != "websocket.connect":
        return
    if not runtime.accepting:
        await send({"type": "websocket.close", "code": _CLOSE_POLICY})
        return
    token, opened = runtime.router.expect(asyncio.get_running_loop())
    runtime.core.open_websocket(token, query_string(scope), header(scope, b"authorization"), remote_address(scope))
    try:
        peer, status, content_type, body = await opened
    except GatewayNotRunningError:
        await send({"type": "websocket.close", "code": _CLOSE_POLICY})
        return
    if peer is None:
        await _refuse(scope, send, status, content_type, body)
        return
    await send({"type": "websocket.accept"})
    await _serve_accepted(runtime, peer, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, content_type: str, body: bytes) -> None:
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": _CLOSE_POLICY})
        return
    headers = [(b"content-type", content_type.encode("latin-1")), (b"content-length", str(len(body)).encode())]
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


async def _serve_accepted(runtime: Runtime, peer: _core.WebSocketPeer, receive: Receive, send: Send) -> None:
    ready = asyncio.Event()
    runtime.router.attach_writer(peer.id, ready.set)
    writer = asyncio.ensure_future(_write(peer, ready, send))
    try:
        await _read(runtime, peer, receive, send)
    finally:
        runtime.router.detach_writer(peer.id)
        runtime.core.websocket_closed(peer)
        if not writer.done():
            writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


async def _read(runtime: Runtime, peer: _core.WebSocketPeer, receive: Receive, send: Send) -> None:
    limit = runtime.max_payload
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            return
        if kind != "websocket.receive":
            continue
        data = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
            size = len(data)
        else:
            size = len(data) if data.isascii() else len(data.encode("utf-8", "surrogatepass"))
        if size > limit:
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": _CLOSE_TOO_BIG})
            return
        runtime.core.websocket_message(peer, data)


async def _write(peer: _core.WebSocketPeer, ready: asyncio.Event, send: Send) -> None:
    # The outbox is taken once before the first wake-up: the open packet may have been
    # queued before this writer was registered.
    try:
        while True:
            ready.clear()
            messages, close_after, nbytes = peer.take()
            for message in messages:
                if isinstance(message, str):
                    await send({"type": "websocket.send", "text": message})
                else:
                    await send({"type": "websocket.send", "bytes": message})
            if nbytes:
                peer.written(nbytes)
            if close_after:
                await send({"type": "websocket.close", "code": _CLOSE_NORMAL})
                return
            await ready.wait()
    except asyncio.CancelledError:
        raise
    except Exception as error:  # the connection is gone; the reader sees the disconnect
        logger.debug("socket_gateway: websocket send failed: %r", error)
