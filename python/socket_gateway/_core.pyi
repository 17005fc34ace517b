"""
The C++ core of socket_gateway (private: use socket_gateway.SocketGateway and ASGIApp).
"""

from collections.abc import Sequence
from typing import Any


NOTICE_POLL_REPLY: int = 0

NOTICE_WEBSOCKET_OPENED: int = 1

NOTICE_OUTBOX_READY: int = 2

NOTICE_CONNECT: int = 3

NOTICE_EVENT: int = 4

NOTICE_DISCONNECT: int = 5

NOTICE_DONE: int = 6

class CoreConfig:
    """Settings of the C++ core, in its own units (ms, bytes)."""

    def __init__(self) -> None: ...

    @property
    def jwt_secret(self) -> str:
        """HMAC secret for HS256/HS384/HS512 tokens."""

    @jwt_secret.setter
    def jwt_secret(self, arg: str, /) -> None: ...

    @property
    def jwt_public_key(self) -> str:
        """PEM public key for RS256/ES256 tokens."""

    @jwt_public_key.setter
    def jwt_public_key(self, arg: str, /) -> None: ...

    @property
    def jwt_algorithms(self) -> list[str]:
        """Pinned algorithms; empty for the default."""

    @jwt_algorithms.setter
    def jwt_algorithms(self, arg: Sequence[str], /) -> None: ...

    @property
    def jwt_issuer(self) -> str | None:
        """Required iss claim, or None."""

    @jwt_issuer.setter
    def jwt_issuer(self, arg: str | None, /) -> None: ...

    @property
    def jwt_audience(self) -> str | None:
        """Required aud claim, or None."""

    @jwt_audience.setter
    def jwt_audience(self, arg: str | None, /) -> None: ...

    @property
    def jwt_user_claim(self) -> str:
        """Claim that holds the user id."""

    @jwt_user_claim.setter
    def jwt_user_claim(self, arg: str, /) -> None: ...

    @property
    def jwt_leeway_seconds(self) -> int:
        """Tolerance on exp/nbf, in seconds."""

    @jwt_leeway_seconds.setter
    def jwt_leeway_seconds(self, arg: int, /) -> None: ...

    @property
    def ping_interval_ms(self) -> int:
        """Milliseconds between server pings."""

    @ping_interval_ms.setter
    def ping_interval_ms(self, arg: int, /) -> None: ...

    @property
    def ping_timeout_ms(self) -> int:
        """Milliseconds to wait for a pong."""

    @ping_timeout_ms.setter
    def ping_timeout_ms(self, arg: int, /) -> None: ...

    @property
    def connect_timeout_ms(self) -> int:
        """Milliseconds a session may wait for its first CONNECT."""

    @connect_timeout_ms.setter
    def connect_timeout_ms(self, arg: int, /) -> None: ...

    @property
    def max_payload(self) -> int:
        """Largest message or POST body, in bytes."""

    @max_payload.setter
    def max_payload(self, arg: int, /) -> None: ...

    @property
    def max_queue_bytes(self) -> int:
        """Outbound bytes queued per connection before it is closed as slow."""

    @max_queue_bytes.setter
    def max_queue_bytes(self, arg: int, /) -> None: ...

    @property
    def namespaces(self) -> list[str]:
        """Namespaces served; '/' always is."""

    @namespaces.setter
    def namespaces(self, arg: Sequence[str], /) -> None: ...

    @property
    def threads(self) -> int:
        """Number of shard threads."""

    @threads.setter
    def threads(self, arg: int, /) -> None: ...

    @property
    def log_level(self) -> str:
        """debug, info, warn or error (JSON lines on stderr)."""

    @log_level.setter
    def log_level(self, arg: str, /) -> None: ...

    @property
    def user_room_prefix(self) -> str:
        """Prefix of the room every user's sockets join."""

    @user_room_prefix.setter
    def user_room_prefix(self, arg: str, /) -> None: ...

    @property
    def rooms_claim(self) -> str:
        """Claim listing rooms a socket joins at connect; empty: none."""

    @rooms_claim.setter
    def rooms_claim(self, arg: str, /) -> None: ...

    @property
    def redis_url(self) -> str | None:
        """redis:// URL of the cluster's Redis, or None (single node)."""

    @redis_url.setter
    def redis_url(self, arg: str | None, /) -> None: ...

    @property
    def redis_key_prefix(self) -> str:
        """Prefix of the cluster's Redis channels."""

    @redis_key_prefix.setter
    def redis_key_prefix(self, arg: str, /) -> None: ...

    @property
    def node_id(self) -> str:
        """This node's id in the cluster; empty: random."""

    @node_id.setter
    def node_id(self, arg: str, /) -> None: ...

    @property
    def recovery_max_disconnection_ms(self) -> int:
        """Connection-state recovery window in ms; 0: off."""

    @recovery_max_disconnection_ms.setter
    def recovery_max_disconnection_ms(self, arg: int, /) -> None: ...

    @property
    def recovery_max_bytes(self) -> int:
        """Bytes of emits kept for replay."""

    @recovery_max_bytes.setter
    def recovery_max_bytes(self, arg: int, /) -> None: ...

    @property
    def max_connections(self) -> int:
        """Sessions at most; -1: 90% of the open-file limit; 0: none."""

    @max_connections.setter
    def max_connections(self, arg: int, /) -> None: ...

    @property
    def max_connections_per_ip(self) -> int:
        """Sessions at most per address; 0: none."""

    @max_connections_per_ip.setter
    def max_connections_per_ip(self, arg: int, /) -> None: ...

    @property
    def handshake_rate_per_ip(self) -> float:
        """New sessions per second per address; 0: none."""

    @handshake_rate_per_ip.setter
    def handshake_rate_per_ip(self, arg: float, /) -> None: ...

    @property
    def max_sockets_per_user(self) -> int:
        """Sockets at most per user; 0: none."""

    @max_sockets_per_user.setter
    def max_sockets_per_user(self, arg: int, /) -> None: ...

    @property
    def max_rooms_per_socket(self) -> int:
        """Rooms at most per socket; 0: none."""

    @max_rooms_per_socket.setter
    def max_rooms_per_socket(self, arg: int, /) -> None: ...

    @property
    def max_client_events_per_second(self) -> float:
        """Events per second a socket may send; 0: none."""

    @max_client_events_per_second.setter
    def max_client_events_per_second(self, arg: float, /) -> None: ...

