// Listening and spreading accepted connections over the shards (see http_server.hpp).
// Threading: the acceptor runs on shard 0; each accepted socket is created directly on the
// shard it is assigned to (round robin).
#include "net/http_server.hpp"

#include "http_connection.hpp"
#include "websocket_connection.hpp"
#include "util/log.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

namespace sg::net {

bool CorsPolicy::allows(std::string_view origin) const {
  if (any_origin) return true;
  for (const auto& allowed : origins) {
    if (allowed == origin) return true;
  }
  return false;
}

Reply json_error(unsigned status, std::string_view message) {
  std::string body = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') body += '\\';
    body += c;
  }
  body += "\"}";
  return Reply{status, "application/json", std::move(body), {}};
}

std::int64_t HttpServer::open_websockets() { return WebSocketConnection::open_count.load(std::memory_order_relaxed); }

HttpServer::HttpServer(eio::ShardPool& shards, HttpServerOptions options)
    : shards_(shards), options_(std::move(options)), acceptor_(shards.context(0)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  const auto address = boost::asio::ip::make_address(options_.host);
  const boost::asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  bound_port_ = acceptor_.local_endpoint().port();
  boost::asio::post(shards_.context(0), [this] { accept_next(); });
}

void HttpServer::stop_accepting() {
  boost::asio::post(shards_.context(0), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

void HttpServer::accept_next() {
  if (!acceptor_.is_open()) return;
  const std::size_t shard = next_shard_++ % shards_.size();
  acceptor_.async_accept(shards_.context(shard), peer_, [this, shard](const boost::system::error_code& ec,
                                                                     boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      log::warn("accept failed", {{"error", ec.message()}});
    } else {
      auto connection =
          std::make_shared<HttpConnection>(*this, shard, std::move(socket), peer_, std::string());
      boost::asio::post(shards_.context(shard), [connection] { connection->start(); });
    }
    accept_next();
  });
}

}  // namespace sg::net
