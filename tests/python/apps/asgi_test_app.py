"""The FastAPI application the ASGI-mode tests run, with the gateway mounted.

Started by tests/python/asgi_server.py as `asgi_test_app:app --app-dir tests/python/apps` under
uvicorn or `python -m socket_gateway serve`.
Configured through the environment:
  SG_TEST_JWT_SECRET     HS256 secret (required)
  SG_TEST_PING_INTERVAL  / SG_TEST_PING_TIMEOUT / SG_TEST_CONNECT_TIMEOUT  seconds (optional)
  SG_TEST_MARKER_DIR     where the FastAPI lifespan writes `startup` and `shutdown` (optional)
  SG_TEST_REDIS_URL      cluster mode through this Redis (optional), with SG_TEST_NODE_ID
  SG_TEST_ROOMS_CLAIM    the JWT claim listing rooms a socket joins at connect (optional)
  SG_TEST_RECOVERY       connection-state recovery window in seconds (optional; off without it)
  SG_TEST_MAX_SOCKETS_PER_USER / SG_TEST_MAX_EVENTS_PER_SECOND / SG_TEST_MAX_ROOMS_PER_SOCKET
                         abuse limits (optional; the package's defaults without them)
What it offers the tests:
  - Socket.IO at /socket.io/ on namespaces "/" and "/admin" (ASGIApp beside FastAPI);
  - handlers: "echo" (async) and "echo_sync" (def) ack with the arguments they got, "silent"
    acks with no arguments, "record" only records, "whoami" acks {"sid", "rooms"} looked up
    with the gateway, "join" joins the room it is given and acks the rooms ({"refused", "rooms"} past the room limit); "/admin" has "echo"
    acking ["admin", *args]. Each records a hook log entry (sid, args, whether it ran on the
    server's loop). on_connect records sid, user id, claims and the rooms at that moment;
    on_disconnect records sid, user id and reason;
  - the /control routes (control_routes.py) and the hook log at GET /control/hooks;
  - ordinary FastAPI routes: POST /items (a pydantic body), GET /socket.io-lookalike, a
    WebSocket echo at /ws/echo, and /docs.
Threading: handlers and async routes on the server's loop; sync routes in FastAPI's threadpool.
"""
from __future__ import annotations

import asyncio
import os
import pathlib
from contextlib import asynccontextmanager
from typing import Any, Optional

from fastapi import FastAPI, Header, WebSocket
from pydantic import BaseModel
from socket_gateway import ASGIApp, RoomLimitError, SocketGateway

from control_routes import make_control_router
from hook_log import HookLog
from wire_values import to_wire

ADMIN = "/admin"


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


gateway = SocketGateway(
    jwt_secret=os.environ["SG_TEST_JWT_SECRET"],
    jwt_algorithms=("HS256",),
    ping_interval=_seconds("SG_TEST_PING_INTERVAL", 25.0),
    ping_timeout=_seconds("SG_TEST_PING_TIMEOUT", 20.0),
    connect_timeout=_seconds("SG_TEST_CONNECT_TIMEOUT", 45.0),
    namespaces=("/", ADMIN),
    redis_url=os.environ.get("SG_TEST_REDIS_URL") or None,
    node_id=os.environ.get("SG_TEST_NODE_ID") or None,
    jwt_rooms_claim=os.environ.get("SG_TEST_ROOMS_CLAIM") or None,
    recovery_max_disconnection=_seconds("SG_TEST_RECOVERY", 0.0) or None,
    max_sockets_per_user=int(os.environ.get("SG_TEST_MAX_SOCKETS_PER_USER") or 0),
    max_client_events_per_second=_seconds("SG_TEST_MAX_EVENTS_PER_SECOND", 0.0),
    max_rooms_per_socket=int(os.environ.get("SG_TEST_MAX_ROOMS_PER_SOCKET") or 10_000),
)
hooks = HookLog()
server_loop: dict[str, Optional[asyncio.AbstractEventLoop]] = {"loop": None}


def _on_server_loop() -> Optional[bool]:
    """Whether the caller runs on the loop the lifespan started on (None: no lifespan ran)."""
    if server_loop["loop"] is None:
        return None
    try:
        return asyncio.get_running_loop() is server_loop["loop"]
    except RuntimeError:
        return False


