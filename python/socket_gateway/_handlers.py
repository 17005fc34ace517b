"""The application's handlers: registration, and running them when the core reports a
connect, an event or a disconnect.

Registering a handler also tells the core to report that namespace/event (a "watch"): the
core only reports what some handler waits for. Handlers may be plain functions or
coroutine functions; a coroutine runs as a task on the gateway's loop. An event handler's
return value becomes the ack when the client asked for one (a tuple gives several ack
arguments, None gives an ack without arguments); if the handler raises, the error is
logged and no ack is sent.

Threading: registration on any thread before the gateway starts; the run_* methods on the
gateway's loop thread (called by NoticeRouter.drain).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from . import _core, binary

__all__ = ["ConnectHandler", "DisconnectHandler", "EventHandler", "HandlerRegistry", "ack_arguments"]

logger = logging.getLogger("socket_gateway")

EventHandler = Callable[..., Any]
"""``handler(sid, *args)``: returns (or resolves to) the ack value."""
ConnectHandler = Callable[[str, str, dict[str, Any]], Any]
"""``handler(sid, user_id, claims)``."""
DisconnectHandler = Callable[[str, str, str], Any]
"""``handler(sid, user_id, reason)``."""


def ack_arguments(result: Any) -> list[Any]:
    """A handler's return value as the list of ack arguments."""
    if result is None:
        return []
    if isinstance(result, tuple):
        return list(result)
    return [result]


class HandlerRegistry:
    """Handlers per namespace and event, and how they are run."""

    def __init__(self, core: _core.Core) -> None:
        self._core = core
        self._connect: dict[str, ConnectHandler] = {}
        self._disconnect: dict[str, DisconnectHandler] = {}
        self._events: dict[tuple[str, str], EventHandler] = {}
        self._tasks: set[asyncio.Task[Any]] = set()  # strong references to running handlers

    # ---- registration ---------------------------------------------------------------------

    def _check(self, namespace: str, handler: Callable[..., Any]) -> None:
        if not callable(handler):
            raise TypeError("a handler must be callable")
        if not self._core.serves_namespace(namespace):
            raise ValueError(f"namespace {namespace!r} is not served (add it to namespaces=)")
        if self._core.running:
            raise RuntimeError("handlers must be registered before the gateway starts")

    def add_event(self, namespace: str, event: str, handler: EventHandler) -> None:
        """Runs ``handler`` for client event ``event`` on ``namespace``."""
        if not isinstance(event, str) or not event:
            raise ValueError("event must be a non-empty str")
        self._check(namespace, handler)
        self._core.watch_event(namespace, event)
        self._events[(namespace, event)] = handler

    def add_connect(self, namespace: str, handler: ConnectHandler) -> None:
        """Runs ``handler`` when a socket connects to ``namespace``."""
        self._check(namespace, handler)
        self._core.watch_connect(namespace)
        self._connect[namespace] = handler

    def add_disconnect(self, namespace: str, handler: DisconnectHandler) -> None:
        """Runs ``handler`` when a socket of ``namespace`` disconnects."""
        self._check(namespace, handler)
        self._core.watch_disconnect(namespace)
        self._disconnect[namespace] = handler

    # ---- running (loop thread) ------------------------------------------------------------

    def run_connect(self, nsp: str, sid: str, user_id: str, claims_json: str) -> None:
        """A socket connected (already in room ``user:{user_id}``)."""
        handler = self._connect.get(nsp)
        if handler is not None:
            self._run(handler, (sid, user_id, json.loads(claims_json)), None, f"connect handler of {nsp}")

    def run_disconnect(self, nsp: str, sid: str, user_id: str, reason: str) -> None:
        """A socket disconnected (and has left every room)."""
        handler = self._disconnect.get(nsp)
        if handler is not None:
            self._run(handler, (sid, user_id, reason), None, f"disconnect handler of {nsp}")

    def run_event(self, nsp: str, sid: str, event: str, arguments_json: str, attachments: list[bytes],
                  ack_id: int | None) -> None:
        """A client event; answers the ack with the handler's result when one was asked for."""
        handler = self._events.get((nsp, event))
        if handler is None:
            if ack_id is not None:
                self._core.drop_ack(sid, ack_id)
            return
        arguments = binary.unpack(arguments_json, attachments)
        on_result = None if ack_id is None else (lambda result: self._send_ack(sid, ack_id, result))
        on_failure = None if ack_id is None else (lambda: self._core.drop_ack(sid, ack_id))
        self._run(handler, (sid, *arguments), on_result, f"handler of {event!r} on {nsp}", on_failure)

    def _send_ack(self, sid: str, ack_id: int, result: Any) -> None:
        try:
            text, attachments = binary.pack(ack_arguments(result))
        except (TypeError, ValueError):
            logger.exception("socket_gateway: the ack value for sid %s cannot be sent", sid)
            self._core.drop_ack(sid, ack_id)
            return
        self._core.send_ack(sid, ack_id, text, attachments)

    def _run(self, handler: Callable[..., Any], arguments: tuple[Any, ...], on_result: Callable[[Any], None] | None,
             what: str, on_failure: Callable[[], None] | None = None) -> None:
        try:
            result = handler(*arguments)
        except Exception:
            logger.exception("socket_gateway: %s raised", what)
            if on_failure is not None:
                on_failure()
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(self._await(result, on_result, what, on_failure))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif on_result is not None:
            on_result(result)

    @staticmethod
    async def _await(result: Awaitable[Any], on_result: Callable[[Any], None] | None, what: str,
                     on_failure: Callable[[], None] | None) -> None:
        try:
            value = await result
        except asyncio.CancelledError:
            if on_failure is not None:
                on_failure()
            raise
        except Exception:
            logger.exception("socket_gateway: %s raised", what)
            if on_failure is not None:
                on_failure()
            return
        if on_result is not None:
            on_result(value)
