"""Bad input on the wire: garbage HTTP, garbage WebSocket frames, invalid Engine.IO packets,
malformed Socket.IO packets.

Each test starts a gateway with three witness clients (polling, websocket, upgraded) connected,
misbehaves on a connection of its own, checks that the server ended just that connection (the
protocol's answer to bad input, see PROTOCOL.md "What the official server does with bad input"),
and then that every witness still receives an emit and the server is healthy. A well-formed client
event, which the gateway accepts and ignores, is the control: that connection must stay.
"""
from __future__ import annotations

import os

import pytest
import requests

from standalone_clients import wait_until
from standalone_raw import SEPARATOR, RawPolling, RawWebSocket, tcp_exchange, ws_frame

# --- HTTP garbage --------------------------------------------------------------------------------

TCP_GARBAGE = {
    "random-binary": b"\x00\xff" + os.urandom(4094) + b"\r\n\r\n",
    "not-http": b"HELLO THERE, SERVER\r\n\r\n",
    "request-line-without-version": b"GET /healthz\r\nHost: x\r\n\r\n",
    "header-without-colon": b"GET /healthz HTTP/1.1\r\nHost x\r\nthis is not a header\r\n\r\n",
    "oversized-header": b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: "
                        + b"a" * 300_000 + b"\r\n\r\n",
    "bad-chunk-size": b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "content-length-lies": b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}",
}


@pytest.mark.parametrize("case", list(TCP_GARBAGE))
def test_garbage_http_is_refused_and_others_carry_on(witnessed, case):
    received, closed = tcp_exchange(witnessed.server.port, TCP_GARBAGE[case])
    assert closed, f"the server kept the connection open after {case}; it sent {received[:200]!r}"
    assert received == b"" or received.startswith(b"HTTP/1.1 4"), received[:200]
    witnessed.assert_still_serving()


# --- WebSocket frame garbage ---------------------------------------------------------------------

WS_GARBAGE = {
    "unmasked-client-frame": ws_frame(0x1, b"4hello", masked=False),
    "reserved-opcode": ws_frame(0x3, b"4hello"),
    "reserved-control-opcode": ws_frame(0xB, b""),
    "rsv-bits-without-extension": ws_frame(0x1, b"4hello", rsv=0b111),
    "invalid-utf8-text": ws_frame(0x1, b"4\xff\xfe\xfd"),
    "fragmented-control-frame": ws_frame(0x9, b"ping", fin=False),
    "continuation-without-start": ws_frame(0x0, b"4hello"),
    "oversized-control-frame": ws_frame(0x9, b"p" * 200),
    "random-bytes": b"\x8f" + os.urandom(64),
}


@pytest.mark.parametrize("case", list(WS_GARBAGE))
def test_garbage_websocket_frames_close_that_connection(witnessed, mint_token, case):
    raw = RawWebSocket(witnessed.server.url)
    sid = raw.connect_namespace({"token": mint_token("abuser")})
    raw.send_raw_bytes(WS_GARBAGE[case])
    raw.wait_closed()
    wait_until(lambda: witnessed.api.socket_is_gone(sid, "abuser"), f"abuser {sid} removed")
    witnessed.assert_still_serving()


# --- invalid Engine.IO packets -------------------------------------------------------------------

INVALID_ENGINE_PACKETS = ["9garbage", "x", "2", "0", "7", "bnot-base64!!"]
# An empty WebSocket message is no packet at all; an empty POST body is left out on purpose (it
# carries no packet, so ignoring it is as good as refusing it).
ENGINE_CASES = [("websocket", p) for p in INVALID_ENGINE_PACKETS + [""]] + \
               [("polling", p) for p in INVALID_ENGINE_PACKETS]


def assert_polling_session_closed(polling: RawPolling) -> None:
    try:
        response = polling.get()
    except requests.Timeout:
        raise AssertionError("session still open: the server held the poll") from None
    ended = response.status_code == 400 or "1" in response.text.split(SEPARATOR)
    assert ended, f"session still open: {response.status_code} {response.text[:200]!r}"


@pytest.mark.parametrize("channel, packet", ENGINE_CASES,
                         ids=[f"{c}-{p or 'empty'}" for c, p in ENGINE_CASES])
