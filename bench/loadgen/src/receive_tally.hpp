// What a worker's receivers got: deliveries counted per measurement step, latency histograms,
// duplicates and reorderings found per client by sequence number.
//
// Every benchmark event carries {"t": <CLOCK_MONOTONIC ns at send>, "seq": <n>, ...} first in
// its payload; parse_stamp() reads both with two short searches (no JSON parser on the hot path).
// seq / kStepStride is the step of a rate ladder, so late deliveries are credited to the step
// that sent them, whenever they arrive. Within one client, seqs must increase; the same seq may
// arrive `repeat` times (a burst repeats one payload) — more is a duplicate.
// Threading: the worker's loop thread.
#pragma once

#include "latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace loadgen {

class BenchClient;

inline constexpr std::uint64_t kStepStride = 1'000'000'000ull;

bool parse_stamp(std::string_view event_array, std::uint64_t& t_ns, std::uint64_t& seq);

struct StepTally {
  LatencyHistogram latency;
  std::uint64_t received = 0;
};

class ReceiveTally {
 public:
  void reset(std::uint32_t repeat);
  void record(BenchClient& client, std::string_view event_array, std::uint64_t now);

  std::uint64_t received() const { return received_; }
  std::uint64_t last_receive_ns() const { return last_receive_ns_; }
  // "received duplicates reordered unparsed step=<k>:<received>:<histogram> ..."
  std::string serialize() const;

 private:
  std::map<std::uint64_t, StepTally> steps_;
  std::uint64_t received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t reordered_ = 0;
  std::uint64_t unparsed_ = 0;
  std::uint64_t last_receive_ns_ = 0;
  std::uint32_t repeat_ = 1;
  StepTally* last_step_ = nullptr;
  std::uint64_t last_step_id_ = UINT64_MAX;
};

}  // namespace loadgen
