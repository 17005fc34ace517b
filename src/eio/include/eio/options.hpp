// Engine.IO settings and the vocabulary shared by the engine and its hosts: transport
// kinds and the reasons a session ends.
//
// Threading: plain values; copied into each shard's Engine at construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace sg::eio {

class Admission;

struct EngineOptions {
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::size_t max_payload = 1'000'000;        // advertised maxPayload; larger messages are refused
  std::size_t max_queue_bytes = 4u << 20;     // outbound bytes buffered per session before "slow client"
  bool allow_upgrades = true;
  std::shared_ptr<Admission> admission;     // limits on new sessions, shared by every shard (null: none)
};

enum class TransportKind { polling, websocket };

enum class CloseReason {
  client_close,       // the client sent an Engine.IO close or closed the WebSocket
  transport_close,    // the connection dropped (network loss)
  ping_timeout,       // no pong within pingTimeout
  parse_error,        // the client sent something the protocol forbids
  slow_client,        // the outbound queue reached max_queue_bytes
  server_close,       // the application closed the session
  server_shutdown,    // the server is draining
};

std::string_view to_string(TransportKind kind);
std::string_view to_string(CloseReason reason);

}  // namespace sg::eio
