// Questions waiting for other nodes' replies (see pending_requests.hpp).
// Threading: the cluster thread only.
#include "pending_requests.hpp"

namespace sg::cluster {

std::uint64_t PendingRequests::add(Pending pending) {
  const std::uint64_t id = next_id_++;
  pending.deadline = std::make_unique<boost::asio::steady_timer>(io_, timeout_);
  pending.deadline->async_wait([this, id](const boost::system::error_code& ec) {
    if (!ec) finish(id);
  });
  pending_.emplace(id, std::move(pending));
  return id;
}

std::uint64_t PendingRequests::add_sid_question(std::function<void(sio::SidReply)> done) {
  Pending pending;
  pending.sid_done = std::move(done);
  return add(std::move(pending));
}

std::uint64_t PendingRequests::add_sid_search(std::function<void(sio::SidReply)> done) {
  Pending pending;
  pending.sid_done = std::move(done);
  pending.searching = true;
  return add(std::move(pending));
}

std::uint64_t PendingRequests::add_user_sids_question(std::function<void(std::vector<std::string>)> done) {
  Pending pending;
  pending.user_done = std::move(done);
  return add(std::move(pending));
}

void PendingRequests::expect_replies(std::uint64_t id, std::int64_t count) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second.replies_expected = count;
  if (it->second.replies_seen >= count) complete(it, nullptr);
}

void PendingRequests::on_reply(Reply reply) {
  const auto it = pending_.find(reply.id);
  if (it == pending_.end()) return;  // late: its deadline passed
  Pending& pending = it->second;
  if (pending.sid_done && (!pending.searching || reply.found)) return complete(it, &reply);
  pending.sids.insert(pending.sids.end(), std::make_move_iterator(reply.sids.begin()),
                      std::make_move_iterator(reply.sids.end()));
  ++pending.replies_seen;
  if (pending.replies_expected >= 0 && pending.replies_seen >= pending.replies_expected) complete(it, nullptr);
}

void PendingRequests::finish(std::uint64_t id) {
  const auto it = pending_.find(id);
  if (it != pending_.end()) complete(it, nullptr);
}

void PendingRequests::finish_all() {
  while (!pending_.empty()) complete(pending_.begin(), nullptr);
}

void PendingRequests::complete(std::unordered_map<std::uint64_t, Pending>::iterator it, const Reply* reply) {
  Pending pending = std::move(it->second);
  pending_.erase(it);
  pending.deadline->cancel();
  if (pending.sid_done) {
    sio::SidReply answer;
    if (reply != nullptr) {
      answer.found = reply->found;
      answer.refused = reply->refused;
      answer.rooms = reply->rooms;
    }
    pending.sid_done(std::move(answer));
  } else if (pending.user_done) {
    pending.user_done(std::move(pending.sids));
  }
}

}  // namespace sg::cluster
