"""``serve()``: run an ASGI app on the native host, in this process, until a signal.

The function behind ``python -m socket_gateway serve`` and exported as
``socket_gateway.serve``. The C++ host owns the port: for an ``ASGIApp`` it serves
Socket.IO at the app's path natively, on the gateway's own shards, and hands every other
request to ``other_asgi_app`` as ASGI 3.0; any other ASGI app gets every request. One
asyncio loop runs the apps, in the calling thread (uvloop's when it is installed).

Threading: call it from the main thread (signals are handled there); it returns when the
server has stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from . import _core
from ._app_loading import AppLoadError, load_app
from ._config import THREADS_VARIABLE
from ._dispatch import HostLimits
from ._server import NativeServer, ServeOptions

__all__ = ["LOG_LEVELS", "serve"]

logger = logging.getLogger("socket_gateway.serve")

LOG_LEVELS = {"critical": logging.CRITICAL, "error": logging.ERROR, "warning": logging.WARNING,
              "info": logging.INFO, "debug": logging.DEBUG, "trace": 5}
"""The ``log_level`` names (uvicorn's) and their logging levels."""

DEFAULT_BODY_LIMIT = 64 * 2**20
DEFAULT_HEADER_LIMIT = 16 * 1024


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 8000, threads: int | None = None,
          log_level: str = "info", root_path: str = "", timeout_graceful_shutdown: float | None = None,
          limit_max_requests: int | None = None, limit_request_body: int = DEFAULT_BODY_LIMIT,
          limit_request_headers: int = DEFAULT_HEADER_LIMIT, factory: bool = False,
          app_dir: str | None = None, access_log: bool = True) -> None:
    """Serves ``app`` on ``host``:``port`` with the native host until SIGTERM / SIGINT.

    Args:
        app: an ASGI application, or its import string "module:attribute" (imported here,
            after ``SOCKET_GATEWAY_THREADS`` is set).
        host: the address to bind.
        port: the port (0: any free port; the log line says which).
        threads: sets ``SOCKET_GATEWAY_THREADS`` before an import string is imported, which
            a ``SocketGateway(threads=None)`` takes; a plain ASGI app's host uses it for its
            own shards (default 1).
        log_level: "critical", "error", "warning", "info", "debug" or "trace" (Python logging;
            the gateway core's own level is SocketGateway's ``log_level``).
        root_path: the ASGI ``root_path`` (prefixed to ``path`` and ``raw_path``, as uvicorn).
        timeout_graceful_shutdown: seconds a shutdown waits for forwarded requests in flight
            before cutting them (None: no limit).
        limit_max_requests: shut down gracefully after this many forwarded requests.
        limit_request_body: largest forwarded request body (bytes; more: 413).
        limit_request_headers: largest request head (bytes; more: 431).
        factory: ``app`` (or what the import string names) is a factory to call for the app.
        app_dir: put first on ``sys.path`` before importing an import string.
        access_log: log each forwarded request at info (logger ``socket_gateway.access``).

    Raises SystemExit(1) when the app cannot be loaded, the port cannot be bound or the
    extension has no native host, and
    SystemExit(3) when the app's lifespan startup failed.
    """
    _configure_logging(log_level, access_log)
    if not hasattr(_core, "NativeHost"):
        logger.error("This build of socket_gateway has no native host (_core.NativeHost): "
                     "reinstall the package from a checkout that has it.")
        raise SystemExit(1)
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads <= 0:
            raise ValueError("threads must be a positive int")
        os.environ[THREADS_VARIABLE] = str(threads)
    if isinstance(app, str):
        try:
            app = load_app(app, app_dir=app_dir, factory=factory)
        except AppLoadError as error:
            logger.error("Error loading ASGI app. %s", error)
            raise SystemExit(1) from None
    elif factory:
        app = app()
    options = ServeOptions(
        limits=HostLimits(host=host, port=port, threads=threads, max_header_bytes=limit_request_headers,
                          max_body_bytes=limit_request_body),
        root_path=root_path.rstrip("/"),
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        limit_max_requests=limit_max_requests,
    )
    code = _run(_serve_once(app, options))
    if code:
        raise SystemExit(code)


async def _serve_once(app: Any, options: ServeOptions) -> int:
    return await NativeServer(app, options).run()


def _run(main: Any) -> int:
    """Runs the coroutine on a new loop (uvloop's when importable)."""
    try:
        import uvloop
    except ImportError:
        loop_factory = None
    else:
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        code: int = runner.run(main)
    return code


def _configure_logging(log_level: str, access_log: bool) -> None:
    """stderr logging at ``log_level`` unless the process configured logging itself."""
    try:
        level = LOG_LEVELS[log_level.lower()]
    except KeyError:
        raise ValueError(f"log_level must be one of {', '.join(LOG_LEVELS)}") from None
    logging.addLevelName(5, "TRACE")
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:  %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
    logging.getLogger("socket_gateway").setLevel(level)
    logging.getLogger("socket_gateway.access").setLevel(level if access_log else logging.WARNING)
