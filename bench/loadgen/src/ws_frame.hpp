// WebSocket framing, client side only (RFC 6455): masked frames out, unmasked server frames in.
//
// Why our own framing instead of a WebSocket library: the load generator runs thousands of
// clients per process and its CPU competes with what we measure. A library client per socket
// (its own buffers, strands, handshake objects, per-message allocations) would cost more than the
// server-side work under test; this file is a few dozen lines that append to one buffer and
// parse in place. No extensions (permessage-deflate is never offered), no fragmentation on send.
// Threading: pure functions, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

enum class WsOpcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Appends one masked, final frame with `payload` to `out`. `mask_seed` is advanced (xorshift).
void append_client_frame(std::string& out, WsOpcode opcode, std::string_view payload, std::uint32_t& mask_seed);

struct ServerFrame {
  WsOpcode opcode{};
  bool final = true;
  std::string_view payload;  // points into the parsed buffer
  std::size_t frame_bytes = 0;  // header + payload
};

enum class FrameParse { complete, need_more, protocol_error };

// Parses the frame at the start of `buffer`. Server frames must not be masked.
FrameParse parse_server_frame(std::string_view buffer, ServerFrame& frame);

}  // namespace loadgen
