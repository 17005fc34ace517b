"""REST: the plain HTTP cost of `python -m socket_gateway serve` beside uvicorn and granian, on
the same FastAPI app mounted beside a gateway (bench/rest/app.py, the deployment shape of our
users: ``ASGIApp(gateway, other_asgi_app=api)``).

Servers (each one process tree pinned to core 0, one event loop, access log off):
  serve    python -m socket_gateway serve app:app --threads 1 (the C++ host parses HTTP on
           its one shard thread; the route runs on the asyncio loop, uvloop's)
  uvicorn  uvicorn app:app --http httptools --loop uvloop (its fastest configuration)
  granian  granian --interface asgi --workers 1 --runtime-threads 1 --loop uvloop (one worker
           process beside the supervisor; both are counted)
Load: wrk (Debian's, 4.1) pinned to core 1, one thread, keep-alive connections at each
concurrency, GET /api/status and POST /api/orders with a JSON body (bench/rest/wrk_report.lua).
The three servers are started once per round and stay up; for every route and concurrency
they take turns (the order rotates), so slow drifts of the machine hit all of them alike. Each
server gets a short warm-up of both routes first.

A row fails (phase "error") when wrk saw a status above 399 or a socket error, or served
nothing. Before the load, each server must answer both routes with 200 and the expected JSON,
and the Socket.IO handshake of the mounted gateway with 200.

Server CPU per request: the server tree's CPU over the wrk run (bench/process_cpu.py, all
threads) / the requests wrk completed.

Threading: one thread; the servers and wrk are child processes.
"""
from __future__ import annotations

import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
import time
import urllib.request

import peer_processes
from process_cpu import CpuMark, process_tree, window_fields

REST_DIR = peer_processes.REPO_ROOT / "bench" / "rest"
WRK_SCRIPT = REST_DIR / "wrk_report.lua"
SERVERS = ("serve", "uvicorn", "granian")
ROUTES = {  # name -> (path, JSON body of a POST or None for a GET)
    "GET": ("/api/status", None),
    "POST": ("/api/orders", {"item": "keyboard", "quantity": 2, "note": "leave at the door"}),
}
WARM_UP_S = 1


def server_argv(name: str, port: int) -> list[str]:
    """The start command of `name` serving bench/rest/app.py's `app` on 127.0.0.1:`port`."""
    python = sys.executable
    where = ["--host", "127.0.0.1", "--port", str(port)]
    if name == "serve":
        return [python, "-m", "socket_gateway", "serve", "app:app", "--app-dir", str(REST_DIR), *where,
                "--threads", "1", "--log-level", "warning", "--no-access-log"]
    if name == "uvicorn":
        return [python, "-m", "uvicorn", "app:app", "--app-dir", str(REST_DIR), *where, "--http", "httptools",
                "--loop", "uvloop", "--log-level", "warning", "--no-access-log"]
    if name == "granian":
        return [python, "-m", "granian", "--interface", "asgi", *where, "--workers", "1", "--runtime-threads", "1",
                "--loop", "uvloop", "--log-level", "warning", "--no-access-log", "--working-dir", str(REST_DIR),
                "app:app"]
    raise ValueError(f"unknown REST server {name!r}; one of {', '.join(SERVERS)}")


def fetch(port: int, path: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=2) as response:
        return response.status, response.read()


