"""The ASGI server under test in a subprocess, serving an ASGI app of the tests or the example.

Two kinds of server run the same apps (SERVER_KINDS):
  uvicorn  `python -m uvicorn MODULE:ATTR --app-dir DIR ...`
  serve    `python -m socket_gateway serve MODULE:ATTR --app-dir DIR ...` — our C++ host owns the
           port, serves Socket.IO natively and forwards everything else to the app as ASGI.
AsgiServer runs one on 127.0.0.1:<free port> with the venv's interpreter (the one running
pytest), writes its output to <repo>/test-output/python/, waits (bounded) until a readiness URL
answers 200, and stops it with SIGTERM (SIGKILL after a bounded wait), reporting the exit code.
The child gets PR_SET_PDEATHSIG, so no server outlives a killed pytest.

Extra command-line arguments are written in uvicorn's spelling; server_argv() translates them
for the kind, in this one place, and refuses an option the kind does not have (such a test is
keyed on the kind: only_on). SG_TEST_SERVERS ("uvicorn", "serve", "uvicorn,serve")
restricts the kinds the suite runs (selected_server_kinds); the default is DEFAULT_SERVER_KINDS.
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

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output" / "python"
TEST_APPS_DIR = pathlib.Path(__file__).resolve().with_name("apps")
SERVER_KINDS = ("uvicorn", "serve")
DEFAULT_SERVER_KINDS = SERVER_KINDS

# The exit code after SIGTERM and a graceful shutdown: uvicorn re-raises the signal it handled
# once it is done; serve returns 0.
CLEAN_STOP_CODE = {"uvicorn": -signal.SIGTERM, "serve": 0}

# Options (uvicorn spelling) -> how many values follow, and the kinds that have them. Anything
# not listed is refused, so a new option is a conscious decision here.
_OPTIONS = {
    "--timeout-graceful-shutdown": (1, SERVER_KINDS),
    "--limit-max-requests": (1, SERVER_KINDS),
    "--root-path": (1, SERVER_KINDS),
    "--lifespan": (1, ("uvicorn",)),               # serve always runs the lifespan protocol
    "--limit-request-body": (1, ("serve",)),       # uvicorn has no request body limit
    "--limit-request-headers": (1, ("serve",)),    # uvicorn: fixed by its parser (h11/httptools)
    "--threads": (1, ("serve",)),                  # the shards of serve's own host
}


class UnsupportedOption(ValueError):
    """A test passed an option the server kind does not have (key the test on the kind)."""


def only_on(*kinds: str, reason: str):
    """Marks a test about behaviour of these server kinds only; `reason` says why it does not
    apply to the others (their cases are deselected at collection, see conftest)."""
    unknown = set(kinds) - set(SERVER_KINDS)
    if unknown or not reason:
        raise ValueError(f"only_on: unknown kinds {sorted(unknown)} or no reason")
    return pytest.mark.server_kinds(*kinds, reason=reason)


def selected_server_kinds() -> tuple:
    """The kinds SG_TEST_SERVERS asks for (default: DEFAULT_SERVER_KINDS), in SERVER_KINDS order."""
    text = os.environ.get("SG_TEST_SERVERS", "").strip()
    if not text:
        return DEFAULT_SERVER_KINDS
    asked = {part.strip() for part in text.split(",") if part.strip()}
    unknown = asked - set(SERVER_KINDS)
    if unknown:
        raise ValueError(f"SG_TEST_SERVERS: unknown server kind(s) {sorted(unknown)}; "
                         f"known: {', '.join(SERVER_KINDS)}")
    return tuple(kind for kind in SERVER_KINDS if kind in asked)


def server_argv(kind: str, target: str, app_dir: pathlib.Path, port: int,
                server_args: tuple = ()) -> list:
    """The command line of `kind` serving `target`; `server_args` in uvicorn's spelling."""
    if kind not in SERVER_KINDS:
        raise ValueError(f"unknown server kind {kind!r}")
    translated = []
    index = 0
    while index < len(server_args):
        option = server_args[index]
        if option not in _OPTIONS:
            raise UnsupportedOption(f"{option}: not a known server option of the tests (asgi_server._OPTIONS)")
        arity, kinds = _OPTIONS[option]
        if kind not in kinds:
            raise UnsupportedOption(f"{option} is not an option of {kind}")
        translated += [option, *map(str, server_args[index + 1:index + 1 + arity])]
        index += 1 + arity
    command = ["uvicorn"] if kind == "uvicorn" else ["socket_gateway", "serve"]
    return [sys.executable, "-m", *command, target, "--app-dir", str(app_dir),
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "info", *translated]


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class AsgiServer:
    """One server process of `kind`; `url` is its base URL, `log_text()` its output so far."""

    def __init__(self, target: str, *, kind: str = "uvicorn", app_dir: pathlib.Path = TEST_APPS_DIR,
                 env: Optional[dict] = None, server_args: tuple = (), name: str = "server"):
        self.kind = kind
        self.clean_stop_code = CLEAN_STOP_CODE[kind]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        safe_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120]
        self.log_path = OUTPUT_DIR / f"{safe_name}-{kind}-{self.port}.log"
        self.argv = server_argv(kind, target, app_dir, self.port, tuple(server_args))
        child_env = {k: v for k, v in os.environ.items()
                     if not k.startswith(("SOCKET_GATEWAY_", "SG_TEST_"))}
        child_env.update(env or {})
        self._log_file = open(self.log_path, "wb")
        self._log_file.write(("$ " + " ".join(self.argv) + "\n").encode())
        self._log_file.flush()
        self.process = subprocess.Popen(self.argv, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=child_env,
                                        preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        return self.process.pid

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
                raise RuntimeError(f"{self.kind} exited with {code} before it was ready:\n"
                                   f"{self.log_text()[-5000:]}")
            try:
                response = requests.get(self.url + path, timeout=2)
                if response.status_code == 200:
                    return self
                problem = f"GET {path} answered {response.status_code}"
            except requests.RequestException as error:
                problem = str(error)
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} not ready within {timeout:.0f} s ({problem}):\n"
                           f"{self.log_text()[-5000:]}")

    def wait_listening(self, timeout: float = 30.0) -> "AsgiServer":
        """Returns once the port accepts a TCP connection (closed again without a request, so
        nothing counts it as a request)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"{self.kind} exited with {code} before it listened:\n"
                                   f"{self.log_text()[-5000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} not listening within {timeout:.0f} s:\n{self.log_text()[-5000:]}")

    def wait_exit(self, timeout: float) -> Optional[int]:
        """The exit code once the process ended on its own; None if it still runs after `timeout`."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if not self._log_file.closed:
            self._log_file.close()
        return code

    def rss_bytes(self) -> int:
        """The resident set size of the server process (VmRSS of /proc/<pid>/status)."""
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no VmRSS for pid {self.pid}")

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, then the exit code; SIGKILL and None when it outlives `timeout`.

        A clean stop is `clean_stop_code` (CLEAN_STOP_CODE of the kind)."""
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
