// Fuzz target: the HTTP API (src/net/api_router, api_routes) — path segments and their
// percent-encoding, methods, the emit bodies' JSON ("event", "namespace", "data"), the
// namespace query parameter, the API key check. Input: a byte choosing the route (and for
// the raw route, the method), a byte of flags (router with an API key; the right
// Authorization header; a caller off loopback), then '\n'-separated lines: the first path
// value (user, room or sid), the second (a room), the query, and the rest is the body. The
// request goes straight to ApiRouter::handle; the Gateway behind it runs on a one-shard pool
// that this thread drives, with no clients. The join/leave routes take no body.
//
// Threading: libFuzzer's thread only.
#include "../unit/sio/gateway_harness.hpp"
#include "fuzz_support.hpp"
#include "net/api_router.hpp"

#include <array>
#include <string>

namespace {

namespace http = boost::beast::http;

struct Route {
  http::verb method;
  std::string_view before;   // path up to the first value
  std::string_view between;  // path between the first and the second value
  std::string_view after;    // path after the second value
};

// {value} and {room} are the input's first two lines; the last route takes the first line as
// the whole path.
constexpr std::array<Route, 9> kRoutes{{
    {http::verb::post, "/api/v1/events", "", ""},
    {http::verb::post, "/api/v1/users/", "", "/events"},
    {http::verb::post, "/api/v1/rooms/", "", "/events"},
    {http::verb::get, "/api/v1/users/", "", "/sockets"},
    {http::verb::put, "/api/v1/sockets/", "/rooms/", ""},
    {http::verb::delete_, "/api/v1/sockets/", "/rooms/", ""},
    {http::verb::get, "/api/v1/sockets/", "", "/rooms"},
    {http::verb::delete_, "/api/v1/sockets/", "", ""},
    {http::verb::unknown, "", "", ""},
}};
constexpr std::array<http::verb, 5> kRawMethods{http::verb::get, http::verb::post, http::verb::put,
                                                http::verb::delete_, http::verb::patch};

struct Host {
  sg::sio::testing::GatewayHarness harness;
  sg::net::ApiRouter open_router{harness.gateway, sg::net::ApiOptions{}};
  sg::net::ApiRouter keyed_router{harness.gateway, sg::net::ApiOptions{"fuzz-key", 4096}};
};

Host& host() {
  static Host* instance = new Host;
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  const std::uint8_t route_byte = sg::fuzz::take_byte(input);
  const std::uint8_t flags = sg::fuzz::take_byte(input);
  const std::string_view value = sg::fuzz::take_until(input, '\n');
  const std::string_view room = sg::fuzz::take_until(input, '\n');
  const std::string_view query = sg::fuzz::take_until(input, '\n');

  const Route& route = kRoutes[route_byte % kRoutes.size()];
  std::string target;
  http::verb method = route.method;
  if (method == http::verb::unknown) {
    method = kRawMethods[(route_byte / kRoutes.size()) % kRawMethods.size()];
    target.append(value);
  } else {
    target.append(route.before);
    if (!route.after.empty() || !route.between.empty() || route.before.back() == '/') target.append(value);
    if (!route.between.empty()) target.append(route.between).append(room);
    target.append(route.after);
  }
  if (!query.empty()) target.append("?").append(query);

  sg::net::Request request{method, target, 11};
  request.set(http::field::content_type, "application/json");
  if (flags & 2) request.set(http::field::authorization, "Bearer fuzz-key");
  request.body() = std::string(input);
  request.prepare_payload();

  Host& server = host();
  sg::net::ApiRouter& router = (flags & 1) ? server.keyed_router : server.open_router;
  const std::string remote = (flags & 4) ? "192.0.2.7" : "127.0.0.1";
  unsigned status = 0;
  const bool handled = router.handle(request, remote, [&status](sg::net::Reply reply) { status = reply.status; });
  server.harness.drain();
  if (handled) sg::fuzz::require(status >= 200 && status < 600, "every API request is answered");
  return 0;
}
