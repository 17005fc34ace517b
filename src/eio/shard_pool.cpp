// The shard threads and their event loops (see shard_pool.hpp).
// Threading: start/stop/join from the controlling thread; current_shard from any.
#include "eio/shard_pool.hpp"

#include "util/log.hpp"

#include <exception>

namespace sg::eio {

namespace {
thread_local const ShardPool* running_pool = nullptr;
thread_local std::size_t running_shard = 0;
}  // namespace

ShardPool::ShardPool(std::size_t shard_count) {
  if (shard_count == 0) shard_count = 1;
  for (std::size_t i = 0; i < shard_count; ++i) shards_.push_back(std::make_unique<Shard>());
}

ShardPool::~ShardPool() {
  stop();
  join();
}

std::optional<std::size_t> ShardPool::current_shard() const {
  if (running_pool == this) return running_shard;
  return std::nullopt;
}

void ShardPool::start() {
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    Shard& shard = *shards_[i];
    shard.work.emplace(shard.context.get_executor());
    shard.thread = std::thread([this, i, &shard] {
      running_pool = this;
      running_shard = i;
      for (;;) {
        try {
          shard.context.run();
          return;
        } catch (const std::exception& error) {
          log::error("uncaught exception on a shard", {{"shard", i}, {"error", error.what()}});
        }
      }
    });
  }
}

void ShardPool::stop() {
  for (auto& shard : shards_) {
    shard->work.reset();
    shard->context.stop();
  }
}

void ShardPool::join() {
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
}

}  // namespace sg::eio
