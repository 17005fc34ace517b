// HttpConnection: one HTTP/1.1 connection — reads requests, routes them to an Engine.IO
// mount (long-polling, or a WebSocket upgrade that hands the socket to a
// WebSocketConnection), a CORS preflight answer, or the server's RequestHandler, and writes
// the replies in order.
//
// A request that names an Engine.IO sid must be served on the sid's shard: the connection
// then moves its socket to that shard (a new HttpConnection there takes the socket and the
// bytes already read) before handling it, so all of a session's work stays on one thread.
//
// With a forwarder (HttpServerOptions::forwarder), requests outside the mounts go to a
// ForwardedExchange, which takes the socket: right after the head when the body is to be
// streamed (chunked, large, or Expect: 100-continue), else once the body is read. A head over
// the limit is answered 431, a malformed one 400, a declared body over the limit 413.
//
// Threading: lives on one shard; all members run on that shard's thread. Responders may be
// called from any thread; they post back here.
#pragma once

#include "forwarded_exchange.hpp"
#include "net/http_server.hpp"
#include "net/http_types.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>
#include <string>

namespace sg::net {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(HttpServer& server, std::size_t shard, boost::asio::ip::tcp::socket socket,
                 boost::asio::ip::tcp::endpoint remote, std::string already_received);

  void start();
  // Continues with a request read by the connection this one was moved from.
  void resume(Request request);

 private:
  void read_request();
  void parse_buffered_head();
  void on_header(const boost::system::error_code& ec);
  void on_request(const boost::system::error_code& ec);
  void announce_polling_post();
  void watch_held_get(const EngineMount& mount, std::string query);
  bool refuse_head(const boost::system::error_code& ec);
  const EngineMount* mount_for(std::string_view path) const;
  ForwardedRequest forwarded_head(const boost::beast::http::request_header<>& header);
  static ForwardedExchange::RequestFacts forwarded_facts(const boost::beast::http::request_header<>& header,
                                                         bool keep_alive);
  void forward_streaming();
  void forward(Request request);
  void route(Request request);
  void serve_engine(const EngineMount& mount, Request request, std::string_view query);
  void serve_websocket(const EngineMount& mount, Request request, std::string query);
  void move_to_shard(std::size_t shard, Request request);
  Responder responder();
  void write_reply(Reply reply);
  void add_cors_headers(Reply& reply) const;
  void close();
  // Closes the connection unless what it waits for happens within request_timeout.
  void arm_deadline();
  void cancel_deadline();

  HttpServer& server_;
  std::size_t shard_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::ip::tcp::endpoint remote_;
  std::string remote_address_;
  std::string raw_head_;    // the head's bytes, kept for a forwarded request (header order)
  std::string origin_;      // Origin of the request being served
  bool keep_alive_ = true;  // of the request being served
  // A polling POST announced to its engine while its body is read: the mount and query.
  const EngineMount* announced_mount_ = nullptr;
  std::string announced_query_;
  bool awaiting_engine_reply_ = false;  // a GET is held by the engine
  unsigned version_ = 11;
};

}  // namespace sg::net
