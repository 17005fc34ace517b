// HttpConnection's forwarding (see http_connection.hpp): a request outside the mounts becomes
// a ForwardedExchange for the server's ExchangeListener — right after its head when the body
// must stream, else with the whole body — carrying its head as it arrived.
// Threading: the connection's shard thread.
#include "http_connection.hpp"

#include "util/url.hpp"
#include "websocket_handshake.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sg::net {

namespace http = boost::beast::http;

namespace {
// A forwarded body up to this size is read whole before the request is forwarded (one
// notice instead of two); a longer or chunked one is streamed as the listener reads it.
constexpr std::size_t kWholeForwardedBody = 64 * 1024;
// The largest message a forwarded WebSocket accepts (uvicorn's default).
constexpr std::size_t kForwardedWebSocketMessage = 16 * 1024 * 1024;

// The header lines of a raw request head ("name: value", after the request line), in order,
// names lower-cased and values trimmed of surrounding spaces and tabs.
HeaderList header_lines(std::string_view head) {
  HeaderList headers;
  std::size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos) {
    line_start += 2;
    const std::size_t line_end = head.find("\r\n", line_start);
    if (line_end == std::string_view::npos || line_end == line_start) break;
    const std::string_view line = head.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      headers.emplace_back(std::move(name), std::string(value));
    }
    line_start = line_end;
  }
  return headers;
}
}  // namespace

// A forwarded body is streamed (the request forwarded right after its head) when it is
// chunked, longer than kWholeForwardedBody, or waits for a "100 Continue".
bool HttpConnection::streams_forwarded_body() const {
  const auto& header = parser_->get();
  if (boost::beast::websocket::is_upgrade(header)) return false;
  if (parser_->chunked()) return true;
  const auto length = parser_->content_length();
  if (length && *length > kWholeForwardedBody) return true;
  return length.value_or(0) > 0 && boost::beast::iequals(header[http::field::expect], "100-continue");
}

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
