// The life of Socket.IO connections around the emits: the connect timeout (and its end at
// the first CONNECT), removal from every room when the heartbeat times out (R7), several
// namespaces on one Engine.IO session, rooms kept apart per namespace, emits to empty
// rooms and unknown users, expired tokens, and Gateway::shutdown.
#include "gateway_harness.hpp"

#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;
using namespace std::chrono_literals;

const std::vector<std::string> kNothing;

std::int64_t polling_sessions(const GatewayHarness& harness) {
  return harness.gateway.session_count(eio::TransportKind::polling);
}

TEST(GatewayLifecycle, ClosesASessionThatNeverConnectsWithinTheConnectTimeout) {
  GatewayOptions options = testing::quiet_options();
  options.connect_timeout = 20ms;
  GatewayHarness harness(options);
  PollingClient client(harness);
  ASSERT_EQ(polling_sessions(harness), 1);
  ASSERT_TRUE(harness.run_until([&] { return polling_sessions(harness) == 0; }));
  EXPECT_EQ(client.receive(), std::vector<std::string>{"1"}) << "a server close, delivered on the next GET";
}

TEST(GatewayLifecycle, AConnectStopsTheConnectTimeoutForGood) {
  GatewayOptions options = testing::quiet_options();
  options.connect_timeout = 20ms;
  GatewayHarness harness(options);
  PollingClient client(harness);
  ASSERT_FALSE(client.connect().empty());
  client.send("41");  // leaving the only namespace does not restart the timer
  auto& context = harness.shards.context(0);
  context.restart();
  context.run_for(60ms);  // three times the timeout
  EXPECT_EQ(polling_sessions(harness), 1);
}

TEST(GatewayLifecycle, AHeartbeatTimeoutRemovesTheSocketFromEveryRoom) {
  GatewayOptions options = testing::quiet_options();
  options.engine.ping_interval = 200ms;  // the rooms are joined well before the first ping
  options.engine.ping_timeout = 20ms;
  GatewayHarness harness(options);
  std::vector<std::string> reasons;
  harness.gateway.on_disconnect("/", [&](Socket&, std::string_view reason) { reasons.emplace_back(reason); });
  PollingClient client(harness);
  const std::string sid = client.connect();
  ASSERT_TRUE(harness.join_room(sid, "r1"));
  ASSERT_TRUE(harness.join_room(sid, "r2"));

  ASSERT_TRUE(harness.run_until([&] { return polling_sessions(harness) == 0; }));
  EXPECT_FALSE(harness.rooms_of(sid).has_value());
  EXPECT_EQ(reasons, std::vector<std::string>{"ping timeout"});
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 0);
  const auto deliveries = harness.gateway.metrics().deliveries.load();
  harness.gateway.emit_to_room("r1", "e", boost::json::value(1));
  harness.drain();
  EXPECT_EQ(harness.gateway.metrics().deliveries.load(), deliveries);
}

struct TwoNamespaces : ::testing::Test {
  static GatewayOptions options() {
    GatewayOptions options = testing::quiet_options();
    options.namespaces = {"/", "/admin"};
    return options;
  }
  GatewayHarness harness{options()};
};

TEST_F(TwoNamespaces, LeavingOneNamespaceKeepsTheOther) {
  PollingClient client(harness);
  const std::string root = client.connect("/");
  const std::string admin = client.connect("/admin");
  ASSERT_FALSE(root.empty());
  ASSERT_FALSE(admin.empty());
  client.send("41/admin,");
  EXPECT_FALSE(harness.rooms_of(admin).has_value());
  EXPECT_TRUE(harness.rooms_of(root).has_value());
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 1);
  harness.gateway.broadcast("still-here", boost::json::value(1));
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(42["still-here",1])"});
}

TEST_F(TwoNamespaces, ClosingTheSessionDisconnectsEveryNamespace) {
  PollingClient client(harness);
  const std::string root = client.connect("/");
  const std::string admin = client.connect("/admin");
  client.send("1");
  EXPECT_FALSE(harness.rooms_of(root).has_value());
  EXPECT_FALSE(harness.rooms_of(admin).has_value());
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 0);
}

TEST_F(TwoNamespaces, RoomsAreSeparatePerNamespace) {
  PollingClient client(harness);
  const std::string root = client.connect("/");
  const std::string admin = client.connect("/admin");
  ASSERT_TRUE(harness.join_room(admin, "ops"));
  harness.gateway.emit_to_room("ops", "alert", boost::json::value(1), "/");
  EXPECT_EQ(client.receive(), kNothing) << "the room of /admin is not the room of /";
  harness.gateway.emit_to_room("ops", "alert", boost::json::value(2), "/admin");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(42/admin,["alert",2])"});
}

TEST_F(TwoNamespaces, ServerDisconnectOfANamespaceNamesIt) {
  PollingClient client(harness);
  client.connect("/");
  const std::string admin = client.connect("/admin");
  EXPECT_TRUE(harness.disconnect(admin));
  EXPECT_EQ(client.receive(), std::vector<std::string>{"41/admin,"});
}

TEST(GatewayEmits, EmittingToAnEmptyRoomOrAnAbsentUserCompletes) {
  GatewayHarness harness;
  PollingClient client(harness);
  client.connect();
  EXPECT_TRUE(harness.gateway.emit_to_room("empty-room", "e", boost::json::value(1)));
  EXPECT_TRUE(harness.gateway.emit_to_user("nobody", "e", boost::json::value(1)));
  harness.drain();
  EXPECT_EQ(harness.gateway.metrics().deliveries.load(), 0u);
  EXPECT_EQ(harness.gateway.metrics().events_emitted.load(), 2u);
  EXPECT_EQ(client.receive(), kNothing);
}

TEST(GatewayAuthExpiry, RefusesAnExpiredToken) {
  GatewayOptions options = testing::quiet_options();
  auth::JwtConfig config;
  config.secret = "unit-test-secret-of-some-length";
  options.jwt = std::make_shared<const auth::JwtVerifier>(config);
  GatewayHarness harness(options);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  const std::string expired =
      auth::sign_hs_token(boost::json::object{{"sub", "alice"}, {"exp", now.count() - 3600}}, config.secret);
  PollingClient client(harness);
  client.send("40{\"token\":\"" + expired + "\"}");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(44{"message":"Unauthorized"})"});
  EXPECT_EQ(harness.gateway.metrics().auth_failures.load(), 1u);
}

TEST(GatewayShutdown, SendsDisconnectThenClosesEverySession) {
  GatewayHarness harness;
  std::vector<std::string> reasons;
  harness.gateway.on_disconnect("/", [&](Socket&, std::string_view reason) { reasons.emplace_back(reason); });
  PollingClient first(harness), second(harness);
  first.connect();
  second.connect();
  bool done = false;
  harness.gateway.shutdown([&done] { done = true; });
  harness.drain();
  EXPECT_TRUE(done);
  EXPECT_EQ(reasons.size(), 2u);
  EXPECT_EQ(polling_sessions(harness), 0);
  EXPECT_EQ(first.receive(), std::vector<std::string>{"41"});
  EXPECT_EQ(first.receive(), std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace sg::sio
