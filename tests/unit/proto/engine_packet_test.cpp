// Unit tests for Engine.IO v4 text packets and the long-polling payload framing
// (\x1e separators, "b" + base64 binary records).
#include "proto/engine_packet.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sg::proto {
namespace {

TEST(EngineText, DecodesEveryPacketType) {
  const std::string types = "0123456";
  for (char type : types) {
    const std::string text = std::string(1, type) + "data";
    auto packet = decode_engine_text(text);
    ASSERT_TRUE(packet) << text;
    EXPECT_EQ(static_cast<char>(packet->type), type);
    EXPECT_EQ(packet->data, "data");
    EXPECT_FALSE(packet->binary);
  }
}

TEST(EngineText, KeepsTheDataAfterTheType) {
  auto ping = decode_engine_text("2probe");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->type, EnginePacketType::ping);
  EXPECT_EQ(ping->data, "probe");
  auto message = decode_engine_text("4");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->type, EnginePacketType::message);
  EXPECT_TRUE(message->data.empty());
}

TEST(EngineText, RejectsUnknownTypes) {
  EXPECT_FALSE(decode_engine_text(""));
  EXPECT_FALSE(decode_engine_text("7"));
  EXPECT_FALSE(decode_engine_text("abc"));
  EXPECT_FALSE(decode_engine_text("bAQID"));  // binary records are polling-only
  EXPECT_FALSE(decode_engine_text("/4"));
}

TEST(PollingPayload, SplitsOnRecordSeparator) {
  auto records = split_polling_payload("4hello\x1e" "2\x1e" "4world");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "4hello");
  EXPECT_EQ(records[1], "2");
  EXPECT_EQ(records[2], "4world");
}

TEST(PollingPayload, EmptyBodyHasNoRecords) { EXPECT_TRUE(split_polling_payload("").empty()); }

TEST(PollingPayload, SingleRecordWithoutSeparator) {
  auto records = split_polling_payload("40");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], "40");
}

TEST(PollingPayload, KeepsEmptyRecordsSoTheyCanBeRejected) {
  std::string storage;
  auto records = split_polling_payload("4a\x1e\x1e" "4b\x1e");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1], "");
  EXPECT_EQ(records[3], "");
  EXPECT_FALSE(decode_polling_record(records[1], storage));
}

TEST(PollingPayload, DecodesBinaryRecord) {
  std::string storage;
  auto packet = decode_polling_record("bAQIDBA==", storage);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, EnginePacketType::message);
  EXPECT_TRUE(packet->binary);
  EXPECT_EQ(packet->data, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(packet->data.data(), storage.data());
}

TEST(PollingPayload, DecodesEmptyBinaryRecord) {
  std::string storage = "stale";
  auto packet = decode_polling_record("b", storage);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->binary);
  EXPECT_TRUE(packet->data.empty());
}

TEST(PollingPayload, DecodesTextRecord) {
  std::string storage;
  auto packet = decode_polling_record("42[\"a\"]", storage);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, EnginePacketType::message);
  EXPECT_FALSE(packet->binary);
  EXPECT_EQ(packet->data, "2[\"a\"]");
}

TEST(PollingPayload, RejectsBadBase64AndBadType) {
  std::string storage;
  EXPECT_FALSE(decode_polling_record("bAQID!A==", storage));
  EXPECT_FALSE(decode_polling_record("bAQIDBA=", storage));
  EXPECT_FALSE(decode_polling_record("x", storage));
  EXPECT_FALSE(decode_polling_record("", storage));
}

TEST(PollingPayload, AppendsRecordsWithSeparators) {
  std::string body;
  append_polling_record(body, "4hello", false);
  EXPECT_EQ(body, "4hello");
  append_polling_record(body, std::string("\x01\x02\x03\x04", 4), true);
  append_polling_record(body, "2", false);
  EXPECT_EQ(body, "4hello\x1e" "bAQIDBA==\x1e" "2");
}

TEST(PollingPayload, AppendedBinaryRecordsSplitAndDecodeBack) {
  std::string body;
  append_polling_record(body, "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]", false);
  const std::string attachment("\x00\xff\x10\x1e", 4);  // includes a \x1e byte, safe once base64'd
  append_polling_record(body, attachment, true);
  auto records = split_polling_payload(body);
  ASSERT_EQ(records.size(), 2u);
  std::string storage;
  auto text = decode_polling_record(records[0], storage);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->data, "51-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
  auto binary = decode_polling_record(records[1], storage);
  ASSERT_TRUE(binary);
  EXPECT_TRUE(binary->binary);
  EXPECT_EQ(binary->data, attachment);
}

}  // namespace
}  // namespace sg::proto
