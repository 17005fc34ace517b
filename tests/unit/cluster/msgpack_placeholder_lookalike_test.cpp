// Maps shaped like a binary placeholder whose "num" is no attachment index — a string, a
// fraction, a negative or too large number — are encoded as ordinary maps, never thrown on.
// Such maps reach the encoder from an HTTP API body, a client's payload relayed by an
// application, or an external emitter's message. Found by the msgpack_codec fuzz target
// (tests/fuzz); before the fix encoding threw out of encode_emit.
#include "../../../src/cluster/emit_message.hpp"
#include "../../../src/cluster/msgpack_codec.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

boost::json::value round_trip(const boost::json::value& value, const std::vector<std::string>& attachments) {
  std::string encoded;
  encode_msgpack(value, attachments, encoded);
  std::vector<std::string> decoded_attachments;
  std::string error;
  auto decoded = decode_msgpack(encoded, decoded_attachments, error);
  EXPECT_TRUE(decoded) << error;
  EXPECT_TRUE(decoded_attachments.empty());
  return decoded.value_or(nullptr);
}

TEST(MsgpackPlaceholderLookalike, NumThatIsNotAnIndexKeepsTheMap) {
  const std::vector<std::string> attachments{"bytes"};
  for (const boost::json::value& num : {boost::json::value("x"), boost::json::value(0.5), boost::json::value(-1),
                                        boost::json::value(std::uint64_t{1} << 63), boost::json::value(nullptr)}) {
    const boost::json::value map = boost::json::object{{"_placeholder", true}, {"num", num}};
    EXPECT_EQ(round_trip(map, attachments), map) << boost::json::serialize(map);
  }
}

TEST(MsgpackPlaceholderLookalike, TheFuzzersInputDecodesAndEncodes) {
  const std::string input("\x82\xac_placeholder\xc3\xa3num\xa1x", 21);
  std::vector<std::string> attachments;
  std::string error;
  const auto value = decode_msgpack(input, attachments, error);
  ASSERT_TRUE(value) << error;
  std::string encoded;
  encode_msgpack(*value, attachments, encoded);
  EXPECT_EQ(encoded, input);
}

TEST(MsgpackPlaceholderLookalike, AnEmitCarryingOneIsEncoded) {
  const boost::json::value arguments[] = {boost::json::object{{"_placeholder", true}, {"num", "0"}}};
  const std::vector<std::string> attachments{"bytes"};
  const auto messages = encode_emit("socket.io", "node1", sio::EmitTarget{}, "ev", arguments, attachments);
  ASSERT_EQ(messages.size(), 1u);
  std::string error;
  const auto emit = decode_emit(messages[0].payload, error);
  ASSERT_TRUE(emit) << error;
  EXPECT_EQ(emit->arguments.front(), arguments[0]);
}

}  // namespace
}  // namespace sg::cluster
