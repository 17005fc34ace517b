// Gateway construction, handler registration and the emit API (see gateway.hpp).
// Lookups and room management by sid are in gateway_lookups.cpp.
// Threading: handlers before start; emits from any thread.
#include "sio/gateway.hpp"

#include "proto/socket_packet.hpp"
#include "recovery_log.hpp"
#include "session_store.hpp"
#include "shard_state.hpp"
#include "sid_homes.hpp"
#include "user_socket_counts.hpp"

#include <stdexcept>

namespace sg::sio {

Gateway::Gateway(eio::ShardPool& shards, GatewayOptions options) : shards_(shards), options_(std::move(options)) {
  namespaces_.push_back("/");
  for (const auto& nsp : options_.namespaces) {
    if (nsp.empty() || nsp.front() != '/') throw std::invalid_argument("namespace must start with '/': " + nsp);
    if (std::find(namespaces_.begin(), namespaces_.end(), nsp) == namespaces_.end()) namespaces_.push_back(nsp);
  }
  handlers_.resize(namespaces_.size());
  sid_homes_ = std::make_unique<SidHomes>(shards_.size());
  user_sockets_ = std::make_unique<UserSocketCounts>(options_.max_sockets_per_user);
  if (options_.recovery_max_disconnection.count() > 0) {
    recovery_log_ = std::make_unique<RecoveryLog>(options_.recovery_max_disconnection, options_.recovery_max_bytes, metrics_);
    recovery_sessions_ = std::make_unique<SessionStore>(
        options_.recovery_max_disconnection, metrics_.recovery_sessions_kept,
        [this](const PersistedSession& session) { release_rooms(session.nsp_index, session.rooms); });
  }
  for (std::size_t i = 0; i < shards_.size(); ++i)
    shard_states_.push_back(std::make_unique<ShardState>(*this, i, shards_.size()));
}

Gateway::~Gateway() = default;

void Gateway::attach_cluster(ClusterLink* link) {
  cluster_ = link;
  if (!cluster_recovery()) return;
  recovery_log_.reset();
  recovery_sessions_.reset();
}

eio::Engine& Gateway::engine(std::size_t shard) { return shard_states_[shard]->engine(); }

std::optional<std::size_t> Gateway::namespace_index(std::string_view nsp) const {
  for (std::size_t i = 0; i < namespaces_.size(); ++i) {
    if (namespaces_[i] == nsp) return i;
  }
  return std::nullopt;
}

std::int64_t Gateway::session_count(eio::TransportKind kind) const {
  std::int64_t total = 0;
  for (const auto& shard : shard_states_) total += shard->engine().session_count(kind);
  return total;
}

std::int64_t Gateway::tracked_sessions() const {
  std::int64_t total = 0;
  for (const auto& shard : shard_states_) total += shard->engine().tracked_sessions();
  return total;
}

NamespaceHandlers& Gateway::handlers_for(std::string_view nsp) {
  const auto index = namespace_index(nsp);
  if (!index) throw std::invalid_argument("namespace is not served: " + std::string(nsp));
  return handlers_[*index];
}

void Gateway::on_connect(std::string_view nsp, ConnectHandler handler) { handlers_for(nsp).on_connect = std::move(handler); }

void Gateway::on_event(std::string_view nsp, std::string event, EventHandler handler) {
  handlers_for(nsp).on_event[std::move(event)] = std::move(handler);
}

void Gateway::on_disconnect(std::string_view nsp, DisconnectHandler handler) {
  handlers_for(nsp).on_disconnect = std::move(handler);
}

// ---- emits ------------------------------------------------------------------------------

bool Gateway::emit(const EmitTarget& target, std::string_view event, std::span<const boost::json::value> arguments,
                   std::vector<std::string> attachments) {
  if (!namespace_index(target.nsp)) return false;
  GatewayMetrics::add(metrics_.events_emitted);
  if (cluster_recovery()) {
    // Every node, this one included, delivers it from Redis with its stream id; without Redis
    // it reaches this node's sockets only, with no offset.
    if (cluster_->publish_ordered(target, event, arguments, attachments)) return true;
  } else if (cluster_) {
    cluster_->publish_emit(target, event, arguments, attachments);
  }
  return deliver_locally(target, event, arguments, std::move(attachments));
}

// One emit ready for the shards: its namespace, its target and its packets, encoded once.
struct Gateway::PreparedEmit {
  std::size_t nsp_index;
  EmitTarget target;
  EncodedEmit encoded;
};

std::optional<Gateway::PreparedEmit> Gateway::prepare(EmitTarget target, std::string_view event,
                                                      std::span<const boost::json::value> arguments,
                                                      const std::vector<std::string>& attachments,
                                                      std::string_view cluster_offset, std::uint64_t position) const {
  const auto nsp_index = namespace_index(target.nsp);
  if (!nsp_index) return std::nullopt;
  PreparedEmit prepared{*nsp_index, std::move(target), {}};
  auto encode = [&](std::string_view offset) {
    std::string text = "4";
    proto::append_event_packet(text, prepared.target.nsp, event, arguments, std::nullopt, attachments.size());
    if (!offset.empty()) proto::append_trailing_string_argument(text, offset);
    EncodedEmit encoded;
    encoded.head = EncodedPacket::text(text);
    for (const auto& bytes : attachments) encoded.attachments.push_back(EncodedPacket::binary(bytes));
    return encoded;
  };
  if (!cluster_offset.empty()) {
    prepared.encoded = encode(cluster_offset);
    prepared.encoded.seq = position;
  } else if (recovery_log_) {
    // The offset is taken and the packet logged before any shard can deliver it.
    prepared.encoded = recovery_log_->append(*nsp_index, prepared.target.rooms, prepared.target.except_rooms, encode);
  } else {
    prepared.encoded = encode({});
  }
  return prepared;
}

std::optional<EncodedEmit> Gateway::encode_for_replay(const ClusterDelivery& delivery) const {
  auto prepared = prepare(delivery.target, delivery.event, delivery.arguments, delivery.attachments, delivery.offset,
                          delivery.position);
  if (!prepared) return std::nullopt;
  return std::move(prepared->encoded);
}

void Gateway::post_to_shards(std::shared_ptr<const std::vector<PreparedEmit>> emits) {
  for (std::size_t i = 0; i < shard_states_.size(); ++i) {
    ShardState* shard = shard_states_[i].get();
    shards_.post(i, [shard, emits] {
      for (const PreparedEmit& emit : *emits)
        shard->deliver(emit.nsp_index, emit.target.rooms, emit.target.except_rooms, emit.encoded);
    });
  }
}

bool Gateway::deliver_locally(const EmitTarget& target, std::string_view event,
                              std::span<const boost::json::value> arguments, std::vector<std::string> attachments) {
  auto prepared = prepare(target, event, arguments, attachments);
  if (!prepared) return false;
  auto emits = std::make_shared<std::vector<PreparedEmit>>();
  emits->push_back(std::move(*prepared));
  post_to_shards(std::move(emits));
  return true;
}

void Gateway::deliver_from_cluster(std::vector<ClusterDelivery> batch) {
  auto emits = std::make_shared<std::vector<PreparedEmit>>();
  emits->reserve(batch.size());
  for (auto& delivery : batch) {
    auto prepared = prepare(std::move(delivery.target), delivery.event, delivery.arguments, delivery.attachments,
                            delivery.offset, delivery.position);
    if (prepared) emits->push_back(std::move(*prepared));
  }
  if (!emits->empty()) post_to_shards(std::move(emits));
}

bool Gateway::emit_to_room(std::string_view room, std::string_view event, const boost::json::value& data,
                           std::string_view nsp) {
  EmitTarget target{std::string(nsp), {std::string(room)}, {}};
  return emit(target, event, data.is_null() ? std::span<const boost::json::value>() : std::span(&data, 1));
}

bool Gateway::emit_to_user(std::string_view user_id, std::string_view event, const boost::json::value& data,
                           std::string_view nsp) {
  return emit_to_room(options_.user_room_prefix + std::string(user_id), event, data, nsp);
}

bool Gateway::broadcast(std::string_view event, const boost::json::value& data, std::string_view nsp) {
  EmitTarget target{std::string(nsp), {}, {}};
  return emit(target, event, data.is_null() ? std::span<const boost::json::value>() : std::span(&data, 1));
}

// ---- recovery ---------------------------------------------------------------------------

void Gateway::hold_rooms(std::size_t nsp_index, const std::vector<std::string>& rooms) {
  if (!cluster_) return;
  for (const auto& room : rooms) cluster_->room_occupied(0, namespaces_[nsp_index], room);
}

void Gateway::release_rooms(std::size_t nsp_index, const std::vector<std::string>& rooms) {
  if (!cluster_) return;
  for (const auto& room : rooms) cluster_->room_vacated(0, namespaces_[nsp_index], room);
}

// ---- shutdown ---------------------------------------------------------------------------

void Gateway::shutdown(std::function<void()> done) {
  auto remaining = std::make_shared<std::atomic<std::size_t>>(shard_states_.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (std::size_t i = 0; i < shard_states_.size(); ++i) {
    ShardState* shard = shard_states_[i].get();
    shards_.post(i, [shard, remaining, shared_done] {
      shard->disconnect_all();
      if (remaining->fetch_sub(1) == 1 && *shared_done) (*shared_done)();
    });
  }
}

}  // namespace sg::sio
