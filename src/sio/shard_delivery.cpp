// Delivery of emits on one shard, and removal of sockets (see shard_state.hpp).
//
// The fan-out loop hands the same PacketRef to each member's session: no copy and no
// allocation per recipient. Sessions never disappear during the loop: a session that hits
// its queue limit only schedules its close.
//
// Threading: the shard's thread only.
#include "proto/socket_packet.hpp"
#include "sio/gateway.hpp"
#include "shard_state.hpp"
#include "sid_homes.hpp"
#include "user_socket_counts.hpp"
#include "util/log.hpp"

namespace sg::sio {

void ShardState::send_to(Socket& socket, const PacketRef& head, const std::vector<PacketRef>& attachments) {
  eio::Session& session = socket.session();
  if (!session.send(head)) {
    GatewayMetrics::add(gateway_.mutable_metrics().dropped_packets);
    return;
  }
  for (const PacketRef& attachment : attachments) session.send(attachment);
}

void ShardState::deliver(std::size_t namespace_index, const std::vector<std::string>& rooms,
                         const std::vector<std::string>& except_rooms, const EncodedEmit& emit) {
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  const std::uint64_t seq = emit.seq;
  auto visit = [&](Socket* socket) {
    if (seq != 0 && socket->replayed(seq)) return;  // already replayed to a recovered socket
    if (!held_live_.empty()) {
      if (const auto held = held_live_.find(socket); held != held_live_.end()) return held->second.push_back(emit);
    }
    eio::Session& session = socket->session();
    if (!session.send(emit.head)) {
      ++dropped;
      return;
    }
    for (const PacketRef& attachment : emit.attachments) session.send(attachment);
    ++delivered;
  };
  if (rooms.empty()) {
    auto& index = rooms_[namespace_index];
    for (Socket* socket : namespace_members_[namespace_index]) {
      bool excluded = false;
      for (const auto& room : except_rooms) excluded = excluded || index.contains(socket, room);
      if (!excluded) visit(socket);
    }
  } else if (rooms.size() == 1 && except_rooms.empty()) {
    rooms_[namespace_index].for_each_member(rooms.front(), visit);
  } else {
    rooms_[namespace_index].for_each_target(rooms, except_rooms, visit);
  }
  if (delivered) GatewayMetrics::add(gateway_.mutable_metrics().deliveries, delivered);
  if (dropped) GatewayMetrics::add(gateway_.mutable_metrics().dropped_packets, dropped);
}

Socket* ShardState::find_socket(std::string_view sid) const {
  const auto it = sockets_by_sid_.find(sid);
  return it == sockets_by_sid_.end() ? nullptr : it->second;
}

std::vector<std::string> ShardState::sids_in_room(std::string_view room) const {
  std::vector<std::string> sids;
  for (const auto& index : rooms_) {
    index.for_each_member(room, [&](Socket* socket) { sids.push_back(socket->id()); });
  }
  return sids;
}

void ShardState::disconnect_socket(Socket& socket, bool notify_client, std::string_view reason) {
  if (!socket.connected()) return;
  auto keep_alive = socket.shared_from_this();
  socket.mark_disconnected();
  const bool announced = held_live_.erase(&socket) == 0;  // else its recovery was still being read
  const std::size_t nsp_index = socket.namespace_index();
  if (notify_client) {
    proto::SocketPacket packet;
    packet.type = proto::SocketPacketType::disconnect;
    packet.nsp = gateway_.namespace_name(nsp_index);
    std::string text = "4";
    proto::append_socket_packet(text, packet);
    socket.session().send(EncodedPacket::text(text));
  }
  if (ClusterLink* cluster = gateway_.cluster()) {
    const std::string& nsp = gateway_.namespace_name(nsp_index);
    rooms_[nsp_index].leave_all(&socket, [&](std::string_view room) { cluster->room_vacated(index_, nsp, room); });
  } else {
    rooms_[nsp_index].leave_all(&socket);
  }
  if (gateway_.user_sockets().limited() && !socket.user_id().empty()) gateway_.user_sockets().give_back(socket.user_id());
  namespace_members_[nsp_index].erase(&socket);
  sockets_by_sid_.erase(socket.id());
  gateway_.sid_homes().remove(socket.id());
  auto& sockets = socket.client().sockets;
  std::erase_if(sockets, [&](const auto& entry) { return entry.second.get() == &socket; });
  log::debug("socket disconnected", {{"sid", socket.id()}, {"reason", reason}});
  if (!announced) return;
  gateway_.mutable_metrics().sockets.fetch_sub(1, std::memory_order_relaxed);
  if (const auto& on_disconnect = gateway_.handlers(nsp_index).on_disconnect) on_disconnect(socket, reason);
}

void ShardState::disconnect_all() {
  std::vector<Socket*> all;
  all.reserve(sockets_by_sid_.size());
  for (const auto& [sid, socket] : sockets_by_sid_) all.push_back(socket);
  // With recovery the client is not told to stay away: its transport just closes, so it
  // reconnects (through the balancer, to a node that is up) and recovers its session.
  const bool tell_client = !gateway_.recovery_on();
  for (Socket* socket : all) {
    keep_for_recovery(*socket);
    disconnect_socket(*socket, tell_client, "server shutting down");
  }
  engine_.close_all(eio::CloseReason::server_shutdown);
}

}  // namespace sg::sio
