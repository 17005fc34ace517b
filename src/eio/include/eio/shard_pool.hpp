// ShardPool: N single-threaded event loops ("shards"), one thread each. A connection is
// pinned to one shard for its life; everything about it runs on that shard's thread, so the
// delivery path takes no lock. Work for a shard arrives with post().
//
// Threading: construct and start()/stop()/join() from one controlling thread; post() and
// context() from any thread.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace sg::eio {

class ShardPool {
 public:
  explicit ShardPool(std::size_t shard_count);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  std::size_t size() const { return shards_.size(); }
  boost::asio::io_context& context(std::size_t shard) { return shards_[shard]->context; }

  template <class Work>
  void post(std::size_t shard, Work&& work) {
    boost::asio::post(shards_[shard]->context, std::forward<Work>(work));
  }

  // The shard whose thread is calling, or nullopt on any other thread.
  std::optional<std::size_t> current_shard() const;

  void start();  // one thread per shard
  void stop();   // stops every loop; pending work is dropped
  void join();

 private:
  struct Shard {
    boost::asio::io_context context{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace sg::eio
