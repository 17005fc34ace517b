// MessagePack codec: round trips, the exact bytes of known encodings, binary values as
// placeholders, and refusal of malformed, truncated, hostile or unsupported input.
#include "../../../src/cluster/msgpack_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

std::string encode(const boost::json::value& value, std::vector<std::string> attachments = {}) {
  std::string out;
  encode_msgpack(value, attachments, out);
  return out;
}

boost::json::value decode(std::string_view bytes, std::vector<std::string>* attachments = nullptr) {
  std::vector<std::string> scratch;
  std::string error;
  auto value = decode_msgpack(bytes, attachments ? *attachments : scratch, error);
  EXPECT_TRUE(value.has_value()) << error;
  return value.value_or(nullptr);
}

std::string refusal(std::string_view bytes) {
  std::vector<std::string> attachments;
  std::string error;
  EXPECT_FALSE(decode_msgpack(bytes, attachments, error).has_value());
  return error;
}

TEST(MsgpackCodec, KnownEncodings) {
  EXPECT_EQ(encode(nullptr), "\xc0");
  EXPECT_EQ(encode(true), "\xc3");
  EXPECT_EQ(encode(5), "\x05");
  EXPECT_EQ(encode(-1), "\xff");
  EXPECT_EQ(encode(200), std::string("\xcc\xc8", 2));
  EXPECT_EQ(encode(-200), std::string("\xd1\xff\x38", 3));
  EXPECT_EQ(encode(70000), std::string("\xce\x00\x01\x11\x70", 5));
  EXPECT_EQ(encode("ab"), "\xa2" "ab");
  EXPECT_EQ(encode(boost::json::array{1, 2}), std::string("\x92\x01\x02", 3));
  EXPECT_EQ(encode(boost::json::object{{"a", 1}}), std::string("\x81\xa1" "a\x01", 4));
  EXPECT_EQ(encode(1.5), std::string("\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00", 9));
}

TEST(MsgpackCodec, RoundTripsJson) {
  const auto value = boost::json::parse(
      R"({"s":"héllo","n":-123456789012,"u":18446744073709551615,"f":0.25,"b":false,"z":null,)"
      R"("a":[1,[2,[3]],{"k":"v"}],"long":")" + std::string(70000, 'x') + R"("})");
  EXPECT_EQ(decode(encode(value)), value);
}

TEST(MsgpackCodec, BinaryBecomesPlaceholdersAndBack) {
  const std::string bytes("\x00\x01\xff", 3);
  const boost::json::value value = boost::json::array{"x", boost::json::object{{"_placeholder", true}, {"num", 0}}};
  const std::string encoded = encode(value, {bytes});
  EXPECT_NE(encoded.find(std::string("\xc4\x03", 2) + bytes), std::string::npos);
  std::vector<std::string> attachments;
  EXPECT_EQ(decode(encoded, &attachments), value);
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0], bytes);
}

TEST(MsgpackCodec, PlaceholderWithoutAttachmentStaysAnObject) {
  const boost::json::value value = boost::json::object{{"_placeholder", true}, {"num", 3}};
  EXPECT_EQ(decode(encode(value)), value);
}

TEST(MsgpackCodec, RefusesBadInput) {
  EXPECT_EQ(refusal(""), "truncated");
  EXPECT_EQ(refusal("\xa5" "ab"), "truncated");
  EXPECT_EQ(refusal(std::string("\xdd\xff\xff\xff\xff", 5)), "truncated");  // huge array, no elements
  EXPECT_EQ(refusal(std::string("\x81\x01\x02", 3)), "map key is not a string");
  EXPECT_EQ(refusal(std::string("\xd4\x01\x02", 3)), "unsupported type (ext or reserved)");
  EXPECT_EQ(refusal("\xc1"), "unsupported type (ext or reserved)");
  EXPECT_EQ(refusal(std::string("\x01\x02", 2)), "trailing bytes");
  EXPECT_EQ(refusal(std::string(100, '\x91') + "\x01"), "nested too deeply");
}

}  // namespace
}  // namespace sg::cluster
