#!/usr/bin/env python3
"""Reproducer (and now regression check) of a finding of the soak: a node kept the TCP connection
of a client it had cut as slow for as long as that client neither read nor closed its socket —
its fd, its queued frames and its kernel send buffer, invisible in /metrics. Fixed in 7d19f13
(a close frame stuck behind an unread write is given up after 5 s); docs/reliability.md.

    .venv/bin/python bench/soak/held_socket_probe.py --clients 20 --hold 120

Starts one socket-gateway (build/socket-gateway, --max-queue-bytes 262144), connects N
non-reading clients (TCP MSS 1460, like a client across a network), floods their user rooms
with 4 KB emits until the server has forgotten every sid (GET /api/v1/sockets/{sid}/rooms ->
404; socket_gateway_slow_disconnects_total counts them), then keeps the clients' sockets open
and unread for --hold seconds and prints, every 10 s, one JSON line: the node's sockets (from
/metrics), open fds, accepted TCP connections and the bytes still queued in their kernel send
buffers (`ss`), and its RSS. Finally the clients close (RST) and one more line shows what the
node released. Before the fix tcp_connections stayed at N and fds at baseline + N for the whole
hold; since, both are back to their baseline about 5 s after the cut. Bounded: at most --clients
connections, --hold + ~90 s.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import aiohttp  # noqa: E402  (one connection per request: no pooled API connection among the counts)

from api import NodeApi  # noqa: E402
from sampler import proc_figures, socket_peer_ports  # noqa: E402
from servers import GatewayNode  # noqa: E402
from sio_session import SioSession  # noqa: E402
from tokens import mint_hs256  # noqa: E402

SECRET, API_KEY = "probe-secret-0123456789abcdef01234567", "probe-key"


def send_queue_bytes(port: int) -> int:
    """Bytes in the send queues of the node's accepted connections (ss, server side)."""
    out = subprocess.run(["ss", "-tnH", "state", "established", "sport", f"= :{port}"], capture_output=True,
                         text=True).stdout
    return sum(int(line.split()[1]) for line in out.splitlines() if line.split())


async def main(args) -> None:
    scratch = REPO / "test-output" / "soak" / "held-socket-probe"
    scratch.mkdir(parents=True, exist_ok=True)
    node = GatewayNode("probe", REPO / "build" / "socket-gateway", SECRET, API_KEY, args.max_queue_bytes, 0,
                       scratch, None)
    node.wait_ready()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True, limit=50)) as http:
            api = NodeApi(0, node.port, API_KEY, http, collections.Counter())

            async def line(stage: str) -> None:
                metrics = await api.metrics()
                print(json.dumps({"t": round(time.monotonic() - started, 1), "stage": stage,
                                  "sockets": metrics.get("socket_gateway_sockets"),
                                  "slow_disconnects": metrics.get("socket_gateway_slow_disconnects_total"),
                                  "tcp_connections": len(socket_peer_ports(node.pid, node.port)),
                                  "send_queue_bytes": send_queue_bytes(node.port), **proc_figures(node.pid)}),
                      flush=True)

            started = time.monotonic()
            await line("started")
            clients = []
            for i in range(args.clients):
                session = SioSession(i, f"slow{i}", False, 0)
                await session.connect("127.0.0.1", node.port, mint_hs256(SECRET, f"slow{i}"), 10, mss=1460)
                session.stop_reading()
                clients.append(session)
            await line("connected, not reading")
            pad = "x" * 4000
            deadline = time.monotonic() + 60
            known = list(clients)
            while known and time.monotonic() < deadline:
                await asyncio.gather(*(api.emit("user", c.user, {"pad": pad}) for c in known for _ in range(10)))
                answers = await asyncio.gather(*(api.socket_known(c.sid) for c in known))
                known = [c for c, answer in zip(known, answers) if answer is not False]
            await line("every sid forgotten" if not known else f"{len(known)} sids still known after 60 s")
            hold_until = time.monotonic() + args.hold
            while time.monotonic() < hold_until:
                await asyncio.sleep(min(10, hold_until - time.monotonic()))
                await line("held: clients neither read nor close")
            for client in clients:
                client.abort()
            await asyncio.sleep(3)
            await line("clients reset their connections")
    finally:
        node.stop()


REPO = HERE.parents[1]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--hold", type=float, default=120)
    parser.add_argument("--max-queue-bytes", type=int, default=262144)
    asyncio.run(main(parser.parse_args()))
