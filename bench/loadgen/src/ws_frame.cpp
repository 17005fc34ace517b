// Client-side WebSocket frame encoding and server frame parsing (see ws_frame.hpp).
#include "ws_frame.hpp"

#include <cstring>

namespace loadgen {

void append_client_frame(std::string& out, WsOpcode opcode, std::string_view payload, std::uint32_t& mask_seed) {
  mask_seed ^= mask_seed << 13;
  mask_seed ^= mask_seed >> 17;
  mask_seed ^= mask_seed << 5;
  unsigned char header[14];
  std::size_t length = 0;
  header[length++] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(opcode));
  const std::size_t size = payload.size();
  if (size < 126) {
    header[length++] = static_cast<unsigned char>(0x80 | size);
  } else if (size <= 0xffff) {
    header[length++] = 0x80 | 126;
    header[length++] = static_cast<unsigned char>(size >> 8);
    header[length++] = static_cast<unsigned char>(size);
  } else {
    header[length++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8) header[length++] = static_cast<unsigned char>(size >> shift);
  }
  unsigned char mask[4];
  std::memcpy(mask, &mask_seed, 4);
  std::memcpy(header + length, mask, 4);
  length += 4;
  const std::size_t start = out.size();
  out.append(reinterpret_cast<const char*>(header), length);
  out.append(payload);
  char* data = out.data() + start + length;
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[i & 3]);
}

FrameParse parse_server_frame(std::string_view buffer, ServerFrame& frame) {
  if (buffer.size() < 2) return FrameParse::need_more;
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer.data());
  if (bytes[1] & 0x80) return FrameParse::protocol_error;  // a server never masks
  frame.final = (bytes[0] & 0x80) != 0;
  frame.opcode = static_cast<WsOpcode>(bytes[0] & 0x0f);
  std::uint64_t size = bytes[1] & 0x7f;
  std::size_t header = 2;
  if (size == 126) {
    if (buffer.size() < 4) return FrameParse::need_more;
    size = (std::uint64_t{bytes[2]} << 8) | bytes[3];
    header = 4;
  } else if (size == 127) {
    if (buffer.size() < 10) return FrameParse::need_more;
    size = 0;
    for (int i = 2; i < 10; ++i) size = (size << 8) | bytes[i];
    header = 10;
  }
  if (size > (1ull << 31)) return FrameParse::protocol_error;
  if (buffer.size() < header + size) return FrameParse::need_more;
  frame.payload = buffer.substr(header, static_cast<std::size_t>(size));
  frame.frame_bytes = header + static_cast<std::size_t>(size);
  return FrameParse::complete;
}

}  // namespace loadgen
