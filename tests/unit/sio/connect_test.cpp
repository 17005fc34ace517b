// Socket.IO CONNECT on the Gateway: the sid reply, namespaces (served, unknown, several
// on one session), JWT authentication from the auth payload or the Authorization header
// (refusal as 44 "Unauthorized", the user room on success), the connect handler, and the
// connect / auth-failure / socket counters.
#include "gateway_harness.hpp"

#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;

constexpr std::string_view kSecret = "unit-test-secret-of-some-length";

std::string token_for(std::string_view user, std::string_view secret = kSecret) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  boost::json::object claims{{"sub", user}, {"exp", now.count() + 3600}};
  return auth::sign_hs_token(claims, secret);
}

GatewayOptions with_jwt() {
  GatewayOptions options = testing::quiet_options();
  auth::JwtConfig config;
  config.secret = std::string(kSecret);
  options.jwt = std::make_shared<const auth::JwtVerifier>(config);
  return options;
}

bool contains(const std::vector<std::string>& values, std::string_view wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

TEST(GatewayConnect, RepliesWithANewSocketIdWhenNoAuthIsConfigured) {
  GatewayHarness harness;
  PollingClient client(harness);
  ASSERT_FALSE(client.engine_sid.empty());
  const std::string sid = client.connect();
  ASSERT_FALSE(sid.empty()) << client.last_connect_reply;
  EXPECT_EQ(client.last_connect_reply, "40{\"sid\":\"" + sid + "\"}");
  EXPECT_NE(sid, client.engine_sid) << "the Engine.IO sid stays secret";
  EXPECT_EQ(harness.gateway.metrics().connects.load(), 1u);
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 1);
  EXPECT_TRUE(harness.rooms_of(sid).has_value());
}

TEST(GatewayConnect, AcceptsAnEmptyAuthObject) {
  GatewayHarness harness;
  PollingClient client(harness);
  EXPECT_FALSE(client.connect("/", "{}").empty()) << client.last_connect_reply;
}

TEST(GatewayConnect, ConnectsToAServedNamespaceWithItsNameInTheReply) {
  GatewayOptions options = testing::quiet_options();
  options.namespaces = {"/", "/admin"};
  GatewayHarness harness(options);
  PollingClient client(harness);
  const std::string admin_sid = client.connect("/admin");
  ASSERT_FALSE(admin_sid.empty()) << client.last_connect_reply;
  EXPECT_EQ(client.last_connect_reply, "40/admin,{\"sid\":\"" + admin_sid + "\"}");

  const std::string root_sid = client.connect("/");
  ASSERT_FALSE(root_sid.empty()) << client.last_connect_reply;
  EXPECT_NE(root_sid, admin_sid) << "each namespace connection gets its own id";
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 2);
}

TEST(GatewayConnect, RefusesAnUnknownNamespaceAndKeepsTheSession) {
  GatewayHarness harness;
  PollingClient client(harness);
  client.send("40/x,");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(44/x,{"message":"Invalid namespace"})"});
  EXPECT_EQ(harness.gateway.metrics().connects.load(), 0u);
  EXPECT_FALSE(client.connect().empty()) << "the Engine.IO session is still open";
}

TEST(GatewayConnect, ASecondConnectToTheSameNamespaceClosesTheSession) {
  GatewayHarness harness;
  PollingClient client(harness);
  ASSERT_FALSE(client.connect().empty());
  EXPECT_EQ(client.send("40"), 200u);
  client.receive();
  EXPECT_EQ(client.last_status, 400u) << "the session is gone";
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 0);
}

TEST(GatewayConnect, RunsTheConnectHandlerWithTheAuthPayload) {
  GatewayHarness harness;
  std::string seen_id;
  boost::json::object seen_auth;
  harness.gateway.on_connect("/", [&](Socket& socket, const boost::json::object& auth) {
    seen_id = socket.id();
    seen_auth = auth;
  });
  PollingClient client(harness);
  const std::string sid = client.connect("/", R"({"room":"lobby","n":3})");
  EXPECT_EQ(seen_id, sid);
  EXPECT_EQ(seen_auth, (boost::json::object{{"room", "lobby"}, {"n", 3}}));
}

