// WebSocketFrameReader (RFC 6455 §5) on hand-built client frames: masked text and binary
// messages with 7-, 16- and 64-bit lengths, fragmented messages with control frames in
// between, ping/pong/close events, the protocol violations that end the connection with
// 1002 (unmasked frame, RSV bits, bad control frames, stray continuation, unknown opcode)
// and 1009 (a message above the limit), and input arriving one byte at a time.
#include "../../../src/net/websocket_frame_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sg::net {
namespace {

using Kind = WebSocketEvent::Kind;

constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;

struct FrameShape {
  bool fin = true;
  std::uint8_t rsv = 0;  // the three RSV bits, already shifted (0x40, 0x20, 0x10)
  bool masked = true;
  std::array<std::uint8_t, 4> mask{0x37, 0xfa, 0x21, 0x3d};
};

// Encodes one client frame, choosing the shortest length form as RFC 6455 requires.
std::string client_frame(std::uint8_t opcode, std::string_view payload, FrameShape shape = {}) {
  std::string frame;
  frame.push_back(static_cast<char>((shape.fin ? 0x80 : 0x00) | shape.rsv | opcode));
  const std::uint8_t mask_bit = shape.masked ? 0x80 : 0x00;
  const std::uint64_t length = payload.size();
  if (length < 126) {
    frame.push_back(static_cast<char>(mask_bit | length));
  } else if (length <= 0xFFFF) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>(length >> 8));
    frame.push_back(static_cast<char>(length & 0xFF));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((length >> shift) & 0xFF));
  }
  if (!shape.masked) return frame + std::string(payload);
  for (std::uint8_t byte : shape.mask) frame.push_back(static_cast<char>(byte));
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ shape.mask[i % 4]));
  return frame;
}

// A frame header that claims `length` bytes, without any payload (for limit checks).
std::string header_claiming(std::uint8_t opcode, std::uint64_t length) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  frame.push_back(static_cast<char>(0x80 | 127));
  for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((length >> shift) & 0xFF));
  frame += std::string("\x01\x02\x03\x04", 4);
  return frame;
}

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 31 + 7) & 0xFF);
  return bytes;
}

constexpr std::size_t kLimit = 1 << 20;

TEST(WebSocketFrameReader, ReadsAMaskedTextFrame) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, "4hello"));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload, "4hello");
  EXPECT_EQ(reader.next().kind, Kind::none);
}

TEST(WebSocketFrameReader, ReadsTheRfcExampleFrame) {
  // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
  WebSocketFrameReader reader(kLimit);
  reader.feed(std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload, "Hello");
}

TEST(WebSocketFrameReader, ReadsAnEmptyTextFrame) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, ""));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_TRUE(event.payload.empty());
}

TEST(WebSocketFrameReader, ReadsABinaryFrameWithA16BitLength) {
  const std::string payload = pattern(300);
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kBinary, payload));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::binary);
  EXPECT_EQ(event.payload, payload);
}

TEST(WebSocketFrameReader, ReadsTheLongest16BitAndShortest64BitLengths) {
  for (std::size_t size : {125u, 126u, 65535u, 65536u}) {
    const std::string payload = pattern(size);
    WebSocketFrameReader reader(kLimit);
    reader.feed(client_frame(kBinary, payload));
    const WebSocketEvent event = reader.next();
    EXPECT_EQ(event.kind, Kind::binary) << size;
    EXPECT_EQ(event.payload.size(), size);
    EXPECT_EQ(event.payload, payload) << size;
  }
}

TEST(WebSocketFrameReader, ReadsATextFrameWithA64BitLength) {
  const std::string payload(70000, 'x');
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, payload));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload, payload);
}

TEST(WebSocketFrameReader, ReadsSeveralFramesFedTogether) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, "one") + client_frame(kBinary, "two") + client_frame(kText, "three"));
  EXPECT_EQ(reader.next().payload, "one");
  const WebSocketEvent second = reader.next();
  EXPECT_EQ(second.kind, Kind::binary);
  EXPECT_EQ(second.payload, "two");
  EXPECT_EQ(reader.next().payload, "three");
  EXPECT_EQ(reader.next().kind, Kind::none);
}

TEST(WebSocketFrameReader, JoinsAFragmentedMessage) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, "Hel", {.fin = false}));
  EXPECT_EQ(reader.next().kind, Kind::none) << "a fragment is not a message";
  reader.feed(client_frame(kContinuation, "lo, ", {.fin = false}));
  reader.feed(client_frame(kContinuation, "world", {.fin = true}));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload, "Hello, world");
}

