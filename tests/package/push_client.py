"""The host-side pieces of a push test: a server started inside the clean root, and a
python-socketio client (from the project's .venv) that records the events it receives.

The root shares the host's network, so `RootServer` waits for the server on 127.0.0.1 from the
host, and `PushClient` connects there with a JWT. Every wait is bounded.

Threading: the test thread; python-socketio runs its own reader thread, whose events reach the
test through a queue.
"""
from __future__ import annotations

import pathlib
import queue
import signal
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any, Optional

import socketio

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
LOG_DIR = REPO_ROOT / "test-output" / "package"


class RootServer:
    """A server process inside the clean root, its output in test-output/package/<name>.log."""

    def __init__(self, root, name: str, command: str, port: int, *, env: Optional[dict] = None,
                 user: Optional[str] = None) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{name}.log"
        self.url = f"http://127.0.0.1:{port}"
        self._log = open(self.log_path, "wb")
        self.process: subprocess.Popen = root.start(command, self._log, env=env, user=user)

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-6000:]

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        """Returns once GET `path` answers 200; fails if the process exits first."""
        deadline = time.monotonic() + timeout
        problem = "nothing tried"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
                    problem = f"{path} answered {response.status}"
            except (urllib.error.URLError, OSError) as error:
                problem = str(error)
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer {path} within {timeout} s ({problem}):\n{self.log_text()}")

    def post_json(self, path: str, body: bytes) -> int:
        """POSTs a JSON body; returns the status."""
        request = urllib.request.Request(self.url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, then the exit code (SIGKILL and a failure past `timeout`)."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise AssertionError(f"the server still ran {timeout} s after SIGTERM:\n{self.log_text()}")
        finally:
            self._log.close()


class PushClient:
    """A python-socketio client of `url` with `token`; a context manager."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.events: "queue.Queue[tuple[str, Any]]" = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", lambda event, data=None: self.events.put((event, data)))

    def __enter__(self) -> "PushClient":
        self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sio.disconnect()

    def wait_for(self, event: str, timeout: float = 10) -> Any:
        """The data of the next `event` (others are skipped); fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event!r} event within {timeout} s")
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if name == event:
                return data
