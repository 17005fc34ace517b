// GatewayCore: life of the shard threads, and the transports — long-polling requests and
// WebSockets handed over by the ASGI side (see gateway_core.hpp). Emits, acks, rooms and
// lookups are in gateway_core_api.cpp.
// Threading: as gateway_core.hpp says; work on sessions is posted to their shard.
#include "gateway_core.hpp"

#include "sio/socket.hpp"
#include "util/log.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace sg::py {

namespace {
constexpr auto kStoppedStatus = 503u;

eio::HttpReply stopped_reply() { return eio::HttpReply{kStoppedStatus, "text/plain; charset=UTF-8", "gateway stopped"}; }

log::Level parsed_level(const std::string& text) {
  log::Level level = log::Level::info;
  log::parse_level(text, level);  // already validated by gateway_options()
  return level;
}
}  // namespace

GatewayCore::GatewayCore(const CoreConfig& config)
    : notices_(std::make_shared<NoticeQueue>()),
      pool_(config.threads),
      gateway_(pool_, gateway_options(config)),
      acks_(pool_.size()) {
  log::set_level(parsed_level(config.log_level));
  if (auto options = cluster_options(config)) {
    cluster_ = std::make_unique<cluster::RedisCluster>(std::move(*options), gateway_);
    gateway_.attach_cluster(cluster_.get());
  }
}

GatewayCore::~GatewayCore() { stop(); }

// ---- watches ----------------------------------------------------------------------------

void GatewayCore::watch_connect(const std::string& nsp) {
  if (state_.load() != State::created) throw std::logic_error("handlers must be registered before the gateway starts");
  gateway_.on_connect(nsp, [this](sio::Socket& socket, const boost::json::object&) {
    notices_->push(ConnectNotice{socket.nsp(), socket.id(), socket.user_id(), boost::json::serialize(socket.claims())});
  });
}

void GatewayCore::watch_event(const std::string& nsp, const std::string& event) {
  if (state_.load() != State::created) throw std::logic_error("handlers must be registered before the gateway starts");
  gateway_.on_event(nsp, event, [this, event](sio::Socket& socket, sio::Arguments& arguments, sio::Ack& ack) {
    notices_->push(EventNotice{socket.nsp(), socket.id(), event, boost::json::serialize(arguments.values),
                               std::move(arguments.attachments), keep_ack(socket.id(), ack)});
  });
}

void GatewayCore::watch_disconnect(const std::string& nsp) {
  if (state_.load() != State::created) throw std::logic_error("handlers must be registered before the gateway starts");
  gateway_.on_disconnect(nsp, [this](sio::Socket& socket, std::string_view reason) {
    notices_->push(DisconnectNotice{socket.nsp(), socket.id(), socket.user_id(), std::string(reason)});
  });
}

// ---- life -------------------------------------------------------------------------------

void GatewayCore::start() {
  State expected = State::created;
  if (!state_.compare_exchange_strong(expected, State::running))
    throw std::logic_error(expected == State::running ? "the gateway is already running"
                                                      : "a stopped gateway cannot start again");
  pool_.start();
  if (cluster_) cluster_->start();
  log::info("gateway started", {{"threads", pool_.size()}});
}

void GatewayCore::shutdown(std::uint64_t token) {
  if (!running()) {
    notices_->push(DoneNotice{token, true, std::nullopt});
    return;
  }
  gateway_.shutdown([notices = notices_, token] { notices->push(DoneNotice{token, true, std::nullopt}); });
}

void GatewayCore::stop() {
  if (state_.exchange(State::stopped) != State::running) return;
  pool_.stop();
  pool_.join();
  if (cluster_) cluster_->stop();
  log::info("gateway stopped");
}

std::size_t GatewayCore::shard_for_request(std::string_view query) {
  if (const auto home = eio::Engine::shard_for(query, pool_.size())) return *home;
  return next_handshake_shard_.fetch_add(1, std::memory_order_relaxed) % pool_.size();
}

