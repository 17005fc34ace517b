"""FastAPI WebSocket routes through the ASGI server (apps/http_behaviour_app.py, each server kind).

Text and binary messages are echoed intact (a large one too); the subprotocol the app chooses
from those the client offers is the one the handshake carries (none when none fits); the close
code and reason the app closes with reach the client; an app that closes before accepting gets
the handshake refused with HTTP 403. The gateway's own WebSocket keeps working beside them.
"""
from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from asgi_clients import WAIT


def _ws_url(server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def test_websocket_route_echoes_text_and_bytes(http_app):
    with connect(_ws_url(http_app, "/ws/echo-all"), open_timeout=WAIT, max_size=None) as ws:
        for message in ("héllo ✓", "", b"\x00\xff" * 500, bytes(range(256)), "x" * 300_000,
                        b"\x01" * 2**20):
            ws.send(message)
            echoed = ws.recv(timeout=WAIT)
            assert type(echoed) is type(message) and echoed == message, repr(message)[:80]


@pytest.mark.parametrize("offered,chosen", [
    (["nope", "chat.v1"], "chat.v1"),
    (["chat.v2", "chat.v1"], "chat.v2"),
    (["nope"], None),
    (None, None),
], ids=["second-offered", "first-offered", "none-fits", "none-offered"])
def test_websocket_subprotocol_chosen_by_the_app_is_the_handshakes(http_app, offered, chosen):
    with connect(_ws_url(http_app, "/ws/echo-all"), subprotocols=offered, open_timeout=WAIT) as ws:
        assert ws.subprotocol == chosen
        assert ws.response.headers.get("Sec-WebSocket-Protocol") == chosen
        ws.send("still echoing")
        assert ws.recv(timeout=WAIT) == "still echoing"


@pytest.mark.parametrize("code", [1000, 4001])
def test_websocket_close_code_of_the_app_reaches_the_client(http_app, code):
    with connect(_ws_url(http_app, "/ws/echo-all"), open_timeout=WAIT) as ws:
        ws.send(f"close:{code}")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=WAIT)
    assert closed.value.rcvd is not None, "no close frame from the server"
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (code, "bye")


def test_websocket_closed_before_accept_is_refused_with_403(http_app):
    with pytest.raises(InvalidStatus) as refused:
        connect(_ws_url(http_app, "/ws/refuse"), open_timeout=WAIT)
    assert refused.value.response.status_code == 403
    with connect(_ws_url(http_app, "/ws/echo-all"), open_timeout=WAIT) as ws:
        ws.send("after a refusal")
        assert ws.recv(timeout=WAIT) == "after a refusal"


def test_gateway_websocket_answers_beside_the_app_routes(http_app):
    with connect(_ws_url(http_app, "/socket.io/?EIO=4&transport=websocket"), open_timeout=WAIT) as ws:
        opened = ws.recv(timeout=WAIT)
    assert opened.startswith("0") and json.loads(opened[1:])["sid"], opened[:200]
