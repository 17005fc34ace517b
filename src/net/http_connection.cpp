// HTTP request routing and reply writing for one connection (see http_connection.hpp).
// Threading: the connection's shard thread; responders post back to it.
#include "http_connection.hpp"

#include "forwarded_exchange.hpp"
#include "request_head.hpp"
#include "util/log.hpp"
#include "util/url.hpp"
#include "websocket_connection.hpp"
#include "websocket_handshake.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>

namespace sg::net {

namespace http = boost::beast::http;

namespace {
constexpr std::size_t kHeadReadBytes = 4096;
// A forwarded body up to this size is read whole before the request is forwarded (one
// notice instead of two); a longer or chunked one is streamed as the listener reads it.
constexpr std::size_t kWholeForwardedBody = 64 * 1024;

bool path_matches_mount(std::string_view path, const std::string& mount) {
  if (path == mount) return true;
  return mount.size() > 1 && mount.back() == '/' && path == std::string_view(mount).substr(0, mount.size() - 1);
}
}  // namespace

HttpConnection::HttpConnection(HttpServer& server, std::size_t shard, boost::asio::ip::tcp::socket socket,
                               boost::asio::ip::tcp::endpoint remote, std::string already_received)
    : server_(server),
      shard_(shard),
      socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      remote_(std::move(remote)),
      remote_address_(remote_.address().to_string()) {
  // Non-blocking from the start: Asio's first asynchronous operation then needs no ioctl of
  // its own, and a WebSocket taking over the socket finds it ready for direct reads and writes.
  boost::system::error_code ignored;
  if (!socket_.non_blocking()) socket_.non_blocking(true, ignored);
  if (!already_received.empty()) {
    const auto copied = boost::asio::buffer_copy(buffer_.prepare(already_received.size()),
                                                 boost::asio::buffer(already_received));
    buffer_.commit(copied);
  }
}

void HttpConnection::start() { read_request(); }

void HttpConnection::resume(Request request) { route(std::move(request)); }

void HttpConnection::arm_deadline() {
  deadline_.expires_after(server_.options().request_timeout);
  deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close();
  });
}

void HttpConnection::cancel_deadline() { deadline_.cancel(); }

void HttpConnection::read_request() {
  arm_deadline();  // the whole request, from now
  raw_head_.clear();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  std::size_t body_limit = server_.options().max_body_bytes;
  for (const auto& mount : server_.options().mounts) body_limit = std::max(body_limit, mount.max_payload);
  parser_->body_limit(body_limit);
  parse_buffered_head();
}

// The head is parsed here rather than by http::async_read_header so that a forwarded request
// can keep its raw bytes: Beast's field container groups repeated names, and ASGI wants the
// headers in the order they arrived. The parser only succeeds once the whole head is in the
// buffer, so what it consumed is exactly the head.
void HttpConnection::parse_buffered_head() {
  const HeadStep step = put_buffered_head(*parser_, buffer_.data());
  if (server_.options().forwarder) raw_head_.append(step.raw_head);  // a head may come in pieces
  buffer_.consume(step.used);
  if (step.ec != http::error::need_more) return on_header(step.ec);
  socket_.async_read_some(buffer_.prepare(kHeadReadBytes),
                          [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t bytes) {
                            self->buffer_.commit(bytes);
                            if (!read_ec) return self->parse_buffered_head();
                            if (read_ec == boost::asio::error::eof)
                              return self->on_header(self->buffer_.size() ? http::error::partial_message
                                                                           : http::error::end_of_stream);
                            self->on_header(read_ec);
                          });
}

void HttpConnection::on_header(const boost::system::error_code& ec) {
  if (ec) return refuse_head(ec) ? void() : close();
  if (server_.options().forwarder) {
    const auto& header = parser_->get();
    const RequestTarget target = split_target(std::string_view(header.target().data(), header.target().size()));
    if (!mount_for(target.path)) {
      const auto length = parser_->content_length();
      if (length && *length > server_.options().max_body_bytes) return refuse_head(http::error::body_limit), void();
      parser_->body_limit(server_.options().max_body_bytes);
      if (streams_forwarded_body(*parser_, kWholeForwardedBody)) return forward_streaming();
    }
  }
  announce_polling_post();
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                     self->on_request(ec);
                   });
}

