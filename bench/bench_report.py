"""The report of bench/run.py: BENCHMARKS.md tables (per scenario, median (min-max) over rounds
and per-round ratios peer/ours; S6, recovery on against off, REST and serve's targets from their
own modules) and the PNG charts, from the tagged records of a run. The recovery section may come
from another run (`bench/run.py --only recovery`) than the rest of the report.

Threading: one thread.
"""
from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess

import cluster_scenario
from recovery_report import recovery_report_lines
from rest_report import rest_report_lines
from serve_targets import serve_target_lines
from report_cells import median_ratio, ratio_text, summarise, value_of

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"
CLIENTS_PER_PROCESS = 9500  # well under the ~20,000 fds a loadgen process may hold

IMPLEMENTATIONS = {  # contract name -> column title (`recovery` has a section of its own)
    "standalone": "ours",
    "serve": "serve mode",
    "asgi": "ASGI mode",
    "node": "Node socket.io",
    "python": "python-socketio",
}


def ladder_ceiling_hit(records: list[dict], impl: str, scenario: str, variant: str) -> bool:
    """Whether a ladder passed its highest rate in some round (the real maximum is higher)."""
    return any(r.get("phase") == "ladder" and r.get("top_rate_passed") for r in records
               if r["impl"] == impl and r["scenario"] == scenario and r["variant"] == variant)


def table_cell(records: list[dict], impl: str, scenario: str, variant: str, phase: str, key: str,
               rounds: list[int]) -> str:
    """median (min-max) over rounds, then for a peer ×(median of per-round peer/ours)."""
    values = [value_of(records, impl, scenario, variant, phase, key, k) for k in rounds]
    cell = summarise(values)
    if cell == "n/a":
        return cell
    if key == "max_sustained_rate" and ladder_ceiling_hit(records, impl, scenario, variant):
        cell = "≥ " + cell
    # "at max" figures of a ladder come from different rates per implementation: no ratio
    comparable = key != "exact" and (phase != "ladder" or key == "max_sustained_rate")
    if impl != "standalone" and comparable:
        ours = [value_of(records, "standalone", scenario, variant, phase, key, k) for k in rounds]
        ratio = median_ratio(values, ours)
        if ratio is not None:
            cell += " " + ratio_text(ratio)
    return cell


# row title, scenario, variant (None: every variant of the scenario, one row each), phase, key, floor key
ROWS = [
    ("connects/s", "S1", "storm", "connect", "connects_per_s", None),
    ("connect latency p50 (ms)", "S1", "storm", "connect", "latency_ms.p50", None),
    ("connect latency p99 (ms)", "S1", "storm", "connect", "latency_ms.p99", None),
    ("server CPU µs / connect", "S1", "storm", "connect", "server_cpu_us_per_connect", None),
    ("refusals/s (bad signature)", "S1", "storm/bad-signature", "connect", "connects_per_s", None),
    ("server CPU µs / refusal", "S1", "storm/bad-signature", "connect", "server_cpu_us_per_connect", None),
    ("RSS KiB / connection", "S2", "idle", "idle", "rss_kib_per_connection", None),
    ("PSS KiB / connection", "S2", "idle", "idle", "pss_kib_per_connection", None),
    ("RSS MiB held", "S2", "idle", "idle", "rss_kib_held", None),
    ("RSS MiB after disconnect", "S2", "idle", "idle", "rss_kib_after_disconnect", None),
    ("clients alive after hold", "S2", "idle", "idle", "alive_after_hold", None),
    ("pings answered per client", "S2", "idle", "idle", "pings_per_client", None),
    ("paced latency p50 (ms)", "S3", None, "paced", "latency_ms.p50", None),
    ("paced latency p99 (ms)", "S3", None, "paced", "latency_ms.p99", None),
    ("time to last client p50 (ms)", "S3", None, "paced", "time_to_last_ms.p50", None),
    ("time to last client p99 (ms)", "S3", None, "paced", "time_to_last_ms.p99", None),
    ("burst deliveries/s", "S3", None, "burst", "deliveries_per_s", None),
    ("burst server CPU µs / delivery", "S3", None, "burst", "server_cpu_us_per_delivery", "cpu_us_per_send"),
    ("paced server CPU µs / delivery", "S3", None, "paced", "server_cpu_us_per_delivery", "cpu_us_per_send"),
    ("exact counts (all rounds)", "S3", None, "burst", "exact", None),
    ("max sustained emits/s", "S4", None, "ladder", "max_sustained_rate", None),
    ("server CPU µs / delivery at max", "S4", None, "ladder", "server_cpu_us_per_delivery", None),
    ("p99 at max (ms)", "S4", None, "ladder", "latency_ms.p99", None),
    ("max sustained room emits/s", "S5", None, "ladder", "max_sustained_rate", None),
    ("deliveries/s at max", "S5", None, "ladder", "deliveries_per_s", None),
    ("server CPU µs / delivery at max", "S5", None, "ladder", "server_cpu_us_per_delivery", None),
    ("p99 at max (ms)", "S5", None, "ladder", "latency_ms.p99", None),
]
SCENARIO_TITLES = {
    "S1": "S1 — connect storm", "S2": "S2 — idle hold", "S3": "S3 — fan-out to everyone",
    "S4": "S4 — emit_to_user open-loop ladder", "S5": "S5 — random-room emits ladder",
}


