"""The recovery section of BENCHMARKS.md: our standalone server with connection-state recovery on
(implementation `recovery`: --recovery-max-disconnection 120000, so every emit takes an offset
and is kept in the in-memory log) against the same server with it off (`standalone`), cell by
cell, in the same round:
  S2  RSS and PSS per idle connection, RSS after the clients went away (sessions are kept)
  S3  server CPU per delivery, paced and burst, and the paced latency, per N
  S6  the two-node cluster's CPU per delivery (every node started with the same flag) and
      Redis's CPU, per variant; the recovery stream's size in Redis when the key exists
`on / off` is the median over rounds of the per-round ratio. The issue's target (issue 10,
item 6): on ≤ 1.25× off per delivery. A cell is marked noisy when other processes used more
than a quarter of a core during its on or its off phase (in S6, after taking away the second
node's and Redis's CPU, which sg-loadgen counts as other).

Threading: one thread; pure functions over the records of a run.
"""
from __future__ import annotations

import statistics

from report_cells import fmt, median_ratio, summarise, value_of

IMPL = "recovery"
SCENARIOS = ("S2", "S3", "S6")  # where bench/run.py measures it beside `standalone`
TARGET = 1.25
NOISY_OTHER_CPU = 0.25
S6_VARIANTS = ("single", "same-node", "cross-node")

# title, scenario, phase, key, target (None: no target), only for the two-node variants of S6
ROWS = [
    ("RSS KiB / idle connection", "S2", "idle", "rss_kib_per_connection", None, False),
    ("PSS KiB / idle connection", "S2", "idle", "pss_kib_per_connection", None, False),
    ("RSS MiB after disconnect", "S2", "idle", "rss_kib_after_disconnect", None, False),
    ("paced CPU µs / delivery", "S3", "paced", "server_cpu_us_per_delivery", TARGET, False),
    ("burst CPU µs / delivery", "S3", "burst", "server_cpu_us_per_delivery", TARGET, False),
    ("paced latency p50 (ms)", "S3", "paced", "latency_ms.p50", None, False),
    ("paced cluster CPU µs / delivery", "S6", "paced", "cluster_cpu_us_per_delivery", TARGET, False),
    ("burst cluster CPU µs / delivery", "S6", "burst", "cluster_cpu_us_per_delivery", TARGET, False),
    ("burst Redis CPU µs / delivery", "S6", "burst", "redis_cpu_us_per_delivery", None, True),
]


def _variants(records: list[dict], scenario: str) -> list[str]:
    seen = {r["variant"] for r in records if r["impl"] == IMPL and r["scenario"] == scenario
            and r.get("phase") not in (None, "error", "connect")}
    if scenario == "S6":  # "same-node/n=2000": by N, then in the scenario's order
        return sorted(seen, key=lambda v: (int(v.split("n=")[1]), S6_VARIANTS.index(v.split("/")[0])))
    if scenario == "S3":
        return sorted(seen, key=lambda v: int(v.split("=")[1]))
    return sorted(seen)


def _other_cpu(record: dict | None) -> float:
    """Cores used by everything else during the phase; in S6 without the cluster's own node A and Redis."""
    if not record:
        return 0.0
    other = record.get("other_cpu_util") or 0.0
    wall = record.get("wall_s") or 0.0
    if record.get("scenario") == "S6" and wall > 0:
        other -= ((record.get("other_node_cpu_us") or 0.0) + (record.get("redis_cpu_us") or 0.0)) / 1e6 / wall
    return max(0.0, other)


def _phase_line(records: list[dict], impl: str, scenario: str, variant: str, phase: str, round_index: int):
    return next((r for r in records if r["impl"] == impl and r["scenario"] == scenario and r["variant"] == variant
                 and r["round"] == round_index and r.get("phase") == phase), None)


def _noisy(records: list[dict], scenario: str, variant: str, phase: str, rounds: list[int]) -> str:
    flagged = [label for label, impl in (("off", "standalone"), ("on", IMPL))
               if any(_other_cpu(_phase_line(records, impl, scenario, variant, phase, k)) > NOISY_OTHER_CPU
                      for k in rounds)]
    return " and ".join(flagged) if flagged else "—"


