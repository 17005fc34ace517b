"""The bench contract (bench/peers/README.md) on Socket Gateway's Python package: the C++ core
hosted by uvicorn through socket_gateway.ASGIApp (implementation `asgi`), or by the package's
native host, ``python -m socket_gateway serve`` (implementation `serve`); one core thread.

The core verifies the HS256 JWT of ``auth.token`` (secret BENCH_JWT_SECRET) and joins
``user:<sub>`` and the rooms of the ``rooms`` claim (jwt_rooms_claim) before it acknowledges the
CONNECT; it refuses a bad token with ``{"message": "Unauthorized"}``. The on_connect hook
records which sids carry the claim role = "admin"; an admin sends ``bench:emit`` with an ack to
make the server emit through the package's async emit API.

Run: ``uvicorn --app-dir bench/peers/asgi app:app`` or ``python -m socket_gateway serve app:app
--app-dir bench/peers/asgi`` (see the README for the full commands; the package must be
installed: scripts/install-python-package.sh).

Threading: handlers run on the server's event loop; the core runs on its own thread.
"""

from __future__ import annotations

import os
from typing import Any

from socket_gateway import ASGIApp, SocketGateway

# A bench request may not ask for more than this many emits in one call.
MAX_ISSUED = 1_000_000
# Names Socket.IO clients treat as their own; a request for them is malformed.
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})

gateway = SocketGateway(
    jwt_secret=os.environ["BENCH_JWT_SECRET"],
    jwt_algorithms=("HS256",),
    jwt_rooms_claim="rooms",
    ping_interval=25,
    ping_timeout=20,
    threads=1,
    log_level="warn",
)
app = ASGIApp(gateway)
admin_sids: set[str] = set()


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


@gateway.on_connect()
def remember_admins(sid: str, user_id: str, claims: dict[str, Any]) -> None:
    if claims.get("role") == "admin":
        admin_sids.add(sid)


@gateway.on_disconnect()
def forget_admins(sid: str, user_id: str, reason: str) -> None:
    admin_sids.discard(sid)


@gateway.on("bench:emit")
async def bench_emit(sid: str, request: Any = None, *_: Any) -> dict[str, Any]:
    """``repeat`` rounds; each round emits once to every target, in order."""
    if sid not in admin_sids:
        return {"error": "forbidden"}
    parsed = parse_request(request)
    if parsed is None:
        return {"error": "bad request"}
    targets, event, payload, repeat = parsed
    issued = 0
    for _round in range(repeat):
        for room in targets:
            # A one-element tuple: exactly one argument, even when the payload is null.
            if room is None:
                await gateway.broadcast(event, (payload,))
            else:
                await gateway.emit_to_room(room, event, (payload,))
            issued += 1
    return {"issued": issued}
