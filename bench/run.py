#!/usr/bin/env python3
"""The benchmark orchestrator behind `make bench` (quick) and `make bench-full`.

Runs scenarios S1-S6 and the send-floor probe against every implementation of the bench
contract (bench/peers/README.md): ours standalone, ours under `python -m socket_gateway serve`,
ours in ASGI mode (uvicorn), Node socket.io, python-socketio; and the REST scenario. Ours
standalone with connection-state recovery on (`recovery`) runs S2, S3 and S6 beside it. Each
server is started fresh for each scenario with the contract's command
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
                     beside a single node (bench/cluster_scenario.py); with recovery off and on
  recovery           not a scenario: ours with recovery on against off in S2, S3 and S6
                     (bench/recovery_report.py); `--only recovery` runs just that
  REST               a FastAPI JSON API beside the gateway on serve, uvicorn and granian, under wrk
                     (bench/rest_scenario.py): requests/s, server CPU per request, latency
  floor              bench/floor/send_floor.c: the kernel's CPU per send() on this machine

Output: bench/results/<timestamp>.jsonl (every loadgen line, tagged), BENCHMARKS.md at the
repository root (tables per scenario; a run of a subset of implementations or scenarios writes
bench/results/<timestamp>.md instead) and PNG charts under bench/results/.

    .venv/bin/python bench/run.py --quick            # make bench (about 15 min on 2 cores)
    .venv/bin/python bench/run.py --full             # make bench-full (5 rounds, larger N)
    .venv/bin/python bench/run.py --only recovery    # make bench-recovery (about 3 min): recovery on/off
    .venv/bin/python bench/run.py --report bench/results/X.jsonl   # redo the report only
Options: --impls standalone,node  --scenarios S3,S4,REST  --rounds R  --rest-duration S  --output REPORT.md
         --recovery-from bench/results/Y.jsonl (with --report: the recovery section from that run)

A run of `--only recovery` writes its report beside its .jsonl, and rewrites BENCHMARKS.md from
the run it was generated from with this run's recovery section.

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
import subprocess
import sys
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench" / "peers"))
import peer_processes  # noqa: E402  (the contract's start commands)
sys.path.insert(0, str(REPO_ROOT / "bench"))
import cluster_scenario  # noqa: E402  (S6)
import rest_scenario  # noqa: E402  (REST)
import recovery_report  # noqa: E402  (recovery on against off)
from bench_report import (CLIENTS_PER_PROCESS, IMPLEMENTATIONS, git_describe, read_records, report_source,  # noqa: E402
                          write_report)

RESULTS_DIR = REPO_ROOT / "bench" / "results"
LOADGEN_BUILD = REPO_ROOT / os.environ.get("SG_LOADGEN_BUILD_DIR", "build-loadgen")
SECRET = "bench-secret-0123456789abcdef0123456789"
SERVER_CORE, LOADGEN_CORE = "0", "1"



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
    rest_connections: list[int]
    rest_duration_s: int


QUICK = Profile(rounds=1, connect_clients=2000, connect_window=200, bad_signature_clients=500,
                idle_clients=2000, idle_hold_s=55, fanout_clients=[1000, 5000], fanout_messages=50,
                burst_repeat=50, ladder_users=1000, user_rates=[1000, 2000, 5000, 10000, 20000, 50000, 100000],
                room_layouts=["1000x10"], room_rates=[100, 200, 500, 1000, 2000, 5000, 10000], step_s=2, drain_s=2,
                cluster_clients=[2000], rest_connections=[1, 16, 64], rest_duration_s=5)
FULL = Profile(rounds=5, connect_clients=10000, connect_window=500, bad_signature_clients=2000,
               idle_clients=19000, idle_hold_s=80, fanout_clients=[1000, 5000, 10000, 19000], fanout_messages=50,
               burst_repeat=50, ladder_users=5000,
               user_rates=[1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000],
               room_layouts=["1000x10", "1x5000,999x5"], room_rates=[100, 200, 500, 1000, 2000, 5000, 10000, 20000],
               step_s=5, drain_s=3, cluster_clients=[5000, 10000],
               rest_connections=[1, 16, 64], rest_duration_s=10)


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
    """Starts `impl` with the contract's command and pins all its threads to core 0. A server that
    fails to start gets one more try 30 s later (a build may be replacing the binary meanwhile)."""
    try:
        peer = peer_processes.start_peer(impl, SECRET, log_dir=log_dir, ready_timeout=30)
    except Exception as error:
        print(f"{impl} did not start ({str(error)[:200]}); once more in 30 s", flush=True)
        time.sleep(30)
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
                ours = [impl for impl in order if impl in peer_processes.STANDALONE_BINARY]
                if ours:
                    cluster_scenario.run_s6(ours, profile.cluster_clients, profile.fanout_messages,
                                            profile.burst_repeat, round_index, recorder.add, run_loadgen, loadgen,
                                            SECRET, SERVER_CORE, log_dir)
                continue
            if scenario == "REST":  # its own three servers, whatever --impls says
                rest_scenario.run_rest(profile.rest_connections, profile.rest_duration_s, round_index, recorder.add,
                                       SECRET, SERVER_CORE, LOADGEN_CORE, log_dir)
                continue
            for variant, flag_sets, timeout_s, warm_up in scenario_runs(scenario, profile):
                for impl in order:
                    if impl == recovery_report.IMPL and scenario not in recovery_report.SCENARIOS:
                        continue
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the quick profile (default)")
    mode.add_argument("--full", action="store_true", help="5 rounds, larger N")
    mode.add_argument("--report", type=pathlib.Path, help="rewrite BENCHMARKS.md from an existing .jsonl")
    parser.add_argument("--only", choices=["recovery"],
                        help="recovery: ours with recovery on and off in S2, S3 and S6 (quick profile), nothing else")
    parser.add_argument("--recovery-from", type=pathlib.Path,
                        help="with --report: the recovery section from this run's .jsonl")
    parser.add_argument("--impls", default=",".join(peer_processes.IMPLEMENTATIONS), help="comma-separated subset")
    parser.add_argument("--scenarios", default="S1,S2,S3,S4,S5,S6,REST", help="comma-separated subset")
    parser.add_argument("--rounds", type=int, help="override the profile's rounds")
    parser.add_argument("--rest-duration", type=int, help="override the profile's seconds per REST cell")
    parser.add_argument("--output", type=pathlib.Path,
                        help="report path (default BENCHMARKS.md for a complete run, else bench/results/<stamp>.md)")
    args = parser.parse_args()

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.report:
        recovery_run = (read_records(args.recovery_from), args.recovery_from.resolve()) if args.recovery_from else None
        print(write_report(read_records(args.report), args.report.resolve(), args.output or REPO_ROOT / "BENCHMARKS.md",
                           recovery_run))
        return 0
    profile = dataclasses.replace(FULL if args.full else QUICK)
    profile_name = "full" if args.full else "quick"
    if args.rounds:
        profile.rounds = args.rounds
    if args.rest_duration:
        profile.rest_duration_s = args.rest_duration
    impls = [i for i in args.impls.split(",") if i]
    scenarios = [name for name in args.scenarios.split(",") if name]
    if args.only == "recovery":
        impls, scenarios = ["standalone", recovery_report.IMPL], list(recovery_report.SCENARIOS)
        profile_name += ", recovery only"
    unknown = [i for i in impls if i not in peer_processes.IMPLEMENTATIONS]
    if unknown:
        parser.error(f"unknown implementation(s) {unknown}; one of {list(peer_processes.IMPLEMENTATIONS)}")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    recorder = Recorder(RESULTS_DIR / f"{stamp}.jsonl")
    recorder.add({"round": -1, "impl": "meta", "scenario": "meta", "variant": "", "profile": profile_name,
                  "commit": git_describe(), "server_build": os.environ.get("SG_BUILD_DIR", "build"),
                  "settings": dataclasses.asdict(profile)})
    started = time.monotonic()
    run_benchmarks(profile, impls, scenarios, recorder)
    # A subset run does not replace BENCHMARKS.md: its report goes beside its .jsonl.
    complete = set(impls) >= set(IMPLEMENTATIONS) and set(scenarios) >= {"S1", "S2", "S3", "S4", "S5", "REST"}
    default_report = REPO_ROOT / "BENCHMARKS.md" if complete else recorder.path.with_suffix(".md")
    report = write_report(recorder.records, recorder.path, args.output or default_report)
    # ... except the recovery section, when that is all the run measured.
    main_run = report_source(REPO_ROOT / "BENCHMARKS.md") if args.only == "recovery" and not args.output else None
    if main_run:
        write_report(read_records(main_run), main_run, REPO_ROOT / "BENCHMARKS.md", (recorder.records, recorder.path))
        print(f"BENCHMARKS.md: {main_run.name} with the recovery section of this run", flush=True)
    print(f"{len(recorder.records)} records in {recorder.path}, report {report}, "
          f"{(time.monotonic() - started) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