class WebSocketPeer:
    """One WebSocket carried by the ASGI server: the core's outbox for it."""

    @property
    def id(self) -> int:
        """Id named by the outbox-ready notices of this peer."""

    def take(self) -> tuple[list[str | bytes], bool, int]:
        """Takes the queued messages: (messages, close_after, nbytes)."""

    def written(self, nbytes: int) -> None:
        """Reports nbytes of taken messages as handed to the ASGI server."""

class Core:
    """The C++ gateway: shard threads, Engine.IO and Socket.IO."""

    def __init__(self, config: CoreConfig) -> None:
        """Builds the core; its threads start with start()."""

    @property
    def wakeup_fd(self) -> int:
        """An eventfd that is readable while notices wait."""

    @property
    def shard_count(self) -> int:
        """Number of shard threads."""

    @property
    def running(self) -> bool:
        """True between start() and stop()."""

    def serves_namespace(self, nsp: str) -> bool:
        """True when the namespace is served."""

    def take_notices(self) -> list[tuple[Any, ...]]:
        """Takes every waiting notice, as tuples (see the NOTICE_* kinds)."""

    def watch_connect(self, nsp: str) -> None:
        """Report connects on nsp as notices."""

    def watch_event(self, nsp: str, event: str) -> None:
        """Report this client event as notices."""

    def watch_disconnect(self, nsp: str) -> None:
        """Report disconnects on nsp as notices."""

    def start(self) -> None:
        """Starts the shard threads."""

    def shutdown(self, token: int) -> None:
        """
        Disconnects every socket and closes every session; NOTICE_DONE follows.
        """

    def tracked_sessions(self) -> int:
        """Sessions not yet gone (open or closing)."""

    def cluster_status(self) -> dict[str, int | bool] | None:
        """The Redis link's state and counters, or None on a single node."""

    def stop(self) -> None:
        """Stops and joins the shard threads; pending work is dropped."""

    def handle_polling(self, token: int, method: str, query: str, content_type: str, body: bytes, authorization: str, remote_address: str) -> None:
        """
        Hands a whole long-polling request to its shard; a NOTICE_POLL_REPLY answers it.
        """

    def polling_get_abandoned(self, query: str) -> None:
        """The client holding a GET for this session went away."""

    def polling_post_started(self, query: str) -> None:
        """
        A POST's body is being read; handle_polling or polling_post_abandoned follows.
        """

    def polling_post_abandoned(self, query: str) -> None:
        """A POST announced by polling_post_started will not come."""

    def open_websocket(self, token: int, query: str, authorization: str, remote_address: str) -> None:
        """Checks and opens a WebSocket; a NOTICE_WEBSOCKET_OPENED answers it."""

    def websocket_message(self, peer: WebSocketPeer, data: str | bytes) -> None:
        """
        Feeds one received message (str: text, bytes: binary) to the peer's session.
        """

    def websocket_closed(self, peer: WebSocketPeer) -> None:
        """The WebSocket is gone (client close or connection loss)."""

    def emit(self, nsp: str, rooms: Sequence[str], except_rooms: Sequence[str], event: str, arguments_json: str, attachments: Sequence[bytes]) -> bool:
        """
        Emits to the members of any of rooms (all sockets when empty) minus except_rooms; False when the namespace is not served. Does not wait for delivery.
        """

    def send_ack(self, sid: str, ack_id: int, arguments_json: str, attachments: Sequence[bytes]) -> None:
        """Answers a client event that asked for an ack."""

    def drop_ack(self, sid: str, ack_id: int) -> None:
        """Forgets an ack that will not be sent (the handler failed)."""

    def join_room(self, token: int, sid: str, room: str) -> None:
        """Async join; NOTICE_DONE answers."""

    def leave_room(self, token: int, sid: str, room: str) -> None:
        """Async leave; NOTICE_DONE answers."""

    def disconnect(self, token: int, sid: str) -> None:
        """Async disconnect; NOTICE_DONE answers."""

    def rooms_of(self, token: int, sid: str) -> None:
        """Async rooms lookup; NOTICE_DONE answers (names None: unknown sid)."""

    def sids_of_user(self, token: int, user_id: str) -> None:
        """Async sids lookup; NOTICE_DONE answers."""

    def join_room_now(self, sid: str, room: str) -> int:
        """
        Blocking join: 0 for an unknown sid, 1 joined, 2 refused at max_rooms_per_socket.
        """

    def leave_room_now(self, sid: str, room: str) -> bool:
        """Blocking leave; False for an unknown sid."""

    def disconnect_now(self, sid: str) -> bool:
        """Blocking disconnect; False for an unknown sid."""

    def rooms_of_now(self, sid: str) -> list[str] | None:
        """Blocking rooms lookup; None for an unknown sid."""

    def sids_of_user_now(self, user_id: str) -> list[str]:
        """Blocking sids lookup."""

