// One Socket.IO client over a raw non-blocking WebSocket: TCP connect, HTTP upgrade to
// /socket.io/?EIO=4&transport=websocket, Engine.IO open -> CONNECT with {"token":...},
// CONNECT ack or CONNECT error, then events, acks and heartbeats ("2" -> "3").
// Clients live in a vector allocated once, so their addresses stay valid while registered with
// the loop; a finished client keeps its slot with fd = -1.
// Threading: owned by the process's event loop thread.
#pragma once

#include "event_loop.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include <netinet/in.h>

namespace loadgen {

class BenchClient;

// What the owner of a set of clients hears from them. `now` is monotonic_ns() at receipt.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  virtual void on_connected(BenchClient& client, std::uint64_t now) = 0;          // 40{"sid":...}
  virtual void on_refused(BenchClient& client, std::uint64_t now) = 0;            // 44{...}
  virtual void on_failed(BenchClient& client, const char* reason) = 0;            // before CONNECT ack
  virtual void on_lost(BenchClient& client) = 0;                                   // after CONNECT ack
  virtual void on_event(BenchClient& client, std::string_view array, std::uint64_t now) = 0;  // after "42"
  virtual void on_ack(BenchClient& client, std::uint64_t id, std::string_view array) = 0;     // after "43<id>"
};

class BenchClient final : public FdHandler {
 public:
  enum class State : std::uint8_t { idle, tcp_connecting, upgrading, awaiting_open, awaiting_ack, connected, refused, failed, closed };

  void configure(EventLoop* loop, ClientObserver* observer, const sockaddr_in* server, const std::string* host_header,
                 const std::string* token, std::uint32_t index);

  // Opens the TCP connection; the clock for connect latency starts here.
  void start();
  // Sends one Socket.IO text packet (without the Engine.IO "4"), e.g. `2["ev",...]`.
  void send_socket_packet(std::string_view packet);
  void close_connection();

  void on_ready(std::uint32_t epoll_events) override;

  State state() const { return state_; }
  bool is_open() const { return fd_ >= 0; }
  std::uint32_t index() const { return index_; }
  std::uint64_t started_ns() const { return started_ns_; }
  std::uint32_t pings() const { return pings_; }
  const std::string& sid() const { return sid_; }

  // Per-client delivery bookkeeping, kept here so there is no side table (see receive_tally.hpp).
  std::uint64_t last_seq = 0;
  std::uint32_t same_seq_count = 0;

 private:
  void on_writable();
  void on_readable();
  bool handle_upgrade_response();
  void handle_frames();
  void handle_message(std::string_view text);
  void handle_socket_packet(std::string_view packet);
  void queue_frame(std::string_view text);
  void flush();
  void fail(const char* reason);

  EventLoop* loop_ = nullptr;
  ClientObserver* observer_ = nullptr;
  const sockaddr_in* server_ = nullptr;
  const std::string* host_header_ = nullptr;
  const std::string* token_ = nullptr;
  std::string inbound_;    // bytes not yet parsed (partial frame / handshake)
  std::string outbound_;   // bytes the kernel did not take yet
  std::string fragments_;  // a fragmented text message being reassembled
  std::string sid_;
  std::uint64_t started_ns_ = 0;
  std::uint32_t index_ = 0;
  std::uint32_t mask_seed_ = 0x9e3779b9u;
  std::uint32_t pings_ = 0;
  int fd_ = -1;
  State state_ = State::idle;
  bool want_write_ = false;
};

}  // namespace loadgen
