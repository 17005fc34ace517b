#!/usr/bin/env python3
"""The benchmark orchestrator behind `make bench` (quick) and `make bench-full`.

Runs scenarios S1-S6 and the send-floor probe against every implementation of the bench
contract (bench/peers/README.md): ours standalone, ours in ASGI mode, Node socket.io,
python-socketio. Each server is started fresh for each scenario with the contract's command
(bench/peers/peer_processes.py) and pinned to core 0; the load generator (bench/loadgen,
sg-loadgen) runs pinned to core 1. Within a round the implementations take turns scenario by
scenario (the order rotates every round), so slow drifts of the machine hit all of them alike;
ratios peer/ours are computed within one round, then summarised over rounds as
median (min-max).

  S1 connect storm   N connects with W in flight; and the same with bad signatures (refusals)
  S2 idle hold       N clients held through pings; RSS/PSS per connection, RSS after disconnect
  S3 fan-out         per N: paced broadcasts (latency, time to last client) and bursts
                     (deliveries/s, server CPU per delivery)
  S4 user ladder     open-loop emit_to_user rates; max sustained rate (>= 99 % delivered, p99 < 500 ms)
  S5 rooms ladder    random-room emits over a room layout; max sustained rate
  S6 cluster         ours only: two nodes through Redis, same-node and cross-node fan-out
                     beside a single node (bench/cluster_scenario.py)
  floor              bench/floor/send_floor.c: the kernel's CPU per send() on this machine

Output: bench/results/<timestamp>.jsonl (every loadgen line, tagged), BENCHMARKS.md at the
repository root (tables per scenario; a run of a subset of implementations or scenarios writes
bench/results/<timestamp>.md instead) and PNG charts under bench/results/.

    .venv/bin/python bench/run.py --quick            # make bench (<= 15 min on 2 cores)
    .venv/bin/python bench/run.py --full             # make bench-full (5 rounds, larger N)
    .venv/bin/python bench/run.py --report bench/results/X.jsonl   # redo the report only
Options: --impls standalone,node  --scenarios S3,S4  --rounds R  --output REPORT.md

Threading: one thread; servers and loadgens are child processes, one at a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench" / "peers"))
import peer_processes  # noqa: E402  (the contract's start commands)
sys.path.insert(0, str(REPO_ROOT / "bench"))
import cluster_scenario  # noqa: E402  (S6)

RESULTS_DIR = REPO_ROOT / "bench" / "results"
LOADGEN_BUILD = REPO_ROOT / os.environ.get("SG_LOADGEN_BUILD_DIR", "build-loadgen")
SECRET = "bench-secret-0123456789abcdef0123456789"
SERVER_CORE, LOADGEN_CORE = "0", "1"
CLIENTS_PER_PROCESS = 9500  # well under the ~20,000 fds a loadgen process may hold

IMPLEMENTATIONS = {  # contract name -> column title
    "standalone": "ours",
    "asgi": "ASGI mode",
    "node": "Node socket.io",
    "python": "python-socketio",
}


@dataclasses.dataclass
class Profile:
    rounds: int
    connect_clients: int
    connect_window: int
    bad_signature_clients: int
    idle_clients: int
    idle_hold_s: int
    fanout_clients: list[int]
    fanout_messages: int
    burst_repeat: int
    ladder_users: int
    user_rates: list[int]
    room_layouts: list[str]
    room_rates: list[int]
    step_s: float
    drain_s: float
    cluster_clients: list[int]


QUICK = Profile(rounds=1, connect_clients=2000, connect_window=200, bad_signature_clients=500,
                idle_clients=2000, idle_hold_s=55, fanout_clients=[1000, 5000], fanout_messages=50,
                burst_repeat=50, ladder_users=1000, user_rates=[1000, 2000, 5000, 10000, 20000, 50000, 100000],
                room_layouts=["1000x10"], room_rates=[100, 200, 500, 1000, 2000, 5000, 10000], step_s=2, drain_s=2,
                cluster_clients=[2000])
FULL = Profile(rounds=5, connect_clients=10000, connect_window=500, bad_signature_clients=2000,
               idle_clients=19000, idle_hold_s=80, fanout_clients=[1000, 5000, 10000, 19000], fanout_messages=50,
               burst_repeat=50, ladder_users=5000,
               user_rates=[1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000],
               room_layouts=["1000x10", "1x5000,999x5"], room_rates=[100, 200, 500, 1000, 2000, 5000, 10000, 20000],
               step_s=5, drain_s=3, cluster_clients=[5000, 10000])


# ---------------------------------------------------------------------------------------------
# Running things
# ---------------------------------------------------------------------------------------------

def ensure_binaries() -> tuple[pathlib.Path, pathlib.Path]:
    """sg-loadgen (CMake, Release) and send_floor (cc -O2), built into LOADGEN_BUILD if missing."""
    loadgen = LOADGEN_BUILD / "sg-loadgen"
    subprocess.run(["cmake", "-S", str(REPO_ROOT / "bench" / "loadgen"), "-B", str(LOADGEN_BUILD), "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(LOADGEN_BUILD), "-j2"], check=True, stdout=subprocess.DEVNULL)
    floor = LOADGEN_BUILD / "send_floor"
    source = REPO_ROOT / "bench" / "floor" / "send_floor.c"
    if not floor.exists() or floor.stat().st_mtime < source.stat().st_mtime:
        subprocess.run(["cc", "-O2", "-o", str(floor), str(source), "-lpthread"], check=True)
    return loadgen, floor


class Recorder:
    """Appends tagged records to the run's JSON-lines file and keeps them for the report."""

    def __init__(self, path: pathlib.Path):
        self.path = path
        self.records: list[dict] = []

    def add(self, record: dict) -> None:
        self.records.append(record)
        with self.path.open("a") as out:
            out.write(json.dumps(record) + "\n")


