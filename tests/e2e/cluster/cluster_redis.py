"""A private redis-server for the cluster tests, and the few Redis commands they send themselves.

RedisServer runs `redis-server --port P --save '' --appendonly no` on a free loopback port (never
the shared 6379: these tests stop and kill their Redis). It can be stopped (SIGTERM), killed
(SIGKILL) and started again on the same port, which is how the tests take Redis away from the
gateway nodes and give it back. A redis-py client (requirements-test.txt) lets the tests PUBLISH
arbitrary bytes on the cluster channels and ask PUBSUB NUMSUB who listens.

Threading: the pytest thread only.
"""
from __future__ import annotations

import pathlib
import signal
import subprocess
import time
from typing import Optional

import redis

COMMAND_TIMEOUT = 5.0


def _die_with_parent() -> None:
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class RedisServer:
    """One private redis-server on 127.0.0.1:`port`, its output in `log_path`."""

    def __init__(self, port: int, log_path: pathlib.Path, startup_timeout: float):
        self.port = port
        self.log_path = log_path
        self.url = f"redis://127.0.0.1:{port}"
        self._startup_timeout = startup_timeout
        self._log_file = None
        self.process: Optional[subprocess.Popen] = None
        self.client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=COMMAND_TIMEOUT,
                                  socket_connect_timeout=COMMAND_TIMEOUT)
        self.start()

    def start(self) -> None:
        """Starts redis-server on `port` (again, after a stop) and waits until it answers PING."""
        assert self.process is None or self.process.poll() is not None, "Redis is already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.log_path.parent)],
            stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self._startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n"
                                   f"{self.log_text()[-3000:]}")
            try:
                if self.client.ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {self.port} not ready in "
                                   f"{self._startup_timeout:.0f} s:\n{self.log_text()[-3000:]}")
            time.sleep(0.02)

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Stops redis-server with `signum` and waits for it to be gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.close()
        self.client.connection_pool.disconnect()

    def publish(self, channel: str, payload: bytes) -> int:
        """PUBLISH `payload` (any bytes) on `channel`; returns how many subscribers got it."""
        return self.client.publish(channel, payload)

    def subscribers(self, channel: str) -> int:
        """How many connections are subscribed to `channel` (PUBSUB NUMSUB)."""
        return int(self.client.pubsub_numsub(channel)[0][1])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

