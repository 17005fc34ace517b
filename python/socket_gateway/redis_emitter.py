"""RedisEmitter and AsyncRedisEmitter: emits and room changes for a Socket Gateway cluster, from
a process that hosts no gateway (a worker, a cron job, another web service).

They publish on Redis pub/sub in the wire format of the npm package @socket.io/redis-emitter 5.x,
so both gateway nodes (cluster mode, same key prefix) and Node.js socket.io servers with the
Redis adapter understand them:

- an emit is the msgpack array ``["emitter", {"type": 2, "data": [event, *args], "nsp": N},
  {"rooms": [...], "flags": {}, "except": [...]}]`` (``bytes`` become msgpack bin), published on
  ``P#N#room#`` when it targets exactly one room, else on ``P#N#``;
- join / leave / disconnect by sid are the JSON requests of ``socketsJoin`` / ``socketsLeave`` /
  ``disconnectSockets(true)`` with ``opts.rooms == [sid]``, published on ``P-node#<node>#`` when
  the sid is a gateway cluster sid ``<node-id>-<random>``, else (or with ``route_to_nodes=False``)
  on ``P-request#N#``.

Nothing is stored in Redis and nothing is acknowledged: a publish reaches the nodes subscribed
at that moment. Needs the ``redis`` extra (``pip install 'socket-gateway[redis]'``: redis-py
and msgpack), imported when an emitter is created.

Threading: a RedisEmitter may be shared by threads (redis-py's connection pool is thread-safe).
An AsyncRedisEmitter belongs to the event loop that uses it first.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["AsyncRedisEmitter", "RedisEmitter"]

R = TypeVar("R")

# The uid of the npm emitter: receivers skip messages whose uid is their own, so no gateway
# node may be named "emitter".
_UID = "emitter"
_EVENT_PACKET = 2  # socket.io-parser PacketType.EVENT
_REMOTE_JOIN, _REMOTE_LEAVE, _REMOTE_DISCONNECT = 2, 3, 4  # the Redis adapter's RequestType
_RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)
# A gateway cluster sid is "<node-id>-<random>"; node ids are [A-Za-z0-9]{1,16}.
_NODE_SID = re.compile(r"([A-Za-z0-9]{1,16})-")
# Deeper values are refused rather than risk Python's recursion limit (msgpack allows 511).
_MAX_DEPTH = 500
_LEAF_TYPES = (str, bool, bytes, bytearray, memoryview, type(None))


def _load_packb() -> Callable[..., bytes]:
    try:
        packb: Callable[..., bytes] = importlib.import_module("msgpack").packb
        importlib.import_module("redis")
    except ImportError as error:
        raise ImportError("RedisEmitter needs redis-py and msgpack: pip install 'socket-gateway[redis]'") from error
    return packb


def _check_value(value: Any, depth: int = 0) -> None:
    """Raises TypeError/ValueError unless ``value`` is JSON-like (str dict keys) with bytes allowed."""
    if isinstance(value, _LEAF_TYPES):
        return
    if isinstance(value, int):
        if not -(1 << 63) <= value < (1 << 64):
            raise ValueError(f"integer {value} does not fit in 64 bits")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a JSON number")
        return
    if depth >= _MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_value(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"dict keys must be str, not {type(key).__name__}")
            _check_value(item, depth + 1)
    else:
        raise TypeError(f"{type(value).__name__} cannot be sent (JSON values and bytes only)")


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    return name


def _room_list(rooms: str | Iterable[str], what: str) -> list[str]:
    """A room name or an iterable of room names -> names in order, duplicates dropped."""
    names = [rooms] if isinstance(rooms, str) else list(rooms)
    return list(dict.fromkeys(_check_name(name, what) for name in names))


def _namespace(namespace: Any) -> str:
    """The namespace as the npm emitter's ``of()`` spells it: a leading "/" is added if missing."""
    name = _check_name(namespace, "namespace")
    return name if name.startswith("/") else "/" + name


def _arguments(data: Any) -> tuple[Any, ...]:
    if data is None:
        return ()
    return data if isinstance(data, tuple) else (data,)


