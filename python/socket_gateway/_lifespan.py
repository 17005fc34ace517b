"""The ASGI ``lifespan`` protocol, as the serve command drives it.

The app runs on a ``lifespan`` scope in a task of its own for the whole life of the server.
``startup()`` sends ``lifespan.startup`` and waits for the app's answer; ``shutdown()`` sends
``lifespan.shutdown`` and waits likewise. The scope's ``state`` dict is what every request's
scope gets a copy of.

An app that raises before it has taken its first message does not speak lifespan: that is
logged at info and serving goes on without it. An app that answers ``lifespan.startup.failed``
or raises during its startup makes ``startup()`` raise ``LifespanFailure`` with its message
(the serve command exits non-zero with it).

Threading: coroutines of the server's loop thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping
from typing import Any

from ._http_cycle import App
from ._scope import ASGI_VERSION

__all__ = ["Lifespan", "LifespanFailure"]

logger = logging.getLogger("socket_gateway.serve")


class LifespanFailure(Exception):
    """The app's lifespan startup (or shutdown) failed; the message says how."""


class Lifespan:
    """One app's lifespan scope, from startup to shutdown."""

    def __init__(self, app: App) -> None:
        self._app = app
        self.state: dict[str, Any] = {}
        self.supported = True
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._answer: asyncio.Future[dict[str, Any]] | None = None
        self._took_message = False
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Runs the app's startup. Raises LifespanFailure when it fails."""
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run())
        answer = await self._exchange({"type": "lifespan.startup"})
        if answer["type"] == "lifespan.startup.failed":
            raise LifespanFailure(answer.get("message") or "the application's startup failed")

    async def shutdown(self) -> None:
        """Runs the app's shutdown (nothing when lifespan is unsupported). Failures are logged."""
        if not self.supported or self._task is None or self._task.done():
            return
        answer = await self._exchange({"type": "lifespan.shutdown"})
        if answer["type"] == "lifespan.shutdown.failed":
            logger.error("Application shutdown failed: %s", answer.get("message") or "(no message)")
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=1.0)
        except (asyncio.TimeoutError, Exception):
            pass  # the app got its answer; what it does after is its own business

    async def _exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        """Sends one event and waits for its answer (or the app's end, which is also an answer)."""
        assert self._task is not None
        self._answer = asyncio.get_running_loop().create_future()
        await self._inbox.put(message)
        await asyncio.wait((self._answer, self._task), return_when=asyncio.FIRST_COMPLETED)
        if self._answer.done():
            return self._answer.result()
        return self._ended_without_answer(message["type"])

    def _ended_without_answer(self, event: str) -> dict[str, Any]:
        assert self._task is not None
        error = None if self._task.cancelled() else self._task.exception()
        if not self.supported:
            return {"type": f"{event}.complete"}
        if event == "lifespan.startup":
            if error is not None:
                return {"type": "lifespan.startup.failed", "message": f"{type(error).__name__}: {error}"}
            logger.info("The application's lifespan ended before its startup completed; serving without it.")
            self.supported = False
            return {"type": "lifespan.startup.complete"}
        if error is not None:
            return {"type": "lifespan.shutdown.failed", "message": f"{type(error).__name__}: {error}"}
        return {"type": "lifespan.shutdown.complete"}

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": ASGI_VERSION, "spec_version": "2.0"}, "state": self.state}
        try:
            await self._app(scope, self._receive, self._send)
        except Exception as error:
            if not self._took_message:
                self.supported = False
                logger.info("ASGI 'lifespan' protocol appears unsupported (%s: %s).", type(error).__name__, error)
                return
            logger.error("Exception in the application's lifespan", exc_info=error)
            raise

    async def _receive(self) -> dict[str, Any]:
        self._took_message = True
        return await self._inbox.get()

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        kind = message["type"]
        if kind not in ("lifespan.startup.complete", "lifespan.startup.failed",
                        "lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            raise RuntimeError(f"Unexpected ASGI message {kind!r} in a lifespan scope")
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(dict(message))