// Tells the session's engine (on the session's shard) that a POST has begun, so that an
// overlapping second POST is refused even while this one's body is still arriving.
void HttpConnection::announce_polling_post() {
  const auto& header = parser_->get();
  if (header.method() != http::verb::post) return;
  const RequestTarget target = split_target(std::string_view(header.target().data(), header.target().size()));
  for (const auto& mount : server_.options().mounts) {
    if (!path_matches_mount(target.path, mount.path)) continue;
    const auto home = eio::Engine::shard_for(target.query, server_.shards().size());
    if (!home) return;
    announced_mount_ = &mount;
    announced_query_ = std::string(target.query);
    server_.shards().post(*home, [&mount, home = *home, query = announced_query_] {
      mount.engine_for(home).polling_post_started(query);
    });
    return;
  }
}

void HttpConnection::on_request(const boost::system::error_code& ec) {
  if (ec && announced_mount_) {
    const auto home = eio::Engine::shard_for(announced_query_, server_.shards().size());
    server_.shards().post(*home, [mount = announced_mount_, home = *home, query = std::move(announced_query_)] {
      mount->engine_for(home).polling_post_abandoned(query);
    });
  }
  announced_mount_ = nullptr;
  if (ec) return refuse_head(ec) ? void() : close();
  route(parser_->release());
}

// Answers a request the parser refused: 431 for a head over the limit, 413 for a body over
// it, 400 for a malformed head or body; the connection closes after. False for errors that
// are not the request's fault (the client left): nothing to answer.
bool HttpConnection::refuse_head(const boost::system::error_code& ec) {
  keep_alive_ = false;
  if (ec == http::error::header_limit) return write_reply(Reply{431, "text/plain", "Request Header Fields Too Large", {}}), true;
  if (ec == http::error::body_limit) return write_reply(json_error(413, "payload too large")), true;
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return false;
  write_reply(Reply{400, "text/plain", "Bad Request", {}});
  return true;
}

const EngineMount* HttpConnection::mount_for(std::string_view path) const {
  for (const auto& mount : server_.options().mounts) {
    if (path_matches_mount(path, mount.path)) return &mount;
  }
  return nullptr;
}

void HttpConnection::route(Request request) {
  cancel_deadline();  // a held poll waits for its engine; an upgrade leaves the connection
  keep_alive_ = request.keep_alive();
  version_ = request.version();
  origin_ = std::string(request[http::field::origin]);
  const RequestTarget target = split_target(std::string_view(request.target().data(), request.target().size()));
  const EngineMount* mount = mount_for(target.path);
  const bool forwarded = !mount && server_.options().forwarder;

  if (request.method() == http::verb::options && !forwarded) {
    Reply reply{204, "text/plain", "", {}};
    if (!origin_.empty() && server_.options().cors.allows(origin_)) {
      reply.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
      const auto requested = request[http::field::access_control_request_headers];
      reply.headers.emplace_back("Access-Control-Allow-Headers",
                                 requested.empty() ? "Content-Type, Authorization" : std::string(requested));
      reply.headers.emplace_back("Access-Control-Max-Age", "86400");
    }
    return write_reply(std::move(reply));
  }

  if (mount) {
    const auto home = eio::Engine::shard_for(target.query, server_.shards().size());
    if (home && *home != shard_) return move_to_shard(*home, std::move(request));
    if (boost::beast::websocket::is_upgrade(request))
      return serve_websocket(*mount, std::move(request), std::string(target.query));
    return serve_engine(*mount, std::move(request), target.query);
  }
  if (forwarded) return forward(std::move(request));

  if (server_.options().handler && server_.options().handler(request, remote_address_, responder())) return;
  write_reply(json_error(404, "not found"));
}


void HttpConnection::move_to_shard(std::size_t shard, Request request) {
  boost::system::error_code ec;
  const auto protocol = socket_.local_endpoint(ec).protocol();
  if (ec) return close();
  const auto fd = socket_.release(ec);
  if (ec) return close();
  boost::asio::ip::tcp::socket moved(server_.shards().context(shard));
  moved.assign(protocol, fd, ec);
  if (ec) return;
  auto next = std::make_shared<HttpConnection>(server_, shard, std::move(moved), remote_,
                                               boost::beast::buffers_to_string(buffer_.data()));
  server_.shards().post(shard, [next, request = std::move(request)]() mutable { next->resume(std::move(request)); });
}

