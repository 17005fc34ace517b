"""Raw WebSocket client for the conformance tests, on top of websocket-client: one Engine.IO packet
per frame, text frames as `str` ("4hello"), binary frames as `bytes` (raw, no type prefix).

Threading: a WebSocketConnection belongs to the test thread that opened it.
"""

from __future__ import annotations

import json
import socket
import struct
import time

import websocket

from conformance_polling import Endpoint
from conformance_settings import REPLY_TIMEOUT


class WebSocketClosed(AssertionError):
    """The server closed the WebSocket; `code` is the close code, or None if there was no close frame."""

    def __init__(self, code: int | None):
        super().__init__(f"WebSocket closed by the server (close code {code})")
        self.code = code


class WebSocketRefused(AssertionError):
    """The server refused the WebSocket handshake with an HTTP status instead of 101."""

    def __init__(self, status: int):
        super().__init__(f"WebSocket handshake refused with HTTP {status}")
        self.status = status


def connect_raw(url: str, timeout: float = REPLY_TIMEOUT) -> websocket.WebSocket:
    """Opens a WebSocket, raising WebSocketRefused if the server answers the upgrade with a status."""
    try:
        return websocket.create_connection(url, timeout=timeout, enable_multithread=True)
    except websocket.WebSocketBadStatusException as error:
        raise WebSocketRefused(error.status_code) from error


class WebSocketConnection:
    """An Engine.IO session (or upgrade probe) on one WebSocket."""

    transport = "websocket"

    def __init__(self, ws: websocket.WebSocket):
        self.ws = ws
        self.handshake = None
        self.sid = None
        self.closed = False

    @classmethod
    def open_session(cls, endpoint: Endpoint, query: str = "EIO=4&transport=websocket") -> "WebSocketConnection":
        """A direct WebSocket session: connects and reads the open packet."""
        connection = cls(connect_raw(endpoint.ws_url(query)))
        first = connection.receive()
        assert isinstance(first, str) and first.startswith("0"), f"first frame is not the open packet: {first!r}"
        connection.handshake = json.loads(first[1:])
        connection.sid = connection.handshake["sid"]
        return connection

    @classmethod
    def open_upgrade(cls, endpoint: Endpoint, sid: str) -> "WebSocketConnection":
        """A WebSocket meant to upgrade the polling session `sid`; nothing is read."""
        connection = cls(connect_raw(endpoint.ws_url(f"EIO=4&transport=websocket&sid={sid}")))
        connection.sid = sid
        return connection

    def send(self, *packets) -> None:
        """Sends each packet as one frame: str as a text frame, bytes as a binary frame."""
        for packet in packets:
            if isinstance(packet, (bytes, bytearray)):
                self.ws.send_binary(bytes(packet))
            else:
                self.ws.send(packet)

    def receive(self, timeout: float = REPLY_TIMEOUT):
        """The next text or binary frame. Raises TimeoutError, or WebSocketClosed when closed."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no frame received over WebSocket")
            self.ws.settimeout(remaining)
            try:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
            except websocket.WebSocketTimeoutException as error:
                raise TimeoutError("no frame received over WebSocket") from error
            except (websocket.WebSocketConnectionClosedException, ConnectionError, socket.error) as error:
                self.closed = True
                raise WebSocketClosed(None) from error
            if opcode == websocket.ABNF.OPCODE_TEXT:
                return frame.data.decode("utf-8")
            if opcode == websocket.ABNF.OPCODE_BINARY:
                return bytes(frame.data)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.closed = True
                data = bytes(frame.data)
                raise WebSocketClosed(struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None)
            # WebSocket-level ping/pong frames: websocket-client already answered the pings.

    def expect_closed(self, timeout: float = REPLY_TIMEOUT, tolerated=("2",), answer_pings=True) -> int | None:
        """Waits until the server closes the WebSocket and returns the close code (None without a
        close frame). Only the packets in `tolerated` may arrive first; with `answer_pings`, each
        Engine.IO ping is answered with a pong, so that a ping timeout cannot pass for the close
        under test."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                packet = self.receive(timeout=max(0.001, deadline - time.monotonic()))
            except WebSocketClosed as closed:
                return closed.code
            except TimeoutError as error:
                raise AssertionError("the server did not close the WebSocket in time") from error
            assert packet in tolerated, f"unexpected packet {packet!r} while waiting for the WebSocket to close"
            if answer_pings and packet == "2":
                try:
                    self.send("3")
                except (websocket.WebSocketException, ConnectionError, socket.error):
                    pass

    def close(self) -> None:
        """Client-side close, for test teardown."""
        self.closed = True
        try:
            self.ws.close(timeout=1.0)
        except (websocket.WebSocketException, ConnectionError, socket.error):
            pass


def expect_websocket_rejected(endpoint: Endpoint, query: str) -> None:
    """A WebSocket request that must not open a session: either the upgrade is refused with HTTP
    400, or the socket is closed before any open packet."""
    try:
        connection = WebSocketConnection(connect_raw(endpoint.ws_url(query)))
    except WebSocketRefused as refused:
        assert refused.status == 400, f"WebSocket refused with HTTP {refused.status} instead of 400"
        return
    except (websocket.WebSocketException, ConnectionError, socket.error):
        return  # the server dropped the connection during the handshake: also a refusal
    try:
        connection.expect_closed(tolerated=())
    except (websocket.WebSocketProtocolException, websocket.WebSocketPayloadException):
        pass  # Node completes the upgrade, then writes a raw "HTTP/1.1 400" onto the socket and closes
    finally:
        connection.close()
