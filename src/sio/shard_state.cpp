// Socket.IO packet handling on one shard: sessions opening and closing, packet decoding and
// binary assembly, CONNECT with authentication, events, acks, DISCONNECT (see
// shard_state.hpp). Delivery of emits is in shard_delivery.cpp.
// Threading: the shard's thread only.
#include "shard_state.hpp"

#include "sid_homes.hpp"
#include "user_socket_counts.hpp"
#include "sio/gateway.hpp"
#include "util/log.hpp"
#include "util/random_id.hpp"

#include <boost/json/serialize.hpp>

namespace sg::sio {

namespace {

std::string engine_message(const proto::SocketPacket& packet) {
  std::string text = "4";
  proto::append_socket_packet(text, packet);
  return text;
}

// The token of an "Authorization: Bearer <token>" header (the scheme is case-insensitive
// and may be followed by several spaces), or "" for any other header.
std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() || authorization[scheme.size()] != ' ') return {};
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return {};
  }
  authorization.remove_prefix(scheme.size());
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  return authorization;
}

}  // namespace

ShardState::ShardState(Gateway& gateway, std::size_t index, std::size_t shard_count)
    : gateway_(gateway),
      index_(index),
      shard_count_(shard_count),
      engine_(gateway.shards().context(index), gateway.options().engine, *this, index, shard_count),
      rooms_(gateway.namespace_count()),
      namespace_members_(gateway.namespace_count()) {
  if (index == 0 && gateway.recovery_sessions()) {
    recovery_sweep_.emplace(engine_.context());
    boost::asio::post(engine_.context(), [this] { sweep_recovery_sessions(); });
  }
}

void ShardState::on_open(eio::Session& session) {
  auto client = std::make_unique<Client>(session);
  client->connect_timer = std::make_unique<boost::asio::steady_timer>(engine_.context());
  client->connect_timer->expires_after(gateway_.options().connect_timeout);
  client->connect_timer->async_wait([weak = session.weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto session = weak.lock()) {
      auto* client = static_cast<Client*>(session->context());
      if (client && !client->ever_connected) {
        log::debug("connect timeout", {{"sid", session->sid()}});
        session->close(eio::CloseReason::server_close);
      }
    }
  });
  session.set_context(std::move(client));
}

void ShardState::on_close(eio::Session& session, eio::CloseReason reason) {
  auto* client = static_cast<Client*>(session.context());
  if (!client) return;
  if (client->connect_timer) client->connect_timer->cancel();
  if (reason == eio::CloseReason::slow_client) GatewayMetrics::add(gateway_.mutable_metrics().slow_disconnects);
  // socket.io keeps a session for recovery when the connection was lost or closed, timed out,
  // or the server shut down — not when either side chose to end it, nor for a protocol error
  // or a client too slow to keep up.
  const bool recoverable = reason == eio::CloseReason::client_close || reason == eio::CloseReason::transport_close ||
                           reason == eio::CloseReason::ping_timeout || reason == eio::CloseReason::server_shutdown;
  auto sockets = client->sockets;  // disconnect_socket edits the list
  for (auto& [index, socket] : sockets) {
    if (recoverable) keep_for_recovery(*socket);
    disconnect_socket(*socket, false, eio::to_string(reason));
  }
  client->pending_binary.reset();
}

void ShardState::protocol_error(Client& client, std::string_view what) {
  log::debug("Socket.IO protocol error", {{"sid", client.session.sid()}, {"error", what}});
  client.session.close(eio::CloseReason::parse_error);
}

void ShardState::on_message(eio::Session& session, std::string_view data, bool binary) {
  auto* client = static_cast<Client*>(session.context());
  if (!client) return;
  if (binary) {
    if (!client->pending_binary) return protocol_error(*client, "unexpected binary message");
    auto& pending = *client->pending_binary;
    pending.attachments.emplace_back(data);
    if (pending.attachments.size() < pending.packet.attachments) return;
    PendingBinaryPacket complete = std::move(pending);
    client->pending_binary.reset();
    return dispatch(*client, complete.packet, std::move(complete.attachments));
  }
  if (client->pending_binary) return protocol_error(*client, "text while attachments were expected");
  std::string error;
  auto packet = proto::decode_socket_packet(data, error);
  if (!packet) return protocol_error(*client, error);
  const bool is_binary_type =
      packet->type == proto::SocketPacketType::binary_event || packet->type == proto::SocketPacketType::binary_ack;
  if (is_binary_type && packet->attachments > 0) {
    client->pending_binary.emplace(PendingBinaryPacket{std::move(*packet), {}});
    return;
  }
  dispatch(*client, *packet, {});
}

