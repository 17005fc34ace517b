"""NativeServer: an ASGI server whose connections are the C++ native host's.

One run of ``python -m socket_gateway serve``: the lifespan startup, then the host (sharing
the gateway's core for an ASGIApp, see _dispatch) binds and serves Socket.IO itself while
every other request arrives as a ``HOST_REQUEST`` notice and becomes an ASGI cycle in a task
of its own. ``limit_max_requests`` counts those forwarded requests.

On SIGTERM / SIGINT (or the request limit) it shuts down in this order: the host stops
accepting; forwarded WebSockets are closed with 1012; the gateway drains (every Socket.IO
client gets its DISCONNECT over the host's connections, bounded, the core still running);
the server waits for the forwarded exchanges in flight, up to
``timeout_graceful_shutdown`` (None: as long as they take), then aborts them and cancels
their tasks; the lifespan shutdown runs; the host stops, then the core. A second signal
skips the waits. Requests that arrive once the shutdown has begun are answered 503.

Threading: the loop thread (the main thread under the serve command) only.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from dataclasses import dataclass
from typing import Any

from . import _core
from ._dispatch import HostLimits, ServeTarget, host_config, serve_target
from ._host_notices import HostNoticeRouter
from ._http_cycle import App, HttpCycle
from ._lifespan import Lifespan, LifespanFailure
from ._scope import RequestHead, http_scope, websocket_scope
from ._websocket_cycle import WebSocketCycle

__all__ = ["EXIT_STARTUP_FAILED", "NativeServer", "ServeOptions"]

logger = logging.getLogger("socket_gateway.serve")

EXIT_STARTUP_FAILED = 3
"""The exit code when the app's lifespan startup failed (uvicorn's)."""
EXIT_BIND_FAILED = 1
_POLL_SECONDS = 0.01

_UNAVAILABLE_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """How to serve: the address, the host's limits and the shutdown rules."""

    limits: HostLimits = HostLimits()
    root_path: str = ""
    timeout_graceful_shutdown: float | None = None
    limit_max_requests: int | None = None


