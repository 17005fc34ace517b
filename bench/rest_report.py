"""The REST section of BENCHMARKS.md (bench/rest_scenario.py): per route and concurrency,
requests/s, server CPU µs per request and wrk's latency p50 / p99 for serve, uvicorn and
granian; every cell is the median over rounds (min-max), and a peer's `×r` is the median of
the per-round ratios peer / serve.

Threading: one thread.
"""
from __future__ import annotations

from report_cells import median_ratio, ratio_text, summarise, value_of

SERVER_TITLES = {
    "serve": "serve",
    "uvicorn": "uvicorn (httptools, uvloop)",
    "granian": "granian (1 worker, 1 runtime thread)",
}
# table title, key of the "rest" record
METRICS = [
    ("requests/s", "requests_per_s"),
    ("server CPU µs / request", "server_cpu_us_per_request"),
    ("latency p50 (ms)", "latency_ms.p50"),
    ("latency p99 (ms)", "latency_ms.p99"),
]


def rest_variants(records: list[dict]) -> list[str]:
    """"GET/c=1", ... in the order of the run: routes, then concurrency."""
    seen = {r["variant"] for r in records if r.get("phase") == "rest"}
    return sorted(seen, key=lambda v: (v.split("/")[0], int(v.split("c=")[1])))


def failed_rounds(records: list[dict], server: str, variant: str) -> int:
    return len({r["round"] for r in records if r["impl"] == server and r["variant"] == variant
                and r.get("phase") == "error"})


def rest_cell(records: list[dict], server: str, variant: str, key: str, rounds: list[int]) -> str:
    values = [value_of(records, server, "REST", variant, "rest", key, k) for k in rounds]
    failed = failed_rounds(records, server, variant)
    if failed:
        return f"**failed in {failed} round(s)**"
    cell = summarise(values)
    if server != "serve" and cell != "n/a":
        ratio = median_ratio(values, [value_of(records, "serve", "REST", variant, "rest", key, k) for k in rounds])
        if ratio is not None:
            cell += " " + ratio_text(ratio)
    return cell


def rest_report_lines(records: list[dict], rounds: list[int]) -> list[str]:
    rest = [r for r in records if r.get("scenario") == "REST"]
    variants = rest_variants(rest)
    if not variants:
        return []
    servers = [s for s in SERVER_TITLES if any(r["impl"] == s for r in rest)]
    sample = next(r for r in rest if r.get("phase") == "rest")
    lines = ["## REST — a FastAPI JSON API beside the gateway", "",
             "The same `ASGIApp(gateway, other_asgi_app=api)` object (bench/rest/app.py: `GET /api/status`, "
             "`POST /api/orders` with a pydantic body) served by `python -m socket_gateway serve --threads 1`, "
             "uvicorn `--http httptools --loop uvloop` and granian `--interface asgi --workers 1 "
             "--runtime-threads 1 --loop uvloop`, access logs off; server pinned to core 0, "
             f"wrk `-t1 -cN` pinned to core 1 over keep-alive connections, {sample['wrk_duration_us'] / 1e6:.0f} s "
             "per cell. Server CPU: every thread of the server's process tree over the wrk run. "
             "`×r`: median over rounds of server / serve in the same round.", ""]
    for title, key in METRICS:
        lines += [f"**{title}**", "",
                  "| route, connections | " + " | ".join(SERVER_TITLES[s] for s in servers) + " |",
                  "|---|" + "---|" * len(servers)]
        for variant in variants:
            route, connections = variant.split("/")
            cells = [rest_cell(rest, server, variant, key, rounds) for server in servers]
            lines.append(f"| {route}, {connections} | " + " | ".join(cells) + " |")
        lines.append("")
    busy_client = [r for r in rest if r.get("phase") == "rest" and (r.get("client_cpu_util") or 0) > 0.9]
    if busy_client:
        lines += [f"Note: wrk used > 90 % of its core in {len(busy_client)} REST cell(s) (`client_cpu_util`); "
                  "their requests/s are bounded by the client.", ""]
    return lines
