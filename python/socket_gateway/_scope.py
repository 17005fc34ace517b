"""ASGI scopes and response headers for the requests the native host forwards.

``RequestHead`` is the request as a ``HOST_REQUEST`` notice carries it (raw path and query,
lower-cased header names, addresses); ``http_scope`` / ``websocket_scope`` turn it into the
ASGI 3.0 scope an application gets. As uvicorn does, ``root_path`` is prepended to ``path``
and ``raw_path``; ``path`` is percent-decoded as UTF-8 (undecodable bytes become U+FFFD).
``response_headers`` is the other direction: an app's ``headers`` as the (bytes, bytes)
pairs the host writes, names lower-cased.

Threading: pure functions; the server calls them on its loop thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

__all__ = ["ASGI_VERSION", "RequestHead", "decode_path", "http_scope", "response_headers", "subprotocols",
           "websocket_scope"]

ASGI_VERSION = "3.0"
ASGI_SPEC_VERSION = "2.3"

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class RequestHead:
    """One forwarded request's head, as the host parsed it."""

    method: str
    path: bytes
    """The raw path (still percent-encoded), without the query."""
    query: bytes
    """The raw bytes after '?' (b"" without one)."""
    http_version: str
    """ "1.0" or "1.1"."""
    headers: Headers
    """In arrival order, names lower-cased."""
    client: tuple[str, int]
    server: tuple[str, int]


def decode_path(raw_path: bytes) -> str:
    """The percent-decoded path, UTF-8 (an invalid sequence becomes U+FFFD)."""
    if b"%" not in raw_path and raw_path.isascii():
        return raw_path.decode("ascii")
    return unquote_to_bytes(raw_path).decode("utf-8", "replace")


def _common(head: RequestHead, scheme: str, root_path: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "asgi": {"version": ASGI_VERSION, "spec_version": ASGI_SPEC_VERSION},
        "http_version": head.http_version,
        "scheme": scheme,
        "path": root_path + decode_path(head.path),
        "raw_path": root_path.encode("utf-8") + head.path,
        "query_string": head.query,
        "root_path": root_path,
        "headers": head.headers,
        "client": head.client,
        "server": head.server,
        "state": dict(state),
        "extensions": {},
    }


def http_scope(head: RequestHead, root_path: str, state: dict[str, Any]) -> dict[str, Any]:
    """The ASGI ``http`` scope of a forwarded request (``state``: the lifespan state, copied)."""
    scope = _common(head, "http", root_path, state)
    scope["type"] = "http"
    scope["method"] = head.method
    return scope


def websocket_scope(head: RequestHead, root_path: str, state: dict[str, Any]) -> dict[str, Any]:
    """The ASGI ``websocket`` scope of a forwarded WebSocket upgrade."""
    scope = _common(head, "ws", root_path, state)
    scope["type"] = "websocket"
    scope["subprotocols"] = subprotocols(head.headers)
    return scope


def subprotocols(headers: Headers) -> list[str]:
    """The subprotocols the client offered (every ``sec-websocket-protocol`` header, in order)."""
    offered: list[str] = []
    for name, value in headers:
        if name == b"sec-websocket-protocol":
            offered.extend(part.strip() for part in value.decode("latin-1").split(",") if part.strip())
    return offered


def _as_bytes(value: Any, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):  # not ASGI, but common enough to accept
        return value.encode("latin-1")
    raise TypeError(f"ASGI response header {what} must be bytes, not {type(value).__name__}")


def response_headers(headers: Iterable[Any]) -> Headers:
    """An app's response ``headers`` as (name, value) bytes pairs with lower-case names.

    Raises TypeError for a header that is not a pair of bytes (or str). CR, LF and NUL are
    left to the host, which refuses them.
    """
    pairs: Headers = []
    for header in headers:
        name, value = header
        pairs.append((_as_bytes(name, "name").lower(), _as_bytes(value, "value")))
    return pairs
