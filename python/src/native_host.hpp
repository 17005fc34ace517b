// NativeHost: the standalone server's network layer (src/net's HttpServer) inside the Python
// process, for `python -m socket_gateway serve`. It owns the port. With a GatewayCore it
// runs on the core's shards and serves the core's Engine.IO engine at the Socket.IO path, as
// `socket-gateway` does; every other request is forwarded: it is this host's
// ExchangeListener, and turns each exchange's events into HostNotices for the Python loop,
// which runs the ASGI app (socket_gateway/_server.py). Without a core it has shards of its
// own and forwards everything.
//
// Threading: construct, start, stop_accepting, stop and take_notices on the Python loop
// thread; the ExchangeListener methods run on shard threads and only queue notices.
#pragma once

#include "gateway_core.hpp"
#include "host_config.hpp"
#include "host_notices.hpp"

#include "eio/shard_pool.hpp"
#include "net/forwarding.hpp"
#include "net/http_server.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace sg::py {

class NativeHost : public net::ExchangeListener {
 public:
  // `core` (may be null) must outlive the host; the binding keeps it alive.
  NativeHost(const HostConfig& config, GatewayCore* core);
  ~NativeHost() override;
  NativeHost(const NativeHost&) = delete;
  NativeHost& operator=(const NativeHost&) = delete;

  int wakeup_fd() const { return notices_.wakeup_fd(); }
  std::vector<HostNotice> take_notices() { return notices_.take_all(); }

  // Binds and starts serving (and the host's own shards); throws boost::system::system_error
  // when the address cannot be bound, std::logic_error when started twice or the core is not
  // running.
  void start();
  std::uint16_t port() const { return server_->port(); }
  void stop_accepting();
  // Forwarded exchanges not yet over on the wire.
  std::int64_t open_exchanges() const { return open_exchanges_.load(); }
  // Stops serving: the listener closes and the shards stop — the host's own, or the core's
  // (the core is stopped with them, so no connection outlives the host). Idempotent.
  void stop();

  // net::ExchangeListener (shard threads)
  void on_request(std::shared_ptr<net::Exchange> exchange, net::ForwardedRequest request) override;
  void on_body(std::uint64_t exchange_id, std::string chunk, bool more_body) override;
  void on_disconnect(std::uint64_t exchange_id) override;
  void on_drained(std::uint64_t exchange_id) override;
  void on_websocket_message(std::uint64_t exchange_id, std::string data, bool binary) override;
  void on_websocket_closed(std::uint64_t exchange_id, std::uint16_t code) override;
  void on_finished(std::uint64_t exchange_id) override;

 private:
  enum class State { created, running, stopped };

  GatewayCore* core_;
  std::unique_ptr<eio::ShardPool> own_shards_;
  HostNoticeQueue notices_;
  std::atomic<std::int64_t> open_exchanges_{0};
  std::unique_ptr<net::HttpServer> server_;
  State state_ = State::created;
};

}  // namespace sg::py
