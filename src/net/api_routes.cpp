// The HTTP API's routes: emits, rooms by sid, disconnect, lookups (docs/http-api.md), and
// the Prometheus text of /metrics.
// Threading: called on a connection's shard; Gateway callbacks complete on other shards and
// reply through the (thread-safe) Responder.
#include "net/api_router.hpp"

#include "eio/admission.hpp"

#include "util/url.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>

namespace sg::net {

namespace http = boost::beast::http;

namespace {

constexpr std::array<std::string_view, 6> kReservedEvents = {"connect",       "connect_error", "disconnect",
                                                             "disconnecting", "newListener",   "removeListener"};

std::optional<std::vector<std::string>> decoded_segments(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto piece = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!piece.empty()) {
      auto decoded = percent_decode(piece);
      if (!decoded) return std::nullopt;
      segments.push_back(std::move(*decoded));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

Reply json_reply(unsigned status, const boost::json::object& body) {
  return Reply{status, "application/json", boost::json::serialize(body), {}};
}

}  // namespace

void ApiRouter::handle_api(const Request& request, std::string_view path, std::string_view query, Responder respond) {
  const auto segments = decoded_segments(path);
  if (!segments) return respond(json_error(400, "malformed percent-encoding in the path"));
  const auto& s = *segments;
  const auto method = request.method();
  auto allow = [&](http::verb wanted) {
    if (method == wanted) return true;
    respond(json_error(405, "method not allowed"));
    return false;
  };
  // s[0] == "api", s[1] == "v1"
  if (s.size() < 3 || s[1] != "v1") return respond(json_error(404, "not found"));

  if (s.size() == 3 && s[2] == "events") {
    if (allow(http::verb::post)) handle_emit(request, "broadcast", {}, query, std::move(respond));
    return;
  }
  if (s.size() == 5 && s[2] == "users" && s[4] == "events") {
    if (allow(http::verb::post)) handle_emit(request, "user", s[3], query, std::move(respond));
    return;
  }
  if (s.size() == 5 && s[2] == "rooms" && s[4] == "events") {
    if (allow(http::verb::post)) handle_emit(request, "room", s[3], query, std::move(respond));
    return;
  }
  if (s.size() == 5 && s[2] == "users" && s[4] == "sockets") {
    if (!allow(http::verb::get)) return;
    gateway_.sids_of_user(s[3], [respond, user = s[3]](std::vector<std::string> sids) {
      boost::json::array list;
      for (auto& sid : sids) list.emplace_back(sid);
      respond(json_reply(200, {{"user_id", user}, {"sids", std::move(list)}}));
    });
    return;
  }
  if (s.size() == 6 && s[2] == "sockets" && s[4] == "rooms") {
    const std::string& sid = s[3];
    const std::string& room = s[5];
    auto done = [respond, sid, room, joined = method == http::verb::put](bool found) {
      if (!found) return respond(json_error(404, "unknown sid"));
      respond(json_reply(200, {{"sid", sid}, {"room", room}, {"joined", joined}}));
    };
    if (method == http::verb::put) {
      return gateway_.on_sid({sio::SidRequest::Kind::join, sid, room}, [done, respond](sio::SidReply reply) {
        if (reply.refused) return respond(json_error(409, "the socket is in as many rooms as it may be (--max-rooms-per-socket)"));
        done(reply.found);
      });
    }
    if (method == http::verb::delete_) return gateway_.leave_room(sid, room, std::move(done));
    return respond(json_error(405, "method not allowed"));
  }
  if (s.size() == 5 && s[2] == "sockets" && s[4] == "rooms") {
    if (!allow(http::verb::get)) return;
    gateway_.rooms_of(s[3], [respond, sid = s[3]](std::optional<std::vector<std::string>> rooms) {
      if (!rooms) return respond(json_error(404, "unknown sid"));
      boost::json::array list;
      for (auto& room : *rooms) list.emplace_back(room);
      respond(json_reply(200, {{"sid", sid}, {"rooms", std::move(list)}}));
    });
    return;
  }
  if (s.size() == 4 && s[2] == "sockets") {
    if (!allow(http::verb::delete_)) return;
    gateway_.disconnect(s[3], [respond, sid = s[3]](bool found) {
      if (!found) return respond(json_error(404, "unknown sid"));
      respond(json_reply(200, {{"sid", sid}, {"disconnected", true}}));
    });
    return;
  }
  respond(json_error(404, "not found"));
}

void ApiRouter::handle_emit(const Request& request, std::string_view kind, std::string target,
                            std::string_view query, Responder respond) {
  if (request.body().size() > options_.max_body_bytes) return respond(json_error(413, "payload too large"));
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(request.body(), ec);
  if (ec) return respond(json_error(400, "body is not valid JSON"));
  if (!body.is_object()) return respond(json_error(400, "body must be a JSON object"));
  const auto& object = body.get_object();
  const auto* event = object.if_contains("event");
  if (!event) return respond(json_error(400, "missing \"event\""));
  if (!event->is_string() || event->get_string().empty()) return respond(json_error(400, "\"event\" must be a non-empty string"));
  const std::string_view event_name = event->get_string();
  for (auto reserved : kReservedEvents) {
    if (event_name == reserved) return respond(json_error(400, "\"event\" is a reserved name"));
  }
  std::string nsp = "/";
  if (const auto* value = object.if_contains("namespace")) {
    if (!value->is_string()) return respond(json_error(400, "\"namespace\" must be a string"));
    nsp = std::string(value->get_string());
  } else if (const auto param = query_param(query, "namespace")) {
    auto decoded = percent_decode(*param, true);
    if (!decoded) return respond(json_error(400, "malformed namespace parameter"));
    nsp = std::move(*decoded);
  }
  if (!gateway_.serves_namespace(nsp)) return respond(json_error(404, "unknown namespace"));
  static const boost::json::value no_data;
  const auto* data = object.if_contains("data");
  const boost::json::value& payload = data ? *data : no_data;
  if (kind == "user") gateway_.emit_to_user(target, event_name, payload, nsp);
  else if (kind == "room") gateway_.emit_to_room(target, event_name, payload, nsp);
  else gateway_.broadcast(event_name, payload, nsp);
  respond(Reply{202, "application/json", "{\"status\":\"queued\"}", {}});
}

std::string ApiRouter::render_metrics() const {
  const auto& m = gateway_.metrics();
  std::string text;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help) {
    text += "# HELP ";
    text += name;
    text += ' ';
    text += help;
    text += "\n# TYPE ";
    text += name;
    text += ' ';
    text += type;
    text += '\n';
  };
  auto sample = [&](std::string_view name, std::string_view labels, auto value) {
    text += name;
    text += labels;
    text += ' ';
    text += std::to_string(value);
    text += '\n';
  };
  auto relaxed = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };

