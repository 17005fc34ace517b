// The measured scenarios (one per --mode) and what they share: phase marks (server CPU, our
// CPU, wall clock) and the merge of the workers' delivery reports.
// Each scenario prints JSON lines on stdout and returns the process exit code (0 unless the
// run itself broke: no admin connection, workers gone).
// Threading: the parent's only thread.
#pragma once

#include "coordinator.hpp"
#include "json_line.hpp"
#include "process_probe.hpp"
#include "receive_tally.hpp"

#include <map>

namespace loadgen {

int run_connect_storm(Coordinator& coordinator);
int run_idle_hold(Coordinator& coordinator);
int run_fanout(Coordinator& coordinator);
int run_ladder(Coordinator& coordinator, bool rooms);

// A point in time for CPU accounting. Take it right after the workers replied to something,
// so their CPU readings are fresh.
struct PhaseMark {
  ServerCpu server;
  std::uint64_t loadgen_us = 0;
  std::uint64_t at_ns = 0;
  std::uint64_t machine_us = 0;

  static PhaseMark take(const Coordinator& coordinator) {
    return {read_server_cpu(coordinator.options().server_pid), coordinator.loadgen_cpu_us(), monotonic_ns(),
            machine_busy_us()};
  }
};

// server_cpu_us (schedstat, fine-grained), server_cpu_us_stat (utime+stime), loadgen_cpu_us, wall_s,
// the utilisations (cores) of the server, of us, and of everything else on the machine;
// returns the server CPU µs used for per-unit figures (schedstat if available, else stat).
inline double add_cpu_fields(JsonLine& line, const PhaseMark& before, const PhaseMark& after) {
  const double sched = static_cast<double>(after.server.sched_us - before.server.sched_us);
  const double stat = static_cast<double>(after.server.stat_us - before.server.stat_us);
  const double wall = static_cast<double>(after.at_ns - before.at_ns) / 1e9;
  const double loadgen = static_cast<double>(after.loadgen_us - before.loadgen_us);
  line.add("server_cpu_us", sched).add("server_cpu_us_stat", stat).add("loadgen_cpu_us", loadgen).add("wall_s", wall);
  line.add("server_cpu_util", wall > 0 ? (sched > 0 ? sched : stat) / 1e6 / wall : 0.0);
  line.add("loadgen_cpu_util", wall > 0 ? loadgen / 1e6 / wall : 0.0);
  const double machine = static_cast<double>(after.machine_us - before.machine_us);
  const double others = machine - (sched > 0 ? sched : stat) - loadgen;
  line.add("other_cpu_util", wall > 0 && others > 0 ? others / 1e6 / wall : 0.0);
  return sched > 0 ? sched : stat;
}

inline JsonLine result_line(const Coordinator& coordinator, const char* phase) {
  JsonLine line;
  line.add("mode", coordinator.options().mode).add("phase", phase).add("label", coordinator.options().label);
  line.add("server_pid", coordinator.options().server_pid).add("processes", coordinator.options().processes);
  return line;
}

struct MergedReport {
  std::uint64_t alive = 0, lost = 0, pings = 0;
  std::uint64_t received = 0, duplicates = 0, reordered = 0, unparsed = 0;
  std::map<std::uint64_t, StepTally> steps;
  LatencyHistogram all_latency;
  bool complete = false;  // every worker answered
};

// Asks every worker for "report" and merges the answers.
MergedReport collect_report(Coordinator& coordinator);

// Connects every worker's clients (window from options) and prints the "connect" line;
// returns the outcome for the caller's own use.
ConnectOutcome connect_and_report(Coordinator& coordinator, const char* phase);

}  // namespace loadgen
