"""Settings of the conformance server and the time limits of the raw-wire conformance tests.

The values mirror the reference servers of the official suites (socketio/engine.io-protocol and
socketio/socket.io-protocol, test-suite/): pingInterval 300 ms, pingTimeout 200 ms, maxPayload
1 000 000 bytes, connectTimeout 1000 ms. Every wait in the tests is bounded by one of the limits
below; they grow by SLOW_FACTOR when the server runs under the sanitizers (SG_SANITIZED=1),
the same factor as tests/e2e/conftest.py uses.

Threading: constants only.
"""

import os

SLOW_FACTOR = 5.0 if os.environ.get("SG_SANITIZED") == "1" else 1.0

PING_INTERVAL = 0.300  # seconds, as advertised in the handshake (300 ms)
PING_TIMEOUT = 0.200  # seconds (200 ms)
MAX_PAYLOAD = 1_000_000  # bytes
CONNECT_TIMEOUT = 1.000  # seconds: the Socket.IO server closes a session with no CONNECT by then

ENGINE_PATH = "/engine.io/"
SOCKET_PATH = "/socket.io/"


def bounded(seconds: float) -> float:
    """A time limit of `seconds` on a normal build, stretched on a sanitized one."""
    return seconds * SLOW_FACTOR


# How long to wait for something that should happen at once (a reply, a close, an HTTP answer).
REPLY_TIMEOUT = bounded(3.0)
# pytest-timeout limit for one test: generous, only there so that a hung server cannot hang CI.
TEST_TIMEOUT = bounded(30.0)
