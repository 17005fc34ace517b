// The standalone server's life: shards, Gateway, HTTP API, listener; then the drain on
// SIGTERM/SIGINT — health turns 503, the listener closes, every socket receives DISCONNECT,
// transports close, and the process exits 0 (see serve.hpp).
// Threading: the main thread owns the signal loop; all serving happens on shard threads.
#include "serve.hpp"

#include "eio/shard_pool.hpp"
#include "net/api_router.hpp"
#include "net/http_server.hpp"
#include "sio/gateway.hpp"
#include "util/log.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>

namespace sg::server {

namespace {
// Time the drain leaves for DISCONNECT packets and close frames to reach the clients.
constexpr auto kDrainGrace = std::chrono::milliseconds(1500);
}  // namespace

int serve(const ServerConfig& config) {
  log::Level level = log::Level::info;
  log::parse_level(config.log_level, level);
  log::set_level(level);
  std::signal(SIGPIPE, SIG_IGN);

  eio::ShardPool shards(config.threads);
  sio::Gateway gateway(shards, config.gateway);
  net::ApiRouter api(gateway, config.api);

  net::HttpServerOptions http;
  http.host = config.host;
  http.port = config.port;
  http.cors = config.cors;
  http.max_body_bytes = config.api.max_body_bytes;
  http.mounts.push_back({"/socket.io/", [&gateway](std::size_t shard) -> eio::Engine& { return gateway.engine(shard); },
                         config.gateway.engine.max_payload});
  http.handler = [&api](const net::Request& request, const std::string& remote, net::Responder respond) {
    return api.handle(request, remote, std::move(respond));
  };
  net::HttpServer server(shards, std::move(http));
  try {
    server.start();
  } catch (const std::exception& error) {
    log::error("cannot listen", {{"host", config.host}, {"port", config.port}, {"error", error.what()}});
    return 1;
  }
  shards.start();
  log::info("listening", {{"host", config.host}, {"port", server.port()}, {"threads", shards.size()}});

  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGTERM, SIGINT);
  boost::asio::steady_timer grace(control);
  auto keep_running = boost::asio::make_work_guard(control);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::info("draining", {{"signal", signal_number}});
    api.set_draining();
    server.stop_accepting();
    gateway.shutdown([&control, &grace, &keep_running] {
      boost::asio::post(control, [&grace, &keep_running] {
        grace.expires_after(kDrainGrace);
        grace.async_wait([&keep_running](const boost::system::error_code&) { keep_running.reset(); });
      });
    });
  });
  // The loop ends once the signal has fired and the grace timer has expired.
  control.run();
  shards.stop();
  shards.join();
  log::info("stopped");
  return 0;
}

}  // namespace sg::server