def test_invalid_engine_io_packet_closes_that_session(witnessed, mint_token, channel, packet):
    """Includes a client ping ("2", wrong direction in v4) and a client open ("0")."""
    if channel == "websocket":
        raw = RawWebSocket(witnessed.server.url)
        sid = raw.connect_namespace({"token": mint_token("abuser")})
        raw.send(packet)
        raw.wait_closed()
    else:
        raw = RawPolling(witnessed.server.url)
        sid = raw.connect_namespace({"token": mint_token("abuser")})
        answer = raw.post(packet)
        assert answer.status_code in (200, 400), answer.status_code
        assert_polling_session_closed(raw)
    wait_until(lambda: witnessed.api.socket_is_gone(sid, "abuser"), f"abuser {sid} removed")
    witnessed.assert_still_serving()


# --- malformed Socket.IO packets -----------------------------------------------------------------

MALFORMED_SOCKET_PACKETS = {
    "unknown-type": "49",
    "event-bad-json": '42["x", {',
    "event-object-payload": '42{"a":1}',
    "event-empty-array": "42[]",
    "event-no-payload": "42",
    "event-reserved-name": '42["disconnect"]',
    "event-unknown-namespace": '42/nowhere,["x"]',
    "attachments-bad-count": '45x-["x",{"_placeholder":true,"num":0}]',
    "text-instead-of-attachment": '451-["x",{"_placeholder":true,"num":0}]' + "\x00" + '42["y"]',
    "too-many-attachments": '4599-["x"]',
    "client-connect-error": '44{"message":"nope"}',
    "second-connect": "40{}",
}


def send_socket_packets(raw, text: str) -> None:
    for packet in text.split("\x00"):
        raw.send(packet)


@pytest.mark.parametrize("case", list(MALFORMED_SOCKET_PACKETS))
def test_malformed_socket_io_packet_closes_that_connection(witnessed, mint_token, case):
    raw = RawWebSocket(witnessed.server.url)
    sid = raw.connect_namespace({"token": mint_token("abuser")})
    send_socket_packets(raw, MALFORMED_SOCKET_PACKETS[case])
    raw.wait_closed()
    wait_until(lambda: witnessed.api.socket_is_gone(sid, "abuser"), f"abuser {sid} removed")
    witnessed.assert_still_serving()


@pytest.mark.parametrize("case", ["event-bad-json", "unknown-type", "event-reserved-name"])
def test_malformed_socket_io_packet_over_polling_closes_that_session(witnessed, mint_token, case):
    raw = RawPolling(witnessed.server.url)
    sid = raw.connect_namespace({"token": mint_token("abuser")})
    answer = raw.post(MALFORMED_SOCKET_PACKETS[case])
    assert answer.status_code in (200, 400), answer.status_code
    assert_polling_session_closed(raw)
    wait_until(lambda: witnessed.api.socket_is_gone(sid, "abuser"), f"abuser {sid} removed")
    witnessed.assert_still_serving()


@pytest.mark.parametrize("channel", ["websocket", "polling"])
def test_well_formed_client_event_is_ignored_and_the_connection_stays(witnessed, mint_token, channel):
    """The control for the tests above: valid client packets do not close anything."""
    packets = ['42["hello","world"]', '42["with-ack",1]', '4212["acked",{"a":[1,2]}]', "43999[]"]
    if channel == "websocket":
        raw = RawWebSocket(witnessed.server.url)
        sid = raw.connect_namespace({"token": mint_token("abuser")})
        for packet in packets:
            raw.send(packet)
    else:
        raw = RawPolling(witnessed.server.url)
        sid = raw.connect_namespace({"token": mint_token("abuser")})
        assert raw.post(SEPARATOR.join(packets)).status_code == 200
    assert witnessed.api.emit_to_user("abuser", "still-open", 1).status == 202
    if channel == "websocket":
        wait_until(lambda: raw.recv() == '42["still-open",1]', "the emit on the raw WebSocket")
    else:
        wait_until(lambda: '42["still-open",1]' in raw.packets(), "the emit on the raw poll")
    assert witnessed.api.rooms_of(sid).status == 200
    witnessed.assert_still_serving()
