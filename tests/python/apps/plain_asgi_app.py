"""A plain ASGI 3.0 application with no gateway (tests of `serve` with any ASGI app).

Every HTTP request is answered 200 with JSON naming the path and the body length, the
/socket.io/ path included (no gateway: the host forwards everything). A WebSocket is accepted
and each text message is echoed with an "echo:" prefix. The lifespan protocol is answered.

Threading: the server's event loop only.
"""
from __future__ import annotations

import json


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        length = 0
        while True:
            message = await receive()
            length += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = json.dumps({"path": scope["path"], "body_bytes": length, "plain": True}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": "echo:" + (message.get("text") or "")})