void HttpConnection::serve_engine(const EngineMount& mount, Request request, std::string_view query) {
  eio::HandshakeInfo handshake{std::string(request[http::field::authorization]), remote_address_, std::string(query)};
  const auto content_type = request[http::field::content_type];
  auto respond = responder();
  const bool is_get = request.method() == http::verb::get;
  awaiting_engine_reply_ = true;
  mount.engine_for(shard_).handle_polling(
      std::string_view(request.method_string().data(), request.method_string().size()), query,
      std::string_view(content_type.data(), content_type.size()), std::move(request.body()), std::move(handshake),
      [respond](eio::HttpReply reply) {
        Reply out{reply.status, std::move(reply.content_type), std::move(reply.body), {}};
        out.headers.emplace_back("Cache-Control", "no-store");
        respond(std::move(out));
      });
  if (is_get && awaiting_engine_reply_) watch_held_get(mount, std::string(query));
}

// While the engine holds a GET, a readable socket with nothing to read means the client
// went away: the engine is told, so the session ends now rather than at the ping timeout.
void HttpConnection::watch_held_get(const EngineMount& mount, std::string query) {
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this(), &mount, query = std::move(query)](const boost::system::error_code& ec) {
                       if (ec || !self->awaiting_engine_reply_) return;
                       boost::system::error_code available_ec;
                       if (self->socket_.available(available_ec) > 0 && !available_ec) return;  // pipelined bytes
                       self->awaiting_engine_reply_ = false;
                       mount.engine_for(self->shard_).polling_get_abandoned(query);
                       self->close();
                     });
}

void HttpConnection::serve_websocket(const EngineMount& mount, Request request, std::string query) {
  eio::Engine& engine = mount.engine_for(shard_);
  if (auto refusal = engine.check_websocket(query, remote_address_)) {
    keep_alive_ = false;
    return write_reply(Reply{refusal->status, refusal->content_type, refusal->body, {}});
  }
  const auto accept_key = websocket_accept_key(request);
  if (!accept_key) {
    keep_alive_ = false;
    return write_reply(json_error(400, "bad websocket handshake"));
  }
  eio::HandshakeInfo handshake{std::string(request[http::field::authorization]), remote_address_, query};
  // The 101 response leaves in the same write as the Engine.IO open packet.
  auto websocket = std::make_shared<WebSocketConnection>(std::move(socket_), boost::beast::buffers_to_string(buffer_.data()),
                                                         mount.max_payload, websocket_upgrade_response(*accept_key));
  auto session = engine.accept_websocket(query, std::move(handshake), websocket);
  websocket->start(std::move(session));
}

Responder HttpConnection::responder() {
  return [self = shared_from_this()](Reply reply) {
    auto& context = self->server_.shards().context(self->shard_);
    boost::asio::post(context, [self, reply = std::move(reply)]() mutable { self->write_reply(std::move(reply)); });
  };
}

void HttpConnection::add_cors_headers(Reply& reply) const {
  const CorsPolicy& cors = server_.options().cors;
  if (origin_.empty() || !cors.allows(origin_)) return;
  if (cors.any_origin) {
    reply.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return;
  }
  reply.headers.emplace_back("Access-Control-Allow-Origin", origin_);
  reply.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  reply.headers.emplace_back("Vary", "Origin");
}

void HttpConnection::write_reply(Reply reply) {
  if (awaiting_engine_reply_) {
    awaiting_engine_reply_ = false;
    boost::system::error_code ignored;
    socket_.cancel(ignored);  // ends watch_held_get
  }
  add_cors_headers(reply);
  auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version_);
  response->set(http::field::content_type, reply.content_type);
  for (auto& [name, value] : reply.headers) response->set(name, value);
  response->keep_alive(keep_alive_);
  response->body() = std::move(reply.body);
  response->prepare_payload();
  arm_deadline();  // a client that does not take its response
  http::async_write(socket_, *response,
                    [self = shared_from_this(), response](const boost::system::error_code& ec, std::size_t) {
                      if (ec || !self->keep_alive_) return self->close();
                      self->read_request();
                    });
}

void HttpConnection::close() {
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace sg::net
