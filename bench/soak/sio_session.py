"""One Socket.IO v5 client over Engine.IO v4 on WebSocket, as the official clients speak it.

`GET /socket.io/?EIO=4&transport=websocket` (ws_client.py), the Engine.IO open packet `0{...}`,
our CONNECT `40{"token":"<JWT>"}`, the server's `40{"sid":...}` (or `44{...}`: refused). A
reader answers every Engine.IO ping `2` with a pong `3` and records every soak event it gets:
the emits carry `{"id": n, "t": <monotonic ns at the POST>, "pad": ...}` as their one argument,
so each session keeps the set of ids it received (a second copy of an id is a duplicate) and
the latency of each. A non-reader calls stop_reading() once it is set up: asyncio stops reading
its socket (the kernel's receive buffer fills, the window closes), as a client that stopped
draining its socket would; resume_and_drain() reads again and throws everything away.

Closing: close() sends the Socket.IO DISCONNECT `41` and a WebSocket close and keeps reading
until the server ends TCP (what was sent before our close is still counted); abort() resets.
"""
from __future__ import annotations

import asyncio
import json
import re
import socket
import time

from ws_client import WebSocketClient

_SOAK_EVENT = re.compile(rb'^42\["soak",\{"id":(\d+),"t":(\d+)')


class SioSession:
    def __init__(self, key: int, user: str, reader: bool, node: int, latency_sink=None):
        self.key = key                    # the harness's session number (unique per connection)
        self.user = user
        self.reader = reader
        self.node = node                  # index of the node it connected to
        self.sid: str | None = None
        self.received: set[int] = set()
        self.duplicates = 0
        self.other_packets = 0
        self.server_disconnect = False    # a Socket.IO DISCONNECT from the server
        self.closed = asyncio.get_running_loop().create_future()
        self.closed_at: float | None = None
        self._connected = asyncio.get_running_loop().create_future()
        self._token = b""
        self._ws: WebSocketClient | None = None
        self._latency_sink = latency_sink
        self._reading = True

    async def connect(self, host: str, port: int, token: str, timeout: float, mss: int | None = None) -> str:
        """Opens the connection and waits for the CONNECT reply; raises on refusal or timeout.
        `mss`: the TCP maximum segment size this client announces (TCP_MAXSEG before connect)."""
        self._token = json.dumps({"token": token}, separators=(",", ":")).encode()
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if mss:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
        try:
            async with asyncio.timeout(timeout):
                self._ws = WebSocketClient(host, port, "/socket.io/?EIO=4&transport=websocket", self._on_message,
                                           self._on_closed)
                await loop.sock_connect(sock, (host, port))
                await loop.create_connection(lambda: self._ws, sock=sock)
                await self._ws.upgraded
                self.sid = await self._connected
        except BaseException:
            self.abort()
            if self._ws is None or self._ws.transport is None:
                sock.close()
            raise
        return self.sid

    # ---- the reading side ----------------------------------------------------------------
    def _on_message(self, payload: bytes, is_text: bool) -> None:
        if not is_text:
            self.other_packets += 1
            return
        kind = payload[:1]
        if kind == b"4":
            match = _SOAK_EVENT.match(payload)
            if match:
                emit_id = int(match.group(1))
                if emit_id in self.received:
                    self.duplicates += 1
                else:
                    self.received.add(emit_id)
                if self._latency_sink is not None:
                    self._latency_sink((time.monotonic_ns() - int(match.group(2))) / 1e9)
                return
            packet = payload[1:2]
            if packet == b"0" and not self._connected.done():
                self._connected.set_result(json.loads(payload[2:])["sid"])
            elif packet == b"4" and not self._connected.done():
                self._connected.set_exception(ConnectionRefusedError(payload[2:].decode(errors="replace")))
            elif packet == b"1":
                self.server_disconnect = True
            else:
                self.other_packets += 1
        elif kind == b"2":
            if self._reading and self._ws:
                self._ws.send_text(b"3")
        elif kind == b"0":
            self._ws.send_text(b"40" + self._token)
        else:
            self.other_packets += 1

    def _on_closed(self, reason: str) -> None:
        self.closed_at = time.monotonic()
        if not self._connected.done():
            self._connected.set_exception(ConnectionError(reason))
        if not self.closed.done():
            self.closed.set_result(reason)

    # ---- control -------------------------------------------------------------------------
    def stop_reading(self) -> None:
        self._reading = False
        if self._ws and self._ws.transport:
            self._ws.transport.pause_reading()

    def resume_and_drain(self) -> None:
        """Reads again (everything queued is discarded by the counting above: non-readers' ids
        are not in the ledger) until the server ends the connection."""
        if self._ws and self._ws.transport and not self._ws.transport.is_closing():
            self._ws.transport.resume_reading()

    @property
    def local_port(self) -> int | None:
        if self._ws and self._ws.transport:
            sockname = self._ws.transport.get_extra_info("sockname")
            return sockname[1] if sockname else None
        return None

    @property
    def bytes_received(self) -> int:
        return self._ws.bytes_received if self._ws else 0

    @property
    def close_code_received(self) -> int | None:
        return self._ws.close_code_received if self._ws else None

    def close(self) -> None:
        """Graceful: DISCONNECT, then the WebSocket closing handshake; reading goes on until EOF."""
        if self._ws and self._ws.transport and not self._ws.transport.is_closing():
            self._ws.send_text(b"41")
            self._ws.send_close(1000)

    def abort(self) -> None:
        if self._ws:
            self._ws.abort()
