"""The app of the tests of the ASGI server itself (test_http_*.py): FastAPI plus raw ASGI routes,
with the gateway mounted through ASGIApp like the real apps, so Socket.IO stays on.

Started as `http_behaviour_app:app` from tests/python/apps by either server kind. Environment:
  SG_TEST_JWT_SECRET     HS256 secret (required)
  SG_TEST_MARKER_DIR     where the lifespan writes `startup` and `shutdown` (optional); the
                         shutdown marker is JSON: {"slow_finished": [probe ids finished by then]}
  SG_TEST_FAIL_STARTUP   when set, the lifespan startup raises RuntimeError(<its value>)
  SG_TEST_PING_INTERVAL  the gateway's ping interval in seconds (optional; a long-polling GET is
                         held up to that long, which bounds uvicorn's graceful shutdown)

Probes: a test names a probe (`?probe=ID`); the route records what it saw there, and the test
reads it through GET /probe/{ID} on another connection (JSON, {} for an unknown probe), and
releases a waiting route with POST /release/{ID}.

Raw ASGI routes (FastAPI would hide what they look at), under /raw/:
  /raw/scope...           reads the body; answers the scope as JSON (headers as latin-1 pairs)
  /raw/echo?n=&delay=     answers `n` (text) after `delay` s — pipelining order
  /raw/upload?probe=      receives the body message by message: the probe holds `bytes` so far
                          and `chunks` (size, more_body) as they come; answers
                          {"bytes", "chunks", "sha256"}; on http.disconnect the probe gets
                          `disconnected` and no response is sent
  /raw/flood?probe=&total=&chunk=   streams `total` bytes in `chunk`-sized parts, awaiting each
                          send; the probe holds `sent`, and `ended` ("complete"/"disconnect")
  /raw/wait-disconnect?probe=  reads the body, sets `waiting`, then awaits receive(): the probe
                          gets `message` (the type received)
  /raw/raise-before       raises before http.response.start
  /raw/raise-after?length=  starts a response (content-length `length` when given, else
                          streamed), sends b"partial", raises
FastAPI routes:
  GET /stream/text?probe=  StreamingResponse: "first\n", waits for the release, "second\n", "third\n"
  GET /sse?probe=          text/event-stream: event 1, waits for the release, events 2 and 3
  GET /slow?probe=&seconds=  sleeps, then answers {"slept": seconds}; the probe has
                          `started` / `finished`
  GET /url                 {"url": str(request.url), "root_path": ...} as Starlette sees them
  WebSocket /ws/echo-all   accepts the first offered subprotocol of ("chat.v2", "chat.v1"),
                          echoes text and bytes; text "close:<code>" closes with <code>, "bye"
  WebSocket /ws/refuse     closes before accepting (the server answers 403)
Threading: everything on the server's asyncio loop (no sync routes here).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pathlib
from contextlib import asynccontextmanager
from typing import Any, Optional
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import StreamingResponse
from socket_gateway import ASGIApp, SocketGateway

gateway = SocketGateway(jwt_secret=os.environ["SG_TEST_JWT_SECRET"], jwt_algorithms=("HS256",),
                        ping_interval=float(os.environ.get("SG_TEST_PING_INTERVAL") or 25.0))

# ---- probes --------------------------------------------------------------------------------------

probes: dict[str, dict[str, Any]] = {}
releases: dict[str, asyncio.Event] = {}
slow_finished: list[str] = []


def probe(name: Optional[str]) -> dict[str, Any]:
    """The observations of probe `name` (a throwaway dict when the request named none)."""
    if not name:
        return {}
    return probes.setdefault(name, {})


def release_event(name: str) -> asyncio.Event:
    return releases.setdefault(name, asyncio.Event())


# ---- raw ASGI routes -----------------------------------------------------------------------------

def _query(scope: dict) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(scope["query_string"].decode("latin-1")).items()}


async def _answer(send, status: int, body: bytes, content_type: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive) -> Optional[bytes]:
    """The whole request body; None when the client went away first."""
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


async def raw_scope(scope, receive, send) -> None:
    body = await _read_body(receive)
    if body is None:
        return
    report = {key: scope.get(key) for key in ("type", "http_version", "method", "scheme", "path",
                                              "root_path", "asgi")}
    report["raw_path"] = scope["raw_path"].decode("latin-1") if scope.get("raw_path") else None
    report["query_string"] = scope["query_string"].decode("latin-1")
    report["headers"] = [[name.decode("latin-1"), value.decode("latin-1")]
                         for name, value in scope["headers"]]
    report["client"] = list(scope["client"]) if scope.get("client") else None
    report["server"] = list(scope["server"]) if scope.get("server") else None
    report["body_bytes"] = len(body)
    await _answer(send, 200, json.dumps(report).encode())


async def raw_echo(scope, receive, send) -> None:
    query = _query(scope)
    if await _read_body(receive) is None:
        return
    delay = float(query.get("delay", "0"))
    if delay:
        await asyncio.sleep(delay)  # the app is slow on purpose: later requests must wait
    await _answer(send, 200, query.get("n", "").encode(), b"text/plain")


async def raw_upload(scope, receive, send) -> None:
    seen = probe(_query(scope).get("probe"))
    seen.update(bytes=0, chunks=[])
    digest = hashlib.sha256()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            seen["disconnected"] = True
            return
        chunk = message.get("body", b"")
        digest.update(chunk)
        seen["bytes"] += len(chunk)
        more = message.get("more_body", False)
        seen["chunks"].append([len(chunk), more])
        if not more:
            break
    await _answer(send, 200, json.dumps({"bytes": seen["bytes"], "chunks": seen["chunks"],
                                         "sha256": digest.hexdigest()}).encode())


async def raw_flood(scope, receive, send) -> None:
    query = _query(scope)
    seen = probe(query.get("probe"))
    total, chunk_size = int(query["total"]), int(query["chunk"])
    seen.update(sent=0, ended=None)
    if await _read_body(receive) is None:
        return
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream"),
                                (b"content-length", str(total).encode())]})
        while seen["sent"] < total and not gone.is_set():
            size = min(chunk_size, total - seen["sent"])
            # A fresh, written buffer each time: memory the server keeps shows in its RSS.
            await send({"type": "http.response.body", "body": b"x" * size,
                        "more_body": seen["sent"] + size < total})
            seen["sent"] += size
        seen["ended"] = "disconnect" if gone.is_set() else "complete"
    finally:
        watcher.cancel()


async def raw_wait_disconnect(scope, receive, send) -> None:
    seen = probe(_query(scope).get("probe"))
    if await _read_body(receive) is None:
        seen["message"] = "http.disconnect"
        return
    seen["waiting"] = True
    message = await receive()
    seen["message"] = message["type"]


async def raw_raise_before(scope, receive, send) -> None:
    await _read_body(receive)
    raise RuntimeError("raised before responding, on purpose (http_behaviour_app)")


async def raw_raise_after(scope, receive, send) -> None:
    length = _query(scope).get("length")
    await _read_body(receive)
    headers = [(b"content-type", b"text/plain")]
    if length:
        headers.append((b"content-length", length.encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise RuntimeError("raised after a partial response, on purpose (http_behaviour_app)")


RAW_ROUTES = {
    "/raw/echo": raw_echo,
    "/raw/upload": raw_upload,
    "/raw/flood": raw_flood,
    "/raw/wait-disconnect": raw_wait_disconnect,
    "/raw/raise-before": raw_raise_before,
    "/raw/raise-after": raw_raise_after,
}


def _route_path(scope: dict) -> str:
    """The path below root_path, as Starlette's router computes it."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root):]
    return path


