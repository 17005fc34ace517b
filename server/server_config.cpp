// Flags, environment variables and validation of the standalone server's settings
// (see server_config.hpp). Boost.Program_options does the parsing.
// Threading: main thread, before start.
#include "server_config.hpp"

#include "eio/admission.hpp"

#include "util/log.hpp"

#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace sg::server {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kEnvPrefix = "SOCKET_GATEWAY_";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

po::options_description describe() {
  po::options_description options("socket-gateway options (each also as SOCKET_GATEWAY_<NAME>, e.g. SOCKET_GATEWAY_JWT_SECRET)");
  options.add_options()
      ("help", "print this help and exit")
      ("version", "print the version and exit")
      ("host", po::value<std::string>()->default_value("0.0.0.0"), "address to listen on")
      ("port", po::value<unsigned>()->default_value(8000), "TCP port (0 picks a free one)")
      ("jwt-secret", po::value<std::string>(), "HMAC secret for HS256/HS384/HS512 tokens")
      ("jwt-public-key", po::value<std::string>(), "path to a PEM public key for RS256/ES256 tokens")
      ("jwt-algorithms", po::value<std::string>(), "pinned algorithms, comma-separated (default HS256 with a secret, RS256,ES256 with a key)")
      ("jwt-issuer", po::value<std::string>(), "required iss claim")
      ("jwt-audience", po::value<std::string>(), "required aud claim")
      ("jwt-user-claim", po::value<std::string>()->default_value("sub"), "claim holding the user id")
      ("jwt-rooms-claim", po::value<std::string>()->default_value(""),
       "claim listing rooms (array of strings) a socket joins at connect, before the reply")
      ("redis-url", po::value<std::string>(),
       "redis://[[user]:password@]host[:port][/db]: share rooms with other nodes through Redis (cluster mode)")
      ("redis-key-prefix", po::value<std::string>()->default_value("socket.io"),
       "prefix of the Redis channels (the key of @socket.io/redis-emitter)")
      ("node-id", po::value<std::string>(), "this node's id in the cluster, 1-16 letters or digits (default: random)")
      ("jwt-leeway", po::value<unsigned>()->default_value(30), "seconds of tolerance on exp/nbf")
      ("api-key", po::value<std::string>(), "bearer key for the HTTP API (without it: loopback callers only)")
      ("ping-interval", po::value<unsigned>()->default_value(25000), "ms between server pings")
      ("ping-timeout", po::value<unsigned>()->default_value(20000), "ms to wait for a pong")
      ("connect-timeout", po::value<unsigned>()->default_value(45000), "ms a session may wait for its first CONNECT")
      ("max-payload", po::value<std::size_t>()->default_value(1000000), "largest message / POST body / API body in bytes")
      ("max-queue-bytes", po::value<std::size_t>()->default_value(4u << 20), "outbound bytes queued per connection before it is disconnected as slow")
      ("recovery-max-disconnection", po::value<unsigned>()->default_value(0),
       "connection-state recovery: ms a disconnected socket is kept for its client to come back (0: off; 120000 is sensible)")
      ("recovery-max-bytes", po::value<std::size_t>()->default_value(64u << 20),
       "connection-state recovery: bytes of emits kept for replay, oldest dropped first")
      ("max-connections", po::value<std::size_t>()->default_value(eio::default_max_connections()),
       "Engine.IO sessions at most; more get 503 (default: 90% of the open-file limit; 0: no limit)")
      ("max-connections-per-ip", po::value<std::size_t>()->default_value(0),
       "sessions at most from one remote address; more get 429 (0: no limit; keep 0 behind a proxy)")
      ("handshake-rate-per-ip", po::value<double>()->default_value(0),
       "new sessions per second from one remote address, bursts of twice that; more get 429 (0: no limit)")
      ("max-sockets-per-user", po::value<std::size_t>()->default_value(0),
       "Socket.IO connections at most per user on this node; more get connect_error (0: no limit)")
      ("http-request-timeout", po::value<unsigned>()->default_value(60000),
       "ms a connection may take to send a whole request (slow or idle keep-alive ones included) or to take a response")
      ("max-rooms-per-socket", po::value<std::size_t>()->default_value(10000),
       "rooms one socket may be in, its user room included; a join past it gets 409 (0: no limit)")
      ("namespaces", po::value<std::string>(), "extra namespaces besides /, comma-separated")
      ("threads", po::value<std::size_t>()->default_value(0), "event-loop threads (0: number of cores)")
      ("cors-origin", po::value<std::string>(), "allowed browser origins, comma-separated, or *")
      ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error")
      ("bench-contract", po::value<bool>()->default_value(false)->implicit_value(true)->zero_tokens(),
       "for benchmarks only: admin sockets (JWT role=admin) may make the server emit with bench:emit");
  return options;
}

