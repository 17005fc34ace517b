"""Engine.IO v4 heartbeat on the /engine.io/ echo app: the server pings every pingInterval (300 ms)
over both transports, a pong keeps the session alive, a missing pong closes it after pingTimeout
(200 ms), and a ping from the client (the v3 direction) is an error.

These scenarios are about time, so they measure elapsed time; the lower bounds are not stretched
on sanitized builds (timers do not run early there), the upper bounds are."""

import time

import pytest

from conformance_polling import PollingConnection, assert_error_body
from conformance_settings import PING_INTERVAL, PING_TIMEOUT, TEST_TIMEOUT, bounded
from conformance_socketio import keep_alive_for, receive_skipping_pings
from conformance_websocket import WebSocketConnection

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

# A ping may come a little early (timer granularity, or an interval counted from the ping rather
# than the pong), never much earlier.
EARLIEST_PING = PING_INTERVAL - 0.1
LATEST_PING = PING_INTERVAL + bounded(1.0)


def test_polling_server_pings_every_interval_and_accepts_pongs(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    last = time.monotonic()
    for _ in range(3):
        response = connection.get(timeout=LATEST_PING)
        waited = time.monotonic() - last
        assert response.status_code == 200
        assert response.content == b"2"
        assert EARLIEST_PING <= waited <= LATEST_PING, f"ping came after {waited:.3f} s"
        pong = connection.post("3")
        last = time.monotonic()
        assert (pong.status_code, pong.content) == (200, b"ok")


def test_polling_pongs_keep_the_session_alive_for_several_intervals(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    keep_alive_for(connection, 4 * (PING_INTERVAL + PING_TIMEOUT))
    connection.send("4still-here")
    assert receive_skipping_pings(connection) == "4still-here"


def test_polling_session_closes_when_no_pong_arrives(engine_endpoint):
    connection = PollingConnection(engine_endpoint)
    time.sleep(PING_INTERVAL + PING_TIMEOUT + bounded(0.3))
    assert_error_body(connection.get(), 1, "Session ID unknown")


def test_websocket_server_pings_every_interval_and_accepts_pongs(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    last = time.monotonic()
    for _ in range(3):
        packet = connection.receive(timeout=LATEST_PING)
        waited = time.monotonic() - last
        assert packet == "2"
        assert EARLIEST_PING <= waited <= LATEST_PING, f"ping came after {waited:.3f} s"
        connection.send("3")
        last = time.monotonic()


def test_websocket_pongs_keep_the_session_alive_for_several_intervals(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    keep_alive_for(connection, 4 * (PING_INTERVAL + PING_TIMEOUT))
    connection.send("4still-here")
    assert receive_skipping_pings(connection) == "4still-here"


def test_websocket_session_closes_when_no_pong_arrives(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    assert connection.receive(timeout=LATEST_PING) == "2"
    pinged = time.monotonic()
    connection.expect_closed(timeout=PING_TIMEOUT + bounded(1.5), tolerated=())
    waited = time.monotonic() - pinged
    assert waited >= PING_TIMEOUT - 0.05, f"closed {waited:.3f} s after the ping, before pingTimeout"
    assert_error_body(engine_endpoint.request("GET", f"EIO=4&transport=polling&sid={connection.sid}"),
                      1, "Session ID unknown")


def test_polling_ping_from_the_client_closes_the_session(engine_endpoint):
    connection = PollingConnection(engine_endpoint)
    connection.post("2")
    connection.expect_closed()


def test_websocket_ping_from_the_client_closes_the_session(engine_endpoint, cleanup):
    connection = WebSocketConnection.open_session(engine_endpoint)
    cleanup.append(connection)
    connection.send("2")
    connection.expect_closed()
