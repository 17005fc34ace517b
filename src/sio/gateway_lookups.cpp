// Room management and lookups by sid and by user (see gateway.hpp). A sid names its shard
// (sg::shard_of), so each call is posted to exactly one shard; a user's sockets may be on
// any shard, so that lookup asks all of them and answers once the last one has replied.
// In a cluster, a sid of another node goes to the cluster link, which asks its owner, and a
// user's sids are gathered from the other nodes as well. With cluster-wide recovery a socket
// may live on another node than the one its id names: a miss here becomes a search of every
// node.
// Threading: callable from any thread; callbacks run on shard threads; the blocking forms
// must not run on a shard thread.
#include "sio/gateway.hpp"
#include "shard_state.hpp"
#include "sid_homes.hpp"
#include "util/random_id.hpp"

#include <future>
#include <mutex>
#include <stdexcept>

namespace sg::sio {

namespace {
void require_not_on_shard(const eio::ShardPool& shards) {
  if (shards.current_shard()) throw std::logic_error("blocking gateway lookup called on a shard thread");
}
}  // namespace

std::size_t Gateway::shard_of_sid(std::string_view sid) const { return sid_homes_->home_of(sid); }

void Gateway::join_room(std::string_view sid, std::string_view room, std::function<void(bool)> done) {
  on_sid({SidRequest::Kind::join, std::string(sid), std::string(room)}, [done = std::move(done)](SidReply reply) {
    if (done) done(reply.found && !reply.refused);
  });
}


void Gateway::leave_room(std::string_view sid, std::string_view room, std::function<void(bool)> done) {
  on_sid({SidRequest::Kind::leave, std::string(sid), std::string(room)}, [done = std::move(done)](SidReply reply) {
    if (done) done(reply.found);
  });
}

void Gateway::disconnect(std::string_view sid, std::function<void(bool)> done) {
  on_sid({SidRequest::Kind::disconnect, std::string(sid), {}}, [done = std::move(done)](SidReply reply) {
    if (done) done(reply.found);
  });
}

void Gateway::rooms_of(std::string_view sid, std::function<void(std::optional<std::vector<std::string>>)> done) {
  on_sid({SidRequest::Kind::rooms, std::string(sid), {}}, [done = std::move(done)](SidReply reply) {
    if (!reply.found) return done(std::nullopt);
    done(std::move(reply.rooms));
  });
}

void Gateway::on_sid(SidRequest request, std::function<void(SidReply)> done) {
  if (is_remote_sid(request.sid)) return route_sid(std::move(request), std::move(done));
  if (!cluster_recovery()) return apply_to_local_sid(std::move(request), std::move(done));
  // A socket recovered on another node keeps its id, which names this node: ask the others.
  auto search = [this, request, done = std::move(done)](SidReply reply) mutable {
    if (reply.found) return done(std::move(reply));
    cluster_->search_sid(std::move(request), std::move(done));
  };
  apply_to_local_sid(request, std::move(search));
}

void Gateway::apply_to_local_sid(SidRequest request, std::function<void(SidReply)> done) {
  const std::size_t shard = shard_of_sid(request.sid);
  shards_.post(shard, [state = shard_states_[shard].get(), request = std::move(request), done = std::move(done)] {
    Socket* socket = state->find_socket(request.sid);
    SidReply reply{socket != nullptr, {}};
    if (socket) {
      switch (request.kind) {
        case SidRequest::Kind::join: reply.refused = !socket->join(request.room); break;
        case SidRequest::Kind::leave: socket->leave(request.room); break;
        case SidRequest::Kind::disconnect: socket->disconnect(); break;
        case SidRequest::Kind::rooms: reply.rooms = socket->rooms(); break;
      }
    }
    done(std::move(reply));
  });
}

void Gateway::sids_of_user(std::string_view user_id, std::function<void(std::vector<std::string>)> done) {
  gather_sids_of_user(user_id, cluster_ != nullptr, std::move(done));
}

void Gateway::local_sids_of_user(std::string_view user_id, std::function<void(std::vector<std::string>)> done) {
  gather_sids_of_user(user_id, false, std::move(done));
}

void Gateway::gather_sids_of_user(std::string_view user_id, bool include_cluster,
                                  std::function<void(std::vector<std::string>)> done) {
  struct Gather {
    std::mutex mutex;
    std::vector<std::string> sids;
    std::size_t remaining;
    std::function<void(std::vector<std::string>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->remaining = shard_states_.size() + (include_cluster ? 1 : 0);
  gather->done = std::move(done);
  auto add = [gather](std::vector<std::string> found) {
    std::unique_lock lock(gather->mutex);
    gather->sids.insert(gather->sids.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    if (--gather->remaining > 0) return;
    auto sids = std::move(gather->sids);
    lock.unlock();
    gather->done(std::move(sids));
  };
  if (include_cluster) cluster_->gather_user_sids(user_id, add);
  const std::string room = options_.user_room_prefix + std::string(user_id);
  for (std::size_t i = 0; i < shard_states_.size(); ++i) {
    shards_.post(i, [state = shard_states_[i].get(), room, add] { add(state->sids_in_room(room)); });
  }
}

bool Gateway::is_remote_sid(std::string_view sid) const {
  return cluster_ != nullptr && !sid.starts_with(cluster_->sid_prefix()) && !sid_homes_->listed_home(sid);
}

void Gateway::route_sid(SidRequest request, std::function<void(SidReply)> done) {
  cluster_->route(std::move(request), std::move(done));
}

void Gateway::apply_to_matching(SocketSelection selection, SelectionAction action) {
  auto shared = std::make_shared<const std::pair<SocketSelection, SelectionAction>>(std::move(selection), std::move(action));
  for (std::size_t i = 0; i < shard_states_.size(); ++i) {
    shards_.post(i, [state = shard_states_[i].get(), shared] { state->apply_to_matching(shared->first, shared->second); });
  }
}

std::optional<std::vector<std::string>> Gateway::rooms_of(std::string_view sid) {
  require_not_on_shard(shards_);
  std::promise<std::optional<std::vector<std::string>>> promise;
  auto future = promise.get_future();
  rooms_of(sid, [&promise](std::optional<std::vector<std::string>> rooms) { promise.set_value(std::move(rooms)); });
  return future.get();
}

std::vector<std::string> Gateway::sids_of_user(std::string_view user_id) {
  require_not_on_shard(shards_);
  std::promise<std::vector<std::string>> promise;
  auto future = promise.get_future();
  sids_of_user(user_id, [&promise](std::vector<std::string> sids) { promise.set_value(std::move(sids)); });
  return future.get();
}

}  // namespace sg::sio
