// RedisCluster: the cluster adapter that joins gateway nodes through Redis pub/sub (see
// docs/deployment.md for the channels and what is delivered when Redis is away).
//
// Each node delivers its own emits locally and publishes them once, in the wire format of
// @socket.io/redis-emitter, so external emitters in any language work unchanged. A node
// subscribes to the broadcast and request channels of its namespaces, to its own node
// channel, and to the channel of each room while it has members in it, so room traffic
// reaches only the nodes that need it. Operations on another node's sid are sent to that
// node's channel and answered there. If Redis goes away the node keeps serving its local
// clients, drops (and counts) what it would have published, and reconnects with backoff.
// With connection-state recovery on, emits go through a Redis stream and sessions are kept
// in Redis, so a client recovers on any node (docs/recovery.md).
//
// Threading: construct and start() on one thread before the Gateway's shards start; stop()
// after they stopped. The ClusterLink functions may be called from any thread; all Redis
// work happens on the cluster's own thread.
#pragma once

#include "sio/cluster_link.hpp"
#include "sio/gateway.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace sg::cluster {

struct RedisClusterOptions {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string key_prefix = "socket.io";
  std::string node_id;  // empty: 8 random characters; else [A-Za-z0-9]{1,16}
  std::chrono::milliseconds request_timeout{2000};
};

class RedisCluster final : public sio::ClusterLink {
 public:
  // Throws std::invalid_argument for a bad URL or node id.
  RedisCluster(RedisClusterOptions options, sio::Gateway& gateway);
  ~RedisCluster() override;
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  void start();
  void stop();
  const std::string& node_id() const;

  // sio::ClusterLink
  const std::string& sid_prefix() const override;
  void publish_emit(const sio::EmitTarget& target, std::string_view event,
                    std::span<const boost::json::value> arguments,
                    const std::vector<std::string>& attachments) override;
  void room_occupied(std::size_t shard, std::string_view nsp, std::string_view room) override;
  void room_vacated(std::size_t shard, std::string_view nsp, std::string_view room) override;
  void route(sio::SidRequest request, std::function<void(sio::SidReply)> done) override;
  void gather_user_sids(std::string_view user_id, std::function<void(std::vector<std::string>)> done) override;
  sio::ClusterStatus status() const override;
  bool orders_emits() const override;
  bool publish_ordered(const sio::EmitTarget& target, std::string_view event,
                       std::span<const boost::json::value> arguments,
                       const std::vector<std::string>& attachments) override;
  void search_sid(sio::SidRequest request, std::function<void(sio::SidReply)> done) override;
  std::uint64_t newest_position() const override;
  void persist_session(sio::ClusterSession session) override;
  void claim_session(std::string pid, std::string nsp, std::string user_id,
                     std::function<void(std::optional<sio::ClusterSession>)> done) override;
  void read_missed(std::uint64_t after, std::string nsp,
                   std::function<void(std::optional<sio::MissedEmits>)> done) override;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace sg::cluster
