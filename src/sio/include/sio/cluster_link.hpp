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
};

}  // namespace sg::sio
