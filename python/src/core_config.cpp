// CoreConfig -> sio::GatewayOptions (see core_config.hpp).
// Threading: the Python thread that builds the core.
#include "core_config.hpp"

#include "eio/admission.hpp"

#include "util/log.hpp"

#include <stdexcept>

namespace sg::py {

namespace {
std::chrono::milliseconds positive_ms(std::int64_t value, const char* name) {
  if (value <= 0) throw std::invalid_argument(std::string(name) + " must be positive");
  return std::chrono::milliseconds(value);
}
}  // namespace

sio::GatewayOptions gateway_options(const CoreConfig& config) {
  log::Level level;
  if (!log::parse_level(config.log_level, level))
    throw std::invalid_argument("log_level must be debug, info, warn or error");

  if (config.jwt_secret.empty() && config.jwt_public_key.empty())
    throw std::invalid_argument("one of jwt_secret and jwt_public_key is required");
  if (config.jwt_leeway_seconds < 0) throw std::invalid_argument("jwt_leeway must not be negative");
  auth::JwtConfig jwt;
  jwt.secret = config.jwt_secret;
  jwt.public_key_pem = config.jwt_public_key;
  jwt.algorithms = config.jwt_algorithms;
  jwt.issuer = config.jwt_issuer;
  jwt.audience = config.jwt_audience;
  jwt.user_claim = config.jwt_user_claim;
  jwt.leeway = std::chrono::seconds(config.jwt_leeway_seconds);

  sio::GatewayOptions options;
  options.jwt = std::make_shared<const auth::JwtVerifier>(std::move(jwt));
  options.engine.ping_interval = positive_ms(config.ping_interval_ms, "ping_interval");
  options.engine.ping_timeout = positive_ms(config.ping_timeout_ms, "ping_timeout");
  options.connect_timeout = positive_ms(config.connect_timeout_ms, "connect_timeout");
  if (config.max_payload == 0) throw std::invalid_argument("max_payload must be positive");
  if (config.max_queue_bytes == 0) throw std::invalid_argument("max_queue_bytes must be positive");
  options.engine.max_payload = config.max_payload;
  options.engine.max_queue_bytes = config.max_queue_bytes;
  for (const auto& nsp : config.namespaces) {
    if (nsp.empty() || nsp.front() != '/') throw std::invalid_argument("namespace must start with '/': " + nsp);
  }
  options.namespaces = config.namespaces;
  options.user_room_prefix = config.user_room_prefix;
  options.rooms_claim = config.rooms_claim;
  if (config.recovery_max_disconnection_ms < 0) throw std::invalid_argument("recovery_max_disconnection must be >= 0");
  options.recovery_max_disconnection = std::chrono::milliseconds(config.recovery_max_disconnection_ms);
  options.recovery_max_bytes = config.recovery_max_bytes;
  if (config.handshake_rate_per_ip < 0 || config.max_client_events_per_second < 0)
    throw std::invalid_argument("rates must be >= 0");
  const std::size_t max_connections =
      config.max_connections < 0 ? eio::default_max_connections() : static_cast<std::size_t>(config.max_connections);
  options.engine.admission = std::make_shared<eio::Admission>(
      eio::AdmissionLimits{max_connections, config.max_connections_per_ip, config.handshake_rate_per_ip, 0});
  options.max_sockets_per_user = config.max_sockets_per_user;
  options.max_rooms_per_socket = config.max_rooms_per_socket;
  options.max_client_events_per_second = config.max_client_events_per_second;
  return options;
}

std::optional<cluster::RedisClusterOptions> cluster_options(const CoreConfig& config) {
  if (!config.redis_url) return std::nullopt;
  cluster::RedisClusterOptions options;
  options.redis_url = *config.redis_url;
  options.key_prefix = config.redis_key_prefix;
  options.node_id = config.node_id;
  return options;
}

}  // namespace sg::py
