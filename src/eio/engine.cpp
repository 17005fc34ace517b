// Engine.IO request validation, handshakes and the session table (see engine.hpp).
// Threading: the owning shard's thread only.
#include "eio/engine.hpp"

#include "eio/admission.hpp"

#include "util/log.hpp"
#include "util/random_id.hpp"
#include "util/url.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sg::eio {

namespace {

struct ParsedQuery {
  std::optional<std::string_view> eio;
  std::optional<std::string_view> transport;
  std::optional<std::string_view> sid;
};

ParsedQuery parse(std::string_view query) {
  return {query_param(query, "EIO"), query_param(query, "transport"), query_param(query, "sid")};
}

bool known_transport(const std::optional<std::string_view>& transport) {
  return transport && (*transport == "polling" || *transport == "websocket");
}

}  // namespace

HttpReply error_reply(EngineError error) {
  static constexpr std::string_view messages[] = {"Transport unknown", "Session ID unknown", "Bad handshake method",
                                                  "Bad request",       "Forbidden",          "Unsupported protocol version"};
  const int code = static_cast<int>(error);
  HttpReply reply;
  reply.status = error == EngineError::forbidden ? 403 : 400;
  reply.content_type = "application/json";
  reply.body = "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(messages[code]) + "\"}";
  return reply;
}

namespace {
// A handshake the limits refuse: 503 when the server is full, 429 for one address's limits.
std::optional<HttpReply> admission_refusal(const std::shared_ptr<Admission>& admission, std::string_view address) {
  if (!admission) return std::nullopt;
  const Admission::Refusal refusal = admission->check(address);
  if (refusal == Admission::Refusal::none) return std::nullopt;
  HttpReply reply;
  reply.content_type = "application/json";
  reply.status = refusal == Admission::Refusal::server_full ? 503 : 429;
  reply.body = refusal == Admission::Refusal::server_full     ? R"({"message":"Too many connections"})"
               : refusal == Admission::Refusal::address_full ? R"({"message":"Too many connections from this address"})"
                                                             : R"({"message":"Too many new connections from this address, slow down"})";
  return reply;
}
}  // namespace

Engine::Engine(boost::asio::io_context& context, EngineOptions options, SessionListener& listener,
               std::size_t shard_index, std::size_t shard_count)
    : context_(context), options_(options), listener_(listener), shard_index_(shard_index), shard_count_(shard_count) {}

Engine::~Engine() = default;

std::optional<std::size_t> Engine::shard_for(std::string_view query, std::size_t shard_count) {
  const auto sid = query_param(query, "sid");
  if (!sid) return std::nullopt;
  return shard_of(*sid, shard_count);
}

std::shared_ptr<Session> Engine::find(std::string_view sid) const {
  const auto it = sessions_.find(sid);
  return it == sessions_.end() ? nullptr : it->second;
}

void Engine::forget(const std::string& sid) {
  const auto it = sessions_.find(sid);
  if (it == sessions_.end()) return;
  if (options_.admission) options_.admission->closed(it->second->handshake().remote_address);
  sessions_.erase(it);
  tracked_sessions_.fetch_sub(1, std::memory_order_relaxed);
}

void Engine::count_transport(TransportKind kind, int delta) {
  (kind == TransportKind::polling ? polling_sessions_ : websocket_sessions_).fetch_add(delta, std::memory_order_relaxed);
}

std::string Engine::open_packet(const std::string& sid, bool with_upgrades) const {
  std::string packet = "0{\"sid\":\"" + sid + "\",\"upgrades\":";
  packet += with_upgrades ? "[\"websocket\"]" : "[]";
  packet += ",\"pingInterval\":" + std::to_string(options_.ping_interval.count());
  packet += ",\"pingTimeout\":" + std::to_string(options_.ping_timeout.count());
  packet += ",\"maxPayload\":" + std::to_string(options_.max_payload) + "}";
  return packet;
}