TEST(WebSocketFrameReader, AFragmentedBinaryMessageStaysBinary) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kBinary, std::string("\x00\x01", 2), {.fin = false}) +
              client_frame(kContinuation, std::string("\x02", 1)));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::binary);
  EXPECT_EQ(event.payload, std::string("\x00\x01\x02", 3));
}

TEST(WebSocketFrameReader, DeliversControlFramesBetweenFragments) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kText, "first ", {.fin = false}) + client_frame(kPing, "are you there") +
              client_frame(kContinuation, "second"));
  const WebSocketEvent ping = reader.next();
  EXPECT_EQ(ping.kind, Kind::ping);
  EXPECT_EQ(ping.payload, "are you there");
  const WebSocketEvent message = reader.next();
  EXPECT_EQ(message.kind, Kind::text);
  EXPECT_EQ(message.payload, "first second");
}

TEST(WebSocketFrameReader, ReportsPingAndPongWithTheirPayloads) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kPing, "p1") + client_frame(kPong, "p2") + client_frame(kPing, ""));
  const WebSocketEvent ping = reader.next();
  EXPECT_EQ(ping.kind, Kind::ping);
  EXPECT_EQ(ping.payload, "p1");
  const WebSocketEvent pong = reader.next();
  EXPECT_EQ(pong.kind, Kind::pong);
  EXPECT_EQ(pong.payload, "p2");
  const WebSocketEvent empty_ping = reader.next();
  EXPECT_EQ(empty_ping.kind, Kind::ping);
  EXPECT_TRUE(empty_ping.payload.empty());
}

TEST(WebSocketFrameReader, ReportsACloseWithItsCodeAndReason) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kClose, std::string("\x03\xe8", 2) + "bye"));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::close);
  EXPECT_EQ(event.close_code, 1000);
  EXPECT_EQ(event.payload.substr(2), "bye");
}

TEST(WebSocketFrameReader, AnEmptyCloseMeansNoStatusCode) {
  WebSocketFrameReader reader(kLimit);
  reader.feed(client_frame(kClose, ""));
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::close);
  EXPECT_EQ(event.close_code, 1005);
}

// ---- protocol violations -------------------------------------------------------------

void expect_failure(std::string bytes, std::uint16_t code, std::size_t limit = kLimit) {
  WebSocketFrameReader reader(limit);
  reader.feed(bytes);
  const WebSocketEvent event = reader.next();
  EXPECT_EQ(event.kind, Kind::error);
  EXPECT_EQ(event.close_code, code);
  reader.feed(client_frame(kText, "after the error"));
  EXPECT_EQ(reader.next().kind, Kind::none) << "nothing is read after a violation";
}

TEST(WebSocketFrameReader, RefusesAnUnmaskedFrameWith1002) {
  expect_failure(client_frame(kText, "hello", {.masked = false}), 1002);
}

TEST(WebSocketFrameReader, RefusesAnyRsvBitWith1002) {
  for (std::uint8_t rsv : {0x40, 0x20, 0x10}) {
    SCOPED_TRACE(static_cast<int>(rsv));
    expect_failure(client_frame(kText, "hello", {.rsv = rsv}), 1002);
  }
}

TEST(WebSocketFrameReader, RefusesAFragmentedControlFrameWith1002) {
  expect_failure(client_frame(kPing, "x", {.fin = false}), 1002);
}

TEST(WebSocketFrameReader, RefusesAControlFrameLongerThan125BytesWith1002) {
  expect_failure(client_frame(kPing, std::string(126, 'p')), 1002);
}

TEST(WebSocketFrameReader, RefusesAContinuationWithNoMessageStartedWith1002) {
  expect_failure(client_frame(kContinuation, "orphan"), 1002);
}

TEST(WebSocketFrameReader, RefusesANewMessageInsideAFragmentedOneWith1002) {
  expect_failure(client_frame(kText, "a", {.fin = false}) + client_frame(kText, "b"), 1002);
}

TEST(WebSocketFrameReader, RefusesReservedOpcodesWith1002) {
  for (std::uint8_t opcode : {0x3, 0x7, 0xB, 0xF}) {
    SCOPED_TRACE(static_cast<int>(opcode));
    expect_failure(client_frame(opcode, ""), 1002);
  }
}

