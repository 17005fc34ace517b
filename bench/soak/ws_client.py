"""A minimal RFC 6455 WebSocket client as an asyncio.Protocol (the soak's transport layer).

Why our own: a soak holds one to two thousand connections in one Python process, and some of
them must stop reading their socket for real (transport.pause_reading(): the kernel's receive
buffer fills, the TCP window closes, the server's queue grows), which a library client that
reads in the background cannot do. Like sg-loadgen (bench/loadgen/src/ws_frame.*) it speaks
the protocol itself: the HTTP/1.1 upgrade with Sec-WebSocket-Key / -Accept checked, masked
client frames, unmasked server frames of any length, fragmented messages, ping -> pong, the
closing handshake. No extensions are offered (no compression).

Callbacks (all on the event loop's thread):
  on_message(payload: bytes, is_text: bool)   one whole message
  on_closed(reason: str)                      once, when the TCP connection is gone
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_OP_CONT, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if n == 0:
        return b""
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame."""
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + key + _mask(payload, key)


class WebSocketClient(asyncio.Protocol):
    def __init__(self, host: str, port: int, path: str, on_message, on_closed):
        self._request_host = f"{host}:{port}"
        self._path = path
        self._on_message = on_message
        self._on_closed = on_closed
        self._key = base64.b64encode(os.urandom(16))
        self._buffer = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] | None = None
        self._fragment_text = False
        self._closed_reported = False
        self.transport: asyncio.Transport | None = None
        self.close_sent = False
        self.close_code_received: int | None = None
        self.bytes_received = 0
        self.upgraded = asyncio.get_running_loop().create_future()

    # ---- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        transport.write(
            b"GET " + self._path.encode() + b" HTTP/1.1\r\nHost: " + self._request_host.encode() +
            b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + self._key +
            b"\r\nSec-WebSocket-Version: 13\r\n\r\n")

    def data_received(self, data):
        self.bytes_received += len(data)
        self._buffer += data
        if not self._upgraded and not self._read_handshake():
            return
        self._read_frames()

    def connection_lost(self, exc):
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError(f"closed before the upgrade: {exc}"))
        self._report_closed("error: " + str(exc) if exc else "eof")

    # ---- sending -------------------------------------------------------------------------
    def send_text(self, text: bytes) -> None:
        if self.transport and not self.transport.is_closing() and not self.close_sent:
            self.transport.write(encode_frame(_OP_TEXT, text))

    def send_close(self, code: int = 1000) -> None:
        if self.transport and not self.transport.is_closing() and not self.close_sent:
            self.close_sent = True
            self.transport.write(encode_frame(_OP_CLOSE, struct.pack("!H", code)))

    def abort(self) -> None:
        if self.transport:
            self.transport.abort()

    # ---- reading -------------------------------------------------------------------------
    def _read_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > 16384:
                self._fail("upgrade response too large")
            return False
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[:end + 4]
        expected = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                   for line in head[1:] if ":" in line}
        if not head[0].startswith("HTTP/1.1 101") or headers.get("sec-websocket-accept") != expected:
            self._fail(f"upgrade refused: {head[0]!r}")
            return False
        self._upgraded = True
        self.upgraded.set_result(True)
        return True

    def _read_frames(self) -> None:
        buffer = self._buffer
        pos = 0
        size = len(buffer)
        while size - pos >= 2:
            b0, b1 = buffer[pos], buffer[pos + 1]
            if b1 & 0x80:
                return self._fail("masked server frame")
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = struct.unpack_from("!H", buffer, pos + 2)[0]
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = struct.unpack_from("!Q", buffer, pos + 2)[0]
                head = 10
            if size - pos < head + length:
                break
            payload = bytes(buffer[pos + head:pos + head + length])
            pos += head + length
            self._on_frame(b0 & 0x80, b0 & 0x0F, payload)
            if self.transport is None or self.transport.is_closing():
                break
        del buffer[:pos]

    def _on_frame(self, fin: int, opcode: int, payload: bytes) -> None:
        if opcode in (_OP_TEXT, _OP_BINARY):
            if fin:
                self._on_message(payload, opcode == _OP_TEXT)
            else:
                self._fragments, self._fragment_text = [payload], opcode == _OP_TEXT
        elif opcode == _OP_CONT and self._fragments is not None:
            self._fragments.append(payload)
            if fin:
                whole, self._fragments = b"".join(self._fragments), None
                self._on_message(whole, self._fragment_text)
        elif opcode == _OP_PING:
            if self.transport and not self.transport.is_closing():
                self.transport.write(encode_frame(_OP_PONG, payload))
        elif opcode == _OP_CLOSE:
            self.close_code_received = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.send_close(1000)  # our answer, unless we closed first; the server then ends TCP
        elif opcode != _OP_PONG:
            self._fail(f"unexpected opcode {opcode}")

    def _fail(self, reason: str) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError(reason))
        self._report_closed(reason)
        if self.transport:
            self.transport.abort()

    def _report_closed(self, reason: str) -> None:
        if not self._closed_reported:
            self._closed_reported = True
            self._on_closed(reason)
