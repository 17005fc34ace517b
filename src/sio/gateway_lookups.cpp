// Room management and lookups by sid and by user (see gateway.hpp). A sid names its shard
// (sg::shard_of), so each call is posted to exactly one shard; a user's sockets may be on
// any shard, so that lookup asks all of them and answers once the last one has replied.
// In a cluster, a sid of another node goes to the cluster link, which asks its owner, and a
// user's sids are gathered from the other nodes as well.
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
  if (is_remote_sid(sid)) {
    return route_sid({SidRequest::Kind::join, std::string(sid), std::string(room)},
                     [done = std::move(done)](SidReply reply) {
                       if (done) done(reply.found);
                     });
  }
  const std::size_t shard = shard_of_sid(sid);
  shards_.post(shard, [state = shard_states_[shard].get(), sid = std::string(sid), room = std::string(room),
                       done = std::move(done)] {
    Socket* socket = state->find_socket(sid);
    if (socket) socket->join(room);
    if (done) done(socket != nullptr);
  });
}

void Gateway::leave_room(std::string_view sid, std::string_view room, std::function<void(bool)> done) {
  if (is_remote_sid(sid)) {
    return route_sid({SidRequest::Kind::leave, std::string(sid), std::string(room)},
                     [done = std::move(done)](SidReply reply) {
                       if (done) done(reply.found);
                     });
  }
  const std::size_t shard = shard_of_sid(sid);
  shards_.post(shard, [state = shard_states_[shard].get(), sid = std::string(sid), room = std::string(room),
                       done = std::move(done)] {
    Socket* socket = state->find_socket(sid);
    if (socket) socket->leave(room);
    if (done) done(socket != nullptr);
  });
}

void Gateway::disconnect(std::string_view sid, std::function<void(bool)> done) {
  if (is_remote_sid(sid)) {
    return route_sid({SidRequest::Kind::disconnect, std::string(sid), {}}, [done = std::move(done)](SidReply reply) {
      if (done) done(reply.found);
    });
  }
  const std::size_t shard = shard_of_sid(sid);
  shards_.post(shard, [state = shard_states_[shard].get(), sid = std::string(sid), done = std::move(done)] {
    Socket* socket = state->find_socket(sid);
    if (socket) socket->disconnect();
    if (done) done(socket != nullptr);
  });
}

void Gateway::rooms_of(std::string_view sid, std::function<void(std::optional<std::vector<std::string>>)> done) {
  if (is_remote_sid(sid)) {
    return route_sid({SidRequest::Kind::rooms, std::string(sid), {}}, [done = std::move(done)](SidReply reply) {
      if (!reply.found) return done(std::nullopt);
      done(std::move(reply.rooms));
    });
  }
  const std::size_t shard = shard_of_sid(sid);
  shards_.post(shard, [state = shard_states_[shard].get(), sid = std::string(sid), done = std::move(done)] {
    Socket* socket = state->find_socket(sid);
    if (!socket) return done(std::nullopt);
    done(socket->rooms());
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
  return cluster_ != nullptr && !sid.starts_with(cluster_->sid_prefix());
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