TEST(WebSocketFrameReader, RefusesACloseWithAOneBytePayloadWith1002) {
  expect_failure(client_frame(kClose, "x"), 1002);
}

TEST(WebSocketFrameReader, RefusesAFrameAboveTheLimitWith1009) {
  expect_failure(client_frame(kText, std::string(101, 'x')), 1009, 100);
}

TEST(WebSocketFrameReader, AcceptsAFrameExactlyAtTheLimit) {
  WebSocketFrameReader reader(100);
  reader.feed(client_frame(kText, std::string(100, 'x')));
  EXPECT_EQ(reader.next().kind, Kind::text);
}

TEST(WebSocketFrameReader, RefusesAnOversizeFrameFromItsHeaderAlone) {
  // The reader must not wait for (or buffer) gigabytes before refusing them.
  expect_failure(header_claiming(kBinary, std::uint64_t{1} << 40), 1009, 1000);
}

TEST(WebSocketFrameReader, RefusesAFragmentedMessageWhoseTotalPassesTheLimitWith1009) {
  expect_failure(client_frame(kText, std::string(60, 'a'), {.fin = false}) +
                     client_frame(kContinuation, std::string(41, 'b')),
                 1009, 100);
}

// ---- input in pieces --------------------------------------------------------------------

std::vector<WebSocketEvent::Kind> feed_byte_by_byte(WebSocketFrameReader& reader, const std::string& bytes,
                                                    std::vector<std::string>& payloads) {
  std::vector<WebSocketEvent::Kind> kinds;
  for (char byte : bytes) {
    reader.feed(std::string_view(&byte, 1));
    for (WebSocketEvent event = reader.next(); event.kind != Kind::none; event = reader.next()) {
      kinds.push_back(event.kind);
      payloads.emplace_back(event.payload);
      if (event.kind == Kind::error) return kinds;
    }
  }
  return kinds;
}

TEST(WebSocketFrameReader, ReadsFramesFedOneByteAtATime) {
  const std::string medium = pattern(300);
  const std::string large = pattern(70000);
  const std::string bytes = client_frame(kText, "small") + client_frame(kBinary, medium) +
                            client_frame(kText, "frag", {.fin = false}) + client_frame(kPing, "hi") +
                            client_frame(kContinuation, "ment") + client_frame(kBinary, large) +
                            client_frame(kClose, std::string("\x03\xe9", 2));
  WebSocketFrameReader reader(kLimit);
  std::vector<std::string> payloads;
  const auto kinds = feed_byte_by_byte(reader, bytes, payloads);
  ASSERT_EQ(kinds, (std::vector<Kind>{Kind::text, Kind::binary, Kind::ping, Kind::text, Kind::binary, Kind::close}));
  EXPECT_EQ(payloads[0], "small");
  EXPECT_EQ(payloads[1], medium);
  EXPECT_EQ(payloads[2], "hi");
  EXPECT_EQ(payloads[3], "fragment");
  EXPECT_EQ(payloads[4], large);
}

TEST(WebSocketFrameReader, FindsAViolationFedOneByteAtATime) {
  WebSocketFrameReader reader(kLimit);
  std::vector<std::string> payloads;
  const auto kinds = feed_byte_by_byte(reader, client_frame(kText, "ok") + client_frame(kText, "bad", {.masked = false}),
                                       payloads);
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::text, Kind::error}));
}

TEST(WebSocketFrameReader, ReadsFramesSplitAtEveryPossiblePoint) {
  const std::string bytes = client_frame(kText, "alpha") + client_frame(kBinary, pattern(200));
  for (std::size_t split = 0; split <= bytes.size(); ++split) {
    WebSocketFrameReader reader(kLimit);
    std::vector<std::string> payloads;
    reader.feed(std::string_view(bytes).substr(0, split));
    for (auto event = reader.next(); event.kind != Kind::none; event = reader.next()) payloads.emplace_back(event.payload);
    reader.feed(std::string_view(bytes).substr(split));
    for (auto event = reader.next(); event.kind != Kind::none; event = reader.next()) payloads.emplace_back(event.payload);
    ASSERT_EQ(payloads.size(), 2u) << "split at " << split;
    EXPECT_EQ(payloads[0], "alpha");
    EXPECT_EQ(payloads[1], pattern(200));
  }
}

}  // namespace
}  // namespace sg::net