TEST(GatewayConnect, TheConnectHandlerMayJoinRoomsAndEmit) {
  GatewayHarness harness;
  harness.gateway.on_connect("/", [](Socket& socket, const boost::json::object&) {
    socket.join("lobby");
    socket.emit("welcome", Arguments{boost::json::array{"hi"}, {}});
  });
  PollingClient client(harness);
  const std::string sid = client.connect();
  ASSERT_FALSE(sid.empty());
  EXPECT_TRUE(contains(*harness.rooms_of(sid), "lobby"));
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(42["welcome","hi"])"});
}

// ---- JWT ------------------------------------------------------------------------------

TEST(GatewayAuth, RefusesAConnectWithoutTokenAsUnauthorized) {
  GatewayHarness harness(with_jwt());
  PollingClient client(harness);
  client.send("40");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(44{"message":"Unauthorized"})"});
  EXPECT_EQ(harness.gateway.metrics().auth_failures.load(), 1u);
  EXPECT_EQ(harness.gateway.metrics().connects.load(), 0u);
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 0);
}

TEST(GatewayAuth, RefusesATokenSignedWithAnotherSecret) {
  GatewayHarness harness(with_jwt());
  PollingClient client(harness);
  client.send("40{\"token\":\"" + token_for("alice", "some-other-secret-entirely") + "\"}");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(44{"message":"Unauthorized"})"});
  EXPECT_EQ(harness.gateway.metrics().auth_failures.load(), 1u);
}

TEST(GatewayAuth, RefusesOnANamespaceWithItsNameInTheReply) {
  GatewayOptions options = with_jwt();
  options.namespaces = {"/", "/admin"};
  GatewayHarness harness(options);
  PollingClient client(harness);
  client.send("40/admin,{}");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(44/admin,{"message":"Unauthorized"})"});
}

TEST(GatewayAuth, AcceptsAValidTokenAndJoinsTheUserRoom) {
  GatewayHarness harness(with_jwt());
  std::string seen_user;
  harness.gateway.on_connect("/", [&](Socket& socket, const boost::json::object&) { seen_user = socket.user_id(); });
  PollingClient client(harness);
  const std::string sid = client.connect("/", "{\"token\":\"" + token_for("alice") + "\"}");
  ASSERT_FALSE(sid.empty()) << client.last_connect_reply;
  EXPECT_EQ(seen_user, "alice");
  const auto rooms = harness.rooms_of(sid);
  ASSERT_TRUE(rooms.has_value());
  EXPECT_TRUE(contains(*rooms, "user:alice"));
  EXPECT_EQ(harness.sids_of_user("alice"), std::vector<std::string>{sid});
  EXPECT_TRUE(harness.sids_of_user("bob").empty());
  EXPECT_EQ(harness.gateway.metrics().auth_failures.load(), 0u);
  EXPECT_EQ(harness.gateway.metrics().connects.load(), 1u);
}

TEST(GatewayAuth, AcceptsABearerTokenFromTheHandshakeAuthorizationHeader) {
  GatewayHarness harness(with_jwt());
  PollingClient client(harness, "Bearer " + token_for("carol"));
  const std::string sid = client.connect();
  ASSERT_FALSE(sid.empty()) << client.last_connect_reply;
  EXPECT_TRUE(contains(*harness.rooms_of(sid), "user:carol"));
}

TEST(GatewayAuth, UsesTheConfiguredUserRoomPrefix) {
  GatewayOptions options = with_jwt();
  options.user_room_prefix = "u/";
  GatewayHarness harness(options);
  PollingClient client(harness);
  const std::string sid = client.connect("/", "{\"token\":\"" + token_for("dave") + "\"}");
  ASSERT_FALSE(sid.empty());
  EXPECT_TRUE(contains(*harness.rooms_of(sid), "u/dave"));
  EXPECT_EQ(harness.sids_of_user("dave"), std::vector<std::string>{sid});
}

}  // namespace
}  // namespace sg::sio
