"""One JSON line every few seconds: what the servers hold and what the clients saw.

Per node, from /proc/<pid>: RSS (VmRSS), open fds (/proc/<pid>/fd), threads, CPU seconds
(utime + stime), its accepted TCP connections (`tcp_peers`, via /proc/net/tcp) and how many of
them belong to non-readers it already disconnected as slow (`held_for_cut`: the harness keeps
those sockets open, unread, for a while); from its GET /metrics: socket_gateway_sockets, _connections (both
transports), _connects_total, _slow_disconnects_total, _deliveries_total,
_events_emitted_total, _dropped_packets_total and, in cluster mode,
_cluster_room_subscriptions (the rooms this node holds a member of: the only room-index figure
/metrics has) and _redis_connected. Redis (cluster runs): used_memory, pubsub_channels,
connected_clients from INFO. The harness: live readers / non-readers / stalled non-readers,
its own view of the room index (rooms with a member, memberships), emits and delivery totals
so far (ledger.py), latency over the interval, the event loop's worst lag, its own CPU and RSS.
"""
from __future__ import annotations

import asyncio
import json
import os
import resource
import time

_TICK = os.sysconf("SC_CLK_TCK")
NODE_METRICS = {
    "sockets": "socket_gateway_sockets",
    "connections": "socket_gateway_connections",
    "connects_total": "socket_gateway_connects_total",
    "slow_disconnects_total": "socket_gateway_slow_disconnects_total",
    "deliveries_total": "socket_gateway_deliveries_total",
    "emitted_total": "socket_gateway_events_emitted_total",
    "dropped_packets_total": "socket_gateway_dropped_packets_total",
    "room_subscriptions": "socket_gateway_cluster_room_subscriptions",
    "redis_connected": "socket_gateway_redis_connected",
}


def socket_peer_ports(pid: int, port: int) -> list[int]:
    """Remote ports of the process's TCP connections accepted on `port` (its clients' ports),
    from its socket fds' inodes matched against /proc/net/tcp."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        with open("/proc/net/tcp") as table:
            next(table)
            peers = []
            for line in table:
                fields = line.split()
                if fields[9] in inodes and int(fields[1].split(":")[1], 16) == port and fields[3] != "0A":
                    peers.append(int(fields[2].split(":")[1], 16))
        return peers
    except OSError:
        return []


def proc_figures(pid: int) -> dict:
    figures = {"rss_kb": None, "fds": None, "threads": None, "cpu_s": None}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    figures["rss_kb"] = int(line.split()[1])
                elif line.startswith("Threads:"):
                    figures["threads"] = int(line.split()[1])
        figures["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        figures["cpu_s"] = round((int(fields[11]) + int(fields[12])) / _TICK, 2)
    except (OSError, IndexError, ValueError):
        pass
    return figures


async def redis_info(port: int) -> dict:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        writer.write(b"*1\r\n$4\r\nINFO\r\n")
        header = await asyncio.wait_for(reader.readline(), 5)
        body = await asyncio.wait_for(reader.readexactly(int(header[1:]) + 2), 5)
        writer.close()
    except (OSError, asyncio.TimeoutError, ValueError, asyncio.IncompleteReadError):
        return {}
    info = dict(line.split(":", 1) for line in body.decode().splitlines() if ":" in line and not line.startswith("#"))
    return {key: int(info[key]) for key in ("used_memory", "pubsub_channels", "pubsub_patterns", "connected_clients")
            if key in info}


class LoopLag:
    """The worst delay of a 100 ms timer over the interval: how far behind the harness runs."""

    def __init__(self):
        self.worst_s = 0.0
        self._task = asyncio.create_task(self._run())

    async def _run(self):
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.1)
            self.worst_s = max(self.worst_s, time.monotonic() - before - 0.1)

    def take(self) -> float:
        worst, self.worst_s = self.worst_s, 0.0
        return round(worst * 1000, 1)


class Sampler:
    def __init__(self, out, nodes, apis, redis, started_at: float):
        self.out = out
        self.nodes = nodes
        self.apis = apis
        self.redis = redis
        self.started_at = started_at
        self.clients = None
        self.ledger = None
        self.latency = None
        self.loop_lag = LoopLag()

    async def sample(self, phase: str) -> dict:
        metrics = await asyncio.gather(*(api.metrics() for api in self.apis))
        line = {"kind": "sample", "t": round(time.monotonic() - self.started_at, 1), "phase": phase, "nodes": []}
        held = self.clients.stalled_ports() if self.clients is not None else {}
        for index, (node, values) in enumerate(zip(self.nodes, metrics)):
            figures = {"name": node.name, **proc_figures(node.pid)}
            for key, metric in NODE_METRICS.items():
                figures[key] = values.get(metric)
            peers = socket_peer_ports(node.pid, node.port)
            figures["tcp_peers"] = len(peers)
            # fds the node still holds for non-readers it already disconnected (their sid is gone)
            figures["held_for_cut"] = sum(1 for peer in peers if peer in held.get(index, ()))
            line["nodes"].append(figures)
        if self.redis is not None:
            line["redis"] = {**await redis_info(self.redis.port), **proc_figures(self.redis.pid)}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        harness = {"cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "rss_kb": proc_figures(os.getpid())["rss_kb"],
                   "loop_lag_ms": self.loop_lag.take()}
        if self.clients is not None:
            harness.update(self.clients.stats())
            harness["counts"] = dict(self.clients.counts)
        if self.ledger is not None:
            harness["totals"] = dict(self.ledger.totals)
            harness["pending_checks"] = self.ledger.pending_checks
        if self.latency is not None:
            harness["latency"] = self.latency.take_window()
        line["harness"] = harness
        self.write(line)
        return line

    def write(self, line: dict) -> None:
        self.out.write(json.dumps(line, separators=(",", ":")) + "\n")
        self.out.flush()
