// PENDING FIX (src/eio/engine.cpp, Engine::accept_websocket, and Session::begin_probe in
// src/eio/session_websocket.cpp): kept apart so the rest of unit_eio stays green. Run them
// alone with --gtest_filter='PendingFix*'; exclude them with --gtest_filter='-PendingFix*'.
//
// engine.hpp promises that accept_websocket "Returns the session the host feeds messages
// to, or nullptr when the peer was refused (and closed)". When the sid names a session that
// cannot take a probe (already upgraded, already probing, or upgrades disabled),
// begin_probe() closes the peer but accept_websocket still returns the session, so the host
// keeps feeding a refused, closing peer to it. Either the function should return nullptr
// in that case (begin_probe reporting whether it accepted), or the header should say so.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using testing::FakeWebSocketPeer;

TEST(PendingFixAcceptWebSocket, ReturnsNullWhenTheSessionIsAlreadyUpgraded) {
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

TEST(PendingFixAcceptWebSocket, ReturnsNullWhenAProbeIsAlreadyRunning) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto probe = std::make_shared<FakeWebSocketPeer>();
  ASSERT_TRUE(harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, probe));

  auto second = std::make_shared<FakeWebSocketPeer>();
  auto refused = harness.engine.accept_websocket(EngineHarness::websocket_query(sid), {}, second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_EQ(refused, nullptr);
}

TEST(PendingFixAcceptWebSocket, ReturnsNullWhenUpgradesAreDisabled) {
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
