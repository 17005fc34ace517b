"""SocketGateway's keyword arguments -> the C++ core's ``CoreConfig``.

Checks types and ranges with Python exceptions (``TypeError`` / ``ValueError``) and converts
units: seconds (float) become milliseconds, ``threads=None`` becomes ``$SOCKET_GATEWAY_THREADS``
when set (``python -m socket_gateway serve --threads N`` sets it before importing the app), else
the number of cores.
The core checks the rest (a PEM that does not parse, an unknown algorithm) when it is built.

Threading: pure; called once on the thread that builds the gateway.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

from ._core import CoreConfig

__all__ = ["THREADS_VARIABLE", "USER_ROOM_PREFIX", "build_core_config", "cors_origins", "default_threads",
           "threads_from_environment"]

USER_ROOM_PREFIX = "user:"
"""Every socket of user U is in room ``user:U`` (so emit_to_user is an emit to that room)."""

THREADS_VARIABLE = "SOCKET_GATEWAY_THREADS"
"""The environment variable that gives ``threads=None`` its value (set by ``serve --threads``)."""


def _milliseconds(name: str, seconds: float) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise TypeError(f"{name} must be a number of seconds")
    if seconds <= 0:
        raise ValueError(f"{name} must be positive")
    return max(1, round(seconds * 1000))


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


def _optional_str(name: str, value: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None")
    return value


def _str_list(name: str, values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    result = list(values)
    if not all(isinstance(value, str) for value in result):
        raise TypeError(f"{name} must be a sequence of str")
    return result


def threads_from_environment() -> int | None:
    """``$SOCKET_GATEWAY_THREADS`` as a positive int, or None when it is not set."""
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return None
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads <= 0:
        raise ValueError(f"{THREADS_VARIABLE} must be a positive integer, not {value!r}")
    return threads


def default_threads() -> int:
    """The shard threads of ``threads=None``: ``$SOCKET_GATEWAY_THREADS`` when set, else the cores."""
    return threads_from_environment() or os.cpu_count() or 1


def build_core_config(
    *,
    jwt_secret: str | None,
    jwt_public_key: str | None,
    jwt_algorithms: Iterable[str] | None,
    jwt_issuer: str | None,
    jwt_audience: str | None,
    jwt_user_claim: str,
    jwt_leeway: float,
    ping_interval: float,
    ping_timeout: float,
    connect_timeout: float,
    max_payload: int,
    max_queue_bytes: int,
    namespaces: Iterable[str],
    threads: int | None,
    log_level: str,
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
) -> CoreConfig:
    """Validates SocketGateway's settings and returns them as a CoreConfig."""
    config = CoreConfig()
    if not jwt_secret and not jwt_public_key:
        raise ValueError("one of jwt_secret and jwt_public_key is required")
    config.jwt_secret = _optional_str("jwt_secret", jwt_secret) or ""
    config.jwt_public_key = _optional_str("jwt_public_key", jwt_public_key) or ""
    config.jwt_algorithms = [] if jwt_algorithms is None else _str_list("jwt_algorithms", jwt_algorithms)
    config.jwt_issuer = _optional_str("jwt_issuer", jwt_issuer)
    config.jwt_audience = _optional_str("jwt_audience", jwt_audience)
    if not isinstance(jwt_user_claim, str) or not jwt_user_claim:
        raise ValueError("jwt_user_claim must be a non-empty str")
    config.jwt_user_claim = jwt_user_claim
    if isinstance(jwt_leeway, bool) or not isinstance(jwt_leeway, (int, float)) or jwt_leeway < 0:
        raise ValueError("jwt_leeway must be a number of seconds >= 0")
    config.jwt_leeway_seconds = int(jwt_leeway)
    config.ping_interval_ms = _milliseconds("ping_interval", ping_interval)
    config.ping_timeout_ms = _milliseconds("ping_timeout", ping_timeout)
    config.connect_timeout_ms = _milliseconds("connect_timeout", connect_timeout)
    config.max_payload = _positive_int("max_payload", max_payload)
    config.max_queue_bytes = _positive_int("max_queue_bytes", max_queue_bytes)
    served = _str_list("namespaces", namespaces)
    for nsp in served:
        if not nsp.startswith("/"):
            raise ValueError(f"namespace must start with '/': {nsp!r}")
    config.namespaces = served or ["/"]
    config.threads = _positive_int("threads", threads) if threads is not None else default_threads()
    if log_level not in ("debug", "info", "warn", "error"):
        raise ValueError("log_level must be 'debug', 'info', 'warn' or 'error'")
    config.log_level = log_level
    config.user_room_prefix = USER_ROOM_PREFIX
    config.rooms_claim = _optional_str("jwt_rooms_claim", jwt_rooms_claim) or ""
    config.redis_url = _optional_str("redis_url", redis_url)
    if redis_url is not None and not redis_url.startswith("redis://"):
        raise ValueError("redis_url must be a redis:// URL")
    if not isinstance(redis_key_prefix, str) or not redis_key_prefix:
        raise ValueError("redis_key_prefix must be a non-empty str")
    config.redis_key_prefix = redis_key_prefix
    config.node_id = _optional_str("node_id", node_id) or ""
    if config.node_id and not (len(config.node_id) <= 16 and config.node_id.isascii() and config.node_id.isalnum()):
        raise ValueError("node_id must be 1 to 16 letters or digits")
    config.recovery_max_disconnection_ms = (0 if recovery_max_disconnection is None else
                                            _milliseconds("recovery_max_disconnection", recovery_max_disconnection))
    config.recovery_max_bytes = _positive_int("recovery_max_bytes", recovery_max_bytes)
    config.max_connections = -1 if max_connections is None else _limit("max_connections", max_connections)
    config.max_connections_per_ip = _limit("max_connections_per_ip", max_connections_per_ip)
    config.handshake_rate_per_ip = _rate("handshake_rate_per_ip", handshake_rate_per_ip)
    config.max_sockets_per_user = _limit("max_sockets_per_user", max_sockets_per_user)
    config.max_rooms_per_socket = _limit("max_rooms_per_socket", max_rooms_per_socket)
    config.max_client_events_per_second = _rate("max_client_events_per_second", max_client_events_per_second)
    return config


def _limit(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0 (0: no limit)")
    return value


def _rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0 (0: no limit)")
    return float(value)


def cors_origins(allowed: str | Iterable[str] | None) -> tuple[bool, frozenset[str]]:
    """``cors_allowed_origins`` as (any origin allowed, the allowed origins)."""
    if allowed is None:
        return False, frozenset()
    if allowed == "*":
        return True, frozenset()
    origins = frozenset(_str_list("cors_allowed_origins", allowed))
    return "*" in origins, origins
