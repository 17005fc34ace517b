"""S6: our gateway as a cluster of two nodes sharing one Redis, beside a single node.

For each N, in one round and on fresh processes (all servers and Redis pinned to core 0,
sg-loadgen to core 1), three fan-outs of the same work (paced broadcasts, then one burst):
  single      one standalone node, no Redis (the S3 setup);
  same-node   two nodes A and B through a private redis-server; clients and admin on B,
              so every emit is delivered on B and published for A, which has no clients;
  cross-node  the same two nodes; clients on B, admin on A (`--admin-port`): every emit
              crosses Redis from A to B.
Cluster CPU per delivery counts both nodes: B's CPU in the phase (from sg-loadgen) plus A's
CPU over the same loadgen run (/proc/<pid>/task/*/schedstat, as sg-loadgen reads B's: a burst
lasts tens of ms, too short for utime's 10 ms ticks), divided by the deliveries; Redis's own CPU
is recorded beside it. Paced and burst run as separate sg-loadgen invocations so that A's
CPU can be attributed to each.

Each variant runs once per implementation given, in turn: `standalone` (the S6 table) and
`recovery` (every node with the same --recovery-max-disconnection; bench/recovery_report.py
compares the two). After a two-node run the size of the recovery stream in Redis
(`socket.io#recovery`: MEMORY USAGE, XLEN) is recorded when the key exists.

Threading: one thread; the servers, Redis and the load generator are child processes.
"""
from __future__ import annotations

import os
import pathlib
import socket
import subprocess

import peer_processes
from process_cpu import schedstat_us

VARIANTS = ("single", "same-node", "cross-node")
# <--redis-key-prefix>#recovery with the nodes' default prefix: the stream of recovered emits.
RECOVERY_STREAM = "socket.io#recovery"


