// Readings of the server process from /proc and of our own CPU from getrusage.
// - cpu: utime+stime of /proc/<pid>/stat (all threads, clock ticks -> µs, 10 ms resolution) and
//   the sum of /proc/<pid>/task/*/schedstat run times (ns resolution, live threads only).
// - memory: VmRSS from /proc/<pid>/status, Pss from /proc/<pid>/smaps_rollup (KiB).
// - the machine: busy time of all cores from /proc/stat (other load shows up there).
// A pid of 0 (no --server-pid) reads as zeros.
// Threading: any thread.
#pragma once

#include <cstdint>

namespace loadgen {

struct ServerCpu {
  std::uint64_t stat_us = 0;   // utime + stime
  std::uint64_t sched_us = 0;  // schedstat, finer grained
};

ServerCpu read_server_cpu(int pid);
std::uint64_t read_server_rss_kib(int pid);
std::uint64_t read_server_pss_kib(int pid);
std::uint64_t own_cpu_us();  // this process: user + system, getrusage(RUSAGE_SELF)
// The whole machine's busy CPU time (all cores, /proc/stat: user nice system irq softirq steal),
// to see how much other processes took during a phase.
std::uint64_t machine_busy_us();

}  // namespace loadgen
