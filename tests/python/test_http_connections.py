"""The ASGI server's HTTP/1.1 connections, against apps/http_behaviour_app.py of each server kind.

Keep-alive serves several requests on one connection (the app sees the same client port, and a
raw socket gets every answer); `Connection: close` and HTTP/1.0 end the connection after the
answer; pipelined requests (a slow one first, a POST with a body in between) are answered in
the order they were sent; a malformed request head gets 400 and its connection closed while
the server keeps serving others; an oversized request head is refused (serve: 431).
"""
from __future__ import annotations

import json

import httpx
import pytest
import requests

from asgi_clients import WAIT
from asgi_server import only_on
from behaviour_probes import BEHAVIOUR_APP
from raw_http import RawConnection, request_bytes


def _scope_of(response) -> dict:
    assert response.status == 200, response
    return json.loads(response.body)


def test_keep_alive_serves_several_requests_on_one_connection(http_app):
    with httpx.Client(base_url=http_app.url, timeout=WAIT) as client:
        ports = [client.get(f"/raw/scope?n={n}").json()["client"][1] for n in range(5)]
    assert len(set(ports)) == 1, f"httpx had to reconnect: client ports {ports}"

    with RawConnection(http_app.port) as connection:
        for number in range(3):
            connection.send(request_bytes("GET", f"/raw/scope?n={number}"))
            scope = _scope_of(connection.read_response())
            assert scope["client"] == ["127.0.0.1", connection.local_port]
            assert scope["query_string"] == f"n={number}"
        assert not connection.eof


@pytest.mark.parametrize("version,headers", [
    ("HTTP/1.1", [("Connection", "close")]),
    ("HTTP/1.0", []),
], ids=["http11-connection-close", "http10"])
def test_connection_ends_after_the_answer_when_the_client_asks(http_app, version, headers):
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("GET", "/raw/scope", headers, version=version))
        response = connection.read_response()
        assert response.status == 200 and response.complete, response
        assert _scope_of(response)["http_version"] == version.split("/")[1]
        assert connection.closed_by_server(), "the server kept the connection open"


def test_pipelined_requests_are_answered_in_order(http_app):
    upload = b"pipelined body"
    requests_in_one_write = b"".join([
        request_bytes("GET", "/raw/echo?n=1&delay=0.3"),  # the app answers this one last
        request_bytes("POST", "/raw/upload", [("Content-Length", str(len(upload)))], upload),
        request_bytes("GET", "/raw/echo?n=3&delay=0.1"),
        request_bytes("GET", "/raw/echo?n=4"),
    ])
    with RawConnection(http_app.port) as connection:
        connection.send(requests_in_one_write)
        responses = [connection.read_response() for _ in range(4)]
    assert [r.status for r in responses] == [200] * 4, responses
    assert responses[0].body == b"1"
    assert json.loads(responses[1].body)["bytes"] == len(upload)
    assert [responses[2].body, responses[3].body] == [b"3", b"4"]


MALFORMED_HEADS = {
    "not-a-request-line": b"GARBAGE\r\n\r\n",
    "header-without-colon": b"GET /raw/echo?n=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nnot a header line\r\n\r\n",
    "tls-client-hello": bytes.fromhex("160301005a0100005603035b") + b"\x00" * 40 + b"\r\n\r\n",
    "bad-content-length": b"POST /raw/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ten\r\n\r\n",
}


@pytest.mark.parametrize("case", MALFORMED_HEADS)
def test_malformed_request_head_gets_400_and_the_server_keeps_serving(http_app, case):
    with RawConnection(http_app.port) as connection:
        connection.send(MALFORMED_HEADS[case])
        _version, status, _headers = connection.read_head()
        assert status == 400, f"{case}: answered {status}"
        assert connection.closed_by_server(), f"{case}: the connection stayed open after the 400"
    assert requests.get(f"{http_app.url}/raw/echo?n=after-{case}", timeout=WAIT).text == f"after-{case}"


@pytest.mark.parametrize("kind_of_head", ["one-huge-header", "many-headers"])
@only_on("serve", reason="uvicorn's httptools parser has no request head limit (it accepts a "
                         "100 KiB head); serve's is --limit-request-headers (16 KiB by default)")
def test_request_head_over_the_default_limit_gets_431(http_app, kind_of_head):
    headers = ([("X-Huge", "h" * 100_000)] if kind_of_head == "one-huge-header"
               else [(f"X-Many-{n}", "m" * 40) for n in range(2000)])
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("GET", "/raw/scope", headers))
        _version, status, _headers = connection.read_head()
        assert status == 431
        assert connection.closed_by_server()
    assert requests.get(f"{http_app.url}/raw/echo?n=still", timeout=WAIT).text == "still"


@only_on("serve", reason="--limit-request-headers is serve's option (uvicorn has no such limit)")
def test_limit_request_headers_sets_the_431_threshold(start_app):
    server = start_app(target=BEHAVIOUR_APP, server_args=("--limit-request-headers", "4096"))
    with RawConnection(server.port) as connection:
        connection.send(request_bytes("GET", "/raw/scope", [("X-Fits", "f" * 3000)]))
        assert _scope_of(connection.read_response())["headers"][1] == ["x-fits", "f" * 3000]
    with RawConnection(server.port) as connection:
        connection.send(request_bytes("GET", "/raw/scope", [("X-Too-Big", "b" * 8000)]))
        _version, status, _headers = connection.read_head()
        assert status == 431
        assert connection.closed_by_server()
    assert requests.get(f"{server.url}/raw/echo?n=ok", timeout=WAIT).text == "ok"
