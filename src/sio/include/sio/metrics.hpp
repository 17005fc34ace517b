// Counters of the Socket.IO layer, exported by the hosts (Prometheus /metrics).
//
// Threading: any thread. Shards add with relaxed atomics; readers get a consistent-enough
// snapshot for monitoring.
#pragma once

#include <atomic>
#include <cstdint>

namespace sg::sio {

struct GatewayMetrics {
  std::atomic<std::int64_t> sockets{0};            // gauge: connected namespace sockets
  std::atomic<std::uint64_t> connects{0};          // successful CONNECTs
  std::atomic<std::uint64_t> auth_failures{0};     // CONNECTs refused as Unauthorized
  std::atomic<std::uint64_t> events_emitted{0};    // emits issued through the API
  std::atomic<std::uint64_t> deliveries{0};        // packets queued to connections by emits
  std::atomic<std::uint64_t> slow_disconnects{0};  // sessions closed at their queue limit
  std::atomic<std::uint64_t> dropped_packets{0};   // packets not queued: connection closing
  std::atomic<std::uint64_t> user_limit_refusals{0};     // CONNECTs over max_sockets_per_user
  std::atomic<std::uint64_t> event_rate_disconnects{0};  // sockets over max_client_events_per_second
  std::atomic<std::uint64_t> room_limit_refusals{0};     // joins past max_rooms_per_socket
  // Connection-state recovery (namespaces with a recovery window only).
  std::atomic<std::uint64_t> recoveries{0};               // sockets restored with their sid and rooms
  std::atomic<std::uint64_t> recovery_misses{0};          // a pid was offered, a fresh session given
  std::atomic<std::uint64_t> recovery_replayed{0};        // packets replayed to recovered sockets
  std::atomic<std::uint64_t> recovery_packets_dropped{0};  // logged packets dropped at the byte limit
  std::atomic<std::int64_t> recovery_log_packets{0};      // gauge: packets in the log
  std::atomic<std::int64_t> recovery_log_bytes{0};        // gauge: their bytes
  std::atomic<std::int64_t> recovery_sessions_kept{0};    // gauge: disconnected sessions kept

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) {
    counter.fetch_add(amount, std::memory_order_relaxed);
  }
};

}  // namespace sg::sio
