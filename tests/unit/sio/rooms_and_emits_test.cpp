// The Gateway's emit API and room management by sid: emit_to_room reaches only members,
// broadcast reaches every socket of the namespace, except-rooms are skipped, emit_to_user
// uses the user room; join/leave/disconnect by sid, rooms_of after a disconnect (client,
// server, or the Engine.IO session closing), and the counters the emits move.
#include "gateway_harness.hpp"

#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;

const std::vector<std::string> kNothing;

bool contains(const std::vector<std::string>& values, std::string_view wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

// Three connected clients on "/", each with its socket id.
struct RoomsTest : ::testing::Test {
  RoomsTest() : a(harness), b(harness), c(harness) {
    a_sid = a.connect();
    b_sid = b.connect();
    c_sid = c.connect();
  }
  std::uint64_t deliveries() const { return harness.gateway.metrics().deliveries.load(); }

  GatewayHarness harness;
  PollingClient a, b, c;
  std::string a_sid, b_sid, c_sid;
};

TEST_F(RoomsTest, EmitToRoomReachesOnlyItsMembers) {
  ASSERT_TRUE(harness.join_room(a_sid, "news"));
  ASSERT_TRUE(harness.join_room(b_sid, "news"));
  const auto before = deliveries();
  EXPECT_TRUE(harness.gateway.emit_to_room("news", "headline", boost::json::value("rates up")));
  harness.drain();
  EXPECT_EQ(a.receive(), std::vector<std::string>{R"(42["headline","rates up"])"});
  EXPECT_EQ(b.receive(), std::vector<std::string>{R"(42["headline","rates up"])"});
  EXPECT_EQ(c.receive(), kNothing);
  EXPECT_EQ(deliveries() - before, 2u);
  EXPECT_EQ(harness.gateway.metrics().events_emitted.load(), 1u);
}

TEST_F(RoomsTest, EmitWithNullDataSendsOnlyTheEventName) {
  harness.join_room(a_sid, "r");
  harness.gateway.emit_to_room("r", "ping-like", boost::json::value(nullptr));
  EXPECT_EQ(a.receive(), std::vector<std::string>{R"(42["ping-like"])"});
}

TEST_F(RoomsTest, BroadcastReachesEverySocket) {
  EXPECT_TRUE(harness.gateway.broadcast("hello", boost::json::object{{"n", 1}}));
  for (PollingClient* client : {&a, &b, &c})
    EXPECT_EQ(client->receive(), std::vector<std::string>{R"(42["hello",{"n":1}])"});
  EXPECT_EQ(harness.gateway.metrics().deliveries.load(), 3u);
}

TEST_F(RoomsTest, EmitSkipsMembersOfExceptRooms) {
  harness.join_room(a_sid, "quiet");
  EmitTarget everyone_but_quiet{"/", {}, {"quiet"}};
  const boost::json::value args[] = {1, 2};
  EXPECT_TRUE(harness.gateway.emit(everyone_but_quiet, "numbers", args));
  harness.drain();
  EXPECT_EQ(a.receive(), kNothing);
  EXPECT_EQ(b.receive(), std::vector<std::string>{R"(42["numbers",1,2])"});
  EXPECT_EQ(c.receive(), std::vector<std::string>{R"(42["numbers",1,2])"});
}

TEST_F(RoomsTest, EmitToSeveralRoomsReachesEachMemberOnce) {
  harness.join_room(a_sid, "x");
  harness.join_room(a_sid, "y");
  harness.join_room(b_sid, "y");
  EmitTarget x_or_y{"/", {"x", "y"}, {}};
  const boost::json::value args[] = {"once"};
  harness.gateway.emit(x_or_y, "e", args);
  EXPECT_EQ(a.receive(), std::vector<std::string>{R"(42["e","once"])"});
  EXPECT_EQ(b.receive(), std::vector<std::string>{R"(42["e","once"])"});
  EXPECT_EQ(c.receive(), kNothing);
}

TEST_F(RoomsTest, EmitWithAttachmentsSendsThemAfterTheHeader) {
  harness.join_room(c_sid, "files");
  EmitTarget files{"/", {"files"}, {}};
  const boost::json::value args[] = {boost::json::parse(R"({"_placeholder":true,"num":0})")};
  harness.gateway.emit(files, "file", args, {std::string("\x01\x02\x03\x04", 4)});
  EXPECT_EQ(c.receive(), (std::vector<std::string>{R"(451-["file",{"_placeholder":true,"num":0}])", "bAQIDBA=="}));
}

TEST_F(RoomsTest, EmitToAnUnservedNamespaceIsRefused) {
  EXPECT_FALSE(harness.gateway.broadcast("x", boost::json::value(1), "/nowhere"));
  EXPECT_EQ(harness.gateway.metrics().events_emitted.load(), 0u);
}

TEST_F(RoomsTest, LeaveRoomStopsDelivery) {
  harness.join_room(a_sid, "news");
  ASSERT_TRUE(contains(*harness.rooms_of(a_sid), "news"));
  EXPECT_TRUE(harness.leave_room(a_sid, "news"));
  EXPECT_FALSE(contains(*harness.rooms_of(a_sid), "news"));
  harness.gateway.emit_to_room("news", "headline", boost::json::value(1));
  EXPECT_EQ(a.receive(), kNothing);
}

TEST_F(RoomsTest, RoomCallsForAnUnknownSidReportNotFound) {
  EXPECT_FALSE(harness.join_room("no-such-sid", "r"));
  EXPECT_FALSE(harness.leave_room("no-such-sid", "r"));
  EXPECT_FALSE(harness.disconnect("no-such-sid"));
  EXPECT_FALSE(harness.rooms_of("no-such-sid").has_value());
}

TEST_F(RoomsTest, ServerDisconnectSendsDisconnectAndRemovesFromEveryRoom) {
  std::vector<std::string> disconnect_reasons;
  harness.gateway.on_disconnect("/", [&](Socket&, std::string_view reason) { disconnect_reasons.emplace_back(reason); });
  harness.join_room(a_sid, "r1");
  harness.join_room(a_sid, "r2");
  EXPECT_TRUE(harness.disconnect(a_sid));
  EXPECT_EQ(a.receive(), std::vector<std::string>{"41"});
  EXPECT_FALSE(harness.rooms_of(a_sid).has_value());
  EXPECT_EQ(disconnect_reasons, std::vector<std::string>{"server namespace disconnect"});
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 2);

  const auto before = deliveries();
  harness.gateway.emit_to_room("r1", "e", boost::json::value(1));
  harness.gateway.emit_to_room("r2", "e", boost::json::value(1));
  harness.drain();
  EXPECT_EQ(deliveries(), before);
  EXPECT_EQ(a.receive(), kNothing);
  EXPECT_EQ(harness.gateway.session_count(eio::TransportKind::polling), 3) << "the Engine.IO session stays open";
}