// ---- long-polling -----------------------------------------------------------------------

void GatewayCore::handle_polling(std::uint64_t token, std::string method, std::string query, std::string content_type,
                                 std::string body, std::string authorization, std::string remote_address) {
  if (!running()) return notices_->push(PollReplyNotice{token, stopped_reply()});
  const std::size_t shard = shard_for_request(query);
  pool_.post(shard, [this, shard, token, method = std::move(method), query = std::move(query),
                     content_type = std::move(content_type), body = std::move(body),
                     authorization = std::move(authorization), remote_address = std::move(remote_address)]() mutable {
    eio::HandshakeInfo handshake{std::move(authorization), std::move(remote_address), query};
    gateway_.engine(shard).handle_polling(method, query, content_type, std::move(body), std::move(handshake),
                                          [notices = notices_, token](eio::HttpReply reply) {
                                            notices->push(PollReplyNotice{token, std::move(reply)});
                                          });
  });
}

void GatewayCore::polling_get_abandoned(std::string query) {
  if (!running()) return;
  const std::size_t shard = shard_for_request(query);
  pool_.post(shard, [this, shard, query = std::move(query)] { gateway_.engine(shard).polling_get_abandoned(query); });
}

void GatewayCore::polling_post_started(std::string query) {
  if (!running()) return;
  const std::size_t shard = shard_for_request(query);
  pool_.post(shard, [this, shard, query = std::move(query)] { gateway_.engine(shard).polling_post_started(query); });
}

void GatewayCore::polling_post_abandoned(std::string query) {
  if (!running()) return;
  const std::size_t shard = shard_for_request(query);
  pool_.post(shard, [this, shard, query = std::move(query)] { gateway_.engine(shard).polling_post_abandoned(query); });
}

// ---- WebSocket --------------------------------------------------------------------------

void GatewayCore::open_websocket(std::uint64_t token, std::string query, std::string authorization,
                                 std::string remote_address) {
  if (!running()) return notices_->push(WebSocketOpenedNotice{token, stopped_reply(), nullptr});
  const std::size_t shard = shard_for_request(query);
  const std::uint64_t peer_id = next_peer_id_.fetch_add(1, std::memory_order_relaxed);
  pool_.post(shard, [this, shard, token, peer_id, query = std::move(query), authorization = std::move(authorization),
                     remote_address = std::move(remote_address)]() mutable {
    eio::Engine& engine = gateway_.engine(shard);
    if (auto refusal = engine.check_websocket(query, remote_address)) {
      notices_->push(WebSocketOpenedNotice{token, std::move(*refusal), nullptr});
      return;
    }
    // The open packet (or the probe's answer) may be queued on the peer before Python
    // learns of it; the Python writer takes the outbox once right after accepting.
    auto peer = std::make_shared<AsgiWebSocketPeer>(peer_id, shard, notices_);
    eio::HandshakeInfo handshake{std::move(authorization), std::move(remote_address), query};
    auto session = engine.accept_websocket(query, std::move(handshake), peer);
    if (session) peer->bind(session);
    notices_->push(WebSocketOpenedNotice{token, std::nullopt, std::move(peer)});
  });
}

void GatewayCore::websocket_message(AsgiWebSocketPeer& peer, std::string data, bool binary) {
  if (!running()) return;
  pool_.post(peer.shard(), [peer = peer.shared_from_this(), data = std::move(data), binary] {
    if (auto session = peer->session()) session->on_websocket_message(peer.get(), data, binary);
  });
}

void GatewayCore::websocket_closed(AsgiWebSocketPeer& peer) {
  peer.abandon();
  if (!running()) return;
  pool_.post(peer.shard(), [peer = peer.shared_from_this()] {
    if (auto session = peer->session()) session->on_websocket_closed(peer.get());
  });
}

}  // namespace sg::py
