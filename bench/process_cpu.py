"""CPU accounting from /proc for the scenarios bench/run.py drives from Python (S6, REST): a
server's CPU over a window, counting every thread of the process and of its child processes
(granian runs its worker in a child), and the machine's busy time, as sg-loadgen reads them.

A `CpuMark` taken before and one after a window give, by subtraction, the server's CPU by
schedstat (nanosecond run time of every live thread) and by utime + stime (clock ticks, but
counting threads that ended during the window), and the whole machine's busy time.

Threading: any thread; reads /proc only.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import time

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_us(pid: int) -> float:
    """utime + stime of every thread of `pid` (ended threads included), in µs."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e6 / TICKS_PER_S


def schedstat_us(pid: int) -> float:
    """The run time of every live thread of `pid` (/proc/<pid>/task/*/schedstat), in µs."""
    total_ns = 0
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            total_ns += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended while we read
    return total_ns / 1000


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (from /proc/<pid>/task/*/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in pathlib.Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def machine_busy_us() -> float:
    """user + nice + system + irq + softirq + steal of every core since boot, in µs."""
    fields = pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) * 1e6 / TICKS_PER_S


@dataclasses.dataclass
class CpuMark:
    """One reading of a server tree's CPU and the machine's, at a monotonic time."""
    sched_us: float
    stat_us: float
    machine_us: float
    at_s: float

    @classmethod
    def take(cls, pids: list[int]) -> "CpuMark":
        sched = stat = 0.0
        for pid in pids:
            try:
                sched += schedstat_us(pid)
                stat += cpu_us(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass  # a process of the tree ended: what it used is lost to both readings
        return cls(sched, stat, machine_busy_us(), time.monotonic())


def window_fields(before: CpuMark, after: CpuMark, client_cpu_us: float) -> dict:
    """The server's CPU over the window (schedstat, and utime + stime beside it) and the
    utilisations, in cores, of the server, of the client and of everything else."""
    sched, stat = after.sched_us - before.sched_us, after.stat_us - before.stat_us
    wall = after.at_s - before.at_s
    server = sched if sched > 0 else stat
    others = after.machine_us - before.machine_us - server - client_cpu_us
    return {"server_cpu_us": sched, "server_cpu_us_stat": stat, "wall_s": wall,
            "server_cpu_util": server / 1e6 / wall if wall > 0 else 0.0,
            "client_cpu_util": client_cpu_us / 1e6 / wall if wall > 0 else 0.0,
            "other_cpu_util": max(0.0, others) / 1e6 / wall if wall > 0 else 0.0}