class RestServer:
    """One started server (its process group is ours), ready and checked, on `port`."""

    def __init__(self, name: str, core: str, secret: str, log_dir: pathlib.Path):
        self.name = name
        self.port = peer_processes.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
        env["BENCH_JWT_SECRET"] = secret
        self.log_path = log_dir / f"rest-{name}-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(["taskset", "-c", core, *server_argv(name, self.port)], env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        cwd=peer_processes.REPO_ROOT, start_new_session=True)

    def wait_ready(self, timeout: float) -> None:
        """Returns once both routes and the Socket.IO handshake answer as expected."""
        deadline = time.monotonic() + timeout
        problem = "nothing tried yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.log_tail()}")
            try:
                self.check_responses()
                return
            except (OSError, ValueError, AssertionError) as error:
                problem = str(error)
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f} s ({problem}): {self.log_tail()}")

    def check_responses(self) -> None:
        status, body = fetch(self.port, ROUTES["GET"][0])
        assert status == 200 and json.loads(body)["status"] == "ok", f"GET answered {status} {body[:100]!r}"
        path, order = ROUTES["POST"]
        status, body = fetch(self.port, path, order)
        echoed = json.loads(body)
        assert status == 200 and echoed["item"] == order["item"], f"POST answered {status} {body[:100]!r}"
        status, _ = fetch(self.port, "/socket.io/?EIO=4&transport=polling")
        assert status == 200, f"the Socket.IO handshake answered {status}"

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-1500:]

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL to the whole group after `timeout` s; returns the exit code."""
        code = peer_processes.stop_process(self.process, timeout, lambda: os.killpg(self.process.pid, signal.SIGKILL))
        self._log.close()
        return code


def run_wrk(server: RestServer, route: str, connections: int, duration_s: int, core: str) -> dict:
    """One wrk run; the wrk summary with the server's CPU over it, or an error record."""
    path, body = ROUTES[route]
    env = {**os.environ, "REST_BODY": json.dumps(body) if body is not None else ""}
    argv = ["taskset", "-c", core, "wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--timeout", "5s",
            "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{server.port}{path}"]
    pids = process_tree(server.process.pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = CpuMark.take(pids)
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration_s + 30)
    except subprocess.TimeoutExpired:
        return {"phase": "error", "error": f"wrk did not finish within {duration_s + 30:.0f} s"}
    after = CpuMark.take(pids)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu_us = ((children_after.ru_utime + children_after.ru_stime)
                  - (children_before.ru_utime + children_before.ru_stime)) * 1e6
    summary = next((json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")), None)
    if result.returncode != 0 or summary is None:
        return {"phase": "error", "error": f"wrk exit {result.returncode}: {(result.stderr or result.stdout)[-300:]}"}
    record = {"phase": "rest", "route": route, "path": path, "connections": connections, **summary,
              **window_fields(before, after, wrk_cpu_us)}
    requests = summary["wrk_requests"]
    record["requests_per_s"] = requests / (summary["wrk_duration_us"] / 1e6) if summary["wrk_duration_us"] else 0
    server_cpu = record["server_cpu_us"] if record["server_cpu_us"] > 0 else record["server_cpu_us_stat"]
    record["server_cpu_us_per_request"] = server_cpu / requests if requests else None
    record["latency_ms"] = {k: v / 1000 for k, v in summary["latency_us"].items()}
    failures = {k: v for k, v in summary["errors"].items() if v}
    if failures or not requests:
        return {**record, "phase": "error",
                "error": f"{route} c={connections}: {requests} requests, errors {failures or 'none'}"}
    return record


def run_rest(connections: list[int], duration_s: int, round_index: int, add, secret: str, server_core: str,
             client_core: str, log_dir: pathlib.Path) -> None:
    """Runs every route at every concurrency on the three servers; `add(record)` keeps each result."""
    servers: list[RestServer] = []
    try:
        for name in SERVERS:
            server = RestServer(name, server_core, secret, log_dir)
            servers.append(server)
            try:
                server.wait_ready(30)
            except RuntimeError as error:  # a server that cannot start is reported, not fatal
                add({"round": round_index, "impl": name, "scenario": "REST", "variant": "start", "phase": "error",
                     "error": f"start failed: {str(error)[:300]}"})
                servers.remove(server)
                server.stop()
        for server in servers:
            for route in ROUTES:
                run_wrk(server, route, 16, WARM_UP_S, client_core)
        cells = [(route, n) for route in ROUTES for n in connections]
        for index, (route, n) in enumerate(cells):
            shift = (index + round_index) % max(1, len(servers))
            for server in servers[shift:] + servers[:shift]:
                record = run_wrk(server, route, n, duration_s, client_core)
                add({"round": round_index, "impl": server.name, "scenario": "REST", "variant": f"{route}/c={n}",
                     **record})
            print(f"round {round_index + 1} REST {route} c={n}", flush=True)
    finally:
        for server in servers:
            code = server.stop()
            if code not in (0, -signal.SIGTERM):
                add({"round": round_index, "impl": server.name, "scenario": "REST", "variant": "stop",
                     "phase": "error", "error": f"exit {code} on SIGTERM: {server.log_tail()[-300:]}"})
