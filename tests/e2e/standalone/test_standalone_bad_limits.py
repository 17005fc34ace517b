"""Bad input against the limits: oversized messages and bodies, unknown sessions, a burst of bad
handshakes, and a slow client that never reads while the server pushes to it.

As in the wire tests, three witness clients (one per transport mode) are connected first, and
after each abuse every witness must still receive an emit and the server must be healthy.
Limits of that server: --max-payload 100000, --max-queue-bytes 262144 (standalone_witness.py).
"""
from __future__ import annotations

import concurrent.futures
import json
import socket

import pytest
import requests
import websocket

from standalone_clients import scaled, wait_until
from standalone_raw import RawPolling, RawWebSocket, socket_path, tcp_exchange
from standalone_witness import MAX_PAYLOAD, MAX_QUEUE_BYTES


def oversized_event() -> str:
    return '42["big",' + json.dumps("x" * (MAX_PAYLOAD + 50_000)) + "]"


def test_websocket_message_over_max_payload_is_closed_with_1009(witnessed, mint_token):
    raw = RawWebSocket(witnessed.server.url)
    sid = raw.connect_namespace({"token": mint_token("abuser")})
    raw.send(oversized_event())
    assert raw.wait_closed() == 1009
    wait_until(lambda: witnessed.api.socket_is_gone(sid, "abuser"), f"abuser {sid} removed")
    witnessed.assert_still_serving()


def test_upgraded_websocket_message_over_max_payload_is_closed_with_1009(witnessed, mint_token):
    polling = RawPolling(witnessed.server.url)
    raw = RawWebSocket(witnessed.server.url, polling=polling)
    raw.connect_namespace({"token": mint_token("abuser")})
    raw.send(oversized_event())
    assert raw.wait_closed() == 1009
    witnessed.assert_still_serving()


def test_message_just_under_max_payload_is_accepted(witnessed, mint_token):
    """The control: the limit is the limit, not something smaller."""
    raw = RawWebSocket(witnessed.server.url)
    sid = raw.connect_namespace({"token": mint_token("abuser")})
    raw.send('42["fits",' + json.dumps("x" * (MAX_PAYLOAD - 1000)) + "]")
    assert witnessed.api.emit_to_user("abuser", "after", 1).status == 202
    wait_until(lambda: raw.recv() == '42["after",1]', "an emit after the large message")
    assert witnessed.api.rooms_of(sid).status == 200


def test_polling_post_over_max_payload_is_413(witnessed, mint_token):
    raw = RawPolling(witnessed.server.url)
    raw.connect_namespace({"token": mint_token("abuser")})
    response = raw.post(oversized_event())
    assert response.status_code == 413, f"{response.status_code} {response.text[:200]}"
    witnessed.assert_still_serving()


def test_unknown_session_id_is_400_code_1(witnessed):
    base = witnessed.server.url
    for method in ("GET", "POST"):
        response = requests.request(method, socket_path(base, transport="polling", sid="no-such-sid"),
                                    data=b"40" if method == "POST" else None, timeout=scaled(5))
        assert response.status_code == 400, f"{method}: {response.status_code}"
        assert response.json() == {"code": 1, "message": "Session ID unknown"}, response.text
    ws_url = socket_path(base.replace("http", "ws", 1), transport="websocket", sid="no-such-sid")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, timeout=scaled(5))
    assert refused.value.status_code == 400
    witnessed.assert_still_serving()


BAD_HANDSHAKES = [
    # (method, query, expected Engine.IO error code)
    ("GET", "EIO=3&transport=polling", 5),
    ("GET", "transport=polling", 5),
    ("GET", "EIO=abc&transport=polling", 5),
    ("GET", "EIO=4", 0),
    ("GET", "EIO=4&transport=carrier-pigeon", 0),
    ("POST", "EIO=4&transport=polling", 2),
    ("PUT", "EIO=4&transport=polling", 2),
    ("GET", "EIO=4&transport=websocket", 3),  # a WebSocket handshake without Upgrade
]


def bad_websocket_upgrade(port: int) -> bytes:
    """An Upgrade request without Sec-WebSocket-Key: must be refused, never upgraded."""
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
    received, _ = tcp_exchange(port, request.encode(), timeout=5)
    return received


def test_burst_of_200_bad_handshakes(witnessed):
    base = witnessed.server.url

    def attempt(i: int):
        if i % 10 == 9:
            return "upgrade", bad_websocket_upgrade(witnessed.server.port)
        method, query, code = BAD_HANDSHAKES[i % len(BAD_HANDSHAKES)]
        response = requests.request(method, f"{base}/socket.io/?{query}", timeout=scaled(10))
        return (method, query, code), response

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(200)))
    for case, outcome in outcomes:
        if case == "upgrade":
            assert outcome.startswith(b"HTTP/1.1 400"), outcome[:200]
            continue
        assert outcome.status_code == 400, f"{case}: {outcome.status_code} {outcome.text[:200]}"
        assert outcome.json()["code"] == case[2], f"{case}: {outcome.text}"
    witnessed.assert_still_serving()


# --- slow consumers ------------------------------------------------------------------------------

def slow_disconnects(api) -> float:
    response = api.request("GET", "/metrics")
    for line in response.text.splitlines():
        if line.startswith("socket_gateway_slow_disconnects_total"):
            return float(line.split()[-1])
    raise AssertionError("socket_gateway_slow_disconnects_total missing from /metrics")


def open_slow_reader(server, mode_name: str, token: str):
    """A connection of user "slowpoke" that will never read again. Returns (sid, keep-alive)."""
    tiny_buffer = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)]
    if mode_name == "polling":
        polling = RawPolling(server.url)
        return polling.connect_namespace({"token": token}), polling  # and never polls again
    polling = RawPolling(server.url) if mode_name == "upgrade" else None
    raw = RawWebSocket(server.url, polling=polling, sockopt=tiny_buffer)
    return raw.connect_namespace({"token": token}), raw  # and never reads again


@pytest.mark.parametrize("mode_name", ["polling", "websocket", "upgrade"])
def test_slow_reader_is_disconnected_and_others_carry_on(witnessed, mint_token, mode_name):
    api = witnessed.api
    before = slow_disconnects(api)
    sid, _keep_alive = open_slow_reader(witnessed.server, mode_name, mint_token("slowpoke"))
    chunk = "s" * (MAX_PAYLOAD // 2)
    pushed = 0
    budget = 64 * 1024 * 1024  # far beyond the queue limit plus any socket buffers
    while api.rooms_of(sid).status == 200:
        assert pushed < budget, f"pushed {pushed} bytes and the slow reader is still connected"
        for _ in range(10):
            assert api.emit_to_user("slowpoke", "flood", chunk).status == 202
            pushed += len(chunk)
    assert pushed > MAX_QUEUE_BYTES
    wait_until(lambda: slow_disconnects(api) >= before + 1, "slow_disconnects_total to rise")
    wait_until(lambda: api.socket_is_gone(sid, "slowpoke"), f"slow reader {sid} removed")
    witnessed.assert_still_serving()
