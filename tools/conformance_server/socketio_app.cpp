// The Socket.IO app of the conformance server (see apps.hpp).
// Threading: handlers run on the socket's shard thread.
#include "apps.hpp"

#include "sio/socket.hpp"

namespace sg::conformance {

void install_socketio_handlers(sio::Gateway& gateway) {
  for (const char* nsp : {"/", "/custom"}) {
    gateway.on_connect(nsp, [](sio::Socket& socket, const boost::json::object& auth) {
      sio::Arguments arguments;
      arguments.values.emplace_back(auth);
      socket.emit("auth", arguments);
    });
    gateway.on_event(nsp, "message", [](sio::Socket& socket, sio::Arguments& arguments, sio::Ack&) {
      socket.emit("message-back", arguments);
    });
    gateway.on_event(nsp, "message-with-ack", [](sio::Socket&, sio::Arguments& arguments, sio::Ack& ack) {
      ack(std::move(arguments));
    });
    gateway.on_event(nsp, "request-ack", [](sio::Socket& socket, sio::Arguments& arguments, sio::Ack&) {
      socket.emit("ack-request", arguments, [weak = socket.weak_from_this()](sio::Arguments& reply) {
        if (auto self = weak.lock()) self->emit("ack-received", reply);
      });
    });
    gateway.on_event(nsp, "join", [](sio::Socket& socket, sio::Arguments& arguments, sio::Ack& ack) {
      const bool valid = !arguments.values.empty() && arguments.values[0].is_string();
      if (valid) socket.join(std::string_view(arguments.values[0].get_string()));
      sio::Arguments reply;
      reply.values.emplace_back(valid);
      ack(std::move(reply));
    });
    gateway.on_event(nsp, "to-room", [&gateway](sio::Socket& socket, sio::Arguments& arguments, sio::Ack&) {
      if (arguments.values.size() < 2 || !arguments.values[0].is_string()) return;
      gateway.emit_to_room(std::string_view(arguments.values[0].get_string()), "room-message", arguments.values[1],
                           socket.nsp());
    });
  }
}

}  // namespace sg::conformance