def _record_event(name: str, namespace: str, sid: str, args: tuple) -> None:
    hooks.record("event", event=name, namespace=namespace, sid=sid, args=to_wire(list(args)),
                 on_server_loop=_on_server_loop())


# --- Socket.IO handlers ---------------------------------------------------------------------------

@gateway.on_connect()
async def on_connect(sid: str, user_id: str, claims: dict) -> None:
    rooms = await gateway.rooms(sid)
    hooks.record("connect", namespace="/", sid=sid, user_id=user_id, claims=claims,
                 rooms=sorted(rooms), on_server_loop=_on_server_loop())


@gateway.on_disconnect()
async def on_disconnect(sid: str, user_id: str, reason: str) -> None:
    hooks.record("disconnect", namespace="/", sid=sid, user_id=user_id, reason=reason,
                 on_server_loop=_on_server_loop())


@gateway.on_connect(namespace=ADMIN)
def on_admin_connect(sid: str, user_id: str, claims: dict) -> None:
    hooks.record("connect", namespace=ADMIN, sid=sid, user_id=user_id, claims=claims,
                 on_server_loop=_on_server_loop())


@gateway.on_disconnect(namespace=ADMIN)
def on_admin_disconnect(sid: str, user_id: str, reason: str) -> None:
    hooks.record("disconnect", namespace=ADMIN, sid=sid, user_id=user_id, reason=reason,
                 on_server_loop=_on_server_loop())


@gateway.on("echo")
async def echo(sid: str, *args: Any) -> tuple:
    _record_event("echo", "/", sid, args)
    return args


@gateway.on("echo_sync")
def echo_sync(sid: str, *args: Any) -> tuple:
    _record_event("echo_sync", "/", sid, args)
    return args


@gateway.on("silent")
async def silent(sid: str, *args: Any) -> None:
    _record_event("silent", "/", sid, args)


@gateway.on("record")
def record(sid: str, *args: Any) -> None:
    _record_event("record", "/", sid, args)


@gateway.on("whoami")
async def whoami(sid: str, *args: Any) -> dict:
    _record_event("whoami", "/", sid, args)
    return {"sid": sid, "rooms": sorted(await gateway.rooms(sid))}


@gateway.on("join")
async def join(sid: str, room: str) -> Any:
    _record_event("join", "/", sid, (room,))
    try:
        await gateway.join_room(sid, room)
    except RoomLimitError:
        return {"refused": room, "rooms": sorted(await gateway.rooms(sid))}
    return sorted(await gateway.rooms(sid))


@gateway.on("echo", namespace=ADMIN)
async def admin_echo(sid: str, *args: Any) -> tuple:
    _record_event("echo", ADMIN, sid, args)
    return ("admin", *args)


# --- the FastAPI application ----------------------------------------------------------------------

def _write_marker(name: str, text: str) -> None:
    directory = os.environ.get("SG_TEST_MARKER_DIR")
    if directory:
        pathlib.Path(directory, name).write_text(text)


@asynccontextmanager
async def lifespan(_: FastAPI):
    server_loop["loop"] = asyncio.get_running_loop()
    try:  # the gateway started before FastAPI's startup: a lookup must already work
        nobody = await gateway.sids_of_user("nobody-at-startup")
        _write_marker("startup", f"pid={os.getpid()} sids_of_nobody={nobody!r}")
    except Exception as error:  # the test reads the marker
        _write_marker("startup", f"pid={os.getpid()} gateway lookup failed: {error!r}")
    yield
    _write_marker("shutdown", f"pid={os.getpid()}")


fastapi_app = FastAPI(title="socket-gateway ASGI test app", lifespan=lifespan)
fastapi_app.include_router(make_control_router(gateway, hooks))


class Item(BaseModel):
    name: str
    quantity: int


@fastapi_app.post("/items", status_code=201)
async def create_item(item: Item, tag: str = "none",
                      x_test_header: Optional[str] = Header(default=None)) -> dict:
    return {"item": item.model_dump(), "tag": tag, "header": x_test_header}


@fastapi_app.get("/socket.io-lookalike")
async def lookalike() -> dict:
    return {"served_by": "fastapi"}


@fastapi_app.websocket("/ws/echo")
async def websocket_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"fastapi echo: {text}")
    await websocket.close()


app = ASGIApp(gateway, other_asgi_app=fastapi_app, socketio_path="socket.io")