def processes_for(clients: int) -> int:
    return max(1, math.ceil(clients / CLIENTS_PER_PROCESS))


def run_loadgen(loadgen: pathlib.Path, peer, flags: list[str], timeout_s: float) -> list[dict]:
    """Runs sg-loadgen on core 1 against `peer`; returns its JSON lines (an error record if it broke)."""
    argv = ["taskset", "-c", LOADGEN_CORE, str(loadgen), "--port", str(peer.port), "--server-pid",
            str(peer.process.pid), "--secret", SECRET, "--label", peer.name, *flags]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return lines + [{"phase": "error", "error": f"loadgen timed out after {timeout_s:.0f} s"}]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode not in (0, 3):
        lines.append({"phase": "error", "error": f"loadgen exit {result.returncode}: {result.stderr.strip()[-300:]}"})
    return lines


def start_pinned(impl: str, log_dir: pathlib.Path):
    """Starts `impl` with the contract's command and pins all its threads to core 0."""
    peer = peer_processes.start_peer(impl, SECRET, log_dir=log_dir, ready_timeout=30)
    subprocess.run(["taskset", "-a", "-p", "-c", SERVER_CORE, str(peer.process.pid)], check=True,
                   stdout=subprocess.DEVNULL)
    return peer


# ---------------------------------------------------------------------------------------------
# Scenarios: each returns [(variant, loadgen flags, timeout_s, warm_up)] run against a fresh server
# ---------------------------------------------------------------------------------------------

def scenario_runs(name: str, profile: Profile) -> list[tuple[str, list[list[str]], float, bool]]:
    p = profile
    if name == "S1":
        return [("storm", [["--mode", "connect", "--clients", str(p.connect_clients), "--window", str(p.connect_window),
                            "--processes", str(processes_for(p.connect_clients))],
                           ["--mode", "connect", "--clients", str(p.bad_signature_clients), "--window",
                            str(p.connect_window), "--bad-signature"]], 600, False)]
    if name == "S2":
        return [("idle", [["--mode", "idle", "--clients", str(p.idle_clients), "--hold", str(p.idle_hold_s),
                           "--settle", "3", "--processes", str(processes_for(p.idle_clients)),
                           "--window", str(p.connect_window)]], p.idle_hold_s + 600, False)]
    if name == "S3":
        runs = []
        for n in p.fanout_clients:
            # python-socketio needs ~200 µs per delivery: give a burst of n x repeat that and more
            burst_timeout = max(120, int(n * p.burst_repeat * 0.0004))
            runs.append((f"n={n}", [["--mode", "fanout", "--clients", str(n), "--processes", str(processes_for(n)),
                                     "--messages", str(p.fanout_messages), "--burst-repeat", str(p.burst_repeat),
                                     "--bursts", "1", "--message-timeout", str(burst_timeout),
                                     "--window", str(p.connect_window)]], 900 + 2 * burst_timeout, True))
        return runs
    if name == "S4":
        return [("users", [["--mode", "user-ladder", "--clients", str(p.ladder_users), "--rates",
                            ",".join(map(str, p.user_rates)), "--step", str(p.step_s), "--drain", str(p.drain_s),
                            "--window", str(p.connect_window)]], 900, True)]
    if name == "S5":
        runs = []
        for layout in p.room_layouts:
            clients = sum(int(c) * int(s) for c, s in (g.split("x") for g in layout.split(",")))
            runs.append((f"rooms={layout}", [["--mode", "rooms-ladder", "--rooms", layout, "--rates",
                                              ",".join(map(str, p.room_rates)), "--step", str(p.step_s),
                                              "--drain", str(p.drain_s), "--processes", str(processes_for(clients)),
                                              "--window", str(p.connect_window)]], 900, True))
        return runs
    raise ValueError(name)


