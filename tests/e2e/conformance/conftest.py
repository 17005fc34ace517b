"""Fixtures of the raw-wire conformance tests: the conformance-server process (one per test session,
restarted if a test crashes it), endpoints for /engine.io/ and /socket.io/, and factories that
open Engine.IO sessions over HTTP long-polling or WebSocket and close them after the test.

The binary is $SG_BUILD_DIR/conformance-server (SG_BUILD_DIR defaults to build/, relative to the
repository root). SG_CONFORMANCE_SERVER may name another executable taking `--port N` (used to
check the tests themselves against the Node reference server). The server's output goes to
test-output/conformance-server-<port>.log; the part written during a failed test is attached
to its report.

Threading: pytest's main thread only.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

from conformance_polling import Endpoint, PollingConnection
from conformance_settings import ENGINE_PATH, SOCKET_PATH, bounded
from conformance_websocket import WebSocketConnection

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
LOG_DIR = REPO_ROOT / "test-output"


def server_binary() -> pathlib.Path:
    override = os.environ.get("SG_CONFORMANCE_SERVER")
    if override:
        return pathlib.Path(override)
    build_dir = pathlib.Path(os.environ.get("SG_BUILD_DIR", "build"))
    if not build_dir.is_absolute():
        build_dir = REPO_ROOT / build_dir
    return build_dir / "conformance-server"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """The conformance server as a child process on a free port."""

    def __init__(self, binary: pathlib.Path):
        self.binary = binary
        self.process = None
        self.port = None
        self.log_path = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not self.binary.is_file():
            pytest.fail(f"conformance server not built: {self.binary} does not exist "
                        "(build it with: cmake --build <dir> --target conformance-server)")
        self.port = free_port()
        LOG_DIR.mkdir(exist_ok=True)
        self.log_path = LOG_DIR / f"conformance-server-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([str(self.binary), "--port", str(self.port)],
                                            stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        deadline = time.monotonic() + bounded(15.0)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"conformance server exited with {self.process.returncode} at start:\n{self.log_tail(0)}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"conformance server did not accept connections on port {self.port}:\n{self.log_tail(0)}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.running():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=bounded(5.0))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=bounded(5.0))

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except (OSError, AttributeError):
            return 0

    def log_tail(self, offset: int, limit: int = 20000) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                text = log.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return "(no server log)"
        return text[-limit:]


@pytest.fixture(scope="session")
def conformance_server():
    server = ServerProcess(server_binary())
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def server_watch(request, conformance_server):
    """Restarts the server if an earlier test crashed it, remembers where the log stood so that a
    failure report can show the server's output, and fails a test during which the server died."""
    if not conformance_server.running():
        conformance_server.start()
    request.node.conformance_log = (conformance_server, conformance_server.log_size())
    yield
    if not conformance_server.running():
        pytest.fail(f"conformance server died during the test (exit {conformance_server.process.returncode})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    log_marker = getattr(item, "conformance_log", None)
    if report.failed and log_marker is not None:
        server, offset = log_marker
        report.sections.append(("conformance-server log during this test", server.log_tail(offset)))


@pytest.fixture
def engine_endpoint(conformance_server) -> Endpoint:
    """/engine.io/: the Engine.IO echo app."""
    return Endpoint(conformance_server.base_url, ENGINE_PATH)


@pytest.fixture
def socket_endpoint(conformance_server) -> Endpoint:
    """/socket.io/: the Socket.IO app with namespaces / and /custom."""
    return Endpoint(conformance_server.base_url, SOCKET_PATH)


@pytest.fixture(params=[ENGINE_PATH, SOCKET_PATH], ids=["engine.io", "socket.io"])
def any_endpoint(request, conformance_server) -> Endpoint:
    """Each Engine.IO endpoint in turn (the Socket.IO suite repeats the Engine.IO scenarios)."""
    return Endpoint(conformance_server.base_url, request.param)


@pytest.fixture(params=["polling", "websocket"])
def transport(request) -> str:
    return request.param


@pytest.fixture
def open_session(transport):
    """Factory: open_session(endpoint) → an Engine.IO session on the test's transport; every
    session is closed at teardown."""
    opened = []

    def open_on(endpoint: Endpoint):
        connection = PollingConnection(endpoint) if transport == "polling" else WebSocketConnection.open_session(endpoint)
        opened.append(connection)
        return connection

    yield open_on
    for connection in opened:
        connection.close()


@pytest.fixture
def cleanup():
    """A list the test appends connections to; each is closed at teardown."""
    connections = []
    yield connections
    for connection in connections:
        connection.close()
