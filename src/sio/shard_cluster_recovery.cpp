// Connection-state recovery through the cluster, on one shard (see cluster_link.hpp and
// docs/recovery.md): the kept session and the emits it missed are in Redis, so a client may
// come back to any node. A recovering CONNECT completes in three steps on this shard:
//
//   1. the token was verified; the link claims the session of the pid (same user and
//      namespace; a pid serves once);
//   2. the socket is made with the session's id and rooms — so this node subscribes to the
//      rooms' channels — and live emits for it are held; the link reads the stream from the
//      client's offset once those subscriptions are in place;
//   3. the CONNECT reply, the missed emits its rooms would have received, then the held live
//      emits the read did not cover, in stream order; then on_connect.
//
// Nothing between the read and the subscriptions can fall through: an emit is either in the
// read (then skipped live by its position) or published after the subscriptions (then held
// or delivered live). Anything that cannot be recovered gives a fresh session, counted.
//
// Threading: the shard's thread (the link's callbacks post back to it).
#include "shard_state.hpp"

#include "emit_filter.hpp"
#include "sio/stream_position.hpp"
#include "user_socket_counts.hpp"
#include "util/log.hpp"

namespace sg::sio {

void ShardState::recovery_missed(Client& client, const ConnectRequest& request, std::string_view why) {
  GatewayMetrics::add(gateway_.mutable_metrics().recovery_misses);
  log::debug("recovery refused, fresh session", {{"reason", why}});
  connect_fresh(client, request);
}

void ShardState::recover_through_cluster(Client& client, ConnectRequest request) {
  const auto& pid = request.auth.at("pid");
  if (!pid.is_string()) return recovery_missed(client, request, "pid is not a string");
  std::optional<std::uint64_t> offset;
  if (const auto* value = request.auth.if_contains("offset")) {
    if (!value->is_string()) return recovery_missed(client, request, "offset is not a string");
    offset = stream_position(value->get_string());
    if (!offset) return recovery_missed(client, request, "offset is not a stream id");
  }
  auto shared = std::make_shared<ConnectRequest>(std::move(request));
  gateway_.cluster()->claim_session(
      std::string(pid.get_string()), shared->nsp, std::string(shared->user_id()),
      [this, weak_session = client.session.weak_from_this(), shared, offset](std::optional<ClusterSession> claimed) {
        gateway_.shards().post(index_, [this, weak_session, shared, offset, claimed = std::move(claimed)]() mutable {
          on_session_claimed(weak_session, std::move(shared), offset, std::move(claimed));
        });
      });
}

void ShardState::on_session_claimed(const std::weak_ptr<eio::Session>& weak_session,
                                    std::shared_ptr<ConnectRequest> request, std::optional<std::uint64_t> offset,
                                    std::optional<ClusterSession> claimed) {
  const auto session = weak_session.lock();
  auto* client = session ? static_cast<Client*>(session->context()) : nullptr;
  if (!client || client->socket_in(request->nsp_index)) {
    // Gone meanwhile (or connected twice): the session stays recoverable, the place is given back.
    if (claimed) gateway_.cluster()->persist_session(std::move(*claimed));
    if (request->identity && gateway_.user_sockets().limited()) gateway_.user_sockets().give_back(request->identity->user_id);
    return;
  }
  if (!claimed) return recovery_missed(*client, *request, "no session of this user kept under that pid");
  const std::uint64_t from = offset.value_or(claimed->connected_at);
  Socket& socket = open_socket(*client, *request, claimed->sid, Socket::RecoveryMark{claimed->pid, from, 0},
                               &claimed->rooms);
  held_live_[&socket];
  gateway_.cluster()->read_missed(
      from, request->nsp, [this, weak_socket = socket.weak_from_this(), request](std::optional<MissedEmits> missed) {
        gateway_.shards().post(index_, [this, weak_socket, request, missed = std::move(missed)]() mutable {
          on_missed_read(weak_socket, std::move(request), std::move(missed));
        });
      });
}

void ShardState::on_missed_read(const std::weak_ptr<Socket>& weak_socket, std::shared_ptr<ConnectRequest> request,
                                std::optional<MissedEmits> missed) {
  const auto socket = weak_socket.lock();
  if (!socket || !socket->connected()) return;
  Client& client = socket->client();
  if (!missed) {
    // The stream no longer holds the offset (or Redis went away): a fresh session after all,
    // in the place (max_sockets_per_user) the restored socket gives back.
    disconnect_socket(*socket, false, "recovery failed");
    if (request->identity && gateway_.user_sockets().limited()) gateway_.user_sockets().try_take(request->identity->user_id);
    return recovery_missed(client, *request, "the stream no longer holds that offset");
  }
  auto held = held_live_.extract(socket.get());
  const std::vector<std::string> rooms = socket->rooms();
  std::vector<EncodedEmit> replay;
  for (const ClusterDelivery& emit : missed->emits) {
    if (!would_receive(emit.target.rooms, emit.target.except_rooms, rooms)) continue;
    if (auto encoded = gateway_.encode_for_replay(emit)) replay.push_back(std::move(*encoded));
  }
  if (!held.empty()) {
    for (EncodedEmit& emit : held.mapped()) {
      if (emit.seq == 0 || emit.seq > missed->through) replay.push_back(std::move(emit));
    }
  }
  socket->set_recovery(Socket::RecoveryMark{socket->recovery()->pid, missed->through, missed->through});
  announce(client, *socket, *request, &replay);
}

}  // namespace sg::sio
