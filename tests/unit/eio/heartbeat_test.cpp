// The Engine.IO v4 heartbeat: the server pings after pingInterval, the session closes with
// "ping timeout" when no pong follows within pingTimeout, and pongs keep it alive. Time
// advances through short run_for steps with 20 ms intervals; every wait ends as soon as
// the awaited reply or close has happened.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using namespace std::chrono_literals;

EngineOptions fast_heartbeat() {
  EngineOptions options = testing::quiet_options();
  options.ping_interval = 20ms;
  options.ping_timeout = 20ms;
  return options;
}

TEST(Heartbeat, SendsAPingAfterThePingInterval) {
  EngineHarness harness(fast_heartbeat());
  const std::string sid = harness.handshake();
  const auto started = std::chrono::steady_clock::now();
  auto get = harness.get(sid);
  ASSERT_TRUE(harness.run_until([&] { return get->answered(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 15ms) << "the ping waits for the interval";
  EXPECT_EQ(get->reply->body, "2");
}

TEST(Heartbeat, ClosesWithPingTimeoutWhenNoPongArrives) {
  EngineHarness harness(fast_heartbeat());
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  ASSERT_TRUE(harness.run_until([&] { return get->answered(); }));
  ASSERT_EQ(get->reply->body, "2");

  ASSERT_TRUE(harness.run_until([&] { return !harness.listener.closes.empty(); }));
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::ping_timeout});
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 0);

  auto later = harness.get(sid);
  ASSERT_TRUE(later->answered());
  EXPECT_EQ(later->reply->body, R"({"code":1,"message":"Session ID unknown"})");
}

TEST(Heartbeat, TimesOutEvenWhenTheClientNeverPolls) {
  EngineHarness harness(fast_heartbeat());
  harness.handshake();
  ASSERT_TRUE(harness.run_until([&] { return !harness.listener.closes.empty(); }));
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::ping_timeout});
}

TEST(Heartbeat, PongsKeepTheSessionAlive) {
  // A generous timeout, so that a busy machine pausing the test between the ping and its
  // pong cannot fail it; the rounds still outlast interval + timeout.
  EngineOptions options = fast_heartbeat();
  options.ping_timeout = 100ms;
  EngineHarness harness(options);
  const std::string sid = harness.handshake();
  const auto started = std::chrono::steady_clock::now();
  // Without the pongs the second timer expiry would close the session instead of pinging.
  for (int round = 0; round < 8; ++round) {
    auto get = harness.get(sid);
    ASSERT_TRUE(harness.run_until([&] { return get->answered(); })) << "round " << round;
    ASSERT_EQ(get->reply->body, "2") << "round " << round;
    auto pong = harness.post(sid, "3");
    ASSERT_EQ(pong->reply->body, "ok");
  }
  EXPECT_GT(std::chrono::steady_clock::now() - started, options.ping_interval + options.ping_timeout);
  EXPECT_TRUE(harness.listener.closes.empty());
  EXPECT_TRUE(harness.last_session().is_open());
}

TEST(Heartbeat, PingsAWebSocketSessionOnItsPeer) {
  EngineOptions options = fast_heartbeat();
  options.ping_timeout = 100ms;  // room for a busy machine between the ping and the pong
  EngineHarness harness(options);
  auto peer = std::make_shared<testing::FakeWebSocketPeer>();
  auto session = harness.engine.accept_websocket("EIO=4&transport=websocket", {}, peer);
  ASSERT_TRUE(session);
  ASSERT_TRUE(harness.run_until([&] { return peer->sent.size() >= 2; }));
  EXPECT_EQ(peer->sent_payloads()[1], "2");

  session->on_websocket_message(peer.get(), "3", false);
  ASSERT_TRUE(harness.run_until([&] { return peer->sent.size() >= 3; }));
  EXPECT_EQ(peer->sent_payloads()[2], "2");
  EXPECT_TRUE(harness.listener.closes.empty());

  ASSERT_TRUE(harness.run_until([&] { return !harness.listener.closes.empty(); }));
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::ping_timeout});
  EXPECT_EQ(peer->close_calls, 1);
}

}  // namespace
}  // namespace sg::eio
