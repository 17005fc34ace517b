// Session: one Engine.IO connection, whatever carries it — HTTP long-polling, WebSocket,
// or polling on its way to WebSocket (the upgrade probe).
//
// It owns the heartbeat (server ping every pingInterval, close when no pong arrives within
// pingTimeout), the polling buffer and the one pending GET, the upgrade state machine
// (2probe / 3probe / 5), and the bounded outbound queue: a session whose queued bytes
// exceed EngineOptions::max_queue_bytes is closed as a slow client. Closing is deferred to
// a later loop turn when it is triggered by a send, so a fan-out loop never sees the
// session vanish under it.
//
// Threading: a Session belongs to one shard; every member function runs on that shard's
// thread. Timer callbacks hold weak pointers and do nothing once the session is gone.
#pragma once

#include "eio/host_interface.hpp"
#include "eio/options.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::eio {

class Engine;

// State the application layer keeps per session (Socket.IO's client state).
struct SessionContext {
  virtual ~SessionContext() = default;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Engine& engine, std::string sid, TransportKind transport, HandshakeInfo handshake);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& sid() const { return sid_; }
  TransportKind transport() const { return transport_; }
  bool is_open() const { return state_ == State::open && !doomed_; }
  const HandshakeInfo& handshake() const { return handshake_; }

  SessionContext* context() const { return context_.get(); }
  void set_context(std::unique_ptr<SessionContext> context) { context_ = std::move(context); }

  // ---- application side -------------------------------------------------------------
  // Queues one Engine.IO packet ("4…" text, or a binary attachment). Returns false when
  // the packet was dropped because the session is closing.
  bool send(const PacketRef& packet);
  // Server-initiated close: what is queued is still delivered, then the transport closes.
  void close(CloseReason reason);

  // ---- host side: long-polling ------------------------------------------------------
  void handle_poll_get(PollResponder respond);
  void handle_poll_post(std::string_view body, std::string_view content_type, PollResponder respond);
  // A host that reads a POST's headers before its body reports the POST early, so that a
  // second POST overlapping it is refused as the protocol requires.
  void poll_post_started() { ++posts_in_progress_; }
  // The client went away while its GET was held: the session ends (transport close).
  void poll_get_abandoned();
  void poll_post_abandoned() {
    if (posts_in_progress_ > 0) --posts_in_progress_;
  }

  // ---- host side: WebSocket ---------------------------------------------------------
  void attach_websocket(std::shared_ptr<WebSocketPeer> peer);  // a session opened over WebSocket
  // An upgrade attempt; false (and the peer closed) when this session cannot take one.
  bool begin_probe(std::shared_ptr<WebSocketPeer> peer);
  void on_websocket_message(WebSocketPeer* from, std::string_view data, bool binary);
  void on_websocket_closed(WebSocketPeer* peer);

  // Called by the Engine right after the handshake reply is produced.
  void start_heartbeat();

 private:
  enum class State { open, closing, closed };

  void handle_packet(char type, std::string_view data, bool binary);
  void handle_probe_message(std::string_view data, bool binary);
  void finish_upgrade();
  void abandon_probe();
  void schedule_ping();
  void on_heartbeat_timer();
  void schedule_polling_flush();
  void flush_polling();
  std::string take_polling_body();
  void close_later(CloseReason reason);
  void finish_close(CloseReason reason);
  bool over_queue_limit() const;

  Engine& engine_;
  std::string sid_;
  TransportKind transport_;
  HandshakeInfo handshake_;
  State state_ = State::open;
  bool doomed_ = false;  // a deferred close is on its way; drop further sends

  std::vector<PacketRef> buffer_;  // polling, and everything sent while an upgrade is probing
  std::size_t buffered_bytes_ = 0;
  PollResponder pending_get_;
  int posts_in_progress_ = 0;  // announced by poll_post_started, ended by handle_poll_post
  bool flush_scheduled_ = false;

  std::shared_ptr<WebSocketPeer> websocket_;
  std::shared_ptr<WebSocketPeer> probe_;
  bool probe_confirmed_ = false;

  boost::asio::steady_timer heartbeat_timer_;
  bool awaiting_pong_ = false;
  std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;

  std::unique_ptr<SessionContext> context_;
};

}  // namespace sg::eio
