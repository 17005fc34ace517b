// WriteBudget: the bytes an exchange was given to send and has not written yet, seen from
// two threads — the caller that hands bytes over (the Python loop) and the shard that
// writes them. It gives the caller its "ready" answer at once, without a round trip to the
// shard, and tells the shard when a caller that was told "not ready" must be woken.
//
// Exactly one side claims a waiting caller: the caller itself when the shard drained
// everything while it was being told "not ready", or the shard when the bytes fall to the
// low-water mark later. So a wake-up is never lost and never doubled.
//
// Threading: add() from the caller's thread; written() and release_waiter() from the shard.
#pragma once

#include "net/forwarding.hpp"

#include <atomic>
#include <cstddef>

namespace sg::net {

class WriteBudget {
 public:
  // Counts `bytes` as pending. False ("not ready") when over the high-water mark: the shard's
  // written() then reports, once, when the sender may go on.
  bool add(std::size_t bytes) {
    const std::size_t pending = pending_.fetch_add(bytes) + bytes;
    if (pending <= kForwardHighWater) return true;
    waiting_.store(true);
    // The shard may have written everything between the add and the flag.
    return pending_.load() <= kForwardLowWater && waiting_.exchange(false);
  }

  // `bytes` left (written or dropped). True when a waiting sender must now be woken.
  bool written(std::size_t bytes) {
    const std::size_t pending = pending_.fetch_sub(bytes) - bytes;
    return pending <= kForwardLowWater && waiting_.exchange(false);
  }

  // The connection is gone: true when a sender was waiting (it must be woken some other way).
  bool release_waiter() { return waiting_.exchange(false); }

 private:
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> waiting_{false};
};

}  // namespace sg::net
