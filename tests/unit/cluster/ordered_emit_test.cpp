// Ordered emit messages (cluster-wide recovery): a message encoded without its offset's value
// becomes a valid message once the publishing script's str8 id is appended, carries_offset
// tells such messages from plain ones, an external emitter's message is copied with exactly
// its rooms and excepts, and stream ids map to positions that order as the ids do.
#include "../../../src/cluster/cluster_scripts.hpp"
#include "../../../src/cluster/emit_message.hpp"
#include "sio/stream_position.hpp"

#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

TEST(OrderedEmit, CompletedByTheScriptsOffsetItDecodesWithIt) {
  sio::EmitTarget target{"/", {"room-1"}, {"muted"}};
  const boost::json::value arguments[] = {boost::json::object{{"n", 1}}};
  const auto messages = encode_emit("socket.io", "node1", target, "ev", arguments, {}, true);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].ordered);
  EXPECT_FALSE(carries_offset(messages[0].payload));
  std::string error;
  EXPECT_FALSE(decode_emit(messages[0].payload, error).has_value());  // the value is missing

  const std::string complete = messages[0].payload + encoded_offset("1733456789012-7");
  EXPECT_TRUE(carries_offset(complete));
  const auto emit = decode_emit(complete, error);
  ASSERT_TRUE(emit.has_value()) << error;
  EXPECT_EQ(emit->offset, "1733456789012-7");
  EXPECT_EQ(emit->uid, "node1");
  EXPECT_EQ(emit->target.rooms, std::vector<std::string>{"room-1"});
  EXPECT_EQ(emit->target.except_rooms, std::vector<std::string>{"muted"});
  ASSERT_EQ(emit->arguments.size(), 1u);
  EXPECT_EQ(emit->arguments[0], arguments[0]);
}

TEST(OrderedEmit, PlainMessagesCarryNoOffset) {
  sio::EmitTarget target{"/", {}, {}};
  const auto plain = encode_emit("socket.io", "node1", target, "offset", {}, {});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_FALSE(plain[0].ordered);
  EXPECT_FALSE(carries_offset(plain[0].payload));
  std::string error;
  const auto emit = decode_emit(plain[0].payload, error);
  ASSERT_TRUE(emit.has_value()) << error;
  EXPECT_TRUE(emit->offset.empty());
}

TEST(OrderedEmit, AnExternalMessageIsCopiedWithItsRoomsOnItsChannel) {
  // An emitter's multi-room message travels on the namespace channel as one message.
  ClusterEmit external;
  external.uid = "emitter";
  external.target = sio::EmitTarget{"/chat", {"a", "b"}, {"c"}};
  external.event = "notice";
  external.arguments.emplace_back("hello");
  const OutgoingEmit copy = encode_ordered_copy("socket.io#/chat#", external);
  EXPECT_EQ(copy.channel, "socket.io#/chat#");
  EXPECT_TRUE(copy.ordered);
  std::string error;
  const auto emit = decode_emit(copy.payload + encoded_offset("5-0"), error);
  ASSERT_TRUE(emit.has_value()) << error;
  EXPECT_EQ(emit->target.nsp, "/chat");
  EXPECT_EQ(emit->target.rooms, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(emit->target.except_rooms, std::vector<std::string>{"c"});
  EXPECT_EQ(emit->event, "notice");
  EXPECT_EQ(emit->offset, "5-0");
}

TEST(StreamPosition, OrdersAsTheIdsAndRoundTrips) {
  const auto early = sio::stream_position("1733456789012-0");
  const auto same_ms = sio::stream_position("1733456789012-15");
  const auto later = sio::stream_position("1733456789013-0");
  ASSERT_TRUE(early && same_ms && later);
  EXPECT_LT(*early, *same_ms);
  EXPECT_LT(*same_ms, *later);
  EXPECT_EQ(sio::stream_id(*same_ms), "1733456789012-15");
  for (const char* bad : {"", "17", "-1", "1-", "a-1", "1-b", "1-2-3", "1-1048576", " 1-1"})
    EXPECT_FALSE(sio::stream_position(bad).has_value()) << bad;
}

}  // namespace
}  // namespace sg::cluster

namespace sg::cluster {
namespace {

TEST(ClusterScripts, ShaIsTheHexSha1RedisNamesScriptsBy) {
  EXPECT_EQ(script_sha1(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(script_sha1("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

}  // namespace
}  // namespace sg::cluster
