// HttpConnection's forwarding (see http_connection.hpp): a request outside the mounts becomes
// a ForwardedExchange for the server's ExchangeListener — right after its head when the body
// must stream, else with the whole body — carrying its head as it arrived.
// Threading: the connection's shard thread.
#include "http_connection.hpp"

#include "request_head.hpp"
#include "util/url.hpp"
#include "websocket_handshake.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sg::net {

namespace http = boost::beast::http;

namespace {
// The largest message a forwarded WebSocket accepts (uvicorn's default).
constexpr std::size_t kForwardedWebSocketMessage = 16 * 1024 * 1024;
}  // namespace

ForwardedRequest HttpConnection::forwarded_head(const http::request_header<>& header) {
  ForwardedRequest head;
  head.method = std::string(header.method_string());
  const RequestTarget target = split_target(std::string_view(header.target().data(), header.target().size()));
  head.path = std::string(target.path);
  head.query = std::string(target.query);
  head.version = header.version() == 10 ? 10 : 11;
  head.headers = header_lines(raw_head_);
  head.client_address = remote_address_;
  head.client_port = remote_.port();
  boost::system::error_code ec;
  const auto local = socket_.local_endpoint(ec);
  if (!ec) {
    head.server_address = local.address().to_string();
    head.server_port = local.port();
  }
  return head;
}

ForwardedExchange::RequestFacts HttpConnection::forwarded_facts(const http::request_header<>& header, bool keep_alive) {
  ForwardedExchange::RequestFacts facts;
  facts.version = header.version() == 10 ? 10 : 11;
  facts.keep_alive = keep_alive;
  facts.head_request = header.method() == http::verb::head;
  facts.expect_continue = boost::beast::iequals(header[http::field::expect], "100-continue");
  facts.max_message_bytes = kForwardedWebSocketMessage;
  return facts;
}

// The head has arrived and the body will be read as the listener asks.
void HttpConnection::forward_streaming() {
  cancel_deadline();  // the exchange reads the body at the application's pace
  const auto& message = parser_->get();
  ForwardedRequest head = forwarded_head(message);
  head.more_body = true;
  ForwardedExchange::RequestFacts facts = forwarded_facts(message, message.keep_alive());
  auto body_parser = std::make_unique<ForwardedExchange::StreamingParser>(std::move(*parser_));
  parser_.reset();
  body_parser->body_limit(server_.options().max_body_bytes);
  auto exchange = std::make_shared<ForwardedExchange>(ForwardedExchange::Home{&server_, shard_, remote_},
                                                      std::move(socket_), std::move(buffer_), std::move(body_parser),
                                                      std::move(facts));
  exchange->start(*server_.options().forwarder, std::move(head));
}

// The whole request has arrived (an upgrade, or a body short enough to read at once).
void HttpConnection::forward(Request request) {
  cancel_deadline();
  ForwardedRequest head = forwarded_head(request);
  ForwardedExchange::RequestFacts facts = forwarded_facts(request, request.keep_alive());
  if (boost::beast::websocket::is_upgrade(request)) {
    const auto accept_key = websocket_accept_key(request);
    if (!accept_key) {
      keep_alive_ = false;
      return write_reply(Reply{400, "text/plain", "Bad Request", {}});
    }
    facts.websocket_accept_key = *accept_key;
    head.websocket = true;
  }
  head.body = std::move(request.body());
  auto exchange = std::make_shared<ForwardedExchange>(ForwardedExchange::Home{&server_, shard_, remote_},
                                                      std::move(socket_), std::move(buffer_), nullptr, std::move(facts));
  exchange->start(*server_.options().forwarder, std::move(head));
}

}  // namespace sg::net
