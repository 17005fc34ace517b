// WebSocketFrameReader: parses the frames a client sends (RFC 6455 §5): masked frames,
// 7/16/64-bit lengths, fragmented messages, control frames. It yields whole messages and
// control events, and stops at the first protocol violation with the close code to send
// (1002 protocol error, 1009 message too big). No extensions are negotiated, so RSV bits
// must be zero.
//
// We parse frames ourselves instead of using Boost.Beast's websocket::stream because the
// fan-out design needs to write pre-encoded frames shared by all recipients and to coalesce
// several messages into one gather write, which Beast's one-message-per-write stream does
// not allow. Beast still parses the HTTP upgrade request.
//
// Threading: owned by one WebSocketConnection; its shard thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sg::net {

struct WebSocketEvent {
  enum class Kind { none, text, binary, ping, pong, close, error };
  Kind kind = Kind::none;
  std::string_view payload;       // valid until the next call to next()
  std::uint16_t close_code = 0;   // for close (received) and error (to send)
};

class WebSocketFrameReader {
 public:
  explicit WebSocketFrameReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Appends received bytes.
  void feed(std::string_view bytes) { input_.append(bytes); }
  // The next complete event, or Kind::none when more bytes are needed.
  WebSocketEvent next();

 private:
  WebSocketEvent fail(std::uint16_t code) {
    failed_ = true;
    return {WebSocketEvent::Kind::error, {}, code};
  }
  void compact();

  std::size_t max_message_bytes_;
  std::string input_;
  std::size_t consumed_ = 0;
  std::string message_;        // fragments of a message in progress
  std::string control_;        // payload of the last control frame
  bool in_message_ = false;
  bool message_is_binary_ = false;
  bool failed_ = false;
};

}  // namespace sg::net
