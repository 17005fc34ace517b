// Builds the shared WebSocket frame around an Engine.IO packet (see encoded_packet.hpp).
// Threading: pure construction; safe on any thread.
#include "util/encoded_packet.hpp"

#include <algorithm>

namespace sg {

namespace {
constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kOpcodeText = 0x1;
constexpr std::uint8_t kOpcodeBinary = 0x2;
}  // namespace

EncodedPacket::EncodedPacket(PrivateTag, std::string_view payload, bool binary) : binary_(binary) {
  buffer_.resize(kHeaderRoom + payload.size());
  payload.copy(buffer_.data() + kHeaderRoom, payload.size());

  std::uint8_t header[kHeaderRoom];
  std::size_t header_size = 0;
  header[header_size++] = kFin | (binary ? kOpcodeBinary : kOpcodeText);
  const std::uint64_t length = payload.size();
  if (length < 126) {
    header[header_size++] = static_cast<std::uint8_t>(length);
  } else if (length <= 0xFFFF) {
    header[header_size++] = 126;
    header[header_size++] = static_cast<std::uint8_t>(length >> 8);
    header[header_size++] = static_cast<std::uint8_t>(length);
  } else {
    header[header_size++] = 127;
    for (int shift = 56; shift >= 0; shift -= 8) header[header_size++] = static_cast<std::uint8_t>(length >> shift);
  }
  frame_offset_ = kHeaderRoom - header_size;
  std::copy(header, header + header_size, buffer_.begin() + static_cast<std::ptrdiff_t>(frame_offset_));
}

std::shared_ptr<const EncodedPacket> EncodedPacket::text(std::string_view engine_packet) {
  return std::make_shared<const EncodedPacket>(PrivateTag{}, engine_packet, false);
}

std::shared_ptr<const EncodedPacket> EncodedPacket::binary(std::string_view bytes) {
  return std::make_shared<const EncodedPacket>(PrivateTag{}, bytes, true);
}

}  // namespace sg
