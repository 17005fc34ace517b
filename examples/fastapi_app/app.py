"""Socket Gateway beside FastAPI: a REST backend that pushes notifications to browsers.

Run it with `make run` (port 8000) or, from this folder, `uvicorn app:app --port 8000`.
  POST /login              {"user_id": "alice"} -> {"token": <development HS256 JWT>}
  POST /notify/{user_id}   {"message": "..."}   -> 202; every connection of that user receives a
                           "notification" event (from an `async def` route)
  POST /notify-sync/{user_id}   the same from a plain `def` route (FastAPI's threadpool)
  POST /notify-later/{user_id}  the same from a BackgroundTasks task, after the response
  GET  /                   the demo page: log in, connect, watch notifications arrive
  GET  /static/socket.io.min.js  socket.io-client, served from this folder's node_modules
  /socket.io/              Socket.IO itself (the gateway), /docs the API documentation
The JWT secret comes from SOCKET_GATEWAY_JWT_SECRET (a development default otherwise); the
/login route is a stand-in for your real login and signs any user id it is given.
Threading: async routes and the gateway's handlers run on uvicorn's event loop, `def` routes
and sync background tasks in FastAPI's threadpool; the gateway's methods work from both.
"""
from __future__ import annotations

import logging
import os
import pathlib
import time

import jwt
from fastapi import BackgroundTasks, FastAPI, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from socket_gateway import ASGIApp, SocketGateway

HERE = pathlib.Path(__file__).resolve().parent
CLIENT_BUNDLE = HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
# HS256 wants at least 32 bytes of secret; this default is for development only.
JWT_SECRET = os.environ.get("SOCKET_GATEWAY_JWT_SECRET", "dev-secret-change-me-0123456789abcdef")
TOKEN_LIFETIME_SECONDS = 3600

log = logging.getLogger("uvicorn.error")  # printed with uvicorn's own log lines
gateway = SocketGateway(jwt_secret=JWT_SECRET, jwt_algorithms=("HS256",))
api = FastAPI(title="Socket Gateway FastAPI demo")


class Login(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)


class Notification(BaseModel):
    message: str = Field(min_length=1, max_length=2000)


def notification(message: str, sent_from: str) -> dict:
    return {"message": message, "from": sent_from, "sent_at": time.time()}


@api.post("/login")
def login(body: Login) -> dict:
    """Signs a development token for any user id (replace with your real authentication)."""
    now = int(time.time())
    claims = {"sub": body.user_id, "iat": now, "exp": now + TOKEN_LIFETIME_SECONDS}
    return {"token": jwt.encode(claims, JWT_SECRET, algorithm="HS256"), "user_id": body.user_id}


@api.post("/notify/{user_id}", status_code=202)
async def notify(user_id: str, body: Notification) -> dict:
    """Pushes to every tab and device of `user_id`, from an async route."""
    await gateway.emit_to_user(user_id, "notification", notification(body.message, "async route"))
    return {"status": "queued"}


@api.post("/notify-sync/{user_id}", status_code=202)
def notify_from_sync_route(user_id: str, body: Notification) -> dict:
    """The same push from a plain `def` route: no await, the call does the work itself."""
    gateway.emit_to_user(user_id, "notification", notification(body.message, "sync route"))
    return {"status": "queued"}


@api.post("/notify-later/{user_id}", status_code=202)
async def notify_from_background_task(user_id: str, body: Notification,
                                      tasks: BackgroundTasks) -> dict:
    """The same push from a background task, which runs after the response is sent."""
    def push() -> None:
        gateway.emit_to_user(user_id, "notification",
                             notification(body.message, "background task"))

    tasks.add_task(push)
    return {"status": "scheduled"}


@api.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(HERE / "index.html", media_type="text/html")


@api.get("/static/socket.io.min.js", include_in_schema=False)
def socketio_client_bundle() -> FileResponse:
    if not CLIENT_BUNDLE.exists():
        raise HTTPException(500, "socket.io-client is not installed: run `npm install` in "
                                 "examples/fastapi_app (make run does it)")
    return FileResponse(CLIENT_BUNDLE, media_type="text/javascript")


@gateway.on_connect()
async def connected(sid: str, user_id: str, claims: dict) -> None:
    log.info("connected: %s as %s", sid, user_id)


@gateway.on_disconnect()
async def disconnected(sid: str, user_id: str, reason: str) -> None:
    log.info("disconnected: %s (%s): %s", sid, user_id, reason)


@gateway.on("hello")
async def hello(sid: str, name: str) -> dict:
    """A client event with an ack: the return value is what the client's callback receives."""
    return {"greeting": f"Hello {name}, you are connection {sid}"}


# The five lines: FastAPI keeps every route; Socket.IO answers at /socket.io/.
app = ASGIApp(gateway, other_asgi_app=api, socketio_path="socket.io")
