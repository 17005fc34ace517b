// PendingRequests: questions this node asked other nodes through Redis (by sid, or the sids
// of a user) and are still waiting for, each with its deadline. A question ends exactly once:
// when its last expected reply arrives, when its deadline passes, or when Redis is lost
// (then with what was gathered so far: "not found" for a sid).
//
// Threading: the cluster thread only.
#pragma once

#include "request_message.hpp"
#include "sio/cluster_link.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::cluster {

class PendingRequests {
 public:
  PendingRequests(boost::asio::io_context& io, std::chrono::milliseconds timeout) : io_(io), timeout_(timeout) {}

  // Registers a question by sid; returns its id.
  std::uint64_t add_sid_question(std::function<void(sio::SidReply)> done);
  // Registers a question by sid asked of every node: it ends with the first reply that found
  // the sid, or "not found" once all `expect_replies` replies came.
  std::uint64_t add_sid_search(std::function<void(sio::SidReply)> done);
  // Registers a gathering of a user's sids; `expect_replies` is set once known.
  std::uint64_t add_user_sids_question(std::function<void(std::vector<std::string>)> done);
  void expect_replies(std::uint64_t id, std::int64_t count);

  void on_reply(Reply reply);
  void finish(std::uint64_t id);  // ends it now with what it has
  void finish_all();

 private:
  struct Pending {
    std::function<void(sio::SidReply)> sid_done;
    bool searching = false;
    std::function<void(std::vector<std::string>)> user_done;
    std::unique_ptr<boost::asio::steady_timer> deadline;
    std::int64_t replies_expected = -1;  // -1: not known yet
    std::int64_t replies_seen = 0;
    std::vector<std::string> sids;
  };
  std::uint64_t add(Pending pending);
  void complete(std::unordered_map<std::uint64_t, Pending>::iterator it, const Reply* reply);

  boost::asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Pending> pending_;
};

}  // namespace sg::cluster
