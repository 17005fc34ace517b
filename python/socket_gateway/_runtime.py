"""The life of one gateway's C++ core inside a Python process.

``Runtime`` owns the core (``_core.Core``), the handler registry and the notice router, and
binds them to one asyncio loop — the ASGI server's — when it starts: the core's eventfd is
registered with ``loop.add_reader`` and the shard threads start. ``drain`` sends every socket
a DISCONNECT and lets the transports deliver it (bounded by ``DRAIN_LIMIT``) while the core
keeps running; ``stop`` ends the shard threads; ``shutdown`` (ASGIApp's ``lifespan.shutdown``)
is both. Under ``python -m socket_gateway serve`` the native host's connections live on the
core's shards, so serve calls ``host_natively()``: ``shutdown`` then only drains, the drain
waits for the sessions the host still carries, and serve stops the core itself after the
host. A gateway that was never shut down is stopped at interpreter exit.

Threading: ``ensure_started`` / ``drain`` / ``shutdown`` / ``stop`` / ``host_natively`` on the
loop thread; the ``running`` / ``accepting`` properties on any thread.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading

from . import _core
from ._handlers import HandlerRegistry
from ._notices import NoticeRouter
from .errors import GatewayNotRunningError

__all__ = ["DRAIN_LIMIT", "Runtime"]

logger = logging.getLogger("socket_gateway")

DRAIN_LIMIT = 3.0
"""Seconds a shutdown waits for clients to receive their DISCONNECT, as the standalone server."""
_DRAIN_POLL = 0.01


class Runtime:
    """One core, its handlers and notices, and the loop they live on."""

    def __init__(self, config: _core.CoreConfig) -> None:
        self.core = _core.Core(config)
        self.handlers = HandlerRegistry(self.core)
        self.router = NoticeRouter(self.core, self.handlers)
        self.max_payload: int = config.max_payload
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._started = False
        self._shutting_down = False
        self._natively_hosted = False

    @property
    def running(self) -> bool:
        """True while the shard threads run."""
        return self.core.running

    @property
    def accepting(self) -> bool:
        """True while new requests may reach the core (running and not draining)."""
        return self.core.running and not self._shutting_down

    def ensure_started(self) -> None:
        """Starts the core on the running loop, once (later calls, even after stop, do nothing)."""
        with self._lock:
            if self._started:
                return
            self._started = True
            loop = asyncio.get_running_loop()
            loop.add_reader(self.core.wakeup_fd, self.router.drain)
            self.loop = loop
            self.core.start()
            atexit.register(self._stop_at_exit)

    def host_natively(self) -> None:
        """The core's transports are served by a native host (serve), which stops the core itself.

        From now on ``shutdown`` drains without stopping, and the drain waits (bounded) for
        every session, since the host's connections deliver the DISCONNECTs, not ASGI ones.
        """
        self._natively_hosted = True

    async def drain(self) -> None:
        """Disconnects every socket and lets the transports deliver that; the core keeps running.

        Bounded by ``DRAIN_LIMIT``. Only the first call drains; later ones return at once.
        """
        if not self.core.running or self._shutting_down:
            return
        self._shutting_down = True
        loop = asyncio.get_running_loop()
        token, done = self.router.expect(loop)
        self.core.shutdown(token)
        await done
        deadline = loop.time() + DRAIN_LIMIT
        while self.core.tracked_sessions() > 0 and loop.time() < deadline:
            if not self._natively_hosted and self.router.open_websockets() == 0 and self.router.waiting() == 0:
                break  # sessions remain, but no transport is left to deliver anything to them
            await asyncio.sleep(_DRAIN_POLL)

    async def shutdown(self) -> None:
        """Drains (see ``drain``), then stops the core unless a native host stops it (``host_natively``)."""
        if not self.core.running or self._shutting_down:
            return
        await self.drain()
        if not self._natively_hosted:
            self.stop()

    def stop(self) -> None:
        """Stops the shard threads now; requests still waiting fail."""
        with self._lock:
            loop, self.loop = self.loop, None
        if loop is not None and not loop.is_closed():
            try:
                loop.remove_reader(self.core.wakeup_fd)
            except (RuntimeError, ValueError):
                pass
        if self.core.running:
            self.core.stop()
        atexit.unregister(self._stop_at_exit)
        self.router.fail_all(GatewayNotRunningError("the gateway stopped"))

    def _stop_at_exit(self) -> None:
        if self.core.running:
            self.core.stop()
