// Command-line settings of the load generator (documented in bench/loadgen/README.md).
// Threading: parsed once in main() before any fork; read-only afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

struct Options {
  std::string mode;            // connect | idle | fanout | user-ladder | rooms-ladder
  std::string host = "127.0.0.1";
  int port = 0;
  int admin_port = 0;  // the admin connection's port (another cluster node); 0: --port
  int server_pid = 0;
  std::string label;           // echoed in every output line (e.g. the implementation's name)
  std::string secret;          // --secret or env BENCH_JWT_SECRET

  std::uint32_t clients = 1000;
  std::uint32_t processes = 1;
  std::uint32_t window = 500;        // connects in flight
  double connect_timeout_s = 120;
  bool bad_signature = false;

  double hold_s = 60;                // idle: how long to hold the connections
  double settle_s = 3;               // idle: wait after disconnecting before the last RSS reading

  std::uint32_t messages = 20;       // fanout: paced messages
  std::uint32_t burst_repeat = 50;   // fanout: repeat of each burst emit (0: no burst phase)
  std::uint32_t bursts = 1;          // fanout: number of burst emits
  std::uint32_t payload_bytes = 100;
  double message_timeout_s = 30;     // fanout: give up waiting for one message after this

  std::vector<double> rates;         // ladders: target emits per second, in order
  double step_s = 5;                 // ladders: sending time per rate
  double drain_s = 3;                // ladders: extra wait for stragglers after each step
  double max_p99_ms = 500;           // ladders: a step passes with p99 below this...
  double min_delivered = 0.99;       // ...and at least this fraction delivered
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rooms;  // rooms-ladder: (count, size) groups
};

// Parses argv; on error or --help prints to stderr and returns nullopt with exit_code set.
std::optional<Options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace loadgen
