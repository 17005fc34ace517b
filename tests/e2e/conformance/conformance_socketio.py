"""Socket.IO v5 steps shared by the conformance tests, written against the raw Engine.IO packets of
either transport (a PollingConnection or a WebSocketConnection: both have send / receive /
expect_closed).

Threading: functions of the test thread that owns the connection.
"""

from __future__ import annotations

import json
import time

import requests
import websocket

from conformance_polling import encode_payload
from conformance_settings import REPLY_TIMEOUT


def placeholder(num: int) -> str:
    """The binary placeholder exactly as the reference encoder writes it."""
    return '{"_placeholder":true,"num":%d}' % num


def namespace_prefix(namespace: str) -> str:
    """The namespace part of an encoded packet: empty for "/", else "/name,"."""
    return "" if namespace == "/" else namespace + ","


def receive_skipping_pings(connection, timeout: float = REPLY_TIMEOUT):
    """The next packet that is not an Engine.IO ping; each ping met on the way is answered "3"."""
    deadline = time.monotonic() + timeout
    while True:
        packet = connection.receive(timeout=max(0.001, deadline - time.monotonic()))
        if packet != "2":
            return packet
        connection.send("3")


def receive_many(connection, count: int, timeout: float = REPLY_TIMEOUT) -> list:
    """The next `count` packets that are not pings (pings answered)."""
    deadline = time.monotonic() + timeout
    return [receive_skipping_pings(connection, max(0.001, deadline - time.monotonic())) for _ in range(count)]


def keep_alive_for(connection, seconds: float) -> None:
    """Answers pings for at least `seconds`; any other packet or a close fails the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            # Over polling this GET returns at the next ping (every 300 ms), never later.
            packet = connection.receive(timeout=max(REPLY_TIMEOUT, 0.001))
        except TimeoutError as error:
            raise AssertionError("no ping from the server within the reply timeout") from error
        assert packet == "2", f"unexpected packet {packet!r} while only pings were expected"
        connection.send("3")


def assert_connect_reply(packet, namespace: str = "/") -> str:
    """Checks a CONNECT reply: `40[/nsp,]{"sid":"…"}` with the key sid only; returns the sid."""
    prefix = "40" + namespace_prefix(namespace)
    assert isinstance(packet, str) and packet.startswith(prefix), f"expected a CONNECT reply {prefix}…, got {packet!r}"
    body = json.loads(packet[len(prefix):])
    assert isinstance(body, dict) and set(body) == {"sid"}, f"CONNECT reply must hold only 'sid': {body!r}"
    assert isinstance(body["sid"], str) and body["sid"], f"CONNECT sid is not a non-empty string: {body!r}"
    return body["sid"]


def connect_namespace(connection, namespace: str = "/", payload: str | None = None,
                      expected_auth: str = "{}", sent_namespace: str | None = None) -> str:
    """Sends CONNECT for `namespace` (with the raw JSON `payload`, if any), checks the reply and the
    `auth` event the conformance server emits on connect; returns the Socket.IO sid.
    `sent_namespace` overrides how the namespace is written in the CONNECT (e.g. "/custom" with
    no comma)."""
    written = namespace_prefix(namespace) if sent_namespace is None else sent_namespace
    connection.send("40" + written + (payload or ""))
    sid = assert_connect_reply(receive_skipping_pings(connection), namespace)
    auth_event = receive_skipping_pings(connection)
    assert auth_event == "42" + namespace_prefix(namespace) + '["auth",' + expected_auth + "]"
    return sid


def send_refused_input(connection, packets) -> None:
    """Sends packets the server may close the session on while still reading them: over polling the
    POST may be answered 200 "ok" (Node) or 400; over WebSocket a later frame may hit a closed socket."""
    if connection.transport == "polling":
        try:
            response = connection.post(encode_payload(packets))
        except requests.ConnectionError:
            return
        assert response.status_code in (200, 400), f"POST answered {response.status_code}"
        return
    for packet in packets:
        try:
            connection.send(packet)
        except (websocket.WebSocketException, ConnectionError):
            return
