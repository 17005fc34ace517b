// ClusterLink: what a Gateway needs from a cluster adapter that joins it to other gateway
// nodes (the Redis adapter in src/cluster implements it; without one the Gateway is a
// single in-memory node).
//
// The Gateway tells the link about every emit it has delivered locally (so the link can
// publish it once for the other nodes), about rooms that gain their first or lose their last
// member on a shard (so the link subscribes only to traffic this node needs), and hands it
// every operation on a sid that another node owns. The link calls back into the Gateway's
// local-only entry points (deliver_from_cluster, apply_to_matching, and the sid operations
// for sids this node owns).
//
// With connection-state recovery on, the link may order emits itself (orders_emits): every
// emit then goes through it first, gets a stream id as its offset, and comes back to every
// node — this one included — through deliver_from_cluster, in one order for all nodes. The
// sessions kept for recovery and the log to replay from then live in the cluster too, so a
// client may come back to any node (docs/recovery.md).
//
// Threading: publish_emit, route and gather_user_sids may be called from any thread;
// room_occupied/room_vacated are called on shard threads and must not block; status() from
// any thread. Callbacks (`done`) may run on any thread.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::sio {

struct EmitTarget;
struct ClusterDelivery;

// A socket kept for recovery, as the cluster stores it.
struct ClusterSession {
  std::string pid;
  std::string sid;
  std::string user_id;
  std::string nsp;
  std::vector<std::string> rooms;
  std::uint64_t connected_at = 0;  // the newest stream position when the socket connected
};

// What a recovering socket may have missed: emits after a position, in stream order.
struct MissedEmits {
  std::vector<ClusterDelivery> emits;  // of the namespace asked for; the shard filters rooms
  std::uint64_t through = 0;           // the newest position the read covered
};

// An operation on one socket, by sid, that another node owns.
struct SidRequest {
  enum class Kind { join, leave, disconnect, rooms };
  Kind kind = Kind::join;
  std::string sid;
  std::string room;  // join/leave only
};

// The owner's answer: found=false for an unknown sid (or an owner that did not answer).
struct SidReply {
  bool found = false;
  bool refused = false;  // found, but a limit refused the operation (a join past max_rooms_per_socket)
  std::vector<std::string> rooms;  // rooms requests only
};

// Counters and state of the link, for /healthz and /metrics.
struct ClusterStatus {
  bool connected = false;
  std::uint64_t reconnects = 0;
  std::int64_t room_subscriptions = 0;
  std::uint64_t received_broadcast = 0;
  std::uint64_t received_room = 0;
  std::uint64_t received_request = 0;
  std::uint64_t received_node = 0;
  std::uint64_t published = 0;
  std::uint64_t publishes_dropped = 0;
};

class ClusterLink {
 public:
  virtual ~ClusterLink() = default;

  // The text every socket id of this node starts with ("<node-id>-").
  virtual const std::string& sid_prefix() const = 0;

  // An emit already delivered to this node's sockets: make it reach the other nodes.
  virtual void publish_emit(const EmitTarget& target, std::string_view event,
                            std::span<const boost::json::value> arguments,
                            const std::vector<std::string>& attachments) = 0;

  // A room of namespace `nsp` got its first member on shard `shard` / lost its last one.
  virtual void room_occupied(std::size_t shard, std::string_view nsp, std::string_view room) = 0;
  virtual void room_vacated(std::size_t shard, std::string_view nsp, std::string_view room) = 0;

  // An operation on a sid whose prefix names another node.
  virtual void route(SidRequest request, std::function<void(SidReply)> done) = 0;

  // The sids of `user_id` on the other nodes (this node's are the Gateway's business).
  virtual void gather_user_sids(std::string_view user_id, std::function<void(std::vector<std::string>)> done) = 0;

  virtual ClusterStatus status() const = 0;

  // ---- cluster-wide recovery (only called when orders_emits()) -------------------------
  virtual bool orders_emits() const = 0;
  // Sends an emit to every node, this one included. False when it cannot (Redis is
  // unreachable): the caller then delivers it locally, without an offset.
  virtual bool publish_ordered(const EmitTarget& target, std::string_view event,
                               std::span<const boost::json::value> arguments,
                               const std::vector<std::string>& attachments) = 0;
  // An operation on a sid of this node that is not here (it was recovered on another node):
  // every other node is asked; `done` gets the answer of the one that has it.
  virtual void search_sid(SidRequest request, std::function<void(SidReply)> done) = 0;
  // The newest stream position this node has seen (0 before any).
  virtual std::uint64_t newest_position() const = 0;
  virtual void persist_session(ClusterSession session) = 0;
  // Takes the session of `pid` out of the store when it is of `nsp` and `user_id` (a pid
  // serves once); nullopt otherwise, and then the store is unchanged.
  virtual void claim_session(std::string pid, std::string nsp, std::string user_id,
                             std::function<void(std::optional<ClusterSession>)> done) = 0;
  // The emits of `nsp` after `after` (0: the whole log), read once every subscription asked
  // for before this call is in place; nullopt when the log no longer holds `after` or Redis
  // is unreachable.
  virtual void read_missed(std::uint64_t after, std::string nsp,
                           std::function<void(std::optional<MissedEmits>)> done) = 0;
};

}  // namespace sg::sio
