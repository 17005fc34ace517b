// Engine.IO v4 text packets: one ASCII type digit ('0' open .. '6' noop) followed by the
// packet data. Binary messages never come through here (WebSocket binary frames carry
// raw bytes; polling binary records are handled in polling_payload.cpp).
//
// Threading: pure functions; any thread.
#include "proto/engine_packet.hpp"

namespace sg::proto {

std::optional<EnginePacket> decode_engine_text(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char type = text.front();
  if (type < '0' || type > '6') return std::nullopt;
  return EnginePacket{static_cast<EnginePacketType>(type), text.substr(1), false};
}

}  // namespace sg::proto