  metric("socket_gateway_connections", "gauge", "Open Engine.IO sessions by transport.");
  sample("socket_gateway_connections", "{transport=\"polling\"}", gateway_.session_count(eio::TransportKind::polling));
  sample("socket_gateway_connections", "{transport=\"websocket\"}", gateway_.session_count(eio::TransportKind::websocket));
  metric("socket_gateway_sockets", "gauge", "Connected Socket.IO sockets, all namespaces.");
  sample("socket_gateway_sockets", "", relaxed(m.sockets));
  metric("socket_gateway_connects_total", "counter", "Successful Socket.IO connects.");
  sample("socket_gateway_connects_total", "", relaxed(m.connects));
  metric("socket_gateway_auth_failures_total", "counter", "Connects refused as Unauthorized.");
  sample("socket_gateway_auth_failures_total", "", relaxed(m.auth_failures));
  metric("socket_gateway_events_emitted_total", "counter", "Emits issued through the API.");
  sample("socket_gateway_events_emitted_total", "", relaxed(m.events_emitted));
  metric("socket_gateway_deliveries_total", "counter", "Packets queued to connections by emits.");
  sample("socket_gateway_deliveries_total", "", relaxed(m.deliveries));
  metric("socket_gateway_slow_disconnects_total", "counter", "Connections closed at their outbound queue limit.");
  sample("socket_gateway_slow_disconnects_total", "", relaxed(m.slow_disconnects));
  metric("socket_gateway_dropped_packets_total", "counter", "Packets not queued because their connection was closing.");
  sample("socket_gateway_dropped_packets_total", "", relaxed(m.dropped_packets));

