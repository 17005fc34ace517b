// Client frame parsing (see websocket_frame_reader.hpp).
// Threading: the owning connection's shard thread only.
#include "websocket_frame_reader.hpp"

#include "util/utf8.hpp"

namespace sg::net {

namespace {
constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpBinary = 0x2;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;
constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kMessageTooBig = 1009;

// Codes a peer may put in a Close frame (RFC 6455 §7.4): the defined ones except those
// reserved for local use (1004-1006, 1015), and the registered/private ranges.
bool sendable_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
}  // namespace

void WebSocketFrameReader::compact() {
  if (consumed_ == 0) return;
  input_.erase(0, consumed_);
  consumed_ = 0;
}

WebSocketEvent WebSocketFrameReader::next() {
  for (;;) {
    if (failed_) return {};
    const std::size_t available = input_.size() - consumed_;
    if (available < 2) {
      compact();
      return {};
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(input_.data() + consumed_);
    const bool fin = bytes[0] & 0x80;
    const std::uint8_t rsv = bytes[0] & 0x70;
    const std::uint8_t opcode = bytes[0] & 0x0F;
    const bool masked = bytes[1] & 0x80;
    if (rsv != 0 || !masked || !(opcode <= kOpBinary || (opcode >= kOpClose && opcode <= kOpPong)))
      return fail(kProtocolError);
    std::uint64_t length = bytes[1] & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (available < 4) return compact(), WebSocketEvent{};
      length = (std::uint64_t{bytes[2]} << 8) | bytes[3];
      header = 4;
    } else if (length == 127) {
      if (available < 10) return compact(), WebSocketEvent{};
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | bytes[i];
      header = 10;
    }
    const bool control = opcode & 0x8;
    if (control && (!fin || length > 125)) return fail(kProtocolError);
    if (!control && length > max_message_bytes_) return fail(kMessageTooBig);
    if (!control && in_message_ && message_.size() + length > max_message_bytes_) return fail(kMessageTooBig);
    if (available < header + 4 + length) {
      compact();
      return {};
    }
    const std::uint8_t* mask = bytes + header;
    const auto* payload = reinterpret_cast<const char*>(mask + 4);
    consumed_ += header + 4 + length;

    auto unmask_into = [&](std::string& out) {
      const std::size_t start = out.size();
      out.resize(start + length);
      for (std::uint64_t i = 0; i < length; ++i) out[start + i] = static_cast<char>(payload[i] ^ mask[i & 3]);
    };

    switch (opcode) {
      case kOpText:
      case kOpBinary:
        if (in_message_) return fail(kProtocolError);
        message_.clear();
        unmask_into(message_);
        if (!fin) {
          in_message_ = true;
          message_is_binary_ = opcode == kOpBinary;
          continue;
        }
        if (opcode == kOpText && !is_valid_utf8(message_)) return fail(kInvalidPayload);
        return {opcode == kOpBinary ? WebSocketEvent::Kind::binary : WebSocketEvent::Kind::text, message_, 0};
      case kOpContinuation:
        if (!in_message_) return fail(kProtocolError);
        unmask_into(message_);
        if (!fin) continue;
        in_message_ = false;
        if (!message_is_binary_ && !is_valid_utf8(message_)) return fail(kInvalidPayload);
        return {message_is_binary_ ? WebSocketEvent::Kind::binary : WebSocketEvent::Kind::text, message_, 0};
      case kOpPing:
      case kOpPong:
        control_.clear();
        unmask_into(control_);
        return {opcode == kOpPing ? WebSocketEvent::Kind::ping : WebSocketEvent::Kind::pong, control_, 0};
      case kOpClose: {
        control_.clear();
        unmask_into(control_);
        if (control_.size() == 1) return fail(kProtocolError);
        std::uint16_t code = 1005;
        if (control_.size() >= 2) {
          code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) | static_cast<std::uint8_t>(control_[1]));
          if (!sendable_close_code(code)) return fail(kProtocolError);
          if (!is_valid_utf8(std::string_view(control_).substr(2))) return fail(kInvalidPayload);
        }
        return {WebSocketEvent::Kind::close, control_, code};
      }
      default:
        return fail(kProtocolError);
    }
  }
}

}  // namespace sg::net
