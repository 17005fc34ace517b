// The native host's life and its forwarded exchanges as notices (see native_host.hpp).
// Threading: life on the Python loop thread; the listener methods on shard threads.
#include "native_host.hpp"

#include "util/log.hpp"

#include <stdexcept>

namespace sg::py {

namespace {

net::HttpServerOptions server_options(const HostConfig& config, GatewayCore* core) {
  net::HttpServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.cors.any_origin = config.cors_any_origin;
  options.cors.origins = config.cors_origins;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  if (core && !config.socketio_path.empty()) {
    options.mounts.push_back({config.socketio_path,
                              [core](std::size_t shard) -> eio::Engine& { return core->gateway().engine(shard); },
                              core->gateway().options().engine.max_payload});
  }
  return options;
}

}  // namespace

NativeHost::NativeHost(const HostConfig& config, GatewayCore* core)
    : core_(core), own_shards_(core ? nullptr : std::make_unique<eio::ShardPool>(std::max<std::size_t>(1, config.threads))) {
  auto options = server_options(config, core);
  options.forwarder = this;
  server_ = std::make_unique<net::HttpServer>(core ? core->shards() : *own_shards_, std::move(options));
}

NativeHost::~NativeHost() { stop(); }

void NativeHost::start() {
  if (state_ != State::created) throw std::logic_error("the host was started before");
  if (core_ && !core_->running()) throw std::logic_error("the gateway must be running before its host starts");
  server_->start();  // throws when the address cannot be bound
  state_ = State::running;
  if (own_shards_) own_shards_->start();
}

void NativeHost::stop_accepting() {
  if (state_ == State::running) server_->stop_accepting();
}

void NativeHost::stop() {
  if (state_ == State::stopped) return;
  const bool was_running = state_ == State::running;
  state_ = State::stopped;
  if (!was_running) return;
  server_->stop_accepting();
  if (own_shards_) {
    own_shards_->stop();
    own_shards_->join();
  } else {
    core_->stop();  // the connections live on the core's shards: they stop with the host
  }
}

// ---- forwarded exchanges (shard threads) --------------------------------------------------

void NativeHost::on_request(std::shared_ptr<net::Exchange> exchange, net::ForwardedRequest request) {
  open_exchanges_.fetch_add(1);
  notices_.push(HostRequestNotice{std::move(exchange), std::move(request)});
}

void NativeHost::on_body(std::uint64_t exchange_id, std::string chunk, bool more_body) {
  notices_.push(HostBodyNotice{exchange_id, std::move(chunk), more_body});
}

void NativeHost::on_disconnect(std::uint64_t exchange_id) {
  notices_.push(HostSignalNotice{kHostDisconnect, exchange_id});
}

void NativeHost::on_drained(std::uint64_t exchange_id) { notices_.push(HostSignalNotice{kHostDrained, exchange_id}); }

void NativeHost::on_websocket_message(std::uint64_t exchange_id, std::string data, bool binary) {
  notices_.push(HostMessageNotice{exchange_id, std::move(data), binary});
}

void NativeHost::on_websocket_closed(std::uint64_t exchange_id, std::uint16_t code) {
  notices_.push(HostClosedNotice{exchange_id, code});
}

void NativeHost::on_finished(std::uint64_t) { open_exchanges_.fetch_sub(1); }

}  // namespace sg::py
