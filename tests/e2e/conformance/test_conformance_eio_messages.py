"""Engine.IO v4 messages through the /engine.io/ echo app: text and binary over both transports,
polling payload batching with \\x1e, invalid packets, and the maxPayload limit (HTTP 413 over
polling, close code 1009 over WebSocket)."""

import pytest
import requests
import websocket

from conformance_polling import PollingConnection, decode_payload
from conformance_settings import MAX_PAYLOAD, TEST_TIMEOUT
from conformance_socketio import receive_skipping_pings
from conformance_websocket import WebSocketConnection

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)


def poll_without_pings(connection: PollingConnection) -> tuple:
    """One GET that carries more than a ping (a lone ping is answered and polled again); returns the
    response and its packets with any ping left out."""
    while True:
        response = connection.get()
        assert response.status_code == 200, response.content[:200]
        packets = [packet for packet in decode_payload(response.content) if packet != "2"]
        if packets:
            return response, packets
        connection.send("3")


@pytest.mark.parametrize("body, expected", [
    ("4hello", ["4hello"]),
    ("4test1\x1e4test2\x1e4test3", ["4test1", "4test2", "4test3"]),
    ("4hello\x1ebAQIDBA==", ["4hello", b"\x01\x02\x03\x04"]),
    ("bAQID", [b"\x01\x02\x03"]),
], ids=["one-text", "three-texts", "text-and-binary", "binary"])
def test_polling_echoes_a_payload_packet_by_packet(engine_endpoint, cleanup, body, expected):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    posted = connection.post(body)
    assert (posted.status_code, posted.content) == (200, b"ok")
    response, packets = poll_without_pings(connection)
    assert packets == expected
    content_type = response.headers.get("Content-Type", "").lower().replace(" ", "")
    assert content_type == "text/plain;charset=utf-8"


def test_polling_echo_of_several_packets_is_one_payload_joined_by_record_separators(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    connection.send("4test1", "4test2", b"\x01\x02\x03\x04")
    response, _ = poll_without_pings(connection)
    body = response.content.decode("utf-8")
    assert body.removeprefix("2\x1e") == "4test1\x1e4test2\x1ebAQIDBA=="


def test_polling_echoes_utf8_text_with_byte_content_length(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    connection.send("4hello €亜Б")
    response, packets = poll_without_pings(connection)
    assert packets == ["4hello €亜Б"]
    if "Content-Length" in response.headers:
        assert int(response.headers["Content-Length"]) == len(response.content)


@pytest.mark.parametrize("packet", ["4hello", "4hello €亜Б", b"\x01\x02\x03\x04", b""],
                         ids=["text", "utf8-text", "binary", "empty-binary"])
def test_websocket_echoes_a_frame_with_its_frame_type(engine_endpoint, cleanup, packet):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    connection.send(packet)
    reply = receive_skipping_pings(connection)
    assert reply == packet and type(reply) is type(packet)


def test_polling_closes_the_session_on_an_invalid_packet(engine_endpoint):
    connection = PollingConnection(engine_endpoint)
    try:
        response = connection.post("abc")
        # Node still answers this POST with 200 "ok"; a 400 is as good.
        assert response.status_code in (200, 400)
    except requests.ConnectionError:
        pass  # the server dropped the POST connection: also acceptable
    connection.expect_closed()


def test_websocket_closes_the_session_on_an_invalid_packet(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    connection.send("abc")
    connection.expect_closed()


def test_polling_accepts_a_post_of_exactly_max_payload_bytes(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    packet = "4" + "a" * (MAX_PAYLOAD - 1)
    connection.send(packet)
    _, packets = poll_without_pings(connection)
    assert packets == [packet]


def test_polling_refuses_a_post_over_max_payload_with_413(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    try:
        response = connection.post("4" + "a" * MAX_PAYLOAD)
    except requests.ConnectionError as error:
        pytest.fail(f"the server dropped the connection instead of answering 413: {error}")
    assert response.status_code == 413


def test_websocket_accepts_a_message_of_exactly_max_payload_bytes(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    packet = "4" + "a" * (MAX_PAYLOAD - 1)
    connection.send(packet)
    assert receive_skipping_pings(connection) == packet


def test_websocket_closes_with_1009_on_a_message_over_max_payload(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    try:
        connection.send("4" + "a" * MAX_PAYLOAD)
    except (websocket.WebSocketException, ConnectionError):
        pass  # the server may close while the frame is still being written
    assert connection.expect_closed() == 1009


def test_polling_post_with_octet_stream_content_type_is_refused_and_closes_the_session(engine_endpoint):
    connection = PollingConnection(engine_endpoint)
    response = connection.post(b"4hello", content_type="application/octet-stream")
    assert response.status_code == 400
    connection.expect_closed()
