// UserSocketCounts: how many sockets each user has on this node, for max_sockets_per_user. A
// CONNECT takes a place before its socket is made (and gives it back if none is made); a
// socket's end gives it back.
//
// Threading: any thread (one mutex; only CONNECTs and disconnects of authenticated sockets
// touch it, and only while the limit is on).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg::sio {

class UserSocketCounts {
 public:
  explicit UserSocketCounts(std::size_t limit) : limit_(limit) {}

  bool limited() const { return limit_ > 0; }

  // False when `user_id` already has `limit` sockets; else takes a place.
  bool try_take(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    std::size_t& count = counts_[user_id];
    if (count >= limit_) return false;
    ++count;
    return true;
  }

  void give_back(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(user_id);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
  }

 private:
  const std::size_t limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> counts_;
};

}  // namespace sg::sio
