// CoreConfig: the settings SocketGateway(...) passes down, in the units of the core, and
// their translation into the sio::GatewayOptions the standalone server also builds.
//
// Threading: a plain value, filled in on the Python thread before the core is built.
#pragma once

#include "cluster/redis_cluster.hpp"
#include "sio/gateway_options.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sg::py {

struct CoreConfig {
  std::string jwt_secret;
  std::string jwt_public_key;  // PEM text
  std::vector<std::string> jwt_algorithms;
  std::optional<std::string> jwt_issuer;
  std::optional<std::string> jwt_audience;
  std::string jwt_user_claim = "sub";
  std::int64_t jwt_leeway_seconds = 30;
  std::int64_t ping_interval_ms = 25000;
  std::int64_t ping_timeout_ms = 20000;
  std::int64_t connect_timeout_ms = 45000;
  std::size_t max_payload = 1'000'000;
  std::size_t max_queue_bytes = 4u << 20;
  std::vector<std::string> namespaces{"/"};
  std::size_t threads = 1;
  std::string log_level = "info";
  std::string user_room_prefix = "user:";
  std::string rooms_claim;               // empty: none
  std::optional<std::string> redis_url;  // cluster mode when set
  std::string redis_key_prefix = "socket.io";
  std::string node_id;                   // empty: random
  std::int64_t recovery_max_disconnection_ms = 0;  // 0: connection-state recovery off
  std::size_t recovery_max_bytes = 64u << 20;
  // Abuse limits (0: none; max_connections defaults to 90 % of the open-file limit).
  std::int64_t max_connections = -1;  // -1: the default
  std::size_t max_connections_per_ip = 0;
  double handshake_rate_per_ip = 0;
  std::size_t max_sockets_per_user = 0;
  std::size_t max_rooms_per_socket = 10000;
  double max_client_events_per_second = 0;
};

// Throws std::invalid_argument for settings the core cannot use (no JWT key, a bad PEM,
// an unknown algorithm or log level, a namespace without its leading '/', ...).
sio::GatewayOptions gateway_options(const CoreConfig& config);

// The cluster settings, when redis_url is set.
std::optional<cluster::RedisClusterOptions> cluster_options(const CoreConfig& config);

}  // namespace sg::py
