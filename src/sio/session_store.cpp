// The sessions kept for recovery (see session_store.hpp).
// Threading: any thread, under the store's mutex.
#include "session_store.hpp"

namespace sg::sio {

void SessionStore::keep(PersistedSession session) {
  std::lock_guard lock(mutex_);
  forget_expired(session.disconnected_at);
  expiry_order_.emplace_back(session.disconnected_at, session.pid);
  if (const auto it = by_pid_.find(session.pid); it != by_pid_.end() && on_forget_) on_forget_(it->second);
  std::string pid = session.pid;
  by_pid_.insert_or_assign(std::move(pid), std::move(session));
  kept_gauge_.store(static_cast<std::int64_t>(by_pid_.size()), std::memory_order_relaxed);
}

std::optional<PersistedSession> SessionStore::take(std::string_view pid, std::size_t nsp_index,
                                                   std::string_view user_id) {
  std::lock_guard lock(mutex_);
  forget_expired(std::chrono::steady_clock::now());
  const auto it = by_pid_.find(std::string(pid));
  if (it == by_pid_.end()) return std::nullopt;
  if (it->second.nsp_index != nsp_index || it->second.user_id != user_id) return std::nullopt;
  PersistedSession session = std::move(it->second);
  by_pid_.erase(it);
  kept_gauge_.store(static_cast<std::int64_t>(by_pid_.size()), std::memory_order_relaxed);
  return session;
}

void SessionStore::sweep() {
  std::lock_guard lock(mutex_);
  forget_expired(std::chrono::steady_clock::now());
}

void SessionStore::forget_expired(std::chrono::steady_clock::time_point now) {
  while (!expiry_order_.empty() && now - expiry_order_.front().first > window_) {
    const auto& [disconnected_at, pid] = expiry_order_.front();
    const auto it = by_pid_.find(pid);
    if (it != by_pid_.end() && it->second.disconnected_at == disconnected_at) {
      if (on_forget_) on_forget_(it->second);
      by_pid_.erase(it);
    }
    expiry_order_.pop_front();
  }
  kept_gauge_.store(static_cast<std::int64_t>(by_pid_.size()), std::memory_order_relaxed);
}

}  // namespace sg::sio
