// ForwardedExchange: one forwarded request on its connection, from the moment the host
// hands it over until the connection is reusable again (then a new HttpConnection takes the
// socket and what was read past this request) or closed.
//
// HTTP (this file's .cpp): the body is read on demand in chunks (after a "100 Continue" when
// the client asked for one), the response is written as the listener produces it, in order,
// one write at a time, with WriteBudget accounting for backpressure. While the listener
// works and nothing is being read, a readable socket with nothing to read means the client
// left: on_disconnect. WebSocket (forwarded_websocket.cpp): the 101 or a 403, then frames
// both ways through WebSocketFrameReader and a close handshake.
//
// Threading: the public Exchange methods may be called from any thread and post to the
// shard; everything else runs on the connection's shard thread.
#pragma once

#include "net/forwarding.hpp"
#include "net/http_server.hpp"
#include "response_head.hpp"
#include "websocket_frame_reader.hpp"
#include "write_budget.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sg::net {

class ForwardedExchange : public Exchange, public std::enable_shared_from_this<ForwardedExchange> {
 public:
  using StreamingParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  // Where the connection came from, to hand it back after a kept-alive exchange.
  struct Home {
    HttpServer* server;
    std::size_t shard;
    boost::asio::ip::tcp::endpoint remote;
  };
  // What the host learnt of the request that the response depends on.
  struct RequestFacts {
    unsigned version = 11;
    bool keep_alive = true;
    bool head_request = false;
    bool expect_continue = false;
    std::string websocket_accept_key;  // for an upgrade: the Sec-WebSocket-Accept value
    std::size_t max_message_bytes = 1'000'000;
  };

  // `body_parser` is set when the body is still to be read (streamed on demand).
  ForwardedExchange(Home home, boost::asio::ip::tcp::socket socket, boost::beast::flat_buffer buffer,
                    std::unique_ptr<StreamingParser> body_parser, RequestFacts facts);
  ~ForwardedExchange() override;

  // Hands `request` to the listener (on the shard thread).
  void start(ExchangeListener& listener, ForwardedRequest request);

  // Exchange (any thread)
  void read_body() override;
  bool respond(unsigned status, HeaderList headers, std::string body, bool more_body) override;
  bool send_body(std::string body, bool more_body) override;
  void abort() override;
  void accept_websocket(std::optional<std::string> subprotocol, HeaderList headers) override;
  bool send_message(std::string data, bool binary) override;
  void close_websocket(std::uint16_t code, std::string reason) override;

 private:
  enum class Phase { http, websocket, finished };

  // ---- HTTP (forwarded_exchange.cpp) ----
  void do_read_body();
  void on_body_read(const boost::system::error_code& ec, std::size_t bytes);
  void do_respond(unsigned status, HeaderList headers, std::string body, bool more_body, std::size_t counted);
  void do_send_body(std::string body, bool more_body, std::size_t counted);
  void refuse_body(unsigned status, std::string_view message);
  void watch_for_departure();
  void stop_watching();
  void queue(std::string bytes, std::size_t counted);
  void write_next();
  void on_written(const boost::system::error_code& ec);
  void after_writes();
  void client_gone();
  void close_connection();
  void finish();

  // ---- WebSocket (forwarded_websocket.cpp) ----
  void do_accept_websocket(std::optional<std::string> subprotocol, HeaderList headers);
  void do_send_message(std::string data, bool binary, std::size_t counted);
  void do_close_websocket(std::uint16_t code, std::string reason);
  void read_frames();
  void on_frames_readable(const boost::system::error_code& ec);
  void process_frames();
  void queue_control(std::uint8_t opcode, std::string_view payload);
  void after_websocket_writes();
  void close_and_finish();
  static std::uint64_t next_id();

  Home home_;
  const boost::asio::any_io_executor executor_;  // the shard's, for posts from any thread
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<StreamingParser> body_parser_;
  RequestFacts facts_;
  ExchangeListener* listener_ = nullptr;
  Phase phase_ = Phase::http;
  WriteBudget budget_;

  // Reading
  bool body_done_ = false;
  bool reading_body_ = false;
  bool continue_sent_ = false;
  bool watching_ = false;       // an async_wait for the client's departure is pending
  std::string chunk_;           // the buffer a body read fills

  // Writing: parts in order; one write in flight.
  struct Part {
    std::string bytes;
    std::size_t counted;  // what the budget counted for it
  };
  std::vector<Part> out_;
  std::vector<Part> in_flight_;
  bool writing_ = false;
  bool response_started_ = false;
  bool response_complete_ = false;  // the last part is queued
  ResponseFraming framing_;
  bool gone_ = false;               // the client left or the connection failed

  // WebSocket
  std::optional<WebSocketFrameReader> frames_;
  bool accepted_ = false;
  bool refused_ = false;         // closed before the accept: answered 403
  std::uint16_t refusal_code_ = 1000;
  bool close_sent_ = false;
  bool close_received_ = false;
  bool reading_frames_ = false;
  boost::asio::steady_timer linger_timer_;
};

}  // namespace sg::net
