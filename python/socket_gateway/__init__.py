"""socket_gateway: a Socket.IO v5 server whose protocol core is C++, for ASGI apps.

    from fastapi import FastAPI
    from socket_gateway import ASGIApp, SocketGateway

    api = FastAPI()
    gateway = SocketGateway(jwt_secret="...")
    app = ASGIApp(gateway, other_asgi_app=api)      # uvicorn module:app

    @api.post("/notify/{user_id}")
    async def notify(user_id: str) -> None:
        await gateway.emit_to_user(user_id, "notice", {"text": "hello"})

The public names are SocketGateway (settings, handlers, emits, rooms), ASGIApp (the ASGI
application), serve (run an app on the native C++ host instead of uvicorn, as
``python -m socket_gateway serve module:app`` does) and the exceptions in socket_gateway.errors.

Threading: importing is thread-safe; see each class for its own rules.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version

from .asgi import ASGIApp
from .errors import GatewayNotRunningError, RoomLimitError, UnknownSidError
from .gateway import SocketGateway
from .redis_emitter import AsyncRedisEmitter, RedisEmitter
from .serving import serve

__all__ = ["ASGIApp", "AsyncRedisEmitter", "GatewayNotRunningError", "RedisEmitter", "RoomLimitError", "SocketGateway",
           "UnknownSidError", "serve"]
try:
    __version__ = _package_version("socket-gateway")
except PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"
