// SessionStore: the sockets that went away in a way that allows recovery (a lost or closed
// transport, a ping timeout, the server shutting down — never a client's or the server's own
// disconnect of the namespace), kept by their private id (pid) for the recovery window. A
// recovering CONNECT takes its session out (so a pid serves once), but only for the same
// namespace and the same user; anything else leaves the store as it was.
//
// Threading: any thread (one mutex); keep() runs on the shard where the socket lived,
// take() on the shard of the new connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::sio {

struct PersistedSession {
  std::string pid;
  std::string sid;
  std::string user_id;
  std::size_t nsp_index = 0;
  std::vector<std::string> rooms;
  std::uint64_t connected_at_seq = 0;  // the log's newest seq when the socket connected
  std::chrono::steady_clock::time_point disconnected_at;
};

class SessionStore {
 public:
  // Called (under the store's lock; it must not block) for a session that expired or was
  // replaced without being taken back.
  using ForgetHandler = std::function<void(const PersistedSession&)>;

  SessionStore(std::chrono::milliseconds window, std::atomic<std::int64_t>& kept_gauge, ForgetHandler on_forget = {})
      : window_(window), kept_gauge_(kept_gauge), on_forget_(std::move(on_forget)) {}

  void keep(PersistedSession session);
  // The session of `pid`, removed from the store, when it is within the window, of
  // `nsp_index` and of `user_id`; nullopt otherwise (and then the store is unchanged, but for
  // an expired session, which is forgotten).
  std::optional<PersistedSession> take(std::string_view pid, std::size_t nsp_index, std::string_view user_id);
  // Forgets the sessions whose window has passed (keep and take do it too, on the way).
  void sweep();

 private:
  void forget_expired(std::chrono::steady_clock::time_point now);  // mutex held

  const std::chrono::milliseconds window_;
  std::atomic<std::int64_t>& kept_gauge_;
  ForgetHandler on_forget_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, PersistedSession> by_pid_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> expiry_order_;
};

}  // namespace sg::sio
