// The WebSocket half of a forwarded exchange (see forwarded_exchange.hpp): the 101 or a 403,
// messages both ways, pings answered, and the closing handshake — whoever starts it, the
// connection ends once both close frames have crossed (or the peer lingers too long).
// Threading: the public methods post to the shard; everything else runs on it.
#include "forwarded_exchange.hpp"

#include "response_head.hpp"
#include "util/encoded_packet.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include <array>

namespace sg::net {

namespace {
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPong = 0xA;
constexpr std::size_t kMaxCloseReason = 123;  // a control frame's payload is at most 125 bytes
constexpr auto kCloseLinger = std::chrono::seconds(2);

bool clean(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

std::string upgrade_response(const std::string& accept_key, const std::optional<std::string>& subprotocol,
                             const HeaderList& headers) {
  std::string head =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "upgrade: websocket\r\n"
      "connection: Upgrade\r\n"
      "sec-websocket-accept: " + accept_key + "\r\n";
  if (subprotocol && !subprotocol->empty() && clean(*subprotocol)) head += "sec-websocket-protocol: " + *subprotocol + "\r\n";
  for (const auto& [name, value] : headers) {
    if (name.empty() || !clean(name) || !clean(value)) continue;
    if (name == "upgrade" || name == "connection" || name == "sec-websocket-accept") continue;
    head += name + ": " + value + "\r\n";
  }
  head += "date: ";
  head += http_date_now();
  head += "\r\n\r\n";
  return head;
}
}  // namespace

// ---- Exchange: any thread -----------------------------------------------------------------

void ForwardedExchange::accept_websocket(std::optional<std::string> subprotocol, HeaderList headers) {
  boost::asio::post(executor_, [self = shared_from_this(), subprotocol = std::move(subprotocol),
                                headers = std::move(headers)]() mutable {
    self->do_accept_websocket(std::move(subprotocol), std::move(headers));
  });
}

bool ForwardedExchange::send_message(std::string data, bool binary) {
  const std::size_t counted = data.size();
  const bool ready = budget_.add(counted);
  boost::asio::post(executor_, [self = shared_from_this(), data = std::move(data), binary, counted]() mutable {
    self->do_send_message(std::move(data), binary, counted);
  });
  return ready;
}

void ForwardedExchange::close_websocket(std::uint16_t code, std::string reason) {
  boost::asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->do_close_websocket(code, std::move(reason));
  });
}

// ---- shard thread -------------------------------------------------------------------------

void ForwardedExchange::do_accept_websocket(std::optional<std::string> subprotocol, HeaderList headers) {
  if (phase_ != Phase::http || accepted_ || refused_ || gone_ || facts_.websocket_accept_key.empty()) return;
  stop_watching();  // nothing is written before the 101, so the cancel touches only the watch
  accepted_ = true;
  phase_ = Phase::websocket;
  frames_.emplace(facts_.max_message_bytes);
  frames_->feed(boost::beast::buffers_to_string(buffer_.data()));  // frames sent right behind the upgrade
  buffer_.consume(buffer_.size());
  boost::system::error_code ignored;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  queue(upgrade_response(facts_.websocket_accept_key, subprotocol, headers), 0);
  write_next();
  process_frames();
  read_frames();
}

void ForwardedExchange::do_send_message(std::string data, bool binary, std::size_t counted) {
  if (phase_ != Phase::websocket || close_sent_ || gone_) {
    budget_.written(counted);
    return;
  }
  const PacketRef frame = binary ? EncodedPacket::binary(data) : EncodedPacket::text(data);
  queue(std::string(frame->websocket_frame()), counted);
  write_next();
}

