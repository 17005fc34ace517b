// HttpServer: the Asio/Beast host. It accepts TCP connections and spreads them over the
// shards of a ShardPool; serves Engine.IO mounts (long-polling and WebSocket, for as many
// engines as are mounted: "/socket.io/" for the Gateway, "/engine.io/" for an echo app);
// answers CORS preflights; and hands every other request to a RequestHandler (the HTTP
// API, health, metrics) or, when a forwarder is set, streams it to that ExchangeListener
// (net/forwarding.hpp: the serve command's ASGI bridge).
//
// Threading: construct, start() and stop_accepting() from the controlling thread; the
// connections it creates each live on one shard.
#pragma once

#include "eio/engine.hpp"
#include "eio/shard_pool.hpp"
#include "net/forwarding.hpp"
#include "net/http_types.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sg::net {

struct EngineMount {
  std::string path;                                          // e.g. "/socket.io/"
  std::function<eio::Engine&(std::size_t shard)> engine_for;  // the mount's engine on a shard
  std::size_t max_payload = 1'000'000;
};

struct CorsPolicy {
  bool any_origin = false;
  std::vector<std::string> origins;
  bool allows(std::string_view origin) const;
};

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;
  std::vector<EngineMount> mounts;
  CorsPolicy cors;
  std::size_t max_body_bytes = 1'000'000;  // for requests outside the mounts (more: 413)
  std::size_t max_header_bytes = 16 * 1024;  // a request head (more: 431)
  // A connection that takes longer than this to send a whole request (from its first byte or
  // the end of the previous response: slow heads and bodies, idle keep-alive), or to take a
  // response, is closed.
  std::chrono::milliseconds request_timeout{60000};
  RequestHandler handler;
  // Takes every request outside the mounts instead of `handler` (not owned; outlives the server).
  ExchangeListener* forwarder = nullptr;
};

class HttpServer {
 public:
  HttpServer(eio::ShardPool& shards, HttpServerOptions options);
  ~HttpServer();

  // Binds and starts accepting; throws boost::system::system_error when the port is taken.
  void start();
  std::uint16_t port() const { return bound_port_; }
  // Stops accepting new connections (existing ones carry on).
  void stop_accepting();

  // WebSocket connections whose socket is still open (any HttpServer in the process).
  static std::int64_t open_websockets();

  // ---- for connections --------------------------------------------------------------
  const HttpServerOptions& options() const { return options_; }
  eio::ShardPool& shards() { return shards_; }

 private:
  void accept_next();

  eio::ShardPool& shards_;
  HttpServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint peer_;  // the address of the connection being accepted
  std::uint16_t bound_port_ = 0;
  std::size_t next_shard_ = 0;
};

}  // namespace sg::net
