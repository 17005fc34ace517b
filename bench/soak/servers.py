"""The processes under test: one or two socket-gateway nodes and, for two, a private Redis.

The binary is copied from the build directory (SG_BUILD_DIR, default build/) into the run's
scratch directory first, so that a rebuild during a run changes nothing and both nodes run the
same bytes. Each node listens on a free loopback port with an HS256 secret, an API key, the
profile's --max-queue-bytes and --threads; in a cluster, `--redis-url` points at a
redis-server the harness starts on another free port (no persistence, loopback only), never at
a shared Redis. A start that fails is tried once more 30 s later (a build may be replacing the
binary). stop() sends SIGTERM and returns the exit code (SIGKILL after 15 s).
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "peers"))
from peer_processes import free_port, stop_process, wait_for_redis  # noqa: E402  (bench/peers)


class Process:
    def __init__(self, argv: list[str], log_path: pathlib.Path, env: dict | None = None):
        self.argv = argv
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=env)
        self.pid = self.process.pid

    def stop(self, timeout: float = 15.0) -> int:
        code = stop_process(self.process, timeout)
        self._log.close()
        return code


class GatewayNode(Process):
    def __init__(self, name: str, binary: pathlib.Path, secret: str, api_key: str, max_queue_bytes: int,
                 threads: int, log_dir: pathlib.Path, redis_port: int | None):
        self.name = name
        self.port = free_port()
        argv = [str(binary), "--host", "127.0.0.1", "--port", str(self.port), "--api-key", api_key,
                "--max-queue-bytes", str(max_queue_bytes), "--threads", str(threads), "--log-level", "warn"]
        if redis_port is not None:
            argv += ["--redis-url", f"redis://127.0.0.1:{redis_port}", "--node-id", name]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
        env["SOCKET_GATEWAY_JWT_SECRET"] = secret
        super().__init__(argv, log_dir / f"node-{name}-{self.port}.log", env)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    body = response.read()
                    if response.status == 200 and b'"ok"' in body:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"node {self.name} not ready within {timeout:.0f} s")


class PrivateRedis(Process):
    def __init__(self, log_dir: pathlib.Path):
        self.port = free_port()
        super().__init__(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no"], log_dir / f"redis-{self.port}.log")
        wait_for_redis(self.port)


def snapshot_binary(build_dir: pathlib.Path, scratch: pathlib.Path) -> pathlib.Path:
    source = build_dir / "socket-gateway"
    target = scratch / "socket-gateway"
    shutil.copy2(source, target)
    return target


def binary_provenance(binary: pathlib.Path, source_dir: pathlib.Path) -> dict:
    """What was run: the copy's sha256, the build's mtime, the checkout's HEAD and whether src/
    had uncommitted changes (the build may include them)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=source_dir, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return {"sha256": hashlib.sha256(binary.read_bytes()).hexdigest()[:16],
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(binary.stat().st_mtime)),
            "head": git("rev-parse", "--short", "HEAD"), "src_dirty": bool(git("status", "--porcelain", "src"))}


def start_servers(nodes: int, build_dir: pathlib.Path, scratch: pathlib.Path, secret: str, api_key: str,
                  max_queue_bytes: int, threads: int) -> tuple[list[GatewayNode], PrivateRedis | None, dict]:
    """Starts Redis (for 2+ nodes) and the nodes; one more try 30 s later if anything fails.
    Returns them and the binary's provenance."""
    for attempt in (1, 2):
        redis, started = None, []
        try:
            binary = snapshot_binary(build_dir, scratch)
            redis = PrivateRedis(scratch) if nodes > 1 else None
            for index in range(nodes):
                node = GatewayNode("AB"[index] if nodes > 1 else "single", binary, secret, api_key, max_queue_bytes,
                                   threads, scratch, redis.port if redis else None)
                started.append(node)
                node.wait_ready()
            return started, redis, binary_provenance(binary, build_dir.parent)
        except Exception:
            for node in started:
                node.stop()
            if redis:
                redis.stop()
            if attempt == 2:
                raise
            time.sleep(30)
    raise AssertionError("unreachable")
