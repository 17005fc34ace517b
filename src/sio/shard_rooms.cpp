// Room membership on one shard (see shard_state.hpp): joins and leaves that keep the cluster
// link informed of rooms this shard starts or stops needing, the rooms a JWT claim names,
// and cluster requests that select sockets by room or sid.
//
// Threading: the shard's thread only.
#include "shard_state.hpp"

#include <boost/json/array.hpp>

#include <unordered_set>

namespace sg::sio {

bool ShardState::join_room(Socket& socket, std::string_view room) {
  auto& index = rooms_[socket.namespace_index()];
  const std::size_t limit = gateway_.options().max_rooms_per_socket;
  if (limit > 0 && index.room_count_of(&socket) >= limit && !index.contains(&socket, room)) {
    GatewayMetrics::add(gateway_.mutable_metrics().room_limit_refusals);
    return false;
  }
  if (!index.join(&socket, room)) return true;  // already a member
  if (ClusterLink* cluster = gateway_.cluster(); cluster && index.member_count(room) == 1)
    cluster->room_occupied(index_, socket.nsp(), room);
  return true;
}

void ShardState::leave_room(Socket& socket, std::string_view room) {
  auto& index = rooms_[socket.namespace_index()];
  if (!index.leave(&socket, room)) return;
  if (ClusterLink* cluster = gateway_.cluster(); cluster && index.members_of(room) == nullptr)
    cluster->room_vacated(index_, socket.nsp(), room);
}

void ShardState::join_claimed_rooms(Socket& socket) {
  const std::string& claim = gateway_.options().rooms_claim;
  if (claim.empty()) return;
  const auto* value = socket.claims().if_contains(claim);
  if (value == nullptr || !value->is_array()) return;
  for (const auto& room : value->get_array()) {
    if (room.is_string() && !room.get_string().empty()) join_room(socket, room.get_string());
  }
}

void ShardState::apply_to_matching(const SocketSelection& selection, const SelectionAction& action) {
  const auto nsp_index = gateway_.namespace_index(selection.nsp);
  if (!nsp_index) return;
  auto& index = rooms_[*nsp_index];
  auto excluded = [&](Socket* socket) {
    for (const auto& name : selection.except_rooms) {
      if (index.contains(socket, name) || name == socket->id()) return true;
    }
    return false;
  };
  // Collect first: joining, leaving and disconnecting change the sets being walked.
  std::vector<std::shared_ptr<Socket>> chosen;
  std::unordered_set<Socket*> seen;
  auto choose = [&](Socket* socket) {
    if (socket->namespace_index() != *nsp_index || excluded(socket) || !seen.insert(socket).second) return;
    chosen.push_back(socket->shared_from_this());
  };
  if (selection.rooms.empty()) {
    for (Socket* socket : namespace_members_[*nsp_index]) choose(socket);
  } else {
    for (const auto& name : selection.rooms) {
      index.for_each_member(name, choose);
      if (Socket* socket = find_socket(name)) choose(socket);
    }
  }
  for (const auto& socket : chosen) {
    switch (action.kind) {
      case SelectionAction::Kind::join:
        for (const auto& room : action.rooms) socket->join(room);
        break;
      case SelectionAction::Kind::leave:
        for (const auto& room : action.rooms) socket->leave(room);
        break;
      case SelectionAction::Kind::disconnect:
        socket->disconnect();
        break;
    }
  }
}

}  // namespace sg::sio
