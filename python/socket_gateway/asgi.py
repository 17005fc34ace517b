"""ASGIApp: the gateway mounted in an ASGI server, beside another ASGI app (FastAPI).

Requests for ``/{socketio_path}/`` go straight into the C++ core — ``http`` as Engine.IO
long-polling, ``websocket`` as the WebSocket transport; everything else reaches
``other_asgi_app`` untouched (404 without one). The ``lifespan`` protocol passes through:
the gateway starts before the other app sees ``lifespan.startup`` and drains after it has
finished its shutdown, so FastAPI's startup and shutdown handlers may use the gateway. A
server that sends no lifespan events gets the gateway started on the first request.

Several uvicorn workers are separate processes, each with its own gateway and rooms: an
emit in one worker reaches only that worker's clients (the Redis mode is the answer).

Threading: the ASGI server's loop thread.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Protocol

from ._http import Receive, Scope, Send, respond
from ._polling import serve_polling
from ._websocket import serve_websocket
from .gateway import SocketGateway

__all__ = ["ASGIApp"]


class _ASGIApp(Protocol):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...


class ASGIApp:
    """An ASGI application serving Socket.IO at ``/{socketio_path}/`` and ``other_asgi_app`` elsewhere.

    Args:
        gateway: the SocketGateway to host.
        other_asgi_app: the application that gets every other request and the lifespan
            events (typically a FastAPI app), or None.
        socketio_path: the Engine.IO endpoint's path, without slashes.
    """

    def __init__(self, gateway: SocketGateway, other_asgi_app: _ASGIApp | None = None,
                 socketio_path: str = "socket.io") -> None:
        if not isinstance(gateway, SocketGateway):
            raise TypeError("gateway must be a SocketGateway")
        self.gateway = gateway
        self.other_asgi_app = other_asgi_app
        path = "/" + socketio_path.strip("/")
        self._paths = frozenset({path, path + "/"})
        self.engine_path = path.rstrip("/") + "/"
        """The Engine.IO endpoint's path with both slashes ("/socket.io/"), as a native host mounts it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if kind in ("http", "websocket") and self._is_engine_path(scope):
            runtime = self.gateway._runtime
            runtime.ensure_started()
            if kind == "http":
                await serve_polling(runtime, self.gateway.cors_any_origin, self.gateway.cors_origins, scope,
                                    receive, send)
            else:
                await serve_websocket(runtime, scope, receive, send)
            return
        if self.other_asgi_app is not None:
            await self.other_asgi_app(scope, receive, send)
        elif kind == "http":
            await respond(send, 404, "application/json", b'{"error":"not found"}')
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    def _is_engine_path(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        if path in self._paths:
            return True
        root = scope.get("root_path", "")
        return bool(root) and path.startswith(root) and path[len(root):] in self._paths

    # ---- lifespan -------------------------------------------------------------------------

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = self.gateway._runtime
        if self.other_asgi_app is None:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    runtime.ensure_started()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await runtime.shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

        async def receive_starting_gateway() -> MutableMapping[str, Any]:
            message = await receive()
            if message["type"] == "lifespan.startup":
                runtime.ensure_started()
            return message

        async def send_after_draining(message: MutableMapping[str, Any]) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await runtime.shutdown()
            await send(message)

        await self.other_asgi_app(scope, receive_starting_gateway, send_after_draining)
