"""The long-polling transport over ASGI ``http``: one request in, one response out.

The whole body is read, then handed to the core with a token (the core routes it to the
session's shard, or any shard for a handshake); the engine's answer comes back as a
notice that completes the token's future. While the engine holds a GET (until it has
packets for the client), ``receive()`` is watched too: an ``http.disconnect`` means the
client went away, and the engine is told so the session ends now rather than at the
ping timeout.

Threading: coroutines of the ASGI server's loop thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._http import (PayloadTooLarge, Receive, Scope, Send, cors_headers, header, preflight_headers, query_string,
                    read_body, remote_address, respond)
from ._runtime import Runtime
from .errors import GatewayNotRunningError

__all__ = ["serve_polling"]


async def serve_polling(runtime: Runtime, any_origin: bool, origins: frozenset[str], scope: Scope,
                        receive: Receive, send: Send) -> None:
    """Serves one Engine.IO long-polling request (or its CORS preflight)."""
    method = scope["method"]
    if method == "OPTIONS":
        await respond(send, 204, "text/plain", b"", preflight_headers(scope, any_origin, origins))
        return
    cors = cors_headers(header(scope, b"origin"), any_origin, origins)
    if not runtime.accepting:
        await respond(send, 503, "text/plain; charset=UTF-8", b"gateway stopped", cors)
        return
    query = query_string(scope)
    body = await _read_announced_body(runtime, method, query, receive)
    if body is None:
        return  # the client left before sending its body
    if isinstance(body, PayloadTooLarge):
        await respond(send, 413, "application/json", b'{"error":"payload too large"}', cors)
        return
    loop = asyncio.get_running_loop()
    token, reply = runtime.router.expect(loop)
    runtime.core.handle_polling(token, method, query, header(scope, b"content-type"), body,
                                header(scope, b"authorization"), remote_address(scope))
    try:
        if method == "GET":
            answer = await _reply_unless_client_leaves(runtime, token, reply, query, receive)
            if answer is None:
                return
        else:
            answer = await reply
    except GatewayNotRunningError:
        await respond(send, 503, "text/plain; charset=UTF-8", b"gateway stopped", cors)
        return
    status, content_type, response_body = answer
    await respond(send, status, content_type, response_body, cors)


async def _read_announced_body(runtime: Runtime, method: str, query: str,
                               receive: Receive) -> bytes | PayloadTooLarge | None:
    """The request body (see read_body). A POST for a session is announced to the engine
    before its body is read, so that a second POST overlapping it is refused as the protocol
    requires; a body that never reaches handle_polling is reported as abandoned."""
    announced = method == "POST" and "sid=" in query
    if announced:
        runtime.core.polling_post_started(query)
    body: bytes | PayloadTooLarge | None = None
    try:
        body = await read_body(receive, runtime.max_payload)
    except PayloadTooLarge as too_large:
        body = too_large
    finally:
        if announced and not isinstance(body, bytes):
            runtime.core.polling_post_abandoned(query)
    return body


async def _reply_unless_client_leaves(runtime: Runtime, token: int, reply: asyncio.Future[Any], query: str,
                                      receive: Receive) -> tuple[int, str, bytes] | None:
    """The engine's reply, or None when the client disconnected while the GET was held."""
    disconnect = asyncio.ensure_future(receive())
    try:
        while True:
            await asyncio.wait((reply, disconnect), return_when=asyncio.FIRST_COMPLETED)
            if reply.done():
                answer: tuple[int, str, bytes] = reply.result()
                return answer
            if disconnect.result()["type"] == "http.disconnect":
                break
            disconnect = asyncio.ensure_future(receive())  # anything else is not a departure
    except asyncio.CancelledError:  # the server gave up on this request
        _abandon(runtime, token, query)
        raise
    finally:
        if not disconnect.done():
            disconnect.cancel()
    _abandon(runtime, token, query)
    return None


def _abandon(runtime: Runtime, token: int, query: str) -> None:
    runtime.router.forget(token)
    runtime.core.polling_get_abandoned(query)
