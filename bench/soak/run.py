#!/usr/bin/env python3
"""Soak and churn against socket-gateway: one node, then a two-node cluster (`make soak`).

    .venv/bin/python bench/soak/run.py --seconds 600                 # both topologies, 10 min each
    .venv/bin/python bench/soak/run.py --seconds 60 --topologies single --readers 300
    .venv/bin/python bench/soak/run.py --report bench/soak/results/<stamp>-single.jsonl ...

For each topology: scenario.py runs the phases and writes bench/soak/results/<stamp>-<topology>.jsonl;
then report.py writes bench/soak/results/<stamp>.md and PNG charts, and with --doc replaces
the generated part of docs/reliability.md (charts to docs/reliability-<topology>.png).
Exit code 0 when every run met every criterion (report.py), 1 otherwise.

Not a test: bounded in time (the load phase is --seconds; drain and settle add about 1-2 min
per topology), 127.0.0.1 only, well under 20,000 fds in this process. Uses uvloop when present.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from load_profile import Profile  # noqa: E402
import report  # noqa: E402
import scenario  # noqa: E402


def parse_args() -> argparse.Namespace:
    defaults = Profile()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600, help="load phase per topology (default 600)")
    parser.add_argument("--topologies", default="single,cluster", help="single, cluster or both (default)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (default: 20%% of --seconds, max 120)")
    parser.add_argument("--interval", type=float, default=5.0, help="sampling interval in seconds (default 5)")
    parser.add_argument("--readers", type=int, default=defaults.readers)
    parser.add_argument("--users", type=int, default=None, help="reader users (default: readers x 5/6)")
    parser.add_argument("--non-readers", type=int, default=defaults.non_readers)
    parser.add_argument("--max-queue-bytes", type=int, default=defaults.max_queue_bytes)
    parser.add_argument("--server-threads", type=int, default=defaults.server_threads)
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiplies every emit rate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results", type=pathlib.Path, default=HERE / "results")
    parser.add_argument("--doc", action="store_true", help="also rewrite the generated part of docs/reliability.md")
    parser.add_argument("--report", type=pathlib.Path, nargs="+", help="only write the report of these JSONL files")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.report:
        return 0 if report.write(args.report, args.doc) else 1
    if os.environ.get("SOAK_NO_UVLOOP") is None:
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
    profile = Profile(readers=args.readers, users=args.users or max(1, args.readers * 5 // 6),
                      non_readers=args.non_readers, max_queue_bytes=args.max_queue_bytes,
                      server_threads=args.server_threads)
    profile.rates = {kind: rate * args.rate_scale for kind, rate in profile.rates.items()}
    warmup = args.warmup if args.warmup is not None else min(120.0, 0.2 * args.seconds)
    build_dir = REPO_ROOT / os.environ.get("SG_BUILD_DIR", "build")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    args.results.mkdir(parents=True, exist_ok=True)
    files = []
    for topology in [t.strip() for t in args.topologies.split(",") if t.strip()]:
        if topology not in ("single", "cluster"):
            raise SystemExit(f"unknown topology {topology!r}")
        scratch = REPO_ROOT / "test-output" / "soak" / f"{stamp}-{topology}"
        scratch.mkdir(parents=True, exist_ok=True)
        jsonl = args.results / f"{stamp}-{topology}.jsonl"
        print(f"soak {topology}: {args.seconds:.0f} s of load, {profile.readers} readers + "
              f"{profile.non_readers} non-readers -> {jsonl}", flush=True)
        summary = asyncio.run(scenario.run_soak(topology, args.seconds, warmup, args.interval, profile, build_dir,
                                                scratch, jsonl, args.seed))
        totals = summary["totals"]
        print(f"soak {topology}: owed {totals.get('owed', 0)}, lost {totals.get('lost', 0)}, "
              f"exit codes {summary['exit_codes']}", flush=True)
        files.append(jsonl)
    return 0 if report.write(files, args.doc) else 1


if __name__ == "__main__":
    sys.exit(main())
