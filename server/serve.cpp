// The standalone server's life: shards, Gateway, HTTP API, listener; then the drain on
// SIGTERM/SIGINT — health turns 503, the listener closes, every socket receives DISCONNECT,
// transports close, and the process exits 0 (see serve.hpp).
// Threading: the main thread owns the signal loop; all serving happens on shard threads.
#include "serve.hpp"

#include "bench_contract.hpp"
#include "cluster/redis_cluster.hpp"
#include "eio/shard_pool.hpp"
#include "memory_trimmer.hpp"
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
// The drain ends when every session is gone and every WebSocket closed, or after this long.
constexpr auto kDrainLimit = std::chrono::milliseconds(3000);
constexpr auto kDrainPoll = std::chrono::milliseconds(10);
using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

// Polls until the clients are gone (or the limit passes), then lets the control loop end.
void wait_for_drain(boost::asio::steady_timer& timer, std::chrono::steady_clock::time_point deadline,
                    const sio::Gateway& gateway, WorkGuard& keep_running) {
  const bool drained = gateway.tracked_sessions() == 0 && net::HttpServer::open_websockets() == 0;
  if (drained || std::chrono::steady_clock::now() >= deadline) {
    keep_running.reset();
    return;
  }
  timer.expires_after(kDrainPoll);
  timer.async_wait([&timer, deadline, &gateway, &keep_running](const boost::system::error_code&) {
    wait_for_drain(timer, deadline, gateway, keep_running);
  });
}

}  // namespace

int serve(const ServerConfig& config) {
  log::Level level = log::Level::info;
  log::parse_level(config.log_level, level);
  log::set_level(level);
  std::signal(SIGPIPE, SIG_IGN);

  eio::ShardPool shards(config.threads);
  sio::Gateway gateway(shards, config.gateway);
  if (config.bench_contract) install_bench_contract(gateway);
  std::unique_ptr<cluster::RedisCluster> cluster;
  if (config.cluster) {
    try {
      cluster = std::make_unique<cluster::RedisCluster>(*config.cluster, gateway);
    } catch (const std::exception& error) {
      log::error("bad cluster settings", {{"error", error.what()}});
      return 2;
    }
    gateway.attach_cluster(cluster.get());
    cluster->start();
  }
  net::ApiRouter api(gateway, config.api);

  net::HttpServerOptions http;
  http.host = config.host;
  http.port = config.port;
  http.cors = config.cors;
  http.max_body_bytes = config.api.max_body_bytes;
  http.request_timeout = config.http_request_timeout;
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
  MemoryTrimmer trimmer(control, gateway);
  trimmer.start();
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::info("draining", {{"signal", signal_number}});
    trimmer.stop();
    api.set_draining();
    server.stop_accepting();
    const auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
    gateway.shutdown([&control, &grace, &gateway, &keep_running, deadline] {
      boost::asio::post(control, [&grace, &gateway, &keep_running, deadline] {
        wait_for_drain(grace, deadline, gateway, keep_running);
      });
    });
  });
  // The loop ends once the signal has fired and the drain is over.
  control.run();
  shards.stop();
  shards.join();
  if (cluster) cluster->stop();
  log::info("stopped");
  return 0;
}

}  // namespace sg::server
