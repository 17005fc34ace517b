// GatewayCore: the C++ half of the ASGI host — the peer of src/net for an ASGI server.
//
// It owns the shard threads (eio::ShardPool) and the sio::Gateway running on them, and
// turns what the Python side hands it (a whole polling request, a WebSocket open, a
// WebSocket message, an emit, a room change) into work posted to the right shard: the
// shard a sid hashes to, or round robin for handshakes. Everything the core produces comes
// back as notices through the NoticeQueue, never by calling Python. The Python handlers
// are represented here by "watches": C++ handlers registered on the Gateway that turn each
// connect, event and disconnect into a notice. An event's Ack stays here, in a table of
// its socket's shard, until Python answers with send_ack() or drop_ack().
//
// Threading: construct, watch_*, start, stop on the Python loop thread. Every other member
// may be called from any thread except a shard thread and only posts to shards (the "_now"
// forms block until the shard answers). The bindings release the GIL around all of them.
#pragma once

#include "asgi_websocket_peer.hpp"
#include "core_config.hpp"
#include "notice_queue.hpp"

#include "eio/shard_pool.hpp"
#include "cluster/redis_cluster.hpp"
#include "sio/gateway.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <stdexcept>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::py {

enum class SidAction { join_room, leave_room, disconnect };

class GatewayCore {
 public:
  explicit GatewayCore(const CoreConfig& config);
  ~GatewayCore();
  GatewayCore(const GatewayCore&) = delete;
  GatewayCore& operator=(const GatewayCore&) = delete;

  int wakeup_fd() const { return notices_->wakeup_fd(); }
  std::vector<Notice> take_notices() { return notices_->take_all(); }
  std::size_t shard_count() const { return pool_.size(); }
  bool serves_namespace(std::string_view nsp) const { return gateway_.serves_namespace(nsp); }
  // For a native host that serves this core's transports (native_host.hpp).
  eio::ShardPool& shards() { return pool_; }
  sio::Gateway& gateway() { return gateway_; }

  // ---- watches (before start) -------------------------------------------------------
  void watch_connect(const std::string& nsp);
  void watch_event(const std::string& nsp, const std::string& event);
  void watch_disconnect(const std::string& nsp);

  // ---- life -------------------------------------------------------------------------
  void start();  // throws std::logic_error when started before
  bool running() const { return state_.load() == State::running; }
  // Sends DISCONNECT to every socket and closes every session; DoneNotice{token} follows.
  void shutdown(std::uint64_t token);
  std::int64_t tracked_sessions() const { return gateway_.tracked_sessions(); }
  // The Redis link's state and counters; nullopt on a single node.
  std::optional<sio::ClusterStatus> cluster_status() const {
    return cluster_ ? std::optional(cluster_->status()) : std::nullopt;
  }
  void stop();  // stops and joins the shard threads; idempotent

  // ---- long-polling -----------------------------------------------------------------
  // A whole HTTP request (body read); PollReplyNotice{token} carries the answer.
  void handle_polling(std::uint64_t token, std::string method, std::string query, std::string content_type,
                      std::string body, std::string authorization, std::string remote_address);
  void polling_get_abandoned(std::string query);
  // A POST's headers arrived and its body is being read (so an overlapping POST is refused
  // as the protocol requires); every call is followed by handle_polling() for that POST or
  // by polling_post_abandoned().
  void polling_post_started(std::string query);
  void polling_post_abandoned(std::string query);

  // ---- WebSocket --------------------------------------------------------------------
  // Checks and opens a WebSocket; WebSocketOpenedNotice{token} carries the refusal or peer.
  void open_websocket(std::uint64_t token, std::string query, std::string authorization,
                      std::string remote_address);
  void websocket_message(AsgiWebSocketPeer& peer, std::string data, bool binary);
  void websocket_closed(AsgiWebSocketPeer& peer);

  // ---- emits and acks (gateway_core_api.cpp) ----------------------------------------
  // arguments_json is a JSON array. False when the namespace is not served.
  bool emit(const std::string& nsp, std::vector<std::string> rooms, std::vector<std::string> except_rooms,
            const std::string& event, const std::string& arguments_json, std::vector<std::string> attachments);
  void send_ack(const std::string& sid, std::uint64_t ack_id, const std::string& arguments_json,
                std::vector<std::string> attachments);
  void drop_ack(const std::string& sid, std::uint64_t ack_id);

  // ---- rooms and lookups (gateway_core_api.cpp) -------------------------------------
  // Async forms: DoneNotice{token, found, names}. Blocking forms: the answer.
  void act_on_sid(SidAction action, std::uint64_t token, const std::string& sid, const std::string& room);
  bool act_on_sid_now(SidAction action, const std::string& sid, const std::string& room);
  // 0: unknown sid, 1: joined, 2: refused at max_rooms_per_socket.
  int join_room_now(const std::string& sid, const std::string& room);
  void rooms_of(std::uint64_t token, const std::string& sid);
  std::optional<std::vector<std::string>> rooms_of_now(const std::string& sid);
  void sids_of_user(std::uint64_t token, const std::string& user_id);
  std::vector<std::string> sids_of_user_now(const std::string& user_id);

 private:
  enum class State { created, running, stopped };
  struct ShardAcks {  // touched only on its shard's thread
    std::uint64_t next_id = 1;
    std::unordered_map<std::uint64_t, sio::Ack> pending;
  };

  std::size_t shard_for_request(std::string_view query);

  // Waits for a shard's answer; throws std::runtime_error if the gateway stops meanwhile
  // (a stopped pool drops pending work, so the answer would never come).
  template <class Value>
  Value wait_until_answered(std::future<Value>& answer) const {
    while (answer.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      if (!running()) throw std::runtime_error("the gateway stopped before answering");
    }
    return answer.get();
  }

  std::optional<std::uint64_t> keep_ack(const std::string& sid, sio::Ack& ack);
  void with_ack(const std::string& sid, std::uint64_t ack_id, std::function<void(sio::Ack&)> use);

  std::shared_ptr<NoticeQueue> notices_;
  eio::ShardPool pool_;
  sio::Gateway gateway_;
  std::unique_ptr<cluster::RedisCluster> cluster_;  // cluster mode only
  std::vector<ShardAcks> acks_;
  std::atomic<State> state_{State::created};
  std::atomic<std::size_t> next_handshake_shard_{0};
  std::atomic<std::uint64_t> next_peer_id_{1};
};

}  // namespace sg::py