void ShardState::dispatch(Client& client, proto::SocketPacket& packet, std::vector<std::string> attachments) {
  if (packet.type == proto::SocketPacketType::connect) return handle_connect(client, packet);
  if (packet.type == proto::SocketPacketType::connect_error) return protocol_error(client, "client sent CONNECT_ERROR");
  const auto nsp_index = gateway_.namespace_index(packet.nsp);
  const auto socket = nsp_index ? client.socket_in(*nsp_index) : nullptr;
  if (!socket) return protocol_error(client, "packet for a namespace that is not connected");
  switch (packet.type) {
    case proto::SocketPacketType::disconnect:
      return disconnect_socket(*socket, false, "client namespace disconnect");
    case proto::SocketPacketType::event:
    case proto::SocketPacketType::binary_event:
      return handle_event(client, *socket, packet, std::move(attachments));
    case proto::SocketPacketType::ack:
    case proto::SocketPacketType::binary_ack:
      return handle_ack(*socket, packet, std::move(attachments));
    default:
      return protocol_error(client, "unexpected packet type");
  }
}

void ShardState::send_connect_error(Client& client, std::string_view nsp, std::string_view message) {
  proto::SocketPacket reply;
  reply.type = proto::SocketPacketType::connect_error;
  reply.nsp = std::string(nsp);
  reply.data = boost::json::object{{"message", message}};
  client.session.send(EncodedPacket::text(engine_message(reply)));
}

void ShardState::handle_connect(Client& client, proto::SocketPacket& packet) {
  const auto nsp_index = gateway_.namespace_index(packet.nsp);
  if (!nsp_index) return send_connect_error(client, packet.nsp, "Invalid namespace");
  if (client.socket_in(*nsp_index)) return protocol_error(client, "second CONNECT for a connected namespace");

  static const boost::json::object no_auth;
  const boost::json::object& auth = packet.data.is_object() ? packet.data.get_object() : no_auth;

  std::optional<auth::Identity> identity;
  if (const auto& verifier = gateway_.options().jwt) {
    std::string_view token;
    if (const auto* value = auth.if_contains("token"); value && value->is_string()) token = value->get_string();
    if (token.empty()) token = bearer_token(client.session.handshake().authorization);
    auto result = verifier->verify(token, std::chrono::system_clock::now());
    if (!result.identity) {
      GatewayMetrics::add(gateway_.mutable_metrics().auth_failures);
      log::info("connect refused", {{"sid", client.session.sid()}, {"reason", result.failure_reason},
                                    {"remote", client.session.handshake().remote_address}});
      return send_connect_error(client, packet.nsp, "Unauthorized");
    }
    identity = std::move(result.identity);
  }

  if (identity && gateway_.user_sockets().limited() && !gateway_.user_sockets().try_take(identity->user_id)) {
    GatewayMetrics::add(gateway_.mutable_metrics().user_limit_refusals);
    log::info("connect refused", {{"sid", client.session.sid()}, {"reason", "max sockets per user"}, {"user", identity->user_id}});
    return send_connect_error(client, packet.nsp, "Too many connections for this user");
  }
  ConnectRequest request{*nsp_index, packet.nsp, auth, std::move(identity)};
  if (gateway_.cluster_recovery() && request.auth.contains("pid")) return recover_through_cluster(client, std::move(request));
  auto recovered = try_recover(request.auth, request.nsp_index, request.user_id());
  if (!recovered) return connect_fresh(client, request);
  const std::uint64_t through = recovered->missed.through_seq;
  Socket& socket = open_socket(client, request, recovered->session.sid,
                               Socket::RecoveryMark{recovered->session.pid, through, through}, &recovered->session.rooms);
  gateway_.release_rooms(request.nsp_index, recovered->session.rooms);  // the socket holds them now
  announce(client, socket, request, &recovered->missed.emits);
}

void ShardState::connect_fresh(Client& client, const ConnectRequest& request) {
  const std::string_view sid_prefix = gateway_.cluster() ? std::string_view(gateway_.cluster()->sid_prefix()) : "";
  std::optional<Socket::RecoveryMark> mark;
  if (const RecoveryLog* log = gateway_.recovery_log()) {
    mark = Socket::RecoveryMark{random_id(), log->last_seq(), 0};
  } else if (gateway_.cluster_recovery()) {
    mark = Socket::RecoveryMark{random_id(), gateway_.cluster()->newest_position(), 0};
  }
  Socket& socket = open_socket(client, request, random_id_for_shard(index_, shard_count_, sid_prefix), std::move(mark), nullptr);
  announce(client, socket, request, nullptr);
}

