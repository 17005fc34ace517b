"""Exceptions raised by the socket_gateway API.

Plain data; any thread.
"""

from __future__ import annotations

__all__ = ["GatewayNotRunningError", "RoomLimitError", "UnknownSidError"]


class UnknownSidError(KeyError):
    """No connected socket has this sid (it never existed or has disconnected).

    A ``KeyError``, so ``except KeyError`` catches it too.
    """


class RoomLimitError(ValueError):
    """The socket is in as many rooms as ``max_rooms_per_socket`` allows; the join was refused."""


class GatewayNotRunningError(RuntimeError):
    """The gateway stopped before it could answer (the server is shutting down)."""
