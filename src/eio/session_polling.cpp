// Session, long-polling half: the one pending GET, POST bodies, and batching everything
// queued during a loop turn into one response (see session.hpp).
// Threading: the owning shard's thread only.
#include "eio/engine.hpp"
#include "eio/session.hpp"
#include "proto/engine_packet.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace sg::eio {

// At most this many packets leave in one polling response: python-engineio's client refuses
// a payload of more than 16 packets (and drops the connection). The rest wait for the next
// GET, which the client sends as soon as this one is answered.
constexpr std::size_t kMaxPacketsPerPoll = 16;

std::string Session::take_polling_body() {
  const std::size_t count = std::min(buffer_.size(), kMaxPacketsPerPoll);
  std::string body;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) bytes += buffer_[i]->payload().size();
  body.reserve(bytes + count * 2);
  for (std::size_t i = 0; i < count; ++i) {
    proto::append_polling_record(body, buffer_[i]->payload(), buffer_[i]->is_binary());
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(count));
  buffered_bytes_ -= bytes;
  return body;
}

void Session::schedule_polling_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  boost::asio::post(engine_.context(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->flush_polling();
  });
}

void Session::flush_polling() {
  flush_scheduled_ = false;
  if (!pending_get_ || buffer_.empty() || probe_ || state_ != State::open) return;
  auto respond = std::move(pending_get_);
  pending_get_ = nullptr;
  respond(HttpReply{200, "text/plain; charset=UTF-8", take_polling_body()});
}

void Session::handle_poll_get(PollResponder respond) {
  if (state_ == State::closing) {  // a server close: first what was buffered, then "1"
    if (!buffer_.empty()) return respond(HttpReply{200, "text/plain; charset=UTF-8", take_polling_body()});
    state_ = State::closed;
    respond(HttpReply{200, "text/plain; charset=UTF-8", "1"});
    heartbeat_timer_.cancel();
    engine_.forget(sid_);
    return;
  }
  if (state_ != State::open) return respond(error_reply(EngineError::unknown_sid));
  if (transport_ != TransportKind::polling) return respond(error_reply(EngineError::bad_request));
  if (pending_get_) {
    respond(error_reply(EngineError::bad_request));
    finish_close(CloseReason::parse_error);  // answers the first GET with a close packet
    return;
  }
  if (probe_) return respond(HttpReply{200, "text/plain; charset=UTF-8", "6"});
  if (!buffer_.empty()) return respond(HttpReply{200, "text/plain; charset=UTF-8", take_polling_body()});
  pending_get_ = std::move(respond);
}

void Session::poll_get_abandoned() {
  if (!pending_get_) return;
  pending_get_ = nullptr;
  if (state_ == State::open) finish_close(CloseReason::transport_close);
}

void Session::handle_poll_post(std::string_view body, std::string_view content_type, PollResponder respond) {
  const bool overlapping = posts_in_progress_ > 1;
  poll_post_abandoned();
  if (state_ == State::closing) {  // after a server close: a client close packet ends it at once
    const auto records = proto::split_polling_payload(body);
    if (std::find(records.begin(), records.end(), std::string_view("1")) != records.end()) {
      state_ = State::closed;
      heartbeat_timer_.cancel();
      engine_.forget(sid_);
    }
    return respond(HttpReply{200, "text/html", "ok"});
  }
  if (state_ != State::open) return respond(error_reply(EngineError::unknown_sid));
  if (overlapping) {
    respond(error_reply(EngineError::bad_request));
    finish_close(CloseReason::parse_error);
    return;
  }
  if (transport_ != TransportKind::polling) return respond(error_reply(EngineError::bad_request));
  if (content_type.starts_with("application/octet-stream")) {
    respond(error_reply(EngineError::bad_request));
    finish_close(CloseReason::parse_error);
    return;
  }
  if (body.size() > engine_.options().max_payload) {
    return respond(HttpReply{413, "application/json", "{\"code\":3,\"message\":\"Payload too large\"}"});
  }
  auto keep_alive = shared_from_this();
  std::string binary_storage;
  for (std::string_view record : proto::split_polling_payload(body)) {
    if (state_ != State::open) break;
    const auto packet = proto::decode_polling_record(record, binary_storage);
    if (!packet) {
      finish_close(CloseReason::parse_error);
      break;
    }
    handle_packet(static_cast<char>(packet->type), packet->data, packet->binary);
  }
  respond(HttpReply{200, "text/html", "ok"});
}

}  // namespace sg::eio
