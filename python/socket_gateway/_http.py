"""Small pieces of ASGI HTTP shared by the transports: reading headers and bodies out of a
scope, answering with a complete response, and the CORS headers of the Engine.IO endpoint.

CORS follows the standalone server: without ``cors_allowed_origins`` no CORS header is sent
(same-origin only); with "*" any origin is allowed (``Access-Control-Allow-Origin: *``);
with a list, a listed origin is echoed back with credentials allowed.

Threading: coroutines and functions of the ASGI server's loop thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "PayloadTooLarge", "Receive", "Scope", "Send", "cors_headers", "header", "preflight_headers", "query_string", "read_body",
    "remote_address", "respond",
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def header(scope: Scope, name: bytes) -> str:
    """The first value of header ``name`` (lower-case bytes), or ""."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return ""


def query_string(scope: Scope) -> str:
    """The raw query string of the request."""
    query: bytes = scope.get("query_string", b"")
    return query.decode("latin-1")


def remote_address(scope: Scope) -> str:
    """The client's address, or "" when the server does not say."""
    client = scope.get("client")
    return client[0] if client else ""


class PayloadTooLarge(Exception):
    """The request body is longer than the limit."""


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when the client disconnected before sending it.

    Raises PayloadTooLarge as soon as more than ``limit`` bytes have arrived.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def respond(send: Send, status: int, content_type: str, body: bytes,
                  extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Sends a complete response with Content-Type, Content-Length and Cache-Control: no-store."""
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
    ]
    if extra_headers:
        headers.extend(extra_headers)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def cors_headers(origin: str, any_origin: bool, origins: frozenset[str]) -> list[tuple[bytes, bytes]]:
    """The CORS headers of a response to a request from ``origin``."""
    if not origin:
        return []
    if any_origin:
        return [(b"access-control-allow-origin", b"*")]
    if origin not in origins:
        return []
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"vary", b"Origin"),
    ]


def preflight_headers(scope: Scope, any_origin: bool, origins: frozenset[str]) -> list[tuple[bytes, bytes]]:
    """The headers of the answer to a CORS preflight (OPTIONS) request."""
    origin = header(scope, b"origin")
    allowed = cors_headers(origin, any_origin, origins)
    if not allowed:
        return []
    requested = header(scope, b"access-control-request-headers") or "Content-Type, Authorization"
    return allowed + [
        (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
        (b"access-control-allow-headers", requested.encode("latin-1")),
        (b"access-control-max-age", b"86400"),
    ]
