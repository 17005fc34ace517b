// The extension module socket_gateway._core: the bindings of GatewayCore (the C++ half of
// the ASGI host), its settings, and the WebSocket peer handle; the native host of the serve
// command is bound in host_bindings.cpp. The pure-Python package
// wraps these in SocketGateway and ASGIApp; nothing here is meant to be used directly.
//
// Every call that posts to the core or waits for it releases the GIL; arguments are copied
// into C++ strings first, while the GIL is still held.
//
// Threading: the Python threads that call in. The shards never call Python: they queue
// notices that take_notices() hands over on the loop thread.
#include "asgi_websocket_peer.hpp"
#include "core_config.hpp"
#include "gateway_core.hpp"
#include "host_bindings.hpp"
#include "notice_conversion.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

namespace nb = nanobind;
using namespace nb::literals;

namespace sg::py {
namespace {

std::string bytes_to_string(nb::handle bytes) {
  const auto view = nb::cast<nb::bytes>(bytes);
  return std::string(view.c_str(), view.size());
}

std::vector<std::string> bytes_list(const nb::sequence& items) {
  std::vector<std::string> copied;
  for (nb::handle item : items) copied.push_back(bytes_to_string(item));
  return copied;
}

void bind_config(nb::module_& module) {
  nb::class_<CoreConfig>(module, "CoreConfig", "Settings of the C++ core, in its own units (ms, bytes).")
      .def(nb::init<>())
      .def_rw("jwt_secret", &CoreConfig::jwt_secret, "HMAC secret for HS256/HS384/HS512 tokens.")
      .def_rw("jwt_public_key", &CoreConfig::jwt_public_key, "PEM public key for RS256/ES256 tokens.")
      .def_rw("jwt_algorithms", &CoreConfig::jwt_algorithms, "Pinned algorithms; empty for the default.")
      .def_rw("jwt_issuer", &CoreConfig::jwt_issuer, "Required iss claim, or None.")
      .def_rw("jwt_audience", &CoreConfig::jwt_audience, "Required aud claim, or None.")
      .def_rw("jwt_user_claim", &CoreConfig::jwt_user_claim, "Claim that holds the user id.")
      .def_rw("jwt_leeway_seconds", &CoreConfig::jwt_leeway_seconds, "Tolerance on exp/nbf, in seconds.")
      .def_rw("ping_interval_ms", &CoreConfig::ping_interval_ms, "Milliseconds between server pings.")
      .def_rw("ping_timeout_ms", &CoreConfig::ping_timeout_ms, "Milliseconds to wait for a pong.")
      .def_rw("connect_timeout_ms", &CoreConfig::connect_timeout_ms,
              "Milliseconds a session may wait for its first CONNECT.")
      .def_rw("max_payload", &CoreConfig::max_payload, "Largest message or POST body, in bytes.")
      .def_rw("max_queue_bytes", &CoreConfig::max_queue_bytes,
              "Outbound bytes queued per connection before it is closed as slow.")
      .def_rw("namespaces", &CoreConfig::namespaces, "Namespaces served; '/' always is.")
      .def_rw("threads", &CoreConfig::threads, "Number of shard threads.")
      .def_rw("log_level", &CoreConfig::log_level, "debug, info, warn or error (JSON lines on stderr).")
      .def_rw("user_room_prefix", &CoreConfig::user_room_prefix, "Prefix of the room every user's sockets join.")
      .def_rw("rooms_claim", &CoreConfig::rooms_claim, "Claim listing rooms a socket joins at connect; empty: none.")
      .def_rw("redis_url", &CoreConfig::redis_url, "redis:// URL of the cluster's Redis, or None (single node).")
      .def_rw("redis_key_prefix", &CoreConfig::redis_key_prefix, "Prefix of the cluster's Redis channels.")
      .def_rw("node_id", &CoreConfig::node_id, "This node's id in the cluster; empty: random.")
      .def_rw("recovery_max_disconnection_ms", &CoreConfig::recovery_max_disconnection_ms,
              "Connection-state recovery window in ms; 0: off.")
      .def_rw("recovery_max_bytes", &CoreConfig::recovery_max_bytes, "Bytes of emits kept for replay.")
      .def_rw("max_connections", &CoreConfig::max_connections, "Sessions at most; -1: 90% of the open-file limit; 0: none.")
      .def_rw("max_connections_per_ip", &CoreConfig::max_connections_per_ip, "Sessions at most per address; 0: none.")
      .def_rw("handshake_rate_per_ip", &CoreConfig::handshake_rate_per_ip, "New sessions per second per address; 0: none.")
      .def_rw("max_sockets_per_user", &CoreConfig::max_sockets_per_user, "Sockets at most per user; 0: none.")
      .def_rw("max_rooms_per_socket", &CoreConfig::max_rooms_per_socket, "Rooms at most per socket; 0: none.")
      .def_rw("max_client_events_per_second", &CoreConfig::max_client_events_per_second,
              "Events per second a socket may send; 0: none.");
}

void bind_peer(nb::module_& module) {
  nb::class_<AsgiWebSocketPeer>(module, "WebSocketPeer",
                                "One WebSocket carried by the ASGI server: the core's outbox for it.")
      .def_prop_ro("id", &AsgiWebSocketPeer::id, "Id named by the outbox-ready notices of this peer.")
      .def(
          "take",
          [](AsgiWebSocketPeer& peer) {
            AsgiWebSocketPeer::Batch batch = peer.take();
            nb::list messages;
            std::size_t bytes = 0;
            for (const auto& packet : batch.packets) {
              messages.append(packet_to_python(*packet));
              bytes += packet->payload().size();
            }
            return nb::make_tuple(messages, batch.close_after, bytes);
          },
          nb::sig("def take(self) -> tuple[list[str | bytes], bool, int]"),
          "Takes the queued messages: (messages, close_after, nbytes).")
      .def("written", &AsgiWebSocketPeer::written, "nbytes"_a,
           "Reports nbytes of taken messages as handed to the ASGI server.");
}

void bind_transport(nb::class_<GatewayCore>& core) {
  core.def(
          "handle_polling",
          [](GatewayCore& self, std::uint64_t token, std::string method, std::string query, std::string content_type,
             nb::bytes body, std::string authorization, std::string remote_address) {
            std::string copied(body.c_str(), body.size());
            nb::gil_scoped_release release;
            self.handle_polling(token, std::move(method), std::move(query), std::move(content_type), std::move(copied),
                                std::move(authorization), std::move(remote_address));
          },
          "token"_a, "method"_a, "query"_a, "content_type"_a, "body"_a, "authorization"_a, "remote_address"_a,
          "Hands a whole long-polling request to its shard; a NOTICE_POLL_REPLY answers it.")
      .def("polling_get_abandoned", &GatewayCore::polling_get_abandoned, "query"_a,
           nb::call_guard<nb::gil_scoped_release>(), "The client holding a GET for this session went away.")
      .def("polling_post_started", &GatewayCore::polling_post_started, "query"_a,
           nb::call_guard<nb::gil_scoped_release>(),
           "A POST's body is being read; handle_polling or polling_post_abandoned follows.")
      .def("polling_post_abandoned", &GatewayCore::polling_post_abandoned, "query"_a,
           nb::call_guard<nb::gil_scoped_release>(), "A POST announced by polling_post_started will not come.")
      .def("open_websocket", &GatewayCore::open_websocket, "token"_a, "query"_a, "authorization"_a, "remote_address"_a,
           nb::call_guard<nb::gil_scoped_release>(),
           "Checks and opens a WebSocket; a NOTICE_WEBSOCKET_OPENED answers it.")
      .def(
          "websocket_message",
          [](GatewayCore& self, AsgiWebSocketPeer& peer, nb::handle data) {
            const bool binary = !nb::isinstance<nb::str>(data);
            std::string copied = binary ? bytes_to_string(data) : nb::cast<std::string>(data);
            nb::gil_scoped_release release;
            self.websocket_message(peer, std::move(copied), binary);
          },
          "peer"_a, "data"_a, nb::sig("def websocket_message(self, peer: WebSocketPeer, data: str | bytes) -> None"),
          "Feeds one received message (str: text, bytes: binary) to the peer's session.")
      .def("websocket_closed", &GatewayCore::websocket_closed, "peer"_a, nb::call_guard<nb::gil_scoped_release>(),
           "The WebSocket is gone (client close or connection loss).");
}

void bind_api(nb::class_<GatewayCore>& core) {
  core.def(
          "emit",
          [](GatewayCore& self, const std::string& nsp, std::vector<std::string> rooms,
             std::vector<std::string> except_rooms, const std::string& event, const std::string& arguments_json,
             const nb::sequence& attachments) {
            auto copied = bytes_list(attachments);
            nb::gil_scoped_release release;
            return self.emit(nsp, std::move(rooms), std::move(except_rooms), event, arguments_json, std::move(copied));
          },
          "nsp"_a, "rooms"_a, "except_rooms"_a, "event"_a, "arguments_json"_a, "attachments"_a,
          nb::sig("def emit(self, nsp: str, rooms: collections.abc.Sequence[str], "
                  "except_rooms: collections.abc.Sequence[str], event: str, arguments_json: str, "
                  "attachments: collections.abc.Sequence[bytes]) -> bool"),
          "Emits to the members of any of rooms (all sockets when empty) minus except_rooms; False when the "
          "namespace is not served. Does not wait for delivery.")
      .def(
          "send_ack",
          [](GatewayCore& self, const std::string& sid, std::uint64_t ack_id, const std::string& arguments_json,
             const nb::sequence& attachments) {
            auto copied = bytes_list(attachments);
            nb::gil_scoped_release release;
            self.send_ack(sid, ack_id, arguments_json, std::move(copied));
          },
          "sid"_a, "ack_id"_a, "arguments_json"_a, "attachments"_a,
          nb::sig("def send_ack(self, sid: str, ack_id: int, arguments_json: str, "
                  "attachments: collections.abc.Sequence[bytes]) -> None"),
          "Answers a client event that asked for an ack.")
      .def("drop_ack", &GatewayCore::drop_ack, "sid"_a, "ack_id"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Forgets an ack that will not be sent (the handler failed).")
      .def("join_room", [](GatewayCore& self, std::uint64_t token, const std::string& sid, const std::string& room) {
            self.act_on_sid(SidAction::join_room, token, sid, room);
          }, "token"_a, "sid"_a, "room"_a, nb::call_guard<nb::gil_scoped_release>(), "Async join; NOTICE_DONE answers.")
      .def("leave_room", [](GatewayCore& self, std::uint64_t token, const std::string& sid, const std::string& room) {
            self.act_on_sid(SidAction::leave_room, token, sid, room);
          }, "token"_a, "sid"_a, "room"_a, nb::call_guard<nb::gil_scoped_release>(), "Async leave; NOTICE_DONE answers.")
      .def("disconnect", [](GatewayCore& self, std::uint64_t token, const std::string& sid) {
            self.act_on_sid(SidAction::disconnect, token, sid, "");
          }, "token"_a, "sid"_a, nb::call_guard<nb::gil_scoped_release>(), "Async disconnect; NOTICE_DONE answers.")
      .def("rooms_of", &GatewayCore::rooms_of, "token"_a, "sid"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Async rooms lookup; NOTICE_DONE answers (names None: unknown sid).")
      .def("sids_of_user", &GatewayCore::sids_of_user, "token"_a, "user_id"_a,
           nb::call_guard<nb::gil_scoped_release>(), "Async sids lookup; NOTICE_DONE answers.")
      .def("join_room_now", &GatewayCore::join_room_now, "sid"_a, "room"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Blocking join: 0 for an unknown sid, 1 joined, 2 refused at max_rooms_per_socket.")
      .def("leave_room_now", [](GatewayCore& self, const std::string& sid, const std::string& room) {
            return self.act_on_sid_now(SidAction::leave_room, sid, room);
          }, "sid"_a, "room"_a, nb::call_guard<nb::gil_scoped_release>(), "Blocking leave; False for an unknown sid.")
      .def("disconnect_now", [](GatewayCore& self, const std::string& sid) {
            return self.act_on_sid_now(SidAction::disconnect, sid, "");
          }, "sid"_a, nb::call_guard<nb::gil_scoped_release>(), "Blocking disconnect; False for an unknown sid.")
      .def("rooms_of_now", &GatewayCore::rooms_of_now, "sid"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Blocking rooms lookup; None for an unknown sid.")
      .def("sids_of_user_now", &GatewayCore::sids_of_user_now, "user_id"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Blocking sids lookup.");
}

void bind_core(nb::module_& module) {
  nb::class_<GatewayCore> core(module, "Core", "The C++ gateway: shard threads, Engine.IO and Socket.IO.");
  core.def(nb::init<const CoreConfig&>(), "config"_a, "Builds the core; its threads start with start().")
      .def_prop_ro("wakeup_fd", &GatewayCore::wakeup_fd, "An eventfd that is readable while notices wait.")
      .def_prop_ro("shard_count", &GatewayCore::shard_count, "Number of shard threads.")
      .def_prop_ro("running", &GatewayCore::running, "True between start() and stop().")
      .def("serves_namespace", &GatewayCore::serves_namespace, "nsp"_a, "True when the namespace is served.")
      .def("take_notices", [](GatewayCore& self) { return notices_to_python(self.take_notices()); },
           nb::sig("def take_notices(self) -> list[tuple[typing.Any, ...]]"),
           "Takes every waiting notice, as tuples (see the NOTICE_* kinds).")
      .def("watch_connect", &GatewayCore::watch_connect, "nsp"_a, "Report connects on nsp as notices.")
      .def("watch_event", &GatewayCore::watch_event, "nsp"_a, "event"_a, "Report this client event as notices.")
      .def("watch_disconnect", &GatewayCore::watch_disconnect, "nsp"_a, "Report disconnects on nsp as notices.")
      .def("start", &GatewayCore::start, nb::call_guard<nb::gil_scoped_release>(), "Starts the shard threads.")
      .def("shutdown", &GatewayCore::shutdown, "token"_a, nb::call_guard<nb::gil_scoped_release>(),
           "Disconnects every socket and closes every session; NOTICE_DONE follows.")
      .def("tracked_sessions", &GatewayCore::tracked_sessions, "Sessions not yet gone (open or closing).")
      .def("cluster_status", [](const GatewayCore& self) -> nb::object {
            const auto status = self.cluster_status();
            if (!status) return nb::none();
            nb::dict fields;
            fields["redis_connected"] = status->connected;
            fields["redis_reconnects"] = status->reconnects;
            fields["room_subscriptions"] = status->room_subscriptions;
            fields["received_broadcast"] = status->received_broadcast;
            fields["received_room"] = status->received_room;
            fields["received_request"] = status->received_request;
            fields["received_node"] = status->received_node;
            fields["published"] = status->published;
            fields["publishes_dropped"] = status->publishes_dropped;
            return fields;
          }, nb::sig("def cluster_status(self) -> dict[str, int | bool] | None"),
          "The Redis link's state and counters, or None on a single node.")
      .def("stop", &GatewayCore::stop, nb::call_guard<nb::gil_scoped_release>(),
           "Stops and joins the shard threads; pending work is dropped.");
  bind_transport(core);
  bind_api(core);
}

}  // namespace
}  // namespace sg::py

NB_MODULE(_core, module) {
  module.doc() = "The C++ core of socket_gateway (private: use socket_gateway.SocketGateway and ASGIApp).";
  module.attr("NOTICE_POLL_REPLY") = int(sg::py::kNoticePollReply);
  module.attr("NOTICE_WEBSOCKET_OPENED") = int(sg::py::kNoticeWebSocketOpened);
  module.attr("NOTICE_OUTBOX_READY") = int(sg::py::kNoticeOutboxReady);
  module.attr("NOTICE_CONNECT") = int(sg::py::kNoticeConnect);
  module.attr("NOTICE_EVENT") = int(sg::py::kNoticeEvent);
  module.attr("NOTICE_DISCONNECT") = int(sg::py::kNoticeDisconnect);
  module.attr("NOTICE_DONE") = int(sg::py::kNoticeDone);
  sg::py::bind_config(module);
  sg::py::bind_peer(module);
  sg::py::bind_core(module);
  sg::py::bind_host(module);
}