class NativeServer:
    """Serves one ASGI app on a NativeHost until a signal or the request limit."""

    def __init__(self, app: App, options: ServeOptions) -> None:
        self._target: ServeTarget = serve_target(app)
        self._options = options
        self._lifespan = Lifespan(self._target.lifespan_app)
        self._host: Any = None
        self._router: HostNoticeRouter | None = None
        self._running: dict[asyncio.Task[None], HttpCycle | WebSocketCycle] = {}
        self._forwarded = 0
        self._stop_requested = asyncio.Event()
        self._forced = asyncio.Event()
        self._shutting_down = False
        self.port = 0

    # ---- the run ----------------------------------------------------------------------------

    async def run(self) -> int:
        """Serves until told to stop; returns the process's exit code."""
        loop = asyncio.get_running_loop()
        self._install_signal_handlers(loop)
        try:
            await self._lifespan.startup()
        except LifespanFailure as failure:
            logger.error("Application startup failed: %s", failure)
            logger.error("Exiting.")
            return EXIT_STARTUP_FAILED
        runtime = self._target.runtime
        if runtime is not None:
            runtime.ensure_started()  # the ASGIApp started it on lifespan.startup; this covers an app without lifespan
            runtime.host_natively()
        config = host_config(self._target, self._options.limits)
        host = _core.NativeHost(config, runtime.core) if runtime is not None else _core.NativeHost(config)
        self._host = host
        self._router = HostNoticeRouter(host, self._on_request)
        loop.add_reader(host.wakeup_fd, self._router.drain)
        try:
            host.start()
        except OSError as error:
            logger.error("Could not listen on %s:%d: %s", config.host, config.port, error)
            await self._finish()
            return EXIT_BIND_FAILED
        self.port = host.port
        logger.info("Socket Gateway serving on %s (Press CTRL+C to quit)", self.url(config.host))
        if self._target.engine_path:
            logger.info("Socket.IO at %s served natively; everything else goes to the ASGI app",
                        self._target.engine_path)
        await self._stop_requested.wait()
        await self._shut_down()
        return 0

    def url(self, host: str) -> str:
        """The base URL of the bound address."""
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def request_stop(self) -> None:
        """Begins the graceful shutdown; a second call skips its waits."""
        if self._stop_requested.is_set():
            logger.info("Shutting down now (second request)")
            self._forced.set()
        self._stop_requested.set()

    def _install_signal_handlers(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self.request_stop)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                logger.debug("socket_gateway: no handler for signal %s", signum)

    # ---- forwarded exchanges ----------------------------------------------------------------

    def _on_request(self, exchange: Any, head: RequestHead, body: bytes, more_body: bool, websocket: bool) -> None:
        if self._shutting_down:
            self._refuse(exchange, websocket)
            return
        state = self._lifespan.state
        cycle: HttpCycle | WebSocketCycle
        if websocket:
            cycle = WebSocketCycle(exchange, websocket_scope(head, self._options.root_path, state))
        else:
            cycle = HttpCycle(exchange, http_scope(head, self._options.root_path, state), body, more_body)
        assert self._router is not None
        self._router.register(exchange.id, cycle)
        task = asyncio.get_running_loop().create_task(cycle.run(self._target.forwarded_app))
        self._running[task] = cycle
        task.add_done_callback(functools.partial(self._finished, exchange.id))
        self._count_request()

    def _finished(self, exchange_id: int, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        if self._router is not None:
            self._router.unregister(exchange_id)

    def _count_request(self) -> None:
        limit = self._options.limit_max_requests
        self._forwarded += 1
        if limit is not None and self._forwarded >= limit and not self._stop_requested.is_set():
            logger.warning("Maximum request limit of %d reached; shutting down.", limit)
            self.request_stop()

    @staticmethod
    def _refuse(exchange: Any, websocket: bool) -> None:
        if websocket:
            exchange.close_websocket(1012, "")
        else:
            exchange.respond(503, _UNAVAILABLE_HEADERS, b"Service Unavailable", False)

    # ---- shutdown ---------------------------------------------------------------------------

    async def _shut_down(self) -> None:
        logger.info("Shutting down")
        self._shutting_down = True
        self._host.stop_accepting()
        for cycle in list(self._running.values()):
            if isinstance(cycle, WebSocketCycle):
                cycle.close_for_shutdown()
        runtime = self._target.runtime
        if runtime is not None:
            await self._unless_forced(runtime.drain())
        await self._wait_for_exchanges()
        await self._cancel_the_rest()
        await self._finish()
        logger.info("Finished server process")

    async def _wait_for_exchanges(self) -> None:
        timeout = self._options.timeout_graceful_shutdown
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        if self._busy():
            logger.info("Waiting for forwarded requests to finish (%s)",
                        "no time limit" if timeout is None else f"up to {timeout:g} s")
        while self._busy() and not self._forced.is_set():
            if deadline is not None and loop.time() >= deadline:
                logger.warning("Graceful shutdown timed out; cancelling %d forwarded requests", len(self._running))
                return
            step = _POLL_SECONDS if deadline is None else max(0.0, min(_POLL_SECONDS, deadline - loop.time()))
            if self._running:
                await asyncio.wait(list(self._running), timeout=step)
            else:
                await asyncio.sleep(step)

    def _busy(self) -> bool:
        return bool(self._running) or self._host.open_exchanges() > 0

    async def _cancel_the_rest(self) -> None:
        if not self._running:
            return
        tasks = list(self._running)
        for task, cycle in list(self._running.items()):
            cycle.abort()
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _finish(self) -> None:
        """The lifespan shutdown, then the host, then the core."""
        await self._unless_forced(self._lifespan.shutdown())
        host = self._host
        loop = asyncio.get_running_loop()
        try:
            loop.remove_reader(host.wakeup_fd)
        except (RuntimeError, ValueError):
            pass
        host.stop()
        if self._target.runtime is not None:
            self._target.runtime.stop()

    async def _unless_forced(self, work: Any) -> None:
        """Awaits ``work`` unless a second stop request comes first (then it is cancelled)."""
        task = asyncio.ensure_future(work)
        forced = asyncio.ensure_future(self._forced.wait())
        try:
            await asyncio.wait((task, forced), return_when=asyncio.FIRST_COMPLETED)
        finally:
            forced.cancel()
            if not task.done():
                task.cancel()
        if task.done() and not task.cancelled() and task.exception() is not None:
            logger.error("socket_gateway: shutdown step failed", exc_info=task.exception())
