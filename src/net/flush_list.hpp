// FlushList: the connections of one shard thread that have output queued during the current
// loop turn. The first one queued posts a single drain to the shard's event loop; the drain
// flushes every listed connection once, after everything the turn queued. One post per shard
// per turn, whatever the number of recipients, and every message queued for a connection in
// that turn leaves in one write.
//
// Threading: one list per shard thread (thread_local); touched only by that thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <vector>

namespace sg::net {

template <class Connection>
class FlushList {
 public:
  // The calling thread's list.
  static FlushList& of_this_thread() {
    thread_local FlushList list;
    return list;
  }

  // Queues `connection` (once per turn: the caller keeps its own "listed" flag) for a
  // flush() at the end of the turn, on `executor` (the calling thread's loop).
  void add(std::shared_ptr<Connection> connection, const boost::asio::any_io_executor& executor) {
    due_.push_back(std::move(connection));
    if (drain_posted_) return;
    drain_posted_ = true;
    boost::asio::post(executor, [this] { drain(); });
  }

 private:
  void drain() {
    drain_posted_ = false;
    draining_.swap(due_);
    for (auto& connection : draining_) connection->flush_listed();
    draining_.clear();
  }

  std::vector<std::shared_ptr<Connection>> due_;
  std::vector<std::shared_ptr<Connection>> draining_;
  bool drain_posted_ = false;
};

}  // namespace sg::net