Socket& ShardState::open_socket(Client& client, const ConnectRequest& request, std::string sid,
                                std::optional<Socket::RecoveryMark> mark, const std::vector<std::string>* restored_rooms) {
  auto socket = std::make_shared<Socket>(*this, client, request.nsp_index, std::move(sid));
  client.sockets.emplace_back(request.nsp_index, socket);
  sockets_by_sid_.emplace(socket->id(), socket.get());
  namespace_members_[request.nsp_index].insert(socket.get());
  // A restored id may hash to another shard, or name another node.
  if (restored_rooms) gateway_.sid_homes().add(socket->id(), index_, gateway_.is_remote_sid(socket->id()));
  if (mark) socket->set_recovery(std::move(*mark));
  if (request.identity) {
    socket->set_identity(request.identity->user_id, request.identity->claims);
    join_room(*socket, gateway_.options().user_room_prefix + socket->user_id());
    join_claimed_rooms(*socket);
  }
  if (restored_rooms) {
    for (const auto& room : *restored_rooms) join_room(*socket, room);
  }
  if (!client.ever_connected) {
    client.ever_connected = true;
    if (client.connect_timer) client.connect_timer->cancel();
  }
  return *socket;
}

void ShardState::announce(Client& client, Socket& socket, const ConnectRequest& request,
                          const std::vector<EncodedEmit>* replay) {
  proto::SocketPacket reply;
  reply.type = proto::SocketPacketType::connect;
  reply.nsp = request.nsp;
  reply.data = boost::json::object{{"sid", socket.id()}};
  if (const Socket::RecoveryMark* mark = socket.recovery()) reply.data.as_object()["pid"] = mark->pid;
  client.session.send(EncodedPacket::text(engine_message(reply)));
  if (replay) {
    // What it missed, in offset order, before anything live (live emits it was replayed are skipped).
    for (const EncodedEmit& emit : *replay) send_to(socket, emit.head, emit.attachments);
    GatewayMetrics::add(gateway_.mutable_metrics().recoveries);
    GatewayMetrics::add(gateway_.mutable_metrics().recovery_replayed, replay->size());
    log::debug("socket recovered", {{"sid", socket.id()}, {"replayed", replay->size()}});
  }
  gateway_.mutable_metrics().sockets.fetch_add(1, std::memory_order_relaxed);
  GatewayMetrics::add(gateway_.mutable_metrics().connects);
  log::debug("socket connected", {{"sid", socket.id()}, {"nsp", request.nsp}, {"user", socket.user_id()}});

  if (const auto& on_connect = gateway_.handlers(request.nsp_index).on_connect) on_connect(socket, request.auth);
}

void ShardState::handle_event(Client& client, Socket& socket, proto::SocketPacket& packet,
                              std::vector<std::string> attachments) {
  auto& values = packet.data.get_array();
  if (!values.front().is_string()) return;  // numeric event names are accepted and ignored
  if (!socket.take_event_token(gateway_.options().max_client_events_per_second)) {
    GatewayMetrics::add(gateway_.mutable_metrics().event_rate_disconnects);
    log::info("socket disconnected: events too fast", {{"sid", socket.id()}, {"user", socket.user_id()}});
    return disconnect_socket(socket, true, "too many events");
  }
  const std::string event(values.front().get_string());
  const auto& handlers = gateway_.handlers(socket.namespace_index()).on_event;
  const auto handler = handlers.find(event);
  if (handler == handlers.end()) return;
  Arguments arguments;
  values.erase(values.begin());
  arguments.values = std::move(values);
  arguments.attachments = std::move(attachments);
  Ack ack = packet.ack_id ? Ack(socket.weak_from_this(), *packet.ack_id) : Ack();
  handler->second(socket, arguments, ack);
}

void ShardState::handle_ack(Socket& socket, proto::SocketPacket& packet, std::vector<std::string> attachments) {
  if (!packet.ack_id) return;
  Arguments reply;
  reply.values = std::move(packet.data.get_array());
  reply.attachments = std::move(attachments);
  socket.resolve_ack(*packet.ack_id, reply);
}

}  // namespace sg::sio
