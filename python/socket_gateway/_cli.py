"""The command line: ``python -m socket_gateway serve MODULE:ATTR [options]``.

Shaped like uvicorn's so it drops into the same run scripts: the import string, ``--app-dir``
(default ".", put first on ``sys.path``), ``--host`` / ``--port``, ``--log-level``,
``--root-path``, ``--timeout-graceful-shutdown``, ``--limit-max-requests``, ``--factory``,
``--no-access-log``;
plus ``--threads`` (the gateway's shard threads, through ``SOCKET_GATEWAY_THREADS``) and
the host's ``--limit-request-body`` / ``--limit-request-headers``. See ``serving.serve``.

Threading: the main thread.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .serving import DEFAULT_BODY_LIMIT, DEFAULT_HEADER_LIMIT, LOG_LEVELS, serve

__all__ = ["main", "parser"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m socket_gateway``."""
    top = argparse.ArgumentParser(prog="python -m socket_gateway",
                                  description="Socket Gateway: the C++ Socket.IO server's native host for ASGI apps.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "serve", help="serve an ASGI app (Socket.IO of an ASGIApp natively, the rest as ASGI)",
        description="Serve MODULE:ATTR on the native host: an ASGIApp's Socket.IO path is served by the "
                    "C++ core, every other request goes to the app as ASGI 3.0.")
    run.add_argument("app", metavar="MODULE:ATTR", help="the ASGI app, e.g. main:app")
    run.add_argument("--app-dir", default=".", help="put this directory first on sys.path (default: .)")
    run.add_argument("--host", default="127.0.0.1", help="bind to this address (default: 127.0.0.1)")
    run.add_argument("--port", type=_port, default=8000, help="bind to this port; 0: any free port (default: 8000)")
    run.add_argument("--threads", type=_positive_int, default=None,
                     help="the gateway's shard threads (sets SOCKET_GATEWAY_THREADS; default: the cores)")
    run.add_argument("--log-level", choices=list(LOG_LEVELS), default="info", help="Python log level (default: info)")
    run.add_argument("--root-path", default="", help="the ASGI root_path, for an app behind a path prefix")
    run.add_argument("--timeout-graceful-shutdown", type=_seconds, default=None, metavar="SECONDS",
                     help="how long a shutdown waits for forwarded requests in flight (default: no limit)")
    run.add_argument("--limit-max-requests", type=_positive_int, default=None, metavar="N",
                     help="shut down gracefully after N forwarded requests")
    run.add_argument("--limit-request-body", type=_positive_int, default=DEFAULT_BODY_LIMIT, metavar="BYTES",
                     help=f"largest forwarded request body; more: 413 (default: {DEFAULT_BODY_LIMIT})")
    run.add_argument("--limit-request-headers", type=_positive_int, default=DEFAULT_HEADER_LIMIT, metavar="BYTES",
                     help=f"largest request head; more: 431 (default: {DEFAULT_HEADER_LIMIT})")
    run.add_argument("--factory", action="store_true", help="MODULE:ATTR is a factory returning the app")
    run.add_argument("--no-access-log", dest="access_log", action="store_false",
                     help="do not log each forwarded request")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code (SystemExit for the failures serve reports)."""
    arguments = parser().parse_args(argv)
    serve(arguments.app, host=arguments.host, port=arguments.port, threads=arguments.threads,
          log_level=arguments.log_level, root_path=arguments.root_path,
          timeout_graceful_shutdown=arguments.timeout_graceful_shutdown,
          limit_max_requests=arguments.limit_max_requests, limit_request_body=arguments.limit_request_body,
          limit_request_headers=arguments.limit_request_headers, factory=arguments.factory,
          app_dir=arguments.app_dir, access_log=arguments.access_log)
    return 0
