"""Engine.IO v4 upgrade from HTTP long-polling to WebSocket: 2probe / 3probe, the pending GET
answered with a noop, 5 to complete, messages buffered on polling flushed onto the WebSocket,
polling refused afterwards (400 code 3), and a second WebSocket for the same sid closed.

On /socket.io/ there is no echo, so "the session works on the WebSocket" is shown with a
Socket.IO CONNECT instead."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance_polling import PollingConnection, assert_error_body
from conformance_settings import ENGINE_PATH, PING_INTERVAL, PING_TIMEOUT, REPLY_TIMEOUT, TEST_TIMEOUT
from conformance_socketio import connect_namespace, receive_skipping_pings
from conformance_websocket import WebSocketConnection, WebSocketRefused, expect_websocket_rejected

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

REQUEST_HEAD_START = 0.1  # see test_conformance_eio_close.py


def probe(endpoint, sid: str) -> WebSocketConnection:
    """Opens the upgrade WebSocket and checks that the first frame answering 2probe is 3probe."""
    ws = WebSocketConnection.open_upgrade(endpoint, sid)
    ws.send("2probe")
    assert ws.receive() == "3probe"
    return ws


def assert_session_works_on(ws: WebSocketConnection, endpoint) -> None:
    """Proves the upgraded session carries messages both ways on the WebSocket."""
    if endpoint.path == ENGINE_PATH:
        ws.send("4hello")
        assert receive_skipping_pings(ws) == "4hello"
    else:
        connect_namespace(ws)


def expect_rejected_while_keeping_alive(endpoint, query: str, ws: WebSocketConnection) -> None:
    """Checks that a WebSocket request is refused or closed while `ws`, the session's own socket,
    keeps answering pings (the refusal may take a moment; the session must not time out meanwhile)."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        rejection = worker.submit(expect_websocket_rejected, endpoint, query)
        deadline = time.monotonic() + REPLY_TIMEOUT
        while not rejection.done() and time.monotonic() < deadline:
            try:
                packet = ws.receive(timeout=0.05)
            except TimeoutError:
                continue
            assert packet == "2", f"unexpected packet {packet!r} on the session's socket"
            ws.send("3")
        rejection.result(timeout=REPLY_TIMEOUT)


def test_upgrade_with_probe_noop_and_upgrade_packet(any_endpoint, cleanup):
    polling = PollingConnection(any_endpoint)
    ws = probe(any_endpoint, polling.sid)
    cleanup.append(ws)
    noop = polling.get()
    assert (noop.status_code, noop.content) == (200, b"6")
    ws.send("5")
    assert_session_works_on(ws, any_endpoint)


def test_upgrade_answers_the_pending_get_with_noop(any_endpoint, cleanup):
    polling = PollingConnection(any_endpoint)
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending_get = worker.submit(polling.get)
        time.sleep(REQUEST_HEAD_START)
        ws = probe(any_endpoint, polling.sid)
        cleanup.append(ws)
        answered = pending_get.result(timeout=REPLY_TIMEOUT)
    assert (answered.status_code, answered.content) == (200, b"6")
    ws.send("5")
    assert_session_works_on(ws, any_endpoint)


def test_upgrade_without_any_get_flushes_buffered_messages_onto_the_websocket(engine_endpoint, cleanup):
    polling = PollingConnection(engine_endpoint)
    polling.send("4buffered-1", b"\x01\x02", "4buffered-2")  # echoed into the polling buffer
    ws = probe(engine_endpoint, polling.sid)
    cleanup.append(ws)
    ws.send("5")
    assert [receive_skipping_pings(ws) for _ in range(3)] == ["4buffered-1", b"\x01\x02", "4buffered-2"]
    assert_session_works_on(ws, engine_endpoint)


def test_polling_after_upgrade_is_refused_with_code_3(any_endpoint, cleanup):
    polling = PollingConnection(any_endpoint)
    ws = probe(any_endpoint, polling.sid)
    cleanup.append(ws)
    ws.send("5")
    assert_session_works_on(ws, any_endpoint)  # the upgrade is complete once this round trip is done
    assert_error_body(polling.get(), 3, "Bad request")
    assert_error_body(polling.post("4late"), 3, "Bad request")
    if any_endpoint.path == ENGINE_PATH:
        assert_session_works_on(ws, any_endpoint)
    else:
        connect_namespace(ws, "/custom")


def test_second_websocket_with_the_same_sid_after_upgrade_is_closed(any_endpoint, cleanup):
    polling = PollingConnection(any_endpoint)
    ws = probe(any_endpoint, polling.sid)
    cleanup.append(ws)
    ws.send("5")
    assert_session_works_on(ws, any_endpoint)
    expect_rejected_while_keeping_alive(any_endpoint, f"EIO=4&transport=websocket&sid={polling.sid}", ws)
    if any_endpoint.path == ENGINE_PATH:
        assert_session_works_on(ws, any_endpoint)
    else:
        connect_namespace(ws, "/custom")


def test_probe_socket_cannot_be_used_before_the_upgrade_completes(engine_endpoint, cleanup):
    polling = PollingConnection(engine_endpoint)
    cleanup.append(polling)
    # Nobody answers the session's pings here: a close after this could be a ping timeout (the
    # 0.1 s margin is for timer jitter).
    ping_timeout_at = time.monotonic() + PING_INTERVAL + PING_TIMEOUT - 0.1
    try:
        ws = probe(engine_endpoint, polling.sid)
    except WebSocketRefused as refused:
        pytest.fail(f"probe refused: {refused}")
    cleanup.append(ws)
    ws.send("4too-early")  # neither 2probe nor 5: Node closes the probing socket
    ws.expect_closed(tolerated=(), answer_pings=False)
    assert time.monotonic() < ping_timeout_at, "the probe socket was closed only when the session could have timed out"