def variants_of(records: list[dict], scenario: str) -> list[str]:
    seen: list[str] = []
    for r in records:
        if r["scenario"] == scenario and r["variant"] not in seen and "/" not in r["variant"]:
            seen.append(r["variant"])
    return sorted(seen, key=lambda v: (len(v), v))


def git_describe() -> str:
    """The commit the run was made from, with "+dirty" when the working tree had changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_records(jsonl_path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in jsonl_path.read_text().splitlines() if line.strip()]


def report_source(report: pathlib.Path) -> pathlib.Path | None:
    """The .jsonl an existing report was generated from (named in its first paragraph), if it is still there."""
    if not report.exists():
        return None
    found = re.search(r"from `(bench/results/[^`]+\.jsonl)`", report.read_text())
    path = REPO_ROOT / found.group(1) if found else None
    return path if path and path.exists() else None


def run_description(records: list[dict], jsonl_path: pathlib.Path) -> str:
    meta = next((r for r in records if r["impl"] == "meta"), {})
    commit = f"commit {meta['commit']}, " if meta.get("commit") else ""
    return f"`{jsonl_path.relative_to(REPO_ROOT)}` ({meta.get('profile', 'profile not recorded')}; {commit}" \
           f"server from `{meta.get('server_build', '?')}`)"


def write_report(records: list[dict], jsonl_path: pathlib.Path, report: pathlib.Path,
                 recovery_run: tuple[list[dict], pathlib.Path] | None = None) -> pathlib.Path:
    """Writes the report of `records` to `report`; its recovery section from `recovery_run`
    (records, .jsonl) instead when given."""
    meta = next((r for r in records if r["impl"] == "meta"), {})
    records = [r for r in records if r["impl"] != "meta"]
    impls = [i for i in IMPLEMENTATIONS if any(r["impl"] == i and r["scenario"] in SCENARIO_TITLES for r in records)]
    rounds = sorted({r["round"] for r in records})
    source = f"commit {meta['commit']}, " if meta.get("commit") else ""
    lines = ["# Benchmarks", "",
             f"Generated by `bench/run.py` ({meta.get('profile', 'profile not recorded')}; {source}"
             f"server from `{meta.get('server_build', '?')}`) on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
             f"from `{jsonl_path.relative_to(REPO_ROOT)}`: {len(rounds)} round(s), {platform.machine()}, "
             f"{os.cpu_count()} cores, kernel {platform.release()}.",
             "Server pinned to core 0 (`taskset`), load generator (`sg-loadgen`) to core 1, loopback TCP. "
             "Each cell: median over rounds (min–max); `×r` is the median over rounds of peer / ours in "
             "the same round (none for the ladders' \"at max\" rows: each implementation's max is another rate). Server CPU comes from `/proc/<pid>/task/*/schedstat` (all threads). "
             "Floor: the kernel's CPU per `send()` of 128 bytes to distinct sockets (bench/floor/send_floor.c, "
             f"at most {CLIENTS_PER_PROCESS:,} connections) — a server writing once per delivery cannot go below it.",
             ""]
    for scenario in ["S1", "S2", "S3", "S4", "S5"]:
        rows = [row for row in ROWS if row[1] == scenario]
        if not any(r["scenario"] == scenario for r in records):
            continue
        lines += [f"## {SCENARIO_TITLES[scenario]}", "",
                  "| | " + " | ".join(IMPLEMENTATIONS[i] for i in impls) + " | floor |",
                  "|---|" + "---|" * (len(impls) + 1)]
        ordered = [(row, row[2]) for row in rows if row[2]]
        ordered += [(row, variant) for variant in variants_of(records, scenario) for row in rows if not row[2]]
        for (title, _, fixed_variant, phase, key, floor_key), variant in ordered:
            cells = [table_cell(records, impl, scenario, variant, phase, key, rounds) for impl in impls]
            floor_cell = "—"
            if floor_key:
                floors = [r.get(floor_key) for r in records if r["impl"] == "floor" and r["variant"] == variant]
                floor_cell = summarise(floors) if floors else "n/a"
            label = title if fixed_variant else f"{title}, {variant}"
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {floor_cell} |")
        lines.append("")
    lines += cluster_scenario.s6_report_lines(records, summarise, rounds)
    if recovery_run:
        lines += recovery_report_lines([r for r in recovery_run[0] if r["impl"] != "meta"],
                                       run_description(*recovery_run))
    else:
        lines += recovery_report_lines(records)
    lines += rest_report_lines(records, rounds)
    lines += serve_target_lines(records, rounds)
    errors = [r for r in records if r.get("phase") == "error"]
    if errors:
        lines += ["## Runs that did not complete", ""]
        lines += [f"- round {r['round'] + 1}, {r['impl']}, {r['scenario']} {r['variant']}: {r['error']}" for r in errors]
        lines.append("")
    busy = [r for r in records if (r.get("other_cpu_util") or 0) > 0.25]
    if busy:
        worst = max(r["other_cpu_util"] for r in busy)
        lines += [f"Note: other processes on this machine used > 25 % of a core during {len(busy)} measured "
                  f"phase(s) (up to {worst:.0%}; `other_cpu_util` in the .jsonl); those figures are noisier.", ""]
    saturated = [r for r in records if (r.get("loadgen_cpu_util") or 0) > 0.9]
    if saturated:
        lines += ["Note: in some phases the load generator itself used > 90 % of its core "
                  f"({len(saturated)} phase(s)); those rates are bounded by the client side.", ""]
    charts = write_charts(records, impls, rounds, jsonl_path.stem)
    if charts:
        lines += ["## Charts", ""]
        lines += [f"![{title}]({os.path.relpath(path, report.parent)})" for title, path in charts] + [""]
    lines += ["How to run: `make bench` (quick) or `make bench-full`; see bench/README.md.", ""]
    report.write_text("\n".join(lines))
    return report


CHARTS = [("Fan-out latency vs N", "latency-vs-n"), ("Server CPU per delivery vs N", "cpu-per-delivery-vs-n")]


def write_charts(records: list[dict], impls: list[str], rounds: list[int], stem: str):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # the charts drawn earlier from the same run, if any
        drawn = [(title, RESULTS_DIR / f"{stem}-{suffix}.png") for title, suffix in CHARTS]
        return [(title, path) for title, path in drawn if path.exists()]
    ns = sorted({int(v.split("=")[1]) for v in variants_of(records, "S3") if v.startswith("n=")})
    if not ns:
        return []

    def median_at(impl: str, n: int, phase: str, key: str):
        values = [value_of(records, impl, "S3", f"n={n}", phase, key, k) for k in rounds]
        values = [v for v in values if isinstance(v, (int, float))]
        return statistics.median(values) if values else None

    charts = []
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for index, impl in enumerate(impls):
        for key, style in (("latency_ms.p50", "-o"), ("latency_ms.p99", "--^")):
            points = [(n, median_at(impl, n, "paced", key)) for n in ns]
            points = [(n, v) for n, v in points if v]
            if points:
                axis.plot(*zip(*points), style, color=f"C{index}", label=f"{IMPLEMENTATIONS[impl]} {key.split('.')[1]}")
    axis.set(xscale="log", yscale="log", xlabel="connected clients N", ylabel="paced broadcast latency (ms)",
             title="Fan-out latency vs N (p50 solid, p99 dashed)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7)
    path = RESULTS_DIR / f"{stem}-latency-vs-n.png"
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    charts.append(("Fan-out latency vs N", path))

    figure, axis = plt.subplots(figsize=(7, 4.5))
    for index, impl in enumerate(impls):
        points = [(n, median_at(impl, n, "burst", "server_cpu_us_per_delivery")) for n in ns]
        points = [(n, v) for n, v in points if v]
        if points:
            axis.plot(*zip(*points), "-o", color=f"C{index}", label=IMPLEMENTATIONS[impl])
    floor_points = []
    for n in ns:
        values = [r["cpu_us_per_send"] for r in records if r["impl"] == "floor" and r["variant"] == f"n={n}"]
        if values:
            floor_points.append((n, statistics.median(values)))
    if floor_points:
        axis.plot(*zip(*floor_points), ":k", label="send() floor")
    axis.set(xscale="log", yscale="log", xlabel="connected clients N", ylabel="server CPU µs per delivery",
             title="Burst fan-out: server CPU per delivery vs N")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    path = RESULTS_DIR / f"{stem}-cpu-per-delivery-vs-n.png"
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    charts.append(("Server CPU per delivery vs N", path))
    return charts
