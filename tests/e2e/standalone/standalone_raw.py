"""Hand-driven Engine.IO / Socket.IO connections for tests that must misbehave on purpose.

RawPolling speaks HTTP long-polling with `requests`; RawWebSocket speaks WebSocket with
websocket-client (a direct WebSocket session, or the upgrade of a RawPolling session). Both can
open the "/" namespace with a token and then do whatever the test wants: stop answering pings,
vanish without a close frame, send garbage, never read. `tcp_exchange` sends raw bytes on a fresh
TCP connection and reports what came back and whether the server closed it.

Threading: each object is used from the test thread only.
"""
from __future__ import annotations

import json
import socket
import struct
import time
from typing import Optional

import requests
import websocket

from standalone_clients import scaled

SEPARATOR = "\x1e"


def socket_path(base_url: str, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"EIO": "4", **query}.items())
    return f"{base_url}/socket.io/?{params}"


def parse_open_packet(text: str) -> dict:
    assert text.startswith("0{"), f"expected an Engine.IO open packet, got {text[:200]!r}"
    return json.loads(text[1:])


class RawPolling:
    """An Engine.IO session over HTTP long-polling, driven by hand."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        response = self.http.get(socket_path(base_url, transport="polling"), timeout=scaled(5))
        assert response.status_code == 200, f"handshake: {response.status_code} {response.text}"
        self.handshake = parse_open_packet(response.text.split(SEPARATOR)[0])
        self.sid = self.handshake["sid"]
        self.url = socket_path(base_url, transport="polling", sid=self.sid)

    def post(self, body: str | bytes, **kwargs) -> requests.Response:
        data = body.encode() if isinstance(body, str) else body
        return self.http.post(self.url, data=data, headers={"Content-Type": "text/plain"},
                              timeout=scaled(5), **kwargs)

    def get(self, timeout: float = 5.0) -> requests.Response:
        return self.http.get(self.url, timeout=scaled(timeout))

    def packets(self, timeout: float = 5.0) -> list:
        """The packets of the next GET (fails on a non-200 answer)."""
        response = self.get(timeout)
        assert response.status_code == 200, f"poll: {response.status_code} {response.text[:200]}"
        return response.text.split(SEPARATOR)

    def connect_namespace(self, auth: dict, answer_pings: bool = True) -> str:
        """Sends CONNECT for "/" and returns the Socket.IO sid of the reply."""
        response = self.post("40" + json.dumps(auth))
        assert response.status_code == 200, f"CONNECT post: {response.status_code}"
        deadline = time.monotonic() + scaled(5)
        while time.monotonic() < deadline:
            for packet in self.packets():
                if packet.startswith("40"):
                    return json.loads(packet[2:])["sid"]
                assert not packet.startswith("44"), f"CONNECT refused: {packet}"
                if packet == "2" and answer_pings:
                    self.post("3")
        raise AssertionError("no CONNECT reply over polling")

    def close(self) -> None:
        self.http.close()


class RawWebSocket:
    """A WebSocket to /socket.io/: a fresh session, or the upgrade of `polling` when given."""

    def __init__(self, base_url: str, polling: Optional[RawPolling] = None,
                 sockopt: Optional[list] = None, read_open: bool = True):
        ws_base = base_url.replace("http://", "ws://", 1)
        query = {"transport": "websocket"}
        if polling is not None:
            query["sid"] = polling.sid
        self.ws = websocket.create_connection(socket_path(ws_base, **query), timeout=scaled(5),
                                              sockopt=sockopt or [], enable_multithread=True)
        self.handshake = None
        if polling is not None:
            self.send("2probe")
            assert self.recv() == "3probe", "upgrade probe not answered with 3probe"
            self.send("5")
        elif read_open:
            self.handshake = parse_open_packet(self.recv())

    def send(self, text: str) -> None:
        self.ws.send(text)

    def send_binary(self, data: bytes) -> None:
        self.ws.send_binary(data)

    def recv(self, timeout: float = 5.0):
        """The next text or binary message; raises websocket exceptions on close/timeout."""
        self.ws.settimeout(scaled(timeout))
        return self.ws.recv()

    def connect_namespace(self, auth: dict) -> str:
        """Sends CONNECT for "/" and returns the Socket.IO sid of the reply (answers pings)."""
        self.send("40" + json.dumps(auth))
        deadline = time.monotonic() + scaled(5)
        while time.monotonic() < deadline:
            packet = self.recv()
            if packet.startswith("40"):
                return json.loads(packet[2:])["sid"]
            assert not packet.startswith("44"), f"CONNECT refused: {packet}"
            if packet == "2":
                self.send("3")
        raise AssertionError("no CONNECT reply over WebSocket")

    def wait_closed(self, timeout: float = 5.0) -> Optional[int]:
        """Reads until the server ends the connection; returns the close code (None if there was
        no close frame). Fails if the connection is still open after `timeout`."""
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
            except websocket.WebSocketTimeoutException:
                break
            except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
                return None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                data = frame.data
                return struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
        raise AssertionError(f"the server did not close the WebSocket within {scaled(timeout):.1f} s")

    def send_raw_bytes(self, data: bytes) -> None:
        """Writes bytes straight to the TCP stream, bypassing WebSocket framing."""
        self.ws.sock.sendall(data)

    def vanish(self, reset: bool = False) -> None:
        """Drops the TCP connection without a WebSocket close frame (RST when `reset`)."""
        sock = self.ws.sock
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def close(self) -> None:
        try:
            self.ws.close(timeout=0.5)
        except Exception:  # already closed by the server
            pass


def tcp_exchange(port: int, data: bytes, timeout: float = 5.0) -> tuple:
    """Sends `data` on a new TCP connection and reads until the server closes it.

    Returns (bytes received, closed) where closed is False if the connection was still open
    after scaled(`timeout`) seconds.
    """
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=scaled(timeout)) as sock:
        try:
            sock.sendall(data)
        except OSError:  # the server may close before reading everything
            return received, True
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:  # reset by the server: closed
                return received, True
            if not chunk:
                return received, True
            received += chunk
    return received, False


def ws_frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, masked: bool = True,
             mask: bytes = b"\x11\x22\x33\x44") -> bytes:
    """One WebSocket frame built by hand (RFC 6455 §5.2), to send malformed ones."""
    header = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if masked else 0
    if len(payload) < 126:
        header += bytes([mask_bit | len(payload)])
    elif len(payload) < 65536:
        header += bytes([mask_bit | 126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([mask_bit | 127]) + struct.pack("!Q", len(payload))
    if not masked:
        return header + payload
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
