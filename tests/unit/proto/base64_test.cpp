// Unit tests for the strict base64 / base64url codec (RFC 4648 test vectors and the
// rejection of malformed input).
#include "proto/engine_packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sg::proto {
namespace {

const std::vector<std::pair<std::string, std::string>> kRfc4648Vectors = {
    {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648Vectors) EXPECT_EQ(encode_base64(plain), encoded) << plain;
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648Vectors) {
    auto decoded = decode_base64(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= all_bytes.size(); length += 37) {
    const std::string input = all_bytes.substr(0, length);
    auto decoded = decode_base64(encode_base64(input));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, input);
  }
}

TEST(Base64, EncodesHighBytesWithPlusAndSlash) {
  EXPECT_EQ(encode_base64("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(encode_base64url("\xfb\xff\xbf"), "-_-_");
}

TEST(Base64, AppendsAfterExistingText) {
  std::string out = "b";
  append_base64(out, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(out, "bAQIDBA==");
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(decode_base64("Zm9v!A=="));
  EXPECT_FALSE(decode_base64("Zm 9v"));
  EXPECT_FALSE(decode_base64("Zm9v\n"));
  EXPECT_FALSE(decode_base64("Zm-_"));  // url alphabet in a standard decode
  EXPECT_FALSE(decode_base64(std::string("Zm9\0", 4)));
  EXPECT_FALSE(decode_base64("Zm9v\xc3\xa9="));
}

TEST(Base64, RejectsBadPadding) {
  EXPECT_FALSE(decode_base64("Zg"));      // missing padding
  EXPECT_FALSE(decode_base64("Zg="));     // short padding
  EXPECT_FALSE(decode_base64("Zg==="));   // too much padding
  EXPECT_FALSE(decode_base64("Z==="));    // three pad characters
  EXPECT_FALSE(decode_base64("===="));
  EXPECT_FALSE(decode_base64("Zm=v"));    // padding in the middle of a group
  EXPECT_FALSE(decode_base64("Zg==Zm9v"));  // padding before more data
  EXPECT_FALSE(decode_base64("Zm9vY"));   // length not a multiple of four
}

TEST(Base64, RejectsNonZeroTrailingBits) {
  EXPECT_FALSE(decode_base64("Zh=="));  // "Zg==" with a stray low bit
  EXPECT_FALSE(decode_base64("Zm9="));  // "Zm8=" with a stray low bit
}

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(encode_base64url(""), "");
  EXPECT_EQ(encode_base64url("f"), "Zg");
  EXPECT_EQ(encode_base64url("fo"), "Zm8");
  EXPECT_EQ(encode_base64url("foo"), "Zm9v");
  EXPECT_EQ(encode_base64url("foob"), "Zm9vYg");
}

TEST(Base64Url, DecodesUnpaddedInput) {
  auto decoded = decode_base64url("-_-_Zm8");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, "\xfb\xff\xbf" "fo");
}

TEST(Base64Url, RejectsPaddingAndStandardAlphabet) {
  EXPECT_FALSE(decode_base64url("Zg=="));
  EXPECT_FALSE(decode_base64url("+/+/"));
  EXPECT_FALSE(decode_base64url("Zm9vY"));  // a lone symbol cannot end a group
  EXPECT_FALSE(decode_base64url("Zh"));     // stray low bits
}

}  // namespace
}  // namespace sg::proto
