"""The targets `python -m socket_gateway serve` is measured against, as a section of
BENCHMARKS.md: serve / reference (median over rounds of the per-round ratio) beside its limit.

  against the standalone server   CPU per connect (S1) and per delivery, paced and burst (S3),
                                  within 1.2×; memory per idle connection (S2) within 1.5×
  against other ASGI servers      REST CPU per request no more than uvicorn's (1.0×) and within
                                  1.1× of granian's, on the same app (bench/rest_scenario.py)

Threading: one thread.
"""
from __future__ import annotations

from report_cells import fmt, median_ratio, summarise, value_of

# title, scenario, variant (None: each S3 / REST variant of the run), phase, key, reference, limit
TARGETS = [
    ("CPU µs / connect", "S1", "storm", "connect", "server_cpu_us_per_connect", "standalone", 1.2),
    ("RSS KiB / idle connection", "S2", "idle", "idle", "rss_kib_per_connection", "standalone", 1.5),
    ("PSS KiB / idle connection", "S2", "idle", "idle", "pss_kib_per_connection", "standalone", 1.5),
    ("paced CPU µs / delivery", "S3", None, "paced", "server_cpu_us_per_delivery", "standalone", 1.2),
    ("burst CPU µs / delivery", "S3", None, "burst", "server_cpu_us_per_delivery", "standalone", 1.2),
    ("CPU µs / request", "REST", None, "rest", "server_cpu_us_per_request", "uvicorn", 1.0),
    ("CPU µs / request", "REST", None, "rest", "server_cpu_us_per_request", "granian", 1.1),
]
REFERENCE_TITLES = {"standalone": "standalone server", "uvicorn": "uvicorn", "granian": "granian"}


def variants_in(records: list[dict], scenario: str, phase: str) -> list[str]:
    seen = {r["variant"] for r in records if r["scenario"] == scenario and r.get("phase") == phase}
    return sorted(seen, key=lambda v: (v.split("/")[0], int(v.rsplit("=", 1)[1])))


def serve_target_lines(records: list[dict], rounds: list[int]) -> list[str]:
    if not any(r["impl"] == "serve" for r in records):
        return []
    rows = []
    for title, scenario, variant, phase, key, reference, limit in TARGETS:
        for each in [variant] if variant else variants_in(records, scenario, phase):
            serve = [value_of(records, "serve", scenario, each, phase, key, k) for k in rounds]
            base = [value_of(records, reference, scenario, each, phase, key, k) for k in rounds]
            ratio = median_ratio(serve, base)
            if ratio is None:
                continue
            met = "yes" if ratio <= limit else "**no**"
            label = f"{title}, {scenario} {each}" if not variant else f"{title}, {scenario}"
            rows.append(f"| {label} | {summarise(serve)} | {REFERENCE_TITLES[reference]}: {summarise(base)} "
                        f"| ×{fmt(ratio)} | ≤ ×{limit:g} | {met} |")
    if not rows:
        return []
    return ["## serve against its targets", "",
            "`serve / reference`: the median over rounds of serve's figure / the reference's in the same round.",
            "", "| figure | serve | reference | serve / reference | target | met |", "|---|---|---|---|---|---|",
            *rows, ""]
