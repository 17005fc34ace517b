"""Engine.IO v4 session endings on both endpoints: the client's close packet over each transport,
and the polling rules that close a session: a second concurrent GET (the first is answered with
a close packet), a second concurrent POST, and a pending GET that the client abandons."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance_polling import PollingConnection, assert_error_body
from conformance_settings import PING_INTERVAL, PING_TIMEOUT, REPLY_TIMEOUT, SOCKET_PATH, TEST_TIMEOUT
from conformance_socketio import connect_namespace
from conformance_websocket import WebSocketConnection

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

# Time for a request sent from a worker thread to reach the server before the next one is sent.
# Kept well under the 300 ms ping interval (a ping would answer the pending GET) and not scaled:
# the server only has to read one request line in that time.
REQUEST_HEAD_START = 0.1


@pytest.fixture
def worker():
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def test_polling_client_close_answers_the_pending_get_with_noop(any_endpoint, worker):
    connection = PollingConnection(any_endpoint)
    pending_get = worker.submit(connection.get)
    time.sleep(REQUEST_HEAD_START)
    closing = connection.post("1")
    assert closing.status_code == 200
    answered = pending_get.result(timeout=REPLY_TIMEOUT)
    assert (answered.status_code, answered.content) == (200, b"6")
    assert_error_body(connection.get(), 1, "Session ID unknown")


def test_polling_client_close_without_pending_get_ends_the_session(any_endpoint):
    connection = PollingConnection(any_endpoint)
    assert connection.post("1").status_code == 200
    assert_error_body(connection.get(), 1, "Session ID unknown")


def test_websocket_client_close_ends_the_session(any_endpoint):
    connection = WebSocketConnection.open_session(any_endpoint)
    if any_endpoint.path == SOCKET_PATH:
        connect_namespace(connection)  # or the connect timeout would close the session anyway
    connection.send("1")
    # Pings are answered while waiting, so only the close packet can explain the close.
    connection.expect_closed(answer_pings=True)
    assert_error_body(any_endpoint.request("GET", f"EIO=4&transport=polling&sid={connection.sid}"),
                      1, "Session ID unknown")


def test_polling_second_concurrent_get_is_refused_and_closes_the_session(any_endpoint, worker):
    connection = PollingConnection(any_endpoint)
    first_get = worker.submit(connection.get)
    time.sleep(REQUEST_HEAD_START)
    second = any_endpoint.request("GET", connection.session_query + "&t=burst")
    # Node answers 500 here; PROTOCOL.md and the v4 suite expect 400.
    assert second.status_code == 400
    first = first_get.result(timeout=REPLY_TIMEOUT)
    assert (first.status_code, first.content) == (200, b"1")
    assert_error_body(connection.get(), 1, "Session ID unknown")


def test_polling_second_concurrent_post_is_refused_and_closes_the_session(any_endpoint):
    connection = PollingConnection(any_endpoint)
    # A POST whose body is still arriving keeps the session's POST slot busy.
    slow_post = any_endpoint.open_raw_socket()
    try:
        slow_post.sendall(any_endpoint.raw_request_head(
            "POST", connection.session_query,
            {"Content-Type": "text/plain;charset=UTF-8", "Content-Length": "100"}) + b"4partial")
        time.sleep(REQUEST_HEAD_START)
        second = connection.post("4second")
        assert second.status_code == 400
    finally:
        slow_post.close()
    connection.expect_closed()


def test_polling_abandoned_get_closes_the_session(any_endpoint):
    connection = PollingConnection(any_endpoint)
    # Until here a ping timeout cannot have closed the session (first ping + pingTimeout, less a
    # margin for timer jitter).
    ping_timeout_at = time.monotonic() + PING_INTERVAL + PING_TIMEOUT - 0.1
    harmless = "4anyone-there"  # echoed by /engine.io/
    if any_endpoint.path == SOCKET_PATH:
        connect_namespace(connection)
        harmless = '42["message","anyone there"]'
    abandoned = any_endpoint.open_raw_socket()
    abandoned.sendall(any_endpoint.raw_request_head("GET", connection.session_query, {}))
    time.sleep(REQUEST_HEAD_START)
    abandoned.close()
    # A POST cannot be taken for a second poll: only the abandoned GET can explain its refusal.
    while True:
        sent = time.monotonic()
        response = connection.post(harmless)
        if response.status_code != 200:
            break
        assert sent < ping_timeout_at, "the session outlived its abandoned poll"
        time.sleep(0.02)
    assert sent < ping_timeout_at, "refused only when a ping timeout could explain it"
    assert_error_body(response, 1, "Session ID unknown")


def test_polling_session_is_usable_until_closed(any_endpoint, cleanup):
    """Control for the tests above: the same steps without the fault keep the session open."""
    connection = PollingConnection(any_endpoint)
    cleanup.append(connection)
    ping = connection.get()
    assert (ping.status_code, ping.content) == (200, b"2")
    connection.send("3")
    ping = connection.get()
    assert (ping.status_code, ping.content) == (200, b"2")


def test_websocket_session_is_usable_until_closed(any_endpoint, cleanup):
    connection = WebSocketConnection.open_session(any_endpoint)
    cleanup.append(connection)
    assert connection.receive() == "2"
    connection.send("3")
    assert connection.receive() == "2"
