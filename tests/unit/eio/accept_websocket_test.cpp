// Engine::accept_websocket returns nullptr when it refuses (and closes) the peer: a sid whose
// session is already upgraded, already probing, or does not allow upgrades.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using testing::FakeWebSocketPeer;

TEST(AcceptWebSocket, ReturnsNullWhenTheSessionIsAlreadyUpgraded) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto probe = std::make_shared<FakeWebSocketPeer>();
  auto session = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  ASSERT_TRUE(session);
  session->on_websocket_message(probe.get(), "2probe", false);
  session->on_websocket_message(probe.get(), "5", false);
  ASSERT_EQ(session->transport(), TransportKind::websocket);

  auto second = std::make_shared<FakeWebSocketPeer>();
  auto refused = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_EQ(refused, nullptr) << "the peer was refused and closed";
}

TEST(AcceptWebSocket, ReturnsNullWhenAProbeIsAlreadyRunning) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto probe = std::make_shared<FakeWebSocketPeer>();
  ASSERT_TRUE(harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe));

  auto second = std::make_shared<FakeWebSocketPeer>();
  auto refused = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_EQ(refused, nullptr);
}

TEST(AcceptWebSocket, ReturnsNullWhenUpgradesAreDisabled) {
  EngineOptions options = testing::quiet_options();
  options.allow_upgrades = false;
  EngineHarness harness(options);
  const std::string sid = harness.handshake();
  auto probe = std::make_shared<FakeWebSocketPeer>();
  auto refused = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe);
  EXPECT_EQ(probe->close_calls, 1);
  EXPECT_EQ(refused, nullptr);
}

}  // namespace
}  // namespace sg::eio