TEST_F(RoomsTest, ClientDisconnectIsSilentAndRemovesTheSocket) {
  harness.join_room(b_sid, "r");
  b.send("41");
  EXPECT_FALSE(harness.rooms_of(b_sid).has_value());
  EXPECT_EQ(b.receive(), kNothing) << "nothing is sent back";
  EXPECT_EQ(harness.gateway.session_count(eio::TransportKind::polling), 3);
  harness.gateway.broadcast("e", boost::json::value(1));
  EXPECT_EQ(b.receive(), kNothing);
  EXPECT_EQ(a.receive(), std::vector<std::string>{R"(42["e",1])"});
}

TEST_F(RoomsTest, ClosingTheEngineSessionDisconnectsItsSockets) {
  std::vector<std::string> disconnect_reasons;
  harness.gateway.on_disconnect("/", [&](Socket&, std::string_view reason) { disconnect_reasons.emplace_back(reason); });
  harness.join_room(c_sid, "r");
  c.send("1");
  EXPECT_FALSE(harness.rooms_of(c_sid).has_value());
  EXPECT_EQ(disconnect_reasons, std::vector<std::string>{"client close"});
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 2);
  EXPECT_EQ(harness.gateway.session_count(eio::TransportKind::polling), 2);
}

TEST(GatewayUserEmits, EmitToUserReachesEverySocketOfThatUserOnly) {
  GatewayOptions options = testing::quiet_options();
  auth::JwtConfig config;
  config.secret = "unit-test-secret-of-some-length";
  options.jwt = std::make_shared<const auth::JwtVerifier>(config);
  GatewayHarness harness(options);
  auto token = [&](std::string_view user) {
    return "{\"token\":\"" + auth::sign_hs_token(boost::json::object{{"sub", user}}, config.secret) + "\"}";
  };
  PollingClient alice_phone(harness), alice_laptop(harness), bob(harness);
  ASSERT_FALSE(alice_phone.connect("/", token("alice")).empty());
  ASSERT_FALSE(alice_laptop.connect("/", token("alice")).empty());
  ASSERT_FALSE(bob.connect("/", token("bob")).empty());
  EXPECT_EQ(harness.sids_of_user("alice").size(), 2u);

  EXPECT_TRUE(harness.gateway.emit_to_user("alice", "dm", boost::json::value("hi alice")));
  EXPECT_EQ(alice_phone.receive(), std::vector<std::string>{R"(42["dm","hi alice"])"});
  EXPECT_EQ(alice_laptop.receive(), std::vector<std::string>{R"(42["dm","hi alice"])"});
  EXPECT_EQ(bob.receive(), kNothing);
}

TEST(GatewaySlowClients, CountsSlowDisconnectsAndDroppedPackets) {
  GatewayOptions options = testing::quiet_options();
  options.engine.max_queue_bytes = 64;
  GatewayHarness harness(options);
  PollingClient client(harness);
  const std::string sid = client.connect();
  // No GET is held, so every emit stays in the polling buffer: the second passes the limit
  // and dooms the session, the next ones are dropped, and the close follows on a later turn.
  const std::string big(40, 'x');
  for (int i = 0; i < 4; ++i) harness.gateway.broadcast("fill", boost::json::value(big));
  harness.drain();
  EXPECT_EQ(harness.gateway.metrics().slow_disconnects.load(), 1u);
  EXPECT_GE(harness.gateway.metrics().dropped_packets.load(), 1u);
  EXPECT_FALSE(harness.rooms_of(sid).has_value());
  EXPECT_EQ(harness.gateway.session_count(eio::TransportKind::polling), 0);
}

}  // namespace
}  // namespace sg::sio