HOST_REQUEST: int = 0

HOST_BODY: int = 1

HOST_DISCONNECT: int = 2

HOST_DRAINED: int = 3

HOST_WS_MESSAGE: int = 4

HOST_WS_CLOSED: int = 5

class HostConfig:
    """Settings of the native host (python -m socket_gateway serve)."""

    def __init__(self) -> None: ...

    @property
    def host(self) -> str:
        """Address to bind."""

    @host.setter
    def host(self, arg: str, /) -> None: ...

    @property
    def port(self) -> int:
        """Port to bind (0: any free port)."""

    @port.setter
    def port(self, arg: int, /) -> None: ...

    @property
    def threads(self) -> int:
        """Shards of a host without a gateway."""

    @threads.setter
    def threads(self, arg: int, /) -> None: ...

    @property
    def socketio_path(self) -> str:
        """
        Where the gateway's Engine.IO is served natively ('/socket.io/'); empty: nowhere.
        """

    @socketio_path.setter
    def socketio_path(self, arg: str, /) -> None: ...

    @property
    def cors_any_origin(self) -> bool:
        """CORS on the Socket.IO path: any origin."""

    @cors_any_origin.setter
    def cors_any_origin(self, arg: bool, /) -> None: ...

    @property
    def cors_origins(self) -> list[str]:
        """CORS on the Socket.IO path: these origins."""

    @cors_origins.setter
    def cors_origins(self, arg: Sequence[str], /) -> None: ...

    @property
    def max_header_bytes(self) -> int:
        """Largest request head (more: 431)."""

    @max_header_bytes.setter
    def max_header_bytes(self, arg: int, /) -> None: ...

    @property
    def max_body_bytes(self) -> int:
        """Largest forwarded request body (more: 413)."""

    @max_body_bytes.setter
    def max_body_bytes(self, arg: int, /) -> None: ...

class Exchange:
    """One forwarded request or WebSocket on the native host."""

    @property
    def id(self) -> int:
        """Id named by the HOST_* notices of this exchange."""

    def read_body(self) -> None:
        """Reads the next body part; a HOST_BODY notice answers."""

    def respond(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes, more_body: bool) -> bool:
        """
        The response head and first body part; False: wait for HOST_DRAINED before sending more.
        """

    def send_body(self, body: bytes, more_body: bool) -> bool:
        """The next body part; False: wait for HOST_DRAINED before sending more."""

    def abort(self) -> None:
        """Cuts the connection."""

    def accept_websocket(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        """Writes the 101 and starts reading messages (HOST_WS_MESSAGE)."""

    def send_message(self, data: str | bytes) -> bool:
        """
        One message (str: text, bytes: binary); False: wait for HOST_DRAINED before sending more.
        """

    def close_websocket(self, code: int, reason: str) -> None:
        """Closes the WebSocket (before the accept: HTTP 403)."""

class NativeHost:
    """The C++ HTTP host of the serve command."""

    def __init__(self, config: HostConfig, core: Core | None = None) -> None:
        """
        A host serving the core's Socket.IO at config.socketio_path (with a core) and forwarding the rest.
        """

    @property
    def wakeup_fd(self) -> int:
        """An eventfd that is readable while notices wait."""

    @property
    def port(self) -> int:
        """The bound port (after start)."""

    def start(self) -> None:
        """Binds and starts serving; OSError when the address cannot be bound."""

    def stop_accepting(self) -> None:
        """Stops accepting connections."""

    def open_exchanges(self) -> int:
        """Forwarded exchanges not yet over on the wire."""

    def stop(self) -> None:
        """Stops serving, and the shards (with a core: the core too)."""

    def take_notices(self) -> list[tuple[Any, ...]]:
        """Takes every waiting notice, as tuples (see the HOST_* kinds)."""
