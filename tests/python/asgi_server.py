"""uvicorn in a subprocess, serving an ASGI app of the tests or the example, on a free port.

AsgiServer runs `python -m uvicorn MODULE:app --app-dir DIR` on 127.0.0.1:<free port> with the
venv's interpreter (the one running pytest), writes its output to <repo>/test-output/python/,
waits (bounded) until a readiness URL answers 200, and stops it with SIGTERM (SIGKILL after a
bounded wait), reporting the exit code. The child gets PR_SET_PDEATHSIG, so no server outlives a
killed pytest.
Threading: used from the test thread only.
"""
from __future__ import annotations

import ctypes
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from typing import Optional

import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output" / "python"
TEST_APPS_DIR = pathlib.Path(__file__).resolve().with_name("apps")
CLEAN_STOP_CODES = (0, -signal.SIGTERM)  # a graceful shutdown after SIGTERM


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class AsgiServer:
    """One uvicorn process; `url` is its base URL, `log_text()` its output so far."""

    def __init__(self, target: str, *, app_dir: pathlib.Path = TEST_APPS_DIR,
                 env: Optional[dict] = None, uvicorn_args: tuple = (), name: str = "uvicorn"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        safe_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120]
        self.log_path = OUTPUT_DIR / f"{safe_name}-{self.port}.log"
        self.argv = [sys.executable, "-m", "uvicorn", target, "--app-dir", str(app_dir),
                     "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "info",
                     *uvicorn_args]
        child_env = {k: v for k, v in os.environ.items()
                     if not k.startswith(("SOCKET_GATEWAY_", "SG_TEST_"))}
        child_env.update(env or {})
        self._log_file = open(self.log_path, "wb")
        self._log_file.write(("$ " + " ".join(self.argv) + "\n").encode())
        self._log_file.flush()
        self.process = subprocess.Popen(self.argv, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=child_env,
                                        preexec_fn=_die_with_parent)

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, path: str = "/openapi.json", timeout: float = 30.0) -> "AsgiServer":
        """Returns once GET `path` answers 200; fails with the log when the process exits first."""
        deadline = time.monotonic() + timeout
        problem = "nothing tried yet"
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"uvicorn exited with {code} before it was ready:\n"
                                   f"{self.log_text()[-5000:]}")
            try:
                response = requests.get(self.url + path, timeout=2)
                if response.status_code == 200:
                    return self
                problem = f"GET {path} answered {response.status_code}"
            except requests.RequestException as error:
                problem = str(error)
            time.sleep(0.05)
        raise RuntimeError(f"uvicorn not ready within {timeout:.0f} s ({problem}):\n"
                           f"{self.log_text()[-5000:]}")

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, then the exit code; SIGKILL and None when it outlives `timeout`.

        uvicorn re-raises the SIGTERM it handled once its graceful shutdown is over, so a clean
        stop is -SIGTERM (CLEAN_STOP_CODES)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        if not self._log_file.closed:
            self._log_file.close()
        return code
