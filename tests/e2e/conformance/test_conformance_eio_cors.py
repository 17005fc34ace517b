"""CORS on the /engine.io/ polling endpoint (configured with origin "*"): polling responses carry
Access-Control-Allow-Origin (the request's Origin reflected, or "*"), and an OPTIONS preflight
is answered with a 2xx and the same header."""

import pytest

from conformance_polling import PollingConnection
from conformance_settings import TEST_TIMEOUT

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

ORIGIN = "https://example.com"


def assert_origin_allowed(response) -> None:
    allowed = response.headers.get("Access-Control-Allow-Origin")
    assert allowed in (ORIGIN, "*"), f"Access-Control-Allow-Origin is {allowed!r}"
    if allowed == ORIGIN:
        # A reflected origin must tell caches that the answer depends on the Origin.
        assert "origin" in response.headers.get("Vary", "").lower()


def test_polling_handshake_allows_the_requesting_origin(engine_endpoint):
    response = engine_endpoint.request("GET", "EIO=4&transport=polling", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert_origin_allowed(response)


def test_polling_get_and_post_on_a_session_allow_the_requesting_origin(engine_endpoint, cleanup):
    connection = PollingConnection(engine_endpoint)
    cleanup.append(connection)
    posted = engine_endpoint.request("POST", connection.session_query, body=b"4cors",
                                     headers={"Origin": ORIGIN, "Content-Type": "text/plain;charset=UTF-8"})
    assert (posted.status_code, posted.content) == (200, b"ok")
    assert_origin_allowed(posted)
    polled = engine_endpoint.request("GET", connection.session_query, headers={"Origin": ORIGIN})
    assert polled.status_code == 200
    assert_origin_allowed(polled)


def test_options_preflight_is_answered_with_cors_headers(engine_endpoint):
    response = engine_endpoint.request("OPTIONS", "EIO=4&transport=polling", headers={
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert response.status_code in (200, 204), f"preflight answered {response.status_code}"
    assert_origin_allowed(response)
    methods = response.headers.get("Access-Control-Allow-Methods")
    if methods is not None:  # without the header, browsers still allow GET and POST
        listed = {method.strip().upper() for method in methods.split(",")}
        assert {"GET", "POST"} <= listed or "*" in listed, f"Access-Control-Allow-Methods is {methods!r}"
