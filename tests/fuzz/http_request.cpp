// Fuzz target: HTTP request bytes through the server's request handling, without sockets.
// Input: one byte choosing how the bytes arrive (all at once, or in reads of 1..255 bytes),
// then what a client sends on one connection — one request or several pipelined ones. Each
// head is read with put_buffered_head (src/net/request_head, the step HttpConnection repeats
// after each read) and the Beast parser HttpConnection configures, its raw header lines are
// split as a forwarded request's are, and the body is read as http::async_read reads it. A
// complete request is then routed as HttpConnection::route routes it: a CORS preflight, the
// Engine.IO mount "/socket.io/" (WebSocket handshake checks and Sec-WebSocket-Accept, or the
// Engine's long-polling handling: handshakes, sids, POST bodies), or the HTTP API (ApiRouter).
// The Gateway runs on a one-shard pool that this thread drives; sessions the input opened are
// closed at the end of each input.
//
// Threading: libFuzzer's thread only.
#include "../../src/net/request_head.hpp"
#include "../../src/net/websocket_handshake.hpp"
#include "../unit/sio/gateway_harness.hpp"
#include "fuzz_support.hpp"
#include "net/api_router.hpp"
#include "net/http_server.hpp"
#include "util/url.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>

namespace {

namespace http = boost::beast::http;
using sg::fuzz::require;

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;  // HttpServerOptions' defaults
constexpr std::size_t kMaxBodyBytes = 1'000'000;
constexpr std::size_t kWholeForwardedBody = 64 * 1024;
constexpr std::string_view kMount = "/socket.io/";

struct Host {
  sg::sio::testing::GatewayHarness harness;
  sg::net::ApiRouter router{harness.gateway, sg::net::ApiOptions{}};
  sg::net::CorsPolicy cors{false, {"https://app.example"}};
};

Host& host() {
  static Host* instance = new Host;
  return *instance;
}

// The bytes of one connection, arriving `read_size` at a time (0: all at once).
struct Wire {
  std::string_view unread;
  std::size_t read_size = 0;
  std::string buffered;

  // Reads at least `min_bytes` (when that many are left).
  bool read_more(std::size_t min_bytes = 1) {
    if (unread.empty()) return false;
    const std::size_t take = read_size == 0 ? unread.size() : std::min(std::max(read_size, min_bytes), unread.size());
    buffered.append(unread.substr(0, take));
    unread.remove_prefix(take);
    return true;
  }
  void consume(std::size_t used) { buffered.erase(0, used); }
};

// HttpConnection::parse_buffered_head's loop: offer what is buffered, keep what the parser
// took (Beast takes the start line as soon as it is whole: the head may come in pieces), read
// more on need_more. The pieces make the raw head a forwarded request carries.
bool read_head(Wire& wire, sg::net::RequestParser& parser) {
  std::string raw_head;
  for (;;) {
    const sg::net::HeadStep step = sg::net::put_buffered_head(parser, boost::asio::buffer(wire.buffered));
    raw_head.append(step.raw_head);
    wire.consume(step.used);
    if (step.ec != http::error::need_more) {
      if (step.ec) return false;
      const sg::net::HeaderList lines = sg::net::header_lines(raw_head);
      for (const auto& [name, value] : lines)
        require(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
                "forwarded header names are lower-case");
      // Beast's container groups repeated names: compare the two as sorted lists.
      sg::net::HeaderList parsed;
      for (const auto& field : parser.get()) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        parsed.emplace_back(std::move(name), std::string(field.value()));
      }
      sg::net::HeaderList forwarded = lines;
      std::sort(parsed.begin(), parsed.end());
      std::sort(forwarded.begin(), forwarded.end());
      require(forwarded == parsed, "a forwarded request carries the headers Beast parsed");
      (void)sg::net::streams_forwarded_body(parser, kWholeForwardedBody);
      return true;
    }
    if (!wire.read_more()) return false;  // the client left mid-head
  }
}

// What http::async_read does with the rest of the request. Body bytes arrive at least two at
// a time: Beast 1.81 asserts (debug builds only; boostorg/beast#2861, fixed after 1.81) when a
// final chunk comes as "0\r\n" and then one byte; its release code handles that case.
constexpr std::size_t kMinBodyRead = 2;

bool read_body(Wire& wire, sg::net::RequestParser& parser) {
  boost::system::error_code ec;
  while (!parser.is_done()) {
    if (wire.buffered.empty() && !wire.read_more(kMinBodyRead)) {
      parser.put_eof(ec);
      return !ec && parser.is_done();
    }
    const std::size_t used = parser.put(boost::asio::buffer(wire.buffered), ec);
    wire.consume(used);
    if (ec == http::error::need_more || (!ec && used == 0)) {
      ec = {};
      if (!wire.read_more(kMinBodyRead)) {
        parser.put_eof(ec);
        return !ec && parser.is_done();
      }
      continue;
    }
    if (ec) return false;
  }
  return true;
}

bool on_mount(std::string_view path) { return path == kMount || path == kMount.substr(0, kMount.size() - 1); }

void route(Host& host, sg::net::Request& request) {
  const std::string origin(request[http::field::origin]);
  const sg::RequestTarget target = sg::split_target(std::string_view(request.target().data(), request.target().size()));
  if (request.method() == http::verb::options) {
    (void)host.cors.allows(origin);
    (void)request[http::field::access_control_request_headers];
    return;
  }
  if (on_mount(target.path)) {
    const auto home = sg::eio::Engine::shard_for(target.query, 1);
    require(!home || *home == 0, "one shard");
    sg::eio::Engine& engine = host.harness.engine();
    if (boost::beast::websocket::is_upgrade(request)) {
      if (engine.check_websocket(target.query)) return;
      if (const auto key = sg::net::websocket_accept_key(request)) {
        require(key->size() == 28, "Sec-WebSocket-Accept is base64 of SHA-1");
        (void)sg::net::websocket_upgrade_response(*key);
      }
      return;
    }
    const auto content_type = request[http::field::content_type];
    sg::eio::HandshakeInfo handshake{std::string(request[http::field::authorization]), "127.0.0.1",
                                     std::string(target.query)};
    engine.handle_polling(std::string_view(request.method_string().data(), request.method_string().size()),
                          target.query, std::string_view(content_type.data(), content_type.size()),
                          std::move(request.body()), std::move(handshake), [](sg::eio::HttpReply) {});
    host.harness.drain();
    return;
  }
  host.router.handle(request, "127.0.0.1", [](sg::net::Reply) {});
  host.harness.drain();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  Host& server = host();
  const std::size_t read_size = sg::fuzz::take_byte(input);
  Wire wire{input, read_size, {}};
  for (int request_count = 0; request_count < 8; ++request_count) {
    sg::net::RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser.body_limit(kMaxBodyBytes);
    if (!read_head(wire, parser) || !read_body(wire, parser)) break;
    sg::net::Request request = parser.release();
    const bool keep_alive = request.keep_alive();
    route(server, request);
    if (!keep_alive) break;
  }
  server.harness.engine().close_all(sg::eio::CloseReason::transport_close);
  server.harness.drain();
  return 0;
}
