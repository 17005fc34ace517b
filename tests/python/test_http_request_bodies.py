"""Request bodies through the ASGI server, against apps/http_behaviour_app.py of each server kind.

A large body reaches the app as several `http.request` messages (more_body on all but the
last) and intact; the app gets the first part while the client is still sending the rest (the
server streams, it does not buffer the whole body); a chunked body is decoded the same way;
`Expect: 100-continue` is answered with 100 Continue before the client sends the body; a
client that goes away mid-body is an `http.disconnect` for the app and the server serves on;
serve's --limit-request-body answers 413 to a longer body, declared or chunked.
"""
from __future__ import annotations

import hashlib
import json
import os

import httpx
import pytest
import requests

from asgi_clients import WAIT
from asgi_server import only_on
from behaviour_probes import BEHAVIOUR_APP, Probes, new_probe
from raw_http import RawConnection, request_bytes


def _upload_result(response) -> dict:
    assert response.status == 200, response
    return json.loads(response.body)


def _chunk(data: bytes, extension: str = "") -> bytes:
    return f"{len(data):x}{extension}\r\n".encode() + data + b"\r\n"


def test_large_body_reaches_the_app_in_several_messages_intact(http_app):
    body = os.urandom(4 * 2**20)
    with httpx.Client(timeout=WAIT) as client:
        response = client.post(f"{http_app.url}/raw/upload", content=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["bytes"] == len(body) and result["sha256"] == hashlib.sha256(body).hexdigest()
    chunks = result["chunks"]
    assert len(chunks) > 1, f"4 MiB arrived in one http.request message: {chunks}"
    assert [more for _, more in chunks] == [True] * (len(chunks) - 1) + [False], chunks


def test_body_reaches_the_app_while_the_client_is_still_sending(http_app):
    probes, name = Probes(http_app.url), new_probe("streamed")
    first, rest = os.urandom(300_000), os.urandom(200_000)
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("POST", f"/raw/upload?probe={name}",
                                      [("Content-Length", str(len(first) + len(rest)))]) + first)
        probes.wait(name, lambda seen: seen.get("bytes") == len(first),
                    "the app received the first part before the rest was sent")
        connection.send(rest)
        result = _upload_result(connection.read_response())
    assert result["bytes"] == len(first) + len(rest)
    assert result["sha256"] == hashlib.sha256(first + rest).hexdigest()
    assert result["chunks"][-1][1] is False


def test_chunked_request_body_is_decoded_and_streamed(http_app):
    probes, name = Probes(http_app.url), new_probe("chunked")
    parts = [b"x", os.urandom(100), os.urandom(70_000), os.urandom(5)]
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("POST", f"/raw/upload?probe={name}",
                                      [("Transfer-Encoding", "chunked")]) + _chunk(parts[0]))
        probes.wait(name, lambda seen: seen.get("bytes") == 1, "the first chunk reached the app")
        connection.send(_chunk(parts[1], ";note=ext") + _chunk(parts[2]) + _chunk(parts[3])
                        + b"0\r\nX-Trailer: end\r\n\r\n")
        result = _upload_result(connection.read_response())
        # The body ended properly, so the connection serves the next request.
        connection.send(request_bytes("GET", "/raw/echo?n=next"))
        assert connection.read_response().body == b"next"
    whole = b"".join(parts)
    assert result["bytes"] == len(whole) and result["sha256"] == hashlib.sha256(whole).hexdigest()


def test_expect_100_continue_is_answered_before_the_body_is_sent(http_app):
    body = os.urandom(50_000)
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("POST", "/raw/upload", [("Content-Length", str(len(body))),
                                                              ("Expect", "100-continue")]))
        version, status, _headers = connection.read_head()
        assert (version, status) == ("HTTP/1.1", 100)
        connection.send(body)
        result = _upload_result(connection.read_response())
    assert result["bytes"] == len(body) and result["sha256"] == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_upload_cut_off_mid_body_is_a_disconnect_and_the_server_serves_on(http_app, framing):
    probes, name = Probes(http_app.url), new_probe("aborted")
    sent = os.urandom(100_000)
    if framing == "content-length":
        head = request_bytes("POST", f"/raw/upload?probe={name}", [("Content-Length", str(2**20))])
        partial = sent
    else:
        head = request_bytes("POST", f"/raw/upload?probe={name}", [("Transfer-Encoding", "chunked")])
        partial = _chunk(sent) + b"ffff\r\n" + b"y" * 1000  # a chunk that never ends
    connection = RawConnection(http_app.port)
    connection.send(head + partial)
    probes.wait(name, lambda seen: seen.get("bytes", 0) >= len(sent), "the app is mid-body")
    connection.close()
    seen = probes.wait(name, lambda seen: seen.get("disconnected"), "the app saw http.disconnect")
    assert len(sent) <= seen["bytes"] < 2**20
    response = requests.post(f"{http_app.url}/raw/upload", data=b"after", timeout=WAIT)
    assert response.status_code == 200 and response.json()["bytes"] == 5


LIMIT = 65536


@pytest.fixture
def limited_server(start_app):
    return start_app(target=BEHAVIOUR_APP, server_args=("--limit-request-body", str(LIMIT)))


@only_on("serve", reason="--limit-request-body is serve's option; uvicorn has no body size limit")
def test_body_within_the_limit_is_served(limited_server):
    body = os.urandom(LIMIT)
    response = requests.post(f"{limited_server.url}/raw/upload", data=body, timeout=WAIT)
    assert response.status_code == 200 and response.json()["bytes"] == LIMIT


@only_on("serve", reason="--limit-request-body is serve's option; uvicorn has no body size limit")
def test_declared_body_over_the_limit_gets_413(limited_server):
    with RawConnection(limited_server.port) as connection:
        connection.send(request_bytes("POST", "/raw/upload", [("Content-Length", str(LIMIT + 1))]))
        _version, status, _headers = connection.read_head()
        assert status == 413
        assert connection.closed_by_server()
    assert requests.get(f"{limited_server.url}/raw/echo?n=on", timeout=WAIT).text == "on"


@only_on("serve", reason="--limit-request-body is serve's option; uvicorn has no body size limit")
def test_chunked_body_growing_over_the_limit_gets_413(limited_server):
    piece = os.urandom(16384)
    with RawConnection(limited_server.port) as connection:
        connection.send(request_bytes("POST", "/raw/upload", [("Transfer-Encoding", "chunked")])
                        + _chunk(piece) * 5 + b"0\r\n\r\n")
        _version, status, _headers = connection.read_head()
        assert status == 413
        assert connection.closed_by_server()
    assert requests.get(f"{limited_server.url}/raw/echo?n=on", timeout=WAIT).text == "on"
