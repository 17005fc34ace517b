// ServerConfig: every setting of the standalone server, read from flags and from
// SOCKET_GATEWAY_* environment variables (a flag wins), with the --help text.
//
// Threading: parsed once on the main thread before anything starts.
#pragma once

#include "cluster/redis_cluster.hpp"
#include "net/api_router.hpp"
#include "net/http_server.hpp"
#include "sio/gateway_options.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace sg::server {

struct ServerConfig {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;
  std::size_t threads = 0;  // 0: number of cores
  std::string log_level = "info";
  std::optional<cluster::RedisClusterOptions> cluster;  // cluster mode (--redis-url)
  bool bench_contract = false;  // registers the bench:emit handler (benchmarks only)
  sio::GatewayOptions gateway;
  net::CorsPolicy cors;
  net::ApiOptions api;
  std::chrono::milliseconds http_request_timeout{60000};  // net::HttpServerOptions::request_timeout
};

// Parses argv (after the program name) and the environment. On --help prints usage and
// returns nullopt with exit_code 0; on a bad option prints the error and returns nullopt
// with exit_code 2.
std::optional<ServerConfig> parse_server_config(int argc, char** argv, int& exit_code);

}  // namespace sg::server
