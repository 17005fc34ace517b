"""Raw HTTP long-polling client for the conformance tests: builds exact request lines, encodes and
decodes Engine.IO v4 polling payloads, and wraps one polling session.

A packet is represented as `str` for a text packet including its type digit ("4hello", "2") and as
`bytes` for a binary message (sent and received over polling as "b<base64>").

Threading: an Endpoint is immutable and may be shared; a PollingConnection belongs to the test
thread that made it (tests that need a concurrent request run the raw `get`/`post` of the same
connection from a worker thread, which only touches the immutable parts).
"""

from __future__ import annotations

import base64
import collections
import json
import socket
import time
from dataclasses import dataclass

import requests

from conformance_settings import REPLY_TIMEOUT

RECORD_SEPARATOR = "\x1e"
TEXT_CONTENT_TYPE = "text/plain;charset=UTF-8"


def encode_payload(packets) -> bytes:
    """Joins packets into one polling body: text as is, binary as b<base64>, separated by \\x1e."""
    records = []
    for packet in packets:
        if isinstance(packet, (bytes, bytearray)):
            records.append("b" + base64.b64encode(bytes(packet)).decode("ascii"))
        else:
            records.append(packet)
    return RECORD_SEPARATOR.join(records).encode("utf-8")


def decode_payload(body: bytes) -> list:
    """Splits a polling body into packets; b<base64> records become bytes."""
    packets = []
    for record in body.decode("utf-8").split(RECORD_SEPARATOR):
        packets.append(base64.b64decode(record[1:], validate=True) if record.startswith("b") else record)
    return packets


class SessionGone(AssertionError):
    """A request on a session was refused (the session is closed or was never valid)."""

    def __init__(self, response: requests.Response):
        super().__init__(f"HTTP {response.status_code}: {response.content[:200]!r}")
        self.response = response


def assert_error_body(response: requests.Response, code: int, message: str, status: int = 400):
    """Checks an Engine.IO HTTP error: the status and the exact JSON body {"code":…,"message":…}."""
    assert response.status_code == status, f"expected HTTP {status}, got {response.status_code}: {response.content[:200]!r}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"error Content-Type is {content_type!r}"
    assert response.json() == {"code": code, "message": message}


@dataclass(frozen=True)
class Endpoint:
    """One Engine.IO endpoint of the server under test, e.g. http://127.0.0.1:PORT + /engine.io/."""

    base_url: str  # http://127.0.0.1:PORT
    path: str  # /engine.io/ or /socket.io/

    @property
    def host_port(self) -> tuple:
        host, port = self.base_url.removeprefix("http://").split(":")
        return host, int(port)

    def url(self, query: str) -> str:
        return f"{self.base_url}{self.path}?{query}"

    def ws_url(self, query: str) -> str:
        return "ws://" + self.base_url.removeprefix("http://") + f"{self.path}?{query}"

    def request(self, method: str, query: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = REPLY_TIMEOUT) -> requests.Response:
        """One HTTP request with the query string exactly as given; a fresh TCP connection each time."""
        return requests.request(method, self.url(query), data=body, headers=headers or {}, timeout=timeout)

    def raw_request_head(self, method: str, query: str, headers: dict) -> bytes:
        lines = [f"{method} {self.path}?{query} HTTP/1.1", f"Host: {self.base_url.removeprefix('http://')}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")

    def open_raw_socket(self) -> socket.socket:
        return socket.create_connection(self.host_port, timeout=REPLY_TIMEOUT)


class PollingConnection:
    """An Engine.IO session on HTTP long-polling, opened by the constructor's handshake GET."""

    transport = "polling"

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.handshake_response = endpoint.request("GET", "EIO=4&transport=polling")
        assert self.handshake_response.status_code == 200, self.handshake_response.content[:200]
        body = self.handshake_response.content.decode("utf-8")
        assert body.startswith("0"), f"handshake body does not start with the open packet: {body[:200]!r}"
        self.handshake = json.loads(body[1:])
        self.sid = self.handshake["sid"]
        self._received = collections.deque()
        self.closed = False

    @property
    def session_query(self) -> str:
        return f"EIO=4&transport=polling&sid={self.sid}"

    def get(self, timeout: float = REPLY_TIMEOUT) -> requests.Response:
        """A raw poll; the response is returned whatever its status."""
        return self.endpoint.request("GET", self.session_query, timeout=timeout)

    def post(self, body: bytes | str, content_type: str = TEXT_CONTENT_TYPE,
             timeout: float = REPLY_TIMEOUT) -> requests.Response:
        """A raw POST of `body` (str is UTF-8 encoded); the response is returned whatever its status."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.endpoint.request("POST", self.session_query, body=data,
                                     headers={"Content-Type": content_type}, timeout=timeout)

    def send(self, *packets) -> None:
        """Sends the packets in one POST and checks the 200 "ok" answer."""
        response = self.post(encode_payload(packets))
        if response.status_code != 200:
            raise SessionGone(response)
        assert response.content == b"ok", f"POST answered {response.content[:200]!r} instead of 'ok'"

    def poll(self, timeout: float = REPLY_TIMEOUT) -> list:
        """One GET; returns its packets, or raises SessionGone on a non-200 answer."""
        response = self.get(timeout=timeout)
        if response.status_code != 200:
            raise SessionGone(response)
        return decode_payload(response.content)

    def receive(self, timeout: float = REPLY_TIMEOUT):
        """The next packet, polling as needed. Raises TimeoutError, or SessionGone when refused."""
        deadline = time.monotonic() + timeout
        while not self._received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no packet received over polling")
            try:
                self._received.extend(self.poll(timeout=remaining))
            except requests.Timeout as error:
                raise TimeoutError("poll not answered in time") from error
        return self._received.popleft()

    def expect_closed(self, timeout: float = REPLY_TIMEOUT, tolerated=("2", "6"), answer_pings=True) -> None:
        """Waits until the server ends the session: a close packet "1" in a poll, or a request
        refused with 400 code 1. Only the packets in `tolerated` may arrive first (Node answers the
        poll after a server-side close with "6\x1e1"); with `answer_pings`, each ping is answered
        with a pong, so that a ping timeout cannot pass for the close under test. After a "1", the
        next request must be refused with 400 code 1."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    packet = self.receive(timeout=max(0.0, deadline - time.monotonic()))
                except TimeoutError as error:
                    raise AssertionError("the server did not close the polling session in time") from error
                if packet == "1":
                    assert_error_body(self.get(), 1, "Session ID unknown")
                    break
                assert packet in tolerated, f"unexpected packet {packet!r} while waiting for the session to close"
                if answer_pings and packet == "2":
                    self.send("3")
        except SessionGone as gone:
            assert_error_body(gone.response, 1, "Session ID unknown")
        self.closed = True

    def close(self) -> None:
        """Best-effort client close, for test teardown."""
        if self.closed:
            return
        self.closed = True
        try:
            self.post("1", timeout=1.0)
        except requests.RequestException:
            pass
