// The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks the upgrade
// request and computes Sec-WebSocket-Accept. No extension and no subprotocol is
// negotiated, so clients never compress and frames stay shareable between recipients.
//
// Threading: pure functions; any thread.
#pragma once

#include "net/http_types.hpp"

#include <optional>
#include <string>

namespace sg::net {

// The value of Sec-WebSocket-Accept for this request, or nullopt when the request is not a
// valid version-13 upgrade (missing/ill-formed key, wrong version).
std::optional<std::string> websocket_accept_key(const Request& request);

// The complete "101 Switching Protocols" response.
std::string websocket_upgrade_response(const std::string& accept_key);

}  // namespace sg::net
