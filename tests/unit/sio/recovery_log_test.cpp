// RecoveryLog and SessionStore (connection-state recovery): offsets in order and as the
// packet's last argument; what a socket missed follows socket.io-adapter's rule (a broadcast
// or one of its rooms, none of the excepted rooms, its namespace only); an offset from the
// future or older than an entry dropped for bytes cannot be served; the byte limit drops the
// oldest entries and counts them; sessions come back once, only to the same user and
// namespace, and not after the window.
#include "../../../src/sio/recovery_log.hpp"
#include "../../../src/sio/session_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sg::sio {
namespace {

using namespace std::chrono_literals;

EncodedEmit encode_with(std::string_view offset) {
  EncodedEmit encoded;
  encoded.head = EncodedPacket::text("42[\"e\",\"" + std::string(offset) + "\"]");
  return encoded;
}

std::uint64_t add(RecoveryLog& log, std::vector<std::string> rooms, std::vector<std::string> except = {},
                  std::size_t nsp = 0) {
  return log.append(nsp, rooms, except, encode_with).seq;
}

std::vector<std::uint64_t> seqs(const RecoveryLog::Missed& missed) {
  std::vector<std::uint64_t> out;
  for (const auto& emit : missed.emits) out.push_back(emit.seq);
  return out;
}

TEST(RecoveryLog, OffsetsFollowEachOtherAndReachTheEncoder) {
  GatewayMetrics metrics;
  RecoveryLog log(60s, 1 << 20, metrics);
  const auto first = log.append(0, {"a"}, {}, encode_with);
  const auto second = log.append(0, {"a"}, {}, encode_with);
  EXPECT_EQ(first.seq + 1, second.seq);
  EXPECT_EQ(second.head->payload(), "42[\"e\",\"" + RecoveryLog::offset_text(second.seq) + "\"]");
  EXPECT_EQ(log.last_seq(), second.seq);
  EXPECT_EQ(RecoveryLog::parse_offset(RecoveryLog::offset_text(second.seq)), second.seq);
  for (const char* garbage : {"", "x1", "12x", "-3", "1.5", "99999999999999999999999"})
    EXPECT_FALSE(RecoveryLog::parse_offset(garbage).has_value()) << garbage;
}

TEST(RecoveryLog, MissedFollowsTheRoomRuleOfSocketIoAdapter) {
  GatewayMetrics metrics;
  RecoveryLog log(60s, 1 << 20, metrics);
  const auto start = log.last_seq();
  const auto to_mine = add(log, {"mine"});
  add(log, {"other"});
  const auto broadcast = add(log, {});
  add(log, {}, {"mine"});                 // a broadcast excepting one of my rooms
  add(log, {"mine"}, {}, 1);              // another namespace
  const auto to_both = add(log, {"other", "user:ann"});
  const auto missed = log.missed_after(start, 0, {"mine", "user:ann"});
  ASSERT_TRUE(missed.has_value());
  EXPECT_EQ(seqs(*missed), (std::vector<std::uint64_t>{to_mine, broadcast, to_both}));
  EXPECT_EQ(missed->through_seq, log.last_seq());
  const auto later = log.missed_after(broadcast, 0, {"mine", "user:ann"});
  EXPECT_EQ(seqs(*later), (std::vector<std::uint64_t>{to_both}));
}

TEST(RecoveryLog, AnOffsetFromTheFutureCannotBeServed) {
  GatewayMetrics metrics;
  RecoveryLog log(60s, 1 << 20, metrics);
  add(log, {"a"});
  EXPECT_FALSE(log.missed_after(log.last_seq() + 1, 0, {"a"}).has_value());
  EXPECT_TRUE(log.missed_after(log.last_seq(), 0, {"a"}).has_value());
}

TEST(RecoveryLog, TheByteLimitDropsTheOldestAndOlderOffsetsAreRefused) {
  GatewayMetrics metrics;
  RecoveryLog log(60s, 2000, metrics);
  const auto first = add(log, {"a"});
  for (int i = 0; i < 50; ++i) add(log, {"a"});
  EXPECT_GT(metrics.recovery_packets_dropped.load(), 0u);
  EXPECT_LE(metrics.recovery_log_bytes.load(), 2000);
  EXPECT_FALSE(log.missed_after(first, 0, {"a"}).has_value()) << "entries after it were dropped";
  const auto recent = log.last_seq() - 2;
  const auto missed = log.missed_after(recent, 0, {"a"});
  ASSERT_TRUE(missed.has_value());
  EXPECT_EQ(missed->emits.size(), 2u);
}

TEST(RecoveryLog, EntriesOlderThanTheWindowGoWithoutRefusingOffsets) {
  GatewayMetrics metrics;
  RecoveryLog log(20ms, 1 << 20, metrics);
  const auto old = add(log, {"a"});
  std::this_thread::sleep_for(40ms);
  const auto fresh = add(log, {"a"});
  EXPECT_EQ(metrics.recovery_log_packets.load(), 1);
  const auto missed = log.missed_after(old, 0, {"a"});
  ASSERT_TRUE(missed.has_value());
  EXPECT_EQ(seqs(*missed), (std::vector<std::uint64_t>{fresh}));
}

PersistedSession session_of(std::string pid, std::string user, std::size_t nsp = 0) {
  return PersistedSession{std::move(pid), "sid-" + user, std::move(user), nsp, {"user:x"}, 0,
                          std::chrono::steady_clock::now()};
}

TEST(SessionStore, ASessionComesBackOnceToItsUserAndNamespaceOnly) {
  std::atomic<std::int64_t> kept{0};
  SessionStore store(60s, kept);
  store.keep(session_of("pid-1", "ann"));
  EXPECT_EQ(kept.load(), 1);
  EXPECT_FALSE(store.take("pid-1", 0, "bob").has_value());
  EXPECT_FALSE(store.take("pid-1", 1, "ann").has_value());
  EXPECT_FALSE(store.take("pid-2", 0, "ann").has_value());
  const auto back = store.take("pid-1", 0, "ann");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sid, "sid-ann");
  EXPECT_FALSE(store.take("pid-1", 0, "ann").has_value()) << "a pid serves once";
  EXPECT_EQ(kept.load(), 0);
}

TEST(SessionStore, ASessionIsForgottenAfterTheWindow) {
  std::atomic<std::int64_t> kept{0};
  SessionStore store(20ms, kept);
  store.keep(session_of("pid-1", "ann"));
  std::this_thread::sleep_for(40ms);
  EXPECT_FALSE(store.take("pid-1", 0, "ann").has_value());
  EXPECT_EQ(kept.load(), 0);
}

}  // namespace
}  // namespace sg::sio