void ForwardedExchange::do_close_websocket(std::uint16_t code, std::string reason) {
  if (phase_ == Phase::finished || gone_ || close_sent_ || refused_) return;
  if (!accepted_) {  // before the accept: the upgrade is refused
    refused_ = true;
    refusal_code_ = code;
    response_started_ = true;
    response_complete_ = true;
    framing_.keep_alive = false;
    static const HeaderList kRefusalHeaders = {{"content-type", "text/plain; charset=utf-8"}, {"connection", "close"}};
    ResponseHeadInput input{403, &kRefusalHeaders, 0, false, 11, false, false};
    queue(*response_head(input, framing_), 0);
    return write_next();
  }
  if (reason.size() > kMaxCloseReason) reason.resize(kMaxCloseReason);
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload += reason;
  queue_control(kOpClose, payload);
  close_sent_ = true;
  write_next();
}

void ForwardedExchange::queue_control(std::uint8_t opcode, std::string_view payload) {
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  frame += static_cast<char>(payload.size());
  frame.append(payload);
  queue(std::move(frame), 0);
}

void ForwardedExchange::read_frames() {
  if (phase_ != Phase::websocket || reading_frames_) return;
  reading_frames_ = true;
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->reading_frames_ = false;
                       self->on_frames_readable(ec);
                     });
}

void ForwardedExchange::on_frames_readable(const boost::system::error_code& wait_ec) {
  if (phase_ != Phase::websocket) return;
  if (wait_ec) return client_gone();
  thread_local std::array<char, 65536> shard_read_buffer;
  for (;;) {
    boost::system::error_code ec;
    const std::size_t bytes = socket_.read_some(boost::asio::buffer(shard_read_buffer), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) break;
    if (ec) return close_received_ ? close_and_finish() : client_gone();
    frames_->feed(std::string_view(shard_read_buffer.data(), bytes));
    if (bytes < shard_read_buffer.size()) break;
  }
  process_frames();
  read_frames();
}

void ForwardedExchange::process_frames() {
  while (phase_ == Phase::websocket) {
    const WebSocketEvent event = frames_->next();
    switch (event.kind) {
      case WebSocketEvent::Kind::none:
        return;
      case WebSocketEvent::Kind::text:
      case WebSocketEvent::Kind::binary:
        if (!close_received_ && !close_sent_)
          listener_->on_websocket_message(id(), std::string(event.payload), event.kind == WebSocketEvent::Kind::binary);
        continue;
      case WebSocketEvent::Kind::ping:
        if (!close_sent_) {
          queue_control(kOpPong, event.payload);
          write_next();
        }
        continue;
      case WebSocketEvent::Kind::pong:
        continue;
      case WebSocketEvent::Kind::close:
      case WebSocketEvent::Kind::error: {
        const bool error = event.kind == WebSocketEvent::Kind::error;
        if (error) log::debug("forwarded websocket protocol error", {{"close_code", event.close_code}});
        if (close_received_) return;
        close_received_ = true;
        const std::uint16_t code = event.close_code;
        if (!close_sent_) {
          // Echo the peer's close (or send ours for its protocol error), then end.
          const std::uint16_t answer = error ? code : (code == 1005 ? 1000 : code);
          const std::string payload{static_cast<char>(answer >> 8), static_cast<char>(answer & 0xFF)};
          queue_control(kOpClose, payload);
          close_sent_ = true;
          listener_->on_websocket_closed(id(), code);
          return write_next();
        }
        listener_->on_websocket_closed(id(), code);
        return write_next();  // both closes have crossed: ends once our writes are out
      }
    }
  }
}

// Called when everything queued is written, in the WebSocket phase.
void ForwardedExchange::after_websocket_writes() {
  if (!close_sent_) return;
  if (close_received_) return close_and_finish();
  // Our close frame is out: the peer has a moment to answer before the socket closes.
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  linger_timer_.expires_after(kCloseLinger);
  linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->phase_ != Phase::websocket) return;
    self->listener_->on_websocket_closed(self->id(), 1006);
    self->close_and_finish();
  });
}

void ForwardedExchange::close_and_finish() {
  close_connection();
  finish();
}

}  // namespace sg::net
