// RecoveryLog: the emits of the namespaces with connection-state recovery, kept so that a
// client coming back within the window gets what it missed (socket.io's "offset" replay).
//
// Every such emit takes the next sequence number under the log's lock; its offset (the
// decimal number, a string on the wire) is added as the packet's last argument before it is
// encoded — once, shared by every recipient and by the log — so log order is offset order.
// A recovering socket asks for the emits after its offset that its rooms would have
// received (socket.io-adapter's rule: in one of the target rooms, or a broadcast; in none of
// the excepted rooms). The log is bounded by age (the recovery window) and by bytes (oldest
// first); an offset older than the last entry dropped for bytes cannot be served, since the
// client may have missed what was dropped, so that client gets a fresh session. (An entry
// dropped for age was emitted more than a window ago: a client connected then that was
// among its recipients received it, or its offset would not be older.)
//
// Threading: any thread (one mutex); append() runs on the emitting thread, missed_after() on
// the shard of the recovering socket.
#pragma once

#include "sio/metrics.hpp"
#include "encoded_emit.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::sio {

struct LoggedEmit {
  std::size_t nsp_index;
  std::vector<std::string> rooms;
  std::vector<std::string> except_rooms;
  EncodedEmit encoded;
  std::chrono::steady_clock::time_point emitted_at;
  std::size_t bytes;
};

class RecoveryLog {
 public:
  RecoveryLog(std::chrono::milliseconds window, std::size_t max_bytes, GatewayMetrics& metrics);

  // Takes the next offset, has `encode(offset_text)` build the packets, keeps the entry
  // and returns the encoded emit (with its seq).
  EncodedEmit append(std::size_t nsp_index, const std::vector<std::string>& rooms,
                     const std::vector<std::string>& except_rooms,
                     const std::function<EncodedEmit(std::string_view offset)>& encode);

  // The newest sequence number handed out (0 before the first emit).
  std::uint64_t last_seq() const;

  struct Missed {
    std::vector<EncodedEmit> emits;  // in offset order
    std::uint64_t through_seq;       // the newest seq the search covered
  };
  // What a socket of `nsp_index` in `rooms` would have received after `after_seq`; nullopt
  // when that cannot be known (an offset from the future, or entries after it dropped for bytes).
  std::optional<Missed> missed_after(std::uint64_t after_seq, std::size_t nsp_index,
                                     const std::vector<std::string>& rooms);

  static std::string offset_text(std::uint64_t seq);
  static std::optional<std::uint64_t> parse_offset(std::string_view text);

 private:
  void drop_old(std::chrono::steady_clock::time_point now);  // mutex held

  const std::chrono::milliseconds window_;
  const std::size_t max_bytes_;
  GatewayMetrics& metrics_;
  mutable std::mutex mutex_;
  std::deque<LoggedEmit> entries_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t dropped_for_bytes_through_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace sg::sio