WARM_UP = ["--mode", "fanout", "--clients", "200", "--messages", "20", "--burst-repeat", "20", "--bursts", "2"]


def run_floor(floor: pathlib.Path, profile: Profile, round_index: int, recorder: Recorder) -> None:
    for n in profile.fanout_clients:
        # the probe holds both ends of every connection in one process (~20,000 fds at most)
        connections = min(n, CLIENTS_PER_PROCESS)
        rounds = max(20, 200_000 // connections)
        result = subprocess.run([str(floor), str(connections), str(rounds), "128", SERVER_CORE], capture_output=True,
                                text=True, timeout=300)
        for line in result.stdout.splitlines():
            if line.startswith("{"):
                recorder.add({"round": round_index, "impl": "floor", "scenario": "floor", "variant": f"n={n}",
                              **json.loads(line)})


def run_benchmarks(profile: Profile, impls: list[str], scenarios: list[str], recorder: Recorder) -> None:
    loadgen, floor = ensure_binaries()
    log_dir = REPO_ROOT / "test-output" / "bench-logs"  # ignored by git
    log_dir.mkdir(parents=True, exist_ok=True)
    for round_index in range(profile.rounds):
        order = impls[round_index % len(impls):] + impls[:round_index % len(impls)]
        for scenario in scenarios:
            if scenario == "S6":
                if "standalone" in impls:
                    cluster_scenario.run_s6(profile.cluster_clients, profile.fanout_messages, profile.burst_repeat,
                                            round_index, recorder.add, run_loadgen, loadgen, SECRET, SERVER_CORE,
                                            log_dir)
                continue
            for variant, flag_sets, timeout_s, warm_up in scenario_runs(scenario, profile):
                for impl in order:
                    started = time.monotonic()
                    try:
                        peer = start_pinned(impl, log_dir)
                    except Exception as error:  # a peer that cannot start is reported, not fatal
                        recorder.add({"round": round_index, "impl": impl, "scenario": scenario, "variant": variant,
                                      "phase": "error", "error": f"start failed: {str(error)[:300]}"})
                        continue
                    try:
                        if warm_up:
                            run_loadgen(loadgen, peer, WARM_UP, 120)
                        for flags in flag_sets:
                            sub_variant = variant + ("/bad-signature" if "--bad-signature" in flags else "")
                            for line in run_loadgen(loadgen, peer, flags, timeout_s):
                                recorder.add({"round": round_index, "impl": impl, "scenario": scenario,
                                              "variant": sub_variant, **line})
                    finally:
                        code = peer.stop()
                    print(f"round {round_index + 1}/{profile.rounds} {scenario} {variant} {impl}: "
                          f"{time.monotonic() - started:.0f} s (server exit {code})", flush=True)
        if "floor" in scenarios or "S3" in scenarios:
            run_floor(floor, profile, round_index, recorder)


# ---------------------------------------------------------------------------------------------
# Report: tables (median (min-max) over rounds, x ratio peer/ours per round) and charts
# ---------------------------------------------------------------------------------------------

def dig(record: dict, path: str):
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def ladder_metric(records: list[dict], key: str):
    """From one ladder run's lines: the max sustained rate, or `key` of the step run at that rate."""
    summary = next((r for r in records if r.get("phase") == "ladder"), None)
    if summary is None:
        return None
    if key == "max_sustained_rate":
        return summary["max_sustained_rate"]
    best = summary["max_sustained_rate"]
    step = next((r for r in records if r.get("phase") == "step" and r.get("rate_target") == best), None)
    return dig(step, key) if step else None


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
        ratios = [v / o for v, o in zip(values, ours)
                  if isinstance(v, (int, float)) and isinstance(o, (int, float)) and o]
        if ratios:
            ratio = statistics.median(ratios)
            cell += f" ×{ratio:.0f}" if ratio >= 10 else f" ×{ratio:.2g}"
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


def value_of(records: list[dict], impl: str, scenario: str, variant: str, phase: str, key: str, round_index: int):
    mine = [r for r in records if r["impl"] == impl and r["scenario"] == scenario and r["variant"] == variant
            and r["round"] == round_index]
    if phase == "ladder":
        value = ladder_metric(mine, key)
    else:
        line = next((r for r in mine if r.get("phase") == phase), None)
        value = dig(line, key) if line else None
    if value is not None and "rss_kib_" in key and not key.endswith("per_connection"):
        value = value / 1024
    return value


def summarise(values: list) -> str:
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if any(isinstance(v, bool) for v in values):
        return "yes" if values and all(values) else "**no**"
    if not numbers:
        return "n/a"
    median = statistics.median(numbers)
    text = fmt(median)
    if len(numbers) > 1 and fmt(min(numbers)) != fmt(max(numbers)):
        text += f" ({fmt(min(numbers))}–{fmt(max(numbers))})"
    return text


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


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


def write_report(records: list[dict], jsonl_path: pathlib.Path, report: pathlib.Path) -> pathlib.Path:
    meta = next((r for r in records if r["impl"] == "meta"), {})
    records = [r for r in records if r["impl"] != "meta"]
    impls = [i for i in IMPLEMENTATIONS if any(r["impl"] == i for r in records)]
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


def write_charts(records: list[dict], impls: list[str], rounds: list[int], stem: str):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the quick profile (default)")
    mode.add_argument("--full", action="store_true", help="5 rounds, larger N")
    mode.add_argument("--report", type=pathlib.Path, help="rewrite BENCHMARKS.md from an existing .jsonl")
    parser.add_argument("--impls", default=",".join(IMPLEMENTATIONS), help="comma-separated subset")
    parser.add_argument("--scenarios", default="S1,S2,S3,S4,S5,S6", help="comma-separated subset")
    parser.add_argument("--rounds", type=int, help="override the profile's rounds")
    parser.add_argument("--output", type=pathlib.Path,
                        help="report path (default BENCHMARKS.md for a complete run, else bench/results/<stamp>.md)")
    args = parser.parse_args()

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.report:
        records = [json.loads(line) for line in args.report.read_text().splitlines() if line.strip()]
        print(write_report(records, args.report.resolve(), args.output or REPO_ROOT / "BENCHMARKS.md"))
        return 0
    profile = dataclasses.replace(FULL if args.full else QUICK)
    profile_name = "full" if args.full else "quick"
    if args.rounds:
        profile.rounds = args.rounds
    impls = [i for i in args.impls.split(",") if i]
    unknown = [i for i in impls if i not in IMPLEMENTATIONS]
    if unknown:
        parser.error(f"unknown implementation(s) {unknown}; one of {list(IMPLEMENTATIONS)}")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    recorder = Recorder(RESULTS_DIR / f"{stamp}.jsonl")
    recorder.add({"round": -1, "impl": "meta", "scenario": "meta", "variant": "", "profile": profile_name,
                  "commit": git_describe(), "server_build": os.environ.get("SG_BUILD_DIR", "build"),
                  "settings": dataclasses.asdict(profile)})
    started = time.monotonic()
    scenarios = [name for name in args.scenarios.split(",") if name]
    run_benchmarks(profile, impls, scenarios, recorder)
    # A subset run does not replace BENCHMARKS.md: its report goes beside its .jsonl.
    complete = set(impls) == set(IMPLEMENTATIONS) and set(scenarios) >= {"S1", "S2", "S3", "S4", "S5"}
    default_report = REPO_ROOT / "BENCHMARKS.md" if complete else recorder.path.with_suffix(".md")
    report = write_report(recorder.records, recorder.path, args.output or default_report)
    print(f"{len(recorder.records)} records in {recorder.path}, report {report}, "
          f"{(time.monotonic() - started) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
