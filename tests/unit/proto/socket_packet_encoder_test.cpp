// Unit tests for the Socket.IO v5 text encoder (append_socket_packet and the emit fast
// paths append_event_packet / append_ack_packet), round trips through the decoder, and
// count_placeholders.
#include "proto/socket_packet.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::proto {
namespace {

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

std::string encode(const SocketPacket& packet) {
  std::string out;
  append_socket_packet(out, packet);
  return out;
}

SocketPacket make_packet(SocketPacketType type, std::string nsp, std::optional<std::uint64_t> ack_id,
                         boost::json::value data, std::size_t attachments = 0) {
  SocketPacket packet;
  packet.type = type;
  packet.nsp = std::move(nsp);
  packet.ack_id = ack_id;
  packet.data = std::move(data);
  packet.attachments = attachments;
  return packet;
}

TEST(SocketEncode, WritesProtocolExamples) {
  EXPECT_EQ(encode(make_packet(SocketPacketType::connect, "/", {}, nullptr)), "0");
  EXPECT_EQ(encode(make_packet(SocketPacketType::connect, "/admin", {}, json(R"({"sid":"x"})"))), R"(0/admin,{"sid":"x"})");
  EXPECT_EQ(encode(make_packet(SocketPacketType::event, "/", {}, json(R"(["foo"])"))), R"(2["foo"])");
  EXPECT_EQ(encode(make_packet(SocketPacketType::event, "/admin", {}, json(R"(["bar"])"))), R"(2/admin,["bar"])");
  EXPECT_EQ(encode(make_packet(SocketPacketType::event, "/", 12, json(R"(["foo"])"))), R"(212["foo"])");
  EXPECT_EQ(encode(make_packet(SocketPacketType::ack, "/admin", 13, json(R"(["bar"])"))), R"(3/admin,13["bar"])");
  EXPECT_EQ(encode(make_packet(SocketPacketType::disconnect, "/admin", {}, nullptr)), "1/admin,");
  EXPECT_EQ(encode(make_packet(SocketPacketType::connect_error, "/", {}, json(R"({"message":"Not authorized"})"))),
            R"(4{"message":"Not authorized"})");
  EXPECT_EQ(encode(make_packet(SocketPacketType::binary_event, "/", {}, json(R"(["baz",{"_placeholder":true,"num":0}])"), 1)),
            R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encode(make_packet(SocketPacketType::binary_ack, "/", 15, json(R"(["bar",{"_placeholder":true,"num":0}])"), 1)),
            R"(61-15["bar",{"_placeholder":true,"num":0}])");
}

TEST(SocketEncode, EmptyNamespaceIsRoot) {
  EXPECT_EQ(encode(make_packet(SocketPacketType::connect, "", {}, nullptr)), "0");
}

TEST(SocketEncode, AppendsAfterExistingText) {
  std::string out = "4";
  append_socket_packet(out, make_packet(SocketPacketType::connect, "/random", {}, json(R"({"message":"Invalid namespace"})")));
  EXPECT_EQ(out, R"(40/random,{"message":"Invalid namespace"})");
}

TEST(SocketEncode, EveryPacketTypeRoundTrips) {
  const std::vector<SocketPacket> packets = {
      make_packet(SocketPacketType::connect, "/", {}, nullptr),
      make_packet(SocketPacketType::connect, "/admin", {}, json(R"({"token":"abc","n":[1,2]})")),
      make_packet(SocketPacketType::disconnect, "/", {}, nullptr),
      make_packet(SocketPacketType::disconnect, "/chat", {}, nullptr),
      make_packet(SocketPacketType::event, "/", {}, json(R"(["msg","h\u00e9llo \"quoted\"",{"a":null}])")),
      make_packet(SocketPacketType::event, "/admin", 7, json(R"(["msg",1,true])")),
      make_packet(SocketPacketType::ack, "/", 0, json("[]")),
      make_packet(SocketPacketType::ack, "/admin", 42, json(R"([{"ok":true}])")),
      make_packet(SocketPacketType::connect_error, "/", {}, json(R"({"message":"no","data":{"reason":"x"}})")),
      make_packet(SocketPacketType::connect_error, "/admin", {}, json(R"("legacy")")),
      make_packet(SocketPacketType::binary_event, "/", {}, json(R"(["bin",{"_placeholder":true,"num":0}])"), 1),
      make_packet(SocketPacketType::binary_event, "/admin", 3,
                  json(R"(["bin",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])"), 2),
      make_packet(SocketPacketType::binary_ack, "/", 9, json(R"([{"_placeholder":true,"num":0}])"), 1),
      make_packet(SocketPacketType::binary_ack, "/admin", 10, json("[]"), 0),
  };
  for (const auto& original : packets) {
    const std::string text = encode(original);
    std::string error;
    auto decoded = decode_socket_packet(text, error);
    ASSERT_TRUE(decoded) << text << ": " << error;
    EXPECT_EQ(decoded->type, original.type) << text;
    EXPECT_EQ(decoded->nsp, original.nsp) << text;
    EXPECT_EQ(decoded->ack_id, original.ack_id) << text;
    EXPECT_EQ(decoded->data, original.data) << text;
    EXPECT_EQ(decoded->attachments, original.attachments) << text;
    EXPECT_EQ(encode(*decoded), text);
  }
}

TEST(EventEncode, RootWithoutAck) {
  std::string out;
  const std::vector<boost::json::value> args = {json(R"("world")"), json(R"({"n":1})")};
  append_event_packet(out, "/", "hello", args);
  EXPECT_EQ(out, R"(2["hello","world",{"n":1}])");
}

TEST(EventEncode, NoArguments) {
  std::string out;
  append_event_packet(out, "/", "ping", {});
  EXPECT_EQ(out, R"(2["ping"])");
}

TEST(EventEncode, CustomNamespaceWithAckId) {
  std::string out = "4";
  const boost::json::value arg = json("[1,2]");
  append_event_packet(out, "/admin", "list", {&arg, 1}, 12);
  EXPECT_EQ(out, R"(42/admin,12["list",[1,2]])");
}

TEST(EventEncode, BinaryEventWithAttachments) {
  std::string out;
  const std::vector<boost::json::value> args = {json(R"({"_placeholder":true,"num":0})"),
                                                json(R"({"nested":[{"_placeholder":true,"num":1}]})")};
  append_event_packet(out, "/", "bin-back", args, std::nullopt, 2);
  EXPECT_EQ(out, R"(52-["bin-back",{"_placeholder":true,"num":0},{"nested":[{"_placeholder":true,"num":1}]}])");
}

TEST(EventEncode, BinaryEventOnNamespaceWithAck) {
  std::string out;
  const boost::json::value arg = json(R"({"_placeholder":true,"num":0})");
  append_event_packet(out, "/admin", "up", {&arg, 1}, 5, 1);
  EXPECT_EQ(out, R"(51-/admin,5["up",{"_placeholder":true,"num":0}])");
}

TEST(EventEncode, EscapesTheEventName) {
  std::string out;
  append_event_packet(out, "/", "a\"b\\c\n", {});
  EXPECT_EQ(out, R"(2["a\"b\\c\n"])");
  std::string error;
  auto decoded = decode_socket_packet(out, error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(decoded->data.as_array()[0], "a\"b\\c\n");
}

TEST(EventEncode, MatchesTheGeneralEncoder) {
  const std::vector<boost::json::value> args = {json(R"("x")"), json("3"), json(R"({"deep":[[{"k":"v"}]]})")};
  std::string fast;
  append_event_packet(fast, "/admin", "evt", args, 99);
  boost::json::array array{"evt"};
  for (const auto& arg : args) array.push_back(arg);
  EXPECT_EQ(fast, encode(make_packet(SocketPacketType::event, "/admin", 99, std::move(array))));
}

TEST(EventEncode, LargeArgumentIsWrittenWhole) {
  // Larger than one serializer read, and appended to a string that already has reserved room.
  std::string big(100000, 'x');
  const boost::json::value arg = boost::json::string(big);
  std::string out;
  out.reserve(1 << 20);
  append_event_packet(out, "/", "big", {&arg, 1});
  EXPECT_EQ(out, "2[\"big\",\"" + big + "\"]");
}

TEST(AckEncode, RootWithArguments) {
  std::string out;
  const std::vector<boost::json::value> args = {json(R"("ok")"), json("1")};
  append_ack_packet(out, "/", 7, args);
  EXPECT_EQ(out, R"(37["ok",1])");
}

TEST(AckEncode, EmptyArguments) {
  std::string out;
  append_ack_packet(out, "/", 0, {});
  EXPECT_EQ(out, "30[]");
}

TEST(AckEncode, CustomNamespace) {
  std::string out;
  const boost::json::value arg = json(R"({"a":1})");
  append_ack_packet(out, "/admin", 13, {&arg, 1});
  EXPECT_EQ(out, R"(3/admin,13[{"a":1}])");
}

TEST(AckEncode, BinaryAckWithAttachments) {
  std::string out = "4";
  const boost::json::value arg = json(R"({"_placeholder":true,"num":0})");
  append_ack_packet(out, "/", 789, {&arg, 1}, 1);
  EXPECT_EQ(out, R"(461-789[{"_placeholder":true,"num":0}])");
  out.clear();
  append_ack_packet(out, "/admin", 2, {&arg, 1}, 1);
  EXPECT_EQ(out, R"(61-/admin,2[{"_placeholder":true,"num":0}])");
}

TEST(AppendJson, WritesCompactJson) {
  std::string out = "x";
  append_json(out, json(R"( { "a" : [ 1 , "b" , null , true ] } )"));
  EXPECT_EQ(out, R"(x{"a":[1,"b",null,true]})");
}

TEST(CountPlaceholders, CountsNestedPlaceholders) {
  EXPECT_EQ(count_placeholders(json(R"(["bin",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])")), 2u);
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":true,"num":3})")), 1u);
  EXPECT_EQ(count_placeholders(json(R"({"a":{"b":{"c":[[{"_placeholder":true,"num":0}]]}}})")), 1u);
}

TEST(CountPlaceholders, IgnoresLookalikes) {
  EXPECT_EQ(count_placeholders(json(R"(["x",1,"s",null])")), 0u);
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":false,"num":0})")), 0u);
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":"true","num":0})")), 0u);
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":true})")), 0u);
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":true,"num":"0"})")), 0u);
  EXPECT_EQ(count_placeholders(json(R"({"num":0})")), 0u);
}

TEST(CountPlaceholders, DoesNotDescendIntoAPlaceholder) {
  EXPECT_EQ(count_placeholders(json(R"({"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":1}})")), 1u);
}

}  // namespace
}  // namespace sg::proto