  {  // abuse limits: zero while they are off
    metric("socket_gateway_refused_connections_total", "counter", "New sessions refused by a limit, by limit.");
    const auto& admission = gateway_.options().engine.admission;
    auto refused = [&](eio::Admission::Refusal reason) { return admission ? admission->refused(reason) : 0; };
    sample("socket_gateway_refused_connections_total", "{limit=\"max_connections\"}", refused(eio::Admission::Refusal::server_full));
    sample("socket_gateway_refused_connections_total", "{limit=\"max_connections_per_ip\"}", refused(eio::Admission::Refusal::address_full));
    sample("socket_gateway_refused_connections_total", "{limit=\"handshake_rate_per_ip\"}", refused(eio::Admission::Refusal::handshake_rate));
    sample("socket_gateway_refused_connections_total", "{limit=\"max_sockets_per_user\"}", relaxed(m.user_limit_refusals));
    metric("socket_gateway_room_limit_refusals_total", "counter", "Joins refused at --max-rooms-per-socket.");
    sample("socket_gateway_room_limit_refusals_total", "", relaxed(m.room_limit_refusals));
    metric("socket_gateway_event_rate_disconnects_total", "counter", "Sockets disconnected for sending events too fast.");
    sample("socket_gateway_event_rate_disconnects_total", "", relaxed(m.event_rate_disconnects));
  }

  {  // connection-state recovery: zero while it is off
    metric("socket_gateway_recoveries_total", "counter", "Sockets restored with their sid, rooms and missed packets.");
    sample("socket_gateway_recoveries_total", "", relaxed(m.recoveries));
    metric("socket_gateway_recovery_misses_total", "counter", "Recovery attempts answered with a fresh session.");
    sample("socket_gateway_recovery_misses_total", "", relaxed(m.recovery_misses));
    metric("socket_gateway_recovery_replayed_total", "counter", "Packets replayed to recovered sockets.");
    sample("socket_gateway_recovery_replayed_total", "", relaxed(m.recovery_replayed));
    metric("socket_gateway_recovery_dropped_total", "counter", "Logged packets dropped at --recovery-max-bytes.");
    sample("socket_gateway_recovery_dropped_total", "", relaxed(m.recovery_packets_dropped));
    metric("socket_gateway_recovery_log_packets", "gauge", "Packets kept for replay.");
    sample("socket_gateway_recovery_log_packets", "", relaxed(m.recovery_log_packets));
    metric("socket_gateway_recovery_log_bytes", "gauge", "Bytes of the packets kept for replay.");
    sample("socket_gateway_recovery_log_bytes", "", relaxed(m.recovery_log_bytes));
    metric("socket_gateway_recovery_sessions", "gauge", "Disconnected sessions kept for recovery.");
    sample("socket_gateway_recovery_sessions", "", relaxed(m.recovery_sessions_kept));
  }

  if (const sio::ClusterLink* cluster = gateway_.cluster()) {
    const sio::ClusterStatus s = cluster->status();
    metric("socket_gateway_redis_connected", "gauge", "1 while this node is connected to Redis.");
    sample("socket_gateway_redis_connected", "", s.connected ? 1 : 0);
    metric("socket_gateway_redis_reconnects_total", "counter", "Reconnections to Redis after a loss.");
    sample("socket_gateway_redis_reconnects_total", "", s.reconnects);
    metric("socket_gateway_cluster_room_subscriptions", "gauge", "Room channels this node is subscribed to.");
    sample("socket_gateway_cluster_room_subscriptions", "", s.room_subscriptions);
    metric("socket_gateway_cluster_messages_received_total", "counter", "Messages Redis delivered to this node, by channel kind.");
    sample("socket_gateway_cluster_messages_received_total", "{channel=\"broadcast\"}", s.received_broadcast);
    sample("socket_gateway_cluster_messages_received_total", "{channel=\"room\"}", s.received_room);
    sample("socket_gateway_cluster_messages_received_total", "{channel=\"request\"}", s.received_request);
    sample("socket_gateway_cluster_messages_received_total", "{channel=\"node\"}", s.received_node);
    metric("socket_gateway_cluster_messages_published_total", "counter", "Messages this node published to Redis.");
    sample("socket_gateway_cluster_messages_published_total", "", s.published);
    metric("socket_gateway_cluster_publishes_dropped_total", "counter", "Messages not published because Redis was unreachable.");
    sample("socket_gateway_cluster_publishes_dropped_total", "", s.publishes_dropped);
  }

  const auto& c = *status_counters_;
  metric("socket_gateway_http_api_requests_total", "counter", "HTTP API requests by status code.");
  for (std::size_t status = 100; status < c.by_status.size(); ++status) {
    const auto count = relaxed(c.by_status[status]);
    const bool documented = status == 200 || status == 202 || status == 400 || status == 401 || status == 403 ||
                            status == 404 || status == 405 || status == 413;
    if (count || documented) sample("socket_gateway_http_api_requests_total", "{code=\"" + std::to_string(status) + "\"}", count);
  }
  return text;
}

}  // namespace sg::net
