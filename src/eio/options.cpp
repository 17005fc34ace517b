// Names of transports and close reasons, for logs and Socket.IO disconnect reasons.
// Threading: pure functions; any thread.
#include "eio/options.hpp"

namespace sg::eio {

std::string_view to_string(TransportKind kind) { return kind == TransportKind::polling ? "polling" : "websocket"; }

std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::client_close: return "client close";
    case CloseReason::transport_close: return "transport close";
    case CloseReason::ping_timeout: return "ping timeout";
    case CloseReason::parse_error: return "parse error";
    case CloseReason::slow_client: return "slow client";
    case CloseReason::server_close: return "server close";
    case CloseReason::server_shutdown: return "server shutting down";
  }
  return "unknown";
}

}  // namespace sg::eio
