// RedisCluster::Loop: everything RedisCluster does on its own thread — the two Redis
// connections (one for commands and publishes, one for subscriptions), the room channels
// this node needs, reconnection with backoff, questions to other nodes, and what arrives
// from Redis; with cluster-wide recovery, the stream of emits and the kept sessions too
// (cluster_recovery.cpp).
//
// Threading: the public entry points post to the loop's io_context; everything else runs on
// the cluster thread. The counters are atomics, read from any thread by status().
#pragma once

#include "cluster/redis_cluster.hpp"
#include "emit_message.hpp"
#include "pending_requests.hpp"
#include "redis_connection.hpp"
#include "redis_endpoint.hpp"
#include "request_message.hpp"
#include "util/string_hash.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <thread>
#include <unordered_map>

namespace sg::cluster {

class RedisCluster::Loop {
 public:
  Loop(RedisClusterOptions options, RedisEndpoint endpoint, sio::Gateway& gateway);

  void start();
  void stop();

  const std::string& node_id() const { return options_.node_id; }
  const std::string& sid_prefix() const { return sid_prefix_; }
  const std::string& key_prefix() const { return options_.key_prefix; }
  bool connected() const { return connected_.load(std::memory_order_acquire); }

  // Any thread. On a shard thread the messages wait for the end of the shard's loop turn and
  // go to the cluster thread together (a burst of emits becomes one write to Redis, which
  // then forwards it to other nodes in one piece).
  void publish(std::vector<OutgoingEmit> messages);
  void room_occupied(std::string channel);
  void room_vacated(std::string channel);
  void route(sio::SidRequest request, std::function<void(sio::SidReply)> done);
  void gather_user_sids(std::string user_id, std::function<void(std::vector<std::string>)> done);
  void search_sid(sio::SidRequest request, std::function<void(sio::SidReply)> done);
  sio::ClusterStatus status() const;
  std::string room_channel(std::string_view nsp, std::string_view room) const;

  // Cluster-wide recovery (cluster_recovery.cpp; see sio/cluster_link.hpp).
  bool orders_emits() const { return ordered_; }
  bool publish_ordered(std::vector<OutgoingEmit> messages);
  std::uint64_t newest_position() const { return newest_position_.load(std::memory_order_acquire); }
  void persist_session(sio::ClusterSession session);
  void claim_session(std::string pid, std::string nsp, std::string user_id,
                     std::function<void(std::optional<sio::ClusterSession>)> done);
  void read_missed(std::uint64_t after, std::string nsp, std::function<void(std::optional<sio::MissedEmits>)> done);

 private:
  enum class ChannelKind { broadcast, request, node };
  struct FixedChannel {
    ChannelKind kind;
    std::string nsp;
  };

  void close_everything();  // the end of stop()
  void connect();
  void on_connection_ready();
  void on_lost(std::uint64_t generation, std::string_view why);
  void schedule_reconnect();
  void subscribe_everything();
  void send_subscription(std::string_view verb, std::span<const std::string> channels);
  void on_push(const redisReply& reply);
  void on_message(std::string_view channel, std::string_view payload);
  void on_emit(std::string_view payload);
  void deliver_arrived();  // hands the emits of the last read to the Gateway as one batch
  void on_request(std::string_view payload, std::string_view nsp);
  void answer(const SidQuestion& question);
  void answer(const UserSidsQuestion& question);
  void send_reply(std::string_view node, Reply reply);
  bool publish_now(std::string_view channel, std::string_view payload, RedisConnection::ReplyHandler on_reply = {});
  void send_to_redis(std::vector<OutgoingEmit> messages);
  // Cluster-wide recovery.
  void load_publish_script();
  void run_publish_script(OutgoingEmit message, bool by_sha = true);
  void deliver_unordered(const OutgoingEmit& message);  // the script could not run
  void learn_newest_position();
  void note_position(std::uint64_t position);
  void after_subscriptions(std::function<void(bool ok)> then);
  void on_pong(std::string_view token);
  void fail_barriers();
  void read_stream(std::uint64_t after, const std::string& nsp, std::function<void(std::optional<sio::MissedEmits>)> done);
  std::string session_key(std::string_view pid) const;
  void renew_writer_lease();
  void on_external_emit(std::string_view channel, std::string_view payload);

  RedisClusterOptions options_;
  RedisEndpoint endpoint_;
  sio::Gateway& gateway_;
  std::string sid_prefix_;
  std::string node_channel_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<RedisConnection> commands_;
  std::shared_ptr<RedisConnection> subscriber_;
  std::uint64_t generation_ = 0;
  int connections_ready_ = 0;
  std::chrono::milliseconds backoff_;
  bool ever_connected_ = false;
  bool stopping_ = false;
  bool closed_ = false;

  std::unordered_map<std::string, FixedChannel, TransparentStringHash, std::equal_to<>> fixed_channels_;
  std::unordered_map<std::string, int, TransparentStringHash, std::equal_to<>> room_channels_;  // shards with members
  PendingRequests pending_;
  std::vector<sio::ClusterDelivery> arrived_;  // emits of the read being handled
  // Per shard (each touched by its shard thread only): publishes of the current loop turn.
  std::vector<std::vector<OutgoingEmit>> shard_batches_;

  // Cluster-wide recovery.
  const bool ordered_;
  const std::string stream_key_;
  const std::string stream_max_length_;
  const std::string publish_script_sha_;
  std::atomic<std::uint64_t> newest_position_{0};
  std::uint64_t next_barrier_ = 0;
  std::unordered_map<std::string, std::function<void(bool ok)>> barriers_;  // PING token -> what waits
  boost::asio::steady_timer lease_timer_;
  bool writer_ = false;  // this node holds the lease: it copies external emitters' messages

  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::int64_t> room_subscriptions_{0};
  std::atomic<std::uint64_t> received_broadcast_{0};
  std::atomic<std::uint64_t> received_room_{0};
  std::atomic<std::uint64_t> received_request_{0};
  std::atomic<std::uint64_t> received_node_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> publishes_dropped_{0};
};

}  // namespace sg::cluster
