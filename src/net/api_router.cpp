// HTTP API routing, validation and calls into the Gateway (see api_router.hpp).
// Threading: handle() on a connection's shard; completion callbacks on the sid's shard.
#include "net/api_router.hpp"

#include "util/url.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/crypto.h>

namespace sg::net {

namespace http = boost::beast::http;

namespace {

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec) return false;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6()).is_loopback();
  return parsed.is_loopback();
}

}  // namespace

ApiRouter::ApiRouter(sio::Gateway& gateway, ApiOptions options) : gateway_(gateway), options_(std::move(options)) {}

Responder ApiRouter::counted(Responder respond) {
  return [counters = status_counters_, respond = std::move(respond)](Reply reply) {
    auto& counter = counters->by_status[reply.status < counters->by_status.size() ? reply.status : 0];
    counter.fetch_add(1, std::memory_order_relaxed);
    respond(std::move(reply));
  };
}

bool ApiRouter::authorized(const Request& request, const std::string& remote_address, Responder& respond) const {
  if (options_.api_key.empty()) {
    if (is_loopback(remote_address)) return true;
    respond(json_error(403, "forbidden: no API key is configured and the caller is not on loopback"));
    return false;
  }
  const auto header = request[http::field::authorization];
  const std::string expected = "Bearer " + options_.api_key;
  if (header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0) return true;
  respond(json_error(401, "unauthorized"));
  return false;
}

bool ApiRouter::handle(const Request& request, const std::string& remote_address, Responder respond) {
  const RequestTarget target = split_target(std::string_view(request.target().data(), request.target().size()));
  if (target.path == "/healthz") {
    // In a cluster the node keeps serving its own clients while Redis is away: still 200.
    const sio::ClusterLink* cluster = gateway_.cluster();
    if (draining_.load(std::memory_order_relaxed)) respond(Reply{503, "application/json", "{\"status\":\"draining\"}", {}});
    else if (!cluster) respond(Reply{200, "application/json", "{\"status\":\"ok\"}", {}});
    else if (cluster->status().connected) respond(Reply{200, "application/json", "{\"status\":\"ok\",\"redis\":\"connected\"}", {}});
    else respond(Reply{200, "application/json", "{\"status\":\"degraded\",\"redis\":\"disconnected\"}", {}});
    return true;
  }
  if (target.path == "/metrics") {
    if (!authorized(request, remote_address, respond)) return true;
    respond(Reply{200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(), {}});
    return true;
  }
  if (!target.path.starts_with("/api/")) return false;
  Responder counting = counted(std::move(respond));
  if (!authorized(request, remote_address, counting)) return true;
  handle_api(request, target.path, target.query, std::move(counting));
  return true;
}

}  // namespace sg::net
