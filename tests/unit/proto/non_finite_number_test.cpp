// Non-finite numbers in Socket.IO payloads: "1e400" is valid JSON that parses to infinity
// (in JavaScript too), and a MessagePack emitter can send NaN. The encoders must never write
// them as Infinity or NaN, which no client's JSON parser accepts: they become null, as
// JSON.stringify writes them. Found by the socket_packet fuzz target (tests/fuzz).
#include "proto/socket_packet.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace sg::proto {
namespace {

TEST(NonFiniteNumbers, AHugeExponentDecodesAndEncodesBackAsValidJson) {
  // The fuzzer's input: an event named by a number too large for a double. It is a valid
  // event (names may be numbers); encoded again, its JSON must parse.
  std::string error;
  const auto packet = decode_socket_packet("2[55555010000000000E02247525]", error);
  ASSERT_TRUE(packet) << error;
  std::string out;
  append_socket_packet(out, *packet);
  EXPECT_EQ(out, "2[null]");
  boost::system::error_code ec;
  boost::json::parse(std::string_view(out).substr(1), ec);
  EXPECT_FALSE(ec) << out;
}

TEST(NonFiniteNumbers, AHugeArgumentComesBackAsNull) {
  std::string error;
  const auto packet = decode_socket_packet(R"(2["e",1e400,-1e400])", error);
  ASSERT_TRUE(packet) << error;
  std::string out;
  append_socket_packet(out, *packet);
  EXPECT_EQ(out, R"(2["e",null,null])");
  const auto again = decode_socket_packet(out, error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(again->data, boost::json::parse(R"(["e",null,null])"));
}

TEST(NonFiniteNumbers, EventArgumentsAreWrittenAsNull) {
  const boost::json::value args[] = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                     std::numeric_limits<double>::quiet_NaN(), boost::json::array{1.5, std::nan("")},
                                     boost::json::object{{"x", std::numeric_limits<double>::infinity()}}};
  std::string out;
  append_event_packet(out, "/", "e", args);
  EXPECT_EQ(out, R"(2["e",null,null,null,[1.5E0,null],{"x":null}])");
}

TEST(NonFiniteNumbers, AckArgumentsAreWrittenAsNull) {
  const boost::json::value args[] = {std::numeric_limits<double>::infinity()};
  std::string out;
  append_ack_packet(out, "/", 7, args);
  EXPECT_EQ(out, "37[null]");
}

TEST(NonFiniteNumbers, StringsThatSpellThemAreKept) {
  const boost::json::value args[] = {"NaN", "Infinity", 2.5};
  std::string out;
  append_event_packet(out, "/", "e", args);
  EXPECT_EQ(out, R"(2["e","NaN","Infinity",2.5E0])");
}

}  // namespace
}  // namespace sg::proto
