// ApiRouter: the HTTP API that backend services use to reach clients — emits to a user, a
// room or everyone; rooms by sid; disconnect; lookups — plus /healthz and /metrics.
// docs/http-api.md is its contract.
//
// Threading: handle() runs on the connection's shard thread; replies to calls that need
// another shard (anything by sid or by user) arrive from that shard through the Responder.
#pragma once

#include "net/http_types.hpp"
#include "sio/gateway.hpp"

#include <array>
#include <atomic>
#include <string>

namespace sg::net {

struct ApiOptions {
  std::string api_key;                // empty: loopback callers only
  std::size_t max_body_bytes = 1'000'000;
};

class ApiRouter {
 public:
  ApiRouter(sio::Gateway& gateway, ApiOptions options);

  // A RequestHandler: true when the path belongs to the API, health or metrics.
  bool handle(const Request& request, const std::string& remote_address, Responder respond);

  // Turns /healthz to 503 (the server is draining).
  void set_draining() { draining_.store(true, std::memory_order_relaxed); }

 private:
  bool authorized(const Request& request, const std::string& remote_address, Responder& respond) const;
  void handle_api(const Request& request, std::string_view path, std::string_view query, Responder respond);
  void handle_emit(const Request& request, std::string_view kind, std::string target, std::string_view query,
                   Responder respond);
  std::string render_metrics() const;
  Responder counted(Responder respond);

  sio::Gateway& gateway_;
  ApiOptions options_;
  std::atomic<bool> draining_{false};
  // Requests by exact HTTP status (100..599).
  struct StatusCounters {
    std::array<std::atomic<std::uint64_t>, 600> by_status{};
  };
  std::shared_ptr<StatusCounters> status_counters_ = std::make_shared<StatusCounters>();
};

}  // namespace sg::net
