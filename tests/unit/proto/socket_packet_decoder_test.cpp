// Unit tests for the Socket.IO v5 text decoder: the examples of PROTOCOL.md §2.2 and
// every rule whose breach must be a decode error.
#include "proto/socket_packet.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>

namespace sg::proto {
namespace {

SocketPacket decode_ok(std::string_view text, const DecodeLimits& limits = {}) {
  std::string error;
  auto packet = decode_socket_packet(text, error, limits);
  EXPECT_TRUE(packet) << text << ": " << error;
  return packet ? std::move(*packet) : SocketPacket{};
}

// Returns the error reason; fails the test if `text` decodes.
std::string decode_error(std::string_view text, const DecodeLimits& limits = {}) {
  std::string error;
  auto packet = decode_socket_packet(text, error, limits);
  EXPECT_FALSE(packet) << text << " decoded but should not";
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

TEST(SocketDecode, ConnectToRootWithoutPayload) {
  auto packet = decode_ok("0");
  EXPECT_EQ(packet.type, SocketPacketType::connect);
  EXPECT_EQ(packet.nsp, "/");
  EXPECT_FALSE(packet.ack_id);
  EXPECT_TRUE(packet.data.is_null());
}

TEST(SocketDecode, ConnectToNamespaceWithObject) {
  auto packet = decode_ok("0/admin,{\"sid\":\"x\"}");
  EXPECT_EQ(packet.type, SocketPacketType::connect);
  EXPECT_EQ(packet.nsp, "/admin");
  EXPECT_EQ(packet.data, boost::json::parse(R"({"sid":"x"})"));
}

TEST(SocketDecode, NamespaceRunsToTheEndWithoutComma) {
  EXPECT_EQ(decode_ok("0/random").nsp, "/random");
  auto disconnect = decode_ok("1/custom");
  EXPECT_EQ(disconnect.type, SocketPacketType::disconnect);
  EXPECT_EQ(disconnect.nsp, "/custom");
}

TEST(SocketDecode, NamespaceKeepsQueryCharactersAsSent) {
  auto packet = decode_ok("0/custom?x=1");
  EXPECT_EQ(packet.nsp, "/custom?x=1");
  EXPECT_EQ(decode_ok("0/custom?x=1,{\"token\":\"t\"}").nsp, "/custom?x=1");
}

TEST(SocketDecode, ConnectWithEmptyObjectAndAuth) {
  EXPECT_TRUE(decode_ok("0{}").data.as_object().empty());
  EXPECT_EQ(decode_ok("0{\"token\":\"123\"}").data.as_object().at("token"), "123");
}

TEST(SocketDecode, EventOnRoot) {
  auto packet = decode_ok("2[\"foo\"]");
  EXPECT_EQ(packet.type, SocketPacketType::event);
  EXPECT_EQ(packet.nsp, "/");
  EXPECT_FALSE(packet.ack_id);
  EXPECT_EQ(packet.data, boost::json::parse(R"(["foo"])"));
}

TEST(SocketDecode, EventOnNamespace) {
  auto packet = decode_ok("2/admin,[\"bar\"]");
  EXPECT_EQ(packet.nsp, "/admin");
  EXPECT_EQ(packet.data, boost::json::parse(R"(["bar"])"));
}

TEST(SocketDecode, EventWithAckId) {
  auto packet = decode_ok("212[\"foo\"]");
  EXPECT_EQ(packet.type, SocketPacketType::event);
  ASSERT_TRUE(packet.ack_id);
  EXPECT_EQ(*packet.ack_id, 12u);
  EXPECT_EQ(packet.data, boost::json::parse(R"(["foo"])"));
}

TEST(SocketDecode, EventNameMayBeANumber) { EXPECT_EQ(decode_ok("2[1,2]").data.as_array().size(), 2u); }

TEST(SocketDecode, AckOnNamespaceWithId) {
  auto packet = decode_ok("3/admin,13[\"bar\"]");
  EXPECT_EQ(packet.type, SocketPacketType::ack);
  EXPECT_EQ(packet.nsp, "/admin");
  ASSERT_TRUE(packet.ack_id);
  EXPECT_EQ(*packet.ack_id, 13u);
  EXPECT_EQ(packet.data, boost::json::parse(R"(["bar"])"));
}

TEST(SocketDecode, AckMayBeEmptyArray) {
  auto packet = decode_ok("312[]");
  EXPECT_EQ(*packet.ack_id, 12u);
  EXPECT_TRUE(packet.data.as_array().empty());
}

TEST(SocketDecode, DisconnectFromNamespace) {
  auto packet = decode_ok("1/admin,");
  EXPECT_EQ(packet.type, SocketPacketType::disconnect);
  EXPECT_EQ(packet.nsp, "/admin");
  EXPECT_TRUE(packet.data.is_null());
}

TEST(SocketDecode, ConnectErrorObjectOrString) {
  auto packet = decode_ok("4{\"message\":\"Not authorized\"}");
  EXPECT_EQ(packet.type, SocketPacketType::connect_error);
  EXPECT_EQ(packet.data.as_object().at("message"), "Not authorized");
  EXPECT_EQ(decode_ok("4\"legacy\"").data, "legacy");
}

TEST(SocketDecode, BinaryEventWithAttachmentCount) {
  auto packet = decode_ok(R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(packet.type, SocketPacketType::binary_event);
  EXPECT_EQ(packet.attachments, 1u);
  EXPECT_EQ(packet.nsp, "/");
  EXPECT_EQ(packet.data, boost::json::parse(R"(["baz",{"_placeholder":true,"num":0}])"));
}

TEST(SocketDecode, BinaryEventOnNamespace) {
  auto packet = decode_ok(R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(packet.type, SocketPacketType::binary_event);
  EXPECT_EQ(packet.attachments, 2u);
  EXPECT_EQ(packet.nsp, "/admin");
  EXPECT_EQ(count_placeholders(packet.data), 2u);
}

TEST(SocketDecode, BinaryAckWithId) {
  auto packet = decode_ok(R"(61-15["bar",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(packet.type, SocketPacketType::binary_ack);
  EXPECT_EQ(packet.attachments, 1u);
  ASSERT_TRUE(packet.ack_id);
  EXPECT_EQ(*packet.ack_id, 15u);
}

TEST(SocketDecode, ZeroAttachmentsIsAllowed) { EXPECT_EQ(decode_ok("50-[\"x\"]").attachments, 0u); }

TEST(SocketDecode, LargestAckIdIsAccepted) {
  EXPECT_EQ(*decode_ok("218446744073709551615[\"x\"]").ack_id, 18446744073709551615u);
}

TEST(SocketDecode, RejectsUnknownType) {
  decode_error("abc");
  decode_error("7[\"x\"]");
  decode_error("");
}

TEST(SocketDecode, RejectsInvalidJson) {
  decode_error("2abc[");
  decode_error("2[\"foo\"");
  decode_error("0{\"a\":}");
  decode_error("2[\"a\",]");  // trailing comma is not JSON
}

TEST(SocketDecode, RejectsEventPayloadOfWrongKind) {
  decode_error("2{}");
  decode_error("2[]");
  decode_error("2\"foo\"");
  decode_error("2[{}]");
  decode_error("2[null]");
  decode_error("2");  // an EVENT without payload
  decode_error("5" "0-{}");
}

TEST(SocketDecode, RejectsReservedEventNames) {
  for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    const std::string text = std::string("2[\"") + name + "\"]";
    EXPECT_EQ(decode_error(text), "reserved event name") << text;
    decode_error(std::string("51-[\"") + name + "\",{\"_placeholder\":true,\"num\":0}]");
  }
  decode_ok("2[\"connected\"]");
}

TEST(SocketDecode, RejectsConnectWithNonObjectPayload) {
  decode_error("0[]");
  decode_error("0\"str\"");
  decode_error("0null");
  decode_error("0/admin,[1]");
}

TEST(SocketDecode, RejectsDisconnectWithPayload) {
  decode_error("1{}");
  decode_error("1/admin,{}");
  decode_error("1[]");
}

TEST(SocketDecode, RejectsAckWithoutArray) {
  decode_error("312{}");
  decode_error("312");
  decode_error("61-1{}");
}

TEST(SocketDecode, RejectsConnectErrorWithoutObjectOrString) {
  decode_error("4[]");
  decode_error("4");
  decode_error("41");  // a number (the ack-id digits leave no payload)
}

TEST(SocketDecode, RejectsBinaryCountWithoutDash) {
  decode_error("51[\"baz\"]");
  decode_error("51");
  decode_error("5");
}

TEST(SocketDecode, RejectsNonIntegerBinaryCount) {
  decode_error("5a-[\"baz\"]");
  decode_error("5-[\"baz\"]");
  decode_error("51.5-[\"baz\"]");
  decode_error("5-1-[\"baz\"]");
}

TEST(SocketDecode, RejectsBinaryCountAboveTheLimit) {
  EXPECT_EQ(decode_error("511-[\"baz\"]"), "too many attachments");
  decode_ok("510-[\"baz\"]");
  decode_error("599999999999999999999999999-[\"baz\"]");
  DecodeLimits strict;
  strict.max_attachments = 2;
  decode_error("53-[\"baz\"]", strict);
  decode_ok("62-1[]", strict);
}

TEST(SocketDecode, RejectsAckIdOverflow) {
  EXPECT_EQ(decode_error("218446744073709551616[\"x\"]"), "ack id overflows");
  decode_error("3/admin,99999999999999999999999[]");
}

TEST(SocketDecode, RejectsJsonNestedBeyondTheDepthLimit) {
  DecodeLimits limits;
  limits.max_json_depth = 4;
  decode_ok("2[\"x\",[[1]]]", limits);
  decode_error("2[\"x\",[[[[1]]]]]", limits);
}

}  // namespace
}  // namespace sg::proto
