// The two applications of the conformance server:
//  - the Engine.IO echo app mounted at /engine.io/: every message comes back as it was sent;
//  - the Socket.IO app at /socket.io/: namespaces / and /custom, the "auth" event on
//    connect, "message" -> "message-back", "message-with-ack" acked with its arguments, and
//    our additions: "request-ack" (a server->client ack round trip), "join" and "to-room".
// Threading: handlers run on shard threads; the apps hold no mutable shared state.
#pragma once

#include "eio/engine.hpp"
#include "sio/gateway.hpp"

namespace sg::conformance {

class EchoListener : public eio::SessionListener {
 public:
  void on_open(eio::Session&) override {}
  void on_message(eio::Session& session, std::string_view data, bool binary) override;
  void on_close(eio::Session&, eio::CloseReason) override {}
};

void install_socketio_handlers(sio::Gateway& gateway);

}  // namespace sg::conformance
