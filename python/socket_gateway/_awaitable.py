"""How one API method serves both ``async def`` and plain ``def`` callers.

On a thread with a running asyncio loop the gateway's methods return an awaitable; on a
thread without one (FastAPI runs ``def`` routes in a thread pool) they return the value.
``Ready`` is the awaitable for work that is already done when the call returns (emits);
``resolve`` completes a future that may belong to another thread's loop. (The blocking
forms for threads without a loop are in the C++ core, which waits with the GIL released.)

Threading: ``running_loop`` on any thread; ``resolve`` on the gateway's loop thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["Ready", "resolve", "running_loop"]


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running on this thread, or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Ready(Generic[T]):
    """An awaitable for work already handed over: awaiting it yields to the loop once (as
    ``asyncio.sleep(0)`` does), then returns the value or raises.

    The yield keeps a tight loop of emits cooperative: the WebSocket writers of the same
    loop get to drain their outboxes between two emits instead of after the last one.
    """

    __slots__ = ("_value", "_error")

    def __init__(self, value: T = None, error: BaseException | None = None) -> None:  # type: ignore[assignment]
        self._value = value
        self._error = error

    def __await__(self) -> Generator[Any, None, T]:
        yield  # to the event loop, once
        if self._error is not None:
            raise self._error
        return self._value


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def resolve(future: asyncio.Future[Any], value: Any = None, error: BaseException | None = None) -> None:
    """Completes ``future`` with ``value`` or ``error``, on the future's own loop."""
    loop = future.get_loop()
    if loop is running_loop():
        _settle(future, value, error)
        return
    try:
        loop.call_soon_threadsafe(_settle, future, value, error)
    except RuntimeError:
        pass  # that loop is closed: nobody is waiting any more
