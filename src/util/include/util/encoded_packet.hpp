// EncodedPacket: one Engine.IO packet, encoded once, shared by every recipient.
//
// An emit to N connections builds exactly one EncodedPacket and hands the same pointer to
// all N. The buffer holds the complete server-to-client WebSocket frame (header followed by
// the Engine.IO packet); server frames are unmasked, so those bytes are identical for every
// WebSocket recipient. Long-polling recipients use the packet bytes without the header.
//
// Threading: immutable after construction; any thread may read it concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sg {

class EncodedPacket {
 public:
  // A text Engine.IO packet such as "4" + Socket.IO packet, or "2" (ping).
  static std::shared_ptr<const EncodedPacket> text(std::string_view engine_packet);
  // A binary Engine.IO message (an attachment): raw bytes, no type prefix.
  static std::shared_ptr<const EncodedPacket> binary(std::string_view bytes);

  // The whole WebSocket frame: FIN + opcode, length, payload.
  std::string_view websocket_frame() const { return {buffer_.data() + frame_offset_, buffer_.size() - frame_offset_}; }
  // The Engine.IO packet alone (a WebSocket message body or a polling record before
  // base64 for binary).
  std::string_view payload() const { return {buffer_.data() + kHeaderRoom, buffer_.size() - kHeaderRoom}; }
  bool is_binary() const { return binary_; }

  struct PrivateTag {};
  EncodedPacket(PrivateTag, std::string_view payload, bool binary);

 private:
  static constexpr std::size_t kHeaderRoom = 10;  // largest WebSocket server frame header
  std::string buffer_;
  std::size_t frame_offset_ = 0;
  bool binary_ = false;
};

using PacketRef = std::shared_ptr<const EncodedPacket>;

}  // namespace sg