class _Redis:
    def __init__(self, core: str, log_dir: pathlib.Path):
        self.port = peer_processes.free_port()
        self.process = subprocess.Popen(
            ["taskset", "-c", core, "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=(log_dir / f"redis-{self.port}.log").open("w"), stderr=subprocess.STDOUT)
        peer_processes.wait_for_redis(self.port)

    def integer(self, *command: str) -> int | None:
        """The integer reply of one command (RESP over a fresh connection), None for nil or an error."""
        request = f"*{len(command)}\r\n" + "".join(f"${len(part.encode())}\r\n{part}\r\n" for part in command)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
            connection.sendall(request.encode())
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = connection.recv(256)
                if not chunk:
                    break
                reply += chunk
        return int(reply[1:-2]) if reply.startswith(b":") else None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _start_node(impl: str, secret: str, redis_port: int | None, node_id: str, core: str, log_dir: pathlib.Path,
                build_dir):
    port = peer_processes.free_port()
    argv = peer_processes.peer_argv(impl, port, build_dir)
    if redis_port is not None:
        argv += ["--redis-url", f"redis://127.0.0.1:{redis_port}", "--node-id", node_id]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
    env["SOCKET_GATEWAY_JWT_SECRET"] = secret
    node = peer_processes.PeerProcess(impl, argv, port, env, log_dir / f"s6-{impl}-{node_id}-{port}.log")
    node.wait_ready(30)
    subprocess.run(["taskset", "-a", "-p", "-c", core, str(node.process.pid)], check=True, stdout=subprocess.DEVNULL)
    return node


def run_s6(impls: list[str], clients: list[int], messages: int, burst_repeat: int, round_index: int, add,
           run_loadgen, loadgen, secret: str, core: str, log_dir: pathlib.Path) -> None:
    """Runs the three variants for each N, each implementation in turn; `add(record)` keeps each tagged line."""
    for n in clients:
        for variant in VARIANTS:
            for impl in impls:
                try:
                    _run_variant(impl, variant, n, messages, burst_repeat, round_index, add, run_loadgen, loadgen,
                                 secret, core, log_dir)
                except Exception as error:  # a node or Redis that cannot start is reported, not fatal
                    add({"round": round_index, "impl": impl, "scenario": "S6", "variant": f"{variant}/n={n}",
                         "phase": "error", "error": f"start failed: {str(error)[:300]}"})
                print(f"round {round_index + 1} S6 {variant} n={n} {impl}", flush=True)


def _run_variant(impl: str, variant: str, n: int, messages: int, burst_repeat: int, round_index: int, add,
                 run_loadgen, loadgen, secret: str, core: str, log_dir: pathlib.Path) -> None:
    build_dir = peer_processes.REPO_ROOT / os.environ.get("SG_BUILD_DIR", "build")
    tag = {"round": round_index, "impl": impl, "scenario": "S6", "variant": f"{variant}/n={n}"}
    redis = _Redis(core, log_dir) if variant != "single" else None
    nodes = []
    try:
        node_b = _start_node(impl, secret, redis and redis.port, "B", core, log_dir, build_dir)
        nodes.append(node_b)
        node_a = None
        if redis:
            node_a = _start_node(impl, secret, redis.port, "A", core, log_dir, build_dir)
            nodes.append(node_a)
        admin = ["--admin-port", str(node_a.port)] if variant == "cross-node" else []
        common = ["--mode", "fanout", "--clients", str(n), "--processes", str(max(1, -(-n // 9500))), *admin]
        for flags in (["--messages", str(messages), "--bursts", "0"],
                      ["--messages", "0", "--bursts", "1", "--burst-repeat", str(burst_repeat)]):
            a_before = schedstat_us(node_a.process.pid) if node_a else 0.0
            r_before = schedstat_us(redis.process.pid) if redis else 0.0
            for line in run_loadgen(loadgen, node_b, [*common, *flags], 900):
                record = {**tag, **line}
                if line.get("phase") in ("paced", "burst"):
                    other = (schedstat_us(node_a.process.pid) - a_before) if node_a else 0.0
                    redis_cpu = (schedstat_us(redis.process.pid) - r_before) if redis else 0.0
                    received = line.get("received") or 0
                    record["other_node_cpu_us"] = other
                    record["redis_cpu_us"] = redis_cpu
                    if received:
                        record["cluster_cpu_us_per_delivery"] = (line.get("server_cpu_us", 0) + other) / received
                        record["redis_cpu_us_per_delivery"] = redis_cpu / received
                add(record)
        if redis and redis.integer("EXISTS", RECOVERY_STREAM):
            entries = redis.integer("XLEN", RECOVERY_STREAM)
            size = redis.integer("MEMORY", "USAGE", RECOVERY_STREAM)
            add({**tag, "phase": "redis-stream", "key": RECOVERY_STREAM, "stream_entries": entries,
                 "stream_bytes": size, "stream_bytes_per_entry": size / entries if size and entries else None})
    finally:
        for node in nodes:
            node.stop()
        if redis:
            redis.stop()


def s6_report_lines(records: list[dict], summarise, rounds: list[int]) -> list[str]:
    """The S6 table: per variant and N, cluster CPU per delivery, latency, and the ratio to single."""
    s6 = [r for r in records if r.get("scenario") == "S6" and r["impl"] == "standalone"
          and r.get("phase") in ("paced", "burst")]
    if not s6:
        return []
    ns = sorted({int(r["variant"].split("n=")[1]) for r in s6})
    lines = ["## S6 — two nodes through Redis (ours)", "",
             "Cluster CPU per delivery = both nodes' CPU / deliveries (Redis's CPU is listed apart). "
             "`×single` is the median over rounds of cluster / single-node CPU per delivery in the same round.", "",
             "| N, phase | single node | same-node (2 nodes) | cross-node (2 nodes) | Redis CPU µs / delivery, cross-node |",
             "|---|---|---|---|---|"]

    def values(variant: str, n: int, phase: str, key: str, round_index: int):
        for r in s6:
            if r["variant"] == f"{variant}/n={n}" and r["phase"] == phase and r["round"] == round_index:
                if key == "redis_per_delivery":
                    return r.get("redis_cpu_us", 0) / r["received"] if r.get("received") else None
                return r.get(key)
        return None

    for n in ns:
        for phase in ("paced", "burst"):
            single = [values("single", n, phase, "server_cpu_us_per_delivery", k) for k in rounds]
            cells = [summarise([v for v in single if v is not None])]
            for variant in ("same-node", "cross-node"):
                cluster = [values(variant, n, phase, "cluster_cpu_us_per_delivery", k) for k in rounds]
                ratios = [c / s for c, s in zip(cluster, single) if c and s]
                cell = summarise([v for v in cluster if v is not None])
                if ratios:
                    cell += f" ×{sorted(ratios)[len(ratios) // 2]:.2f}"
                cells.append(cell)
            redis = [values("cross-node", n, phase, "redis_per_delivery", k) for k in rounds]
            cells.append(summarise([v for v in redis if v is not None]))
            lines.append(f"| N={n:,}, {phase} µs/delivery | " + " | ".join(cells) + " |")
        latency = []
        for variant in VARIANTS:
            p50 = [values(variant, n, "paced", "latency_ms", k) for k in rounds]
            latency.append(summarise([v.get("p50") for v in p50 if isinstance(v, dict)]))
        lines.append(f"| N={n:,}, paced latency p50 (ms) | " + " | ".join(latency) + " | — |")
    lines += ["", "Not measured: the 3-node, ~48k-connection point (sg-loadgen drives one node's clients "
              "per run; several coordinated load generators would be needed).", ""]
    return lines
