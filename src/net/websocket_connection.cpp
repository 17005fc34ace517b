// WebSocket connection I/O: gather writes of shared frames, frame reading, closing
// handshake (see websocket_connection.hpp).
// Threading: the connection's shard thread only.
#include "websocket_connection.hpp"

#include "flush_list.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace sg::net {

namespace {
constexpr std::size_t kMaxBuffersPerWrite = 512;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPong = 0xA;
constexpr auto kCloseLinger = std::chrono::seconds(2);
// How long our close frame may wait behind a write the peer does not read (a client cut as
// slow that stopped reading): then the connection is dropped, and its descriptor with it.
constexpr auto kCloseDeadline = std::chrono::seconds(5);
}  // namespace

std::atomic<std::int64_t> WebSocketConnection::open_count{0};

WebSocketConnection::WebSocketConnection(boost::asio::ip::tcp::socket socket, std::string already_received,
                                         std::size_t max_message_bytes, std::string handshake_response)
    : socket_(std::move(socket)),
      reader_(max_message_bytes),
      control_out_(std::move(handshake_response)),
      linger_timer_(socket_.get_executor()) {
  open_count.fetch_add(1, std::memory_order_relaxed);
  if (!already_received.empty()) reader_.feed(already_received);
  boost::system::error_code ignored;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  if (!socket_.non_blocking()) socket_.non_blocking(true, ignored);
}

void WebSocketConnection::start(std::shared_ptr<eio::Session> session) {
  session_ = session;
  if (!control_out_.empty()) schedule_flush();  // the handshake response, if nothing else was queued
  process_input();
  read_more();
}

// ---- inbound ----------------------------------------------------------------------------

// Reads wait for readiness and then drain the socket into one buffer per shard thread
// (the reader keeps its own copy of partial frames), so an idle connection holds no read
// buffer of its own.
void WebSocketConnection::read_more() {
  if (closed_) return;
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
}

void WebSocketConnection::on_readable(const boost::system::error_code& wait_ec) {
  if (closed_) return;
  if (wait_ec) {
    notify_closed();
    shut_down();
    return;
  }
  thread_local std::array<char, 65536> shard_read_buffer;
  for (;;) {
    boost::system::error_code ec;
    const std::size_t bytes = socket_.read_some(boost::asio::buffer(shard_read_buffer), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) break;
    if (ec) {  // end of stream or a socket error
      notify_closed();
      shut_down();
      return;
    }
    reader_.feed(std::string_view(shard_read_buffer.data(), bytes));
    if (bytes < shard_read_buffer.size()) break;
  }
  process_input();
  read_more();
}

void WebSocketConnection::process_input() {
  for (;;) {
    if (closed_) return;
    const WebSocketEvent event = reader_.next();
    switch (event.kind) {
      case WebSocketEvent::Kind::none:
        return;
      case WebSocketEvent::Kind::text:
      case WebSocketEvent::Kind::binary:
        if (closing_) continue;
        if (auto session = session_.lock()) {
          session->on_websocket_message(this, event.payload, event.kind == WebSocketEvent::Kind::binary);
        }
        continue;
      case WebSocketEvent::Kind::ping:
        send_control(kOpPong, event.payload);
        continue;
      case WebSocketEvent::Kind::pong:
        continue;
      case WebSocketEvent::Kind::close:
        notify_closed();
        begin_closing(event.close_code == 1005 ? 1000 : event.close_code);
        return;
      case WebSocketEvent::Kind::error:
        log::debug("websocket protocol error", {{"close_code", event.close_code}});
        notify_closed();
        begin_closing(event.close_code);
        return;
    }
  }
}

void WebSocketConnection::notify_closed() {
  if (notified_) return;
  notified_ = true;
  if (auto session = session_.lock()) session->on_websocket_closed(this);
}

// ---- outbound ---------------------------------------------------------------------------

void WebSocketConnection::send(const PacketRef& packet) {
  if (closing_ || closed_) return;
  queued_bytes_ += packet->websocket_frame().size();
  queue_.push_back(packet);
  schedule_flush();
}

void WebSocketConnection::send_control(std::uint8_t opcode, std::string_view payload) {
  if (closed_) return;
  control_out_ += static_cast<char>(0x80 | opcode);
  control_out_ += static_cast<char>(payload.size());
  control_out_.append(payload);
  schedule_flush();
}

void WebSocketConnection::schedule_flush() {
  if (writing_ || flush_posted_) return;
  flush_posted_ = true;
  FlushList<WebSocketConnection>::of_this_thread().add(shared_from_this(), socket_.get_executor());
}

void WebSocketConnection::flush_listed() {
  flush_posted_ = false;
  flush();
}

