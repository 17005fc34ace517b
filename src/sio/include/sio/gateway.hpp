// Gateway: the Socket.IO server and its emit API — the one object applications talk to.
// With a recovery window, emits also go to a RecoveryLog (each with its offset) and sockets
// that lose their connection are kept in a SessionStore, so a client that comes back gets
// its sid, its rooms and what it missed (socket.io's connection-state recovery). With a
// cluster link that orders emits, the link keeps both in Redis instead, and a client comes
// back to any node.
//
// It runs one Engine.IO engine per shard of a ShardPool, with Socket.IO on top: namespaces,
// CONNECT with JWT authentication (the socket joins "user:{id}"), events and acks in both
// directions, binary attachments, rooms. Emits are encoded once into shared packets and
// posted to every shard, where each shard walks its own members with no lock. With a
// ClusterLink attached (several nodes), each emit is also handed to the link once, and
// operations on sids of other nodes are routed through it.
//
// Threading: configure handlers (on_connect/on_event/on_disconnect) before the pool starts.
// Every emit/room/lookup function may be called from any thread and returns without
// waiting for delivery; completion callbacks run on the shard thread that did the work.
// The blocking lookups wait for the shards and must not be called on a shard thread.
#pragma once

#include "eio/engine.hpp"
#include "eio/shard_pool.hpp"
#include "sio/cluster_link.hpp"
#include "sio/gateway_options.hpp"
#include "sio/handlers.hpp"
#include "sio/metrics.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::sio {

class ShardState;
class RecoveryLog;
class SessionStore;
class SidHomes;
class UserSocketCounts;
struct EncodedEmit;

// Who an emit goes to: members of any of `rooms` (every socket of the namespace when
// `rooms` is empty), minus members of any of `except_rooms`.
struct EmitTarget {
  std::string nsp = "/";
  std::vector<std::string> rooms;
  std::vector<std::string> except_rooms;
};

// An emit that arrived from another node, decoded (binary values are placeholders whose
// bytes are in `attachments`). When the cluster orders emits, `offset` is its stream id and
// `position` that id as a number (sio/stream_position.hpp); else both are empty.
struct ClusterDelivery {
  EmitTarget target;
  std::string event;
  boost::json::array arguments;
  std::vector<std::string> attachments;
  std::string offset;
  std::uint64_t position = 0;
};

// Sockets a cluster request applies to: members of any of `rooms` (a name may also be a sid
// of this node; every socket of the namespace when empty), minus members of `except_rooms`.
struct SocketSelection {
  std::string nsp = "/";
  std::vector<std::string> rooms;
  std::vector<std::string> except_rooms;
};

// What to do with the selected sockets.
struct SelectionAction {
  enum class Kind { join, leave, disconnect };
  Kind kind = Kind::join;
  std::vector<std::string> rooms;  // join/leave
};