void Engine::handle_polling(std::string_view method, std::string_view query, std::string_view content_type,
                            std::string body, HandshakeInfo handshake, PollResponder respond) {
  const ParsedQuery q = parse(query);
  if (!known_transport(q.transport)) return respond(error_reply(EngineError::unknown_transport));
  if (q.sid) {
    const auto session = find(*q.sid);
    if (!session) return respond(error_reply(EngineError::unknown_sid));
    if (*q.transport != "polling") return respond(error_reply(EngineError::bad_request));
    if (method == "GET") return session->handle_poll_get(std::move(respond));
    if (method == "POST") return session->handle_poll_post(body, content_type, std::move(respond));
    return respond(HttpReply{500, "text/plain; charset=UTF-8", ""});
  }
  if (method != "GET") return respond(error_reply(EngineError::bad_handshake_method));
  if (!q.eio || *q.eio != "4") return respond(error_reply(EngineError::unsupported_protocol_version));
  if (*q.transport != "polling") return respond(error_reply(EngineError::bad_request));
  if (auto refusal = admission_refusal(options_.admission, handshake.remote_address)) return respond(std::move(*refusal));
  if (options_.admission) options_.admission->opened(handshake.remote_address);

  std::string sid = random_id_for_shard(shard_index_, shard_count_);
  auto session = std::make_shared<Session>(*this, sid, TransportKind::polling, std::move(handshake));
  sessions_.emplace(sid, session);
  tracked_sessions_.fetch_add(1, std::memory_order_relaxed);
  count_transport(TransportKind::polling, +1);
  log::debug("session opened", {{"sid", sid}, {"transport", "polling"}});
  respond(HttpReply{200, "text/plain; charset=UTF-8", open_packet(sid, options_.allow_upgrades)});
  session->start_heartbeat();
  listener_.on_open(*session);
}

void Engine::polling_post_started(std::string_view query) {
  if (const auto sid = query_param(query, "sid")) {
    if (auto session = find(*sid)) session->poll_post_started();
  }
}

void Engine::polling_post_abandoned(std::string_view query) {
  if (const auto sid = query_param(query, "sid")) {
    if (auto session = find(*sid)) session->poll_post_abandoned();
  }
}

void Engine::polling_get_abandoned(std::string_view query) {
  if (const auto sid = query_param(query, "sid")) {
    if (auto session = find(*sid)) session->poll_get_abandoned();
  }
}

std::optional<HttpReply> Engine::check_websocket(std::string_view query, std::string_view remote_address) const {
  const ParsedQuery q = parse(query);
  if (!known_transport(q.transport)) return error_reply(EngineError::unknown_transport);
  if (*q.transport != "websocket") return error_reply(EngineError::bad_request);
  if (q.sid) {
    if (!find(*q.sid)) return error_reply(EngineError::unknown_sid);
    return std::nullopt;
  }
  if (!q.eio || *q.eio != "4") return error_reply(EngineError::unsupported_protocol_version);
  return admission_refusal(options_.admission, remote_address);
}

std::shared_ptr<Session> Engine::accept_websocket(std::string_view query, HandshakeInfo handshake,
                                                  std::shared_ptr<WebSocketPeer> peer) {
  const ParsedQuery q = parse(query);
  if (q.sid) {
    auto session = find(*q.sid);
    if (!session || !session->is_open()) {
      peer->close(false);
      return nullptr;
    }
    if (!session->begin_probe(std::move(peer))) return nullptr;
    return session;
  }
  if (options_.admission) options_.admission->opened(handshake.remote_address);
  std::string sid = random_id_for_shard(shard_index_, shard_count_);
  auto session = std::make_shared<Session>(*this, sid, TransportKind::websocket, std::move(handshake));
  sessions_.emplace(sid, session);
  tracked_sessions_.fetch_add(1, std::memory_order_relaxed);
  count_transport(TransportKind::websocket, +1);
  log::debug("session opened", {{"sid", sid}, {"transport", "websocket"}});
  peer->send(EncodedPacket::text(open_packet(sid, false)));
  session->attach_websocket(std::move(peer));
  session->start_heartbeat();
  listener_.on_open(*session);
  return session;
}

void Engine::close_all(CloseReason reason) {
  std::vector<std::shared_ptr<Session>> all;
  all.reserve(sessions_.size());
  for (auto& [sid, session] : sessions_) all.push_back(session);
  for (auto& session : all) session->close(reason);
}

}  // namespace sg::eio
