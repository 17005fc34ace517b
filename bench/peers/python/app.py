"""The bench contract (bench/peers/README.md) on python-socketio 5 + uvicorn: a peer that
Socket Gateway is benchmarked against.

An AsyncServer in ASGI mode, ping 25 s / 20 s, no HTTP compression (clients connect over
WebSocket directly; long-polling stays enabled only so the readiness probe
``GET /socket.io/?EIO=4&transport=polling`` answers 200). The connect handler verifies the
HS256 JWT of ``auth.token`` with PyJWT (secret BENCH_JWT_SECRET), refuses with
``{"message": "Unauthorized"}``, and enters ``user:<sub>`` and every room of the ``rooms``
claim before it returns: python-socketio sends the CONNECT packet only after the handler
returned, so the rooms are joined before the client sees it. An admin (claim role = "admin")
sends ``bench:emit`` with an ack to make the server emit.

Run: ``uvicorn --app-dir bench/peers/python app:app`` (see the README for the full command).

Threading: uvicorn's event loop only.
"""

from __future__ import annotations

import os
from typing import Any

import jwt
import socketio

SECRET = os.environ["BENCH_JWT_SECRET"]
# A bench request may not ask for more than this many emits in one call.
MAX_ISSUED = 1_000_000
# Names Socket.IO clients treat as their own; a request for them is malformed.
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})

sio = socketio.AsyncServer(
    async_mode="asgi",
    ping_interval=25,
    ping_timeout=20,
    http_compression=False,
    cors_allowed_origins=[],
)
app = socketio.ASGIApp(sio)
claims_by_sid: dict[str, dict[str, Any]] = {}


def verified_claims(auth: Any) -> dict[str, Any] | None:
    """The claims of a valid token with a non-empty string ``sub``, else None."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return claims if isinstance(sub, str) and sub else None


def rooms_of(claims: dict[str, Any]) -> list[str]:
    """The socket's user room and the non-empty strings of its ``rooms`` claim."""
    claimed = claims.get("rooms")
    extra = [room for room in claimed if isinstance(room, str) and room] if isinstance(claimed, list) else []
    return ["user:" + claims["sub"], *extra]


def is_string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def parse_request(request: Any) -> tuple[list[str | None], str, Any, int] | None:
    """(targets — a room, or None for everyone —, event, payload, repeat), or None when malformed."""
    if not isinstance(request, dict):
        return None
    to = request.get("to")
    if to == "all":
        targets: list[str | None] = [None]
    elif isinstance(to, dict) and len(to) == 1 and is_string_list(to.get("users")):
        targets = ["user:" + user for user in to["users"]]
    elif isinstance(to, dict) and len(to) == 1 and is_string_list(to.get("rooms")):
        targets = list(to["rooms"])
    else:
        return None
    event = request.get("ev")
    if not isinstance(event, str) or not event or event in RESERVED_EVENTS:
        return None
    repeat = request.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 0 or repeat * len(targets) > MAX_ISSUED:
        return None
    return targets, event, request.get("payload"), repeat


@sio.event
async def connect(sid: str, environ: dict, auth: Any = None) -> None:
    claims = verified_claims(auth)
    if claims is None:
        raise socketio.exceptions.ConnectionRefusedError("Unauthorized")
    claims_by_sid[sid] = claims
    for room in rooms_of(claims):
        await sio.enter_room(sid, room)


@sio.event
async def disconnect(sid: str, reason: Any = None) -> None:
    claims_by_sid.pop(sid, None)


@sio.on("bench:emit")
async def bench_emit(sid: str, request: Any = None, *_: Any) -> dict[str, Any]:
    """``repeat`` rounds; each round emits once to every target, in order."""
    if claims_by_sid.get(sid, {}).get("role") != "admin":
        return {"error": "forbidden"}
    parsed = parse_request(request)
    if parsed is None:
        return {"error": "bad request"}
    targets, event, payload, repeat = parsed
    issued = 0
    for _round in range(repeat):
        for room in targets:
            # A one-element tuple: exactly one argument, even when the payload is null.
            await sio.emit(event, (payload,), to=room)
            issued += 1
    return {"issued": issued}
