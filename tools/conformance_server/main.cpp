// conformance-server [--port 3000] [--host 127.0.0.1] [--recovery-max-disconnection MS]
// [--max-client-events-per-second N]: the
// servers the official Engine.IO and Socket.IO protocol suites are written against, on one
// port — the echo app at /engine.io/ and the Socket.IO app at /socket.io/ — with their
// settings: pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1e6, connectTimeout 1 s, CORS
// for any origin. The suites expect connection-state recovery off (the default); the flag
// turns it on for tests of recovery with the same apps; --max-client-events-per-second limits
// what one socket may send to the handlers (a socket over it is disconnected).
// Threading: the main thread waits for SIGTERM/SIGINT while the shards serve.
#include "apps.hpp"
#include "eio/shard_pool.hpp"
#include "net/http_server.hpp"
#include "util/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace sg;
  std::string host = "127.0.0.1";
  unsigned port = 3000;
  unsigned recovery_ms = 0;
  double events_per_second = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (std::strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
    else if (std::strcmp(argv[i], "--recovery-max-disconnection") == 0 && i + 1 < argc)
      recovery_ms = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (std::strcmp(argv[i], "--max-client-events-per-second") == 0 && i + 1 < argc)
      events_per_second = std::stod(argv[++i]);
    else if (std::strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
      log::Level level;
      if (log::parse_level(argv[++i], level)) log::set_level(level);
    } else {
      std::cerr << "usage: conformance-server [--port 3000] [--host 127.0.0.1] [--log-level info]"
                   " [--recovery-max-disconnection MS] [--max-client-events-per-second N]\n";
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);

  eio::EngineOptions engine_options;
  engine_options.ping_interval = std::chrono::milliseconds(300);
  engine_options.ping_timeout = std::chrono::milliseconds(200);
  engine_options.max_payload = 1'000'000;

  eio::ShardPool shards(2);
  sio::GatewayOptions gateway_options;
  gateway_options.engine = engine_options;
  gateway_options.connect_timeout = std::chrono::milliseconds(1000);
  gateway_options.namespaces = {"/", "/custom"};
  gateway_options.recovery_max_disconnection = std::chrono::milliseconds(recovery_ms);
  gateway_options.max_client_events_per_second = events_per_second;
  sio::Gateway gateway(shards, gateway_options);
  conformance::install_socketio_handlers(gateway);

  conformance::EchoListener echo;
  std::vector<std::unique_ptr<eio::Engine>> echo_engines;
  for (std::size_t i = 0; i < shards.size(); ++i)
    echo_engines.push_back(std::make_unique<eio::Engine>(shards.context(i), engine_options, echo, i, shards.size()));

  net::HttpServerOptions http;
  http.host = host;
  http.port = static_cast<std::uint16_t>(port);
  http.cors.any_origin = true;
  http.mounts.push_back({"/engine.io/", [&](std::size_t shard) -> eio::Engine& { return *echo_engines[shard]; }, 1'000'000});
  http.mounts.push_back({"/socket.io/", [&](std::size_t shard) -> eio::Engine& { return gateway.engine(shard); }, 1'000'000});
  http.handler = [](const net::Request& request, const std::string&, net::Responder respond) {
    if (request.target() != "/healthz") return false;
    respond(net::Reply{200, "application/json", "{\"status\":\"ok\"}", {}});
    return true;
  };
  net::HttpServer server(shards, std::move(http));
  try {
    server.start();
  } catch (const std::exception& error) {
    log::error("cannot listen", {{"port", port}, {"error", error.what()}});
    return 1;
  }
  shards.start();
  log::info("listening", {{"host", host}, {"port", server.port()}});

  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGTERM, SIGINT);
  signals.async_wait([](const boost::system::error_code&, int) {});
  control.run();
  shards.stop();
  shards.join();
  return 0;
}