def _stream_lines(records: list[dict], rounds: list[int]) -> list[str]:
    streams = [r for r in records if r["impl"] == IMPL and r.get("phase") == "redis-stream" and r["round"] in rounds]
    if not streams:
        return []
    lines = ["", "Redis stream after the run (`MEMORY USAGE`, `XLEN`; the recovery-off run has no stream):", "",
             "| S6 variant | key | entries | KiB | bytes / entry |", "|---|---|---|---|---|"]
    for variant in sorted({r["variant"] for r in streams}):
        mine = [r for r in streams if r["variant"] == variant]
        entries = statistics.median([r.get("stream_entries") or 0 for r in mine])
        lines.append(f"| {variant} | `{mine[0]['key']}` | {entries:,.0f} "
                     f"| {summarise([(r.get('stream_bytes') or 0) / 1024 for r in mine])} "
                     f"| {summarise([r.get('stream_bytes_per_entry') for r in mine])} |")
    return lines


def recovery_report_lines(records: list[dict], source: str | None = None) -> list[str]:
    """The section, from the records of one run (`source`: where they come from, when not the
    run the rest of the report is from); [] when the run did not measure `recovery`."""
    records = [r for r in records if r["impl"] in ("standalone", IMPL) and r["scenario"] in SCENARIOS]
    rounds = sorted({r["round"] for r in records if r["impl"] == IMPL})
    if not rounds:
        return []
    rows = []
    for scenario in SCENARIOS:
        for variant in _variants(records, scenario):
            for title, row_scenario, phase, key, target, two_nodes_only in ROWS:
                if row_scenario != scenario or (two_nodes_only and variant.startswith("single")):
                    continue
                on = [value_of(records, IMPL, scenario, variant, phase, key, k) for k in rounds]
                off = [value_of(records, "standalone", scenario, variant, phase, key, k) for k in rounds]
                ratio = median_ratio(on, off)
                ratio_cell = f"×{fmt(ratio)}" if ratio is not None else "n/a"
                target_cell = f"≤ ×{target:g}" if target else "—"
                met = "—" if not target or ratio is None else ("yes" if ratio <= target else "**no**")
                label = f"{title}, {scenario}" + (f" {variant}" if scenario != "S2" else "")
                rows.append(f"| {label} | {summarise(off)} | {summarise(on)} | {ratio_cell} | {target_cell} | {met} "
                            f"| {_noisy(records, scenario, variant, phase, rounds)} |")
    lines = ["## Connection-state recovery: on against off (ours)", "",
             "`socket-gateway` as in the column `ours`, with `--recovery-max-disconnection 120000` (on: every emit "
             "takes an offset, carries it as its last argument and is kept in the in-memory log — in S6 every emit goes "
             "through the Redis stream script instead and every node delivers it from Redis) and without it "
             "(off), each on a fresh server in the same round, one after the other; in S6 every node of a run is "
             "started the same way. Per delivery: the server's CPU (S3) or both nodes' CPU (S6) over the phase / "
             "deliveries; the unit of work of S2 is one idle connection. `on / off`: the median over rounds of "
             f"on / off in the same round ({len(rounds)} round(s)). Target (issue 10): on ≤ ×{TARGET:g} off per "
             f"delivery. `noisy`: other processes used > {NOISY_OTHER_CPU:.0%} of a core during that phase (S6: "
             "besides node A and Redis).", ""]
    if source:
        lines += [f"From {source}, a run of this comparison alone (`bench/run.py --only recovery`); the other "
                  "sections come from the run named at the top.", ""]
    lines += ["| figure | off | on | on / off | target | met | noisy |", "|---|---|---|---|---|---|---|", *rows]
    lines += _stream_lines(records, rounds)
    errors = [r for r in records if r.get("phase") == "error"]
    if source and errors:  # a run of its own: its failures are not listed elsewhere in the report
        lines.append("")
        lines += [f"- did not complete: round {r['round'] + 1}, {r['impl']}, {r['scenario']} {r['variant']}: "
                  f"{r['error']}" for r in errors]
    return lines + [""]

