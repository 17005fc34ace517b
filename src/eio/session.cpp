// Session core: sending, the bounded queue, heartbeat and closing (see session.hpp).
// The transport-specific halves are in session_polling.cpp and session_websocket.cpp.
// Threading: the owning shard's thread only.
#include "eio/session.hpp"

#include "eio/engine.hpp"
#include "proto/engine_packet.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>

namespace sg::eio {

namespace {
const PacketRef& ping_packet() {
  static const PacketRef packet = EncodedPacket::text("2");
  return packet;
}
}  // namespace

Session::Session(Engine& engine, std::string sid, TransportKind transport, HandshakeInfo handshake)
    : engine_(engine),
      sid_(std::move(sid)),
      transport_(transport),
      handshake_(std::move(handshake)),
      heartbeat_timer_(engine.context()) {}

Session::~Session() = default;

bool Session::over_queue_limit() const {
  const std::size_t queued = buffered_bytes_ + (websocket_ ? websocket_->queued_bytes() : 0);
  return queued > engine_.options().max_queue_bytes;
}

bool Session::send(const PacketRef& packet) {
  if (state_ != State::open || doomed_) return false;
  if (transport_ == TransportKind::websocket && websocket_) {
    websocket_->send(packet);
  } else {
    buffer_.push_back(packet);
    buffered_bytes_ += packet->payload().size();
    if (pending_get_ && !probe_) schedule_polling_flush();
  }
  if (over_queue_limit()) {
    log::warn("slow client disconnected", {{"sid", sid_}, {"limit", engine_.options().max_queue_bytes}});
    close_later(CloseReason::slow_client);
  }
  return true;
}

void Session::close_later(CloseReason reason) {
  if (doomed_) return;
  doomed_ = true;
  boost::asio::post(engine_.context(), [weak = weak_from_this(), reason] {
    if (auto self = weak.lock()) self->finish_close(reason);
  });
}

void Session::close(CloseReason reason) {
  if (state_ != State::open) return;
  finish_close(reason);
}

void Session::finish_close(CloseReason reason) {
  if (state_ != State::open) return;
  auto keep_alive = shared_from_this();
  state_ = State::closed;
  heartbeat_timer_.cancel();
  if (upgrade_timer_) upgrade_timer_->cancel();
  engine_.count_transport(transport_, -1);
  log::debug("session closed", {{"sid", sid_}, {"reason", to_string(reason)}});
  engine_.listener().on_close(*this, reason);

  if (probe_) {
    probe_->close(false);
    probe_.reset();
  }
  if (transport_ == TransportKind::websocket) {
    if (websocket_) {
      const bool flush = reason != CloseReason::transport_close && reason != CloseReason::slow_client;
      websocket_->close(flush);
      websocket_.reset();
    }
    buffer_.clear();
    engine_.forget(sid_);
    return;
  }

  // Long-polling. A server close (the application's, or shutdown) delivers what is
  // buffered followed by a close packet, now or on the next GET. Any other end answers a
  // pending GET at once (a noop when the client itself closed) and forgets the session.
  const bool deliver_buffer = reason == CloseReason::server_close || reason == CloseReason::server_shutdown;
  if (!deliver_buffer) {
    if (pending_get_) {
      auto respond = std::move(pending_get_);
      pending_get_ = nullptr;
      respond(HttpReply{200, "text/plain; charset=UTF-8", reason == CloseReason::client_close ? "6" : "1"});
    }
    buffer_.clear();
    buffered_bytes_ = 0;
    engine_.forget(sid_);
    return;
  }
  // What is buffered (a Socket.IO DISCONNECT, say) leaves in one response and the close
  // packet in the next, so the client handles the packets before its transport closes.
  if (pending_get_) {
    auto respond = std::move(pending_get_);
    pending_get_ = nullptr;
    if (buffer_.empty()) {
      respond(HttpReply{200, "text/plain; charset=UTF-8", "1"});
      engine_.forget(sid_);
      return;
    }
    respond(HttpReply{200, "text/plain; charset=UTF-8", take_polling_body()});
  }
  // Keep the session reachable for one last GET, for at most one heartbeat period.
  state_ = State::closing;
  heartbeat_timer_.expires_after(engine_.options().ping_interval + engine_.options().ping_timeout);
  heartbeat_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->state_ = State::closed;
      self->engine_.forget(self->sid_);
    }
  });
}

// ---- heartbeat ------------------------------------------------------------------------

void Session::start_heartbeat() { schedule_ping(); }

void Session::schedule_ping() {
  awaiting_pong_ = false;
  heartbeat_timer_.expires_after(engine_.options().ping_interval);
  heartbeat_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_heartbeat_timer();
  });
}

void Session::on_heartbeat_timer() {
  if (state_ != State::open) return;
  if (awaiting_pong_) {
    finish_close(CloseReason::ping_timeout);
    return;
  }
  awaiting_pong_ = true;
  send(ping_packet());
  heartbeat_timer_.expires_after(engine_.options().ping_timeout);
  heartbeat_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_heartbeat_timer();
  });
}

// ---- packets from the client ----------------------------------------------------------

void Session::handle_packet(char type, std::string_view data, bool binary) {
  if (binary) {
    engine_.listener().on_message(*this, data, true);
    return;
  }
  switch (static_cast<proto::EnginePacketType>(type)) {
    case proto::EnginePacketType::message:
      engine_.listener().on_message(*this, data, false);
      return;
    case proto::EnginePacketType::pong:
      if (awaiting_pong_) schedule_ping();
      return;
    case proto::EnginePacketType::close:
      finish_close(CloseReason::client_close);
      return;
    case proto::EnginePacketType::noop:
      return;
    default:  // a client ping (wrong heartbeat direction in v4), open, or a stray upgrade
      log::debug("protocol error from client", {{"sid", sid_}, {"packet", std::string(1, type)}});
      finish_close(CloseReason::parse_error);
      return;
  }
}

}  // namespace sg::eio
