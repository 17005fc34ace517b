"""What the serve command does with the app it was given: who gets which request.

For an ``ASGIApp`` the native host shares the gateway's core — its shards, and its Engine.IO
engine mounted at the app's Socket.IO path with the gateway's CORS settings — so Socket.IO
never reaches Python as ASGI. The requests the host forwards go to ``other_asgi_app``
(without one: 404 JSON, and a WebSocket is closed), and the lifespan goes to the ASGIApp,
which starts the gateway on ``lifespan.startup``. Any other ASGI app gets a host with its own
shards and every request, and the lifespan.

``host_config`` turns the serve options into the host's ``_core.HostConfig``.

Threading: pure; the server calls these once, on its loop thread, before the host starts.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from . import _core
from ._config import threads_from_environment
from ._http import respond
from ._http_cycle import App
from ._runtime import Runtime
from .asgi import ASGIApp

__all__ = ["HostLimits", "ServeTarget", "host_config", "serve_target"]


@dataclass(frozen=True, slots=True)
class ServeTarget:
    """The apps and the gateway behind one serve command."""

    forwarded_app: App
    """Gets every request the host forwards."""
    lifespan_app: App
    """Gets the lifespan scope."""
    runtime: Runtime | None
    """The gateway's runtime (its core is the host's), or None for a plain ASGI app."""
    engine_path: str = ""
    """Where the host serves Engine.IO ("/socket.io/"), "" for none."""
    cors_any_origin: bool = False
    cors_origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HostLimits:
    """The serve options that become the host's settings."""

    host: str = "127.0.0.1"
    port: int = 8000
    threads: int | None = None
    """Shards of a host without a gateway (None: ``$SOCKET_GATEWAY_THREADS``, else 1)."""
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 64 * 2**20


async def _not_found(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    """What an ASGIApp without ``other_asgi_app`` answers outside Socket.IO (as ASGIApp does)."""
    if scope["type"] == "http":
        await respond(send, 404, "application/json", b'{"error":"not found"}')
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000})


def serve_target(app: App) -> ServeTarget:
    """The split of ``app`` between the native host and Python."""
    if isinstance(app, ASGIApp):
        gateway = app.gateway
        return ServeTarget(
            forwarded_app=app.other_asgi_app if app.other_asgi_app is not None else _not_found,
            lifespan_app=app,
            runtime=gateway._runtime,
            engine_path=app.engine_path,
            cors_any_origin=gateway.cors_any_origin,
            cors_origins=tuple(sorted(gateway.cors_origins)),
        )
    return ServeTarget(forwarded_app=app, lifespan_app=app, runtime=None)


def host_config(target: ServeTarget, limits: HostLimits) -> Any:
    """The ``_core.HostConfig`` of the host serving ``target``."""
    config = _core.HostConfig()
    config.host = limits.host
    config.port = limits.port
    if target.runtime is None:
        config.threads = limits.threads or threads_from_environment() or 1
    config.socketio_path = target.engine_path
    config.cors_any_origin = target.cors_any_origin
    config.cors_origins = list(target.cors_origins)
    config.max_header_bytes = limits.max_header_bytes
    config.max_body_bytes = limits.max_body_bytes
    return config

