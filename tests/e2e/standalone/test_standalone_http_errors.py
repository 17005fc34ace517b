"""The HTTP API's error answers (docs/http-api.md, "Errors" and "Authentication").

400 for bodies that are not an emit (checked on all three emit routes), 404 for unknown routes,
405 for a known path with another method, 413 over --max-payload, 401 without the right
--api-key, 403 for a non-loopback caller when no key is configured. Every error body is JSON
`{"error": "<reason>"}`; the API stays usable after each of them.
"""
from __future__ import annotations

import json
import socket

import pytest

from standalone_api import GatewayApi

EMIT_ROUTES = ["/api/v1/users/alice/events", "/api/v1/rooms/lobby/events", "/api/v1/events"]
RESERVED_EVENTS = ["connect", "connect_error", "disconnect", "disconnecting", "newListener",
                   "removeListener"]
API_KEY = "e2e-api-key-5f1d2c"


def assert_json_error(response, status: int) -> str:
    assert response.status == status, f"expected {status}, got {response.status}: {response.text[:300]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    return response.error_reason()


def assert_api_still_works(api: GatewayApi) -> None:
    response = api.emit_to_user("alice", "after-error", 1)
    assert response.status == 202, response.text


# --- 400 -----------------------------------------------------------------------------------------

BAD_BODIES = {
    "not-json": b'{"event": "x", ',
    "empty": b"",
    "array": b'["event", "x"]',
    "string": b'"x"',
    "number": b"42",
    "null": b"null",
    "missing-event": json.dumps({"data": 1}).encode(),
    "event-number": json.dumps({"event": 42}).encode(),
    "event-null": json.dumps({"event": None}).encode(),
    "event-array": json.dumps({"event": ["x"]}).encode(),
    "event-object": json.dumps({"event": {"name": "x"}}).encode(),
    "namespace-number": json.dumps({"event": "x", "namespace": 7}).encode(),
    "namespace-object": json.dumps({"event": "x", "namespace": {"n": "/"}}).encode(),
    **{f"reserved-{name}": json.dumps({"event": name, "data": 1}).encode() for name in RESERVED_EVENTS},
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_emit_body_is_400_on_every_emit_route(gateway, api, case):
    for route in EMIT_ROUTES:
        assert_json_error(api.request("POST", route, raw=BAD_BODIES[case]), 400)
    assert_api_still_works(api)


# --- 404 and 405 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/nothing-here"),
    ("POST", "/api/v1/users/alice"),
    ("POST", "/api/v1/users/alice/events/extra"),
    ("POST", "/api/v2/events"),
    ("GET", "/api/v1/sockets"),
    ("GET", "/no-such-page"),
])
def test_unknown_route_is_404(gateway, api, method, path):
    assert_json_error(api.request(method, path), 404)
    assert_api_still_works(api)


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/events"),
    ("PUT", "/api/v1/users/alice/events"),
    ("DELETE", "/api/v1/rooms/lobby/events"),
    ("POST", "/api/v1/sockets/some-sid/rooms/lobby"),
    ("POST", "/api/v1/sockets/some-sid/rooms"),
    ("POST", "/api/v1/users/alice/sockets"),
    ("PATCH", "/api/v1/sockets/some-sid"),
])
def test_known_path_with_another_method_is_405(gateway, api, method, path):
    assert_json_error(api.request(method, path), 405)
    assert_api_still_works(api)


# --- 413 -----------------------------------------------------------------------------------------

def test_body_over_max_payload_is_413(start_gateway):
    server = start_gateway("--max-payload", "10000")
    api = GatewayApi(server.url)
    for route in EMIT_ROUTES:
        assert_json_error(api.request("POST", route, body={"event": "big", "data": "x" * 20_000}), 413)
        fits = api.request("POST", route, body={"event": "small", "data": "x" * 9_000})
        assert fits.status == 202, f"a 9 KB body under a 10 KB limit: {fits.status} {fits.text}"


# --- 401: API key --------------------------------------------------------------------------------

@pytest.fixture
def keyed_gateway(start_gateway):
    return start_gateway("--api-key", API_KEY)


KEYED_REQUESTS = [
    ("POST", "/api/v1/users/alice/events", {"event": "x", "data": 1}, 202),
    ("POST", "/api/v1/events", {"event": "x"}, 202),
    ("GET", "/api/v1/users/alice/sockets", None, 200),
    ("GET", "/metrics", None, 200),
]


@pytest.mark.parametrize("method, path, body, ok_status", KEYED_REQUESTS,
                         ids=[f"{m} {p}" for m, p, _, _ in KEYED_REQUESTS])
def test_api_key_is_required_when_configured(keyed_gateway, method, path, body, ok_status):
    def call(headers):
        api = GatewayApi(keyed_gateway.url)
        kwargs = {"body": body} if body is not None else {}
        return api.request(method, path, headers=headers, **kwargs)

    missing = call({})
    assert assert_json_error(missing, 401) == "unauthorized"
    for wrong in (f"Bearer {API_KEY}x", "Bearer ", f"Basic {API_KEY}", API_KEY, f"Bearer {API_KEY[:-1]}"):
        assert assert_json_error(call({"Authorization": wrong}), 401) == "unauthorized", wrong
    right = call({"Authorization": f"Bearer {API_KEY}"})
    assert right.status == ok_status, right.text


def test_healthz_needs_no_api_key(keyed_gateway):
    response = GatewayApi(keyed_gateway.url).request("GET", "/healthz")
    assert (response.status, response.body) == (200, {"status": "ok"}), response.text


# --- 403: no key, not loopback -------------------------------------------------------------------

def non_loopback_address() -> str:
    """This machine's address on its default route (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("198.51.100.1", 9))
        address = probe.getsockname()[0]
    assert not address.startswith("127."), "this test needs a non-loopback IPv4 interface"
    return address


def test_non_loopback_caller_without_configured_key_is_403(start_server, jwt_secret):
    server = start_server("socket-gateway", "--host", "0.0.0.0", "--jwt-secret", jwt_secret)
    remote = GatewayApi(f"http://{non_loopback_address()}:{server.port}")
    assert_json_error(remote.emit_to_user("alice", "x", 1), 403)
    assert_json_error(remote.sockets_of("alice"), 403)
    assert_json_error(remote.request("GET", "/metrics"), 403)
    health = remote.request("GET", "/healthz")
    assert (health.status, health.body) == (200, {"status": "ok"}), health.text
    assert_api_still_works(GatewayApi(server.url))