class RawRoutes:
    """Answers the /raw/ routes itself; everything else (and the lifespan) goes to `app`."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = _route_path(scope)
            if path.startswith("/raw/scope"):
                await raw_scope(scope, receive, send)
                return
            handler = RAW_ROUTES.get(path)
            if handler is not None:
                await handler(scope, receive, send)
                return
        await self.app(scope, receive, send)


# ---- the FastAPI application ---------------------------------------------------------------------

def _write_marker(name: str, text: str) -> None:
    directory = os.environ.get("SG_TEST_MARKER_DIR")
    if directory:
        pathlib.Path(directory, name).write_text(text)


@asynccontextmanager
async def lifespan(_: FastAPI):
    failure = os.environ.get("SG_TEST_FAIL_STARTUP")
    if failure:
        raise RuntimeError(failure)
    _write_marker("startup", f"pid={os.getpid()}")
    yield
    _write_marker("shutdown", json.dumps({"slow_finished": list(slow_finished)}))


fastapi_app = FastAPI(title="socket-gateway HTTP behaviour app", lifespan=lifespan)


@fastapi_app.get("/probe/{name}")
async def read_probe(name: str) -> dict:
    return probes.get(name, {})


@fastapi_app.post("/release/{name}")
async def release(name: str) -> dict:
    release_event(name).set()
    return {"released": name}


@fastapi_app.get("/stream/text")
async def stream_text(probe: str) -> StreamingResponse:
    async def parts():
        yield b"first\n"
        await release_event(probe).wait()
        yield b"second\n"
        yield b"third\n"
    return StreamingResponse(parts(), media_type="text/plain")


@fastapi_app.get("/sse")
async def server_sent_events(probe: str) -> StreamingResponse:
    async def events():
        yield b"event: tick\ndata: 1\n\n"
        await release_event(probe).wait()
        for number in (2, 3):
            yield f"event: tick\ndata: {number}\n\n".encode()
    return StreamingResponse(events(), media_type="text/event-stream")


@fastapi_app.get("/slow")
async def slow(probe: str, seconds: float) -> dict:
    seen = probes.setdefault(probe, {})
    seen["started"] = True
    await asyncio.sleep(seconds)  # the request is in flight on purpose while the test stops the server
    seen["finished"] = True
    slow_finished.append(probe)
    return {"slept": seconds}


@fastapi_app.get("/url")
async def url(request: Request) -> dict:
    return {"url": str(request.url), "root_path": request.scope.get("root_path", "")}


@fastapi_app.websocket("/ws/echo-all")
async def websocket_echo_all(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    chosen = next((name for name in offered if name in ("chat.v2", "chat.v1")), None)
    await websocket.accept(subprotocol=chosen)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is not None and text.startswith("close:"):
            await websocket.close(code=int(text.split(":", 1)[1]), reason="bye")
            return
        if text is not None:
            await websocket.send_text(text)
        else:
            await websocket.send_bytes(message["bytes"])


@fastapi_app.websocket("/ws/refuse")
async def websocket_refuse(websocket: WebSocket) -> None:
    await websocket.close(code=1008)


app = ASGIApp(gateway, other_asgi_app=RawRoutes(fastapi_app), socketio_path="socket.io")
