// Session, WebSocket half: a session opened over WebSocket, and the upgrade of a polling
// session (2probe -> 3probe, pending GET answered with a noop, 5 switches transports and
// flushes the buffer onto the WebSocket) (see session.hpp).
// Threading: the owning shard's thread only.
#include "eio/engine.hpp"
#include "eio/session.hpp"
#include "proto/engine_packet.hpp"
#include "util/log.hpp"

namespace sg::eio {

void Session::attach_websocket(std::shared_ptr<WebSocketPeer> peer) { websocket_ = std::move(peer); }

bool Session::begin_probe(std::shared_ptr<WebSocketPeer> peer) {
  if (transport_ != TransportKind::polling || probe_ || !engine_.options().allow_upgrades) {
    peer->close(false);  // already upgraded or upgrading: accepted, then closed
    return false;
  }
  probe_ = std::move(peer);
  probe_confirmed_ = false;
  if (!upgrade_timer_) upgrade_timer_ = std::make_unique<boost::asio::steady_timer>(engine_.context());
  upgrade_timer_->expires_after(engine_.options().upgrade_timeout);
  upgrade_timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->abandon_probe();
  });
  return true;
}

void Session::abandon_probe() {
  if (!probe_) return;
  probe_->close(false);
  probe_.reset();
  if (upgrade_timer_) upgrade_timer_->cancel();
  if (!buffer_.empty()) schedule_polling_flush();
}

void Session::on_websocket_message(WebSocketPeer* from, std::string_view data, bool binary) {
  if (state_ != State::open) return;
  if (probe_ && from == probe_.get()) return handle_probe_message(data, binary);
  if (!websocket_ || from != websocket_.get()) return;
  if (binary) return handle_packet('4', data, true);
  const auto packet = proto::decode_engine_text(data);
  if (!packet) {
    log::debug("invalid Engine.IO packet", {{"sid", sid_}});
    finish_close(CloseReason::parse_error);
    return;
  }
  handle_packet(static_cast<char>(packet->type), packet->data, false);
}

void Session::handle_probe_message(std::string_view data, bool binary) {
  if (!binary && data == "2probe") {
    probe_->send(EncodedPacket::text("3probe"));
    probe_confirmed_ = true;
    if (pending_get_) {
      auto respond = std::move(pending_get_);
      pending_get_ = nullptr;
      respond(HttpReply{200, "text/plain; charset=UTF-8", "6"});
    }
    return;
  }
  if (!binary && data == "5" && probe_confirmed_) return finish_upgrade();
  abandon_probe();
}

void Session::finish_upgrade() {
  if (upgrade_timer_) upgrade_timer_->cancel();
  if (pending_get_) {
    auto respond = std::move(pending_get_);
    pending_get_ = nullptr;
    respond(HttpReply{200, "text/plain; charset=UTF-8", "6"});
  }
  engine_.count_transport(TransportKind::polling, -1);
  engine_.count_transport(TransportKind::websocket, +1);
  transport_ = TransportKind::websocket;
  websocket_ = std::move(probe_);
  for (const PacketRef& packet : buffer_) websocket_->send(packet);
  buffer_.clear();
  buffered_bytes_ = 0;
  log::debug("session upgraded", {{"sid", sid_}});
}

void Session::on_websocket_closed(WebSocketPeer* peer) {
  if (probe_ && peer == probe_.get()) {
    probe_.reset();
    if (upgrade_timer_) upgrade_timer_->cancel();
    if (!buffer_.empty() && pending_get_) schedule_polling_flush();
    return;
  }
  if (websocket_ && peer == websocket_.get()) {
    websocket_.reset();  // already closed by the peer; nothing to close
    if (state_ == State::open) finish_close(CloseReason::transport_close);
  }
}

}  // namespace sg::eio
