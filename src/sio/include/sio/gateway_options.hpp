// Everything a Gateway is configured with: the Engine.IO settings, the connect timeout,
// the namespaces it serves, the JWT verifier (absent: no authentication, as in the
// conformance server), and connection-state recovery.
//
// Threading: plain values, read-only once the Gateway is built.
#pragma once

#include "auth/jwt_verifier.hpp"
#include "eio/options.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sg::sio {

struct GatewayOptions {
  eio::EngineOptions engine;
  std::chrono::milliseconds connect_timeout{45000};
  std::vector<std::string> namespaces{"/"};     // "/" is always served
  std::shared_ptr<const auth::JwtVerifier> jwt;  // null: every CONNECT is accepted
  std::string user_room_prefix = "user:";
  // A claim holding an array of room names the socket joins at CONNECT, before the reply
  // (empty: none).
  std::string rooms_claim;
  // Connection-state recovery (socket.io's connectionStateRecovery): how long a socket that
  // lost its connection is kept for its client to come back to (0: off), and the bytes of
  // emits kept for replay (oldest dropped first).
  std::chrono::milliseconds recovery_max_disconnection{0};
  std::size_t recovery_max_bytes = 64u << 20;
  // Abuse limits of the Socket.IO layer (0: none): sockets of one user on this node (more get
  // connect_error), and events per second a client may send on one socket, in bursts of twice
  // that (for hosts with event handlers; a socket over it is disconnected).
  std::size_t max_sockets_per_user = 0;
  // Rooms one socket may be in (its user room and sid included); a join past it is refused.
  std::size_t max_rooms_per_socket = 10000;
  double max_client_events_per_second = 0;
};

}  // namespace sg::sio
