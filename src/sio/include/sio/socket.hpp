// Socket: one Socket.IO connection to one namespace, riding an Engine.IO session. Its id is
// what the client sees as socket.id (never the Engine.IO sid). It knows its user (from the
// JWT), its rooms (through its shard's room index), and its outstanding server->client acks.
// With connection-state recovery it also carries its private session id (pid) and where it
// stands in the recovery log.
//
// Threading: a Socket lives on its session's shard; use it only on that shard's thread
// (inside handlers, or in work posted to that shard).
#pragma once

#include "sio/handlers.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::eio {
class Session;
}

namespace sg::sio {

class ShardState;
struct Client;

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  Socket(ShardState& shard, Client& client, std::size_t namespace_index, std::string id);

  const std::string& id() const { return id_; }
  const std::string& nsp() const;
  std::size_t namespace_index() const { return namespace_index_; }
  const std::string& user_id() const { return user_id_; }
  const boost::json::object& claims() const { return claims_; }
  bool connected() const { return connected_; }

  // Emits to this socket only. With `on_ack`, the client is asked to acknowledge and the
  // callback receives its reply.
  void emit(std::string_view event, const Arguments& arguments, AckCallback on_ack = {});

  // False when max_rooms_per_socket refuses the join.
  bool join(std::string_view room);
  void leave(std::string_view room);
  std::vector<std::string> rooms() const;

  // Server-side disconnect of this namespace: the client receives DISCONNECT.
  void disconnect();

  eio::Session& session() const;

  // ---- for the Socket.IO layer --------------------------------------------------------
  void set_identity(std::string user_id, boost::json::object claims);
  void mark_disconnected() { connected_ = false; }

  // Connection-state recovery (absent when the gateway keeps no recovery log).
  struct RecoveryMark {
    std::string pid;                    // the private session id the client presents to recover
    std::uint64_t connected_at_seq = 0;  // the log's newest seq when this socket (re)connected
    std::uint64_t replayed_through = 0;  // emits up to this seq were replayed: skip them live
  };
  const RecoveryMark* recovery() const { return recovery_.get(); }
  void set_recovery(RecoveryMark mark) { recovery_ = std::make_unique<RecoveryMark>(std::move(mark)); }
  // True when a live emit with this seq was already replayed to this socket.
  bool replayed(std::uint64_t seq) const { return recovery_ && seq <= recovery_->replayed_through; }
  // The client's events are limited to `per_second` (bursts of twice that; 0: no limit):
  // false when this one is over.
  bool take_event_token(double per_second);
  void resolve_ack(std::uint64_t id, Arguments& reply);
  void send_ack(std::uint64_t id, const Arguments& reply);
  Client& client() const { return client_; }

 private:
  ShardState& shard_;
  Client& client_;
  std::size_t namespace_index_;
  std::string id_;
  std::string user_id_;
  boost::json::object claims_;
  bool connected_ = true;
  std::unique_ptr<RecoveryMark> recovery_;
  std::uint64_t next_ack_id_ = 0;
  double event_tokens_ = -1;  // -1: the bucket is not filled yet
  std::chrono::steady_clock::time_point events_refilled_;
  std::unordered_map<std::uint64_t, AckCallback> pending_acks_;
};

}  // namespace sg::sio