class _Emitter(Generic[R]):
    """The emit and request API, whatever ``_publish`` returns (None, or an awaitable)."""

    def __init__(self, key_prefix: str, user_room_prefix: str, route_to_nodes: bool) -> None:
        self.key_prefix = _check_name(key_prefix, "key_prefix")
        self.user_room_prefix = _check_name(user_room_prefix, "user_room_prefix")
        if not isinstance(route_to_nodes, bool):
            raise TypeError("route_to_nodes must be a bool")
        self.route_to_nodes = route_to_nodes
        self._packb = _load_packb()

    def _publish(self, channel: str, payload: bytes | str) -> R:
        raise NotImplementedError

    # ---- emits ----------------------------------------------------------------------------

    def emit_to_user(self, user_id: str, event: str, data: Any = None, namespace: str = "/") -> R:
        """Sends ``event`` to every socket of ``user_id`` (room ``{user_room_prefix}{user_id}``).

        ``data`` is one argument (None: no argument; a tuple: several), any JSON value with
        ``bytes`` anywhere inside. Raises TypeError/ValueError for what cannot be sent.
        """
        room = self.user_room_prefix + _check_name(user_id, "user_id")
        return self.emit(event, *_arguments(data), rooms=(room,), namespace=namespace)

    def emit_to_room(self, room: str, event: str, data: Any = None, namespace: str = "/") -> R:
        """Sends ``event`` to every socket in ``room`` (see emit_to_user for ``data``)."""
        return self.emit(event, *_arguments(data), rooms=(_check_name(room, "room"),), namespace=namespace)

    def broadcast(self, event: str, data: Any = None, namespace: str = "/") -> R:
        """Sends ``event`` to every socket of the namespace (see emit_to_user for ``data``)."""
        return self.emit(event, *_arguments(data), namespace=namespace)

    def emit(self, event: str, *args: Any, rooms: str | Iterable[str] = (),
             except_rooms: str | Iterable[str] = (), namespace: str = "/") -> R:
        """Sends ``event(*args)`` to the sockets in any of ``rooms`` (every socket of the
        namespace when empty) that are in none of ``except_rooms``.

        ``rooms`` and ``except_rooms`` are a room name or an iterable of names; a sid is a room
        too. Each argument is a JSON value with ``bytes`` anywhere inside. Raises ValueError for
        a reserved or empty event name, TypeError/ValueError for what cannot be sent.
        """
        _check_name(event, "event")
        if not event:
            raise ValueError("event must be a non-empty str")
        if event in _RESERVED_EVENTS:
            raise ValueError(f"{event!r} is a reserved event name")
        _check_value(args)
        nsp = _namespace(namespace)
        targets = _room_list(rooms, "rooms")
        excluded = _room_list(except_rooms, "except_rooms")
        packet = {"type": _EVENT_PACKET, "data": [event, *args], "nsp": nsp}
        options = {"rooms": targets, "flags": {}, "except": excluded}
        channel = f"{self.key_prefix}#{nsp}#"
        if len(targets) == 1:
            channel += targets[0] + "#"
        return self._publish(channel, self._packb([_UID, packet, options], use_bin_type=True))

    # ---- requests by sid ------------------------------------------------------------------

    def join_room(self, sid: str, room: str, namespace: str = "/") -> R:
        """Adds the socket ``sid`` to ``room``, on whichever node holds it.

        Nothing answers: an unknown sid is ignored. ``namespace`` only matters when the request
        goes to the namespace's request channel (a sid that is not a gateway cluster sid, or
        ``route_to_nodes=False``).
        """
        return self._request(sid, namespace, _REMOTE_JOIN, {"rooms": [_check_name(room, "room")]})

    def leave_room(self, sid: str, room: str, namespace: str = "/") -> R:
        """Removes the socket ``sid`` from ``room`` (see join_room)."""
        return self._request(sid, namespace, _REMOTE_LEAVE, {"rooms": [_check_name(room, "room")]})

    def disconnect(self, sid: str, namespace: str = "/") -> R:
        """Disconnects the socket ``sid`` and closes its connection (see join_room)."""
        return self._request(sid, namespace, _REMOTE_DISCONNECT, {"close": True})

    def _request(self, sid: str, namespace: str, request_type: int, fields: dict[str, Any]) -> R:
        _check_name(sid, "sid")
        nsp = _namespace(namespace)
        request = {"type": request_type, "opts": {"rooms": [sid], "except": []}, **fields}
        node = _NODE_SID.match(sid) if self.route_to_nodes else None
        channel = f"{self.key_prefix}-node#{node.group(1)}#" if node else f"{self.key_prefix}-request#{nsp}#"
        return self._publish(channel, json.dumps(request, separators=(",", ":"), ensure_ascii=False))


class RedisEmitter(_Emitter[None]):
    """Publishes emits and room changes to a Socket Gateway cluster through Redis (blocking).

    Every method returns once Redis accepted the publish. Use it as a context manager, or
    call close().

    Args:
        url: the cluster's Redis, ``redis://[:password@]host:port[/db]`` (``rediss://`` for TLS).
        key_prefix: the nodes' ``--redis-key-prefix`` (the npm emitter's ``key``).
        user_room_prefix: the prefix of the per-user rooms (the gateway's is ``user:``).
        route_to_nodes: send a request on a cluster sid (``<node-id>-<random>``) to that node's
            channel. False sends every request to the namespace's request channel, as the npm
            emitter does: every gateway node still handles it, and Node.js socket.io servers
            need it (their sids may contain "-").
    """

    def __init__(self, url: str, key_prefix: str = "socket.io", user_room_prefix: str = "user:",
                 route_to_nodes: bool = True) -> None:
        super().__init__(key_prefix, user_room_prefix, route_to_nodes)
        import redis

        self._client: redis.Redis = redis.Redis.from_url(_check_name(url, "url"))

    def _publish(self, channel: str, payload: bytes | str) -> None:
        self._client.publish(channel, payload)

    def close(self) -> None:
        """Closes the connections to Redis."""
        self._client.close()

    def __enter__(self) -> RedisEmitter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class AsyncRedisEmitter(_Emitter[Awaitable[None]]):
    """RedisEmitter for asyncio code (redis.asyncio): every method returns an awaitable.

    Arguments are checked when the method is called; the publish happens when the result is
    awaited. Use ``async with``, or ``await close()``. Same arguments as RedisEmitter.
    """

    def __init__(self, url: str, key_prefix: str = "socket.io", user_room_prefix: str = "user:",
                 route_to_nodes: bool = True) -> None:
        super().__init__(key_prefix, user_room_prefix, route_to_nodes)
        import redis.asyncio

        self._client: redis.asyncio.Redis = redis.asyncio.Redis.from_url(_check_name(url, "url"))

    def _publish(self, channel: str, payload: bytes | str) -> Awaitable[None]:
        return self._send(channel, payload)

    async def _send(self, channel: str, payload: bytes | str) -> None:
        await self._client.publish(channel, payload)

    async def close(self) -> None:
        """Closes the connections to Redis."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncRedisEmitter:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()
