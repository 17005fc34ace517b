// RFC 6455 rules the frame reader enforces beyond framing: close codes a peer may not send
// (§7.4.1/§7.4.2) fail with 1002, and text that is not UTF-8 (§8.1) — whole messages,
// fragments joined, and close reasons — fails with 1007.
#include "../../../src/net/websocket_frame_reader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sg::net {
namespace {

// One masked client frame with FIN set and a payload under 126 bytes.
std::string masked_frame(std::uint8_t opcode, std::string_view payload) {
  static constexpr unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  frame.push_back(static_cast<char>(0x80 | payload.size()));
  for (unsigned char byte : mask) frame.push_back(static_cast<char>(byte));
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return frame;
}

std::string close_payload(std::uint16_t code, std::string_view reason = "") {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  return payload + std::string(reason);
}

// Reads the first event of `bytes` with a fresh reader; the event's payload views the
// reader, which lives until the next call.
struct WebSocketFrameRfcRules : ::testing::Test {
  WebSocketEvent read_one(const std::string& bytes) {
    reader.emplace(1 << 16);
    reader->feed(bytes);
    return reader->next();
  }
  std::optional<WebSocketFrameReader> reader;
};

TEST_F(WebSocketFrameRfcRules, RefusesCloseCodesThatMustNotBeSentWith1002) {
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2999}) {
    const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(code)));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::error) << "close code " << code;
    EXPECT_EQ(event.close_code, 1002) << "close code " << code;
  }
}

TEST_F(WebSocketFrameRfcRules, StillAcceptsValidCloseCodes) {
  // Guard for the fix above: these must keep working.
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(code)));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::close) << "close code " << code;
    EXPECT_EQ(event.close_code, code);
  }
}

TEST_F(WebSocketFrameRfcRules, RefusesATextMessageThatIsNotUtf8With1007) {
  for (const std::string bad : {std::string("4\xff"), std::string("4\xc3"), std::string("4\xed\xa0\x80")}) {
    const WebSocketEvent event = read_one(masked_frame(0x1, bad));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::error);
    EXPECT_EQ(event.close_code, 1007);
  }
}

TEST_F(WebSocketFrameRfcRules, AcceptsUtf8SplitAcrossFragments) {
  // Guard for the fix above: a code point cut between two fragments is still valid text.
  static constexpr unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
  auto fragment = [&](std::uint8_t first_byte, std::string_view payload) {
    std::string frame;
    frame.push_back(static_cast<char>(first_byte));
    frame.push_back(static_cast<char>(0x80 | payload.size()));
    for (unsigned char byte : mask) frame.push_back(static_cast<char>(byte));
    for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return frame;
  };
  // "é" is C3 A9: the first fragment ends after C3.
  const WebSocketEvent event = read_one(fragment(0x01, "4caf\xc3") + fragment(0x80, "\xa9"));
  EXPECT_EQ(event.kind, WebSocketEvent::Kind::text);
  EXPECT_EQ(event.payload, "4caf\xc3\xa9");
}

TEST_F(WebSocketFrameRfcRules, RefusesACloseReasonThatIsNotUtf8With1007) {
  const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(1000, "\xff\xfe")));
  EXPECT_EQ(event.kind, WebSocketEvent::Kind::error);
  EXPECT_EQ(event.close_code, 1007);
}

}  // namespace
}  // namespace sg::net
