"""How each server under the bench contract is started and awaited — the start commands of
the contract, in one place, for check_contract.py and the tests.

IMPLEMENTATIONS maps a name to the argv that starts it (PORT and BENCH_JWT_SECRET go in the
environment, as the contract says):
  standalone  build/socket-gateway --bench-contract --jwt-rooms-claim rooms ... (Socket Gateway)
  recovery    the same command with --recovery-max-disconnection 120000: connection-state
              recovery on (every event carries its offset as one more, last argument, so the
              contract's "payload as the one argument" does not hold; sg-loadgen does not mind)
  asgi        uvicorn bench/peers/asgi app:app (Socket Gateway's Python package)
  serve       python -m socket_gateway serve, the same bench/peers/asgi app:app on the package's
              native host (Socket.IO served by the C++ host as in the standalone server)
  node        node bench/peers/node/server.mjs (socket.io 4.8)
  python      uvicorn bench/peers/python app:app (python-socketio 5)
start_peer() starts one and waits, bounded, until it is ready; PeerProcess.stop() ends it.

Threading: the caller's thread only.
"""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
PEERS_DIR = REPO_ROOT / "bench" / "peers"
IMPLEMENTATIONS = ("standalone", "recovery", "serve", "asgi", "node", "python")
# Shard threads of our three implementations: the same for each, so that they compare fairly.
SHARD_THREADS = "1"
# The window of `recovery` (ms): what a deployment would set, long enough that nothing expires in a run.
RECOVERY_MAX_DISCONNECTION_MS = "120000"
# The implementations that are the socket-gateway binary.
STANDALONE_BINARY = ("standalone", "recovery")


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float, kill=None) -> int:
    """SIGTERM, then `kill()` (default: SIGKILL to the process) after `timeout` s; the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            (kill or process.kill)()
            process.wait()
    return process.returncode


def wait_for_redis(port: int, timeout: float = 10.0) -> None:
    """Returns once a redis-server on loopback `port` answers PING; RuntimeError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)


def peer_argv(name: str, port: int, build_dir: pathlib.Path) -> list[str]:
    """The contract's start command of implementation `name`."""
    python = sys.executable
    uvicorn = [python, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    if name == "standalone":
        return [str(build_dir / "socket-gateway"), "--host", "127.0.0.1", "--port", str(port), "--threads",
                SHARD_THREADS, "--bench-contract", "--jwt-rooms-claim", "rooms", "--log-level", "warn"]
    if name == "recovery":
        return [*peer_argv("standalone", port, build_dir), "--recovery-max-disconnection",
                RECOVERY_MAX_DISCONNECTION_MS]
    if name == "asgi":
        return [*uvicorn, "--app-dir", str(PEERS_DIR / "asgi"), "app:app"]
    if name == "serve":
        # --threads sets SOCKET_GATEWAY_THREADS; the app's SocketGateway(threads=1) says the same
        return [python, "-m", "socket_gateway", "serve", "app:app", "--app-dir", str(PEERS_DIR / "asgi"),
                "--host", "127.0.0.1", "--port", str(port), "--threads", SHARD_THREADS, "--log-level", "warning",
                "--no-access-log"]
    if name == "node":
        return ["node", str(PEERS_DIR / "node" / "server.mjs")]
    if name == "python":
        return [*uvicorn, "--app-dir", str(PEERS_DIR / "python"), "app:app"]
    raise ValueError(f"unknown implementation {name!r}; one of {', '.join(IMPLEMENTATIONS)}")


def readiness_path(name: str) -> str:
    if name in STANDALONE_BINARY:
        return "/healthz"
    return "/socket.io/?EIO=4&transport=polling"


class PeerProcess:
    """One started server: its `url`, its process, and its combined output in `log_path`."""

    def __init__(self, name: str, argv: list[str], port: int, env: dict, log_path: pathlib.Path):
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, cwd=REPO_ROOT)

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float) -> None:
        """Returns once the readiness URL answers 200; raises with the log otherwise."""
        deadline = time.monotonic() + timeout
        url = self.url + readiness_path(self.name)
        problem = "nothing tried yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
                    problem = f"answered {response.status}"
            except (urllib.error.URLError, OSError) as error:
                problem = str(error)
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f} s ({problem}):\n{self.log_text()}")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL after `timeout` s; returns the exit code."""
        code = stop_process(self.process, timeout)
        self._log.close()
        return code


def start_peer(name: str, secret: str, *, port: int | None = None, build_dir: pathlib.Path | None = None,
               log_dir: pathlib.Path | None = None, ready_timeout: float = 20.0) -> PeerProcess:
    """Starts implementation `name` on 127.0.0.1 with the contract's command and waits until it is ready."""
    port = port or free_port()
    build_dir = build_dir or REPO_ROOT / os.environ.get("SG_BUILD_DIR", "build")
    log_dir = log_dir or REPO_ROOT / "test-output"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
    env.update(PORT=str(port), BENCH_JWT_SECRET=secret)
    if name in STANDALONE_BINARY:
        env["SOCKET_GATEWAY_JWT_SECRET"] = secret
    peer = PeerProcess(name, peer_argv(name, port, build_dir), port, env, log_dir / f"peer-{name}-{port}.log")
    try:
        peer.wait_ready(ready_timeout)
    except BaseException:
        peer.stop()
        raise
    return peer
