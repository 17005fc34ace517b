// WebSocketConnection: one WebSocket after its 101 response — the engine's WebSocketPeer.
//
// Outbound: packets arrive as shared, pre-encoded frames (EncodedPacket::websocket_frame);
// everything queued during one loop turn leaves in one gather write (writev) and nothing is
// copied per recipient. The write is first tried at once on the non-blocking socket, which
// takes it whole unless the peer is slow; only a remainder goes to an asynchronous write.
// Flushes are batched per shard and turn (FlushList). Inbound: bytes go through WebSocketFrameReader; messages go to the
// Engine.IO session, pings are answered, a close is echoed.
//
// Threading: lives on one shard; all members run on that shard's thread.
#pragma once

#include "eio/host_interface.hpp"
#include "eio/session.hpp"
#include "websocket_frame_reader.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace sg::net {

class WebSocketConnection : public eio::WebSocketPeer, public std::enable_shared_from_this<WebSocketConnection> {
 public:
  // `handshake_response` (the HTTP 101) is written first, together with the first frames.
  WebSocketConnection(boost::asio::ip::tcp::socket socket, std::string already_received, std::size_t max_message_bytes,
                      std::string handshake_response = {});

  // Binds the connection to its session and starts reading.
  void start(std::shared_ptr<eio::Session> session);

  // eio::WebSocketPeer
  void send(const PacketRef& packet) override;
  // Called by the shard's FlushList at the end of the turn in which output was queued.
  void flush_listed();
  std::size_t queued_bytes() const override { return queued_bytes_; }
  void close(bool flush_first) override;

  static std::atomic<std::int64_t> open_count;  // connections whose socket is not closed yet

 private:
  void read_more();
  void on_readable(const boost::system::error_code& ec);
  void process_input();
  void schedule_flush();
  void flush();
  bool write_now(std::size_t& packets);
  void on_written(const boost::system::error_code& ec, std::size_t packets_written);
  void release_written(std::size_t packets_written);
  void send_control(std::uint8_t opcode, std::string_view payload);
  void begin_closing(std::uint16_t code);
  void shut_down();
  void notify_closed();

  boost::asio::ip::tcp::socket socket_;
  WebSocketFrameReader reader_;
  std::weak_ptr<eio::Session> session_;
  // The rest of a gather write the socket did not take at once (empty unless the peer is slow).
  std::vector<boost::asio::const_buffer> unwritten_;

  std::vector<PacketRef> queue_;  // front: the oldest frame not yet written
  std::size_t queued_bytes_ = 0;
  std::string control_out_;        // control frames waiting for the next write
  std::string control_in_flight_;  // control frames of the write in progress
  bool writing_ = false;
  bool flush_posted_ = false;
  bool close_after_flush_ = false;
  bool closing_ = false;      // a close frame is queued or sent; no more data frames
  bool closed_ = false;       // the socket is closed
  bool notified_ = false;     // the session was told the connection is gone
  boost::asio::steady_timer linger_timer_;
};

}  // namespace sg::net