class Gateway {
 public:
  Gateway(eio::ShardPool& shards, GatewayOptions options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // ---- handlers (before start) ------------------------------------------------------
  void on_connect(std::string_view nsp, ConnectHandler handler);
  void on_event(std::string_view nsp, std::string event, EventHandler handler);
  void on_disconnect(std::string_view nsp, DisconnectHandler handler);

  // ---- emit API (any thread; false only when the namespace is not served) -----------
  bool emit_to_user(std::string_view user_id, std::string_view event, const boost::json::value& data,
                    std::string_view nsp = "/");
  bool emit_to_room(std::string_view room, std::string_view event, const boost::json::value& data,
                    std::string_view nsp = "/");
  bool broadcast(std::string_view event, const boost::json::value& data, std::string_view nsp = "/");
  // The general form: any number of arguments, binary attachments, several rooms, excepts.
  bool emit(const EmitTarget& target, std::string_view event, std::span<const boost::json::value> arguments,
            std::vector<std::string> attachments = {});

  // ---- rooms and connections by sid (any thread) ------------------------------------
  // `done(found)` runs on the sid's shard thread; found is false for an unknown sid.
  // found is false for an unknown sid, and for a join max_rooms_per_socket refuses (on_sid
  // with a join request tells the two apart: SidReply::refused).
  void join_room(std::string_view sid, std::string_view room, std::function<void(bool found)> done = {});
  void leave_room(std::string_view sid, std::string_view room, std::function<void(bool found)> done = {});
  void disconnect(std::string_view sid, std::function<void(bool found)> done = {});
  void rooms_of(std::string_view sid, std::function<void(std::optional<std::vector<std::string>>)> done);
  void sids_of_user(std::string_view user_id, std::function<void(std::vector<std::string>)> done);
  // Blocking forms (never on a shard thread).
  std::optional<std::vector<std::string>> rooms_of(std::string_view sid);
  std::vector<std::string> sids_of_user(std::string_view user_id);

  // ---- cluster (see cluster_link.hpp) ------------------------------------------------
  // Attach before the pool starts; the link must outlive the Gateway's shards. A link that
  // orders emits takes over recovery: the node keeps no log or sessions of its own.
  void attach_cluster(ClusterLink* link);
  ClusterLink* cluster() const { return cluster_; }
  // Emits that arrived from other nodes, in order: delivered to this node's sockets only,
  // with one post per shard for the whole batch (so a shard writes them out together).
  void deliver_from_cluster(std::vector<ClusterDelivery> batch);
  // A request from another node or an external emitter, applied on every shard.
  void apply_to_matching(SocketSelection selection, SelectionAction action);
  // This node's sids of `user_id` (sids_of_user adds the other nodes').
  void local_sids_of_user(std::string_view user_id, std::function<void(std::vector<std::string>)> done);
  // True when `sid` belongs to another node of the cluster.
  bool is_remote_sid(std::string_view sid) const;
  // An operation on a sid: routed to its owner node, or done here — and with cluster-wide
  // recovery, a sid of this node not found here is searched for on every node.
  void on_sid(SidRequest request, std::function<void(SidReply)> done);
  // The same on this node's sockets only; `done` runs on the sid's shard.
  void apply_to_local_sid(SidRequest request, std::function<void(SidReply)> done);
  // The shard a sid of this node lives on: the one it hashes to, or the one a recovered
  // socket was restored on.
  std::size_t shard_of_sid(std::string_view sid) const;

  // Closes every session — after a Socket.IO DISCONNECT to every socket, unless recovery is
  // on (then the sockets are kept and their clients reconnect and recover); `done` runs once
  // all shards have done so (on some shard thread).
  void shutdown(std::function<void()> done);

  // ---- for hosts --------------------------------------------------------------------
  eio::ShardPool& shards() { return shards_; }
  eio::Engine& engine(std::size_t shard);
  bool serves_namespace(std::string_view nsp) const { return namespace_index(nsp).has_value(); }
  const GatewayMetrics& metrics() const { return metrics_; }
  std::int64_t session_count(eio::TransportKind kind) const;
  // Sessions not yet forgotten by their engines (open, or delivering a server close).
  std::int64_t tracked_sessions() const;

  // ---- for the Socket.IO layer ------------------------------------------------------
  const GatewayOptions& options() const { return options_; }
  GatewayMetrics& mutable_metrics() { return metrics_; }
  std::optional<std::size_t> namespace_index(std::string_view nsp) const;
  const std::string& namespace_name(std::size_t index) const { return namespaces_[index]; }
  const NamespaceHandlers& handlers(std::size_t index) const { return handlers_[index]; }
  std::size_t namespace_count() const { return namespaces_.size(); }
  // Connection-state recovery: whether it is on, whether the cluster link does it (sessions
  // and log in Redis), and this node's own log and sessions (null when off or in the cluster).
  bool recovery_on() const { return options_.recovery_max_disconnection.count() > 0; }
  bool cluster_recovery() const { return cluster_ != nullptr && cluster_->orders_emits(); }
  RecoveryLog* recovery_log() const { return recovery_log_.get(); }
  SessionStore* recovery_sessions() const { return recovery_sessions_.get(); }
  SidHomes& sid_homes() { return *sid_homes_; }
  UserSocketCounts& user_sockets() { return *user_sockets_; }
  // An emit read back from the cluster's log, encoded for one recovering socket's replay.
  std::optional<EncodedEmit> encode_for_replay(const ClusterDelivery& delivery) const;
  // Cluster mode: a session kept for recovery keeps its rooms' channels subscribed on this
  // node until it comes back or is forgotten, so emits from other nodes still reach the log.
  void hold_rooms(std::size_t nsp_index, const std::vector<std::string>& rooms);
  void release_rooms(std::size_t nsp_index, const std::vector<std::string>& rooms);

 private:
  NamespaceHandlers& handlers_for(std::string_view nsp);
  struct PreparedEmit;
  std::optional<PreparedEmit> prepare(EmitTarget target, std::string_view event,
                                      std::span<const boost::json::value> arguments,
                                      const std::vector<std::string>& attachments,
                                      std::string_view cluster_offset = {}, std::uint64_t position = 0) const;
  void post_to_shards(std::shared_ptr<const std::vector<PreparedEmit>> emits);
  bool deliver_locally(const EmitTarget& target, std::string_view event, std::span<const boost::json::value> arguments,
                       std::vector<std::string> attachments);
  void route_sid(SidRequest request, std::function<void(SidReply)> done);
  void gather_sids_of_user(std::string_view user_id, bool include_cluster,
                           std::function<void(std::vector<std::string>)> done);

  eio::ShardPool& shards_;
  GatewayOptions options_;
  GatewayMetrics metrics_;
  std::vector<std::string> namespaces_;
  std::vector<NamespaceHandlers> handlers_;
  std::vector<std::unique_ptr<ShardState>> shard_states_;
  std::unique_ptr<RecoveryLog> recovery_log_;
  std::unique_ptr<SessionStore> recovery_sessions_;
  std::unique_ptr<SidHomes> sid_homes_;
  std::unique_ptr<UserSocketCounts> user_sockets_;
  ClusterLink* cluster_ = nullptr;
};

}  // namespace sg::sio