void WebSocketConnection::flush() {
  while (!writing_ && !closed_) {
    if (queue_.empty() && control_out_.empty()) {
      if (close_after_flush_ && !closing_) begin_closing(1000);
      return;
    }
    std::size_t packets = 0;
    if (!write_now(packets)) return;  // an asynchronous write took over, or the socket failed
    release_written(packets);
    if (closing_ && queue_.empty() && control_out_.empty()) return on_written({}, 0);
  }
}

// Writes the control frames and up to kMaxBuffersPerWrite queued frames with one writev on
// the non-blocking socket. True when the socket took everything (`packets` frames); false
// when the rest went to an asynchronous write (writing_ is then set) or the socket failed.
bool WebSocketConnection::write_now(std::size_t& packets) {
  thread_local std::vector<boost::asio::const_buffer> gather;
  gather.clear();
  packets = std::min(queue_.size(), kMaxBuffersPerWrite);
  // Control frames go first: they are never split from a data frame because data frames
  // are always written whole within one gather write.
  control_in_flight_ = std::move(control_out_);
  control_out_.clear();
  std::size_t total = control_in_flight_.size();
  if (!control_in_flight_.empty()) gather.emplace_back(control_in_flight_.data(), control_in_flight_.size());
  for (std::size_t i = 0; i < packets; ++i) {
    const std::string_view frame = queue_[i]->websocket_frame();
    gather.emplace_back(frame.data(), frame.size());
    total += frame.size();
  }
  boost::system::error_code ec;
  // One buffer (the usual fan-out case) goes out with send(2), several with sendmsg(2).
  std::size_t written = gather.size() == 1 ? socket_.write_some(gather.front(), ec) : socket_.write_some(gather, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    written = 0;
  }
  if (ec) {
    on_written(ec, 0);
    return false;
  }
  if (written == total) return true;

  // The peer is slow: hand what is left to an asynchronous write.
  unwritten_.clear();
  for (const auto& buffer : gather) {
    if (written >= buffer.size()) {
      written -= buffer.size();
      continue;
    }
    unwritten_.push_back(buffer + written);
    written = 0;
  }
  writing_ = true;
  boost::asio::async_write(socket_, unwritten_,
                           [self = shared_from_this(), packets](const boost::system::error_code& ec, std::size_t) {
                             self->on_written(ec, packets);
                           });
  return false;
}

void WebSocketConnection::release_written(std::size_t packets_written) {
  packets_written = std::min(packets_written, queue_.size());
  for (std::size_t i = 0; i < packets_written; ++i) queued_bytes_ -= queue_[i]->websocket_frame().size();
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(packets_written));
  if (queue_.empty() && queue_.capacity() > 16) std::vector<PacketRef>().swap(queue_);  // a burst's memory goes back
  control_in_flight_.clear();
}

void WebSocketConnection::on_written(const boost::system::error_code& ec, std::size_t packets_written) {
  writing_ = false;
  release_written(packets_written);
  std::vector<boost::asio::const_buffer>().swap(unwritten_);
  if (closing_) {  // nothing may follow our close frame
    queue_.clear();
    queued_bytes_ = 0;
  }
  if (ec) {
    notify_closed();
    shut_down();
    return;
  }
  if (closing_ && queue_.empty() && control_out_.empty()) {
    // Our close frame is out: stop sending and wait (briefly) for the peer to close.
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    linger_timer_.expires_after(kCloseLinger);
    linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& timer_ec) {
      if (!timer_ec) self->shut_down();
    });
    return;
  }
  flush();
}

// ---- closing ----------------------------------------------------------------------------

void WebSocketConnection::close(bool flush_first) {
  if (closing_ || closed_) return;
  if (!flush_first) {
    queued_bytes_ = 0;
    if (!writing_) queue_.clear();
    begin_closing(1000);
    return;
  }
  close_after_flush_ = true;
  if (!writing_ && queue_.empty() && control_out_.empty()) begin_closing(1000);
  else schedule_flush();
}

void WebSocketConnection::begin_closing(std::uint16_t code) {
  if (closing_ || closed_) return;
  closing_ = true;
  if (!writing_) queue_.clear();
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  send_control(kOpClose, std::string_view(payload, 2));
  // Once the close frame is out, on_written waits kCloseLinger instead (this wait ends then).
  linger_timer_.expires_after(kCloseDeadline);
  linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& timer_ec) {
    if (!timer_ec) self->shut_down();
  });
}

void WebSocketConnection::shut_down() {
  if (closed_) return;
  closed_ = true;
  open_count.fetch_sub(1, std::memory_order_relaxed);
  linger_timer_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
}

}  // namespace sg::net
