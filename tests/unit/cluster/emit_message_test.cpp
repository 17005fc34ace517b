// Emit messages: the @socket.io/redis-emitter format, channels, exactly-once splitting of
// multi-room emits, and refusal of messages that are not emits.
#include "../../../src/cluster/emit_message.hpp"
#include "../../../src/cluster/msgpack_codec.hpp"

#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

ClusterEmit decoded(const std::string& payload) {
  std::string error;
  auto emit = decode_emit(payload, error);
  EXPECT_TRUE(emit.has_value()) << error;
  return emit.value_or(ClusterEmit{});
}

TEST(EmitMessage, Channels) {
  EXPECT_EQ(emit_channel("socket.io", "/", {}), "socket.io#/#");
  const std::vector<std::string> one{"user:42"};
  EXPECT_EQ(emit_channel("socket.io", "/", one), "socket.io#/#user:42#");
  const std::vector<std::string> two{"a", "b"};
  EXPECT_EQ(emit_channel("app", "/chat", two), "app#/chat#");
}

TEST(EmitMessage, RoundTripOfOneRoomEmitWithBinary) {
  sio::EmitTarget target{"/", {"room-1"}, {"muted"}};
  const boost::json::value arguments[] = {boost::json::object{{"n", 1}},
                                          boost::json::object{{"_placeholder", true}, {"num", 0}}};
  const std::vector<std::string> attachments{std::string("\x01\x02", 2)};
  const auto messages = encode_emit("socket.io", "node1", target, "ev", arguments, attachments);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].channel, "socket.io#/#room-1#");
  const auto emit = decoded(messages[0].payload);
  EXPECT_EQ(emit.uid, "node1");
  EXPECT_EQ(emit.event, "ev");
  EXPECT_EQ(emit.target.rooms, std::vector<std::string>{"room-1"});
  EXPECT_EQ(emit.target.except_rooms, std::vector<std::string>{"muted"});
  ASSERT_EQ(emit.arguments.size(), 2u);
  EXPECT_EQ(emit.arguments[0], arguments[0]);
  EXPECT_EQ(emit.attachments, attachments);
}

TEST(EmitMessage, SeveralRoomsBecomeOneMessagePerRoomExceptingEarlierRooms) {
  sio::EmitTarget target{"/", {"a", "b", "c"}, {"x"}};
  const auto messages = encode_emit("p", "n", target, "ev", {}, {});
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].channel, "p#/#c#");
  const auto last = decoded(messages[2].payload);
  EXPECT_EQ(last.target.rooms, std::vector<std::string>{"c"});
  EXPECT_EQ(last.target.except_rooms, (std::vector<std::string>{"x", "a", "b"}));
}

TEST(EmitMessage, BroadcastGoesToTheNamespaceChannel) {
  sio::EmitTarget target{"/admin", {}, {}};
  const auto messages = encode_emit("socket.io", "n", target, "ev", {}, {});
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].channel, "socket.io#/admin#");
  EXPECT_EQ(decoded(messages[0].payload).target.nsp, "/admin");
}

TEST(EmitMessage, RefusesWhatIsNotAnEmit) {
  std::string error;
  auto encode = [](const boost::json::value& value) {
    std::string out;
    encode_msgpack(value, {}, out);
    return out;
  };
  EXPECT_FALSE(decode_emit("garbage", error));
  EXPECT_FALSE(decode_emit(encode(boost::json::object{}), error));
  const boost::json::object options{{"rooms", boost::json::array{}}, {"except", boost::json::array{}}};
  EXPECT_FALSE(decode_emit(encode(boost::json::array{"u", boost::json::object{{"type", 3}, {"data", boost::json::array{"e"}}}, options}), error));
  EXPECT_EQ(error, "packet is not an event");
  EXPECT_FALSE(decode_emit(encode(boost::json::array{"u", boost::json::object{{"type", 2}, {"data", boost::json::array{"e"}}}}), error));
  EXPECT_EQ(error, "not an [uid, packet, opts] array");
  EXPECT_FALSE(decode_emit(encode(boost::json::array{"u", boost::json::object{{"type", 2}, {"data", boost::json::array{"e"}}, {"nsp", 4}}, options}), error));
  EXPECT_EQ(error, "nsp is not a string");
  EXPECT_FALSE(decode_emit(encode(boost::json::array{"u", boost::json::object{{"type", 2}, {"data", boost::json::array{1}}}}), error));
  EXPECT_FALSE(decode_emit(encode(boost::json::array{"u", boost::json::object{{"type", 2}, {"data", boost::json::array{"e"}}},
                                                     boost::json::object{{"rooms", 5}}}),
                           error));
}

}  // namespace
}  // namespace sg::cluster
