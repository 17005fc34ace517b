"""HTTP/1.1 over a plain socket, for the tests that need bytes no HTTP client library sends or shows:
pipelined requests, chunked uploads written by hand, Expect: 100-continue, malformed request
lines, a body cut off mid-way, a reader that reads nothing, and responses cut short.

RawConnection(port) connects to 127.0.0.1:port; send() writes bytes; read_response() parses one
response (status, headers in order, body by content-length, chunked or to EOF) and says whether
the body was complete; read_head() reads only a status line and headers (for a 100 Continue).
Every read is bounded by the socket timeout.
Threading: one connection per thread; used from the test thread.
"""
from __future__ import annotations

import dataclasses
import socket
from typing import Optional

from asgi_clients import WAIT


@dataclasses.dataclass
class RawResponse:
    version: str
    status: int
    headers: list  # [(lower-cased name, value)] in order
    body: bytes
    complete: bool  # False: the connection ended before the body did

    def header(self, name: str) -> Optional[str]:
        values = [value for key, value in self.headers if key == name.lower()]
        return values[-1] if values else None


def request_bytes(method: str, target: str, headers: Optional[list] = None, body: bytes = b"",
                  version: str = "HTTP/1.1") -> bytes:
    """A request head (Host added) plus `body`; content-length is the caller's business."""
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or [])]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawConnection:
    def __init__(self, port: int, timeout: float = WAIT, receive_buffer: Optional[int] = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:  # before connect, so the window is small from the start
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.local_port = self.sock.getsockname()[1]
        self._buffer = b""
        self.eof = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _fill(self) -> bool:
        """Reads more bytes into the buffer; False at EOF (or a reset)."""
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self._buffer += data
        return True

    def _take(self, count: int) -> bytes:
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _line(self) -> Optional[bytes]:
        while b"\r\n" not in self._buffer:
            if not self._fill():
                return None
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line

    def read_head(self) -> tuple:
        """(version, status, headers) of the next response head; fails on EOF before it."""
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                raise AssertionError(f"connection closed before a response head: {self._buffer[:300]!r}")
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        return version, int(status), headers

    def read_response(self, method: str = "GET") -> RawResponse:
        version, status, headers = self.read_head()
        response = RawResponse(version, status, headers, b"", True)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return response
        encoding = (response.header("transfer-encoding") or "").lower()
        length = response.header("content-length")
        if "chunked" in encoding:
            response.body, response.complete = self._read_chunked()
        elif length is not None:
            while len(self._buffer) < int(length) and self._fill():
                pass
            response.body = self._take(int(length))
            response.complete = len(response.body) == int(length)
        else:
            response.body = self.read_to_eof()
        return response

    def _read_chunked(self) -> tuple:
        body = b""
        while True:
            size_line = self._line()
            if size_line is None:
                return body, False
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers up to the empty line
                    trailer = self._line()
                    if trailer is None:
                        return body, False
                    if trailer == b"":
                        return body, True
            while len(self._buffer) < size + 2:
                if not self._fill():
                    return body + self._take(size), False
            body += self._take(size)
            self._take(2)

    def read_to_eof(self) -> bytes:
        while self._fill():
            pass
        return self._take(len(self._buffer))

    def closed_by_server(self) -> bool:
        """True once the server has closed the connection (reads to EOF; bounded by the timeout)."""
        self.read_to_eof()
        return self.eof
