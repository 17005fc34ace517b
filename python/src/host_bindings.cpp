// The bindings of the native host (`python -m socket_gateway serve`): HostConfig, NativeHost,
// Exchange (one forwarded request, driven by socket_gateway/_http_cycle.py and
// _websocket_cycle.py), the HOST_* notice kinds, and the notices as Python tuples (layouts in
// host_notices.hpp).
//
// Threading: the Python loop thread, GIL held. Exchange methods only post to the shard, so
// they keep the GIL; start and stop release it.
#include "host_bindings.hpp"

#include "gateway_core.hpp"
#include "host_config.hpp"
#include "native_host.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <boost/system/system_error.hpp>

namespace nb = nanobind;
using namespace nb::literals;

namespace sg::py {
namespace {

nb::bytes to_bytes(std::string_view data) { return nb::bytes(data.data(), data.size()); }

std::string bytes_to_string(nb::handle bytes) {
  const auto view = nb::cast<nb::bytes>(bytes);
  return std::string(view.c_str(), view.size());
}

net::HeaderList headers_from_python(nb::handle headers) {
  net::HeaderList list;
  for (nb::handle pair : headers) {
    const auto items = nb::cast<nb::sequence>(pair);
    list.emplace_back(bytes_to_string(items[0]), bytes_to_string(items[1]));
  }
  return list;
}

nb::list headers_to_python(const net::HeaderList& headers) {
  nb::list list;
  for (const auto& [name, value] : headers) list.append(nb::make_tuple(to_bytes(name), to_bytes(value)));
  return list;
}

struct ToPython {
  nb::object operator()(HostRequestNotice& notice) const {
    auto& request = notice.request;
    return nb::make_tuple(int(kHostRequest), nb::cast(notice.exchange), nb::str(request.method.c_str()),
                          to_bytes(request.path), to_bytes(request.query), request.version == 10 ? "1.0" : "1.1",
                          headers_to_python(request.headers),
                          nb::make_tuple(nb::str(request.client_address.c_str()), request.client_port),
                          nb::make_tuple(nb::str(request.server_address.c_str()), request.server_port),
                          to_bytes(request.body), request.more_body, request.websocket);
  }
  nb::object operator()(HostBodyNotice& notice) const {
    return nb::make_tuple(int(kHostBody), notice.exchange_id, to_bytes(notice.chunk), notice.more_body);
  }
  nb::object operator()(HostSignalNotice& notice) const { return nb::make_tuple(int(notice.kind), notice.exchange_id); }
  nb::object operator()(HostMessageNotice& notice) const {
    nb::object data = notice.binary ? nb::object(to_bytes(notice.data))
                                    : nb::object(nb::str(notice.data.data(), notice.data.size()));
    return nb::make_tuple(int(kHostWebSocketMessage), notice.exchange_id, data);
  }
  nb::object operator()(HostClosedNotice& notice) const {
    return nb::make_tuple(int(kHostWebSocketClosed), notice.exchange_id, int(notice.code));
  }
};

void bind_host_config(nb::module_& module) {
  nb::class_<HostConfig>(module, "HostConfig", "Settings of the native host (python -m socket_gateway serve).")
      .def(nb::init<>())
      .def_rw("host", &HostConfig::host, "Address to bind.")
      .def_rw("port", &HostConfig::port, "Port to bind (0: any free port).")
      .def_rw("threads", &HostConfig::threads, "Shards of a host without a gateway.")
      .def_rw("socketio_path", &HostConfig::socketio_path,
              "Where the gateway's Engine.IO is served natively ('/socket.io/'); empty: nowhere.")
      .def_rw("cors_any_origin", &HostConfig::cors_any_origin, "CORS on the Socket.IO path: any origin.")
      .def_rw("cors_origins", &HostConfig::cors_origins, "CORS on the Socket.IO path: these origins.")
      .def_rw("max_header_bytes", &HostConfig::max_header_bytes, "Largest request head (more: 431).")
      .def_rw("max_body_bytes", &HostConfig::max_body_bytes, "Largest forwarded request body (more: 413).");
}

void bind_exchange(nb::module_& module) {
  nb::class_<net::Exchange>(module, "Exchange", "One forwarded request or WebSocket on the native host.")
      .def_prop_ro("id", &net::Exchange::id, "Id named by the HOST_* notices of this exchange.")
      .def("read_body", &net::Exchange::read_body, "Reads the next body part; a HOST_BODY notice answers.")
      .def(
          "respond",
          [](net::Exchange& self, unsigned status, nb::handle headers, nb::bytes body, bool more_body) {
            return self.respond(status, headers_from_python(headers), std::string(body.c_str(), body.size()), more_body);
          },
          "status"_a, "headers"_a, "body"_a, "more_body"_a,
          nb::sig("def respond(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes, "
                  "more_body: bool) -> bool"),
          "The response head and first body part; False: wait for HOST_DRAINED before sending more.")
      .def(
          "send_body",
          [](net::Exchange& self, nb::bytes body, bool more_body) {
            return self.send_body(std::string(body.c_str(), body.size()), more_body);
          },
          "body"_a, "more_body"_a, "The next body part; False: wait for HOST_DRAINED before sending more.")
      .def("abort", &net::Exchange::abort, "Cuts the connection.")
      .def(
          "accept_websocket",
          [](net::Exchange& self, std::optional<std::string> subprotocol, nb::handle headers) {
            self.accept_websocket(std::move(subprotocol), headers_from_python(headers));
          },
          "subprotocol"_a.none(), "headers"_a,
          nb::sig("def accept_websocket(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None"),
          "Writes the 101 and starts reading messages (HOST_WS_MESSAGE).")
      .def(
          "send_message",
          [](net::Exchange& self, nb::handle data) {
            if (nb::isinstance<nb::str>(data)) return self.send_message(nb::cast<std::string>(data), false);
            return self.send_message(bytes_to_string(data), true);
          },
          "data"_a, nb::sig("def send_message(self, data: str | bytes) -> bool"),
          "One message (str: text, bytes: binary); False: wait for HOST_DRAINED before sending more.")
      .def("close_websocket", &net::Exchange::close_websocket, "code"_a, "reason"_a,
           "Closes the WebSocket (before the accept: HTTP 403).");
}

void bind_native_host(nb::module_& module) {
  nb::class_<NativeHost>(module, "NativeHost", "The C++ HTTP host of the serve command.")
      .def(nb::init<const HostConfig&, GatewayCore*>(), "config"_a, "core"_a.none() = nb::none(), nb::keep_alive<1, 3>(),
           "A host serving the core's Socket.IO at config.socketio_path (with a core) and forwarding the rest.")
      .def_prop_ro("wakeup_fd", &NativeHost::wakeup_fd, "An eventfd that is readable while notices wait.")
      .def_prop_ro("port", &NativeHost::port, "The bound port (after start).")
      .def(
          "start",
          [](NativeHost& self) {
            try {
              nb::gil_scoped_release release;
              self.start();
            } catch (const boost::system::system_error& error) {
              PyErr_SetString(PyExc_OSError, error.what());
              throw nb::python_error();
            }
          },
          "Binds and starts serving; OSError when the address cannot be bound.")
      .def("stop_accepting", &NativeHost::stop_accepting, "Stops accepting connections.")
      .def("open_exchanges", &NativeHost::open_exchanges, "Forwarded exchanges not yet over on the wire.")
      .def("stop", &NativeHost::stop, nb::call_guard<nb::gil_scoped_release>(),
           "Stops serving, and the shards (with a core: the core too).")
      .def(
          "take_notices",
          [](NativeHost& self) {
            nb::list list;
            for (auto& notice : self.take_notices()) list.append(std::visit(ToPython{}, notice));
            return list;
          },
          nb::sig("def take_notices(self) -> list[tuple[typing.Any, ...]]"),
          "Takes every waiting notice, as tuples (see the HOST_* kinds).");
}

}  // namespace

void bind_host(nb::module_& module) {
  module.attr("HOST_REQUEST") = int(kHostRequest);
  module.attr("HOST_BODY") = int(kHostBody);
  module.attr("HOST_DISCONNECT") = int(kHostDisconnect);
  module.attr("HOST_DRAINED") = int(kHostDrained);
  module.attr("HOST_WS_MESSAGE") = int(kHostWebSocketMessage);
  module.attr("HOST_WS_CLOSED") = int(kHostWebSocketClosed);
  bind_host_config(module);
  bind_exchange(module);
  bind_native_host(module);
}

}  // namespace sg::py
