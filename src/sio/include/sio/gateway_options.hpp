// Everything a Gateway is configured with: the Engine.IO settings, the connect timeout,
// the namespaces it serves, and the JWT verifier (absent: no authentication, as in the
// conformance server).
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
};

}  // namespace sg::sio
