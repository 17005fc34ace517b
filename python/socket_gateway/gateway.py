"""SocketGateway: the Socket.IO server as Python code sees it — settings, handlers, and
the emit / room / lookup API.

The protocol runs in the C++ core on its own shard threads; this class only converts
values (JSON + binary attachments) and hands work over. Every API method works from
``async def`` code (it returns an awaitable) and from plain ``def`` code on a thread without
an event loop, such as FastAPI's thread pool (it returns the value, blocking only for the
lookups, which wait for a shard with the GIL released). Emits never wait for delivery.

Threading: any thread. Handlers run on the loop of the ASGI server that hosts the gateway
(see ASGIApp), scheduled from the shard threads only through the core's notice queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from . import binary
from ._awaitable import Ready, running_loop
from ._config import USER_ROOM_PREFIX, build_core_config, cors_origins
from ._handlers import ConnectHandler, DisconnectHandler, EventHandler
from ._runtime import Runtime
from .errors import GatewayNotRunningError, RoomLimitError, UnknownSidError

__all__ = ["SocketGateway"]

T = TypeVar("T")
H = TypeVar("H", bound=Callable[..., Any])

# Names Socket.IO reserves for its own use; a server cannot emit them as events.
_RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)


def _arguments(data: Any) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, tuple):
        return list(data)
    return [data]


class SocketGateway:
    """A Socket.IO v5 server core with JWT authentication, rooms and a server-side emit API.

    Mount it in an ASGI server with :class:`socket_gateway.ASGIApp`. Clients authenticate
    at CONNECT with a JWT (``auth: {token}`` or ``Authorization: Bearer``); a connected socket
    is in room ``user:{user_id}``.

    Args:
        jwt_secret: HMAC secret for HS256/HS384/HS512 tokens.
        jwt_public_key: PEM text of the public key for RS256/ES256 tokens. One of the two
            keys is required.
        jwt_algorithms: accepted algorithms (default: HS256 with a secret, RS256 and ES256
            with a public key).
        jwt_issuer: required ``iss`` claim, if set.
        jwt_audience: required ``aud`` claim, if set.
        jwt_user_claim: claim holding the user id.
        jwt_leeway: seconds of tolerance on ``exp`` and ``nbf``.
        ping_interval: seconds between server pings.
        ping_timeout: seconds to wait for a pong before closing.
        connect_timeout: seconds a new session may wait for its first CONNECT.
        max_payload: largest message or polling POST body, in bytes.
        max_queue_bytes: outbound bytes queued per connection before it is disconnected as
            too slow.
        namespaces: namespaces served ("/" always is).
        threads: the core's event-loop threads (default: the environment variable
            ``SOCKET_GATEWAY_THREADS`` when set — ``python -m socket_gateway serve --threads N``
            sets it before importing the app — else the number of cores).
        cors_allowed_origins: None for same-origin only, "*" for any origin, or a list of
            origins allowed to use the long-polling transport from a browser.
        log_level: the core's log level ("debug", "info", "warn", "error"); it writes
            JSON lines on stderr.
        jwt_rooms_claim: a claim listing rooms (array of str) each socket joins at connect,
            before the client sees its connect acknowledged.
        redis_url: ``redis://[[user]:password@]host[:port][/db]`` to share rooms with other
            gateway nodes (other workers, other machines) through Redis; None: single node.
            See docs/deployment.md.
        redis_key_prefix: prefix of the Redis channels (the ``key`` of @socket.io/redis-emitter).
        node_id: this node's id in the cluster (1-16 letters or digits; default random).
        recovery_max_disconnection: connection-state recovery (socket.io-client's
            ``socket.recovered``): seconds a socket that lost its connection is kept so its
            client, coming back, gets its sid, its rooms and every emit it missed. None (the
            default) turns it off; 120 is a sensible value. See docs/deployment.md.
        recovery_max_bytes: bytes of emits kept for replay (oldest dropped first).
        max_connections: Engine.IO sessions at most; more get HTTP 503. None (the default):
            90 % of the process's open-file limit; 0: no limit.
        max_connections_per_ip: sessions at most from one client address; more get 429.
            0 (the default): no limit — keep it so behind a proxy.
        handshake_rate_per_ip: new sessions per second from one address, in bursts of twice
            that; more get 429. 0: no limit.
        max_sockets_per_user: Socket.IO connections at most per user (JWT) in this process;
            more get ``connect_error`` "Too many connections for this user". 0: no limit.
        max_rooms_per_socket: rooms one socket may be in (its user room included); a join past
            it is refused (``join_room`` raises RoomLimitError). 0: no limit.
        max_client_events_per_second: events per second one socket may send to the handlers,
            in bursts of twice that; a socket over it is disconnected. 0: no limit.
        See docs/configuration.md#limits.
    """

    def __init__(
        self,
        jwt_secret: str | None = None,
        jwt_public_key: str | None = None,
        jwt_algorithms: Iterable[str] | None = None,
        jwt_issuer: str | None = None,
        jwt_audience: str | None = None,
        jwt_user_claim: str = "sub",
        jwt_leeway: float = 30,
        ping_interval: float = 25.0,
        ping_timeout: float = 20.0,
        connect_timeout: float = 45.0,
        max_payload: int = 1_000_000,
        max_queue_bytes: int = 4 << 20,
        namespaces: Iterable[str] = ("/",),
        threads: int | None = None,
        cors_allowed_origins: str | Iterable[str] | None = None,
        log_level: str = "info",
        jwt_rooms_claim: str | None = None,
        redis_url: str | None = None,
        redis_key_prefix: str = "socket.io",
        node_id: str | None = None,
        recovery_max_disconnection: float | None = None,
        recovery_max_bytes: int = 64 << 20,
        max_connections: int | None = None,
        max_connections_per_ip: int = 0,
        handshake_rate_per_ip: float = 0,
        max_sockets_per_user: int = 0,
        max_rooms_per_socket: int = 10_000,
        max_client_events_per_second: float = 0,
    ) -> None:
        config = build_core_config(
            jwt_secret=jwt_secret, jwt_public_key=jwt_public_key, jwt_algorithms=jwt_algorithms,
            jwt_issuer=jwt_issuer, jwt_audience=jwt_audience, jwt_user_claim=jwt_user_claim, jwt_leeway=jwt_leeway,
            ping_interval=ping_interval, ping_timeout=ping_timeout, connect_timeout=connect_timeout,
            max_payload=max_payload, max_queue_bytes=max_queue_bytes, namespaces=namespaces, threads=threads,
            log_level=log_level, jwt_rooms_claim=jwt_rooms_claim, redis_url=redis_url,
            redis_key_prefix=redis_key_prefix, node_id=node_id,
            recovery_max_disconnection=recovery_max_disconnection, recovery_max_bytes=recovery_max_bytes,
            max_connections=max_connections, max_connections_per_ip=max_connections_per_ip,
            handshake_rate_per_ip=handshake_rate_per_ip, max_sockets_per_user=max_sockets_per_user,
            max_rooms_per_socket=max_rooms_per_socket,
            max_client_events_per_second=max_client_events_per_second,
        )
        self.cors_any_origin, self.cors_origins = cors_origins(cors_allowed_origins)
        self._runtime = Runtime(config)

    # ---- handlers -------------------------------------------------------------------------

    def on(self, event: str, namespace: str = "/") -> Callable[[H], H]:
        """Decorator: ``handler(sid, *args)`` runs for client event ``event``.

        Binary arguments arrive as ``bytes``. The return value is the ack when the client
        asked for one: a tuple gives several ack arguments, None an ack without arguments.
        The handler may be a coroutine function (it runs as a task); a plain function runs
        on the event loop itself and must not block. Register handlers before the app starts.
        """
        def register(handler: H) -> H:
            self._runtime.handlers.add_event(namespace, event, handler)
            return handler
        return register

    def on_connect(self, namespace: str = "/") -> Callable[[H], H]:
        """Decorator: ``handler(sid, user_id, claims)`` runs when a client connects.

        The socket is already in room ``user:{user_id}``; ``claims`` is the verified JWT payload.
        """
        def register(handler: H) -> H:
            self._runtime.handlers.add_connect(namespace, handler)
            return handler
        return register

    def on_disconnect(self, namespace: str = "/") -> Callable[[H], H]:
        """Decorator: ``handler(sid, user_id, reason)`` runs when a socket disconnects.

        By then the socket has left every room.
        """
        def register(handler: H) -> H:
            self._runtime.handlers.add_disconnect(namespace, handler)
            return handler
        return register

    # ---- emits ----------------------------------------------------------------------------

    def emit_to_user(self, user_id: str, event: str, data: Any = None, namespace: str = "/") -> Awaitable[None] | None:
        """Sends ``event`` to every socket of ``user_id`` (room ``user:{user_id}``).

        ``data`` is one argument (None: no argument; a tuple: several), any JSON value
        with ``bytes`` anywhere inside. Returns without waiting for delivery.
        """
        if not isinstance(user_id, str):
            raise TypeError("user_id must be a str")
        return self._emit(namespace, [USER_ROOM_PREFIX + user_id], event, data)

    def emit_to_room(self, room: str, event: str, data: Any = None, namespace: str = "/") -> Awaitable[None] | None:
        """Sends ``event`` to every socket in ``room`` (see emit_to_user for ``data``)."""
        if not isinstance(room, str):
            raise TypeError("room must be a str")
        return self._emit(namespace, [room], event, data)

    def broadcast(self, event: str, data: Any = None, namespace: str = "/") -> Awaitable[None] | None:
        """Sends ``event`` to every socket of the namespace (see emit_to_user for ``data``)."""
        return self._emit(namespace, [], event, data)

    def _emit(self, namespace: str, rooms: list[str], event: str, data: Any) -> Awaitable[None] | None:
        if not isinstance(event, str) or not event:
            raise ValueError("event must be a non-empty str")
        if event in _RESERVED_EVENTS:
            raise ValueError(f"{event!r} is a reserved event name")
        text, attachments = binary.pack(_arguments(data))
        if not self._runtime.core.emit(namespace, rooms, [], event, text, attachments):
            raise ValueError(f"namespace {namespace!r} is not served")
        return Ready(None) if running_loop() is not None else None

    # ---- rooms and lookups ----------------------------------------------------------------

    def join_room(self, sid: str, room: str) -> Awaitable[None] | None:
        """Adds the socket ``sid`` to ``room``. Raises KeyError (UnknownSidError) for an unknown sid,
        RoomLimitError when the socket is in ``max_rooms_per_socket`` rooms already."""
        core = self._runtime.core
        return self._ask(lambda token: core.join_room(token, sid, room),
                         lambda: _joined(sid, core.join_room_now(sid, room)), _joined_converter(sid))

    def leave_room(self, sid: str, room: str) -> Awaitable[None] | None:
        """Removes the socket ``sid`` from ``room``. Raises KeyError for an unknown sid."""
        core = self._runtime.core
        return self._ask(lambda token: core.leave_room(token, sid, room),
                         lambda: _found(sid, core.leave_room_now(sid, room)), _found_converter(sid))

    def disconnect(self, sid: str) -> Awaitable[None] | None:
        """Disconnects the socket ``sid`` (the client receives DISCONNECT). Raises KeyError for an unknown sid."""
        core = self._runtime.core
        return self._ask(lambda token: core.disconnect(token, sid),
                         lambda: _found(sid, core.disconnect_now(sid)), _found_converter(sid))

    def rooms(self, sid: str) -> Awaitable[list[str]] | list[str]:
        """The rooms the socket ``sid`` is in. Raises KeyError for an unknown sid."""
        core = self._runtime.core

        def now() -> list[str]:
            rooms = core.rooms_of_now(sid)
            if rooms is None:
                raise UnknownSidError(sid)
            return rooms

        def convert(payload: tuple[Any, ...]) -> list[str]:
            found, names = payload[0], payload[1]
            if not found:
                raise UnknownSidError(sid)
            return list(names)

        return self._ask(lambda token: core.rooms_of(token, sid), now, convert)

    def sids_of_user(self, user_id: str) -> Awaitable[list[str]] | list[str]:
        """The sids of every socket of ``user_id`` (on any namespace)."""
        core = self._runtime.core
        return self._ask(lambda token: core.sids_of_user(token, user_id), lambda: core.sids_of_user_now(user_id),
                         lambda payload: list(payload[1]))

    def cluster_status(self) -> dict[str, int | bool] | None:
        """The Redis link's state and counters (``redis_connected``, ``redis_reconnects``,
        ``room_subscriptions``, ``received_*``, ``published``, ``publishes_dropped``), or
        None when the gateway runs as a single node (no ``redis_url``)."""
        return self._runtime.core.cluster_status()

    def _ask(self, start: Callable[[int], None], now: Callable[[], T],
             convert: Callable[[tuple[Any, ...]], T]) -> Awaitable[T] | T:
        loop = running_loop()
        runtime = self._runtime
        if loop is None:
            try:
                return now()
            except RuntimeError as error:
                if not runtime.core.running:
                    raise GatewayNotRunningError("the gateway stopped") from error
                raise
        if not runtime.core.running:  # no sockets: the blocking form answers at once
            try:
                return Ready(now())
            except Exception as error:
                return Ready(error=error)
        token, future = runtime.router.expect(loop, convert)
        try:
            start(token)
        except BaseException:
            runtime.router.forget(token)
            raise
        return future


def _found(sid: str, found: bool) -> None:
    if not found:
        raise UnknownSidError(sid)


def _joined(sid: str, outcome: int) -> None:
    if outcome == 2:
        raise RoomLimitError(sid)
    _found(sid, outcome == 1)


def _joined_converter(sid: str) -> Callable[[tuple[Any, ...]], None]:
    def convert(payload: tuple[Any, ...]) -> None:
        if payload[2]:
            raise RoomLimitError(sid)
        _found(sid, payload[0])
    return convert


def _found_converter(sid: str) -> Callable[[tuple[Any, ...]], None]:
    def convert(payload: tuple[Any, ...]) -> None:
        _found(sid, payload[0])
    return convert
