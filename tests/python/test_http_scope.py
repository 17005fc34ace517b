"""The ASGI `http` scope the server builds, against apps/http_behaviour_app.py of each kind.

A raw ASGI route reports its scope. It carries the request as the client sent it: type, ASGI
version, HTTP version (1.1 and 1.0), method, scheme, the percent-decoded path and the raw
path, the raw query string, the headers in order with duplicates kept (names lower-cased),
the client's address and port (the very socket the test used) and the server's; --root-path
sets root_path, and the path carries it in front as Starlette expects (request.url shows it).
"""
from __future__ import annotations

import json
import time

import requests

from asgi_clients import WAIT
from behaviour_probes import BEHAVIOUR_APP
from raw_http import RawConnection, request_bytes


def _scope(connection: RawConnection, *args, **kwargs) -> dict:
    connection.send(request_bytes(*args, **kwargs))
    response = connection.read_response()
    assert response.status == 200, response
    return json.loads(response.body)


def test_scope_carries_the_request_as_sent(http_app):
    with RawConnection(http_app.port) as connection:
        scope = _scope(connection, "POST", "/raw/scope/caf%C3%A9%20x/a%2Fb?a=1&b=%20&a=2&empty=",
                       [("X-Dup", "one"), ("X-Order", "Middle Value"), ("x-dup", "two"),
                        ("Content-Length", "4")], b"body")
        client_port = connection.local_port
    assert scope["type"] == "http" and scope["asgi"]["version"] == "3.0"
    assert (scope["http_version"], scope["method"], scope["scheme"]) == ("1.1", "POST", "http")
    assert scope["path"] == "/raw/scope/café x/a/b"
    assert scope["raw_path"] == "/raw/scope/caf%C3%A9%20x/a%2Fb"
    assert scope["query_string"] == "a=1&b=%20&a=2&empty="
    assert scope["root_path"] == ""
    assert scope["headers"] == [["host", "127.0.0.1"], ["x-dup", "one"], ["x-order", "Middle Value"],
                                ["x-dup", "two"], ["content-length", "4"]]
    assert scope["client"] == ["127.0.0.1", client_port]
    assert scope["server"] == ["127.0.0.1", http_app.port]
    assert scope["body_bytes"] == 4


def test_scope_of_an_http10_request_says_10(http_app):
    with RawConnection(http_app.port) as connection:
        scope = _scope(connection, "GET", "/raw/scope?v=10", version="HTTP/1.0")
    assert scope["http_version"] == "1.0" and scope["query_string"] == "v=10"


def test_root_path_option_is_the_scopes_root_path(start_app):
    server = start_app(target=BEHAVIOUR_APP, server_args=("--root-path", "/prefix"))
    scope = requests.get(f"{server.url}/raw/scope?x=1", timeout=WAIT).json()
    assert scope["root_path"] == "/prefix"
    assert scope["path"] == "/prefix/raw/scope" and scope["raw_path"] == "/prefix/raw/scope"
    seen = requests.get(f"{server.url}/url?q=1", timeout=WAIT).json()
    assert seen == {"url": f"{server.url}/prefix/url?q=1", "root_path": "/prefix"}
    docs = requests.get(f"{server.url}/docs", timeout=WAIT)
    assert docs.status_code == 200 and "/prefix/openapi.json" in docs.text


def test_a_head_sent_in_pieces_keeps_every_header(http_app):
    """The start line, then the headers a moment later, then the end of the head: the server
    reads the head in several pieces, and the scope still has every header in order."""
    raw = request_bytes("GET", "/raw/scope/pieces", [("X-First", "1"), ("X-Second", "2")])
    start_line_end = raw.index(b"\r\n") + 2
    pieces = [raw[:start_line_end], raw[start_line_end:start_line_end + 12], raw[start_line_end + 12:]]
    with RawConnection(http_app.port) as connection:
        for piece in pieces:
            connection.send(piece)
            time.sleep(0.05)  # each piece in its own read
        response = connection.read_response()
    assert response.status == 200, response
    assert json.loads(response.body)["headers"] == [["host", "127.0.0.1"], ["x-first", "1"], ["x-second", "2"]]
