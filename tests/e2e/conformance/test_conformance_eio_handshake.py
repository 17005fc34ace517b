"""Engine.IO v4 handshake and request validation, on both endpoints (/engine.io/ and /socket.io/)
and both transports: the open packet's exact keys and values, and the 400 answers with the JSON
error bodies of PROTOCOL.md for a bad EIO, transport, method or sid."""

import json
import re

import pytest

from conformance_polling import PollingConnection, assert_error_body
from conformance_settings import MAX_PAYLOAD, TEST_TIMEOUT
from conformance_websocket import WebSocketConnection, expect_websocket_rejected

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

OPEN_PACKET_KEYS = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}


def assert_open_packet(value: dict, upgrades: list) -> None:
    assert set(value) == OPEN_PACKET_KEYS, f"open packet keys: {sorted(value)}"
    assert isinstance(value["sid"], str)
    # The sid travels unescaped in query strings: it must be URL-safe and long enough to be unguessable.
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", value["sid"]), f"sid {value['sid']!r}"
    assert value["upgrades"] == upgrades
    assert value["pingInterval"] == 300
    assert value["pingTimeout"] == 200
    assert value["maxPayload"] == MAX_PAYLOAD


def test_polling_handshake_sends_open_packet_with_exactly_five_keys(any_endpoint):
    response = any_endpoint.request("GET", "EIO=4&transport=polling")
    assert response.status_code == 200
    content_type = response.headers.get("Content-Type", "").lower().replace(" ", "")
    assert content_type == "text/plain;charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("0") and "\x1e" not in body, f"handshake body {body!r}"
    assert_open_packet(json.loads(body[1:]), ["websocket"])


def test_polling_handshake_ignores_cache_buster_and_unknown_query_parameters(any_endpoint):
    response = any_endpoint.request("GET", "EIO=4&transport=polling&t=N8hyd6w&custom=1")
    assert response.status_code == 200
    assert_open_packet(json.loads(response.content.decode("utf-8")[1:]), ["websocket"])


def test_each_handshake_gets_its_own_sid(any_endpoint):
    sids = {PollingConnection(any_endpoint).sid for _ in range(5)}
    assert len(sids) == 5


def test_websocket_handshake_sends_open_packet_without_upgrades(any_endpoint, cleanup):
    connection = WebSocketConnection.open_session(any_endpoint)
    cleanup.append(connection)
    assert_open_packet(connection.handshake, [])


@pytest.mark.parametrize("query", ["transport=polling", "EIO=abc&transport=polling", "EIO=3&transport=polling"],
                         ids=["missing", "not-a-number", "version-3"])
def test_polling_refuses_invalid_eio_with_code_5(any_endpoint, query):
    assert_error_body(any_endpoint.request("GET", query), 5, "Unsupported protocol version")


@pytest.mark.parametrize("query", ["EIO=4", "EIO=4&transport=abc"], ids=["missing", "unknown"])
def test_polling_refuses_invalid_transport_with_code_0(any_endpoint, query):
    assert_error_body(any_endpoint.request("GET", query), 0, "Transport unknown")


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_polling_handshake_refuses_methods_other_than_get_with_code_2(any_endpoint, method):
    assert_error_body(any_endpoint.request(method, "EIO=4&transport=polling"), 2, "Bad handshake method")


def test_polling_refuses_unknown_sid_with_code_1(any_endpoint):
    assert_error_body(any_endpoint.request("GET", "EIO=4&transport=polling&sid=NoSuchSessionAAAAAAA"),
                      1, "Session ID unknown")
    assert_error_body(any_endpoint.request("POST", "EIO=4&transport=polling&sid=NoSuchSessionAAAAAAA", body=b"4x"),
                      1, "Session ID unknown")


def test_plain_http_get_for_websocket_transport_is_refused_with_code_3(any_endpoint):
    assert_error_body(any_endpoint.request("GET", "EIO=4&transport=websocket"), 3, "Bad request")


def test_polling_request_on_a_websocket_session_is_refused_with_code_3(any_endpoint, cleanup):
    connection = WebSocketConnection.open_session(any_endpoint)
    cleanup.append(connection)
    assert_error_body(any_endpoint.request("GET", f"EIO=4&transport=polling&sid={connection.sid}"), 3, "Bad request")


def test_polling_session_refuses_other_http_methods(any_endpoint, cleanup):
    connection = PollingConnection(any_endpoint)
    cleanup.append(connection)
    response = any_endpoint.request("PUT", connection.session_query, body=b"4x")
    # Node answers 500 with an empty body; any error status is acceptable, a success is not.
    assert response.status_code >= 400, f"PUT on a session answered {response.status_code}"


@pytest.mark.parametrize("query", ["transport=websocket", "EIO=abc&transport=websocket"],
                         ids=["missing", "not-a-number"])
def test_websocket_with_invalid_eio_is_refused(any_endpoint, query):
    expect_websocket_rejected(any_endpoint, query)


@pytest.mark.parametrize("query", ["EIO=4", "EIO=4&transport=abc"], ids=["missing", "unknown"])
def test_websocket_with_invalid_transport_is_refused(any_endpoint, query):
    expect_websocket_rejected(any_endpoint, query)


def test_websocket_with_unknown_sid_is_refused(any_endpoint):
    expect_websocket_rejected(any_endpoint, "EIO=4&transport=websocket&sid=NoSuchSessionAAAAAAA")
