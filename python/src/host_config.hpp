// HostConfig: what `python -m socket_gateway serve` tells the native host — where to listen,
// where Socket.IO is served natively (for an ASGIApp target), CORS for that path, the limits
// on forwarded requests, and the shards of a host that has no gateway of its own.
//
// Threading: a plain value, filled in on the Python thread before the host is built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sg::py {

struct HostConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::size_t threads = 1;          // shards of a host without a gateway (a gateway brings its own)
  std::string socketio_path;        // e.g. "/socket.io/"; empty: nothing served natively
  bool cors_any_origin = false;
  std::vector<std::string> cors_origins;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64u << 20;
};

}  // namespace sg::py
