// Engine: the Engine.IO server of one shard — validates requests (the protocol's HTTP error
// codes), performs handshakes, keeps the table of its sessions, and hands each request to
// its session. The application above (Socket.IO, or the echo app of the conformance server)
// sees sessions through SessionListener.
//
// A session lives on the shard its sid hashes to (sg::shard_of), so a host routes a request
// that carries a sid with Engine::shard_for() before calling in.
//
// Threading: one Engine per shard; every member function runs on that shard's thread,
// except shard_for() (pure) and the session counters (atomics, readable from any thread).
#pragma once

#include "eio/host_interface.hpp"
#include "eio/options.hpp"
#include "eio/session.hpp"

#include "util/string_hash.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg::eio {

class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void on_open(Session& session) = 0;
  // A message from the client: text without the Engine.IO '4', or a binary message.
  virtual void on_message(Session& session, std::string_view data, bool binary) = 0;
  // Called exactly once per session, first thing when it closes for any reason.
  virtual void on_close(Session& session, CloseReason reason) = 0;
};

enum class EngineError : int {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

HttpReply error_reply(EngineError error);

class Engine {
 public:
  Engine(boost::asio::io_context& context, EngineOptions options, SessionListener& listener,
         std::size_t shard_index, std::size_t shard_count);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The shard that must serve a request with this query string: the sid's shard, or
  // nullopt when the request carries no sid (any shard may handshake).
  static std::optional<std::size_t> shard_for(std::string_view query, std::size_t shard_count);

  // An HTTP request that is not a WebSocket upgrade. `respond` runs exactly once, now or
  // when a held GET is answered.
  void handle_polling(std::string_view method, std::string_view query, std::string_view content_type,
                      std::string body, HandshakeInfo handshake, PollResponder respond);

  // The headers of a POST for a session have arrived; its body is still being read.
  // Every call is followed by handle_polling() with that POST or by polling_post_abandoned().
  void polling_post_started(std::string_view query);
  void polling_post_abandoned(std::string_view query);
  // The connection holding a GET for this session closed before the reply.
  void polling_get_abandoned(std::string_view query);

  // Validates a WebSocket upgrade request before the host answers it: an error reply to send
  // instead of 101, or nullopt to go ahead.
  // `remote_address`: the client's, for the limits on new sessions (eio/admission.hpp).
  std::optional<HttpReply> check_websocket(std::string_view query, std::string_view remote_address = {}) const;
  // After the 101: opens a session over the WebSocket, or starts an upgrade probe of the
  // polling session named by the sid. Returns the session the host feeds messages to, or
  // nullptr when the peer was refused (and closed).
  std::shared_ptr<Session> accept_websocket(std::string_view query, HandshakeInfo handshake,
                                            std::shared_ptr<WebSocketPeer> peer);

  // Closes every session (server shutdown).
  void close_all(CloseReason reason);

  std::int64_t session_count(TransportKind kind) const {
    return (kind == TransportKind::polling ? polling_sessions_ : websocket_sessions_).load(std::memory_order_relaxed);
  }

  // Sessions still in the table, including those finishing a server close.
  std::int64_t tracked_sessions() const { return tracked_sessions_.load(std::memory_order_relaxed); }

  // ---- for Session ------------------------------------------------------------------
  boost::asio::io_context& context() { return context_; }
  const EngineOptions& options() const { return options_; }
  SessionListener& listener() { return listener_; }
  void forget(const std::string& sid);
  void count_transport(TransportKind kind, int delta);

 private:
  std::shared_ptr<Session> find(std::string_view sid) const;
  std::string open_packet(const std::string& sid, bool with_upgrades) const;

  boost::asio::io_context& context_;
  EngineOptions options_;
  SessionListener& listener_;
  std::size_t shard_index_;
  std::size_t shard_count_;
  std::unordered_map<std::string, std::shared_ptr<Session>, TransparentStringHash, std::equal_to<>> sessions_;
  std::atomic<std::int64_t> polling_sessions_{0};
  std::atomic<std::int64_t> websocket_sessions_{0};
  std::atomic<std::int64_t> tracked_sessions_{0};
};

}  // namespace sg::eio
