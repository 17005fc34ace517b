// The polling -> WebSocket upgrade (PROTOCOL.md §2.1): 2probe answered 3probe on the
// probe, pending and new GETs answered with a noop, 5 switching transports and flushing the
// buffer onto the new peer in order, polling refused afterwards (code 3), and the ways a
// probe fails (early 5, stray packet, probe closed, upgrade timeout, second WebSocket,
// unknown sid, upgrades disabled) leaving the polling session intact.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using testing::FakeWebSocketPeer;

const std::string kBadRequest = R"({"code":3,"message":"Bad request"})";

struct UpgradeTest : ::testing::Test {
  void SetUp() override {
    sid = harness.handshake();
    ASSERT_FALSE(sid.empty());
  }
  EngineHarness harness;
  std::string sid;
  std::shared_ptr<FakeWebSocketPeer> probe = std::make_shared<FakeWebSocketPeer>();
};

TEST_F(UpgradeTest, CompletesTheProbeSequenceAndFlushesTheBufferOntoTheNewPeer) {
  auto get = harness.get(sid);
  harness.drain();
  ASSERT_FALSE(get->answered());

  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  ASSERT_TRUE(session);
  EXPECT_EQ(session.get(), &harness.last_session());
  EXPECT_TRUE(probe->sent.empty()) << "nothing is sent on the probe before 2probe";

  session->on_websocket_message(probe.get(), "2probe", false);
  ASSERT_EQ(probe->sent_payloads(), std::vector<std::string>{"3probe"});
  ASSERT_TRUE(get->answered()) << "the pending GET is released so the client can send 5";
  EXPECT_EQ(get->reply->body, "6");

  // Sent during the upgrade: buffered, neither on the probe nor on a GET.
  session->send(EncodedPacket::text("4during-upgrade"));
  auto get_during_upgrade = harness.get(sid);
  ASSERT_TRUE(get_during_upgrade->answered());
  EXPECT_EQ(get_during_upgrade->reply->body, "6");
  harness.drain();
  EXPECT_EQ(probe->sent.size(), 1u);

  session->on_websocket_message(probe.get(), "5", false);
  EXPECT_EQ(session->transport(), TransportKind::websocket);
  EXPECT_EQ(probe->sent_payloads(), (std::vector<std::string>{"3probe", "4during-upgrade"}));
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 0);
  EXPECT_EQ(harness.engine.session_count(TransportKind::websocket), 1);

  session->send(EncodedPacket::text("4after"));
  EXPECT_EQ(probe->sent_payloads().back(), "4after");
  session->on_websocket_message(probe.get(), "4from-ws", false);
  ASSERT_EQ(harness.listener.messages.size(), 1u);
  EXPECT_EQ(harness.listener.messages[0].data, "from-ws");

  auto polling_after = harness.get(sid);
  ASSERT_TRUE(polling_after->answered());
  EXPECT_EQ(polling_after->reply->status, 400u);
  EXPECT_EQ(polling_after->reply->body, kBadRequest);
  auto post_after = harness.post(sid, "4x");
  ASSERT_TRUE(post_after->answered());
  EXPECT_EQ(post_after->reply->body, kBadRequest);
  EXPECT_TRUE(harness.listener.closes.empty());
}

TEST_F(UpgradeTest, PacketsBufferedBeforeTheUpgradeAreFlushedInOrder) {
  Session& session = harness.last_session();
  session.send(EncodedPacket::text("4one"));
  session.send(EncodedPacket::binary("two"));
  auto accepted = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  accepted->on_websocket_message(probe.get(), "2probe", false);
  accepted->on_websocket_message(probe.get(), "5", false);
  EXPECT_EQ(probe->sent_payloads(), (std::vector<std::string>{"3probe", "4one", "two"}));
  EXPECT_TRUE(probe->sent[2]->is_binary());
}

TEST_F(UpgradeTest, UpgradeBeforeTheProbeIsConfirmedAbandonsTheProbe) {
  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  session->on_websocket_message(probe.get(), "5", false);
  EXPECT_EQ(probe->close_calls, 1);
  EXPECT_EQ(session->transport(), TransportKind::polling);
  EXPECT_TRUE(harness.listener.closes.empty()) << "the polling session goes on";
  auto get = harness.get(sid);
  session->send(EncodedPacket::text("4still-polling"));
  harness.drain();
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4still-polling");
}

TEST_F(UpgradeTest, AnyOtherPacketOnTheProbeClosesTheProbeOnly) {
  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  session->on_websocket_message(probe.get(), "4hello", false);
  EXPECT_EQ(probe->close_calls, 1);
  EXPECT_TRUE(harness.listener.messages.empty());
  EXPECT_TRUE(session->is_open());
  EXPECT_EQ(session->transport(), TransportKind::polling);
}

TEST_F(UpgradeTest, ASecondWebSocketForAnUpgradedSessionIsClosed) {
  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  session->on_websocket_message(probe.get(), "2probe", false);
  session->on_websocket_message(probe.get(), "5", false);

  auto second = std::make_shared<FakeWebSocketPeer>();
  harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_TRUE(second->sent.empty());
  EXPECT_EQ(probe->close_calls, 0) << "the upgraded transport is untouched";
}

TEST_F(UpgradeTest, AWebSocketForAnUnknownSidIsRefused) {
  auto refused = harness.engine.accept_websocket(EngineHarness::websocket_query("nope"), {}, probe);
  EXPECT_FALSE(refused);
  EXPECT_EQ(probe->close_calls, 1);
}

TEST_F(UpgradeTest, AbandonsAProbeThatDoesNotFinishWithinTheUpgradeTimeout) {
  EngineOptions options = testing::quiet_options();
  options.upgrade_timeout = std::chrono::milliseconds(20);
  EngineHarness timed(options);
  const std::string timed_sid = timed.handshake();
  auto session = timed.engine.accept_websocket(EngineHarness::websocket_query(timed_sid), {}, probe);
  session->on_websocket_message(probe.get(), "2probe", false);
  ASSERT_TRUE(timed.run_until([&] { return probe->close_calls > 0; }));
  EXPECT_EQ(session->transport(), TransportKind::polling);
  EXPECT_TRUE(timed.listener.closes.empty());
  auto get = timed.get(timed_sid);
  session->send(EncodedPacket::text("4polling-again"));
  timed.drain();
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4polling-again");
}

TEST(UpgradeDisabled, RefusesTheProbeWhenUpgradesAreOff) {
  EngineOptions options = testing::quiet_options();
  options.allow_upgrades = false;
  EngineHarness harness(options);
  const std::string sid = harness.handshake();
  auto probe = std::make_shared<FakeWebSocketPeer>();
  harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  EXPECT_EQ(probe->close_calls, 1);
  EXPECT_TRUE(probe->sent.empty());
}

TEST_F(UpgradeTest, ProbeSocketClosingResumesPolling) {
  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  session->on_websocket_message(probe.get(), "2probe", false);
  session->send(EncodedPacket::text("4buffered"));
  session->on_websocket_closed(probe.get());
  EXPECT_TRUE(harness.listener.closes.empty());
  auto get = harness.get(sid);
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4buffered");
}

}  // namespace
}  // namespace sg::eio
