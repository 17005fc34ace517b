// The client state machine (see bench_client.hpp).
#include "bench_client.hpp"

#include "ws_frame.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace loadgen {

namespace {

// One reusable read buffer per process: idle clients hold no receive memory.
char g_read_buffer[1 << 16];

}  // namespace

void BenchClient::configure(EventLoop* loop, ClientObserver* observer, const sockaddr_in* server,
                            const std::string* host_header, const std::string* token, std::uint32_t index) {
  loop_ = loop;
  observer_ = observer;
  server_ = server;
  host_header_ = host_header;
  token_ = token;
  index_ = index;
  mask_seed_ ^= index * 2654435761u + 1;
}

void BenchClient::start() {
  started_ns_ = monotonic_ns();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail("socket");
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  state_ = State::tcp_connecting;
  if (connect(fd_, reinterpret_cast<const sockaddr*>(server_), sizeof *server_) != 0 && errno != EINPROGRESS)
    return fail("connect");
  want_write_ = true;
  loop_->add(fd_, EPOLLIN | EPOLLOUT, this);
}

void BenchClient::close_connection() {
  if (fd_ < 0) return;
  close(fd_);  // also leaves the epoll set
  fd_ = -1;
  inbound_.clear();
  inbound_.shrink_to_fit();
  outbound_.clear();
  outbound_.shrink_to_fit();
  if (state_ != State::refused && state_ != State::failed) state_ = State::closed;
}

void BenchClient::fail(const char* reason) {
  const bool was_connected = state_ == State::connected;
  close_connection();
  state_ = was_connected ? State::closed : State::failed;
  if (was_connected) observer_->on_lost(*this);
  else observer_->on_failed(*this, reason);
}

void BenchClient::on_ready(std::uint32_t epoll_events) {
  if (fd_ < 0) return;
  if (epoll_events & EPOLLOUT) on_writable();
  if (fd_ >= 0 && (epoll_events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable();
}

void BenchClient::on_writable() {
  if (state_ == State::tcp_connecting) {
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return fail("tcp connect refused");
    state_ = State::upgrading;
    outbound_ = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + *host_header_ +
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                // A fixed key: the server's work (one SHA-1 of it) is the same for any key.
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }
  flush();
}

void BenchClient::flush() {
  while (!outbound_.empty()) {
    const ssize_t sent = send(fd_, outbound_.data(), outbound_.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      return fail("send");
    }
    outbound_.erase(0, static_cast<std::size_t>(sent));
  }
  const bool pending = !outbound_.empty();
  if (pending != want_write_) {
    want_write_ = pending;
    loop_->modify(fd_, EPOLLIN | (pending ? EPOLLOUT : 0u), this);
  }
}

void BenchClient::queue_frame(std::string_view text) {
  append_client_frame(outbound_, WsOpcode::text, text, mask_seed_);
  if (state_ != State::tcp_connecting && fd_ >= 0) flush();
}

void BenchClient::send_socket_packet(std::string_view packet) {
  if (fd_ < 0) return;
  std::string message;
  message.reserve(packet.size() + 1);
  message += '4';
  message += packet;
  queue_frame(message);
}

void BenchClient::on_readable() {
  for (;;) {
    const ssize_t got = recv(fd_, g_read_buffer, sizeof g_read_buffer, 0);
    if (got == 0) return fail("closed by server");
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      return fail("recv");
    }
    inbound_.append(g_read_buffer, static_cast<std::size_t>(got));
    if (state_ == State::upgrading && !handle_upgrade_response()) return;
    handle_frames();
    if (fd_ < 0 || static_cast<std::size_t>(got) < sizeof g_read_buffer) return;
  }
}

bool BenchClient::handle_upgrade_response() {
  const auto end = inbound_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (inbound_.size() > 8192) fail("oversized upgrade response");
    return false;
  }
  if (inbound_.compare(0, 12, "HTTP/1.1 101") != 0) {
    fail("upgrade refused");
    return false;
  }
  inbound_.erase(0, end + 4);
  state_ = State::awaiting_open;
  return true;
}

void BenchClient::handle_frames() {
  std::size_t offset = 0;
  while (fd_ >= 0) {
    ServerFrame frame;
    const auto parsed = parse_server_frame(std::string_view(inbound_).substr(offset), frame);
    if (parsed == FrameParse::need_more) break;
    if (parsed == FrameParse::protocol_error) return fail("bad frame");
    offset += frame.frame_bytes;
    switch (frame.opcode) {
      case WsOpcode::text:
        if (frame.final) handle_message(frame.payload);
        else fragments_.assign(frame.payload);
        break;
      case WsOpcode::continuation:
        fragments_.append(frame.payload);
        if (frame.final) {
          const std::string whole = std::move(fragments_);
          fragments_.clear();
          handle_message(whole);
        }
        break;
      case WsOpcode::ping: {
        const std::string body(frame.payload);
        append_client_frame(outbound_, WsOpcode::pong, body, mask_seed_);
        flush();
        break;
      }
      case WsOpcode::close:
        return fail("close frame");
      default:
        break;  // binary and pong: not used by the benchmarks
    }
  }
  if (fd_ >= 0) inbound_.erase(0, offset);
}

void BenchClient::handle_message(std::string_view text) {
  if (text.empty()) return;
  switch (text[0]) {
    case '0':  // Engine.IO open -> Socket.IO CONNECT with the token
      if (state_ == State::awaiting_open) {
        state_ = State::awaiting_ack;
        send_socket_packet(token_->empty() ? std::string("0") : "0{\"token\":\"" + *token_ + "\"}");
      }
      break;
    case '2':  // ping -> pong
      ++pings_;
      queue_frame("3");
      break;
    case '4':
      handle_socket_packet(text.substr(1));
      break;
    case '1':
      fail("engine.io close");
      break;
    default:
      break;
  }
}

void BenchClient::handle_socket_packet(std::string_view packet) {
  if (packet.empty()) return;
  const std::uint64_t now = monotonic_ns();
  switch (packet[0]) {
    case '2':
      observer_->on_event(*this, packet.substr(1), now);
      break;
    case '3': {
      std::uint64_t id = 0;
      const auto* first = packet.data() + 1;
      const auto [end, ec] = std::from_chars(first, packet.data() + packet.size(), id);
      observer_->on_ack(*this, id, packet.substr(static_cast<std::size_t>(end - packet.data())));
      break;
    }
    case '0': {
      if (state_ != State::awaiting_ack) break;
      const auto key = packet.find("\"sid\":\"");
      if (key != std::string_view::npos) {
        const auto begin = key + 7;
        sid_.assign(packet.substr(begin, packet.find('"', begin) - begin));
      }
      state_ = State::connected;
      observer_->on_connected(*this, now);
      break;
    }
    case '4':
      if (state_ == State::awaiting_ack) {
        close_connection();
        state_ = State::refused;
        observer_->on_refused(*this, now);
      }
      break;
    case '1':
      fail("socket.io disconnect");
      break;
    default:
      break;
  }
}

}  // namespace loadgen
