// Admission: the limits on new Engine.IO sessions that keep one client (or one address) from
// crowding out the others — at most `max_connections` sessions in all, at most
// `max_connections_per_address` from one remote address, and at most `handshakes_per_second`
// new sessions per address (a token bucket holding `handshake_burst` tokens). Zero turns a
// limit off. A refused handshake gets an HTTP error (503 for the server-wide limit, 429 for
// the per-address ones) and is counted by reason.
//
// Behind a proxy every client has the proxy's address: keep the per-address limits off there
// (docs/configuration.md).
//
// Threading: one Admission is shared by every shard's Engine; all functions take its lock
// (only handshakes and session ends call it, never the message path).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg::eio {

struct AdmissionLimits {
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 0;
  double handshakes_per_second = 0;  // per address
  double handshake_burst = 0;        // 0: twice the rate, at least 1
};

// The default of max_connections: 90 % of the process's open-file limit, so that accepting
// never fails for lack of descriptors (Redis, files and the listening socket keep the rest).
std::size_t default_max_connections();

class Admission {
 public:
  enum class Refusal { none, server_full, address_full, handshake_rate };

  explicit Admission(AdmissionLimits limits) : limits_(limits) {}

  // Whether a new session from `address` may open; spends a handshake token when it may.
  Refusal check(std::string_view address);
  // A session from `address` opened / ended.
  void opened(std::string_view address);
  void closed(std::string_view address);

  std::uint64_t refused(Refusal reason) const { return refused_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed); }
  const AdmissionLimits& limits() const { return limits_; }

 private:
  struct PerAddress {
    std::size_t sessions = 0;
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  Refusal refuse(Refusal reason);
  double burst() const;
  void forget_idle(std::chrono::steady_clock::time_point now);  // lock held

  const AdmissionLimits limits_;
  std::mutex mutex_;
  std::size_t sessions_ = 0;
  std::unordered_map<std::string, PerAddress> addresses_;
  std::array<std::atomic<std::uint64_t>, 4> refused_{};
};

}  // namespace sg::eio