std::string env_to_option(const std::string& variable, const po::options_description& options) {
  if (variable.rfind(kEnvPrefix, 0) != 0) return {};
  std::string name = variable.substr(kEnvPrefix.size());
  for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return options.find_nothrow(name, false) && name != "help" && name != "version" ? name : std::string();
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::invalid_argument("cannot read --jwt-public-key file " + path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

}  // namespace

std::optional<ServerConfig> parse_server_config(int argc, char** argv, int& exit_code) {
  const po::options_description options = describe();
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::store(po::parse_environment(options, [&](const std::string& variable) { return env_to_option(variable, options); }), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "socket-gateway: " << error.what() << "\n\n" << options << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (values.count("help")) {
    std::cout << "socket-gateway — a Socket.IO v5 push gateway with JWT auth and an HTTP API\n\n"
              << "usage: socket-gateway [options]\n"
              << "       socket-gateway mint-token --jwt-secret S --sub USER [--ttl SECONDS] [--claim k=v]...\n\n"
              << options << "\n";
    exit_code = 0;
    return std::nullopt;
  }
  if (values.count("version")) {
    std::cout << "socket-gateway " << SG_VERSION << "\n";
    exit_code = 0;
    return std::nullopt;
  }

  try {
    ServerConfig config;
    config.host = values["host"].as<std::string>();
    const unsigned port = values["port"].as<unsigned>();
    if (port > 65535) throw std::invalid_argument("--port must be 0..65535");
    config.port = static_cast<std::uint16_t>(port);
    config.threads = values["threads"].as<std::size_t>();
    if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
    config.log_level = values["log-level"].as<std::string>();
    config.bench_contract = values["bench-contract"].as<bool>();
    log::Level level;
    if (!log::parse_level(config.log_level, level)) throw std::invalid_argument("--log-level must be debug, info, warn or error");

    auth::JwtConfig jwt;
    if (values.count("jwt-secret")) jwt.secret = values["jwt-secret"].as<std::string>();
    if (values.count("jwt-public-key")) jwt.public_key_pem = read_file(values["jwt-public-key"].as<std::string>());
    if (jwt.secret.empty() && jwt.public_key_pem.empty())
      throw std::invalid_argument("one of --jwt-secret and --jwt-public-key is required (SOCKET_GATEWAY_JWT_SECRET / SOCKET_GATEWAY_JWT_PUBLIC_KEY)");
    if (values.count("jwt-algorithms")) jwt.algorithms = split_list(values["jwt-algorithms"].as<std::string>());
    if (values.count("jwt-issuer")) jwt.issuer = values["jwt-issuer"].as<std::string>();
    if (values.count("jwt-audience")) jwt.audience = values["jwt-audience"].as<std::string>();
    jwt.user_claim = values["jwt-user-claim"].as<std::string>();
    config.gateway.rooms_claim = values["jwt-rooms-claim"].as<std::string>();
    if (values.count("redis-url")) {
      cluster::RedisClusterOptions cluster;
      cluster.redis_url = values["redis-url"].as<std::string>();
      cluster.key_prefix = values["redis-key-prefix"].as<std::string>();
      if (values.count("node-id")) cluster.node_id = values["node-id"].as<std::string>();
      config.cluster = std::move(cluster);
    }
    jwt.leeway = std::chrono::seconds(values["jwt-leeway"].as<unsigned>());
    config.gateway.jwt = std::make_shared<const auth::JwtVerifier>(std::move(jwt));

    auto& engine = config.gateway.engine;
    engine.ping_interval = std::chrono::milliseconds(values["ping-interval"].as<unsigned>());
    engine.ping_timeout = std::chrono::milliseconds(values["ping-timeout"].as<unsigned>());
    engine.max_payload = values["max-payload"].as<std::size_t>();
    engine.max_queue_bytes = values["max-queue-bytes"].as<std::size_t>();
    config.gateway.connect_timeout = std::chrono::milliseconds(values["connect-timeout"].as<unsigned>());
    config.gateway.recovery_max_disconnection =
        std::chrono::milliseconds(values["recovery-max-disconnection"].as<unsigned>());
    config.gateway.recovery_max_bytes = values["recovery-max-bytes"].as<std::size_t>();
    const double handshake_rate = values["handshake-rate-per-ip"].as<double>();
    if (!(handshake_rate >= 0)) throw std::invalid_argument("--handshake-rate-per-ip must be 0 or more");
    engine.admission = std::make_shared<eio::Admission>(eio::AdmissionLimits{
        values["max-connections"].as<std::size_t>(), values["max-connections-per-ip"].as<std::size_t>(), handshake_rate, 0});
    config.gateway.max_sockets_per_user = values["max-sockets-per-user"].as<std::size_t>();
    config.gateway.max_rooms_per_socket = values["max-rooms-per-socket"].as<std::size_t>();
    config.http_request_timeout = std::chrono::milliseconds(values["http-request-timeout"].as<unsigned>());
    if (config.http_request_timeout.count() == 0) throw std::invalid_argument("--http-request-timeout must be positive");
    if (values.count("namespaces")) config.gateway.namespaces = split_list(values["namespaces"].as<std::string>());
    for (const auto& nsp : config.gateway.namespaces) {
      if (nsp.empty() || nsp.front() != '/') throw std::invalid_argument("--namespaces entries must start with '/': " + nsp);
    }

    if (values.count("cors-origin")) {
      for (auto& origin : split_list(values["cors-origin"].as<std::string>())) {
        if (origin == "*") config.cors.any_origin = true;
        else config.cors.origins.push_back(origin);
      }
    }
    if (values.count("api-key")) config.api.api_key = values["api-key"].as<std::string>();
    config.api.max_body_bytes = engine.max_payload;
    exit_code = 0;
    return config;
  } catch (const std::exception& error) {
    std::cerr << "socket-gateway: " << error.what() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
}

}  // namespace sg::server
