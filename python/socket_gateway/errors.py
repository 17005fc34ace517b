"""Exceptions raised by the socket_gateway API.

Plain data; any thread.
"""

from __future__ import annotations

__all__ = ["GatewayNotRunningError", "UnknownSidError"]


class UnknownSidError(KeyError):
    """No connected socket has this sid (it never existed or has disconnected).

    A ``KeyError``, so ``except KeyError`` catches it too.
    """


class GatewayNotRunningError(RuntimeError):
    """The gateway stopped before it could answer (the server is shutting down)."""
