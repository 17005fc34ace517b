"""One soak run, one topology: the phases, in order, each bounded in time.

  baseline  the nodes (and Redis) just started, no client: 3 samples, 2 s apart
  warmup    clients ramp up and churn, emits flow (the first `warmup_s` of the load)
  load      the same until `seconds` after the load began
  drain     stop: the emit streams stop, every slot disconnects its session (readers as they
            would, non-readers dropped), the ledger's last checks run and every session is
            finalized; then wait (up to 60 s) until every node reports 0 sockets and 0
            Engine.IO connections
  settled   5 samples, 3 s apart, with no client at all: what the nodes kept
Then one `summary` line (totals, verdict inputs, counts) and the nodes are stopped (SIGTERM;
their exit codes go in the summary). Every line goes to the run's JSONL file.
"""
from __future__ import annotations

import asyncio
import collections
import json
import pathlib
import random
import time

import aiohttp

from api import NodeApi
from churn import Clients
from emitter import Emitter
from latency import LatencyStats
from ledger import Ledger
from load_profile import Profile
from sampler import Sampler
from servers import start_servers

SECRET = "soak-secret-0123456789abcdef0123456789"
API_KEY = "soak-api-key"


async def run_soak(topology: str, seconds: float, warmup_s: float, interval_s: float, profile: Profile,
                   build_dir: pathlib.Path, scratch: pathlib.Path, jsonl: pathlib.Path, seed: int) -> dict:
    node_count = 2 if topology == "cluster" else 1
    nodes, redis, binary = await asyncio.to_thread(start_servers, node_count, build_dir, scratch, SECRET, API_KEY,
                                           profile.max_queue_bytes, profile.server_threads)
    exit_codes = {}
    with jsonl.open("w") as out:
        try:
            summary = await _phases(topology, seconds, warmup_s, interval_s, profile, nodes, redis, out, seed, binary)
        finally:
            for node in nodes:
                exit_codes[node.name] = node.stop()
            if redis:
                redis.stop()
            (scratch / "socket-gateway").unlink(missing_ok=True)  # the logs stay; the 40 MB copy goes
        summary["exit_codes"] = exit_codes
        out.write(json.dumps(summary, separators=(",", ":")) + "\n")
    return summary


async def _phases(topology, seconds, warmup_s, interval_s, profile, nodes, redis, out, seed, binary) -> dict:
    tally: collections.Counter = collections.Counter()
    # The sampler's requests close their connection (a pooled keep-alive connection would be one
    # more fd in the node at one sample and not the next); the backend's pool is closed before
    # the settled samples.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as probe_http:
        probes = [NodeApi(i, node.port, API_KEY, probe_http, collections.Counter()) for i, node in enumerate(nodes)]
        return await _with_backend(topology, seconds, warmup_s, interval_s, profile, nodes, redis, out, seed, tally,
                                   probes, binary)


async def _with_backend(topology, seconds, warmup_s, interval_s, profile, nodes, redis, out, seed, tally,
                        probes, binary) -> dict:
    started_at = time.monotonic()
    sampler = Sampler(out, nodes, probes, redis, started_at)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=128, limit_per_host=64))
    try:
        apis = [NodeApi(i, node.port, API_KEY, http, tally) for i, node in enumerate(nodes)]
        sampler.write({"kind": "run", "topology": topology, "seconds": seconds, "warmup_s": warmup_s,
                       "interval_s": interval_s, "seed": seed, "profile": profile.as_dict(),
                       "nodes": [{"name": n.name, "port": n.port, "pid": n.pid, "argv": n.argv} for n in nodes],
                       "redis_port": redis.port if redis else None, "binary": binary,
                       "wall_clock": time.strftime("%Y-%m-%dT%H:%M:%S")})
        for _ in range(3):
            await sampler.sample("baseline")
            await asyncio.sleep(2)

        ledger = Ledger()
        latency = LatencyStats()
        load_started = time.monotonic()
        clients = Clients(profile, ledger, apis, [n.port for n in nodes], SECRET, random.Random(seed), latency.add,
                          load_started)
        emitter = Emitter(profile, ledger, apis, clients)
        sampler.clients, sampler.ledger, sampler.latency = clients, ledger, latency
        clients.start()
        emitting = asyncio.create_task(emitter.run(clients.stop))
        while (elapsed := time.monotonic() - load_started) < seconds:
            await asyncio.sleep(min(interval_s, seconds - elapsed))
            clients.finalize_due(time.monotonic())
            await sampler.sample("warmup" if time.monotonic() - load_started < warmup_s else "load")

        drain_started = time.monotonic()
        finishing = asyncio.create_task(clients.finish(timeout=60))
        while not finishing.done():
            await asyncio.wait([finishing], timeout=interval_s)
            await sampler.sample("drain")
        await asyncio.wait([emitting], timeout=30)
        deadline = time.monotonic() + 30
        while ledger.pending_checks and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        clients.finalize_due(time.monotonic(), everything=True)
        await http.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = await sampler.sample("drain")
            if all(n["sockets"] == 0 and n["connections"] == 0 for n in line["nodes"]):
                break
            await asyncio.sleep(2)
        drain_s = time.monotonic() - drain_started
        await asyncio.sleep(3)
        for _ in range(5):
            await sampler.sample("settled")
            await asyncio.sleep(3)
        return {"kind": "summary", "topology": topology, "load_s": round(seconds, 1), "drain_s": round(drain_s, 1),
                "totals": dict(ledger.totals), "counts": dict(clients.counts), "latency": latency.overall(),
                "api": {f"{op} {status}": n for (op, status), n in sorted(tally.items())},
                "non_reader_cut_after_s": _spread(clients.cut_after_s), "lost_samples": ledger.lost_samples,
                "emits_registered": len(ledger.emits), "pending_checks_left": ledger.pending_checks}
    finally:
        await http.close()


def _spread(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {"n": len(ordered), "min": round(ordered[0], 1), "p50": round(ordered[len(ordered) // 2], 1),
            "p90": round(ordered[int(0.9 * len(ordered))], 1), "max": round(ordered[-1], 1)}
