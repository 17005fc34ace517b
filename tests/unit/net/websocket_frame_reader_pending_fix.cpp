// PENDING FIX (src/net/websocket_frame_reader.cpp): RFC 6455 requirements the reader does
// not enforce yet, kept apart so the rest of unit_net stays green. Run them alone with
// --gtest_filter='PendingFix*'; exclude them with --gtest_filter='-PendingFix*'.
//
// 1. Close status codes (§7.4.1, §7.4.2): 1005, 1006 and 1015 "MUST NOT be set as a status
//    code in a Close control frame", and codes below 1000 are not used. The reader reports
//    such a frame as a normal close carrying that code, and WebSocketConnection then echoes
//    the code back in its own Close frame (websocket_connection.cpp, begin_closing), so the
//    server itself puts a forbidden code on the wire. Expected: error 1002.
// 2. UTF-8 (§8.1): "When an endpoint is to interpret a byte stream as UTF-8 but finds that
//    the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
//    WebSocket Connection_" — with 1007 (§7.4.1). Text messages (whole, after joining
//    fragments) and close reasons are not validated. Expected: error 1007.
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
struct PendingFixWebSocketFrameReader : ::testing::Test {
  WebSocketEvent read_one(const std::string& bytes) {
    reader.emplace(1 << 16);
    reader->feed(bytes);
    return reader->next();
  }
  std::optional<WebSocketFrameReader> reader;
};

TEST_F(PendingFixWebSocketFrameReader, RefusesCloseCodesThatMustNotBeSentWith1002) {
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2999}) {
    const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(code)));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::error) << "close code " << code;
    EXPECT_EQ(event.close_code, 1002) << "close code " << code;
  }
}

TEST_F(PendingFixWebSocketFrameReader, StillAcceptsValidCloseCodes) {
  // Guard for the fix above: these must keep working.
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(code)));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::close) << "close code " << code;
    EXPECT_EQ(event.close_code, code);
  }
}

TEST_F(PendingFixWebSocketFrameReader, RefusesATextMessageThatIsNotUtf8With1007) {
  for (const std::string bad : {std::string("4\xff"), std::string("4\xc3"), std::string("4\xed\xa0\x80")}) {
    const WebSocketEvent event = read_one(masked_frame(0x1, bad));
    EXPECT_EQ(event.kind, WebSocketEvent::Kind::error);
    EXPECT_EQ(event.close_code, 1007);
  }
}

TEST_F(PendingFixWebSocketFrameReader, AcceptsUtf8SplitAcrossFragments) {
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

TEST_F(PendingFixWebSocketFrameReader, RefusesACloseReasonThatIsNotUtf8With1007) {
  const WebSocketEvent event = read_one(masked_frame(0x8, close_payload(1000, "\xff\xfe")));
  EXPECT_EQ(event.kind, WebSocketEvent::Kind::error);
  EXPECT_EQ(event.close_code, 1007);
}

}  // namespace
}  // namespace sg::net
