// SidHomes: the shard of every socket id. A new socket's id hashes to its shard
// (random_id_for_shard), so routing by sid needs no table — except for a recovered socket,
// which gets its old id back on whatever shard its new connection landed on, possibly on
// this node while the id names another (cluster recovery). Those few are listed here while
// they live; everything else falls through to the hash, with one relaxed atomic load and no
// lock while the list is empty.
//
// Threading: any thread; add() and remove() on the socket's shard, home_of() anywhere.
#pragma once

#include "util/random_id.hpp"

#include <atomic>
#include <optional>
#include <cstddef>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg::sio {

class SidHomes {
 public:
  explicit SidHomes(std::size_t shard_count) : shard_count_(shard_count) {}

  std::size_t home_of(std::string_view sid) const { return listed_home(sid).value_or(shard_of(sid, shard_count_)); }

  // The shard of a listed sid.
  std::optional<std::size_t> listed_home(std::string_view sid) const {
    if (listed_.load(std::memory_order_acquire) == 0) return std::nullopt;
    std::shared_lock lock(mutex_);
    if (const auto it = homes_.find(std::string(sid)); it != homes_.end()) return it->second;
    return std::nullopt;
  }

  // `sid` lives on `shard`; listed only when its hash says otherwise or it came from
  // another node (`roamed`).
  void add(const std::string& sid, std::size_t shard, bool roamed = false) {
    if (!roamed && shard_of(sid, shard_count_) == shard) return;
    std::unique_lock lock(mutex_);
    if (homes_.insert_or_assign(sid, shard).second) listed_.fetch_add(1, std::memory_order_release);
  }

  void remove(const std::string& sid) {
    if (listed_.load(std::memory_order_acquire) == 0) return;
    std::unique_lock lock(mutex_);
    if (homes_.erase(sid) > 0) listed_.fetch_sub(1, std::memory_order_release);
  }

 private:
  const std::size_t shard_count_;
  std::atomic<std::size_t> listed_{0};
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::size_t> homes_;
};

}  // namespace sg::sio
